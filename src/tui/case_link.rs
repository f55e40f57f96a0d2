//! The workbench's one door to the case file (`hunt::triage`): opening it,
//! writing verdicts, notes, allowlist entries, statuses, owners and manual
//! incident moves at once, reloading when
//! another `hunt` wrote to it, and applying the allowlist to findings.
//! Failures become messages for the status line; the UI keeps working
//! without a case. Nothing else in the TUI calls the triage API.

use crate::config::Config;
use crate::finding::{Finding, Findings};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use crate::triage::workflow::Status;
pub use crate::triage::{
    parse_expiry, AllowEntry, AllowKind, Case, Class, Move, NewAllow, Note, Snapshot, Target,
    Triage, Verdict, WorkState,
};

/// The open case (if any) and the triage state loaded from it.
pub struct CaseLink {
    case: Option<Case>,
    pub triage: Triage,
    /// Notes by finding id (loaded with the triage state).
    notes: HashMap<String, Vec<Note>>,
    /// Status and owner of findings and incidents (loaded with the triage state).
    work: HashMap<(Target, String), WorkState>,
    /// Manual moves of findings between incidents, oldest first.
    pub moves: Vec<Move>,
    /// Where the case is (or would be).
    pub path: Option<PathBuf>,
    /// Why the case could not be opened or read.
    pub error: Option<String>,
    /// Set when the case was opened read-only (a read-only file, folder or
    /// filesystem): the notice for the status bar. Writes are refused with it.
    pub read_only: Option<String>,
    /// Findings each allowlist entry matched at the last [`CaseLink::apply`].
    pub counts: HashMap<i64, u64>,
}

impl CaseLink {
    /// Opens the case at `path` (or the default location) and loads its triage state.
    pub fn open(path: Option<&Path>, config: &Config) -> CaseLink {
        let path = path.map(Path::to_path_buf).or_else(Case::default_path);
        let mut read_only = None;
        let (case, error) = match &path {
            Some(p) => match Case::open(p) {
                Ok(c) => (Some(c), None),
                // A case that cannot be written is still read: allowlist and verdicts apply.
                Err(e) if e.is_unwritable() && p.exists() => match Case::open_read_only(p) {
                    Ok(c) => {
                        read_only = Some(crate::triage::scan::read_only_notice(&e));
                        (Some(c), None)
                    }
                    Err(e) => (None, Some(format!("case {}: {e}", p.display()))),
                },
                Err(e) => (None, Some(format!("case {}: {e}", p.display()))),
            },
            None => (None, Some("no case file (give --case FILE)".to_string())),
        };
        let case = case.map(|mut c| {
            c.set_analyst(&crate::triage::analyst_for(config));
            c
        });
        let mut link = CaseLink {
            case,
            triage: empty_triage(config),
            notes: HashMap::new(),
            work: HashMap::new(),
            moves: Vec::new(),
            path,
            error,
            read_only,
            counts: HashMap::new(),
        };
        if let Err(e) = link.reload(config) {
            link.error = Some(e);
        }
        link
    }

    /// No case: triage from the config's allowlist only.
    pub fn none(config: &Config) -> CaseLink {
        CaseLink {
            case: None,
            triage: empty_triage(config),
            notes: HashMap::new(),
            work: HashMap::new(),
            moves: Vec::new(),
            path: None,
            error: None,
            read_only: None,
            counts: HashMap::new(),
        }
    }

    /// Writes the hand-off report of the case with `session`'s open work
    /// (`:export FILE`; JSON when FILE ends in `.json`). Returns the message.
    pub fn export(
        &self,
        session: &crate::pipeline::Session,
        file: &Path,
    ) -> Result<String, String> {
        use crate::triage::export::CaseView;
        use crate::triage::handoff::OpenWork;
        let fail = |e: crate::triage::TriageError| format!("export: {e}");
        let view = CaseView::load(self.case.as_ref(), &session.config, crate::triage::now_ms())
            .map_err(fail)?;
        let view = view.with_work(OpenWork::of(session, |id| {
            self.triage.verdict(id).is_some()
        }));
        crate::triage::cli::write_export(&view, file).map_err(fail)?;
        Ok(format!(
            "hand-off written to {}: {} open findings, {} open incidents",
            crate::sanitize::clean_width(&file.display().to_string(), 60),
            view.open_findings.len(),
            view.open_incidents.len()
        ))
    }

    /// Records what this workbench session loaded and left open in the case,
    /// exactly as `hunt scan --case` records a scan (the allowlist's match
    /// counts, the snapshots of judged findings, the open work with sources,
    /// span, counts and the analyst), so `hunt case export` after a shift in
    /// the workbench lists its open work. Nothing without a writable case.
    pub fn record_session(&self, session: &crate::pipeline::Session) -> Result<(), String> {
        use crate::triage::handoff::OpenWork;
        let Some(case) = self.case.as_ref().filter(|c| !c.is_read_only()) else {
            return Ok(());
        };
        let fail = |e: crate::triage::TriageError| format!("case: {e}");
        let counts = &self.counts;
        let judged: Vec<crate::triage::Snapshot> = session
            .findings
            .all()
            .iter()
            .filter(|f| self.triage.verdict(&f.id).is_some() || self.notes.contains_key(&f.id))
            .map(crate::triage::Snapshot::of)
            .collect();
        if !judged.is_empty() {
            case.upsert_snapshots(&judged).map_err(fail)?;
        }
        let work = OpenWork::recorded(
            session,
            |id| self.triage.verdict(id).is_some(),
            "the workbench",
            case.analyst(),
        );
        let work = serde_json::to_string(&work).unwrap_or_else(|_| "{}".into());
        case.record_scan_work(counts, &work).map_err(fail)
    }

    /// The open case, if any (the Kafka inputs commit their offsets to it).
    pub fn open_case(&self) -> Option<&Case> {
        self.case.as_ref()
    }

    /// Who the case records as the analyst (shown in the status bar).
    pub fn analyst(&self) -> Option<&str> {
        self.case.as_ref().map(Case::analyst)
    }

    pub fn is_open(&self) -> bool {
        self.case.is_some()
    }

    /// Reloads verdicts and allowlist entries.
    pub fn reload(&mut self, config: &Config) -> Result<(), String> {
        self.triage = Triage::load(self.case.as_ref(), config).map_err(|e| format!("case: {e}"))?;
        self.notes.clear();
        if let Some(c) = &self.case {
            for n in c.all_notes().map_err(|e| format!("case: {e}"))? {
                self.notes.entry(n.finding_id.clone()).or_default().push(n);
            }
            self.work = c.work_states().map_err(|e| format!("case: {e}"))?;
            self.moves = c.moves().map_err(|e| format!("case: {e}"))?;
        }
        Ok(())
    }

    /// A finding's or incident's status and owner (new and nobody's when never set).
    pub fn work(&self, kind: Target, id: &str) -> WorkState {
        self.work
            .get(&(kind, id.to_string()))
            .cloned()
            .unwrap_or(WorkState {
                status: Status::New,
                owner: None,
            })
    }

    /// The statuses and owners of findings and incidents, to apply to the grouping.
    pub fn work_states(&self) -> &HashMap<(Target, String), WorkState> {
        &self.work
    }

    /// Sets the status and/or owner of findings or incidents (one
    /// transaction), recording their snapshots for findings, then reloads.
    pub fn set_work(
        &mut self,
        kind: Target,
        ids: &[String],
        status: Option<Status>,
        owner: Option<&str>,
        config: &Config,
    ) -> Result<(), String> {
        self.writable()?
            .set_work(kind, ids, status, owner)
            .map_err(|e| e.to_string())?;
        self.reload(config)
    }

    /// Records a manual move (out of any incident, or into one) and reloads.
    pub fn record_move(
        &mut self,
        finding: &str,
        incident: Option<&str>,
        config: &Config,
    ) -> Result<(), String> {
        self.writable()?
            .record_move(finding, incident)
            .map_err(|e| e.to_string())?;
        self.reload(config)
    }

    /// The notes on a finding, oldest first.
    pub fn notes_of(&self, id: &str) -> &[Note] {
        self.notes.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    /// True (and reloaded) when another process wrote to the case.
    pub fn poll_external(&mut self, config: &Config) -> bool {
        let changed = self
            .case
            .as_ref()
            .is_some_and(|c| c.changed().unwrap_or(false));
        if changed {
            let _ = self.reload(config);
        }
        changed
    }

    /// Applies the allowlist to every finding.
    /// Applies the allowlist and keeps each entry's match count for
    /// [`CaseLink::record_session`].
    /// Returns the findings whose suppression came or went.
    pub fn apply(
        &mut self,
        findings: &mut Findings,
        store: &Store,
        now: DateTime<Utc>,
    ) -> Vec<String> {
        let changed;
        (self.counts, changed) = self.triage.apply_changes(findings, store, now);
        changed
    }

    pub fn verdict(&self, id: &str) -> Option<&Verdict> {
        self.triage.verdict(id)
    }

    pub fn entry(&self, id: i64) -> Option<&AllowEntry> {
        self.triage.entries.iter().find(|e| e.id == id)
    }

    fn case(&self) -> Result<&Case, String> {
        self.case
            .as_ref()
            .ok_or_else(|| self.error.clone().unwrap_or_else(|| "no case file".into()))
    }

    /// The case, for a write: refused with the read-only notice when it cannot be saved.
    fn writable(&self) -> Result<&Case, String> {
        match &self.read_only {
            Some(why) => Err(format!("not saved: {why}")),
            None => self.case(),
        }
    }

    /// Writes a verdict (committed before return) and reloads.
    pub fn set_verdict(
        &mut self,
        f: &Finding,
        class: Class,
        note: Option<&str>,
        config: &Config,
    ) -> Result<(), String> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        self.writable()?
            .set_verdict(&Snapshot::of(f), class, note)
            .map_err(|e| e.to_string())?;
        self.reload(config)
    }

    /// Adds a note to a finding.
    pub fn add_note(&mut self, f: &Finding, text: &str) -> Result<(), String> {
        let note = self
            .writable()?
            .add_note(&Snapshot::of(f), text)
            .map_err(|e| e.to_string())?;
        self.notes
            .entry(note.finding_id.clone())
            .or_default()
            .push(note);
        Ok(())
    }

    /// Validates and writes an allowlist entry, then reloads.
    pub fn add_allow(
        &mut self,
        entry: &NewAllow,
        now: DateTime<Utc>,
        config: &Config,
    ) -> Result<AllowEntry, String> {
        entry.validate(now).map_err(|e| e.to_string())?;
        let e = self
            .writable()?
            .add_allow(entry)
            .map_err(|e| e.to_string())?;
        self.reload(config)?;
        Ok(e)
    }
}

fn empty_triage(config: &Config) -> Triage {
    Triage::load(None, config).unwrap_or(Triage {
        entries: Vec::new(),
        verdicts: Default::default(),
    })
}

/// Short label of a verdict class for tables.
pub fn class_label(c: Class) -> &'static str {
    match c {
        Class::TruePositive => "TP",
        Class::BenignPositive => "BP",
        Class::FalsePositive => "FP",
        Class::Undetermined => "UND",
    }
}
