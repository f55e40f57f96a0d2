//! One Kafka message's payload read as records: one JSON record, an array,
//! a `{"records":[…]}` batch (Event Hubs diagnostic settings), or several
//! of these one after another (JSON lines), optionally gzip-compressed by
//! the producer (on top of any compression the protocol itself applied,
//! which the client undoes). Each record goes through the same per-record
//! sniffing and parsing as a file's (Entra, Okta, CloudTrail, M365, …).
//!
//! A record's origin is its message: `offset` is the Kafka offset and
//! `line` the record's place in the message (1-based), so a problem reads
//! "offset 1234, record 3" and evidence points back into the topic.

use crate::event::Batch;
use crate::ingest::decode::document_piece_as;
use crate::ingest::document::{DocScanner, Piece};
use crate::ingest::stats::FileStats;
use crate::ingest::{reason, Format};
use std::io::Read;

/// gzip's magic bytes.
const GZIP: [u8; 2] = [0x1f, 0x8b];

/// Parses one message's `payload` (at `offset`) into `batch`, counting in
/// `stats` what it cannot read. `max` bounds the payload after gzip.
pub fn decode(
    payload: &[u8],
    file: u32,
    offset: i64,
    max: u64,
    forced: Option<Format>,
    batch: &mut Batch,
    stats: &mut FileStats,
) {
    let at = u64::try_from(offset).unwrap_or(0);
    stats.bytes_read += payload.len() as u64;
    let inflated;
    let doc: &[u8] = if payload.starts_with(&GZIP) {
        match gunzip(payload, max) {
            Ok(d) => {
                inflated = d;
                &inflated
            }
            Err((why, detail)) => {
                stats.records += 1;
                stats.problem(0, at, why, format!("message at offset {offset}: {detail}"));
                return;
            }
        }
    } else if payload.len() as u64 > max {
        stats.records += 1;
        stats.problem(
            0,
            at,
            reason::RECORD_TOO_LONG,
            format!(
                "message at offset {offset} holds {} bytes (limit {max}, [kafka] max_message_bytes)",
                payload.len()
            ),
        );
        return;
    } else {
        payload
    };
    let mut scanner = DocScanner::new(usize::try_from(max).unwrap_or(usize::MAX));
    let mut take = |p: Piece| {
        // The message is the place: its offset, the record's rank in it.
        let p = match p {
            Piece::Record {
                raw,
                format,
                ordinal,
                ..
            } => Piece::Record {
                raw,
                offset: at,
                line: u32::try_from(ordinal).unwrap_or(u32::MAX),
                format,
                ordinal,
            },
            Piece::Problem { reason, detail, .. } => Piece::Problem {
                offset: at,
                line: 0,
                reason,
                detail: format!("message at offset {offset}: {detail}"),
            },
        };
        document_piece_as(p, file, forced, batch, stats)
    };
    scanner.feed(doc, &mut take);
    scanner.finish(&mut take);
}

/// Inflates a gzip payload (concatenated members too), at most `max` bytes.
fn gunzip(payload: &[u8], max: u64) -> Result<Vec<u8>, (&'static str, String)> {
    let mut out = Vec::new();
    let mut dec = flate2::read::MultiGzDecoder::new(payload).take(max.saturating_add(1));
    dec.read_to_end(&mut out)
        .map_err(|e| (reason::CORRUPT_GZIP, e.to_string()))?;
    if out.len() as u64 > max {
        return Err((
            reason::INPUT_LIMIT,
            format!("gzip payload expands past {max} bytes ([kafka] max_message_bytes)"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SIGNIN: &str = r#"{"createdDateTime":"2026-03-01T10:00:00Z","userPrincipalName":"a@x.example","ipAddress":"203.0.113.9","id":"ID","status":{"errorCode":50126},"appDisplayName":"Office"}"#;

    fn parse(payload: &[u8]) -> (Batch, FileStats) {
        let mut batch = Batch::default();
        let mut stats = FileStats::default();
        decode(payload, 0, 42, 1 << 20, None, &mut batch, &mut stats);
        (batch, stats)
    }

    fn signin(id: u32) -> String {
        SIGNIN.replace("\"ID\"", &format!("\"id-{id}\""))
    }

    #[test]
    fn one_record_an_array_a_records_batch_and_lines() {
        let shapes = [
            (signin(1), 1),
            (format!("[{},{}]", signin(1), signin(2)), 2),
            (
                format!(
                    "{{\"records\":[{},{},{}]}}",
                    signin(1),
                    signin(2),
                    signin(3)
                ),
                3,
            ),
            (format!("{}\n{}\n", signin(1), signin(2)), 2),
        ];
        for (payload, n) in shapes {
            let (batch, stats) = parse(payload.as_bytes());
            assert_eq!(stats.records, n, "{payload}");
            assert_eq!(stats.kept, n, "{payload} {stats:?}");
            assert_eq!(batch.drafts.len() as u64, n);
            assert!(batch.drafts.iter().all(|d| d.origin.offset == 42));
        }
    }

    #[test]
    fn gzip_payloads_and_their_damage() {
        let body = format!("{{\"records\":[{},{}]}}", signin(1), signin(2));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let (batch, stats) = parse(&gz);
        assert_eq!((stats.records, batch.drafts.len()), (2, 2));
        let cut = gz.get(..gz.len() / 2).unwrap();
        let (batch, stats) = parse(cut);
        assert_eq!(batch.drafts.len(), 0);
        assert_eq!(stats.problems.get(reason::CORRUPT_GZIP), Some(&1));
        let mut small = Batch::default();
        let mut st = FileStats::default();
        decode(&gz, 0, 7, 10, None, &mut small, &mut st);
        assert_eq!(st.problems.get(reason::INPUT_LIMIT), Some(&1));
    }

    #[test]
    fn garbage_is_counted_not_fatal() {
        let (batch, stats) = parse(b"\x00\x01not json at all");
        assert_eq!(batch.drafts.len(), 0);
        assert!(stats.problems.values().sum::<u64>() >= 1, "{stats:?}");
        let p = stats.first_problems.first().unwrap();
        assert!(p.detail.contains("offset 42"), "{}", p.detail);
    }
}
