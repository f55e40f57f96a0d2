//! The compact event store and the indexes pivots read: by user, by IP and
//! by time. Events are appended by the pipeline's single owner; readers (the
//! TUI, reports) borrow it. Every index list is kept in time order, so a
//! pivot is a lookup plus a slice, never a scan of all events.

mod intern;

pub use intern::Interner;

use crate::event::{Batch, Event, Millis, Sym};
use rustc_hash::FxHashMap;

/// Index of an event in the store.
pub type EventIdx = u32;

/// All events of a run, interned, with by-user / by-ip / by-time indexes.
#[derive(Default, Debug)]
pub struct Store {
    events: Vec<Event>,
    pub strings: Interner,
    by_user: FxHashMap<Sym, Vec<EventIdx>>,
    by_ip: FxHashMap<Sym, Vec<EventIdx>>,
    by_time: Vec<EventIdx>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns one draft of `batch` and appends it; returns its index.
    pub fn append_draft(&mut self, batch: &Batch, i: usize) -> EventIdx {
        let text = &batch.text;
        let strings = &mut self.strings;
        let ev = batch.drafts[i].map_text(|t| strings.intern(text.get(t)));
        self.append(ev)
    }

    /// Appends an already-interned event and indexes it.
    pub fn append(&mut self, ev: Event) -> EventIdx {
        let idx = self.events.len() as EventIdx;
        self.events.push(ev);
        let events = &self.events;
        insert_by_time(&mut self.by_time, events, idx);
        if ev.user.is_some() {
            insert_by_time(self.by_user.entry(ev.user).or_default(), events, idx);
        }
        if ev.ip.is_some() {
            insert_by_time(self.by_ip.entry(ev.ip).or_default(), events, idx);
        }
        idx
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn get(&self, idx: EventIdx) -> &Event {
        &self.events[idx as usize]
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Event indexes in time order.
    pub fn by_time(&self) -> &[EventIdx] {
        &self.by_time
    }

    /// The events of a user (lower-case name), in time order.
    pub fn by_user(&self, user: &str) -> &[EventIdx] {
        self.strings
            .lookup(user)
            .and_then(|s| self.by_user.get(&s))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The events from an IP, in time order.
    pub fn by_ip(&self, ip: &str) -> &[EventIdx] {
        self.strings
            .lookup(ip)
            .and_then(|s| self.by_ip.get(&s))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Distinct users seen.
    pub fn user_count(&self) -> usize {
        self.by_user.len()
    }

    /// Distinct IPs seen.
    pub fn ip_count(&self) -> usize {
        self.by_ip.len()
    }

    /// Shorthand for resolving a symbol.
    pub fn text(&self, sym: Sym) -> &str {
        self.strings.resolve(sym)
    }

    /// First and last event time.
    pub fn span(&self) -> Option<(Millis, Millis)> {
        let first = self.by_time.first()?;
        let last = self.by_time.last()?;
        Some((self.get(*first).time, self.get(*last).time))
    }

    /// Approximate heap bytes held by events, strings and indexes.
    pub fn heap_bytes(&self) -> usize {
        let idx_lists: usize = self
            .by_user
            .values()
            .chain(self.by_ip.values())
            .map(|v| v.capacity() * 4 + 24)
            .sum();
        self.events.capacity() * std::mem::size_of::<Event>()
            + self.by_time.capacity() * 4
            + (self.by_user.capacity() + self.by_ip.capacity()) * 40
            + idx_lists
            + self.strings.heap_bytes()
    }
}

/// Inserts `idx` keeping `list` sorted by (time, idx). Appending in time order is O(1).
fn insert_by_time(list: &mut Vec<EventIdx>, events: &[Event], idx: EventIdx) {
    let t = events[idx as usize].time;
    match list.last() {
        Some(&last) if events[last as usize].time > t => {
            let pos = list.partition_point(|&i| events[i as usize].time <= t);
            list.insert(pos, idx);
        }
        _ => list.push(idx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Draft, Kind, Source};

    fn batch(rows: &[(i64, &str, &str)]) -> Batch {
        let mut b = Batch::default();
        for &(t, user, ip) in rows {
            let mut d = Draft::new(t, Source::Entra, Kind::SignIn);
            d.user = b.text.put(user);
            d.ip = b.text.put(ip);
            b.drafts.push(d);
        }
        b
    }

    #[test]
    fn indexes_stay_in_time_order_with_late_events() {
        let b = batch(&[
            (30, "a", "1.1.1.1"),
            (10, "a", "2.2.2.2"),
            (20, "b", "1.1.1.1"),
        ]);
        let mut s = Store::new();
        for i in 0..b.len() {
            s.append_draft(&b, i);
        }
        let times = |l: &[EventIdx]| l.iter().map(|&i| s.get(i).time).collect::<Vec<_>>();
        assert_eq!(times(s.by_time()), vec![10, 20, 30]);
        assert_eq!(times(s.by_user("a")), vec![10, 30]);
        assert_eq!(times(s.by_ip("1.1.1.1")), vec![20, 30]);
        assert!(s.by_user("nobody").is_empty());
        assert_eq!(s.span(), Some((10, 30)));
    }
}
