//! `bulk_send` (SPEC §4, seed 003): ≥ N `Send` audit operations by one user
//! within any sliding window (not fixed bins): a compromised mailbox sending
//! phishing or spam. One finding per burst; a burst continues while sends keep
//! arriving within a window of the previous one, and each send updates it.
//! Risk 60, 70 once some window held twice the threshold (configurable). Per-user windows
//! are pruned by event time; nothing here reads the clock.

pub mod settings;

use super::describe::{Near, Approach, Lake, LakeQuery, Role};
use crate::lake::shape::{Counted, Key, Then, WindowedCount};
use super::describe::{Stage, at_least, plain, to_details, typed, Check, Description, Entity};
use super::tally::{iso, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector};
use crate::config::{BulkSendConfig, Config};
use crate::event::{Event, Kind, Millis, Sym};
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) static DESCRIPTION: Description = Description {
    short: "bulk",
    label: "bulk send",
    stage: Stage::Action,
    cost: 1,
    entity: Entity::User,
    enabled: |c| c.detectors.bulk_send.enabled,
    build: |c| Box::new(BulkSend::new(&c.detectors.bulk_send)),
    rule,
    checks,
    explain: plain,
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
        events: ("min_sends", "sends"),
        users: ("", ""),
    }),
};

/// The detector's lake shape: mail sent by one user in a sliding window
/// (each dialect renders it; see `lake::shape`).
pub(crate) fn lake_shape(c: &Config) -> WindowedCount {
    let b = &c.detectors.bulk_send;
    WindowedCount {
        detector: DetectorId::BulkSend,
        counted: Counted::Sends,
        key: Key::User,
        min_events: Some(b.min_sends),
        min_users: None,
        window_ms: b.window.ms(),
        then: Then::Nothing,
    }
}

/// The risk of a finding known only by its lake row (see [`Description::risk`]).
fn lake_risk(c: &Config, _: &super::describe::Outline) -> (u8, &'static str) {
    (c.detectors.bulk_send.risk, "bulk_send.risk")
}

fn rule(c: &Config) -> String {
    let c = &c.detectors.bulk_send;
    format!(
        "At least {} Send operations by one user within {}.",
        c.min_sends, c.window
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let min = c.detectors.bulk_send.min_sends as f64;
    vec![at_least("peak_in_window", d.peak_in_window as f64, "min_sends", min)]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    pub sends: u32,
    /// The most sends any one window held.
    pub peak_in_window: u32,
    pub first_send: String,
    pub last_send: String,
    pub ips: Vec<String>,
    pub distinct_ips: usize,
    pub thresholds: Value,
}

/// Most sends kept per user window (far above any sane threshold).
const MAX_WINDOW: usize = 100_000;

struct Burst {
    first: Millis,
    last: Millis,
    sends: u32,
    peak: u32,
    ips: Distinct,
    evidence: Vec<EventIdx>,
}

struct UserState {
    window: Window<EventIdx>,
    burst: Option<Burst>,
}

pub struct BulkSend {
    cfg: BulkSendConfig,
    users: FxHashMap<Sym, UserState>,
    sweep: Sweep,
}

impl BulkSend {
    pub fn new(cfg: &BulkSendConfig) -> Self {
        BulkSend {
            cfg: cfg.clone(),
            users: FxHashMap::default(),
            sweep: Sweep::default(),
        }
    }

    fn sweep(&mut self, now: Millis) {
        let span = self.cfg.window.ms();
        self.users.retain(|_, st| {
            st.window.prune(now);
            if st.burst.as_ref().is_some_and(|b| b.last + span < now) {
                st.burst = None;
            }
            !st.window.is_empty() || st.burst.is_some()
        });
    }
}

fn snapshot(cfg: &BulkSendConfig, store: &Store, user: Sym, b: &Burst) -> Finding {
    let user_text = store.text(user);
    let risk = if b.peak >= cfg.min_sends.saturating_mul(2) {
        cfg.risk_double
    } else {
        cfg.risk
    };
    let title = format!(
        "Bulk sending by {user_text}: {} messages, up to {} within {}",
        b.sends, b.peak, cfg.window
    );
    let mut f = Finding::new(DetectorId::BulkSend, user_text, b.first, risk, title);
    f.user = Some(user_text.to_string());
    let ips = b.ips.texts(store);
    f.ip = ips.first().cloned();
    f.last_seen = b.last;
    f.event_count = b.sends;
    for &i in &b.evidence {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        sends: b.sends,
        peak_in_window: b.peak,
        first_send: iso(b.first),
        last_send: iso(b.last),
        distinct_ips: b.ips.len(),
        ips,
        thresholds: json!({
            "min_sends": cfg.min_sends,
            "window": cfg.window.to_string(),
            "risk": format!(
                "{}, or {} when a window held {} or more",
                cfg.risk,
                cfg.risk_double,
                cfg.min_sends.saturating_mul(2)
            ),
        }),
    });
    f
}

impl Detector for BulkSend {
    fn id(&self) -> DetectorId {
        DetectorId::BulkSend
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.users.len()) {
            self.sweep(now);
        }
        if ev.kind != Kind::Audit
            || ev.user.is_none()
            || !cx.store.text(ev.operation).eq_ignore_ascii_case("Send")
        {
            return;
        }
        let span = self.cfg.window.ms();
        let st = self.users.entry(ev.user).or_insert_with(|| UserState {
            window: Window::new(span),
            burst: None,
        });
        st.window.prune(ev.time);
        st.window.push(ev.time, idx);
        st.window.cap(MAX_WINDOW);
        let in_window = st.window.len() as u32;
        if st.burst.as_ref().is_some_and(|b| ev.time > b.last + span) {
            st.burst = None;
        }
        match st.burst.as_mut() {
            Some(b) => {
                b.sends += 1;
                b.last = b.last.max(ev.time);
                b.peak = b.peak.max(in_window);
                b.ips.insert(ev.ip);
                if b.evidence.len() < crate::finding::MAX_EVIDENCE {
                    b.evidence.push(idx);
                }
            }
            None if in_window >= self.cfg.min_sends => {
                let mut b = Burst {
                    first: st.window.first_time().unwrap_or(ev.time),
                    last: ev.time,
                    sends: in_window,
                    peak: in_window,
                    ips: Distinct::new(10),
                    evidence: Vec::new(),
                };
                for &(_, i) in st.window.iter() {
                    b.ips.insert(cx.store.get(i).ip);
                    if b.evidence.len() < crate::finding::MAX_EVIDENCE {
                        b.evidence.push(i);
                    }
                }
                st.burst = Some(b);
            }
            None => return,
        }
        if let Some(b) = st.burst.as_ref() {
            out.push(snapshot(&self.cfg, cx.store, ev.user, b));
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.users.len()
    }
}
