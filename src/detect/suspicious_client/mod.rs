//! `suspicious_client` (issue 13): a successful sign-in through a flow or a
//! client that attack tooling uses: resource-owner password credentials
//! (`authenticationProtocol` ropc: the client itself sends the password,
//! no MFA prompt), the device-code flow (`deviceCode`, or an
//! `originalTransferMethod` of `deviceCodeFlow`: device-code phishing), or a
//! user agent containing a configured string (python-requests, axios,
//! BAV2ROPC, …). Failed attempts never fire. One finding per user per group
//! window, listing every reason seen; its risk is the highest reason's.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{no_checks, plain, to_details, Description, Entity, Stage};
use super::tally::{iso, Distinct, Group, Groups};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, SuspiciousClientConfig};
use crate::event::{AuthProtocol, Event, Outcome, Sym, TransferMethod};
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "client",
    cost: 4,
    entity: Entity::User,
    enabled: |c| c.detectors.suspicious_client.enabled,
    build: |c| Box::new(SuspiciousClient::new(&c.detectors.suspicious_client)),
    rule,
    checks: no_checks,
    explain: plain,
    label: "suspicious client",
    stage: Stage::Access,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Step,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::None("fires on one sign-in with a listed client or flow"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.suspicious_client.risk_user_agent, "suspicious_client.risk_user_agent")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.suspicious_client;
    let mut flows = Vec::new();
    if c.ropc {
        flows.push("ROPC");
    }
    if c.device_code {
        flows.push("device-code flow");
    }
    format!(
        "A successful sign-in using {}{}a user agent containing one of: {}.",
        flows.join(" or "),
        if flows.is_empty() { "" } else { ", or from " },
        c.user_agents.join(", ")
    )
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub user: String,
    /// `ropc`, `device code`, `user agent <pattern>`.
    pub reasons: Vec<String>,
    pub sign_ins: u32,
    pub ips: Vec<String>,
    pub events: Vec<Value>,
    pub group_window: String,
    pub note: String,
}

const MAX_LISTED: usize = 10;
/// User-agent symbols remembered with their verdict (bounded: client text).
const UA_CACHE: usize = 4096;

#[derive(Default)]
struct Seen {
    reasons: Vec<String>,
    risk: u8,
    ips: Option<Distinct>,
    listed: Vec<Value>,
}

pub struct SuspiciousClient {
    cfg: SuspiciousClientConfig,
    /// The configured agents, lower-cased once.
    agents: Vec<String>,
    /// Which configured agent a user-agent symbol contains (`None`: none).
    ua_cache: FxHashMap<Sym, Option<usize>>,
    groups: Groups<Seen>,
    sweep: Sweep,
}

impl SuspiciousClient {
    pub fn new(cfg: &SuspiciousClientConfig) -> Self {
        SuspiciousClient {
            cfg: cfg.clone(),
            agents: cfg
                .user_agents
                .iter()
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect(),
            ua_cache: FxHashMap::default(),
            groups: Groups::new(cfg.group_window.ms()),
            sweep: Sweep::default(),
        }
    }

    fn agent(&mut self, cx: &DetectCx, ua: Sym) -> Option<usize> {
        if ua.is_none() || self.agents.is_empty() {
            return None;
        }
        if self.ua_cache.len() >= UA_CACHE {
            self.ua_cache.clear();
        }
        let agents = &self.agents;
        *self.ua_cache.entry(ua).or_insert_with(|| {
            let text = cx.store.text(ua).to_lowercase();
            agents.iter().position(|a| text.contains(a.as_str()))
        })
    }

    /// The reasons a success is suspicious, with the risk they carry.
    fn reasons(&mut self, cx: &DetectCx, ev: &Event) -> (Vec<String>, u8) {
        let mut out = Vec::new();
        let mut risk = 0;
        if self.cfg.ropc && ev.protocol == AuthProtocol::Ropc {
            out.push("ropc".to_string());
            risk = self.cfg.risk_flow;
        }
        if self.cfg.device_code
            && (ev.protocol == AuthProtocol::DeviceCode
                || ev.transfer == TransferMethod::DeviceCodeFlow)
        {
            out.push("device code".to_string());
            risk = self.cfg.risk_flow;
        }
        if let Some(i) = self.agent(cx, ev.user_agent) {
            let pattern = self.cfg.user_agents.get(i).map_or("", |s| s.trim());
            out.push(format!("user agent {pattern}"));
            risk = risk.max(self.cfg.risk_user_agent);
        }
        (out, risk)
    }
}

fn snapshot(store: &crate::store::Store, user: Sym, g: &Group<Seen>, window: &str) -> Finding {
    let user_text = store.text(user);
    let s = &g.data;
    let title = format!(
        "Suspicious client for {user_text}: {}{}",
        s.reasons.join(", "),
        if g.count > 1 {
            format!(" ({} sign-ins)", g.count)
        } else {
            String::new()
        }
    );
    let mut f = Finding::new(DetectorId::SuspiciousClient, user_text, g.first, s.risk, title);
    f.user = Some(user_text.to_string());
    let ips = s.ips.as_ref().map(|d| d.texts(store)).unwrap_or_default();
    f.ip = ips.first().cloned();
    f.last_seen = g.last;
    f.event_count = g.count;
    for &i in &g.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        user: user_text.to_string(),
        reasons: s.reasons.clone(),
        sign_ins: g.count,
        ips,
        events: s.listed.clone(),
        group_window: window.to_string(),
        note: "successful sign-ins only; ROPC sends the password without an MFA prompt, \
               device-code sign-ins are what device-code phishing produces"
            .into(),
    });
    f
}

impl Detector for SuspiciousClient {
    fn id(&self) -> DetectorId {
        DetectorId::SuspiciousClient
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.groups.len()) {
            self.groups.sweep(now);
        }
        if !ev.is_signin() || ev.outcome != Outcome::Success || ev.user.is_none() {
            return;
        }
        let (reasons, risk) = self.reasons(cx, ev);
        if reasons.is_empty() {
            return;
        }
        let store = cx.store;
        let g = self.groups.group_for(ev.user, ev.time);
        g.hit(ev.time, idx);
        let s = &mut g.data;
        s.risk = s.risk.max(risk);
        for r in &reasons {
            if !s.reasons.contains(r) && s.reasons.len() < MAX_LISTED {
                s.reasons.push(r.clone());
            }
        }
        s.ips
            .get_or_insert_with(|| Distinct::new(MAX_LISTED))
            .insert(ev.ip);
        if s.listed.len() < MAX_LISTED {
            s.listed.push(json!({
                "time": iso(ev.time),
                "reasons": reasons,
                "ip": store.text(ev.ip),
                "app": store.text(ev.app),
                "user_agent": store.text(ev.user_agent),
                "auth_protocol": ev.protocol.as_str(),
                "transfer_method": ev.transfer.as_str(),
            }));
        }
        let window = self.cfg.group_window.to_string();
        out.push(snapshot(store, ev.user, g, &window));
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.groups.len()
    }
}
