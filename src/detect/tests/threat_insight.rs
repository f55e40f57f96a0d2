//! Okta ThreatInsight as an `identity_risk` indicator (issue 13): a
//! successful sign-in Okta marked `threatSuspected`, or one from an IP a
//! `security.threat.detected` event named within the group window before.
//! Records are parsed from raw Okta events, as a run reads them.

use crate::detect::testkit::*;
use crate::finding::DetectorId::IdentityRisk as R;
use crate::finding::Severity;
use crate::ingest::Format;

const BAD: &str = "198.51.100.66";

/// The ThreatInsight event of the Panther corpus test, at `time` from `ip`.
fn threat(time: &str, ip: &str) -> String {
    format!(
        r#"{{"actor":{{"alternateId":"unknown","displayName":"{ip}","id":"{ip}","type":"IP address"}},"client":{{"ipAddress":"{ip}"}},"debugContext":{{"debugData":{{"threatDetections":"{{\"Password Spray\":\"HIGH\"}}","threatSuspected":"true"}}}},"eventType":"security.threat.detected","outcome":{{"reason":"Password Spray","result":"DENY"}},"published":"{time}"}}"#
    )
}

fn sign_in(time: &str, ip: &str, result: &str, suspected: bool) -> String {
    format!(
        r#"{{"actor":{{"alternateId":"dana@acme.io","type":"User"}},"client":{{"ipAddress":"{ip}"}},"debugContext":{{"debugData":{{"threatSuspected":"{suspected}"}}}},"eventType":"user.session.start","outcome":{{"result":"{result}"}},"published":"{time}"}}"#
    )
}

#[test]
fn a_success_from_an_ip_threat_insight_named_is_risky() {
    let rows = [
        threat("2024-05-01T09:00:00Z", BAD),
        sign_in("2024-05-01T10:00:00Z", BAD, "SUCCESS", false),
    ];
    let r = Scenario::new().run_raw(Format::Okta, &rows);
    let f = r.one(R);
    assert_eq!(f.user.as_deref(), Some("dana@acme.io"));
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.details["reasons"][0], "ThreatInsight");
    assert_eq!(f.details["events"][0]["indicators"]["threat_insight"], true);
    assert_eq!(f.ip.as_deref(), Some(BAD));
}

#[test]
fn a_success_okta_marked_threat_suspected_is_risky() {
    let rows = [sign_in(
        "2024-05-01T10:00:00Z",
        "192.0.2.1",
        "SUCCESS",
        true,
    )];
    let r = Scenario::new().run_raw(Format::Okta, &rows);
    assert_eq!(r.one(R).details["reasons"][0], "ThreatInsight");
}

#[test]
fn lookalikes_stay_quiet() {
    let quiet = |rows: &[String], enabled: bool| {
        let mut s = Scenario::new();
        s.config.detectors.identity_risk.threat_insight = enabled;
        let r = s.run_raw(Format::Okta, rows);
        assert!(r.active(R).is_empty(), "{rows:?}: {:?}", r.summary());
    };
    // Named more than the group window (24 h) before the sign-in.
    quiet(
        &[
            threat("2024-05-01T09:00:00Z", BAD),
            sign_in("2024-05-02T09:00:01Z", BAD, "SUCCESS", false),
        ],
        true,
    );
    // Another IP; a failed sign-in; a sign-in before the IP was named.
    quiet(
        &[
            sign_in("2024-05-01T08:00:00Z", BAD, "SUCCESS", false),
            threat("2024-05-01T09:00:00Z", BAD),
            sign_in("2024-05-01T10:00:00Z", "192.0.2.1", "SUCCESS", false),
            sign_in("2024-05-01T10:00:00Z", BAD, "FAILURE", true),
        ],
        true,
    );
    // Switched off in the config.
    quiet(
        &[
            threat("2024-05-01T09:00:00Z", BAD),
            sign_in("2024-05-01T10:00:00Z", BAD, "SUCCESS", true),
        ],
        false,
    );
}
