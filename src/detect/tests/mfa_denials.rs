//! MFA denials (issue 13): a denied or unanswered MFA prompt means the
//! password was right, so it is never a failure for `credential_stuffing`
//! or `password_spray`. Events are parsed from raw Entra and Okta records,
//! as a run reads them, so the classification and the detectors are tested
//! together.

use crate::detect::testkit::*;
use crate::event::{flags, Outcome};
use crate::finding::DetectorId::{CredentialStuffing as S, PasswordSpray as P};
use crate::ingest::Format;

const IP: &str = "203.0.113.50";

/// A Sentinel `SigninLogs` row `min` minutes after 10:00.
fn entra(min: u32, user: &str, code: &str, detail: &str) -> String {
    format!(
        r#"{{"TimeGenerated":"2024-05-01T10:{min:02}:00Z","Type":"SigninLogs","UserPrincipalName":"{user}","IPAddress":"{IP}","ResultType":"{code}","Status":"{{\"errorCode\":{code},\"additionalDetails\":\"{detail}\"}}","AppDisplayName":"Office 365 Exchange Online"}}"#
    )
}

fn okta(min: u32, user: &str, event_type: &str, result: &str) -> String {
    format!(
        r#"{{"published":"2024-05-01T10:{min:02}:00Z","eventType":"{event_type}","actor":{{"alternateId":"{user}","type":"User"}},"client":{{"ipAddress":"{IP}"}},"outcome":{{"result":"{result}"}},"debugContext":{{"debugData":{{"factor":"OKTA_VERIFY_PUSH"}}}}}}"#
    )
}

#[test]
fn entra_mfa_denials_then_approval_are_not_stuffing() {
    let u = "dana@contoso.com";
    let mut rows: Vec<String> = (0..8)
        .map(|i| {
            entra(
                i,
                u,
                "500121",
                "MFA denied; user declined the authentication",
            )
        })
        .collect();
    rows.push(entra(9, u, "0", ""));
    let r = Scenario::new().run_raw(Format::SentinelSignin, &rows);
    let denied = (0..r.store.len() as u32)
        .filter(|&i| r.store.get(i).flags & flags::MFA_DENIED != 0)
        .count();
    assert_eq!(denied, 8);
    assert!(r.active(S).is_empty(), "{:?}", r.summary());
    // The same run with real bad passwords (50126) fires: the test can fail.
    let mut rows: Vec<String> = (0..8).map(|i| entra(i, u, "50126", "")).collect();
    rows.push(entra(9, u, "0", ""));
    let r = Scenario::new().run_raw(Format::SentinelSignin, &rows);
    assert_eq!(r.one(S).event_count, 9);
}

#[test]
fn bad_passwords_then_an_mfa_denial_are_stuffing_the_denial_proves_the_password() {
    let u = "erin@contoso.com";
    let mut rows: Vec<String> = (0..6).map(|i| entra(i, u, "50126", "")).collect();
    rows.push(entra(
        7,
        u,
        "500121",
        "MFA denied; user did not respond to mobile app notification",
    ));
    let r = Scenario::new().run_raw(Format::SentinelSignin, &rows);
    let f = r.one(S);
    assert_eq!(f.details["failure_count"], 6);
    assert_eq!(
        f.details["success"]["outcome"],
        Outcome::Interrupted.as_str()
    );
}

#[test]
fn mfa_denials_across_users_from_one_ip_are_not_a_spray() {
    // 24 denials for 6 users from one IP: above both spray thresholds
    // (5 users, 20 attempts) if they were failures.
    let rows: Vec<String> = (0..24)
        .map(|i| {
            let user = format!("user{}@contoso.com", i % 6);
            entra(
                i / 2,
                &user,
                "500121",
                "MFA denied; user declined the authentication",
            )
        })
        .collect();
    let r = Scenario::new().run_raw(Format::SentinelSignin, &rows);
    assert!(r.active(P).is_empty(), "{:?}", r.summary());
    let rows: Vec<String> = (0..24)
        .map(|i| entra(i / 2, &format!("user{}@contoso.com", i % 6), "50126", ""))
        .collect();
    let r = Scenario::new().run_raw(Format::SentinelSignin, &rows);
    assert_eq!(
        r.active(P).len(),
        1,
        "the same shape with bad passwords is a spray"
    );
}

#[test]
fn okta_push_rejections_then_approval_are_not_stuffing() {
    let u = "dana@acme.io";
    let mut rows: Vec<String> = (0..6)
        .flat_map(|i| {
            [
                okta(i * 2, u, "user.mfa.okta_verify.deny_push", "SUCCESS"),
                okta(i * 2 + 1, u, "user.authentication.auth_via_mfa", "FAILURE"),
            ]
        })
        .collect();
    // Six push failures alone were five too many for stuffing before issue 13.
    rows.push(okta(12, u, "user.session.start", "SUCCESS"));
    let r = Scenario::new().run_raw(Format::Okta, &rows);
    assert!(r.active(S).is_empty(), "{:?}", r.summary());
    let interrupted = (0..r.store.len() as u32)
        .filter(|&i| r.store.get(i).outcome == Outcome::Interrupted)
        .count();
    assert_eq!(interrupted, 12);
}
