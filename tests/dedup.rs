//! Issue 11 §3 / SPEC §2 "Order and duplicates": a record loaded twice —
//! overlapping exports, or one sign-in as a Sentinel row, a Graph object and
//! a diagnostic record — is stored and counted once, and the copies are
//! counted per file as duplicates.

use hunt::finding::DetectorId;
use hunt::pipeline::{scan_paths, Session};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn events(s: &Session) -> u64 {
    s.sources.iter().map(|x| x.stats.events).sum()
}

fn duplicates(s: &Session) -> u64 {
    s.sources.iter().map(|x| x.stats.duplicates).sum()
}

fn fired(s: &Session, d: DetectorId) -> usize {
    s.findings.all().iter().filter(|f| f.detector == d).count()
}

/// Every file's records are accounted for: events + ignored + problems + duplicates.
fn assert_accounted(s: &Session) {
    for x in &s.sources {
        let st = &x.stats;
        assert_eq!(
            st.records,
            st.events + st.ignored_count() + st.problem_count() + st.duplicates,
            "{}: {st:?}",
            x.name
        );
    }
}

fn id(n: u32) -> String {
    format!("6f1c2a{n:02}-0b7e-4c1d-9a55-1d2e3f4a5b6c")
}

fn stamp(sec: u32) -> String {
    format!("2024-03-01T10:00:{sec:02}Z")
}

/// One Entra sign-in of `user` (50126 = bad password, 0 = success) in a shape.
fn graph(n: u32, user: &str, code: u32, ip: &str) -> String {
    format!(
        r#"{{"id":"{}","createdDateTime":"{}","userPrincipalName":"{user}","ipAddress":"{ip}","correlationId":"c0ffee00-0000-4000-8000-000000000001","status":{{"errorCode":{code}}},"appDisplayName":"Office 365"}}"#,
        id(n),
        stamp(n)
    )
}

fn sentinel(n: u32, user: &str, code: u32, ip: &str) -> String {
    // Sentinel spells the request id in upper case here: still the same id.
    format!(
        r#"{{"TimeGenerated":"{}","Type":"SigninLogs","OperationName":"Sign-in activity","Id":"{}","CorrelationId":"c0ffee00-0000-4000-8000-000000000001","UserPrincipalName":"{}","IPAddress":"{ip}","ResultType":"{code}","AppDisplayName":"Office 365"}}"#,
        stamp(n),
        id(n).to_uppercase(),
        user.to_uppercase()
    )
}

fn diagnostic(n: u32, user: &str, code: u32, ip: &str) -> String {
    format!(
        r#"{{"time":"{}","category":"SignInLogs","resultType":"{code}","callerIpAddress":"{ip}","correlationId":"c0ffee00-0000-4000-8000-000000000001","properties":{{"id":"{}","createdDateTime":"{}","userPrincipalName":"{user}","ipAddress":"{ip}","status":{{"errorCode":{code}}}}}}}"#,
        stamp(n),
        id(n),
        stamp(n)
    )
}

/// Three bad passwords, then the right one: below credential_stuffing's 5.
fn three_failures_then_success(shape: fn(u32, &str, u32, &str) -> String) -> Vec<String> {
    let user = "adele.vance@contoso.com";
    let mut v: Vec<String> = (1..=3)
        .map(|n| shape(n, user, 50126, "198.51.100.7"))
        .collect();
    v.push(shape(4, user, 0, "198.51.100.7"));
    v
}

#[test]
fn an_overlapping_export_does_not_reach_credential_stuffing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = three_failures_then_success(graph);
    let a = write(dir.path(), "monday.json", &lines);
    let b = write(dir.path(), "monday-again.json", &lines);
    let s = scan_paths(&[a, b]);
    assert_eq!(events(&s), 4);
    assert_eq!(duplicates(&s), 4);
    assert_eq!(s.store.count(), 4, "the store never holds the copy");
    assert_eq!(fired(&s, DetectorId::CredentialStuffing), 0);
    assert_accounted(&s);
}

#[test]
fn sentinel_graph_and_diagnostic_copies_of_one_sign_in_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        write(
            dir.path(),
            "sentinel.json",
            &three_failures_then_success(sentinel),
        ),
        write(
            dir.path(),
            "graph.json",
            &three_failures_then_success(graph),
        ),
        write(
            dir.path(),
            "diag.json",
            &three_failures_then_success(diagnostic),
        ),
    ];
    let s = scan_paths(&files);
    assert_eq!(s.problem_count(), 0);
    assert_eq!((events(&s), duplicates(&s)), (4, 8));
    assert_eq!(fired(&s, DetectorId::CredentialStuffing), 0);
    assert_accounted(&s);
}

#[test]
fn copies_inside_one_file_count_once_and_evidence_keeps_the_first() {
    // Five failures then a success, with the failures exported twice in one
    // file: the finding fires once with five failures, its evidence the first copies.
    let dir = tempfile::tempdir().unwrap();
    let user = "megan.bowen@contoso.com";
    let mut lines: Vec<String> = (1..=5)
        .map(|n| graph(n, user, 50126, "203.0.113.9"))
        .collect();
    lines.extend(lines.clone());
    lines.push(graph(9, user, 0, "203.0.113.9"));
    let f = write(dir.path(), "twice.json", &lines);
    let s = scan_paths(&[f]);
    assert_eq!((events(&s), duplicates(&s)), (6, 5));
    assert_accounted(&s);
    let found: Vec<_> = s
        .findings
        .all()
        .iter()
        .filter(|f| f.detector == DetectorId::CredentialStuffing)
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].details["failure_count"], 5, "{}", found[0].details);
    for &i in &found[0].evidence {
        assert!(
            s.store.get(i).origin.line <= 5 || s.store.get(i).origin.line == 11,
            "evidence points at the first copies"
        );
    }
}

#[test]
fn a_spray_exported_twice_keeps_its_attempt_count() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..24)
        .map(|n| {
            let user = format!("user{}@contoso.com", n % 6);
            graph(n + 1, &user, 50126, "45.83.64.17")
        })
        .collect();
    let a = write(dir.path(), "spray.json", &lines);
    let b = write(dir.path(), "spray-overlap.json", &lines);
    let s = scan_paths(&[a, b]);
    let spray: Vec<_> = s
        .findings
        .all()
        .iter()
        .filter(|f| f.detector == DetectorId::PasswordSpray)
        .collect();
    assert_eq!(spray.len(), 1);
    assert_eq!(spray[0].details["failed_attempts"], 24);
    assert_eq!(spray[0].event_count, 24);
    assert_eq!(duplicates(&s), 24);
}

#[test]
fn records_sharing_a_correlation_id_stay_apart_when_their_request_ids_differ() {
    // One sign-in flow: five requests under one correlation id, each with its
    // own request id, at the same second: five failures, then the success.
    let dir = tempfile::tempdir().unwrap();
    let user = "kim.akers@contoso.com";
    let mut lines: Vec<String> = (1..=5)
        .map(|n| graph(n, user, 50126, "203.0.113.44").replace(&stamp(n), &stamp(0)))
        .collect();
    lines.push(graph(6, user, 0, "203.0.113.44").replace(&stamp(6), &stamp(0)));
    let f = write(dir.path(), "flow.json", &lines);
    let s = scan_paths(&[f]);
    assert_eq!((events(&s), duplicates(&s)), (6, 0));
    assert_eq!(fired(&s, DetectorId::CredentialStuffing), 1);
}

#[test]
fn without_a_request_id_the_correlation_id_time_user_and_code_decide() {
    let dir = tempfile::tempdir().unwrap();
    let row = |sec: u32, code: u32| {
        format!(
            r#"{{"TimeGenerated":"{}","Type":"SigninLogs","CorrelationId":"c0ffee00-0000-4000-8000-00000000000a","UserPrincipalName":"lee.gu@contoso.com","IPAddress":"198.51.100.8","ResultType":"{code}"}}"#,
            stamp(sec)
        )
    };
    let lines = vec![row(1, 50126), row(2, 50126), row(2, 0)];
    let a = write(dir.path(), "a.json", &lines);
    let b = write(dir.path(), "b.json", &lines);
    let s = scan_paths(&[a, b]);
    // Same flow, distinct time or result code: three records; the second file: copies.
    assert_eq!((events(&s), duplicates(&s)), (3, 3));
}

#[test]
fn a_repeated_sshd_line_is_another_attempt_but_message_repeated_stands_for_n() {
    let dir = tempfile::tempdir().unwrap();
    let failed = "2024-03-01T10:00:01+00:00 bastion sshd[4242]: Failed password for root from 203.0.113.9 port 50022 ssh2";
    let lines = vec![
        failed.to_string(),
        // The same failure logged twice in one second: two attempts.
        failed.to_string(),
        "2024-03-01T10:00:02+00:00 bastion sshd[4242]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 50022 ssh2]".to_string(),
        // Same message, other pid: another connection, another attempt.
        failed.replace("[4242]", "[4243]"),
    ];
    let a = write(dir.path(), "auth.log", &lines);
    let s = scan_paths(std::slice::from_ref(&a));
    // (Not `assert_accounted`: one `message repeated` record gives three events.)
    assert_eq!((events(&s), duplicates(&s)), (6, 0));
    // The same log loaded twice (auth.log and a copy): nothing more.
    let b = write(dir.path(), "auth.log.copy", &lines);
    let s = scan_paths(&[a, b]);
    assert_eq!((events(&s), duplicates(&s)), (6, 4));
}

/// `n` identical lines of a brute-force test (one connection, one port).
fn same_failure(n: usize) -> Vec<String> {
    let line =
        "Mar  1 10:00:01 lab sshd[59264]: Failed password for root from 127.0.0.1 port 59264 ssh2";
    vec![line.to_string(); n]
}

#[test]
fn eight_identical_failed_password_lines_are_eight_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "auth.log", &same_failure(8));
    let s = scan_paths(std::slice::from_ref(&a));
    assert_eq!((events(&s), duplicates(&s)), (8, 0));
    assert_accounted(&s);
    // Overlapping inputs count as often as the input holding the line most
    // often: a rotated file holding 5 of them and a copy of the whole log.
    let rotated = write(dir.path(), "auth.log.1", &same_failure(5));
    let copy = write(dir.path(), "auth-copy.log", &same_failure(8));
    for order in [
        vec![a.clone(), rotated.clone(), copy.clone()],
        vec![rotated.clone(), copy.clone(), a.clone()],
    ] {
        let s = scan_paths(&order);
        assert_eq!((events(&s), duplicates(&s)), (8, 13), "{order:?}");
        assert_accounted(&s);
    }
    // A file that holds the burst twice over (cat log log > both) is 16.
    let both = write(dir.path(), "both.log", &same_failure(16));
    let s = scan_paths(&[a, both]);
    assert_eq!((events(&s), duplicates(&s)), (16, 8));
}

#[test]
fn unified_audit_records_sharing_a_placeholder_id_are_all_kept() {
    let rule = |time: &str, name: &str, to: &str| {
        format!(
            r#"{{"CreationTime":"{time}","Id":"00000000-0000-0000-0000-000000000000","Operation":"UpdateInboxRules","RecordType":2,"ResultStatus":"Succeeded","Workload":"Exchange","UserId":"jdupont","ClientIPAddress":"198.51.100.23","ClientInfoString":"Client=MSExchangeRPC","MailboxOwnerUPN":"jean.dupont@exemple.fr","OperationProperties":[{{"Name":"RuleOperation","Value":"AddMailboxRule"}},{{"Name":"RuleName","Value":"{name}"}},{{"Name":"RuleState","Value":"Enabled"}},{{"Name":"RuleActions","Value":"[{{\"ActionType\":\"Forward\",\"Recipients\":[\"{to}\"],\"ForwardFlags\":\"None\"}}]"}}]}}"#
        )
    };
    let login = |time: &str| {
        format!(
            r#"{{"CreationTime":"{time}","Id":"00000000-0000-0000-0000-000000000000","Operation":"MailboxLogin","RecordType":2,"ResultStatus":"Succeeded","Workload":"Exchange","UserId":"jdupont","ClientIPAddress":"198.51.100.23"}}"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        login("2024-06-03T08:15:00"),
        login("2024-06-03T08:15:01"),
        rule("2024-06-03T08:15:42", "sync", "x@gmail.example"),
        rule("2024-06-03T08:16:10", "sync2", "y@gmail.example"),
    ];
    let f = write(dir.path(), "audit.json", &lines);
    let s = scan_paths(&[f]);
    assert_eq!(s.problem_count(), 0);
    assert_eq!((events(&s), duplicates(&s)), (4, 0));
    assert!(fired(&s, DetectorId::InboxRule) >= 1);
}

#[test]
fn cloudtrail_records_sharing_an_event_id_differ_by_name_and_time() {
    let rec = |time: &str, name: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"aws-cli","eventID":"11111111-2222-3333-4444-555555555555","userIdentity":{{"type":"IAMUser","userName":"pedro","accessKeyId":"AKIAEXAMPLE"}}}}"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let lines = vec![
        rec("2020-09-14T00:44:00Z", "DescribeInstances"),
        rec("2020-09-14T00:44:00Z", "DescribeVolumes"),
        rec("2020-09-14T00:45:00Z", "DescribeInstances"),
        // A true copy: same id, time and name.
        rec("2020-09-14T00:45:00Z", "DescribeInstances"),
    ];
    let f = write(dir.path(), "trail.json", &lines);
    let s = scan_paths(&[f]);
    assert_eq!(s.problem_count(), 0);
    assert_eq!((events(&s), duplicates(&s)), (3, 1));
}

#[test]
fn an_evtx_file_loaded_twice_counts_once() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/windows-security/evtx/smb-password-guessing-security.evtx");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.evtx");
    std::fs::copy(&corpus, &copy).unwrap();
    let once = scan_paths(std::slice::from_ref(&corpus));
    let twice = scan_paths(&[corpus, copy]);
    assert_eq!(events(&once), 3561);
    assert_eq!((events(&twice), duplicates(&twice)), (3561, 3561));
    let count = |s: &Session| {
        s.findings
            .all()
            .iter()
            .map(|f| (f.detector, f.event_count))
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&once), count(&twice));
}

#[test]
fn okta_cloudtrail_and_unified_audit_exports_loaded_twice_count_once() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    for rel in [
        "okta/elastic-beats/okta-system-test.json.log",
        "aws-cloudtrail/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "m365-audit/otrf-sentinel/OfficeActivityEvents.json",
        "m365-audit/elastic-beats/02-exchange-item.log",
    ] {
        let src = root.join(rel);
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join(src.file_name().unwrap());
        std::fs::copy(&src, &copy).unwrap();
        let once = scan_paths(std::slice::from_ref(&src));
        let twice = scan_paths(&[src, copy]);
        assert!(events(&once) > 0, "{rel}");
        assert_eq!(duplicates(&once), 0, "{rel}: no copies inside the file");
        assert_eq!(
            (events(&twice), duplicates(&twice)),
            (events(&once), events(&once)),
            "{rel}"
        );
        assert_accounted(&twice);
    }
}

#[test]
fn the_ingest_summary_shows_duplicates_only_when_there_are_some() {
    let dir = tempfile::tempdir().unwrap();
    let lines = three_failures_then_success(graph);
    let a = write(dir.path(), "a.json", &lines);
    let summary = |s: &Session, verbose: bool| {
        let mut out = Vec::new();
        hunt::report::write_ingest_summary(&mut out, s, verbose).unwrap();
        String::from_utf8(out).unwrap()
    };
    let once = scan_paths(std::slice::from_ref(&a));
    assert!(!summary(&once, false).contains("duplicate"));
    let b = write(dir.path(), "b.json", &lines);
    let twice = scan_paths(&[a, b]);
    let text = summary(&twice, false);
    assert!(
        text.contains("4 events, 0 records ignored, 0 problems, 4 duplicate records"),
        "{text}"
    );
    let verbose = summary(&twice, true);
    assert!(
        verbose.contains("events, 0 ignored, 0 problems)"),
        "{verbose}"
    );
    assert!(verbose.contains("0 problems, 4 duplicates)"), "{verbose}");
}

#[test]
fn a_windows_event_as_winlogbeat_and_nxlog_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let beat = |stamp: &str, record: u32| {
        format!(
            r#"{{"@timestamp":"{stamp}","winlog":{{"event_id":4625,"computer_name":"DC01.contoso.local","record_id":{record},"channel":"Security","event_data":{{"TargetUserName":"alice","TargetDomainName":"CONTOSO","LogonType":"3","IpAddress":"203.0.113.5","Status":"0xc000006d","SubStatus":"0xc000006a"}}}}}}"#
        )
    };
    let nxlog = r#"{"@timestamp":"2024-03-01T10:00:01Z","EventTime":"2024-03-01 10:00:01","EventID":4625,"Hostname":"dc01.contoso.local","RecordNumber":"12345","Channel":"Security","TargetUserName":"alice","TargetDomainName":"CONTOSO","LogonType":"3","IpAddress":"203.0.113.5","Status":"0xc000006d","SubStatus":"0xc000006a"}"#;
    let a = write(
        dir.path(),
        "winlogbeat.json",
        &[
            beat("2024-03-01T10:00:01.123Z", 12345),
            // The same record number a year later: the log was cleared, another event.
            beat("2025-03-01T10:00:01.123Z", 12345),
            beat("2024-03-01T10:00:01.500Z", 12346),
        ],
    );
    let b = write(dir.path(), "nxlog.json", &[nxlog.to_string()]);
    let s = scan_paths(&[a, b]);
    assert_eq!(s.problem_count(), 0);
    assert_eq!((events(&s), duplicates(&s)), (3, 1));
    assert_accounted(&s);
}

#[test]
fn panther_rule_test_cases_sharing_an_id_are_not_copies() {
    // Rule-test files hold hand-made variants of one log (same uuid, another
    // outcome): each test case is its own record.
    let dir = tempfile::tempdir().unwrap();
    let case = |outcome: &str| {
        format!(
            r#"{{"Name":"{outcome}","ExpectedResult":true,"Log":{{"uuid":"2c4e6f80-0000-4000-8000-000000000001","published":"2024-03-01T10:00:00Z","eventType":"user.session.start","actor":{{"alternateId":"alice@contoso.com","type":"User"}},"client":{{"ipAddress":"203.0.113.5"}},"outcome":{{"result":"{outcome}"}},"p_log_type":"Okta.SystemLog"}}}}"#
        )
    };
    let doc = format!(r#"{{"tests":[{},{}]}}"#, case("FAILURE"), case("SUCCESS"));
    let f = write(dir.path(), "okta_rule_tests.json", &[doc]);
    let s = scan_paths(&[f]);
    assert_eq!((events(&s), duplicates(&s)), (2, 0));
}

#[test]
fn overlapping_graph_pages_count_once() {
    // Two `auditLogs/signIns` pages over overlapping time ranges (JSON
    // documents, not lines): the sign-ins in both are loaded once.
    let dir = tempfile::tempdir().unwrap();
    let user = "pradeep.gupta@contoso.com";
    let page = |from: u32, to: u32| {
        let rows: Vec<String> = (from..=to)
            .map(|n| graph(n, user, 50126, "192.0.2.77"))
            .collect();
        vec![format!(
            r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[{}]}}"#,
            rows.join(",")
        )]
    };
    let a = write(dir.path(), "page1.json", &page(1, 6));
    let b = write(dir.path(), "page2.json", &page(4, 9));
    let s = scan_paths(&[a, b]);
    assert_eq!(s.problem_count(), 0);
    assert_eq!((events(&s), duplicates(&s)), (9, 3));
    assert_accounted(&s);
}

/// A mixed tenant: the same sign-ins as one Sentinel export and as five
/// Graph pages. The Graph shape is the more complete (it carries the
/// location) and its times have other sub-second digits than Sentinel's,
/// so which copy is kept shows in every finding's `first_seen` and id.
fn mixed_tenant(dir: &Path) -> Vec<PathBuf> {
    let spray_ip = "203.0.113.50";
    let mut rows: Vec<(u32, String, u32, String)> = Vec::new();
    // A password spray: one address, 14 users, two bad passwords each.
    for n in 0..28u32 {
        rows.push((
            n * 4,
            format!("user{:02}@contoso.com", n % 14),
            50126,
            spray_ip.into(),
        ));
    }
    // A brute force on one account from another address, then a success.
    for n in 0..12u32 {
        rows.push((
            200 + n * 3,
            "diego.siciliani@contoso.com".into(),
            50126,
            "198.51.100.23".into(),
        ));
    }
    rows.push((
        240,
        "diego.siciliani@contoso.com".into(),
        0,
        "198.51.100.23".into(),
    ));
    let stamp =
        |sec: u32, frac: &str| format!("2024-03-01T10:{:02}:{:02}.{frac}Z", sec / 60, sec % 60);
    let rid = |i: usize| format!("5e0c{i:04}-0b7e-4c1d-9a55-1d2e3f4a5b6c");
    let sentinel: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (sec, user, code, ip))| {
            format!(
                r#"{{"TimeGenerated":"{}","Type":"SigninLogs","Id":"{}","UserPrincipalName":"{user}","IPAddress":"{ip}","ResultType":"{code}","AppDisplayName":"Office 365"}}"#,
                stamp(*sec, "5000000"),
                rid(i).to_uppercase()
            )
        })
        .collect();
    let graph: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (sec, user, code, ip))| {
            format!(
                r#"{{"id":"{}","createdDateTime":"{}","userPrincipalName":"{user}","ipAddress":"{ip}","status":{{"errorCode":{code}}},"appDisplayName":"Office 365","clientAppUsed":"Browser","location":{{"city":"Lagos","countryOrRegion":"NG"}}}}"#,
                rid(i),
                stamp(*sec, "123")
            )
        })
        .collect();
    let mut files = vec![write(dir, "sentinel-signins.json", &sentinel)];
    for (k, page) in graph.chunks(10).enumerate() {
        files.push(write(dir, &format!("graph-page-{k}.json"), page));
    }
    files
}

/// What a run gives that must not depend on timing or input order: the
/// findings (id, detector, first seen, evidence as file name and line) and
/// the `hunt events` output with file names.
fn run_outcome(files: &[PathBuf]) -> (Vec<String>, String) {
    let s = scan_paths(files);
    assert_accounted(&s);
    let name = |f: u32| {
        Path::new(&s.sources[f as usize].name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let mut findings: Vec<String> = s
        .findings
        .all()
        .iter()
        .map(|f| {
            let ev: Vec<String> = f
                .evidence
                .iter()
                .map(|&i| {
                    let e = s.store.get(i);
                    format!("{}:{}", name(e.origin.file), e.origin.line)
                })
                .collect();
            format!("{} {} {} {}", f.id, f.detector, f.first_seen, ev.join(","))
        })
        .collect();
    findings.sort();
    let (inputs, _) = hunt::ingest::read::expand(files);
    let (out, _) = hunt::export::run::events_to_vec(
        inputs,
        hunt::enrich::Enricher::none(),
        &hunt::export::run::EventsOptions::new(hunt::export::write::EventsFormat::Jsonl),
    )
    .unwrap();
    let mut events = String::from_utf8(out).unwrap();
    // Rows name their input by path: keep only the file name.
    let prefix = format!("{}/", files[0].parent().unwrap().display());
    events = events.replace(&prefix, "");
    (findings, events)
}

#[test]
fn twenty_runs_of_a_sentinel_and_graph_tenant_keep_the_same_copies() {
    let dir = tempfile::tempdir().unwrap();
    let files = mixed_tenant(dir.path());
    let mut first: Option<(Vec<String>, String)> = None;
    for run in 0..20 {
        // Every order of naming the inputs, and whatever the threads do.
        let mut order = files.clone();
        order.rotate_left(run % files.len());
        if run % 2 == 1 {
            order.reverse();
        }
        let outcome = run_outcome(&order);
        match &first {
            None => first = Some(outcome),
            Some(f) => {
                assert_eq!(f.0, outcome.0, "run {run}: findings differ ({order:?})");
                assert_eq!(f.1, outcome.1, "run {run}: hunt events differs ({order:?})");
            }
        }
    }
    let (findings, events) = first.unwrap();
    assert!(
        findings.iter().any(|f| f.contains(" password_spray ")),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f.contains(" brute_force ")),
        "{findings:#?}"
    );
    // The kept copies are the Graph ones (the more complete shape), in the
    // scan's evidence and in `hunt events` alike.
    for f in &findings {
        assert!(!f.contains("sentinel-signins.json"), "{f}");
    }
    assert_eq!(events.lines().count(), 41, "{events}");
    assert!(!events.contains("sentinel-signins.json"), "{events}");
    assert!(events.contains("Lagos"), "{events}");
}

#[test]
fn scan_verbose_says_how_many_copies_each_pair_of_inputs_merged() {
    let dir = tempfile::tempdir().unwrap();
    let files = mixed_tenant(dir.path());
    let out = assert_cmd::Command::cargo_bin("hunt")
        .unwrap()
        .arg("scan")
        .arg("-v")
        .args(&files)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // 41 sign-ins: pages of 10, 10, 10, 10 and 1, each page merged with
    // the Sentinel export, the Graph copy kept.
    for (page, n) in [(0, 10), (1, 10), (2, 10), (3, 10), (4, 1)] {
        let want = format!(
            "hunt: {n} copies merged between {} (kept) and {}",
            dir.path().join(format!("graph-page-{page}.json")).display(),
            dir.path().join("sentinel-signins.json").display()
        );
        assert!(err.contains(&want), "{want}\n{err}");
    }
    assert!(err.contains("41 duplicate records"), "{err}");
}

#[test]
fn evidence_names_every_copy_of_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let files = mixed_tenant(dir.path());
    let s = scan_paths(&files);
    let f = s
        .findings
        .all()
        .iter()
        .find(|f| f.detector == DetectorId::BruteForce)
        .unwrap();
    let evidence = hunt::report::evidence_json(&s, f);
    assert_eq!(evidence.len(), f.evidence.len());
    for e in &evidence {
        // The kept copy is a Graph page's; the Sentinel row is listed.
        assert!(e["file"].as_str().unwrap().contains("graph-page-"), "{e}");
        let copies = e["copies"].as_array().unwrap_or_else(|| panic!("{e}"));
        assert_eq!(copies.len(), 1, "{e}");
        assert!(
            copies[0]["file"]
                .as_str()
                .unwrap()
                .ends_with("sentinel-signins.json"),
            "{e}"
        );
        assert!(copies[0]["line"].as_u64().unwrap() >= 29, "{e}");
    }
}
