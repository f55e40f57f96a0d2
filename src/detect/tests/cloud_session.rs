//! cloud_recon and session_anomaly scenarios.

use crate::detect::testkit::*;
use crate::finding::DetectorId::{CloudRecon as C, SessionAnomaly as S};
use crate::finding::Severity;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const T0: &str = "2024-05-01T10:00:00Z";
const APIS: [&str; 6] = [
    "ListBuckets",
    "ListAttachedUserPolicies",
    "DescribeInstances",
    "GetAccountAuthorizationDetails",
    "ListGroupsForUser",
    "DescribeRegions",
];

fn call(op: &str, secs: i64) -> Ev {
    api(T0, KEY, op)
        .user("deploy-bot")
        .ip("203.0.113.77")
        .ua("aws-cli/2.15.0")
        .plus(secs * 1000)
}

#[test]
fn recon_after_identity_check_fires_and_updates() {
    let mut s = Scenario::new();
    s.push(call("GetCallerIdentity", 0));
    for (i, op) in APIS.iter().enumerate() {
        s.push(call(op, 10 + 15 * i as i64));
    }
    s.push(call("ListBuckets", 100)); // a repeat is not a new API
    let r = s.run();
    let f = r.one(C);
    assert_eq!((f.risk, f.severity), (70, Severity::High));
    assert_eq!(f.first_seen, t(T0));
    assert_eq!(f.details["access_key"], KEY);
    assert_eq!(f.details["distinct_apis"], 6);
    assert_eq!(f.details["api_calls"], 7);
    assert_eq!(f.details["apis"][0], "ListBuckets");
    assert_eq!(f.details["ips"], serde_json::json!(["203.0.113.77"]));
    assert_eq!(
        f.details["user_agents"],
        serde_json::json!(["aws-cli/2.15.0"])
    );
    assert_eq!(f.user.as_deref(), Some("deploy-bot"));
    assert_eq!(f.event_count, 8);
}

#[test]
fn recon_is_quiet_without_identity_check_or_enough_apis_in_time() {
    // Four distinct APIs (with repeats and GetCallerIdentity itself).
    let mut s = Scenario::new();
    s.push(call("GetCallerIdentity", 0));
    for (i, op) in APIS[..4].iter().chain(&APIS[..4]).enumerate() {
        s.push(call(op, 5 + i as i64));
    }
    s.push(call("GetCallerIdentity", 30));
    s.push(call("PutObject", 40));
    assert!(s.run().all(C).is_empty());
    // The fifth comes after two minutes.
    let mut s = Scenario::new();
    s.push(call("GetCallerIdentity", 0));
    for (i, op) in APIS[..4].iter().enumerate() {
        s.push(call(op, 10 + i as i64));
    }
    s.push(call(APIS[4], 121));
    assert!(s.run().all(C).is_empty());
    // No identity check; or the check made with another key.
    let mut s = Scenario::new();
    s.push(api(T0, "AKIAOTHERKEY0000000", "GetCallerIdentity"));
    for (i, op) in APIS.iter().enumerate() {
        s.push(call(op, 10 + i as i64));
    }
    assert!(s.run().all(C).is_empty());
}

fn use_from(time: &str, ip: &str, asn: u32, country: &str) -> Ev {
    ok(time, "alice@contoso.com", ip)
        .asn(asn)
        .country(country)
        .session("sess-1")
}

#[test]
fn session_from_two_networks_within_an_hour_fires() {
    let mut s = Scenario::new();
    s.push(use_from("2024-05-01T10:40:00Z", "80.128.0.1", 3320, "DE"));
    s.push(use_from("2024-05-01T10:50:00Z", "80.128.0.2", 3320, "DE"));
    s.push(
        use_from("2024-05-01T11:20:00Z", "185.220.101.4", 9009, "NL")
            .outcome(crate::event::Outcome::Failure),
    );
    s.push(use_from(
        "2024-05-01T11:25:00Z",
        "185.220.101.4",
        9009,
        "NL",
    ));
    let r = s.run();
    let f = r.one(S);
    assert_eq!((f.risk, f.severity), (80, Severity::High));
    assert_eq!(f.first_seen, t("2024-05-01T10:40:00Z"));
    assert_eq!(f.details["session_id"], "sess-1");
    assert_eq!(f.details["first"]["asn"], 3320);
    assert_eq!(f.details["second"]["ip"], "185.220.101.4");
    assert_eq!(f.details["second"]["country"], "NL");
    assert_eq!(
        f.details["differs_by"],
        serde_json::json!(["asn", "country"])
    );
    assert_eq!(f.event_count, 3);
    assert_eq!(f.user.as_deref(), Some("alice@contoso.com"));
}

#[test]
fn session_quiet_on_same_network_unknowns_or_long_gaps() {
    let mut s = Scenario::new();
    // Same ASN and country, another IP.
    s.push(use_from("2024-05-01T10:00:00Z", "80.128.0.1", 3320, "DE"));
    s.push(use_from("2024-05-01T10:05:00Z", "80.128.9.9", 3320, "DE"));
    // Unknown ASN, same country.
    s.push(use_from("2024-05-01T10:10:00Z", "80.128.9.10", 0, "DE"));
    // Other network, but more than an hour after the last use.
    s.push(use_from(
        "2024-05-01T11:11:00Z",
        "185.220.101.4",
        9009,
        "NL",
    ));
    // Another session id from the other network.
    s.push(use_from("2024-05-01T10:06:00Z", "185.220.101.4", 9009, "NL").session("sess-2"));
    let r = s.run();
    assert!(r.all(S).is_empty(), "{:?}", r.summary());
}
