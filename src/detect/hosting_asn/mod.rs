//! `hosting_asn` (SPEC §4, seeds 000/001): a successful sign-in from a
//! hosting or anonymising network, as decided by
//! [`crate::enrich::hosting::HostingNetworks`] (Tor exit list, IP list files,
//! CIDRs, AS number, AS organisation, the source's proxy flag). One finding
//! per user per group window (24 h from the first hit), updated with later
//! hits. This file only groups; the network rules live in `enrich/hosting.rs`.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{to_details, Stage, no_checks, plain, Description, Entity};
use super::tally::{iso, json_text, Distinct, Group, Groups};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, HostingConfig};
use crate::enrich::hosting::{Match, NetQuery};
use crate::event::{flags, Event, Outcome, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};


pub(super) static DESCRIPTION: Description = Description {
    short: "hosting",
    label: "hosting sign-in",
    stage: Stage::Access,
    cost: 29,
    entity: Entity::User,
    enabled: |c| c.detectors.hosting_asn.enabled,
    build: |c| Box::new(HostingAsn::new(&c.detectors.hosting_asn)),
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
    near: Near::None("fires on one successful sign-in from a hosting network"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.hosting_asn.risk, "hosting_asn.risk")
}

fn rule(_: &Config) -> String {
    "A successful sign-in from a hosting or anonymising network: AS organisation or number, a listed CIDR, a Tor exit / IP list, or the log's proxy flag.".into()
}
/// Hits whose details are listed (all are counted).
const MAX_LISTED: usize = 10;

struct Hits {
    rules: Vec<&'static str>,
    listed: Vec<Value>,
    ips: Distinct,
    orgs: Distinct,
    countries: Distinct,
    apps: Distinct,
    asns: Vec<u32>,
}

impl Default for Hits {
    fn default() -> Self {
        Hits {
            rules: Vec::new(),
            listed: Vec::new(),
            ips: Distinct::new(MAX_LISTED),
            orgs: Distinct::new(5),
            countries: Distinct::new(5),
            apps: Distinct::new(5),
            asns: Vec::new(),
        }
    }
}

/// Networks already judged benign: an IP signs in many times, and its answer
/// only changes when the rules do (see
/// [`crate::enrich::hosting::HostingNetworks::generation`]). Matches are
/// rare and judged again each time (they carry text for the finding).
type NetKey = (Sym, u32, Sym, bool);
/// Benign networks remembered before the memory is cleared and refilled.
const MAX_CACHED: usize = 65_536;

pub struct HostingAsn {
    /// The group window as written in the config, for details.
    group_window: String,
    risk: u8,
    groups: Groups<Hits>,
    sweep: Sweep,
    benign: FxHashSet<NetKey>,
    benign_generation: u64,
}

impl HostingAsn {
    pub fn new(cfg: &HostingConfig) -> Self {
        HostingAsn {
            group_window: cfg.group_window.to_string(),
            risk: cfg.risk,
            groups: Groups::new(cfg.group_window.ms()),
            sweep: Sweep::default(),
            benign: FxHashSet::default(),
            benign_generation: 0,
        }
    }
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    /// `asn`, `org`, `cidr`, `ip_list`, `tor`, `proxy`.
    pub rules: Vec<String>,
    pub sign_ins: u32,
    /// Each listed hit: time, rule, what matched, IP, AS, country, app.
    pub hits: Vec<Value>,
    pub ips: Vec<String>,
    pub distinct_ips: usize,
    pub asns: Vec<u32>,
    pub as_orgs: Vec<String>,
    pub countries: Vec<String>,
    pub apps: Vec<String>,
    pub group_window: String,
}

fn snapshot(store: &Store, ev: &Event, g: &Group<Hits>, group_window: &str, risk: u8) -> Finding {
    let user = store.text(ev.user);
    let h = &g.data;
    let first_ip = h.ips.texts(store).into_iter().next();
    let title = format!(
        "Sign-in from a hosting/anonymising network for {user}: {} ({})",
        first_ip.as_deref().unwrap_or("unknown IP"),
        h.rules.join(", ")
    );
    let mut f = Finding::new(DetectorId::HostingAsn, user, g.first, risk, title);
    f.user = Some(user.to_string());
    f.ip = first_ip;
    f.last_seen = g.last;
    f.event_count = g.count;
    for &i in &g.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        rules: h.rules.iter().map(|r| r.to_string()).collect(),
        sign_ins: g.count,
        hits: h.listed.clone(),
        ips: h.ips.texts(store),
        distinct_ips: h.ips.len(),
        asns: h.asns.clone(),
        as_orgs: h.orgs.texts(store),
        countries: h.countries.texts(store),
        apps: h.apps.texts(store),
        group_window: group_window.to_string(),
    });
    f
}

fn hit_json(store: &Store, ev: &Event, m: &Match) -> Value {
    json!({
        "time": iso(ev.time),
        "rule": m.rule.as_str(),
        "matched": m.detail,
        "ip": json_text(store, ev.ip),
        "asn": (ev.asn != 0).then_some(ev.asn),
        "as_org": json_text(store, ev.as_org),
        "country": json_text(store, ev.country),
        "app": json_text(store, ev.app),
    })
}

impl Detector for HostingAsn {
    fn id(&self) -> DetectorId {
        DetectorId::HostingAsn
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.groups.len()) {
            self.groups.sweep(now);
        }
        if !ev.is_signin() || ev.outcome != Outcome::Success || ev.user.is_none() {
            return;
        }
        let store = cx.store;
        let is_proxy = ev.flags & flags::IS_PROXY != 0;
        if self.benign_generation != cx.hosting.generation() || self.benign.len() >= MAX_CACHED {
            self.benign.clear();
            self.benign_generation = cx.hosting.generation();
        }
        let key = (ev.ip, ev.asn, ev.as_org, is_proxy);
        if self.benign.contains(&key) {
            return;
        }
        let Some(m) = cx.hosting.match_event(&NetQuery {
            asn: ev.asn,
            as_org: store.text(ev.as_org),
            ip: store.text(ev.ip),
            is_proxy,
        }) else {
            self.benign.insert(key);
            return;
        };
        let g = self.groups.group_for(ev.user, ev.time);
        g.hit(ev.time, idx);
        let h = &mut g.data;
        if !h.rules.contains(&m.rule.as_str()) {
            h.rules.push(m.rule.as_str());
        }
        if h.listed.len() < MAX_LISTED {
            h.listed.push(hit_json(store, ev, &m));
        }
        h.ips.insert(ev.ip);
        h.orgs.insert(ev.as_org);
        h.countries.insert(ev.country);
        h.apps.insert(ev.app);
        if ev.asn != 0 && !h.asns.contains(&ev.asn) && h.asns.len() < MAX_LISTED {
            h.asns.push(ev.asn);
        }
        out.push(snapshot(store, ev, g, &self.group_window, self.risk));
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.groups.len()
    }
}
