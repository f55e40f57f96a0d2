//! `hunt events`: the normalized events out, as JSON lines, CSV, OCSF,
//! Timesketch or Parquet (see [`crate::export`]), on stdout or into `-o FILE`.

use super::{expand, open_enricher, stdin_twice, Cmd, Exit, Note, Tell};
use crate::cli::{Common, EventsArgs};
use crate::config::Config;
use crate::export::write::EventsFormat;
use crate::pipeline::{self, RunOptions, Session, SourceState};
use crate::triage::scan::ScanTriage;
use std::io::Write;

/// Runs `hunt events`; `stdout` is where rows go without `-o`, and
/// `stdout_tty` keeps binary Parquet off a terminal.
pub fn run(
    common: &Common,
    config: Config,
    args: &EventsArgs,
    mut stdout: Box<dyn Write + Send>,
    stdout_tty: bool,
    tell: Tell,
) -> anyhow::Result<Exit> {
    if args.spark_schema {
        writeln!(stdout, "{}", crate::export::parquet::spark_ddl())?;
        return Ok(Exit::Clean);
    }
    if args.paths.is_empty() {
        tell(Note::NoInput(Cmd::Events));
        return Ok(Exit::Usage);
    }
    let (found, skipped) = expand(&args.paths, false, tell);
    let mut unreadable = found.unreadable;
    for n in skipped {
        tell(n);
    }
    if stdin_twice(&found.inputs) {
        tell(Note::StdinTwice(Cmd::Events));
        return Ok(Exit::Usage);
    }
    if args.output == EventsFormat::Parquet && args.out.is_none() && stdout_tty {
        tell(Note::ParquetToTerminal);
        return Ok(Exit::Usage);
    }
    // Timesketch rows carry the findings: the case's triage applies.
    let mut triage = if args.output == EventsFormat::Timesketch {
        Some(ScanTriage::open(common.case.as_deref(), &config)?)
    } else {
        None
    };
    let enricher = open_enricher(common, &config, args.verbose, tell);
    let opts = RunOptions {
        inputs: found.inputs,
        follow: false,
        format: common.format.0,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    session.add_sources(&opts.inputs, false);
    let readers = pipeline::start(&opts, &config);
    let out: Box<dyn Write + Send> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        ),
        None => stdout,
    };
    let out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut ev_opts = crate::export::run::EventsOptions::new(args.output);
    if let Some(dir) = &args.spill_dir {
        ev_opts.spill_dir = dir.clone();
    }
    // 0 spills every row at once: for tests.
    ev_opts.buffer = args.sort_buffer.saturating_mul(1 << 20);
    let mut detected = |s: &mut Session| {
        if let Some(t) = triage.as_mut() {
            t.apply(s);
        }
    };
    let stats =
        crate::export::run::run_events(&mut session, readers.rx, &ev_opts, out, &mut detected)?;
    if session
        .sources
        .iter()
        .any(|s| s.state == SourceState::Failed)
    {
        unreadable = true;
    }
    if let Some(n) =
        Note::summary(|b| crate::report::write_ingest_summary(b, &session, args.verbose))?
    {
        tell(n);
    }
    if args.verbose {
        tell(Note::EventsWritten {
            written: stats.written,
            spilled: stats.spilled,
        });
    }
    Ok(if unreadable {
        Exit::Failed
    } else {
        Exit::Clean
    })
}
