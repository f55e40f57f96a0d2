//! impossible_travel scenarios.

use crate::detect::testkit::*;
use crate::finding::{DetectorId::ImpossibleTravel as D, Severity};

const U: &str = "alice@contoso.com";

fn brussels(time: &str) -> Ev {
    ok(time, U, "81.246.0.1")
        .country("BE")
        .city("Brussels")
        .at(50.8503, 4.3517)
}
fn amsterdam(time: &str) -> Ev {
    ok(time, U, "145.53.0.1")
        .country("NL")
        .city("Amsterdam")
        .at(52.3676, 4.9041)
}
fn tokyo(time: &str) -> Ev {
    ok(time, U, "133.242.0.1")
        .country("JP")
        .city("Tokyo")
        .at(35.6762, 139.6503)
}
fn new_york(time: &str) -> Ev {
    ok(time, U, "24.168.0.1")
        .country("US")
        .city("New York")
        .at(40.7128, -74.0060)
}
fn london(time: &str) -> Ev {
    ok(time, U, "81.2.69.1")
        .country("GB")
        .city("London")
        .at(51.5074, -0.1278)
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn fires_on_a_hop_across_an_hour_boundary_with_hop_details() {
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:50:00Z"));
    s.push(tokyo("2024-05-01T11:10:00Z").geo_from_db().radius(50));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (85, Severity::High));
    assert_eq!(f.first_seen, t("2024-05-01T10:50:00Z"));
    assert_eq!(f.event_count, 2);
    assert_eq!(f.ip.as_deref(), Some("133.242.0.1"));
    let hops = f.details["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 1);
    let h = &hops[0];
    let km = num(&h["km"]);
    assert!((9400.0..9500.0).contains(&km), "{km}");
    assert_eq!(num(&h["minutes"]), 20.0);
    assert!((num(&h["kmh"]) - km * 3.0).abs() < 2.0, "{h}");
    assert_eq!(h["from"]["city"], "Brussels");
    assert_eq!(h["from"]["source"], "log");
    assert_eq!(h["from"]["time"], "2024-05-01T10:50:00Z");
    assert_eq!(h["to"]["country"], "JP");
    assert_eq!(h["to"]["source"], "database");
    assert_eq!(h["to"]["radius_km"], 50);
    assert_eq!(h["rule"], "distance");
}

#[test]
fn quiet_on_plausible_trips() {
    // Brussels → Amsterdam in 45 minutes: 173 km.
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:00:00Z"));
    s.push(amsterdam("2024-05-01T10:45:00Z"));
    assert!(s.run().all(D).is_empty());
    // New York → London after 9 hours: 5,570 km at 619 km/h.
    let mut s = Scenario::new();
    s.push(new_york("2024-05-01T10:00:00Z"));
    s.push(london("2024-05-01T19:00:00Z"));
    assert!(s.run().all(D).is_empty());
    // Far apart but within the two accuracy radii (650 km < 400 + 300).
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:00:00Z").radius(400));
    s.push(
        ok("2024-05-01T10:10:00Z", U, "91.64.0.1")
            .country("DE")
            .at(52.52, 13.405)
            .radius(300),
    );
    assert!(s.run().all(D).is_empty());
    // The same hop with tight radii is impossible.
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:00:00Z").radius(100));
    s.push(
        ok("2024-05-01T10:10:00Z", U, "91.64.0.1")
            .country("DE")
            .at(52.52, 13.405)
            .radius(100),
    );
    assert_eq!(s.run().all(D).len(), 1);
}

#[test]
fn without_coordinates_two_countries_within_an_hour() {
    let mut s = Scenario::new();
    s.push(ok("2024-05-01T10:50:00Z", U, "81.246.0.1").country("BE"));
    s.push(ok("2024-05-01T11:20:00Z", U, "24.168.0.1").country("US"));
    let r = s.run();
    let f = r.one(D);
    let h = &f.details["hops"][0];
    assert!(h["km"].is_null() && h["kmh"].is_null(), "{h}");
    assert_eq!(num(&h["minutes"]), 30.0);
    assert_eq!(h["rule"], "countries");
    // 61 minutes apart, or the same country: quiet. One side with coordinates
    // and the other without still uses the country rule.
    for (a, b, fires) in [
        (
            ("2024-05-01T10:00:00Z", "BE"),
            ("2024-05-01T11:01:00Z", "US"),
            false,
        ),
        (
            ("2024-05-01T10:00:00Z", "BE"),
            ("2024-05-01T10:05:00Z", "BE"),
            false,
        ),
        (
            ("2024-05-01T10:00:00Z", "BE"),
            ("2024-05-01T11:00:00Z", "US"),
            true,
        ),
    ] {
        let mut s = Scenario::new();
        s.push(ok(a.0, U, "81.246.0.1").country(a.1).at(50.85, 4.35));
        s.push(ok(b.0, U, "24.168.0.1").country(b.1));
        assert_eq!(s.run().all(D).len(), fires as usize, "{a:?} → {b:?}");
    }
}

#[test]
fn hops_within_a_day_are_one_finding() {
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:00:00Z"));
    s.push(tokyo("2024-05-01T10:30:00Z"));
    // A failed sign-in and one without any location do not break the pair.
    s.push(fail("2024-05-01T10:40:00Z", U, "185.1.1.1").country("BR"));
    s.push(ok("2024-05-01T10:45:00Z", U, "10.0.0.5"));
    s.push(new_york("2024-05-01T11:00:00Z"));
    // A day later: a new finding.
    s.push(london("2024-05-02T12:00:00Z"));
    s.push(tokyo("2024-05-02T12:20:00Z"));
    let r = s.run();
    let fs = r.active(D);
    assert_eq!(fs.len(), 2, "{:?}", r.summary());
    assert_eq!(fs[0].details["hop_count"], 2);
    assert_eq!(fs[0].event_count, 3);
    assert_eq!(fs[0].details["hops"][1]["from"]["city"], "Tokyo");
    assert_eq!(fs[0].details["hops"][1]["to"]["city"], "New York");
    assert!(fs[0].title.contains("(2 hops)"), "{}", fs[0].title);
    assert_eq!(fs[1].first_seen, t("2024-05-02T12:00:00Z"));
    assert_ne!(fs[0].id, fs[1].id);
}

#[test]
fn same_instant_counts_as_one_minute() {
    let mut s = Scenario::new();
    s.push(brussels("2024-05-01T10:00:00Z"));
    s.push(tokyo("2024-05-01T10:00:00Z"));
    let r = s.run();
    let h = &r.one(D).details["hops"][0];
    assert_eq!(num(&h["minutes"]), 0.0);
    assert!((num(&h["kmh"]) - num(&h["km"]) * 60.0).abs() < 60.0, "{h}");
}

#[test]
fn a_long_trip_in_one_batch_is_one_snapshot_and_the_same_finding() {
    // 300 alternating Brussels/Tokyo sign-ins a minute apart: one trip of
    // hundreds of hops. Event by event every hop updates the finding; in one
    // batch it is created once and updated once, with the same content.
    let mut s = Scenario::new();
    for i in 0..300i64 {
        let e = if i % 2 == 0 {
            brussels("2024-05-01T00:00:00Z")
        } else {
            tokyo("2024-05-01T00:00:00Z")
        };
        s.push(e.plus(i * 60_000));
    }
    let each = s.run();
    let batched = s.run_batched();
    assert_eq!(each.all(D), batched.all(D));
    let f = batched.one(D);
    assert!(f.title.contains("hops"), "{}", f.title);
    let upserts = batched.changes.iter().filter(|(_, id)| *id == f.id).count();
    let per_event = each.changes.iter().filter(|(_, id)| *id == f.id).count();
    assert!(upserts <= 2, "{upserts} snapshots in one batch");
    assert!(
        per_event > 100,
        "event by event it grows with each hop: {per_event}"
    );
}
