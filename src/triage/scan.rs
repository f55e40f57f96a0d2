//! What `hunt scan` does with the case: open it if it exists (a scan never
//! creates a case file), apply its allowlist (and the config's) and verdicts
//! to the session's findings, add each finding's latest verdict to its JSON,
//! apply its manual incident moves and incident statuses and owners to the
//! grouping, and afterwards record the per-entry match counts and refresh the
//! snapshots of judged findings. A read-only case is still applied, with a
//! warning that nothing is recorded. Output formats stay in [`crate::report`].

use super::handoff::OpenWork;
use super::{format_at, Case, Snapshot, Triage, TriageError};
use crate::config::Config;
use crate::finding::Finding;
use crate::pipeline::Session;
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;

/// The notice for a case opened read-only because `e` refused writing.
pub fn read_only_notice(e: &TriageError) -> String {
    let why = match e {
        TriageError::CannotWrite { path, why } => {
            format!("{}: cannot be written ({why})", path.display())
        }
        TriageError::ReadOnly { path } => format!("{}: the case file is read-only", path.display()),
        other => other.to_string(),
    };
    format!("{why}; opened read-only: its allowlist and verdicts apply, but new verdicts, notes and match counts cannot be saved")
}

/// The case as a scan uses it.
pub struct ScanTriage {
    case: Option<Case>,
    triage: Triage,
    counts: HashMap<i64, u64>,
    /// Manual incident moves not applied yet (their findings not seen yet).
    pending_moves: Vec<super::Move>,
    /// Status and owner of findings and incidents.
    states: HashMap<(super::Target, String), super::WorkState>,
    /// Warnings for stderr (a read-only case, for example).
    pub warnings: Vec<String>,
}

impl ScanTriage {
    /// Loads the case at `case_path` (else the default case) if the file exists,
    /// plus the config's allowlist. Errors when the case exists but cannot be used.
    pub fn open(case_path: Option<&Path>, config: &Config) -> Result<ScanTriage, TriageError> {
        let path = case_path.map(Path::to_path_buf).or_else(Case::default_path);
        let mut warnings = Vec::new();
        let case = match path.filter(|p| p.exists()) {
            None => None,
            Some(p) => match Case::open(&p) {
                Ok(mut c) => {
                    c.set_analyst(&super::analyst_for(config));
                    Some(c)
                }
                Err(e) if e.is_unwritable() => {
                    let case = Case::open_read_only(&p)?;
                    warnings.push(read_only_notice(&e));
                    Some(case)
                }
                Err(e) => return Err(e),
            },
        };
        let triage = Triage::load(case.as_ref(), config)?;
        let (pending_moves, states) = match &case {
            Some(c) => (c.moves()?, c.work_states()?),
            None => Default::default(),
        };
        Ok(ScanTriage {
            case,
            triage,
            counts: HashMap::new(),
            pending_moves,
            states,
            warnings,
        })
    }

    /// A scan without a case or allowlist (for tests and callers that have none).
    pub fn none() -> ScanTriage {
        ScanTriage {
            case: None,
            triage: Triage::default(),
            counts: HashMap::new(),
            pending_moves: Vec::new(),
            states: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    pub fn case(&self) -> Option<&Case> {
        self.case.as_ref()
    }

    pub fn triage(&self) -> &Triage {
        &self.triage
    }

    /// Reloads entries and verdicts when another process changed the case (live follow).
    pub fn reload_if_changed(&mut self, config: &Config) -> Result<bool, TriageError> {
        let Some(case) = &self.case else {
            return Ok(false);
        };
        if !case.changed()? {
            return Ok(false);
        }
        self.triage = Triage::load(Some(case), config)?;
        self.states = case.work_states()?;
        Ok(true)
    }

    /// Applies the allowlist to every finding of the session and keeps the
    /// match counts; applies the case's manual incident moves and incident
    /// statuses and owners to the session's incidents.
    pub fn apply(&mut self, session: &mut Session) {
        let changed;
        (self.counts, changed) =
            self.triage
                .apply_changes(&mut session.findings, &session.store, Utc::now());
        session.regroup(&changed);
        let analyst = self.case.as_ref().map(|c| c.analyst().to_string());
        self.pending_moves = super::workflow::apply_to_incidents(
            &mut session.incidents,
            std::mem::take(&mut self.pending_moves),
            &self.states,
            analyst.as_deref().unwrap_or(""),
        );
    }

    /// The finding's JSON ([`crate::report::finding_json`]) with its latest verdict.
    pub fn finding_json(&self, session: &Session, f: &Finding) -> Value {
        let mut v = crate::report::finding_json(session, f);
        if let Some(m) = v.as_object_mut() {
            m.insert("verdict".into(), self.verdict_json(&f.id));
        }
        v
    }

    /// `{"class","note","analyst","at"}` or null.
    pub fn verdict_json(&self, finding_id: &str) -> Value {
        match self.triage.verdict(finding_id) {
            None => Value::Null,
            Some(v) => {
                json!({"class": v.class, "note": v.note, "analyst": v.analyst, "at": format_at(v.at)})
            }
        }
    }

    /// Records the match counts of this scan and what it left open for the
    /// hand-off ([`OpenWork`]), and refreshes the snapshots of the findings
    /// the case has verdicts or notes for. Does nothing without a writable case.
    pub fn record(&self, session: &Session) -> Result<(), TriageError> {
        let Some(case) = self.case.as_ref().filter(|c| !c.is_read_only()) else {
            return Ok(());
        };
        let judged: HashSet<String> = case
            .snapshots()?
            .into_iter()
            .map(|s| s.finding_id)
            .collect();
        let snaps: Vec<Snapshot> = session
            .findings
            .all()
            .iter()
            .filter(|f| judged.contains(&f.id))
            .map(Snapshot::of)
            .collect();
        if !snaps.is_empty() {
            case.upsert_snapshots(&snaps)?;
        }
        let work = OpenWork::recorded(
            session,
            |id| self.triage.verdict(id).is_some(),
            "hunt scan",
            case.analyst(),
        );
        let work = serde_json::to_string(&work).unwrap_or_else(|_| "{}".into());
        case.record_scan_work(&self.counts, &work)
    }

    /// Stderr lines: suppressed findings, verdicts attached, stale entries.
    pub fn write_summary(
        &self,
        out: &mut dyn Write,
        session: &Session,
        include_suppressed: bool,
    ) -> io::Result<()> {
        for w in &self.warnings {
            writeln!(out, "hunt: {}", crate::sanitize::clean(w))?;
        }
        let all = session.findings.all();
        let by_entry = all
            .iter()
            .filter(|f| f.suppressed.as_ref().is_some_and(|s| s.entry.is_some()))
            .count();
        let by_detector = all
            .iter()
            .filter(|f| f.suppressed.as_ref().is_some_and(|s| s.entry.is_none()))
            .count();
        if by_entry + by_detector > 0 {
            let shown = if include_suppressed {
                "shown"
            } else {
                "hidden; --include-suppressed shows them"
            };
            writeln!(
                out,
                "hunt: {} findings suppressed ({by_entry} by allowlist entries, {by_detector} as shared egress), {shown}",
                by_entry + by_detector
            )?;
        }
        let judged = all
            .iter()
            .filter(|f| self.triage.verdict(&f.id).is_some())
            .count();
        if judged > 0 {
            writeln!(out, "hunt: {judged} findings carry a verdict from the case")?;
        }
        let stale = self.counts.values().filter(|&&n| n == 0).count();
        if stale > 0 && !all.is_empty() {
            writeln!(out, "hunt: {stale} allowlist entries matched nothing (stale); see `hunt case allow list`")?;
        }
        Ok(())
    }
}
