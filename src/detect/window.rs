//! Sliding windows over event time, shared by the detectors (the shape of
//! chainsaw's `aggregate: count > N by …`). Entries are kept in time order;
//! a late event is inserted at its place, so results do not depend on how
//! the input was chunked.

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

    /// Inserts at time order (O(1) when in order).
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
        let cutoff = now - self.span;
        let mut n = 0;
        while self.items.front().is_some_and(|(t, _)| *t < cutoff) {
            self.items.pop_front();
            n += 1;
        }
        n
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Millis, T)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
