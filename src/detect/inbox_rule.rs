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

use super::tally::{iso, json_text};
use super::{DetectCx, Detector};
use crate::config::InboxRuleConfig;
use crate::event::{decode_params, Event, Kind};
use crate::finding::{DetectorId, Finding, Severity};
use crate::store::EventIdx;
use serde_json::json;

const FORWARD_PARAMS: [&str; 5] = [
    "ForwardTo",
    "ForwardAsAttachmentTo",
    "RedirectTo",
    "ForwardingSmtpAddress",
    "ForwardingAddress",
];
/// Parameters listed in details.
const MAX_PARAMS: usize = 40;

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
                    && domain.ends_with(d.as_str())
                    && domain.as_bytes()[domain.len() - d.len() - 1] == b'.')
        })
    }
}

/// A forwarding target as an address: `smtp:` prefixes, quotes, display
/// names and angle or square brackets removed.
fn clean_target(raw: &str) -> String {
    let mut t = raw.trim().trim_matches(['"', '\'']).trim();
    if let (Some(a), Some(b)) = (t.rfind(['[', '<']), t.rfind([']', '>'])) {
        if a < b {
            t = &t[a + 1..b];
        }
    }
    let t = t.trim();
    let t = match t.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("smtp:") => &t[5..],
        _ => t,
    };
    t.trim().to_string()
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
        "" | "$null" | "null" | "none" | "[]"
    )
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
        if !self
            .cfg
            .operations
            .iter()
            .any(|o| o.eq_ignore_ascii_case(op))
        {
            return;
        }
        let user = store.text(ev.user);
        let mut inside: Vec<String> = self
            .cfg
            .internal_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        inside.extend(domain_of(user));
        let mut targets: Vec<(String, String)> = Vec::new();
        let mut hiding: Vec<String> = Vec::new();
        let mut name: Option<&str> = None;
        let mut params = Vec::new();
        for (k, v) in decode_params(store.text(ev.params)) {
            let k = k.trim();
            if params.len() < MAX_PARAMS {
                params.push(json!({ "name": k, "value": v }));
            }
            if FORWARD_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(k)) {
                if !is_empty_value(v) {
                    for t in v
                        .split([';', ','])
                        .map(clean_target)
                        .filter(|t| !t.is_empty())
                    {
                        targets.push((k.to_string(), t));
                    }
                }
            } else if k.eq_ignore_ascii_case("DeleteMessage")
                || k.eq_ignore_ascii_case("SoftDeleteMessage")
            {
                if truthy(v) {
                    hiding.push(format!("{k}: deletes matching mail"));
                }
            } else if k.eq_ignore_ascii_case("MarkAsRead") {
                if truthy(v) {
                    hiding.push("MarkAsRead: marks matching mail as read".to_string());
                }
            } else if k.eq_ignore_ascii_case("MoveToFolder") {
                if self.is_hiding_folder(v) {
                    hiding.push(format!(
                        "MoveToFolder: moves mail to hiding folder `{}`",
                        v.trim()
                    ));
                }
            } else if k.eq_ignore_ascii_case("Name") {
                name = Some(v);
            } else if k.eq_ignore_ascii_case("Identity") || k.eq_ignore_ascii_case("Mailbox") {
                // The mailbox being changed is inside the organisation by definition.
                inside.extend(domain_of(v.trim()));
            }
        }
        if let Some(n) = name {
            if !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_punctuation() || c.is_whitespace())
            {
                hiding.push(format!("rule name `{n}` is only punctuation or whitespace"));
            }
        }
        if targets.is_empty() && hiding.is_empty() {
            return;
        }
        let external: Vec<&str> = targets
            .iter()
            .filter(|(_, t)| domain_of(t).is_some_and(|d| !InboxRule::is_internal(&d, &inside)))
            .map(|(_, t)| t.as_str())
            .collect();
        let target_list: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
        let (severity, risk, what) = if !external.is_empty() {
            (
                Severity::Critical,
                95,
                format!(
                    "forwards mail outside the organisation to {}",
                    external.join(", ")
                ),
            )
        } else if !targets.is_empty() {
            (
                Severity::High,
                80,
                format!("forwards mail to {}", target_list.join(", ")),
            )
        } else {
            (
                Severity::Medium,
                50,
                format!("hides mail ({})", hiding.join("; ")),
            )
        };
        let rule_name = name.unwrap_or_default();
        let title = if rule_name.trim().is_empty() {
            format!("{op} for {user} {what}")
        } else {
            format!("{op} `{rule_name}` for {user} {what}")
        };
        let entity = format!("{user} {op} {rule_name}");
        let mut f = Finding::new(DetectorId::InboxRule, &entity, ev.time, risk, title);
        f.severity = severity;
        f.user = Some(user.to_string());
        f.ip = super::tally::opt_text(store, ev.ip);
        f.event_count = 1;
        f.add_evidence(idx);
        let forwarding: Vec<_> = targets
            .iter()
            .map(|(p, t)| json!({ "parameter": p, "target": t, "domain": domain_of(t) }))
            .collect();
        f.details = json!({
            "operation": op,
            "rule_name": name,
            "time": iso(ev.time),
            "ip": json_text(store, ev.ip),
            "forwarding": forwarding,
            "external_targets": external,
            "hiding": hiding,
            "internal_domains": inside,
            "parameters": params,
            "severity_rule": "critical: forwards outside the internal domains; high: forwards; \
                              medium: deletes, marks read, hides in a folder or has a blank-looking name",
        });
        out.push(f);
    }
}
