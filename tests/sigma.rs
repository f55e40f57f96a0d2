//! Sigma rules end to end: the sample rules on the bundled samples (golden
//! list), SigmaHQ-style rules written for this project (tests/sigma/) on
//! one small log per source, checking every dialect's field names resolve
//! (normalized fields, raw records read back, Status objects flattened),
//! each correlation kind, and that a bad rule names its file, rule and
//! field without stopping the other rules.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::finding::{Finding, Severity};
use hunt::ingest::read::expand;
use hunt::pipeline::{scan_all, Session};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scan(inputs: &[PathBuf], rules: &[PathBuf]) -> Session {
    let mut config = Config::default();
    config.sigma.paths = rules.to_vec();
    let (inputs, errors) = expand(inputs);
    assert!(errors.is_empty(), "{errors:?}");
    scan_all(inputs, config, Enricher::none())
}

fn sigma(s: &Session) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = s
        .findings
        .all()
        .iter()
        .filter(|f| f.detector.as_str().starts_with("sigma:"))
        .collect();
    v.sort_by(|a, b| (a.detector.as_str(), &a.id).cmp(&(b.detector.as_str(), &b.id)));
    v
}

/// (rule id suffix, entity, events) of the Sigma findings.
fn summary(s: &Session) -> Vec<(String, String, u32)> {
    sigma(s)
        .iter()
        .map(|f| {
            let id = f.detector.as_str();
            let short = id
                .get(id.len().saturating_sub(4)..)
                .unwrap_or(id)
                .to_string();
            let who = f.user.clone().or(f.ip.clone()).unwrap_or_default();
            (short, who, f.event_count)
        })
        .collect()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

#[test]
fn sample_rules_fire_on_the_samples() {
    let s = scan(&[root().join("samples")], &[root().join("samples/rules")]);
    assert!(s.sigma.problems.is_empty(), "{:?}", s.sigma.problems);
    assert!(s.sigma.warnings.is_empty(), "{:?}", s.sigma.warnings);
    assert_eq!((s.sigma.detection_rules, s.sigma.correlation_rules), (7, 3));
    let got = summary(&s);
    let want: Vec<(String, String, u32)> = [
        ("0001", "miriam.graham@contoso.com", 1),
        ("0003", "45.83.64.17", 24),
        ("0005", "kim.akers@contoso.com", 9),
        ("0006", "alex.wilber@contoso.com", 1),
        ("0006", "emily.braun@contoso.com", 1),
        ("0006", "megan.bowen@contoso.com", 1),
        ("0007", "svc-backup", 6),
        ("0008", "ci-deployer", 1),
        ("0011", "oracle", 9),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
    .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, want);
    // Level → severity, tags → ATT&CK ids, matched fields in the details.
    let imap = sigma(&s)
        .into_iter()
        .find(|f| f.detector.as_str().ends_with("0001"))
        .unwrap();
    assert_eq!(imap.severity, Severity::Medium);
    assert_eq!(imap.details["attack"], serde_json::json!(["T1078.004"]));
    assert_eq!(imap.details["matched"]["ClientAppUsed"], "IMAP4");
    assert!(imap.title.starts_with("Entra sign-in over IMAP"));
    // "Why it fired" (TUI, report) renders it from its details.
    let about = hunt::detect::describe::About::of(imap, &Config::default());
    assert!(
        about
            .rule
            .starts_with("Sigma rule “Entra sign-in over IMAP with a single factor”, level medium")
            && about.rule.contains("ATT&CK: T1078.004."),
        "{}",
        about.rule
    );
    let spray = sigma(&s)
        .into_iter()
        .find(|f| f.detector.as_str().ends_with("0003"))
        .unwrap();
    assert_eq!(spray.severity, Severity::High);
    assert_eq!(spray.ip.as_deref(), Some("45.83.64.17"));
    assert_eq!(spray.details["correlation"], "value_count");
    // The same scan again gives the same ids (verdicts stay attached).
    let again = scan(&[root().join("samples")], &[root().join("samples/rules")]);
    let ids = |s: &Session| sigma(s).iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&s), ids(&again));
}

fn entra_row(t: &str, user: &str, ip: &str, code: u32, status: &str) -> String {
    serde_json::json!({
        "TimeGenerated": t, "Type": "SigninLogs", "OperationName": "Sign-in activity",
        "UserPrincipalName": user, "IPAddress": ip, "ResultType": code.to_string(),
        "AppDisplayName": "Office 365 Exchange Online", "ClientAppUsed": "Browser",
        "Status": serde_json::json!({"errorCode": code, "failureReason": status}).to_string(),
    })
    .to_string()
}

#[test]
fn azure_sentinel_graph_and_diagnostic_names_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "Invalid username or password or Invalid on-premise username or password.";
    let mut rows = vec![
        entra_row(
            "2026-11-01T10:00:00Z",
            "a@contoso.com",
            "198.51.100.7",
            50126,
            bad,
        ),
        entra_row(
            "2026-11-01T10:01:00Z",
            "b@contoso.com",
            "198.51.100.7",
            50126,
            bad,
        ),
        // Same code, other reason text: the Status condition keeps it out.
        entra_row(
            "2026-11-01T10:02:00Z",
            "c@contoso.com",
            "198.51.100.7",
            50126,
            "Other.",
        ),
    ];
    let sentinel = write(dir.path(), "signin.ndjson", &rows);
    // A Graph record: `status` is an object, flattened to text for `Status|contains`.
    rows = vec![serde_json::json!({
        "id": "g-1", "createdDateTime": "2026-11-01T10:03:00Z",
        "userPrincipalName": "d@contoso.com", "ipAddress": "198.51.100.7",
        "appDisplayName": "Office 365 Exchange Online", "clientAppUsed": "Browser",
        "isInteractive": true,
        "status": {"errorCode": 50126, "failureReason": bad},
        "location": {"city": "Lagos", "countryOrRegion": "NG"}
    })
    .to_string()];
    let graph = write(dir.path(), "graph.json", &rows);
    let diag = |t: &str, user: &str, ua: &str| {
        serde_json::json!({
            "time": t, "category": "SignInLogs", "resultType": "0", "callerIpAddress": "192.0.2.1",
            "properties": {"userPrincipalName": user, "createdDateTime": t,
                "appDisplayName": "Azure Portal", "userAgent": ua, "ipAddress": "192.0.2.1"}
        })
        .to_string()
    };
    let diagnostic = write(
        dir.path(),
        "diag.json",
        &[
            diag(
                "2026-11-01T11:00:00Z",
                "e@contoso.com",
                "python-requests/2.31",
            ),
            diag("2026-11-01T11:05:00Z", "f@contoso.com", "Mozilla/5.0"),
        ],
    );
    let s = scan(
        &[sentinel, graph, diagnostic],
        &[root().join("tests/sigma/azure")],
    );
    assert!(s.sigma.problems.is_empty(), "{:?}", s.sigma.problems);
    let got = summary(&s);
    let has = |rule: &str, who: &str| got.iter().any(|(r, w, _)| r == rule && w == who);
    assert!(
        has("a001", "a@contoso.com") && has("a001", "b@contoso.com"),
        "{got:?}"
    );
    assert!(
        has("a001", "d@contoso.com"),
        "Graph status object read as text: {got:?}"
    );
    assert!(!has("a001", "c@contoso.com"), "{got:?}");
    assert!(
        has("a002", "198.51.100.7"),
        "value_count of 3 users: {got:?}"
    );
    assert!(
        has("a003", "e@contoso.com") && !has("a003", "f@contoso.com"),
        "{got:?}"
    );
}

fn okta(t: &str, user: &str, result: &str, reason: &str) -> String {
    serde_json::json!({
        "uuid": format!("u-{t}"), "published": t, "eventType": "user.session.start",
        "version": "0", "severity": "INFO", "displayMessage": "User login to Okta",
        "actor": {"id": "00u1", "type": "User", "alternateId": user},
        "client": {"ipAddress": "203.0.113.50", "userAgent": {"rawUserAgent": "curl/8"}},
        "outcome": {"result": result, "reason": reason}
    })
    .to_string()
}

#[test]
fn okta_raw_names_and_event_count() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "okta.ndjson",
        &[
            okta(
                "2026-11-01T10:00:00.000Z",
                "kim@contoso.com",
                "FAILURE",
                "INVALID_CREDENTIALS",
            ),
            okta(
                "2026-11-01T10:05:00.000Z",
                "kim@contoso.com",
                "FAILURE",
                "INVALID_CREDENTIALS",
            ),
            okta(
                "2026-11-01T10:09:00.000Z",
                "kim@contoso.com",
                "FAILURE",
                "INVALID_CREDENTIALS",
            ),
            okta(
                "2026-11-01T10:10:00.000Z",
                "lee@contoso.com",
                "FAILURE",
                "INVALID_CREDENTIALS",
            ),
            okta(
                "2026-11-01T10:11:00.000Z",
                "lee@contoso.com",
                "FAILURE",
                "LOCKED_OUT",
            ),
            okta(
                "2026-11-01T10:12:00.000Z",
                "lee@contoso.com",
                "SUCCESS",
                "null",
            ),
        ],
    );
    let s = scan(&[f], &[root().join("tests/sigma/okta")]);
    let got = summary(&s);
    assert!(
        got.contains(&("b001".into(), "kim@contoso.com".into(), 3)),
        "{got:?}"
    );
    assert!(
        got.contains(&("b001".into(), "lee@contoso.com".into(), 1)),
        "{got:?}"
    );
    assert!(
        got.contains(&("b002".into(), "kim@contoso.com".into(), 3)),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(r, w, _)| r == "b002" && w == "lee@contoso.com"),
        "{got:?}"
    );
}

#[test]
fn m365_unified_audit_names() {
    let dir = tempfile::tempdir().unwrap();
    let row = |t: &str, user: &str, op: &str| {
        serde_json::json!({
            "TimeGenerated": t, "Type": "OfficeActivity", "RecordType": "ExchangeAdmin",
            "Operation": op, "OfficeWorkload": "Exchange", "ResultStatus": "True",
            "UserId": user, "ClientIP": "203.0.113.9:4000",
            "Parameters": [{"Name": "ForwardingSmtpAddress", "Value": "smtp:x@evil.example"}]
        })
        .to_string()
    };
    let f = write(
        dir.path(),
        "office.ndjson",
        &[
            row("2026-11-01T10:00:00Z", "debra@contoso.com", "Set-Mailbox"),
            row("2026-11-01T10:01:00Z", "eve@fabrikam.com", "Set-Mailbox"),
            row("2026-11-01T10:02:00Z", "debra@contoso.com", "Send"),
        ],
    );
    let s = scan(&[f], &[root().join("tests/sigma/m365")]);
    let got = summary(&s);
    assert_eq!(got, vec![("c001".into(), "debra@contoso.com".into(), 1)]);
}

fn winlogbeat(t: &str, id: u32, user: &str, logon: &str, status: &str, ip: &str) -> String {
    serde_json::json!({
        "@timestamp": t, "event": {"code": id.to_string(), "module": "security"},
        "host": {"name": "DC01"},
        "winlog": {"channel": "Security", "computer_name": "DC01", "event_id": id,
            "provider_name": "Microsoft-Windows-Security-Auditing",
            "event_data": {"TargetUserName": user, "TargetDomainName": "CONTOSO",
                "LogonType": logon, "IpAddress": ip, "Status": status, "SubStatus": "0x0"}}
    })
    .to_string()
}

#[test]
fn windows_raw_names_and_temporal() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "security.ndjson",
        &[
            winlogbeat(
                "2026-11-01T10:00:00Z",
                4625,
                "svc-sql",
                "3",
                "0xc000006d",
                "203.0.113.5",
            ),
            winlogbeat(
                "2026-11-01T10:04:00Z",
                4624,
                "svc-sql",
                "3",
                "0x0",
                "203.0.113.5",
            ),
            // Outside the address range, and a success with no failure.
            winlogbeat(
                "2026-11-01T10:05:00Z",
                4625,
                "svc-sql",
                "3",
                "0xc000006d",
                "10.0.0.5",
            ),
            winlogbeat(
                "2026-11-01T10:06:00Z",
                4624,
                "alice",
                "3",
                "0x0",
                "10.0.0.6",
            ),
        ],
    );
    let s = scan(&[f], &[root().join("tests/sigma/windows")]);
    let got = summary(&s);
    assert!(
        got.contains(&("d001".into(), "svc-sql".into(), 1)),
        "{got:?}"
    );
    let temporal: Vec<_> = got.iter().filter(|(r, _, _)| r == "d003").collect();
    assert_eq!(temporal.len(), 1, "{got:?} {:#?}", sigma(&s));
    assert_eq!(temporal[0].2, 2, "both events are the evidence: {got:?}");
}

fn cloudtrail(t: &str, name: &str, source: &str, key: &str) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.08", "eventTime": t, "eventSource": source, "eventName": name,
        "awsRegion": "eu-west-1", "sourceIPAddress": "102.89.0.23", "userAgent": "aws-cli/2",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/ci", "accountId": "1",
            "accessKeyId": key, "userName": "ci"},
        "eventID": format!("e-{t}-{name}"), "eventType": "AwsApiCall", "readOnly": true
    })
}

#[test]
fn cloudtrail_names_and_temporal_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let doc = serde_json::json!({"Records": [
        cloudtrail("2026-11-01T10:00:00Z", "GetCallerIdentity", "sts.amazonaws.com", "AKIA1"),
        cloudtrail("2026-11-01T10:01:00Z", "ListBuckets", "s3.amazonaws.com", "AKIA1"),
        // Reversed order for another key: temporal_ordered stays quiet.
        cloudtrail("2026-11-01T10:02:00Z", "ListBuckets", "s3.amazonaws.com", "AKIA2"),
        cloudtrail("2026-11-01T10:03:00Z", "GetCallerIdentity", "sts.amazonaws.com", "AKIA2"),
    ]});
    let f = write(dir.path(), "trail.json", &[doc.to_string()]);
    let s = scan(&[f], &[root().join("tests/sigma/cloudtrail")]);
    let got = summary(&s);
    let ordered: Vec<_> = got.iter().filter(|(r, _, _)| r == "e003").collect();
    assert_eq!(ordered.len(), 1, "{got:?}");
    assert_eq!(ordered[0].2, 2);
    let f = sigma(&s)
        .into_iter()
        .find(|f| f.detector.as_str().ends_with("e003"))
        .unwrap();
    assert_eq!(f.details["group"]["userIdentity.accessKeyId"], "AKIA1");
    // Rules a correlation references make no findings of their own (generate: false).
    assert!(!got.iter().any(|(r, _, _)| r == "e001"), "{got:?}");
}

#[test]
fn a_bad_rule_names_file_rule_and_field_and_the_rest_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "signin.ndjson",
        &[serde_json::json!({
            "TimeGenerated": "2026-11-01T10:00:00Z", "Type": "SigninLogs",
            "UserPrincipalName": "m@contoso.com", "IPAddress": "192.0.2.9", "ResultType": "0",
            "ClientAppUsed": "IMAP4", "AppDisplayName": "Azure Portal"
        })
        .to_string()],
    );
    let missing = root().join("tests/sigma/no-such-folder");
    let s = scan(&[f], &[root().join("tests/sigma/bad"), missing]);
    assert_eq!(s.sigma.problems.len(), 2, "{:?}", s.sigma.problems);
    let p = s
        .sigma
        .problems
        .iter()
        .find(|p| p.contains("bad_rules.yml"))
        .unwrap();
    assert!(p.contains("bad_rules.yml"), "{p}");
    assert!(p.contains("A rule with a broken regex"), "{p}");
    assert!(p.contains("field `UserAgent`"), "{p}");
    assert!(s
        .sigma
        .problems
        .iter()
        .any(|p| p.contains("no-such-folder")));
    assert_eq!(
        summary(&s),
        vec![("f002".into(), "m@contoso.com".into(), 1)]
    );
}

mod tail_common;

/// Correlations run live: a spray appended to a followed file fires the
/// sample value_count rule, more of it updates that finding in place, and
/// the end state is what a whole-file scan finds.
#[test]
fn correlations_run_live_and_match_a_scan() {
    use tail_common::{append, lines, spray_failures, Follower};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SigninLogs.json");
    let rules = vec![root().join("samples/rules/entra_spray_correlation.yml")];
    let mut config = Config::default();
    config.sigma.paths = rules.clone();
    let spray = spray_failures(0);
    append(&path, &lines(&spray[..11]));
    let mut f = Follower::start_with(std::slice::from_ref(&path), config);
    let key = "sigma:3c0f5f5e-7a3b-4b3e-9a57-1b0d1a7e0003";
    f.until("the spray correlation", |s| {
        s.findings.all().iter().any(|x| x.detector.as_str() == key)
    });
    let first = f.ids(key);
    assert_eq!(first.len(), 1);
    append(&path, &lines(&spray[11..]));
    f.settle(spray.len());
    assert_eq!(f.ids(key), first, "updated in place, same id");
    let live = f.session.findings.get(&first[0]).unwrap().clone();
    assert_eq!(live.event_count, 24);
    let whole = scan(&[path], &rules);
    let scanned: Vec<_> = sigma(&whole).into_iter().cloned().collect();
    assert_eq!(scanned, vec![live]);
}
