//! `hunt case …` through the real binary: the verbs work, every bad argument
//! is refused with exit 2, a message saying what is wrong and how to fix it,
//! and nothing written; bad case files are refused and left untouched; the
//! Markdown hand-off report carries verdicts, notes, the allowlist and the
//! last scan's counts; `hunt scan` records match counts and creates only a case named with `--case`.

use assert_cmd::Command;
use hunt::triage::Case;
use std::path::{Path, PathBuf};

const ID: &str = "95b976381eba7edd";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn case(&self) -> PathBuf {
        self.dir.path().join("case.sqlite")
    }

    /// `hunt` with a private data home, a known analyst and `--case` pointing at `case`.
    fn hunt(&self, case: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
        c.env_remove("HUNT_CASE")
            .env("USER", "carol")
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            // `hunt case --case FILE verdict …`: the global flag after the command
            // (before it, a flag makes clap read the words as TUI paths).
            .arg(args[0])
            .arg("--case")
            .arg(case)
            .args(&args[1..]);
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.hunt(&self.case(), args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must be refused; returns stderr.
    fn refused(&self, case: &Path, args: &[&str]) -> String {
        let out = self.hunt(case, args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} should exit 2");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }
}

#[test]
fn bad_arguments_are_refused_with_a_fix_and_write_nothing() {
    let env = Env::new();
    let fresh = env.dir.path().join("never.sqlite");
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["case", "verdict", ID, "maybe"],
            &["`maybe`", "true_positive, benign_positive"],
        ),
        (
            &["case", "verdict", "xyz", "tp"],
            &["`xyz`", "16 hex digits"],
        ),
        (
            &["case", "verdict", ID, "tp", "--note", " "],
            &["note is empty", "leave --note out"],
        ),
        (&["case", "note", ID, ""], &["note is empty"]),
        (
            &[
                "case",
                "allow",
                "add",
                "cidr",
                "10.0.0.0/33",
                "--note",
                "vpn",
            ],
            &["`10.0.0.0/33`", "like 10.0.0.0/8"],
        ),
        (
            &["case", "allow", "add", "cidr", "10.0.0.1", "--note", "vpn"],
            &["prefix length"],
        ),
        (
            &["case", "allow", "add", "ip", "1.2.3.4", "--note", ""],
            &["note is empty", "--note"],
        ),
        (
            &[
                "case",
                "allow",
                "add",
                "ip",
                "1.2.3.4",
                "--note",
                "x",
                "--expires",
                "2020-01-01",
            ],
            &["`2020-01-01`", "already past"],
        ),
        (
            &[
                "case",
                "allow",
                "add",
                "ip",
                "1.2.3.4",
                "--note",
                "x",
                "--expires",
                "soon",
            ],
            &["`soon`", "like 30d"],
        ),
        (
            &[
                "case",
                "allow",
                "add",
                "ip",
                "1.2.3.4",
                "--note",
                "x",
                "--detector",
                "spray",
            ],
            &["`spray`", "password_spray"],
        ),
        (
            &["case", "allow", "add", "mac", "aa:bb", "--note", "x"],
            &["`mac`", "ip, cidr, user"],
        ),
        (
            &["case", "allow", "add", "asn", "ASX", "--note", "x"],
            &["`ASX`", "AS9009"],
        ),
        (
            &[
                "case",
                "allow",
                "add",
                "country",
                "Netherlands",
                "--note",
                "x",
            ],
            &["two-letter"],
        ),
        (
            &["case", "allow", "remove", "7"],
            &["no allowlist entry #7", "allow list"],
        ),
        (&["case", "allow", "remove", "--", "-1"], &["config file"]),
    ];
    for (args, wanted) in cases {
        let err = env.refused(&fresh, args);
        for w in *wanted {
            assert!(err.contains(w), "{args:?}: {err:?} lacks {w:?}");
        }
        assert!(!fresh.exists(), "{args:?} created the case file");
    }

    // On an existing case too, nothing changes.
    env.ok(&["case", "verdict", ID, "tp"]);
    let case = env.case();
    env.refused(
        &case,
        &["case", "allow", "add", "cidr", "300.0.0.0/8", "--note", "x"],
    );
    env.refused(&case, &["case", "verdict", ID, "nope"]);
    let c = Case::open(&case).unwrap();
    assert!(c.allowlist().unwrap().is_empty());
    assert_eq!(c.verdict_history(ID).unwrap().len(), 1);
}

#[test]
fn verbs_record_and_list() {
    let env = Env::new();
    let out = env.ok(&[
        "case",
        "verdict",
        ID,
        "benign_positive",
        "--note",
        "travel confirmed",
    ]);
    assert!(
        out.contains("benign_positive recorded for 95b976381eba7edd") && out.contains("carol"),
        "{out}"
    );
    env.ok(&["case", "note", ID, "called the user at 10:05"]);
    let out = env.ok(&[
        "case",
        "allow",
        "add",
        "cidr",
        "10.9.0.0/16",
        "--note",
        "corporate VPN egress",
        "--detector",
        "password_spray",
        "--expires",
        "30d",
    ]);
    assert!(
        out.contains("#1") && out.contains("10.9.0.0/16") && out.contains("password_spray"),
        "{out}"
    );
    env.ok(&[
        "case",
        "allow",
        "add",
        "user",
        "svc-backup@contoso.com",
        "--note",
        "backup robot",
    ]);

    let list = env.ok(&["case", "list"]);
    assert!(
        list.contains(ID) && list.contains("benign_positive") && list.contains("travel confirmed"),
        "{list}"
    );
    let allow = env.ok(&["case", "allow", "list"]);
    assert!(
        allow.contains("corporate VPN egress") && allow.contains("svc-backup@contoso.com"),
        "{allow}"
    );
    assert!(allow.contains("not scanned"), "{allow}");

    assert!(env
        .ok(&["case", "allow", "remove", "2"])
        .contains("removed"));
    let allow = env.ok(&["case", "allow", "list"]);
    assert!(!allow.contains("svc-backup"), "{allow}");

    let c = Case::open(&env.case()).unwrap();
    let v = &c.latest_verdicts().unwrap()[ID];
    assert_eq!(v.analyst, "carol");
    assert_eq!(v.note.as_deref(), Some("travel confirmed"));
    assert_eq!(c.notes(ID).unwrap().len(), 1);
}

#[test]
fn reading_verbs_never_create_a_case_and_scans_only_a_named_one() {
    let env = Env::new();
    let case = env.case();
    assert!(env.ok(&["case", "list"]).contains("No verdicts"));
    assert!(env
        .ok(&["case", "allow", "list"])
        .contains("No allowlist entries"));
    assert!(env
        .ok(&["case", "export", "--format", "markdown"])
        .contains("# Incident hand-off"));
    let log = env.dir.path().join("auth.log");
    std::fs::write(&log, "not much of a log\n").unwrap();
    env.hunt(&case, &["scan", "-o", "jsonl", log.to_str().unwrap()])
        .assert()
        .success();
    // A case named with --case is created by a scan (the hand-off's start, issue 12)…
    assert!(case.exists());
    // …but the default case under $XDG_DATA_HOME never is.
    let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
    c.env_remove("HUNT_CASE")
        .env("XDG_DATA_HOME", env.dir.path().join("data"))
        .args(["scan", "-o", "jsonl", log.to_str().unwrap()])
        .assert()
        .success();
    assert!(!env.dir.path().join("data").exists());
}

#[test]
fn scan_records_match_counts_and_stale_entries_show() {
    let env = Env::new();
    env.ok(&[
        "case",
        "allow",
        "add",
        "country",
        "NL",
        "--note",
        "head office",
    ]);
    let log = env.dir.path().join("auth.log");
    std::fs::write(&log, "nothing here\n").unwrap();
    let out = env
        .hunt(&env.case(), &["scan", "-o", "jsonl", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let c = Case::open(&env.case()).unwrap();
    let scan = c.last_scan().unwrap();
    assert!(scan.at.is_some());
    assert_eq!(scan.matches.get(&1), Some(&0));
    let allow = env.ok(&["case", "allow", "list"]);
    assert!(allow.contains("0 matches STALE"), "{allow}");
    let md = env.ok(&["case", "export"]);
    assert!(md.contains("| 0 (stale) |"), "{md}");
}

#[test]
fn markdown_report_is_a_hand_off() {
    let env = Env::new();
    env.ok(&[
        "case",
        "verdict",
        ID,
        "false_positive",
        "--note",
        "first look",
    ]);
    env.ok(&[
        "case",
        "verdict",
        ID,
        "true_positive",
        "--note",
        "confirmed | escalated <b>",
    ]);
    env.ok(&["case", "note", ID, "reset password"]);
    env.ok(&[
        "case",
        "allow",
        "add",
        "asn",
        "9009",
        "--note",
        "M247 VPN",
        "--expires",
        "2099-12-31",
    ]);
    {
        let c = Case::open(&env.case()).unwrap();
        c.upsert_snapshots(&[hunt::triage::Snapshot {
            finding_id: ID.into(),
            detector: "impossible_travel".into(),
            entity: "alice@contoso.com".into(),
            severity: "high".into(),
            risk: 85,
            first_seen: "2024-03-01T08:00:00Z".into(),
            last_seen: "2024-03-01T09:00:00Z".into(),
            title: "Impossible travel NL → BR".into(),
        }])
        .unwrap();
        c.record_scan(&std::collections::HashMap::from([(1, 4)]))
            .unwrap();
    }
    let md = env.ok(&["case", "export", "--format", "markdown"]);
    for want in [
        "#### High (1)",
        "Impossible travel NL → BR",
        "**Verdict: true_positive** by carol",
        "confirmed \\| escalated &lt;b>",
        "earlier: false_positive by carol",
        "reset password",
        "| 1 | asn | `AS9009` | all | M247 VPN | carol |",
        "2099-12-31T23:59:59.999Z | 4 |",
        "| true_positive | 1 |",
    ] {
        assert!(md.contains(want), "report lacks {want:?}:\n{md}");
    }
    let out = env.dir.path().join("report.json");
    env.ok(&[
        "case",
        "export",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["findings"][0]["verdict"]["class"], "true_positive");
    assert_eq!(v["findings"][0]["history"][0]["class"], "false_positive");
    assert_eq!(v["allowlist"][0]["matches"], 4);
}

#[test]
fn bad_case_files_are_refused_and_left_alone() {
    let env = Env::new();
    let text = env.dir.path().join("notes.md");
    let body = b"# my notes\nnot a database at all\n".repeat(100);
    std::fs::write(&text, &body).unwrap();
    for args in [
        &["case", "verdict", ID, "tp"][..],
        &["case", "list"],
        &["case", "export"],
    ] {
        let err = env.refused(&text, args);
        assert!(
            err.contains("not an SQLite database") && err.contains("left untouched"),
            "{err}"
        );
    }
    let log = env.dir.path().join("a.log");
    std::fs::write(&log, "x\n").unwrap();
    let out = env
        .hunt(&text, &["scan", "-o", "jsonl", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a scan must not silently drop the allowlist"
    );
    assert_eq!(std::fs::read(&text).unwrap(), body);

    let newer = env.dir.path().join("newer.sqlite");
    drop(Case::open(&newer).unwrap());
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 42).unwrap();
    }
    let err = env.refused(&newer, &["case", "verdict", ID, "tp"]);
    assert!(
        err.contains("schema version 42") && err.contains("newer"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn read_only_case_is_explained_but_readable() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.ok(&["case", "verdict", ID, "tp"]);
    std::fs::set_permissions(env.case(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let err = env.refused(&env.case(), &["case", "verdict", ID, "fp"]);
    assert!(
        err.contains("read-only") && err.contains("chmod u+w"),
        "{err}"
    );
    assert!(env.ok(&["case", "list"]).contains("true_positive"));
    let log = env.dir.path().join("a.log");
    std::fs::write(&log, "x\n").unwrap();
    let out = env
        .hunt(&env.case(), &["scan", "-o", "jsonl", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
}

/// `allow add --dry-run` reads the logs, lists what the entry would hide
/// (other users' findings, verdicts and untriaged ones) and writes nothing;
/// with no PATH it reads the sources the last recorded scan read.
#[test]
fn allow_dry_run_shows_the_impact_and_adds_nothing() {
    let env = Env::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let samples = samples.to_str().unwrap();
    // One of the AS9009 hosting findings judged a false positive first.
    env.ok(&["case", "verdict", "2f641a730f087f7d", "false_positive"]);
    let out = env.ok(&[
        "case",
        "allow",
        "add",
        "asn",
        "AS9009",
        "--note",
        "corp vpn",
        "--dry-run",
        samples,
    ]);
    assert!(out.contains("would suppress 5 findings of the 38"), "{out}");
    assert!(out.contains("by severity: critical 1, high 4"), "{out}");
    assert!(out.contains("false_positive 1, untriaged 4"), "{out}");
    assert!(
        out.contains("entities (4):") && out.contains("patti.fernandez@contoso.com"),
        "{out}"
    );
    assert!(out.contains("2f641a730f087f7d high"), "{out}");
    assert!(out.contains("nothing was added"), "{out}");
    let list = env.ok(&["case", "allow", "list"]);
    assert!(
        !list.contains("AS9009"),
        "a dry run added the entry: {list}"
    );

    // An entry that matches nothing says so, with what was read.
    let out = env.ok(&[
        "case",
        "allow",
        "add",
        "asn",
        "AS64500",
        "--note",
        "x",
        "--dry-run",
        samples,
    ]);
    assert!(out.contains("would suppress 0 findings of the 38"), "{out}");
    assert!(out.contains("from 1615 events of"), "{out}");
    assert!(out.contains("matches none of them"), "{out}");

    // No PATH: the sources of the last recorded scan, else a refusal.
    let err = env.refused(
        &env.case(),
        &[
            "case",
            "allow",
            "add",
            "asn",
            "AS9009",
            "--note",
            "n",
            "--dry-run",
        ],
    );
    assert!(err.contains("a dry run reads logs"), "{err}");
    let scan = env.hunt(&env.case(), &["scan", samples]).output().unwrap();
    assert!(scan.status.code().is_some_and(|c| c <= 1), "{scan:?}");
    let out = env.ok(&[
        "case",
        "allow",
        "add",
        "asn",
        "AS9009",
        "--note",
        "n",
        "--dry-run",
    ]);
    assert!(out.contains("would suppress 5 findings"), "{out}");
}

/// Allowlisted findings leave the incidents they were in, and the
/// incident's title follows what is left; without the entry they are back.
#[test]
fn allowlisted_findings_leave_their_incidents() {
    let env = Env::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let samples = samples.to_str().unwrap();
    let incidents = |env: &Env| -> Vec<serde_json::Value> {
        let out = env
            .hunt(&env.case(), &["scan", samples, "--incidents"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let kim = |incs: &[serde_json::Value]| -> serde_json::Value {
        incs.iter()
            .find(|i| i["id"] == "inc-161095a4")
            .cloned()
            .unwrap_or_default()
    };
    let before = incidents(&env);
    assert_eq!(kim(&before)["finding_count"], 2, "{:?}", kim(&before));
    env.ok(&[
        "case",
        "allow",
        "add",
        "asn",
        "AS9009",
        "--detector",
        "hosting_asn",
        "--note",
        "vpn",
    ]);
    let after = incidents(&env);
    let k = kim(&after);
    assert_eq!(k["finding_count"], 1, "{k}");
    assert!(!k["title"].as_str().unwrap().contains("hosting"), "{k}");
    // No incident holds a hosting_asn finding of AS9009's addresses any more.
    for inc in &after {
        for s in inc["steps"].as_array().unwrap() {
            assert!(
                !(s["detector"] == "hosting_asn"
                    && [
                        "kim.akers",
                        "alex.wilber",
                        "diego.siciliani",
                        "patti.fernandez"
                    ]
                    .iter()
                    .any(|u| s["entity"].as_str().unwrap().starts_with(u))),
                "allowlisted finding still in {}: {s}",
                inc["id"]
            );
        }
    }
    env.ok(&["case", "allow", "remove", "1"]);
    assert_eq!(kim(&incidents(&env))["finding_count"], 2);
}
