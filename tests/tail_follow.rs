//! The follower's mechanics, below the parsers: a [`SourceReader`] in follow
//! mode on a temp file, polled by hand. Each line is a tiny JSON object so
//! the reader hands it to a parse job; the tests read the jobs' lines back.
//! No parser or detector is involved.

use hunt::ingest::read::{self, Input};
use hunt::ingest::source::{Output, Polled, ReadOptions, SourceReader};
use hunt::ingest::FileStats;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

fn follower(path: &Path) -> SourceReader {
    let opts = ReadOptions {
        format: None,
        max_line: 1 << 20,
        syslog_year: 0,
        follow: true,
    };
    SourceReader::new(0, Input::Path(path.to_path_buf()), opts)
}

/// One poll: the lines handed out (newline stripped; `!` marks a line
/// handed out as possibly truncated) and what the poll said.
fn poll(r: &mut SourceReader) -> (Vec<String>, std::io::Result<Polled>) {
    let mut lines = Vec::new();
    let mut stats = FileStats::default();
    let res = r.poll(&mut stats, &mut |o| {
        if let Output::Job(job) = o {
            for (_, _, text) in read::lines(&job.chunk) {
                let mut s = String::from_utf8_lossy(text).into_owned();
                if job.chunk.unterminated {
                    s.push('!');
                }
                lines.push(s);
            }
        }
    });
    (lines, res)
}

fn lines(r: &mut SourceReader) -> Vec<String> {
    let (lines, res) = poll(r);
    assert_eq!(
        res.unwrap(),
        Polled::CaughtUp,
        "a followed file is never finished"
    );
    lines
}

fn append(path: &Path, data: &str) {
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(data.as_bytes()).unwrap();
}

fn rec(n: u32) -> String {
    format!("{{\"n\":{n}}}\n")
}

fn recs(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|n| rec(*n).trim_end().to_string()).collect()
}

#[test]
fn appended_lines_are_read_and_a_partial_line_waits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    append(&path, &(rec(1) + &rec(2)));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r), recs(&[1, 2]));
    assert!(lines(&mut r).is_empty(), "nothing new, nothing read");
    append(&path, &rec(3));
    append(&path, "{\"n\":");
    assert_eq!(lines(&mut r), recs(&[3]));
    assert!(
        lines(&mut r).is_empty(),
        "the partial line waits for its newline"
    );
    assert_eq!(r.partial(), 5);
    append(&path, "4}\n");
    assert_eq!(lines(&mut r), recs(&[4]));
    assert_eq!(r.consumed(), fs::metadata(&path).unwrap().len());
}

#[test]
fn rotation_by_rename_drains_the_old_file_then_reads_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    append(&path, &rec(1));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r), recs(&[1]));
    // The writer still holds the old file: what it writes before it reopens
    // lands in the rotated file and must not be lost.
    let mut old_writer = OpenOptions::new().append(true).open(&path).unwrap();
    old_writer.write_all(rec(2).as_bytes()).unwrap();
    fs::rename(&path, dir.path().join("auth.json.1")).unwrap();
    old_writer.write_all(rec(3).as_bytes()).unwrap();
    old_writer.write_all(b"{\"n\":").unwrap();
    assert_eq!(
        lines(&mut r),
        recs(&[2, 3]),
        "path missing: keep reading the old handle"
    );
    append(&path, &(rec(10) + &rec(11)));
    let got = lines(&mut r);
    assert_eq!(
        got,
        vec![
            "{\"n\":!".to_string(),
            "{\"n\":10}".into(),
            "{\"n\":11}".into()
        ]
    );
    assert_eq!(
        r.consumed(),
        fs::metadata(&path).unwrap().len(),
        "offsets restart in the new file"
    );
    append(&path, &rec(12));
    assert_eq!(lines(&mut r), recs(&[12]));
}

#[test]
fn rotation_to_an_empty_new_file_waits_for_its_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    append(&path, &rec(1));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r), recs(&[1]));
    fs::rename(&path, dir.path().join("x.json.1")).unwrap();
    fs::write(&path, b"").unwrap();
    assert!(lines(&mut r).is_empty());
    append(&path, "{\"n\"");
    assert!(lines(&mut r).is_empty(), "half a first line is not sniffed");
    append(&path, &(":2}\n".to_string() + &rec(3)));
    assert_eq!(lines(&mut r), recs(&[2, 3]));
}

#[test]
fn truncation_in_place_starts_over_from_the_beginning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    append(&path, &(rec(100) + &rec(101) + &rec(102)));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r).len(), 3);
    // copytruncate: the content was copied elsewhere, the file cut to 0,
    // and the writer (O_APPEND) carries on at the new end.
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    append(&path, &rec(7));
    assert_eq!(lines(&mut r), recs(&[7]));
    append(&path, &rec(8));
    assert_eq!(lines(&mut r), recs(&[8]));
    // Truncated to nothing and left empty: nothing read, nothing repeated.
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    assert!(lines(&mut r).is_empty());
    assert!(lines(&mut r).is_empty());
    append(&path, &rec(9));
    assert_eq!(lines(&mut r), recs(&[9]));
}

#[test]
fn a_file_created_after_start_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.json");
    let mut r = follower(&path);
    let (got, res) = poll(&mut r);
    assert!(got.is_empty());
    assert_eq!(res.unwrap_err().kind(), std::io::ErrorKind::NotFound);
    fs::write(&path, b"").unwrap();
    assert!(lines(&mut r).is_empty());
    append(&path, &rec(5));
    assert_eq!(lines(&mut r), recs(&[5]));
}

#[test]
fn gzip_and_json_documents_are_read_once_not_followed() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("old.json.gz");
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all((rec(1) + &rec(2)).as_bytes()).unwrap();
    fs::write(&gz, enc.finish().unwrap()).unwrap();
    let mut r = follower(&gz);
    let (got, res) = poll(&mut r);
    assert_eq!((got, res.unwrap()), (recs(&[1, 2]), Polled::Finished));

    let doc = dir.path().join("page.json");
    fs::write(&doc, b"{\"value\":[{\"n\":1},{\"n\":2}]}").unwrap();
    let mut r = follower(&doc);
    let mut stats = FileStats::default();
    let mut outputs = 0;
    let res = r.poll(&mut stats, &mut |_| outputs += 1).unwrap();
    assert_eq!(
        res,
        Polled::Finished,
        "a complete document without newline is read at once"
    );
    assert_eq!(outputs, 1);
    // Its records fit no format: named for what it is.
    assert_eq!(r.format_name(), "json document");
}

#[test]
fn the_format_is_told_from_whole_lines_not_from_a_first_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.log");
    // "2" alone is valid JSON (a number) and no syslog line yet.
    append(&path, "2");
    let mut r = follower(&path);
    assert!(lines(&mut r).is_empty());
    assert_eq!(r.format_name(), "…");
    append(
        &path,
        "026-11-18T06:00:00.000000+00:00 bastion-01 sshd[4107]: Accepted publickey for ansible from 62.140.128.21 port 40000 ssh2\n",
    );
    let (_, res) = poll(&mut r);
    assert_eq!(res.unwrap(), Polled::CaughtUp);
    assert_eq!(r.format_name(), "sshd");
}

#[test]
fn a_followed_file_is_called_unreadable_only_after_enough_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    append(&path, "just some text\n");
    let mut r = follower(&path);
    assert!(lines(&mut r).is_empty());
    assert_eq!(r.format_name(), "…", "one line is too little to judge");
    append(&path, &"more text\n".repeat(20));
    let (_, res) = poll(&mut r);
    assert_eq!(res.unwrap(), Polled::Finished);
    assert!(
        r.format_name().starts_with("unsupported"),
        "{}",
        r.format_name()
    );
}

/// logrotate's numbering: every `.N` moves to `.N+1`, the file to `.1`, a
/// new file is created at the path.
fn rotate_numbered(path: &Path, keep: u32) {
    for n in (1..keep).rev() {
        let from = path.with_extension(format!("json.{n}"));
        if from.exists() {
            fs::rename(&from, path.with_extension(format!("json.{}", n + 1))).unwrap();
        }
    }
    fs::rename(path, path.with_extension("json.1")).unwrap();
    fs::File::create(path).unwrap();
}

#[test]
fn rotations_faster_than_the_poll_lose_no_generation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    // An old generation from before the follow began: never read again.
    let older = dir.path().join("auth.json.7");
    append(&older, &rec(99));
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&older)
        .unwrap()
        .set_modified(past)
        .unwrap();
    append(&path, &rec(1));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r), recs(&[1]));
    append(&path, &rec(2));
    // Three rotations before the next poll: the files holding 3 and 4 were
    // the path only between polls.
    std::thread::sleep(std::time::Duration::from_millis(5));
    rotate_numbered(&path, 5);
    append(&path, &rec(3));
    std::thread::sleep(std::time::Duration::from_millis(5));
    rotate_numbered(&path, 5);
    append(&path, &rec(4));
    std::thread::sleep(std::time::Duration::from_millis(5));
    rotate_numbered(&path, 5);
    append(&path, &rec(5));
    let mut got = lines(&mut r);
    got.extend(lines(&mut r));
    assert_eq!(
        got,
        recs(&[2, 3, 4, 5]),
        "in order, each once, the old .7 left alone"
    );
    // The next rotation, read at its own pace, gives no generation twice.
    append(&path, &rec(6));
    rotate_numbered(&path, 5);
    append(&path, &rec(7));
    let mut got = lines(&mut r);
    got.extend(lines(&mut r));
    assert_eq!(got, recs(&[6, 7]));
}

#[test]
fn a_missed_generation_named_by_date_or_compressed_is_read() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    append(&path, &rec(1));
    let mut r = follower(&path);
    assert_eq!(lines(&mut r), recs(&[1]));
    std::thread::sleep(std::time::Duration::from_millis(5));
    // dateext, compressed at once: the file that held 2 between the polls
    // is gone, its content is in auth.json-20261207.gz.
    fs::rename(&path, dir.path().join("auth.json-20261206")).unwrap();
    append(&path, &rec(2));
    std::thread::sleep(std::time::Duration::from_millis(5));
    let gz = dir.path().join("auth.json-20261207.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&fs::read(&path).unwrap()).unwrap();
    enc.finish().unwrap();
    fs::remove_file(&path).unwrap();
    append(&path, &rec(4));
    let mut got = lines(&mut r);
    got.extend(lines(&mut r));
    assert_eq!(
        got,
        recs(&[2, 4]),
        "the gzip generation between the polls is read"
    );
}
