//! Turning chunks and documents into batches of drafts: the loop around the
//! per-format parsers that counts records, applies the line limit, repairs
//! non-UTF-8 text, retries duplicate-key objects, and records every
//! rejection with its line. Pure: no I/O.

use super::document::{DocScanner, Piece};
use super::read::{lines, Chunk};
use super::sniff::dedup_keys;
use super::stats::FileStats;
use super::{parse_any_json_record, parse_json_record, reason, Format, RecordCx, Reject};
use crate::event::{Batch, Origin};
use std::borrow::Cow;

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without the byte order marks it starts with (an export written
/// twice over, or concatenated, can carry several), and how many bytes they took.
pub fn strip_boms(bytes: &[u8]) -> (usize, &[u8]) {
    let mut rest = bytes;
    while let Some(r) = rest.strip_prefix(BOM) {
        rest = r;
    }
    (bytes.len() - rest.len(), rest)
}

/// Parses one JSON record (sniffing when `format` is `None`), retrying once
/// with duplicate keys resolved last-wins, and falling back to sniffing the
/// record when it does not fit the file's format.
pub fn parse_record(format: Option<Format>, raw: &str, cx: &mut RecordCx) -> Result<(), Reject> {
    #[cfg(debug_assertions)]
    crate::panics::failpoint(raw);
    let first = cx.batch.drafts.len();
    let res = parse_record_once(format, raw, cx, true);
    super::sigma_json(raw, cx, first);
    res
}

/// Parses one JSON record with the parser `--format` named, and only that
/// one: a record that does not fit it is a problem, never re-sniffed.
pub fn parse_record_forced(format: Format, raw: &str, cx: &mut RecordCx) -> Result<(), Reject> {
    #[cfg(debug_assertions)]
    crate::panics::failpoint(raw);
    let first_draft = cx.batch.drafts.len();
    let first = match parse_json_record(format, raw, cx) {
        Err(Reject::Problem(_, detail)) if detail.contains("duplicate field") => {
            match dedup_keys(raw) {
                Some(clean) => parse_json_record(format, &clean, cx),
                None => Err(Reject::Problem(reason::MALFORMED_JSON, detail)),
            }
        }
        other => other,
    };
    super::sigma_json(raw, cx, first_draft);
    first.map_err(|e| match e {
        Reject::Problem(r, detail) if r != reason::MALFORMED_JSON => Reject::Problem(
            r,
            format!("does not fit --format {}: {detail}", format.name()),
        ),
        other => other,
    })
}

/// One attempt; `may_dedup` allows the single last-wins retry. Serde aliases
/// (`eventType` / `eventtype`) collide without being duplicate keys, so a
/// second retry would never succeed and must not happen.
fn parse_record_once(
    format: Option<Format>,
    raw: &str,
    cx: &mut RecordCx,
    may_dedup: bool,
) -> Result<(), Reject> {
    let first = match format {
        Some(f) => parse_json_record(f, raw, cx),
        None => parse_any_json_record(raw, cx),
    };
    match first {
        Err(Reject::Problem(r, detail)) if may_dedup && detail.contains("duplicate field") => {
            match dedup_keys(raw) {
                Some(clean) => parse_record_once(format, &clean, cx, false),
                None => Err(Reject::Problem(r, detail)),
            }
        }
        Err(Reject::Problem(r, detail))
            if format.is_some()
                && format != Some(Format::PantherTests)
                && r != reason::MALFORMED_JSON =>
        {
            // A record that does not fit the file's format: re-sniff it. One that
            // fits no format at all is an unknown shape, whatever the file's parser
            // complained about first (a missing time, a missing user).
            match super::sniff::classify_record(raw) {
                Some(f) if Some(f) != format => parse_json_record(f, raw, cx),
                Some(_) => Err(Reject::Problem(r, detail)),
                None => Err(super::sniff::reject_unclassified(raw)),
            }
        }
        other => other,
    }
}

/// Records the result of one record in `stats`.
pub fn account(
    stats: &mut FileStats,
    before: usize,
    batch: &Batch,
    line: u32,
    offset: u64,
    res: Result<(), Reject>,
) {
    stats.records += 1;
    let made = batch.drafts.len().saturating_sub(before) as u64;
    stats.events += made;
    match res {
        Ok(()) if made > 0 => stats.kept += 1,
        // A parser that accepted a record without making an event: never let
        // it vanish uncounted.
        Ok(()) => stats.ignore(reason::NO_EVENT),
        Err(Reject::Ignored(why)) => stats.ignore(why),
        Err(Reject::Problem(why, detail)) => stats.problem(line, offset, why, detail),
    }
}

/// The loop every line format shares: skips blank lines, applies the line
/// limit, repairs non-UTF-8 text (counting the repair only when the record
/// is kept), stamps each record's origin and accounts for the result.
/// `parse` sees (text, line number, context).
pub fn each_line(
    chunk: &Chunk,
    file: u32,
    max_line: usize,
    stats: &mut FileStats,
    mut parse: impl FnMut(&str, u32, &mut RecordCx) -> Result<(), Reject>,
) -> Batch {
    let mut batch = Batch::recycled();
    batch.drafts.reserve(chunk.data.len() / 1024);
    for (line, offset, bytes) in lines(chunk) {
        // A UTF-8 byte order mark starts a file, and again every export
        // concatenated into it: it is not part of the record.
        let (skipped, bytes) = strip_boms(bytes);
        let offset = offset + skipped as u64;
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
        let text: Cow<str> = match std::str::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let origin = Origin {
            file,
            line,
            offset,
            len: bytes.len() as u32,
        };
        let before = batch.drafts.len();
        // A panic in a parser is a bug in hunt: it costs this record only,
        // reported as a problem with its line (see `crate::panics`).
        let res =
            crate::panics::catch(|| parse(&text, line, &mut RecordCx::new(&mut batch, origin)))
                .unwrap_or_else(|bug| {
                    batch.drafts.truncate(before);
                    Err(Reject::Problem(reason::INTERNAL, bug))
                });
        if matches!(text, Cow::Owned(_)) && res.is_ok() {
            // Kept, with U+FFFD in place of the bad bytes: count the repair.
            stats.problem(
                line,
                offset,
                reason::NOT_UTF8,
                "invalid UTF-8 replaced with U+FFFD".into(),
            );
        }
        account(stats, before, &batch, line, offset, res);
    }
    batch
}

/// Parses a chunk of JSON lines: `format` is the file's sniffed format (a
/// record that does not fit it is sniffed on its own), `None` to sniff each.
pub fn json_lines(
    chunk: &Chunk,
    file: u32,
    format: Option<Format>,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    json_lines_with(chunk, file, format, false, max_line, stats)
}

/// [`json_lines`], with `forced` true when `--format` named the format: then
/// every record goes through that parser only.
pub fn json_lines_with(
    chunk: &Chunk,
    file: u32,
    format: Option<Format>,
    forced: bool,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    // Only an unterminated chunk needs its last line number (counted once).
    let last = if chunk.unterminated {
        last_line(chunk)
    } else {
        0
    };
    each_line(chunk, file, max_line, stats, |text, line, cx| {
        let res = match format {
            Some(f) if forced => parse_record_forced(f, text, cx),
            _ => parse_record(format, text, cx),
        };
        match res {
            // The input ended inside this record: say so rather than "malformed".
            Err(Reject::Problem(r, d))
                if chunk.unterminated && line == last && r == reason::MALFORMED_JSON =>
            {
                Err(Reject::Problem(reason::TRUNCATED, d))
            }
            other => other,
        }
    })
}

fn last_line(chunk: &Chunk) -> u32 {
    chunk.first_line + memchr::memchr_iter(b'\n', &chunk.data).count() as u32
}

/// Parses a whole JSON document held in memory (array or container of
/// records); readers stream documents through [`document_piece`] instead.
pub fn json_document(doc: &str, file: u32, stats: &mut FileStats) -> Batch {
    let mut batch = Batch::default();
    let mut scanner = DocScanner::new(usize::MAX);
    let mut take = |p: Piece| document_piece(p, file, &mut batch, stats);
    scanner.feed(doc.as_bytes(), &mut take);
    scanner.finish(&mut take);
    batch
}

/// Parses one record cut out of a JSON document into `batch` (or counts
/// the problem in its place), repairing non-UTF-8 text like [`each_line`].
pub fn document_piece(piece: Piece, file: u32, batch: &mut Batch, stats: &mut FileStats) {
    document_piece_as(piece, file, None, batch, stats)
}

/// [`document_piece`] with `forced` set when `--format` named the parser
/// (every record goes through it, see [`parse_record_forced`]).
pub fn document_piece_as(
    piece: Piece,
    file: u32,
    forced: Option<Format>,
    batch: &mut Batch,
    stats: &mut FileStats,
) {
    let (raw, offset, line, format, ordinal) = match piece {
        Piece::Record {
            raw,
            offset,
            line,
            format,
            ordinal,
        } => (raw, offset, line, format, ordinal),
        Piece::Problem {
            offset,
            line,
            reason,
            detail,
        } => {
            stats.records += 1;
            stats.problem(line, offset, reason, detail);
            return;
        }
    };
    let text: Cow<str> = match std::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(raw),
    };
    let origin = Origin {
        file,
        line,
        offset,
        len: u32::try_from(raw.len()).unwrap_or(u32::MAX),
    };
    let before = batch.drafts.len();
    // A panic in a parser costs this record only (see `each_line`).
    let res = crate::panics::catch(|| {
        let cx = &mut RecordCx::new(batch, origin);
        cx.record = ordinal;
        match forced {
            Some(f) => parse_record_forced(f, &text, cx),
            None => parse_record(format, &text, cx),
        }
    })
    .unwrap_or_else(|bug| {
        batch.drafts.truncate(before);
        Err(Reject::Problem(reason::INTERNAL, bug))
    });
    if matches!(text, Cow::Owned(_)) && res.is_ok() {
        stats.problem(
            line,
            offset,
            reason::NOT_UTF8,
            "invalid UTF-8 replaced with U+FFFD".into(),
        );
    }
    account(stats, before, batch, line, offset, res);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Draft, Kind, Outcome, Source};

    #[test]
    fn a_panicking_parser_costs_its_record_only() {
        let chunk = Chunk {
            data: b"good 1\nboom \x1b[31m\ngood 3\n".to_vec(),
            offset: 0,
            first_line: 1,
            unterminated: false,
        };
        let mut stats = FileStats::default();
        let batch = each_line(&chunk, 0, 1 << 20, &mut stats, |text, _, cx| {
            let mut d = Draft::new(0, Source::Sshd, Kind::SignIn);
            d.outcome = Outcome::Failure;
            d.user = cx.put_user("u");
            cx.emit(d);
            if text.starts_with("boom") {
                panic!("parser bug on {text}");
            }
            Ok(())
        });
        // The draft pushed before the panic is dropped; the lines around it are kept.
        assert_eq!(batch.drafts.len(), 2);
        assert_eq!(stats.records, 3);
        assert_eq!(stats.events, 2);
        assert_eq!(stats.problems.get(reason::INTERNAL), Some(&1));
        let p = &stats.first_problems[0];
        assert_eq!(p.line, 2);
        assert!(p.detail.contains("parser bug on boom"), "{}", p.detail);
        assert!(!p.detail.contains('\u{1b}'), "raw escape in {:?}", p.detail);
    }
}
