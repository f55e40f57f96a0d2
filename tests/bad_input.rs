//! Bad input is normal input: truncated JSON, non-UTF-8 bytes, a 10 MB line,
//! binary garbage, an empty file, an unknown shape and escape sequences in a
//! user name are counted per file and reason, reported on stderr with
//! file:line, never crash the run, never lose the good records around them,
//! and never reach the output raw. Drives the real binary.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn row(time: &str, user: &str, ip: &str, code: &str) -> String {
    serde_json::json!({
        "TimeGenerated": time, "UserPrincipalName": user, "IPAddress": ip, "ResultType": code,
        "AppDisplayName": "Azure Portal", "ClientAppUsed": "Browser",
        "AuthenticationRequirement": "singleFactorAuthentication",
        "LocationDetails": {"countryOrRegion": "NL", "city": "Amsterdam"}, "Type": "SigninLogs"
    })
    .to_string()
}

/// Six failures then a success: a credential-stuffing finding that needs every good row.
fn stuffing_rows(user: &str) -> Vec<String> {
    let mut rows: Vec<String> = (0..6)
        .map(|i| {
            row(
                &format!("2026-11-18T10:0{i}:00Z"),
                user,
                &format!("175.45.176.{}", 10 + i),
                "50126",
            )
        })
        .collect();
    rows.push(row("2026-11-18T10:09:00Z", user, "175.45.176.10", "0"));
    rows
}

fn hunt() -> Command {
    let mut c = Command::cargo_bin("hunt").expect("binary");
    c.env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent");
    c
}

fn scan(dir: &Path) -> (i32, String, String) {
    let out = hunt()
        .args(["scan", "--output", "jsonl"])
        .arg(dir)
        .output()
        .expect("run hunt");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_kind_of_bad_input_is_counted_and_the_good_records_survive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows = stuffing_rows("victim@contoso.com");

    // Good rows interleaved with a truncated object, a non-UTF-8 line, an unknown shape and garbage.
    let mut mixed = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        mixed.extend_from_slice(r.as_bytes());
        mixed.push(b'\n');
        match i {
            1 => mixed
                .extend_from_slice(b"{\"TimeGenerated\":\"2026-11-18T10:01:30Z\",\"UserPrinc\n"),
            2 => mixed.extend_from_slice(b"{\"hello\":\"world\",\"n\":1}\n"),
            3 => {
                let bad = row(
                    "2026-11-18T10:03:30Z",
                    "caf\u{e9}@contoso.com",
                    "1.2.3.4",
                    "50126",
                )
                .replace('\u{e9}', "\u{1}");
                let mut bytes = bad.into_bytes();
                let pos = bytes.iter().position(|&b| b == 1).unwrap();
                bytes[pos] = 0xE9; // Latin-1 é: invalid UTF-8
                mixed.extend_from_slice(&bytes);
                mixed.push(b'\n');
            }
            4 => mixed.extend_from_slice(b"\x00\x01\x02 not json at all \xff\xfe\n"),
            _ => {}
        }
    }
    // A truncated final record without newline.
    mixed.extend_from_slice(
        br#"{"TimeGenerated":"2026-11-18T11:00:00Z","UserPrincipalName":"late@contoso.com","IPAdd"#,
    );
    fs::write(d.join("mixed.ndjson"), &mixed).unwrap();

    // A 10 MB line between two good rows of another user.
    let other = stuffing_rows("second@contoso.com");
    let mut big = String::new();
    for r in &other[..3] {
        big.push_str(r);
        big.push('\n');
    }
    big.push_str(&format!(
        "{{\"TimeGenerated\":\"2026-11-18T10:00:00Z\",\"UserPrincipalName\":\"{}\"}}\n",
        "x".repeat(10 << 20)
    ));
    for r in &other[3..] {
        big.push_str(r);
        big.push('\n');
    }
    fs::write(d.join("huge-line.ndjson"), big).unwrap();

    fs::write(d.join("empty.log"), b"").unwrap();
    fs::write(
        d.join("garbage.bin"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();

    // An escape sequence inside a user name: must be parsed, and must not reach the output raw.
    let evil = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}@contoso.com";
    let evil_rows: Vec<String> = stuffing_rows(evil);
    fs::write(d.join("evil.ndjson"), evil_rows.join("\n") + "\n").unwrap();

    let (code, stdout, stderr) = scan(d);
    assert_eq!(code, 0, "bad input is not a failed run\nstderr:\n{stderr}");

    // The good records around the bad ones still make their findings.
    let findings: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stuffed: Vec<&str> = findings
        .iter()
        .filter(|f| f["detector"] == "credential_stuffing")
        .filter_map(|f| f["user"].as_str())
        .collect();
    assert!(stuffed.contains(&"victim@contoso.com"), "{stdout}");
    assert!(stuffed.contains(&"second@contoso.com"), "{stdout}");
    assert!(stuffed.iter().any(|u| u.starts_with("evil")), "{stdout}");

    // Nothing dangerous reaches stdout or stderr raw.
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(!text.contains('\u{1b}'), "raw ESC on {name}");
        assert!(!text.contains('\u{7}'), "raw BEL on {name}");
        assert!(!text.contains('\u{202e}'), "raw bidi override on {name}");
    }
    assert!(
        stdout.contains("\\u001b") && stdout.contains("\\u202e"),
        "escaped in JSON: {stdout}"
    );

    // Each problem is counted per file and reason, with file:line.
    assert!(
        stderr.contains("mixed.ndjson:3: malformed JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.ndjson:5: unknown record shape"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.ndjson:7: non-UTF-8 bytes (replaced)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.ndjson:9: malformed JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.ndjson:12: truncated final record"),
        "{stderr}"
    );
    assert!(
        stderr.contains("huge-line.ndjson:4: line too long"),
        "{stderr}"
    );
    assert!(stderr.contains("garbage.bin"), "{stderr}");
    assert!(
        !stderr.contains("empty.log: "),
        "an empty file is not a problem: {stderr}"
    );
}

#[test]
fn unreadable_input_exits_2_but_readable_files_are_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ndjson");
    fs::write(&good, stuffing_rows("alice@contoso.com").join("\n")).unwrap();
    let out = hunt()
        .args(["scan", "--output", "jsonl"])
        .arg(&good)
        .arg(dir.path().join("missing.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.log"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("credential_stuffing"));
}

#[test]
fn fail_on_sets_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ndjson");
    fs::write(&good, stuffing_rows("alice@contoso.com").join("\n")).unwrap();
    let code = |sev: &str| {
        hunt()
            .args(["scan", "--output", "jsonl", "--fail-on", sev])
            .arg(&good)
            .output()
            .unwrap()
            .status
            .code()
    };
    // Six failures from six IPs: risk 90, critical.
    assert_eq!(code("critical"), Some(1));
    assert_eq!(code("low"), Some(1));
    let quiet = dir.path().join("quiet.ndjson");
    fs::write(
        &quiet,
        row("2026-11-18T10:00:00Z", "bob@contoso.com", "1.2.3.4", "0"),
    )
    .unwrap();
    let out = hunt()
        .args(["scan", "--output", "jsonl", "--fail-on", "low"])
        .arg(&quiet)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn stdin_is_read_with_dash() {
    let input = stuffing_rows("carol@contoso.com").join("\n") + "\n";
    let out = hunt()
        .args(["scan", "--output", "jsonl", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("carol@contoso.com"));
}

#[test]
fn gzip_input_is_transparent() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.json.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all((stuffing_rows("dave@contoso.com").join("\n") + "\n").as_bytes())
        .unwrap();
    enc.finish().unwrap();
    let out = hunt()
        .args(["scan", "--output", "jsonl"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("dave@contoso.com"));
}

/// A bug in a parser (forced here by the debug-build failpoint) costs one
/// record of a line format, or the rest of one document, never the run: it is
/// reported as an internal error with the file name, its message reaches
/// stderr neutralised, the other inputs are read, and the exit code is 2.
#[test]
fn a_parser_panic_is_reported_with_its_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut lines = stuffing_rows("alice@contoso.com");
    lines.insert(
        3,
        row(
            "2026-11-18T10:03:30Z",
            "FAILPOINT\u{1b}[31m@contoso.com",
            "1.2.3.4",
            "50126",
        ),
    );
    fs::write(d.join("lines.ndjson"), lines.join("\n")).unwrap();
    let doc: Vec<serde_json::Value> = [
        row("2026-11-18T11:00:00Z", "FAILPOINT@x.com", "1.2.3.4", "0"),
        row("2026-11-18T11:01:00Z", "carol@x.com", "1.2.3.4", "0"),
    ]
    .iter()
    .map(|r| serde_json::from_str(r).unwrap())
    .collect();
    fs::write(d.join("doc.json"), serde_json::to_string(&doc).unwrap()).unwrap();
    fs::write(
        d.join("other.ndjson"),
        stuffing_rows("bob@contoso.com").join("\n"),
    )
    .unwrap();
    let out = hunt()
        .env("HUNT_FAILPOINT_PANIC", "FAILPOINT")
        .env("RUST_BACKTRACE", "0")
        .args(["scan", "-v", "--output", "jsonl"])
        .arg(d)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Both users' stuffing is found: the good rows around the bad one were kept.
    assert!(stdout.contains("alice@contoso.com"), "{stdout}");
    assert!(stdout.contains("bob@contoso.com"), "{stdout}");
    assert!(stderr.contains("internal error"), "{stderr}");
    assert!(stderr.contains("lines.ndjson:4"), "{stderr}");
    // In a document too, the panic costs its record only.
    assert!(
        stderr.contains("doc.json: sentinel-signin (2 records, 1 events"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "raw escape on stderr: {stderr}");
    assert!(!stdout.contains('\u{1b}'));
}

/// Two UTF-8 byte-order marks at the start of a file (a tool that adds one
/// to a file that had one) lose no event: NDJSON keeps every row, sshd its first line.
#[test]
fn two_byte_order_marks_lose_no_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    for sample in ["samples/entra/SigninLogs.ndjson", "samples/sshd/auth.log"] {
        let text = fs::read_to_string(sample).expect("sample");
        let name = Path::new(sample).file_name().expect("name");
        let plain = dir.path().join("plain");
        let doubled = dir.path().join("doubled");
        fs::create_dir_all(&plain).expect("dir");
        fs::create_dir_all(&doubled).expect("dir");
        fs::write(plain.join(name), &text).expect("write");
        fs::write(doubled.join(name), format!("\u{feff}\u{feff}{text}")).expect("write");
        let count = |d: &Path| {
            let out = hunt()
                .args(["events", "--output", "jsonl"])
                .arg(d.join(name))
                .output()
                .expect("run");
            String::from_utf8_lossy(&out.stdout).lines().count()
        };
        let want = count(&plain);
        assert!(want > 0, "{sample}: no events at all");
        assert_eq!(count(&doubled), want, "{sample} with two BOMs");
    }
}

#[test]
fn an_empty_file_is_an_empty_input_not_an_ignored_record() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("HUNT_CASE")
        .args(["scan", "-v", "-o", "jsonl"])
        .arg(&empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hunt: 1 input(s) (1 empty), 0 events, 0 records ignored, 0 problems"),
        "{err}"
    );
    assert!(
        err.contains("empty.log: empty file (nothing to read)"),
        "{err}"
    );
}
