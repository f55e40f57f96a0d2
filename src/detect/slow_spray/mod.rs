//! `slow_spray` (issue 13): one IP fails for ≥ N distinct users within a long
//! sliding window (24 h) while never meeting `password_spray`'s thresholds in
//! its short window: the low-and-slow sprays of real honeypot logs (49 users
//! over 14 h). It reads `password_spray`'s configured window, users and
//! attempts to know what "fast" means, and stays quiet for an IP that met
//! them within its long window (`password_spray` reports that one). Verified
//! sign-ins (success or interrupted) from the IP since its first failure
//! decide the verdict as for `password_spray`: 1..=K users → with success,
//! more → shared egress (an office NAT where people mistype over a day),
//! suppressed. One finding per IP per burst. State per IP: the failures of the
//! long window (capped) with per-user counts, the short window's counts, and
//! a few verified users; all pruned by event time.

pub mod settings;
mod spark;

use super::describe::{Near, Approach, Lake, LakeQuery, Role};
use super::spray_verdict::{Risks, Verdict};
use super::describe::{at_least, plain, to_details, typed, Check, Description, Entity, Stage};
use super::tally::{iso, merge_evidence, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector, DetectorId};
use crate::config::{Config, SlowSprayConfig, SprayConfig};
use crate::event::{Event, Millis, Outcome, Sym};
use crate::finding::Finding;
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "slow-spray",
    label: "slow password spray",
    stage: Stage::Access,
    cost: 40,
    entity: Entity::Ip,
    enabled: |c| c.detectors.slow_spray.enabled,
    build: |c| {
        Box::new(SlowSpray::new(
            &c.detectors.slow_spray,
            &c.detectors.password_spray,
        ))
    },
    rule,
    checks,
    explain: plain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Spray,
    reads: &[DetectorId::PasswordSpray],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::None("KQL has no chained long-window spray yet (it needs password_spray's fast windows inside the chain)"),
        esql: LakeQuery::None("ES|QL keeps no per-IP state across events (a chain of failures that never turns fast)"),
    },
    near: Near::Windowed(|c| Approach {
        shape: crate::lake::shape::WindowedCount {
            detector: DetectorId::SlowSpray,
            counted: crate::lake::shape::Counted::Failures,
            key: crate::lake::shape::Key::Ip,
            min_events: None,
            min_users: Some(c.detectors.slow_spray.min_users),
            window_ms: c.detectors.slow_spray.window.ms(),
            then: crate::lake::shape::Then::Successes,
        },
        events: ("", ""),
        users: ("min_users", "users"),
    }),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]):
/// shared egress when suppressed, a spray with success when it names a user.
fn lake_risk(c: &Config, o: &super::describe::Outline) -> (u8, &'static str) {
    Verdict::of_outline(o).risk(&risks(&c.detectors.slow_spray))
}

/// The configured risks of each verdict ([`super::spray_verdict`]).
fn risks(cfg: &SlowSprayConfig) -> Risks {
    Risks {
        attempt: (cfg.risk_attempt, "slow_spray.risk_attempt"),
        success: (cfg.risk_success, "slow_spray.risk_success"),
        shared: (cfg.risk_shared_egress, "slow_spray.risk_shared_egress"),
        max_success_users: cfg.max_success_users,
    }
}

fn rule(c: &Config) -> String {
    let (s, p) = (&c.detectors.slow_spray, &c.detectors.password_spray);
    format!(
        "One IP failed for at least {} distinct users within {} without ever reaching password_spray's {} users and {} attempts within {}. More than {} users signing in from it is shared egress (suppressed).",
        s.min_users, s.window, p.min_users, p.min_attempts, p.window, s.max_success_users
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let min = c.detectors.slow_spray.min_users as f64;
    vec![at_least(
        "peak_users_in_window",
        d.peak_users_in_window as f64,
        "min_users",
        min,
    )]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub ip: String,
    /// "slow spray with success", "slow spray attempt" or "shared egress".
    pub verdict: String,
    pub first_failure: String,
    pub last_failure: String,
    pub failed_attempts: u32,
    pub failed_users: usize,
    pub failed_user_list: Vec<String>,
    /// Most distinct users failing within one long window.
    pub peak_users_in_window: usize,
    /// The busiest short (password_spray) window seen: users and attempts.
    pub busiest_short_window_users: usize,
    pub busiest_short_window_attempts: usize,
    pub successful_users: usize,
    pub successful_user_list: Vec<String>,
    pub thresholds: Value,
}

/// Most failures held per IP long window (the user count stays exact below it).
const MAX_WINDOW: usize = 4096;
/// Verified users remembered per IP (enough to call it shared egress).
const MAX_OK_USERS: usize = 64;
const FAIL_EVIDENCE: usize = 40;
const OK_EVIDENCE: usize = 10;

struct Burst {
    first: Millis,
    last: Millis,
    attempts: u32,
    users: Distinct,
    peak_users: usize,
    ok_users: Distinct,
    ok_events: u32,
    fail_evidence: Vec<EventIdx>,
    ok_evidence: Vec<EventIdx>,
    /// Grown since its last snapshot, and the IP's busiest short window
    /// when it last grew (the snapshot pushed at the batch's end says it).
    dirty: bool,
    busiest: (usize, usize),
}

#[derive(Default)]
struct Tally {
    users: FxHashMap<Sym, u32>,
}

impl Tally {
    fn add(&mut self, u: Sym) {
        *self.users.entry(u).or_insert(0) += 1;
    }
    fn forget(&mut self, u: Sym) {
        if let Some(n) = self.users.get_mut(&u) {
            *n -= 1;
            if *n == 0 {
                self.users.remove(&u);
            }
        }
    }
}

struct IpState {
    long: Window<(Sym, EventIdx)>,
    long_users: Tally,
    short: Window<Sym>,
    short_users: Tally,
    /// The busiest short window since the state began: (users, attempts).
    busiest: (usize, usize),
    /// Last time this IP met password_spray's thresholds.
    fast_at: Option<Millis>,
    /// Verified users from this IP and when they last signed in.
    oks: FxHashMap<Sym, (Millis, EventIdx)>,
    burst: Option<Burst>,
}

pub struct SlowSpray {
    cfg: SlowSprayConfig,
    fast: SprayConfig,
    ips: FxHashMap<Sym, IpState>,
    sweep: Sweep,
    /// IPs whose burst grew since the last flush.
    dirty: Vec<Sym>,
}

impl SlowSpray {
    pub fn new(cfg: &SlowSprayConfig, fast: &SprayConfig) -> Self {
        SlowSpray {
            cfg: cfg.clone(),
            fast: fast.clone(),
            ips: FxHashMap::default(),
            sweep: Sweep::default(),
            dirty: Vec::new(),
        }
    }

    fn on_failure(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let (span, fast_span) = (self.cfg.window.ms(), self.fast.window.ms());
        let st = self.ips.entry(ev.ip).or_insert_with(|| IpState {
            long: Window::new(span),
            long_users: Tally::default(),
            short: Window::new(fast_span),
            short_users: Tally::default(),
            busiest: (0, 0),
            fast_at: None,
            oks: FxHashMap::default(),
            burst: None,
        });
        prune(st, ev.time);
        st.long.push(ev.time, (ev.user, idx));
        st.long_users.add(ev.user);
        if st.long.len() > MAX_WINDOW {
            if let Some(&(_, (u, _))) = st.long.iter().next() {
                st.long_users.forget(u);
            }
            st.long.cap(MAX_WINDOW);
        }
        st.short.push(ev.time, ev.user);
        st.short_users.add(ev.user);
        let short = (st.short_users.users.len(), st.short.len());
        st.busiest = (st.busiest.0.max(short.0), st.busiest.1.max(short.1));
        if short.0 >= self.fast.min_users as usize && short.1 >= self.fast.min_attempts as usize {
            // password_spray's finding: this IP is not slow, now or for a long window.
            st.fast_at = Some(ev.time);
            if let Some(b) = st.burst.take().filter(|b| b.dirty) {
                out.push(snapshot(&self.cfg, &self.fast, cx, ev.ip, &b, b.busiest));
            }
            return;
        }
        let users_now = st.long_users.users.len();
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last + span {
                b.first = b.first.min(ev.time);
                b.last = b.last.max(ev.time);
                b.attempts += 1;
                b.users.insert(ev.user);
                b.peak_users = b.peak_users.max(users_now);
                push_capped(&mut b.fail_evidence, idx, FAIL_EVIDENCE);
                b.busiest = st.busiest;
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(ev.ip);
                }
                return;
            }
            if b.dirty {
                out.push(snapshot(&self.cfg, &self.fast, cx, ev.ip, b, b.busiest));
            }
            st.burst = None;
        }
        let first = st.long.first_time().unwrap_or(ev.time);
        let was_fast = st.fast_at.is_some_and(|t| t >= first);
        if users_now < self.cfg.min_users as usize || was_fast {
            return;
        }
        let mut b = Burst {
            first,
            last: ev.time,
            attempts: 0,
            users: Distinct::new(50),
            peak_users: users_now,
            ok_users: Distinct::new(25),
            ok_events: 0,
            fail_evidence: Vec::new(),
            ok_evidence: Vec::new(),
            dirty: false,
            busiest: st.busiest,
        };
        for &(_, (u, i)) in st.long.iter() {
            b.attempts += 1;
            b.users.insert(u);
            push_capped(&mut b.fail_evidence, i, FAIL_EVIDENCE);
        }
        let mut oks: Vec<_> = st.oks.iter().filter(|(_, v)| v.0 >= first).collect();
        oks.sort_by_key(|(_, v)| *v);
        for (&u, &(_, i)) in oks {
            b.ok_users.insert(u);
            b.ok_events += 1;
            push_capped(&mut b.ok_evidence, i, OK_EVIDENCE);
        }
        out.push(snapshot(&self.cfg, &self.fast, cx, ev.ip, &b, st.busiest));
        st.burst = Some(b);
    }

    fn on_verified(&mut self, idx: EventIdx, ev: &Event) {
        let span = self.cfg.window.ms();
        // Only IPs with failures on record: a burst starts at a failure.
        let Some(st) = self.ips.get_mut(&ev.ip) else {
            return;
        };
        if st.oks.len() < MAX_OK_USERS || st.oks.contains_key(&ev.user) {
            let e = st.oks.entry(ev.user).or_insert((ev.time, idx));
            if ev.time >= e.0 {
                *e = (ev.time, idx);
            }
        }
        let busiest = st.busiest;
        if let Some(b) = st.burst.as_mut() {
            if ev.time >= b.first && ev.time <= b.last + span {
                b.ok_users.insert(ev.user);
                b.ok_events += 1;
                push_capped(&mut b.ok_evidence, idx, OK_EVIDENCE);
                b.busiest = busiest;
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(ev.ip);
                }
            }
        }
    }

    fn sweep(&mut self, cx: &DetectCx, now: Millis, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let (cfg, fast) = (&self.cfg, &self.fast);
        self.ips.retain(|&ip, st| {
            prune(st, now);
            st.oks.retain(|_, v| v.0 + span >= now);
            if let Some(b) = st.burst.as_ref().filter(|b| b.last + span < now) {
                if b.dirty {
                    out.push(snapshot(cfg, fast, cx, ip, b, b.busiest));
                }
                st.burst = None;
            }
            if st.fast_at.is_some_and(|t| t + span < now) {
                st.fast_at = None;
            }
            !st.long.is_empty() || st.burst.is_some()
        });
    }
}

fn prune(st: &mut IpState, now: Millis) {
    let (long_users, short_users) = (&mut st.long_users, &mut st.short_users);
    st.long.prune_each(now, |_, (u, _)| long_users.forget(u));
    st.short.prune_each(now, |_, u| short_users.forget(u));
    if st.long.is_empty() {
        st.busiest = (0, 0);
    }
}

fn snapshot(
    cfg: &SlowSprayConfig,
    fast: &SprayConfig,
    cx: &DetectCx,
    ip: Sym,
    b: &Burst,
    busiest: (usize, usize),
) -> Finding {
    let store = cx.store;
    let ip_text = store.text(ip);
    let failed = b.users.len();
    let ok = b.ok_users.len();
    let v = Verdict::of(ok, cfg.max_success_users);
    let (verdict, title) = match v {
        Verdict::Attempt => (
            "slow spray attempt",
            format!(
                "Slow password spray from {ip_text}: {} attempts against {failed} users over {}",
                b.attempts,
                span_text(b.last - b.first)
            ),
        ),
        Verdict::Success => (
            "slow spray with success",
            format!(
                "Slow password spray with success from {ip_text}: {failed} users failed, {} signed in",
                b.ok_users.texts(store).join(", ")
            ),
        ),
        Verdict::Shared => (
            "shared egress",
            format!(
                "Shared egress {ip_text}: {failed} users failed over {}, {ok} users signed in (NAT/proxy)",
                span_text(b.last - b.first)
            ),
        ),
    };
    let (risk, _) = v.risk(&risks(cfg));
    let mut f = Finding::new(DetectorId::SlowSpray, ip_text, b.first, risk, title);
    f.suppressed = v.suppression(|| {
        format!(
            "shared egress: {ok} distinct users signed in successfully from this IP (NAT/proxy)"
        )
    });
    f.ip = Some(ip_text.to_string());
    f.user = b.ok_users.texts(store).into_iter().next();
    f.last_seen = b.last;
    f.event_count = b.attempts + b.ok_events;
    for i in merge_evidence(store, &b.fail_evidence, &b.ok_evidence) {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        ip: ip_text.to_string(),
        verdict: verdict.into(),
        first_failure: iso(b.first),
        last_failure: iso(b.last),
        failed_attempts: b.attempts,
        failed_users: failed,
        failed_user_list: b.users.texts(store),
        peak_users_in_window: b.peak_users,
        busiest_short_window_users: busiest.0,
        busiest_short_window_attempts: busiest.1,
        successful_users: ok,
        successful_user_list: b.ok_users.texts(store),
        thresholds: json!({
            "window": cfg.window.to_string(),
            "min_users": cfg.min_users,
            "max_success_users": cfg.max_success_users,
            "password_spray": {
                "window": fast.window.to_string(),
                "min_users": fast.min_users,
                "min_attempts": fast.min_attempts,
            },
        }),
    });
    f
}

/// `14.2 h`, `35 min`.
fn span_text(ms: Millis) -> String {
    let m = ms as f64 / 60_000.0;
    if m < 120.0 {
        format!("{m:.0} min")
    } else {
        format!("{:.1} h", m / 60.0)
    }
}

impl Detector for SlowSpray {
    fn id(&self) -> DetectorId {
        DetectorId::SlowSpray
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.ips.len()) {
            self.sweep(cx, now, out);
        }
        if !ev.is_signin() || ev.ip.is_none() || ev.user.is_none() {
            return;
        }
        if ev.credentials_ok() {
            self.on_verified(idx, ev);
        } else if ev.outcome == Outcome::Failure {
            self.on_failure(cx, idx, ev, out);
        }
    }

    fn flush(&mut self, cx: &DetectCx, out: &mut Vec<Finding>) {
        for ip in self.dirty.drain(..) {
            let burst = self.ips.get_mut(&ip).and_then(|st| st.burst.as_mut());
            if let Some(b) = burst.filter(|b| b.dirty) {
                b.dirty = false;
                out.push(snapshot(&self.cfg, &self.fast, cx, ip, b, b.busiest));
            }
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.ips.len()
    }
}
