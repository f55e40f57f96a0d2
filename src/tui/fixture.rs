//! Synthetic sessions for the TUI's snapshot tests and benchmarks: drafts
//! fed through `Session::handle` like a real load (so sources, progress and
//! counters are real), with the detectors switched off and findings added
//! by hand, so screens can be tested without depending on detector output.
//! Not used by the product itself.

use crate::config::Config;
use crate::enrich::Enricher;
use crate::event::{Batch, Draft, Kind, Millis, Outcome, Source};
use crate::finding::{DetectorId, Finding};
use crate::ingest::read::Input;
use crate::ingest::stats::FileStats;
use crate::pipeline::{IngestMsg, Session};
use serde_json::json;
use std::path::PathBuf;

/// 2024-05-01T08:00:00Z.
pub const T0: Millis = 1_714_550_400_000;
const MIN: Millis = 60_000;

/// A config with every detector off (findings come from the fixture).
pub fn quiet_config() -> Config {
    let mut c = Config::default();
    let d = &mut c.detectors;
    d.credential_stuffing.enabled = false;
    d.password_spray.enabled = false;
    d.impossible_travel.enabled = false;
    d.hosting_asn.enabled = false;
    d.identity_risk.enabled = false;
    d.legacy_auth.enabled = false;
    d.inbox_rule.enabled = false;
    d.bulk_send.enabled = false;
    d.cloud_recon.enabled = false;
    d.session_anomaly.enabled = false;
    c
}

/// One sign-in row for [`push`].
pub struct Row<'a> {
    pub min: i64,
    pub user: &'a str,
    pub ip: &'a str,
    pub outcome: Outcome,
    pub cc: &'a str,
    pub city: &'a str,
    pub coords: Option<(f32, f32)>,
    pub asn: u32,
    pub org: &'a str,
    pub app: &'a str,
    pub code: &'a str,
}

pub fn push(b: &mut Batch, file: u32, line: u32, r: &Row) {
    let mut d = Draft::new(T0 + r.min * MIN, Source::Entra, Kind::SignIn);
    d.user = b.text.put_lower(r.user);
    d.ip = b.text.put(r.ip);
    d.outcome = r.outcome;
    d.country = b.text.put(r.cc);
    d.city = b.text.put(r.city);
    if let Some((lat, lon)) = r.coords {
        d.lat = lat;
        d.lon = lon;
    }
    d.asn = r.asn;
    d.as_org = b.text.put(r.org);
    d.app = b.text.put(r.app);
    d.client_app = b.text.put("Browser");
    d.result_code = b.text.put(r.code);
    d.origin = crate::event::Origin {
        file,
        line,
        offset: (line as u64 - 1) * 200,
        len: 199,
    };
    b.drafts.push(d);
}

fn signin<'a>(min: i64, user: &'a str, ip: &'a str, outcome: Outcome) -> Row<'a> {
    Row {
        min,
        user,
        ip,
        outcome,
        cc: "",
        city: "",
        coords: None,
        asn: 0,
        org: "",
        app: "Office 365 Exchange Online",
        code: if outcome == Outcome::Failure {
            "50126"
        } else {
            "0"
        },
    }
}

/// Loads batches into a session the way the pipeline does, file by file, to the end.
pub fn load(session: &mut Session, files: Vec<(&str, &str, Batch, FileStats)>) {
    let first = session.sources.len() as u32;
    let inputs: Vec<Input> = files
        .iter()
        .map(|(n, ..)| Input::Path(PathBuf::from(n)))
        .collect();
    session.add_sources(&inputs, false);
    for (i, (_, format, batch, mut stats)) in files.into_iter().enumerate() {
        let file = first + i as u32;
        let size = batch.len() as u64 * 200;
        session.handle(IngestMsg::Opened {
            file,
            format: format.to_string(),
            size: Some(size),
        });
        stats.records += batch.len() as u64;
        stats.events += batch.len() as u64;
        session.handle(IngestMsg::Batch {
            file,
            seq: 0,
            batch,
            stats,
        });
        session.handle(IngestMsg::Progress { file, bytes: size });
        session.handle(IngestMsg::Finished { file, batches: 1 });
    }
    if session.pending() > 0 {
        session.release();
    }
    session.take_changes();
}

/// Ids of the demo findings, for tests.
pub struct DemoIds {
    pub spray: String,
    pub travel: String,
    pub stuffing: String,
    pub inbox: String,
}

/// The demo: a password spray from a hosting IP with one success, an
/// impossible Paris → New York hop, credential stuffing, a mailbox rule.
pub fn demo_session() -> (Session, DemoIds) {
    let mut s = Session::new(quiet_config(), Enricher::none());
    let mut signins = Batch::default();
    let mut line = 0;
    let mut next = || {
        line += 1;
        line
    };
    let spray_ip = "203.0.113.7";
    let victims = [
        "alice@contoso.com",
        "bob@contoso.com",
        "carol@contoso.com",
        "dave@contoso.com",
        "erin@contoso.com",
        "frank@contoso.com",
        "grace@contoso.com",
        "heidi@contoso.com",
    ];
    // Normal morning sign-ins.
    let paris = Row {
        cc: "FR",
        city: "Paris",
        coords: Some((48.8566, 2.3522)),
        ..signin(0, "alice@contoso.com", "198.51.100.10", Outcome::Success)
    };
    push(&mut signins, 0, next(), &paris);
    push(
        &mut signins,
        0,
        next(),
        &Row {
            min: 5,
            user: "bob@contoso.com",
            ip: "198.51.100.20",
            cc: "DE",
            city: "Berlin",
            coords: Some((52.52, 13.405)),
            ..signin(5, "", "", Outcome::Success)
        },
    );
    // The spray: 3 rounds over 8 users within 12 minutes.
    let mut spray_ev = Vec::new();
    for round in 0..3 {
        for (k, u) in victims.iter().enumerate() {
            let min = 60 + round * 4 + (k as i64 % 4);
            spray_ev.push(signins.len() as u32);
            push(
                &mut signins,
                0,
                next(),
                &Row {
                    cc: "RU",
                    city: "Moscow",
                    asn: 9009,
                    org: "M247 Europe SRL",
                    ..signin(min, u, spray_ip, Outcome::Failure)
                },
            );
        }
    }
    spray_ev.push(signins.len() as u32);
    push(
        &mut signins,
        0,
        next(),
        &Row {
            cc: "RU",
            city: "Moscow",
            asn: 9009,
            org: "M247 Europe SRL",
            ..signin(75, "bob@contoso.com", spray_ip, Outcome::Success)
        },
    );
    // Alice in New York 40 minutes after Paris.
    let travel_ev = vec![0u32, signins.len() as u32];
    push(
        &mut signins,
        0,
        next(),
        &Row {
            cc: "US",
            city: "New York",
            coords: Some((40.7128, -74.006)),
            ..signin(40, "alice@contoso.com", "192.0.2.44", Outcome::Success)
        },
    );
    push(
        &mut signins,
        0,
        next(),
        &Row {
            cc: "US",
            city: "New York",
            coords: Some((40.7128, -74.006)),
            ..signin(90, "alice@contoso.com", "192.0.2.44", Outcome::Success)
        },
    );
    // Carol: stuffing from several IPs, then a success.
    let mut stuff_ev = Vec::new();
    let stuff_ips = ["192.0.2.101", "192.0.2.102", "192.0.2.103"];
    for (k, &ip) in (0..6i64).zip(stuff_ips.iter().cycle()) {
        stuff_ev.push(signins.len() as u32);
        push(
            &mut signins,
            0,
            next(),
            &Row {
                cc: "BR",
                ..signin(200 + k, "carol@contoso.com", ip, Outcome::Failure)
            },
        );
    }
    stuff_ev.push(signins.len() as u32);
    push(
        &mut signins,
        0,
        next(),
        &Row {
            cc: "BR",
            ..signin(208, "carol@contoso.com", "192.0.2.103", Outcome::Success)
        },
    );
    // A user name carrying a terminal escape: must never reach the screen raw.
    push(
        &mut signins,
        0,
        next(),
        &signin(
            300,
            "mallory\u{1b}[31m@contoso.com",
            "198.51.100.66",
            Outcome::Failure,
        ),
    );

    let mut audit = Batch::default();
    let mut d = Draft::new(T0 + 80 * MIN, Source::M365, Kind::Audit);
    d.user = audit.text.put("bob@contoso.com");
    d.ip = audit.text.put(spray_ip);
    d.operation = audit.text.put("New-InboxRule");
    d.params = audit.text.put(&crate::event::encode_params([
        ("Name", "."),
        ("ForwardTo", "drop@evil.example"),
    ]));
    d.origin = crate::event::Origin {
        file: 1,
        line: 1,
        offset: 0,
        len: 180,
    };
    audit.drafts.push(d);
    let inbox_first = signins.len() as u32;

    let mut stats = FileStats::default();
    stats.problem(
        17,
        3400,
        crate::ingest::reason::MALFORMED_JSON,
        "expected `,` or `}` at column 88".into(),
    );
    stats.problem(
        42,
        8400,
        crate::ingest::reason::BAD_TIME,
        "TimeGenerated `yesterday`".into(),
    );
    load(
        &mut s,
        vec![
            (
                "samples/entra/signins.json",
                "sentinel-signin",
                signins,
                stats,
            ),
            (
                "samples/m365/audit.json",
                "office-activity",
                audit,
                FileStats::default(),
            ),
        ],
    );

    let mut spray = Finding::new(
        DetectorId::PasswordSpray,
        spray_ip,
        T0 + 60 * MIN,
        90,
        "Password spray with success from 203.0.113.7: 8 users failed, 1 signed in".into(),
    );
    spray.ip = Some(spray_ip.into());
    spray.last_seen = T0 + 75 * MIN;
    spray.event_count = 25;
    spray.details = json!({
        "failed_users": 8, "failed_attempts": 24, "successful_users": 1,
        "successful_user_list": ["bob@contoso.com"], "exposure_ratio": 8.0,
        "thresholds": {"window": "15m", "min_users": 5, "min_attempts": 20}
    });
    for e in &spray_ev {
        spray.add_evidence(*e);
    }
    let mut travel = Finding::new(
        DetectorId::ImpossibleTravel,
        "alice@contoso.com",
        T0,
        85,
        "Impossible travel: Paris → New York (5,837 km in 40 min)".into(),
    );
    travel.user = Some("alice@contoso.com".into());
    travel.ip = Some("192.0.2.44".into());
    travel.last_seen = T0 + 40 * MIN;
    travel.event_count = 2;
    travel.details = json!({"hop_count": 1,
        "hops": [{"from": {"city": "Paris", "country": "FR"}, "to": {"city": "New York", "country": "US"},
                  "km": 5837.0, "minutes": 40.0, "kmh": 8755.0, "rule": "distance"}],
        "thresholds": {"min_km": 500, "max_kmh": 1000}});
    for e in travel_ev {
        travel.add_evidence(e);
    }
    let mut stuffing = Finding::new(
        DetectorId::CredentialStuffing,
        "carol@contoso.com",
        T0 + 200 * MIN,
        75,
        "Credential stuffing: 6 failures from 3 IPs, then a sign-in".into(),
    );
    stuffing.user = Some("carol@contoso.com".into());
    stuffing.ip = Some("192.0.2.103".into());
    stuffing.last_seen = T0 + 208 * MIN;
    stuffing.event_count = 7;
    stuffing.details = json!({"failure_count": 6, "distinct_ips": 3, "thresholds": {"min_failures": 5, "window": "24h"}});
    for e in stuff_ev {
        stuffing.add_evidence(e);
    }
    let mut inbox = Finding::new(
        DetectorId::InboxRule,
        "bob@contoso.com",
        T0 + 80 * MIN,
        95,
        "Inbox rule forwards mail outside: drop@evil.example".into(),
    );
    inbox.user = Some("bob@contoso.com".into());
    inbox.ip = Some(spray_ip.into());
    inbox.event_count = 1;
    inbox.details =
        json!({"operation": "New-InboxRule", "forward_to": "drop@evil.example", "external": true});
    inbox.add_evidence(inbox_first);
    let ids = DemoIds {
        spray: spray.id.clone(),
        travel: travel.id.clone(),
        stuffing: stuffing.id.clone(),
        inbox: inbox.id.clone(),
    };
    for f in [spray, travel, stuffing, inbox] {
        s.findings.upsert(f);
    }
    // Grouped as a release would (the findings were built by hand, not released).
    let Session {
        findings,
        incidents,
        ..
    } = &mut s;
    incidents.observe(findings.all());
    (s, ids)
}

/// The user of [`add_wide_text`]: long, with CJK characters.
pub const WIDE_USER: &str = "黄志明.heidi.nguyen-the-longest-name@subsidiary.contoso.example.com";

/// Adds text that shows a bad cut: a long user name with CJK characters,
/// an IPv6 address, a Japanese city and AS name with an emoji, and a
/// critical finding with a long title mixing CJK and emoji. Returns the
/// finding's id.
pub fn add_wide_text(s: &mut Session) -> String {
    let first = s.store.count() as u32;
    let ip = "2001:db8:85a3::8a2e:370:7334";
    let mut b = Batch::default();
    for (k, outcome) in [
        Outcome::Failure,
        Outcome::Failure,
        Outcome::Failure,
        Outcome::Success,
    ]
    .into_iter()
    .enumerate()
    {
        push(
            &mut b,
            0,
            k as u32 + 1,
            &Row {
                cc: "JP",
                city: "東京都港区",
                coords: Some((35.658, 139.751)),
                asn: 64512,
                org: "株式会社エグザンプル・ホスティング 🔥 Example Hosting KK",
                app: "Microsoft Azure PowerShell 🔐 管理ツール",
                ..signin(400 + k as i64, WIDE_USER, ip, outcome)
            },
        );
    }
    let n = b.len() as u32;
    load(
        s,
        vec![(
            "samples/entra/東京-signins-with-a-long-file-name.json",
            "sentinel-signin",
            b,
            FileStats::default(),
        )],
    );
    let mut f = Finding::new(
        DetectorId::InboxRule,
        WIDE_USER,
        T0 + 400 * MIN,
        99,
        format!(
            "New-InboxRule 「請求書」 🔥 for {WIDE_USER} forwards every message outside the \
             organisation to invoices-archive@evil.example"
        ),
    );
    f.user = Some(WIDE_USER.into());
    f.ip = Some(ip.into());
    f.last_seen = T0 + 403 * MIN;
    f.event_count = n;
    f.details = json!({"operation": "New-InboxRule", "forward_to": "invoices-archive@evil.example",
        "rule_name": "請求書 🔥", "external": true});
    for e in first..first + n {
        f.add_evidence(e);
    }
    let id = f.id.clone();
    s.findings.upsert(f);
    let Session {
        findings,
        incidents,
        ..
    } = s;
    incidents.observe(findings.all());
    id
}

/// Item `k` of `items` counting round and round (`k` modulo the length);
/// `None` when there are no items.
fn cyclic<T>(items: &[T], k: usize) -> Option<&T> {
    items.get(k.checked_rem(items.len())?)
}

/// A large session for benchmarks: `n` events over `users` users and `ips`
/// IPs, one heavy IP (a spray) and one heavy user, plus a few findings.
pub fn big_session(n: usize, users: usize, ips: usize) -> Session {
    let mut s = Session::new(quiet_config(), Enricher::none());
    let mut batches = Vec::new();
    let mut b = Batch::default();
    let user_names: Vec<String> = (0..users)
        .map(|i| format!("user{i:06}@corp.example"))
        .collect();
    let ip_names: Vec<String> = (0..ips)
        .map(|i| format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255))
        .collect();
    let ccs = ["US", "DE", "FR", "GB", "BR", "JP", "IN", "RU"];
    let user = |k: usize| cyclic(&user_names, k).map_or("", String::as_str);
    let ip_name = |k: usize| cyclic(&ip_names, k).map_or("", String::as_str);
    for i in 0..n {
        let (u, ip) = if i % 10 == 0 {
            (user(i), "203.0.113.7")
        } else if i % 10 == 1 {
            (user(0), ip_name(i))
        } else {
            (user(i * 7919), ip_name(i * 104_729))
        };
        let outcome = if i % 10 == 0 || i % 3 == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        let cc = cyclic(&ccs, i).copied().unwrap_or_default();
        push(
            &mut b,
            0,
            (i + 1) as u32,
            &Row {
                min: i as i64 / 60,
                user: u,
                ip,
                outcome,
                cc,
                city: "",
                coords: None,
                asn: 64_512 + (i % 50) as u32,
                org: "Example AS",
                app: "Office 365",
                code: "0",
            },
        );
        if b.len() == 65_536 {
            batches.push(std::mem::take(&mut b));
        }
    }
    batches.push(b);
    let inputs = vec![Input::Path(PathBuf::from("bench/signins.json"))];
    s.add_sources(&inputs, false);
    s.handle(IngestMsg::Opened {
        file: 0,
        format: "sentinel-signin".into(),
        size: Some(n as u64 * 200),
    });
    let count = batches.len() as u64;
    for (seq, batch) in batches.into_iter().enumerate() {
        s.handle(IngestMsg::Batch {
            file: 0,
            seq: seq as u64,
            batch,
            stats: FileStats::default(),
        });
    }
    s.handle(IngestMsg::Finished {
        file: 0,
        batches: count,
    });
    if s.pending() > 0 {
        s.release();
    }
    let heavy_ip = s.store.by_ip("203.0.113.7").to_vec();
    for k in 0..200u32 {
        let mut f = Finding::new(
            DetectorId::PasswordSpray,
            &format!("10.0.0.{k}"),
            T0 + k as i64 * MIN,
            40 + (k % 60) as u8,
            format!("finding {k}"),
        );
        f.ip = Some(if k == 0 {
            "203.0.113.7".into()
        } else {
            format!("10.0.0.{k}")
        });
        f.user = user_names.first().filter(|_| k % 2 == 0).cloned();
        for e in heavy_ip.iter().take(50) {
            f.add_evidence(*e);
        }
        f.event_count = 50;
        s.findings.upsert(f);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_session_without_users_or_ips_builds_instead_of_panicking() {
        let s = big_session(20, 0, 0);
        assert_eq!(s.store.len(), 20);
        assert_eq!(s.store.by_ip("203.0.113.7").len(), 2);
        assert_eq!(s.findings.len(), 200);
        assert!(s.findings.all().iter().all(|f| f.user.is_none()));
    }

    #[test]
    fn cyclic_counts_round_and_is_none_when_empty() {
        assert_eq!(cyclic(&[1, 2, 3], 4), Some(&2));
        assert_eq!(cyclic::<u8>(&[], 4), None);
    }
}
