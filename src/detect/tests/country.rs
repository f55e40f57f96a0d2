//! new_country scenarios.

use crate::config::Config;
use crate::detect::testkit::*;
use crate::finding::{DetectorId::NewCountry as D, Severity};

const U: &str = "lynne@contoso.com";
const T0: &str = "2024-05-01T08:00:00Z";

/// `n` successful sign-ins of `U` from `cc`, a day apart from T0 + `from_day`.
fn home(n: i64, cc: &str, from_day: i64) -> Vec<Ev> {
    (0..n)
        .map(|i| {
            ok(T0, U, "192.0.2.10")
                .country(cc)
                .plus((from_day + i) * 24 * HOUR)
        })
        .collect()
}

#[test]
fn fires_on_a_new_country_after_ten_sign_ins_and_groups_the_day() {
    let mut s = Scenario::new();
    s.extend(home(8, "BE", 0));
    s.extend(home(2, "NL", 8));
    s.push(
        ok(T0, U, "45.83.64.1")
            .country("RU")
            .city("Moscow")
            .plus(10 * 24 * HOUR),
    );
    s.push(
        ok(T0, U, "45.83.64.2")
            .country("RU")
            .plus(10 * 24 * HOUR + HOUR),
    );
    // A day later RU is known: nothing new.
    s.push(ok(T0, U, "45.83.64.1").country("RU").plus(12 * 24 * HOUR));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (40, Severity::Medium));
    assert_eq!(f.details["country"], "RU");
    assert_eq!(
        f.details["previous_countries"],
        serde_json::json!(["BE", "NL"])
    );
    assert_eq!(f.details["baseline_sign_ins"], 10);
    assert_eq!(f.details["sign_ins"], 2);
    assert_eq!(f.details["cities"], serde_json::json!(["Moscow"]));
    assert_eq!(f.event_count, 2);
    assert_eq!(f.ip.as_deref(), Some("45.83.64.1"));
    assert!(
        f.title.contains("RU after 10 sign-ins from BE, NL"),
        "{}",
        f.title
    );
}

#[test]
fn quiet_just_below_the_baseline_and_on_known_or_failed_countries() {
    // Nine sign-ins: no baseline yet.
    let mut s = Scenario::new();
    s.extend(home(9, "BE", 0));
    s.push(ok(T0, U, "45.83.64.1").country("RU").plus(9 * 24 * HOUR));
    assert!(s.run().all(D).is_empty());
    // A failure or an MFA-interrupted sign-in from the new country is not a success.
    let mut s = Scenario::new();
    s.extend(home(10, "BE", 0));
    s.push(fail(T0, U, "45.83.64.1").country("RU").plus(10 * 24 * HOUR));
    s.push(
        interrupted(T0, U, "45.83.64.1")
            .country("RU")
            .plus(10 * 24 * HOUR),
    );
    // Sign-ins without a country neither count nor fire.
    s.push(ok(T0, U, "192.0.2.99").plus(10 * 24 * HOUR));
    assert!(s.run().all(D).is_empty());
}

#[test]
fn a_traveller_without_a_baseline_is_quiet() {
    let mut s = Scenario::new();
    // Three sign-ins at home, then a week on the road.
    s.extend(home(3, "BE", 0));
    for (i, cc) in ["FR", "DE", "IT", "AT", "CH"].into_iter().enumerate() {
        s.push(
            ok(T0, U, "198.51.100.5")
                .country(cc)
                .plus((3 + i as i64) * 24 * HOUR),
        );
    }
    let r = s.run();
    assert!(r.all(D).is_empty(), "{:?}", r.summary());
}

#[test]
fn a_user_seen_in_many_countries_is_not_judged() {
    let mut config = Config::default();
    config.detectors.new_country.max_countries = 3;
    let mut s = Scenario::with_config(config);
    s.extend(home(4, "BE", 0));
    s.extend(home(4, "FR", 4));
    s.extend(home(4, "DE", 8));
    let r = s.run();
    // DE came after 8 sign-ins (below the baseline); the set is now full.
    assert!(r.all(D).is_empty());
    let mut s2 = Scenario::with_config(r_config(3));
    s2.extend(home(4, "BE", 0));
    s2.extend(home(4, "FR", 4));
    s2.extend(home(4, "DE", 8));
    s2.push(ok(T0, U, "45.83.64.1").country("RU").plus(20 * 24 * HOUR));
    assert!(s2.run().all(D).is_empty(), "a fourth country is not judged");
    // With room for it, the same RU sign-in fires.
    let mut s3 = Scenario::with_config(r_config(4));
    s3.extend(home(4, "BE", 0));
    s3.extend(home(4, "FR", 4));
    s3.extend(home(4, "DE", 8));
    s3.push(ok(T0, U, "45.83.64.1").country("RU").plus(20 * 24 * HOUR));
    assert_eq!(s3.run().all(D).len(), 1);
}

fn r_config(max_countries: u32) -> Config {
    let mut c = Config::default();
    c.detectors.new_country.max_countries = max_countries;
    c
}

#[test]
fn a_user_is_forgotten_after_a_quiet_spell() {
    let mut s = Scenario::new();
    s.extend(home(10, "BE", 0));
    // 100 days later (past forget_after = 90d), many other users sign in.
    s.extend(
        (0..5000)
            .map(|i| ok(T0, &format!("x{i}@contoso.com"), "192.0.2.1").plus(110 * 24 * HOUR + i)),
    );
    let r = s.run();
    let held = r
        .engine
        .state_lens()
        .into_iter()
        .find(|(d, _)| *d == D)
        .map(|x| x.1);
    // The 5000 newcomers have no country: nothing is held for them either.
    assert_eq!(held, Some(0));
}
