//! brute_force scenarios.

use crate::config::Config;
use crate::detect::testkit::*;
use crate::finding::{DetectorId, DetectorId::BruteForce as D, Severity};
use crate::incident::Incidents;

const U: &str = "megan@contoso.com";
const T0: &str = "2024-05-01T10:00:00Z";

/// `n` failures of `U`, `step` apart from T0, cycling over `ips`.
fn failures(n: i64, step: i64, ips: &[&str]) -> Vec<Ev> {
    (0..n)
        .map(|i| fail(T0, U, ips[i as usize % ips.len()]).plus(i * step))
        .collect()
}

#[test]
fn fires_on_ten_failures_in_ten_minutes_listing_the_ips() {
    let mut s = Scenario::new();
    s.extend(failures(12, 40_000, &["203.0.113.1", "203.0.113.2"]));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (50, Severity::Medium));
    assert_eq!(f.user.as_deref(), Some(U));
    assert_eq!(f.first_seen, t(T0));
    assert_eq!(f.event_count, 12);
    assert_eq!(f.details["failures"], 12);
    assert_eq!(f.details["peak_in_window"], 12);
    assert_eq!(
        f.details["ips"],
        serde_json::json!(["203.0.113.1", "203.0.113.2"])
    );
    assert!(f.details["verified_sign_in"].is_null());
    assert_eq!(r.evidence_times(f).len(), 12);
    assert!(f.title.contains("12 failures from 2 IPs"), "{}", f.title);
}

#[test]
fn quiet_just_below_each_threshold() {
    // Nine failures in ten minutes.
    let mut s = Scenario::new();
    s.extend(failures(9, MIN, &["203.0.113.1"]));
    assert!(s.run().all(D).is_empty());
    // Ten failures, but spread over 11.25 minutes: no 10-minute window holds ten.
    let mut s = Scenario::new();
    s.extend(failures(10, 75_000, &["203.0.113.1"]));
    assert!(s.run().all(D).is_empty());
    // Ten failures over many users (a spray is password_spray's, not brute force).
    let mut s = Scenario::new();
    s.extend((0..10).map(|i| fail(T0, &format!("u{i}@contoso.com"), "203.0.113.1").plus(i * MIN)));
    assert!(s.run().all(D).is_empty());
    // Nine failures and an MFA prompt (interrupted: the password was right).
    let mut s = Scenario::new();
    s.extend(failures(9, MIN, &["203.0.113.1"]));
    s.push(interrupted(T0, U, "203.0.113.1").plus(9 * MIN));
    assert!(s.run().all(D).is_empty());
}

#[test]
fn a_user_typing_a_wrong_password_six_times_is_quiet() {
    let mut s = Scenario::new();
    s.extend(failures(6, 20_000, &["192.0.2.10"]));
    s.push(ok(T0, U, "192.0.2.10").plus(3 * MIN));
    // And again the next morning: separate windows.
    s.extend(
        failures(6, 20_000, &["192.0.2.10"])
            .into_iter()
            .map(|e| e.plus(24 * HOUR)),
    );
    let r = s.run();
    assert!(r.all(D).is_empty(), "{:?}", r.summary());
}

#[test]
fn a_success_after_it_is_recorded_and_links_to_credential_stuffing() {
    let mut s = Scenario::new();
    s.extend(failures(
        10,
        30_000,
        &["203.0.113.1", "203.0.113.2", "203.0.113.3"],
    ));
    s.push(ok(T0, U, "203.0.113.9").plus(7 * MIN));
    let r = s.run();
    let brute = r.one(D);
    assert_eq!(brute.details["verified_sign_in"], "2024-05-01T10:07:00Z");
    assert_eq!(brute.details["verified_from_ip"], "203.0.113.9");
    assert!(
        brute.title.ends_with("then a verified sign-in"),
        "{}",
        brute.title
    );
    assert_eq!(brute.event_count, 11);
    let stuffing = r.one(DetectorId::CredentialStuffing);
    // The two group into one incident (the account-compromise rule).
    let mut inc = Incidents::new(&Config::default().incidents);
    inc.observe(r.findings.all());
    let a = inc.incident_of(&brute.id);
    assert!(a.is_some(), "brute force joins an incident");
    assert_eq!(a, inc.incident_of(&stuffing.id));
}

#[test]
fn a_burst_continues_while_failures_keep_coming_and_state_drains() {
    let mut s = Scenario::new();
    // 30 failures a minute apart: one finding, peak 10 per 10 minutes.
    s.extend(failures(30, MIN, &["203.0.113.1"]));
    // A later unrelated sign-in, hours after: the user's state is swept.
    s.extend(
        (0..5000).map(|i| ok(T0, &format!("x{i}@contoso.com"), "192.0.2.1").plus(3 * HOUR + i)),
    );
    let r = s.run();
    let f = r.one(D);
    assert_eq!(f.details["failures"], 30);
    assert_eq!(f.details["peak_in_window"], 11);
    let lens = r.engine.state_lens();
    let held = lens.iter().find(|(d, _)| *d == D).map(|x| x.1);
    assert_eq!(held, Some(0));
}
