//! `--format` really forces the parser it names (issue 11 §5): without it a
//! record that does not fit the file's sniffed format is sniffed on its own
//! (mixed exports are normal); with it, every record goes through the named
//! parser and one that does not fit is a problem saying so.

use assert_cmd::Command;

fn scan(args: &[&str], path: &std::path::Path) -> (String, String) {
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .arg("scan")
        .args(args)
        .args(["-v", "--output", "jsonl"])
        .arg(path)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_forced_format_parses_with_that_parser_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.ndjson");
    let sentinel = r#"{"TimeGenerated":"2026-11-18T10:00:00Z","Type":"SigninLogs","UserPrincipalName":"a@contoso.com","IPAddress":"1.2.3.4","ResultType":"0"}"#;
    let okta = r#"{"published":"2026-11-18T10:01:00Z","eventType":"user.session.start","uuid":"u1","actor":{"alternateId":"b@contoso.com","type":"User"},"client":{"ipAddress":"5.6.7.8"},"outcome":{"result":"SUCCESS"}}"#;
    std::fs::write(&p, format!("{sentinel}\n{okta}\n")).unwrap();

    // Sniffed: both records are read, each by its own parser.
    let (_, err) = scan(&[], &p);
    assert!(
        err.contains("(2 records, 2 events, 0 ignored, 0 problems)"),
        "{err}"
    );

    // Forced: the Okta record does not fit the Sentinel parser.
    let (_, err) = scan(&["--format", "sentinel-signin"], &p);
    assert!(
        err.contains("sentinel-signin (2 records, 1 events"),
        "{err}"
    );
    assert!(
        err.contains("does not fit --format sentinel-signin"),
        "{err}"
    );

    // Forced to a format neither record has: nothing is read as something else.
    let (_, err) = scan(&["--format", "cloudtrail"], &p);
    assert!(err.contains("cloudtrail (2 records, 0 events"), "{err}");
}

/// A JSON document is named for the format of its records (issue 11 §5:
/// `scan -v` and the sources screen said just "json"), and `--format`
/// forces the parser of a document's records too.
#[test]
fn documents_are_named_for_their_records_and_obey_a_forced_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("page.json");
    let graph = r#"{"createdDateTime":"2026-11-18T10:00:00Z","userPrincipalName":"a@contoso.com","ipAddress":"1.2.3.4","status":{"errorCode":0}}"#;
    std::fs::write(&p, format!("{{\"value\":[{graph},{graph}]}}")).unwrap();
    let (_, err) = scan(&[], &p);
    assert!(
        err.contains("page.json: graph-signin (2 records, 2 events"),
        "{err}"
    );
    let (_, err) = scan(&["--format", "okta"], &p);
    assert!(
        err.contains("page.json: okta (2 records, 0 events"),
        "{err}"
    );
    assert!(err.contains("does not fit --format okta"), "{err}");
}
