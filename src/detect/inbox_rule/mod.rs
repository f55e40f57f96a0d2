//! `inbox_rule` (SPEC §4, seed 003): mailbox rules and settings that forward
//! or hide mail. ForwardTo, ForwardAsAttachmentTo, RedirectTo,
//! ForwardingSmtpAddress, ForwardingAddress → high, critical when a target is
//! outside the user's domain (its subdomains, the modified mailbox's domain
//! and the configured internal domains are inside); DeleteMessage,
//! SoftDeleteMessage or MarkAsRead true, a move to a hiding folder (RSS
//! Feeds, Conversation History, Archive, ... or a path ending in one), or a
//! rule named only with punctuation → medium. A rule that only files mail
//! into an ordinary folder is not a finding. Stateless: one finding per
//! rule event.
//!
//! Outlook's rules arrive as `UpdateInboxRules` with `RuleName`,
//! `RuleCondition` and `RuleActions` (JSON text, see [`rule_actions`]) and
//! are judged like the cmdlets' parameters (a forward logged without its
//! recipients is high, its destination unknown); a rule removal is not a
//! finding.
//! `DeliverToMailboxAndForward` alone is not forwarding (it needs a
//! forwarding address). Details list the rule name, its actions, the
//! targets and whether the rule applies to every message.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{Stage, no_checks, plain, Description, Entity};
use super::tally::{iso, json_text};
use super::{DetectCx, Detector};
use crate::config::{Config, InboxRuleConfig};
use crate::event::{decode_params, Event, Kind};
use crate::finding::{DetectorId, Finding, Severity};
use crate::store::EventIdx;
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "inbox",
    label: "inbox rule",
    stage: Stage::Action,
    cost: 6,
    entity: Entity::User,
    enabled: |c| c.detectors.inbox_rule.enabled,
    build: |c| Box::new(InboxRule::new(&c.detectors.inbox_rule)),
    rule,
    checks: no_checks,
    explain: plain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Mailbox,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::None("fires on one mailbox rule"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.inbox_rule.risk_forward, "inbox_rule.risk_forward")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.inbox_rule;
    format!(
        "A mailbox rule or setting ({}) that forwards, redirects, deletes, marks as read or hides mail.",
        c.operations.join(", ")
    )
}

mod rule_actions;
use rule_actions::Effect;

const FORWARD_PARAMS: [&str; 5] = [
    "ForwardTo",
    "ForwardAsAttachmentTo",
    "RedirectTo",
    "ForwardingSmtpAddress",
    "ForwardingAddress",
];
/// Parameters listed in details.
const MAX_PARAMS: usize = 40;
/// Forwarding targets kept per rule, and characters kept per target.
const MAX_TARGETS: usize = 50;
const MAX_TARGET_CHARS: usize = 200;
/// The target shown for an Outlook forward logged without its recipients.
const UNLOGGED: &str = "(recipients not logged)";

/// `New-InboxRule` parameters that are not conditions: actions, the rule's
/// own settings and PowerShell's common parameters. Any other parameter with
/// a value (From, SubjectContainsWords, ExceptIf…, ...) narrows the rule.
const NOT_CONDITIONS: [&str; 26] = [
    "Name",
    "Identity",
    "Mailbox",
    "Priority",
    "Enabled",
    "StopProcessingRules",
    "Force",
    "Confirm",
    "WhatIf",
    "ErrorAction",
    "WarningAction",
    "DomainController",
    "AlwaysDeleteOutlookRulesBlob",
    "ForwardTo",
    "ForwardAsAttachmentTo",
    "RedirectTo",
    "DeleteMessage",
    "SoftDeleteMessage",
    "MarkAsRead",
    "MoveToFolder",
    "CopyToFolder",
    "MarkImportance",
    "ApplyCategory",
    "ApplySystemCategory",
    "PinMessage",
    "SendTextMessageNotificationTo",
];

pub struct InboxRule {
    cfg: InboxRuleConfig,
}

impl InboxRule {
    pub fn new(cfg: &InboxRuleConfig) -> Self {
        InboxRule { cfg: cfg.clone() }
    }

    fn is_hiding_folder(&self, v: &str) -> bool {
        let last = v
            .trim()
            .trim_end_matches(['\\', '/'])
            .rsplit(['\\', '/', ':'])
            .next()
            .unwrap_or_default()
            .trim();
        !last.is_empty()
            && self
                .cfg
                .hiding_folders
                .iter()
                .any(|f| f.eq_ignore_ascii_case(last))
    }

    /// Whether `domain` is inside: one of `inside` or a subdomain of one.
    fn is_internal(domain: &str, inside: &[String]) -> bool {
        inside.iter().any(|d| {
            domain == d
                || (domain.len() > d.len()
                    && domain
                        .strip_suffix(d.as_str())
                        .is_some_and(|h| h.ends_with('.')))
        })
    }
}

/// A forwarding target as an address: `smtp:` prefixes, quotes, display
/// names and angle or square brackets removed.
fn clean_target(raw: &str) -> String {
    let mut t = raw.trim().trim_matches(['"', '\'']).trim();
    if let (Some(a), Some(b)) = (t.rfind(['[', '<']), t.rfind([']', '>'])) {
        if a < b {
            t = t.get(a + 1..b).unwrap_or(t);
        }
    }
    let t = t.trim();
    let t = match t.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("smtp:") => t.get(5..).unwrap_or_default(),
        _ => t,
    };
    crate::sanitize::clean(t.trim())
        .chars()
        .take(MAX_TARGET_CHARS)
        .collect()
}

fn domain_of(addr: &str) -> Option<String> {
    let (_, d) = addr.rsplit_once('@')?;
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    (!d.is_empty()).then_some(d)
}

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "$true" | "1" | "yes"
    )
}

fn is_empty_value(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "$null" | "null" | "none" | "[]" | "{}"
    )
}

fn is(k: &str, name: &str) -> bool {
    k.eq_ignore_ascii_case(name)
}

/// What one rule event does, gathered from its parameters.
#[derive(Default)]
struct Rule<'a> {
    name: Option<&'a str>,
    /// (parameter or action type, cleaned target).
    targets: Vec<(String, String)>,
    hiding: Vec<String>,
    /// Every action, for details.
    actions: Vec<Value>,
    /// `RuleCondition` when logged (Outlook rules).
    condition: Option<&'a str>,
    /// A cmdlet parameter that narrows the rule (From, SubjectContainsWords...).
    cmdlet_condition: bool,
    outlook: bool,
    rule_operation: Option<&'a str>,
    rule_state: Option<&'a str>,
    deliver_and_forward: Option<bool>,
    params: Vec<Value>,
}

impl InboxRule {
    fn forward(rule: &mut Rule, kind: &str, targets: impl Iterator<Item = String>) {
        let mut shown = Vec::new();
        for t in targets.filter(|t| !t.is_empty()) {
            if rule.targets.len() >= MAX_TARGETS {
                break;
            }
            shown.push(t.clone());
            rule.targets.push((kind.to_string(), t));
        }
        rule.actions.push(json!({ "type": kind, "targets": shown }));
    }

    fn moved(&self, rule: &mut Rule, kind: &str, folder: Option<&str>) {
        rule.actions.push(json!({ "type": kind, "folder": folder }));
        if let Some(f) = folder.filter(|f| self.is_hiding_folder(f)) {
            rule.hiding.push(format!(
                "{kind}: moves mail to hiding folder `{}`",
                f.trim()
            ));
        }
    }

    /// Reads one parameter into `rule`; `inside` gains mailbox domains.
    fn read<'a>(&self, rule: &mut Rule<'a>, inside: &mut Vec<String>, k: &'a str, v: &'a str) {
        if FORWARD_PARAMS.iter().any(|p| is(k, p)) {
            if !is_empty_value(v) {
                let targets = v.split([';', ',']).map(clean_target);
                InboxRule::forward(rule, k, targets);
            }
        } else if is(k, "DeleteMessage") || is(k, "SoftDeleteMessage") {
            if truthy(v) {
                rule.actions.push(json!({ "type": k }));
                rule.hiding.push(format!("{k}: deletes matching mail"));
            }
        } else if is(k, "MarkAsRead") {
            if truthy(v) {
                rule.actions.push(json!({ "type": k }));
                rule.hiding
                    .push("MarkAsRead: marks matching mail as read".to_string());
            }
        } else if is(k, "MoveToFolder") {
            if !is_empty_value(v) {
                self.moved(rule, k, Some(v));
            }
        } else if is(k, "Name") || is(k, "RuleName") {
            rule.name = Some(v);
        } else if is(k, "Identity") || is(k, "Mailbox") {
            // The mailbox being changed is inside the organisation by definition.
            inside.extend(domain_of(v.trim()));
        } else if is(k, "RuleActions") {
            rule.outlook = true;
            for a in rule_actions::parse(v) {
                match a.effect {
                    // A forward whose recipients are not in the record still
                    // forwards: high, the destination unknown.
                    Effect::Forward if a.recipients.is_empty() => {
                        let unknown = std::iter::once(UNLOGGED.to_string());
                        InboxRule::forward(rule, &a.name, unknown);
                    }
                    Effect::Forward => {
                        let targets = a.recipients.iter().map(|r| clean_target(r));
                        InboxRule::forward(rule, &a.name, targets);
                    }
                    Effect::Delete => {
                        rule.actions.push(json!({ "type": a.name }));
                        rule.hiding
                            .push(format!("{}: deletes matching mail", a.name));
                    }
                    Effect::MarkAsRead => {
                        rule.actions.push(json!({ "type": a.name }));
                        rule.hiding
                            .push(format!("{}: marks matching mail as read", a.name));
                    }
                    Effect::Move => self.moved(rule, &a.name, a.folder.as_deref()),
                    Effect::Other => rule.actions.push(json!({ "type": a.name })),
                }
            }
        } else if is(k, "RuleCondition") {
            rule.outlook = true;
            rule.condition = Some(v);
        } else if is(k, "RuleOperation") {
            rule.outlook = true;
            rule.rule_operation = Some(v);
        } else if is(k, "RuleState") {
            rule.rule_state = Some(v);
        } else if is(k, "DeliverToMailboxAndForward") {
            rule.deliver_and_forward = Some(truthy(v));
        } else if !k.starts_with("Rule")
            && !NOT_CONDITIONS.iter().any(|n| is(k, n))
            && !is_empty_value(v)
            && !v.trim().eq_ignore_ascii_case("false")
        {
            rule.cmdlet_condition = true;
        }
    }
}

/// Whether the rule applies to every message: Outlook rules with no
/// `RuleCondition` (absent, empty or `None`-like; any other text is taken as
/// a real condition), `New-InboxRule` without condition parameters, and
/// mailbox forwarding. Unknown (`None`) for `Set-InboxRule`, which need not
/// repeat the rule's conditions.
fn every_message(op: &str, rule: &Rule) -> Option<bool> {
    if rule.outlook {
        Some(rule.condition.is_none_or(is_empty_value))
    } else if is(op, "New-InboxRule") {
        Some(!rule.cmdlet_condition)
    } else if is(op, "Set-Mailbox") {
        Some(true)
    } else {
        None
    }
}

/// How bad a rule is, and why.
struct Verdict<'r> {
    severity: Severity,
    risk: u8,
    /// What the rule does, for the title.
    what: String,
    /// The targets outside the internal domains.
    external: Vec<&'r str>,
    every: Option<bool>,
}

impl InboxRule {
    /// The internal domains: the configured ones and the user's own.
    fn internal_domains(&self, user: &str) -> Vec<String> {
        let mut inside: Vec<String> = self
            .cfg
            .internal_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        inside.extend(domain_of(user));
        inside
    }

    /// Critical when the rule forwards outside the internal domains, high
    /// when it forwards, medium when it only hides mail.
    fn judge<'r>(&self, op: &str, rule: &'r Rule, inside: &[String]) -> Verdict<'r> {
        let every = every_message(op, rule);
        let external: Vec<&str> = rule
            .targets
            .iter()
            .filter(|(_, t)| domain_of(t).is_some_and(|d| !InboxRule::is_internal(&d, inside)))
            .map(|(_, t)| t.as_str())
            .collect();
        let target_list: Vec<&str> = rule.targets.iter().map(|(_, t)| t.as_str()).collect();
        let every_text = if every == Some(true) && !is(op, "Set-Mailbox") {
            "every message"
        } else {
            "mail"
        };
        let (severity, risk, what) = if !external.is_empty() {
            (
                Severity::Critical,
                self.cfg.risk_external,
                format!(
                    "forwards {every_text} outside the organisation to {}",
                    external.join(", ")
                ),
            )
        } else if !rule.targets.is_empty() {
            (
                Severity::High,
                self.cfg.risk_forward,
                format!("forwards {every_text} to {}", target_list.join(", ")),
            )
        } else {
            (
                Severity::Medium,
                self.cfg.risk_hide,
                format!("hides mail ({})", rule.hiding.join("; ")),
            )
        };
        Verdict {
            severity,
            risk,
            what,
            external,
            every,
        }
    }
}

impl Detector for InboxRule {
    fn id(&self) -> DetectorId {
        DetectorId::InboxRule
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if ev.kind != Kind::Audit || ev.user.is_none() || ev.operation.is_none() {
            return;
        }
        let store = cx.store;
        let op = store.text(ev.operation);
        if !self.cfg.operations.iter().any(|o| is(o, op)) {
            return;
        }
        let user = store.text(ev.user);
        let mut inside = self.internal_domains(user);
        let mut rule = Rule::default();
        for (k, v) in decode_params(store.text(ev.params)) {
            let k = k.trim();
            if rule.params.len() < MAX_PARAMS {
                rule.params.push(json!({ "name": k, "value": v }));
            }
            self.read(&mut rule, &mut inside, k, v);
        }
        // Removing a rule takes its forwarding away; it is not a new one.
        if rule.rule_operation.is_some_and(|o| {
            let o = o.to_ascii_lowercase();
            o.contains("remove") || o.contains("delete")
        }) {
            return;
        }
        if let Some(n) = rule.name {
            if !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_punctuation() || c.is_whitespace())
            {
                rule.hiding
                    .push(format!("rule name `{n}` is only punctuation or whitespace"));
            }
        }
        if rule.targets.is_empty() && rule.hiding.is_empty() {
            return;
        }
        let Verdict {
            severity,
            risk,
            what,
            external,
            every,
        } = self.judge(op, &rule, &inside);
        let rule_name = rule.name.unwrap_or_default();
        let title = if rule_name.trim().is_empty() {
            format!("{op} for {user} {what}")
        } else {
            format!("{op} `{rule_name}` for {user} {what}")
        };
        // Trailing spaces never reach the entity (an unnamed rule would end
        // in one): CSV writers such as Spark's trim them, and the lake
        // queries `rtrim` the same way, so the id survives every hand-off.
        let entity = format!("{user} {op} {rule_name}");
        let entity = entity.trim_end_matches(' ');
        let mut f = Finding::new(DetectorId::InboxRule, entity, ev.time, risk, title);
        f.severity = severity;
        f.user = Some(user.to_string());
        f.ip = super::tally::opt_text(store, ev.ip);
        f.event_count = 1;
        f.add_evidence(idx);
        let forwarding: Vec<_> = rule
            .targets
            .iter()
            .map(|(p, t)| json!({ "parameter": p, "target": t, "domain": domain_of(t) }))
            .collect();
        f.details = json!({
            "operation": op,
            "rule_name": rule.name,
            "time": iso(ev.time),
            "ip": json_text(store, ev.ip),
            "actions": rule.actions,
            "forwarding": forwarding,
            "external_targets": external,
            "every_message": every,
            "condition": rule.condition,
            "rule_operation": rule.rule_operation,
            "rule_state": rule.rule_state,
            "deliver_to_mailbox_and_forward": rule.deliver_and_forward,
            "hiding": rule.hiding,
            "internal_domains": inside,
            "parameters": rule.params,
            "severity_rule": "critical: forwards outside the internal domains; high: forwards; \
                              medium: deletes, marks read, hides in a folder or has a blank-looking name",
        });
        out.push(f);
    }
}
