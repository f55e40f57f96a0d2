//! Wiring: reader threads → parse workers → the single owner ([`Session`])
//! that interns, enriches, stores and detects.
//!
//! Readers and workers only move finished data over a bounded channel
//! ([`IngestMsg`]); the session is the one owner of mutable state, so the
//! same code serves `hunt scan`, `hunt scan -f` and the TUI's main loop.
//!
//! Ordering: events are stored as they arrive, and held back from the
//! detectors until every input has caught up with its end; then everything
//! held is sorted by event time (ties broken by content, never by arrival)
//! and fed to the detectors. A whole-file scan therefore gives the same
//! findings whatever the record order or chunking; in a live tail each
//! poll's new events are released the same way, and events that arrive
//! a little late are placed by time inside the detectors' windows.
//!
//! While every input is in time order, held events also go to the
//! detectors as the inputs load, behind a watermark (see [`watermark`]):
//! the same events in the same order, so the same findings, but the first
//! alert of a large file comes seconds after the start, not at its end.

pub mod watermark;

use crate::config::Config;
use crate::detect::{DetectCx, Engine};
use crate::enrich::hosting::HostingNetworks;
use crate::enrich::Enricher;
use crate::event::Event;
use crate::finding::{Change, Findings};
use crate::ingest::decode::json_lines_with;
use crate::ingest::read::Input;
use crate::ingest::source::{Job, Output, Polled, ReadOptions, SourceReader};
use crate::ingest::stats::FileStats;
use crate::ingest::{reason, Format};
use crate::store::{EventIdx, Store};
use std::cmp::Ordering;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Messages from readers and parse workers to the owner.
pub enum IngestMsg {
    /// A reader opened (or failed to open) an input and knows its format.
    Opened {
        file: u32,
        format: String,
        size: Option<u64>,
    },
    /// Parsed drafts with the counters for them. `seq` numbers a file's
    /// batches from 0 in the order the reader cut them; parse workers may
    /// finish them out of order, and the owner puts them back in order.
    Batch {
        file: u32,
        seq: u64,
        batch: crate::event::Batch,
        stats: FileStats,
    },
    /// The input was opened again (rotated or truncated); its batches from
    /// `first_batch` on come from the new file.
    Reopened { file: u32, first_batch: u64 },
    /// Bytes read so far (for progress).
    Progress { file: u32, bytes: u64 },
    /// The reader is at the current end of the input after sending `batches` batches in all.
    CaughtUp { file: u32, batches: u64 },
    /// The input is finished after `batches` batches in all.
    Finished { file: u32, batches: u64 },
    /// The input cannot be read.
    Failed { file: u32, error: String },
    /// A live network source's counters (see `ingest::live`).
    Live {
        file: u32,
        status: crate::ingest::live::LiveStatus,
    },
}

/// State of one input as the owner sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState {
    Opening,
    Reading,
    Following,
    Done,
    Failed,
}

/// What the owner knows about one input.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub name: String,
    pub format: String,
    pub size: Option<u64>,
    pub bytes_read: u64,
    pub followed: bool,
    pub state: SourceState,
    pub error: Option<String>,
    pub stats: FileStats,
    batches_received: u64,
    batches_expected: Option<u64>,
    /// Events stored from index `generation_start` on come from the file now
    /// at this path; earlier ones were read before it was rotated or
    /// truncated, so their offsets point into the earlier file.
    pub generation_start: EventIdx,
    /// First batch of the latest reopening not yet applied.
    reopened_at: Option<u64>,
    /// Batches that arrived before an earlier one of the same file, by `seq`.
    held: std::collections::BTreeMap<u64, (crate::event::Batch, FileStats)>,
    /// Events and kept records of dropped copies not yet taken off `stats`
    /// (a reader may send a batch's counters after the batch).
    copies_owed: Copies,
    /// A live network source's own counters (`None` for files and pipes).
    pub live: Option<crate::ingest::live::LiveStatus>,
}

impl SourceInfo {
    /// Takes the copies owed off the counters, as far as they go.
    fn settle_owed(&mut self) {
        let owed = &mut self.copies_owed;
        let e = owed.events.min(self.stats.events);
        let k = owed.records.min(self.stats.kept);
        self.stats.events -= e;
        self.stats.kept -= k;
        owed.events -= e;
        owed.records -= k;
    }

    /// Batches of this input applied so far (all of those numbered below).
    pub fn batches_received(&self) -> u64 {
        self.batches_received
    }

    fn idle(&self) -> bool {
        matches!(self.state, SourceState::Failed)
            || self
                .batches_expected
                .is_some_and(|n| n == self.batches_received)
    }
}

/// Copies dropped from one batch by [`Session::add_batch`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Copies {
    /// Records already stored from another record with the same identity.
    pub records: u64,
    /// Their drafts (a record may give several).
    pub events: u64,
}

/// How a run reads its inputs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub inputs: Vec<Input>,
    pub follow: bool,
    pub format: Option<Format>,
    /// Parse worker threads (0 = one per core).
    pub workers: usize,
}

/// The single owner of a run's state.
pub struct Session {
    pub config: Config,
    pub store: Store,
    pub findings: Findings,
    /// Findings grouped into incidents, fed at each release.
    pub incidents: crate::incident::Incidents,
    /// Per rolled-up address, its event count when last read (see `watch_background`).
    bg_watch: std::collections::HashMap<String, usize>,
    pub sources: Vec<SourceInfo>,
    pub enricher: Enricher,
    pub hosting: HostingNetworks,
    engine: Engine,
    pending: Vec<EventIdx>,
    changed: Vec<(Change, String)>,
    /// Scratch for [`Session::add_batch`]: a batch's string numbers → symbols.
    syms: Vec<crate::event::Sym>,
    /// Wall time spent ordering held events and running the detectors.
    pub detect_time: Duration,
    /// Per input, a hash of its name: orders equal-time events of different files.
    file_ranks: Vec<u64>,
    /// Record identities stored so far: a record loaded twice is stored once.
    pub seen: crate::dedup::Seen,
    /// Per input, occurrences of identity-less records (syslog lines).
    pub occurrences: crate::dedup::Occurrences,
    /// Which copy of a record loaded from several inputs is kept, and how
    /// many copies each pair of inputs merged.
    pub kept: crate::dedup::KeptCopies,
    /// True when more than one input is read: only then can the order the
    /// inputs arrive in decide which copy is kept.
    track_copies: bool,
    /// Events tapped so far (their arrival numbers in `hunt events`).
    pub tap_count: u64,
    /// Where the other copies of a kept record were read (evidence lists them).
    pub copies_of: crate::dedup::OtherCopies,
    /// Arrival numbers of tapped events taken back: a better copy of their
    /// record arrived. `hunt events` leaves them out.
    pub retracted_taps: Vec<u64>,
    /// What loading the Sigma rules of `config.sigma` reported, and what they saw.
    pub sigma: SigmaStatus,
    /// The compiled rules the parsing threads evaluate (kept alive for them).
    sigma_rules: Option<std::sync::Arc<crate::sigma::ingest::Rules>>,
    /// Turns Sigma matches into findings.
    sigma_detector: Option<crate::sigma::detector::SigmaDetector>,
    /// Matched records not yet seen by the detector, with their event.
    sigma_pending: Vec<(crate::sigma::ingest::Hit, Vec<EventIdx>)>,
    /// When set, every (file, record ordinal, rule number) match is kept
    /// here, copies included (`hunt rules matches`).
    pub sigma_matches: Option<Vec<(u32, u64, u32)>>,
    /// When set, every event kept (after dedup and enrichment) is also
    /// pushed to [`Session::tapped`] for the caller to take (`hunt events`).
    pub tap: bool,
    /// Events kept since the caller last emptied this (only with `tap`).
    pub tapped: Vec<Event>,
    /// False: events are not stored (nor detected); only tapped. The
    /// caller then keeps memory flat with [`Session::forget_strings`].
    pub keep_events: bool,
    /// Releases held events behind a watermark while the inputs load.
    pub watermark: watermark::Watermark,
    /// Sigma matches released behind the watermark, kept for [`Session::redetect`]
    /// until the load ends.
    sigma_released: Vec<(crate::sigma::ingest::Hit, Vec<EventIdx>)>,
}

/// The Sigma rules a session loaded.
#[derive(Debug, Clone, Default)]
pub struct SigmaStatus {
    pub detection_rules: usize,
    pub correlation_rules: usize,
    /// Bad files and rules (each names the file, the rule and the field).
    pub problems: Vec<String>,
    /// Rules that load but never run (a logsource hunt does not read).
    pub warnings: Vec<String>,
    /// What the rules saw at ingest.
    pub seen: crate::sigma::report::Seen,
    /// Detection rules as loaded (for the end-of-run report).
    pub rules: Vec<crate::sigma::load::RuleRef>,
}

impl Session {
    pub fn new(config: Config, enricher: Enricher) -> Session {
        let hosting = HostingNetworks::from_config(&config.detectors.hosting_asn);
        let engine = Engine::new(&config);
        let mut sigma = SigmaStatus::default();
        let mut sigma_rules = None;
        let mut sigma_detector = None;
        if !config.sigma.paths.is_empty() {
            let mut loaded = crate::sigma::load::load(&config.sigma.paths);
            let mut rules: Vec<_> = loaded
                .rules
                .values()
                .filter(|r| {
                    r.timespan_ms == 0
                        && crate::sigma::catalog::get(r.n).is_some_and(|m| m.correlation.is_none())
                })
                .cloned()
                .collect();
            rules.sort_by_key(|r| crate::sigma::catalog::key(r.n));
            sigma = SigmaStatus {
                detection_rules: loaded.detection_rules,
                correlation_rules: loaded.correlation_rules,
                problems: loaded.problems.clone(),
                warnings: loaded.warnings.clone(),
                seen: Default::default(),
                rules,
            };
            if !loaded.is_empty() {
                let compiled = std::sync::Arc::new(loaded.ingest_rules(&config.sigma.paths));
                crate::sigma::ingest::register(&compiled);
                sigma_rules = Some(compiled);
                sigma_detector = Some(crate::sigma::detector::SigmaDetector::new(
                    loaded,
                    config.sigma.burst_gap.ms(),
                ));
            }
        }
        Session {
            incidents: crate::incident::Incidents::new(&config.incidents),
            bg_watch: std::collections::HashMap::new(),
            engine,
            sigma,
            sigma_rules,
            sigma_detector,
            sigma_pending: Vec::new(),
            sigma_matches: None,
            hosting,
            config,
            store: Store::new(),
            findings: Findings::default(),
            sources: Vec::new(),
            enricher,
            pending: Vec::new(),
            changed: Vec::new(),
            syms: Vec::new(),
            detect_time: Duration::ZERO,
            file_ranks: Vec::new(),
            seen: crate::dedup::Seen::default(),
            occurrences: crate::dedup::Occurrences::default(),
            kept: crate::dedup::KeptCopies::default(),
            track_copies: false,
            tap_count: 0,
            copies_of: Default::default(),
            retracted_taps: Vec::new(),
            tap: false,
            tapped: Vec::new(),
            keep_events: true,
            watermark: Default::default(),
            sigma_released: Vec::new(),
        }
    }

    /// Adopts a settings change re-run over the loaded events
    /// ([`crate::tune::rerun`]): its config and hosting networks, and the
    /// re-run detectors (which go on with the events still to come) and
    /// their findings in place of those detectors' own; every other
    /// detector, its state and findings stay, Sigma's too; incidents regroup.
    pub fn adopt(&mut self, kept: crate::tune::rerun::Kept) {
        let crate::tune::rerun::Kept {
            config,
            engine,
            hosting,
            findings: rerun,
            affected,
        } = kept;
        let mut findings = Findings::default();
        for f in rerun.all() {
            findings.upsert(f.clone());
        }
        // The detectors the change did not reach keep their findings (and
        // the verdicts on them); so do the detectors from data (Sigma).
        for f in self
            .findings
            .all()
            .iter()
            .filter(|f| !affected.contains(&f.detector))
        {
            findings.upsert(f.clone());
        }
        self.findings = findings;
        self.engine.replace_some(engine, &affected);
        self.hosting = hosting;
        self.incidents = crate::incident::Incidents::new(&config.incidents);
        self.config = config;
        self.bg_watch.clear();
        let ids: Vec<String> = self.findings.all().iter().map(|f| f.id.clone()).collect();
        self.observe_incidents(&ids);
    }

    /// The compiled Sigma rules the parsing threads of this session evaluate.
    pub fn sigma_rules(&self) -> Option<std::sync::Arc<crate::sigma::ingest::Rules>> {
        self.sigma_rules.clone()
    }

    /// Empties the interner and the GeoIP cache keyed by its symbols, when
    /// nothing refers to them: no event stored and none tapped and not taken.
    /// Returns whether it did.
    pub fn forget_strings(&mut self) -> bool {
        if !self.store.is_empty() || !self.tapped.is_empty() {
            return false;
        }
        self.store.strings = crate::store::Interner::default();
        self.enricher.forget();
        true
    }

    /// Registers the inputs a run will read (file ids are their positions).
    pub fn add_sources(&mut self, inputs: &[Input], follow: bool) {
        self.track_copies = self.sources.len() + inputs.len() > 1;
        for input in inputs {
            self.file_ranks
                .push(crate::event::text_hash(&input.display()));
            self.sources.push(SourceInfo {
                name: input.display(),
                format: "…".into(),
                size: input
                    .path()
                    .and_then(|p| std::fs::metadata(p).ok())
                    .map(|m| m.len()),
                bytes_read: 0,
                followed: follow,
                state: SourceState::Opening,
                error: None,
                stats: FileStats::default(),
                batches_received: 0,
                batches_expected: None,
                generation_start: 0,
                reopened_at: None,
                held: Default::default(),
                copies_owed: Copies::default(),
                live: matches!(input, Input::Live(_)).then(Default::default),
            });
        }
    }

    /// Applies one message. Returns true when every input has caught up
    /// (and so held events were released to the detectors).
    pub fn handle(&mut self, msg: IngestMsg) -> bool {
        match msg {
            IngestMsg::Opened { file, format, size } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.format = format;
                    s.size = size.or(s.size);
                    s.state = SourceState::Reading;
                }
            }
            IngestMsg::Batch {
                file,
                seq,
                batch,
                stats,
            } => {
                // Store events in the order the file holds them, whichever
                // worker finished first: the indexes then rarely need re-sorting.
                let Some(s) = self.sources.get_mut(file as usize) else {
                    return false;
                };
                if seq != s.batches_received {
                    s.held.insert(seq, (batch, stats));
                    return false;
                }
                self.apply_batch(file, batch, stats);
                while let Some((batch, stats)) = self.sources.get_mut(file as usize).and_then(|s| {
                    let next = s.batches_received;
                    s.held.remove(&next)
                }) {
                    self.apply_batch(file, batch, stats);
                }
            }
            IngestMsg::Reopened { file, first_batch } => {
                let stored = self.store.len() as EventIdx;
                if let Some(s) = self.sources.get_mut(file as usize) {
                    if s.batches_received >= first_batch {
                        // Everything from the earlier file is stored already.
                        s.generation_start = stored;
                    } else {
                        s.reopened_at = Some(first_batch);
                    }
                }
            }
            IngestMsg::Progress { file, bytes } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.bytes_read = bytes;
                }
            }
            IngestMsg::CaughtUp { file, batches } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.batches_expected = Some(batches);
                    s.state = SourceState::Following;
                }
            }
            IngestMsg::Finished { file, batches } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.batches_expected = Some(batches);
                    s.state = SourceState::Done;
                }
            }
            IngestMsg::Failed { file, error } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.state = SourceState::Failed;
                    s.error = Some(error);
                }
            }
            IngestMsg::Live { file, status } => {
                if let Some(s) = self.sources.get_mut(file as usize) {
                    s.live = Some(status);
                }
            }
        }
        if self.pending.is_empty() {
            return false;
        }
        if self.all_idle() {
            self.release();
            return true;
        }
        let sources = &self.sources;
        let reading = |i: usize| {
            sources.get(i).is_some_and(|s| {
                !(matches!(s.state, SourceState::Done | SourceState::Failed) && s.idle())
            })
        };
        match self.watermark.level(sources.len(), reading) {
            Some(level) => {
                let t0 = std::time::Instant::now();
                self.release_held(Some(level));
                self.watermark.released(level, t0.elapsed());
                true
            }
            None => false,
        }
    }

    /// True when every input is at its end (for now) with all its batches received.
    pub fn all_idle(&self) -> bool {
        self.sources.iter().all(SourceInfo::idle)
    }

    /// True when every input is finished or failed (nothing more will come).
    pub fn all_done(&self) -> bool {
        self.sources
            .iter()
            .all(|s| matches!(s.state, SourceState::Done | SourceState::Failed) && s.idle())
    }

    fn apply_batch(&mut self, file: u32, batch: crate::event::Batch, mut stats: FileStats) {
        let first_event = self.store.len() as EventIdx;
        if let Some(s) = self.sources.get_mut(file as usize) {
            if s.reopened_at.is_some_and(|seq| s.batches_received >= seq) {
                s.reopened_at = None;
                s.generation_start = first_event;
            }
        }
        self.watermark
            .observe(file, batch.drafts.iter().map(|d| d.time));
        // Copies were read fine but are not events: records = kept +
        // ignored + problems + duplicates stays true.
        let copies = self.add_batch(file, &batch);
        stats.duplicates += copies.records;
        batch.recycle();
        if let Some(s) = self.sources.get_mut(file as usize) {
            s.batches_received += 1;
            s.stats.merge(stats);
            // Counters may come in a later batch than their drafts (evtx,
            // documents): what cannot be taken off yet is owed.
            s.copies_owed.events += copies.events;
            s.copies_owed.records += copies.records;
            s.settle_owed();
        }
    }

    /// Interns, enriches and stores a batch; its events wait for release.
    /// Drafts of a record already stored (same identity, another record) are
    /// dropped and counted in the result.
    pub fn add_batch(&mut self, file: u32, batch: &crate::event::Batch) -> Copies {
        let mut copies = Copies::default();
        // Equal strings share one number in a batch, and come with their hash
        // (see TextBuf), so each distinct string is interned once per batch
        // without hashing here, and the rest is a lookup in `syms`.
        const UNSEEN: crate::event::Sym = crate::event::Sym(u32::MAX);
        self.sigma.seen.add(&batch.sigma.tally);
        let mut stored: Vec<Option<EventIdx>> = Vec::new();
        let want_slots = !batch.sigma.hits.is_empty();
        let mut syms = std::mem::take(&mut self.syms);
        syms.clear();
        syms.resize(batch.text.count() + 1, UNSEEN);
        if let Some(first) = syms.first_mut() {
            *first = crate::event::Sym::NONE;
        }
        // The record whose drafts are being read: identity, origin, and
        // whether it is kept (a copy that won replaces the kept one).
        let mut record: Option<(u64, u64, bool)> = None;
        for d in &batch.drafts {
            let identity = self.occurrences.number(d.identity, &d.origin);
            let same_record = record.is_some_and(|(id, off, _)| {
                identity != 0 && id == identity && off == d.origin.offset
            });
            let verdict = self.seen.check(identity, &d.origin);
            let keep = match verdict {
                crate::dedup::Verdict::Keep => true,
                crate::dedup::Verdict::Duplicate { new_record: false } if same_record => {
                    record.is_some_and(|(_, _, kept)| kept)
                }
                crate::dedup::Verdict::Duplicate { .. } => {
                    let won = self.challenge(identity, d);
                    if !won {
                        copies.records += 1;
                    }
                    won
                }
            };
            if !same_record {
                record = Some((identity, d.origin.offset, keep));
            }
            if !keep {
                copies.events += 1;
                if want_slots {
                    stored.push(None);
                }
                continue;
            }
            let strings = &mut self.store.strings;
            let mut ev: Event = d.map_text(|t| {
                // Every string number of the batch has a slot (sized above).
                let Some(slot) = syms.get_mut(t.0 as usize) else {
                    return crate::event::Sym::NONE;
                };
                if *slot == UNSEEN {
                    *slot = match batch.text.get_hashed(t) {
                        Some((s, hash)) => strings.intern_hashed(s, hash),
                        None => crate::event::Sym::NONE,
                    };
                }
                *slot
            });
            self.enricher.apply(&mut ev, &mut self.store.strings);
            let at = crate::dedup::KeptCopy {
                idx: if self.keep_events {
                    self.store.len() as u32
                } else {
                    u32::MAX
                },
                tap: self.tap_count,
                drafts: 1,
                file: d.origin.file,
                time: ev.time,
                fields: fields_present(d),
            };
            if self.track_copies {
                self.kept.kept(identity, !same_record, at);
            }
            if self.tap {
                self.tapped.push(ev);
                self.tap_count += 1;
            }
            if self.keep_events {
                let idx = self.store.append(ev);
                self.pending.push(idx);
                if want_slots {
                    stored.push(Some(idx));
                }
            } else if want_slots {
                stored.push(None);
            }
        }
        self.syms = syms;
        self.take_sigma_hits(file, batch, &stored);
        copies
    }

    /// Keeps a batch's Sigma matches for the detector: a match on a record
    /// whose every event was a copy of one already stored is a copy too.
    fn take_sigma_hits(
        &mut self,
        file: u32,
        batch: &crate::event::Batch,
        stored: &[Option<EventIdx>],
    ) {
        for hit in &batch.sigma.hits {
            if let Some(list) = self.sigma_matches.as_mut() {
                for r in &hit.results {
                    if let Some(rule) = self.sigma_detector.as_ref().and_then(|d| d.rule_of(r)) {
                        list.push((file, hit.record, rule.n));
                    }
                }
            }
            let (a, b) = (hit.drafts.0 as usize, hit.drafts.1 as usize);
            let events: Vec<EventIdx> = stored
                .get(a.min(b)..b.min(stored.len()))
                .unwrap_or_default()
                .iter()
                .flatten()
                .copied()
                .collect();
            if a < b && events.is_empty() {
                continue; // a copy
            }
            if !self.keep_events {
                continue;
            }
            let mut hit = hit.clone();
            hit.origin.file = file;
            self.sigma_pending.push((hit, events));
        }
    }

    /// A copy of a record already kept arrived (draft `d`). With several
    /// inputs, and while the kept copy has not gone to the detectors, the
    /// copy the fixed rule of [`crate::dedup::KeptCopies`] prefers stays:
    /// when that is the new one, the old one is retracted (from the store,
    /// and from `hunt events` output) and charged to its input as a copy.
    /// Returns whether the new copy is kept.
    fn challenge(&mut self, identity: u64, d: &crate::event::Draft) -> bool {
        let file = d.origin.file;
        if !self.track_copies {
            if self.sources.len() <= 1 {
                *self.kept.merged.entry((file, file)).or_insert(0) += 1;
            } else {
                self.kept.dropped_late(file);
            }
            return false;
        }
        let old = match self
            .kept
            .challenge(identity, file, fields_present(d), &self.file_ranks)
        {
            None => {
                // Its kept copy went to the detectors already.
                self.kept.dropped_late(file);
                return false;
            }
            Some(crate::dedup::Challenge::Dropped(kept)) => {
                if kept.idx != u32::MAX {
                    self.copies_of.add(kept.idx, d.origin);
                }
                return false;
            }
            Some(crate::dedup::Challenge::Replaces(old)) => old,
        };
        if old.idx != u32::MAX {
            // The new copy's store index is the next one.
            let new = self.store.len() as u32;
            let old_origin = self.store.get(old.idx).origin;
            self.copies_of.moved(old.idx, new, old_origin);
        }
        for k in 0..old.drafts {
            if old.idx != u32::MAX {
                let idx = old.idx.saturating_add(k);
                self.store.retract(idx);
            }
            if self.tap {
                self.retracted_taps
                    .push(old.tap.saturating_add(u64::from(k)));
            }
        }
        if let Some(s) = self.sources.get_mut(old.file as usize) {
            s.stats.duplicates += 1;
            s.copies_owed.records += 1;
            s.copies_owed.events += u64::from(old.drafts);
            s.settle_owed();
        }
        true
    }

    /// Events stored but not yet seen by the detectors.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Feeds every held event to the detectors in event-time order.
    pub fn release(&mut self) {
        self.release_held(None);
        self.watermark.released_all();
    }

    /// Feeds held events older than `below` (every one: `None`) to the
    /// detectors in event-time order; the others stay held.
    fn release_held(&mut self, below: Option<crate::event::Millis>) {
        let t0 = std::time::Instant::now();
        if below.is_none() && !self.watermark.loaded() {
            if self.watermark.late > 0 {
                self.redetect();
            }
            self.sigma_released = Vec::new();
        }
        self.store.seal();
        // A Tor exit list is replaced while we run (cron): pick up the new one.
        // One stat per release; the file is only re-read when its mtime changed.
        // (Errors stay in `hosting.load_errors()`; the core never prints.)
        self.hosting.refresh();
        let (mut pending, retracted) = self.take_held(below);
        // The kept copies are final now: the detectors see them.
        match below {
            None => self.kept.clear(),
            Some(level) => self.kept.forget_before(level),
        }
        sort_for_detection(&self.store, &self.file_ranks, &mut pending);
        let cx = DetectCx {
            store: &self.store,
            config: &self.config,
            hosting: &self.hosting,
        };
        let changed_from = self.changed.len();
        self.engine
            .observe_all(&cx, &pending, &mut self.findings, &mut self.changed);
        self.release_sigma(&pending, &retracted, below);
        // Incidents see this release's created/updated findings at once.
        let ids: Vec<String> = self
            .changed
            .get(changed_from..)
            .unwrap_or_default()
            .iter()
            .map(|(_, id)| id.clone())
            .collect();
        self.observe_incidents(&ids);
        self.watch_background();
        if below.is_none() {
            pending.clear();
            self.pending = pending;
        }
        self.detect_time += t0.elapsed();
    }

    /// Takes the held events older than `below` (all: `None`) for release,
    /// leaving the others held: the live ones, and those retracted before
    /// release (a better copy of their record came), whose Sigma matches
    /// are dropped with them (see `release_sigma`).
    fn take_held(&mut self, below: Option<crate::event::Millis>) -> (Vec<EventIdx>, Vec<EventIdx>) {
        let store = &self.store;
        let mut pending = match below {
            None => std::mem::take(&mut self.pending),
            Some(level) => {
                let (now, later): (Vec<EventIdx>, Vec<EventIdx>) = self
                    .pending
                    .iter()
                    .copied()
                    .partition(|&i| store.time(i) < level);
                self.pending = later;
                now
            }
        };
        let mut retracted = Vec::new();
        if store.retracted() > 0 {
            if !self.sigma_pending.is_empty() {
                retracted.extend(pending.iter().copied().filter(|&i| !store.is_live(i)));
            }
            pending.retain(|&i| store.is_live(i));
        }
        (pending, retracted)
    }

    /// An input out of order sent events older than some that had gone to
    /// the detectors behind the watermark: detection starts over on every
    /// event loaded, so that the findings are those of holding every event
    /// until the end of the load (a copy of a record that came after its
    /// kept copy went to the detectors stays dropped).
    fn redetect(&mut self) {
        self.engine = Engine::new(&self.config);
        self.findings = Findings::default();
        self.incidents = crate::incident::Incidents::new(&self.config.incidents);
        self.bg_watch.clear();
        let replay = std::mem::take(&mut self.sigma_released);
        if let Some(det) = self.sigma_detector.as_mut() {
            // Taken back off the counts: they are counted again at release.
            for r in replay.iter().flat_map(|(hit, _)| &hit.results) {
                if let Some(rule) = det.rule_of(r) {
                    if let Some(n) = self.sigma.seen.matched.get_mut(&rule.n) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            let loaded = crate::sigma::load::load(&self.config.sigma.paths);
            *det = crate::sigma::detector::SigmaDetector::new(
                loaded,
                self.config.sigma.burst_gap.ms(),
            );
        }
        self.sigma_pending.extend(replay);
        let store = &self.store;
        self.pending = (0..store.len() as EventIdx)
            .filter(|&i| store.is_live(i))
            .collect();
        self.watermark.redone = true;
    }

    /// Feeds these findings to the incidents again (their suppression came
    /// or went: an allowlisted finding leaves its incident, and the
    /// incident's severity and title follow what is left).
    pub fn regroup(&mut self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        self.observe_incidents(ids);
    }

    /// Feeds these findings to the incidents with their background shape.
    fn observe_incidents(&mut self, ids: &[String]) {
        let (store, sources, findings) = (&self.store, &self.sources, &self.findings);
        let generic = &self.config.incidents.background.generic_names;
        self.incidents
            .observe_with(ids.iter().filter_map(|id| findings.get(id)), |f| {
                crate::noise::shape(store, sources, f, generic)
            });
    }

    /// Re-reads the rolled-up addresses that got events since they were
    /// last read: one that succeeded or tried a real account leaves its
    /// roll-up (its findings become alerts of their own).
    fn watch_background(&mut self) {
        let generic = &self.config.incidents.background.generic_names;
        let mut blocked = Vec::new();
        for ip in self.incidents.rolled_ips() {
            let n = self.store.by_ip(ip).len();
            if self.bg_watch.get(ip) == Some(&n) {
                continue;
            }
            self.bg_watch.insert(ip.to_string(), n);
            if crate::noise::address_scans(&self.store, ip, generic).is_none() {
                blocked.push(ip.to_string());
            }
        }
        for ip in blocked {
            self.incidents.block_background(&ip);
        }
    }

    /// Feeds held Sigma matches to their detector in time order (ties: file
    /// name rank, then the record's place in its file, never arrival).
    ///
    /// Matches follow the kept copy of a record: a record whose copy was
    /// dropped at arrival brought no match (see `take_sigma_hits`), and a
    /// record whose events were `retracted` (a more complete copy from
    /// another input replaced it before release) loses its matches here;
    /// the replacing copy brings its own, as the rules found them on its
    /// raw record. `hunt rules matches` lists every copy's matches.
    fn release_sigma(
        &mut self,
        released: &[EventIdx],
        retracted: &[EventIdx],
        below: Option<crate::event::Millis>,
    ) {
        let Some(det) = self.sigma_detector.as_mut() else {
            self.sigma_pending.clear();
            return;
        };
        // A match goes with its record's events: the same time.
        let mut held = match below {
            None => std::mem::take(&mut self.sigma_pending),
            Some(level) => {
                let (now, later) = std::mem::take(&mut self.sigma_pending)
                    .into_iter()
                    .partition(|(h, _)| h.time < level);
                self.sigma_pending = later;
                now
            }
        };
        if !retracted.is_empty() {
            let store = &self.store;
            held.retain(|(_, e)| e.is_empty() || e.iter().any(|&i| store.is_live(i)));
        }
        attach_sshd_events(&self.store, &mut held, released, retracted);
        // Records matched per rule: kept copies only.
        for (hit, _) in &held {
            for r in &hit.results {
                if let Some(rule) = det.rule_of(r) {
                    *self.sigma.seen.matched.entry(rule.n).or_default() += 1;
                }
            }
        }
        normalize_hit_entities(&self.store, &mut held);
        if below.is_some() {
            self.sigma_released.extend(held.iter().cloned());
        }
        let ranks = &self.file_ranks;
        let rank = |f: u32| ranks.get(f as usize).copied().unwrap_or(u64::from(f));
        held.sort_by(|(a, _), (b, _)| {
            (
                a.time,
                rank(a.origin.file),
                a.origin.file,
                a.origin.offset,
                a.record,
            )
                .cmp(&(
                    b.time,
                    rank(b.origin.file),
                    b.origin.file,
                    b.origin.offset,
                    b.record,
                ))
        });
        let mut out = Vec::new();
        for (hit, event) in &held {
            let event = event.as_slice();
            let name = self
                .sources
                .get(hit.origin.file as usize)
                .map_or("-", |s| s.name.as_str());
            let pointer = format!("{name}:{}", hit.record);
            det.observe(&self.store, hit, event, &pointer, &mut out);
            for f in out.drain(..) {
                let id = f.id.clone();
                match self.findings.upsert(f) {
                    Change::Unchanged => {}
                    c => self.changed.push((c, id)),
                }
            }
        }
    }

    /// Findings created or changed since the last call.
    pub fn take_changes(&mut self) -> Vec<(Change, String)> {
        std::mem::take(&mut self.changed)
    }

    /// Total problems (bad input) over all inputs.
    pub fn problem_count(&self) -> u64 {
        self.sources.iter().map(|s| s.stats.problem_count()).sum()
    }
}

/// Text fields present in a draft, plus coordinates and AS number: how
/// complete a record's shape is (see [`crate::dedup::KeptCopies`]).
fn fields_present(d: &crate::event::Draft) -> u8 {
    let mut n = 0u8;
    let _ = d.map_text(|t| n = n.saturating_add(u8::from(!t.is_empty())));
    n.saturating_add(u8::from(d.has_coords()))
        .saturating_add(u8::from(d.asn != 0))
}

/// Puts held events in detection order (see [`order`]). Logs mostly arrive
/// in time order, or in reverse (Graph pages): then only runs of equal times
/// need sorting, in place, by file (a stable sort: each file's ties keep the
/// order they have, which for a newest-first file is the reverse of the
/// file's). Otherwise (time, index) pairs, which sit together in memory, are sorted.
fn sort_for_detection(store: &Store, ranks: &[u64], pending: &mut Vec<EventIdx>) {
    let ascending = pending.is_sorted_by_key(|&i| store.time(i));
    let descending = !ascending && pending.is_sorted_by(|&a, &b| store.time(a) >= store.time(b));
    if descending {
        pending.reverse();
    }
    if ascending || descending {
        let mut start = 0;
        while let Some(&first) = pending.get(start) {
            let t = store.time(first);
            let run = pending
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&i| store.time(i) == t)
                .count();
            let end = start + run.max(1);
            if let Some(ties) = pending.get_mut(start..end).filter(|r| r.len() > 1) {
                ties.sort_by(|&a, &b| by_file(store, ranks, a, b));
            }
            start = end;
        }
        return;
    }
    let mut keyed: Vec<(crate::event::Millis, EventIdx)> =
        pending.iter().map(|&i| (store.time(i), i)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| order(store, ranks, a.1, b.1)));
    pending.clear();
    pending.extend(keyed.into_iter().map(|(_, i)| i));
}

/// Event order for detection: time; for equal times, one file's events keep
/// the file's order (classic syslog has one-second stamps: a tool's failures
/// and its success share a second; a file is stored in the order it was cut,
/// so index order is file order), and different files go by a hash of their
/// name (`ranks`), so the order depends neither on arrival nor on the order
/// the files were named in.
fn order(store: &Store, ranks: &[u64], a: EventIdx, b: EventIdx) -> Ordering {
    store
        .time(a)
        .cmp(&store.time(b))
        .then_with(|| by_file(store, ranks, a, b))
        .then(a.cmp(&b))
}

/// Equal for two events of one file; otherwise the files' name ranks.
fn by_file(store: &Store, ranks: &[u64], a: EventIdx, b: EventIdx) -> Ordering {
    let (fa, fb) = (store.file(a), store.file(b));
    let rank = |f: u32| ranks.get(f as usize).copied().unwrap_or(u64::from(f));
    rank(fa).cmp(&rank(fb)).then(fa.cmp(&fb))
}

/// Handle on the background readers; dropping it does not stop them, but
/// they stop when the receiving side is dropped.
pub struct Readers {
    pub rx: Receiver<IngestMsg>,
    /// The `kafka://` inputs' consumers, each waiting for its committed
    /// offsets ([`crate::ingest::kafka::Handle::begin`]).
    pub kafka: Vec<crate::ingest::kafka::Handle>,
}

/// Starts reader threads and parse workers for `opts.inputs`.
/// File ids are the inputs' positions in `opts.inputs`. The file reader
/// keeps at most [`open_file_budget`](crate::ingest::follow::open_file_budget)
/// files open at once.
pub fn start(opts: &RunOptions, config: &Config) -> Readers {
    start_with_budget(opts, config, crate::ingest::follow::open_file_budget())
}

/// [`start`], with at most `max_open` files open at once (at least one).
/// Files are opened when first read and closed once finished; while
/// following, when a poll leaves more than `max_open` files open, the one
/// idle longest is parked (closed, see [`SourceReader::park`]), so one
/// more than the budget is open only for the length of a poll.
pub fn start_with_budget(opts: &RunOptions, config: &Config, max_open: usize) -> Readers {
    // Small bounds keep memory flat when the owner is the slower side:
    // at most this many parsed batches wait for it.
    let (tx, rx) = mpsc::sync_channel::<IngestMsg>(8);
    let workers = if opts.workers == 0 {
        thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    } else {
        opts.workers
    };
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(workers);
    let job_rx = Arc::new(Mutex::new(job_rx));
    // Every parsing thread evaluates the Sigma rules on the records it parses.
    let rules = crate::sigma::ingest::shared(&config.sigma.paths);
    for _ in 0..workers {
        let job_rx = Arc::clone(&job_rx);
        let tx = tx.clone();
        let rules = rules.clone();
        spawn_named("hunt-parse", move || {
            crate::sigma::ingest::install(rules);
            parse_worker(job_rx, tx)
        });
    }
    let read_opts = ReadOptions {
        format: opts.format,
        max_line: config.ingest.max_line_bytes,
        syslog_year: config.ingest.syslog_year,
        follow: opts.follow,
    };
    let mut files = Vec::new();
    let mut kafka = Vec::new();
    for (i, input) in opts.inputs.iter().enumerate() {
        if let Some(url) = input
            .path()
            .and_then(|p| p.to_str())
            .filter(|p| crate::ingest::kafka::is_kafka(p))
        {
            kafka.extend(start_kafka(i as u32, url, opts, config, tx.clone()));
            continue;
        }
        if let Input::Live(source) = input {
            let (tx, source, rules) = (tx.clone(), source.clone(), rules.clone());
            let live = crate::ingest::live::LiveOptions {
                max_line: config.ingest.max_line_bytes,
                syslog: config.syslog.clone(),
            };
            spawn_named("hunt-live", move || {
                crate::sigma::ingest::install(rules);
                live_loop(i as u32, &source, live, &tx)
            });
            continue;
        }
        let reader = SourceReader::new(i as u32, input.clone(), read_opts.clone())
            .with_limits(config.ingest.limits());
        if reader.is_pipe() {
            // stdin and FIFOs block until they have data: give each its own
            // thread, which hands lines over as soon as they arrive.
            let (tx, job_tx) = (tx.clone(), job_tx.clone());
            let pace = LoopOptions {
                follow: opts.follow,
                pause: None,
                max_open: 1,
            };
            let rules = rules.clone();
            spawn_named("hunt-stdin", move || {
                crate::sigma::ingest::install(rules);
                read_loop(vec![reader], pace, tx, job_tx)
            });
        } else {
            files.push(reader);
        }
    }
    let pace = LoopOptions {
        follow: opts.follow,
        pause: Some(FOLLOW_POLL),
        max_open: max_open.max(1),
    };
    spawn_named("hunt-read", move || {
        crate::sigma::ingest::install(rules);
        read_loop(files, pace, tx, job_tx)
    });
    Readers { rx, kafka }
}

/// Starts the consumer of the `kafka://` input `url` (file id `file`); a
/// bad URL or setting fails that input only.
fn start_kafka(
    file: u32,
    url: &str,
    opts: &RunOptions,
    config: &Config,
    tx: SyncSender<IngestMsg>,
) -> Option<crate::ingest::kafka::Handle> {
    use crate::ingest::kafka::consumer::{spawn, Out};
    let fail = |error: String| {
        let _ = tx.send(IngestMsg::Failed { file, error });
        None
    };
    let parsed = match crate::ingest::kafka::KafkaUrl::parse(url, &config.kafka) {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    let input = crate::ingest::kafka::KafkaInput {
        file,
        url: parsed,
        config: config.kafka.clone(),
        format: opts.format,
        follow: opts.follow,
    };
    let out = tx.clone();
    let emit = move |o: Out| {
        let msg = match o {
            Out::Opened => IngestMsg::Opened {
                file,
                format: "kafka".into(),
                size: None,
            },
            Out::Batch { seq, batch, stats } => IngestMsg::Batch {
                file,
                seq,
                batch,
                stats,
            },
            Out::Progress { bytes } => IngestMsg::Progress { file, bytes },
            Out::CaughtUp { batches } => IngestMsg::CaughtUp { file, batches },
            Out::Finished { batches } => IngestMsg::Finished { file, batches },
            Out::Failed(error) => IngestMsg::Failed { file, error },
        };
        out.send(msg).is_ok()
    };
    match spawn(input, emit) {
        Ok(h) => Some(h),
        Err(e) => fail(format!("cannot start the Kafka consumer thread: {e}")),
    }
}

/// Poll interval while following (SPEC §6: appended data read within 250 ms).
/// Each poll of an idle file is a read returning nothing and two status calls.
pub const FOLLOW_POLL: Duration = Duration::from_millis(150);

/// How a reader thread paces its polls.
#[derive(Debug, Clone, Copy)]
struct LoopOptions {
    /// Keep polling inputs that are at their current end.
    follow: bool,
    /// Sleep between rounds (files); `None` for a pipe, whose reads block.
    pause: Option<Duration>,
    /// Files open at once at most.
    max_open: usize,
}

/// What [`read_loop`] keeps per input.
#[derive(Debug, Clone, Copy, Default)]
struct Track {
    /// Batches handed out so far: the next one's `seq`.
    sent: u64,
    /// At its end for good (or failed): not polled again.
    finished: bool,
    /// `Opened` was sent for the file open now.
    announced: bool,
    /// The round it last handed out data.
    last_active: u64,
}

/// Polls each input in turn, handing out what it read, until every input
/// is finished (or, following, forever); stops when the owner is gone.
fn read_loop(
    mut readers: Vec<SourceReader>,
    pace: LoopOptions,
    tx: SyncSender<IngestMsg>,
    job_tx: SyncSender<Job>,
) {
    let follow = pace.follow;
    let mut tracks = vec![Track::default(); readers.len()];
    // A pipe may stay silent for hours: it has nothing held back while its
    // first read blocks, so it must not hold back the other inputs.
    if follow && pace.pause.is_none() && !announce_caught_up(&readers, &tx) {
        return;
    }
    // Readers holding open files.
    let mut open: Vec<usize> = Vec::new();
    let mut round = 0u64;
    loop {
        round += 1;
        for k in 0..readers.len() {
            let (Some(r), Some(t)) = (readers.get_mut(k), tracks.get_mut(k)) else {
                continue;
            };
            if t.finished {
                continue;
            }
            if !r.is_open() && !r.wants_open() && !r.holds_attempts() {
                continue; // parked and unchanged: nothing new to say
            }
            let sent_before = t.sent;
            let Some((res, stats)) = poll_reader(r, t, &tx, &job_tx) else {
                return; // the owner is gone
            };
            let Some(msg) = after_poll(r, t, stats, res, follow, &tx) else {
                return;
            };
            if t.sent != sent_before {
                t.last_active = round;
            }
            let listed = open.iter().position(|&j| j == k);
            match (r.is_open(), listed) {
                (true, None) => open.push(k),
                (false, Some(at)) => {
                    open.swap_remove(at);
                }
                _ => {}
            }
            if tx.send(msg).is_err() {
                return;
            }
            park_idlest(&mut readers, &tracks, &mut open, k, pace.max_open);
        }
        if !follow || tracks.iter().all(|t| t.finished) {
            return;
        }
        if let Some(pause) = pace.pause {
            thread::sleep(pause);
        }
    }
}

/// Tells the owner each of `readers` is caught up (with nothing sent yet).
/// False when the owner is gone.
fn announce_caught_up(readers: &[SourceReader], tx: &SyncSender<IngestMsg>) -> bool {
    readers.iter().all(|r| {
        tx.send(IngestMsg::CaughtUp {
            file: r.file,
            batches: 0,
        })
        .is_ok()
    })
}

/// Polls one reader: its batches go to the parse workers (or, parsed
/// already, to the owner), numbered in the order they are cut. Returns what
/// the poll said and the reader-side counters, or `None` when the owner is gone.
fn poll_reader(
    r: &mut SourceReader,
    t: &mut Track,
    tx: &SyncSender<IngestMsg>,
    job_tx: &SyncSender<Job>,
) -> Option<(std::io::Result<Polled>, FileStats)> {
    let file = r.file;
    let mut stats = FileStats::default();
    let mut failed = false;
    let sent = &mut t.sent;
    let mut out = |o: Output| {
        let seq = *sent;
        let ok = match o {
            Output::Job(mut job) => {
                *sent += 1;
                job.seq = seq;
                job_tx.send(job).is_ok()
            }
            Output::Parsed(batch, stats) => {
                *sent += 1;
                tx.send(IngestMsg::Batch {
                    file,
                    seq,
                    batch,
                    stats,
                })
                .is_ok()
            }
            // Sent before any batch of the new file is even cut, so the
            // owner learns of it first.
            Output::Reopened => tx
                .send(IngestMsg::Reopened {
                    file,
                    first_batch: seq,
                })
                .is_ok(),
            Output::Read(bytes) => tx.send(IngestMsg::Progress { file, bytes }).is_ok(),
        };
        failed |= !ok;
    };
    // A panic while reading is a bug in hunt: it ends this input with one
    // reported problem; the other inputs go on.
    let res = crate::panics::catch(|| r.poll(&mut stats, &mut out)).unwrap_or_else(|bug| {
        stats.problem(0, r.consumed(), reason::INTERNAL, bug);
        Ok(Polled::Finished)
    });
    (!failed).then_some((res, stats))
}

/// After a poll: announces a newly sniffed input, sends the reader-side
/// counters and the progress, and returns the message that says where the
/// input stands (`None`: the owner is gone).
fn after_poll(
    r: &mut SourceReader,
    t: &mut Track,
    stats: FileStats,
    res: std::io::Result<Polled>,
    follow: bool,
    tx: &SyncSender<IngestMsg>,
) -> Option<IngestMsg> {
    let file = r.file;
    if r.layout().is_none() {
        // Not open yet, or reopened after rotation: announce it again once sniffed.
        t.announced = false;
    } else if !t.announced {
        t.announced = true;
        let size = r
            .input
            .path()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        let _ = tx.send(IngestMsg::Opened {
            file,
            format: r.format_name(),
            size,
        });
    }
    // Reader-side counters (bytes, long lines) travel as an empty batch.
    if stats != FileStats::default() {
        let seq = t.sent;
        t.sent += 1;
        let batch = Default::default();
        tx.send(IngestMsg::Batch {
            file,
            seq,
            batch,
            stats,
        })
        .ok()?;
    }
    let _ = tx.send(IngestMsg::Progress {
        file,
        bytes: r.consumed(),
    });
    let batches = t.sent;
    Some(match res {
        Ok(Polled::CaughtUp) if follow => IngestMsg::CaughtUp { file, batches },
        Ok(Polled::Finished | Polled::CaughtUp) => {
            t.finished = true;
            IngestMsg::Finished { file, batches }
        }
        // Not there yet: wait for it (tail -F).
        Err(e) if follow && e.kind() == std::io::ErrorKind::NotFound => {
            IngestMsg::CaughtUp { file, batches }
        }
        Err(e) => {
            t.finished = true;
            r.close();
            IngestMsg::Failed {
                file,
                error: e.to_string(),
            }
        }
    })
}

/// Over budget: closes the files idle longest (not `just_read`, the one just read).
fn park_idlest(
    readers: &mut [SourceReader],
    tracks: &[Track],
    open: &mut Vec<usize>,
    just_read: usize,
    max_open: usize,
) {
    while open.len() > max_open {
        let idle = (0..open.len())
            .filter(|&i| open.get(i) != Some(&just_read))
            .min_by_key(|&i| {
                open.get(i)
                    .and_then(|&j| tracks.get(j))
                    .map_or(0, |t| t.last_active)
            });
        let Some(at) = idle else {
            break;
        };
        let j = open.swap_remove(at);
        if let Some(r) = readers.get_mut(j) {
            r.park();
        }
    }
}

/// Runs a live network source, numbering its batches as a reader does.
fn live_loop(
    file: u32,
    source: &crate::ingest::live::LiveSource,
    opts: crate::ingest::live::LiveOptions,
    tx: &SyncSender<IngestMsg>,
) {
    use crate::ingest::live::LiveOut;
    let mut sent = 0u64;
    let mut bytes = 0u64;
    source.run(file, opts, &mut |o| {
        if let LiveOut::Batch(_, stats) = &o {
            bytes += stats.bytes_read;
            if tx.send(IngestMsg::Progress { file, bytes }).is_err() {
                return false;
            }
        }
        let msg = match o {
            LiveOut::Opened { format } => IngestMsg::Opened {
                file,
                format,
                size: None,
            },
            LiveOut::Batch(batch, stats) => {
                sent += 1;
                IngestMsg::Batch {
                    file,
                    seq: sent - 1,
                    batch,
                    stats,
                }
            }
            LiveOut::CaughtUp => IngestMsg::CaughtUp {
                file,
                batches: sent,
            },
            LiveOut::Status(status) => IngestMsg::Live { file, status },
            LiveOut::Failed(error) => IngestMsg::Failed { file, error },
        };
        tx.send(msg).is_ok()
    });
}

fn parse_worker(jobs: Arc<Mutex<Receiver<Job>>>, tx: SyncSender<IngestMsg>) {
    loop {
        let job = {
            let Ok(rx) = jobs.lock() else { return };
            match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            }
        };
        let mut stats = FileStats::default();
        let batch = json_lines_with(
            &job.chunk,
            job.file,
            job.format,
            job.forced,
            job.max_line,
            &mut stats,
        );
        if tx
            .send(IngestMsg::Batch {
                file: job.file,
                seq: job.seq,
                batch,
                stats,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Reads `inputs` to their end and runs every detector: the whole of `hunt scan`
/// without output. Used by tests and benchmarks.
pub fn scan_all(inputs: Vec<Input>, config: Config, enricher: Enricher) -> Session {
    scan_all_with(inputs, config, enricher, |_| {})
}

/// [`scan_all`], with `prepare` run on the session before anything is read.
pub fn scan_all_with(
    inputs: Vec<Input>,
    config: Config,
    enricher: Enricher,
    prepare: impl FnOnce(&mut Session),
) -> Session {
    let opts = RunOptions {
        inputs,
        follow: false,
        format: None,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    prepare(&mut session);
    session.add_sources(&opts.inputs, false);
    let readers = start(&opts, &config);
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

/// Convenience: scan paths (folders recursed) with the default config and no GeoIP.
pub fn scan_paths(paths: &[PathBuf]) -> Session {
    let (inputs, _) = crate::ingest::read::expand(paths);
    scan_all(inputs, Config::default(), Enricher::none())
}

/// Spawns a named background thread (names show in `top -H` and profilers).
fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = thread::Builder::new().name(name.into()).spawn(f) {
        // Without the thread the run cannot read; say so instead of hanging silently.
        eprintln!("hunt: cannot start {name} thread: {e}");
    }
}

/// Sigma hits held for release, each with its record's events.
type HeldHits = Vec<(crate::sigma::ingest::Hit, Vec<EventIdx>)>;

/// An sshd line's attempt is counted when its connection tells how it ended
/// (often a later line, another batch): a hit without events gets them by
/// the line it is charged to, among the events `released` or `retracted`;
/// a hit whose line's events were all retracted for another copy goes.
fn attach_sshd_events(
    store: &Store,
    held: &mut HeldHits,
    released: &[EventIdx],
    retracted: &[EventIdx],
) {
    if !held
        .iter()
        .any(|(h, e)| e.is_empty() && h.source == crate::event::Source::Sshd)
    {
        return;
    }
    let mut by_line: std::collections::HashMap<(u32, u64), Vec<EventIdx>> = Default::default();
    for &i in released.iter().chain(retracted) {
        let ev = store.get(i);
        if ev.source == crate::event::Source::Sshd {
            by_line
                .entry((ev.origin.file, ev.origin.offset))
                .or_default()
                .push(i);
        }
    }
    held.retain_mut(|(h, e)| {
        if e.is_empty() && h.source == crate::event::Source::Sshd {
            if let Some(found) = by_line.get(&(h.origin.file, h.origin.offset)) {
                e.clone_from(found);
                return found.iter().any(|&i| store.is_live(i));
            }
        }
        true
    });
}

/// A hit whose record has an event takes that event's user and address as
/// hunt normalized them (and so do the fields it groups by).
fn normalize_hit_entities(store: &Store, held: &mut HeldHits) {
    for (h, e) in held.iter_mut() {
        let Some(&i) = e.first() else { continue };
        let ev = store.get(i);
        let (user, ip) = (store.text(ev.user), store.text(ev.ip));
        if !user.is_empty() {
            h.user = user.to_string();
        }
        if !ip.is_empty() {
            h.ip = ip.to_string();
        }
        for (field, value) in h.group.iter_mut() {
            match crate::sigma::fields::canonical(h.source, field) {
                Some(crate::sigma::fields::Canon::User) if !user.is_empty() => {
                    *value = user.to_string()
                }
                Some(crate::sigma::fields::Canon::Ip) if !ip.is_empty() => *value = ip.to_string(),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Kind, Source};

    /// Events at these times with these users from these files, appended in the order given.
    fn store_of(rows: &[(i64, &str, u32)]) -> Store {
        let mut s = Store::new();
        for &(t, user, file) in rows {
            let mut e = Event::new(t, Source::Entra, Kind::SignIn);
            e.user = s.strings.intern(user);
            e.origin.file = file;
            s.append(e);
        }
        s
    }

    fn sorted(rows: &[(i64, &str, u32)], ranks: &[u64]) -> Vec<String> {
        let s = store_of(rows);
        let mut idx: Vec<EventIdx> = (0..rows.len() as EventIdx).collect();
        sort_for_detection(&s, ranks, &mut idx);
        idx.iter()
            .map(|&i| s.text(s.get(i).user).to_string())
            .collect()
    }

    #[test]
    fn equal_times_keep_each_files_order_and_files_go_by_name_rank() {
        // One file: a same-second burst keeps the file's order (failures, then the success).
        let one = [
            (1, "f1", 0),
            (2, "f2", 0),
            (2, "f3", 0),
            (2, "ok", 0),
            (5, "z", 0),
        ];
        assert_eq!(sorted(&one, &[]), ["f1", "f2", "f3", "ok", "z"]);
        // Shuffled across seconds: each second's events still in file order.
        let shuffled = [
            (5, "z", 0),
            (2, "f2", 0),
            (1, "f1", 0),
            (2, "f3", 0),
            (2, "ok", 0),
        ];
        assert_eq!(sorted(&shuffled, &[]), ["f1", "f2", "f3", "ok", "z"]);
        // Newest first (a Graph page): the whole file reversed.
        let newest_first = [
            (5, "z", 0),
            (2, "ok", 0),
            (2, "f3", 0),
            (2, "f2", 0),
            (1, "f1", 0),
        ];
        assert_eq!(sorted(&newest_first, &[]), ["f1", "f2", "f3", "ok", "z"]);
        // Two files: by rank, whatever their ids (the order they were named in).
        let two = [(2, "a1", 0), (2, "b1", 1), (2, "a2", 0), (2, "b2", 1)];
        assert_eq!(sorted(&two, &[9, 3]), ["b1", "b2", "a1", "a2"]);
        let swapped = [(2, "b1", 0), (2, "a1", 1), (2, "b2", 0), (2, "a2", 1)];
        assert_eq!(sorted(&swapped, &[3, 9]), ["b1", "b2", "a1", "a2"]);
        let mixed = [
            (3, "b3", 1),
            (2, "a1", 0),
            (2, "b1", 1),
            (1, "a0", 0),
            (2, "a2", 0),
        ];
        assert_eq!(sorted(&mixed, &[9, 3]), ["a0", "b1", "a1", "a2", "b3"]);
        assert!(sorted(&[], &[]).is_empty());
    }

    #[test]
    fn batches_are_stored_in_the_order_the_reader_cut_them() {
        let mut s = Session::new(Config::default(), Enricher::none());
        s.add_sources(&[Input::Path("a.log".into())], false);
        let batch = |user: &str| {
            let mut b = crate::event::Batch::default();
            let mut d = crate::event::Draft::new(10, Source::Entra, Kind::SignIn);
            d.user = b.text.put(user);
            b.drafts.push(d);
            b
        };
        let msg = |seq: u64, user: &str| IngestMsg::Batch {
            file: 0,
            seq,
            batch: batch(user),
            stats: FileStats::default(),
        };
        // A second worker finished batches 2 and 1 before the first finished 0.
        s.handle(msg(2, "third"));
        s.handle(msg(1, "second"));
        assert_eq!(s.store.len(), 0, "held until batch 0 arrives");
        s.handle(msg(0, "first"));
        let users: Vec<String> = (0..3)
            .map(|i| s.store.text(s.store.get(i).user).to_string())
            .collect();
        assert_eq!(users, ["first", "second", "third"]);
        s.handle(IngestMsg::Finished {
            file: 0,
            batches: 3,
        });
        assert!(s.all_done());
        assert_eq!(s.pending(), 0, "released once the file was finished");
    }
}
