//! Byte sources: opening
//! plain or gzip files (detected by magic, concatenated members allowed),
//! and cutting a byte stream into chunks of whole lines. Lines longer than
//! the limit are skipped and reported, never buffered without bound; a
//! partial last line waits for its newline (or, at the end of a finite
//! input, is handed over flagged as possibly truncated). How eagerly lines
//! are handed out is a [`ChunkMode`]: big chunks for a file read to its end,
//! everything complete so far for a followed file, and after every read for
//! a live pipe. Nothing here memory-maps a file (a followed file can be
//! truncated under us) or knows about rotation (see `follow`).

use super::reason;
use super::stats::FileStats;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One input named on the command line (after folder expansion).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    Path(PathBuf),
    Stdin,
    /// A network source named by a URL (`syslog://…`), read with `-f`.
    Live(super::live::LiveSource),
}

impl Input {
    pub fn display(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin => "-".into(),
            Input::Live(l) => l.display(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Path(p) => Some(p),
            Input::Stdin | Input::Live(_) => None,
        }
    }
}

pub use super::walk::{expand, expand_following};

/// Reads the first bytes, then yields them again followed by the rest.
pub struct Peeked<R> {
    head: Vec<u8>,
    pos: usize,
    rest: R,
    /// The error that ended the head early (a damaged gzip stream inside
    /// the first bytes): handed out after the head, so what was read before
    /// the damage is kept as at any other place in the input.
    failed: Option<io::Error>,
}

impl<R: Read> Peeked<R> {
    /// Reads up to `n` bytes (fewer only at end of input).
    pub fn new(rest: R, n: usize) -> io::Result<Self> {
        Self::read_head(rest, n, false)
    }

    /// Like [`Peeked::new`], but stops as soon as the bytes read hold a
    /// newline: a live pipe must not wait for `n` bytes before its first line.
    pub fn first_line(rest: R, n: usize) -> io::Result<Self> {
        Self::read_head(rest, n, true)
    }

    fn read_head(mut rest: R, n: usize, stop_at_newline: bool) -> io::Result<Self> {
        let mut head = vec![0u8; n];
        let mut got = 0;
        let mut failed = None;
        while let Some(free) = head.get_mut(got..).filter(|f| !f.is_empty()) {
            match rest.read(free) {
                Ok(0) => break,
                Ok(k) => {
                    let new_line = free
                        .get(..k)
                        .is_some_and(|fresh| memchr::memchr(b'\n', fresh).is_some());
                    got += k;
                    if stop_at_newline && new_line {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if got == 0 => return Err(e),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        head.truncate(got);
        Ok(Peeked {
            head,
            pos: 0,
            rest,
            failed,
        })
    }

    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

impl<R: Read> Read for Peeked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(mut unread) = self.head.get(self.pos..).filter(|u| !u.is_empty()) {
            // Reading from a byte slice copies what fits.
            let n = unread.read(buf)?;
            self.pos += n;
            return Ok(n);
        }
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.rest.read(buf)
    }
}

pub type BoxRead = Box<dyn Read + Send>;

/// Wraps `r` in a gzip decoder when it starts with the gzip magic. Returns
/// the reader and whether it was compressed. What the decoder yields is
/// held to `limits`; a corrupt or truncated stream and a limit hit both end
/// it with a [`Stopped`] error (see [`Stopped::of`]).
pub fn decompress(r: BoxRead, limits: Limits) -> io::Result<(BoxRead, bool)> {
    let p = Peeked::new(r, 2)?;
    if p.head() == [0x1f, 0x8b] {
        let decoder = flate2::read::MultiGzDecoder::new(Counted { inner: p, n: 0 });
        Ok((
            Box::new(Capped {
                decoder,
                out: 0,
                limits,
                tripped: None,
            }),
            true,
        ))
    } else {
        Ok((Box::new(p), false))
    }
}

/// Opens an input (gzip transparently, with the default limits).
pub fn open(input: &Input) -> io::Result<(BoxRead, bool)> {
    let raw: BoxRead = match input {
        Input::Path(p) => Box::new(File::open(p)?),
        Input::Stdin => Box::new(io::stdin()),
        Input::Live(l) => return Err(not_a_file(l)),
    };
    decompress(raw, Limits::default())
}

/// The error for reading a live source as a file.
pub fn not_a_file(l: &super::live::LiveSource) -> io::Error {
    io::Error::other(format!("{} is a live source, not a file", l.display()))
}

/// Caps on what one compressed input may expand to (`[ingest]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes read from one input at most.
    pub max_decompressed: u64,
    /// Decompressed bytes per compressed byte at most, once past [`RATIO_GRACE`].
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed: 64 << 30,
            max_ratio: 250,
        }
    }
}

/// Decompressed bytes below which the ratio is not checked (a small file of
/// repeated lines compresses well without being a bomb).
pub const RATIO_GRACE: u64 = 8 << 20;

/// Why reading a (compressed) input stopped early: the reason and detail of
/// the one problem reported for the rest of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    pub reason: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason, self.detail)
    }
}

impl std::error::Error for Stopped {}

impl Stopped {
    fn error(reason: &'static str, detail: String) -> io::Error {
        io::Error::other(Stopped { reason, detail })
    }

    /// The stop behind a read error, if it is one.
    pub fn of(e: &io::Error) -> Option<&Stopped> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<Stopped>())
    }
}

/// Counts the compressed bytes the decoder takes.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// A gzip decoder held to [`Limits`]: decoder errors and limits become [`Stopped`].
struct Capped<R: Read> {
    decoder: flate2::read::MultiGzDecoder<Counted<R>>,
    /// Decompressed bytes handed out.
    out: u64,
    limits: Limits,
    /// A limit was passed by the last read: the next one fails.
    tripped: Option<String>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(detail) = self.tripped.take() {
            return Err(Stopped::error(super::reason::INPUT_LIMIT, detail));
        }
        let left = self.limits.max_decompressed.saturating_sub(self.out);
        if left == 0 {
            // At the cap: fine if the stream ends here, a stop if it goes on.
            let mut probe = [0u8; 1];
            return match self.decoder.read(&mut probe) {
                Ok(0) => Ok(0),
                Ok(_) => Err(Stopped::error(
                    super::reason::INPUT_LIMIT,
                    format!(
                        "expands to more than {} bytes (ingest.max_decompressed_bytes): the rest is not read",
                        self.limits.max_decompressed
                    ),
                )),
                Err(e) => Err(gzip_error(e)),
            };
        }
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = match self.decoder.read(buf.get_mut(..want).unwrap_or_default()) {
            Ok(n) => n,
            Err(e) => return Err(gzip_error(e)),
        };
        self.out += n as u64;
        let compressed = self.decoder.get_ref().n.max(1);
        if self.out > RATIO_GRACE && self.out / compressed > self.limits.max_ratio {
            self.tripped = Some(format!(
                "expands more than {}-fold (ingest.max_compression_ratio): the rest is not read",
                self.limits.max_ratio
            ));
        }
        Ok(n)
    }
}

/// A decoder error is the end of what can be read (interruptions are retried).
fn gzip_error(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::Interrupted || Stopped::of(&e).is_some() {
        return e;
    }
    Stopped::error(super::reason::CORRUPT_GZIP, e.to_string())
}

/// How eagerly [`LineChunker::next_chunk`] hands out lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkMode {
    /// Read to the end of the input in big chunks; at the end, a last line
    /// without newline is handed out (flagged `unterminated`).
    Finite,
    /// A followed file: hand out every complete line up to the current end
    /// and keep a partial last line until its newline arrives.
    Follow,
    /// A live pipe (stdin): hand out the complete lines after every read
    /// that returns some, so a blocking read never holds back lines already
    /// received; at the end (the writer closed it) behave like `Finite`.
    Eager,
}

/// A run of whole lines from one input.
#[derive(Debug, Default, Clone)]
pub struct Chunk {
    pub data: Vec<u8>,
    /// Stream offset of `data[0]`.
    pub offset: u64,
    /// 1-based line number of the first line in `data`.
    pub first_line: u32,
    /// The last line had no newline and the input ended: it may be truncated.
    pub unterminated: bool,
}

/// Cuts a byte stream into chunks of whole lines.
pub struct LineChunker {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    offset: u64,
    /// Line number of `buf[0]`.
    line: u32,
    max_line: usize,
    /// Discarding the rest of an over-long line.
    skipping: bool,
    eof: bool,
}

/// Chunk size handed to parsers.
pub const CHUNK_BYTES: usize = 1 << 20;

impl LineChunker {
    pub fn new(max_line: usize) -> Self {
        LineChunker {
            buf: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
            offset: 0,
            line: 1,
            max_line: max_line.max(1024),
            skipping: false,
            eof: false,
        }
    }

    /// Starts over at offset 0 (after truncation or rotation).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.offset = 0;
        self.line = 1;
        self.skipping = false;
        self.eof = false;
    }

    /// Stream offset up to which bytes have been handed out or discarded.
    pub fn consumed(&self) -> u64 {
        self.offset
    }

    /// Bytes read but not yet handed out (a partial last line).
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// True once a read returned end of input.
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// Reads from `r` and returns the next chunk of whole lines, or `None`
    /// when the input has no more complete lines for now (end of input, or
    /// nothing new in a followed file). See [`ChunkMode`] for when a chunk is
    /// cut and what happens to a last line without newline.
    pub fn next_chunk(
        &mut self,
        r: &mut dyn Read,
        mode: ChunkMode,
        stats: &mut FileStats,
    ) -> io::Result<Option<Chunk>> {
        let finite = mode != ChunkMode::Follow;
        self.eof = false;
        loop {
            // Hand out complete lines once we have a chunk's worth.
            if self.buf.len() >= CHUNK_BYTES {
                if let Some(c) = self.cut(stats) {
                    return Ok(Some(c));
                }
            }
            let old = self.buf.len();
            let n = if mode == ChunkMode::Finite {
                // Fill the rest of the chunk straight into spare capacity
                // (`read_to_end` neither zeroes it first nor grows the buffer
                // past the limit). Only for inputs read to their end: it
                // keeps reading until the limit, which a pipe must not do.
                let want = (CHUNK_BYTES + 64 * 1024).saturating_sub(old).max(64 * 1024);
                self.buf.reserve(want);
                match r.take(want as u64).read_to_end(&mut self.buf) {
                    Ok(n) => n,
                    Err(e) => {
                        // What was read before the error is good: keep it
                        // for `stop` (a corrupt gzip member ends the input).
                        stats.bytes_read += (self.buf.len() - old) as u64;
                        return Err(e);
                    }
                }
            } else {
                // A followed file or pipe mostly reads nothing or a little: do
                // not zero megabytes of buffer for every poll.
                self.buf.resize(old + 64 * 1024, 0);
                let n = loop {
                    match r.read(self.buf.get_mut(old..).unwrap_or_default()) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            self.buf.truncate(old);
                            return Err(e);
                        }
                    }
                };
                self.buf.truncate(old + n);
                n
            };
            stats.bytes_read += n as u64;
            if n == 0 {
                self.eof = true;
                if let Some(c) = self.cut(stats) {
                    return Ok(Some(c));
                }
                return Ok(if finite { self.flush_partial() } else { None });
            }
            let mut fresh = old;
            if self.skipping {
                self.skip_long(stats);
                if self.skipping {
                    continue;
                }
                fresh = 0;
            }
            if mode == ChunkMode::Eager
                && self
                    .buf
                    .get(fresh..)
                    .is_some_and(|b| memchr::memchr(b'\n', b).is_some())
            {
                if let Some(c) = self.cut(stats) {
                    return Ok(Some(c));
                }
            }
            let tail_start = memchr::memrchr(b'\n', &self.buf)
                .map(|i| i + 1)
                .unwrap_or(0);
            if self.buf.len() - tail_start > self.max_line {
                if tail_start > 0 {
                    // Hand out the whole lines before the long one first.
                    return Ok(self.cut(stats));
                }
                stats.problem(
                    self.line,
                    self.offset,
                    reason::LINE_TOO_LONG,
                    format!("line longer than {} bytes skipped", self.max_line),
                );
                self.skipping = true;
                self.skip_long(stats);
            }
        }
    }

    /// Drops bytes of an over-long line up to and including its newline.
    fn skip_long(&mut self, _stats: &mut FileStats) {
        match memchr::memchr(b'\n', &self.buf) {
            Some(i) => {
                self.buf.drain(..=i);
                self.offset += i as u64 + 1;
                self.line += 1;
                self.skipping = false;
            }
            None => {
                self.offset += self.buf.len() as u64;
                self.buf.clear();
            }
        }
    }

    /// The input stopped for good in the middle (a corrupt or truncated
    /// gzip stream, a limit): hands out the complete lines read so far and
    /// drops the partial line after them. Returns those lines and the line
    /// number and stream offset of the first byte not kept.
    pub fn stop(&mut self, stats: &mut FileStats) -> (Option<Chunk>, u32, u64) {
        let chunk = self.cut(stats);
        let at = (self.line, self.offset);
        self.offset += self.buf.len() as u64;
        self.buf.clear();
        self.skipping = false;
        self.eof = true;
        (chunk, at.0, at.1)
    }

    /// Hands out a partial last line as it is (flagged `unterminated`): the
    /// input it came from has ended (rotated away, truncated or closed).
    pub fn flush_partial(&mut self) -> Option<Chunk> {
        if self.skipping {
            self.offset += self.buf.len() as u64;
            self.buf.clear();
            self.skipping = false;
            return None;
        }
        if self.buf.is_empty() {
            return None;
        }
        let data = std::mem::take(&mut self.buf);
        let c = Chunk {
            offset: self.offset,
            first_line: self.line,
            unterminated: true,
            data,
        };
        self.offset += c.data.len() as u64;
        self.line += 1;
        Some(c)
    }

    /// Splits off everything up to the last newline as a chunk.
    fn cut(&mut self, stats: &mut FileStats) -> Option<Chunk> {
        if self.skipping {
            self.skip_long(stats);
            if self.skipping {
                return None;
            }
        }
        let last = memchr::memrchr(b'\n', &self.buf)?;
        // The partial last line moves to a fresh buffer of a whole chunk's
        // size, so the next reads fill it without growing it.
        let mut rest = Vec::with_capacity(CHUNK_BYTES + 64 * 1024);
        rest.extend_from_slice(self.buf.get(last + 1..).unwrap_or_default());
        self.buf.truncate(last + 1);
        let data = std::mem::replace(&mut self.buf, rest);
        // Over-long lines inside a chunk are caught by the parser loop
        // (see `lines`), which knows their line numbers.
        let c = Chunk {
            offset: self.offset,
            first_line: self.line,
            unterminated: false,
            data,
        };
        self.offset += c.data.len() as u64;
        self.line += memchr::memchr_iter(b'\n', &c.data).count() as u32;
        Some(c)
    }
}

/// Iterates the lines of a chunk as (line number, offset, bytes without the newline or `\r`).
pub fn lines(chunk: &Chunk) -> impl Iterator<Item = (u32, u64, &[u8])> {
    let mut pos = 0usize;
    let mut line = chunk.first_line;
    let data = &chunk.data;
    std::iter::from_fn(move || {
        let rest = data.get(pos..).filter(|r| !r.is_empty())?;
        let (mut text, len) = match memchr::memchr(b'\n', rest) {
            Some(i) => (rest.get(..i)?, i),
            None => (rest, rest.len()),
        };
        if let [head @ .., b'\r'] = text {
            text = head;
        }
        let item = (line, chunk.offset + pos as u64, text);
        pos += len + 1;
        line += 1;
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_chunks(data: &[u8], max_line: usize) -> (Vec<Chunk>, FileStats) {
        let mut c = LineChunker::new(max_line);
        let mut r = io::Cursor::new(data.to_vec());
        let mut stats = FileStats::default();
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk(&mut r, ChunkMode::Finite, &mut stats).unwrap() {
            out.push(ch);
        }
        (out, stats)
    }

    #[test]
    fn chunks_keep_line_numbers_and_offsets() {
        let (chunks, _) = all_chunks(b"a\nbb\r\nccc", 1 << 20);
        let got: Vec<(u32, u64, Vec<u8>)> = chunks
            .iter()
            .flat_map(|c| {
                lines(c)
                    .map(|(l, o, t)| (l, o, t.to_vec()))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 0, b"a".to_vec()),
                (2, 2, b"bb".to_vec()),
                (3, 6, b"ccc".to_vec())
            ]
        );
        assert!(chunks.last().unwrap().unterminated);
    }

    /// Hands out at most `n` bytes per read, like a pipe or a slow disk.
    struct Trickle(io::Cursor<Vec<u8>>, usize);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read(&mut buf[..n])
        }
    }

    #[test]
    fn over_long_line_is_skipped_and_neighbours_kept() {
        let mut data = b"first\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 << 20));
        data.extend(b"\nlast\n");
        let mut c = LineChunker::new(1 << 20);
        let mut r = Trickle(io::Cursor::new(data), 100_000);
        let mut stats = FileStats::default();
        let mut texts = Vec::new();
        while let Some(ch) = c.next_chunk(&mut r, ChunkMode::Finite, &mut stats).unwrap() {
            texts.extend(lines(&ch).map(|(l, _, t)| (l, t.to_vec())));
        }
        assert_eq!(texts, vec![(1, b"first".to_vec()), (3, b"last".to_vec())]);
        assert_eq!(stats.problems.get(reason::LINE_TOO_LONG), Some(&1));
        assert_eq!(stats.first_problems[0].line, 2);
    }

    #[test]
    fn gzip_is_transparent() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello\n").unwrap();
        let mut gz = enc.finish().unwrap();
        // A second member, as CloudTrail delivers.
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"world\n").unwrap();
        gz.extend(enc.finish().unwrap());
        let (mut r, compressed) =
            decompress(Box::new(io::Cursor::new(gz)), Limits::default()).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert!(compressed);
        assert_eq!(s, "hello\nworld\n");
    }

    #[test]
    fn peeked_hands_back_its_head_then_the_rest_whatever_the_read_sizes() {
        let trickle = || Trickle(io::Cursor::new(b"ab\ncdefg".to_vec()), 1);
        // The head stops at the first newline on a pipe, at `n` bytes otherwise.
        let p = Peeked::first_line(trickle(), 6).unwrap();
        assert_eq!(p.head(), b"ab\n");
        assert_eq!(Peeked::new(trickle(), 6).unwrap().head(), b"ab\ncde");
        assert_eq!(Peeked::new(trickle(), 99).unwrap().head(), b"ab\ncdefg");
        // Reads smaller than the head, then across its end, lose nothing.
        let mut p = Peeked::new(trickle(), 5).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 2];
        loop {
            let n = p.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(buf.get(..n).unwrap());
        }
        assert_eq!(got, b"ab\ncdefg");
        assert_eq!(p.read(&mut []).unwrap(), 0);
    }

    #[test]
    fn lines_strip_one_carriage_return_and_keep_empty_lines() {
        let chunk = Chunk {
            offset: 100,
            first_line: 7,
            unterminated: true,
            data: b"a\r\r\n\n\r\nlast\r".to_vec(),
        };
        let got: Vec<(u32, u64, &[u8])> = lines(&chunk).collect();
        let want: Vec<(u32, u64, &[u8])> = vec![
            (7, 100, b"a\r"),
            (8, 104, b""),
            (9, 105, b""),
            (10, 107, b"last"),
        ];
        assert_eq!(got, want);
    }
}
