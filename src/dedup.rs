//! Recognising a record loaded twice (SPEC §2 "Order and duplicates";
//! overlapping exports, or one sign-in exported as a Sentinel row and as a
//! Graph or diagnostic record).
//!
//! Parsers stamp the drafts of a record with an [`identity`]: a 64-bit hash
//! of the source family, the source's own record id and what makes the
//! record itself: its time (to the second, where shapes of one record
//! disagree on sub-second digits) and its operation and result as each
//! format has them (Okta `uuid` + `published` + `eventType` + result,
//! CloudTrail `eventID` + `eventTime` + `eventName` + `errorCode`, unified
//! audit `Id` + `CreationTime` + `Operation` + `ResultStatus`, Windows
//! computer + `EventRecordID` + second + event id, Entra request id + result
//! code). An id alone is no identity: exporters reuse or blank it, and
//! records that differ in any of these parts are different records.
//!
//! A record without an identity of its own (a syslog line) gets a
//! [`line_identity`]: the line's hash marked as counted by occurrence. The
//! owner numbers each input's occurrences of one line ([`Occurrences`]) and
//! folds the number into the identity, so a line repeated inside one file
//! is that many records, while across inputs that overlap (a rotated file
//! and its copy, one file loaded twice) it counts as many times as the
//! input holding it most often.
//!
//! The single owner keeps the identities it has stored in [`Seen`] and
//! drops a later record carrying one of them, so the store and the
//! detectors never see the copy. Only the 64-bit hashes are kept (8 bytes
//! per event), never the id text; two distinct ids colliding in 64 bits is
//! not a practical concern at the sizes `hunt` holds.

use crate::event::{Origin, Source};
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};

/// The identity of a record: `source`'s family, then `parts` (the id text
/// first), compared without ASCII case (GUIDs are written both ways) and
/// without surrounding whitespace. 0 (none) when the first part is blank:
/// a record without an id is never taken for a copy.
pub fn identity(source: Source, parts: &[&str]) -> u64 {
    if parts.first().is_none_or(|id| id.trim().is_empty()) {
        return 0;
    }
    match hash_parts(source, parts) & !LINE {
        0 => 1,
        id => id,
    }
}

/// Marks an identity counted by occurrence (see [`line_identity`]).
const LINE: u64 = 1 << 63;

/// The identity of a record that has none of its own (a whole syslog
/// line): a repeat of it inside one input is another record. The owner
/// turns it into an identity per occurrence with [`Occurrences`].
pub fn line_identity(source: Source, text: &str) -> u64 {
    if text.trim().is_empty() {
        return 0;
    }
    hash_parts(source, &[text]) | LINE
}

/// Whether `identity` came from [`line_identity`].
pub fn is_line(identity: u64) -> bool {
    identity & LINE != 0
}

/// The seconds of an event time, as an identity part: the shapes of one
/// record agree on the second, not always on sub-second digits.
pub fn second(time: crate::event::Millis) -> String {
    time.div_euclid(1000).to_string()
}

fn hash_parts(source: Source, parts: &[&str]) -> u64 {
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write_u8(source as u8);
    for part in parts {
        // A separator that cannot occur in text keeps ("ab","c") apart from ("a","bc").
        h.write_u8(0xff);
        // Lower-cased 64 bytes at a time (the hasher eats 8 bytes a step).
        for chunk in part.trim().as_bytes().chunks(64) {
            let mut buf = [0u8; 64];
            for (d, s) in buf.iter_mut().zip(chunk) {
                *d = s.to_ascii_lowercase();
            }
            h.write(buf.get(..chunk.len()).unwrap_or_default());
        }
    }
    mix(h.finish())
}

/// Per input, how often each line identity occurred so far (8 + 4 bytes
/// per distinct line that became an event, the same order as [`Seen`]).
#[derive(Default)]
pub struct Occurrences {
    by_file: Vec<rustc_hash::FxHashMap<u64, u32>>,
    /// The last record numbered: its file, offset, identity in and out (the
    /// drafts of one record, e.g. `message repeated N times`, share it).
    last: Option<(u32, u64, u64, u64)>,
}

impl Occurrences {
    /// `identity` as it is for this occurrence: unchanged for a record's own
    /// identity; for a [`line_identity`], numbered by its occurrence in the
    /// input `origin` is from.
    pub fn number(&mut self, identity: u64, origin: &Origin) -> u64 {
        if !is_line(identity) {
            return identity;
        }
        if let Some((file, offset, id, out)) = self.last {
            if file == origin.file && offset == origin.offset && id == identity {
                return out;
            }
        }
        let at = origin.file as usize;
        if self.by_file.len() <= at {
            self.by_file.resize_with(at + 1, Default::default);
        }
        let n = match self.by_file.get_mut(at) {
            Some(m) => {
                let c = m.entry(identity).or_insert(0);
                *c = c.saturating_add(1);
                *c
            }
            None => 1,
        };
        let out = match mix(identity ^ mix(u64::from(n))) & !LINE {
            0 => 1,
            id => id,
        };
        self.last = Some((origin.file, origin.offset, identity, out));
        out
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.by_file.iter().map(|m| m.capacity() * 13).sum()
    }
}

/// Where the kept copy of a record sits, while a better copy may still
/// replace it (see [`KeptCopies`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptCopy {
    /// Store index of its first draft (`u32::MAX` when not stored).
    pub idx: u32,
    /// Arrival number of its first draft among the tapped events.
    pub tap: u64,
    /// Its drafts (consecutive from `idx` / `tap`).
    pub drafts: u32,
    /// The input it came from, and its time.
    pub file: u32,
    pub time: crate::event::Millis,
    /// Fields present in its first draft: the shape's completeness.
    pub fields: u8,
}

/// Copies listed at most per kept record (more are counted, not listed).
const MAX_LISTED_COPIES: usize = 16;

/// For kept records that had copies, where the copies were read: the
/// evidence of a finding lists them beside the kept copy. Bounded by the
/// copies dropped, at most [`MAX_LISTED_COPIES`] per record.
#[derive(Debug, Default)]
pub struct OtherCopies {
    by_event: rustc_hash::FxHashMap<u32, Vec<crate::event::Origin>>,
}

impl OtherCopies {
    /// A copy of the record stored at `idx` was read at `origin`.
    pub fn add(&mut self, idx: u32, origin: crate::event::Origin) {
        let v = self.by_event.entry(idx).or_default();
        if v.len() < MAX_LISTED_COPIES && !v.contains(&origin) {
            v.push(origin);
        }
    }

    /// The record stored at `old` (read at `old_origin`) is now stored at `new`.
    pub fn moved(&mut self, old: u32, new: u32, old_origin: crate::event::Origin) {
        let mut v = self.by_event.remove(&old).unwrap_or_default();
        v.insert(0, old_origin);
        v.truncate(MAX_LISTED_COPIES);
        self.by_event.insert(new, v);
    }

    /// Where the other copies of the record stored at `idx` were read.
    pub fn of(&self, idx: u32) -> &[crate::event::Origin] {
        self.by_event
            .get(&idx)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// What [`KeptCopies::challenge`] decided for a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// The copy replaces this kept one.
    Replaces(KeptCopy),
    /// The copy is dropped; this one stays.
    Dropped(KeptCopy),
}

/// The copy of a record that is kept, by a fixed rule, whatever order the
/// inputs are read in: the most complete shape (most fields present), then
/// the input whose name ranks first (the hash of its name that orders
/// equal-time events of different inputs), then the input given first,
/// then the earlier position in the input. Within one input records are
/// applied in the input's order, so a later copy replaces an earlier one
/// only when it is more complete.
///
/// The owner registers every kept record here and asks [`KeptCopies::challenge`]
/// when a copy arrives; a winning copy replaces the kept one, which the
/// owner then retracts. Held only while the detectors have not seen the
/// records (a copy arriving after release is dropped: what was alerted on
/// stays), so the map is emptied at each release ([`KeptCopies::clear`]).
#[derive(Debug, Default)]
pub struct KeptCopies {
    by_identity: rustc_hash::FxHashMap<u64, KeptCopy>,
    /// The input each kept copy came from that later copies merged into,
    /// per (kept input, dropped input): for `hunt scan -v`.
    pub merged: std::collections::BTreeMap<(u32, u32), u64>,
}

impl KeptCopies {
    /// Registers draft `k` of a kept record (`k` = 0 for its first draft).
    pub fn kept(&mut self, identity: u64, first_draft: bool, copy: KeptCopy) {
        if identity == 0 {
            return;
        }
        if first_draft {
            self.by_identity.insert(identity, copy);
        } else if let Some(c) = self.by_identity.get_mut(&identity) {
            c.drafts = c.drafts.saturating_add(1);
        }
    }

    /// A copy of a kept record arrived from input `file` (`fields`
    /// present; `ranks` by input). Says whether it replaces the kept copy
    /// (the caller then retracts that one and registers the new one with
    /// [`KeptCopies::kept`]) or is dropped; either way the merge is counted
    /// for the pair of inputs. `None` when the record is not tracked (it
    /// went to the detectors already).
    pub fn challenge(
        &mut self,
        identity: u64,
        file: u32,
        fields: u8,
        ranks: &[u64],
    ) -> Option<Challenge> {
        let old = *self.by_identity.get(&identity)?;
        let rank = |f: u32| ranks.get(f as usize).copied().unwrap_or(u64::from(f));
        let wins = fields > old.fields
            || (fields == old.fields && (rank(file), file) < (rank(old.file), old.file));
        let pair = if wins {
            (file, old.file)
        } else {
            (old.file, file)
        };
        *self.merged.entry(pair).or_insert(0) += 1;
        Some(if wins {
            Challenge::Replaces(old)
        } else {
            Challenge::Dropped(old)
        })
    }

    /// Counts a copy dropped for a record whose kept copy is no longer
    /// tracked (it was released already).
    pub fn dropped_late(&mut self, file: u32) {
        *self.merged.entry((u32::MAX, file)).or_insert(0) += 1;
    }

    /// Forgets the kept copies (their records have gone to the detectors).
    pub fn clear(&mut self) {
        self.by_identity = Default::default();
    }

    /// Forgets the kept copies of records older than `time` (they have
    /// gone to the detectors; the others are still held).
    pub fn forget_before(&mut self, time: crate::event::Millis) {
        self.by_identity.retain(|_, c| c.time >= time);
    }

    /// Records tracked.
    pub fn len(&self) -> usize {
        self.by_identity.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_identity.is_empty()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.by_identity.capacity() * (8 + std::mem::size_of::<KeptCopy>() + 1)
    }
}

/// A finaliser (MurmurHash3's fmix64): every input bit reaches the high
/// bits, which the hash table below uses as they are.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// What the owner does with a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// A copy of a record already stored: drop it. `new_record` is true for
    /// the first draft of the copy (count one duplicate record per copy).
    Duplicate {
        new_record: bool,
    },
}

/// Identities collected in the hash table before they move to the sorted
/// vector: the table stays at 32,768 slots (about 300 KiB).
const RECENT: usize = 28_000;

/// The identities stored so far, and the record the last draft came from.
///
/// A hash table of every identity would cost 10–20 bytes per event (9 bytes
/// a slot, tables half to seven-eighths full, and both the old and the new
/// table while it grows). Instead the latest identities sit in a small table
/// and are merged, sorted, into 4,096 vectors chosen by their top bits: 8
/// bytes per event and 96 KiB of vector headers. The identities are uniform
/// hashes, so a lookup in a vector is an interpolation search (a probe or
/// two), not a binary search.
pub struct Seen {
    recent: HashTable<u64>,
    /// By the identity's top [`SHARD_BITS`] bits, each sorted.
    sorted: Vec<Vec<u64>>,
    /// Size at which `recent` is merged into `sorted` (smaller in tests).
    recent_max: usize,
    /// The last draft with an identity: its identity, file, offset and verdict.
    last: Option<(u64, u32, u64, Verdict)>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen::with_recent(RECENT)
    }
}

impl Seen {
    fn with_recent(recent_max: usize) -> Seen {
        Seen {
            recent: HashTable::new(),
            sorted: (0..1 << SHARD_BITS).map(|_| Vec::new()).collect(),
            recent_max: recent_max.max(1),
            last: None,
        }
    }

    /// Decides a draft's fate. The drafts of one record (same file and offset,
    /// e.g. the N attempts of `message repeated N times`) share its verdict;
    /// a different record whose identity is already known is a duplicate.
    pub fn check(&mut self, identity: u64, origin: &Origin) -> Verdict {
        if identity == 0 {
            return Verdict::Keep;
        }
        if let Some((id, file, offset, verdict)) = self.last {
            if id == identity && file == origin.file && offset == origin.offset {
                return match verdict {
                    Verdict::Keep => Verdict::Keep,
                    Verdict::Duplicate { .. } => Verdict::Duplicate { new_record: false },
                };
            }
        }
        let verdict = if self.contains(identity) {
            Verdict::Duplicate { new_record: true }
        } else {
            self.insert(identity);
            Verdict::Keep
        };
        self.last = Some((identity, origin.file, origin.offset, verdict));
        verdict
    }

    fn contains(&self, id: u64) -> bool {
        self.recent.find(id, |&x| x == id).is_some()
            || self
                .sorted
                .get(shard(id))
                .is_some_and(|v| sorted_contains(v, id))
    }

    fn insert(&mut self, id: u64) {
        self.recent.insert_unique(id, id, |&x| x);
        if self.recent.len() >= self.recent_max {
            let mut add: Vec<u64> = self.recent.drain().collect();
            add.sort_unstable();
            for run in add.chunk_by(|a, b| shard(*a) == shard(*b)) {
                let Some(&first) = run.first() else { continue };
                if let Some(v) = self.sorted.get_mut(shard(first)) {
                    merge_sorted(v, run);
                }
            }
        }
    }

    /// Distinct identities held.
    pub fn len(&self) -> usize {
        self.recent.len() + self.sorted.iter().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.recent.allocation_size()
            + self.sorted.capacity() * std::mem::size_of::<Vec<u64>>()
            + self.sorted.iter().map(|v| v.capacity() * 8).sum::<usize>()
    }
}

/// Top bits of an identity that choose its sorted vector: small vectors grow
/// in place or reuse each other's freed blocks, where one big vector would
/// leave a trail of freed copies behind it.
const SHARD_BITS: u32 = 12;

fn shard(id: u64) -> usize {
    (id >> (64 - SHARD_BITS)) as usize
}

/// Interpolation search in a sorted vector of uniform hashes; halving after
/// a few rounds bounds the worst case.
fn sorted_contains(v: &[u64], x: u64) -> bool {
    let (mut lo, mut hi) = (0usize, v.len());
    let mut rounds = 0;
    while lo < hi {
        let (Some(&a), Some(&b)) = (v.get(lo), v.get(hi - 1)) else {
            return false;
        };
        if x < a || x > b {
            return false;
        }
        if a == b {
            return a == x;
        }
        let mid = if rounds < 4 {
            // a <= x <= b and a < b: the offset is at most hi - 1 - lo.
            let span = (hi - 1 - lo) as u128;
            lo + ((u128::from(x - a) * span) / u128::from(b - a)) as usize
        } else {
            lo + (hi - lo) / 2
        };
        rounds += 1;
        match v.get(mid).map(|m| m.cmp(&x)) {
            Some(std::cmp::Ordering::Equal) => return true,
            Some(std::cmp::Ordering::Less) => lo = mid + 1,
            Some(std::cmp::Ordering::Greater) => hi = mid,
            None => return false,
        }
    }
    false
}

/// Merges sorted `add` into sorted `big` in place, from the back (the vector
/// grows by exactly `add.len()`; a large one is remapped, not copied).
fn merge_sorted(big: &mut Vec<u64>, add: &[u64]) {
    let (mut i, mut j) = (big.len(), add.len());
    big.reserve_exact(j);
    big.resize(i + j, 0);
    // Invariant: the free slot is i + j - 1, above every unmerged value of `big`.
    while let Some(&y) = j.checked_sub(1).and_then(|k| add.get(k)) {
        let slot = i + j - 1;
        let v = match i.checked_sub(1).and_then(|k| big.get(k)).copied() {
            Some(x) if x > y => {
                i -= 1;
                x
            }
            _ => {
                j -= 1;
                y
            }
        };
        if let Some(s) = big.get_mut(slot) {
            *s = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: u32, offset: u64) -> Origin {
        Origin {
            file,
            offset,
            ..Origin::default()
        }
    }

    #[test]
    fn identity_ignores_case_and_blank_ids_have_none() {
        let a = identity(Source::Entra, &["7A0A9E57-1C24-4B11-9D6B-AAAA00000001"]);
        let b = identity(Source::Entra, &[" 7a0a9e57-1c24-4b11-9d6b-aaaa00000001"]);
        assert_eq!(a, b);
        assert_ne!(a, 0);
        assert_ne!(
            a,
            identity(Source::Okta, &["7a0a9e57-1c24-4b11-9d6b-aaaa00000001"])
        );
        assert_ne!(
            identity(Source::Okta, &["ab", "c"]),
            identity(Source::Okta, &["a", "bc"])
        );
        // Longer than one 64-byte step of the hasher.
        let long = "Mar  1 10:00:01 bastion sshd[4242]: Failed password for ROOT from 203.0.113.9 port 50022 ssh2";
        assert_eq!(
            identity(Source::Sshd, &[long]),
            identity(Source::Sshd, &[&long.to_lowercase()])
        );
        assert_ne!(
            identity(Source::Sshd, &[long]),
            identity(Source::Sshd, &[&long.replace("ssh2", "ssh3")])
        );
        assert_eq!(identity(Source::Okta, &[" "]), 0);
        assert_eq!(identity(Source::Okta, &[]), 0);
    }

    #[test]
    fn a_later_record_with_a_known_identity_is_dropped_but_one_records_drafts_stay() {
        let mut s = Seen::default();
        assert_eq!(s.check(0, &at(0, 0)), Verdict::Keep);
        assert_eq!(
            s.check(0, &at(0, 0)),
            Verdict::Keep,
            "no identity, never a copy"
        );
        // One record with three drafts (`message repeated 3 times`).
        for _ in 0..3 {
            assert_eq!(s.check(7, &at(0, 10)), Verdict::Keep);
        }
        // The same line later in the file, then in another file: copies.
        assert_eq!(
            s.check(7, &at(0, 99)),
            Verdict::Duplicate { new_record: true }
        );
        assert_eq!(
            s.check(7, &at(0, 99)),
            Verdict::Duplicate { new_record: false }
        );
        assert_eq!(
            s.check(7, &at(1, 10)),
            Verdict::Duplicate { new_record: true }
        );
        assert_eq!(s.check(8, &at(1, 20)), Verdict::Keep);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn identities_merged_into_the_sorted_vector_are_still_found() {
        // A tiny recent table: most identities live in the sorted vector.
        let mut s = Seen::with_recent(7);
        let ids: Vec<u64> = (1..=1000u64).map(mix).collect();
        for (n, &id) in ids.iter().enumerate() {
            assert_eq!(s.check(id, &at(0, n as u64)), Verdict::Keep);
        }
        assert_eq!(s.len(), 1000);
        let all: Vec<u64> = s.sorted.concat();
        assert_eq!(all.len() + s.recent.len(), 1000);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for (n, &id) in ids.iter().enumerate() {
            let v = s.check(id, &at(1, n as u64));
            assert_eq!(v, Verdict::Duplicate { new_record: true }, "{n}");
        }
        // Values around and between the held ones are not found.
        for x in [0, 1, u64::MAX, ids[3] ^ 1, ids[500].wrapping_add(1)] {
            assert!(!s.contains(x) || ids.contains(&x), "{x}");
        }
        assert!(s.heap_bytes() >= 1000 * 8);
    }

    #[test]
    fn line_identities_are_numbered_per_input_and_own_ids_pass_through() {
        let mut o = Occurrences::default();
        let own = identity(Source::Okta, &["x"]);
        assert!(!is_line(own));
        assert_eq!(o.number(own, &at(0, 0)), own);
        let line = line_identity(Source::Sshd, "sshd[1]: Failed password for root");
        assert!(is_line(line));
        assert_eq!(line_identity(Source::Sshd, " "), 0);
        let a0 = o.number(line, &at(0, 10));
        // The drafts of one record share its number.
        assert_eq!(o.number(line, &at(0, 10)), a0);
        let a1 = o.number(line, &at(0, 20));
        assert_ne!(a0, a1);
        assert!(!is_line(a0) && !is_line(a1));
        // Another input numbers from the start: its first is the first's copy.
        assert_eq!(o.number(line, &at(1, 10)), a0);
        assert_eq!(o.number(line, &at(1, 20)), a1);
        assert_ne!(o.number(line, &at(1, 30)), a1);
        assert!(o.heap_bytes() > 0);
    }

    #[test]
    fn sorted_search_and_merge_edges() {
        assert!(!sorted_contains(&[], 5));
        assert!(sorted_contains(&[5], 5));
        assert!(!sorted_contains(&[5], 4));
        assert!(sorted_contains(&[0, u64::MAX], u64::MAX));
        assert!(sorted_contains(&[0, u64::MAX], 0));
        assert!(!sorted_contains(&[0, u64::MAX], 1));
        let mut big = vec![2, 4, 6];
        merge_sorted(&mut big, &[1, 5, 7, 8]);
        assert_eq!(big, [1, 2, 4, 5, 6, 7, 8]);
        let mut empty = Vec::new();
        merge_sorted(&mut empty, &[3]);
        merge_sorted(&mut empty, &[]);
        assert_eq!(empty, [3]);
    }
}
