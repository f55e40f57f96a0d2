//! `hunt case …`: the verbs that work on the case without the TUI. Every
//! argument is checked before the case is opened, so a bad one writes
//! nothing; errors say what is wrong and how to fix it, and exit with 2.
//! Reading verbs never create a case file. Rendering lives in
//! [`super::export`]; this file parses, dispatches and prints.

use super::export::{AllowView, CaseView};
use super::{
    parse_detector, parse_expiry, parse_finding_id, AllowKind, Case, Class, NewAllow, Snapshot,
    TriageError,
};
use crate::cli::{AllowCommand, CaseCommand, ExportFormat};
use crate::config::Config;
use crate::sanitize::{clean, clean_width};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs one `hunt case` verb against the case at `case_path` (default: [`Case::default_path`]).
pub fn run_case(
    cmd: &CaseCommand,
    case_path: Option<&Path>,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let path = match case_path.map(Path::to_path_buf).or_else(Case::default_path) {
        Some(p) => p,
        None => return Ok(refuse(cmd, TriageError::NoPath)),
    };
    match run(cmd, &path, config) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Failure::Refused(e)) => Ok(refuse(cmd, e)),
        Err(Failure::Output(e)) => Err(e.into()),
    }
}

enum Failure {
    Refused(TriageError),
    Output(io::Error),
}

impl From<TriageError> for Failure {
    fn from(e: TriageError) -> Self {
        Failure::Refused(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

fn refuse(cmd: &CaseCommand, e: TriageError) -> ExitCode {
    eprintln!("hunt case {}: {}", verb(cmd), clean(&e.to_string()));
    ExitCode::from(2)
}

fn verb(cmd: &CaseCommand) -> &'static str {
    match cmd {
        CaseCommand::Verdict { .. } => "verdict",
        CaseCommand::Note { .. } => "note",
        CaseCommand::Allow { command } => match command {
            AllowCommand::Add { .. } => "allow add",
            AllowCommand::List => "allow list",
            AllowCommand::Remove { .. } => "allow remove",
        },
        CaseCommand::List => "list",
        CaseCommand::Export { .. } => "export",
        CaseCommand::VerdictLoop { .. } => "verdict-loop",
        CaseCommand::ImportResults { .. } => "import-results",
    }
}

fn run(cmd: &CaseCommand, path: &Path, config: &Config) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match cmd {
        CaseCommand::Verdict { id, class, note } => {
            let snap = resolve_id(path, id)?;
            let class =
                Class::from_name(class).ok_or_else(|| TriageError::UnknownClass(class.clone()))?;
            if note.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(TriageError::Empty {
                    what: "verdict note",
                    fix: "leave --note out or say why",
                }
                .into());
            }
            let case = open_case(path, config)?;
            let v = case.set_verdict(&snap, class, note.as_deref())?;
            writeln!(
                out,
                "{} recorded for {} by {}",
                v.class,
                describe(&case, &v.finding_id)?,
                clean(&super::analyst_label(&v.analyst))
            )?;
        }
        CaseCommand::Note { id, text } => {
            let snap = resolve_id(path, id)?;
            if text.trim().is_empty() {
                return Err(TriageError::Empty {
                    what: "note",
                    fix: "write the note's text",
                }
                .into());
            }
            let case = open_case(path, config)?;
            let n = case.add_note(&snap, text)?;
            writeln!(out, "note added to {}", describe(&case, &n.finding_id)?)?;
        }
        CaseCommand::Allow { command } => allow(command, path, config, &mut out)?,
        CaseCommand::List => list(
            &CaseView::load(open_for_reading(path)?.as_ref(), config, super::now_ms())?,
            &mut out,
        )?,
        CaseCommand::Export { format, output } => {
            let view = CaseView::load(open_for_reading(path)?.as_ref(), config, super::now_ms())?;
            let text = match format.1.unwrap_or(ExportFormat::Markdown) {
                ExportFormat::Json => view.to_json() + "\n",
                ExportFormat::Markdown => view.to_markdown(),
            };
            match output {
                Some(file) => write_file(file, &text)?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        CaseCommand::ImportResults { file } => {
            let case = open_case(path, config)?;
            let done = crate::lake::import::import(&case, file, config)?;
            for p in &done.loaded.problems {
                eprintln!(
                    "hunt case import-results: {}:{}: {}",
                    clean(&file.display().to_string()),
                    p.line,
                    clean(&p.reason)
                );
            }
            for f in &done.loaded.findings {
                crate::report::write_jsonl(&mut out, &f.to_json())?;
            }
            eprintln!(
                "hunt case import-results: {} finding(s) read ({} new to the case's open work), {} row(s) skipped",
                done.loaded.findings.len(),
                done.added,
                done.loaded.problems.len()
            );
        }
        CaseCommand::VerdictLoop { count, tag } => {
            // Test support: acknowledges each committed verdict on stdout, flushed.
            let case = open_case(path, config)?;
            let tag = tag_hash(tag);
            for i in 0..*count {
                let id = format!("{tag:08x}{i:08x}");
                case.set_verdict(
                    &Snapshot::id_only(&id),
                    Class::Undetermined,
                    Some("verdict-loop"),
                )?;
                writeln!(out, "{id}")?;
                out.flush()?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn allow(
    cmd: &AllowCommand,
    path: &Path,
    config: &Config,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    match cmd {
        AllowCommand::Add {
            kind,
            value,
            note,
            detectors,
            expires,
            ..
        } => {
            let entry = new_allow(kind, value, note, detectors, expires.as_deref())?;
            let case = open_case(path, config)?;
            let e = case.add_allow(&entry)?;
            let expiry = e
                .expires
                .map(super::format_at)
                .unwrap_or_else(|| "never".into());
            writeln!(
                out,
                "allowlist entry #{} added: {} {} (detectors: {}, expires: {expiry}): {}",
                e.id,
                e.kind,
                clean(&e.value),
                e.scope(),
                clean(&e.note)
            )?;
        }
        AllowCommand::List => {
            let view = CaseView::load(open_for_reading(path)?.as_ref(), config, super::now_ms())?;
            write_allow_table(out, &view.allowlist)?;
        }
        AllowCommand::Remove { id } => {
            if *id < 0 {
                return Err(TriageError::ConfigEntry(*id).into());
            }
            if !path.exists() {
                return Err(TriageError::NoSuchEntry(*id).into());
            }
            let case = open_case(path, config)?;
            if !case.remove_allow(*id)? {
                return Err(TriageError::NoSuchEntry(*id).into());
            }
            writeln!(out, "allowlist entry #{id} removed")?;
        }
    }
    Ok(())
}

/// The entry `hunt case allow add` names, checked and normalized.
pub fn new_allow(
    kind: &str,
    value: &str,
    note: &str,
    detectors: &[String],
    expires: Option<&str>,
) -> Result<NewAllow, TriageError> {
    let now = super::now_ms();
    let kind = AllowKind::from_name(kind).ok_or_else(|| TriageError::UnknownKind(kind.into()))?;
    let detectors = detectors
        .iter()
        .map(|d| parse_detector(d))
        .collect::<Result<Vec<_>, _>>()?;
    let expires = expires.map(|e| parse_expiry(e, now)).transpose()?;
    NewAllow {
        kind,
        value: value.into(),
        detectors,
        note: note.into(),
        expires,
    }
    .normalized(now)
}

/// Opens an existing case for a reading verb; a missing case is an empty one.
pub fn open_for_reading(path: &Path) -> Result<Option<Case>, TriageError> {
    if !path.exists() {
        return Ok(None);
    }
    match Case::open_read_only(path) {
        Ok(c) => Ok(Some(c)),
        // An older schema needs migrating, which needs a writable open.
        Err(e) if e.is_unwritable() => Case::open(path).map(Some),
        Err(e) => Err(e),
    }
}

/// Opens the case for writing, recording as the configured analyst.
fn open_case(path: &Path, config: &Config) -> Result<Case, TriageError> {
    let mut case = Case::open(path)?;
    case.set_analyst(&super::analyst_for(config));
    Ok(case)
}

/// The finding named by `arg`: a full id (16 hex digits, known to the case
/// or not), or a unique prefix of an id the case knows (a judged finding or
/// one the last recorded scan left open). Reads only: a bad prefix writes nothing.
fn resolve_id(path: &Path, arg: &str) -> Result<Snapshot, TriageError> {
    let case = open_for_reading(path)?;
    if let Ok(id) = parse_finding_id(arg) {
        let known = match &case {
            Some(c) => c.snapshot(&id)?.filter(|s| !s.is_id_only()),
            None => None,
        };
        let open = || {
            let work = case.as_ref()?.last_scan().ok()?.work;
            work.findings
                .into_iter()
                .find(|f| f.snapshot.finding_id == id)
        };
        return Ok(known
            .or_else(|| open().map(|f| f.snapshot))
            .unwrap_or_else(|| Snapshot::id_only(&id)));
    }
    let prefix = arg.trim().to_ascii_lowercase();
    if prefix.is_empty() || prefix.len() > 16 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TriageError::BadFindingId(arg.to_string()));
    }
    let Some(case) = case else {
        return Err(TriageError::NoSuchPrefix(prefix));
    };
    let mut known: Vec<Snapshot> = case.snapshots()?;
    known.extend(
        case.last_scan()?
            .work
            .findings
            .into_iter()
            .map(|f| f.snapshot),
    );
    let mut found: Vec<Snapshot> = Vec::new();
    for s in known
        .into_iter()
        .filter(|s| s.finding_id.starts_with(&prefix))
    {
        match found.iter_mut().find(|f| f.finding_id == s.finding_id) {
            Some(f) if f.is_id_only() => *f = s,
            Some(_) => {}
            None => found.push(s),
        }
    }
    match found.len() {
        0 => Err(TriageError::NoSuchPrefix(prefix)),
        1 => found.pop().ok_or(TriageError::NoSuchPrefix(prefix)),
        _ => {
            let mut candidates: Vec<String> = found.into_iter().map(|s| s.finding_id).collect();
            candidates.sort();
            Err(TriageError::AmbiguousPrefix { prefix, candidates })
        }
    }
}

/// "`id` (detector, entity)" or "`id` (not seen in a scan yet)".
fn describe(case: &Case, id: &str) -> Result<String, TriageError> {
    Ok(match case.snapshot(id)? {
        // Every column of the case file is text another process may have
        // written: the id and detector too are neutralised before printing.
        Some(s) if !s.is_id_only() => format!(
            "{} ({} {}: {})",
            clean(id),
            clean(&s.detector),
            clean(&s.entity),
            clean_width(&s.title, 60)
        ),
        _ => format!("{} (not seen in a scan with this case yet; its details are filled in by the next `hunt scan`)", clean(id)),
    })
}

fn list(view: &CaseView, out: &mut dyn Write) -> io::Result<()> {
    if view.findings.is_empty() {
        writeln!(out, "No verdicts or notes in the case.")?;
    } else {
        writeln!(
            out,
            "{:<17}{:<9}{:<20}{:<28}{:<16}{:<12}{:<25}{:>5}  NOTE",
            "ID", "SEVERITY", "DETECTOR", "ENTITY", "VERDICT", "ANALYST", "AT (UTC)", "NOTES"
        )?;
        for f in &view.findings {
            let s = &f.snapshot;
            let (class, analyst, at, note) = match &f.verdict {
                Some(v) => (
                    v.class.as_str(),
                    v.analyst.as_str(),
                    super::format_at(v.at),
                    v.note.clone().unwrap_or_default(),
                ),
                None => ("-", "-", "-".to_string(), String::new()),
            };
            writeln!(
                out,
                "{:<17}{:<9}{:<20}{:<28}{:<16}{:<12}{:<25}{:>5}  {}",
                clean_width(&s.finding_id, 16),
                clean_width(or_dash(&s.severity), 8),
                clean_width(or_dash(&s.detector), 19),
                clean_width(or_dash(&s.entity), 27),
                class,
                clean_width(analyst, 11),
                at,
                f.notes.len(),
                clean_width(&note, 60)
            )?;
        }
    }
    writeln!(out)?;
    write_allow_table(out, &view.allowlist)
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

fn write_allow_table(out: &mut dyn Write, entries: &[AllowView]) -> io::Result<()> {
    if entries.is_empty() {
        return writeln!(out, "No allowlist entries.");
    }
    writeln!(
        out,
        "{:>4}  {:<11}{:<26}{:<22}{:<26}{:<18}NOTE",
        "ID", "KIND", "VALUE", "DETECTORS", "EXPIRES (UTC)", "LAST SCAN"
    )?;
    for a in entries {
        let e = &a.entry;
        let expires = match (e.expires, a.expired) {
            (None, _) => "never".to_string(),
            (Some(t), true) => format!("expired {}", t.format("%Y-%m-%d")),
            (Some(t), false) => super::format_at(t),
        };
        let scan = match (a.matches, a.stale) {
            (None, _) => "not scanned".to_string(),
            (Some(n), true) => format!("{n} matches STALE"),
            (Some(n), false) => format!("{n} matches"),
        };
        let note = if e.from_config {
            format!("{} [config]", e.note)
        } else {
            e.note.clone()
        };
        writeln!(
            out,
            "{:>4}  {:<11}{:<26}{:<22}{:<26}{:<18}{}",
            e.id,
            e.kind.as_str(),
            clean_width(&e.value, 25),
            clean_width(&e.scope(), 21),
            expires,
            scan,
            clean_width(&note, 80)
        )?;
    }
    Ok(())
}

/// Writes the hand-off to `file`: JSON when it ends in `.json`, else Markdown.
pub fn write_export(view: &CaseView, file: &Path) -> Result<(), TriageError> {
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        view.to_json() + "\n"
    } else {
        view.to_markdown()
    };
    write_file(&file.to_path_buf(), &text)
}

/// Writes `text` to `file` through a temporary file and a rename, so a crash never leaves half a report.
fn write_file(file: &PathBuf, text: &str) -> Result<(), TriageError> {
    let io_err = |source| TriageError::Io {
        path: file.clone(),
        source,
    };
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(io_err)?;
    std::fs::rename(&tmp, file).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(e)
    })
}

fn tag_hash(tag: &str) -> u32 {
    tag.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}
