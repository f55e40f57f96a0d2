//! `hunt rules` and `hunt case import-results` through the real binary
//! (issue 14 part 2): golden files of every dialect with the built-in
//! thresholds (KQL and ES|QL cannot run here; the Spark SQL ones run in
//! tests/spark/run.sh), thresholds taken from `--config`, and lake results
//! loaded back as open findings a verdict and the hand-off export can use.

use assert_cmd::Command;
use hunt::config::Config;
use hunt::lake::{queries, Dialect};
use serde_json::Value;
use std::path::Path;

fn hunt(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
    c.env_remove("HUNT_CASE")
        .env("USER", "carol")
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"));
    c
}

fn all(dialect: Dialect) -> String {
    queries(&Config::default(), dialect, None)
        .iter()
        .map(|q| q.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn golden_spark_sql() {
    insta::assert_snapshot!("rules_spark_sql", all(Dialect::SparkSql));
}

#[test]
fn golden_kql() {
    insta::assert_snapshot!("rules_kql", all(Dialect::Kql));
}

#[test]
fn golden_esql() {
    insta::assert_snapshot!("rules_esql", all(Dialect::Esql));
}

#[test]
fn rules_use_the_config_file_and_filter_by_detector() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[detectors.password_spray]\nmin_attempts = 77\nwindow = \"7m\"\n",
    )
    .unwrap();
    for (dialect, window) in [
        ("spark-sql", "420000"),
        ("kql", "420000ms"),
        ("esql", "7 minutes"),
    ] {
        let out = hunt(dir.path())
            .args([
                "rules",
                "--dialect",
                dialect,
                "--detector",
                "password_spray",
                "--config",
            ])
            .arg(&cfg)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(">= 77"), "{dialect}: {text}");
        assert!(text.contains(window), "{dialect}");
        assert_eq!(text.matches("hunt rule:").count(), 1, "{dialect}");
    }
    let out = hunt(dir.path())
        .args(["rules", "--dialect", "kql", "--detector", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown detector `nope`"));
    let out = hunt(dir.path())
        .args(["rules", "--dialect", "sql"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_spark_query_ends_with_a_semicolon() {
    let dir = tempfile::tempdir().unwrap();
    let out = hunt(dir.path())
        .args(["rules", "--dialect", "spark-sql"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("-- hunt rule:").count(), 17);
    assert_eq!(text.matches(";\n").count(), 17);
}

fn import(dir: &Path, file: &Path) -> (Vec<Value>, String) {
    let out = hunt(dir)
        .args(["case", "import-results", "--case"])
        .arg(dir.join("case.sqlite"))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rows, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn results_load_back_as_open_findings_with_hunt_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spark.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"detector":"password_spray","entity":"203.0.113.9","user":"ann@contoso.com","ip":"203.0.113.9","first_seen":"2026-11-18T10:00:00.000Z","last_seen":"2026-11-18T10:20:00.000Z","event_count":31,"suppressed":false,"evidence_ids":["samples/entra/SigninLogs.ndjson:1200","samples/entra/SigninLogs.ndjson:5400"]}"#,
            "\n{\"detector\":\"password_spray\",\"entity\":\"x\"}\n",
            r#"{"detector":"inbox_rule","entity":"bob@contoso.com Set-Mailbox ","user":"bob@contoso.com","ip":null,"first_seen":"2026-11-19T10:05:00.000Z","last_seen":"2026-11-19T10:05:00.000Z","event_count":1,"suppressed":false,"evidence_ids":["m365.ndjson:99"]}"#,
            "\n"
        ),
    )
    .unwrap();
    let (rows, err) = import(dir.path(), &file);
    assert_eq!(rows.len(), 2);
    assert!(err.contains(":2: no `first_seen`"), "{err}");
    assert!(err.contains("2 finding(s) read (2 new"), "{err}");
    let t = hunt::ingest::time::parse_time("2026-11-18T10:00:00Z").unwrap();
    let id = hunt::finding::finding_id(hunt::finding::DetectorId::PasswordSpray, "203.0.113.9", t);
    assert_eq!(
        rows[0]["id"],
        id.as_str(),
        "hunt's own id, as hunt scan would give it"
    );

    // Importing again replaces, never duplicates.
    let (_, err) = import(dir.path(), &file);
    assert!(err.contains("(0 new"), "{err}");

    // A verdict by prefix finds the imported finding; the export lists the other as open work
    // with its evidence event ids.
    let out = hunt(dir.path())
        .args(["case", "verdict", "--case"])
        .arg(dir.path().join("case.sqlite"))
        .args([&id[..8], "true_positive"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("password_spray"));
    let out = hunt(dir.path())
        .args(["case", "export", "--format", "json", "--case"])
        .arg(dir.path().join("case.sqlite"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("m365.ndjson:99"), "{text}");
    assert!(text.contains("lake results (jsonl)"), "{text}");
}
