//! inbox_rule and bulk_send scenarios.

use crate::detect::testkit::*;
use crate::finding::DetectorId::{BulkSend as B, InboxRule as I};
use crate::finding::Severity;

const U: &str = "alice@contoso.com";
const T0: &str = "2024-05-01T10:00:00Z";

fn rule(params: &[(&str, &str)]) -> Ev {
    params.iter().fold(
        audit(T0, U, "New-InboxRule").ip("203.0.113.5"),
        |e, (k, v)| e.param(k, v),
    )
}

fn run_one(e: Ev) -> Option<crate::finding::Finding> {
    let mut s = Scenario::new();
    s.push(e);
    let r = s.run();
    let v = r.all(I);
    assert!(v.len() <= 1);
    v.first().map(|f| (*f).clone())
}

#[test]
fn forwarding_is_high_and_critical_when_it_leaves_the_domain() {
    let cases: Vec<(Ev, Severity, u8, Vec<&str>)> = vec![
        (
            rule(&[("Name", "fwd"), ("ForwardTo", "attacker@evil.example")]),
            Severity::Critical,
            95,
            vec!["attacker@evil.example"],
        ),
        (
            rule(&[("ForwardTo", "bob@contoso.com")]),
            Severity::High,
            80,
            vec![],
        ),
        (
            rule(&[("RedirectTo", "ops@sales.contoso.com")]),
            Severity::High,
            80,
            vec![],
        ),
        (
            rule(&[("ForwardAsAttachmentTo", "x@contoso2.com")]),
            Severity::Critical,
            95,
            vec!["x@contoso2.com"],
        ),
        (
            audit(T0, U, "Set-Mailbox").param("ForwardingSmtpAddress", "SMTP:drop@evil.example"),
            Severity::Critical,
            95,
            vec!["drop@evil.example"],
        ),
        (
            rule(&[(
                "ForwardTo",
                "bob@contoso.com; \"Eve\" <eve@evil.example>,carol@contoso.com",
            )]),
            Severity::Critical,
            95,
            vec!["eve@evil.example"],
        ),
        // A recipient without an address (internal object): forwarding, domain unknown.
        (
            audit(T0, U, "Set-Mailbox").param("ForwardingAddress", "Bob Smith"),
            Severity::High,
            80,
            vec![],
        ),
        // An admin changing another mailbox of the tenant: its domain is inside.
        (
            audit(T0, "admin@contoso.com", "Set-Mailbox")
                .param("Identity", "joe@fabrikam.com")
                .param("ForwardingSmtpAddress", "smtp:joe.archive@fabrikam.com"),
            Severity::High,
            80,
            vec![],
        ),
    ];
    for (e, sev, risk, external) in cases {
        let f = run_one(e).expect("finding");
        assert_eq!((f.severity, f.risk), (sev, risk), "{}", f.title);
        assert_eq!(
            f.details["external_targets"],
            serde_json::json!(external),
            "{}",
            f.title
        );
        assert_eq!(f.event_count, 1);
    }
    let f = run_one(rule(&[
        ("ForwardTo", "smtp:Attacker@Evil.example"),
        ("DeleteMessage", "True"),
    ]))
    .unwrap();
    assert_eq!(
        f.details["forwarding"][0]["target"],
        "Attacker@Evil.example"
    );
    assert_eq!(f.details["forwarding"][0]["domain"], "evil.example");
    assert_eq!(f.details["hiding"].as_array().unwrap().len(), 1);
    assert_eq!(f.ip.as_deref(), Some("203.0.113.5"));
}

#[test]
fn internal_domains_from_the_config_are_inside() {
    let mut cfg = crate::config::Config::default();
    cfg.detectors.inbox_rule.internal_domains = vec!["partner.example".into()];
    let mut s = Scenario::with_config(cfg);
    s.push(rule(&[("ForwardTo", "x@eu.partner.example")]));
    let r = s.run();
    assert_eq!(r.one(I).severity, Severity::High);
}

#[test]
fn hiding_rules_are_medium() {
    for params in [
        vec![("DeleteMessage", "True")],
        vec![("SoftDeleteMessage", "$true")],
        vec![("MarkAsRead", "true")],
        vec![("MoveToFolder", "RSS Feeds")],
        vec![("MoveToFolder", "rss subscriptions")],
        vec![("MoveToFolder", "Inbox\\Conversation History")],
        vec![("MoveToFolder", "Archive")],
        vec![("Name", ".."), ("MoveToFolder", "Newsletters")],
        vec![("Name", " - ")],
    ] {
        let f = run_one(rule(&params)).unwrap_or_else(|| panic!("{params:?}"));
        assert_eq!((f.severity, f.risk), (Severity::Medium, 50), "{params:?}");
    }
}

#[test]
fn ordinary_rules_and_other_operations_are_quiet() {
    for e in [
        rule(&[
            ("Name", "Newsletters"),
            ("MoveToFolder", "Newsletters"),
            ("StopProcessingRules", "True"),
        ]),
        rule(&[("Name", "Old stuff"), ("MoveToFolder", "Archive 2019")]),
        rule(&[("DeleteMessage", "False"), ("MarkAsRead", "False")]),
        audit(T0, U, "Set-Mailbox").param("ForwardingSmtpAddress", "$null"),
        audit(T0, U, "Set-Mailbox").param("ForwardingSmtpAddress", ""),
        audit(T0, U, "Send").param("ForwardTo", "x@evil.example"),
        ok(T0, U, "203.0.113.5"),
    ] {
        let dbg = format!("{e:?}");
        assert!(run_one(e).is_none(), "{dbg}");
    }
}

#[test]
fn one_finding_per_rule_event() {
    let mut s = Scenario::new();
    s.push(rule(&[("Name", "a"), ("ForwardTo", "x@evil.example")]));
    s.push(rule(&[("Name", "b"), ("DeleteMessage", "True")]).plus(MIN));
    s.push(rule(&[("Name", "a"), ("ForwardTo", "x@evil.example")]).plus(2 * MIN));
    let r = s.run();
    let fs = r.all(I);
    assert_eq!(fs.len(), 3);
    assert_ne!(fs[0].id, fs[2].id);
}

/// An Outlook rule as the mailbox audit logs it (UpdateInboxRules).
fn outlook(name: &str, actions: &str, condition: Option<&str>) -> Ev {
    let e = audit(T0, U, "UpdateInboxRules")
        .ip("203.0.113.5")
        .param("RuleOperation", "AddMailboxRule")
        .param("RuleName", name)
        .param("RuleState", "Enabled");
    let e = match condition {
        Some(c) => e.param("RuleCondition", c),
        None => e,
    };
    e.param("RuleActions", actions)
}

#[test]
fn outlook_forwarding_rules_are_judged_like_cmdlets() {
    let fwd =
        r#"[{"ActionType":"Forward","Recipients":["a@x.fr","b@y.fr"],"ForwardFlags":"None"}]"#;
    let f = run_one(outlook("sync", fwd, None)).expect("external forward");
    assert_eq!(
        (f.severity, f.risk),
        (Severity::Critical, 95),
        "{}",
        f.title
    );
    assert_eq!(f.user.as_deref(), Some(U));
    assert_eq!(
        f.title,
        "UpdateInboxRules `sync` for alice@contoso.com forwards every message outside the organisation to a@x.fr, b@y.fr"
    );
    let d = &f.details;
    assert_eq!(d["rule_name"], "sync");
    assert_eq!(d["every_message"], true);
    assert_eq!(
        d["external_targets"],
        serde_json::json!(["a@x.fr", "b@y.fr"])
    );
    assert_eq!(
        d["actions"],
        serde_json::json!([{"type": "Forward", "targets": ["a@x.fr", "b@y.fr"]}])
    );
    assert_eq!(d["forwarding"][1]["parameter"], "Forward");
    assert_eq!(d["rule_operation"], "AddMailboxRule");
    // Internal recipients, in Outlook's display forms: high.
    let internal = r#"[{"ActionType":"Redirect","Recipients":["Bob Martin <bob@contoso.com>","SMTP:carol@sales.contoso.com"]}]"#;
    let f = run_one(outlook("team", internal, Some(""))).expect("internal forward");
    assert_eq!((f.severity, f.risk), (Severity::High, 80), "{}", f.title);
    assert_eq!(
        f.details["forwarding"][0]["target"], "bob@contoso.com",
        "display name removed"
    );
    assert_eq!(
        f.details["forwarding"][1]["target"],
        "carol@sales.contoso.com"
    );
    assert_eq!(f.details["every_message"], true, "empty condition");
    // A display-name form hiding an outside address is still outside.
    let hidden = r#"[{"ActionType":"ForwardAsAttachment","Recipients":["Bob (contoso.com) <eve@evil.example>"]}]"#;
    let f = run_one(outlook("x", hidden, Some("None"))).expect("forward");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.details["external_targets"],
        serde_json::json!(["eve@evil.example"])
    );
    // A real condition narrows the rule but an outside forward stays critical.
    let f = run_one(outlook(
        "inv",
        fwd,
        Some(r#"SubjectContainsWords: "invoice""#),
    ))
    .expect("forward");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.details["every_message"], false);
    assert!(!f.title.contains("every message"), "{}", f.title);
    // A forward action logged without recipients still forwards somewhere.
    let f = run_one(outlook("x", "ForwardToRecipientsAction", None)).expect("forward");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.details["forwarding"][0]["target"],
        "(recipients not logged)"
    );
    // Target text reaches findings sanitised.
    let esc = "[{\"ActionType\":\"Forward\",\"Recipients\":[\"ev\\u001be@evil.example\"]}]";
    let f = run_one(outlook("x", esc, None)).expect("forward");
    assert_eq!(
        f.details["forwarding"][0]["target"],
        "ev\\u{1b}e@evil.example"
    );
    assert!(!f.title.contains('\u{1b}'));
}

#[test]
fn outlook_hiding_and_ordinary_rules() {
    let f = run_one(outlook(
        "clean",
        r#"[{"ActionType":"MarkAsRead"},{"ActionType":"Delete"}]"#,
        Some("From: it-security@contoso.com"),
    ))
    .expect("hiding");
    assert_eq!((f.severity, f.risk), (Severity::Medium, 50), "{}", f.title);
    assert_eq!(f.details["hiding"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        f.details["actions"],
        serde_json::json!([{"type": "MarkAsRead"}, {"type": "Delete"}])
    );
    for actions in [
        r#"[{"ActionType":"PermanentDelete"}]"#,
        r#"[{"ActionType":"MoveToFolder","FolderName":"RSS Feeds"}]"#,
        "DeleteAction",
    ] {
        let f = run_one(outlook("r", actions, None)).unwrap_or_else(|| panic!("{actions}"));
        assert_eq!(f.severity, Severity::Medium, "{actions}");
    }
    for e in [
        outlook(
            "Newsletters",
            r#"[{"ActionType":"MoveToFolder","FolderName":"Newsletters"}]"#,
            Some("From: news@contoso-partners.example"),
        ),
        outlook("odd", r#"[{"ActionType":"MoveToFolder"}]"#, None),
        outlook("cat", r#"[{"ActionType":"AssignCategories"}]"#, None),
        outlook("empty", "", None),
        // Removing a forwarding rule is not a new forward.
        outlook(
            "sync",
            r#"[{"ActionType":"Forward","Recipients":["a@x.fr"]}]"#,
            None,
        )
        .param("RuleOperation", "RemoveMailboxRule"),
    ] {
        let dbg = format!("{e:?}");
        assert!(run_one(e).is_none(), "{dbg}");
    }
}

#[test]
fn mailbox_forwarding_needs_an_address() {
    let sm = || audit(T0, U, "Set-Mailbox").ip("203.0.113.5");
    assert!(run_one(sm().param("DeliverToMailboxAndForward", "True")).is_none());
    let f = run_one(
        sm().param("ForwardingSmtpAddress", "smtp:drop@evil.example")
            .param("DeliverToMailboxAndForward", "True"),
    )
    .expect("forwarding");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.details["deliver_to_mailbox_and_forward"], true);
    assert_eq!(f.details["every_message"], true);
    let f = run_one(
        sm().param("ForwardingAddress", "Bob Smith")
            .param("DeliverToMailboxAndForward", "False"),
    )
    .expect("forwarding");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.details["deliver_to_mailbox_and_forward"], false);
}

#[test]
fn cmdlet_rules_say_whether_they_cover_every_message() {
    let every = |e: Ev| run_one(e).expect("finding").details["every_message"].clone();
    assert_eq!(every(rule(&[("Name", "x"), ("ForwardTo", "a@x.fr")])), true);
    assert_eq!(
        every(rule(&[
            ("ForwardTo", "a@x.fr"),
            ("SubjectContainsWords", "invoice")
        ])),
        false
    );
    assert_eq!(
        every(rule(&[("ForwardTo", "a@x.fr"), ("HasAttachment", "False")])),
        true
    );
    assert_eq!(
        every(audit(T0, U, "Set-InboxRule").param("ForwardTo", "a@x.fr")),
        serde_json::Value::Null,
        "Set-InboxRule need not repeat conditions"
    );
}

fn sends(start: &str, n: i64, step: i64) -> Vec<Ev> {
    (0..n)
        .map(|i| audit(start, U, "Send").ip("203.0.113.5").plus(i * step))
        .collect()
}

#[test]
fn bulk_send_fires_at_fifty_in_an_hour() {
    let mut s = Scenario::new();
    s.extend(sends(T0, 50, MIN));
    let r = s.run();
    let f = r.one(B);
    assert_eq!(
        (f.risk, f.severity, f.event_count),
        (60, Severity::Medium, 50)
    );
    assert_eq!(f.first_seen, t(T0));
    assert_eq!(f.details["peak_in_window"], 50);
    assert_eq!(f.details["ips"], serde_json::json!(["203.0.113.5"]));
    // Twice the threshold within an hour: 70.
    let mut s = Scenario::new();
    s.extend(sends(T0, 100, 30_000));
    let f = s.run().one(B).clone();
    assert_eq!(
        (f.risk, f.severity, f.event_count),
        (70, Severity::High, 100)
    );
}

#[test]
fn bulk_send_is_sliding_and_quiet_below_threshold() {
    // 25 before and 25 after 11:00, all within 50 minutes.
    let mut s = Scenario::new();
    s.extend(sends("2024-05-01T10:35:00Z", 50, MIN));
    assert_eq!(s.run().active(B).len(), 1);
    for (n, step) in [(35, MIN + MIN / 2), (49, MIN), (150, 2 * MIN)] {
        let mut s = Scenario::new();
        s.extend(sends(T0, n, step));
        s.push(audit(T0, U, "MailItemsAccessed"));
        s.push(audit(T0, "bob@contoso.com", "Send"));
        let r = s.run();
        assert!(
            r.all(B).is_empty(),
            "{n} sends every {step} ms: {:?}",
            r.summary()
        );
    }
}

#[test]
fn bulk_send_burst_is_one_finding_updated_by_later_sends() {
    let mut s = Scenario::new();
    s.extend(sends(T0, 50, MIN));
    s.extend(sends("2024-05-01T11:20:00Z", 10, MIN));
    s.extend(sends("2024-05-01T14:00:00Z", 50, 30_000));
    let r = s.run();
    let fs = r.active(B);
    assert_eq!(fs.len(), 2, "{:?}", r.summary());
    assert_eq!(fs[0].event_count, 60);
    assert_eq!(fs[0].details["last_send"], "2024-05-01T11:29:00Z");
    assert_eq!(fs[1].first_seen, t("2024-05-01T14:00:00Z"));
}
