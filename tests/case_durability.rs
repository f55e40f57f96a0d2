//! The case never loses an acknowledged write: a writer killed with SIGKILL
//! mid-stream leaves every verdict it acknowledged and a file that opens
//! cleanly, and two processes writing at once both keep all their writes.
//! The writer is the real binary's hidden `hunt case verdict-loop`, which
//! prints each verdict's id only after its transaction committed.

use hunt::triage::Case;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

fn writer(case: &Path, count: u64, tag: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env_remove("HUNT_CASE")
        .env("USER", "stress")
        .args(["case", "--case"])
        .arg(case)
        .args(["verdict-loop", "--count", &count.to_string(), "--tag", tag])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn integrity_ok(case: &Path) {
    let conn = rusqlite::Connection::open(case).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn sigkill_mid_stream_keeps_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.sqlite");
    let mut acked: Vec<String> = Vec::new();
    // Kill at different points of the stream (the last one right after a first write).
    for (round, stop_after) in [120usize, 37, 1].into_iter().enumerate() {
        let mut child = writer(&case, 1_000_000, &format!("kill{round}"));
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut got = 0;
        while got < stop_after {
            match lines.next() {
                Some(Ok(id)) => {
                    acked.push(id);
                    got += 1;
                }
                other => panic!("writer stopped early: {other:?}"),
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert!(!status.success(), "the writer was killed, not finished");
        // Ids it printed between our last read and the kill were acknowledged too.
        for id in lines.map_while(Result::ok) {
            acked.push(id);
        }

        let c = Case::open(&case).expect("a killed writer leaves a case that opens cleanly");
        let stored = c.latest_verdicts().unwrap();
        let missing: Vec<&String> = acked
            .iter()
            .filter(|id| !stored.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "round {round}: lost acknowledged writes {missing:?}"
        );
        drop(c);
        integrity_ok(&case);
    }
    assert!(acked.len() >= 158);
}

#[test]
fn two_writers_at_once_keep_all_thousand_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.sqlite");
    // Both start together on a case file that does not exist yet.
    let a = writer(&case, 500, "alpha");
    let b = writer(&case, 500, "beta");
    let mut ids = HashSet::new();
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), 500);
        ids.extend(text.lines().map(str::to_string));
    }
    assert_eq!(ids.len(), 1000);
    let c = Case::open(&case).unwrap();
    let stored = c.latest_verdicts().unwrap();
    assert_eq!(stored.len(), 1000);
    assert!(ids.iter().all(|id| stored.contains_key(id)));
    assert_eq!(c.all_verdicts().unwrap().len(), 1000);
    drop(c);
    integrity_ok(&case);
}
