//! Small accumulators the detectors build their findings' details from:
//! distinct values with an exact count and a capped, first-seen-order
//! listing, and per-entity groups that last a span of event time from their
//! first hit ("one finding per user per 24 h"). They hold interned symbols
//! only; resolving text is left to the moment a finding is emitted.

use crate::event::{Millis, Sym};
use crate::store::{EventIdx, Store};
use rustc_hash::{FxHashMap, FxHashSet};

/// Distinct symbols: exact count, plus the first `cap` in the order first seen.
#[derive(Debug, Clone)]
pub struct Distinct {
    seen: FxHashSet<Sym>,
    listed: Vec<Sym>,
    cap: usize,
}

impl Distinct {
    pub fn new(cap: usize) -> Self {
        Distinct {
            seen: FxHashSet::default(),
            listed: Vec::new(),
            cap,
        }
    }

    /// Adds `s` (absent values are skipped); true when it was new.
    pub fn insert(&mut self, s: Sym) -> bool {
        if s.is_none() || !self.seen.insert(s) {
            return false;
        }
        if self.listed.len() < self.cap {
            self.listed.push(s);
        }
        true
    }

    /// Exact number of distinct values.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// The listed values as text (at most `cap`, first seen first).
    pub fn texts(&self, store: &Store) -> Vec<String> {
        self.listed
            .iter()
            .map(|&s| store.text(s).to_string())
            .collect()
    }
}

/// One entity's group: hits within `span` of its first hit form one finding.
#[derive(Debug, Clone)]
pub struct Group<G> {
    /// Time of the first evidence; fixed for the group's life (it names the finding).
    pub first: Millis,
    pub last: Millis,
    pub count: u32,
    pub evidence: Vec<EventIdx>,
    pub data: G,
}

impl<G> Group<G> {
    /// Records one more hit.
    pub fn hit(&mut self, t: Millis, idx: EventIdx) {
        self.count += 1;
        self.last = self.last.max(t);
        if self.evidence.len() < crate::finding::MAX_EVIDENCE {
            self.evidence.push(idx);
        }
    }
}

/// Per-entity groups, each open for `span` of event time from its first hit.
#[derive(Debug)]
pub struct Groups<G> {
    span: Millis,
    map: FxHashMap<Sym, Group<G>>,
}

impl<G: Default> Groups<G> {
    pub fn new(span: Millis) -> Self {
        Groups {
            span,
            map: FxHashMap::default(),
        }
    }

    /// The group a hit at `t` for `key` belongs to: the open one when `t` is
    /// within `span` of its first hit (either side, for late events), else a
    /// new group starting at `t`. The hit itself is not recorded.
    pub fn group_for(&mut self, key: Sym, t: Millis) -> &mut Group<G> {
        let span = self.span;
        let g = self.map.entry(key).or_insert_with(|| Group {
            first: t,
            last: t,
            count: 0,
            evidence: Vec::new(),
            data: G::default(),
        });
        if (t - g.first).abs() >= span {
            *g = Group {
                first: t,
                last: t,
                count: 0,
                evidence: Vec::new(),
                data: G::default(),
            };
        }
        g
    }

    /// Drops groups that no hit at or after `now` can join.
    pub fn sweep(&mut self, now: Millis) {
        let span = self.span;
        self.map.retain(|_, g| g.first + span > now);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// Evidence in time order from two capped lists (e.g. failures and the
/// successes that made them matter), so neither crowds the other out.
pub fn merge_evidence(store: &Store, a: &[EventIdx], b: &[EventIdx]) -> Vec<EventIdx> {
    let mut v: Vec<EventIdx> = a.iter().chain(b).copied().collect();
    v.sort_by_key(|&i| (store.get(i).time, i));
    v.dedup();
    v.truncate(crate::finding::MAX_EVIDENCE);
    v
}

/// Appends `idx` unless `v` already holds `cap` entries.
pub fn push_capped(v: &mut Vec<EventIdx>, idx: EventIdx, cap: usize) {
    if v.len() < cap {
        v.push(idx);
    }
}

/// Event time as RFC 3339 UTC, for details.
pub fn iso(t: Millis) -> String {
    crate::ingest::time::format_time(t)
}

/// `s` as an owned string, or `None` when absent (for `Finding::user`/`ip`).
pub fn opt_text(store: &Store, s: Sym) -> Option<String> {
    (!s.is_none()).then(|| store.text(s).to_string())
}

/// JSON for an optional text: `null` when absent.
pub fn json_text(store: &Store, s: Sym) -> serde_json::Value {
    if s.is_none() {
        serde_json::Value::Null
    } else {
        serde_json::Value::String(store.text(s).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_exactly_and_lists_capped() {
        let mut d = Distinct::new(2);
        assert!(d.insert(Sym(3)));
        assert!(!d.insert(Sym(3)));
        assert!(!d.insert(Sym::NONE));
        d.insert(Sym(1));
        d.insert(Sym(2));
        assert_eq!(d.len(), 3);
        assert_eq!(d.listed, vec![Sym(3), Sym(1)]);
    }

    #[test]
    fn groups_last_a_span_from_their_first_hit() {
        let mut g: Groups<u32> = Groups::new(100);
        let a = g.group_for(Sym(1), 10);
        a.hit(10, 0);
        a.data += 1;
        let b = g.group_for(Sym(1), 109);
        assert_eq!((b.first, b.count, b.data), (10, 1, 1));
        let c = g.group_for(Sym(1), 110);
        assert_eq!((c.first, c.count, c.data), (110, 0, 0));
        g.group_for(Sym(2), 150);
        g.sweep(211);
        assert_eq!(g.len(), 1);
    }
}
