//! mfa_fatigue scenarios: MFA prompts denied again and again, then (or not) a success.

use crate::detect::testkit::*;
use crate::event::{flags, Outcome};
use crate::finding::DetectorId::{CredentialStuffing as S, MfaFatigue as F};
use crate::finding::Severity;

const U: &str = "dana@contoso.com";
const IP: &str = "198.51.100.23";
const T0: &str = "2024-05-01T10:00:00Z";

/// An Entra MFA denial (500121) `secs` after T0.
fn denial(secs: i64) -> Ev {
    interrupted(T0, U, IP)
        .code("500121")
        .flag(flags::MFA_DENIED)
        .plus(secs * 1000)
}

fn success(secs: i64) -> Ev {
    ok(T0, U, IP).plus(secs * 1000)
}

#[test]
fn five_denials_then_a_success_within_ten_minutes_is_high() {
    let mut s = Scenario::new();
    s.extend((0..5).map(|i| denial(i * 60)));
    s.push(success(5 * 60));
    let r = s.run();
    let f = r.one(F);
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.risk, 85);
    assert_eq!(f.details["prompts"], 5);
    assert_eq!(f.details["approved"], true);
    assert_eq!(f.event_count, 6);
    // The denials proved the password: no stuffing either.
    assert!(r.active(S).is_empty());
}

#[test]
fn ten_denials_without_a_success_are_medium_and_a_late_approval_raises_it() {
    let mut s = Scenario::new();
    s.extend((0..10).map(|i| denial(i * 30)));
    let r = s.run();
    let f = r.one(F);
    assert_eq!((f.severity, f.risk), (Severity::Medium, 60));
    assert_eq!(f.details["approved"], false);
    // The same, then the user gives in: the finding (same id) becomes high.
    s.push(success(10 * 30));
    let r2 = s.run();
    let g = r2.one(F);
    assert_eq!(g.id, f.id);
    assert_eq!(
        (g.severity, g.details["prompts"].as_u64()),
        (Severity::High, Some(10))
    );
}

#[test]
fn repeated_50074_prompts_count_and_okta_double_records_count_once() {
    // Entra 50074 (strong authentication required) repeated, then a success.
    let mut s = Scenario::new();
    s.extend((0..5).map(|i| interrupted(T0, U, IP).plus(i * 60_000)));
    s.push(success(300));
    assert_eq!(s.run().one(F).details["prompts"], 5);
    // Okta: each rejection is logged twice (deny_push, failed auth_via_mfa) 100 ms apart.
    let mut s = Scenario::new();
    for i in 0..4 {
        s.push(denial(i * 60));
        s.push(denial(i * 60).plus(100));
    }
    s.push(success(300));
    assert!(s.run().active(F).is_empty(), "four prompts, not eight");
}

#[test]
fn lookalikes_below_each_threshold_stay_quiet() {
    let quiet = |evs: Vec<Ev>| {
        let mut s = Scenario::new();
        s.extend(evs);
        let r = s.run();
        assert!(r.active(F).is_empty(), "{:?}", r.summary());
    };
    // Four denials then a success.
    quiet(
        (0..4)
            .map(|i| denial(i * 60))
            .chain([success(300)])
            .collect(),
    );
    // Nine denials, no success.
    quiet((0..9).map(|i| denial(i * 30)).collect());
    // Five denials then a success, but spread over more than ten minutes.
    quiet(
        (0..5)
            .map(|i| denial(i * 180))
            .chain([success(15 * 60)])
            .collect(),
    );
    // Benign: a normal MFA sign-in (one 50074 then success) every few minutes.
    quiet(
        (0..6)
            .flat_map(|i| {
                [
                    interrupted(T0, U, IP).plus(i * 240_000),
                    success(i * 240 + 20),
                ]
            })
            .collect(),
    );
    // Benign: bad passwords are failures, not prompts.
    quiet(
        (0..12)
            .map(|i| fail(T0, U, IP).plus(i * 10_000))
            .chain([ok(T0, U, IP).plus(200_000).outcome(Outcome::Success)])
            .collect(),
    );
}

#[test]
fn why_it_fired_names_the_thresholds_in_force() {
    use crate::detect::describe::About;
    let mut s = Scenario::new();
    s.extend((0..6).map(|i| denial(i * 60)));
    s.push(success(7 * 60));
    let r = s.run();
    let about = About::of(r.one(F), &s.config);
    assert!(
        about
            .rule
            .contains("at least 5 then a successful sign-in within 10m"),
        "{}",
        about.rule
    );
    let why = about.why_text();
    assert!(
        why.contains("prompts 6 ≥ min_prompts_then_success 5"),
        "{why}"
    );
}
