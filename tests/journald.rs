//! journald input (`journalctl -o json`): the committed samples are real
//! journalctl output (see tests/journald/PROVENANCE.md). A file is sniffed
//! or forced with `--format journald`; `journalctl -f -o json | hunt -f -`
//! is a followed pipe, whose last held attempt is counted by the follow
//! loop's wall-clock tick.

mod live_common;

use live_common::{brute, Scan};
use std::io::Write;
use std::process::Command;

fn sample(name: &str) -> String {
    format!("{}/tests/journald/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn scan(args: &[&str]) -> (Vec<serde_json::Value>, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .arg("scan")
        .args(["--output", "jsonl", "-v"])
        .args(args)
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (findings, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_journal_export_is_read_as_sshd_sign_ins_with_the_journals_fields() {
    for forced in [false, true] {
        let path = sample("sshd-brute.json");
        let mut args = vec![path.as_str()];
        if forced {
            args.extend(["--format", "journald"]);
        }
        let (findings, err) = scan(&args);
        assert!(err.contains("journald (49 records, 16 events"), "{err}");
        assert!(
            err.contains("3 × non-UTF-8 bytes (replaced)"),
            "the byte-array messages are read and counted: {err}"
        );
        let b = findings
            .iter()
            .find(|f| f["detector"] == "brute_force")
            .expect("a brute force");
        assert_eq!(b["user"], "root");
        assert_eq!(b["ip"], "203.0.113.7");
        assert_eq!(
            b["details"]["failures"], 12,
            "each pam_unix + Failed pair of one connection (one _PID) is one attempt"
        );
        assert_eq!(b["details"]["apps"], serde_json::json!(["sshd@vm"]));
        // Microsecond journal time, kept to the millisecond.
        assert!(b["first_seen"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-07T16:"));
    }
}

#[test]
fn a_followed_journal_pipe_shows_the_last_held_attempt_without_more_traffic() {
    let text = std::fs::read_to_string(sample("sshd-live.json")).unwrap();
    let mut hunt = Scan::start(&["-"]);
    hunt.stdin().write_all(text.as_bytes()).unwrap();
    hunt.stdin().flush().unwrap();
    // Nine attempts end with their Failed lines; the tenth is a pam_unix
    // failure alone, held for its Failed line: the pipe stays open and
    // silent, and the tick counts it.
    let f = hunt.finding(15, brute("root", 10));
    assert_eq!(f["ip"], "203.0.113.8");
    assert_eq!(f["details"]["failures"], 10);
}
