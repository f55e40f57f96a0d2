//! Recognising formats from content (never from file names) and walking JSON
//! containers. A file is one of: NDJSON (one record per line), a JSON
//! document (array, `{"value":[…]}`, `{"records":[…]}`, `{"Records":[…]}`,
//! Panther `{"tests":[…]}`, or one pretty-printed record), sshd syslog text,
//! native evtx or Windows Event XML. Each JSON record is classified by its keys.

use super::document::{DocScanner, Piece};
use super::{reason, Format, Reject};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// How a file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One JSON record per line; `Some` when the first record's format is known.
    JsonLines(Option<Format>),
    /// A whole JSON document, streamed record by record (see `document`).
    JsonDocument,
    /// sshd / syslog text, line by line.
    Syslog,
    /// `journalctl -o json` entries, line by line (read in order, like syslog).
    Journal,
    /// Native Windows event log.
    Evtx,
    /// Windows Event XML: `<Event>` elements, with or without an `<Events>` root.
    EventXml,
    /// Not something `hunt` reads; the reason says what it looks like.
    Unsupported(&'static str),
}

const EVTX_MAGIC: &[u8] = b"ElfFile\0";

/// What a file that starts with a UTF-16 byte order mark is reported as.
pub const UTF16: &str = "UTF-16 text, convert to UTF-8";

/// Decides the layout from the first bytes of a (decompressed) file.
pub fn sniff(head: &[u8]) -> Layout {
    if head.starts_with(EVTX_MAGIC) {
        return Layout::Evtx;
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Layout::Unsupported(UTF16);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Layout::Unsupported("zip archive (unzip it first)");
    }
    let (_, body) = super::decode::strip_boms(head);
    let body = body.trim_ascii_start();
    let Some(&open) = body.first() else {
        return Layout::Unsupported("empty file");
    };
    if open == b'{' || open == b'[' {
        let first = match memchr::memchr(b'\n', body) {
            Some(end) => body.get(..end).unwrap_or(body),
            None => body,
        };
        let first = std::str::from_utf8(first).ok();
        if open == b'{' {
            if let Some(line) = first {
                if serde_json::from_str::<IgnoredAny>(line).is_ok() {
                    if is_container(line) {
                        return Layout::JsonDocument;
                    }
                    if super::journald::is_entry(line) {
                        return Layout::Journal;
                    }
                    return Layout::JsonLines(classify_record(line));
                }
            }
        }
        return Layout::JsonDocument;
    }
    if super::windows_xml::looks_like_event_xml(body) {
        return Layout::EventXml;
    }
    let sample = body.get(..8192).unwrap_or(body);
    let text_ratio = sample
        .iter()
        .filter(|&&b| {
            b == b'\n' || b == b'\t' || b == b'\r' || (0x20..0x7f).contains(&b) || b >= 0x80
        })
        .count() as f64
        / sample.len() as f64;
    if sample.contains(&0) || text_ratio < 0.95 {
        return Layout::Unsupported(reason::BINARY);
    }
    let text = String::from_utf8_lossy(sample);
    let lines: Vec<&str> = text.lines().take(20).collect();
    if lines.iter().any(|l| super::sshd::looks_like_syslog(l)) {
        return Layout::Syslog;
    }
    if lines.first().is_some_and(|l| l.matches(',').count() >= 3) {
        return Layout::Unsupported("CSV (export as JSON instead)");
    }
    Layout::Unsupported("unrecognised text")
}

/// True when a one-line JSON object is a container of records rather than a record.
fn is_container(line: &str) -> bool {
    #[derive(Deserialize)]
    struct C {
        #[serde(default)]
        value: Option<IgnoredAny>,
        #[serde(default)]
        records: Option<IgnoredAny>,
        #[serde(default, rename = "Records")]
        records_upper: Option<IgnoredAny>,
        #[serde(default)]
        tests: Option<IgnoredAny>,
        #[serde(default)]
        expected: Option<IgnoredAny>,
    }
    serde_json::from_str::<C>(line).is_ok_and(|c| {
        c.value.is_some()
            || c.records.is_some()
            || c.records_upper.is_some()
            || c.tests.is_some()
            || c.expected.is_some()
    })
}

/// A document's record format (when the container says it) and its records with byte offsets.
pub type DocumentRecords<'a> = (Option<Format>, Vec<(&'a str, usize)>);

/// The records of a JSON document with their byte offsets in `doc` and the
/// format the container declares (of its first records array); an error for
/// the first problem (a cut, a record nested too deep). A Panther test file
/// yields its tests (each parsed by the Panther parser).
pub fn document_records(doc: &str) -> Result<DocumentRecords<'_>, Reject> {
    let mut scanner = DocScanner::new(usize::MAX);
    let mut format = None;
    let mut spans = Vec::new();
    let mut problem = None;
    let mut take = |p: Piece| match p {
        Piece::Record {
            raw,
            offset,
            format: f,
            ..
        } => {
            if spans.is_empty() {
                format = f;
            }
            spans.push((offset as usize, raw.len()));
        }
        Piece::Problem { reason, detail, .. } => {
            problem.get_or_insert(Reject::Problem(reason, detail));
        }
    };
    scanner.feed(doc.as_bytes(), &mut take);
    scanner.finish(&mut take);
    if let Some(p) = problem {
        return Err(p);
    }
    let records = spans
        .into_iter()
        .filter_map(|(at, len)| doc.get(at..at + len).map(|raw| (raw, at)))
        .collect();
    Ok((format.or(scanner.declared_format()), records))
}

/// Presence of the keys that tell formats apart. Every field is optional and
/// nothing is decoded beyond presence, so probing is cheap and never fails on
/// types. Panther's lower-cased spellings are accepted as aliases.
#[derive(Deserialize, Default)]
struct Probe {
    #[serde(rename = "TimeGenerated", default)]
    time_generated: Option<IgnoredAny>,
    #[serde(rename = "UserPrincipalName", default)]
    upn: Option<IgnoredAny>,
    #[serde(rename = "ResultType", default)]
    result_type: Option<IgnoredAny>,
    #[serde(rename = "OperationName", default)]
    operation_name: Option<IgnoredAny>,
    #[serde(rename = "EventID", alias = "EventId", default)]
    event_id: Option<IgnoredAny>,
    #[serde(rename = "EventTime", default)]
    event_time_nx: Option<IgnoredAny>,
    #[serde(rename = "EventReceivedTime", default)]
    received_time_nx: Option<IgnoredAny>,
    #[serde(rename = "Operation", alias = "operation", default)]
    operation: Option<IgnoredAny>,
    #[serde(rename = "CreationTime", alias = "creationtime", default)]
    creation_time: Option<IgnoredAny>,
    #[serde(rename = "createdDateTime", default)]
    created: Option<IgnoredAny>,
    #[serde(rename = "userPrincipalName", default)]
    upn_camel: Option<IgnoredAny>,
    #[serde(default)]
    category: Option<IgnoredAny>,
    #[serde(default)]
    properties: Option<IgnoredAny>,
    #[serde(default)]
    published: Option<IgnoredAny>,
    #[serde(rename = "eventType", alias = "eventtype", default)]
    event_type: Option<IgnoredAny>,
    #[serde(default)]
    winlog: Option<IgnoredAny>,
    #[serde(rename = "@timestamp", default)]
    at_timestamp: Option<IgnoredAny>,
    #[serde(default)]
    event: Option<IgnoredAny>,
    #[serde(rename = "eventSource", alias = "eventsource", default)]
    event_source: Option<IgnoredAny>,
    #[serde(rename = "eventName", alias = "eventname", default)]
    event_name: Option<IgnoredAny>,
    #[serde(rename = "Log", default)]
    panther_log: Option<IgnoredAny>,
    #[serde(rename = "ExpectedResult", default)]
    panther_expected: Option<IgnoredAny>,
}

/// Classifies one JSON record by its keys; `None` when no format fits.
pub fn classify_record(raw: &str) -> Option<Format> {
    let p: Probe = match serde_json::from_str(raw) {
        Ok(p) => p,
        Err(e) if e.to_string().contains("duplicate field") => {
            serde_json::from_str(&dedup_keys(raw)?).ok()?
        }
        Err(_) => return None,
    };
    let has = |o: &Option<IgnoredAny>| o.is_some();
    Some(if has(&p.panther_log) && has(&p.panther_expected) {
        Format::PantherTests
    } else if has(&p.event_source) && has(&p.event_name) {
        // eventTime may have been renamed to @timestamp by Logstash.
        Format::CloudTrail
    } else if has(&p.category) && has(&p.properties) {
        Format::EntraDiagnostic
    } else if has(&p.created) && has(&p.upn_camel) {
        Format::GraphSignin
    } else if has(&p.winlog) {
        Format::Winlogbeat
    } else if has(&p.event_id) && has(&p.time_generated) {
        Format::SentinelSecurityEvent
    } else if has(&p.event_id) && (has(&p.event_time_nx) || has(&p.received_time_nx)) {
        Format::WindowsNxlog
    } else if has(&p.operation) && has(&p.creation_time) && !has(&p.time_generated) {
        Format::UnifiedAudit
    } else if has(&p.operation) && has(&p.time_generated) {
        Format::OfficeActivity
    } else if has(&p.time_generated)
        && (has(&p.upn) || has(&p.result_type) || has(&p.operation_name))
    {
        // Other Entra tables (AuditLogs) reach the sign-in parser, which ignores them.
        Format::SentinelSignin
    } else if has(&p.published) && has(&p.event_type) {
        Format::Okta
    } else if has(&p.at_timestamp) && has(&p.event) {
        Format::Ecs
    } else {
        return None;
    })
}

/// The rejection for a record no format fits: a known record kind that hunt
/// does not use (ignored by name), malformed JSON, or an unknown shape.
pub fn reject_unclassified(raw: &str) -> Reject {
    match serde_json::from_str::<Unused>(raw) {
        Ok(u) => match u.kind() {
            Some(why) => Reject::Ignored(why),
            None => {
                let keys = top_keys(raw);
                Reject::problem(reason::UNKNOWN_SHAPE, format!("keys: {keys}"))
            }
        },
        Err(_) => match serde_json::from_str::<IgnoredAny>(raw) {
            Err(e) => Reject::problem(reason::MALFORMED_JSON, e.to_string()),
            Ok(_) => {
                let keys = top_keys(raw);
                Reject::problem(reason::UNKNOWN_SHAPE, format!("keys: {keys}"))
            }
        },
    }
}

/// Keys of record kinds that share a source with what hunt reads but carry
/// no sign-in or audited change of its own: Graph risk detections and
/// directory audits, Sentinel tables by `Type`, CloudTrail Insights.
#[derive(Deserialize, Default)]
struct Unused {
    #[serde(rename = "Type", default)]
    table: Option<String>,
    #[serde(rename = "riskEventType", alias = "RiskEventType", default)]
    risk_event_type: Option<IgnoredAny>,
    #[serde(rename = "detectedDateTime", alias = "DetectedDateTime", default)]
    detected: Option<IgnoredAny>,
    #[serde(rename = "activityDisplayName", alias = "ActivityDisplayName", default)]
    activity: Option<IgnoredAny>,
    #[serde(rename = "loggedByService", alias = "LoggedByService", default)]
    logged_by: Option<IgnoredAny>,
    #[serde(rename = "insightDetails", default)]
    insight: Option<IgnoredAny>,
    #[serde(rename = "eventCategory", default)]
    event_category: Option<String>,
    #[serde(rename = "requestUri", alias = "RequestUri", default)]
    request_uri: Option<IgnoredAny>,
}

impl Unused {
    fn kind(&self) -> Option<&'static str> {
        if let Some(t) = self.table.as_deref() {
            if let Some(why) = super::entra::unused_entra_kind(t) {
                return Some(why);
            }
        }
        if self.insight.is_some()
            || self
                .event_category
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("insight"))
        {
            Some("CloudTrail Insights event (a rate anomaly, not an API call)")
        } else if self.risk_event_type.is_some() && self.detected.is_some() {
            super::entra::unused_entra_kind("UserRiskEvents")
        } else if self.activity.is_some() && self.logged_by.is_some() {
            super::entra::unused_entra_kind("AuditLogs")
        } else if self.request_uri.is_some() {
            super::entra::unused_entra_kind("MicrosoftGraphActivityLogs")
        } else {
            None
        }
    }
}

fn top_keys(raw: &str) -> String {
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw)
        .map(|m| m.keys().take(8).cloned().collect())
        .unwrap_or_default();
    if keys.is_empty() {
        "(not an object)".into()
    } else {
        keys.join(", ")
    }
}

/// Re-serialises a JSON object so that duplicate keys keep their last value
/// (Graph pages carry duplicates; serde's typed decoding refuses them).
pub fn dedup_keys(raw: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(raw).ok()?;
    serde_json::to_string(&v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        assert_eq!(sniff(b"ElfFile\0rest"), Layout::Evtx);
        assert_eq!(
            sniff(b"PK\x03\x04xx"),
            Layout::Unsupported("zip archive (unzip it first)")
        );
        assert_eq!(sniff(b"   \n"), Layout::Unsupported("empty file"));
        assert_eq!(sniff(b"[\n{\"a\":1}\n]"), Layout::JsonDocument);
        assert_eq!(sniff(b"{\n  \"value\": []\n}"), Layout::JsonDocument);
        assert_eq!(sniff(b"{\"value\":[]}\n"), Layout::JsonDocument);
        assert_eq!(
            sniff(b"{\"TimeGenerated\":\"x\",\"ResultType\":\"0\"}\n{}"),
            Layout::JsonLines(Some(Format::SentinelSignin))
        );
        assert_eq!(
            sniff(b"\x00\x01\x02\x03binary"),
            Layout::Unsupported(reason::BINARY)
        );
    }

    #[test]
    fn layouts_at_the_edges() {
        let empty = Layout::Unsupported("empty file");
        assert_eq!(sniff(b""), empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF"), empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF \t\r\n\x0C"), empty);
        // A BOM and blank lines before one-line records.
        assert_eq!(
            sniff(b"\xEF\xBB\xBF\n\n  {\"TimeGenerated\":\"x\",\"ResultType\":\"0\"}"),
            Layout::JsonLines(Some(Format::SentinelSignin))
        );
        assert_eq!(sniff(b"\n{"), Layout::JsonDocument);
        assert_eq!(sniff(b"{\xFF\n"), Layout::JsonDocument);
        // Only the first 8 KiB are weighed: binary after them does not count.
        let mut text = b"hello, world, again, and again\n".repeat(300);
        text.extend([0u8; 64]);
        assert_eq!(
            sniff(&text),
            Layout::Unsupported("CSV (export as JSON instead)")
        );
        assert_eq!(sniff(b"x"), Layout::Unsupported("unrecognised text"));
    }

    #[test]
    fn classifies_records() {
        let c = |s: &str| classify_record(s);
        assert_eq!(
            c(r#"{"createdDateTime":"x","userPrincipalName":"a"}"#),
            Some(Format::GraphSignin)
        );
        assert_eq!(
            c(r#"{"time":"x","category":"SignInLogs","properties":{}}"#),
            Some(Format::EntraDiagnostic)
        );
        assert_eq!(
            c(r#"{"published":"x","eventType":"user.session.start"}"#),
            Some(Format::Okta)
        );
        assert_eq!(
            c(r#"{"eventTime":"x","eventSource":"s","eventName":"n"}"#),
            Some(Format::CloudTrail)
        );
        assert_eq!(
            c(r#"{"CreationTime":"x","Operation":"Send"}"#),
            Some(Format::UnifiedAudit)
        );
        assert_eq!(
            c(r#"{"TimeGenerated":"x","Operation":"Send"}"#),
            Some(Format::OfficeActivity)
        );
        assert_eq!(c(r#"{"@timestamp":"x","event":{}}"#), Some(Format::Ecs));
        assert_eq!(c(r#"{"winlog":{}}"#), Some(Format::Winlogbeat));
        assert_eq!(c(r#"{"hello":1}"#), None);
        assert_eq!(
            c(
                r#"{"createdDateTime":"x","userPrincipalName":"a","homeTenantId":"1","homeTenantId":"2"}"#
            ),
            Some(Format::GraphSignin)
        );
    }

    #[test]
    fn walks_containers_with_offsets() {
        let doc = "{\"value\":[{\"a\":1},\n {\"b\":2}]}";
        let (_, recs) = document_records(doc).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(&doc[recs[1].1..recs[1].1 + recs[1].0.len()], "{\"b\":2}");
        let (f, _) = document_records("{\"Records\":[]}").unwrap();
        assert_eq!(f, Some(Format::CloudTrail));
        assert!(document_records("{\"value\":[").is_err());
    }
}
