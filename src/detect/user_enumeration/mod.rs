//! `user_enumeration` (issue 13): within any sliding window one IP fails for
//! ≥ N distinct accounts that do not exist (events flagged `NO_SUCH_USER`:
//! Entra 50034, Okta `UNKNOWN_USER`, sshd `Invalid user`, Kerberos 4768/4771
//! 0x6, logon status 0xC0000064) — kerbrute, sshd user lists, username
//! harvesting before a spray. A burst continues while such failures keep
//! arriving within a window of the previous one; one finding per IP per
//! burst. Failures on real accounts are `password_spray`'s business and are
//! not counted. State is per IP, pruned by event time.

pub mod settings;

use super::describe::{Near, Approach, Lake, LakeQuery, Role};
use crate::lake::shape::{Counted, Key, Then, WindowedCount};
use super::describe::{at_least, plain, to_details, typed, Check, Description, Entity, Stage};
use super::tally::{iso, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector};
use crate::config::{Config, EnumerationConfig};
use crate::event::{flags, Event, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "enum",
    cost: 3,
    entity: Entity::Ip,
    enabled: |c| c.detectors.user_enumeration.enabled,
    build: |c| Box::new(UserEnumeration::new(&c.detectors.user_enumeration)),
    rule,
    checks,
    explain: plain,
    label: "user enumeration",
    stage: Stage::Access,
    risk: lake_risk,
    settings: settings::DOC,
    role: Role::Step,
    reads: &[],
    lake: Lake {
        spark_sql: LakeQuery::Query(|c| crate::lake::spark::windowed_query(&lake_shape(c))),
        kql: LakeQuery::Query(|c| crate::lake::kql::windowed_query(&lake_shape(c))),
        esql: LakeQuery::Query(|c| crate::lake::esql::binned(&lake_shape(c))),
    },
    near: Near::Windowed(|c| Approach {
        shape: lake_shape(c),
        events: ("", ""),
        users: ("min_accounts", "unknown accounts"),
    }),
};

/// The detector's lake shape: failures on unknown accounts from one IP, counting distinct accounts in a sliding window
/// (each dialect renders it; see `lake::shape`).
pub(crate) fn lake_shape(c: &Config) -> WindowedCount {
    let b = &c.detectors.user_enumeration;
    WindowedCount {
        detector: DetectorId::UserEnumeration,
        counted: Counted::UnknownAccounts,
        key: Key::Ip,
        min_events: None,
        min_users: Some(b.min_accounts),
        window_ms: b.window.ms(),
        then: Then::Nothing,
    }
}

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.user_enumeration.risk, "user_enumeration.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.user_enumeration;
    format!(
        "One IP failed for at least {} distinct accounts that do not exist (Entra 50034, Okta UNKNOWN_USER, sshd Invalid user, Kerberos 0x6) within a {} sliding window.",
        c.min_accounts, c.window
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let c = &c.detectors.user_enumeration;
    vec![at_least(
        "unknown_accounts",
        d.unknown_accounts as f64,
        "min_accounts",
        c.min_accounts as f64,
    )]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub ip: String,
    pub unknown_accounts: usize,
    pub account_list: Vec<String>,
    pub attempts: u32,
    pub sources: Vec<String>,
    pub result_codes: Vec<String>,
    pub first_attempt: String,
    pub last_attempt: String,
    pub thresholds: Value,
    pub note: String,
}

const EVIDENCE: usize = crate::finding::MAX_EVIDENCE;
/// Most failures kept per IP window (the count is then a lower bound).
const MAX_WINDOW: usize = 10_000;

struct Burst {
    first: Millis,
    last: Millis,
    attempts: u32,
    accounts: Distinct,
    codes: Distinct,
    sources: Vec<&'static str>,
    evidence: Vec<EventIdx>,
}

struct IpState {
    fails: Window<(Sym, EventIdx)>,
    /// How many failures each account has in the window.
    accounts: FxHashMap<Sym, u32>,
    burst: Option<Burst>,
}

pub struct UserEnumeration {
    cfg: EnumerationConfig,
    ips: FxHashMap<Sym, IpState>,
    sweep: Sweep,
}

impl UserEnumeration {
    pub fn new(cfg: &EnumerationConfig) -> Self {
        UserEnumeration {
            cfg: cfg.clone(),
            ips: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn sweep(&mut self, now: Millis) {
        let span = self.cfg.window.ms();
        self.ips.retain(|_, st| {
            let accounts = &mut st.accounts;
            st.fails.prune_each(now, |_, (u, _)| forget(accounts, u));
            if st.burst.as_ref().is_some_and(|b| b.last + span < now) {
                st.burst = None;
            }
            !st.fails.is_empty() || st.burst.is_some()
        });
    }
}

fn forget(accounts: &mut FxHashMap<Sym, u32>, u: Sym) {
    if let Some(n) = accounts.get_mut(&u) {
        *n -= 1;
        if *n == 0 {
            accounts.remove(&u);
        }
    }
}

impl Burst {
    fn add(&mut self, t: Millis, idx: EventIdx, ev: &Event) {
        self.first = self.first.min(t);
        self.last = self.last.max(t);
        self.attempts += 1;
        self.accounts.insert(ev.user);
        self.codes.insert(ev.result_code);
        let source = ev.source.as_str();
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
        push_capped(&mut self.evidence, idx, EVIDENCE);
    }
}

fn snapshot(cfg: &EnumerationConfig, cx: &DetectCx, ip: Sym, b: &Burst) -> Finding {
    let store = cx.store;
    let ip_text = store.text(ip);
    let n = b.accounts.len();
    let title = format!(
        "User enumeration from {ip_text}: {n} non-existent accounts tried ({} attempts)",
        b.attempts
    );
    let mut f = Finding::new(
        DetectorId::UserEnumeration,
        ip_text,
        b.first,
        cfg.risk,
        title,
    );
    f.ip = Some(ip_text.to_string());
    f.last_seen = b.last;
    f.event_count = b.attempts;
    for &i in &b.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        ip: ip_text.to_string(),
        unknown_accounts: n,
        account_list: b.accounts.texts(store),
        attempts: b.attempts,
        sources: b.sources.iter().map(|s| s.to_string()).collect(),
        result_codes: b.codes.texts(store),
        first_attempt: iso(b.first),
        last_attempt: iso(b.last),
        thresholds: json!({
            "min_accounts": cfg.min_accounts,
            "window": cfg.window.to_string(),
        }),
        note: "only failures the source says were for an account that does not exist".into(),
    });
    f
}

impl Detector for UserEnumeration {
    fn id(&self) -> DetectorId {
        DetectorId::UserEnumeration
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.ips.len()) {
            self.sweep(now);
        }
        if !ev.is_signin()
            || ev.outcome != Outcome::Failure
            || ev.flags & flags::NO_SUCH_USER == 0
            || ev.ip.is_none()
            || ev.user.is_none()
        {
            return;
        }
        let span = self.cfg.window.ms();
        let st = self.ips.entry(ev.ip).or_insert_with(|| IpState {
            fails: Window::new(span),
            accounts: FxHashMap::default(),
            burst: None,
        });
        let accounts = &mut st.accounts;
        st.fails.prune_each(ev.time, |_, (u, _)| forget(accounts, u));
        st.fails.push(ev.time, (ev.user, idx));
        *st.accounts.entry(ev.user).or_insert(0) += 1;
        if st.fails.len() > MAX_WINDOW {
            if let Some(oldest) = st.fails.first_time() {
                for (_, (u, _)) in st.fails.take_through(oldest) {
                    forget(&mut st.accounts, u);
                }
            }
        }
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last + span {
                b.add(ev.time, idx, ev);
                out.push(snapshot(&self.cfg, cx, ev.ip, b));
                return;
            }
            st.burst = None;
        }
        if st.accounts.len() < self.cfg.min_accounts as usize {
            return;
        }
        let first = st.fails.first_time().unwrap_or(ev.time);
        let mut b = Burst {
            first,
            last: first,
            attempts: 0,
            accounts: Distinct::new(50),
            codes: Distinct::new(10),
            sources: Vec::new(),
            evidence: Vec::new(),
        };
        for &(t, (_, i)) in st.fails.iter() {
            b.add(t, i, &cx.store.get(i));
        }
        out.push(snapshot(&self.cfg, cx, ev.ip, &b));
        st.burst = Some(b);
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.ips.len()
    }
}
