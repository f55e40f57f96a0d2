//! One input being read: opened, sniffed, and turned into parse jobs or
//! batches. [`SourceReader::poll`] reads whatever is available now and
//! returns; calling it again later continues where it stopped, which is how
//! both a whole-file load and a live tail work (a load is a tail that stops
//! at the end). Line-oriented JSON is handed to the parse workers as chunks;
//! syslog, JSON documents and evtx are parsed here.
//!
//! Following (SPEC §6): a plain file keeps its handle open between polls;
//! after reading to its end, each poll asks [`Watch`] whether it was
//! truncated (read again from 0) or rotated (drain the old handle, then open
//! the new file from 0), and a path that does not exist yet is simply tried
//! again. A pipe (stdin, a FIFO) hands out lines after every read until its
//! writer closes it. Not followed beyond what is there when first read, by
//! design: gzip files (a compressed stream cannot be appended to line by
//! line), JSON documents (arrays, `{"value":[…]}`: a document is only
//! complete at its closing bracket, and re-reading it as it grows would count
//! its records again) and evtx files. This module never memory-maps a file:
//! a followed file can be truncated under the mapping.

use super::decode::json_document;
use super::follow::{self, FileChange, Watch};
use super::read::{self, BoxRead, Chunk, ChunkMode, Input, LineChunker};
use super::sniff::{self, Layout};
use super::sshd::SshdState;
use super::stats::FileStats;
use super::{evtx_file, reason, Format};
use crate::event::Batch;
use std::fs::File;
use std::io::{self, Read, Seek};

/// Bytes read before sniffing a format.
const HEAD_BYTES: usize = 64 * 1024;

/// Work produced by reading.
pub enum Output {
    /// Whole JSON lines for a parse worker.
    Job(Job),
    /// Drafts parsed on the reader thread, with the counters for them.
    Parsed(Batch, FileStats),
    /// The input was opened again after a rotation or truncation: what
    /// follows comes from the new file, and offsets start again at 0.
    Reopened,
}

/// A chunk of JSON lines to parse.
pub struct Job {
    pub file: u32,
    /// The batch's number in its file (see `IngestMsg::Batch`); set by the reader loop.
    pub seq: u64,
    pub chunk: Chunk,
    pub format: Option<Format>,
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
}

impl SourceReader {
    pub fn new(file: u32, input: Input, opts: ReadOptions) -> Self {
        let max_line = opts.max_line;
        let pipe = match &input {
            Input::Stdin => true,
            Input::Path(p) => follow::is_pipe_path(p),
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
        }
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
            (Some(Layout::JsonDocument), _) => "json".into(),
            (Some(Layout::Syslog), _) => "sshd".into(),
            (Some(Layout::Evtx), _) => "evtx".into(),
            (Some(Layout::Unsupported(why)), _) => format!("unsupported: {why}"),
            (None, _) => "…".into(),
        }
    }

    /// Closes the input; the next poll opens it again from the start.
    pub fn restart(&mut self) {
        self.reader = None;
        self.watch = None;
        self.layout = None;
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
    /// then checked for truncation and rotation (see the module comment).
    pub fn poll(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        let polled = self.read_now(stats, out)?;
        if polled == Polled::Finished {
            return Ok(polled);
        }
        let (Some(watch), Some(path)) = (&self.watch, self.input.path()) else {
            return Ok(polled);
        };
        match watch.check(path) {
            FileChange::Same | FileChange::Missing => Ok(polled),
            FileChange::Truncated => {
                self.end_of_file(out);
                self.restart();
                self.read_now(stats, out)
            }
            FileChange::Replaced => {
                // Lines written to the old file between our read and the rename.
                self.read_now(stats, out)?;
                self.end_of_file(out);
                self.restart();
                self.read_now(stats, out)
            }
        }
    }

    /// The open file has ended for good (rotated away or truncated): a
    /// partial last line is handed over as it is, flagged as possibly
    /// truncated, rather than dropped.
    fn end_of_file(&mut self, out: &mut dyn FnMut(Output)) {
        if let Some(chunk) = self.chunker.flush_partial() {
            self.emit_lines(chunk, out);
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
        };
        let (r, compressed) = read::decompress(raw)?;
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
            Some(Format::Sshd) => Layout::Syslog,
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
        if layout == Layout::Syslog {
            let (year, month) = self.syslog_reference();
            self.sshd = Some(SshdState::new(year, month));
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
                let data = self.read_all()?;
                stats.bytes_read += data.len() as u64;
                let mut local = FileStats::default();
                let mut batches = Vec::new();
                evtx_file::parse_evtx(data, self.file, &mut local, &mut |b| batches.push(b));
                let n = batches.len();
                for (i, b) in batches.into_iter().enumerate() {
                    let s = if i + 1 == n {
                        std::mem::take(&mut local)
                    } else {
                        FileStats::default()
                    };
                    out(Output::Parsed(b, s));
                }
                if n == 0 {
                    out(Output::Parsed(Batch::default(), local));
                }
                Ok(Polled::Finished)
            }
            Layout::JsonDocument => {
                let data = self.read_all()?;
                stats.bytes_read += data.len() as u64;
                let mut local = FileStats::default();
                let text = match String::from_utf8(data) {
                    Ok(t) => t,
                    Err(e) => {
                        local.problem(
                            0,
                            0,
                            reason::NOT_UTF8,
                            "invalid UTF-8 replaced with U+FFFD".into(),
                        );
                        String::from_utf8_lossy(e.as_bytes()).into_owned()
                    }
                };
                let batch = json_document(&text, self.file, &mut local);
                out(Output::Parsed(batch, local));
                Ok(Polled::Finished)
            }
            Layout::JsonLines(_) | Layout::Syslog => {
                let mode = self.mode();
                loop {
                    let reader = self
                        .reader
                        .as_mut()
                        .ok_or_else(|| io::Error::other("not open"))?;
                    let Some(chunk) = self.chunker.next_chunk(reader, mode, stats)? else {
                        break;
                    };
                    self.emit_lines(chunk, out);
                    if mode == ChunkMode::Eager {
                        // Hand these lines over before blocking on the pipe again.
                        return Ok(Polled::CaughtUp);
                    }
                }
                Ok(if mode == ChunkMode::Follow {
                    Polled::CaughtUp
                } else {
                    Polled::Finished
                })
            }
        }
    }

    /// Sends a chunk of lines to a parse worker (JSON) or parses it here (syslog).
    fn emit_lines(&mut self, chunk: Chunk, out: &mut dyn FnMut(Output)) {
        match self.layout {
            Some(Layout::JsonLines(format)) => out(Output::Job(Job {
                file: self.file,
                seq: 0,
                chunk,
                format: self.opts.format.or(format),
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
            _ => {}
        }
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        if let Some(r) = self.reader.as_mut() {
            r.read_to_end(&mut data)?;
        }
        self.whole_bytes = data.len() as u64;
        Ok(data)
    }

    fn drain(&mut self) -> io::Result<()> {
        if let Some(r) = self.reader.as_mut() {
            io::copy(r, &mut io::sink())?;
        }
        Ok(())
    }

    /// (year, month) that classic syslog timestamps are read against.
    fn syslog_reference(&self) -> (i32, u32) {
        use chrono::{Datelike, Utc};
        if self.opts.syslog_year > 0 {
            return (self.opts.syslog_year, 12);
        }
        let mtime = self
            .input
            .path()
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| m.modified().ok())
            .map(chrono::DateTime::<Utc>::from)
            .unwrap_or_else(Utc::now);
        (mtime.year(), mtime.month())
    }
}

/// Whether the start of a followed file is enough to tell its format: a
/// whole first line, a full head, a complete JSON container, or evtx magic.
/// A file caught while its first line is being written waits a poll.
fn ready_to_sniff(head: &[u8]) -> bool {
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

/// Parses a chunk of syslog lines with the file's sshd state. A line's
/// identity is the line itself (time, host, pid and message): an identical
/// line is a copy, while the N drafts of one `message repeated N times`
/// line are one record and all stay.
fn syslog_chunk(
    chunk: &Chunk,
    file: u32,
    state: Option<&mut SshdState>,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    match state {
        Some(state) => super::decode::each_line(chunk, file, max_line, stats, |text, _, cx| {
            cx.identity = crate::dedup::identity(crate::event::Source::Sshd, &[text]);
            state.parse_line(text, cx)
        }),
        None => Batch::default(),
    }
}
