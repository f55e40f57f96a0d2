//! `mfa_fatigue` (issue 13): a user's MFA prompts are denied or left
//! unanswered again and again — push bombing. A prompt is an event flagged
//! `MFA_DENIED` (Entra 500121, Okta push rejected) or an interrupted sign-in
//! with a configured prompt code (Entra 50074, strong authentication
//! required, repeated). ≥ N prompts then a successful sign-in within the
//! window is high (the user gave in); ≥ M prompts without a success is
//! medium. Events of one user less than [`SAME_PROMPT_MS`] apart are one
//! prompt (Okta writes `deny_push` and a failed `auth_via_mfa` for one
//! rejection). One finding per user per burst; a success after a medium
//! finding raises it to high. State is per user, pruned by event time.

pub mod settings;
mod spark;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::describe::{at_least, plain, to_details, typed, Check, Description, Entity, Stage};
use super::tally::{iso, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector};
use crate::config::{Config, MfaFatigueConfig};
use crate::event::{flags, Event, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding, Severity};
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "mfa-fatigue",
    cost: 3,
    entity: Entity::User,
    enabled: |c| c.detectors.mfa_fatigue.enabled,
    build: |c| Box::new(MfaFatigue::new(&c.detectors.mfa_fatigue)),
    rule,
    checks,
    explain: plain,
    label: "MFA fatigue",
    stage: Stage::Access,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Step,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(spark::query),
        kql: LakeQuery::None("KQL has no fold over a user's prompts yet (the Spark SQL query is one `aggregate`; KQL would need `scan`)"),
        esql: LakeQuery::None("ES|QL keeps no per-user state across events (prompts then a success in order)"),
    },
    near: Near::None("counts MFA prompts, then a success, per user"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.mfa_fatigue.risk_no_success, "mfa_fatigue.risk_no_success")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.mfa_fatigue;
    format!(
        "A user's MFA prompts were denied or left unanswered (Entra 500121 or repeated {}, Okta push rejected): at least {} then a successful sign-in within {} is high; at least {} without a success is medium.",
        c.prompt_codes.join("/"),
        c.min_prompts_then_success,
        c.window,
        c.min_prompts_without_success
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let c = &c.detectors.mfa_fatigue;
    let (name, limit) = if d.approved {
        ("min_prompts_then_success", c.min_prompts_then_success)
    } else {
        ("min_prompts_without_success", c.min_prompts_without_success)
    };
    vec![at_least("prompts", d.prompts as f64, name, limit as f64)]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub user: String,
    /// Denied or unanswered prompts counted (one per [`SAME_PROMPT_MS`]).
    pub prompts: u32,
    /// A successful sign-in followed them.
    pub approved: bool,
    pub first_prompt: String,
    pub last_prompt: String,
    pub success: Option<Value>,
    pub ips: Vec<String>,
    pub result_codes: Vec<String>,
    /// Entra `status.additionalDetails` of the prompts ("MFA denied; …").
    pub status_details: Vec<String>,
    pub thresholds: Value,
    pub note: String,
}

/// Events of one user closer than this are one prompt.
pub const SAME_PROMPT_MS: Millis = 2_000;
const MAX_DETAILS: usize = 5;
/// Most prompts kept per user window.
const MAX_WINDOW: usize = 10_000;

struct Burst {
    first: Millis,
    last: Millis,
    prompts: u32,
    ips: Distinct,
    codes: Distinct,
    /// Distinct status details, at most [`MAX_DETAILS`].
    details: Vec<String>,
    evidence: Vec<EventIdx>,
    success: Option<EventIdx>,
}

struct UserState {
    prompts: Window<EventIdx>,
    burst: Option<Burst>,
}

pub struct MfaFatigue {
    cfg: MfaFatigueConfig,
    users: FxHashMap<Sym, UserState>,
    /// Result-code symbols already looked up: whether each is a prompt code.
    codes: FxHashMap<Sym, bool>,
    sweep: Sweep,
}

impl MfaFatigue {
    pub fn new(cfg: &MfaFatigueConfig) -> Self {
        MfaFatigue {
            cfg: cfg.clone(),
            users: FxHashMap::default(),
            codes: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn is_prompt(&mut self, cx: &DetectCx, ev: &Event) -> bool {
        if ev.flags & flags::MFA_DENIED != 0 {
            return true;
        }
        if ev.outcome != Outcome::Interrupted || ev.result_code.is_none() {
            return false;
        }
        if self.codes.len() > 4096 {
            self.codes.clear();
        }
        let list = &self.cfg.prompt_codes;
        *self.codes.entry(ev.result_code).or_insert_with(|| {
            let code = cx.store.text(ev.result_code);
            list.iter().any(|c| c == code)
        })
    }

    fn on_prompt(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let st = self.users.entry(ev.user).or_insert_with(|| UserState {
            prompts: Window::new(span),
            burst: None,
        });
        st.prompts.prune(ev.time);
        if st
            .prompts
            .last_time()
            .is_some_and(|t| (ev.time - t).abs() < SAME_PROMPT_MS)
        {
            return;
        }
        st.prompts.push(ev.time, idx);
        st.prompts.cap(MAX_WINDOW);
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last + span && b.success.is_none() {
                add(b, cx, ev.time, idx);
                out.push(snapshot(&self.cfg, cx, ev.user, b));
                return;
            }
            st.burst = None;
        }
        if st.prompts.len() < self.cfg.min_prompts_without_success as usize {
            return;
        }
        let b = open(cx, &st.prompts);
        out.push(snapshot(&self.cfg, cx, ev.user, &b));
        st.burst = Some(b);
    }

    fn on_success(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let Some(st) = self.users.get_mut(&ev.user) else {
            return;
        };
        st.prompts.prune(ev.time);
        let open_burst = st
            .burst
            .as_ref()
            .is_some_and(|b| b.success.is_none() && ev.time >= b.last && ev.time <= b.last + span);
        let before = st.prompts.iter().filter(|(t, _)| *t <= ev.time).count();
        if !open_burst && before < self.cfg.min_prompts_then_success as usize {
            // The user signed in: the prompts before are over.
            st.prompts.take_through(ev.time);
            return;
        }
        let mut b = match st.burst.take() {
            Some(b) if open_burst => b,
            _ => {
                let mut w = Window::new(span);
                for &(t, i) in st.prompts.iter().filter(|(t, _)| *t <= ev.time) {
                    w.push(t, i);
                }
                open(cx, &w)
            }
        };
        st.prompts.take_through(ev.time);
        b.success = Some(idx);
        b.last = b.last.max(ev.time);
        push_capped(&mut b.evidence, idx, crate::finding::MAX_EVIDENCE);
        out.push(snapshot(&self.cfg, cx, ev.user, &b));
        st.burst = Some(b);
    }

    fn sweep(&mut self, now: Millis) {
        let span = self.cfg.window.ms();
        self.users.retain(|_, st| {
            st.prompts.prune(now);
            if st.burst.as_ref().is_some_and(|b| b.last + span < now) {
                st.burst = None;
            }
            !st.prompts.is_empty() || st.burst.is_some()
        });
    }
}

/// A burst of the prompts in `w`.
fn open(cx: &DetectCx, w: &Window<EventIdx>) -> Burst {
    let first = w.first_time().unwrap_or_default();
    let mut b = Burst {
        first,
        last: first,
        prompts: 0,
        ips: Distinct::new(10),
        codes: Distinct::new(10),
        details: Vec::new(),
        evidence: Vec::new(),
        success: None,
    };
    for &(t, i) in w.iter() {
        add(&mut b, cx, t, i);
    }
    b
}

fn add(b: &mut Burst, cx: &DetectCx, t: Millis, idx: EventIdx) {
    let ev = cx.store.get(idx);
    b.first = b.first.min(t);
    b.last = b.last.max(t);
    b.prompts += 1;
    b.ips.insert(ev.ip);
    b.codes.insert(ev.result_code);
    if ev.extra.is_some() {
        let detail = crate::event::extra_value(
            cx.store.text(ev.extra),
            crate::event::extra::STATUS_DETAIL,
        );
        if let Some(d) = detail {
            if b.details.len() < MAX_DETAILS && !b.details.iter().any(|x| x == d) {
                b.details.push(d.to_string());
            }
        }
    }
    // Keep room for the success.
    push_capped(&mut b.evidence, idx, crate::finding::MAX_EVIDENCE - 1);
}

fn snapshot(cfg: &MfaFatigueConfig, cx: &DetectCx, user: Sym, b: &Burst) -> Finding {
    let store = cx.store;
    let user_text = store.text(user);
    let approved = b.success.is_some();
    let (risk, severity, title) = if approved {
        (
            cfg.risk_success,
            Severity::High,
            format!(
                "MFA fatigue: {} denied or unanswered prompts, then {user_text} signed in",
                b.prompts
            ),
        )
    } else {
        (
            cfg.risk_no_success,
            Severity::Medium,
            format!(
                "MFA fatigue: {} denied or unanswered prompts for {user_text}",
                b.prompts
            ),
        )
    };
    let mut f = Finding::new(DetectorId::MfaFatigue, user_text, b.first, risk, title);
    f.severity = severity;
    f.user = Some(user_text.to_string());
    let success = b.success.map(|i| store.get(i));
    f.ip = success
        .and_then(|e| crate::detect::tally::opt_text(store, e.ip))
        .or_else(|| b.ips.texts(store).into_iter().next());
    f.last_seen = b.last;
    f.event_count = b.prompts + u32::from(approved);
    for &i in &b.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        user: user_text.to_string(),
        prompts: b.prompts,
        approved,
        first_prompt: iso(b.first),
        last_prompt: iso(b.last),
        success: success.map(|e| {
            json!({
                "time": iso(e.time),
                "ip": store.text(e.ip),
                "app": store.text(e.app),
                "country": store.text(e.country),
            })
        }),
        ips: b.ips.texts(store),
        result_codes: b.codes.texts(store),
        status_details: b.details.clone(),
        thresholds: json!({
            "min_prompts_then_success": cfg.min_prompts_then_success,
            "min_prompts_without_success": cfg.min_prompts_without_success,
            "window": cfg.window.to_string(),
            "prompt_codes": cfg.prompt_codes,
        }),
        note: "a denied MFA prompt means the password was right; events under 2 s apart are one prompt"
            .into(),
    });
    f
}

impl Detector for MfaFatigue {
    fn id(&self) -> DetectorId {
        DetectorId::MfaFatigue
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(now);
        }
        if !ev.is_signin() || ev.user.is_none() {
            return;
        }
        if ev.outcome == Outcome::Success {
            self.on_success(cx, idx, ev, out);
        } else if self.is_prompt(cx, ev) {
            self.on_prompt(cx, idx, ev, out);
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}
