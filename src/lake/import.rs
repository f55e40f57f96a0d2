//! `hunt case import-results FILE`: a lake engine's answers to the `hunt
//! rules` queries become open findings of the case, beside what the last
//! `hunt scan --case` left open, so `hunt case verdict`/`note` (by id or
//! prefix) and `hunt case export` work on them as on scanned findings. The
//! ids are hunt's own (detector, entity, first seen), so a finding imported
//! from the lake and the same finding scanned locally share one verdict.
//! Evidence is kept as event ids (`metadata.uid` of `hunt events`) with the
//! result file they came from; rows that cannot be read are reported with
//! their line and reason, and the rest still load.

use super::results::{self, LakeFinding, Loaded};
use crate::finding::{DetectorId, Severity};
use crate::ingest::time::format_time;
use crate::triage::case::Case;
use crate::triage::handoff::{OpenFinding, SourceRecord, EVIDENCE_KEPT};
use crate::triage::{Snapshot, TriageError};
use serde_json::json;
use std::path::Path;

/// What one import did.
pub struct Imported {
    pub loaded: Loaded,
    /// Findings new to the open work (the others replaced their earlier import).
    pub added: usize,
}

/// The risk hunt gives a detector's typical finding (the query returns no risk).
fn risk(f: &LakeFinding) -> u8 {
    if f.suppressed {
        return 20;
    }
    match f.detector {
        DetectorId::CredentialStuffing => 60,
        DetectorId::PasswordSpray => 60,
        DetectorId::ImpossibleTravel => 85,
        DetectorId::HostingAsn => 80,
        DetectorId::IdentityRisk => 70,
        DetectorId::LegacyAuth => 50,
        DetectorId::InboxRule => 80,
        DetectorId::BulkSend => 60,
        DetectorId::CloudRecon => 70,
        DetectorId::SessionAnomaly => 80,
        _ => 50,
    }
}

/// The open finding a result row stands for.
pub fn open_finding(f: &LakeFinding, source: &str) -> OpenFinding {
    let risk = risk(f);
    let title = format!(
        "{} for {} (from lake results {})",
        f.detector.as_str(),
        f.entity,
        source
    );
    OpenFinding {
        snapshot: Snapshot {
            finding_id: f.id(),
            detector: f.detector.as_str().to_string(),
            entity: f.entity.clone(),
            severity: Severity::from_risk(risk).as_str().to_string(),
            risk,
            first_seen: format_time(f.first_seen),
            last_seen: format_time(f.last_seen),
            title,
        },
        event_count: f.event_count,
        why: format!(
            "a {} query run by a lake engine (see `hunt rules`); imported from {}",
            f.detector.as_str(),
            source
        ),
        details: json!({
            "source": "lake results",
            "file": source,
            "user": f.user,
            "ip": f.ip,
            "suppressed": f.suppressed,
            "note": "risk is the detector's usual one: the query does not compute it",
        }),
        evidence: f
            .evidence_ids
            .iter()
            .take(EVIDENCE_KEPT)
            .map(|id| evidence_ref(id, source))
            .collect(),
        evidence_total: f.evidence_ids.len(),
        incident: None,
    }
}

/// An evidence reference: the Spark queries' ids are `FILE:OFFSET` (the
/// OCSF `unmapped.file` and `unmapped.offset` of `hunt events`), which is
/// how `hunt scan` names evidence too; other engines' ids (Entra request
/// ids, `OfficeId`) are kept as they are, with the result file.
pub fn evidence_ref(id: &str, results: &str) -> serde_json::Value {
    if let Some((file, offset)) = id.rsplit_once(':') {
        if let (false, Ok(offset)) = (file.is_empty(), offset.parse::<u64>()) {
            return json!({ "event_id": id, "file": file, "offset": offset });
        }
    }
    json!({ "event_id": id, "results": results })
}

/// Reads `file` and adds its findings to the case's open work.
pub fn import(case: &Case, file: &Path) -> Result<Imported, TriageError> {
    let bytes = std::fs::read(file).map_err(|e| TriageError::Io {
        path: file.to_path_buf(),
        source: e,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let loaded = results::read(&text);
    let name = file.display().to_string();
    let scan = case.last_scan()?;
    let mut work = scan.work;
    let mut added = 0;
    for f in &loaded.findings {
        let open = open_finding(f, &name);
        match work
            .findings
            .iter_mut()
            .find(|o| o.snapshot.finding_id == open.snapshot.finding_id)
        {
            Some(old) => *old = open,
            None => {
                work.findings.push(open);
                added += 1;
            }
        }
    }
    work.findings.sort_by(|a, b| {
        let (a, b) = (&a.snapshot, &b.snapshot);
        crate::triage::handoff::rank(&a.severity)
            .cmp(&crate::triage::handoff::rank(&b.severity))
            .then(b.risk.cmp(&a.risk))
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.finding_id.cmp(&b.finding_id))
    });
    let mut problems = std::collections::BTreeMap::new();
    for p in &loaded.problems {
        *problems.entry(p.reason.clone()).or_insert(0u64) += 1;
    }
    work.sources.retain(|s| s.name != name);
    work.sources.push(SourceRecord {
        name,
        format: format!("lake results ({})", loaded.format),
        failed: false,
        error: None,
        records: (loaded.findings.len() + loaded.problems.len()) as u64,
        events: loaded.findings.len() as u64,
        duplicates: 0,
        problems,
    });
    let doc = serde_json::to_string(&work).unwrap_or_else(|_| "{}".into());
    case.record_scan_work(&scan.matches, &doc)?;
    Ok(Imported { loaded, added })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_offset_ids_become_hunt_references() {
        let r = evidence_ref("samples/entra/SigninLogs.ndjson:1200", "x.jsonl");
        assert_eq!(r["file"], "samples/entra/SigninLogs.ndjson");
        assert_eq!(r["offset"], 1200);
        let r = evidence_ref("c:\\logs\\a.json:7", "x.jsonl");
        assert_eq!(r["offset"], 7);
        let r = evidence_ref("933f20c0-efdf-477f-9586-e5cc566d2e00", "x.jsonl");
        assert_eq!(r["results"], "x.jsonl");
        assert!(r.get("offset").is_none());
        assert!(evidence_ref(":5", "x").get("offset").is_none());
    }
}
