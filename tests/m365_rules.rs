//! Mailbox rules and forwarding from raw Microsoft 365 records to findings,
//! through the public API (parse → store → engine): Outlook's
//! `UpdateInboxRules` with `OperationProperties` in both of their shapes
//! (unified audit array, Sentinel JSON text), the bare `UserId` charged to
//! `MailboxOwnerUPN`, and `Set-Mailbox` forwarding in both parameter shapes.

use hunt::config::Config;
use hunt::detect::{DetectCx, Engine};
use hunt::enrich::hosting::HostingNetworks;
use hunt::event::{Batch, Origin};
use hunt::finding::{DetectorId, Finding, Findings, Severity};
use hunt::ingest::{parse_json_record, Format, RecordCx};
use hunt::store::Store;

/// The inbox_rule findings for records of one format.
fn findings(format: Format, raws: &[&str]) -> Vec<Finding> {
    let cfg = Config::default();
    let hosting = HostingNetworks::from_config(&cfg.detectors.hosting_asn);
    let mut store = Store::new();
    let mut b = Batch::default();
    for raw in raws {
        let res = parse_json_record(format, raw, &mut RecordCx::new(&mut b, Origin::default()));
        assert_eq!(res, Ok(()), "{raw}");
    }
    for i in 0..b.len() {
        store.append_draft(&b, i);
    }
    let mut engine = Engine::new(&cfg);
    let mut all = Findings::default();
    let mut changes = Vec::new();
    let cx = DetectCx {
        store: &store,
        config: &cfg,
        hosting: &hosting,
    };
    for &idx in store.by_time() {
        engine.observe(&cx, idx, &mut all, &mut changes);
    }
    all.all()
        .iter()
        .filter(|f| f.detector == DetectorId::InboxRule)
        .cloned()
        .collect()
}

const RULE: &str = r#"{"CreationTime":"2024-06-03T08:15:42","Id":"5b0f","Operation":"UpdateInboxRules","RecordType":2,"ResultStatus":"Succeeded","Workload":"Exchange","ClientIP":"198.51.100.23:50123","UserId":"jdupont","ClientIPAddress":"198.51.100.23","ClientInfoString":"Client=MSExchangeRPC","MailboxOwnerUPN":"jean.dupont@exemple.fr","OperationProperties":[{"Name":"RuleOperation","Value":"AddMailboxRule"},{"Name":"RuleName","Value":"sync"},{"Name":"RuleState","Value":"Enabled"},{"Name":"RuleActions","Value":"[{\"ActionType\":\"Forward\",\"Recipients\":[\"ACTIONS\"],\"ForwardFlags\":\"None\"}]"}]}"#;

#[test]
fn outlook_rule_from_a_unified_audit_record() {
    let external = RULE.replace("ACTIONS", "x@gmail.example");
    let f = findings(Format::UnifiedAudit, &[&external]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Critical);
    assert_eq!(f[0].user.as_deref(), Some("jean.dupont@exemple.fr"));
    assert_eq!(f[0].ip.as_deref(), Some("198.51.100.23"));
    assert_eq!(f[0].details["every_message"], true);
    // The UPN's domain is inside: a colleague is only high.
    let internal = RULE.replace("ACTIONS", "Paul <paul@exemple.fr>");
    let f = findings(Format::UnifiedAudit, &[&internal]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[0].details["forwarding"][0]["target"], "paul@exemple.fr");
}

#[test]
fn outlook_rule_from_a_sentinel_row() {
    let row = r#"{"TimeGenerated":"2024-06-03T08:15:42Z","Type":"OfficeActivity","Operation":"UpdateInboxRules","OfficeWorkload":"Exchange","ResultStatus":"Succeeded","UserId":"jdupont","MailboxOwnerUPN":"jean.dupont@exemple.fr","Client_IPAddress":"198.51.100.23","OperationProperties":"[{\"Name\":\"RuleName\",\"Value\":\"clean\"},{\"Name\":\"RuleCondition\",\"Value\":\"\"},{\"Name\":\"RuleActions\",\"Value\":\"[{\\\"ActionType\\\":\\\"MarkAsRead\\\"},{\\\"ActionType\\\":\\\"Delete\\\"}]\"}]"}"#;
    let f = findings(Format::OfficeActivity, &[row]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(f[0].user.as_deref(), Some("jean.dupont@exemple.fr"));
    assert_eq!(f[0].details["rule_name"], "clean");
}

#[test]
fn set_mailbox_forwarding_in_both_parameter_shapes() {
    let array = r#"{"CreationTime":"2024-06-03T09:00:00","Operation":"Set-Mailbox","Workload":"Exchange","ResultStatus":"True","UserId":"jean.dupont@exemple.fr","ClientIP":"198.51.100.23","Parameters":[{"Name":"Identity","Value":"jean.dupont@exemple.fr"},{"Name":"DeliverToMailboxAndForward","Value":true},{"Name":"ForwardingSmtpAddress","Value":"smtp:drop@evil.example"}]}"#;
    let text = r#"{"TimeGenerated":"2024-06-03T09:00:00Z","Type":"OfficeActivity","Operation":"Set-Mailbox","OfficeWorkload":"Exchange","UserId":"jean.dupont@exemple.fr","Client_IPAddress":"198.51.100.23","Parameters":"[{\"Name\":\"DeliverToMailboxAndForward\",\"Value\":\"True\"},{\"Name\":\"ForwardingSmtpAddress\",\"Value\":\"smtp:drop@evil.example\"}]"}"#;
    for (format, raw) in [
        (Format::UnifiedAudit, array),
        (Format::OfficeActivity, text),
    ] {
        let f = findings(format, &[raw]);
        assert_eq!(f.len(), 1, "{raw}");
        assert_eq!(f[0].severity, Severity::Critical, "{raw}");
        assert_eq!(f[0].details["deliver_to_mailbox_and_forward"], true);
        assert_eq!(
            f[0].details["external_targets"],
            serde_json::json!(["drop@evil.example"])
        );
        // DeliverToMailboxAndForward without an address forwards nothing.
        let alone = raw
            .replace("ForwardingSmtpAddress", "CustomAttribute1")
            .replace("smtp:drop@evil.example", "x");
        assert!(findings(format, &[&alone]).is_empty(), "{alone}");
    }
}
