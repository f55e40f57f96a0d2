//! `legacy_auth` (SPEC §4, seed 000 test 2): a successful sign-in with a
//! legacy client protocol (the configured list, case-insensitive) and
//! single-factor authentication: legacy protocols cannot do MFA, so a
//! password alone got in. An absent authentication requirement does not
//! fire (we cannot tell). One finding per user per group window.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{to_details, Stage, no_checks, plain, Description, Entity};
use super::tally::{iso, json_text, Distinct, Group, Groups};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, LegacyConfig};
use crate::event::{Event, Outcome};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};


pub(super) static DESCRIPTION: Description = Description {
    short: "legacy",
    label: "legacy sign-in",
    stage: Stage::Access,
    cost: 11,
    entity: Entity::User,
    enabled: |c| c.detectors.legacy_auth.enabled,
    build: |c| Box::new(LegacyAuth::new(&c.detectors.legacy_auth)),
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
    near: Near::None("fires on one legacy-client sign-in"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.legacy_auth.risk, "legacy_auth.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.legacy_auth;
    format!(
        "A successful sign-in with a legacy client ({} listed, e.g. IMAP4, POP3, Authenticated SMTP) and single-factor authentication.",
        c.clients.len()
    )
}
const MAX_LISTED: usize = 10;

struct Legacy {
    clients: Distinct,
    ips: Distinct,
    apps: Distinct,
    countries: Distinct,
    first_sign_in: Option<serde_json::Value>,
}

impl Default for Legacy {
    fn default() -> Self {
        Legacy {
            clients: Distinct::new(MAX_LISTED),
            ips: Distinct::new(MAX_LISTED),
            apps: Distinct::new(MAX_LISTED),
            countries: Distinct::new(MAX_LISTED),
            first_sign_in: None,
        }
    }
}

pub struct LegacyAuth {
    cfg: LegacyConfig,
    /// The group window as written in the config, for details.
    group_window: String,
    groups: Groups<Legacy>,
    sweep: Sweep,
}

impl LegacyAuth {
    pub fn new(cfg: &LegacyConfig) -> Self {
        LegacyAuth {
            cfg: cfg.clone(),
            group_window: cfg.group_window.to_string(),
            groups: Groups::new(cfg.group_window.ms()),
            sweep: Sweep::default(),
        }
    }
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub client_apps: Vec<String>,
    pub sign_ins: u32,
    pub ips: Vec<String>,
    pub distinct_ips: usize,
    pub apps: Vec<String>,
    pub countries: Vec<String>,
    pub authentication_requirement: String,
    /// Time, IP, client app, app and result code of the first sign-in.
    pub first_sign_in: Option<Value>,
    pub group_window: String,
}

fn snapshot(store: &Store, ev: &Event, g: &Group<Legacy>, group_window: &str, risk: u8) -> Finding {
    let user = store.text(ev.user);
    let l = &g.data;
    let clients = l.clients.texts(store);
    let title = format!(
        "Legacy authentication without MFA for {user}: {} ({} sign-in{})",
        clients.join(", "),
        g.count,
        if g.count == 1 { "" } else { "s" }
    );
    let mut f = Finding::new(DetectorId::LegacyAuth, user, g.first, risk, title);
    f.user = Some(user.to_string());
    let ips = l.ips.texts(store);
    f.ip = ips.first().cloned();
    f.last_seen = g.last;
    f.event_count = g.count;
    for &i in &g.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        client_apps: clients,
        sign_ins: g.count,
        distinct_ips: l.ips.len(),
        ips,
        apps: l.apps.texts(store),
        countries: l.countries.texts(store),
        authentication_requirement: "singleFactorAuthentication".into(),
        first_sign_in: l.first_sign_in.clone(),
        group_window: group_window.to_string(),
    });
    f
}

impl Detector for LegacyAuth {
    fn id(&self) -> DetectorId {
        DetectorId::LegacyAuth
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.groups.len()) {
            self.groups.sweep(now);
        }
        if !ev.is_signin()
            || ev.outcome != Outcome::Success
            || ev.user.is_none()
            || ev.client_app.is_none()
        {
            return;
        }
        let store = cx.store;
        let client = store.text(ev.client_app);
        let legacy = self
            .cfg
            .clients
            .iter()
            .any(|c| c.eq_ignore_ascii_case(client));
        let single = store
            .text(ev.auth_requirement)
            .eq_ignore_ascii_case("singleFactorAuthentication");
        if !legacy || !single {
            return;
        }
        let g = self.groups.group_for(ev.user, ev.time);
        g.hit(ev.time, idx);
        let l = &mut g.data;
        l.clients.insert(ev.client_app);
        l.ips.insert(ev.ip);
        l.apps.insert(ev.app);
        l.countries.insert(ev.country);
        if l.first_sign_in.is_none() {
            l.first_sign_in = Some(json!({
                "time": iso(ev.time),
                "ip": json_text(store, ev.ip),
                "client_app": client,
                "app": json_text(store, ev.app),
                "result_code": json_text(store, ev.result_code),
            }));
        }
        out.push(snapshot(store, ev, g, &self.group_window, self.cfg.risk));
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.groups.len()
    }
}
