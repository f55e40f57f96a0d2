//! Properties across all detectors: stable ids, late events, bounded state.

use crate::detect::testkit::*;
use crate::finding::DetectorId;
use crate::store::Store;

/// One attack per detector, in one stream.
fn attacks() -> Scenario {
    let mut s = Scenario::new();
    let t0 = "2024-05-01T10:00:00Z";
    for i in 0..6 {
        s.push(fail(t0, "stuffed@contoso.com", &format!("203.0.113.{i}")).plus(i * MIN));
    }
    s.push(ok(t0, "stuffed@contoso.com", "203.0.113.9").plus(7 * MIN));
    for i in 0..20 {
        s.push(fail(t0, &format!("u{}@contoso.com", i % 5), "198.51.100.7").plus(i * 20_000));
    }
    s.push(
        ok(t0, "trav@contoso.com", "81.246.0.1")
            .country("BE")
            .at(50.85, 4.35),
    );
    s.push(
        ok(t0, "trav@contoso.com", "133.242.0.1")
            .country("JP")
            .at(35.68, 139.65)
            .plus(30 * MIN),
    );
    s.push(ok(t0, "host@contoso.com", "185.220.101.4"));
    s.push(ok(t0, "risky@contoso.com", "192.0.2.1").risk("high", "atRisk", ""));
    s.push(
        ok(t0, "legacy@contoso.com", "192.0.2.2")
            .client("IMAP4")
            .auth("singleFactorAuthentication"),
    );
    s.push(audit(t0, "rule@contoso.com", "New-InboxRule").param("ForwardTo", "x@evil.example"));
    for i in 0..50 {
        s.push(audit(t0, "sender@contoso.com", "Send").plus(i * MIN));
    }
    s.push(api(t0, "AKIAKEY", "GetCallerIdentity"));
    for (i, op) in [
        "ListUsers",
        "ListRoles",
        "ListBuckets",
        "DescribeVpcs",
        "GetUser",
    ]
    .iter()
    .enumerate()
    {
        s.push(api(t0, "AKIAKEY", op).plus(10_000 * (i as i64 + 1)));
    }
    s.push(
        ok(t0, "sess@contoso.com", "80.128.0.1")
            .asn(3320)
            .country("DE")
            .session("s1"),
    );
    // Same country, another (non-hosting) network: only session_anomaly.
    s.push(
        ok(t0, "sess@contoso.com", "91.64.0.1")
            .asn(64_500)
            .country("DE")
            .session("s1")
            .plus(MIN),
    );
    issue13_attacks(&mut s, t0);
    for i in 0..10 {
        s.push(fail(t0, "brute@contoso.com", "192.0.2.77").plus(i * MIN));
    }
    for i in 0..20 {
        s.push(fail(t0, &format!("slow{i}@contoso.com"), "192.0.2.88").plus(i * 30 * MIN));
    }
    for i in 0..11 {
        let cc = if i < 10 { "BE" } else { "BR" };
        s.push(
            ok(t0, "cc@contoso.com", "192.0.2.60")
                .country(cc)
                .plus(i * 3 * HOUR),
        );
    }
    for i in 0..20 {
        let ip = format!("100.64.7.{}", 1 + i % 5);
        s.push(fail(t0, &format!("dist{i}@contoso.com"), &ip).plus(i * MIN));
    }
    s
}

/// The attacks of the detectors added for issue 13.
fn issue13_attacks(s: &mut Scenario, t0: &str) {
    use crate::event::{flags, AuthProtocol};
    for i in 0..10 {
        s.push(
            fail(t0, &format!("ghost{i}@contoso.com"), "203.0.113.200")
                .code("50034")
                .flag(flags::NO_SUCH_USER)
                .plus(i * 10_000),
        );
    }
    for i in 0..5 {
        s.push(
            interrupted(t0, "fatigue@contoso.com", "192.0.2.50")
                .code("500121")
                .flag(flags::MFA_DENIED)
                .plus(i * MIN),
        );
    }
    s.push(ok(t0, "fatigue@contoso.com", "192.0.2.50").plus(5 * MIN));
    s.push(ok(t0, "client@contoso.com", "192.0.2.51").protocol(AuthProtocol::Ropc));
}

fn ids(r: &Run) -> Vec<(DetectorId, String)> {
    let mut v: Vec<_> = r
        .findings
        .all()
        .iter()
        .map(|f| (f.detector, f.id.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn every_detector_fires_in_the_mixed_stream() {
    let r = attacks().run();
    for d in DetectorId::ALL {
        assert_eq!(r.active(d).len(), 1, "{d}: {:?}", r.summary());
    }
}

#[test]
fn ids_are_stable_across_runs_and_unrelated_earlier_events() {
    let a = ids(&attacks().run());
    assert_eq!(a, ids(&attacks().run()));
    let mut s = attacks();
    s.push(ok(
        "2024-05-01T09:00:00Z",
        "someone.else@contoso.com",
        "192.0.2.200",
    ));
    s.push(fail(
        "2024-05-01T09:30:00Z",
        "another@contoso.com",
        "192.0.2.201",
    ));
    assert_eq!(a, ids(&s.run()));
}

#[test]
fn late_events_are_placed_at_their_time() {
    let t0 = "2024-05-01T10:00:00Z";
    // Failures arriving out of order before the success still count.
    let mut s = Scenario::new();
    s.arrival_order = true;
    for i in [0, 1, 4, 2, 3] {
        s.push(fail(t0, "late@contoso.com", "203.0.113.1").plus(i * MIN));
    }
    s.push(ok(t0, "late@contoso.com", "203.0.113.1").plus(10 * MIN));
    let r = s.run();
    let f = r.one(DetectorId::CredentialStuffing);
    assert_eq!((f.first_seen, f.event_count), (t(t0), 6));
    let times = r.evidence_times(f);
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "evidence in time order: {times:?}"
    );

    // A failure arriving after the success it precedes in time belongs to a
    // run already judged: it is not counted (documented limitation).
    let mut s = Scenario::new();
    s.arrival_order = true;
    for i in [0, 1, 2, 3] {
        s.push(fail(t0, "late@contoso.com", "203.0.113.1").plus(i * MIN));
    }
    s.push(ok(t0, "late@contoso.com", "203.0.113.1").plus(10 * MIN));
    s.push(fail(t0, "late@contoso.com", "203.0.113.2").plus(5 * MIN));
    s.push(ok(t0, "late@contoso.com", "203.0.113.1").plus(11 * MIN));
    let r = s.run();
    assert!(
        r.all(DetectorId::CredentialStuffing).is_empty(),
        "{:?}",
        r.summary()
    );

    // A spray whose failures arrive shuffled still fires once.
    let mut s = Scenario::new();
    s.arrival_order = true;
    let mut evs: Vec<Ev> = (0..20)
        .map(|i| fail(t0, &format!("u{}@contoso.com", i % 5), "198.51.100.7").plus(i * 20_000))
        .collect();
    evs.swap(3, 9);
    evs.swap(12, 17);
    s.extend(evs);
    let r = s.run();
    let f = r.one(DetectorId::PasswordSpray);
    assert_eq!(f.details["failed_attempts"], 20);
    assert_eq!(f.first_seen, t(t0));

    // A travel hop inserted late between two sign-ins is judged at its place.
    let mut s = Scenario::new();
    s.arrival_order = true;
    s.push(
        ok(t0, "trav@contoso.com", "81.246.0.1")
            .country("BE")
            .at(50.85, 4.35),
    );
    s.push(
        ok(t0, "trav@contoso.com", "81.246.0.2")
            .country("BE")
            .at(50.85, 4.35)
            .plus(2 * HOUR),
    );
    s.push(
        ok(t0, "trav@contoso.com", "133.242.0.1")
            .country("JP")
            .at(35.68, 139.65)
            .plus(HOUR),
    );
    let r = s.run();
    let f = r.one(DetectorId::ImpossibleTravel);
    assert_eq!(f.details["hop_count"], 2, "{}", f.details);
}

#[test]
fn state_stays_bounded_over_a_month_of_many_users() {
    const EVENTS: i64 = 200_000;
    const USERS: i64 = 50_000;
    let start = t("2024-05-01T00:00:00Z");
    let step = 30 * 24 * HOUR / EVENTS;
    let mut s = Scenario::new();
    s.extend((0..EVENTS).map(|i| {
        let u = (i * 7919) % USERS;
        let user = format!("user{u}@contoso.com");
        let ip = format!("100.{}.{}.{}", 64 + u % 60, (u / 60) % 250, i % 3 + 1);
        let e = match i % 10 {
            0..=5 => ok("2024-05-01T00:00:00Z", &user, &ip)
                .country(["BE", "NL", "DE"][(u % 3) as usize])
                .asn(64_500 + (u % 7) as u32)
                .session(&format!("s{}", u * 4 + i % 4)),
            6 | 7 => fail("2024-05-01T00:00:00Z", &user, &ip),
            8 => audit("2024-05-01T00:00:00Z", &user, "Send"),
            _ => api(
                "2024-05-01T00:00:00Z",
                &format!("AKIA{u}"),
                "GetCallerIdentity",
            ),
        };
        e.at_ms(start + i * step)
    }));
    let r = s.run();
    assert!(r.store.user_count() >= 40_000, "{}", r.store.user_count());
    // About a day of events is ~6,700; sweeps run every max(4096, entities) events.
    for (d, n) in r.engine.state_lens() {
        if d == DetectorId::NewCountry {
            // A per-user baseline of the loaded history (forgotten after 90
            // days without a success): one small profile per account.
            assert!(n <= USERS as usize, "{d} holds {n} entities after 30 days");
            continue;
        }
        assert!(n < 15_000, "{d} holds {n} entities after 30 days");
    }
    let _: &Store = &r.store;
}
