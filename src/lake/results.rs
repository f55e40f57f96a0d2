//! Loading a lake engine's answers back (issue 14 part 2): the rows of a
//! `hunt rules` query exported by Spark, Kusto or Elasticsearch become
//! findings to triage. Reads JSON lines (Spark `df.write.json`, `jq -c`), a
//! JSON array of objects, ES|QL's `{"columns": …, "values": …}` response, or
//! CSV with a header row (Kusto/Sentinel export, Spark CSV). Each row keeps
//! hunt's finding id (detector, entity, first seen: see
//! [`crate::finding::finding_id`]), so a verdict given to a lake finding
//! applies when `hunt scan` finds the same one later. Evidence event ids are
//! kept as references (the OCSF `metadata.uid` of `hunt events`). A bad row
//! is a problem with its line and reason; it never stops the others.

use crate::event::Millis;
use crate::finding::{finding_id, DetectorId};
use crate::ingest::time::{format_time, parse_time};
use serde_json::{json, Map, Value};

/// Evidence ids kept per finding.
pub const MAX_IDS: usize = 50;

/// One finding as a lake query returned it.
#[derive(Clone, Debug, PartialEq)]
pub struct LakeFinding {
    pub detector: DetectorId,
    pub entity: String,
    pub user: Option<String>,
    pub ip: Option<String>,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub event_count: u32,
    pub suppressed: bool,
    pub evidence_ids: Vec<String>,
}

impl LakeFinding {
    /// hunt's id for this finding (the same as `hunt scan` gives it).
    pub fn id(&self) -> String {
        finding_id(self.detector, &self.entity, self.first_seen)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id(),
            "detector": self.detector.as_str(),
            "entity": self.entity,
            "user": self.user,
            "ip": self.ip,
            "first_seen": format_time(self.first_seen),
            "last_seen": format_time(self.last_seen),
            "event_count": self.event_count,
            "suppressed": self.suppressed,
            "evidence_ids": self.evidence_ids,
        })
    }
}

/// A row that could not be read: 1-based line (CSV/JSON lines) or row number, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub findings: Vec<LakeFinding>,
    pub problems: Vec<Problem>,
    /// "jsonl", "json", "esql" or "csv".
    pub format: &'static str,
}

/// Reads an export, whatever its shape (see the module comment).
pub fn read(text: &str) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        // A whole JSON document (array, or the ES|QL response), else JSON lines.
        if let Ok(doc) = serde_json::from_str::<Value>(trimmed) {
            match doc {
                Value::Array(rows) => return rows_of(rows, "json"),
                Value::Object(o) if o.contains_key("columns") && o.contains_key("values") => {
                    return esql(&o)
                }
                Value::Object(o) => return rows_of(vec![Value::Object(o)], "jsonl"),
                _ => {}
            }
        }
        return jsonl(text);
    }
    csv(text)
}

fn rows_of(rows: Vec<Value>, format: &'static str) -> Loaded {
    let mut out = Loaded {
        format,
        ..Loaded::default()
    };
    for (i, row) in rows.into_iter().enumerate() {
        push(
            &mut out,
            i + 1,
            row.as_object()
                .ok_or("row is not an object".into())
                .and_then(from_object),
        );
    }
    out
}

fn push(out: &mut Loaded, line: usize, r: Result<LakeFinding, String>) {
    match r {
        Ok(f) => out.findings.push(f),
        Err(reason) => out.problems.push(Problem { line, reason }),
    }
}

fn jsonl(text: &str) -> Loaded {
    let mut out = Loaded {
        format: "jsonl",
        ..Loaded::default()
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => from_object(&o),
            Ok(_) => Err("line is not a JSON object".into()),
            Err(e) => Err(format!("not JSON: {e}")),
        };
        push(&mut out, i + 1, r);
    }
    out
}

fn esql(o: &Map<String, Value>) -> Loaded {
    let mut out = Loaded {
        format: "esql",
        ..Loaded::default()
    };
    let names: Vec<String> = o
        .get("columns")
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = o
        .get("values")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, row) in rows.iter().enumerate() {
        let r = match row.as_array() {
            Some(vals) => {
                let obj: Map<String, Value> =
                    names.iter().cloned().zip(vals.iter().cloned()).collect();
                from_object(&obj)
            }
            None => Err("row is not an array of values".into()),
        };
        push(&mut out, i + 1, r);
    }
    out
}

/// A value as text (numbers and booleans too); `None` when null or empty.
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Array(a) if a.len() == 1 => return text(a.first()),
        other => other.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

fn time(o: &Map<String, Value>, key: &str) -> Result<Option<Millis>, String> {
    match o.get(key) {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("`{key}` is not a time")),
        v => match text(v) {
            None => Ok(None),
            Some(s) => parse_time(&s)
                .map(Some)
                .ok_or_else(|| format!("`{key}` is not a time: {}", shorten(&s))),
        },
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

fn from_object(o: &Map<String, Value>) -> Result<LakeFinding, String> {
    let det = text(o.get("detector")).ok_or("no `detector`")?;
    let detector = DetectorId::from_name(&det)
        .ok_or_else(|| format!("unknown detector `{}`", shorten(&det)))?;
    // Not trimmed: hunt's entity can end in a space (an inbox rule without a name).
    let entity = match o.get("entity") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        v => text(v).ok_or("no `entity`")?,
    };
    let first_seen = time(o, "first_seen")?.ok_or("no `first_seen`")?;
    let last_seen = time(o, "last_seen")?.unwrap_or(first_seen).max(first_seen);
    let event_count = match o.get("event_count") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0).min(u64::from(u32::MAX)) as u32,
        v => match text(v) {
            None => 0,
            Some(s) => s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(|x| x.min(f64::from(u32::MAX)) as u32)
                .ok_or_else(|| format!("`event_count` is not a number: {}", shorten(&s)))?,
        },
    };
    let suppressed = match o.get("suppressed") {
        Some(Value::Bool(b)) => *b,
        v => matches!(
            text(v).map(|s| s.to_ascii_lowercase()).as_deref(),
            Some("true" | "1" | "yes")
        ),
    };
    Ok(LakeFinding {
        detector,
        entity,
        user: text(o.get("user")),
        ip: text(o.get("ip")),
        first_seen,
        last_seen,
        event_count,
        suppressed,
        evidence_ids: ids(o.get("evidence_ids")),
    })
}

/// Evidence ids: a JSON array, the text of one, or ids separated by
/// commas, semicolons or spaces (what a CSV export makes of an array).
fn ids(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim().trim_matches('"').trim();
        if !s.is_empty() && out.len() < MAX_IDS && !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    };
    match v {
        Some(Value::Array(a)) => {
            for x in a {
                match x {
                    Value::String(s) => add(s),
                    Value::Array(inner) => {
                        inner.iter().filter_map(Value::as_str).for_each(&mut add)
                    }
                    Value::Null => {}
                    other => add(&other.to_string()),
                }
            }
        }
        Some(Value::String(s)) => {
            let t = s.trim();
            if t.starts_with('[') {
                if let Ok(Value::Array(a)) = serde_json::from_str::<Value>(t) {
                    return ids(Some(&Value::Array(a)));
                }
            }
            t.trim_matches(['[', ']'])
                .split([',', ';', ' ', '\t', '\n'])
                .for_each(add);
        }
        _ => {}
    }
    out
}

/// CSV with a header row naming the columns. Two dialects are in use:
/// RFC 4180 (Kusto, Sentinel, Excel: a quote inside a quoted field is
/// doubled) and Spark's default writer (`df.write.csv`: a quote inside a
/// quoted field is escaped with a backslash, so a `to_json` array arrives
/// as `"[\"a\",\"b\"]"`). The file is read both ways and the reading with
/// fewer bad rows is kept; on a tie, the one whose fields hold fewer
/// backslash-quote pairs (what the wrong dialect leaves behind), then RFC 4180.
fn csv(text: &str) -> Loaded {
    let rfc = csv_dialect(text, Dialect::Rfc4180);
    if !text.contains("\\\"") {
        return rfc.0;
    }
    let spark = csv_dialect(text, Dialect::Backslash);
    let score = |l: &(Loaded, usize)| (l.0.problems.len(), l.1);
    if score(&spark) < score(&rfc) {
        spark.0
    } else {
        rfc.0
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Rfc4180,
    Backslash,
}

/// The rows of one CSV dialect, and how many fields still hold `\"`.
fn csv_dialect(text: &str, dialect: Dialect) -> (Loaded, usize) {
    let mut out = Loaded {
        format: "csv",
        ..Loaded::default()
    };
    let mut stray = 0usize;
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(false).flexible(true);
    if dialect == Dialect::Backslash {
        builder.double_quote(false).escape(Some(b'\\'));
    }
    let mut reader = builder.from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text.as_bytes());
    loop {
        let before = reader.position().byte();
        let read = reader.read_record(&mut record);
        // The line the record starts on, counted from its byte offset (the
        // reader's own line count lags a record behind on CRLF files).
        let start = record.position().map_or(before, csv::Position::byte);
        let line = lines.line_at(usize::try_from(start).unwrap_or(usize::MAX));
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.problems.push(Problem {
                    line,
                    reason: format!("not CSV: {}", shorten(&e.to_string())),
                });
                // A broken byte sequence or quote: the reader resumes at the next record.
                continue;
            }
        }
        let Some(names) = header.as_ref() else {
            let names: Vec<String> = record
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect();
            if !names.iter().any(|h| h == "detector") {
                out.problems.push(Problem {
                    line: 1,
                    reason: "no header row with a `detector` column (CSV needs a header)".into(),
                });
                return (out, stray);
            }
            header = Some(names);
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        stray += record.iter().filter(|f| f.contains("\\\"")).count();
        if record.len() != names.len() {
            out.problems.push(Problem {
                line,
                reason: format!("{} fields, the header has {}", record.len(), names.len()),
            });
            continue;
        }
        let obj: Map<String, Value> = names
            .iter()
            .cloned()
            .zip(record.iter().map(|f| Value::String(f.to_string())))
            .collect();
        push(&mut out, line, from_object(&obj));
    }
    (out, stray)
}

/// 1-based line numbers of byte offsets, asked in increasing order.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line of the first byte at or after `offset` that is not a line break.
    fn line_at(&mut self, offset: usize) -> usize {
        let mut end = offset.min(self.bytes.len());
        while matches!(self.bytes.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        if end > self.at {
            let seen = self.bytes.get(self.at..end).unwrap_or_default();
            self.line += memchr::memchr_iter(b'\n', seen).count();
            self.at = end;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_rows_keep_hunt_ids_and_evidence() {
        let text = r#"{"detector":"password_spray","entity":"203.0.113.9","user":null,"ip":"203.0.113.9","first_seen":"2026-01-05T10:00:00.000Z","last_seen":"2026-01-05T10:20:00.000Z","event_count":25,"suppressed":false,"evidence_ids":["a","b","a"]}
not json
{"detector":"nope","entity":"x","first_seen":"2026-01-05T10:00:00Z"}
"#;
        let l = read(text);
        assert_eq!(l.format, "jsonl");
        assert_eq!(l.findings.len(), 1);
        let f = &l.findings[0];
        assert_eq!(f.evidence_ids, vec!["a", "b"]);
        assert_eq!(f.event_count, 25);
        let t = parse_time("2026-01-05T10:00:00Z").unwrap();
        assert_eq!(
            f.id(),
            finding_id(DetectorId::PasswordSpray, "203.0.113.9", t)
        );
        assert_eq!(l.problems.len(), 2);
        assert_eq!(l.problems[0].line, 2);
        assert!(l.problems[1].reason.contains("unknown detector"));
    }

    #[test]
    fn csv_with_quotes_and_array_text() {
        let text = "detector,entity,user,ip,first_seen,last_seen,event_count,suppressed,evidence_ids\r\n\
credential_stuffing,alice@contoso.com,alice@contoso.com,1.2.3.4,2026-01-05 10:00:00.000,2026-01-05 10:05:00,6,false,\"[\"\"e1\"\",\"\"e2\"\"]\"\r\n\
inbox_rule,\"bob@x.com New-InboxRule ,,\",bob@x.com,,1767607200000,,1,False,e9;e10\r\n\
inbox_rule,short\r\n";
        let l = read(text);
        assert_eq!(l.format, "csv");
        assert_eq!(l.findings.len(), 2, "{:?}", l.problems);
        assert_eq!(l.findings[0].evidence_ids, vec!["e1", "e2"]);
        assert_eq!(l.findings[1].entity, "bob@x.com New-InboxRule ,,");
        let spaced = read(r#"{"detector":"inbox_rule","entity":"u Set-Mailbox ","first_seen":1}"#);
        assert_eq!(
            spaced.findings[0].entity, "u Set-Mailbox ",
            "the entity keeps its spaces"
        );
        assert_eq!(l.findings[1].first_seen, 1767607200000);
        assert_eq!(l.findings[1].evidence_ids, vec!["e9", "e10"]);
        assert_eq!(
            l.problems,
            vec![Problem {
                line: 4,
                reason: "2 fields, the header has 9".into()
            }]
        );
    }

    #[test]
    fn spark_default_csv_with_backslash_escaped_quotes() {
        // What `df.withColumn("evidence_ids", to_json(col("evidence_ids"))).write.csv(…, header=True)`
        // writes: quotes inside a quoted field escaped with `\`, times with the session's offset.
        let text = "detector,entity,user,ip,first_seen,last_seen,event_count,suppressed,evidence_ids\n\
password_spray,203.0.113.9,,203.0.113.9,2026-01-05T05:00:00.000-05:00,2026-01-05T05:20:00.000-05:00,25,false,\"[\\\"a.log:10\\\",\\\"a.log:99\\\"]\"\n\
credential_stuffing,alice@contoso.com,alice@contoso.com,1.2.3.4,2026-01-05T05:00:00.000-05:00,,6,true,\"[\\\"b.log:1\\\"]\"\n\
inbox_rule,\"bob \\\"quoted\\\" rule, with comma\",bob@x.com,,2026-01-05T10:00:00.000Z,,1,false,\n";
        let l = read(text);
        assert_eq!(l.format, "csv");
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(l.findings.len(), 3);
        assert_eq!(l.findings[0].evidence_ids, vec!["a.log:10", "a.log:99"]);
        assert_eq!(
            l.findings[0].first_seen,
            parse_time("2026-01-05T10:00:00Z").unwrap()
        );
        assert_eq!(l.findings[1].evidence_ids, vec!["b.log:1"]);
        assert!(l.findings[1].suppressed);
        assert_eq!(l.findings[2].entity, "bob \"quoted\" rule, with comma");
        // The same rows in RFC 4180 give the same findings.
        let rfc = text.replace("\\\"", "\"\"");
        let r = read(&rfc);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.findings, l.findings);
    }

    #[test]
    fn esql_response_and_json_array() {
        let text = r#"{"columns":[{"name":"detector","type":"keyword"},{"name":"entity","type":"keyword"},{"name":"first_seen","type":"date"},{"name":"evidence_ids","type":"keyword"}],
"values":[["bulk_send","carol@x.com","2026-01-05T10:00:00.000Z",["i1","i2"]],["bulk_send","dave@x.com","2026-01-05T11:00:00.000Z","i3"]]}"#;
        let l = read(text);
        assert_eq!(l.format, "esql");
        assert_eq!(l.findings.len(), 2);
        assert_eq!(l.findings[0].evidence_ids, vec!["i1", "i2"]);
        assert_eq!(l.findings[1].evidence_ids, vec!["i3"]);
        let arr = read(r#"[{"detector":"legacy_auth","entity":"e","first_seen":1767607200000}]"#);
        assert_eq!(arr.format, "json");
        assert_eq!(arr.findings[0].first_seen, 1767607200000);
    }

    #[test]
    fn csv_without_header_is_one_problem() {
        let l = read("credential_stuffing,a,b\n");
        assert!(l.findings.is_empty());
        assert_eq!(l.problems.len(), 1);
    }
}
