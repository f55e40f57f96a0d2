//! `hunt scan --set DETECTOR.SETTING=VALUE --diff-against CASE` through the
//! binary, on the CrowdSec-style `ssh-bf` burst (six `Invalid user` lines
//! seconds apart): lowering brute_force's threshold shows the finding as
//! new; raising it back shows it gone with the verdict the case gave it;
//! a wrong setting is an error naming the valid ones.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn burst(dir: &Path) -> String {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let text: String = (1..=6)
        .map(|i| format!("Dec  7 10:02:1{i} sd-126005 sshd[12422]: Invalid user netflix from 1.1.1.172 port 35424\n"))
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
        .env("USER", "tester")
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

#[test]
fn lowering_a_threshold_shows_the_new_finding_and_raising_it_the_verdict_lost() {
    let dir = tempfile::tempdir().unwrap();
    let logs = burst(dir.path());
    let case = dir.path().join("case.sqlite");
    let case = case.to_str().unwrap();
    // The case exists (a scan with --case creates it); nothing fires at 10.
    let (out, err, code) = hunt(
        dir.path(),
        &[
            "scan", "--year", "2026", "--case", case, "-o", "jsonl", &logs,
        ],
    );
    assert_eq!((out.as_str(), code), ("", 0), "{err}");
    let (out, err, code) = hunt(
        dir.path(),
        &[
            "scan",
            "--year",
            "2026",
            "--set",
            "brute_force.min_failures=5",
            "--diff-against",
            case,
            &logs,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("what if brute_force.min_failures 10 → 5: over 6 events, 0 findings shown now, 1 with the change (1 would appear, 0 disappear, 0 change severity)"), "{out}");
    assert_eq!(lines[1], "brute_force:");
    assert!(
        lines[2].starts_with("  + ")
            && lines[2].contains("netflix  Brute force on netflix: 6 failures"),
        "{out}"
    );

    // With the threshold at 5 in the config, the finding exists; judge it.
    let config = dir.path().join("hunt.toml");
    std::fs::write(&config, "[detectors.brute_force]\nmin_failures = 5\n").unwrap();
    let config = config.to_str().unwrap();
    let (out, err, _) = hunt(
        dir.path(),
        &[
            "scan", "--year", "2026", "--config", config, "--case", case, "-o", "jsonl", &logs,
        ],
    );
    let f: Value =
        serde_json::from_str(out.lines().next().unwrap_or_else(|| panic!("{err}"))).unwrap();
    let id = f["id"].as_str().unwrap();
    let (_, err, code) = hunt(
        dir.path(),
        &[
            "case",
            "verdict",
            id,
            "false_positive",
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
            "scan",
            "--year",
            "2026",
            "--config",
            config,
            "--set",
            "brute_force.min_failures=10",
            "--diff-against",
            case,
            "-o",
            "jsonl",
            &logs,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!(rows[0]["change"], "disappear");
    assert_eq!(rows[0]["id"], id);
    assert_eq!(rows[0]["verdict"], "false_positive");
    // Risk moves severity: a change, not an appearance.
    let (out, _, _) = hunt(
        dir.path(),
        &[
            "scan",
            "--year",
            "2026",
            "--config",
            config,
            "--set",
            "brute_force.risk=80",
            "--diff-against",
            case,
            &logs,
        ],
    );
    assert!(
        out.contains("  ~ medium → ")
            && out.contains("[verdict false_positive by tester: lab scanner]"),
        "{out}"
    );
}

#[test]
fn a_bad_setting_or_case_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let logs = burst(dir.path());
    let (_, err, code) = hunt(
        dir.path(),
        &["scan", "--set", "brute_force.min_fails=5", &logs],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("no setting `min_fails`; its settings: enabled, min_failures, risk, window"),
        "{err}"
    );
    let (_, err, code) = hunt(
        dir.path(),
        &["scan", "--set", "brute_force.min_failures=lots", &logs],
    );
    assert_eq!(code, 2);
    assert!(err.contains("takes an integer"), "{err}");
    let (_, err, code) = hunt(
        dir.path(),
        &[
            "scan",
            "--set",
            "brute_force.min_failures=5",
            "--diff-against",
            "/nonexistent.sqlite",
            &logs,
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no such case file"), "{err}");
    // --set alone changes the scan.
    let (out, _, code) = hunt(
        dir.path(),
        &[
            "scan",
            "--year",
            "2026",
            "--set",
            "brute_force.min_failures=6",
            "-o",
            "jsonl",
            &logs,
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "{out}");
}
