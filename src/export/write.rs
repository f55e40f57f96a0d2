//! Writing ordered rows in the chosen `hunt events` format. Text formats
//! go through [`crate::sanitize`] (JSON: `\uXXXX` escapes; CSV: neutralised
//! and formula-defused cells, as `hunt scan` does for findings); Parquet
//! keeps the values as they are (it never reaches a terminal as text).

use super::model::{self, Ordered, Val, COLUMNS};
use super::ocsf::ocsf;
use super::parquet::ParquetOut;
use super::row::Row;
use super::Names;
use crate::event::Kind;
use crate::report::csv_field;
use crate::sanitize::JsonEscaper;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::io::{self, Write};

/// `hunt events --output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    Jsonl,
    Csv,
    Ocsf,
    Parquet,
    Timesketch,
}

/// Findings an event is evidence of, by the event's arrival number: (id, detector).
pub type EvidenceMap = FxHashMap<u64, Vec<(String, &'static str)>>;

/// An output being written.
pub enum Writer<W: Write + Send> {
    Jsonl(W),
    Csv(W),
    Ocsf(W),
    Parquet(Box<ParquetOut<W>>),
    Timesketch(W, EvidenceMap),
}

fn json_line<W: Write>(out: &mut W, value: &impl Serialize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, JsonEscaper);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

impl<W: Write + Send> Writer<W> {
    /// A writer of `format` to `out` (the CSV header is written now).
    pub fn new(format: EventsFormat, mut out: W, evidence: EvidenceMap) -> anyhow::Result<Self> {
        Ok(match format {
            EventsFormat::Jsonl => Writer::Jsonl(out),
            EventsFormat::Csv => {
                writeln!(out, "{}", COLUMNS.join(","))?;
                Writer::Csv(out)
            }
            EventsFormat::Ocsf => Writer::Ocsf(out),
            EventsFormat::Parquet => Writer::Parquet(Box::new(ParquetOut::new(out)?)),
            EventsFormat::Timesketch => Writer::Timesketch(out, evidence),
        })
    }

    pub fn write(&mut self, row: &Row, names: &Names) -> anyhow::Result<()> {
        match self {
            Writer::Jsonl(out) => json_line(out, &model::object(row, names))?,
            Writer::Csv(out) => {
                let cells: Vec<String> = model::columns(row, names)
                    .iter()
                    .map(|v| csv_field(&model::cell(v)))
                    .collect();
                writeln!(out, "{}", cells.join(","))?;
            }
            Writer::Ocsf(out) => json_line(out, &ocsf(row, names))?,
            Writer::Parquet(p) => p.push(&ocsf(row, names))?,
            Writer::Timesketch(out, evidence) => {
                let found = evidence.get(&row.seq);
                json_line(out, &timesketch(row, names, found.map(Vec::as_slice)))?
            }
        }
        Ok(())
    }

    /// Ends the output (the Parquet footer) and flushes it.
    pub fn finish(self) -> anyhow::Result<()> {
        let mut out = match self {
            Writer::Jsonl(o) | Writer::Csv(o) | Writer::Ocsf(o) | Writer::Timesketch(o, _) => o,
            Writer::Parquet(p) => p.finish()?,
        };
        out.flush()?;
        Ok(())
    }
}

/// A Timesketch line: `message`, `datetime`, `timestamp_desc`, every model
/// column, then the findings the event is evidence of and their detectors.
pub fn timesketch<'a>(
    row: &'a Row,
    names: &'a Names,
    findings: Option<&[(String, &'static str)]>,
) -> Ordered<'a> {
    let e = &row.ev;
    let desc = match e.kind {
        Kind::SignIn => "Sign-in",
        Kind::Audit => "Audit operation",
        Kind::ApiCall => "API call",
    };
    let mut msg = format!("{} {}", e.kind.as_str(), e.outcome.as_str());
    for (label, v) in [
        ("", e.operation.as_str()),
        ("user ", e.user.as_str()),
        ("from ", e.ip.as_str()),
        ("in ", e.country.as_str()),
        ("app ", e.app.as_str()),
        ("code ", e.result_code.as_str()),
    ] {
        if !v.is_empty() {
            msg.push(' ');
            msg.push_str(label);
            msg.push_str(v);
        }
    }
    let mut fields = vec![
        ("message", Val::Owned(msg)),
        (
            "datetime",
            Val::Owned(crate::ingest::time::format_time(e.time)),
        ),
        ("timestamp_desc", Val::Str(desc)),
    ];
    fields.extend(COLUMNS.into_iter().zip(model::columns(row, names)));
    let found = findings.unwrap_or_default();
    let ids = found.iter().map(|(id, _)| id.clone()).collect();
    let mut tags: Vec<String> = found.iter().map(|(_, d)| (*d).to_string()).collect();
    tags.sort();
    tags.dedup();
    fields.push(("hunt_findings", Val::List(ids)));
    fields.push(("tag", Val::List(tags)));
    Ordered(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Outcome, Record, Source};

    fn hostile_row() -> Row {
        let mut ev = Record::<String>::new(1_000, Source::Entra, Kind::SignIn);
        ev.outcome = Outcome::Failure;
        ev.user = "=cmd|' /C calc'!A0".into();
        ev.app = "a,b \"quoted\"\nnext".into();
        ev.user_agent = "\u{1b}[31mred\u{202e}evil".into();
        ev.city = "-2+3".into();
        ev.params = crate::event::encode_params([("ForwardTo", "x@evil.com,\"y\"")]);
        Row { ev, seq: 7 }
    }

    fn write_one(format: EventsFormat, row: &Row) -> String {
        let names = Names {
            files: vec!["in\u{1b}.log".into()],
            formats: vec!["sentinel-signin".into()],
        };
        let mut out = Vec::new();
        let mut w = Writer::new(format, &mut out, EvidenceMap::default()).unwrap();
        w.write(row, &names).unwrap();
        w.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_defuses_and_neutralises_hostile_fields() {
        let text = write_one(EventsFormat::Csv, &hostile_row());
        let (header, row) = text.split_once('\n').unwrap();
        assert_eq!(header, COLUMNS.join(","));
        // The row stays one physical line: the newline inside a field is neutralised.
        assert_eq!(row.trim_end_matches('\n').lines().count(), 1, "{row}");
        assert!(!row
            .chars()
            .any(|c| crate::sanitize::is_dangerous(c) && c != '\n'));
        // Formula cells get a leading quote; quotes are doubled inside quoted cells.
        assert!(row.contains(",'=cmd|' /C calc'!A0,"), "{row}");
        assert!(row.contains(",'-2+3,"), "{row}");
        assert!(row.contains("\"a,b \"\"quoted\"\""), "{row}");
        // Params are a JSON object in one quoted cell.
        assert!(
            row.contains(r#""{""ForwardTo"":""x@evil.com,\""y\""""}""#),
            "{row}"
        );
    }

    #[test]
    fn json_lines_escape_terminal_characters_but_keep_the_values() {
        let row = hostile_row();
        for format in [
            EventsFormat::Jsonl,
            EventsFormat::Ocsf,
            EventsFormat::Timesketch,
        ] {
            let text = write_one(format, &row);
            assert_eq!(text.lines().count(), 1);
            assert!(
                !text
                    .chars()
                    .any(|c| crate::sanitize::is_dangerous(c) && c != '\n'),
                "{format:?}: {text}"
            );
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let ua = match format {
                EventsFormat::Ocsf => &v["http_request"]["user_agent"],
                _ => &v["user_agent"],
            };
            assert_eq!(ua.as_str(), Some(row.ev.user_agent.as_str()), "{format:?}");
        }
    }
}
