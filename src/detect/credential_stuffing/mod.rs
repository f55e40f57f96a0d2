//! `credential_stuffing` (SPEC §4, seeds 000/001): a user's credentials are
//! verified (success, or `interrupted`: password right, sign-in stopped by
//! MFA or policy) after ≥ N failures of that user since the user's previous
//! verified sign-in and within the window. Failures with ignored codes
//! (locked out, MFA required) do not count. One finding per burst; while its
//! window lasts, later verified sign-ins (with the failures before them) update
//! it, and only another threshold crossing opens a new one. This file keeps
//! per-user windows of failures; it never looks at other users or the clock.

pub mod settings;
mod spark;
mod kql;
mod esql;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{Stage, at_least, plain, to_details, typed, Check, Description, Entity};
use super::tally::{iso, json_text, merge_evidence, opt_text, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector};
use crate::config::{Config, StuffingConfig};
use crate::event::{Event, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "stuffing",
    label: "credential stuffing",
    stage: Stage::Access,
    cost: 36,
    entity: Entity::User,
    enabled: |c| c.detectors.credential_stuffing.enabled,
    build: |c| Box::new(CredentialStuffing::new(&c.detectors.credential_stuffing)),
    rule,
    checks,
    explain: plain,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::SuccessAfterFailures,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::Query(kql::query),
        esql: LakeQuery::Query(esql::query),
    },
    near: Near::None("fires on a successful sign-in after failures, not on a count alone"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.credential_stuffing.risk, "credential_stuffing.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.credential_stuffing;
    format!(
        "A successful sign-in after at least {} failures for the same user since that user's previous success and within {} (codes {} not counted).",
        c.min_failures,
        c.window,
        c.ignore_codes.join(", ")
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let c = &c.detectors.credential_stuffing;
    vec![at_least(
        "failure_count",
        d.failure_count as f64,
        "min_failures",
        c.min_failures as f64,
    )]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub failure_count: u32,
    pub distinct_ips: usize,
    pub ips: Vec<String>,
    pub apps: Vec<String>,
    pub result_codes: Vec<String>,
    pub first_failure: String,
    /// The verified sign-in that fired.
    pub success: Option<Value>,
    pub verified_sign_ins: u32,
    pub later_sign_ins: Vec<Value>,
    pub interrupted_counts_as_verified: bool,
    pub note: String,
    pub thresholds: Value,
}

/// Most failures kept per user; beyond this the oldest are dropped (the
/// count becomes a lower bound, which is still far above any threshold).
const MAX_FAILURES: usize = 10_000;
/// Evidence split: failures, then the verified sign-ins (MAX_EVIDENCE in all).
const FAIL_EVIDENCE: usize = 40;
const SUCCESS_EVIDENCE: usize = 10;

#[derive(Clone, Copy)]
struct Fail {
    idx: EventIdx,
    ip: Sym,
    app: Sym,
    code: Sym,
}

/// The finding of the user's current burst.
struct Burst {
    first: Millis,
    last: Millis,
    /// Failures counted into the finding.
    failures: u32,
    ips: Distinct,
    apps: Distinct,
    codes: Distinct,
    /// The verified sign-ins: the one that fired, then later ones.
    successes: Vec<EventIdx>,
    success_count: u32,
    /// Failure evidence (capped so the verified sign-ins always fit too).
    fail_evidence: Vec<EventIdx>,
}

struct UserState {
    fails: Window<Fail>,
    last_ok: Option<Millis>,
    burst: Option<Burst>,
}

pub struct CredentialStuffing {
    cfg: StuffingConfig,
    users: FxHashMap<Sym, UserState>,
    sweep: Sweep,
}

impl CredentialStuffing {
    pub fn new(cfg: &StuffingConfig) -> Self {
        CredentialStuffing {
            cfg: cfg.clone(),
            users: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn ignored(&self, cx: &DetectCx, code: Sym) -> bool {
        code.is_some() && {
            let c = cx.store.text(code);
            self.cfg.ignore_codes.iter().any(|x| x == c)
        }
    }

    fn on_failure(&mut self, idx: EventIdx, ev: &Event) {
        let window = self.cfg.window.ms();
        let st = self.users.entry(ev.user).or_insert_with(|| UserState {
            fails: Window::new(window),
            last_ok: None,
            burst: None,
        });
        // A late failure from before the user's last verified sign-in belongs
        // to a run that is already over.
        if st.last_ok.is_some_and(|t| ev.time <= t) {
            return;
        }
        st.fails.push(
            ev.time,
            Fail {
                idx,
                ip: ev.ip,
                app: ev.app,
                code: ev.result_code,
            },
        );
        st.fails.cap(MAX_FAILURES);
    }

    fn on_verified(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let (window, min) = (self.cfg.window.ms(), self.cfg.min_failures as usize);
        // No state means no failures on record and no open burst: nothing to do.
        let Some(st) = self.users.get_mut(&ev.user) else {
            return;
        };
        st.fails.prune(ev.time);
        let run = st.fails.take_through(ev.time);
        st.last_ok = Some(st.last_ok.map_or(ev.time, |t| t.max(ev.time)));
        let crossing = run.len() >= min;
        let open = st
            .burst
            .as_ref()
            .is_some_and(|b| ev.time < b.first + window && !crossing);
        if !crossing && !open {
            return;
        }
        if crossing {
            st.burst = Some(Burst {
                first: run.first().map_or(ev.time, |f| f.0),
                last: ev.time,
                failures: 0,
                ips: Distinct::new(10),
                apps: Distinct::new(5),
                codes: Distinct::new(10),
                successes: Vec::new(),
                success_count: 0,
                fail_evidence: Vec::new(),
            });
        }
        let Some(b) = st.burst.as_mut() else { return };
        for (_, f) in &run {
            b.failures += 1;
            b.ips.insert(f.ip);
            b.apps.insert(f.app);
            b.codes.insert(f.code);
            push_capped(&mut b.fail_evidence, f.idx, FAIL_EVIDENCE);
        }
        b.success_count += 1;
        b.last = b.last.max(ev.time);
        push_capped(&mut b.successes, idx, SUCCESS_EVIDENCE);
        out.push(snapshot(&self.cfg, cx, ev.user, b));
    }

    fn sweep(&mut self, now: Millis) {
        let window = self.cfg.window.ms();
        self.users.retain(|_, st| {
            st.fails.prune(now);
            if st.burst.as_ref().is_some_and(|b| b.first + window <= now) {
                st.burst = None;
            }
            !st.fails.is_empty() || st.burst.is_some()
        });
    }
}

fn snapshot(cfg: &StuffingConfig, cx: &DetectCx, user: Sym, b: &Burst) -> Finding {
    let store = cx.store;
    let ips = b.ips.len();
    let risk = if ips > 5 {
        cfg.risk_many_ips
    } else if ips > 2 {
        cfg.risk_some_ips
    } else {
        cfg.risk
    };
    let user_text = store.text(user);
    let title = format!(
        "Credential stuffing: {} failures from {} IP{} then a verified sign-in for {}",
        b.failures,
        ips,
        if ips == 1 { "" } else { "s" },
        user_text
    );
    let mut f = Finding::new(
        DetectorId::CredentialStuffing,
        user_text,
        b.first,
        risk,
        title,
    );
    f.user = Some(user_text.to_string());
    f.last_seen = b.last;
    f.event_count = b.failures + b.success_count;
    for i in merge_evidence(store, &b.fail_evidence, &b.successes) {
        f.add_evidence(i);
    }
    let successes: Vec<_> = b
        .successes
        .iter()
        .map(|&i| {
            let e = store.get(i);
            json!({
                "time": iso(e.time),
                "ip": json_text(store, e.ip),
                "app": json_text(store, e.app),
                "outcome": e.outcome.as_str(),
                "result_code": json_text(store, e.result_code),
                "country": json_text(store, e.country),
            })
        })
        .collect();
    let fired = b.successes.first().map(|&i| store.get(i));
    f.ip = fired.and_then(|e| opt_text(store, e.ip));
    let interrupted = b
        .successes
        .iter()
        .any(|&i| store.get(i).outcome == Outcome::Interrupted);
    f.details = to_details(&Details {
        failure_count: b.failures,
        distinct_ips: ips,
        ips: b.ips.texts(store),
        apps: b.apps.texts(store),
        result_codes: b.codes.texts(store),
        first_failure: iso(b.first),
        success: successes.first().cloned(),
        verified_sign_ins: b.success_count,
        later_sign_ins: successes.get(1..).unwrap_or_default().to_vec(),
        interrupted_counts_as_verified: interrupted,
        note: "failures counted since the user's previous verified sign-in; \
               'interrupted' (MFA, reset, policy) means the password was right"
            .into(),
        thresholds: json!({
            "min_failures": cfg.min_failures,
            "window": cfg.window.to_string(),
            "ignored_codes": cfg.ignore_codes,
            "risk": format!(
                "{} if failures came from more than 5 IPs, {} if more than 2, else {}",
                cfg.risk_many_ips, cfg.risk_some_ips, cfg.risk
            ),
        }),
    });
    f
}

impl Detector for CredentialStuffing {
    fn id(&self) -> DetectorId {
        DetectorId::CredentialStuffing
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(now);
        }
        if !ev.is_signin() || ev.user.is_none() {
            return;
        }
        match ev.outcome {
            Outcome::Failure if !self.ignored(cx, ev.result_code) => self.on_failure(idx, ev),
            Outcome::Success | Outcome::Interrupted => self.on_verified(cx, idx, ev, out),
            _ => {}
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}
