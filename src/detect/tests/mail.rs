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
