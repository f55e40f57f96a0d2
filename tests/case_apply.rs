//! Applying the case to findings: which allowlist entries match which
//! findings (own fields, evidence fields, detector scope, expiry), how
//! suppressions are set, kept and cleared, the per-entry counts, and the scan
//! glue (verdict JSON, recorded counts, snapshots refreshed) on a hand-built
//! session.

use chrono::{Duration, TimeZone, Utc};
use hunt::config::{AllowConfig, Config};
use hunt::enrich::Enricher;
use hunt::event::{Event, Kind, Source};
use hunt::finding::{DetectorId, Finding, Findings, Suppression};
use hunt::pipeline::Session;
use hunt::store::Store;
use hunt::triage::scan::ScanTriage;
use hunt::triage::{AllowEntry, AllowKind, Case, Class, Snapshot, Triage};
use std::collections::HashMap;

struct Ev<'a> {
    user: &'a str,
    ip: &'a str,
    country: &'a str,
    asn: u32,
    ua: &'a str,
}

fn push(store: &mut Store, e: Ev) -> u32 {
    let mut ev: Event = Event::new(1_700_000_000_000, Source::Entra, Kind::SignIn);
    ev.user = store.strings.intern(e.user);
    ev.ip = store.strings.intern(e.ip);
    ev.country = store.strings.intern(e.country);
    ev.user_agent = store.strings.intern(e.ua);
    ev.asn = e.asn;
    store.append(ev)
}

fn finding(det: DetectorId, user: Option<&str>, ip: Option<&str>, evidence: &[u32]) -> Finding {
    let entity = user.or(ip).unwrap_or("-");
    let mut f = Finding::new(
        det,
        entity,
        1_700_000_000_000,
        80,
        format!("{det} {entity}"),
    );
    f.user = user.map(str::to_string);
    f.ip = ip.map(str::to_string);
    for &i in evidence {
        f.add_evidence(i);
    }
    f
}

fn entry(id: i64, kind: AllowKind, value: &str, detectors: Vec<DetectorId>) -> AllowEntry {
    AllowEntry {
        id,
        kind,
        value: value.into(),
        detectors,
        note: format!("note {id}"),
        analyst: "alice".into(),
        created: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        expires: None,
        from_config: false,
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

/// A store with: alice from NL via 10.9.1.5 (AS9009, "Mozilla x"), twice;
/// bob from US via 198.51.100.7 and from NL via 10.9.1.6.
fn fixture() -> (Store, Findings) {
    let mut s = Store::new();
    let a1 = push(
        &mut s,
        Ev {
            user: "alice@contoso.com",
            ip: "10.9.1.5",
            country: "NL",
            asn: 9009,
            ua: "Mozilla x",
        },
    );
    let a2 = push(
        &mut s,
        Ev {
            user: "alice@contoso.com",
            ip: "10.9.1.5",
            country: "NL",
            asn: 9009,
            ua: "",
        },
    );
    let b1 = push(
        &mut s,
        Ev {
            user: "bob@contoso.com",
            ip: "198.51.100.7",
            country: "US",
            asn: 64500,
            ua: "curl/8",
        },
    );
    let b2 = push(
        &mut s,
        Ev {
            user: "bob@contoso.com",
            ip: "10.9.1.6",
            country: "NL",
            asn: 9009,
            ua: "curl/8",
        },
    );
    let mut fs = Findings::default();
    fs.upsert(finding(
        DetectorId::ImpossibleTravel,
        Some("alice@contoso.com"),
        None,
        &[a1, a2],
    ));
    fs.upsert(finding(
        DetectorId::ImpossibleTravel,
        Some("bob@contoso.com"),
        None,
        &[b1, b2],
    ));
    fs.upsert(finding(
        DetectorId::PasswordSpray,
        None,
        Some("10.9.1.5"),
        &[a1, a2],
    ));
    (s, fs)
}

fn suppressed_by(fs: &Findings) -> Vec<(String, Option<i64>)> {
    let mut v: Vec<_> = fs
        .all()
        .iter()
        .map(|f| (f.title.clone(), f.suppressed.as_ref().and_then(|s| s.entry)))
        .collect();
    v.sort();
    v
}

fn run(entries: Vec<AllowEntry>) -> (Findings, HashMap<i64, u64>) {
    let (s, mut fs) = fixture();
    let t = Triage {
        entries,
        verdicts: HashMap::new(),
    };
    let counts = t.apply(&mut fs, &s, now());
    (fs, counts)
}

#[test]
fn own_fields_match_directly() {
    let (fs, counts) = run(vec![entry(1, AllowKind::User, "Alice@Contoso.com", vec![])]);
    // alice's own finding, and the IP finding whose evidence is all alice's; not bob's.
    assert_eq!(counts[&1], 2);
    let alice = fs
        .all()
        .iter()
        .find(|f| f.user.as_deref() == Some("alice@contoso.com"))
        .unwrap();
    assert_eq!(
        alice.suppressed,
        Some(Suppression {
            entry: Some(1),
            note: "note 1".into()
        })
    );

    let (_, counts) = run(vec![entry(2, AllowKind::Cidr, "10.9.0.0/16", vec![])]);
    // The spray finding (own ip) and alice (every evidence IP inside); not bob (one IP outside).
    assert_eq!(counts[&2], 2);
    let (_, counts) = run(vec![entry(3, AllowKind::Ip, "10.9.1.5", vec![])]);
    assert_eq!(counts[&3], 2);
}

#[test]
fn evidence_fields_must_all_match() {
    let (_, counts) = run(vec![
        entry(1, AllowKind::Country, "nl", vec![]),
        entry(2, AllowKind::Asn, "AS9009", vec![]),
        entry(3, AllowKind::UserAgent, "MOZILLA", vec![]),
        entry(4, AllowKind::UserAgent, "curl", vec![]),
        entry(5, AllowKind::Country, "FR", vec![]),
    ]);
    // alice's and the spray's evidence are all NL / AS9009; bob's are not.
    assert_eq!(counts[&1], 2);
    assert_eq!(counts[&2], 2);
    // One of alice's events has no user agent: the one that has it decides.
    assert_eq!(counts[&3], 2);
    assert_eq!(counts[&4], 1);
    assert_eq!(
        counts[&5], 0,
        "a live entry that matched nothing is counted as 0"
    );
}

#[test]
fn scope_expiry_and_first_entry_wins() {
    let mut expired = entry(9, AllowKind::Country, "NL", vec![]);
    expired.expires = Some(now() - Duration::seconds(1));
    let (fs, counts) = run(vec![
        expired,
        entry(
            1,
            AllowKind::Cidr,
            "10.9.0.0/16",
            vec![DetectorId::PasswordSpray],
        ),
        entry(
            2,
            AllowKind::Asn,
            "9009",
            vec![DetectorId::PasswordSpray, DetectorId::ImpossibleTravel],
        ),
    ]);
    assert!(!counts.contains_key(&9), "expired entries never match");
    assert_eq!(counts[&1], 1);
    assert_eq!(counts[&2], 2);
    let got = suppressed_by(&fs);
    assert_eq!(
        got,
        vec![
            ("impossible_travel alice@contoso.com".to_string(), Some(2)),
            ("impossible_travel bob@contoso.com".to_string(), None),
            ("password_spray 10.9.1.5".to_string(), Some(1)),
        ]
    );
}

#[test]
fn suppressions_are_cleared_when_no_entry_matches_but_detector_ones_stay() {
    let (s, mut fs) = fixture();
    for f in fs.all_mut() {
        f.suppressed = Some(Suppression {
            entry: Some(77),
            note: "old entry".into(),
        });
    }
    let spray_id = fs
        .all()
        .iter()
        .find(|f| f.detector == DetectorId::PasswordSpray)
        .unwrap()
        .id
        .clone();
    fs.get_mut(&spray_id).unwrap().suppressed = Some(Suppression {
        entry: None,
        note: "shared egress".into(),
    });
    let t = Triage {
        entries: vec![entry(1, AllowKind::Cidr, "10.9.0.0/16", vec![])],
        verdicts: HashMap::new(),
    };
    let counts = t.apply(&mut fs, &s, now());
    assert_eq!(
        counts[&1], 2,
        "a detector-suppressed finding still counts as matched"
    );
    assert_eq!(
        fs.get(&spray_id).unwrap().suppressed.as_ref().unwrap().note,
        "shared egress"
    );
    let got = suppressed_by(&fs);
    assert_eq!(got[0].1, Some(1), "alice now by the live entry");
    assert_eq!(got[1].1, None, "bob's stale suppression is cleared");
    assert!(fs
        .all()
        .iter()
        .find(|f| f.user.as_deref() == Some("bob@contoso.com"))
        .unwrap()
        .suppressed
        .is_none());
}

#[test]
fn config_entries_apply_with_negative_ids() {
    let mut config = Config::default();
    config.allow.push(AllowConfig {
        kind: "user".into(),
        value: "bob@contoso.com".into(),
        note: "pentester".into(),
        detectors: vec![],
        expires: None,
    });
    let t = Triage::load(None, &config).unwrap();
    assert_eq!(t.entries.len(), 1);
    let (s, mut fs) = fixture();
    let counts = t.apply(&mut fs, &s, now());
    assert_eq!(counts[&-1], 1);
    let bob = fs
        .all()
        .iter()
        .find(|f| f.user.as_deref() == Some("bob@contoso.com"))
        .unwrap();
    assert_eq!(
        bob.suppressed,
        Some(Suppression {
            entry: Some(-1),
            note: "pentester".into()
        })
    );
}

#[test]
fn scan_glue_attaches_verdicts_records_counts_and_fills_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.sqlite");
    let (store, findings) = fixture();
    let alice = findings.all()[0].clone();
    {
        let case = Case::open(&path).unwrap();
        case.set_verdict(
            &Snapshot::id_only(&alice.id),
            Class::BenignPositive,
            Some("travelling"),
        )
        .unwrap();
        case.add_allow(&hunt::triage::NewAllow {
            kind: AllowKind::Cidr,
            value: "10.9.0.0/16".into(),
            detectors: vec![DetectorId::PasswordSpray],
            note: "VPN".into(),
            expires: None,
        })
        .unwrap();
    }
    let mut session = Session::new(Config::default(), Enricher::none());
    session.store = store;
    session.findings = findings;

    let mut triage = ScanTriage::open(Some(&path), &Config::default()).unwrap();
    triage.apply(&mut session);
    let v = triage.finding_json(&session, session.findings.get(&alice.id).unwrap());
    assert_eq!(v["verdict"]["class"], "benign_positive");
    assert_eq!(v["verdict"]["note"], "travelling");
    let bob = session.findings.all()[1].clone();
    assert!(triage.finding_json(&session, &bob)["verdict"].is_null());
    let spray = session.findings.all()[2].clone();
    assert_eq!(spray.suppressed.as_ref().unwrap().entry, Some(1));

    triage.record(&session).unwrap();
    let mut summary = Vec::new();
    triage.write_summary(&mut summary, &session, false).unwrap();
    let summary = String::from_utf8(summary).unwrap();
    assert!(
        summary.contains("1 findings suppressed (1 by allowlist entries"),
        "{summary}"
    );
    assert!(summary.contains("1 findings carry a verdict"), "{summary}");

    let case = Case::open(&path).unwrap();
    assert_eq!(case.last_scan().unwrap().matches[&1], 1);
    let snap = case.snapshot(&alice.id).unwrap().unwrap();
    assert_eq!(snap, Snapshot::of(&alice));
    assert!(
        case.snapshot(&bob.id).unwrap().is_none(),
        "unjudged findings are not stored"
    );
}

#[test]
fn scanning_without_a_case_file_does_not_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.sqlite");
    let (store, findings) = fixture();
    let mut session = Session::new(Config::default(), Enricher::none());
    session.store = store;
    session.findings = findings;
    let mut triage = ScanTriage::open(Some(&path), &Config::default()).unwrap();
    assert!(triage.case().is_none());
    triage.apply(&mut session);
    triage.record(&session).unwrap();
    assert!(!path.exists());
    assert!(session
        .findings
        .all()
        .iter()
        .all(|f| f.suppressed.is_none()));
}

#[test]
fn the_entity_comes_from_the_id_not_from_filled_fields() {
    let mut s = Store::new();
    let users = ["a@x.com", "b@x.com", "c@x.com"];
    let ev: Vec<u32> = users
        .iter()
        .map(|u| {
            push(
                &mut s,
                Ev {
                    user: u,
                    ip: "45.83.64.17",
                    country: "NL",
                    asn: 9009,
                    ua: "",
                },
            )
        })
        .collect();
    let t1 = push(
        &mut s,
        Ev {
            user: "d@x.com",
            ip: "10.0.0.1",
            country: "NL",
            asn: 1,
            ua: "",
        },
    );
    let t2 = push(
        &mut s,
        Ev {
            user: "d@x.com",
            ip: "45.83.64.17",
            country: "NL",
            asn: 9009,
            ua: "",
        },
    );
    let mut fs = Findings::default();
    // A spray about an IP that also names the user who signed in.
    let mut spray = finding(DetectorId::PasswordSpray, None, Some("45.83.64.17"), &ev);
    spray.user = Some("a@x.com".into());
    // A finding about a user whose `ip` is only the first of two.
    let mut travel = finding(
        DetectorId::ImpossibleTravel,
        Some("d@x.com"),
        None,
        &[t1, t2],
    );
    travel.ip = Some("10.0.0.1".into());
    fs.upsert(spray);
    fs.upsert(travel);
    let t = Triage {
        entries: vec![
            entry(1, AllowKind::User, "a@x.com", vec![]),
            entry(2, AllowKind::Ip, "10.0.0.1", vec![]),
        ],
        verdicts: HashMap::new(),
    };
    let counts = t.apply(&mut fs, &s, now());
    assert_eq!(
        counts[&1], 0,
        "allowlisting one signed-in user must not hide a spray"
    );
    assert_eq!(counts[&2], 0, "one of the user's IPs is not all of them");
    let t = Triage {
        entries: vec![entry(3, AllowKind::Ip, "45.83.64.17", vec![])],
        verdicts: HashMap::new(),
    };
    assert_eq!(t.apply(&mut fs, &s, now())[&3], 1, "the spray's own IP");
    assert_eq!(Snapshot::of(&fs.all()[0]).entity, "45.83.64.17");
}
