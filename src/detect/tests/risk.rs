//! identity_risk and legacy_auth scenarios.

use crate::config::RiskConfig;
use crate::detect::identity_risk::assess;
use crate::detect::testkit::*;
use crate::finding::DetectorId::{IdentityRisk as R, LegacyAuth as L};
use crate::finding::Severity;

const U: &str = "alice@contoso.com";
const T0: &str = "2024-05-01T10:00:00Z";
const IP: &str = "203.0.113.5";

#[test]
fn identity_risk_reason_count_and_severity_follow_the_seed() {
    let cases = [
        (
            ok(T0, U, IP).risk("high", "", ""),
            "HighRiskSignIn",
            1,
            Severity::Medium,
            60,
        ),
        (
            ok(T0, U, IP).risk("Medium", "", ""),
            "HighRiskSignIn",
            1,
            Severity::Medium,
            60,
        ),
        (
            ok(T0, U, IP).risk("medium", "", "unfamiliarFeatures,anonymizedIPAddress"),
            "HighRisk+Event:[\"unfamiliarFeatures\",\"anonymizedIPAddress\"]",
            2,
            Severity::High,
            80,
        ),
        (
            ok(T0, U, IP).risk("none", "", "leakedCredentials"),
            "RiskEvent:[\"leakedCredentials\"]",
            1,
            Severity::Medium,
            60,
        ),
        // The seed calls any compromised state (atRisk too) "ConfirmedCompromise".
        (
            ok(T0, U, IP).risk("", "atRisk", ""),
            "ConfirmedCompromise",
            1,
            Severity::Medium,
            60,
        ),
        (
            ok(T0, U, IP).risk("", "confirmedCompromised", ""),
            "ConfirmedCompromise",
            1,
            Severity::High,
            80,
        ),
        (
            ok(T0, U, IP).risk("high", "atRisk", "passwordSpray"),
            "ConfirmedCompromise",
            3,
            Severity::High,
            80,
        ),
        (
            ok(T0, U, IP)
                .auth("singleFactorAuthentication")
                .tenants("tenant-home", "tenant-res"),
            "CrossTenantMFABypass",
            1,
            Severity::Medium,
            60,
        ),
    ];
    for (ev, reason, n, sev, risk) in cases {
        let mut s = Scenario::new();
        s.push(ev);
        let r = s.run();
        let f = r.one(R);
        assert_eq!((f.severity, f.risk), (sev, risk), "{reason}");
        assert_eq!(f.details["reasons"][0], reason);
        assert_eq!(f.details["max_indicator_count"], n, "{reason}");
        assert_eq!(f.details["events"][0]["indicator_count"], n);
    }
}

#[test]
fn identity_risk_quiet_on_failed_or_benign_sign_ins() {
    let mut s = Scenario::new();
    s.push(fail(T0, U, IP).risk("high", "atRisk", "leakedCredentials"));
    s.push(interrupted(T0, U, IP).risk("high", "", "").plus(MIN));
    s.push(
        ok(T0, U, IP)
            .risk("low", "remediated", "mcasImpossibleTravel")
            .plus(2 * MIN),
    );
    // Single factor in the user's own tenant, or without a home tenant.
    s.push(
        ok(T0, U, IP)
            .auth("singleFactorAuthentication")
            .tenants("t1", "t1")
            .plus(3 * MIN),
    );
    s.push(
        ok(T0, U, IP)
            .auth("singleFactorAuthentication")
            .plus(4 * MIN),
    );
    s.push(
        ok(T0, U, IP)
            .auth("multiFactorAuthentication")
            .tenants("t1", "t2")
            .plus(5 * MIN),
    );
    let r = s.run();
    assert!(r.all(R).is_empty(), "{:?}", r.summary());
}

#[test]
fn identity_risk_groups_per_user_per_day_at_the_worst_severity() {
    let mut s = Scenario::new();
    s.push(ok(T0, U, IP).risk("medium", "", ""));
    s.push(
        ok(T0, U, "198.51.100.1")
            .risk("high", "", "maliciousIPAddress")
            .plus(2 * HOUR),
    );
    s.push(ok(T0, U, IP).risk("medium", "", "").plus(25 * HOUR));
    let r = s.run();
    let fs = r.active(R);
    assert_eq!(fs.len(), 2, "{:?}", r.summary());
    assert_eq!(
        (fs[0].severity, fs[0].risk, fs[0].event_count),
        (Severity::High, 80, 2)
    );
    assert_eq!(
        fs[0].details["ips"],
        serde_json::json!([IP, "198.51.100.1"])
    );
    assert_eq!(fs[1].severity, Severity::Medium);
}

#[test]
fn assess_matches_event_types_case_insensitively_and_exactly() {
    let mut s = Scenario::new();
    s.push(ok(T0, U, IP).risk("", "", " ImpossibleTravel , newCountry"));
    s.push(ok(T0, U, IP).risk("", "", "impossibleTravelX"));
    let r = s.run();
    let cfg = RiskConfig::default();
    let a = assess(&cfg, &r.store, &r.store.get(0));
    assert!(a.suspicious_event);
    assert_eq!(a.matched_events, vec!["ImpossibleTravel".to_string()]);
    assert_eq!(a.indicators(), 1);
    assert!(!assess(&cfg, &r.store, &r.store.get(1)).suspicious_event);
}

#[test]
fn legacy_auth_fires_on_single_factor_legacy_clients_only() {
    let mut s = Scenario::new();
    s.push(
        ok(T0, U, IP)
            .client("IMAP4")
            .auth("singleFactorAuthentication"),
    );
    s.push(
        ok(T0, U, "198.51.100.1")
            .client("authenticated smtp")
            .auth("singlefactorauthentication")
            .plus(HOUR),
    );
    let r = s.run();
    let f = r.one(L);
    assert_eq!(
        (f.risk, f.severity, f.event_count),
        (50, Severity::Medium, 2)
    );
    assert_eq!(
        f.details["client_apps"],
        serde_json::json!(["IMAP4", "authenticated smtp"])
    );
    assert_eq!(f.details["distinct_ips"], 2);

    let mut s = Scenario::new();
    s.push(
        ok(T0, U, IP)
            .client("Browser")
            .auth("singleFactorAuthentication"),
    );
    s.push(
        ok(T0, U, IP)
            .client("IMAP4")
            .auth("multiFactorAuthentication"),
    );
    s.push(ok(T0, U, IP).client("POP3"));
    s.push(
        fail(T0, U, IP)
            .client("IMAP4")
            .auth("singleFactorAuthentication"),
    );
    let r = s.run();
    assert!(r.all(L).is_empty(), "{:?}", r.summary());
}
