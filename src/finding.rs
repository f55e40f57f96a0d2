//! What detectors produce: a [`Finding`] per detector and entity burst, with a
//! stable id (SPEC §8), severity, risk, the details an analyst judges it by,
//! and evidence references back into the store. [`Findings`] keeps the
//! current version of each finding, upserted by id, so a live tail updates
//! findings in place instead of duplicating them.

use crate::event::Millis;
use crate::store::EventIdx;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Most evidence references kept per finding.
pub const MAX_EVIDENCE: usize = 50;

pub use crate::ident::{DetectorId, Severity};

/// Why a finding is hidden by default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// Allowlist entry id, or `None` when a detector suppressed it itself (shared egress).
    pub entry: Option<i64>,
    pub note: String,
}

/// One finding. Detectors build it; the pipeline attaches triage state.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable id: see [`finding_id`].
    pub id: String,
    pub detector: DetectorId,
    pub severity: Severity,
    pub risk: u8,
    pub user: Option<String>,
    pub ip: Option<String>,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub title: String,
    pub event_count: u32,
    /// Detector-specific facts (counts, IPs, hops, reasons, thresholds).
    pub details: serde_json::Value,
    /// Up to [`MAX_EVIDENCE`] events, in time order.
    pub evidence: Vec<EventIdx>,
    pub suppressed: Option<Suppression>,
}

impl Finding {
    /// A finding with its id derived from detector, entity and first evidence time.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        detector: DetectorId,
        entity: &str,
        first_seen: Millis,
        risk: u8,
        title: String,
    ) -> Finding {
        Finding {
            id: finding_id(detector, entity, first_seen),
            detector,
            severity: Severity::from_risk(risk),
            risk,
            user: None,
            ip: None,
            first_seen,
            last_seen: first_seen,
            title,
            event_count: 0,
            details: serde_json::Value::Null,
            evidence: Vec::new(),
            suppressed: None,
        }
    }

    /// Adds an evidence reference (kept in time order of arrival, capped).
    pub fn add_evidence(&mut self, idx: EventIdx) {
        if self.evidence.len() < MAX_EVIDENCE && !self.evidence.contains(&idx) {
            self.evidence.push(idx);
        }
    }
}

/// The stable id of a finding: 16 hex digits of FNV-1a over detector, entity
/// and the first evidence time. Same logs, same ids; more logs loaded
/// together keep the ids of findings whose first evidence did not change.
pub fn finding_id(detector: DetectorId, entity: &str, first_seen: Millis) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x100000001b3);
    };
    eat(detector.as_str().as_bytes());
    eat(entity.as_bytes());
    eat(&first_seen.to_le_bytes());
    format!("{h:016x}")
}

/// Current findings, keyed by id, in creation order.
#[derive(Default, Debug)]
pub struct Findings {
    list: Vec<Finding>,
    revisions: Vec<u32>,
    by_id: HashMap<String, usize>,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

impl Findings {
    /// Inserts or replaces a finding by id.
    pub fn upsert(&mut self, f: Finding) -> Change {
        let kept = self
            .by_id
            .get(&f.id)
            .and_then(|&i| self.list.get_mut(i).zip(self.revisions.get_mut(i)));
        match kept {
            Some((old, _)) if *old == f => Change::Unchanged,
            Some((old, revision)) => {
                *old = f;
                *revision += 1;
                Change::Updated
            }
            // New, or (never expected) an id whose slot is gone: stored afresh.
            None => {
                self.by_id.insert(f.id.clone(), self.list.len());
                self.list.push(f);
                self.revisions.push(0);
                Change::Created
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Finding> {
        self.by_id.get(id).and_then(|&i| self.list.get(i))
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Finding> {
        self.by_id.get(id).and_then(|&i| self.list.get_mut(i))
    }

    /// How many times a finding changed after it was created.
    pub fn revision(&self, id: &str) -> u32 {
        self.by_id
            .get(id)
            .and_then(|&i| self.revisions.get(i))
            .copied()
            .unwrap_or(0)
    }

    pub fn all(&self) -> &[Finding] {
        &self.list
    }

    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Finding> {
        self.list.iter_mut()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Findings sorted for reports: severity, then risk (both descending), then time and id.
    pub fn sorted(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self.list.iter().collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.risk.cmp(&a.risk))
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.id.cmp(&b.id))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = finding_id(DetectorId::PasswordSpray, "1.2.3.4", 1000);
        assert_eq!(a, finding_id(DetectorId::PasswordSpray, "1.2.3.4", 1000));
        assert_eq!(a.len(), 16);
        assert_ne!(a, finding_id(DetectorId::PasswordSpray, "1.2.3.4", 1001));
        assert_ne!(
            a,
            finding_id(DetectorId::CredentialStuffing, "1.2.3.4", 1000)
        );
        // Pinned so a change of the hash (which would orphan verdicts) is noticed.
        assert_eq!(
            finding_id(DetectorId::BulkSend, "alice@contoso.com", 0),
            "95b976381eba7edd"
        );
    }

    #[test]
    fn upsert_updates_in_place() {
        let mut fs = Findings::default();
        let mut f = Finding::new(DetectorId::BulkSend, "a", 1, 60, "t".into());
        assert_eq!(fs.upsert(f.clone()), Change::Created);
        assert_eq!(fs.upsert(f.clone()), Change::Unchanged);
        f.event_count = 3;
        assert_eq!(fs.upsert(f.clone()), Change::Updated);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs.revision(&f.id), 1);
        assert_eq!(Severity::from_risk(90), Severity::Critical);
        assert_eq!(Severity::from_risk(60), Severity::Medium);
    }

    #[test]
    fn an_id_whose_slot_is_gone_reads_as_absent_and_is_stored_afresh() {
        let f = Finding::new(DetectorId::BulkSend, "a", 1, 60, "t".into());
        let mut fs = Findings::default();
        fs.by_id.insert(f.id.clone(), 7);
        assert!(fs.get(&f.id).is_none());
        assert!(fs.get_mut(&f.id).is_none());
        assert_eq!(fs.revision(&f.id), 0);
        assert_eq!(fs.upsert(f.clone()), Change::Created);
        assert_eq!(fs.get(&f.id), Some(&f));
        assert_eq!(fs.upsert(f.clone()), Change::Unchanged);
    }
}
