//! slow_spray scenarios.

use crate::detect::testkit::*;
use crate::finding::{DetectorId, DetectorId::SlowSpray as D, Severity};

const IP: &str = "45.83.64.99";
const T0: &str = "2024-05-01T00:00:00Z";

/// One failure per user for `users` users, `step` apart from T0.
fn slow(users: i64, step: i64) -> Vec<Ev> {
    (0..users)
        .map(|i| fail(T0, &format!("u{i}@contoso.com"), IP).plus(i * step))
        .collect()
}

#[test]
fn fires_on_twenty_five_users_over_sixteen_hours() {
    let mut s = Scenario::new();
    s.extend(slow(25, 40 * MIN));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (50, Severity::Medium));
    assert_eq!(f.ip.as_deref(), Some(IP));
    assert_eq!(f.first_seen, t(T0));
    assert_eq!(f.details["verdict"], "slow spray attempt");
    assert_eq!(f.details["failed_users"], 25);
    assert_eq!(f.details["peak_users_in_window"], 25);
    assert_eq!(f.details["busiest_short_window_users"], 1);
    assert_eq!(f.details["thresholds"]["password_spray"]["min_users"], 5);
    assert!(f.title.contains("25 users over 16.0 h"), "{}", f.title);
    assert!(r.all(DetectorId::PasswordSpray).is_empty());
}

#[test]
fn a_sign_in_from_the_ip_makes_it_a_slow_spray_with_success() {
    let mut s = Scenario::new();
    s.extend(slow(20, 30 * MIN));
    s.push(ok(T0, "u7@contoso.com", IP).plus(11 * HOUR));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (85, Severity::High));
    assert_eq!(
        f.details["successful_user_list"],
        serde_json::json!(["u7@contoso.com"])
    );
    assert_eq!(f.user.as_deref(), Some("u7@contoso.com"));
}

#[test]
fn quiet_just_below_each_threshold() {
    // 19 users within a day.
    let mut s = Scenario::new();
    s.extend(slow(19, 60 * MIN));
    assert!(s.run().all(D).is_empty());
    // 20 users, 80 min apart: 25.3 h, no 24 h window holds 20.
    let mut s = Scenario::new();
    s.extend(slow(20, 80 * MIN));
    assert!(s.run().all(D).is_empty());
    // 20 users in 20 attempts within 15 min: fast, password_spray's finding.
    let mut s = Scenario::new();
    s.extend(slow(20, 30_000));
    let r = s.run();
    assert!(r.all(D).is_empty(), "{:?}", r.summary());
    assert_eq!(r.all(DetectorId::PasswordSpray).len(), 1);
    // A fast burst early in the day, then slow failures: still password_spray's IP.
    let mut s = Scenario::new();
    s.extend(slow(20, 30_000));
    s.extend(
        (0..20).map(|i| fail(T0, &format!("late{i}@contoso.com"), IP).plus(HOUR + i * 30 * MIN)),
    );
    assert!(s.run().all(D).is_empty());
}

#[test]
fn an_office_nat_where_people_mistype_over_a_day_is_shared_egress() {
    let mut s = Scenario::new();
    s.extend(slow(25, 20 * MIN));
    // Ten colleagues sign in fine from the same NAT during the day.
    s.extend((0..10).map(|i| ok(T0, &format!("ok{i}@contoso.com"), IP).plus(HOUR + i * 30 * MIN)));
    let r = s.run();
    assert!(r.active(D).is_empty(), "{:?}", r.summary());
    let f = r.all(D)[0];
    assert_eq!(f.risk, 20);
    assert!(f.suppressed.is_some());
}

#[test]
fn state_drains_a_day_after_the_last_failure() {
    let mut s = Scenario::new();
    s.extend(slow(25, 40 * MIN));
    s.extend(
        (0..5000)
            .map(|i| ok(T0, &format!("x{i}@contoso.com"), "192.0.2.1").plus(3 * 24 * HOUR + i)),
    );
    let r = s.run();
    let held = r
        .engine
        .state_lens()
        .into_iter()
        .find(|(d, _)| *d == D)
        .map(|x| x.1);
    assert_eq!(held, Some(0));
}

#[test]
fn joins_an_incident_with_other_findings_from_its_ip() {
    use crate::config::Config;
    use crate::incident::Incidents;
    let tor = "185.220.101.9";
    let mut s = Scenario::new();
    s.extend((0..20).map(|i| fail(T0, &format!("u{i}@contoso.com"), tor).plus(i * 30 * MIN)));
    s.push(ok(T0, "u3@contoso.com", tor).plus(10 * HOUR));
    let r = s.run();
    let slow = r.one(D);
    let hosting = r.one(DetectorId::HostingAsn);
    let mut inc = Incidents::new(&Config::default().incidents);
    inc.observe(r.findings.all());
    assert!(inc.incident_of(&slow.id).is_some());
    assert_eq!(inc.incident_of(&slow.id), inc.incident_of(&hosting.id));
}
