//! distributed_spray scenarios.

use crate::detect::testkit::*;
use crate::finding::{DetectorId, DetectorId::DistributedSpray as D, Severity};

const T0: &str = "2024-05-01T10:00:00Z";

/// `users` failures (one per user), `step` apart, over `ips` addresses
/// 203.0.113.1.. of AS `asn` (0: unknown, so the /24 is the network).
fn rotating(users: i64, ips: i64, asn: u32, step: i64) -> Vec<Ev> {
    (0..users)
        .map(|i| {
            fail(
                T0,
                &format!("u{i}@contoso.com"),
                &format!("203.0.113.{}", 1 + i % ips),
            )
            .asn(asn)
            .plus(i * step)
        })
        .collect()
}

#[test]
fn fires_on_twenty_users_from_six_ips_of_one_as() {
    let mut s = Scenario::new();
    s.extend(
        rotating(24, 6, 9009, 100_000)
            .into_iter()
            .map(|e| e.org("M247 Europe SRL")),
    );
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (60, Severity::Medium));
    assert_eq!(f.details["network"], "AS9009");
    assert_eq!(f.details["as_org"], "M247 Europe SRL");
    assert_eq!(f.details["failed_users"], 24);
    assert_eq!(f.details["distinct_ips"], 6);
    assert_eq!(f.details["peak_ips_in_window"], 6);
    assert_eq!(f.first_seen, t(T0));
    assert!(
        f.title
            .contains("AS9009 (M247 Europe SRL): 24 users failed from 6 IPs"),
        "{}",
        f.title
    );
    assert!(r.all(DetectorId::PasswordSpray).is_empty());
}

#[test]
fn without_an_as_number_the_prefix_is_the_network() {
    let mut s = Scenario::new();
    s.extend(rotating(20, 5, 0, MIN));
    let r = s.run();
    assert_eq!(r.one(D).details["network"], "203.0.113.0/24");
    let mut s = Scenario::new();
    s.extend((0..20).map(|i| {
        fail(
            T0,
            &format!("u{i}@contoso.com"),
            &format!("2001:db8:7:{}::1", i % 5),
        )
        .plus(i * MIN)
    }));
    assert_eq!(s.run().one(D).details["network"], "2001:db8:7::/48");
}

#[test]
fn a_sign_in_from_the_network_makes_it_a_spray_with_success() {
    let mut s = Scenario::new();
    s.extend(rotating(20, 5, 9009, MIN));
    s.push(
        ok(T0, "u4@contoso.com", "203.0.113.200")
            .asn(9009)
            .plus(25 * MIN),
    );
    let f = s.run().one(D).clone();
    assert_eq!((f.risk, f.severity), (90, Severity::Critical));
    assert_eq!(f.user.as_deref(), Some("u4@contoso.com"));
}

#[test]
fn quiet_just_below_each_threshold() {
    // 19 users from 6 IPs.
    let mut s = Scenario::new();
    s.extend(rotating(19, 6, 9009, MIN));
    assert!(s.run().all(D).is_empty());
    // 20 users from 4 IPs.
    let mut s = Scenario::new();
    s.extend(rotating(20, 4, 9009, MIN));
    assert!(s.run().all(D).is_empty());
    // 20 users from 5 IPs over 76 minutes: no hour holds 20.
    let mut s = Scenario::new();
    s.extend(rotating(20, 5, 9009, 4 * MIN));
    assert!(s.run().all(D).is_empty());
    // One IP of the network met password_spray (5 users, 20 attempts in
    // 15 min) within the hour: that IP is password_spray's, and the network
    // stays quiet while it is in the window.
    let mut s = Scenario::new();
    s.extend((0..20).map(|i| {
        fail(T0, &format!("v{}@contoso.com", i % 5), "203.0.113.9")
            .asn(9009)
            .plus(i * 10_000)
    }));
    s.extend(
        rotating(20, 5, 9009, MIN)
            .into_iter()
            .map(|e| e.plus(10 * MIN)),
    );
    let r = s.run();
    assert!(r.all(D).is_empty(), "{:?}", r.summary());
    assert_eq!(r.all(DetectorId::PasswordSpray).len(), 1);
}

#[test]
fn a_shared_nat_or_a_busy_isp_does_not_reach_it() {
    // A shared NAT: 25 users mistype from one address.
    let mut s = Scenario::new();
    s.extend(rotating(25, 1, 3320, 2 * MIN));
    assert!(s.run().all(D).is_empty());
    // An ISP: 20 users fail from 8 of its addresses, and many sign in fine.
    let mut s = Scenario::new();
    s.extend(rotating(20, 8, 3320, 2 * MIN));
    s.extend((0..10).map(|i| {
        ok(T0, &format!("ok{i}@contoso.com"), "203.0.113.50")
            .asn(3320)
            .plus(i * MIN)
    }));
    let r = s.run();
    assert!(r.active(D).is_empty(), "{:?}", r.summary());
    let f = r.all(D)[0];
    assert_eq!(f.risk, 20);
    assert_eq!(f.details["verdict"], "shared network");
}

#[test]
fn state_drains_after_the_window() {
    let mut s = Scenario::new();
    s.extend(rotating(24, 6, 9009, MIN));
    s.extend(
        (0..5000)
            .map(|i| fail(T0, &format!("x{i}@contoso.com"), "192.0.2.1").plus(5 * HOUR + i * 1000)),
    );
    let r = s.run();
    let held = r
        .engine
        .state_lens()
        .into_iter()
        .find(|(d, _)| *d == D)
        .map(|x| x.1);
    assert!(held.is_some_and(|n| n <= 1), "{held:?}");
}

#[test]
fn a_big_distributed_spray_in_one_batch_is_one_snapshot_and_the_same_finding() {
    // 2,000 users over 40 addresses of one AS: event by event every failure
    // rewrites the finding; in one batch it is created and updated once.
    let mut s = Scenario::new();
    s.extend(rotating(2000, 40, 9009, 1_000));
    let each = s.run();
    let batched = s.run_batched();
    assert_eq!(each.all(D), batched.all(D));
    let f = batched.one(D);
    let upserts = batched.changes.iter().filter(|(_, id)| *id == f.id).count();
    assert!(upserts <= 2, "{upserts} snapshots in one batch");
    let per_event = each.changes.iter().filter(|(_, id)| *id == f.id).count();
    assert!(per_event > 100, "{per_event}");
}
