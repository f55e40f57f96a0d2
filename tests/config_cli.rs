//! `hunt config --config FILE` through the real binary: out-of-range values
//! (an overflowing or zero window, a negative distance, a zero count, a tiny
//! line limit) are refused with exit 2 and a message naming the key and the
//! line, with any quoted text neutralised.

use assert_cmd::Command;

fn config_err(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("HUNT_CASE")
        .arg("config")
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn out_of_range_values_exit_2_naming_key_and_line() {
    for (text, key, line) in [
        (
            "# a comment\n[detectors.credential_stuffing]\nwindow = \"106751991168d\"\n",
            "detectors.credential_stuffing.window",
            3,
        ),
        (
            "[detectors.session_anomaly]\nwindow = \"0h\"\n",
            "detectors.session_anomaly.window",
            2,
        ),
        (
            "[detectors.impossible_travel]\nenabled = true\nmax_kmh = -1.0\n",
            "detectors.impossible_travel.max_kmh",
            3,
        ),
        (
            "[detectors.password_spray]\nmin_attempts = 0\n",
            "detectors.password_spray.min_attempts",
            2,
        ),
        ("[ingest]\nmax_line_bytes = 0\n", "ingest.max_line_bytes", 2),
    ] {
        let (code, err) = config_err(text);
        assert_eq!(code, Some(2), "{text}: {err}");
        assert!(err.contains(key), "{text}: {err}");
        assert!(err.contains(&format!("line {line}")), "{text}: {err}");
    }
}

#[test]
fn quoted_values_reach_stderr_escaped() {
    let (code, err) = config_err(
        "[ui]\ntheme = \"x\"\n[detectors.bulk_send]\nwindow = \"\\u001b]0;pwned\\u0007\\u202e\"\n",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{7}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(err.contains("line 4"), "{err}");
}

#[test]
fn usage_errors_echo_arguments_escaped() {
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .arg("scan")
        .arg("--bogus\u{1b}[31m\u{202e}x")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    // clap drops the ESC sequence itself; the bidi override is escaped by hunt.
    assert!(err.contains("--bogus\\u{202e}x"), "{err}");
    assert!(err.lines().count() > 1, "line breaks are kept: {err:?}");
}
