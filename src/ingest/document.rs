//! Whole JSON documents read as a stream of records. A document is a
//! top-level array of records, a container object whose `value`, `records`,
//! `Records` (CloudTrail), `tests` (Panther) or `expected` (Elastic pipeline
//! tests) key holds the array of records, or one pretty-printed record; and
//! several of these may follow each other (concatenated exports, Graph pages
//! one after the other). The scanner is fed bytes as they are read and cuts
//! out each record (tracking strings, escapes and nesting, nothing more: the
//! per-record parser validates the record), so memory is one record, never
//! the document: a record longer than the limit is skipped and reported, its
//! bytes are not kept.
//!
//! Nesting deeper than [`MAX_DEPTH`] stops the document with one problem at
//! the offending bracket: no record nests that deep (serde_json refuses
//! them too), so what follows is garbage or a bomb (`yes '['`), and there
//! is no reliable place to pick up again. Stray bytes between top-level
//! values stop it the same way. A document cut short keeps every complete
//! record before the cut and reports the rest as one truncated record.
//! UTF-8 byte order marks between top-level values are skipped. Pure: no I/O.

use super::{reason, Format};

/// Deepest nesting of brackets accepted (serde_json's own recursion limit).
pub const MAX_DEPTH: u32 = 128;

/// Longest container key that is recognised (`expected`, `Records`).
const KEY_MAX: usize = 16;

/// What the scanner hands out.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// One complete record: its bytes, stream offset, line and the format
    /// its container declares (`Records` is CloudTrail, `tests` Panther).
    Record {
        raw: &'a [u8],
        offset: u64,
        line: u32,
        format: Option<Format>,
        /// 1-based position among the document's records (problems included).
        ordinal: u64,
    },
    /// Bad input at a place: a record too long, a cut, too deep a nesting.
    Problem {
        offset: u64,
        line: u32,
        reason: &'static str,
        detail: String,
    },
}

/// Where the scanner is in the document's structure (records excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Between top-level values.
    Top,
    /// Inside an array whose elements are records: the top-level array
    /// (`in_object` false) or the records array of a container object.
    Records {
        format: Option<Format>,
        in_object: bool,
    },
    /// Inside a top-level object: a container or a pretty-printed record.
    Object(Obj),
}

/// Position inside a top-level object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// After `{` or `,`: a key comes next.
    Key,
    /// Reading a key.
    InKey,
    /// After a key: `:` comes next.
    Colon,
    /// After `:`: the value comes next.
    Value,
    /// After a value: `,` or `}` comes next.
    After,
}

/// A value being skipped over or cut out, below the structural level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nested {
    /// An object or array, with its own depth of open brackets.
    Container(u32),
    /// A string (its opening quote is behind).
    Str,
    /// A number, literal or garbage, up to the next delimiter.
    Scalar,
}

/// A record being cut out.
#[derive(Debug, Clone, Copy)]
struct Capture {
    offset: u64,
    line: u32,
    format: Option<Format>,
    /// Index in the current block where it started (`None`: an earlier block,
    /// its start is in `buf`).
    start: Option<usize>,
    /// Longer than the limit: its bytes are no longer kept.
    too_long: bool,
    /// A record of a records array (rather than a top-level object that may
    /// still turn out to be a container).
    element: bool,
}

/// Cuts records out of a JSON document fed block by block.
pub struct DocScanner {
    max_record: usize,
    /// Stream offset of the current block's first byte.
    base: u64,
    /// Line number at `counted` in the current block.
    line: u32,
    counted: usize,
    level: Level,
    nested: Option<Nested>,
    in_str: bool,
    escaped: bool,
    key: [u8; KEY_MAX],
    key_len: usize,
    /// The current key is longer than any container key.
    key_long: bool,
    cap: Option<Capture>,
    /// Bytes of the record being cut out that came in earlier blocks.
    buf: Vec<u8>,
    stopped: bool,
    /// The format declared by the first container key met.
    declared: Option<Format>,
    /// Records cut out so far (problems included).
    records: u64,
}

impl DocScanner {
    /// A scanner that skips records longer than `max_record` bytes.
    pub fn new(max_record: usize) -> Self {
        DocScanner {
            max_record,
            base: 0,
            line: 1,
            counted: 0,
            level: Level::Top,
            nested: None,
            in_str: false,
            escaped: false,
            key: [0; KEY_MAX],
            key_len: 0,
            key_long: false,
            cap: None,
            buf: Vec::new(),
            stopped: false,
            declared: None,
            records: 0,
        }
    }

    /// The format the first container met declares (`Records`: CloudTrail,
    /// `tests`: Panther), even when its array is empty.
    pub fn declared_format(&self) -> Option<Format> {
        self.declared
    }

    /// True once the document was stopped (too deep, garbage): the rest of
    /// the input is not needed.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Stream offset and line of the first byte not yet handed out as part
    /// of a record: where a read error or a limit cuts the document.
    pub fn resume_point(&self) -> (u64, u32) {
        match self.cap {
            Some(c) => (c.offset, c.line),
            None => (self.base, self.line),
        }
    }

    /// Feeds the next block of the document; records completed in it go to
    /// `out`. Returns false once the document is stopped.
    pub fn feed(&mut self, block: &[u8], out: &mut dyn FnMut(Piece)) -> bool {
        let mut i = 0;
        while i < block.len() && !self.stopped {
            i = match self.nested {
                Some(n) => self.nested_step(block, i, n, out),
                None => self.structure_step(block, i, out),
            };
        }
        if self.stopped {
            return false;
        }
        self.end_block(block);
        true
    }

    /// The input ended: a record or document left open is reported as
    /// truncated (one problem).
    pub fn finish(&mut self, out: &mut dyn FnMut(Piece)) {
        if self.stopped {
            return;
        }
        if self.nested == Some(Nested::Scalar) {
            // A scalar ends where the input does.
            self.nested = None;
            if self.cap.is_some_and(|c| c.element) {
                self.end_capture(&[], 0, out);
            }
        }
        let open = self.nested.is_some() || self.level != Level::Top;
        if !open {
            return;
        }
        let (offset, line, detail) = match self.cap.take() {
            Some(c) => (c.offset, c.line, "the input ended inside this record"),
            None => (
                self.base,
                self.line,
                "the input ended before the document's closing bracket",
            ),
        };
        out(Piece::Problem {
            offset,
            line,
            reason: reason::TRUNCATED,
            detail: detail.into(),
        });
        self.stopped = true;
    }

    /// Advances the line count to index `i` of the block.
    fn line_at(&mut self, block: &[u8], i: usize) -> u32 {
        if i > self.counted {
            let seen = block.get(self.counted..i).unwrap_or_default();
            self.line = self
                .line
                .saturating_add(memchr::memchr_iter(b'\n', seen).count() as u32);
            self.counted = i;
        }
        self.line
    }

    fn end_block(&mut self, block: &[u8]) {
        self.line_at(block, block.len());
        if let Some(c) = self.cap.as_mut() {
            let start = c.start.take().unwrap_or(0);
            let part = block.get(start..).unwrap_or_default();
            keep(&mut self.buf, c, part, self.max_record);
        }
        self.counted = 0;
        self.base += block.len() as u64;
    }

    /// Stops the document with one problem at index `i`.
    fn stop(
        &mut self,
        block: &[u8],
        i: usize,
        why: &'static str,
        detail: String,
        out: &mut dyn FnMut(Piece),
    ) {
        let line = self.line_at(block, i);
        out(Piece::Problem {
            offset: self.base + i as u64,
            line,
            reason: why,
            detail,
        });
        self.cap = None;
        self.buf.clear();
        self.stopped = true;
    }

    /// Depth of the structural level (brackets open around a nested value).
    fn level_depth(&self) -> u32 {
        match self.level {
            Level::Top => 0,
            Level::Object(_)
            | Level::Records {
                in_object: false, ..
            } => 1,
            Level::Records {
                in_object: true, ..
            } => 2,
        }
    }

    /// Starts cutting out a record at index `i`.
    fn begin_capture(&mut self, block: &[u8], i: usize, format: Option<Format>, element: bool) {
        let line = self.line_at(block, i);
        self.buf.clear();
        self.cap = Some(Capture {
            offset: self.base + i as u64,
            line,
            format,
            start: Some(i),
            too_long: false,
            element,
        });
    }

    /// Ends the record being cut out just before index `end` and hands it out.
    fn end_capture(&mut self, block: &[u8], end: usize, out: &mut dyn FnMut(Piece)) {
        let Some(mut c) = self.cap.take() else {
            return;
        };
        self.records += 1;
        let tail = block.get(c.start.unwrap_or(0)..end).unwrap_or_default();
        let raw: &[u8] = if c.start.is_some() && self.buf.is_empty() {
            if tail.len() > self.max_record {
                c.too_long = true;
            }
            tail
        } else {
            keep(&mut self.buf, &mut c, tail, self.max_record);
            &self.buf
        };
        if c.too_long {
            out(Piece::Problem {
                offset: c.offset,
                line: c.line,
                reason: reason::RECORD_TOO_LONG,
                detail: format!("record longer than {} bytes skipped", self.max_record),
            });
        } else {
            out(Piece::Record {
                raw,
                offset: c.offset,
                line: c.line,
                format: c.format,
                ordinal: self.records,
            });
        }
        self.buf.clear();
    }

    /// The value at the structural level ended (just before `end`).
    fn value_ended(&mut self, block: &[u8], end: usize, out: &mut dyn FnMut(Piece)) {
        self.nested = None;
        if matches!(self.level, Level::Records { .. }) {
            self.end_capture(block, end, out);
        }
    }

    /// Scans a nested value from index `i`; returns where to go on.
    fn nested_step(
        &mut self,
        block: &[u8],
        mut i: usize,
        n: Nested,
        out: &mut dyn FnMut(Piece),
    ) -> usize {
        if n == Nested::Scalar {
            while let Some(&b) = block.get(i) {
                if matches!(b, b',' | b']' | b'}' | b'{' | b'[' | b'"') || b.is_ascii_whitespace() {
                    self.value_ended(block, i, out);
                    return i;
                }
                i += 1;
            }
            return i;
        }
        let mut depth = match n {
            Nested::Container(d) => d,
            _ => 0,
        };
        while i < block.len() {
            if self.in_str {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                let rest = block.get(i..).unwrap_or_default();
                let Some(k) = memchr::memchr2(b'"', b'\\', rest) else {
                    i = block.len();
                    break;
                };
                i += k + 1;
                if rest.get(k) == Some(&b'\\') {
                    self.escaped = true;
                    continue;
                }
                self.in_str = false;
                if n == Nested::Str {
                    self.value_ended(block, i, out);
                    return i;
                }
                continue;
            }
            match block.get(i) {
                Some(b'"') => self.in_str = true,
                Some(b'{' | b'[') => {
                    depth += 1;
                    if self.level_depth() + depth > MAX_DEPTH {
                        self.stop(block, i, reason::TOO_DEEP, too_deep(), out);
                        return block.len();
                    }
                }
                Some(b'}' | b']') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.value_ended(block, i + 1, out);
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if let Nested::Container(_) = n {
            self.nested = Some(Nested::Container(depth));
        }
        i
    }

    /// Starts a nested value at index `i` (its first byte `b`); returns where to go on.
    fn start_value(&mut self, b: u8, i: usize) -> usize {
        match b {
            b'{' | b'[' => {
                self.nested = Some(Nested::Container(0));
                // The bracket is counted (and the depth checked) by nested_step.
                i
            }
            b'"' => {
                self.nested = Some(Nested::Str);
                self.in_str = true;
                i + 1
            }
            _ => {
                self.nested = Some(Nested::Scalar);
                i + 1
            }
        }
    }

    /// Handles one byte of document structure at index `i`; returns where to go on.
    fn structure_step(&mut self, block: &[u8], i: usize, out: &mut dyn FnMut(Piece)) -> usize {
        let Some(&b) = block.get(i) else {
            return block.len();
        };
        if b.is_ascii_whitespace() && self.level != Level::Object(Obj::InKey) {
            // Insignificant between tokens: skip the whole run at once.
            let rest = block.get(i..).unwrap_or_default();
            return i + rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        }
        match self.level {
            Level::Top => match b {
                b'[' => {
                    self.level = Level::Records {
                        format: None,
                        in_object: false,
                    };
                }
                b'{' => {
                    self.begin_capture(block, i, None, false);
                    self.level = Level::Object(Obj::Key);
                }
                // Whitespace, and byte order marks of concatenated exports.
                0xEF | 0xBB | 0xBF => {}
                b if b.is_ascii_whitespace() => {}
                b => {
                    let detail = format!("unexpected byte 0x{b:02x} between JSON values");
                    self.stop(block, i, reason::MALFORMED_JSON, detail, out);
                    return block.len();
                }
            },
            Level::Records { format, in_object } => match b {
                b',' => {}
                b']' | b'}' => {
                    self.level = if in_object {
                        Level::Object(Obj::After)
                    } else {
                        Level::Top
                    };
                }
                b if b.is_ascii_whitespace() => {}
                b => {
                    self.begin_capture(block, i, format, true);
                    return self.start_value(b, i);
                }
            },
            Level::Object(Obj::InKey) => return self.key_step(block, i),
            Level::Object(st) => match b {
                b'}' | b']' => {
                    self.level = Level::Top;
                    // Not a container after all: one pretty-printed record.
                    self.end_capture(block, i + 1, out);
                }
                b',' => self.level = Level::Object(Obj::Key),
                b':' => self.level = Level::Object(Obj::Value),
                b'"' if st == Obj::Key => {
                    self.key_len = 0;
                    self.key_long = false;
                    self.level = Level::Object(Obj::InKey);
                }
                b'[' if st == Obj::Value && self.container_key().is_some() => {
                    // A container: its records are cut out one by one.
                    self.cap = None;
                    self.buf.clear();
                    let format = self.container_key().flatten();
                    self.declared = self.declared.or(format);
                    self.level = Level::Records {
                        format,
                        in_object: true,
                    };
                }
                b if b.is_ascii_whitespace() => {}
                b => {
                    self.level = Level::Object(Obj::After);
                    return self.start_value(b, i);
                }
            },
        }
        i + 1
    }

    /// Reads the bytes of a key of the top-level object from index `i`.
    fn key_step(&mut self, block: &[u8], mut i: usize) -> usize {
        while let Some(&b) = block.get(i) {
            i += 1;
            if self.escaped {
                self.escaped = false;
                self.key_long = true;
                continue;
            }
            match b {
                b'\\' => self.escaped = true,
                b'"' => {
                    self.level = Level::Object(Obj::Colon);
                    return i;
                }
                b => match self.key.get_mut(self.key_len) {
                    Some(slot) => {
                        *slot = b;
                        self.key_len += 1;
                    }
                    None => self.key_long = true,
                },
            }
        }
        i
    }

    /// `Some(format)` when the current key names a records array.
    fn container_key(&self) -> Option<Option<Format>> {
        if self.key_long {
            return None;
        }
        match self.key.get(..self.key_len)? {
            b"value" | b"records" | b"expected" => Some(None),
            b"Records" => Some(Some(Format::CloudTrail)),
            b"tests" => Some(Some(Format::PantherTests)),
            _ => None,
        }
    }
}

/// Appends `part` to a record's kept bytes, or gives up keeping them once
/// the record is longer than `max`.
fn keep(buf: &mut Vec<u8>, c: &mut Capture, part: &[u8], max: usize) {
    if c.too_long {
        return;
    }
    if buf.len() + part.len() > max {
        c.too_long = true;
        buf.clear();
        return;
    }
    buf.extend_from_slice(part);
}

fn too_deep() -> String {
    format!("JSON nested deeper than {MAX_DEPTH} levels: the rest of the document is not read")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Got {
        R(String, u64, u32, Option<Format>),
        P(&'static str, u64, u32),
    }

    /// Feeds `doc` in blocks of `block` bytes.
    fn scan(doc: &[u8], block: usize, max: usize) -> Vec<Got> {
        let mut s = DocScanner::new(max);
        let mut got = Vec::new();
        let mut push = |p: Piece| {
            got.push(match p {
                Piece::Record {
                    raw,
                    offset,
                    line,
                    format,
                    ..
                } => Got::R(
                    String::from_utf8_lossy(raw).into_owned(),
                    offset,
                    line,
                    format,
                ),
                Piece::Problem {
                    offset,
                    line,
                    reason,
                    ..
                } => Got::P(reason, offset, line),
            })
        };
        for b in doc.chunks(block) {
            if !s.feed(b, &mut push) {
                break;
            }
        }
        s.finish(&mut push);
        got
    }

    fn r(raw: &str, offset: u64, line: u32) -> Got {
        Got::R(raw.into(), offset, line, None)
    }

    #[test]
    fn arrays_and_containers_at_any_block_size() {
        let doc = b"\xEF\xBB\xBF[{\"a\":\"x,]}\\\"\"},\n {\"b\":[1,{}]}, 7 ,\"s\"]";
        let want = vec![
            r("{\"a\":\"x,]}\\\"\"}", 4, 1),
            r("{\"b\":[1,{}]}", 21, 2),
            r("7", 35, 2),
            r("\"s\"", 38, 2),
        ];
        for block in [1, 2, 3, 7, 1000] {
            assert_eq!(scan(doc, block, 1000), want, "block {block}");
        }
        let doc = b"{\"@odata.context\":\"x\",\"Records\":[{\"n\":1}\n,{\"n\":2}],\"x\":[9]}";
        for block in [1, 5, 1000] {
            assert_eq!(
                scan(doc, block, 1000),
                vec![
                    Got::R("{\"n\":1}".into(), 33, 1, Some(Format::CloudTrail)),
                    Got::R("{\"n\":2}".into(), 42, 2, Some(Format::CloudTrail)),
                ]
            );
        }
    }

    #[test]
    fn a_pretty_printed_record_is_one_record_even_with_a_value_key() {
        let doc = b"{\n  \"value\": 5,\n  \"b\": [1]\n}\n{\"c\":{}}";
        for block in [1, 4, 1000] {
            assert_eq!(
                scan(doc, block, 1000),
                vec![
                    r("{\n  \"value\": 5,\n  \"b\": [1]\n}", 0, 1),
                    r("{\"c\":{}}", 29, 5)
                ]
            );
        }
    }

    #[test]
    fn long_records_are_skipped_with_their_offset() {
        let doc = format!("[{{\"a\":\"{}\"}},{{\"b\":1}}]", "x".repeat(100));
        for block in [3, 50, 1000] {
            assert_eq!(
                scan(doc.as_bytes(), block, 50),
                vec![
                    Got::P(reason::RECORD_TOO_LONG, 1, 1),
                    r("{\"b\":1}", 110, 1)
                ]
            );
        }
    }

    #[test]
    fn a_cut_keeps_the_records_before_it() {
        let doc = b"[{\"a\":1},\n{\"b\":2},\n{\"c\":";
        for block in [1, 1000] {
            assert_eq!(
                scan(doc, block, 1000),
                vec![
                    r("{\"a\":1}", 1, 1),
                    r("{\"b\":2}", 10, 2),
                    Got::P(reason::TRUNCATED, 19, 3)
                ]
            );
        }
        assert_eq!(
            scan(b"[{\"a\":1}", 1000, 1000),
            vec![r("{\"a\":1}", 1, 1), Got::P(reason::TRUNCATED, 8, 1)]
        );
    }

    #[test]
    fn deep_nesting_and_garbage_stop_the_document_once() {
        let mut doc = b"[{\"a\":1},".to_vec();
        doc.extend(std::iter::repeat_n(b'[', 10_000));
        let got = scan(&doc, 64, 1 << 20);
        assert_eq!(
            got,
            vec![r("{\"a\":1}", 1, 1), Got::P(reason::TOO_DEEP, 9 + 127, 1)]
        );
        assert_eq!(
            scan(b"{\"a\":1} x {\"b\":2}", 1000, 1000),
            vec![r("{\"a\":1}", 0, 1), Got::P(reason::MALFORMED_JSON, 8, 1)]
        );
    }
}
