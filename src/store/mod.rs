//! The compact event store and the indexes pivots read: by user, by IP and
//! by time. Events are appended by the pipeline's single owner; readers (the
//! TUI, reports) borrow it. Every index list is kept in time order, so a
//! pivot is a lookup plus a slice, never a scan of all events. Late events
//! are appended and the lists they land in are re-sorted by [`Store::seal`].

mod compact;
mod intern;

use compact::{Contexts, Slim};
pub use intern::Interner;

use crate::event::{Batch, Event, Millis, Sym};
use rustc_hash::FxHashMap;

/// Index of an event in the store.
pub type EventIdx = u32;

/// Event indexes in time order, with the time of the last one kept beside
/// them so that appending never has to look the last event up.
#[derive(Default, Debug)]
struct TimeList {
    last: crate::event::Millis,
    list: Vec<EventIdx>,
}

impl TimeList {
    /// Appends; returns false when that breaks the time order.
    fn push(&mut self, idx: EventIdx, time: crate::event::Millis) -> bool {
        let in_order = self.list.is_empty() || self.last <= time;
        self.list.push(idx);
        self.last = self.last.max(time);
        in_order
    }
}

/// Events are kept in fixed-size blocks so that growing the store never
/// copies (or, for a moment, doubles) what is already held. Each is held in
/// 56 bytes: the fields that repeat from record to record live once in a
/// shared context (see `compact`).
const BLOCK_BITS: u32 = 16;
const BLOCK: usize = 1 << BLOCK_BITS;

/// All events of a run, interned, with by-user / by-ip / by-time indexes.
#[derive(Default, Debug)]
pub struct Store {
    blocks: Vec<Vec<Slim>>,
    contexts: Contexts,
    len: usize,
    pub strings: Interner,
    by_user: FxHashMap<Sym, TimeList>,
    by_ip: FxHashMap<Sym, TimeList>,
    by_time: TimeList,
    /// Index lists that received an event out of time order since the last [`Store::seal`].
    unsorted_time: bool,
    unsorted_users: rustc_hash::FxHashSet<Sym>,
    unsorted_ips: rustc_hash::FxHashSet<Sym>,
    /// One bit per event: set when the event was retracted (a better copy
    /// of its record replaced it before detection, see [`Store::retract`]).
    dead: Vec<u64>,
    dead_count: usize,
    /// Retractions not yet taken out of the index lists by [`Store::seal`].
    retracted_since_seal: bool,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns draft `i` of `batch` and appends it; returns its index, or
    /// `None` (and appends nothing) when the batch has no draft `i`.
    pub fn append_draft(&mut self, batch: &Batch, i: usize) -> Option<EventIdx> {
        let text = &batch.text;
        let strings = &mut self.strings;
        let ev = batch
            .drafts
            .get(i)?
            .map_text(|t| strings.intern(text.get(t)));
        Some(self.append(ev))
    }

    /// Appends an already-interned event and indexes it.
    pub fn append(&mut self, ev: Event) -> EventIdx {
        let idx = self.len as EventIdx;
        if self.blocks.last().is_none_or(|b| b.len() == BLOCK) {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        let slim = self.contexts.split(&ev);
        if let Some(b) = self.blocks.last_mut() {
            b.push(slim);
        }
        self.len += 1;
        let t = ev.time;
        if !self.by_time.push(idx, t) {
            self.unsorted_time = true;
        }
        if ev.user.is_some() && !self.by_user.entry(ev.user).or_default().push(idx, t) {
            self.unsorted_users.insert(ev.user);
        }
        if ev.ip.is_some() && !self.by_ip.entry(ev.ip).or_default().push(idx, t) {
            self.unsorted_ips.insert(ev.ip);
        }
        idx
    }

    /// Restores time order in the index lists that received late events.
    /// Cheap when nothing arrived out of order; call it after each batch of
    /// appends and before reading the indexes.
    pub fn seal(&mut self) {
        if std::mem::take(&mut self.retracted_since_seal) {
            self.drop_retracted();
        }
        let blocks = &self.blocks;
        let key = |i: &EventIdx| (slim_at(blocks, *i).map_or(0, |s| s.time), *i);
        if std::mem::take(&mut self.unsorted_time) {
            self.by_time.list.sort_unstable_by_key(key);
        }
        for sym in self.unsorted_users.drain() {
            if let Some(l) = self.by_user.get_mut(&sym) {
                l.list.sort_unstable_by_key(key);
            }
        }
        for sym in self.unsorted_ips.drain() {
            if let Some(l) = self.by_ip.get_mut(&sym) {
                l.list.sort_unstable_by_key(key);
            }
        }
    }

    /// True when every index list is in time order.
    pub fn is_sealed(&self) -> bool {
        !self.unsorted_time
            && self.unsorted_users.is_empty()
            && self.unsorted_ips.is_empty()
            && !self.retracted_since_seal
    }

    /// Takes the event at `idx` back: a better copy of its record arrived
    /// before the detectors saw it. It stays addressable (indexes are never
    /// reused) but leaves the index lists at the next [`Store::seal`] and
    /// is no longer counted by [`Store::count`]. Returns false when `idx`
    /// was never given out or is retracted already.
    pub fn retract(&mut self, idx: EventIdx) -> bool {
        if idx as usize >= self.len || !self.is_live(idx) {
            return false;
        }
        let word = idx as usize / 64;
        if self.dead.len() <= word {
            self.dead.resize(word + 1, 0);
        }
        if let Some(w) = self.dead.get_mut(word) {
            *w |= 1 << (idx % 64);
        }
        self.dead_count += 1;
        self.retracted_since_seal = true;
        if let Some(s) = slim_at(&self.blocks, idx) {
            if let Some(ev) = self.contexts.join(s) {
                if ev.user.is_some() {
                    self.unsorted_users.insert(ev.user);
                }
                if ev.ip.is_some() {
                    self.unsorted_ips.insert(ev.ip);
                }
            }
        }
        true
    }

    /// False for an event taken back with [`Store::retract`].
    pub fn is_live(&self, idx: EventIdx) -> bool {
        self.dead
            .get(idx as usize / 64)
            .is_none_or(|w| w & (1 << (idx % 64)) == 0)
    }

    /// Events retracted so far.
    pub fn retracted(&self) -> usize {
        self.dead_count
    }

    /// Takes retracted events out of the index lists (and drops a user's or
    /// address's list when nothing of it is left).
    fn drop_retracted(&mut self) {
        let dead = &self.dead;
        let live = |i: &EventIdx| {
            dead.get(*i as usize / 64)
                .is_none_or(|w| w & (1 << (*i % 64)) == 0)
        };
        self.by_time.list.retain(live);
        for sym in &self.unsorted_users {
            if let Some(l) = self.by_user.get_mut(sym) {
                l.list.retain(live);
                if l.list.is_empty() {
                    self.by_user.remove(sym);
                }
            }
        }
        for sym in &self.unsorted_ips {
            if let Some(l) = self.by_ip.get_mut(sym) {
                l.list.retain(live);
                if l.list.is_empty() {
                    self.by_ip.remove(sym);
                }
            }
        }
    }

    /// Indexes given out so far (retracted events included): the bound of
    /// every [`EventIdx`]. For how many events are held, see [`Store::count`].
    pub fn len(&self) -> usize {
        self.len
    }

    /// Events held: given out and not retracted.
    pub fn count(&self) -> usize {
        self.len - self.dead_count
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The event at `idx` (a copy, put together from its compact form).
    /// An index the store never gave out reads as an empty event at time 0
    /// with no coordinates (see [`Store::try_get`] to tell the two apart).
    pub fn get(&self, idx: EventIdx) -> Event {
        self.try_get(idx)
            .unwrap_or_else(|| Event::new(0, Default::default(), Default::default()))
    }

    /// The event at `idx`, or `None` when the store holds no such event.
    pub fn try_get(&self, idx: EventIdx) -> Option<Event> {
        self.contexts.join(slim_at(&self.blocks, idx)?)
    }

    /// The time of the event at `idx` (cheaper than [`Store::get`]); 0 for
    /// an index the store never gave out.
    pub fn time(&self, idx: EventIdx) -> Millis {
        slim_at(&self.blocks, idx).map_or(0, |s| s.time)
    }

    /// The input (file id) the event at `idx` was read from; `u32::MAX`
    /// (no input) for an index the store never gave out.
    pub fn file(&self, idx: EventIdx) -> u32 {
        slim_at(&self.blocks, idx).map_or(u32::MAX, |s| s.file)
    }

    /// Every event held (not retracted), in storage (arrival) order.
    pub fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.blocks
            .iter()
            .flatten()
            .enumerate()
            .filter(|(i, _)| self.is_live(*i as EventIdx))
            .filter_map(|(_, s)| self.contexts.join(s))
    }

    /// Distinct shared contexts (see `compact`).
    pub fn context_count(&self) -> usize {
        self.contexts.len()
    }

    /// Event indexes in time order.
    pub fn by_time(&self) -> &[EventIdx] {
        &self.by_time.list
    }

    /// The events of a user (lower-case name), in time order.
    pub fn by_user(&self, user: &str) -> &[EventIdx] {
        self.strings
            .lookup(user)
            .and_then(|s| self.by_user.get(&s))
            .map(|l| l.list.as_slice())
            .unwrap_or_default()
    }

    /// The events from an IP, in time order.
    pub fn by_ip(&self, ip: &str) -> &[EventIdx] {
        self.strings
            .lookup(ip)
            .and_then(|s| self.by_ip.get(&s))
            .map(|l| l.list.as_slice())
            .unwrap_or_default()
    }

    /// Every user name seen (index keys, in no particular order).
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.by_user.keys().map(|&s| self.strings.resolve(s))
    }

    /// Every IP seen (index keys, in no particular order).
    pub fn ips(&self) -> impl Iterator<Item = &str> {
        self.by_ip.keys().map(|&s| self.strings.resolve(s))
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
        let first = self.by_time.list.first()?;
        let last = self.by_time.list.last()?;
        Some((self.time(*first), self.time(*last)))
    }

    /// Approximate heap bytes held by events, strings and indexes.
    pub fn heap_bytes(&self) -> usize {
        let idx_lists: usize = self
            .by_user
            .values()
            .chain(self.by_ip.values())
            .map(|v| v.list.capacity() * 4 + 32)
            .sum();
        // Blocks are reserved whole but only touched as they fill: count what is used.
        self.len * std::mem::size_of::<Slim>()
            + self.contexts.heap_bytes()
            + self.by_time.list.capacity() * 4
            + (self.by_user.capacity() + self.by_ip.capacity()) * 40
            + idx_lists
            + self.strings.heap_bytes()
    }
}

/// The compact event at `idx`; `None` past the end (one bounds check per
/// level, as indexing would do, without the panic).
fn slim_at(blocks: &[Vec<Slim>], idx: EventIdx) -> Option<&Slim> {
    let i = idx as usize;
    blocks.get(i >> BLOCK_BITS)?.get(i & (BLOCK - 1))
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
        assert!(!s.is_sealed());
        s.seal();
        assert!(s.is_sealed());
        let times = |l: &[EventIdx]| l.iter().map(|&i| s.get(i).time).collect::<Vec<_>>();
        assert_eq!(times(s.by_time()), vec![10, 20, 30]);
        assert_eq!(times(s.by_user("a")), vec![10, 30]);
        assert_eq!(times(s.by_ip("1.1.1.1")), vec![20, 30]);
        assert!(s.by_user("nobody").is_empty());
        assert_eq!(s.span(), Some((10, 30)));
    }

    #[test]
    fn indexes_it_never_gave_out_read_as_absent_not_a_panic() {
        let b = batch(&[(10, "a", "1.1.1.1")]);
        let mut s = Store::new();
        assert_eq!(s.append_draft(&b, 0), Some(0));
        assert_eq!(s.append_draft(&b, 1), None, "no draft 1: nothing appended");
        assert_eq!(s.len(), 1);
        assert_eq!(s.try_get(0).map(|e| e.time), Some(10));
        for idx in [1, BLOCK as EventIdx, EventIdx::MAX] {
            assert!(s.try_get(idx).is_none());
            let e = s.get(idx);
            assert_eq!((e.time, e.user, e.has_coords()), (0, Sym::NONE, false));
            assert_eq!(s.time(idx), 0);
            assert_eq!(s.file(idx), u32::MAX);
        }
    }
}
