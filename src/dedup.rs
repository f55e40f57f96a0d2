//! Recognising a record loaded twice (SPEC §2 "Order and duplicates";
//! overlapping exports, or one sign-in exported as a Sentinel row and as a
//! Graph or diagnostic record).
//!
//! Parsers stamp the drafts of a record with an [`identity`]: a 64-bit hash
//! of the source family and the source's own record id (Entra request id,
//! Okta `uuid`, CloudTrail `eventID`, unified audit `Id`, Windows computer +
//! `EventRecordID`, a whole syslog line). The single owner keeps the
//! identities it has stored in [`Seen`] and drops a later record carrying
//! one of them, so the store and the detectors never see the copy and the
//! evidence points at the first. Only the 64-bit hashes are kept (about
//! 10–20 bytes per event), never the id text; two distinct ids colliding in
//! 64 bits is not a practical concern at the sizes `hunt` holds.

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
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write_u8(source as u8);
    for part in parts {
        // A separator that cannot occur in text keeps ("ab","c") apart from ("a","bc").
        h.write_u8(0xff);
        for b in part.trim().bytes() {
            h.write_u8(b.to_ascii_lowercase());
        }
    }
    match mix(h.finish()) {
        0 => 1,
        id => id,
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

/// The identities stored so far, and the record the last draft came from.
#[derive(Default)]
pub struct Seen {
    /// The identities themselves, used as their own hash.
    ids: HashTable<u64>,
    /// The last draft with an identity: its identity, file, offset and verdict.
    last: Option<(u64, u32, u64, Verdict)>,
}

impl Seen {
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
        let verdict = if self.ids.find(identity, |&x| x == identity).is_some() {
            Verdict::Duplicate { new_record: true }
        } else {
            self.ids.insert_unique(identity, identity, |&x| x);
            Verdict::Keep
        };
        self.last = Some((identity, origin.file, origin.offset, verdict));
        verdict
    }

    /// Distinct identities held.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Heap bytes of the set (8 bytes and a control byte per slot).
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 9
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
}
