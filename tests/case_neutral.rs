//! Case-file contents are attacker-reachable (a shared or received case file
//! can be crafted): `hunt case list`, `allow list` and `export --format
//! markdown` print none of its escapes or bidi controls raw, whatever column
//! they sit in.

use assert_cmd::Command;
use std::path::Path;

const ID: &str = "95b976381eba7edd";
const EVIL: &str = "\u{1b}[31mred\u{202e}gpj.exe\u{ad}\u{e0041}";

fn hunt(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env_remove("HUNT_CASE")
        .env("USER", "carol")
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .arg(args[0])
        .arg("--case")
        .arg(dir.join("case.sqlite"))
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn assert_neutral(what: &str, out: &str) {
    for c in ['\u{1b}', '\u{202e}', '\u{ad}', '\u{e0041}'] {
        assert!(
            !out.contains(c),
            "{what} printed U+{:04X} raw:\n{out}",
            c as u32
        );
    }
    assert!(
        out.contains("\\u{1b}[31mred\\u{202e}gpj.exe"),
        "{what}:\n{out}"
    );
}

#[test]
fn crafted_case_columns_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    hunt(
        d,
        &[
            "case",
            "allow",
            "add",
            "user",
            "alice@example.com",
            "--note",
            EVIL,
        ],
    );
    hunt(
        d,
        &["case", "verdict", ID, "benign_positive", "--note", EVIL],
    );
    // Columns the CLI never writes itself, crafted in the file.
    let db = rusqlite::Connection::open(d.join("case.sqlite")).unwrap();
    db.execute(
        "UPDATE finding SET detector = ?1, severity = ?1, entity = ?1, title = ?1",
        [EVIL],
    )
    .unwrap();
    db.execute("UPDATE verdict SET analyst = ?1", [EVIL])
        .unwrap();
    drop(db);
    assert_neutral("allow list", &hunt(d, &["case", "allow", "list"]));
    assert_neutral("list", &hunt(d, &["case", "list"]));
    assert_neutral(
        "export markdown",
        &hunt(d, &["case", "export", "--format", "markdown"]),
    );
    // The confirmation lines of `note` and `verdict` describe the finding
    // from the same crafted columns (the detector went through raw).
    assert_neutral("note", &hunt(d, &["case", "note", ID, "checked"]));
    assert_neutral(
        "verdict",
        &hunt(d, &["case", "verdict", ID, "true_positive"]),
    );
    for c in ['\u{1b}', '\u{202e}', '\u{9b}'] {
        let evil = format!("x{c}]0;owned\u{7}");
        let db = rusqlite::Connection::open(d.join("case.sqlite")).unwrap();
        db.execute("UPDATE finding SET detector = ?1", [&evil])
            .unwrap();
        drop(db);
        let out = hunt(d, &["case", "note", ID, "again"]);
        assert!(
            !out.contains(c),
            "note printed U+{:04X} raw:\n{out}",
            c as u32
        );
    }
}
