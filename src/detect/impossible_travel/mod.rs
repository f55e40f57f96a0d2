//! `impossible_travel` (SPEC §4, seeds 000/003): two consecutive successful
//! sign-ins of a user from places too far apart for the time between them.
//! With coordinates on both (from the log or GeoIP): distance ≥ min_km, a
//! speed above max_kmh, and distance beyond the two accuracy radii (a hop within them
//! is never impossible); the time between them counts as at least one minute.
//! Without coordinates on either side: two different known countries within
//! the country window. Hops of one user within the group window form one
//! finding, each hop with its km, minutes and km/h. Sign-ins without any
//! location are skipped (they do not break a pair). Per-user state is a few
//! recent located sign-ins; it never reads the clock.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{Stage, to_details, typed, Check, Cmp, Description, Entity};
use super::tally::{iso, json_text, opt_text};
use super::window::Sweep;
use super::{DetectCx, Detector};
use crate::config::{Config, TravelConfig};
use crate::event::{flags, Event, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use smallvec::SmallVec;

pub(super) static DESCRIPTION: Description = Description {
    short: "travel",
    label: "impossible travel",
    stage: Stage::Access,
    cost: 190,
    entity: Entity::User,
    enabled: |c| c.detectors.impossible_travel.enabled,
    build: |c| Box::new(ImpossibleTravel::new(&c.detectors.impossible_travel)),
    rule,
    checks,
    explain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Step,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::None("fires on one pair of successful sign-ins"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.impossible_travel.risk, "impossible_travel.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.impossible_travel;
    format!(
        "Two consecutive successful sign-ins at least {} km apart at more than {} km/h (without coordinates: two countries within {}).",
        c.min_km, c.max_kmh, c.country_window
    )
}

/// The fastest hop against `max_kmh` (none when no hop had coordinates).
fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let fastest = d.hops.iter().filter_map(|h| h.kmh).reduce(f64::max);
    fastest
        .map(|v| Check {
            key: "hops.kmh",
            value: v,
            cmp: Cmp::Above,
            name: "max_kmh",
            limit: c.detectors.impossible_travel.max_kmh,
        })
        .into_iter()
        .collect()
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub hop_count: u32,
    pub hops: Vec<HopDetails>,
    pub thresholds: Value,
    pub note: String,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct HopDetails {
    /// The place: time, ip, country, city, lat, lon, source, radius_km.
    pub from: Value,
    pub to: Value,
    pub km: Option<f64>,
    pub minutes: f64,
    pub kmh: Option<f64>,
    /// "distance" or "countries".
    pub rule: String,
}

/// Each hop as one line: places, km, minutes, km/h.
fn explain(key: &str, details: &Value) -> Option<Vec<(String, String)>> {
    if key != "hops" {
        return None;
    }
    let d = typed::<Details>(details)?;
    Some(d.hops.iter().map(|h| ("hop".into(), hop_line(h))).collect())
}

fn hop_line(h: &HopDetails) -> String {
    let place = |p: &Value| {
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        match (s("city"), s("country")) {
            (c, cc) if !c.is_empty() && !cc.is_empty() => format!("{c}, {cc}"),
            (c, cc) if c.is_empty() && cc.is_empty() => s("ip"),
            (c, cc) => format!("{c}{cc}"),
        }
    };
    let mut out = format!("{} → {}", place(&h.from), place(&h.to));
    if let Some(km) = h.km {
        out.push_str(&format!(" · {} km", thousands(km)));
    }
    let m = h.minutes;
    out.push_str(&match m {
        m if m < 120.0 => format!(" in {m:.0} min"),
        m if m < 48.0 * 60.0 => format!(" in {:.1} h", m / 60.0),
        m => format!(" in {:.1} d", m / 1440.0),
    });
    if let Some(v) = h.kmh {
        out.push_str(&format!(" = {} km/h", thousands(v)));
    }
    if !h.rule.is_empty() {
        out.push_str(&format!(" ({})", h.rule));
    }
    out
}

/// `5,837`: rounded, with thousands separators.
fn thousands(x: f64) -> String {
    let s = (x.round().max(0.0) as u64).to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
/// Located sign-ins kept per user (for late events).
const RECENT: usize = 4;
/// Hops listed in a finding's details (all are counted).
const MAX_HOPS: usize = 50;
/// Half the Earth's circumference: no two places are farther apart.
const MAX_KM: f64 = 20_038.0;
const MINUTE: Millis = 60_000;

/// A located successful sign-in: what judging most hops needs, in 24 bytes
/// (IP, city, accuracy radius and where the coordinates came from are read
/// back from the store through `idx`, only for a hop between two places).
#[derive(Clone, Copy)]
struct Place {
    time: Millis,
    idx: EventIdx,
    /// Latitude/longitude; NaN when not both known.
    lat: f32,
    lon: f32,
    country: Sym,
}

impl Place {
    fn of(idx: EventIdx, ev: &Event) -> Place {
        let (lat, lon) = if ev.has_coords() {
            (ev.lat, ev.lon)
        } else {
            (f32::NAN, f32::NAN)
        };
        Place {
            time: ev.time,
            idx,
            lat,
            lon,
            country: ev.country,
        }
    }

    fn coords(&self) -> Option<(f64, f64)> {
        (!self.lat.is_nan() && !self.lon.is_nan())
            .then_some((f64::from(self.lat), f64::from(self.lon)))
    }

    fn ip(&self, store: &Store) -> Sym {
        store.get(self.idx).ip
    }

    fn city(&self, store: &Store) -> Sym {
        store.get(self.idx).city
    }

    /// Accuracy radius of the coordinates in km (0 = exact or unknown).
    fn radius_km(&self, store: &Store) -> u16 {
        store.get(self.idx).accuracy_km
    }

    fn json(&self, store: &Store) -> Value {
        let coords = self.coords();
        let from_db = store.get(self.idx).flags & flags::GEO_FROM_DB != 0;
        json!({
            "time": iso(self.time),
            "ip": json_text(store, self.ip(store)),
            "country": json_text(store, self.country),
            "city": json_text(store, self.city(store)),
            "lat": coords.map(|c| round(c.0, 4)),
            "lon": coords.map(|c| round(c.1, 4)),
            "source": coords.map(|_| if from_db { "database" } else { "log" }),
            "radius_km": self.radius_km(store),
        })
    }

    fn label(&self, store: &Store) -> String {
        let city = self.city(store);
        match (city.is_some(), self.country.is_some()) {
            (true, true) => format!("{}, {}", store.text(city), store.text(self.country)),
            (true, false) => store.text(city).to_string(),
            (false, true) => store.text(self.country).to_string(),
            (false, false) => store.text(self.ip(store)).to_string(),
        }
    }
}

struct Hop {
    from: Place,
    to: Place,
    km: Option<f64>,
    kmh: Option<f64>,
    rule: &'static str,
}

impl Hop {
    fn minutes(&self) -> f64 {
        (self.to.time - self.from.time) as f64 / MINUTE as f64
    }
}

struct Trip {
    first: Millis,
    last: Millis,
    hop_count: u32,
    /// Sign-ins involved (a chain A→B→C counts three).
    signins: u32,
    last_to: Option<EventIdx>,
    hops: Vec<Hop>,
    evidence: Vec<EventIdx>,
    /// Grown since its last snapshot (pushed at the batch's end, or when
    /// the trip ends first): a long trip's cost does not grow with its hops.
    dirty: bool,
}

#[derive(Default)]
struct UserState {
    /// Located successful sign-ins, in time order.
    /// Held inline (never more than RECENT): one memory access per sign-in
    /// reaches both the user and their places, and a sweep reads no pointers.
    recent: SmallVec<[Place; RECENT]>,
    trip: Option<Box<Trip>>,
}

pub struct ImpossibleTravel {
    cfg: TravelConfig,
    /// How long a sign-in can still pair with a later one.
    horizon: Millis,
    users: FxHashMap<Sym, UserState>,
    sweep: Sweep,
    /// Users whose trip grew since the last flush.
    dirty: Vec<Sym>,
}

impl ImpossibleTravel {
    pub fn new(cfg: &TravelConfig) -> Self {
        let by_speed = if cfg.max_kmh > 0.0 {
            (MAX_KM / cfg.max_kmh * 3_600_000.0).ceil() as Millis
        } else {
            Millis::MAX / 4
        };
        ImpossibleTravel {
            cfg: cfg.clone(),
            horizon: by_speed.max(cfg.country_window.ms()),
            users: FxHashMap::default(),
            sweep: Sweep::default(),
            dirty: Vec::new(),
        }
    }

    /// The hop from `a` to `b` (a before b) if it is impossible.
    fn judge(&self, store: &Store, a: &Place, b: &Place) -> Option<Hop> {
        let dt = b.time - a.time;
        if dt < 0 {
            return None;
        }
        match (a.coords(), b.coords()) {
            // The same place again (the usual case) moves no distance: skip the trigonometry.
            (Some(pa), Some(pb)) if pa == pb => None,
            (Some(pa), Some(pb)) => {
                let km = haversine_km(pa, pb);
                // The radii are read from the store only for a hop that is
                // fast and far enough to matter.
                let radii = || f64::from(a.radius_km(store)) + f64::from(b.radius_km(store));
                impossible_by_distance(&self.cfg, km, dt, radii).then_some(Hop {
                    from: *a,
                    to: *b,
                    km: Some(km),
                    kmh: Some(km / hours(dt)),
                    rule: "distance",
                })
            }
            _ => impossible_by_country(&self.cfg, a.country, b.country, dt).then_some(Hop {
                from: *a,
                to: *b,
                km: None,
                kmh: None,
                rule: "countries",
            }),
        }
    }

    fn add_hop(&mut self, cx: &DetectCx, user: Sym, hop: Hop, out: &mut Vec<Finding>) {
        let group = self.cfg.group_window.ms();
        let st = self.users.entry(user).or_default();
        let joins = st
            .trip
            .as_ref()
            .is_some_and(|t| hop.to.time < t.first + group && hop.from.time >= t.first - group);
        if !joins {
            // The trip before is over: its last growth is said before it goes.
            if let Some(old) = st.trip.take().filter(|t| t.dirty) {
                out.push(snapshot(&self.cfg, cx.store, user, &old));
            }
            st.trip = Some(Box::new(Trip {
                first: hop.from.time,
                last: hop.to.time,
                hop_count: 0,
                signins: 0,
                last_to: None,
                hops: Vec::new(),
                evidence: Vec::new(),
                dirty: false,
            }));
        }
        let Some(trip) = st.trip.as_mut() else { return };
        trip.hop_count += 1;
        trip.signins += if trip.last_to == Some(hop.from.idx) {
            1
        } else {
            2
        };
        trip.last_to = Some(hop.to.idx);
        trip.last = trip.last.max(hop.to.time);
        for i in [hop.from.idx, hop.to.idx] {
            if trip.evidence.len() < crate::finding::MAX_EVIDENCE && !trip.evidence.contains(&i) {
                trip.evidence.push(i);
            }
        }
        if trip.hops.len() < MAX_HOPS {
            trip.hops.push(hop);
        }
        if !joins {
            // A new finding is said at once; growth waits for the batch's end.
            out.push(snapshot(&self.cfg, cx.store, user, trip));
        } else if !std::mem::replace(&mut trip.dirty, true) {
            self.dirty.push(user);
        }
    }

    fn sweep(&mut self, cx: &DetectCx, now: Millis, out: &mut Vec<Finding>) {
        let (horizon, group) = (self.horizon, self.cfg.group_window.ms());
        let cfg = &self.cfg;
        self.users.retain(|&user, st| {
            st.recent.retain(|p| p.time + horizon >= now);
            if st.trip.as_ref().is_some_and(|t| t.first + group <= now) {
                if let Some(t) = st.trip.take().filter(|t| t.dirty) {
                    out.push(snapshot(cfg, cx.store, user, &t));
                }
            }
            !st.recent.is_empty() || st.trip.is_some()
        });
    }
}

/// Hours between two sign-ins `dt` ms apart (at least a minute: two
/// sign-ins in the same second are not infinitely fast).
fn hours(dt: Millis) -> f64 {
    dt.max(MINUTE) as f64 / 3_600_000.0
}

/// The detector's judgement of a hop between two located sign-ins `dt` ms
/// apart, `km` apart: far enough, faster than `max_kmh`, and beyond the two
/// accuracy radii (`radii`, asked only when the rest holds). The workbench's
/// map and timeline call this too, so their "impossible" is the finding's.
pub fn impossible_by_distance(
    cfg: &TravelConfig,
    km: f64,
    dt: Millis,
    radii: impl FnOnce() -> f64,
) -> bool {
    km >= cfg.min_km && km / hours(dt) > cfg.max_kmh && km > radii()
}

/// The judgement without coordinates: two known, different countries within
/// `country_window`.
pub fn impossible_by_country(cfg: &TravelConfig, a: Sym, b: Sym, dt: Millis) -> bool {
    a.is_some() && b.is_some() && a != b && dt <= cfg.country_window.ms()
}

fn round(x: f64, digits: i32) -> f64 {
    let m = 10f64.powi(digits);
    (x * m).round() / m
}

/// Great-circle distance in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6371.0088;
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

fn snapshot(cfg: &TravelConfig, store: &Store, user: Sym, trip: &Trip) -> Finding {
    let user_text = store.text(user);
    let latest = trip.hops.last();
    let title = match latest {
        Some(h) => {
            let speed = match (h.km, h.kmh) {
                (Some(km), Some(kmh)) => {
                    format!("{km:.0} km in {:.0} min, {kmh:.0} km/h", h.minutes())
                }
                _ => format!("different countries {:.0} min apart", h.minutes()),
            };
            let more = if trip.hop_count > 1 {
                format!(" ({} hops)", trip.hop_count)
            } else {
                String::new()
            };
            format!(
                "Impossible travel for {user_text}: {} → {} ({speed}){more}",
                h.from.label(store),
                h.to.label(store)
            )
        }
        None => format!("Impossible travel for {user_text}"),
    };
    let mut f = Finding::new(
        DetectorId::ImpossibleTravel,
        user_text,
        trip.first,
        cfg.risk,
        title,
    );
    f.user = Some(user_text.to_string());
    f.ip = latest.and_then(|h| opt_text(store, h.to.ip(store)));
    f.last_seen = trip.last;
    f.event_count = trip.signins;
    let mut ev = trip.evidence.clone();
    ev.sort_by_key(|&i| (store.get(i).time, i));
    for i in ev {
        f.add_evidence(i);
    }
    let hops = trip
        .hops
        .iter()
        .map(|h| HopDetails {
            from: h.from.json(store),
            to: h.to.json(store),
            km: h.km.map(|k| round(k, 1)),
            minutes: round(h.minutes(), 1),
            kmh: h.kmh.map(|k| round(k, 0)),
            rule: h.rule.into(),
        })
        .collect();
    f.details = to_details(&Details {
        hop_count: trip.hop_count,
        hops,
        thresholds: json!({
            "min_km": cfg.min_km,
            "max_kmh": cfg.max_kmh,
            "country_window": cfg.country_window.to_string(),
            "group_window": cfg.group_window.to_string(),
            "min_minutes": 1,
        }),
        note: "consecutive successful sign-ins; speed uses at least one minute between them; \
               a hop within the two accuracy radii is never impossible; without coordinates, \
               two different countries within the country window"
            .into(),
    });
    f
}

impl Detector for ImpossibleTravel {
    fn id(&self) -> DetectorId {
        DetectorId::ImpossibleTravel
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(cx, now, out);
        }
        if !ev.is_signin()
            || ev.outcome != Outcome::Success
            || ev.user.is_none()
            || (!ev.has_coords() && ev.country.is_none())
        {
            return;
        }
        let place = Place::of(idx, ev);
        let st = self.users.entry(ev.user).or_insert_with(|| UserState {
            recent: SmallVec::new(),
            trip: None,
        });
        let pos = st.recent.partition_point(|p| p.time <= place.time);
        let before = pos.checked_sub(1).and_then(|i| st.recent.get(i)).copied();
        let after = st.recent.get(pos).copied();
        // Keep the RECENT latest, never growing past them: a full list drops
        // its oldest first (or skips a place older than all it holds).
        if st.recent.len() < RECENT {
            st.recent.insert(pos, place);
        } else if pos > 0 {
            st.recent.remove(0);
            st.recent.insert(pos - 1, place);
        }
        let hops: Vec<Hop> = [
            before.and_then(|b| self.judge(cx.store, &b, &place)),
            after.and_then(|a| self.judge(cx.store, &place, &a)),
        ]
        .into_iter()
        .flatten()
        .collect();
        for h in hops {
            self.add_hop(cx, ev.user, h, out);
        }
    }

    fn flush(&mut self, cx: &DetectCx, out: &mut Vec<Finding>) {
        for user in self.dirty.drain(..) {
            let trip = self.users.get_mut(&user).and_then(|st| st.trip.as_mut());
            if let Some(t) = trip.filter(|t| t.dirty) {
                t.dirty = false;
                out.push(snapshot(&self.cfg, cx.store, user, t));
            }
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}
