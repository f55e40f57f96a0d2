//! A followed file is known by identity, not by size alone (issue 10 item
//! 11), and files are held open only while needed (item 4): a file
//! truncated and rewritten past the read offset between two polls is read
//! again from its start; a parked (closed) follower reopens a grown file
//! where it stopped and notices a rewrite or a rotation; thousands of files
//! are read under a small limit on open files, scanned and followed.

mod tail_common;

use hunt::ingest::read::{self, Input};
use hunt::ingest::source::{Output, Polled, ReadOptions, SourceReader};
use hunt::ingest::FileStats;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tail_common::{append, row};

fn follower(path: &Path) -> SourceReader {
    let opts = ReadOptions {
        format: None,
        max_line: 1 << 20,
        syslog_year: 0,
        follow: true,
    };
    SourceReader::new(0, Input::Path(path.to_path_buf()), opts)
}

/// One poll of a followed file: the lines handed out, and whether the
/// reader said it opened the file again.
fn poll(r: &mut SourceReader) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut reopened = false;
    let mut stats = FileStats::default();
    let res = r.poll(&mut stats, &mut |o| match o {
        Output::Job(job) => {
            for (_, _, text) in read::lines(&job.chunk) {
                lines.push(String::from_utf8_lossy(text).into_owned());
            }
        }
        Output::Reopened => reopened = true,
        Output::Parsed(..) | Output::Read(_) => {}
    });
    assert_eq!(res.unwrap(), Polled::CaughtUp);
    (lines, reopened)
}

fn rec(n: u32) -> String {
    format!("{{\"n\":{n}}}\n")
}

fn recs(ns: impl IntoIterator<Item = u32>) -> Vec<String> {
    ns.into_iter()
        .map(|n| rec(n).trim_end().to_string())
        .collect()
}

fn text(ns: impl IntoIterator<Item = u32>) -> String {
    ns.into_iter().map(rec).collect()
}

/// Truncates the file and writes `data` in its place, as a logger
/// reopening it with O_TRUNC would.
fn rewrite(path: &Path, data: &str) {
    OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .unwrap();
    append(path, data);
}

#[test]
fn truncate_and_rewrite_past_the_offset_within_one_poll_is_read_from_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    append(&path, &text(1..=3));
    let mut r = follower(&path);
    assert_eq!(poll(&mut r), (recs(1..=3), false));
    // Longer than before: the size never drops below what was read.
    rewrite(&path, &text(100..=120));
    let (lines, reopened) = poll(&mut r);
    assert!(reopened, "evidence offsets start again at 0");
    assert_eq!(lines, recs(100..=120), "nothing read from the old offset");
    append(&path, &rec(121));
    assert_eq!(poll(&mut r), (recs([121]), false), "then followed as usual");
}

#[test]
fn a_parked_file_reopens_where_it_stopped_and_notices_rewrites_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    append(&path, &text(1..=2));
    let mut r = follower(&path);
    assert_eq!(poll(&mut r).0, recs(1..=2));
    assert!(r.park(), "a followed file at its end can be closed");
    assert!(!r.is_open());
    assert!(!r.wants_open(), "unchanged: no need to open it");
    assert_eq!(poll(&mut r), (vec![], false));
    assert!(
        !r.is_open(),
        "polling an unchanged parked file keeps it closed"
    );

    append(&path, &text(3..=4));
    assert!(r.wants_open());
    assert_eq!(
        poll(&mut r),
        (recs(3..=4), false),
        "read on from the offset"
    );
    assert!(r.is_open());

    r.park();
    rewrite(&path, &text(50..=60));
    assert_eq!(
        poll(&mut r),
        (recs(50..=60), true),
        "rewritten while closed"
    );

    r.park();
    fs::rename(&path, dir.path().join("p.json.1")).unwrap();
    assert_eq!(poll(&mut r), (vec![], false), "gone: wait for the new file");
    append(&path, &text(7..=8));
    assert_eq!(poll(&mut r), (recs(7..=8), true), "rotated while closed");
}

/// A Sentinel sign-in row for file `i`'s own user.
fn signin(i: usize) -> String {
    row(i as i64, &format!("u{i}@contoso.com"), "62.140.128.10", "0") + "\n"
}

/// `hunt scan` with ARGS run under `ulimit -n 256`.
fn limited(args: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("ulimit -n 256 && exec \"$0\" scan {args} \"$1\""))
        .arg(env!("CARGO_BIN_EXE_hunt"));
    c
}

#[test]
fn three_thousand_files_are_scanned_under_a_limit_of_256_open_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir(&root).unwrap();
    for i in 0..3000 {
        fs::write(root.join(format!("{i:04}.json")), signin(i)).unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = limited("-v --output jsonl")
        .arg(&root)
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("hunt: 3000 input(s), 3000 events, 0 records ignored, 0 problems"),
        "{stderr}"
    );
}

#[test]
fn followed_files_beyond_the_open_budget_are_read_when_they_grow() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir(&root).unwrap();
    let n = 400;
    for i in 0..n {
        fs::write(root.join(format!("{i:04}.json")), signin(i)).unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let mut child = limited("-f --output jsonl")
        .arg(&root)
        .env("XDG_CONFIG_HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // Let every file be read once (and most of them closed again).
    std::thread::sleep(Duration::from_millis(1500));
    // A spray of 24 failures, one in each of the last files, all of them
    // beyond what the reader keeps open.
    for (k, line) in tail_common::spray_failures(600).iter().enumerate() {
        append(
            &root.join(format!("{:04}.json", n - 1 - k)),
            &(line.clone() + "\n"),
        );
    }
    let end = Instant::now() + Duration::from_secs(20);
    let mut seen = None;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        let Ok(line) = rx.recv_timeout(left) else {
            break;
        };
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["detector"] == "password_spray" {
            seen = Some(v["event_count"].clone());
            if v["event_count"] == 24 {
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        seen,
        Some(serde_json::json!(24)),
        "every appended failure read"
    );
}

#[test]
fn with_two_files_open_at_most_every_followed_file_is_read_as_it_grows() {
    use hunt::config::Config;
    use hunt::enrich::Enricher;
    use hunt::pipeline::{self, RunOptions, Session};
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = (0..6)
        .map(|i| dir.path().join(format!("{i}.json")))
        .collect();
    for (i, p) in paths.iter().enumerate() {
        append(p, &signin(i));
    }
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.clone())).collect();
    let config = Config::default();
    let opts = RunOptions {
        inputs: inputs.clone(),
        follow: true,
        format: None,
        workers: 1,
    };
    let mut session = Session::new(config.clone(), Enricher::none());
    session.add_sources(&inputs, true);
    let readers = pipeline::start_with_budget(&opts, &config, 2);
    let pump_until = |session: &mut Session, events: usize| {
        let end = Instant::now() + Duration::from_secs(20);
        while session.store.len() < events {
            let left = end.checked_duration_since(Instant::now()).expect("in time");
            if let Ok(msg) = readers.rx.recv_timeout(left) {
                session.handle(msg);
            }
        }
    };
    pump_until(&mut session, 6);
    // Two rounds of appends to every file, most of them closed by now.
    for round in 1..=2 {
        for (i, p) in paths.iter().enumerate() {
            append(p, &signin(100 * round + i));
        }
        pump_until(&mut session, 6 + 6 * round);
    }
    std::thread::sleep(Duration::from_millis(400));
    while let Ok(msg) = readers.rx.try_recv() {
        session.handle(msg);
    }
    assert_eq!(session.store.len(), 18, "each line read once");
    assert!(session.sources.iter().all(|s| s.error.is_none()));
}
