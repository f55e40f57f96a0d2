//! What an incident says about itself: its findings as steps in time order,
//! the entities involved, a title, and a severity (the highest of its
//! findings, one step higher when the chain goes from access to action).
//! Built from grouping's [`Node`]s; decides nothing about membership. Titles
//! carry log-derived text (users, IPs): outputs neutralise them like any
//! other field.

use super::link::Node;
use crate::detect::describe::{Role, Stage};
use crate::event::Millis;
use crate::finding::{DetectorId, Severity};
use crate::ingest::time::format_time;
use serde_json::{json, Value};

/// One finding of an incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub finding: String,
    pub detector: DetectorId,
    pub severity: Severity,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// The spray's IP, else the user.
    pub entity: String,
    pub event_count: u32,
}

impl Step {
    /// The step of one grouped finding.
    pub(crate) fn of(n: &Node) -> Step {
        Step {
            finding: n.id.clone(),
            detector: n.detector,
            severity: n.severity,
            first_seen: n.first,
            last_seen: n.last,
            entity: n.entity().to_string(),
            event_count: n.event_count,
        }
    }
}

/// A group of related findings.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    /// `inc-` and the first 8 hex digits of the finding that started it; kept
    /// when the incident grows or absorbs a smaller one.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Why the severity is above its findings' highest, if it is.
    pub escalation: Option<String>,
    pub first_seen: Millis,
    pub last_seen: Millis,
    /// In time order (first_seen, then id).
    pub steps: Vec<Step>,
    /// In order of first appearance.
    pub users: Vec<String>,
    pub ips: Vec<String>,
    /// Names of the rules (or "manual") that link its findings.
    pub rules: Vec<String>,
    pub status: super::Status,
    /// Who works on it; set to the analyst who first changes its status.
    pub owner: Option<String>,
    /// A background-scanning roll-up's counts (see [`super::background`]).
    pub background: Option<super::background::Summary>,
}

impl Incident {
    /// Finding ids in time order.
    pub fn findings(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.finding.as_str())
    }

    /// The incident as one JSON object (`hunt scan --incidents`).
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({
                    "finding": s.finding,
                    "detector": s.detector.as_str(),
                    "severity": s.severity.as_str(),
                    "entity": s.entity,
                    "first_seen": format_time(s.first_seen),
                    "last_seen": format_time(s.last_seen),
                    "event_count": s.event_count,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "title": self.title,
            "severity": self.severity.as_str(),
            "escalation": self.escalation,
            "first_seen": format_time(self.first_seen),
            "last_seen": format_time(self.last_seen),
            "finding_count": self.steps.len(),
            "findings": self.findings().collect::<Vec<_>>(),
            "steps": steps,
            "users": self.users,
            "ips": self.ips,
            "rules": self.rules,
            "status": self.status.as_str(),
            "owner": self.owner,
            "background": self.background.as_ref().map(|b| b.to_json()),
        })
    }
}

/// Builds the incident from its nodes, sorted into time order here.
pub(crate) fn describe(id: String, mut nodes: Vec<&Node>, rules: Vec<String>) -> Incident {
    nodes.sort_by(|a, b| a.first.cmp(&b.first).then_with(|| a.id.cmp(&b.id)));
    let mut users: Vec<String> = Vec::new();
    let mut ips: Vec<String> = Vec::new();
    for n in &nodes {
        for u in n.user_keys() {
            if !users.contains(u) {
                users.push(u.clone());
            }
        }
        if let Some(ip) = n.ip.as_ref().filter(|ip| !ips.contains(ip)) {
            ips.push(ip.clone());
        }
    }
    let top = nodes
        .iter()
        .map(|n| n.severity)
        .max()
        .unwrap_or(Severity::Low);
    let escalation = access_then_action(&nodes);
    let severity = match escalation {
        Some(_) => one_up(top),
        None => top,
    };
    let escalation = escalation.map(|why| match top {
        Severity::Critical => format!("{why} (its findings are already critical)"),
        _ => format!("{why}: one step above its findings' highest ({top})"),
    });
    Incident {
        id,
        title: title(&nodes),
        severity,
        escalation,
        first_seen: nodes.iter().map(|n| n.first).min().unwrap_or(0),
        last_seen: nodes.iter().map(|n| n.last).max().unwrap_or(0),
        steps: nodes.iter().map(|n| Step::of(n)).collect(),
        users,
        ips,
        rules,
        status: super::Status::New,
        owner: None,
        background: None,
    }
}

fn one_up(s: Severity) -> Severity {
    match s {
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

/// Sign-in findings: someone got (or tried to get) in.
fn is_access(d: DetectorId) -> bool {
    d.description().is_some_and(|x| x.stage == Stage::Access)
}

/// Findings of something done with the access (mail rules, sending, cloud recon).
fn is_action(d: DetectorId) -> bool {
    d.description().is_some_and(|x| x.stage == Stage::Action)
}

/// "access (x) then action (y)" when an access finding starts no later than an action finding.
fn access_then_action(nodes: &[&Node]) -> Option<String> {
    let access = nodes.iter().find(|n| is_access(n.detector))?;
    let action = nodes
        .iter()
        .find(|n| is_action(n.detector) && n.first >= access.first)?;
    Some(format!(
        "access ({}) then action ({})",
        access.detector, action.detector
    ))
}

fn label(n: &Node) -> &'static str {
    match n.detector.description() {
        Some(d) if d.role == Role::Mailbox && n.forwards => "forwarding rule",
        Some(d) => d.label,
        None => n
            .detector
            .sigma_rule()
            .map_or(n.detector.as_str(), |r| r.title.as_str()),
    }
}

/// `l` with its first letter in upper case.
fn capitalised(l: &str) -> String {
    let mut cap = l.chars();
    match cap.next() {
        Some(c) => c.to_uppercase().chain(cap).collect(),
        None => String::new(),
    }
}

/// "Spray with success from 45.83.64.17 → 2 accounts, then hosting sign-in and inbox rule".
fn title(nodes: &[&Node]) -> String {
    let Some(first) = nodes.first() else {
        return String::new();
    };
    let role = first.detector.description().map(|d| d.role);
    let head = match role {
        Some(Role::Spray) if !first.success_users.is_empty() => {
            let n = first.success_users.len();
            format!(
                "Spray with success from {} → {n} account{}",
                first.entity(),
                if n == 1 { "" } else { "s" }
            )
        }
        Some(Role::SuccessAfterFailures) => {
            format!(
                "{} success for {}",
                capitalised(label(first)),
                first.entity()
            )
        }
        _ => format!("{} for {}", capitalised(label(first)), first.entity()),
    };
    let mut then: Vec<&str> = Vec::new();
    for n in nodes.iter().skip(1) {
        let l = label(n);
        if l != label(first) && !then.contains(&l) {
            then.push(l);
        }
    }
    let users = nodes
        .iter()
        .filter_map(|n| n.user.as_ref())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let mut t = head;
    if let Some((last, rest)) = then.split_last() {
        t.push_str(", then ");
        if !rest.is_empty() {
            t.push_str(&rest.join(", "));
            t.push_str(" and ");
        }
        t.push_str(last);
    }
    if users > 1 {
        t.push_str(&format!(" ({users} users)"));
    }
    t
}
