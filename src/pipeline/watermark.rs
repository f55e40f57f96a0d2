//! Alerts while loading: the detectors run behind a watermark as the inputs
//! load, instead of after the last one is read.
//!
//! Each input's latest event time is tracked as its batches are applied.
//! While every input is in time order (an event is never more than
//! [`LATENESS_MS`] older than the latest one before it in its input, which
//! leaves room for sshd attempts counted at a later line and for daemons
//! whose stamps interleave), no event still to come can be older than the
//! watermark, the minimum over the inputs still being read of their latest
//! time minus the lateness. Held events older than the watermark are then
//! released in detection order, and the order the detectors see is the one
//! a single release after the load would give: each release holds only
//! times below the watermark, everything later is at or above it.
//!
//! An input found out of order turns the watermark off for the rest of the
//! run (events are held until every input is at its end, as before). When
//! events older than what was released already came ([`Watermark::late`]),
//! detection starts over on every event at the end of the load (see
//! `Session::redetect`), so the findings are the same either way;
//! `hunt scan -v` says which input it was.

use crate::event::Millis;
use std::time::{Duration, Instant};

/// How much older than its input's latest event an event may be and the
/// input still count as in time order. sshd attempts held for their outcome
/// are counted up to about twice `HOLD_MS` (60 s) after their own line.
pub const LATENESS_MS: Millis = 5 * 60_000;

/// Watermark releases are at most this often, and at least twice as far
/// apart as the last one took: each sorts what it releases and feeds the
/// incidents, so detection stays a small share of the load.
pub const RELEASE_EVERY: Duration = Duration::from_millis(100);

/// The first input found out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disorder {
    pub file: u32,
    /// The event's time and the latest time its input had before it.
    pub time: Millis,
    pub latest: Millis,
}

/// Per-input latest times and what was released already.
#[derive(Debug)]
pub struct Watermark {
    /// Releasing behind the watermark (off: held until every input is idle).
    on: bool,
    /// Per input, its latest event time so far (`None` before its first).
    latest: Vec<Option<Millis>>,
    /// Every event below this went to the detectors already.
    released_below: Option<Millis>,
    /// No release before this.
    next_release: Option<Instant>,
    /// Least time between releases (zero: after every batch, for tests).
    pub every: Duration,
    /// The first input found out of order, if any.
    pub disorder: Option<Disorder>,
    /// Events that came after later events had gone to the detectors,
    /// while the inputs loaded.
    pub late: u64,
    /// Detection started over at the end of the load (`late` events came).
    pub redone: bool,
    /// Every input was idle once: the load is over (a live tail goes on).
    loaded: bool,
    /// Releases made behind the watermark.
    pub releases: u64,
}

impl Default for Watermark {
    fn default() -> Self {
        Watermark {
            on: true,
            latest: Vec::new(),
            released_below: None,
            next_release: None,
            every: RELEASE_EVERY,
            disorder: None,
            late: 0,
            redone: false,
            loaded: false,
            releases: 0,
        }
    }
}

impl Watermark {
    /// Turns releasing behind the watermark on or off (off: hold-then-detect).
    pub fn set_enabled(&mut self, on: bool) {
        self.on = on && self.disorder.is_none();
    }

    pub fn enabled(&self) -> bool {
        self.on
    }

    /// Notes the event times of a batch of input `file`, in its order.
    pub fn observe(&mut self, file: u32, times: impl Iterator<Item = Millis>) {
        let at = file as usize;
        if self.latest.len() <= at {
            self.latest.resize(at + 1, None);
        }
        let Some(latest) = self.latest.get_mut(at) else {
            return;
        };
        let released = self.released_below;
        for t in times {
            match *latest {
                Some(l) if t < l.saturating_sub(LATENESS_MS) => {
                    if self.disorder.is_none() {
                        self.disorder = Some(Disorder {
                            file,
                            time: t,
                            latest: l,
                        });
                    }
                    self.on = false;
                }
                Some(l) if t <= l => {}
                _ => *latest = Some(t),
            }
            if !self.loaded && released.is_some_and(|r| t < r) {
                self.late += 1;
            }
        }
    }

    /// The time below which held events can go to the detectors now, or
    /// `None` (off, an input still to be read has no event yet, or the last
    /// release was too recent). `reading(file)` tells whether more events
    /// may come from an input.
    pub fn level(&self, inputs: usize, reading: impl Fn(usize) -> bool) -> Option<Millis> {
        if !self.on || self.next_release.is_some_and(|t| Instant::now() < t) {
            return None;
        }
        let mut level: Option<Millis> = None;
        for i in (0..inputs).filter(|&i| reading(i)) {
            let l = self.latest.get(i).copied().flatten()?;
            let w = l.saturating_sub(LATENESS_MS);
            level = Some(level.map_or(w, |m| m.min(w)));
        }
        level.filter(|&w| self.released_below.is_none_or(|r| w > r))
    }

    /// Records a release of every held event below `level`, which `took` so long.
    pub fn released(&mut self, level: Millis, took: Duration) {
        self.released_below = Some(level);
        if !self.every.is_zero() {
            self.next_release = Some(Instant::now() + self.every.max(took * 2));
        }
        self.releases += 1;
    }

    /// True once every input was idle (the end of the load).
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// Records a release of every held event (the inputs were all idle).
    pub fn released_all(&mut self) {
        self.loaded = true;
        let max = self.latest.iter().flatten().copied().max();
        if let Some(m) = max {
            // Events at the latest time may still come (`t <= latest` is in order).
            self.released_below = Some(self.released_below.map_or(m, |r| r.max(m)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_waits_for_every_input_and_trails_the_slowest() {
        let mut w = Watermark::default();
        w.observe(0, [1_000_000, 1_100_000].into_iter());
        assert_eq!(w.level(2, |_| true), None, "input 1 has no event yet");
        w.observe(1, [900_000].into_iter());
        assert_eq!(w.level(2, |_| true), Some(900_000 - LATENESS_MS));
        // A finished input no longer holds the others back.
        assert_eq!(w.level(2, |i| i == 0), Some(1_100_000 - LATENESS_MS));
        w.released(900_000 - LATENESS_MS, Duration::ZERO);
        // Too soon after a release, and then not beyond it.
        assert_eq!(w.level(2, |_| true), None);
    }

    #[test]
    fn an_input_out_of_order_turns_it_off_and_late_events_are_counted() {
        let mut w = Watermark::default();
        w.observe(0, [1_000_000, 1_000_000 - LATENESS_MS].into_iter());
        assert!(w.enabled(), "within the lateness");
        w.released(650_000, Duration::ZERO);
        w.observe(0, [600_000].into_iter());
        assert!(!w.enabled());
        assert_eq!(
            w.disorder,
            Some(Disorder {
                file: 0,
                time: 600_000,
                latest: 1_000_000
            })
        );
        assert_eq!(w.late, 1);
        w.set_enabled(true);
        assert!(!w.enabled(), "stays off for the rest of the run");
        assert_eq!(w.level(1, |_| true), None);
    }
}
