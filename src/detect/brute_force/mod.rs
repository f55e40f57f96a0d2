//! `brute_force` (issue 13): ≥ N failed sign-ins for one account within any
//! sliding window, whether or not a verified sign-in follows (guessing a
//! password; fail2ban's 5 in 10 min, Hayabusa's per-IP counts, Elastic's
//! Entra "guessing"). One finding per burst: a burst continues while failures
//! keep arriving within a window of the previous one. A verified sign-in
//! (success or interrupted) within a window of the last failure is what
//! `credential_stuffing` reports; this finding records it (time and IP) and
//! the two group into one incident (`account-compromise` rule), so the analyst
//! sees them together. Failures are `Outcome::Failure` sign-ins only (an MFA
//! prompt means the password was right). State is a per-user window of
//! failures, pruned by event time and capped.

pub mod settings;
mod spark;
mod kql;

use super::describe::{Near, Approach, Lake, LakeQuery, Role};
use crate::lake::shape::{Counted, Key, Then, WindowedCount};
use super::describe::{Stage, at_least, plain, to_details, typed, Check, Description, Entity};
use super::tally::{iso, merge_evidence, opt_text, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector, DetectorId};
use crate::config::{BruteForceConfig, Config};
use crate::event::{Event, Millis, Outcome, Sym};
use crate::finding::Finding;
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "brute",
    label: "brute force",
    stage: Stage::Access,
    cost: 30,
    entity: Entity::User,
    enabled: |c| c.detectors.brute_force.enabled,
    build: |c| Box::new(BruteForce::new(&c.detectors.brute_force)),
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
        esql: LakeQuery::Query(|c| crate::lake::esql::binned(&lake_shape(c))),
    },
    near: Near::Windowed(|c| Approach {
        shape: lake_shape(c),
        events: ("min_failures", "failures"),
        users: ("", ""),
    }),
};

/// The detector's lake shape: failures of one user in a sliding window
/// (each dialect renders it; see `lake::shape`).
pub(crate) fn lake_shape(c: &Config) -> WindowedCount {
    let b = &c.detectors.brute_force;
    WindowedCount {
        detector: DetectorId::BruteForce,
        counted: Counted::Failures,
        key: Key::User,
        min_events: Some(b.min_failures),
        min_users: None,
        window_ms: b.window.ms(),
        then: Then::FirstVerified,
    }
}

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.brute_force.risk, "brute_force.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.brute_force;
    format!(
        "At least {} failed sign-ins for one account within {}, whether or not a sign-in follows (one that does is also credential_stuffing: same incident).",
        c.min_failures, c.window
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let min = c.detectors.brute_force.min_failures as f64;
    vec![at_least(
        "peak_in_window",
        d.peak_in_window as f64,
        "min_failures",
        min,
    )]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub failures: u32,
    /// The most failures any one window held.
    pub peak_in_window: u32,
    pub first_failure: String,
    pub last_failure: String,
    pub distinct_ips: usize,
    pub ips: Vec<String>,
    pub apps: Vec<String>,
    pub result_codes: Vec<String>,
    /// The first verified sign-in within a window of the last failure, if any
    /// (`credential_stuffing` reports the compromise).
    pub verified_sign_in: Option<String>,
    pub verified_from_ip: Option<String>,
    pub thresholds: Value,
}

/// Most failures held per user window (a lower bound beyond; still far above any threshold).
const MAX_WINDOW: usize = 4096;
const FAIL_EVIDENCE: usize = 45;
const OK_EVIDENCE: usize = 5;

struct Burst {
    first: Millis,
    last: Millis,
    failures: u32,
    peak: u32,
    ips: Distinct,
    apps: Distinct,
    codes: Distinct,
    verified: Option<(Millis, Sym)>,
    fail_evidence: Vec<EventIdx>,
    ok_evidence: Vec<EventIdx>,
}

struct UserState {
    fails: Window<EventIdx>,
    burst: Option<Burst>,
}

pub struct BruteForce {
    cfg: BruteForceConfig,
    users: FxHashMap<Sym, UserState>,
    sweep: Sweep,
}

impl BruteForce {
    pub fn new(cfg: &BruteForceConfig) -> Self {
        BruteForce {
            cfg: cfg.clone(),
            users: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn on_failure(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let st = self.users.entry(ev.user).or_insert_with(|| UserState {
            fails: Window::new(span),
            burst: None,
        });
        st.fails.prune(ev.time);
        st.fails.push(ev.time, idx);
        st.fails.cap(MAX_WINDOW);
        let in_window = st.fails.len() as u32;
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last + span {
                add_failure(b, ev, idx);
                b.peak = b.peak.max(in_window);
                out.push(snapshot(&self.cfg, cx, ev.user, b));
                return;
            }
            st.burst = None;
        }
        if in_window < self.cfg.min_failures {
            return;
        }
        let first = st.fails.first_time().unwrap_or(ev.time);
        let mut b = Burst {
            first,
            last: first,
            failures: 0,
            peak: in_window,
            ips: Distinct::new(20),
            apps: Distinct::new(10),
            codes: Distinct::new(10),
            verified: None,
            fail_evidence: Vec::new(),
            ok_evidence: Vec::new(),
        };
        for &(_, i) in st.fails.iter() {
            add_failure(&mut b, &cx.store.get(i), i);
        }
        out.push(snapshot(&self.cfg, cx, ev.user, &b));
        st.burst = Some(b);
    }

    fn on_verified(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let Some(b) = self.users.get_mut(&ev.user).and_then(|s| s.burst.as_mut()) else {
            return;
        };
        if ev.time < b.first || ev.time > b.last + span || b.verified.is_some() {
            return;
        }
        b.verified = Some((ev.time, ev.ip));
        push_capped(&mut b.ok_evidence, idx, OK_EVIDENCE);
        out.push(snapshot(&self.cfg, cx, ev.user, b));
    }

    fn sweep(&mut self, now: Millis) {
        let span = self.cfg.window.ms();
        self.users.retain(|_, st| {
            st.fails.prune(now);
            if st.burst.as_ref().is_some_and(|b| b.last + span < now) {
                st.burst = None;
            }
            !st.fails.is_empty() || st.burst.is_some()
        });
    }
}

fn add_failure(b: &mut Burst, ev: &Event, idx: EventIdx) {
    b.first = b.first.min(ev.time);
    b.last = b.last.max(ev.time);
    b.failures += 1;
    b.ips.insert(ev.ip);
    b.apps.insert(ev.app);
    b.codes.insert(ev.result_code);
    push_capped(&mut b.fail_evidence, idx, FAIL_EVIDENCE);
}

fn snapshot(cfg: &BruteForceConfig, cx: &DetectCx, user: Sym, b: &Burst) -> Finding {
    let store = cx.store;
    let user_text = store.text(user);
    let ips = b.ips.len();
    let then = if b.verified.is_some() {
        ", then a verified sign-in"
    } else {
        ""
    };
    let title = format!(
        "Brute force on {user_text}: {} failures from {ips} IP{} (up to {} within {}){then}",
        b.failures,
        if ips == 1 { "" } else { "s" },
        b.peak,
        cfg.window
    );
    let mut f = Finding::new(DetectorId::BruteForce, user_text, b.first, cfg.risk, title);
    f.user = Some(user_text.to_string());
    let ip_list = b.ips.texts(store);
    f.ip = ip_list.first().cloned();
    f.last_seen = b.last.max(b.verified.map_or(b.last, |v| v.0));
    f.event_count = b.failures + u32::from(b.verified.is_some());
    for i in merge_evidence(store, &b.fail_evidence, &b.ok_evidence) {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        failures: b.failures,
        peak_in_window: b.peak,
        first_failure: iso(b.first),
        last_failure: iso(b.last),
        distinct_ips: ips,
        ips: ip_list,
        apps: b.apps.texts(store),
        result_codes: b.codes.texts(store),
        verified_sign_in: b.verified.map(|v| iso(v.0)),
        verified_from_ip: b.verified.and_then(|v| opt_text(store, v.1)),
        thresholds: json!({
            "min_failures": cfg.min_failures,
            "window": cfg.window.to_string(),
        }),
    });
    f
}

impl Detector for BruteForce {
    fn id(&self) -> DetectorId {
        DetectorId::BruteForce
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(now);
        }
        if !ev.is_signin() || ev.user.is_none() {
            return;
        }
        match ev.outcome {
            Outcome::Failure => self.on_failure(cx, idx, ev, out),
            Outcome::Success | Outcome::Interrupted => self.on_verified(cx, idx, ev, out),
            _ => {}
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}
