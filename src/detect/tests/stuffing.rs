//! credential_stuffing scenarios.

use crate::detect::testkit::*;
use crate::finding::{Change, DetectorId::CredentialStuffing as D, Severity};

const U: &str = "alice@contoso.com";
const T0: &str = "2024-05-01T10:00:00Z";

/// `n` failures of `U`, one a minute from T0, cycling over `ips`.
fn failures(n: i64, ips: &[&str]) -> Vec<Ev> {
    (0..n)
        .map(|i| fail(T0, U, ips[i as usize % ips.len()]).plus(i * MIN))
        .collect()
}

#[test]
fn fires_on_failures_then_success_with_risk_by_ip_count() {
    let mut s = Scenario::new();
    s.extend(failures(6, &["203.0.113.1", "203.0.113.2", "203.0.113.3"]));
    s.push(ok(T0, U, "203.0.113.50").plus(10 * MIN));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (75, Severity::High));
    assert_eq!(f.event_count, 7);
    assert_eq!(f.first_seen, t(T0));
    assert_eq!(f.last_seen, t(T0) + 10 * MIN);
    assert_eq!(f.user.as_deref(), Some(U));
    assert_eq!(f.ip.as_deref(), Some("203.0.113.50"));
    assert_eq!(f.details["failure_count"], 6);
    assert_eq!(f.details["distinct_ips"], 3);
    assert_eq!(f.details["ips"].as_array().unwrap().len(), 3);
    assert_eq!(f.details["result_codes"][0], "50126");
    assert_eq!(f.details["success"]["ip"], "203.0.113.50");
    assert_eq!(f.details["success"]["time"], "2024-05-01T10:10:00Z");
    assert_eq!(f.details["thresholds"]["min_failures"], 5);
    assert_eq!(r.evidence_times(f).len(), 7);
    assert_eq!(*r.evidence_times(f).last().unwrap(), t(T0) + 10 * MIN);

    // One IP: 60 (medium); six IPs: 90 (critical).
    let mut s = Scenario::new();
    s.extend(failures(5, &["203.0.113.1"]));
    s.push(ok(T0, U, "203.0.113.1").plus(6 * MIN));
    let f = s.run().one(D).clone();
    assert_eq!(
        (f.risk, f.severity, f.event_count),
        (60, Severity::Medium, 6)
    );
    let mut s = Scenario::new();
    let six = [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
        "198.51.100.5",
        "198.51.100.6",
    ];
    s.extend(failures(12, &six));
    s.push(ok(T0, U, "198.51.100.9").plus(13 * MIN));
    let f = s.run().one(D).clone();
    assert_eq!((f.risk, f.severity), (90, Severity::Critical));
    assert_eq!(f.details["distinct_ips"], 6);
}

#[test]
fn quiet_on_typos_ignored_codes_and_failures_alone() {
    // Three typos then success.
    let mut s = Scenario::new();
    s.extend(failures(3, &["192.0.2.10"]));
    s.push(ok(T0, U, "192.0.2.10").plus(4 * MIN));
    assert!(s.run().all(D).is_empty());
    // Only locked-out / MFA-required codes before a success.
    let mut s = Scenario::new();
    for i in 0..8 {
        let code = if i % 2 == 0 { "50053" } else { "50076" };
        s.push(fail(T0, U, "192.0.2.10").code(code).plus(i * MIN));
    }
    s.push(ok(T0, U, "192.0.2.10").plus(10 * MIN));
    assert!(s.run().all(D).is_empty());
    // Four real failures plus ignored ones stay below the threshold.
    let mut s = Scenario::new();
    s.extend(failures(4, &["192.0.2.10"]));
    s.push(fail(T0, U, "192.0.2.10").code("50053").plus(5 * MIN));
    s.push(ok(T0, U, "192.0.2.10").plus(6 * MIN));
    assert!(s.run().all(D).is_empty());
    // Many failures and never a success.
    let mut s = Scenario::new();
    s.extend(failures(30, &["192.0.2.10", "192.0.2.11"]));
    assert!(s.run().all(D).is_empty());
}

#[test]
fn counts_since_the_previous_success_and_within_the_window() {
    // A few typos on several sign-ins in one day: 3 + 3 failures, never 5 in a run.
    let mut s = Scenario::new();
    s.extend(failures(3, &["192.0.2.10"]));
    s.push(ok(T0, U, "192.0.2.10").plus(5 * MIN));
    for i in 0..3 {
        s.push(fail(T0, U, "192.0.2.10").plus(2 * HOUR + i * MIN));
    }
    s.push(ok(T0, U, "192.0.2.10").plus(2 * HOUR + 5 * MIN));
    assert!(s.run().all(D).is_empty());
    // Failures older than 24 h before the success do not count.
    let mut s = Scenario::new();
    s.extend(failures(3, &["192.0.2.10"]));
    s.push(fail(T0, U, "192.0.2.10").plus(23 * HOUR));
    s.push(fail(T0, U, "192.0.2.10").plus(24 * HOUR));
    s.push(ok(T0, U, "192.0.2.10").plus(25 * HOUR));
    assert!(s.run().all(D).is_empty());
    // Other users' failures do not count for this user.
    let mut s = Scenario::new();
    s.extend(failures(3, &["192.0.2.10"]));
    for i in 0..3 {
        s.push(fail(T0, "bob@contoso.com", "192.0.2.10").plus(i * MIN));
    }
    s.push(ok(T0, U, "192.0.2.10").plus(5 * MIN));
    assert!(s.run().all(D).is_empty());
}

#[test]
fn interrupted_sign_in_counts_as_verified_credentials() {
    let mut s = Scenario::new();
    s.extend(failures(5, &["203.0.113.1", "203.0.113.2"]));
    s.push(interrupted(T0, U, "203.0.113.2").plus(6 * MIN));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.event_count), (60, 6));
    assert_eq!(f.details["success"]["outcome"], "interrupted");
    assert_eq!(f.details["interrupted_counts_as_verified"], true);
}

#[test]
fn one_finding_per_burst_updated_in_window_new_one_on_new_crossing() {
    let mut s = Scenario::new();
    s.extend(failures(6, &["203.0.113.1"]));
    s.push(ok(T0, U, "203.0.113.1").plus(10 * MIN));
    // Later in the window: two failures and a success from a new IP update it.
    s.push(fail(T0, U, "203.0.113.7").plus(HOUR));
    s.push(fail(T0, U, "203.0.113.8").plus(HOUR + MIN));
    s.push(ok(T0, U, "203.0.113.8").plus(HOUR + 2 * MIN));
    let r = s.run();
    let f = r.one(D);
    assert_eq!(f.event_count, 10);
    assert_eq!(f.details["failure_count"], 8);
    assert_eq!(f.details["verified_sign_ins"], 2);
    assert_eq!(f.details["distinct_ips"], 3);
    assert_eq!(f.risk, 75, "risk follows the IPs of all counted failures");
    assert_eq!(
        f.details["success"]["ip"], "203.0.113.1",
        "the firing sign-in stays first"
    );
    assert_eq!(f.details["later_sign_ins"][0]["ip"], "203.0.113.8");
    assert!(r.findings.revision(&f.id) >= 1);
    let changes: Vec<_> = r
        .changes
        .iter()
        .filter(|c| c.1 == f.id)
        .map(|c| c.0)
        .collect();
    assert_eq!(
        changes,
        vec![Change::Created, Change::Updated],
        "created at the success, updated by the later one"
    );

    // Another threshold crossing is a new burst, with its own id.
    let mut s2 = Scenario::new();
    s2.extend(failures(6, &["203.0.113.1"]));
    s2.push(ok(T0, U, "203.0.113.1").plus(10 * MIN));
    for i in 0..5 {
        s2.push(fail(T0, U, "203.0.113.9").plus(3 * HOUR + i * MIN));
    }
    s2.push(ok(T0, U, "203.0.113.9").plus(3 * HOUR + 6 * MIN));
    let r2 = s2.run();
    let fs = r2.active(D);
    assert_eq!(fs.len(), 2, "{:?}", r2.summary());
    assert_ne!(fs[0].id, fs[1].id);
    assert_eq!(fs[1].first_seen, t(T0) + 3 * HOUR);
    assert_eq!(fs[1].details["failure_count"], 5);
    // The first finding was not touched by the second burst.
    assert_eq!(fs[0].details["failure_count"], 6);
}
