//! `hunt why` through the binary on a CrowdSec-style `ssh-bf` burst (the
//! hub's test writes `Invalid user netflix from 1.1.1.172` six times, seconds
//! apart): no finding at hunt's thresholds, and `hunt why` names the near
//! miss in brute_force's own terms; with the threshold lowered it names the
//! finding, and with the address allowlisted it names the entry.

use assert_cmd::Command;
use std::path::Path;

const ADDR: &str = "1.1.1.172";

/// A folder holding the burst (six `Invalid user` lines, one second apart).
fn burst(dir: &Path) -> String {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let text: String = (1..=6)
        .map(|i| {
            format!("Dec  7 10:02:1{i} sd-126005 sshd[12422]: Invalid user netflix from {ADDR} port 35424\n")
        })
        .collect();
    std::fs::write(logs.join("auth.log"), text).unwrap();
    logs.to_str().unwrap().to_string()
}

fn hunt(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env_remove("HUNT_CASE")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn line<'a>(out: &'a str, detector: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{detector} ")))
        .unwrap_or_else(|| panic!("no {detector} line in:\n{out}"))
}

#[test]
fn the_ssh_bf_burst_is_a_six_of_ten_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let logs = burst(dir.path());
    let (scan, _, code) = hunt(
        dir.path(),
        &["scan", "--year", "2026", "-o", "jsonl", &logs],
    );
    assert_eq!(
        (scan.as_str(), code),
        ("", 0),
        "no finding at hunt's thresholds"
    );
    let (out, err, code) = hunt(dir.path(), &["why", ADDR, &logs, "--year", "2026"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("why IP {ADDR}: 6 of 6 loaded events")),
        "{out}"
    );
    let brute = line(&out, "brute_force");
    assert!(
        brute.contains("6 of 10 failures within 10m (2026-12-07 10:02:11–10:02:16, user netflix)"),
        "{brute}"
    );
    // Every windowed detector answers in its own terms; one user is 1 of N.
    assert!(line(&out, "user_enumeration").contains("1 of 10 unknown accounts within 15m"));
    assert!(line(&out, "password_spray").contains("1 of 5 users, 6 of 20 attempts"));
    assert!(line(&out, "bulk_send").contains("nothing it counts (sends)"));
    assert!(
        !out.contains("→"),
        "nothing fired and nothing was stopped:\n{out}"
    );
    // The account as the entity gives the same window.
    let (out, _, _) = hunt(dir.path(), &["why", "NETFLIX", &logs, "--year", "2026"]);
    assert!(
        line(&out, "brute_force").contains("6 of 10 failures"),
        "{out}"
    );
}

#[test]
fn a_met_threshold_names_the_finding_or_the_entry_that_stopped_it() {
    let dir = tempfile::tempdir().unwrap();
    let logs = burst(dir.path());
    let config = dir.path().join("hunt.toml");
    std::fs::write(&config, "[detectors.brute_force]\nmin_failures = 5\n").unwrap();
    let config = config.to_str().unwrap();
    let (out, err, code) = hunt(
        dir.path(),
        &["why", ADDR, &logs, "--year", "2026", "--config", config],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        line(&out, "brute_force").contains("6 of 5 failures"),
        "{out}"
    );
    assert!(out.contains("→ fired: "), "{out}");

    let case = dir.path().join("c.sqlite");
    let case = case.to_str().unwrap();
    let (_, err, code) = hunt(
        dir.path(),
        &[
            "case",
            "allow",
            "add",
            "ip",
            ADDR,
            "--note",
            "lab scanner",
            "--case",
            case,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (out, err, code) = hunt(
        dir.path(),
        &[
            "why", ADDR, &logs, "--year", "2026", "--config", config, "--case", case,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("fired but allowlisted: ") && out.contains("ip 1.1.1.172 (note: lab scanner)"),
        "{out}"
    );
}

#[test]
fn an_entity_no_event_names_says_so_and_a_missing_input_fails() {
    let dir = tempfile::tempdir().unwrap();
    let logs = burst(dir.path());
    let (out, _, code) = hunt(
        dir.path(),
        &["why", "203.0.113.0/24", &logs, "--year", "2026"],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("0 of 6 loaded events") && out.contains("nothing to measure"),
        "{out}"
    );
    let (_, err, code) = hunt(dir.path(), &["why", ADDR, "/nonexistent/logs"]);
    assert_eq!(code, 2, "{err}");
    let (_, err, code) = hunt(dir.path(), &["why", "10.0.0.0/99", &logs]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a CIDR"), "{err}");
}
