//! The `hunt events` loop: the session reads, dedups and enriches as for
//! `hunt scan`, but hands each kept event over at once ([`Session::tap`])
//! instead of storing it; rows go through the spilling [`Sorter`] and are
//! written in order at the end. The interner is emptied whenever it grows
//! past [`STRINGS_LIMIT`], so memory stays flat. Only `timesketch` stores
//! the events too: it runs the detectors to list each event's findings.

use super::sort::Sorter;
use super::write::{EventsFormat, EvidenceMap, Writer};
use super::Names;
use crate::pipeline::{IngestMsg, Session};
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// Interned text kept at most before the interner is emptied.
pub const STRINGS_LIMIT: usize = 32 << 20;
/// Default sort buffer (`hunt events` spills beyond it).
pub const SORT_BUFFER: usize = 128 << 20;

/// How to run.
#[derive(Debug, Clone)]
pub struct EventsOptions {
    pub format: EventsFormat,
    /// Where sort runs go (the system's temporary folder by default).
    pub spill_dir: PathBuf,
    /// Bytes of rows held before a run is spilled.
    pub buffer: usize,
    /// Bytes of interned text held before the interner is emptied.
    pub strings_limit: usize,
}

impl EventsOptions {
    /// `format` with the default buffers and the system's temporary folder.
    pub fn new(format: EventsFormat) -> EventsOptions {
        EventsOptions {
            format,
            spill_dir: std::env::temp_dir(),
            buffer: SORT_BUFFER,
            strings_limit: STRINGS_LIMIT,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventsStats {
    pub written: u64,
    pub spilled: u64,
    /// Times the interner was emptied to keep memory flat.
    pub string_resets: u64,
}

/// Reads everything `rx` brings into `session` (sources already added) and
/// writes the events to `out`. `detected` runs once the detectors are done
/// (timesketch only), before the evidence is gathered: it applies the case.
pub fn run_events<W: Write + Send>(
    session: &mut Session,
    rx: Receiver<IngestMsg>,
    opts: &EventsOptions,
    out: W,
    detected: &mut dyn FnMut(&mut Session),
) -> anyhow::Result<EventsStats> {
    let detect = opts.format == EventsFormat::Timesketch;
    session.tap = true;
    session.keep_events = detect;
    let ranks = session
        .sources
        .iter()
        .map(|s| crate::event::text_hash(&s.name))
        .collect();
    let mut sorter = Sorter::new(ranks, opts.spill_dir.clone(), opts.buffer);
    let mut seq = 0u64;
    let mut resets = 0u64;
    let mut take = |session: &mut Session, sorter: &mut Sorter| -> anyhow::Result<()> {
        for ev in std::mem::take(&mut session.tapped) {
            sorter.push(&ev, &session.store.strings, seq)?;
            seq += 1;
        }
        if !detect
            && session.store.strings.heap_bytes() > opts.strings_limit
            && session.forget_strings()
        {
            resets += 1;
        }
        Ok(())
    };
    for msg in rx.iter() {
        session.handle(msg);
        take(session, &mut sorter)?;
        if session.all_done() {
            break;
        }
    }
    if session.pending() > 0 {
        session.release();
    }
    take(session, &mut sorter)?;
    let mut evidence = EvidenceMap::default();
    if detect {
        detected(session);
        for f in session.findings.all() {
            if f.suppressed.is_some() {
                continue;
            }
            for &idx in &f.evidence {
                evidence
                    .entry(u64::from(idx))
                    .or_default()
                    .push((f.id.clone(), f.detector.as_str()));
            }
        }
    }
    let names = Names {
        files: session.sources.iter().map(|s| s.name.clone()).collect(),
        formats: session.sources.iter().map(|s| s.format.clone()).collect(),
    };
    let spilled = sorter.spilled;
    // Copies a better copy of their record replaced (several inputs).
    let retracted: rustc_hash::FxHashSet<u64> = session.retracted_taps.iter().copied().collect();
    let mut writer = Writer::new(opts.format, out, evidence)?;
    let mut written = 0;
    for row in sorter.finish()? {
        let row = row?;
        if retracted.contains(&row.seq) {
            continue;
        }
        writer.write(&row, &names)?;
        written += 1;
    }
    writer.finish()?;
    Ok(EventsStats {
        written,
        spilled,
        string_resets: resets,
    })
}

/// Runs `hunt events` over `inputs` (default config, the given enricher)
/// into memory: for tests, and for per-line parser checks that want the
/// normalized events as JSON (`EventsFormat::Jsonl` lines parsed back).
pub fn events_to_vec(
    inputs: Vec<crate::ingest::read::Input>,
    enricher: crate::enrich::Enricher,
    opts: &EventsOptions,
) -> anyhow::Result<(Vec<u8>, EventsStats)> {
    let config = crate::config::Config::default();
    let run = crate::pipeline::RunOptions {
        inputs: inputs.clone(),
        follow: false,
        format: None,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    session.add_sources(&inputs, false);
    let readers = crate::pipeline::start(&run, &config);
    let mut out = Vec::new();
    let stats = run_events(&mut session, readers.rx, opts, &mut out, &mut |_| {})?;
    Ok((out, stats))
}

/// The normalized events of `paths` (folders recursed) as hunt's JSON
/// objects, one per event in detection order.
pub fn events_json(paths: &[PathBuf]) -> anyhow::Result<Vec<serde_json::Value>> {
    let (inputs, _) = crate::ingest::read::expand(paths);
    let (out, _) = events_to_vec(
        inputs,
        crate::enrich::Enricher::none(),
        &EventsOptions::new(EventsFormat::Jsonl),
    )?;
    let text = String::from_utf8(out)?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(anyhow::Error::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::Enricher;

    fn run(strings_limit: usize) -> (Vec<u8>, EventsStats) {
        let (inputs, _) = crate::ingest::read::expand(&["samples".into()]);
        let (enricher, _) = Enricher::open(&["samples/geoip".into()]);
        let mut opts = EventsOptions::new(EventsFormat::Jsonl);
        opts.strings_limit = strings_limit;
        events_to_vec(inputs, enricher, &opts).unwrap()
    }

    #[test]
    fn emptying_the_interner_midway_changes_nothing_in_the_output() {
        let (whole, stats) = run(STRINGS_LIMIT);
        assert_eq!(stats.string_resets, 0);
        // Emptied after every batch: the GeoIP cache, keyed by the old
        // symbols, must be emptied with it or events get others' places.
        let (reset, stats) = run(1);
        assert!(stats.string_resets > 5, "{stats:?}");
        assert_eq!(
            stats.written,
            whole.iter().filter(|&&b| b == b'\n').count() as u64
        );
        assert_eq!(
            String::from_utf8(reset).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }
}
