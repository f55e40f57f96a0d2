//! `hunt scan` output: findings as JSON lines, CSV or an aligned table, and
//! the ingest summary (per file and reason, with file:line for the first
//! problems) for stderr. Every log-derived string is neutralised here
//! (see [`crate::sanitize`]); nothing from a log reaches the terminal raw.

use crate::finding::Finding;
use crate::ingest::time::format_time;
use crate::pipeline::{Session, SourceState};
use crate::sanitize::{clean, clean_width, to_json_line};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Output formats of `hunt scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Jsonl,
    Csv,
}

/// A reference from a finding to one of its records.
pub fn evidence_json(session: &Session, f: &Finding) -> Vec<Value> {
    f.evidence
        .iter()
        .map(|&idx| {
            let ev = session.store.get(idx);
            let o = ev.origin;
            let file = session
                .sources
                .get(o.file as usize)
                .map(|s| s.name.as_str())
                .unwrap_or("?");
            let mut v = json!({"file": file, "offset": o.offset, "time": format_time(ev.time)});
            if o.line > 0 {
                v["line"] = json!(o.line);
            } else {
                v["record"] = json!(o.offset);
            }
            v
        })
        .collect()
}

/// The JSON object of a finding (SPEC §4 fields, `hunt scan --output jsonl`).
pub fn finding_json(session: &Session, f: &Finding) -> Value {
    json!({
        "id": f.id,
        "detector": f.detector.as_str(),
        "severity": f.severity.as_str(),
        "risk": f.risk,
        "user": f.user,
        "ip": f.ip,
        "first_seen": format_time(f.first_seen),
        "last_seen": format_time(f.last_seen),
        "title": f.title,
        "event_count": f.event_count,
        "details": f.details,
        "evidence": evidence_json(session, f),
        "suppressed": match &f.suppressed {
            None => Value::Bool(false),
            Some(s) => json!({"entry": s.entry, "note": s.note}),
        },
        // Filled from the case by `triage::scan::ScanTriage::finding_json`.
        "verdict": Value::Null,
    })
}

/// Writes one finding as a JSON line (bidi and control characters escaped).
pub fn write_jsonl(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    writeln!(out, "{}", to_json_line(value))
}

const CSV_COLUMNS: [&str; 13] = [
    "id",
    "detector",
    "severity",
    "risk",
    "user",
    "ip",
    "first_seen",
    "last_seen",
    "event_count",
    "title",
    "suppressed",
    "verdict",
    "details",
];

pub fn write_csv_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", CSV_COLUMNS.join(","))
}

/// Writes one finding as a CSV row (from its JSON object, so all outputs agree).
pub fn write_csv_row(out: &mut dyn Write, v: &Value) -> io::Result<()> {
    let text = |k: &str| match &v[k] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(false) => String::new(),
        other if k == "details" || k == "suppressed" || k == "verdict" => to_json_line(other),
        other => other.to_string(),
    };
    let row: Vec<String> = CSV_COLUMNS.iter().map(|k| csv_field(&text(k))).collect();
    writeln!(out, "{}", row.join(","))
}

/// Quotes a CSV field, neutralises terminal characters, and defuses
/// spreadsheet formulas (a cell starting with `= + - @` gets a leading `'`).
pub fn csv_field(s: &str) -> String {
    let c = clean(s);
    let mut c = c.into_owned();
    if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
        c.insert(0, '\'');
    }
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c
    }
}

/// Writes findings as an aligned table `width` columns wide.
pub fn write_table(out: &mut dyn Write, rows: &[Value], width: usize) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No findings.");
    }
    let fixed = 9 + 5 + 20 + 28 + 7 + 21;
    let title_w = width.saturating_sub(fixed).max(20);
    writeln!(
        out,
        "{:<9}{:<5}{:<20}{:<28}{:>6} {:<21}TITLE",
        "SEVERITY", "RISK", "DETECTOR", "ENTITY", "EVENTS", "FIRST SEEN (UTC)"
    )?;
    for v in rows {
        let entity = match (&v["user"], &v["ip"]) {
            (Value::String(u), _) => u.clone(),
            (_, Value::String(ip)) => ip.clone(),
            _ => "-".into(),
        };
        let mut title = v["title"].as_str().unwrap_or_default().to_string();
        if let Some(note) = v["suppressed"].get("note").and_then(Value::as_str) {
            title = format!("[suppressed: {note}] {title}");
        }
        if let Some(class) = v["verdict"].get("class").and_then(Value::as_str) {
            title = format!("[{class}] {title}");
        }
        writeln!(
            out,
            "{:<9}{:<5}{:<20}{:<28}{:>6} {:<21}{}",
            v["severity"].as_str().unwrap_or_default(),
            v["risk"],
            v["detector"].as_str().unwrap_or_default(),
            clean_width(&entity, 27),
            v["event_count"],
            v["first_seen"].as_str().unwrap_or_default(),
            clean_width(&title, title_w),
        )?;
    }
    Ok(())
}

/// The ingest summary for stderr: totals, then per file the problems by
/// reason with the first few locations.
pub fn write_ingest_summary(
    out: &mut dyn Write,
    session: &Session,
    verbose: bool,
) -> io::Result<()> {
    let events: u64 = session.sources.iter().map(|s| s.stats.events).sum();
    let problems = session.problem_count();
    let ignored: u64 = session
        .sources
        .iter()
        .map(|s| s.stats.ignored_count())
        .sum();
    let duplicates: u64 = session.sources.iter().map(|s| s.stats.duplicates).sum();
    let duplicates = if duplicates > 0 {
        format!(", {duplicates} duplicate records (loaded twice, counted once)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "hunt: {} input(s), {} events, {} records ignored, {} problems{duplicates}, {} findings",
        session.sources.len(),
        events,
        ignored,
        problems,
        session.findings.len()
    )?;
    if verbose {
        let st = &session.store;
        writeln!(
            out,
            "hunt: store holds {} events in ~{} MiB ({} bytes/event), {} distinct strings, {} shared contexts, {} users, {} IPs",
            st.len(),
            st.heap_bytes() >> 20,
            st.heap_bytes().checked_div(st.len()).unwrap_or(0),
            st.strings.len(),
            st.context_count(),
            st.user_count(),
            st.ip_count()
        )?;
        writeln!(
            out,
            "hunt: {} record identities held for duplicate detection in ~{} KiB",
            session.seen.len(),
            session.seen.heap_bytes() >> 10
        )?;
        writeln!(
            out,
            "hunt: detection took {} ms (ordering held events and running the detectors)",
            session.detect_time.as_millis()
        )?;
    }
    for s in &session.sources {
        let name = clean(&s.name);
        if s.state == SourceState::Failed {
            writeln!(
                out,
                "{name}: cannot read: {}",
                s.error.as_deref().unwrap_or("unknown error")
            )?;
            continue;
        }
        if verbose {
            writeln!(
                out,
                "{name}: {} ({} records, {} events, {} ignored, {} problems, {} duplicates)",
                clean(&s.format),
                s.stats.records,
                s.stats.events,
                s.stats.ignored_count(),
                s.stats.problem_count(),
                s.stats.duplicates
            )?;
            for (why, n) in &s.stats.ignored {
                writeln!(out, "  ignored {n} × {why}")?;
            }
        }
        if s.stats.problem_count() == 0 {
            continue;
        }
        let reasons: Vec<String> = s
            .stats
            .problems
            .iter()
            .map(|(r, n)| format!("{n} × {r}"))
            .collect();
        writeln!(
            out,
            "{name}: {} problem(s): {}",
            s.stats.problem_count(),
            reasons.join(", ")
        )?;
        for p in s
            .stats
            .first_problems
            .iter()
            .take(if verbose { 20 } else { 5 })
        {
            let loc = if p.line > 0 {
                format!("{}", p.line)
            } else {
                format!("@{}", p.offset)
            };
            writeln!(out, "  {name}:{loc}: {}: {}", p.reason, clean(&p.detail))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
    }

    #[test]
    fn table_neutralises_fields() {
        let rows = vec![json!({
            "severity": "high", "risk": 80, "detector": "hosting_asn",
            "user": "evil\u{1b}]0;pwned\u{7}@x.com", "ip": null, "event_count": 1,
            "first_seen": "2024-01-01T00:00:00Z", "title": "t\u{202e}x", "suppressed": false
        })];
        let mut out = Vec::new();
        write_table(&mut out, &rows, 120).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(
            !s.chars()
                .any(|c| crate::sanitize::is_dangerous(c) && c != '\n'),
            "{s:?}"
        );
        assert!(s.contains("\\u{1b}"));
    }
}
