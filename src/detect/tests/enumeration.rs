//! user_enumeration scenarios: one IP trying accounts that do not exist.

use crate::detect::testkit::*;
use crate::event::{flags, Source};
use crate::finding::DetectorId::{PasswordSpray as P, UserEnumeration as E};

const IP: &str = "203.0.113.77";
const T0: &str = "2024-05-01T10:00:00Z";

/// A failure for a non-existent account `n`, `secs` after T0.
fn unknown(n: u32, secs: i64) -> Ev {
    fail(T0, &format!("ghost{n}@contoso.com"), IP)
        .code("50034")
        .flag(flags::NO_SUCH_USER)
        .plus(secs * 1000)
}

#[test]
fn ten_unknown_accounts_in_fifteen_minutes_fire() {
    let mut s = Scenario::new();
    s.extend((0..12).map(|n| unknown(n, i64::from(n) * 60)));
    let r = s.run();
    let f = r.one(E);
    assert_eq!(f.ip.as_deref(), Some(IP));
    assert_eq!(f.details["unknown_accounts"], 12);
    assert_eq!(f.details["attempts"], 12);
    assert_eq!(f.details["sources"], serde_json::json!(["entra"]));
    assert_eq!(f.risk, 50);
    assert_eq!(r.evidence_times(f).len(), 12);
    let why = crate::detect::describe::About::of(f, &s.config).why_text();
    assert!(
        why.contains("unknown_accounts 12 ≥ min_accounts 10"),
        "{why}"
    );
}

#[test]
fn lookalikes_below_each_threshold_stay_quiet() {
    // Nine distinct unknown accounts: one short.
    let mut s = Scenario::new();
    s.extend((0..9).map(|n| unknown(n, i64::from(n) * 60)));
    assert!(s.run().active(E).is_empty());
    // Ten, but spread so that no 15-minute window holds ten.
    let mut s = Scenario::new();
    s.extend((0..10).map(|n| unknown(n, i64::from(n) * 101)));
    assert!(s.run().active(E).is_empty());
    // Benign: a user mistyping their own name, 30 attempts with 3 spellings.
    let mut s = Scenario::new();
    s.extend((0..30).map(|i| unknown(i % 3, i64::from(i) * 20)));
    assert!(s.run().active(E).is_empty());
}

#[test]
fn failures_on_real_accounts_are_not_enumeration() {
    // Twenty-five bad passwords for twelve real accounts: a spray, not enumeration.
    let mut s = Scenario::new();
    s.extend(
        (0..25).map(|i| {
            fail(T0, &format!("user{}@contoso.com", i % 12), IP).plus(i64::from(i) * 20_000)
        }),
    );
    let r = s.run();
    assert!(r.active(E).is_empty());
    assert_eq!(r.active(P).len(), 1);
}

#[test]
fn sshd_and_kerberos_count_together_and_a_new_burst_is_a_new_finding() {
    let mut s = Scenario::new();
    s.extend((0..10).map(|n| {
        let src = if n % 2 == 0 {
            Source::Sshd
        } else {
            Source::Windows
        };
        unknown(n, i64::from(n)).source(src)
    }));
    // Two hours later the same IP starts again.
    s.extend((20..30).map(|n| unknown(n, 7200 + i64::from(n))));
    let r = s.run();
    let all = r.active(E);
    assert_eq!(all.len(), 2, "{:?}", r.summary());
    assert_eq!(
        all[0].details["sources"],
        serde_json::json!(["sshd", "windows"])
    );
}
