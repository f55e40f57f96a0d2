//! password_spray scenarios.

use crate::detect::testkit::*;
use crate::event::Millis;
use crate::finding::{DetectorId::PasswordSpray as D, Severity};

const IP: &str = "198.51.100.7";

/// `attempts` failures from `IP` starting at `start`, `step` apart, cycling over `users` users.
fn spray(start: &str, attempts: i64, users: i64, step: Millis) -> Vec<Ev> {
    (0..attempts)
        .map(|i| fail(start, &format!("user{}@contoso.com", i % users), IP).plus(i * step))
        .collect()
}

#[test]
fn spray_attempt_without_success() {
    let mut s = Scenario::new();
    s.extend(spray("2024-05-01T10:00:00Z", 20, 5, 30_000));
    // A success for a sprayed user from another IP does not count.
    s.push(ok(
        "2024-05-01T10:12:00Z",
        "user1@contoso.com",
        "192.0.2.99",
    ));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (60, Severity::Medium));
    assert!(f.title.contains("spray attempt"), "{}", f.title);
    assert_eq!(f.ip.as_deref(), Some(IP));
    assert_eq!(f.first_seen, t("2024-05-01T10:00:00Z"));
    assert_eq!(f.details["failed_attempts"], 20);
    assert_eq!(f.details["failed_users"], 5);
    assert_eq!(f.details["successful_users"], 0);
    assert!(f.details["exposure_ratio"].is_null());
    assert_eq!(f.details["thresholds"]["window"], "15m");
    assert!(f.suppressed.is_none());
}

#[test]
fn spray_with_success_lists_the_users_and_ratio() {
    let mut s = Scenario::new();
    s.extend(spray("2024-05-01T10:00:00Z", 20, 5, 30_000));
    // Before the threshold was crossed but after the first failure: counts.
    s.push(ok("2024-05-01T10:02:10Z", "user3@contoso.com", IP));
    // Interrupted counts too; 14 min after the last failure (10:09:30) still inside.
    s.push(interrupted("2024-05-01T10:23:30Z", "user4@contoso.com", IP));
    // After last failure + 15 min: outside.
    s.push(ok("2024-05-01T10:25:00Z", "user2@contoso.com", IP));
    let r = s.run();
    let f = r.one(D);
    assert_eq!((f.risk, f.severity), (90, Severity::Critical));
    assert!(f.title.contains("spray with success"), "{}", f.title);
    assert_eq!(
        f.details["successful_user_list"],
        serde_json::json!(["user3@contoso.com", "user4@contoso.com"])
    );
    assert_eq!(f.details["successful_users"], 2);
    assert_eq!(f.details["exposure_ratio"], 2.5);
    assert_eq!(f.user.as_deref(), Some("user3@contoso.com"));
    assert_eq!(f.event_count, 22);
    assert_eq!(f.last_seen, t("2024-05-01T10:23:30Z"));
}

#[test]
fn shared_egress_is_kept_but_suppressed() {
    let mut s = Scenario::new();
    s.extend(spray("2024-05-01T10:00:00Z", 40, 10, 15_000));
    for i in 0..5 {
        s.push(ok("2024-05-01T10:05:00Z", &format!("staff{i}@contoso.com"), IP).plus(i * MIN));
    }
    let r = s.run();
    assert!(r.active(D).is_empty(), "{:?}", r.summary());
    let all = r.all(D);
    assert_eq!(all.len(), 1);
    let f = all[0];
    assert_eq!((f.risk, f.severity), (20, Severity::Low));
    let note = &f.suppressed.as_ref().unwrap().note;
    assert_eq!(
        note,
        "shared egress: 5 distinct users signed in successfully from this IP (NAT/proxy)"
    );
    assert_eq!(f.suppressed.as_ref().unwrap().entry, None);
    assert_eq!(f.details["exposure_ratio"], 2.0);
}

#[test]
fn sliding_window_catches_a_spray_across_a_quarter_hour_boundary() {
    // 10:10–10:19:30: ten attempts on each side of 10:15, so fixed 15-minute
    // bins would each see only 10.
    let mut s = Scenario::new();
    s.extend(spray("2024-05-01T10:10:00Z", 20, 5, 30_000));
    let r = s.run();
    let f = r.one(D);
    assert_eq!(f.first_seen, t("2024-05-01T10:10:00Z"));
    assert_eq!(f.details["last_failure"], "2024-05-01T10:19:30Z");
    assert_eq!(f.risk, 60);
}

#[test]
fn quiet_below_either_threshold_or_when_spread_out() {
    for (attempts, users, step) in [(19, 5, 30_000), (25, 4, 30_000), (40, 8, 50_000)] {
        let mut s = Scenario::new();
        s.extend(spray("2024-05-01T10:00:00Z", attempts, users, step));
        let r = s.run();
        assert!(
            r.all(D).is_empty(),
            "{attempts} attempts / {users} users every {step} ms: {:?}",
            r.summary()
        );
    }
}

#[test]
fn a_burst_continues_while_failures_keep_coming_then_a_new_one_starts() {
    let mut s = Scenario::new();
    s.extend(spray("2024-05-01T10:00:00Z", 20, 5, 30_000));
    // 10.5 min after the last failure: same burst.
    s.extend(spray("2024-05-01T10:20:00Z", 10, 10, 30_000));
    // 40 min later: a new burst.
    s.extend(spray("2024-05-01T11:10:00Z", 20, 5, 30_000));
    let r = s.run();
    let fs = r.active(D);
    assert_eq!(fs.len(), 2, "{:?}", r.summary());
    assert_eq!(fs[0].details["failed_attempts"], 30);
    assert_eq!(fs[0].details["failed_users"], 10);
    assert_eq!(fs[0].details["last_failure"], "2024-05-01T10:24:30Z");
    assert_eq!(fs[1].first_seen, t("2024-05-01T11:10:00Z"));
    assert_eq!(fs[1].details["failed_attempts"], 20);
}
