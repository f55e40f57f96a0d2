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
use crate::config::Config;
use crate::detect::describe::Outline;
use crate::finding::Severity;
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

/// The risk the configured detector gives a finding of this outline (the
/// query returns no risk), and the config key it came from. A detector
/// without a description (a Sigma rule) has no configured risk: 50.
fn risk(f: &LakeFinding, config: &Config) -> (u8, &'static str) {
    let outline = Outline {
        suppressed: f.suppressed,
        success: f.user.as_deref().is_some_and(|u| !u.trim().is_empty()),
    };
    match f.detector.description() {
        Some(d) => (d.risk)(config, &outline),
        None => (50, "none"),
    }
}

/// The open finding a result row stands for.
pub fn open_finding(f: &LakeFinding, source: &str, config: &Config) -> OpenFinding {
    let (risk, key) = risk(f, config);
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
            "risk_from": format!("detectors.{key} in the configuration (the query does not compute risk)"),
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
pub fn import(case: &Case, file: &Path, config: &Config) -> Result<Imported, TriageError> {
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
        let open = open_finding(f, &name, config);
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
    use crate::finding::DetectorId;

    fn row(detector: DetectorId, user: Option<&str>, suppressed: bool) -> LakeFinding {
        LakeFinding {
            detector,
            entity: "203.0.113.9".into(),
            user: user.map(str::to_string),
            ip: Some("203.0.113.9".into()),
            first_seen: 1_700_000_000_000,
            last_seen: 1_700_000_060_000,
            event_count: 30,
            suppressed,
            evidence_ids: Vec::new(),
        }
    }

    #[test]
    fn every_detector_takes_its_risk_and_severity_from_the_config() {
        let config = Config::default();
        for d in DetectorId::ALL {
            let open = open_finding(&row(d, None, false), "r.jsonl", &config);
            let (risk, key) = (d.description().unwrap().risk)(&config, &Outline::default());
            assert_eq!(open.snapshot.risk, risk, "{d}");
            assert_eq!(
                open.snapshot.severity,
                Severity::from_risk(risk).as_str(),
                "{d}"
            );
            assert!(key.starts_with(d.as_str()), "{d}: {key}");
            let shown = open.details["risk_from"].as_str().unwrap().to_string();
            assert!(shown.contains(key), "{d}: {shown}");
        }
        // The seven newer detectors no longer fall back to 50.
        let risk = |d, user, sup| open_finding(&row(d, user, sup), "r", &config).snapshot;
        assert_eq!(risk(DetectorId::MfaFatigue, Some("a@b"), false).risk, 60);
        assert_eq!(risk(DetectorId::NewCountry, Some("a@b"), false).risk, 40);
    }

    #[test]
    fn spray_rows_pick_success_attempt_or_shared_egress() {
        let mut config = Config::default();
        for d in [
            DetectorId::PasswordSpray,
            DetectorId::SlowSpray,
            DetectorId::DistributedSpray,
        ] {
            let with_success =
                open_finding(&row(d, Some("adele@contoso.com"), false), "r", &config);
            let attempt = open_finding(&row(d, None, false), "r", &config);
            let shared = open_finding(&row(d, Some("x@contoso.com"), true), "r", &config);
            assert!(with_success.snapshot.risk > attempt.snapshot.risk, "{d}");
            assert!(shared.snapshot.risk < attempt.snapshot.risk, "{d}");
        }
        let spray = open_finding(
            &row(DetectorId::PasswordSpray, Some("a@b"), false),
            "r",
            &config,
        );
        assert_eq!(
            (spray.snapshot.risk, spray.snapshot.severity.as_str()),
            (90, "critical")
        );
        // A changed score is what the import uses.
        config.detectors.password_spray.risk_success = 70;
        let s = open_finding(
            &row(DetectorId::PasswordSpray, Some("a@b"), false),
            "r",
            &config,
        );
        assert_eq!(
            (s.snapshot.risk, s.snapshot.severity.as_str()),
            (70, "high")
        );
    }

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
