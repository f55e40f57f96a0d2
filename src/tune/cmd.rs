//! The headless commands of detection engineering: `hunt why ENTITY PATH…`
//! (and `hunt scan --set … --diff-against CASE`, see [`super::whatif`]).
//! Inputs are read to their end as `hunt scan` reads them; problems go to
//! stderr and make the exit code 2, as they do for a scan.

use super::settings::Setting;
use super::whatif::{diff, redetect};
use super::why::{why, Target};
use crate::cli::{Common, ScanArgs, WhyArgs};
use crate::config::Config;
use crate::enrich::Enricher;
use crate::ingest::walk::expand_paths;
use crate::pipeline::{self, RunOptions, Session, SourceState};
use crate::report::OutputFormat;
use crate::sanitize::clean;
use crate::triage::scan::ScanTriage;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// A finished run over the inputs: the session (events, findings with the
/// case's allowlist applied), the case, and whether any input failed.
pub struct Loaded {
    pub session: Session,
    pub triage: ScanTriage,
    pub unreadable: bool,
}

/// Reads `paths` to their end, runs every detector and applies the case.
pub fn load(common: &Common, config: &Config, paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let expanded = expand_paths(paths, false);
    let mut unreadable = !expanded.errors.is_empty();
    for (path, e) in &expanded.errors {
        eprintln!("hunt: {}: {e}", clean(&path.display().to_string()));
    }
    for (path, e) in &expanded.warnings {
        eprintln!("hunt: warning: {}: {e}", clean(&path.display().to_string()));
    }
    if expanded.inputs.is_empty() {
        eprintln!("hunt: no input files found");
        unreadable = true;
    }
    let triage = ScanTriage::open(common.case.as_deref(), config)?;
    let geoip = if common.geoip.is_empty() {
        config.geoip.paths.clone()
    } else {
        common.geoip.clone()
    };
    let (enricher, notes) = Enricher::open_noted(&geoip);
    for n in notes.iter().filter(|n| !n.is_routine()) {
        eprintln!("hunt: {n}");
    }
    let opts = RunOptions {
        inputs: expanded.inputs.clone(),
        follow: false,
        format: common.format.0,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    for p in &session.sigma.problems {
        eprintln!("hunt: {}", clean(p));
        unreadable = true;
    }
    session.add_sources(&expanded.inputs, false);
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
    for s in session
        .sources
        .iter()
        .filter(|s| s.state == SourceState::Failed)
    {
        let why = s.error.as_deref().unwrap_or("could not be read");
        eprintln!("hunt: {}: {}", clean(&s.name), clean(why));
        unreadable = true;
    }
    let mut loaded = Loaded {
        session,
        triage,
        unreadable,
    };
    loaded.triage.apply(&mut loaded.session);
    Ok(loaded)
}

/// `hunt why ENTITY PATH…`.
pub fn why_command(common: &Common, config: &Config, args: &WhyArgs) -> anyhow::Result<ExitCode> {
    let target = match Target::parse(&args.entity) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("hunt why: {}", clean(&e));
            return Ok(ExitCode::from(2));
        }
    };
    let loaded = load(common, config, &args.paths)?;
    let s = &loaded.session;
    let findings = s.findings.all();
    let refs: Vec<_> = findings.iter().collect();
    let report = why(
        &target,
        &s.store,
        &refs,
        config,
        &loaded.triage.triage().entries,
        &|_| None,
    );
    let mut out = io::stdout().lock();
    for line in report.lines() {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(if loaded.unreadable {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `hunt scan --set … --diff-against CASE PATH…`: the detectors re-run with
/// `changed` and with `base` over the same events, CASE's allowlist applied
/// to both, and the difference printed (text, or JSON lines with `-o jsonl`).
pub fn diff_command(
    common: &Common,
    base: &Config,
    changed: &Config,
    settings: Vec<Setting>,
    case: &std::path::Path,
    args: &ScanArgs,
) -> anyhow::Result<ExitCode> {
    if !case.exists() {
        eprintln!(
            "hunt scan: --diff-against {}: no such case file",
            clean(&case.display().to_string())
        );
        return Ok(ExitCode::from(2));
    }
    let mut common = common.clone();
    common.case = Some(case.to_path_buf());
    let loaded = load(&common, base, &args.paths)?;
    let s = &loaded.session;
    let triage = loaded.triage.triage();
    let now = chrono::Utc::now();
    // Only the detectors the change reaches are re-run; the rest would
    // find exactly what they found.
    let only = crate::detect::describe::affected_by(base, changed);
    let hosting =
        crate::enrich::hosting::HostingNetworks::from_config(&changed.detectors.hosting_asn);
    let before = redetect(&s.store, &s.hosting, base, &only, triage, now);
    let after = redetect(&s.store, &hosting, changed, &only, triage, now);
    let d = diff(settings, s.store.count(), &before, &after, &triage.verdicts);
    let mut out = io::stdout().lock();
    if args.output == Some(OutputFormat::Jsonl) {
        for row in d.json_rows() {
            writeln!(out, "{}", crate::sanitize::to_json_line(&row))?;
        }
    } else {
        for line in d.lines() {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(if loaded.unreadable {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
