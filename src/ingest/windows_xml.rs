//! Windows Event XML → drafts: a file of `<Event xmlns=…>` elements as Event
//! Viewer's "Save as XML" writes it (an `<Events>` root), as `wevtutil qe
//! /f:xml` prints it (elements one after another, no root, often no newline
//! between them) or one rendered event per line.
//!
//! [`XmlScanner`] cuts the byte stream into `<Event>…</Event>` elements
//! (one element in memory at a time, whatever the size of the file), each
//! with its byte offset and line; [`parse_element`] reads one element with
//! `quick-xml` event by event (no tree) into the same [`Logon`] the JSON
//! shapes and evtx produce, so the meaning is theirs (`windows::map_logon`).
//! What is not an element (text between events, an element never closed, one
//! too long) is a problem with its line; the elements around it are kept.

use super::sshd;
use super::stats::FileStats;
use super::time::parse_time;
use super::windows::{map_logon, record_identity, Logon};
use super::{reason, ParseResult, RecordCx, Reject};
use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

/// Problem reason for XML that is not a Windows event element.
pub const MALFORMED_XML: &str = "malformed Event XML";

/// One piece of an Event XML stream.
pub enum XmlPiece<'a> {
    /// A whole `<Event>…</Event>` element, its offset and 1-based line.
    Element {
        raw: &'a [u8],
        offset: u64,
        line: u32,
    },
    Problem {
        line: u32,
        offset: u64,
        reason: &'static str,
        detail: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Between elements.
    Outside,
    /// Inside text that is not XML; reported once, at its start.
    Garbage,
    /// Inside an element that began at `buf[0]`.
    Inside,
    /// Inside an element too long to keep: skipped up to its end.
    Skipping,
}

/// Cuts a byte stream into Event elements. Feed it blocks, then `finish`.
pub struct XmlScanner {
    /// Bytes received; those before `pos` are consumed (dropped at the next feed).
    data: Vec<u8>,
    pos: usize,
    /// Offset and line of `buf[0]` in the stream.
    offset: u64,
    line: u32,
    state: State,
    /// Where the element being read starts (offset, line).
    start: (u64, u32),
    max: usize,
}

const OPEN: &[u8] = b"<Event";
const BOM: &[u8] = b"\xEF\xBB\xBF";
const CLOSE: &[u8] = b"</Event>";

/// `<Event` followed by a delimiter (not `<Events>` nor `<EventData>`) at `at`.
fn event_open_at(b: &[u8], at: usize) -> Option<bool> {
    let rest = b.get(at..)?;
    if rest.len() < OPEN.len() + 1 {
        // Too short to say; a prefix of `<Event` may still become one.
        return if OPEN.starts_with(rest) || rest.starts_with(OPEN) {
            None
        } else {
            Some(false)
        };
    }
    Some(
        rest.starts_with(OPEN)
            && matches!(
                rest.get(OPEN.len()),
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
            ),
    )
}

/// The first `<Event`+delimiter at or after `from`; `Err(at)` when the
/// stream may hold one that starts at `at` once more bytes come.
fn find_open(b: &[u8], from: usize) -> Result<usize, usize> {
    let mut at = from;
    while let Some(i) = b.get(at..).and_then(|r| memchr::memchr(b'<', r)) {
        let p = at + i;
        match event_open_at(b, p) {
            Some(true) => return Ok(p),
            Some(false) => at = p + 1,
            None => return Err(p),
        }
    }
    Err(b.len())
}

impl XmlScanner {
    pub fn new(max: usize) -> XmlScanner {
        XmlScanner {
            data: Vec::new(),
            pos: 0,
            offset: 0,
            line: 1,
            state: State::Outside,
            start: (0, 1),
            max: max.max(1024),
        }
    }

    /// Where reading stopped (offset, line), for a problem after the last piece.
    pub fn resume_point(&self) -> (u64, u32) {
        (self.offset, self.line)
    }

    /// The bytes not consumed yet.
    fn buf(&self) -> &[u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    /// Consumes `n` bytes from the front of the buffer, counting lines.
    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf().len());
        let lines = self
            .buf()
            .get(..n)
            .map_or(0, |b| memchr::memchr_iter(b'\n', b).count());
        self.line = self.line.saturating_add(lines as u32);
        self.offset += n as u64;
        self.pos += n;
    }

    pub fn feed(&mut self, data: &[u8], out: &mut dyn FnMut(XmlPiece)) {
        // Consumed bytes go once per block, not once per element.
        self.data.drain(..self.pos.min(self.data.len()));
        self.pos = 0;
        self.data.extend_from_slice(data);
        self.run(false, out);
    }

    pub fn finish(&mut self, out: &mut dyn FnMut(XmlPiece)) {
        self.run(true, out);
        match self.state {
            State::Inside | State::Skipping => out(XmlPiece::Problem {
                line: self.start.1,
                offset: self.start.0,
                reason: reason::TRUNCATED,
                detail: "<Event> element not closed at the end of the input".into(),
            }),
            State::Outside | State::Garbage => {}
        }
        self.data.clear();
        self.pos = 0;
        self.state = State::Outside;
    }

    fn garbage(&mut self, out: &mut dyn FnMut(XmlPiece)) {
        if self.state != State::Garbage {
            let text: String = String::from_utf8_lossy(self.buf().get(..40).unwrap_or(self.buf()))
                .chars()
                .take(40)
                .collect();
            out(XmlPiece::Problem {
                line: self.line,
                offset: self.offset,
                reason: MALFORMED_XML,
                detail: format!("not an <Event> element: {text:?}"),
            });
            self.state = State::Garbage;
        }
    }

    /// Splits what is buffered into pieces until more input is needed.
    fn run(&mut self, last: bool, out: &mut dyn FnMut(XmlPiece)) {
        loop {
            let step = match self.state {
                State::Outside | State::Garbage => self.between(last, out),
                State::Inside | State::Skipping => self.within(out),
            };
            if let Step::Wait = step {
                return;
            }
        }
    }

    /// Between elements: whitespace, byte order marks, declarations and the
    /// root skipped; the next `<Event` opens an element, anything else
    /// before it is garbage (one problem).
    fn between(&mut self, last: bool, out: &mut dyn FnMut(XmlPiece)) -> Step {
        let ws = self
            .buf()
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.consume(ws);
        if self.buf().is_empty() {
            return Step::Wait;
        }
        // Byte order marks (one or more) before or between elements.
        if self.buf().starts_with(BOM) {
            self.consume(BOM.len());
            return Step::Again;
        }
        if !last && BOM.starts_with(self.buf()) {
            return Step::Wait;
        }
        if self.state == State::Outside {
            if let Some(step) = self.skip_markup(last) {
                return step;
            }
        }
        match find_open(self.buf(), 0) {
            Ok(0) => {
                self.state = State::Inside;
                self.start = (self.offset, self.line);
            }
            Ok(at) => {
                self.garbage(out);
                self.consume(at);
                self.state = State::Outside;
            }
            Err(0) if !last => return Step::Wait,
            Err(at) => {
                if self.buf().first() == Some(&b'<')
                    && self.state == State::Outside
                    && !last
                    && self.buf().len() < 64
                {
                    // Perhaps a declaration or root not yet whole.
                    return Step::Wait;
                }
                self.garbage(out);
                let at = if last { self.buf().len() } else { at.max(1) };
                self.consume(at);
                if last && self.buf().is_empty() {
                    return Step::Wait;
                }
            }
        }
        Step::Again
    }

    /// Declarations, comments and the `<Events>` root: skipped whole, or
    /// `Wait` while one is not complete yet; `None` when none starts here.
    fn skip_markup(&mut self, last: bool) -> Option<Step> {
        let skip = [
            (&b"<?"[..], &b"?>"[..]),
            (b"<!--", b"-->"),
            (b"<!", b">"),
            (b"<Events", b">"),
            (b"</Events", b">"),
        ]
        .iter()
        .find(|(open, _)| self.buf().starts_with(open))
        .copied();
        if let Some((open, close)) = skip {
            let named = open == b"<Events" || open == b"</Events";
            let delim = !named
                || matches!(
                    self.buf().get(open.len()),
                    Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
                );
            if delim || self.buf().len() > open.len() {
                if delim {
                    match memchr::memmem::find(self.buf(), close) {
                        Some(end) => {
                            self.consume(end + close.len());
                            return Some(Step::Again);
                        }
                        None if !last && self.buf().len() < self.max => return Some(Step::Wait),
                        None => {}
                    }
                }
            } else if !last {
                return Some(Step::Wait);
            }
        }
        None
    }

    /// Inside an element: it ends at `</Event>` (one piece), or is cut by
    /// the next `<Event` or by the length limit (a problem each).
    fn within(&mut self, out: &mut dyn FnMut(XmlPiece)) -> Step {
        let close = memchr::memmem::find(self.buf(), CLOSE);
        let reopen = find_open(self.buf(), 1).ok();
        match (close, reopen) {
            (Some(c), r) if r.is_none_or(|r| c < r) => {
                let end = c + CLOSE.len();
                if self.state == State::Inside {
                    if let Some(raw) = self.buf().get(..end) {
                        out(XmlPiece::Element {
                            raw,
                            offset: self.start.0,
                            line: self.start.1,
                        });
                    }
                }
                self.consume(end);
                self.state = State::Outside;
            }
            (_, Some(r)) => {
                if self.state == State::Inside {
                    out(XmlPiece::Problem {
                        line: self.start.1,
                        offset: self.start.0,
                        reason: MALFORMED_XML,
                        detail: "<Event> element not closed before the next one".into(),
                    });
                }
                self.consume(r);
                self.state = State::Inside;
                self.start = (self.offset, self.line);
            }
            (_, None) => {
                if self.buf().len() > self.max && self.state == State::Inside {
                    out(XmlPiece::Problem {
                        line: self.start.1,
                        offset: self.start.0,
                        reason: reason::RECORD_TOO_LONG,
                        detail: format!("<Event> element longer than {} bytes", self.max),
                    });
                    self.state = State::Skipping;
                }
                if self.state == State::Skipping {
                    // Keep only what may hold the start of `</Event>` or `<Event`.
                    let keep = CLOSE.len();
                    let drop = self.buf().len().saturating_sub(keep);
                    self.consume(drop);
                }
                return Step::Wait;
            }
        }
        Step::Again
    }
}

/// What the splitter does after a step: look again, or wait for more input.
enum Step {
    Again,
    Wait,
}

/// The fields of one Event element that the mapping and Sigma read.
#[derive(Default, Debug)]
pub struct EventFields {
    pub event_id: String,
    pub system_time: String,
    pub computer: String,
    pub channel: String,
    pub record_id: String,
    /// `<Data Name="…">` of `EventData` (and the elements of `UserData`), in order.
    pub data: Vec<(String, String)>,
}

impl EventFields {
    /// The last value of a data field (repeated names keep the last, as evtx does).
    pub fn get(&self, name: &str) -> &str {
        self.data
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads one `<Event>` element, event by event.
pub fn read_fields(raw: &str) -> Result<EventFields, Reject> {
    let mut r = Reader::from_str(raw);
    r.config_mut().check_end_names = true;
    let mut f = EventFields::default();
    // Element names from the root to the current element.
    let mut path: Vec<String> = Vec::new();
    // The Data field whose text is being read.
    let mut field: Option<(String, String)> = None;
    let bad = |e: quick_xml::Error| Reject::problem(MALFORMED_XML, e.to_string());
    loop {
        let ev = r.read_event().map_err(bad)?;
        match ev {
            XmlEvent::Start(_) | XmlEvent::Empty(_) if path.len() > 64 => {
                return Err(Reject::problem(MALFORMED_XML, "elements nested too deep"));
            }
            XmlEvent::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if name == "TimeCreated" {
                    f.system_time = attr(&e, "SystemTime");
                }
                if let Some(data) = data_name(&path, &name, &e) {
                    field = Some((data, String::new()));
                }
                path.push(name);
            }
            XmlEvent::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                if name == "TimeCreated" {
                    f.system_time = attr(&e, "SystemTime");
                }
                if let Some(data) = data_name(&path, &name, &e) {
                    f.data.push((data, String::new()));
                }
            }
            XmlEvent::End(_) => {
                path.pop();
                if let Some(done) = field.take() {
                    if path.len() >= 2 {
                        f.data.push(done);
                    } else {
                        field = Some(done);
                    }
                }
            }
            XmlEvent::Text(t) => text(&mut f, &path, &mut field, &t.xml10_content()),
            XmlEvent::CData(t) => text(&mut f, &path, &mut field, &t.xml10_content()),
            XmlEvent::GeneralRef(g) => {
                let resolved = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = g.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .map(str::to_string)
                            .ok_or_else(|| {
                                Reject::problem(MALFORMED_XML, format!("unknown entity &{name};"))
                            })?
                    }
                    Err(e) => return Err(bad(e)),
                };
                text(&mut f, &path, &mut field, &resolved);
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(Reject::problem(MALFORMED_XML, "element not closed"));
    }
    Ok(f)
}

/// The field name when `name` under `path` is an event data field:
/// `EventData/Data[@Name]`, or an element directly under `UserData/*`.
fn data_name(path: &[String], name: &str, e: &quick_xml::events::BytesStart) -> Option<String> {
    let parent = path.last().map(String::as_str);
    let grand = path.len().checked_sub(2).and_then(|i| path.get(i));
    if parent == Some("EventData") && name == "Data" {
        let n = attr(e, "Name");
        return Some(if n.is_empty() { "Data".into() } else { n });
    }
    if grand.map(String::as_str) == Some("UserData") {
        return Some(name.to_string());
    }
    None
}

fn attr(e: &quick_xml::events::BytesStart, name: &str) -> String {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

fn text(f: &mut EventFields, path: &[String], field: &mut Option<(String, String)>, t: &str) {
    if let Some((_, v)) = field.as_mut() {
        v.push_str(t);
        return;
    }
    let under_system = path.len() == 3 && path.get(1).is_some_and(|p| p == "System");
    if !under_system {
        return;
    }
    let slot = match path.last().map(String::as_str) {
        Some("EventID") => &mut f.event_id,
        Some("Computer") => &mut f.computer,
        Some("Channel") => &mut f.channel,
        Some("EventRecordID") => &mut f.record_id,
        _ => return,
    };
    slot.push_str(t);
}

/// Parses one `<Event>` element with the rules of the JSON shapes and evtx.
pub fn parse_element(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let f = read_fields(raw)?;
    let id: u32 = f.event_id.trim().parse().map_err(|_| {
        Reject::problem(
            reason::UNKNOWN_SHAPE,
            format!("Event without a numeric EventID ({:?})", f.event_id.trim()),
        )
    })?;
    let time = parse_time(&f.system_time).ok_or_else(|| {
        Reject::problem(reason::BAD_TIME, format!("SystemTime {:?}", f.system_time))
    })?;
    cx.identity = record_identity(&f.computer, &f.channel, &f.record_id, time, id);
    if id == 4 && f.channel == "OpenSSH/Operational" {
        return sshd::parse_message(f.get("payload"), time, &f.computer, cx);
    }
    let logon = Logon {
        time,
        event_id: id,
        host: &f.computer,
        user: f.get("TargetUserName"),
        domain: f.get("TargetDomainName"),
        logon_type: f.get("LogonType"),
        ip: f.get("IpAddress"),
        status: f.get("Status"),
        sub_status: f.get("SubStatus"),
    };
    map_logon(&logon, cx)
}

/// An element as a flat JSON object for the Sigma rules: `EventID`,
/// `Computer`, `Channel`, `EventRecordID`, `TimeCreated`, and every data
/// field by name (also under `EventData`), as the NXLog and evtx shapes have them.
pub fn to_json(raw: &str) -> Option<serde_json::Value> {
    let f = read_fields(raw).ok()?;
    let mut data = serde_json::Map::new();
    for (k, v) in &f.data {
        data.insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    let mut top = data.clone();
    for (k, v) in [
        ("EventID", &f.event_id),
        ("Computer", &f.computer),
        ("Channel", &f.channel),
        ("EventRecordID", &f.record_id),
        ("TimeCreated", &f.system_time),
    ] {
        top.insert(k.into(), serde_json::Value::String(v.trim().to_string()));
    }
    top.insert("EventData".into(), serde_json::Value::Object(data));
    Some(serde_json::Value::Object(top))
}

/// Whether the start of a file looks like Event XML: after a byte order
/// mark, blanks, a declaration or comments, an `<Events>` root or an `<Event>`.
pub fn looks_like_event_xml(body: &[u8]) -> bool {
    let mut rest = body.trim_ascii_start();
    for _ in 0..8 {
        if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
            let close: &[u8] = if rest.starts_with(b"<?") { b"?>" } else { b">" };
            match memchr::memmem::find(rest, close) {
                Some(end) => rest = rest.get(end + close.len()..).unwrap_or_default(),
                None => return false,
            }
            rest = rest.trim_ascii_start();
            continue;
        }
        break;
    }
    let tag = |t: &[u8]| {
        rest.starts_with(t)
            && matches!(rest.get(t.len()), Some(b' ' | b'\t' | b'\r' | b'\n' | b'>'))
    };
    tag(b"<Events") || tag(b"<Event")
}

/// Parses the pieces of an Event XML stream into `cx`'s batch, accounting in `stats`.
pub fn take_piece(p: XmlPiece, file: u32, batch: &mut crate::event::Batch, stats: &mut FileStats) {
    match p {
        XmlPiece::Problem {
            line,
            offset,
            reason,
            detail,
        } => {
            stats.records += 1;
            stats.problem(line, offset, reason, detail);
        }
        XmlPiece::Element { raw, offset, line } => {
            let origin = crate::event::Origin {
                file,
                line,
                offset,
                len: u32::try_from(raw.len()).unwrap_or(0),
            };
            let text = String::from_utf8_lossy(raw);
            let before = batch.drafts.len();
            // A panic in a parser costs this element only (see `decode::each_line`).
            let res =
                crate::panics::catch(|| parse_element(&text, &mut RecordCx::new(batch, origin)))
                    .unwrap_or_else(|bug| {
                        batch.drafts.truncate(before);
                        Err(Reject::Problem(reason::INTERNAL, bug))
                    });
            // Every element, kept or not, is a Windows record for the Sigma
            // rules, as an evtx record is (its EventData fields by name).
            let sigma = crate::sigma::ingest::wants(crate::event::Source::Windows)
                .then(|| to_json(&text))
                .flatten()
                .map(|j| j.to_string());
            if let Some(json) = sigma {
                crate::sigma::ingest::json_record(
                    crate::event::Source::Windows,
                    &json,
                    batch,
                    origin,
                    u64::from(line),
                    before,
                );
            }
            if matches!(text, std::borrow::Cow::Owned(_)) && res.is_ok() {
                stats.problem(
                    line,
                    offset,
                    reason::NOT_UTF8,
                    "invalid UTF-8 replaced with U+FFFD".into(),
                );
            }
            super::decode::account(stats, before, batch, line, offset, res);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Elements (offset, line, text) and problems (line, reason) of a stream.
    type Pieces = (Vec<(u64, u32, String)>, Vec<(u32, &'static str)>);

    fn pieces(input: &[u8], block: usize) -> Pieces {
        let mut s = XmlScanner::new(1 << 20);
        let mut els = Vec::new();
        let mut probs = Vec::new();
        let mut take = |p: XmlPiece| match p {
            XmlPiece::Element { raw, offset, line } => {
                els.push((offset, line, String::from_utf8_lossy(raw).into_owned()))
            }
            XmlPiece::Problem { line, reason, .. } => probs.push((line, reason)),
        };
        for c in input.chunks(block.max(1)) {
            s.feed(c, &mut take);
        }
        s.finish(&mut take);
        (els, probs)
    }

    const EV: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>4625</EventID></System></Event>"#;

    #[test]
    fn the_three_layouts_and_any_block_size() {
        let saved = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Events>\r\n{EV}\r\n{EV}\r\n</Events>\r\n");
        let wevtutil = format!("{EV}{EV}{EV}");
        let lines = format!("{EV}\n{EV}\n");
        for block in [1, 3, 7, 64, 1 << 16] {
            let (e, p) = pieces(saved.as_bytes(), block);
            assert_eq!(p, [], "block {block}");
            assert_eq!(e.len(), 2);
            assert_eq!((e[0].1, e[1].1), (3, 4));
            assert_eq!(
                saved.get(e[1].0 as usize..).unwrap().get(..EV.len()),
                Some(EV)
            );
            let (e, p) = pieces(wevtutil.as_bytes(), block);
            assert_eq!((e.len(), p.len()), (3, 0));
            assert_eq!(e[2].0 as usize, 2 * EV.len());
            let (e, p) = pieces(lines.as_bytes(), block);
            assert_eq!((e.len(), p.len(), e[1].1), (2, 0, 2));
        }
    }

    #[test]
    fn bad_pieces_are_problems_and_keep_their_neighbours() {
        let unclosed = r#"<Event xmlns="x"><System><EventID>4625</EventID>"#;
        let input = format!("{EV}\n{unclosed}\n{EV}\nnot xml at all\n{EV}\n<Event><System>");
        for block in [1, 5, 1 << 16] {
            let (e, p) = pieces(input.as_bytes(), block);
            assert_eq!(e.len(), 3, "block {block}");
            assert_eq!(
                p,
                [
                    (2, MALFORMED_XML),
                    (4, MALFORMED_XML),
                    (6, reason::TRUNCATED)
                ],
                "block {block}"
            );
            assert_eq!(e.iter().map(|x| x.1).collect::<Vec<_>>(), [1, 3, 5]);
        }
    }

    #[test]
    fn fields_are_read_with_entities_and_repeats() {
        let raw = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID Qualifiers="0">4625</EventID><TimeCreated SystemTime="2024-05-01T10:00:00.1234567Z"/><EventRecordID>77</EventRecordID><Channel>Security</Channel><Computer>DC01.corp.local</Computer></System><EventData><Data Name="TargetUserName">o&apos;brien&#x21;</Data><Data Name="TargetDomainName">CORP</Data><Data Name="Empty"/><Data Name="IpAddress"><![CDATA[10.0.0.9]]></Data></EventData></Event>"#;
        let f = read_fields(raw).unwrap();
        assert_eq!(
            (
                f.event_id.as_str(),
                f.system_time.as_str(),
                f.computer.as_str(),
                f.channel.as_str(),
                f.record_id.as_str()
            ),
            (
                "4625",
                "2024-05-01T10:00:00.1234567Z",
                "DC01.corp.local",
                "Security",
                "77"
            )
        );
        assert_eq!(f.get("TargetUserName"), "o'brien!");
        assert_eq!(f.get("IpAddress"), "10.0.0.9");
        assert_eq!(f.get("Empty"), "");
        let j = to_json(raw).unwrap();
        assert_eq!(j["TargetDomainName"], "CORP");
        assert_eq!(j["EventData"]["TargetUserName"], "o'brien!");
        assert_eq!(j["EventID"], "4625");
        assert!(read_fields("<Event><System></Event>").is_err());
        assert!(read_fields("<Event>&bogus;</Event>").is_err());
    }

    /// Damaged streams (bytes flipped, cut, spliced) at any block size never
    /// panic, and every element and every problem is counted as a record.
    #[test]
    fn damaged_streams_are_counted_never_a_panic() {
        let good = r#"<Event xmlns="x"><System><EventID>4625</EventID><TimeCreated SystemTime="2024-05-01T10:00:00Z"/><Computer>WS</Computer></System><EventData><Data Name="TargetUserName">bob</Data><Data Name="IpAddress">192.0.2.1</Data><Data Name="LogonType">3</Data></EventData></Event>"#;
        let base =
            format!("<?xml version=\"1.0\"?>\n<Events>\n{good}\n{good}\n{good}\n</Events>\n");
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let specials = [
            b'<', b'>', b'/', b'&', b'"', b'\n', 0, 0xff, b'!', b'?', b';',
        ];
        for round in 0..400 {
            let mut bytes = base.clone().into_bytes();
            for _ in 0..(1 + next() % 6) {
                let at = (next() as usize) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = specials[(next() as usize) % specials.len()],
                    1 => bytes.truncate(at.max(1)),
                    2 => {
                        let cut = (next() as usize) % bytes.len();
                        let piece = bytes[at.min(cut)..at.max(cut)].to_vec();
                        bytes.splice(at..at, piece);
                    }
                    _ => {
                        bytes.remove(at);
                    }
                }
                if bytes.is_empty() {
                    bytes.push(b'<');
                }
            }
            let block = [1, 2, 7, 100, 1 << 16][round % 5];
            let mut s = XmlScanner::new(4096);
            let mut batch = crate::event::Batch::default();
            let mut stats = FileStats::default();
            let mut pieces = 0u64;
            let mut take = |p: XmlPiece| {
                pieces += 1;
                take_piece(p, 0, &mut batch, &mut stats);
            };
            for c in bytes.chunks(block) {
                s.feed(c, &mut take);
            }
            s.finish(&mut take);
            assert_eq!(stats.records, pieces, "round {round}");
            assert!(batch.drafts.len() as u64 <= pieces, "round {round}");
            assert_eq!(stats.events, batch.drafts.len() as u64, "round {round}");
        }
    }

    #[test]
    fn sniffing_the_start() {
        assert!(looks_like_event_xml(
            b"<?xml version=\"1.0\"?>\n<Events><Event>"
        ));
        assert!(looks_like_event_xml(EV.as_bytes()));
        assert!(looks_like_event_xml(b"\n<!-- x -->\n<Event>"));
        assert!(!looks_like_event_xml(b"<html><body>"));
        assert!(!looks_like_event_xml(b"<EventData>"));
    }
}
