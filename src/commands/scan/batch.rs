//! A batch `hunt scan`: every input read to its end, the findings held
//! released, triage applied and recorded, the summary told on the side and
//! the findings (or incidents) printed once, in order.

use super::{Exit, Note, Printer, Scan, Tell};
use crate::cli::ScanArgs;
use crate::incident::Incident;
use crate::pipeline::Session;
use crate::report::{self, OutputFormat};
use std::io::Write;

pub(super) fn run(
    mut scan: Scan,
    args: &ScanArgs,
    printer: &Printer,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    read_all(&mut scan);
    settle(&mut scan, tell);
    summarise(&scan, args, tell)?;
    print(&scan, args.incidents, printer, out)?;
    if scan.unreadable {
        return Ok(Exit::Failed);
    }
    if let Some(level) = args.fail_on {
        let hit = scan
            .session
            .findings
            .all()
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= level.severity());
        if hit {
            return Ok(Exit::Findings);
        }
    }
    Ok(Exit::Clean)
}

/// Reads until every input ended, then releases what is still held.
fn read_all(scan: &mut Scan) {
    while let Ok(msg) = scan.rx.recv() {
        scan.session.handle(msg);
        if scan.session.all_done() {
            break;
        }
    }
    if scan.session.pending() > 0 {
        scan.session.release();
    }
}

/// After reading: what failed, triage applied, offsets committed and the
/// match counts recorded in the case.
fn settle(scan: &mut Scan, tell: Tell) {
    if scan.any_source_failed() {
        scan.unreadable = true;
    }
    let bugs: u64 = scan
        .session
        .sources
        .iter()
        .filter_map(|s| s.stats.problems.get(crate::ingest::reason::INTERNAL))
        .sum();
    if bugs > 0 {
        tell(Note::InternalErrors(bugs));
        scan.unreadable = true;
    }
    for line in scan.session.enricher.decode_problems() {
        tell(Note::GeoDecode(line));
    }
    scan.triage.apply(&mut scan.session);
    if !scan.kafka.is_empty() {
        scan.hand_findings_to_kafka();
        if !scan.commit_offsets(tell) {
            scan.unreadable = true;
        }
    }
    if let Err(e) = scan.triage.record(&scan.session) {
        tell(Note::NotRecorded(e.to_string()));
    }
}

/// The summary on the side: what was read, what the Sigma rules saw, what
/// triage hid, and how the findings group into incidents.
fn summarise(scan: &Scan, args: &ScanArgs, tell: Tell) -> std::io::Result<()> {
    let session = &scan.session;
    if let Some(n) = Note::summary(|b| report::write_ingest_summary(b, session, args.verbose))? {
        tell(n);
    }
    super::sigma_notes::ran(&session.sigma, args.verbose, tell);
    if let Some(n) = Note::summary(|b| {
        scan.triage
            .write_summary(b, session, args.include_suppressed)
    })? {
        tell(n);
    }
    if !args.incidents && !session.incidents.is_empty() {
        tell(incidents_note(session));
    }
    Ok(())
}

/// How many incidents hold how many findings, lone ones and background roll-ups.
fn incidents_note(session: &Session) -> Note {
    let all = || session.incidents.all();
    let (rollups, rolled) = all()
        .filter(|i| i.background.is_some())
        .fold((0usize, 0usize), |(r, n), i| (r + 1, n + i.steps.len()));
    Note::Incidents {
        incidents: session.incidents.len(),
        grouped: all().map(|i| i.steps.len()).sum(),
        alone: all()
            .filter(|i| i.steps.len() == 1 && i.background.is_none())
            .count(),
        rollups,
        rolled,
    }
}

/// The findings (or, with `--incidents`, the incidents) on stdout.
fn print(
    scan: &Scan,
    incidents: bool,
    printer: &Printer,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let session = &scan.session;
    let rows: Vec<serde_json::Value> = session
        .findings
        .sorted()
        .into_iter()
        .filter(|f| printer.include_suppressed || f.suppressed.is_none())
        .map(|f| scan.triage.finding_json(session, f))
        .collect();
    let mut out = std::io::BufWriter::new(out);
    match printer.output {
        // Incidents instead of findings (--fail-on still looks at findings).
        _ if incidents => {
            for inc in session.incidents.sorted() {
                if printer.include_suppressed || !all_suppressed(session, inc) {
                    report::write_jsonl(&mut out, &inc.to_json())?;
                }
            }
        }
        OutputFormat::Table => report::write_table(&mut out, &rows, (printer.width)())?,
        OutputFormat::Jsonl => {
            for v in &rows {
                report::write_jsonl(&mut out, v)?;
            }
        }
        OutputFormat::Csv => {
            report::write_csv_header(&mut out)?;
            for v in &rows {
                report::write_csv_row(&mut out, v)?;
            }
        }
    }
    out.flush()
}

/// True when every finding of the incident is suppressed (hidden by default like them).
fn all_suppressed(session: &Session, inc: &Incident) -> bool {
    inc.findings().all(|id| {
        session
            .findings
            .get(id)
            .is_none_or(|f| f.suppressed.is_some())
    })
}
