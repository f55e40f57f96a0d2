//! `identity_risk` (SPEC §4, seeds 002/003): a successful sign-in that the
//! identity provider itself marked risky: risk level during sign-in in the
//! configured levels (high, medium), risk state atRisk/confirmedCompromised,
//! a configured risk event type, or single-factor authentication with a home
//! tenant different from the resource tenant (cross-tenant MFA bypass).
//! Reason and indicator count follow the seed's `case()`; 2+ indicators (or a
//! confirmedCompromised state) are high, one is medium. Failed sign-ins never
//! fire. One finding per user per group window, at the worst severity seen.
//! A fifth indicator, Okta ThreatInsight (issue 13): the sign-in is marked
//! `threatSuspected`, or its IP was named by a `security.threat.detected`
//! event within the group window before it (those IPs are remembered,
//! pruned by event time).

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{Stage, no_checks, plain, Description, Entity};
use super::tally::{iso, json_text, Distinct, Group, Groups};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, RiskConfig};
use crate::event::{flags, Event, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding, Severity};
use crate::store::{EventIdx, Store};
use serde_json::{json, Value};


pub(super) static DESCRIPTION: Description = Description {
    short: "id-risk",
    label: "risky sign-in",
    stage: Stage::Access,
    cost: 2,
    entity: Entity::User,
    enabled: |c| c.detectors.identity_risk.enabled,
    build: |c| Box::new(IdentityRisk::new(&c.detectors.identity_risk)),
    rule,
    checks: no_checks,
    explain: plain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Step,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::None("fires on one record's risk or threat flag"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.identity_risk.risk_medium, "identity_risk.risk_medium")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.identity_risk;
    let threat = if c.threat_insight {
        format!(
            ", or Okta ThreatInsight (the sign-in marked threatSuspected, or its IP named by security.threat.detected within {})",
            c.group_window
        )
    } else {
        String::new()
    };
    format!(
        "A successful sign-in with risk level {}, risk state {}, a listed risk event type, or single-factor authentication across tenants{threat}.",
        c.risk_levels.join("/"),
        c.risk_states.join("/")
    )
}
const MAX_LISTED: usize = 10;

/// The four indicators of the seed, for one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub high_risk_sign_in: bool,
    pub compromised_state: bool,
    pub suspicious_event: bool,
    pub cross_tenant_mfa_bypass: bool,
    /// Okta ThreatInsight flagged the sign-in or its IP.
    pub threat_insight: bool,
    /// The risk event types that matched the configured list.
    pub matched_events: Vec<String>,
    pub confirmed_compromised: bool,
}

impl Assessment {
    pub fn indicators(&self) -> u32 {
        [
            self.high_risk_sign_in,
            self.compromised_state,
            self.suspicious_event,
            self.cross_tenant_mfa_bypass,
            self.threat_insight,
        ]
        .iter()
        .filter(|&&b| b)
        .count() as u32
    }

    /// The seed's `AlertReason = case(...)`, in its order. `events_text` is
    /// the sign-in's risk event types, written as the seed's
    /// `tostring(RiskEventTypes_V2)` would (a JSON array).
    pub fn reason(&self, events_text: &str) -> String {
        if self.compromised_state {
            "ConfirmedCompromise".to_string()
        } else if self.high_risk_sign_in && self.suspicious_event {
            format!("HighRisk+Event:{events_text}")
        } else if self.high_risk_sign_in {
            "HighRiskSignIn".to_string()
        } else if self.suspicious_event {
            format!("RiskEvent:{events_text}")
        } else if self.cross_tenant_mfa_bypass {
            "CrossTenantMFABypass".to_string()
        } else if self.threat_insight {
            "ThreatInsight".to_string()
        } else {
            "UnknownRisk".to_string()
        }
    }

    pub fn severity(&self) -> Severity {
        if self.indicators() >= 2 || self.confirmed_compromised {
            Severity::High
        } else {
            Severity::Medium
        }
    }
}

/// Assesses one event's risk fields against the configured lists (all case-insensitive).
pub fn assess(cfg: &RiskConfig, store: &Store, ev: &Event) -> Assessment {
    let t = |s| store.text(s);
    let in_list =
        |v: &str, list: &[String]| !v.is_empty() && list.iter().any(|x| x.eq_ignore_ascii_case(v));
    let state = t(ev.risk_state);
    let matched_events: Vec<String> = risk_event_types(t(ev.risk_events))
        .filter(|e| in_list(e, &cfg.risk_event_types))
        .map(str::to_string)
        .collect();
    let home = t(ev.home_tenant);
    Assessment {
        high_risk_sign_in: in_list(t(ev.risk_level), &cfg.risk_levels),
        compromised_state: in_list(state, &cfg.risk_states),
        suspicious_event: !matched_events.is_empty(),
        cross_tenant_mfa_bypass: t(ev.auth_requirement)
            .eq_ignore_ascii_case("singleFactorAuthentication")
            && !home.is_empty()
            && !home.eq_ignore_ascii_case(t(ev.resource_tenant)),
        threat_insight: cfg.threat_insight && ev.flags & flags::THREAT_SUSPECTED != 0,
        matched_events,
        confirmed_compromised: state.eq_ignore_ascii_case("confirmedCompromised"),
    }
}

/// Risk event types from the event's comma-separated list (tolerating JSON-array leftovers).
fn risk_event_types(s: &str) -> impl Iterator<Item = &str> {
    s.split(',')
        .map(|x| x.trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '[' | ']')))
        .filter(|x| !x.is_empty())
}

#[derive(Default)]
struct Risky {
    severity: Option<Severity>,
    max_indicators: u32,
    reasons: Vec<String>,
    listed: Vec<Value>,
    ips: Option<Distinct>,
}

pub struct IdentityRisk {
    cfg: RiskConfig,
    /// The group window as written in the config, for details.
    group_window: String,
    groups: Groups<Risky>,
    sweep: Sweep,
    /// Combinations of the risk-relevant fields already judged benign (no
    /// indicator): most sign-ins repeat a handful of them ("none", "none",
    /// no events, same tenant), so the string checks run once per combination.
    benign: rustc_hash::FxHashSet<[crate::event::Sym; 6]>,
    /// IPs ThreatInsight named, with the last time it did.
    threat_ips: rustc_hash::FxHashMap<Sym, Millis>,
}

/// Most ThreatInsight IPs remembered; beyond it the oldest half is dropped.
const MAX_THREAT_IPS: usize = 100_000;

/// Benign combinations remembered at most (attacker-controlled values could
/// otherwise grow the set without bound).
const BENIGN_CACHE: usize = 4096;

impl IdentityRisk {
    pub fn new(cfg: &RiskConfig) -> Self {
        IdentityRisk {
            cfg: cfg.clone(),
            group_window: cfg.group_window.to_string(),
            groups: Groups::new(cfg.group_window.ms()),
            sweep: Sweep::default(),
            benign: Default::default(),
            threat_ips: Default::default(),
        }
    }

    /// Remembers the IP of a flagged event that is not a sign-in
    /// (`security.threat.detected`); says whether `ev`'s IP was flagged
    /// within the group window before it.
    fn threat_ip(&mut self, ev: &Event) -> bool {
        if !self.cfg.threat_insight || ev.ip.is_none() {
            return false;
        }
        let window = self.cfg.group_window.ms();
        if !ev.is_signin() && ev.flags & flags::THREAT_SUSPECTED != 0 {
            if self.threat_ips.len() >= MAX_THREAT_IPS {
                let mut times: Vec<Millis> = self.threat_ips.values().copied().collect();
                let mid = times.len() / 2;
                let (_, &mut cut, _) = times.select_nth_unstable(mid);
                self.threat_ips.retain(|_, t| *t > cut);
            }
            let t = self.threat_ips.entry(ev.ip).or_insert(ev.time);
            *t = (*t).max(ev.time);
            return false;
        }
        self.threat_ips
            .get(&ev.ip)
            .is_some_and(|&t| t <= ev.time && ev.time - t < window)
    }
}

fn snapshot(cfg: &RiskConfig, store: &Store, ev: &Event, g: &Group<Risky>, group_window: &str) -> Finding {
    let user = store.text(ev.user);
    let r = &g.data;
    let severity = r.severity.unwrap_or(Severity::Medium);
    let risk = if severity >= Severity::High {
        cfg.risk_high
    } else {
        cfg.risk_medium
    };
    let title = format!(
        "Risky sign-in for {user}: {}{}",
        r.reasons
            .first()
            .map(String::as_str)
            .unwrap_or("UnknownRisk"),
        if g.count > 1 {
            format!(" (+{} more)", g.count - 1)
        } else {
            String::new()
        }
    );
    let mut f = Finding::new(DetectorId::IdentityRisk, user, g.first, risk, title);
    f.severity = severity;
    f.user = Some(user.to_string());
    let ips = r.ips.as_ref().map(|d| d.texts(store)).unwrap_or_default();
    f.ip = ips.first().cloned();
    f.last_seen = g.last;
    f.event_count = g.count;
    for &i in &g.evidence {
        f.add_evidence(i);
    }
    f.details = json!({
        "reasons": r.reasons,
        "max_indicator_count": r.max_indicators,
        "sign_ins": g.count,
        "ips": ips,
        "events": r.listed,
        "group_window": group_window,
        "rule": "2+ indicators (or confirmedCompromised) = high, 1 = medium; successful sign-ins only; \
                 ThreatInsight: Okta threatSuspected, or an IP security.threat.detected named within the group window",
    });
    f
}

impl Detector for IdentityRisk {
    fn id(&self) -> DetectorId {
        DetectorId::IdentityRisk
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self
            .sweep
            .tick(ev.time, self.groups.len() + self.threat_ips.len())
        {
            self.groups.sweep(now);
            let window = self.cfg.group_window.ms();
            self.threat_ips.retain(|_, t| now - *t < window);
        }
        let from_threat_ip = self.threat_ip(ev);
        if !ev.is_signin() || ev.outcome != Outcome::Success || ev.user.is_none() {
            return;
        }
        let store = cx.store;
        let key = [
            ev.risk_level,
            ev.risk_state,
            ev.risk_events,
            ev.auth_requirement,
            ev.home_tenant,
            ev.resource_tenant,
        ];
        let flagged =
            from_threat_ip || (self.cfg.threat_insight && ev.flags & flags::THREAT_SUSPECTED != 0);
        if !flagged && self.benign.contains(&key) {
            return;
        }
        let mut a = assess(&self.cfg, store, ev);
        a.threat_insight |= from_threat_ip;
        let n = a.indicators();
        if n == 0 {
            if self.benign.len() >= BENIGN_CACHE {
                self.benign.clear();
            }
            self.benign.insert(key);
            return;
        }
        let all_events: Vec<&str> = risk_event_types(store.text(ev.risk_events)).collect();
        let events_text = serde_json::to_string(&all_events).unwrap_or_default();
        let reason = a.reason(&events_text);
        let g = self.groups.group_for(ev.user, ev.time);
        g.hit(ev.time, idx);
        let r = &mut g.data;
        r.severity = r.severity.max(Some(a.severity()));
        r.max_indicators = r.max_indicators.max(n);
        if !r.reasons.contains(&reason) && r.reasons.len() < MAX_LISTED {
            r.reasons.push(reason.clone());
        }
        r.ips
            .get_or_insert_with(|| Distinct::new(MAX_LISTED))
            .insert(ev.ip);
        if r.listed.len() < MAX_LISTED {
            r.listed.push(json!({
                "time": iso(ev.time),
                "reason": reason,
                "indicator_count": n,
                "indicators": {
                    "high_risk_sign_in": a.high_risk_sign_in,
                    "compromised_state": a.compromised_state,
                    "suspicious_risk_event": a.suspicious_event,
                    "cross_tenant_mfa_bypass": a.cross_tenant_mfa_bypass,
                    "threat_insight": a.threat_insight,
                },
                "risk_level": json_text(store, ev.risk_level),
                "risk_state": json_text(store, ev.risk_state),
                "risk_event_types": all_events,
                "matched_risk_event_types": a.matched_events,
                "authentication_requirement": json_text(store, ev.auth_requirement),
                "home_tenant": json_text(store, ev.home_tenant),
                "resource_tenant": json_text(store, ev.resource_tenant),
                "ip": json_text(store, ev.ip),
                "country": json_text(store, ev.country),
                "app": json_text(store, ev.app),
            }));
        }
        out.push(snapshot(&self.cfg, store, ev, g, &self.group_window));
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.groups.len() + self.threat_ips.len()
    }
}
