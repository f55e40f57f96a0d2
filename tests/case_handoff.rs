//! The hand-off report through the real binary (issue 12): a scan with
//! `--case` records when it ran and what it left open, and `hunt case export`
//! lists that open work first (untriaged findings and incidents by severity),
//! then the verdicts with analyst and notes, the allowlist with notes and
//! expiry, the sources read, the thresholds in force and the time span.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn hunt(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
    c.env_remove("HUNT_CASE")
        .env("USER", "carol")
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .arg(args[0])
        .arg("--case")
        .arg(dir.join("case.sqlite"))
        .args(&args[1..]);
    c
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = hunt(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Scans the samples into a fresh case; returns the findings printed.
fn scan(dir: &Path) -> Vec<Value> {
    ok(dir, &["scan", "-o", "jsonl", "samples"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids_of(findings: &[Value], severity: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_scan_with_a_case_is_recorded_and_its_open_work_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A fresh case: the scan itself must create and record it.
    let findings = scan(d);
    assert!(d.join("case.sqlite").exists());
    ok(
        d,
        &[
            "case",
            "allow",
            "add",
            "ip",
            "10.9.8.7",
            "--note",
            "scanner box",
            "--expires",
            "2099-01-31",
        ],
    );
    let critical = ids_of(&findings, "critical");
    assert!(critical.len() >= 2, "{findings:?}");
    let judged = critical[0].clone();
    ok(
        d,
        &[
            "case",
            "verdict",
            &judged,
            "true_positive",
            "--note",
            "reset done",
        ],
    );

    let md = ok(d, &["case", "export", "--format", "markdown"]);
    assert!(!md.contains("Last session recorded: none"), "{md}");
    assert!(md.contains("- Last session recorded: 20"), "{md}");
    assert!(md.contains(" by hunt scan ("), "{md}");
    let open = md.find("## Open work").expect("open work section");
    let decided = md.find("## Decided").expect("decided section");
    let allow = md.find("## Allowlist").expect("allowlist section");
    let sources = md.find("## Sources read").expect("sources section");
    let thresholds = md
        .find("## Detector thresholds in force")
        .expect("thresholds");
    let span = md.find("## Time span covered").expect("span");
    assert!(
        open < decided
            && decided < allow
            && allow < sources
            && sources < thresholds
            && thresholds < span
    );
    let open_text = &md[open..decided];
    for id in &critical[1..] {
        assert!(
            open_text.contains(&format!("#### critical `{id}`")),
            "{id} open: {open_text}"
        );
    }
    assert!(
        !open_text.contains(&format!("`{judged}`:")),
        "judged finding is not open"
    );
    assert!(open_text.contains("### Incidents ("), "{open_text}");
    assert!(open_text.contains("- Evidence: `samples/"), "{open_text}");
    // Why each fired, from the detector's own description and typed details.
    assert!(
        open_text.contains("- Why it fired: One IP failed for at least 5 distinct users")
            && open_text.contains("Values: failed_users 12 ≥ min_users 5"),
        "{open_text}"
    );
    // Untriaged findings by severity: no critical after the first high.
    let first_high = open_text.find("#### high").unwrap();
    assert!(!open_text[first_high..].contains("#### critical"));
    let decided_text = &md[decided..allow];
    assert!(
        decided_text.contains(&format!("`{judged}`")),
        "{decided_text}"
    );
    assert!(
        decided_text.contains("**Verdict: true_positive** by carol"),
        "{decided_text}"
    );
    assert!(decided_text.contains("reset done"), "{decided_text}");
    assert!(md[allow..sources].contains("scanner box"));
    assert!(md[allow..sources].contains("2099-01-31"));
    assert!(
        md[sources..thresholds].contains("`samples/entra/SigninLogs.ndjson`"),
        "{md}"
    );
    assert!(md[thresholds..span].contains("`password_spray`"), "{md}");
    assert!(md[span..].contains("Events from 20"), "{md}");

    // JSON: the same content as data.
    let json: Value =
        serde_json::from_str(&ok(d, &["case", "export", "--format", "json"])).unwrap();
    let open_ids: Vec<&str> = json["open_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding_id"].as_str().unwrap())
        .collect();
    for id in &critical[1..] {
        assert!(open_ids.contains(&id.as_str()));
    }
    assert!(!open_ids.contains(&judged.as_str()));
    assert!(json["open_findings"][0]["evidence"][0]["file"].is_string());
    assert!(json["open_incidents"][0]["findings"].is_array());
    assert!(json["sources"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(json["thresholds"]["password_spray"].is_object());
    assert!(json["span"][0].is_string());
    assert!(json["last_scan"].is_string());
}

#[test]
fn a_case_made_by_the_first_schema_opens_and_exports() {
    use hunt::triage::{schema, Case};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        // The file as a hunt with schema version 1 left it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
            .unwrap();
        conn.execute(
            "INSERT INTO last_scan (id, at) VALUES (1, '2026-03-01T10:00:00.000Z')",
            [],
        )
        .unwrap();
    }
    let case = Case::open(&path).unwrap();
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::latest());
    let scan = case.last_scan().unwrap();
    assert_eq!(
        scan.at.map(hunt::triage::format_at).as_deref(),
        Some("2026-03-01T10:00:00.000Z")
    );
    assert!(scan.work.findings.is_empty() && scan.work.sources.is_empty());
    drop(case);
    std::fs::rename(&path, dir.path().join("case.sqlite")).unwrap();
    let md = ok(dir.path(), &["case", "export"]);
    assert!(
        md.contains("Last session recorded: 2026-03-01T10:00:00.000Z"),
        "{md}"
    );
    assert!(md.contains("No scan recorded its sources yet."), "{md}");
    // An old record without its open work says it cannot tell, never "nothing open".
    assert!(!md.contains("Nothing open"), "{md}");
    assert!(
        md.contains("Unknown: no scan or workbench session is recorded"),
        "{md}"
    );
}

#[test]
fn verdicts_take_a_unique_id_prefix_and_refuse_an_ambiguous_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let findings = scan(d);
    let ids: Vec<String> = findings
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    // An 8-digit prefix (the TUI's short id) of an untriaged finding.
    let target = &ids[0];
    let out = ok(d, &["case", "verdict", &target[..8], "true_positive"]);
    assert!(out.contains(target.as_str()), "{out}");
    let case = hunt::triage::Case::open(&d.join("case.sqlite")).unwrap();
    let v = case.latest_verdicts().unwrap();
    assert_eq!(
        v.get(target).map(|v| v.class),
        Some(hunt::triage::Class::TruePositive)
    );
    // Its snapshot is filled from the scan at once.
    assert!(!case.snapshot(target).unwrap().unwrap().is_id_only());
    drop(case);

    // A prefix shared by two ids: exit 2, the candidates listed, nothing written.
    let (a, b) = ids
        .iter()
        .flat_map(|a| ids.iter().map(move |b| (a, b)))
        .find(|(a, b)| a != b && a[..1] == b[..1])
        .expect("two ids share a first digit");
    let shared = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let prefix = &a[..shared];
    let out = hunt(d, &["case", "verdict", prefix, "false_positive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ambiguous"), "{stderr}");
    assert!(
        stderr.contains(a.as_str()) && stderr.contains(b.as_str()),
        "{stderr}"
    );
    let case = hunt::triage::Case::open(&d.join("case.sqlite")).unwrap();
    assert_eq!(case.all_verdicts().unwrap().len(), 1);

    // A prefix of nothing is refused too.
    let out = hunt(d, &["case", "note", "zz", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_analyst_comes_from_the_config_then_user_and_the_fallback_says_so() {
    const ID: &str = "95b976381eba7edd";
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("hunt.toml");
    std::fs::write(&config, "[case]\nanalyst = \"dana\"\n").unwrap();
    let cfg = config.to_str().unwrap();
    // The config wins over $USER (carol).
    let out = ok(d, &["case", "--config", cfg, "verdict", ID, "tp"]);
    assert!(out.ends_with("by dana\n"), "{out}");
    let md = ok(d, &["case", "--config", cfg, "export"]);
    assert!(md.contains("**Verdict: true_positive** by dana"), "{md}");
    assert!(md.contains(" by dana\n"), "generated by: {md}");
    // Without a config, $USER.
    let out = ok(d, &["case", "note", ID, "looked"]);
    assert!(out.contains("note added"), "{out}");
    let case = hunt::triage::Case::open(&d.join("case.sqlite")).unwrap();
    assert_eq!(case.notes(ID).unwrap()[0].analyst, "carol");
    drop(case);
    // Neither: a fallback that says how to set a name, never a silent "unknown".
    let out = hunt(d, &["case", "verdict", ID, "fp"])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        stdout.contains("by unnamed analyst (set `analyst` under [case] in the config, or $USER)"),
        "{stdout}"
    );
    assert!(!stdout.contains("unknown"), "{stdout}");
    // The hand-off written by nobody: the hint is markup, not escaped prose.
    let out = hunt(d, &["case", "export"])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("by unnamed analyst (set `analyst` under `[case]` in the config, or `$USER`)"),
        "{md}"
    );
    assert!(!md.contains("\\`"), "backslash-escaped backticks: {md}");
}
