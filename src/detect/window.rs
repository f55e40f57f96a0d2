//! Sliding windows over event time, shared by the detectors (the shape of
//! chainsaw's `aggregate: count > N by …`), and the sweep clock that tells a
//! detector when to drop per-entity state it can no longer use. Entries are
//! kept in time order; a late event is inserted at its place, so results do
//! not depend on how the input was chunked. Nothing here reads the wall clock.

use crate::event::Millis;
use std::collections::VecDeque;

/// Timed entries within a span of event time.
#[derive(Debug, Clone)]
pub struct Window<T> {
    span: Millis,
    items: VecDeque<(Millis, T)>,
}

impl<T> Window<T> {
    pub fn new(span: Millis) -> Self {
        Window {
            span,
            items: VecDeque::new(),
        }
    }

    /// Inserts at time order (O(1) when in order; equal times keep arrival order).
    pub fn push(&mut self, t: Millis, item: T) {
        match self.items.back() {
            Some((last, _)) if *last > t => {
                let pos = self.items.partition_point(|(x, _)| *x <= t);
                self.items.insert(pos, (t, item));
            }
            _ => self.items.push_back((t, item)),
        }
    }

    /// Drops entries older than `now - span` and returns how many were dropped.
    pub fn prune(&mut self, now: Millis) -> usize {
        self.prune_each(now, |_, _| {})
    }

    /// Like [`Window::prune`], handing each dropped entry to `f` (to keep
    /// running tallies such as distinct-user counts in step with the window).
    pub fn prune_each(&mut self, now: Millis, mut f: impl FnMut(Millis, T)) -> usize {
        let cutoff = now.saturating_sub(self.span);
        let mut n = 0;
        while self.items.front().is_some_and(|(t, _)| *t < cutoff) {
            if let Some((t, item)) = self.items.pop_front() {
                f(t, item);
            }
            n += 1;
        }
        n
    }

    /// Removes and returns the entries at or before `t`, oldest first.
    pub fn take_through(&mut self, t: Millis) -> Vec<(Millis, T)> {
        let n = self.items.partition_point(|(x, _)| *x <= t);
        self.items.drain(..n).collect()
    }

    /// Keeps at most `max` entries, dropping the oldest; returns how many were dropped.
    pub fn cap(&mut self, max: usize) -> usize {
        let extra = self.items.len().saturating_sub(max);
        self.items.drain(..extra);
        extra
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &(Millis, T)> {
        self.items.iter()
    }

    pub fn first_time(&self) -> Option<Millis> {
        self.items.front().map(|(t, _)| *t)
    }

    pub fn last_time(&self) -> Option<Millis> {
        self.items.back().map(|(t, _)| *t)
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn span(&self) -> Millis {
        self.span
    }
}

/// Fewest events between two sweeps of a detector's per-entity state.
const MIN_SWEEP_EVENTS: usize = 4096;

/// When to sweep stale per-entity state. A sweep is due after at least
/// `max(4096, entities / 2)` events, so its cost stays O(1) per event
/// amortised and the state never grows past about twice what is live. (With
/// `entities` itself as the bound, a stream where every event adds an entity
/// — unique session ids — would never reach it again: the count grows as fast
/// as the counter.) It runs
/// and it runs at the time of the event that triggered it: event time, never
/// the wall clock, and not a high-water mark that one bogus far-future
/// timestamp could push ahead of every real event.
#[derive(Debug, Default, Clone)]
pub struct Sweep {
    since: usize,
}

impl Sweep {
    /// Counts one observed event; returns `Some(t)` (the event's time) when
    /// state older than the detector's horizon before `t` should be dropped.
    pub fn tick(&mut self, t: Millis, entities: usize) -> Option<Millis> {
        self.since += 1;
        if self.since >= MIN_SWEEP_EVENTS.max(entities / 2) {
            self.since = 0;
            Some(t)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_keep_coming_when_every_event_adds_an_entity() {
        let mut sweep = Sweep::default();
        let (mut entities, mut sweeps) = (0usize, 0);
        for t in 0..200_000i64 {
            entities += 1; // a new session per event
            if sweep.tick(t, entities).is_some() {
                sweeps += 1;
                entities = entities.min(10_000); // what is still live
            }
            assert!(
                entities <= 2 * 10_000 + MIN_SWEEP_EVENTS,
                "state grew to {entities} at {t}"
            );
        }
        assert!(sweeps > 10);
    }

    #[test]
    fn prunes_by_event_time_and_orders_late_items() {
        let mut w = Window::new(10);
        w.push(0, 'a');
        w.push(5, 'b');
        w.push(3, 'c');
        assert_eq!(w.iter().map(|x| x.1).collect::<String>(), "acb");
        assert_eq!(w.prune(14), 2);
        assert_eq!(w.iter().map(|x| x.1).collect::<String>(), "b");
    }

    #[test]
    fn prune_each_reports_dropped_items_and_take_through_splits() {
        let mut w = Window::new(10);
        for (t, c) in [(0, 'a'), (4, 'b'), (8, 'c'), (12, 'd')] {
            w.push(t, c);
        }
        let mut gone = String::new();
        w.prune_each(15, |_, c| gone.push(c));
        assert_eq!(gone, "ab");
        let taken: String = w.take_through(8).into_iter().map(|x| x.1).collect();
        assert_eq!(taken, "c");
        assert_eq!(w.first_time(), Some(12));
        w.push(13, 'e');
        w.push(14, 'f');
        assert_eq!(w.cap(2), 1);
        assert_eq!(w.iter().map(|x| x.1).collect::<String>(), "ef");
    }

    #[test]
    fn sweep_is_due_after_enough_events_at_the_event_time() {
        let mut s = Sweep::default();
        let mut due = Vec::new();
        for i in 0..10_000i64 {
            if let Some(t) = s.tick(i * 10, 100) {
                due.push(t);
            }
        }
        assert_eq!(due, vec![40_950, 81_910]);
        // With more entities than the minimum, sweeps space out accordingly
        // (every entities / 2 events).
        let mut s = Sweep::default();
        let n = (0..20_000).filter(|&i| s.tick(i, 18_000).is_some()).count();
        assert_eq!(n, 2);
    }
}
