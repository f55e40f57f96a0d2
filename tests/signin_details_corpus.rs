//! The sign-in details added for issue 13, read from the real samples in
//! `shared/corpus` through the same sniff → decode path as a run: Entra's
//! authentication protocol, original transfer method, app and resource ids,
//! status details, device and incoming token type; Okta ThreatInsight.

use hunt::event::{extra, extra_value, flags, AuthProtocol, Batch, Draft, Kind, TransferMethod};
use hunt::ingest::decode::{json_document, json_lines};
use hunt::ingest::read::Chunk;
use hunt::ingest::sniff::{sniff, Layout};
use hunt::ingest::FileStats;
use std::path::PathBuf;

fn load(rel: &str) -> Batch {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|up| root.join(up).join(rel))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("corpus file {rel} not found"));
    let data = std::fs::read(path).unwrap();
    let mut stats = FileStats::default();
    match sniff(&data[..data.len().min(64 * 1024)]) {
        Layout::JsonLines(format) => {
            let chunk = Chunk {
                unterminated: !data.ends_with(b"\n"),
                data,
                offset: 0,
                first_line: 1,
            };
            json_lines(&chunk, 0, format, 1 << 20, &mut stats)
        }
        Layout::JsonDocument => json_document(std::str::from_utf8(&data).unwrap(), 0, &mut stats),
        other => panic!("{rel}: unexpected layout {other:?}"),
    }
}

fn x<'b>(b: &'b Batch, d: &Draft, key: &str) -> Option<&'b str> {
    extra_value(b.text.get(d.extra), key)
}

fn by_user(b: &Batch, user: &str) -> Draft {
    *b.drafts
        .iter()
        .find(|d| b.text.get(d.user) == user)
        .unwrap_or_else(|| panic!("no event for {user}"))
}

#[test]
fn diagnostic_record_device_app_resource_and_status_details() {
    let b = load("entra-signin/elastic-pipeline/test-non-interactive-user-signin.log");
    let d = b.drafts[0];
    assert_eq!(d.protocol, AuthProtocol::None);
    assert_eq!(d.transfer, TransferMethod::Unknown, "not in this record");
    assert_eq!(
        x(&b, &d, extra::APP_ID),
        Some("d7b530a4-7680-4c23-a8bf-c52c121d2e87")
    );
    assert_eq!(x(&b, &d, extra::RESOURCE), Some("Microsoft News Feed"));
    assert_eq!(
        x(&b, &d, extra::RESOURCE_ID),
        Some("f920ab6b-8a48-4438-9255-1650179a3a0f"),
        "properties.resourceId, not the record's Azure path"
    );
    assert_eq!(
        x(&b, &d, extra::STATUS_DETAIL),
        Some("MFA requirement satisfied by claim in the token")
    );
    assert_eq!(
        x(&b, &d, extra::DEVICE_ID),
        Some("ef5d12a1-7768-4085-9047-5d33aee251fa")
    );
    assert_eq!(x(&b, &d, extra::DEVICE_TRUST), Some("Azure AD joined"));
    assert_eq!(x(&b, &d, extra::DEVICE_COMPLIANT), Some("true"));
    assert_eq!(x(&b, &d, extra::TOKEN_TYPE), None, "\"none\" is absent");

    let b = load("entra-signin/elastic-pipeline/test-adfs-signin.log");
    let d = b.drafts[0];
    assert_eq!(
        (d.protocol, d.transfer),
        (AuthProtocol::None, TransferMethod::None)
    );
    assert_eq!(x(&b, &d, extra::RESOURCE), Some("Shield Autho - Web API"));
    assert_eq!(x(&b, &d, extra::DEVICE_ID), None, "empty deviceId");
}

#[test]
fn graph_status_additional_details() {
    let b = load("entra-signin/graph-api/signin-list-beta-example1.response.json");
    let d = b.drafts[0];
    let detail = x(&b, &d, extra::STATUS_DETAIL).unwrap_or_default();
    assert!(
        detail.starts_with("The user didn't enter the right credentials."),
        "{detail}"
    );
    assert_eq!(
        x(&b, &d, extra::APP_ID),
        Some("c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
    );
}

#[test]
fn panther_device_code_and_ropc_sign_ins() {
    let b = load("entra-signin/panther/panther-tests_azure_signin.json");
    let dc = by_user(&b, "aragorn@lotr.com");
    assert_eq!(dc.protocol, AuthProtocol::DeviceCode);
    assert_eq!(x(&b, &dc, extra::DEVICE_ID), Some("device-attacker-456"));
    assert_eq!(x(&b, &dc, extra::RESOURCE), Some("Microsoft Graph"));
    let gandalf = |p| {
        b.drafts
            .iter()
            .any(|d| b.text.get(d.user) == "gandalf@lotr.com" && d.protocol == p)
    };
    assert!(gandalf(AuthProtocol::Ropc) && gandalf(AuthProtocol::OAuth2));
    // Panther's test spells it "rpoc": an unknown value, kept as logged.
    let typo = by_user(&b, "eve@lexcorp.com");
    assert_eq!(typo.protocol, AuthProtocol::Other);
    assert_eq!(x(&b, &typo, extra::PROTOCOL_TEXT), Some("rpoc"));
    assert_eq!(
        x(&b, &typo, extra::STATUS_DETAIL),
        Some("MFA requirement satisfied by claim in the token")
    );
    let failed = by_user(&b, "attacker@company.com");
    assert_eq!(failed.protocol, AuthProtocol::Ropc);
}

#[test]
fn okta_threat_insight_records_are_flagged() {
    let b = load("okta/panther/panther-tests_okta.json");
    let op = |d: &Draft| b.text.get(d.operation);
    let threats: Vec<_> = b
        .drafts
        .iter()
        .filter(|d| op(d) == "security.threat.detected")
        .collect();
    assert_eq!(threats.len(), 2, "the two ThreatInsight test events");
    for d in &threats {
        assert_eq!(d.kind, Kind::Audit);
        assert_ne!(d.flags & flags::THREAT_SUSPECTED, 0);
    }
    // Every other event says threatSuspected "false" or nothing.
    let others = b
        .drafts
        .iter()
        .filter(|d| op(d) != "security.threat.detected" && d.flags & flags::THREAT_SUSPECTED != 0)
        .count();
    assert_eq!(others, 0);
}

fn corpus_bytes(rel: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|up| root.join(up).join(rel))
        .find(|p| p.exists())
        .map(|p| std::fs::read(p).unwrap())
        .unwrap_or_else(|| panic!("corpus file {rel} not found"))
}

fn flagged_users(batches: &[Batch]) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for b in batches {
        for d in b
            .drafts
            .iter()
            .filter(|d| d.flags & flags::NO_SUCH_USER != 0)
        {
            *out.entry(b.text.get(d.user).to_string()).or_default() += 1;
        }
    }
    out
}

#[test]
fn windows_unknown_accounts_kerberos_0x6_and_no_such_user_status() {
    let evtx = |name: &str| {
        let data = corpus_bytes(&format!("windows-security/evtx/{name}"));
        let mut stats = FileStats::default();
        let mut batches = Vec::new();
        hunt::ingest::evtx_file::parse_evtx(data, 1, &mut stats, &mut |b| batches.push(b));
        batches
    };
    // kerbrute: the seven 4768 refusals with status 0x6 name unknown accounts;
    // the two 0x18 (bad password) failures do not.
    let b = evtx("kerberos_pwd_spray_4771.evtx");
    let flagged = flagged_users(&b);
    assert_eq!(flagged.values().sum::<usize>(), 7, "{flagged:?}");
    for batch in &b {
        for d in &batch.drafts {
            let unknown = d.flags & flags::NO_SUCH_USER != 0;
            assert_eq!(unknown, batch.text.get(d.result_code) == "0x6");
        }
    }
    // SMB guessing: one 4625 for the unknown user JcDfcZTc (0xc0000064).
    let b = evtx("smb-password-guessing-security.evtx");
    assert_eq!(
        flagged_users(&b).into_iter().collect::<Vec<_>>(),
        vec![("jcdfcztc".to_string(), 1)]
    );
}

#[test]
fn sshd_invalid_users_are_flagged_and_real_accounts_are_not() {
    let text = String::from_utf8(corpus_bytes("sshd/loghub/OpenSSH_2k.log")).unwrap();
    let mut state = hunt::ingest::sshd::SshdState::new(2024, 12);
    let mut batch = Batch::default();
    for (i, line) in text.lines().enumerate() {
        let origin = hunt::event::Origin {
            line: i as u32 + 1,
            ..Default::default()
        };
        let _ = state.parse_line(line, &mut hunt::ingest::RecordCx::new(&mut batch, origin));
    }
    state.finish(&mut batch);
    // Every name sshd called invalid, and only those, is flagged.
    let invalid: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|l| {
            let (_, rest) = l
                .split_once("Invalid user ")
                .or_else(|| l.split_once("for invalid user "))?;
            let (user, _) = rest.rsplit_once(" from ")?;
            Some(user.trim().to_lowercase())
        })
        .collect();
    let flagged = flagged_users(std::slice::from_ref(&batch));
    assert!(!flagged.is_empty());
    for user in flagged.keys() {
        assert!(invalid.contains(user), "{user} was not called invalid");
    }
    assert!(!flagged.contains_key("root"), "root exists");
    // Each invalid-user attempt is flagged (one event per attempt).
    let attempts_for_invalid = batch
        .drafts
        .iter()
        .filter(|d| invalid.contains(batch.text.get(d.user)))
        .count();
    let unflagged: Vec<_> = batch
        .drafts
        .iter()
        .filter(|d| invalid.contains(batch.text.get(d.user)) && d.flags & flags::NO_SUCH_USER == 0)
        .map(|d| (batch.text.get(d.user), d.origin.line))
        .collect();
    assert!(attempts_for_invalid > 100, "{attempts_for_invalid}");
    assert!(unflagged.is_empty(), "{unflagged:?}");
}
