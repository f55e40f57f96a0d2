//! `new_country` (issue 13): a successful sign-in from a country never seen
//! for that user among at least N earlier successful sign-ins (Okta's "New
//! Country", Entra's unfamiliar sign-in properties). The baseline is what was
//! loaded before (or seen live), in arrival order; a user with fewer located
//! successes has no baseline yet (a traveller on their first days is quiet).
//! Sign-ins from the new country within the group window join its finding.
//! A user seen from more than `max_countries` countries is too widely
//! travelled to judge (the set stays bounded). Per-user state is a count and a
//! small country set, forgotten after `forget_after` without a success.

pub mod settings;
mod spark;
mod kql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{at_least, plain, to_details, typed, Check, Description, Entity, Stage};
use super::tally::{iso, Distinct};
use super::window::Sweep;
use super::{DetectCx, Detector, DetectorId};
use crate::config::{Config, NewCountryConfig};
use crate::event::{Event, Millis, Outcome, Sym};
use crate::finding::Finding;
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use smallvec::SmallVec;

pub(super) static DESCRIPTION: Description = Description {
    short: "new-cc",
    label: "sign-in from a new country",
    stage: Stage::Access,
    cost: 25,
    entity: Entity::User,
    enabled: |c| c.detectors.new_country.enabled,
    build: |c| Box::new(NewCountry::new(&c.detectors.new_country)),
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
        esql: LakeQuery::None("ES|QL keeps no per-user baseline of countries across events"),
    },
    near: Near::None("fires on one sign-in from a new country"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.new_country.risk, "new_country.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.new_country;
    format!(
        "A successful sign-in from a country not seen for the user among at least {} earlier successful sign-ins (users seen from more than {} countries are not judged).",
        c.min_baseline, c.max_countries
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let min = c.detectors.new_country.min_baseline as f64;
    vec![at_least(
        "baseline_sign_ins",
        d.baseline_sign_ins as f64,
        "min_baseline",
        min,
    )]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub country: String,
    /// Countries of the user's earlier successful sign-ins.
    pub previous_countries: Vec<String>,
    /// Located successful sign-ins before the first from the new country.
    pub baseline_sign_ins: u32,
    /// Successful sign-ins from the new country within the group window.
    pub sign_ins: u32,
    pub ips: Vec<String>,
    pub cities: Vec<String>,
    pub apps: Vec<String>,
    pub first_sign_in: String,
    pub thresholds: Value,
}

struct Open {
    country: Sym,
    first: Millis,
    last: Millis,
    count: u32,
    baseline: u32,
    previous: Vec<Sym>,
    ips: Distinct,
    cities: Distinct,
    apps: Distinct,
    evidence: Vec<EventIdx>,
}

#[derive(Default)]
struct UserState {
    successes: u32,
    countries: SmallVec<[Sym; 4]>,
    last: Millis,
    open: Option<Box<Open>>,
}

pub struct NewCountry {
    cfg: NewCountryConfig,
    users: FxHashMap<Sym, UserState>,
    sweep: Sweep,
}

impl NewCountry {
    pub fn new(cfg: &NewCountryConfig) -> Self {
        NewCountry {
            cfg: cfg.clone(),
            users: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn on_success(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let group = self.cfg.group_window.ms();
        let st = self.users.entry(ev.user).or_default();
        st.last = st.last.max(ev.time);
        if let Some(o) = st.open.as_mut() {
            if o.country == ev.country && ev.time >= o.first && ev.time < o.first + group {
                add(o, ev, idx);
                out.push(snapshot(&self.cfg, cx, ev.user, o));
            }
        }
        let seen = st.countries.contains(&ev.country);
        let full = st.countries.len() >= self.cfg.max_countries as usize;
        if !seen && !full {
            if st.successes >= self.cfg.min_baseline {
                let mut o = Box::new(Open {
                    country: ev.country,
                    first: ev.time,
                    last: ev.time,
                    count: 0,
                    baseline: st.successes,
                    previous: st.countries.to_vec(),
                    ips: Distinct::new(10),
                    cities: Distinct::new(10),
                    apps: Distinct::new(10),
                    evidence: Vec::new(),
                });
                add(&mut o, ev, idx);
                out.push(snapshot(&self.cfg, cx, ev.user, &o));
                st.open = Some(o);
            }
            st.countries.push(ev.country);
        }
        st.successes = st.successes.saturating_add(1);
    }

    fn sweep(&mut self, now: Millis) {
        let (forget, group) = (self.cfg.forget_after.ms(), self.cfg.group_window.ms());
        self.users.retain(|_, st| {
            if st.open.as_ref().is_some_and(|o| o.first + group <= now) {
                st.open = None;
            }
            st.last.saturating_add(forget) >= now
        });
    }
}

fn add(o: &mut Open, ev: &Event, idx: EventIdx) {
    o.last = o.last.max(ev.time);
    o.count += 1;
    o.ips.insert(ev.ip);
    o.cities.insert(ev.city);
    o.apps.insert(ev.app);
    super::tally::push_capped(&mut o.evidence, idx, crate::finding::MAX_EVIDENCE);
}

fn snapshot(cfg: &NewCountryConfig, cx: &DetectCx, user: Sym, o: &Open) -> Finding {
    let store = cx.store;
    let user_text = store.text(user);
    let country = store.text(o.country);
    let previous: Vec<String> = o
        .previous
        .iter()
        .map(|&c| store.text(c).to_string())
        .collect();
    let title = format!(
        "New country for {user_text}: {country} after {} sign-ins from {}",
        o.baseline,
        previous.join(", ")
    );
    let mut f = Finding::new(DetectorId::NewCountry, user_text, o.first, cfg.risk, title);
    f.user = Some(user_text.to_string());
    let ips = o.ips.texts(store);
    f.ip = ips.first().cloned();
    f.last_seen = o.last;
    f.event_count = o.count;
    for &i in &o.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        country: country.to_string(),
        previous_countries: previous,
        baseline_sign_ins: o.baseline,
        sign_ins: o.count,
        ips,
        cities: o.cities.texts(store),
        apps: o.apps.texts(store),
        first_sign_in: iso(o.first),
        thresholds: json!({
            "min_baseline": cfg.min_baseline,
            "max_countries": cfg.max_countries,
            "group_window": cfg.group_window.to_string(),
            "forget_after": cfg.forget_after.to_string(),
        }),
    });
    f
}

impl Detector for NewCountry {
    fn id(&self) -> DetectorId {
        DetectorId::NewCountry
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(now);
        }
        if !ev.is_signin()
            || ev.outcome != Outcome::Success
            || ev.user.is_none()
            || ev.country.is_none()
        {
            return;
        }
        self.on_success(cx, idx, ev, out);
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}

#[cfg(test)]
mod tests {
    /// A user's profile stays small: a count, four countries inline, a time
    /// and a pointer (the open finding is boxed).
    #[test]
    fn a_user_profile_is_small() {
        let n = std::mem::size_of::<super::UserState>();
        assert!(n <= 56, "{n} bytes");
    }
}
