//! What a Kafka input shares with its owner: per-partition status for the
//! status bar and the sources screen (last offset, high watermark, lag,
//! rate), and the ledger that turns "batches up to N are processed" into
//! the offsets to commit.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// One partition as last seen by the consumer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartitionStatus {
    pub partition: i32,
    /// Next offset the consumer reads.
    pub next: i64,
    /// Offset of the last message read (none yet: `None`).
    pub last_offset: Option<i64>,
    /// The broker's high watermark at the last fetch.
    pub high_watermark: i64,
    /// Offset committed to the case (next to read after a restart).
    pub committed: Option<i64>,
    /// Messages per second over the last few seconds.
    pub rate: f64,
    /// Messages read by this run.
    pub messages: u64,
    /// Messages read again on start to rebuild detector windows.
    pub replayed: u64,
    /// Offsets below this were processed before a restart (the replay).
    pub resume_at: i64,
    /// Next offset after what the owner has processed (the detectors saw it).
    pub processed: i64,
}

impl PartitionStatus {
    /// Messages the broker holds that this run has not read yet.
    pub fn lag(&self) -> i64 {
        (self.high_watermark - self.next).max(0)
    }
}

/// Where one batch left its partition: after the owner has processed
/// batch `seq`, `next` is the partition's offset to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub seq: u64,
    pub partition: i32,
    pub next: i64,
    /// Offset a restart reads from to rebuild the detectors' windows.
    pub replay_from: i64,
}

/// A committed position: read on from `next`; replay from `replay_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    pub next: i64,
    pub replay_from: i64,
}

/// The shared state behind a [`Live`] handle.
#[derive(Debug, Default)]
pub struct LiveState {
    pub partitions: Vec<PartitionStatus>,
    /// The last connection or fetch error (cleared by the next success).
    pub error: Option<String>,
    /// Fetches that came back empty from an offset below the high
    /// watermark and were retried from an earlier offset (a broker that
    /// cannot fetch from inside a record batch).
    pub backoffs: u64,
    ledger: VecDeque<Mark>,
}

/// Most ledger marks kept; older ones are folded (only the latest per
/// partition matters once processed).
const MAX_MARKS: usize = 65_536;

/// A cheap handle on one Kafka input's shared state.
#[derive(Debug, Clone)]
pub struct Live {
    pub file: u32,
    pub name: String,
    pub topic: String,
    pub group: String,
    state: Arc<Mutex<LiveState>>,
}

impl Live {
    pub fn new(file: u32, name: String, topic: String, group: String) -> Live {
        Live {
            file,
            name,
            topic,
            group,
            state: Arc::default(),
        }
    }

    /// The state (a poisoned lock still holds usable counters).
    pub fn state(&self) -> MutexGuard<'_, LiveState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that batch `mark.seq` ends where `mark` says.
    pub fn mark(&self, mark: Mark) {
        let mut s = self.state();
        if s.ledger.len() >= MAX_MARKS {
            // Keep the newest mark per partition among the oldest half.
            let old: Vec<Mark> = s.ledger.drain(..MAX_MARKS / 2).collect();
            let mut last: BTreeMap<i32, Mark> = BTreeMap::new();
            for m in old {
                last.insert(m.partition, m);
            }
            let mut folded: Vec<Mark> = last.into_values().collect();
            folded.sort_by_key(|m| m.seq);
            for m in folded.into_iter().rev() {
                s.ledger.push_front(m);
            }
        }
        s.ledger.push_back(mark);
    }

    /// Takes the marks of batches before `processed` (all processed by
    /// the owner now) and returns, per partition, the latest position to
    /// commit; positions inside the replay (behind the commit) are not.
    pub fn advance(&self, processed: u64) -> BTreeMap<i32, Committed> {
        let mut s = self.state();
        let mut out = BTreeMap::new();
        while let Some(m) = s.ledger.front().copied().filter(|m| m.seq < processed) {
            s.ledger.pop_front();
            if let Some(p) = s.partitions.iter_mut().find(|p| p.partition == m.partition) {
                p.processed = p.processed.max(m.next);
                if m.next < p.resume_at {
                    continue;
                }
            }
            out.insert(
                m.partition,
                Committed {
                    next: m.next,
                    replay_from: m.replay_from,
                },
            );
        }
        out
    }

    /// `done` is in the case now.
    pub fn committed(&self, done: &BTreeMap<i32, Committed>) {
        let mut s = self.state();
        for p in s.partitions.iter_mut() {
            if let Some(c) = done.get(&p.partition) {
                p.committed = Some(c.next);
            }
        }
    }

    /// True while the owner has not yet processed again, on some
    /// partition, everything processed before the restart (see `triage::kafka`).
    pub fn replaying(&self) -> bool {
        let s = self.state();
        s.partitions.iter().any(|p| p.processed < p.resume_at)
    }

    /// Sum of the partitions' lag, their rate, and the newest offset read.
    pub fn totals(&self) -> (i64, f64, Option<i64>) {
        let s = self.state();
        let lag = s.partitions.iter().map(PartitionStatus::lag).sum();
        let rate = s.partitions.iter().fold(0.0, |a, p| a + p.rate);
        let last = s.partitions.iter().filter_map(|p| p.last_offset).max();
        (lag, rate, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_processed_batches_are_ready_and_the_latest_per_partition_wins() {
        let live = Live::new(0, "k".into(), "t".into(), "g".into());
        live.state().partitions = (0..2)
            .map(|partition| PartitionStatus {
                partition,
                resume_at: 4,
                ..Default::default()
            })
            .collect();
        for (seq, partition, next) in [(0, 0, 5), (1, 1, 3), (2, 0, 9), (3, 1, 7)] {
            live.mark(Mark {
                seq,
                partition,
                next,
                replay_from: 0,
            });
        }
        assert!(live.replaying());
        let r = live.advance(3);
        assert_eq!(r.get(&0).map(|c| c.next), Some(9));
        // Partition 1 is still inside its replay: nothing to commit yet.
        assert_eq!(r.get(&1), None);
        assert!(live.replaying());
        let r = live.advance(4);
        assert_eq!(r.len(), 1);
        assert_eq!(r.get(&1).map(|c| c.next), Some(7));
        assert!(!live.replaying());
        assert!(live.advance(4).is_empty());
    }
}
