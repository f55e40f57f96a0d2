//! Detection: the [`Detector`] trait, the [`Engine`] that feeds every enabled
//! detector one event at a time, and one folder per detector. Detectors use
//! event time only (never the wall clock), keep bounded state (windows are
//! pruned by event time), and emit full snapshots of the findings they
//! create or change; [`Findings`] upserts them by id. The same code serves a
//! whole-file scan and a live tail.

pub mod describe;
pub mod window;

pub mod spray_verdict;
mod tally;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

/// The modules of the registry's detectors (the table is in
/// [`crate::ident::registry`]) and each one's description.
macro_rules! modules {
    ($($variant:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        impl DetectorId {
            /// The detector's own description (`None` for a detector whose
            /// meaning comes from data; renderers then use the finding).
            pub fn description(self) -> Option<&'static describe::Description> {
                match self {
                    $(DetectorId::$variant => Some(&$module::DESCRIPTION),)*
                    DetectorId::Sigma(_) => None,
                }
            }
        }
    };
}
crate::ident::registry!(modules);

pub use crate::ident::DetectorId;

impl DetectorId {
    /// True when the finding is about an IP or a network (its id derives
    /// from it); its `user` is then a related identity, not the entity.
    pub fn entity_is_ip(self) -> bool {
        use describe::Entity;
        self.description()
            .is_some_and(|d| matches!(d.entity, Entity::Ip | Entity::Network))
    }
}

/// Events of one user closer than this are one MFA prompt (read by the lake queries).
pub use mfa_fatigue::SAME_PROMPT_MS;

use crate::config::Config;
use crate::enrich::hosting::HostingNetworks;
use crate::event::Event;
use crate::finding::{Change, Finding, Findings};
use crate::store::{EventIdx, Store};

/// What a detector may read while observing an event.
pub struct DetectCx<'a> {
    pub store: &'a Store,
    pub config: &'a Config,
    pub hosting: &'a HostingNetworks,
}

/// One detector of SPEC §4.
pub trait Detector: Send {
    fn id(&self) -> DetectorId;

    /// Observes the next event (in event-time order, give or take late arrivals)
    /// and pushes a full snapshot of every finding it creates or changes.
    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>);

    /// Pushes the snapshots `observe` deferred: a detector whose finding
    /// grows with every event (a spray's thousandth user) may push it when
    /// it is created and then only once per batch, here, so its cost does
    /// not grow with the finding. Called after every batch of events.
    fn flush(&mut self, _cx: &DetectCx, _out: &mut Vec<Finding>) {}

    /// How many entities the detector holds state for (tests check it stays bounded).
    #[cfg(test)]
    fn state_len(&self) -> usize {
        0
    }
}

/// Every enabled detector, fed one event at a time.
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
    scratch: Vec<Finding>,
}

impl Engine {
    /// The detectors enabled in `config`.
    pub fn new(config: &Config) -> Engine {
        let detectors = DetectorId::ALL
            .into_iter()
            .filter_map(|id| id.description())
            .filter(|d| (d.enabled)(config))
            .map(|d| (d.build)(config))
            .collect();
        Engine {
            detectors,
            scratch: Vec::new(),
        }
    }

    /// Adds one more detector (the loaded Sigma rules).
    pub fn add(&mut self, d: Box<dyn Detector>) {
        self.detectors.push(d);
    }

    /// The detectors of `ids` that `config` enables (a settings change's re-run).
    pub fn only(config: &Config, ids: &[DetectorId]) -> Engine {
        let mut e = Engine::new(config);
        e.detectors.retain(|d| ids.contains(&d.id()));
        e
    }

    /// Takes `other`'s detectors (with their state) in place of this engine's
    /// detectors of `ids`, keeping every other one as it is; the registry's
    /// order is kept, the detectors from data (Sigma) last.
    pub fn replace_some(&mut self, other: Engine, ids: &[DetectorId]) {
        let mut kept: Vec<Box<dyn Detector>> = self
            .detectors
            .drain(..)
            .filter(|d| !ids.contains(&d.id()))
            .collect();
        kept.extend(other.detectors);
        let rank = |id: DetectorId| {
            DetectorId::ALL
                .iter()
                .position(|&x| x == id)
                .unwrap_or(usize::MAX)
        };
        kept.sort_by_key(|d| rank(d.id()));
        self.detectors = kept;
    }

    pub fn detector_ids(&self) -> Vec<DetectorId> {
        self.detectors.iter().map(|d| d.id()).collect()
    }

    /// Per-detector state sizes (tests check they stay bounded).
    #[cfg(test)]
    pub(crate) fn state_lens(&self) -> Vec<(DetectorId, usize)> {
        self.detectors
            .iter()
            .map(|d| (d.id(), d.state_len()))
            .collect()
    }

    /// Runs every detector over `idxs` (in that order) and upserts what they
    /// emit, keeping the detectors' deferred snapshots for a later
    /// [`Engine::flush`]: a re-run fed in slices snapshots a growing
    /// finding once at its end, not once per slice.
    pub fn observe_slice(
        &mut self,
        cx: &DetectCx,
        idxs: &[EventIdx],
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        for &idx in idxs {
            self.observe_one(cx, idx, findings, changed);
        }
    }

    /// Runs every detector over `idxs` (in that order) and upserts what they
    /// emit. Detectors are independent of one another, so a large batch (a
    /// whole-file scan) is split over two threads, each running half of the
    /// detectors over all events; their outputs are merged back by (event
    /// position, detector slot), which is the sequential order, so findings do
    /// not depend on the split. (In this path each changed finding is reported
    /// once, as a whole-file scan needs; small batches — a live tail's polls —
    /// take the sequential path and report every change.)
    pub fn observe_all(
        &mut self,
        cx: &DetectCx,
        idxs: &[EventIdx],
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        const PARALLEL_MIN: usize = 20_000;
        if idxs.len() < PARALLEL_MIN || self.detectors.len() < 2 {
            self.observe_slice(cx, idxs, findings, changed);
            self.flush(cx, findings, changed);
            return;
        }
        // Split by measured cost (each description's `cost`), heaviest first
        // onto the lighter side.
        // The Sigma rules (one detector) cost about what spray does with 100 rules.
        let cost = |id: DetectorId| match id {
            DetectorId::Sigma(_) => 40,
            _ => id.description().map_or(1, |d| d.cost),
        };
        let mut order: Vec<(usize, u32)> = self
            .detectors
            .iter()
            .enumerate()
            .map(|(slot, d)| (slot, cost(d.id())))
            .collect();
        order.sort_by_key(|&(slot, c)| (std::cmp::Reverse(c), slot));
        let (mut load_a, mut load_b) = (0u32, 0u32);
        let mut in_a = vec![false; self.detectors.len()];
        for (slot, c) in order {
            if load_a <= load_b {
                if let Some(a) = in_a.get_mut(slot) {
                    *a = true;
                }
                load_a += c;
            } else {
                load_b += c;
            }
        }
        let mut even = Vec::new();
        let mut odd = Vec::new();
        for ((slot, d), a) in self.detectors.iter_mut().enumerate().zip(in_a) {
            if a {
                even.push((slot, d));
            } else {
                odd.push((slot, d));
            }
        }
        // Each finding is kept once per group, at the position of its first
        // snapshot and with its latest content: the same final findings in the
        // same creation order as upserting every snapshot, without holding them all.
        let run = |mut group: Vec<(usize, &mut Box<dyn Detector>)>| {
            let mut out: Vec<(usize, usize, Finding)> = Vec::new();
            let mut at: std::collections::HashMap<String, usize> = Default::default();
            let mut scratch = Vec::new();
            for (pos, &idx) in idxs.iter().enumerate() {
                let ev = cx.store.get(idx);
                for (slot, d) in group.iter_mut() {
                    d.observe(cx, idx, &ev, &mut scratch);
                    for f in scratch.drain(..) {
                        match at.get(&f.id).and_then(|&i| out.get_mut(i)) {
                            Some(kept) => kept.2 = f,
                            None => {
                                at.insert(f.id.clone(), out.len());
                                out.push((pos, *slot, f));
                            }
                        }
                    }
                }
            }
            // Deferred snapshots: their content is the latest, and a finding
            // first pushed here is placed after the batch's events.
            for (slot, d) in group.iter_mut() {
                d.flush(cx, &mut scratch);
                for f in scratch.drain(..) {
                    match at.get(&f.id).and_then(|&i| out.get_mut(i)) {
                        Some(kept) => kept.2 = f,
                        None => {
                            at.insert(f.id.clone(), out.len());
                            out.push((idxs.len(), *slot, f));
                        }
                    }
                }
            }
            out
        };
        let (a, b) = std::thread::scope(|s| {
            let other = s.spawn(|| run(odd));
            let mine = run(even);
            (mine, other.join())
        });
        let b = match b {
            Ok(b) => b,
            // A detector panicked on the other thread: re-raise it here, as the
            // sequential path would have.
            Err(p) => std::panic::resume_unwind(p),
        };
        let mut a = a.into_iter().peekable();
        let mut b = b.into_iter().peekable();
        loop {
            let take_a = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => (x.0, x.1) <= (y.0, y.1),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_a { a.next() } else { b.next() };
            if let Some((_, _, f)) = next {
                let id = f.id.clone();
                match findings.upsert(f) {
                    Change::Unchanged => {}
                    c => changed.push((c, id)),
                }
            }
        }
    }

    /// Runs every detector on event `idx` and upserts what they emit,
    /// deferred snapshots included (one event is a batch).
    /// Returns the ids of findings created or changed.
    pub fn observe(
        &mut self,
        cx: &DetectCx,
        idx: EventIdx,
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        self.observe_one(cx, idx, findings, changed);
        self.flush(cx, findings, changed);
    }

    fn observe_one(
        &mut self,
        cx: &DetectCx,
        idx: EventIdx,
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        let ev = cx.store.get(idx);
        for d in &mut self.detectors {
            d.observe(cx, idx, &ev, &mut self.scratch);
        }
        self.upsert_scratch(findings, changed);
    }

    /// Every detector's deferred snapshots.
    pub fn flush(
        &mut self,
        cx: &DetectCx,
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        for d in &mut self.detectors {
            d.flush(cx, &mut self.scratch);
        }
        self.upsert_scratch(findings, changed);
    }

    fn upsert_scratch(&mut self, findings: &mut Findings, changed: &mut Vec<(Change, String)>) {
        for f in self.scratch.drain(..) {
            let id = f.id.clone();
            match findings.upsert(f) {
                Change::Unchanged => {}
                c => changed.push((c, id)),
            }
        }
    }
}
