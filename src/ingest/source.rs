//! One input being read: opened, sniffed, and turned into parse jobs or
//! batches. [`SourceReader::poll`] reads whatever is available now and
//! returns; calling it again later continues where it stopped, which is how
//! both a whole-file load and a live tail work (a load is a tail that stops
//! at the end). Line-oriented JSON is handed to the parse workers as chunks;
//! syslog, JSON documents and evtx are parsed here.

use super::decode::json_document;
use super::read::{self, BoxRead, Chunk, Input, LineChunker};
use super::sniff::{self, Layout};
use super::sshd::SshdState;
use super::stats::FileStats;
use super::{evtx_file, reason, Format, RecordCx};
use crate::event::{Batch, Origin};
use std::io::{self, Read};

/// Work produced by reading.
pub enum Output {
    /// Whole JSON lines for a parse worker.
    Job(Job),
    /// Drafts parsed on the reader thread, with the counters for them.
    Parsed(Batch, FileStats),
}

/// A chunk of JSON lines to parse.
pub struct Job {
    pub file: u32,
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
    layout: Option<Layout>,
    chunker: LineChunker,
    sshd: Option<SshdState>,
    /// Whether the stream was gzip-compressed (then offsets are in decompressed bytes).
    pub compressed: bool,
}

impl SourceReader {
    pub fn new(file: u32, input: Input, opts: ReadOptions) -> Self {
        let max_line = opts.max_line;
        SourceReader {
            file,
            input,
            opts,
            reader: None,
            layout: None,
            chunker: LineChunker::new(max_line),
            sshd: None,
            compressed: false,
        }
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

    /// Reopens from the start (after rotation or truncation).
    pub fn restart(&mut self) {
        self.reader = None;
        self.layout = None;
        self.chunker.reset();
    }

    /// Stream offset consumed so far.
    pub fn consumed(&self) -> u64 {
        self.chunker.consumed()
    }

    /// Reads what is available and hands it to `out`.
    pub fn poll(
        &mut self,
        stats: &mut FileStats,
        out: &mut dyn FnMut(Output),
    ) -> io::Result<Polled> {
        if self.reader.is_none() {
            let (r, compressed) = read::open(&self.input)?;
            self.compressed = compressed;
            let peeked = read::Peeked::new(r, 64 * 1024)?;
            if peeked.head().is_empty() && self.opts.follow && self.input != Input::Stdin {
                // Nothing written yet: sniff once there is content.
                return Ok(Polled::CaughtUp);
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
            if layout == Layout::Syslog {
                let (year, month) = self.syslog_reference();
                self.sshd = Some(SshdState::new(year, month));
            }
            self.layout = Some(layout);
            self.reader = Some(Box::new(peeked));
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
            Layout::JsonLines(format) => {
                let finite = !self.opts.follow;
                let reader = self
                    .reader
                    .as_mut()
                    .ok_or_else(|| io::Error::other("not open"))?;
                while let Some(chunk) = self.chunker.next_chunk(reader, finite, stats)? {
                    out(Output::Job(Job {
                        file: self.file,
                        chunk,
                        format: self.opts.format.or(format),
                        max_line: self.opts.max_line,
                    }));
                }
                Ok(if finite {
                    Polled::Finished
                } else {
                    Polled::CaughtUp
                })
            }
            Layout::Syslog => {
                let finite = !self.opts.follow;
                let reader = self
                    .reader
                    .as_mut()
                    .ok_or_else(|| io::Error::other("not open"))?;
                while let Some(chunk) = self.chunker.next_chunk(reader, finite, stats)? {
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
                Ok(if finite {
                    Polled::Finished
                } else {
                    Polled::CaughtUp
                })
            }
        }
    }

    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let mut data = Vec::new();
        if let Some(r) = self.reader.as_mut() {
            r.read_to_end(&mut data)?;
        }
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

/// Parses a chunk of syslog lines with the file's sshd state.
fn syslog_chunk(
    chunk: &Chunk,
    file: u32,
    state: Option<&mut SshdState>,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    let mut batch = Batch::default();
    let Some(state) = state else {
        return batch;
    };
    for (line, offset, bytes) in read::lines(chunk) {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if bytes.len() > max_line {
            stats.records += 1;
            stats.problem(
                line,
                offset,
                reason::LINE_TOO_LONG,
                format!("{} bytes, limit {max_line}", bytes.len()),
            );
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        if matches!(text, std::borrow::Cow::Owned(_)) {
            stats.problem(
                line,
                offset,
                reason::NOT_UTF8,
                "invalid UTF-8 replaced with U+FFFD".into(),
            );
        }
        let origin = Origin {
            file,
            line,
            offset,
            len: bytes.len() as u32,
        };
        let before = batch.drafts.len();
        let mut cx = RecordCx::new(&mut batch, origin);
        let res = state.parse_line(&text, &mut cx);
        super::decode::account(stats, before, &batch, line, offset, res);
    }
    batch
}
