//! suspicious_client scenarios: successes via ROPC, device code, or script user agents.

use crate::detect::testkit::*;
use crate::event::{AuthProtocol, TransferMethod};
use crate::finding::DetectorId::SuspiciousClient as C;

const U: &str = "erin@contoso.com";
const IP: &str = "192.0.2.44";
const T0: &str = "2024-05-01T10:00:00Z";
const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

#[test]
fn ropc_device_code_and_script_agents_fire_and_group_per_user() {
    let mut s = Scenario::new();
    s.push(ok(T0, U, IP).protocol(AuthProtocol::Ropc).ua(BROWSER));
    s.push(
        ok(T0, U, IP)
            .transfer(TransferMethod::DeviceCodeFlow)
            .plus(60_000),
    );
    s.push(ok(T0, U, IP).ua("python-requests/2.31.0").plus(120_000));
    let r = s.run();
    let f = r.one(C);
    assert_eq!(f.event_count, 3);
    assert_eq!(
        f.details["reasons"],
        serde_json::json!(["ropc", "device code", "user agent python-requests"])
    );
    assert_eq!((f.risk, f.severity), (65, crate::finding::Severity::Medium));
    // A user agent alone carries the lower risk.
    let mut s = Scenario::new();
    s.push(ok(T0, "frank@contoso.com", IP).ua("axios/1.6.8"));
    let r = s.run();
    assert_eq!(r.one(C).risk, 55);
    // BAV2ROPC is matched case-insensitively.
    let mut s = Scenario::new();
    s.push(ok(T0, U, IP).ua("BAV2ROPC"));
    assert_eq!(s.run().one(C).details["reasons"][0], "user agent BAV2ROPC");
}

#[test]
fn lookalikes_stay_quiet() {
    let quiet = |e: Ev| {
        let mut s = Scenario::new();
        s.push(e);
        let r = s.run();
        assert!(r.active(C).is_empty(), "{:?}", r.summary());
    };
    // A failed ROPC attempt (Panther's "Failed ROPC Login" is not a hit).
    quiet(
        fail(T0, U, IP)
            .protocol(AuthProtocol::Ropc)
            .ua("curl/7.68.0"),
    );
    // Ordinary flows and a browser.
    quiet(ok(T0, U, IP).protocol(AuthProtocol::OAuth2).ua(BROWSER));
    quiet(ok(T0, U, IP).protocol(AuthProtocol::None));
    // Benign: a product name that merely contains "curl" without the tool's slash.
    quiet(ok(T0, U, IP).ua("CurlyBrowser 2.0"));
    // Switched off in the config.
    let mut s = Scenario::new();
    s.config.detectors.suspicious_client.ropc = false;
    s.push(ok(T0, U, IP).protocol(AuthProtocol::Ropc));
    assert!(s.run().active(C).is_empty());
}
