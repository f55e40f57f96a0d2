//! Sigma rules see every record hunt reads, on every input path: fields
//! outside hunt's model on evtx, gzip, standard input and Panther test
//! envelopes; Security events no built-in detector uses; arrays compared as
//! their JSON text; rules that cannot fire named by `scan -v` with their
//! reason and per-rule counts; `hunt rules matches` as clean JSON lines.
//! Each runs the real binary, on the shared corpus where it holds the case.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus(rel: &str) -> PathBuf {
    root().join("../shared/corpus").join(rel)
}

fn rules(name: &str) -> PathBuf {
    root().join("tests/sigma").join(name)
}

fn hunt(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("HUNT_CASE");
    c
}

/// `hunt rules matches --rules RULES INPUTS…` (stdin given when Some):
/// the parsed lines.
fn matches(rules: &Path, inputs: &[&Path], stdin: Option<Vec<u8>>) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = hunt(dir.path());
    c.args(["rules", "matches", "--rules"])
        .arg(rules)
        .args(inputs);
    if let Some(bytes) = stdin {
        c.arg("-").write_stdin(bytes);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Records matched per rule id.
fn per_rule(m: &[Value]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for v in m {
        *out.entry(v["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

/// `hunt scan` with the rules: per Sigma rule, the events its findings hold.
fn scan_events(rules: &Path, inputs: &[&Path], stdin: Option<Vec<u8>>) -> BTreeMap<String, u64> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = hunt(dir.path());
    c.args(["scan", "-o", "jsonl", "--rules"])
        .arg(rules)
        .args(inputs);
    if let Some(bytes) = stdin {
        c.arg("-").write_stdin(bytes);
    }
    let out = c.output().unwrap();
    let mut got = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let f: Value = serde_json::from_str(line).unwrap();
        let det = f["detector"].as_str().unwrap();
        if let Some(id) = det.strip_prefix("sigma:") {
            *got.entry(id.to_string()).or_default() += f["event_count"].as_u64().unwrap();
        }
    }
    got
}

const SMB: &str = "windows-security/evtx/smb-password-guessing-security.evtx";
const NTLM_RULE: &str = "7f1d0a00-0000-4000-8000-00000000e001";
const CLEARED_RULE: &str = "7f1d0a00-0000-4000-8000-00000000e002";
const OKTA_ADMIN_RULE: &str = "7f1d0a00-0000-4000-8000-00000000e003";
const OKTA_UA_RULE: &str = "7f1d0a00-0000-4000-8000-00000000e004";
const EMPTY_CA_RULE: &str = "7f1d0a00-0000-4000-8000-00000000e005";

#[test]
fn evtx_fields_outside_the_model_match() {
    // AuthenticationPackageName, LogonProcessName and WorkstationName are
    // no field of hunt's event: only the raw evtx record holds them. All
    // 3,561 failures of the SMB guessing run are NTLM from a random
    // 16-character workstation name.
    let smb = corpus(SMB);
    let m = matches(&rules("ingest"), &[&smb], None);
    assert_eq!(
        per_rule(&m).get(NTLM_RULE),
        Some(&3561),
        "{:?}",
        per_rule(&m)
    );
    // Records are EventRecordIDs, each once.
    let mut records: Vec<u64> = m.iter().map(|v| v["record"].as_u64().unwrap()).collect();
    records.dedup();
    assert_eq!(records.len(), 3561);
    // And the scan's findings hold every one of them.
    let got = scan_events(&rules("ingest"), &[&smb], None);
    assert_eq!(got.get(NTLM_RULE), Some(&3561), "{got:?}");
}

fn okta_record(i: usize, browser: &str, os: &str, uri: &str) -> String {
    serde_json::json!({
        "uuid": format!("u-{i}"), "published": format!("2026-03-01T10:{i:02}:00.000Z"),
        "eventType": "user.session.start", "version": "0", "severity": "INFO",
        "displayMessage": "User login to Okta",
        "actor": {"id": "00u1", "type": "User", "alternateId": format!("user{}@example.com", i % 3)},
        "client": {"ipAddress": "203.0.113.50",
                   "userAgent": {"rawUserAgent": "Mozilla/5.0", "browser": browser, "os": os}},
        "debugContext": {"debugData": {"requestUri": uri}},
        "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}
    })
    .to_string()
}

#[test]
fn gzip_and_stdin_give_the_plain_files_matches() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..12)
        .map(|i| match i % 4 {
            0 => okta_record(i, "CHROME", "Windows 10", "/api/v1/authn"),
            1 => okta_record(i, "CHROME", "Mac OS X", "/api/v1/authn"),
            2 => okta_record(i, "FIREFOX", "Windows 10", "/api/v1/authn"),
            _ => okta_record(i, "CHROME", "Windows 11", "/api/v1/authn/factors"),
        })
        .collect();
    let text = lines.join("\n") + "\n";
    let plain = dir.path().join("okta.json");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("okta.json.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();

    let r = rules("ingest");
    let records = |m: &[Value]| -> Vec<(String, u64)> {
        m.iter()
            .map(|v| {
                (
                    v["rule"].as_str().unwrap().to_string(),
                    v["record"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let from_plain = records(&matches(&r, &[&plain], None));
    let want: Vec<(String, u64)> = [1u64, 4, 5, 8, 9, 12]
        .iter()
        .map(|&n| (OKTA_UA_RULE.to_string(), n))
        .collect();
    assert_eq!(from_plain, want);
    assert_eq!(records(&matches(&r, &[&gz], None)), want);
    assert_eq!(
        records(&matches(&r, &[], Some(text.clone().into_bytes()))),
        want
    );

    // The scan's Sigma findings agree on all three paths.
    let plain_scan = scan_events(&r, &[&plain], None);
    assert_eq!(plain_scan.get(OKTA_UA_RULE), Some(&6), "{plain_scan:?}");
    assert_eq!(scan_events(&r, &[&gz], None), plain_scan);
    assert_eq!(scan_events(&r, &[], Some(text.into_bytes())), plain_scan);
}

#[test]
fn panther_test_envelopes_match() {
    // Two of the Okta test cases carry legacyEventType
    // core.user.admin_privilege.granted, a field hunt does not model.
    let p = corpus("okta/panther/panther-tests_okta.json");
    let m = matches(&rules("ingest"), &[&p], None);
    assert_eq!(
        per_rule(&m).get(OKTA_ADMIN_RULE),
        Some(&2),
        "{:?}",
        per_rule(&m)
    );
    let got = scan_events(&rules("ingest"), &[&p], None);
    assert_eq!(got.get(OKTA_ADMIN_RULE), Some(&2), "{got:?}");
}

#[test]
fn security_events_no_detector_uses_match_on_event_id() {
    // 1102 (log cleared) and 4720 (account created) feed no built-in
    // detector. security.evtx holds 2 × 4720; three files one 1102 each.
    let files = [
        corpus("windows-security/evtx/security.evtx"),
        corpus("windows-security/evtx/password-spray.evtx"),
        corpus("windows-security/evtx/kerberos_pwd_spray_4771.evtx"),
        corpus("windows-security/evtx/ID4625-OpenSSH brutforce with non existing users.evtx"),
    ];
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let m = matches(&rules("ingest"), &refs, None);
    let mut per_file: BTreeMap<String, usize> = BTreeMap::new();
    for v in m.iter().filter(|v| v["rule"] == CLEARED_RULE) {
        let src = v["source"].as_str().unwrap();
        let name = Path::new(src)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        *per_file.entry(name).or_default() += 1;
    }
    let want: BTreeMap<String, usize> = [
        ("ID4625-OpenSSH brutforce with non existing users.evtx", 1),
        ("kerberos_pwd_spray_4771.evtx", 1),
        ("password-spray.evtx", 1),
        ("security.evtx", 2),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), *b))
    .collect();
    assert_eq!(per_file, want);
    let got = scan_events(&rules("ingest"), &refs, None);
    assert_eq!(got.get(CLEARED_RULE), Some(&5), "{got:?}");
}

#[test]
fn an_empty_array_equals_sentinels_text() {
    let dir = tempfile::tempdir().unwrap();
    let row = |t: &str, user: &str, policies: Value| {
        serde_json::json!({
            "TimeGenerated": t, "Type": "SigninLogs", "OperationName": "Sign-in activity",
            "UserPrincipalName": user, "IPAddress": "198.51.100.7", "ResultType": "0",
            "AppDisplayName": "Office 365 Exchange Online", "ClientAppUsed": "Browser",
            "ConditionalAccessPolicies": policies,
        })
        .to_string()
    };
    let policy = serde_json::json!([{"displayName": "MFA", "result": "success"}]);
    let lines = [
        row(
            "2026-03-01T10:00:00Z",
            "a@example.com",
            serde_json::json!([]),
        ),
        row("2026-03-01T10:01:00Z", "b@example.com", policy.clone()),
        row(
            "2026-03-01T10:02:00Z",
            "c@example.com",
            serde_json::json!([]),
        ),
        row(
            "2026-03-01T10:03:00Z",
            "d@example.com",
            serde_json::json!("[]"),
        ),
    ];
    let f = dir.path().join("signin.json");
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let m = matches(&rules("ingest"), &[&f], None);
    let got: Vec<u64> = m
        .iter()
        .filter(|v| v["rule"] == EMPTY_CA_RULE)
        .map(|v| v["record"].as_u64().unwrap())
        .collect();
    assert_eq!(got, vec![1, 3, 4]);
    let scan = scan_events(&rules("ingest"), &[&f], None);
    assert_eq!(scan.get(EMPTY_CA_RULE), Some(&3), "{scan:?}");
}

#[test]
fn scan_verbose_names_rules_that_cannot_fire_and_counts_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let smb = corpus(SMB);
    let out = hunt(dir.path())
        .args(["scan", "-v", "-o", "jsonl", "--rules"])
        .arg(rules("unfireable"))
        .arg(&smb)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("2 of 3 detection rules cannot fire on what was read:"),
        "{err}"
    );
    let line = |id: &str| {
        err.lines()
            .find(|l| l.contains("sigma:   ") && l.contains(id))
            .unwrap_or_else(|| panic!("{id} not named in {err}"))
            .to_string()
    };
    assert!(
        line("00000000f001").contains("its logsource is no source hunt reads"),
        "{err}"
    );
    assert!(
        line("00000000f002").contains("its EventID values (4769) never occur"),
        "{err}"
    );
    assert!(
        !err.contains("sigma:   7f1d0a00-0000-4000-8000-00000000f003"),
        "{err}"
    );
    // Per rule: records evaluated and matched.
    let counts = |id: &str| {
        err.lines()
            .find(|l| l.starts_with("hunt: sigma: rule ") && l.contains(id))
            .unwrap_or_else(|| panic!("no counts for {id} in {err}"))
            .to_string()
    };
    assert!(
        counts("00000000f003").ends_with("3561 records evaluated, 3561 matched"),
        "{err}"
    );
    assert!(
        counts("00000000f002").ends_with("3561 records evaluated, 0 matched"),
        "{err}"
    );
    assert!(
        counts("00000000f001").ends_with("0 records evaluated, 0 matched"),
        "{err}"
    );
    // Without -v: the number only, and a hint.
    let quiet = hunt(dir.path())
        .args(["scan", "-o", "jsonl", "--rules"])
        .arg(rules("unfireable"))
        .arg(&smb)
        .output()
        .unwrap();
    let err = String::from_utf8(quiet.stderr).unwrap();
    assert!(
        err.contains("2 of 3 detection rules cannot fire on what was read (-v names them)"),
        "{err}"
    );
}

#[test]
fn rules_matches_lines_are_json_and_terminal_safe() {
    let dir = tempfile::tempdir().unwrap();
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir(&rules_dir).unwrap();
    let title = "Evil \u{1b}]0;pwned\u{7} \u{202e}title\u{9b}2J";
    std::fs::write(
        rules_dir.join("evil.yml"),
        format!(
            "title: \"{}\"\nid: 7f1d0a00-0000-4000-8000-00000000e0ff\nlogsource:\n    product: okta\n    service: okta\ndetection:\n    selection:\n        client.userAgent.browser: CHROME\n    condition: selection\nlevel: low\n",
            // The same title in YAML's escapes.
            "Evil \\e]0;pwned\\a \\u202Etitle\\x9B2J"
        ),
    )
    .unwrap();
    let name = dir.path().join("okta\u{1b}[2J\u{202e}\u{9b}.json");
    let lines: Vec<String> = (0..3)
        .map(|i| okta_record(i, "CHROME", "Windows 10", "/api/v1/authn"))
        .collect();
    std::fs::write(&name, lines.join("\n") + "\n").unwrap();
    let out = hunt(dir.path())
        .args(["rules", "matches", "--rules"])
        .arg(&rules_dir)
        .arg(&name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && hunt::sanitize::is_dangerous(c)),
        "raw control or bidi characters in {text:?}"
    );
    let parsed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), 3);
    for (i, v) in parsed.iter().enumerate() {
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["record", "rule", "source", "title"]);
        assert_eq!(v["rule"], "7f1d0a00-0000-4000-8000-00000000e0ff");
        assert_eq!(v["title"], title);
        assert_eq!(v["source"], name.display().to_string());
        assert_eq!(v["record"], i as u64 + 1);
    }
}

/// Records per rule of `hunt rules matches` with the services rules.
fn service_counts(inputs: &[&Path]) -> BTreeMap<String, usize> {
    let m = matches(&rules("services"), inputs, None);
    per_rule(&m)
        .into_iter()
        .map(|(k, v)| {
            (
                k.trim_start_matches("7f1d0a00-0000-4000-8000-0000000")
                    .to_string(),
                v,
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn a_rules_service_keeps_it_to_records_of_that_service() {
    // OpenSSH/Operational events are Windows events but not Security ones:
    // only the rule naming no service sees them.
    let ssh = corpus("windows-security/evtx/ID4-OpenSSH brutforce with valid users.evtx");
    assert_eq!(service_counts(&[&ssh]), counts(&[("0a002", 7)]));
    // And `scan -v` counts them for that rule only.
    let dir = tempfile::tempdir().unwrap();
    let out = hunt(dir.path())
        .args(["scan", "-v", "-o", "jsonl", "--rules"])
        .arg(rules("services"))
        .arg(&ssh)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let line = |id: &str| {
        err.lines()
            .find(|l| l.starts_with("hunt: sigma: rule ") && l.contains(id))
            .unwrap_or_else(|| panic!("no counts for {id} in {err}"))
            .to_string()
    };
    assert!(
        line("0000000a001").ends_with(": 0 records evaluated, 0 matched"),
        "{err}"
    );
    assert!(
        line("0000000a002").ends_with(": 7 records evaluated, 7 matched"),
        "{err}"
    );
    assert!(
        err.lines().any(
            |l| l.contains("sigma:   7f1d0a00-0000-4000-8000-00000000a001")
                && l.contains("no record of its logsource was read")
        ),
        "{err}"
    );
    let smb = corpus(SMB);
    assert_eq!(
        service_counts(&[&smb]),
        counts(&[("0a001", 3561), ("0a002", 3561)])
    );

    // An auth log: sshd rules see sshd's lines, auth rules every stamped line
    // (another program's, and one whose stamp has no program tag).
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth.log");
    std::fs::write(
        &auth,
        "Mar  3 10:00:01 web sshd[100]: Failed password for root from 198.51.100.4 port 5000 ssh2\n\
         Mar  3 10:00:02 web sudo:   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true\n\
         Mar  3 10:00:03 web syslogd 1.4.1: restart.\n\
         Mar  3 10:00:04 web CRON[200]: pam_unix(cron:session): session opened for user root\n",
    )
    .unwrap();
    assert_eq!(
        service_counts(&[&auth]),
        counts(&[("0a003", 1), ("0a004", 4)])
    );
}

#[test]
fn entra_audit_records_are_no_sign_ins_and_declared_panther_logs_are_records() {
    // Four audit rows in a Sentinel export: no sign-in rule evaluates them.
    let audit = corpus("entra-signin/otrf-sentinel/AADAuditEvents.json");
    assert_eq!(service_counts(&[&audit]), counts(&[]));
    // A Panther test Log declared AWS.CloudTrail without eventName is still
    // a CloudTrail record for the rules (test case 31 of the file).
    let p = corpus("cross-source-panther/panther-tests_standard_auth.json");
    let m = matches(&rules("services"), &[&p], None);
    let logout: Vec<u64> = m
        .iter()
        .filter(|v| v["rule"] == "7f1d0a00-0000-4000-8000-00000000a006")
        .map(|v| v["record"].as_u64().unwrap())
        .collect();
    assert_eq!(logout, vec![31]);
}

#[test]
fn evtx_system_attributes_answer_their_rule_names() {
    // Provider_Name is an attribute of Event.System.Provider in evtx.
    let files = [
        corpus("windows-security/evtx/password-spray.evtx"),
        corpus("windows-security/evtx/kerberos_pwd_spray_4771.evtx"),
        corpus("windows-security/evtx/ID4625-OpenSSH brutforce with non existing users.evtx"),
    ];
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    assert_eq!(service_counts(&refs).get("0a007"), Some(&3));
}

/// The same 12 sign-ins as a Sentinel export (fewer fields) and as Graph
/// pages (more complete: the copies kept); a rule for each shape.
fn two_shapes(dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let rid = |i: u32| format!("5e0c{i:04}-0b7e-4c1d-9a55-1d2e3f4a5b6c");
    let stamp = |i: u32, frac: &str| format!("2024-03-01T10:00:{:02}.{frac}Z", i * 4);
    let user = |i: u32| format!("user{:02}@contoso.com", i % 6);
    let sentinel: Vec<String> = (0..12)
        .map(|i| {
            serde_json::json!({"TimeGenerated": stamp(i, "5000000"), "Type": "SigninLogs",
                "Id": rid(i).to_uppercase(), "UserPrincipalName": user(i),
                "IPAddress": "203.0.113.50", "ResultType": "50126", "AppDisplayName": "Office 365"})
            .to_string()
        })
        .collect();
    let graph: Vec<String> = (0..12)
        .map(|i| {
            serde_json::json!({"id": rid(i), "createdDateTime": stamp(i, "123"),
                "userPrincipalName": user(i), "ipAddress": "203.0.113.50",
                "status": {"errorCode": 50126}, "appDisplayName": "Office 365",
                "clientAppUsed": "Browser", "location": {"city": "Lagos", "countryOrRegion": "NG"}})
            .to_string()
        })
        .collect();
    let mut files = vec![dir.join("sentinel.json")];
    std::fs::write(&files[0], sentinel.join("\n") + "\n").unwrap();
    for (k, page) in graph.chunks(4).enumerate() {
        let p = dir.join(format!("graph-{k}.json"));
        std::fs::write(&p, page.join("\n") + "\n").unwrap();
        files.push(p);
    }
    let rules = dir.join("rules");
    std::fs::create_dir(&rules).unwrap();
    let rule = |id: &str, title: &str, sel: &str| {
        format!("title: {title}\nid: 7f1d0a00-0000-4000-8000-00000000b{id}\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        {sel}\n    condition: selection\nlevel: medium\n")
    };
    std::fs::write(
        rules.join("shapes.yml"),
        rule("101", "Sentinel row", "Type: SigninLogs")
            + "---\n"
            + &rule("102", "Graph object", "createdDateTime|contains: 'T10:00'"),
    )
    .unwrap();
    (files, rules)
}

#[test]
fn sigma_matches_follow_the_kept_copy_of_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let (files, rules) = two_shapes(dir.path());
    for run in 0..8 {
        // Every order of naming the inputs, and whatever the threads do: a
        // Sentinel copy read first is replaced by the Graph one, and its
        // matches go with it.
        let mut order = files.clone();
        order.rotate_left(run % files.len());
        if run % 2 == 1 {
            order.reverse();
        }
        let refs: Vec<&Path> = order.iter().map(PathBuf::as_path).collect();
        let got = scan_events(&rules, &refs, None);
        assert_eq!(
            got,
            [("7f1d0a00-0000-4000-8000-00000000b102".to_string(), 12)]
                .into_iter()
                .collect(),
            "run {run} ({order:?})"
        );
    }
    // `hunt rules matches` lists the matches of every copy.
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let all = per_rule(&matches(&rules, &refs, None));
    assert_eq!(all.get("7f1d0a00-0000-4000-8000-00000000b101"), Some(&12));
    assert_eq!(all.get("7f1d0a00-0000-4000-8000-00000000b102"), Some(&12));
}
