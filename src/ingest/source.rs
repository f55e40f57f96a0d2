//! One input being read: opened, sniffed, and turned into parse jobs or
//! batches. [`SourceReader::poll`] reads whatever is available now and
//! returns; calling it again later continues where it stopped, which is how
//! both a whole-file load and a live tail work (a load is a tail that stops
//! at the end). Line-oriented JSON is handed to the parse workers as chunks;
//! syslog, JSON documents and evtx are parsed here.
//!
//! Inputs are opened at their first poll and closed once finished.
//! Following (SPEC §6): a plain file keeps its handle open between polls,
//! unless the reader loop parks it ([`SourceReader::park`]) to stay within
//! its open-file budget; before reading on, each poll asks [`Watch`]
//! whether it was truncated or rewritten (read again from 0) or rotated
//! (drain the old handle, then open the new file from 0), and a path that
//! does not exist yet is simply tried again. A pipe (stdin, a FIFO) hands
//! out lines after every read until its writer closes it. Not followed beyond what is there when first read, by
//! design: gzip files (a compressed stream cannot be appended to line by
//! line), JSON documents (arrays, `{"value":[…]}`: a document is only
//! complete at its closing bracket, and re-reading it as it grows would count
//! its records again) and evtx files. This module never memory-maps a file:
//! a followed file can be truncated under the mapping.
//!
//! Memory per input is bounded whatever the input: a line-oriented file
//! holds one chunk (1 MiB) plus at most one partial line (≤ `max_line`); a
//! JSON document one 256 KiB block plus one record (≤ `max_line`, see
//! `document`); a plain evtx file one 64 KiB chunk; an evtx file from gzip or
//! a pipe is read whole, up to `evtx_file::IN_MEMORY_MAX`. A gzip stream that
//! is corrupt, truncated or expands past its [`Limits`] ends with one
//! problem; every complete line or record before it is kept.

use super::decode::document_piece_as;
use super::document::{DocScanner, Piece};
use super::follow::{self, FileChange, Watch};
use super::read::{self, BoxRead, Chunk, ChunkMode, Input, Limits, LineChunker, Stopped};
use super::sniff::{self, Layout};
use super::sshd::SshdState;
use super::stats::FileStats;
use super::windows_xml::{self, XmlScanner};
use super::{evtx_file, reason, Format};
use crate::event::Batch;
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::Path;

/// Bytes read before sniffing a format.
const HEAD_BYTES: usize = 64 * 1024;

/// Bytes of a JSON document read at a time.
const DOC_BLOCK: usize = 256 * 1024;

/// Work produced by reading.
pub enum Output {
    /// Whole JSON lines for a parse worker.
    Job(Job),
    /// Drafts parsed on the reader thread, with the counters for them.
    Parsed(Batch, FileStats),
    /// The input was opened again after a rotation or truncation: what
    /// follows comes from the new file, and offsets start again at 0.
    Reopened,
    /// Bytes of the input read so far, after each chunk handed out (one
    /// poll reads a whole file: progress shows while it does).
    Read(u64),
}

/// A chunk of JSON lines to parse.
pub struct Job {
    pub file: u32,
    /// The batch's number in its file (see `IngestMsg::Batch`); set by the reader loop.
    pub seq: u64,
    pub chunk: Chunk,
    pub format: Option<Format>,
    /// `format` was named by `--format`: no record is re-sniffed.
    pub forced: bool,
    pub max_line: usize,
}

/// What a poll achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Read to the current end; more may come if the file grows.
    CaughtUp,
    /// A finite input is fully read (or a whole-document input was consumed).
    Finished,
}

/// Options for reading.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub max_line: usize,
    /// Year used for syslog lines (0 infers from the file's modification time).
    pub syslog_year: i32,
    /// Follow the input as it grows.
    pub follow: bool,
}

/// Reading state of one input.
pub struct SourceReader {
    pub file: u32,
    pub input: Input,
    opts: ReadOptions,
    reader: Option<BoxRead>,
    /// The followed file behind `reader` (plain, uncompressed files only).
    watch: Option<Watch>,
    layout: Option<Layout>,
    chunker: LineChunker,
    /// Times the input was opened (more than once after a rotation or truncation).
    opens: u32,
    /// Bytes of an input read whole (a JSON document, evtx): progress for
    /// inputs that do not go through the chunker.
    whole_bytes: u64,
    sshd: Option<SshdState>,
    /// Whether the stream was gzip-compressed (then offsets are in decompressed bytes).
    pub compressed: bool,
    /// Stdin or a FIFO: reads block until data comes, so it is read eagerly.
    pipe: bool,
    /// Caps on what a compressed input may expand to.
    limits: Limits,
    /// Finished and closed: polls do nothing more.
    done: bool,
    /// The format of a JSON document's records, once read.
    doc_format: Option<Format>,
    /// A followed pipe's reads time out once armed (see `pipe`).
    armed: super::pipe::Armed,
}

impl SourceReader {
    pub fn new(file: u32, input: Input, opts: ReadOptions) -> Self {
        let max_line = opts.max_line;
        let pipe = match &input {
            Input::Stdin => true,
            Input::Path(p) => follow::is_pipe_path(p),
            Input::Live(_) => false,
        };
        SourceReader {
            file,
            input,
            opts,
            reader: None,
            watch: None,
            layout: None,
            chunker: LineChunker::new(max_line),
            opens: 0,
            whole_bytes: 0,
            sshd: None,
            compressed: false,
            pipe,
            limits: Limits::default(),
            done: false,
            doc_format: None,
            armed: super::pipe::Armed::default(),
        }
    }

    /// Holds compressed input to `limits` (the defaults otherwise).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// True for stdin and FIFOs: reads block, so the input needs its own thread.
    pub fn is_pipe(&self) -> bool {
        self.pipe
    }

    /// The layout once known (after the first successful poll).
    pub fn layout(&self) -> Option<&Layout> {
        self.layout.as_ref()
    }

    /// A short name for the detected format.
    pub fn format_name(&self) -> String {
        match (&self.layout, self.opts.format) {
            (_, Some(f)) => f.name().to_string(),
            (Some(Layout::JsonLines(Some(f))), _) => f.name().to_string(),
            (Some(Layout::JsonLines(None)), _) => "json-lines".into(),
            (Some(Layout::JsonDocument), _) => match self.doc_format {
                Some(f) => f.name().to_string(),
                None => "json document".into(),
            },
            (Some(Layout::Syslog), _) => "sshd".into(),
            (Some(Layout::Journal), _) => Format::Journald.name().into(),
            (Some(Layout::Evtx), _) => "evtx".into(),
            (Some(Layout::EventXml), _) => Format::WindowsXml.name().into(),
            (Some(Layout::Unsupported(why)), _) => format!("unsupported: {why}"),
            (None, _) => "…".into(),
        }
    }

    /// Closes the input; the next poll opens it again from the start.
    pub fn restart(&mut self) {
        self.reader = None;
        self.watch = None;
        self.layout = None;
        self.doc_format = None;
        self.sshd = None;
        self.compressed = false;
        self.chunker.reset();
        self.whole_bytes = 0;
    }

    /// Stream offset consumed so far (of the file currently open).
    pub fn consumed(&self) -> u64 {
        self.chunker.consumed().max(self.whole_bytes)
    }

    /// Bytes of a partial last line waiting for its newline.
    pub fn partial(&self) -> usize {
        self.chunker.pending()
    }

    /// How lines are cut for this input.
    fn mode(&self) -> ChunkMode {
        if !self.opts.follow {
            ChunkMode::Finite
        } else if self.pipe {
            ChunkMode::Eager
        } else if self.compressed {
            ChunkMode::Finite
        } else {
            ChunkMode::Follow
        }
    }

    /// Reads what is available and hands it to `out`. A followed file is
    /// first checked for truncation and rotation (see the module comment),
    /// before anything is read from where the last poll stopped. A finished
    /// input is closed, and stays finished.
    pub fn poll(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        if self.done {
            return Ok(Polled::Finished);
        }
        if self.watch.as_ref().is_some_and(Watch::is_parked) && !self.unpark(out)? {
            self.tick(crate::ingest::pipe::monotonic_ms(), out);
            return Ok(Polled::CaughtUp);
        }
        let change = match (self.watch.as_mut(), self.input.path()) {
            (Some(watch), Some(path)) => watch.check(path),
            _ => FileChange::Same,
        };
        match change {
            FileChange::Same | FileChange::Missing | FileChange::Touched => {}
            FileChange::Truncated => {
                self.end_of_file(out);
                self.restart();
            }
            FileChange::Replaced => {
                // Lines written to the old file between our read and the rename.
                self.read_now(stats, out)?;
                let old = self.watch.as_ref().and_then(Watch::handle_state);
                self.end_of_file(out);
                self.restart();
                if let (Some(old), Some(path)) = (old, self.input.path().map(Path::to_path_buf)) {
                    self.read_generations(&path, old, stats, out)?;
                }
            }
        }
        let polled = self.read_now(stats, out)?;
        if polled == Polled::Finished {
            self.close();
        } else {
            self.tick(crate::ingest::pipe::monotonic_ms(), out);
        }
        Ok(polled)
    }

    /// Reads, each to its end, the files that were the followed path
    /// between two polls and were rotated on before this poll saw them
    /// (rotations faster than the poll: see [`follow::generations_since`]).
    /// Their events are this input's, as the drained old file's are. A
    /// generation that cannot be read is a problem of the input, not an
    /// error of the follow.
    fn read_generations(
        &mut self,
        path: &Path,
        old: follow::Generation,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<()> {
        for generation in follow::generations_since(path, old) {
            let followed = std::mem::replace(&mut self.input, Input::Path(generation.clone()));
            let follow = std::mem::replace(&mut self.opts.follow, false);
            let mut read = Ok(Polled::CaughtUp);
            for _ in 0..1_000_000 {
                read = self.read_now(stats, out);
                if !matches!(read, Ok(Polled::CaughtUp)) {
                    break;
                }
            }
            self.end_of_file(out);
            self.restart();
            self.input = followed;
            self.opts.follow = follow;
            if let Err(e) = read {
                stats.problem(
                    0,
                    0,
                    reason::BINARY,
                    format!(
                        "a rotated generation could not be read: {}: {e}",
                        crate::sanitize::clean(&generation.to_string_lossy())
                    ),
                );
            }
        }
        Ok(())
    }

    /// Closes a finished input for good (its handles are released).
    pub fn close(&mut self) {
        self.done = true;
        self.reader = None;
        self.watch = None;
    }

    /// True while sshd attempts wait for their outcome (a followed input
    /// is then polled even when parked, for [`SourceReader::tick`]).
    pub fn holds_attempts(&self) -> bool {
        self.opts.follow && self.sshd.as_ref().is_some_and(SshdState::holds)
    }

    /// True while the input holds open file handles.
    pub fn is_open(&self) -> bool {
        self.reader.is_some()
    }

    /// Closes the handles of a followed file that is at its end, keeping
    /// where it was read to; the next poll opens it again only when a
    /// status call shows it changed. False (nothing done) for an input that
    /// cannot be parked: not open, a pipe, compressed or read whole.
    pub fn park(&mut self) -> bool {
        let lines = matches!(
            self.layout,
            Some(Layout::JsonLines(_) | Layout::Syslog | Layout::Journal)
        );
        match self.watch.as_mut() {
            Some(w) if lines && !self.compressed && self.reader.is_some() => {
                w.park();
                self.reader = None;
                true
            }
            _ => false,
        }
    }

    /// True when the next poll would open a file: an input never opened
    /// (or waiting to be sniffed), or a parked file that changed since.
    pub fn wants_open(&self) -> bool {
        if self.done || self.reader.is_some() {
            return false;
        }
        match (&self.watch, self.input.path()) {
            (Some(w), Some(path)) if w.is_parked() => {
                w.change_while_parked(path) != FileChange::Same
            }
            _ => true,
        }
    }

    /// Opens a parked file again if it changed. True when it is open again
    /// (same file, or it was replaced or truncated and `restart`ed: the
    /// next read opens it from 0); false when it stays parked.
    fn unpark(&mut self, out: &mut dyn FnMut(Output)) -> io::Result<bool> {
        let (Some(watch), Some(path)) = (self.watch.as_mut(), self.input.path()) else {
            return Ok(true);
        };
        match watch.change_while_parked(path) {
            FileChange::Same | FileChange::Missing => return Ok(false),
            FileChange::Touched => match File::open(path) {
                Ok(f) => {
                    let reader = f.try_clone()?;
                    if watch.resume(f)? == FileChange::Same {
                        self.reader = Some(Box::new(reader));
                        return Ok(true);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(e),
            },
            FileChange::Truncated | FileChange::Replaced => {}
        }
        // Rotated or truncated while closed: what was written to the old
        // file after it was parked cannot be read any more.
        self.end_of_file(out);
        self.restart();
        Ok(true)
    }

    /// The open file has ended for good (rotated away or truncated): a
    /// partial last line is handed over as it is, flagged as possibly
    /// truncated, rather than dropped.
    fn end_of_file(&mut self, out: &mut dyn FnMut(Output)) {
        if let Some(chunk) = self.chunker.flush_partial() {
            self.emit_lines(chunk, out);
        }
        self.finish_sshd(out);
    }

    /// Syslog: counts the sshd attempts still waiting for their outcome
    /// (see `sshd/attempt.rs`) when the input has ended.
    fn finish_sshd(&mut self, out: &mut dyn FnMut(Output)) {
        if let Some(state) = self.sshd.as_mut() {
            let mut batch = Batch::default();
            let local = FileStats {
                events: state.finish(&mut batch),
                ..FileStats::default()
            };
            if local.events > 0 {
                out(Output::Parsed(batch, local));
            }
        }
    }

    /// Opens the input and sniffs its layout. Returns false when a followed
    /// file has nothing that can be sniffed yet (it is tried again at the
    /// next poll).
    fn open(&mut self) -> io::Result<bool> {
        // A second handle on a plain file (same open file, same offset): once
        // sniffed, the file is read through it from the start instead of
        // through the peeking wrappers, so reads go straight into the chunk
        // buffer (the standard library only skips zeroing it for a bare file).
        let mut direct: Option<File> = None;
        let (raw, watch): (BoxRead, Option<Watch>) = match &self.input {
            Input::Path(p) => {
                let f = File::open(p)?;
                let watch = if self.opts.follow && !self.pipe {
                    Some(Watch::new(&f)?)
                } else {
                    None
                };
                if !self.pipe {
                    direct = f.try_clone().ok();
                }
                (Box::new(f), watch)
            }
            Input::Stdin => (Box::new(io::stdin()), None),
            Input::Live(l) => return Err(read::not_a_file(l)),
        };
        // A followed pipe is read by a thread of its own, so that held sshd
        // attempts are settled while it is silent (see `tick`).
        let raw: BoxRead = if self.pipe && self.opts.follow {
            Box::new(super::pipe::TimedPipe::spawn(raw, self.armed.clone())?)
        } else {
            raw
        };
        let (r, compressed) = read::decompress(raw, self.limits)?;
        self.compressed = compressed;
        let peeked = if self.mode() == ChunkMode::Eager {
            read::Peeked::first_line(r, HEAD_BYTES)?
        } else {
            read::Peeked::new(r, HEAD_BYTES)?
        };
        if self.mode() == ChunkMode::Follow && !ready_to_sniff(peeked.head()) {
            // Empty, or only part of a first line: sniff once there is more.
            return Ok(false);
        }
        let layout = match self.opts.format {
            Some(Format::Evtx) => Layout::Evtx,
            Some(Format::WindowsXml) => Layout::EventXml,
            Some(Format::Sshd) => Layout::Syslog,
            Some(Format::Journald) => Layout::Journal,
            Some(f) => match sniff::sniff(peeked.head()) {
                Layout::JsonDocument => Layout::JsonDocument,
                _ => Layout::JsonLines(Some(f)),
            },
            None => sniff::sniff(peeked.head()),
        };
        if self.mode() == ChunkMode::Follow
            && matches!(layout, Layout::Unsupported(_))
            && !enough_to_reject(peeked.head())
        {
            // A few lines of a file being written are too little to call it
            // unreadable (its first line may not look like its format yet).
            return Ok(false);
        }
        if matches!(layout, Layout::Syslog | Layout::Journal) {
            self.sshd = Some(self.syslog_state());
            if !compressed {
                // Lines are cut as they come: a timed-out read loses nothing.
                self.armed.arm();
            }
        }
        self.layout = Some(layout);
        let rewound = direct
            .filter(|_| !compressed)
            .and_then(|mut f| f.seek(io::SeekFrom::Start(0)).ok().map(|_| f));
        self.reader = Some(match rewound {
            Some(f) => Box::new(f),
            None => Box::new(peeked),
        });
        self.watch = if compressed { None } else { watch };
        Ok(true)
    }

    /// Reads the open input (opening it first if needed) up to its current end.
    fn read_now(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        if self.reader.is_none() {
            if !self.open()? {
                return Ok(Polled::CaughtUp);
            }
            self.opens += 1;
            if self.opens > 1 {
                out(Output::Reopened);
            }
        }
        let layout = self
            .layout
            .clone()
            .unwrap_or(Layout::Unsupported(reason::BINARY));
        match layout {
            Layout::Unsupported(why) => {
                if why == "empty file" {
                    stats.ignore("empty file");
                } else {
                    stats.records += 1;
                    stats.problem(
                        0,
                        0,
                        reason::BINARY,
                        format!("not a log format hunt reads: {why}"),
                    );
                }
                self.drain()?;
                Ok(Polled::Finished)
            }
            Layout::Evtx => {
                let mut local = FileStats::default();
                let mut emit = |b: Batch| out(Output::Parsed(b, FileStats::default()));
                match self.seekable_file() {
                    // Read chunk by chunk by the evtx crate: one 64 KiB chunk in memory.
                    Some(f) => {
                        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                        stats.bytes_read += len;
                        self.whole_bytes = len;
                        evtx_file::parse_evtx_file(f, self.file, &mut local, &mut emit);
                    }
                    None => {
                        let data = self.read_evtx_whole(stats, &mut local)?;
                        evtx_file::parse_evtx(data, self.file, &mut local, &mut emit);
                    }
                }
                out(Output::Parsed(Batch::default(), local));
                Ok(Polled::Finished)
            }
            Layout::JsonDocument => self.read_document(stats, out),
            Layout::EventXml => self.read_event_xml(stats, out),
            Layout::JsonLines(_) | Layout::Syslog | Layout::Journal => {
                let mode = self.mode();
                loop {
                    let reader = self
                        .reader
                        .as_mut()
                        .ok_or_else(|| io::Error::other("not open"))?;
                    let chunk = match self.chunker.next_chunk(reader, mode, stats) {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => break,
                        // A followed pipe silent for a while (see `pipe`).
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            return Ok(Polled::CaughtUp)
                        }
                        Err(e) => {
                            let Some(stop) = Stopped::of(&e) else {
                                return Err(e);
                            };
                            // Keep every complete line before the stop; the
                            // rest of the input is one problem.
                            let (chunk, line, offset) = self.chunker.stop(stats);
                            stats.records += 1;
                            stats.problem(line, offset, stop.reason, stop.detail.clone());
                            if let Some(chunk) = chunk {
                                self.emit_lines(chunk, out);
                            }
                            return Ok(Polled::Finished);
                        }
                    };
                    self.emit_lines(chunk, out);
                    if mode == ChunkMode::Eager {
                        // Hand these lines over before blocking on the pipe again.
                        return Ok(Polled::CaughtUp);
                    }
                }
                if mode == ChunkMode::Follow {
                    Ok(Polled::CaughtUp)
                } else {
                    self.finish_sshd(out);
                    Ok(Polled::Finished)
                }
            }
        }
    }

    /// Sends a chunk of lines to a parse worker (JSON) or parses it here (syslog).
    fn emit_lines(&mut self, chunk: Chunk, out: &mut dyn FnMut(Output)) {
        if let Some(w) = self.watch.as_mut() {
            w.note_read(chunk.offset, &chunk.data);
        }
        match self.layout {
            Some(Layout::JsonLines(format)) => out(Output::Job(Job {
                file: self.file,
                seq: 0,
                chunk,
                format: self.opts.format.or(format),
                forced: self.opts.format.is_some(),
                max_line: self.opts.max_line,
            })),
            Some(Layout::Syslog) => {
                let mut local = FileStats::default();
                let batch = syslog_chunk(
                    &chunk,
                    self.file,
                    self.sshd.as_mut(),
                    self.opts.max_line,
                    &mut local,
                );
                out(Output::Parsed(batch, local));
            }
            Some(Layout::Journal) => {
                let mut local = FileStats::default();
                if let Some(state) = self.sshd.as_mut() {
                    let batch = super::journald::journal_chunk(
                        &chunk,
                        self.file,
                        state,
                        self.opts.max_line,
                        &mut local,
                    );
                    out(Output::Parsed(batch, local));
                }
            }
            _ => {}
        }
        out(Output::Read(self.consumed()));
    }

    /// A followed input (file or pipe): counts the sshd attempts held with
    /// no further line of their connection for
    /// [`super::sshd::LIVE_HOLD_MS`] of the monotonic clock `now` (ms), so
    /// a log gone quiet shows its last attempt (see `sshd/attempt.rs`).
    pub fn tick(&mut self, now: u64, out: &mut dyn FnMut(Output)) {
        if !self.opts.follow {
            return;
        }
        if let Some(state) = self.sshd.as_mut() {
            let mut batch = Batch::default();
            let local = FileStats {
                events: state.tick(now, &mut batch),
                ..FileStats::default()
            };
            if local.events > 0 {
                out(Output::Parsed(batch, local));
            }
        }
    }

    /// Streams a JSON document through a [`DocScanner`]: one record and one
    /// block in memory, batches handed out as they fill. A document is
    /// consumed in one poll (it is not followed).
    fn read_document(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        let file = self.file;
        let forced = self.opts.format;
        // The document's format for the sources list: what its container
        // declares, else what its first record looks like.
        let mut named: Option<Format> = None;
        let mut piece = |p: Piece, batch: &mut Batch, local: &mut FileStats| {
            if named.is_none() {
                if let Piece::Record { raw, format, .. } = &p {
                    named = format.or_else(|| {
                        std::str::from_utf8(raw)
                            .ok()
                            .and_then(sniff::classify_record)
                    });
                }
            }
            document_piece_as(p, file, forced, batch, local)
        };
        let mut scanner = DocScanner::new(self.opts.max_line);
        let mut block = vec![0u8; DOC_BLOCK];
        let mut batch = Batch::recycled();
        let mut local = FileStats::default();
        let reader = self
            .reader
            .as_mut()
            .ok_or_else(|| io::Error::other("not open"))?;
        loop {
            let n = match reader.read(&mut block) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let Some(stop) = Stopped::of(&e) else {
                        out(Output::Parsed(batch, local));
                        return Err(e);
                    };
                    // Every complete record is kept; the rest is one problem.
                    let (offset, line) = scanner.resume_point();
                    local.records += 1;
                    local.problem(line, offset, stop.reason, stop.detail.clone());
                    out(Output::Parsed(batch, local));
                    return Ok(Polled::Finished);
                }
            };
            stats.bytes_read += n as u64;
            self.whole_bytes += n as u64;
            let going = scanner.feed(block.get(..n).unwrap_or_default(), &mut |p| {
                piece(p, &mut batch, &mut local)
            });
            if batch.drafts.len() >= evtx_file::BATCH_DRAFTS {
                out(Output::Parsed(
                    std::mem::replace(&mut batch, Batch::recycled()),
                    std::mem::take(&mut local),
                ));
            }
            if !going {
                break;
            }
        }
        scanner.finish(&mut |p| piece(p, &mut batch, &mut local));
        self.doc_format = named.or(scanner.declared_format());
        out(Output::Parsed(batch, local));
        Ok(Polled::Finished)
    }

    /// Streams Windows Event XML through an [`XmlScanner`]: one element and
    /// one block in memory, batches handed out as they fill; consumed in one
    /// poll like a JSON document.
    fn read_event_xml(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        let file = self.file;
        let mut scanner = XmlScanner::new(self.opts.max_line);
        let mut block = vec![0u8; DOC_BLOCK];
        let mut batch = Batch::recycled();
        let mut local = FileStats::default();
        let reader = self
            .reader
            .as_mut()
            .ok_or_else(|| io::Error::other("not open"))?;
        loop {
            let n = match reader.read(&mut block) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let Some(stop) = Stopped::of(&e) else {
                        out(Output::Parsed(batch, local));
                        return Err(e);
                    };
                    // Every complete element is kept; the rest is one problem.
                    let (offset, line) = scanner.resume_point();
                    local.records += 1;
                    local.problem(line, offset, stop.reason, stop.detail.clone());
                    out(Output::Parsed(batch, local));
                    return Ok(Polled::Finished);
                }
            };
            stats.bytes_read += n as u64;
            self.whole_bytes += n as u64;
            scanner.feed(block.get(..n).unwrap_or_default(), &mut |p| {
                windows_xml::take_piece(p, file, &mut batch, &mut local)
            });
            if batch.drafts.len() >= evtx_file::BATCH_DRAFTS {
                out(Output::Parsed(
                    std::mem::replace(&mut batch, Batch::recycled()),
                    std::mem::take(&mut local),
                ));
            }
        }
        scanner.finish(&mut |p| windows_xml::take_piece(p, file, &mut batch, &mut local));
        out(Output::Parsed(batch, local));
        Ok(Polled::Finished)
    }

    /// The input as a file that can be read at any offset (a plain evtx
    /// file, read chunk by chunk rather than whole); `None` for gzip and pipes.
    fn seekable_file(&self) -> Option<File> {
        if self.compressed || self.pipe {
            return None;
        }
        File::open(self.input.path()?).ok()
    }

    /// Reads an evtx input that cannot be read chunk by chunk (gzip, a pipe)
    /// into memory, up to [`evtx_file::IN_MEMORY_MAX`] bytes: what is past
    /// it is one problem, the chunks before it are parsed.
    fn read_evtx_whole(
        &mut self,
        stats: &mut FileStats,
        local: &mut FileStats,
    ) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        let cap = evtx_file::IN_MEMORY_MAX as u64;
        if let Some(r) = self.reader.as_mut() {
            if let Err(e) = r.take(cap + 1).read_to_end(&mut data) {
                let Some(stop) = Stopped::of(&e) else {
                    return Err(e);
                };
                local.records += 1;
                local.problem(0, data.len() as u64, stop.reason, stop.detail.clone());
            }
        }
        if data.len() as u64 > cap {
            data.truncate(evtx_file::IN_MEMORY_MAX);
            local.records += 1;
            local.problem(
                0,
                cap,
                reason::INPUT_LIMIT,
                format!(
                    "evtx from gzip or a pipe is read whole, up to {cap} bytes: the rest is not read"
                ),
            );
        }
        stats.bytes_read += data.len() as u64;
        self.whole_bytes = data.len() as u64;
        Ok(data)
    }

    /// Reads an input that is not used to its end (a pipe's writer is not
    /// cut off). A compressed one that stops early (corrupt, over a limit)
    /// is simply done: its content was rejected already.
    fn drain(&mut self) -> io::Result<()> {
        if let Some(r) = self.reader.as_mut() {
            match io::copy(r, &mut io::sink()) {
                Err(e) if Stopped::of(&e).is_none() => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// The sshd state of a syslog input: classic timestamps are read
    /// against the file's modification time (or the end of `--year`).
    fn syslog_state(&self) -> SshdState {
        if self.opts.syslog_year > 0 {
            return SshdState::given_year(self.opts.syslog_year);
        }
        let mtime = self
            .input
            .path()
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| m.modified().ok())
            .map(chrono::DateTime::<chrono::Utc>::from)
            .unwrap_or_else(chrono::Utc::now);
        SshdState::at(mtime.timestamp_millis())
    }
}

/// Whether the start of a followed file is enough to tell its format: a
/// whole first line, a full head, a complete JSON container, or evtx magic.
/// A file caught while its first line is being written waits a poll.
fn ready_to_sniff(head: &[u8]) -> bool {
    let (_, head) = super::decode::strip_boms(head);
    let container = matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    head.len() >= HEAD_BYTES
        || memchr::memchr(b'\n', head).is_some()
        || head.starts_with(b"ElfFile\0")
        || (container && serde_json::from_slice::<serde::de::IgnoredAny>(head).is_ok())
}

/// Whether a followed file's head is enough to call it not a log format:
/// as much as a whole-file read would sniff, or the 20 lines sniffing reads.
fn enough_to_reject(head: &[u8]) -> bool {
    head.len() >= HEAD_BYTES || memchr::memchr_iter(b'\n', head).count() >= 20
}

/// Parses a chunk of syslog lines with the file's sshd state. A line has
/// no identity of its own: it gets a [`crate::dedup::line_identity`], so an
/// identical line in the same file is another attempt, the same line in an
/// overlapping input (a rotated copy) is a copy, and the N drafts of one
/// `message repeated N times` line are one record and all stay.
fn syslog_chunk(
    chunk: &Chunk,
    file: u32,
    state: Option<&mut SshdState>,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    match state {
        Some(state) => {
            let batch = super::decode::each_line(chunk, file, max_line, stats, |text, _, cx| {
                cx.identity = crate::dedup::line_identity(crate::event::Source::Sshd, text);
                state.parse_line(text, cx)
            });
            if let Some(year) = state.take_assumed_year() {
                stats.assumed_year = year;
            }
            batch
        }
        None => Batch::default(),
    }
}
