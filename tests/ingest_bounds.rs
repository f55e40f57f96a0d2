//! Issue 10 items 2, 5 and 6, through a [`SourceReader`] reading a temp file
//! the way a run does: whole JSON documents are streamed (bounded memory,
//! per-record offsets, a cut keeps its records, `[` bombs end as one
//! problem), compressed inputs are held to their limits, a gzip error keeps
//! the lines before it, and byte order marks never cost a record.

use hunt::ingest::decode::json_lines;
use hunt::ingest::read::{Input, Limits};
use hunt::ingest::source::{Output, Polled, ReadOptions, SourceReader};
use hunt::ingest::{reason, FileStats};
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

fn row(i: usize) -> String {
    serde_json::json!({
        "TimeGenerated": format!("2026-11-18T10:{:02}:{:02}Z", (i / 60) % 60, i % 60),
        "UserPrincipalName": format!("user{i}@contoso.com"), "IPAddress": "175.45.176.10",
        "ResultType": "50126", "AppDisplayName": "Azure Portal", "Type": "SigninLogs"
    })
    .to_string()
}

const SSHD: &str = "2026-11-18T06:00:00.000000+00:00 bastion-01 sshd[4107]: Accepted publickey for ansible from 62.140.128.21 port 40000 ssh2";

/// What reading one input gave: (line, offset, user) per event, the merged
/// counters, and how many batches the reader handed out.
struct Outcome {
    events: Vec<(u32, u64, String)>,
    stats: FileStats,
    outputs: usize,
}

fn read_with(path: &Path, limits: Limits, max_line: usize) -> Outcome {
    let opts = ReadOptions {
        format: None,
        max_line,
        syslog_year: 2026,
        follow: false,
    };
    let mut r = SourceReader::new(0, Input::Path(path.to_path_buf()), opts).with_limits(limits);
    let mut got = Outcome {
        events: Vec::new(),
        stats: FileStats::default(),
        outputs: 0,
    };
    let mut reader_stats = FileStats::default();
    let mut parsed = FileStats::default();
    loop {
        let res = r.poll(&mut reader_stats, &mut |o| {
            let (batch, stats) = match o {
                Output::Job(job) => {
                    let mut s = FileStats::default();
                    let b = json_lines(&job.chunk, job.file, job.format, job.max_line, &mut s);
                    (b, s)
                }
                Output::Parsed(b, s) => (b, s),
                Output::Reopened | Output::Read(_) => return,
            };
            got.outputs += 1;
            for d in &batch.drafts {
                let user = batch.text.get(d.user).to_string();
                got.events.push((d.origin.line, d.origin.offset, user));
            }
            parsed.merge(stats);
        });
        if res.expect("poll") == Polled::Finished {
            break;
        }
    }
    parsed.merge(reader_stats);
    got.stats = parsed;
    got
}

fn read(path: &Path) -> Outcome {
    read_with(path, Limits::default(), 1 << 20)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn problems(s: &FileStats) -> Vec<(&'static str, u32, u64)> {
    s.first_problems
        .iter()
        .map(|p| (p.reason, p.line, p.offset))
        .collect()
}

#[test]
fn a_bom_never_costs_a_record() {
    let dir = tempfile::tempdir().unwrap();
    // NDJSON with a BOM at the start and one mid-file (concatenated exports).
    let ndjson = format!("\u{feff}{}\n\u{feff}{}\n{}\n", row(1), row(2), row(3));
    let p = dir.path().join("rows.json");
    fs::write(&p, &ndjson).unwrap();
    let got = read(&p);
    assert_eq!(
        got.stats.problem_count(),
        0,
        "{:?}",
        got.stats.first_problems
    );
    assert_eq!(got.events.len(), 3);
    assert_eq!(got.events[0].1, 3, "the record starts after the BOM");
    // The same, gzip-compressed: the BOM comes out of the decompressor.
    let gz = dir.path().join("rows.json.gz");
    fs::write(&gz, gzip(ndjson.as_bytes())).unwrap();
    assert_eq!(read(&gz).events, got.events);
    // Syslog.
    let p = dir.path().join("auth.log");
    fs::write(&p, format!("\u{feff}{SSHD}\n{SSHD}\n")).unwrap();
    let got = read(&p);
    assert_eq!((got.events.len(), got.stats.problem_count()), (2, 0));
    // Two Graph pages, each exported with its BOM, one after the other.
    let p = dir.path().join("pages.json");
    let pages = format!(
        "\u{feff}{{\"value\":[{}]}}\n\u{feff}{{\"value\":[{}]}}\n",
        row(1),
        row(2)
    );
    fs::write(&p, pages).unwrap();
    let got = read(&p);
    assert_eq!(
        got.stats.problem_count(),
        0,
        "{:?}",
        got.stats.first_problems
    );
    assert_eq!(got.events.len(), 2);
}

#[test]
fn utf16_text_is_named_not_called_binary() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("export.json");
    let mut data = vec![0xFF, 0xFE];
    for u in row(1).encode_utf16() {
        data.extend(u.to_le_bytes());
    }
    fs::write(&p, data).unwrap();
    let got = read(&p);
    assert_eq!(got.stats.problem_count(), 1);
    assert!(
        got.stats.first_problems[0]
            .detail
            .contains("UTF-16 text, convert to UTF-8"),
        "{:?}",
        got.stats.first_problems
    );
}

#[test]
fn a_gzip_error_keeps_every_complete_line_before_it() {
    let dir = tempfile::tempdir().unwrap();
    // Over 2 MiB of lines: several chunks, the last one still buffered at the error.
    let text: String = (0..8000).map(|i| row(i) + "\n").collect();
    let gz = gzip(text.as_bytes());
    let cut = &gz[..gz.len() * 3 / 4];
    let p = dir.path().join("cut.json.gz");
    fs::write(&p, cut).unwrap();
    // What a decoder gives before the error: the lines expected back.
    let mut prefix = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(cut).read_to_end(&mut prefix);
    let whole = prefix.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let complete = prefix[..whole].iter().filter(|&&b| b == b'\n').count();
    assert!(complete > 4000 && complete < 8000, "{complete}");

    let got = read(&p);
    assert_eq!(got.events.len(), complete);
    assert_eq!(
        problems(&got.stats),
        vec![(reason::CORRUPT_GZIP, complete as u32 + 1, whole as u64)]
    );
}

#[test]
fn a_gzip_that_expands_past_a_limit_stops_with_one_problem() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..10).map(|i| row(i) + ",\n").collect();
    // A document: members of whitespace after the rows, 1 MiB each from
    // about 1 KiB, past the 8 MiB where the ratio starts to count.
    let mut data = gzip(format!("[{rows}").as_bytes());
    let blank = gzip(&vec![b' '; 1 << 20]);
    for _ in 0..12 {
        data.extend_from_slice(&blank);
    }
    data.extend(gzip(b"]"));
    let p = dir.path().join("bomb.json.gz");
    fs::write(&p, &data).unwrap();

    let total = Limits {
        max_decompressed: 5 << 20,
        max_ratio: u64::MAX,
    };
    let got = read_with(&p, total, 1 << 20);
    assert_eq!(got.events.len(), 10);
    let found = problems(&got.stats);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, reason::INPUT_LIMIT);
    assert!(got.stats.first_problems[0]
        .detail
        .contains("max_decompressed_bytes"));

    let ratio = Limits {
        max_decompressed: u64::MAX,
        max_ratio: 100,
    };
    let got = read_with(&p, ratio, 1 << 20);
    assert_eq!(got.events.len(), 10);
    assert_eq!(got.stats.problem_count(), 1);
    assert!(got.stats.first_problems[0]
        .detail
        .contains("max_compression_ratio"));
    // The default ratio stops a thousand-fold bomb too.
    let got = read(&p);
    assert_eq!((got.events.len(), got.stats.problem_count()), (10, 1));
    // Within the limits, the same file reads to its end.
    let loose = Limits {
        max_decompressed: u64::MAX,
        max_ratio: 10_000,
    };
    let got = read_with(&p, loose, 1 << 20);
    assert_eq!((got.events.len(), got.stats.problem_count()), (10, 0));
}

#[test]
fn a_gzip_bracket_bomb_ends_as_one_problem() {
    let dir = tempfile::tempdir().unwrap();
    // 256 MiB of `[` from a quarter of a megabyte.
    let member = gzip(&vec![b'['; 1 << 20]);
    let mut data = gzip(format!("[{},", row(1)).as_bytes());
    for _ in 0..256 {
        data.extend_from_slice(&member);
    }
    let p = dir.path().join("bomb.json.gz");
    fs::write(&p, &data).unwrap();
    let got = read(&p);
    assert_eq!(got.events.len(), 1);
    let found = problems(&got.stats);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, reason::TOO_DEEP);
    assert!(
        got.stats.bytes_read < 4 << 20,
        "stopped early, read {}",
        got.stats.bytes_read
    );
}

#[test]
fn an_endless_bracket_stream_on_stdin_ends_as_one_problem() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["scan", "-v", "--output", "jsonl", "-"])
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // `yes '['`, stopped after 256 MiB only so that a broken reader cannot hang the test.
    let writer = std::thread::spawn(move || {
        let block = b"[\n".repeat(32 * 1024);
        let mut sent = 0usize;
        while sent < 256 << 20 {
            if stdin.write_all(&block).is_err() {
                return sent;
            }
            sent += block.len();
        }
        sent
    });
    let out = child.wait_with_output().unwrap();
    let sent = writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(reason::TOO_DEEP), "{stderr}");
    assert!(sent < 256 << 20, "hunt read the whole stream: {sent} bytes");
}

#[test]
fn a_large_document_is_streamed_with_each_records_offset() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let mut doc = String::from("{\"@odata.context\":\"x\",\n\"value\":[\n");
    let mut want = Vec::with_capacity(n);
    let mut line = 3u32;
    for i in 0..n {
        if i > 0 {
            doc.push_str(if i % 3 == 0 { ",\n" } else { ", " });
            if i % 3 == 0 {
                line += 1;
            }
        }
        want.push((line, doc.len() as u64, format!("user{i}@contoso.com")));
        doc.push_str(&row(i));
    }
    doc.push_str("\n]}\n");
    let p = dir.path().join("page.json");
    fs::write(&p, &doc).unwrap();
    let got = read(&p);
    assert_eq!(
        got.stats.problem_count(),
        0,
        "{:?}",
        got.stats.first_problems
    );
    assert_eq!(got.events, want);
    assert!(
        got.outputs >= n / 4096,
        "handed out as it is read, not at the end: {} batches",
        got.outputs
    );
}

#[test]
fn a_cut_document_keeps_its_complete_records() {
    let dir = tempfile::tempdir().unwrap();
    let doc = format!("[{},\n{},\n{}", row(1), row(2), row(3));
    let cut = &doc[..doc.len() - 20];
    let p = dir.path().join("cut.json");
    fs::write(&p, cut).unwrap();
    let got = read(&p);
    let users: Vec<&str> = got.events.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(users, ["user1@contoso.com", "user2@contoso.com"]);
    let third = doc.rfind('{').unwrap() as u64;
    assert_eq!(problems(&got.stats), vec![(reason::TRUNCATED, 3, third)]);
}

#[test]
fn a_record_over_the_limit_is_skipped_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(300 << 10));
    let doc = format!("[{},{big},{}]", row(1), row(2));
    let p = dir.path().join("big.json");
    fs::write(&p, &doc).unwrap();
    let got = read_with(&p, Limits::default(), 64 << 10);
    assert_eq!(got.events.len(), 2);
    let at = row(1).len() as u64 + 2;
    assert_eq!(problems(&got.stats), vec![(reason::RECORD_TOO_LONG, 1, at)]);
}

#[test]
fn a_compressed_input_rejected_by_its_head_is_not_read_past_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    let blank = gzip(&vec![b'\n'; 1 << 20]);
    let p = dir.path().join("blank.json.gz");
    fs::write(&p, blank.repeat(12)).unwrap();
    // Reads as an empty file (ignored), not as a read failure.
    let got = read(&p);
    assert_eq!(got.stats.problem_count(), 0);
    assert_eq!(got.stats.ignored.get("empty file"), Some(&1));
}

#[test]
fn a_followed_document_with_a_bom_is_read_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("page.json");
    fs::write(&p, format!("\u{feff}{{\"value\":[{}]}}", row(1))).unwrap();
    let opts = ReadOptions {
        format: None,
        max_line: 1 << 20,
        syslog_year: 0,
        follow: true,
    };
    let mut r = SourceReader::new(0, Input::Path(p), opts);
    let mut events = 0;
    let mut stats = FileStats::default();
    let res = r.poll(&mut stats, &mut |o| {
        if let Output::Parsed(b, _) = o {
            events += b.drafts.len();
        }
    });
    assert_eq!((res.unwrap(), events), (Polled::Finished, 1));
}

/// A small gzip (well under the 64 KiB head hunt peeks at) damaged in each
/// way `gunzip -c` still recovers every line from: every line is kept, and
/// the damage is one problem, never a lost file.
#[test]
fn a_small_damaged_gzip_keeps_every_line_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..40).map(|i| row(i) + "\n").collect();
    assert!(text.len() < 16 << 10);
    let good = gzip(text.as_bytes());
    let n = good.len();
    let mut bad_crc = good.clone();
    bad_crc[n - 8] ^= 0xff;
    let mut bad_isize = good.clone();
    bad_isize[n - 1] ^= 0x01;
    let mut nuls = good.clone();
    nuls.extend([0u8; 32]);
    let mut trailing_text = good.clone();
    trailing_text.extend(b"garbage after the stream\n");
    let mut second_cut = good.clone();
    let second = gzip(row(99).as_bytes());
    second_cut.extend(&second[..second.len() / 2]);
    for (name, data) in [
        ("bad-crc", bad_crc),
        ("bad-isize", bad_isize),
        ("trailing-nuls", nuls),
        ("trailing-text", trailing_text),
        ("truncated-second-member", second_cut),
    ] {
        let p = dir.path().join(format!("{name}.json.gz"));
        fs::write(&p, &data).unwrap();
        let got = read(&p);
        assert_eq!(got.events.len(), 40, "{name}: {:?}", problems(&got.stats));
        assert!(
            got.stats.problem_count() <= 1,
            "{name}: {:?}",
            problems(&got.stats)
        );
    }
}
