//! `password_spray` (SPEC §4, seed 004): within any sliding window (not fixed
//! bins) one IP fails for ≥ N distinct users and ≥ M attempts. Verified
//! sign-ins (success or `interrupted`) from that IP between the first failure
//! and one window after the last failure decide the verdict: 1..=K users →
//! "spray with success" (risk 90 by default), none → "spray attempt" (60),
//! more than K → shared egress (NAT, proxy): kept but suppressed (20). A burst
//! continues while failures keep arriving within a window of the previous
//! one; one finding per IP per burst. State is per IP and pruned by event time.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Approach, Lake, LakeQuery, Role};
use crate::lake::shape::{Counted, Key, Then, WindowedCount};
use super::spray_verdict::{Risks, Verdict};
use super::describe::{Stage, at_least, plain, to_details, typed, Check, Description, Entity};
use super::tally::{iso, merge_evidence, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector};
use crate::config::{Config, SprayConfig};
use crate::event::{Event, Millis, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "spray",
    label: "password spray",
    stage: Stage::Access,
    cost: 50,
    entity: Entity::Ip,
    enabled: |c| c.detectors.password_spray.enabled,
    build: |c| Box::new(PasswordSpray::new(&c.detectors.password_spray)),
    rule,
    checks,
    explain: plain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Spray,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::Windowed(|c| Approach {
        shape: lake_shape(c),
        events: ("min_attempts", "attempts"),
        users: ("min_users", "users"),
    }),
};

/// The detector's lake shape: failures from one IP, counting attempts and distinct users in a sliding window
/// (each dialect renders it; see `lake::shape`).
pub(crate) fn lake_shape(c: &Config) -> WindowedCount {
    let b = &c.detectors.password_spray;
    WindowedCount {
        detector: DetectorId::PasswordSpray,
        counted: Counted::Failures,
        key: Key::Ip,
        min_events: Some(b.min_attempts),
        min_users: Some(b.min_users),
        window_ms: b.window.ms(),
        then: Then::Successes,
    }
}

/// The risk of a finding known only by its lake row (see [`Description::risk`]):
/// shared egress when suppressed, a spray with success when it names a user.
fn lake_risk(c: &Config, o: &super::describe::Outline) -> (u8, &'static str) {
    Verdict::of_outline(o).risk(&risks(&c.detectors.password_spray))
}

/// The configured risks of each verdict ([`super::spray_verdict`]).
fn risks(cfg: &SprayConfig) -> Risks {
    Risks {
        attempt: (cfg.risk_attempt, "password_spray.risk_attempt"),
        success: (cfg.risk_success, "password_spray.risk_success"),
        shared: (cfg.risk_shared_egress, "password_spray.risk_shared_egress"),
        max_success_users: cfg.max_success_users,
    }
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.password_spray;
    format!(
        "One IP failed for at least {} distinct users and {} attempts within a {} sliding window. Successes from it make it a spray with success; more than {} succeeding users is shared egress (suppressed).",
        c.min_users, c.min_attempts, c.window, c.max_success_users
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let c = &c.detectors.password_spray;
    vec![
        at_least(
            "failed_users",
            d.failed_users as f64,
            "min_users",
            c.min_users as f64,
        ),
        at_least(
            "failed_attempts",
            d.failed_attempts as f64,
            "min_attempts",
            c.min_attempts as f64,
        ),
    ]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub ip: String,
    /// "spray with success", "spray attempt" or "shared egress".
    pub verdict: String,
    pub first_failure: String,
    pub last_failure: String,
    pub failed_attempts: u32,
    pub failed_users: usize,
    pub failed_user_list: Vec<String>,
    pub failed_apps: Vec<String>,
    pub result_codes: Vec<String>,
    pub successful_users: usize,
    /// Incident linking reads it (a spray's successful users).
    pub successful_user_list: Vec<String>,
    pub success_events: u32,
    pub first_success: Option<String>,
    pub last_success: Option<String>,
    pub exposure_ratio: Option<f64>,
    pub success_window: String,
    pub thresholds: Value,
    pub note: String,
}

const FAIL_EVIDENCE: usize = 40;
const SUCCESS_EVIDENCE: usize = 10;

struct Burst {
    first_fail: Millis,
    last_fail: Millis,
    attempts: u32,
    failed_users: Distinct,
    apps: Distinct,
    codes: Distinct,
    ok_users: Distinct,
    ok_events: u32,
    first_ok: Option<Millis>,
    last_ok: Option<Millis>,
    fail_evidence: Vec<EventIdx>,
    ok_evidence: Vec<EventIdx>,
    /// Grown since its last snapshot (pushed at the batch's end).
    dirty: bool,
}

impl Burst {
    fn add_failure(&mut self, t: Millis, idx: EventIdx, ev: &Event) {
        self.first_fail = self.first_fail.min(t);
        self.last_fail = self.last_fail.max(t);
        self.attempts += 1;
        self.failed_users.insert(ev.user);
        self.apps.insert(ev.app);
        self.codes.insert(ev.result_code);
        push_capped(&mut self.fail_evidence, idx, FAIL_EVIDENCE);
    }

    fn add_ok(&mut self, t: Millis, idx: EventIdx, user: Sym) {
        self.ok_users.insert(user);
        self.ok_events += 1;
        self.first_ok = Some(self.first_ok.map_or(t, |x| x.min(t)));
        self.last_ok = Some(self.last_ok.map_or(t, |x| x.max(t)));
        push_capped(&mut self.ok_evidence, idx, SUCCESS_EVIDENCE);
    }
}

struct IpState {
    /// Failures in the sliding window, and how many each user has in it.
    fails: Window<(Sym, EventIdx)>,
    users: FxHashMap<Sym, u32>,
    /// Verified sign-ins since the oldest failure in the window.
    oks: Window<(Sym, EventIdx)>,
    burst: Option<Burst>,
}

pub struct PasswordSpray {
    cfg: SprayConfig,
    ips: FxHashMap<Sym, IpState>,
    sweep: Sweep,
    /// IPs whose burst grew since the last flush.
    dirty: Vec<Sym>,
}

impl PasswordSpray {
    pub fn new(cfg: &SprayConfig) -> Self {
        PasswordSpray {
            cfg: cfg.clone(),
            ips: FxHashMap::default(),
            sweep: Sweep::default(),
            dirty: Vec::new(),
        }
    }

    fn on_failure(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let st = self.ips.entry(ev.ip).or_insert_with(|| IpState {
            fails: Window::new(span),
            users: FxHashMap::default(),
            oks: Window::new(span),
            burst: None,
        });
        let users = &mut st.users;
        st.fails.prune_each(ev.time, |_, (u, _)| forget(users, u));
        st.fails.push(ev.time, (ev.user, idx));
        *st.users.entry(ev.user).or_insert(0) += 1;
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last_fail + span {
                b.add_failure(ev.time, idx, ev);
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(ev.ip);
                }
                return;
            }
            // The burst is over: its last growth is said before it goes.
            if b.dirty {
                out.push(snapshot(&self.cfg, cx, ev.ip, b));
            }
            st.burst = None;
        }
        let crossed = st.fails.len() >= self.cfg.min_attempts as usize
            && st.users.len() >= self.cfg.min_users as usize;
        if !crossed {
            return;
        }
        let first = st.fails.first_time().unwrap_or(ev.time);
        let mut b = Burst {
            first_fail: first,
            last_fail: first,
            attempts: 0,
            failed_users: Distinct::new(50),
            apps: Distinct::new(20),
            codes: Distinct::new(20),
            ok_users: Distinct::new(25),
            ok_events: 0,
            first_ok: None,
            last_ok: None,
            fail_evidence: Vec::new(),
            ok_evidence: Vec::new(),
            dirty: false,
        };
        for &(t, (_, i)) in st.fails.iter() {
            b.add_failure(t, i, &cx.store.get(i));
        }
        for &(t, (u, i)) in st.oks.iter() {
            if t >= b.first_fail {
                b.add_ok(t, i, u);
            }
        }
        out.push(snapshot(&self.cfg, cx, ev.ip, &b));
        st.burst = Some(b);
    }

    fn on_verified(&mut self, idx: EventIdx, ev: &Event) {
        let span = self.cfg.window.ms();
        // Without failures on record from this IP, no burst can include this
        // sign-in: a burst starts at a failure that comes after it.
        let Some(st) = self.ips.get_mut(&ev.ip) else {
            return;
        };
        let users = &mut st.users;
        st.fails.prune_each(ev.time, |_, (u, _)| forget(users, u));
        st.oks.prune(ev.time);
        if !st.fails.is_empty() {
            st.oks.push(ev.time, (ev.user, idx));
        }
        if let Some(b) = st.burst.as_mut() {
            if ev.time >= b.first_fail && ev.time <= b.last_fail + span {
                b.add_ok(ev.time, idx, ev.user);
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(ev.ip);
                }
            }
        }
    }

    fn sweep(&mut self, cx: &DetectCx, now: Millis, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let cfg = &self.cfg;
        self.ips.retain(|&ip, st| {
            let users = &mut st.users;
            st.fails.prune_each(now, |_, (u, _)| forget(users, u));
            st.oks.prune(now);
            if let Some(b) = st.burst.as_ref().filter(|b| b.last_fail + span < now) {
                if b.dirty {
                    out.push(snapshot(cfg, cx, ip, b));
                }
                st.burst = None;
            }
            !st.fails.is_empty() || st.burst.is_some()
        });
    }
}

fn forget(users: &mut FxHashMap<Sym, u32>, u: Sym) {
    if let Some(n) = users.get_mut(&u) {
        *n -= 1;
        if *n == 0 {
            users.remove(&u);
        }
    }
}

fn snapshot(cfg: &SprayConfig, cx: &DetectCx, ip: Sym, b: &Burst) -> Finding {
    let store = cx.store;
    let ip_text = store.text(ip);
    let failed = b.failed_users.len();
    let ok = b.ok_users.len();
    let v = Verdict::of(ok, cfg.max_success_users);
    let (verdict, title) = match v {
        Verdict::Attempt => (
            "spray attempt",
            format!(
                "Password spray attempt from {ip_text}: {} attempts against {failed} users",
                b.attempts
            ),
        ),
        Verdict::Success => (
            "spray with success",
            format!(
                "Password spray with success from {ip_text}: {failed} users failed, {} signed in",
                b.ok_users.texts(store).join(", ")
            ),
        ),
        Verdict::Shared => (
            "shared egress",
            format!(
                "Shared egress {ip_text}: {failed} users failed, {ok} users signed in (NAT/proxy)"
            ),
        ),
    };
    let (risk, _) = v.risk(&risks(cfg));
    let mut f = Finding::new(
        DetectorId::PasswordSpray,
        ip_text,
        b.first_fail,
        risk,
        title,
    );
    f.suppressed = v.suppression(|| {
        format!(
            "shared egress: {ok} distinct users signed in successfully from this IP (NAT/proxy)"
        )
    });
    f.ip = Some(ip_text.to_string());
    f.user = b.ok_users.texts(store).into_iter().next();
    f.last_seen = b.last_fail.max(b.last_ok.unwrap_or(b.last_fail));
    f.event_count = b.attempts + b.ok_events;
    for i in merge_evidence(store, &b.fail_evidence, &b.ok_evidence) {
        f.add_evidence(i);
    }
    let ratio = (ok > 0).then(|| (failed as f64 / ok as f64 * 100.0).round() / 100.0);
    f.details = to_details(&Details {
        ip: ip_text.to_string(),
        verdict: verdict.into(),
        first_failure: iso(b.first_fail),
        last_failure: iso(b.last_fail),
        failed_attempts: b.attempts,
        failed_users: failed,
        failed_user_list: b.failed_users.texts(store),
        failed_apps: b.apps.texts(store),
        result_codes: b.codes.texts(store),
        successful_users: ok,
        successful_user_list: b.ok_users.texts(store),
        success_events: b.ok_events,
        first_success: b.first_ok.map(iso),
        last_success: b.last_ok.map(iso),
        exposure_ratio: ratio,
        success_window: format!(
            "{} .. {}",
            iso(b.first_fail),
            iso(b.last_fail + cfg.window.ms())
        ),
        thresholds: json!({
            "window": cfg.window.to_string(),
            "min_users": cfg.min_users,
            "min_attempts": cfg.min_attempts,
            "max_success_users": cfg.max_success_users,
        }),
        note: "successful users: distinct users with a success or interrupted sign-in from this IP \
               between the first failure and one window after the last failure"
            .into(),
    });
    f
}

impl Detector for PasswordSpray {
    fn id(&self) -> DetectorId {
        DetectorId::PasswordSpray
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
        } else if ev.outcome == crate::event::Outcome::Failure {
            self.on_failure(cx, idx, ev, out);
        }
    }

    fn flush(&mut self, cx: &DetectCx, out: &mut Vec<Finding>) {
        for ip in self.dirty.drain(..) {
            let burst = self.ips.get_mut(&ip).and_then(|st| st.burst.as_mut());
            if let Some(b) = burst.filter(|b| b.dirty) {
                b.dirty = false;
                out.push(snapshot(&self.cfg, cx, ip, b));
            }
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.ips.len()
    }
}
