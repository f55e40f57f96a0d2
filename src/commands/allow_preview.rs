//! `hunt case allow add --dry-run`: what an allowlist entry would hide,
//! before it hides anything. The logs are read and detected as `hunt scan`
//! does, the case's entries and verdicts applied, and the findings the new
//! entry would suppress listed by severity, detector and entity, each with
//! its verdict. Nothing is written to the case.

use crate::config::Config;
use crate::enrich::Enricher;
use crate::finding::{Finding, Severity};
use crate::ingest::read::Input;
use crate::ingest::walk::expand_paths;
use crate::pipeline::{self, RunOptions, Session};
use crate::sanitize::clean;
use crate::triage::allow::NewAllow;
use crate::triage::apply::{would_suppress, Triage};
use crate::triage::handoff::plural;
use crate::triage::{Class, Verdict};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// What the preview read and what the entry would suppress.
#[derive(Debug)]
pub struct Preview {
    /// Inputs read (files after folders were walked).
    pub inputs: usize,
    pub events: u64,
    /// Findings detected, and of them those nothing suppresses now.
    pub findings: usize,
    pub unsuppressed: usize,
    pub hits: Vec<Hit>,
}

/// One finding the entry would suppress.
#[derive(Debug)]
pub struct Hit {
    pub id: String,
    pub severity: Severity,
    pub detector: String,
    pub entity: String,
    pub title: String,
    pub verdict: Option<Class>,
}

impl Hit {
    fn of(f: &Finding, verdict: Option<&Verdict>) -> Hit {
        Hit {
            id: f.id.clone(),
            severity: f.severity,
            detector: f.detector.to_string(),
            entity: f.user.clone().or_else(|| f.ip.clone()).unwrap_or_default(),
            title: f.title.clone(),
            verdict: verdict.map(|v| v.class),
        }
    }
}

/// Why a preview could not run.
#[derive(Debug)]
pub enum PreviewError {
    /// No PATH given and the case recorded no source that still exists.
    NoInputs,
    Triage(crate::triage::TriageError),
}

impl std::fmt::Display for PreviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PreviewError::NoInputs => write!(
                f,
                "a dry run reads logs: name the files or folders (the case records no scan \
                 whose sources are still on disk)"
            ),
            PreviewError::Triage(e) => write!(f, "{e}"),
        }
    }
}

impl From<crate::triage::TriageError> for PreviewError {
    fn from(e: crate::triage::TriageError) -> Self {
        PreviewError::Triage(e)
    }
}

/// `hunt case allow add --dry-run`: the entry's impact on `out`, nothing
/// written. A bad entry, an unreadable case or nothing to read is refused
/// (a usage error, told).
pub fn dry_run(
    common: &crate::cli::Common,
    config: &Config,
    entry: Result<NewAllow, crate::triage::TriageError>,
    paths: &[PathBuf],
    out: &mut dyn Write,
    tell: super::Tell,
) -> anyhow::Result<super::Exit> {
    use super::{Exit, Note};
    let mut refuse = |e: &dyn std::fmt::Display| {
        tell(Note::AllowRefused(e.to_string()));
        Ok(Exit::Usage)
    };
    let entry = match entry {
        Ok(e) => e,
        Err(e) => return refuse(&e),
    };
    let case = match common.case.as_deref() {
        Some(p) => match crate::triage::cli::open_for_reading(p) {
            Ok(c) => c,
            Err(e) => return refuse(&e),
        },
        None => None,
    };
    let paths = match inputs_for(paths, case.as_ref()) {
        Ok(p) => p,
        Err(e) => return refuse(&e),
    };
    let enricher = super::open_enricher(common, config, false, tell);
    match preview(
        &entry,
        &paths,
        case.as_ref(),
        config,
        enricher,
        common.format.0,
    ) {
        Ok(p) => {
            write(out, &entry, &p)?;
            Ok(Exit::Clean)
        }
        Err(e) => {
            tell(Note::AllowRefused(e.to_string()));
            Ok(Exit::Usage)
        }
    }
}

/// The paths to read: those given, else the last recorded scan's sources
/// that are still files on disk.
pub fn inputs_for(
    paths: &[PathBuf],
    case: Option<&crate::triage::case::Case>,
) -> Result<Vec<PathBuf>, PreviewError> {
    if !paths.is_empty() {
        return Ok(paths.to_vec());
    }
    let recorded = case
        .and_then(|c| c.last_scan().ok())
        .map(|s| s.work.sources)
        .unwrap_or_default();
    let found: Vec<PathBuf> = recorded
        .iter()
        .map(|s| PathBuf::from(&s.name))
        .filter(|p| p.is_file())
        .collect();
    if found.is_empty() {
        return Err(PreviewError::NoInputs);
    }
    Ok(found)
}

/// Reads `paths`, detects, applies the case, and measures `entry`.
pub fn preview(
    entry: &NewAllow,
    paths: &[PathBuf],
    case: Option<&crate::triage::case::Case>,
    config: &Config,
    enricher: Enricher,
    format: Option<crate::ingest::Format>,
) -> Result<Preview, PreviewError> {
    let expanded = expand_paths(paths, false);
    let inputs: Vec<Input> = expanded.inputs;
    if inputs.is_empty() {
        return Err(PreviewError::NoInputs);
    }
    let mut session = load(&inputs, config, enricher, format);
    let findings = &mut session.findings;
    let triage = Triage::load(case, config)?;
    triage.apply(findings, &session.store, crate::triage::now_ms());
    let unsuppressed = findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    let mut hits: Vec<Hit> = would_suppress(entry, findings.all(), &session.store)
        .into_iter()
        .map(|f| Hit::of(f, triage.verdict(&f.id)))
        .collect();
    hits.sort_by(|a, b| {
        (b.severity, &a.detector, &a.entity, &a.id).cmp(&(
            a.severity,
            &b.detector,
            &b.entity,
            &b.id,
        ))
    });
    Ok(Preview {
        inputs: inputs.len(),
        events: session.store.len() as u64,
        findings: findings.all().len(),
        unsuppressed,
        hits,
    })
}

fn load(
    inputs: &[Input],
    config: &Config,
    enricher: Enricher,
    format: Option<crate::ingest::Format>,
) -> Session {
    let opts = RunOptions {
        inputs: inputs.to_vec(),
        follow: false,
        format,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    session.add_sources(inputs, false);
    let readers = pipeline::start(&opts, config);
    for msg in readers.rx.iter() {
        session.handle(msg);
        if session.all_done() {
            break;
        }
    }
    if session.pending() > 0 {
        session.release();
    }
    session
}

/// The preview as the terminal shows it; every client-controlled value
/// neutralised.
pub fn write(out: &mut dyn Write, entry: &NewAllow, p: &Preview) -> std::io::Result<()> {
    let scope = if entry.detectors.is_empty() {
        "every detector".to_string()
    } else {
        let names: Vec<String> = entry.detectors.iter().map(|d| d.to_string()).collect();
        names.join(", ")
    };
    writeln!(
        out,
        "dry run: {} {} (for {scope}) would suppress {} of the {} findings not suppressed now \
         ({} findings in all, from {} events of {})",
        entry.kind,
        clean(&entry.value),
        plural(p.hits.len() as u64, "finding"),
        p.unsuppressed,
        p.findings,
        p.events,
        plural(p.inputs as u64, "input"),
    )?;
    if p.hits.is_empty() {
        writeln!(out, "nothing was added; the entry matches none of them")?;
        return Ok(());
    }
    let mut by_sev: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    let mut by_det: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_class: BTreeMap<&str, usize> = BTreeMap::new();
    let mut entities: Vec<&str> = Vec::new();
    for h in &p.hits {
        *by_sev.entry(std::cmp::Reverse(h.severity)).or_default() += 1;
        *by_det.entry(&h.detector).or_default() += 1;
        *by_class
            .entry(h.verdict.map_or("untriaged", Class::as_str))
            .or_default() += 1;
        if !entities.contains(&h.entity.as_str()) {
            entities.push(&h.entity);
        }
    }
    let join = |m: Vec<String>| m.join(", ");
    writeln!(
        out,
        "  by severity: {}",
        join(by_sev.iter().map(|(s, n)| format!("{} {n}", s.0)).collect())
    )?;
    writeln!(
        out,
        "  by detector: {}",
        join(by_det.iter().map(|(d, n)| format!("{d} {n}")).collect())
    )?;
    writeln!(
        out,
        "  verdicts: {}",
        join(by_class.iter().map(|(c, n)| format!("{c} {n}")).collect())
    )?;
    writeln!(
        out,
        "  entities ({}): {}",
        entities.len(),
        clean(&entities.join(", "))
    )?;
    for h in &p.hits {
        writeln!(
            out,
            "  {} {:<8} {:<19} {:<32} {} [{}]",
            h.id,
            h.severity.as_str(),
            h.detector,
            clean(&h.entity),
            clean(&h.title),
            h.verdict.map_or("untriaged", Class::as_str)
        )?;
    }
    writeln!(
        out,
        "nothing was added; run the same command without --dry-run to add the entry"
    )
}
