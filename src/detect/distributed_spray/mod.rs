//! `distributed_spray` (issue 13): a spray spread over the addresses of one
//! network (a rotating proxy pool): ≥ N distinct users fail from ≥ M IPs of
//! one network within the window, while no single IP meets
//! `password_spray`'s thresholds (whose config it reads; an IP that does is
//! `password_spray`'s finding, and its network stays quiet for a window). The
//! network is the AS number when enrichment knows it, else the /24 (IPv4) or
//! /48 (IPv6) prefix. Verified sign-ins from the network decide the verdict as
//! for `password_spray`: 1..=K users → with success, more → a shared network
//! (an ISP or a company's egress range), suppressed. One finding per network
//! per burst. State per network: the window's failures (capped) with
//! per-user and per-IP counts, each IP's short window, a few verified users;
//! all pruned by event time.

pub mod settings;
mod spark;

use super::describe::{Near, Lake, LakeQuery, Role};
use super::spray_verdict::{Risks, Verdict};
use super::describe::{at_least, plain, to_details, typed, Check, Description, Entity, Stage};
use super::tally::{iso, merge_evidence, push_capped, Distinct};
use super::window::{Sweep, Window};
use super::{DetectCx, Detector, DetectorId};
use crate::config::{Config, DistributedSprayConfig, SprayConfig};
use crate::event::{Event, Millis, Outcome, Sym};
use crate::finding::Finding;
use crate::store::{EventIdx, Store};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(super) static DESCRIPTION: Description = Description {
    short: "dist-spray",
    label: "distributed password spray",
    stage: Stage::Access,
    cost: 45,
    entity: Entity::Network,
    enabled: |c| c.detectors.distributed_spray.enabled,
    build: |c| {
        Box::new(DistributedSpray::new(
            &c.detectors.distributed_spray,
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
        kql: LakeQuery::None("KQL has no chained network-wide spray yet (it needs password_spray's fast windows inside the chain)"),
        esql: LakeQuery::None("ES|QL keeps no per-network state across events (a chain of failures that never turns fast)"),
    },
    near: Near::None("counts users and IPs of a whole network at once"),
};

/// The risk of a finding known only by its lake row (see [`Description::risk`]):
/// shared egress when suppressed, a spray with success when it names a user.
fn lake_risk(c: &Config, o: &super::describe::Outline) -> (u8, &'static str) {
    Verdict::of_outline(o).risk(&risks(&c.detectors.distributed_spray))
}

/// The configured risks of each verdict ([`super::spray_verdict`]).
fn risks(cfg: &DistributedSprayConfig) -> Risks {
    Risks {
        attempt: (cfg.risk_attempt, "distributed_spray.risk_attempt"),
        success: (cfg.risk_success, "distributed_spray.risk_success"),
        shared: (cfg.risk_shared, "distributed_spray.risk_shared"),
        max_success_users: cfg.max_success_users,
    }
}

fn rule(c: &Config) -> String {
    let (d, p) = (&c.detectors.distributed_spray, &c.detectors.password_spray);
    format!(
        "At least {} distinct users failed from at least {} IPs of one network (AS number, else /24 or /48) within {}, no single IP reaching password_spray's {} users and {} attempts within {}. More than {} users signing in from the network is a shared network (suppressed).",
        d.min_users, d.min_ips, d.window, p.min_users, p.min_attempts, p.window, d.max_success_users
    )
}

fn checks(details: &Value, c: &Config) -> Vec<Check> {
    let Some(d) = typed::<Details>(details) else {
        return Vec::new();
    };
    let c = &c.detectors.distributed_spray;
    vec![
        at_least(
            "peak_users_in_window",
            d.peak_users_in_window as f64,
            "min_users",
            c.min_users as f64,
        ),
        at_least(
            "peak_ips_in_window",
            d.peak_ips_in_window as f64,
            "min_ips",
            c.min_ips as f64,
        ),
    ]
}

/// What a finding reports (its JSON `details`).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub(crate) struct Details {
    /// `AS9009`, `203.0.113.0/24` or `2001:db8:1::/48`.
    pub network: String,
    pub as_org: Option<String>,
    /// "distributed spray with success", "distributed spray attempt" or "shared network".
    pub verdict: String,
    pub first_failure: String,
    pub last_failure: String,
    pub failed_attempts: u32,
    pub failed_users: usize,
    pub failed_user_list: Vec<String>,
    pub distinct_ips: usize,
    pub ips: Vec<String>,
    /// Most distinct users and IPs failing within one window.
    pub peak_users_in_window: usize,
    pub peak_ips_in_window: usize,
    pub successful_users: usize,
    pub successful_user_list: Vec<String>,
    pub thresholds: Value,
}

/// Most failures held per network window.
const MAX_WINDOW: usize = 8192;
/// Verified users remembered per network.
const MAX_OK_USERS: usize = 64;
const FAIL_EVIDENCE: usize = 40;
const OK_EVIDENCE: usize = 10;

/// A network: AS number, else an IPv4 /24 or IPv6 /48 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Net {
    As(u32),
    V4(u32),
    V6(u64),
}

impl Net {
    fn of(store: &Store, ev: &Event) -> Option<Net> {
        if ev.asn != 0 {
            return Some(Net::As(ev.asn));
        }
        match store.text(ev.ip).parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => Some(Net::V4(u32::from(a) & 0xffff_ff00)),
            IpAddr::V6(a) => Some(Net::V6((u128::from(a) >> 80) as u64)),
        }
    }

    fn text(self) -> String {
        match self {
            Net::As(n) => format!("AS{n}"),
            Net::V4(p) => format!("{}/24", Ipv4Addr::from(p)),
            Net::V6(p) => format!("{}/48", Ipv6Addr::from(u128::from(p) << 80)),
        }
    }
}

#[derive(Default)]
struct Tally(FxHashMap<Sym, u32>);

impl Tally {
    fn add(&mut self, k: Sym) {
        *self.0.entry(k).or_insert(0) += 1;
    }
    /// Forgets one; true when `k` has none left.
    fn forget(&mut self, k: Sym) -> bool {
        match self.0.get_mut(&k) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => {
                self.0.remove(&k);
                true
            }
        }
    }
}

/// One IP of the network: its failures in password_spray's window.
struct IpShort {
    fails: Window<Sym>,
    users: Tally,
}

struct Burst {
    first: Millis,
    last: Millis,
    attempts: u32,
    users: Distinct,
    ips: Distinct,
    peak_users: usize,
    peak_ips: usize,
    ok_users: Distinct,
    fail_evidence: Vec<EventIdx>,
    ok_evidence: Vec<EventIdx>,
    /// Grown since its last snapshot (pushed at the batch's end, or when
    /// the burst ends first): a burst's cost does not grow with its size.
    dirty: bool,
}

struct NetState {
    org: Sym,
    fails: Window<(Sym, Sym, EventIdx)>,
    users: Tally,
    ips: Tally,
    short: FxHashMap<Sym, IpShort>,
    /// Last time one IP met password_spray's thresholds.
    fast_at: Option<Millis>,
    oks: FxHashMap<Sym, (Millis, EventIdx)>,
    burst: Option<Burst>,
}

pub struct DistributedSpray {
    cfg: DistributedSprayConfig,
    fast: SprayConfig,
    nets: FxHashMap<Net, NetState>,
    sweep: Sweep,
    /// Networks whose burst grew since the last flush.
    dirty: Vec<Net>,
}

impl DistributedSpray {
    pub fn new(cfg: &DistributedSprayConfig, fast: &SprayConfig) -> Self {
        DistributedSpray {
            cfg: cfg.clone(),
            fast: fast.clone(),
            nets: FxHashMap::default(),
            sweep: Sweep::default(),
            dirty: Vec::new(),
        }
    }

    fn on_failure(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, net: Net, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let fast_span = self.fast.window.ms();
        let st = self.nets.entry(net).or_insert_with(|| NetState {
            org: ev.as_org,
            fails: Window::new(span),
            users: Tally::default(),
            ips: Tally::default(),
            short: FxHashMap::default(),
            fast_at: None,
            oks: FxHashMap::default(),
            burst: None,
        });
        prune(st, ev.time);
        st.fails.push(ev.time, (ev.user, ev.ip, idx));
        st.users.add(ev.user);
        st.ips.add(ev.ip);
        if st.fails.len() > MAX_WINDOW {
            if let Some(&(_, (u, ip, _))) = st.fails.iter().next() {
                st.users.forget(u);
                if st.ips.forget(ip) {
                    st.short.remove(&ip);
                }
            }
            st.fails.cap(MAX_WINDOW);
        }
        let ip = st.short.entry(ev.ip).or_insert_with(|| IpShort {
            fails: Window::new(fast_span),
            users: Tally::default(),
        });
        let users = &mut ip.users;
        ip.fails.prune_each(ev.time, |_, u| {
            users.forget(u);
        });
        ip.fails.push(ev.time, ev.user);
        ip.users.add(ev.user);
        if ip.users.0.len() >= self.fast.min_users as usize
            && ip.fails.len() >= self.fast.min_attempts as usize
        {
            // password_spray's finding: the network is not distributed, now or for a window.
            st.fast_at = Some(ev.time);
            if let Some(b) = st.burst.take().filter(|b| b.dirty) {
                out.push(snapshot(&self.cfg, &self.fast, cx, net, st.org, &b));
            }
            return;
        }
        let (users_now, ips_now) = (st.users.0.len(), st.ips.0.len());
        if let Some(b) = st.burst.as_mut() {
            if ev.time <= b.last + span {
                add_failure(b, ev.time, ev.user, ev.ip, idx);
                b.peak_users = b.peak_users.max(users_now);
                b.peak_ips = b.peak_ips.max(ips_now);
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(net);
                }
                return;
            }
            // The burst is over: its last growth is said before it goes.
            if let Some(b) = st.burst.take().filter(|b| b.dirty) {
                out.push(snapshot(&self.cfg, &self.fast, cx, net, st.org, &b));
            }
        }
        let first = st.fails.first_time().unwrap_or(ev.time);
        let was_fast = st.fast_at.is_some_and(|t| t >= first);
        if users_now < self.cfg.min_users as usize || ips_now < self.cfg.min_ips as usize || was_fast {
            return;
        }
        let mut b = Burst {
            first,
            last: first,
            attempts: 0,
            users: Distinct::new(50),
            ips: Distinct::new(50),
            peak_users: users_now,
            peak_ips: ips_now,
            ok_users: Distinct::new(25),
            fail_evidence: Vec::new(),
            ok_evidence: Vec::new(),
            dirty: false,
        };
        for &(t, (u, ip, i)) in st.fails.iter() {
            add_failure(&mut b, t, u, ip, i);
        }
        let mut oks: Vec<_> = st.oks.iter().filter(|(_, v)| v.0 >= first).collect();
        oks.sort_by_key(|(_, v)| *v);
        for (&u, &(_, i)) in oks {
            b.ok_users.insert(u);
            push_capped(&mut b.ok_evidence, i, OK_EVIDENCE);
        }
        out.push(snapshot(&self.cfg, &self.fast, cx, net, st.org, &b));
        st.burst = Some(b);
    }

    fn on_verified(&mut self, idx: EventIdx, ev: &Event, net: Net) {
        let span = self.cfg.window.ms();
        let Some(st) = self.nets.get_mut(&net) else {
            return;
        };
        if st.oks.len() < MAX_OK_USERS || st.oks.contains_key(&ev.user) {
            let e = st.oks.entry(ev.user).or_insert((ev.time, idx));
            if ev.time >= e.0 {
                *e = (ev.time, idx);
            }
        }
        if let Some(b) = st.burst.as_mut() {
            if ev.time >= b.first && ev.time <= b.last + span {
                b.ok_users.insert(ev.user);
                push_capped(&mut b.ok_evidence, idx, OK_EVIDENCE);
                if !std::mem::replace(&mut b.dirty, true) {
                    self.dirty.push(net);
                }
            }
        }
    }

    fn sweep(&mut self, cx: &DetectCx, now: Millis, out: &mut Vec<Finding>) {
        let span = self.cfg.window.ms();
        let (cfg, fast) = (&self.cfg, &self.fast);
        self.nets.retain(|&net, st| {
            prune(st, now);
            st.oks.retain(|_, v| v.0 + span >= now);
            if st.burst.as_ref().is_some_and(|b| b.last + span < now) {
                if let Some(b) = st.burst.take().filter(|b| b.dirty) {
                    out.push(snapshot(cfg, fast, cx, net, st.org, &b));
                }
            }
            if st.fast_at.is_some_and(|t| t + span < now) {
                st.fast_at = None;
            }
            !st.fails.is_empty() || st.burst.is_some()
        });
    }
}

fn prune(st: &mut NetState, now: Millis) {
    let (users, ips, short) = (&mut st.users, &mut st.ips, &mut st.short);
    st.fails.prune_each(now, |_, (u, ip, _)| {
        users.forget(u);
        if ips.forget(ip) {
            short.remove(&ip);
        }
    });
}

fn add_failure(b: &mut Burst, t: Millis, user: Sym, ip: Sym, idx: EventIdx) {
    b.first = b.first.min(t);
    b.last = b.last.max(t);
    b.attempts += 1;
    b.users.insert(user);
    b.ips.insert(ip);
    push_capped(&mut b.fail_evidence, idx, FAIL_EVIDENCE);
}

fn snapshot(
    cfg: &DistributedSprayConfig,
    fast: &SprayConfig,
    cx: &DetectCx,
    net: Net,
    org: Sym,
    b: &Burst,
) -> Finding {
    let store = cx.store;
    let net_text = net.text();
    let org_text = (!org.is_none()).then(|| store.text(org).to_string());
    let named = match &org_text {
        Some(o) => format!("{net_text} ({o})"),
        None => net_text.clone(),
    };
    let (failed, ips, ok) = (b.users.len(), b.ips.len(), b.ok_users.len());
    let v = Verdict::of(ok, cfg.max_success_users);
    let (verdict, title) = match v {
        Verdict::Attempt => (
            "distributed spray attempt",
            format!("Distributed password spray from {named}: {failed} users failed from {ips} IPs"),
        ),
        Verdict::Success => (
            "distributed spray with success",
            format!(
                "Distributed password spray with success from {named}: {failed} users failed from {ips} IPs, {} signed in",
                b.ok_users.texts(store).join(", ")
            ),
        ),
        Verdict::Shared => (
            "shared network",
            format!("Shared network {named}: {failed} users failed from {ips} IPs, {ok} users signed in"),
        ),
    };
    let (risk, _) = v.risk(&risks(cfg));
    let mut f = Finding::new(DetectorId::DistributedSpray, &net_text, b.first, risk, title);
    f.suppressed = v.suppression(|| {
        format!(
            "shared network: {ok} distinct users signed in successfully from it (ISP or company range)"
        )
    });
    let ip_list = b.ips.texts(store);
    f.ip = ip_list.first().cloned();
    f.user = b.ok_users.texts(store).into_iter().next();
    f.last_seen = b.last;
    f.event_count = b.attempts + b.ok_evidence.len() as u32;
    for i in merge_evidence(store, &b.fail_evidence, &b.ok_evidence) {
        f.add_evidence(i);
    }
    f.details = to_details(&Details {
        network: net_text,
        as_org: org_text,
        verdict: verdict.into(),
        first_failure: iso(b.first),
        last_failure: iso(b.last),
        failed_attempts: b.attempts,
        failed_users: failed,
        failed_user_list: b.users.texts(store),
        distinct_ips: ips,
        ips: ip_list,
        peak_users_in_window: b.peak_users,
        peak_ips_in_window: b.peak_ips,
        successful_users: ok,
        successful_user_list: b.ok_users.texts(store),
        thresholds: json!({
            "window": cfg.window.to_string(),
            "min_users": cfg.min_users,
            "min_ips": cfg.min_ips,
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

impl Detector for DistributedSpray {
    fn id(&self) -> DetectorId {
        DetectorId::DistributedSpray
    }

    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>) {
        if let Some(now) = self.sweep.tick(ev.time, self.nets.len()) {
            self.sweep(cx, now, out);
        }
        if !ev.is_signin() || ev.ip.is_none() || ev.user.is_none() {
            return;
        }
        let verified = ev.credentials_ok();
        if !verified && ev.outcome != Outcome::Failure {
            return;
        }
        // Parsing the address is left until an event counts; a sign-in
        // matters only to a network with failures on record.
        if verified && self.nets.is_empty() {
            return;
        }
        let Some(net) = Net::of(cx.store, ev) else {
            return;
        };
        if verified {
            self.on_verified(idx, ev, net);
        } else {
            self.on_failure(cx, idx, ev, net, out);
        }
    }

    fn flush(&mut self, cx: &DetectCx, out: &mut Vec<Finding>) {
        for net in self.dirty.drain(..) {
            let Some(st) = self.nets.get_mut(&net) else {
                continue;
            };
            if let Some(b) = st.burst.as_mut().filter(|b| b.dirty) {
                b.dirty = false;
                out.push(snapshot(&self.cfg, &self.fast, cx, net, st.org, b));
            }
        }
    }

    #[cfg(test)]
    fn state_len(&self) -> usize {
        self.nets.len()
    }
}
