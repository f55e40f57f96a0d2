//! `session_anomaly` (SPEC §4, seed 000): one session id (Entra `SessionId`,
//! Okta `externalSessionId`) used from two different ASNs or two different
//! countries within the window, whatever the outcome: a stolen session token
//! or cookie replayed elsewhere (adversary in the middle). An unknown ASN or
//! country never differs from anything. One finding per session burst,
//! updated while the session keeps being used within a window of its last use.
//! Per session we keep the distinct networks seen in the window, nothing more:
//! a use is 32 bytes (what it needs for comparing; the rest is read back from
//! the store through its first event), held inline for the first place, and
//! the finding state is boxed, so a session used from one place (most of
//! them) costs a map slot and no allocation.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{to_details, Stage, no_checks, plain, Description, Entity};
use super::tally::{iso, json_text, opt_text};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, SessionConfig};
use crate::event::{Event, Millis, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use smallvec::SmallVec;


pub(super) static DESCRIPTION: Description = Description {
    short: "session",
    label: "session from two networks",
    stage: Stage::Access,
    cost: 37,
    entity: Entity::Other,
    enabled: |c| c.detectors.session_anomaly.enabled,
    build: |c| Box::new(SessionAnomaly::new(&c.detectors.session_anomaly)),
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
    near: Near::None("fires on one session seen from two networks"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.session_anomaly.risk, "session_anomaly.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.session_anomaly;
    format!(
        "One session id used from two different ASNs or countries within {}.",
        c.window
    )
}
/// Distinct networks kept per session window.
const MAX_PLACES: usize = 32;

/// Where a session was used from: one (ip, asn, country) combination.
/// Time, user and AS organisation of its first use are those of its first
/// event (`first_idx`), read back from the store.
#[derive(Clone, Copy)]
struct Use {
    ip: Sym,
    asn: u32,
    country: Sym,
    first_idx: EventIdx,
    last: Millis,
}

impl Use {
    fn same_place(&self, ev: &Event) -> bool {
        self.ip == ev.ip && self.asn == ev.asn && self.country == ev.country
    }

    /// Why `self` and `other` cannot be the same client, if they cannot.
    fn differs(&self, other: &Use) -> Vec<&'static str> {
        let mut why = Vec::new();
        if self.asn != 0 && other.asn != 0 && self.asn != other.asn {
            why.push("asn");
        }
        if self.country.is_some() && other.country.is_some() && self.country != other.country {
            why.push("country");
        }
        why
    }

    fn first(&self, store: &Store) -> Millis {
        store.time(self.first_idx)
    }

    fn json(&self, store: &Store) -> Value {
        json!({
            "first_use": iso(self.first(store)),
            "last_use": iso(self.last),
            "ip": json_text(store, self.ip),
            "asn": (self.asn != 0).then_some(self.asn),
            "as_org": json_text(store, store.get(self.first_idx).as_org),
            "country": json_text(store, self.country),
        })
    }
}

struct Anomaly {
    first: Millis,
    last: Millis,
    user: Sym,
    pair: (Use, Use),
    reasons: Vec<&'static str>,
    places: Vec<Use>,
    events: u32,
    evidence: Vec<EventIdx>,
}

#[derive(Default)]
struct SessionState {
    /// Most sessions are used from one place: that one is held inline.
    uses: SmallVec<[Use; 1]>,
    anomaly: Option<Box<Anomaly>>,
}

pub struct SessionAnomaly {
    cfg: SessionConfig,
    sessions: FxHashMap<Sym, SessionState>,
    sweep: Sweep,
}

impl SessionAnomaly {
    pub fn new(cfg: &SessionConfig) -> Self {
        SessionAnomaly {
            cfg: cfg.clone(),
            sessions: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn sweep(&mut self, now: Millis) {
        let span = self.cfg.window.ms();
        self.sessions.retain(|_, st| {
            st.uses.retain(|u| u.last + span >= now);
            if st.anomaly.as_ref().is_some_and(|a| a.last + span < now) {
                st.anomaly = None;
            }
            !st.uses.is_empty() || st.anomaly.is_some()
        });
    }
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub session_id: String,
    /// The two uses that differ: first and last use, IP, AS, country.
    pub first: Value,
    pub second: Value,
    /// `asn`, `country`.
    pub differs_by: Vec<String>,
    pub places: Vec<Value>,
    pub events: u32,
    pub window: String,
}

fn snapshot(cfg: &SessionConfig, store: &Store, session: Sym, a: &Anomaly) -> Finding {
    let sid = store.text(session);
    let user = opt_text(store, a.user);
    let (x, y) = &a.pair;
    let show = |u: &Use| {
        let mut s = store.text(u.ip).to_string();
        if u.asn != 0 {
            s.push_str(&format!(" AS{}", u.asn));
        }
        if u.country.is_some() {
            s.push_str(&format!(" {}", store.text(u.country)));
        }
        s
    };
    let title = format!(
        "Session used from two networks for {}: {} and {} within {}",
        user.as_deref().unwrap_or("unknown user"),
        show(x),
        show(y),
        cfg.window
    );
    let entity = format!("{} {sid}", user.as_deref().unwrap_or_default());
    let mut f = Finding::new(DetectorId::SessionAnomaly, &entity, a.first, cfg.risk, title);
    f.user = user;
    f.ip = opt_text(store, y.ip);
    f.last_seen = a.last;
    f.event_count = a.events;
    let mut ev = a.evidence.clone();
    ev.sort_by_key(|&i| (store.get(i).time, i));
    for i in ev {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        session_id: sid.to_string(),
        first: x.json(store),
        second: y.json(store),
        differs_by: a.reasons.iter().map(|r| r.to_string()).collect(),
        places: a.places.iter().map(|u| u.json(store)).collect(),
        events: a.events,
        window: cfg.window.to_string(),
    });
    f
}

impl Detector for SessionAnomaly {
    fn id(&self) -> DetectorId {
        DetectorId::SessionAnomaly
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.sessions.len()) {
            self.sweep(now);
        }
        if ev.session_id.is_none() || (ev.asn == 0 && ev.country.is_none()) {
            return;
        }
        let span = self.cfg.window.ms();
        let t = ev.time;
        let st = self
            .sessions
            .entry(ev.session_id)
            .or_insert_with(|| SessionState {
                uses: SmallVec::new(),
                anomaly: None,
            });
        st.uses.retain(|u| u.last + span >= t);
        let here = match st.uses.iter_mut().find(|u| u.same_place(ev)) {
            Some(u) => {
                u.last = u.last.max(t);
                *u
            }
            None => {
                let u = Use {
                    ip: ev.ip,
                    asn: ev.asn,
                    country: ev.country,
                    first_idx: idx,
                    last: t,
                };
                if st.uses.len() < MAX_PLACES {
                    st.uses.push(u);
                }
                u
            }
        };
        if st.anomaly.as_ref().is_some_and(|a| t > a.last + span) {
            st.anomaly = None;
        }
        if let Some(a) = st.anomaly.as_mut() {
            a.last = a.last.max(t);
            a.events += 1;
            if !a.places.iter().any(|u| u.same_place(ev)) && a.places.len() < MAX_PLACES {
                a.places.push(here);
            }
            if a.evidence.len() < crate::finding::MAX_EVIDENCE {
                a.evidence.push(idx);
            }
            out.push(snapshot(&self.cfg, cx.store, ev.session_id, a));
            return;
        }
        // The earliest use in the window that cannot be the same client.
        let other = st
            .uses
            .iter()
            .filter(|u| !u.differs(&here).is_empty())
            .min_by_key(|u| (u.first(cx.store), u.first_idx))
            .copied();
        let Some(other) = other else { return };
        let (a, b) = if other.first(cx.store) <= here.first(cx.store) {
            (other, here)
        } else {
            (here, other)
        };
        let anomaly = Anomaly {
            first: a.first(cx.store),
            last: t.max(other.last),
            user: if ev.user.is_some() {
                ev.user
            } else {
                cx.store.get(other.first_idx).user
            },
            pair: (a, b),
            reasons: a.differs(&b),
            places: vec![a, b],
            events: 2,
            evidence: vec![other.first_idx, idx],
        };
        out.push(snapshot(&self.cfg, cx.store, ev.session_id, &anomaly));
        st.anomaly = Some(Box::new(anomaly));
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.sessions.len()
    }
}
