//! hosting_asn scenarios.

use crate::detect::testkit::*;
use crate::finding::{DetectorId::HostingAsn as D, Severity};

const U: &str = "alice@contoso.com";
const T0: &str = "2024-05-01T10:00:00Z";

#[test]
fn fires_on_each_rule_with_what_matched() {
    let cases = [
        (ok(T0, U, "185.220.101.4"), "cidr", "185.220.0.0/16"),
        (ok(T0, U, "185.129.62.62"), "cidr", "185.129.0.0/16"),
        (ok(T0, U, "203.0.113.5").asn(9009), "asn", "AS9009"),
        (
            ok(T0, U, "203.0.113.5").org("FranTech Solutions"),
            "org",
            "frantech",
        ),
        (
            ok(T0, U, "203.0.113.5").org("QUASI NETWORKS LTD."),
            "org",
            "quasi networks",
        ),
        (
            ok(T0, U, "203.0.113.5").proxy(),
            "proxy",
            "source flagged the IP as a proxy",
        ),
    ];
    for (ev, rule, matched) in cases {
        let mut s = Scenario::new();
        s.push(ev.country("NL"));
        let r = s.run();
        let f = r.one(D);
        assert_eq!((f.risk, f.severity), (80, Severity::High), "{rule}");
        assert_eq!(f.details["rules"], serde_json::json!([rule]));
        assert_eq!(f.details["hits"][0]["matched"], matched);
        assert_eq!(f.details["countries"][0], "NL");
        assert_eq!(f.user.as_deref(), Some(U));
    }
}

#[test]
fn quiet_on_failures_clean_networks_and_private_addresses() {
    let mut s = Scenario::new();
    s.push(fail(T0, U, "185.220.101.4"));
    s.push(interrupted(T0, U, "185.220.101.5").plus(MIN));
    s.push(
        ok(T0, U, "80.128.0.1")
            .asn(3320)
            .org("Deutsche Telekom AG")
            .plus(2 * MIN),
    );
    s.push(ok(T0, U, "10.1.2.3").asn(9009).plus(3 * MIN));
    s.push(ok(T0, U, "185.221.0.1").plus(4 * MIN));
    let r = s.run();
    assert!(r.all(D).is_empty(), "{:?}", r.summary());
}

#[test]
fn one_finding_per_user_per_day() {
    let mut s = Scenario::new();
    s.push(ok(T0, U, "185.220.101.4"));
    s.push(ok(T0, U, "203.0.113.5").asn(53667).plus(HOUR));
    s.push(ok(T0, U, "185.220.101.4").plus(23 * HOUR));
    s.push(ok(T0, "bob@contoso.com", "185.220.101.4").plus(HOUR));
    s.push(ok(T0, U, "185.220.101.4").plus(25 * HOUR));
    let r = s.run();
    let mine: Vec<_> = r
        .active(D)
        .into_iter()
        .filter(|f| f.user.as_deref() == Some(U))
        .collect();
    assert_eq!(mine.len(), 2, "{:?}", r.summary());
    assert_eq!(mine[0].event_count, 3);
    assert_eq!(mine[0].details["rules"], serde_json::json!(["cidr", "asn"]));
    assert_eq!(mine[0].details["asns"], serde_json::json!([53667]));
    assert_eq!(mine[0].details["distinct_ips"], 2);
    assert_eq!(mine[0].last_seen, t(T0) + 23 * HOUR);
    assert_eq!(mine[1].first_seen, t(T0) + 25 * HOUR);
    assert_eq!(r.active(D).len(), 3);
}

#[test]
fn tor_exit_list_and_ip_lists_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let tor = dir.path().join("tor.txt");
    std::fs::write(&tor, "# exits\n198.51.100.200\n").unwrap();
    let list = dir.path().join("vps.txt");
    std::fs::write(&list, "192.0.2.0/28\n").unwrap();
    let mut cfg = crate::config::Config::default();
    cfg.detectors.hosting_asn.tor_exit_list = Some(tor);
    cfg.detectors.hosting_asn.ip_list_files = vec![list];
    let mut s = Scenario::with_config(cfg);
    s.push(ok(T0, U, "198.51.100.200"));
    s.push(ok(T0, "bob@contoso.com", "192.0.2.7"));
    s.push(ok(T0, "carol@contoso.com", "192.0.2.17"));
    let r = s.run();
    let fs = r.active(D);
    assert_eq!(fs.len(), 2, "{:?}", r.summary());
    assert_eq!(fs[0].details["rules"], serde_json::json!(["tor"]));
    assert_eq!(fs[1].details["rules"], serde_json::json!(["list"]));
}
