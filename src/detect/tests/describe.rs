//! The self-description of detectors against their real findings: the
//! threshold checks "why it fired" shows are read from each detector's typed
//! details, so a finding the detector made always yields its checks (a
//! renamed details key cannot blank them), and risk scores come from the config.

use crate::config::Config;
use crate::detect::describe::About;
use crate::detect::testkit::*;
use crate::finding::{DetectorId, Finding};

fn checks_of(f: &Finding, config: &Config) -> Vec<String> {
    About::of(f, config)
        .checks
        .iter()
        .map(|c| {
            let mark = if c.cmp.crossed(c.value, c.limit) {
                "▲"
            } else {
                "·"
            };
            format!("{mark} {}", c.text())
        })
        .collect()
}

fn sprayed(config: Config) -> (Vec<String>, u8) {
    let mut s = Scenario::with_config(config.clone());
    s.extend((0..24).map(|i| {
        fail(
            "2024-05-01T10:00:00Z",
            &format!("u{}@contoso.com", i % 8),
            "198.51.100.7",
        )
        .plus(i * 20_000)
    }));
    let r = s.run();
    let f = r.one(DetectorId::PasswordSpray);
    (checks_of(f, &config), f.risk)
}

#[test]
fn a_spray_finding_shows_its_crossed_thresholds_and_configured_risk() {
    let (checks, risk) = sprayed(Config::default());
    assert_eq!(
        checks,
        [
            "▲ failed_users 8 ≥ min_users 5",
            "▲ failed_attempts 24 ≥ min_attempts 20"
        ]
    );
    assert_eq!(risk, 60);
    let mut config = Config::default();
    config.detectors.password_spray.risk_attempt = 45;
    assert_eq!(sprayed(config).1, 45, "the risk comes from the config");
}

#[test]
fn stuffing_travel_bulk_and_recon_findings_show_their_checks() {
    let config = Config::default();
    let mut s = Scenario::new();
    let u = "carol@contoso.com";
    s.extend((0..6).map(|i| fail("2024-05-01T10:00:00Z", u, "192.0.2.1").plus(i * MIN)));
    s.push(ok("2024-05-01T10:10:00Z", u, "192.0.2.1"));
    let p = |t: &str, lat: f32, lon: f32, cc: &str| {
        ok(t, "dan@contoso.com", "192.0.2.50")
            .at(lat, lon)
            .country(cc)
    };
    s.push(p("2024-05-01T11:00:00Z", 48.85, 2.35, "FR"));
    s.push(p("2024-05-01T11:40:00Z", 40.71, -74.0, "US").ip("192.0.2.51"));
    s.extend(
        (0..50).map(|i| audit("2024-05-01T12:00:00Z", "erin@contoso.com", "Send").plus(i * 1000)),
    );
    s.push(api(
        "2024-05-01T13:00:00Z",
        "AKIAEXAMPLE",
        "GetCallerIdentity",
    ));
    for (i, op) in [
        "ListBuckets",
        "ListUsers",
        "DescribeInstances",
        "GetAccountSummary",
        "ListRoles",
    ]
    .into_iter()
    .enumerate()
    {
        s.push(api("2024-05-01T13:00:10Z", "AKIAEXAMPLE", op).plus(i as i64 * 1000));
    }
    let r = s.run();
    let checks = |d| checks_of(r.one(d), &config);
    assert_eq!(
        checks(DetectorId::CredentialStuffing),
        ["▲ failure_count 6 ≥ min_failures 5"]
    );
    let travel = checks(DetectorId::ImpossibleTravel);
    assert_eq!(travel.len(), 1, "{travel:?}");
    assert!(travel[0].starts_with("▲ hops.kmh ") && travel[0].ends_with("> max_kmh 1000"));
    assert_eq!(
        checks(DetectorId::BulkSend),
        ["▲ peak_in_window 50 ≥ min_sends 50"]
    );
    assert_eq!(
        checks(DetectorId::CloudRecon),
        ["▲ distinct_apis 5 ≥ min_apis 5"]
    );
}
