//! Corpus-driven tests for the Entra, Okta and Panther-test parsers: every
//! record of the real samples in `shared/corpus` goes through the same
//! sniff → decode path as a run, and the event / ignored / problem counts
//! and the key fields are pinned. Formats parsed by other modules
//! (CloudTrail in the Panther cross-source file) are counted but not pinned.

use hunt::event::{flags, Batch, Kind, Origin, Outcome, Source, Txt};
use hunt::ingest::decode::{json_document, json_lines, parse_record};
use hunt::ingest::read::Chunk;
use hunt::ingest::sniff::{document_records, sniff, Layout};
use hunt::ingest::time::parse_time;
use hunt::ingest::{reason, FileStats, Format, RecordCx, Reject};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus(rel: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for up in ["../shared/corpus", "../../shared/corpus"] {
        let p = root.join(up).join(rel);
        if p.exists() {
            return p;
        }
    }
    panic!("corpus file {rel} not found next to {}", root.display());
}

/// Loads a file the way a run does: sniff the layout, then decode.
fn load(rel: &str) -> (Batch, FileStats) {
    let data = std::fs::read(corpus(rel)).unwrap();
    let mut stats = FileStats::default();
    let batch = match sniff(&data[..data.len().min(64 * 1024)]) {
        Layout::JsonLines(format) => {
            let chunk = Chunk {
                unterminated: !data.ends_with(b"\n"),
                data,
                offset: 0,
                first_line: 1,
            };
            json_lines(&chunk, 0, format, 1 << 20, &mut stats)
        }
        Layout::JsonDocument => json_document(std::str::from_utf8(&data).unwrap(), 0, &mut stats),
        other => panic!("{rel}: unexpected layout {other:?}"),
    };
    (batch, stats)
}

fn counts(stats: &FileStats) -> (u64, u64, u64, u64) {
    (
        stats.records,
        stats.events,
        stats.ignored_count(),
        stats.problem_count(),
    )
}

fn text<'b>(b: &'b Batch) -> impl Fn(Txt) -> &'b str {
    move |t| b.text.get(t)
}

#[test]
fn elastic_diagnostic_records_route_by_category() {
    let (b, s) = load("entra-signin/elastic-pipeline/test-signinlogs-raw.log");
    assert_eq!(counts(&s), (5, 2, 3, 0), "{s:?}");
    assert_eq!(s.ignored.get("service principal sign-in"), Some(&3));
    let d = b.drafts[0];
    let t = text(&b);
    assert_eq!((d.source, d.kind), (Source::Entra, Kind::SignIn));
    assert_eq!(t(d.user), "test@elastic.co");
    // 50140 (keep me signed in) is an interruption, not a password failure.
    assert_eq!(d.outcome, Outcome::Interrupted);
    assert_eq!(t(d.result_code), "50140");
    assert_eq!(t(d.ip), "81.2.69.144");
    assert_eq!((t(d.country), t(d.city)), ("FR", "Champs-Sur-Marne"));
    assert!((d.lat - 48.1234).abs() < 1e-3 && (d.lon - 2.1234).abs() < 1e-3);
    assert_eq!(d.time, parse_time("2019-10-18T09:45:48.072Z").unwrap());
    // The second record is NonInteractiveUserSignInLogs.
    assert_ne!(b.drafts[1].flags & flags::NON_INTERACTIVE, 0);
}

#[test]
fn elastic_sample_non_interactive_and_adfs() {
    let (b, s) = load("entra-signin/elastic-pipeline/test-signinlogs-sample.log");
    assert_eq!(counts(&s), (2, 2, 0, 0), "{s:?}");
    for d in &b.drafts {
        let t = text(&b);
        assert_eq!(d.outcome, Outcome::Success);
        assert_eq!(t(d.user), "mpliftrelastic20210901@outlook.com");
        assert_eq!(t(d.ip), "1.128.3.4");
        assert_eq!(t(d.country), "IN");
        assert_eq!(t(d.app), "Azure Portal");
        assert_eq!(t(d.auth_requirement), "singleFactorAuthentication");
        assert_eq!(d.asn, 55836);
    }

    let (b, s) = load("entra-signin/elastic-pipeline/test-non-interactive-user-signin.log");
    assert_eq!(counts(&s), (1, 1, 0, 0), "{s:?}");
    let d = b.drafts[0];
    assert_eq!(b.text.get(d.user), "nikhita.sethi@cyberfortgroup.com");
    assert_eq!(b.text.get(d.country), "GB");
    assert_eq!(d.asn, 5089);
    assert_ne!(d.flags & flags::NON_INTERACTIVE, 0);

    let (b, s) = load("entra-signin/elastic-pipeline/test-adfs-signin.log");
    assert_eq!(counts(&s), (1, 1, 0, 0), "{s:?}");
    let d = b.drafts[0];
    assert_eq!(b.text.get(d.user), "april.oniel@turtles.com");
    assert_eq!(b.text.get(d.ip), "10.205.19.37");
    assert_eq!(d.outcome, Outcome::Success);
    // properties.createdDateTime wins over the US-format `time`.
    assert_eq!(d.time, parse_time("2025-12-12T14:56:31Z").unwrap());
    assert!(!d.has_coords(), "0,0 coordinates are absent");
    assert!(b.text.get(d.country).is_empty());
}

#[test]
fn graph_beta_page_with_duplicate_keys() {
    let (b, s) = load("entra-signin/graph-api/signin-list-beta-example1.response.json");
    assert_eq!(counts(&s), (1, 1, 0, 0), "{s:?}");
    let d = b.drafts[0];
    let t = text(&b);
    assert_eq!(d.outcome, Outcome::Failure);
    assert_eq!(t(d.result_code), "50126");
    assert_eq!(t(d.user), "testaccount1@contoso.com");
    assert_eq!(t(d.ip), "131.107.159.37");
    assert_eq!((t(d.country), t(d.city)), ("US", "Redmond"));
    assert_eq!(d.asn, 3598);
    assert_eq!(t(d.client_app), "Browser");
    // Duplicate homeTenantId: the last value wins.
    assert_eq!(t(d.home_tenant), "99081087-73c4-48d1-a112-f60ff75114f7");
    assert_eq!(t(d.resource_tenant), "99081087-73c4-48d1-a112-f60ff75114f7");
    assert_eq!(d.flags & flags::NON_INTERACTIVE, 0);
    assert_eq!(d.time, parse_time("2021-06-30T16:34:32Z").unwrap());
}

#[test]
fn panther_azure_signin_tests() {
    let (b, s) = load("entra-signin/panther/panther-tests_azure_signin.json");
    assert_eq!(counts(&s), (24, 16, 8, 0), "{s:?}");
    assert_eq!(s.ignored.get("service principal sign-in"), Some(&8));
    assert!(b.drafts.iter().all(|d| d.source == Source::Entra));
    let by_user = |u: &str| {
        b.drafts
            .iter()
            .find(|d| b.text.get(d.user) == u)
            .copied()
            .unwrap_or_else(|| panic!("no event for {u}"))
    };
    let locked = by_user("boromir@lotr.com");
    assert_eq!(locked.outcome, Outcome::Failure);
    assert_eq!(b.text.get(locked.result_code), "50053");
    let legacy = by_user("eve@lexcorp.com");
    assert_eq!(legacy.outcome, Outcome::Success);
    assert_eq!(b.text.get(legacy.client_app), "Authenticated SMTP");
    assert_eq!(
        b.text.get(legacy.ip),
        "12.12.12.12",
        "properties.ipAddress over calleripaddress"
    );
    assert_eq!(legacy.time, parse_time("2023-07-21T05:03:52.160Z").unwrap());
    let graph = by_user("jane.doe@example.com");
    assert_ne!(graph.flags & flags::NON_INTERACTIVE, 0);
    assert_eq!(
        b.text.get(graph.session_id),
        "00baf379-e510-523f-1c0e-346163d4a768"
    );
    let failures = b
        .drafts
        .iter()
        .filter(|d| d.outcome == Outcome::Failure)
        .count();
    assert_eq!(failures, 4);
}

#[test]
fn sentinel_audit_rows_are_ignored() {
    let (b, s) = load("entra-signin/otrf-sentinel/AADAuditEvents.json");
    assert!(b.is_empty());
    assert_eq!(counts(&s), (4, 0, 4, 0), "{s:?}");
    // Two are AuditLogs rows (named for what they are); two carry other
    // table names (Application, ServicePrincipal) with audit columns.
    assert_eq!(
        s.ignored.get("Entra directory audit log (not a sign-in)"),
        Some(&2)
    );
    assert_eq!(
        s.ignored.get("Entra audit log row (not a sign-in)"),
        Some(&2)
    );
}

#[test]
fn okta_beats_log_events() {
    let (b, s) = load("okta/elastic-beats/okta-system-test.json.log");
    assert_eq!(counts(&s), (7, 7, 0, 0), "{s:?}");
    assert!(b.drafts.iter().all(|d| d.source == Source::Okta));
    let signins: Vec<_> = b.drafts.iter().filter(|d| d.kind == Kind::SignIn).collect();
    assert_eq!(signins.len(), 3);
    let d = *signins
        .iter()
        .find(|d| b.text.get(d.ip) == "81.2.69.144")
        .expect("the AS14618 sign-in");
    let t = text(&b);
    assert_eq!(t(d.user), "test@test.com");
    assert_eq!(d.outcome, Outcome::Success);
    assert_eq!(d.asn, 14618);
    assert_eq!(t(d.as_org), "amazon data services nova");
    assert_eq!((t(d.country), t(d.city)), ("US", "Ashburn"));
    assert_eq!(t(d.session_id), "xxxxxx");
    assert_eq!(t(d.user_agent), "blah");
    assert_eq!(d.flags & flags::IS_PROXY, 0);
    assert_eq!(d.time, parse_time("2022-05-11T09:25:18.716Z").unwrap());
    let audit: Vec<&str> = b
        .drafts
        .iter()
        .filter(|d| d.kind == Kind::Audit)
        .map(|d| b.text.get(d.operation))
        .collect();
    assert_eq!(
        audit,
        [
            "user.session.end",
            "policy.evaluate_sign_on",
            "policy.evaluate_sign_on",
            "user.account.report_suspicious_activity_by_enduser"
        ]
    );
}

#[test]
fn panther_okta_tests() {
    let (b, s) = load("okta/panther/panther-tests_okta.json");
    assert_eq!(counts(&s), (66, 58, 0, 8), "{s:?}");
    // Eight tests carry "published": "redacted" or "" and no p_event_time.
    assert_eq!(s.problems.get(reason::BAD_TIME), Some(&8));
    let signins = b.drafts.iter().filter(|d| d.kind == Kind::SignIn).count();
    assert_eq!(signins, 13);
    let proxied: Vec<_> = b
        .drafts
        .iter()
        .filter(|d| d.flags & flags::IS_PROXY != 0)
        .collect();
    assert_eq!(proxied.len(), 2);
    for d in proxied {
        assert_eq!(d.outcome, Outcome::Failure);
        assert_eq!(b.text.get(d.user), "homer.simpson@duff.com");
        assert_eq!(
            b.text.get(d.result_code),
            "FastPass declined phishing attempt"
        );
    }
    let spray = b
        .drafts
        .iter()
        .find(|d| b.text.get(d.operation) == "security.threat.detected")
        .unwrap();
    assert_eq!(spray.kind, Kind::Audit);
    assert_eq!(spray.asn, 62240);
}

/// Tallies of one Panther cross-source entry group: events by source, rejections by reason.
#[derive(Default, Debug, PartialEq)]
struct Tally {
    events: BTreeMap<&'static str, usize>,
    rejects: BTreeMap<&'static str, usize>,
}

#[test]
fn panther_cross_source_okta_and_azure_entries() {
    let doc = std::fs::read_to_string(corpus(
        "cross-source-panther/panther-tests_standard_auth.json",
    ))
    .unwrap();
    let (format, records) = document_records(&doc).unwrap();
    assert_eq!(format, Some(Format::PantherTests));
    assert_eq!(records.len(), 56);
    let mut by_type: BTreeMap<String, Tally> = BTreeMap::new();
    let mut batch = Batch::default();
    for (raw, _) in records {
        let v: serde_json::Value = serde_json::from_str(raw).unwrap();
        let log_type = v["log"]["p_log_type"].as_str().unwrap_or("?").to_string();
        let before = batch.drafts.len();
        let res = parse_record(
            format,
            raw,
            &mut RecordCx::new(&mut batch, Origin::default()),
        );
        let tally = by_type.entry(log_type).or_default();
        for d in &batch.drafts[before..] {
            *tally.events.entry(d.source.as_str()).or_default() += 1;
        }
        match res {
            Ok(()) => {}
            Err(Reject::Ignored(r)) | Err(Reject::Problem(r, _)) => {
                *tally.rejects.entry(r).or_default() += 1
            }
        }
    }
    let okta = &by_type["Okta.SystemLog"];
    assert_eq!(okta.events, BTreeMap::from([("okta", 15)]));
    assert_eq!(
        okta.rejects,
        BTreeMap::from([(reason::BAD_TIME, 2)]),
        "the two bare 'logout' tests"
    );
    let azure = &by_type["Azure.Audit"];
    assert!(azure.events.is_empty());
    assert_eq!(
        azure.rejects,
        BTreeMap::from([("service principal sign-in", 1)])
    );
    let unsupported: usize = by_type
        .iter()
        .filter(|(t, _)| {
            !matches!(
                t.as_str(),
                "Okta.SystemLog" | "Azure.Audit" | "AWS.CloudTrail"
            )
        })
        .map(|(t, tally)| {
            assert!(tally.events.is_empty(), "{t}: {tally:?}");
            tally
                .rejects
                .get("unsupported log source")
                .copied()
                .unwrap_or_default()
        })
        .sum();
    assert_eq!(unsupported, 30);
    // The Russian Okta sign-in keeps its country for the rogue-state case.
    let ru: Vec<_> = batch
        .drafts
        .iter()
        .filter(|d| d.source == Source::Okta && batch.text.get(d.country) == "RU")
        .collect();
    assert_eq!(ru.len(), 1);
    assert_eq!(batch.text.get(ru[0].user), "dude.lightbulb@example.co");
}

/// Hand-written Sentinel rows as `az monitor log-analytics query` prints
/// them (dynamic columns as JSON text, numbers as strings), sniffed like a file.
#[test]
fn sentinel_rows_through_sniffing() {
    let ndjson = concat!(
        r#"{"TimeGenerated":"2024-03-01T10:00:00Z","Type":"SigninLogs","UserPrincipalName":"Alice@Contoso.com","IPAddress":"203.0.113.9","ResultType":"50126","LocationDetails":"{\"countryOrRegion\":\"NG\",\"city\":\"Lagos\",\"geoCoordinates\":{\"latitude\":\"6.45\",\"longitude\":\"3.39\"}}","RiskEventTypes_V2":"[]","AutonomousSystemNumber":"9009","IsInteractive":"True"}"#,
        "\n",
        r#"{"TimeGenerated":"2024-03-01T10:05:00Z","Type":"AADNonInteractiveUserSignInLogs","UserPrincipalName":"alice@contoso.com","IPAddress":"203.0.113.9","ResultType":0,"Location":"NG","SessionId":"s-1"}"#,
        "\n",
        r#"{"TimeGenerated":"2024-03-01T10:06:00Z","Type":"SigninLogs","UserPrincipalName":"m\u001b[2Jallory@contoso.com","IPAddress":"203.0.113.10","ResultType":"50053"}"#,
        "\n",
        r#"{"TimeGenerated":"2024-03-01T10:07:00Z","Type":"SigninLogs","UserPrincipalName":"x@contoso.com","ResultType":"0""#,
        "\n",
    );
    assert_eq!(
        sniff(ndjson.as_bytes()),
        Layout::JsonLines(Some(Format::SentinelSignin))
    );
    let chunk = Chunk {
        data: ndjson.as_bytes().to_vec(),
        offset: 0,
        first_line: 1,
        unterminated: false,
    };
    let mut stats = FileStats::default();
    let b = json_lines(&chunk, 0, Some(Format::SentinelSignin), 1 << 20, &mut stats);
    assert_eq!(counts(&stats), (4, 3, 0, 1), "{stats:?}");
    let bad = &stats.first_problems[0];
    assert_eq!((bad.line, bad.reason), (4, reason::MALFORMED_JSON));
    assert!(bad.detail.contains("column"), "{}", bad.detail);
    let t = text(&b);
    let [first, second, third] = [b.drafts[0], b.drafts[1], b.drafts[2]];
    assert_eq!(first.outcome, Outcome::Failure);
    assert_eq!(
        (t(first.user), t(first.country), first.asn),
        ("alice@contoso.com", "NG", 9009)
    );
    assert!((first.lat - 6.45).abs() < 1e-4);
    assert_eq!(first.flags & flags::NON_INTERACTIVE, 0);
    assert_eq!(second.outcome, Outcome::Success);
    assert_ne!(second.flags & flags::NON_INTERACTIVE, 0);
    assert_eq!((t(second.country), t(second.session_id)), ("NG", "s-1"));
    assert_eq!(t(third.user), "m\u{1b}[2jallory@contoso.com");
    assert_eq!(third.origin.line, 3);
}

/// Panther-style lower-case keys next to the camelCase ones collide as serde
/// aliases; the last-wins retry cannot fix that, so it must end as a problem.
#[test]
fn alias_collisions_are_problems_not_loops() {
    let raw = r#"{"published":"2022-01-01T00:00:00Z","eventType":"user.session.start","eventtype":"user.session.start","actor":{"alternateId":"a@b.c"}}"#;
    let mut batch = Batch::default();
    let res = parse_record(
        Some(Format::Okta),
        raw,
        &mut RecordCx::new(&mut batch, Origin::default()),
    );
    assert!(
        matches!(&res, Err(Reject::Problem(_, d)) if d.contains("duplicate field")),
        "{res:?}"
    );
    assert!(batch.is_empty());
}
