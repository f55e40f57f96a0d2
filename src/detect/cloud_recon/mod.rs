//! `cloud_recon` (SPEC §4, seed 002 test 4): one cloud access key calls
//! `GetCallerIdentity` and then ≥ N distinct `List*` / `Describe*` / `Get*`
//! APIs within the window after it: stolen keys being validated and explored.
//! Another `GetCallerIdentity` inside the window extends it (each counted API
//! is within the window after some identity check). Failed (denied) calls
//! count: recon is recon. One finding per key per session, updated by later
//! calls in the window. Per-key state ends with its window.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{Stage, at_least, plain, to_details, typed, Check, Description, Entity};
use super::tally::{iso, Distinct};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{CloudReconConfig, Config};
use crate::event::{Event, Kind, Millis, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "recon",
    label: "cloud recon",
    stage: Stage::Action,
    cost: 1,
    entity: Entity::Other,
    enabled: |c| c.detectors.cloud_recon.enabled,
    build: |c| Box::new(CloudRecon::new(&c.detectors.cloud_recon)),
    rule,
    checks,
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
    near: Near::None("fires on a sequence (GetCallerIdentity, then distinct recon APIs) of one access key"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.cloud_recon.risk, "cloud_recon.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.cloud_recon;
    format!(
        "One access key calls GetCallerIdentity, then at least {} distinct List*/Describe*/Get* APIs within {}.",
        c.min_apis, c.window
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let min = c.detectors.cloud_recon.min_apis as f64;
    vec![at_least("distinct_apis", d.distinct_apis as f64, "min_apis", min)]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub access_key: String,
    pub users: Vec<String>,
    pub identity_checks: Vec<String>,
    pub apis: Vec<String>,
    pub distinct_apis: usize,
    pub api_calls: u32,
    pub ips: Vec<String>,
    pub user_agents: Vec<String>,
    pub window_end: String,
    pub thresholds: Value,
}
const CALLER_IDENTITY: &str = "GetCallerIdentity";
const MAX_LISTED: usize = 50;

struct Session {
    first: Millis,
    last: Millis,
    deadline: Millis,
    identity_checks: Vec<Millis>,
    apis: Distinct,
    calls: u32,
    ips: Distinct,
    agents: Distinct,
    users: Distinct,
    evidence: Vec<EventIdx>,
}

impl Session {
    fn note(&mut self, idx: EventIdx, ev: &Event) {
        self.last = self.last.max(ev.time);
        self.ips.insert(ev.ip);
        self.agents.insert(ev.user_agent);
        self.users.insert(ev.user);
        if self.evidence.len() < crate::finding::MAX_EVIDENCE {
            self.evidence.push(idx);
        }
    }
}

pub struct CloudRecon {
    cfg: CloudReconConfig,
    keys: FxHashMap<Sym, Session>,
    sweep: Sweep,
}

impl CloudRecon {
    pub fn new(cfg: &CloudReconConfig) -> Self {
        CloudRecon {
            cfg: cfg.clone(),
            keys: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }
}

fn is_recon(op: &str) -> bool {
    op != CALLER_IDENTITY
        && ["List", "Describe", "Get"]
            .iter()
            .any(|p| op.len() > p.len() && op.starts_with(p))
}

fn snapshot(cfg: &CloudReconConfig, store: &Store, key: Sym, s: &Session) -> Finding {
    let key_text = store.text(key);
    let apis = s.apis.texts(store);
    let title = format!(
        "Cloud credential recon with key {key_text}: GetCallerIdentity then {} List/Describe/Get APIs within {}",
        s.apis.len(),
        cfg.window
    );
    let mut f = Finding::new(DetectorId::CloudRecon, key_text, s.first, cfg.risk, title);
    let users = s.users.texts(store);
    let ips = s.ips.texts(store);
    f.user = users.first().cloned();
    f.ip = ips.first().cloned();
    f.last_seen = s.last;
    f.event_count = s.calls + s.identity_checks.len() as u32;
    for &i in &s.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        access_key: key_text.to_string(),
        users,
        identity_checks: s.identity_checks.iter().map(|&t| iso(t)).collect(),
        distinct_apis: s.apis.len(),
        apis,
        api_calls: s.calls,
        ips,
        user_agents: s.agents.texts(store),
        window_end: iso(s.deadline),
        thresholds: json!({ "min_apis": cfg.min_apis, "window": cfg.window.to_string() }),
    });
    f
}

impl Detector for CloudRecon {
    fn id(&self) -> DetectorId {
        DetectorId::CloudRecon
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.keys.len()) {
            self.keys.retain(|_, s| s.deadline >= now);
        }
        if ev.kind != Kind::ApiCall || ev.access_key.is_none() || ev.operation.is_none() {
            return;
        }
        let store = cx.store;
        let op = store.text(ev.operation);
        let span = self.cfg.window.ms();
        let t = ev.time;
        if op == CALLER_IDENTITY {
            let live = self
                .keys
                .get(&ev.access_key)
                .is_some_and(|s| t >= s.first && t <= s.deadline);
            if !live {
                self.keys.insert(
                    ev.access_key,
                    Session {
                        first: t,
                        last: t,
                        deadline: t + span,
                        identity_checks: Vec::new(),
                        apis: Distinct::new(MAX_LISTED),
                        calls: 0,
                        ips: Distinct::new(10),
                        agents: Distinct::new(10),
                        users: Distinct::new(5),
                        evidence: Vec::new(),
                    },
                );
            }
            let Some(s) = self.keys.get_mut(&ev.access_key) else {
                return;
            };
            s.deadline = s.deadline.max(t + span);
            if s.identity_checks.len() < MAX_LISTED {
                s.identity_checks.push(t);
            }
            s.note(idx, ev);
            if s.apis.len() >= self.cfg.min_apis as usize {
                out.push(snapshot(&self.cfg, store, ev.access_key, s));
            }
        } else if is_recon(op) {
            let Some(s) = self.keys.get_mut(&ev.access_key) else {
                return;
            };
            if t < s.first || t > s.deadline {
                return;
            }
            s.apis.insert(ev.operation);
            s.calls += 1;
            s.note(idx, ev);
            if s.apis.len() >= self.cfg.min_apis as usize {
                out.push(snapshot(&self.cfg, store, ev.access_key, s));
            }
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.keys.len()
    }
}
