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

/// A reference from a finding to one of its records. When the record was
/// loaded more than once, `copies` says where the other copies were read
/// (the reference itself is the kept one).
pub fn evidence_json(session: &Session, f: &Finding) -> Vec<Value> {
    let place = |o: crate::event::Origin| {
        let file = session
            .sources
            .get(o.file as usize)
            .map(|s| s.name.as_str())
            .unwrap_or("?");
        let mut v = json!({"file": file, "offset": o.offset});
        if let Some(m) = v.as_object_mut() {
            if o.line > 0 {
                m.insert("line".into(), json!(o.line));
            } else {
                m.insert("record".into(), json!(o.offset));
            }
        }
        v
    };
    f.evidence
        .iter()
        .map(|&idx| {
            let ev = session.store.get(idx);
            let mut v = place(ev.origin);
            if let Some(m) = v.as_object_mut() {
                m.insert("time".into(), json!(format_time(ev.time)));
                let copies = session.copies_of.of(idx);
                if !copies.is_empty() {
                    let list: Vec<Value> = copies.iter().map(|&o| place(o)).collect();
                    m.insert("copies".into(), Value::Array(list));
                }
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
        // The incident it belongs to (null when alone), see `crate::incident`.
        "incident": session.incidents.incident_of(&f.id),
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

/// Writes findings as an aligned table at most `width` columns wide: short
/// id, severity, risk, detector, the entity (the IP for IP findings such as a
/// spray, else the user), the IP, events, first seen and the title. Narrow
/// terminals take space from the title first, then the entity and IP;
/// every cut value ends in `…`. All text is neutralised.
pub fn write_table(out: &mut dyn Write, rows: &[Value], width: usize) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No findings.");
    }
    let cells: Vec<[String; 9]> = rows.iter().map(table_cells).collect();
    let header = [
        "ID",
        "SEVERITY",
        "RISK",
        "DETECTOR",
        "ENTITY",
        "IP",
        "EVENTS",
        "FIRST SEEN (UTC)",
        "TITLE",
    ];
    // Natural widths (header or widest value), with caps for the free-text columns.
    let mut w: [usize; 9] = [0; 9];
    for ((i, h), wi) in header.iter().enumerate().zip(w.iter_mut()) {
        let widest = cells
            .iter()
            .filter_map(|c| c.get(i))
            .map(|c| display_width(c))
            .max()
            .unwrap_or(0);
        *wi = widest.max(h.len());
    }
    w[4] = w[4].min(40);
    w[5] = w[5].min(39);
    // Fit: the title gives way first (down to 20), then entity and IP (to
    // 16 and 15), then whole columns go: IP, risk, first seen.
    let mut shown = [true; 9];
    let total = |w: &[usize; 9], shown: &[bool; 9]| {
        let cols: Vec<usize> = w
            .iter()
            .zip(shown.iter())
            .filter(|(_, &s)| s)
            .map(|(&x, _)| x)
            .collect();
        cols.iter().sum::<usize>() + 2 * cols.len().saturating_sub(1)
    };
    let natural = w;
    let mut drops = [5usize, 2, 7].into_iter();
    loop {
        w = natural;
        let natural_title = w[8];
        let over = total(&w, &shown).saturating_sub(width);
        w[8] = w[8].saturating_sub(over).max(20.min(natural_title));
        for (col, floor) in [(4usize, 16usize), (5, 15)] {
            let over = total(&w, &shown).saturating_sub(width);
            let on = shown.get(col).copied().unwrap_or(false);
            if let Some(wc) = w.get_mut(col).filter(|_| on && over > 0) {
                *wc = wc.saturating_sub(over).max(floor.min(*wc));
            }
        }
        if total(&w, &shown) <= width {
            break;
        }
        match drops.next() {
            Some(col) => {
                if let Some(s) = shown.get_mut(col) {
                    *s = false;
                }
            }
            None => {
                // Still too wide: the title takes what is left (at least 8).
                let over = total(&w, &shown).saturating_sub(width);
                w[8] = w[8].saturating_sub(over).max(8.min(w[8]));
                break;
            }
        }
    }
    let right = [false, false, true, false, false, false, true, false, false];
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (((c, &wi), &on), &right) in cells.iter().zip(&w).zip(&shown).zip(&right) {
            if !on {
                continue;
            }
            let text = clean_width(c, wi);
            let pad = wi.saturating_sub(display_width(&text));
            if !s.is_empty() {
                s.push_str("  ");
            }
            if right {
                s.push_str(&" ".repeat(pad));
                s.push_str(&text);
            } else {
                s.push_str(&text);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string()
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    writeln!(out, "{}", line(&header))?;
    for c in &cells {
        writeln!(out, "{}", line(c))?;
    }
    Ok(())
}

/// One finding's table cells, raw (cut and neutralised when drawn).
fn table_cells(v: &Value) -> [String; 9] {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let detector = s("detector");
    let ip_entity = crate::finding::DetectorId::from_name(&detector)
        .is_some_and(crate::finding::DetectorId::entity_is_ip);
    let (user, ip) = (s("user"), s("ip"));
    let entity = match (ip_entity, user.is_empty(), ip.is_empty()) {
        (true, _, false) | (false, true, false) => ip.clone(),
        (_, false, _) => user,
        _ => "-".into(),
    };
    let mut title = s("title");
    if let Some(note) = v["suppressed"].get("note").and_then(Value::as_str) {
        title = format!("[suppressed: {note}] {title}");
    }
    if let Some(class) = v["verdict"].get("class").and_then(Value::as_str) {
        title = format!("[{class}] {title}");
    }
    let id = s("id");
    [
        id.get(..8).unwrap_or(&id).to_string(),
        s("severity"),
        v["risk"].to_string(),
        detector,
        entity,
        if ip.is_empty() { "-".into() } else { ip },
        v["event_count"].to_string(),
        s("first_seen")
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string(),
        title,
    ]
}

fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// For `hunt scan -v`: whether detection ran while the inputs loaded, and
/// the input out of order that made it wait for the end of the load.
pub fn watermark_notes(session: &Session) -> Vec<String> {
    let w = &session.watermark;
    let mut notes = Vec::new();
    if w.releases > 0 {
        notes.push(format!(
            "detection ran while loading ({} releases behind the inputs' time order)",
            w.releases
        ));
    }
    if let Some(d) = w.disorder {
        let name = session
            .sources
            .get(d.file as usize)
            .map_or_else(|| "?".to_string(), |s| clean(&s.name).into_owned());
        notes.push(format!(
            "{name} is not in time order (an event at {} after one at {}): detection waited for the end of the load from there",
            crate::ingest::time::format_time(d.time),
            crate::ingest::time::format_time(d.latest)
        ));
    }
    if w.redone {
        notes.push(format!(
            "{} events came after later ones had gone to the detectors: detection started over on every event at the end of the load",
            w.late
        ));
    }
    notes
}

/// For `hunt scan -f` on stderr: the inputs that failed since the last
/// call (`told` remembers which were said), with their error.
pub fn new_failures(session: &Session, told: &mut Vec<bool>) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, s) in session.sources.iter().enumerate() {
        if told.len() <= i {
            told.resize(i + 1, false);
        }
        let Some(said) = told.get_mut(i) else {
            continue;
        };
        if s.state == SourceState::Failed && !*said {
            *said = true;
            notes.push(format!(
                "{}: {}",
                clean(&s.name),
                clean(s.error.as_deref().unwrap_or("cannot be read"))
            ));
        }
    }
    notes
}

/// For `hunt scan -f` on stderr: what each live source lost since the
/// last call (`seen` keeps the counts already told, per input: dropped
/// messages and refused connections), one line per source and count that
/// grew, with where the messages were lost or why senders were refused.
pub fn live_drop_notes(session: &Session, seen: &mut Vec<(u64, u64)>) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, s) in session.sources.iter().enumerate() {
        let Some(live) = &s.live else { continue };
        if seen.len() <= i {
            seen.resize(i + 1, (0, 0));
        }
        let Some((dropped, refused)) = seen.get_mut(i) else {
            continue;
        };
        let said = |lines: &[String]| {
            lines
                .iter()
                .map(|d| clean(d).into_owned())
                .collect::<Vec<_>>()
                .join("; ")
        };
        if live.dropped > *dropped {
            *dropped = live.dropped;
            notes.push(format!(
                "{}: {} messages lost so far, {} received ({})",
                clean(&s.name),
                live.dropped,
                live.received,
                said(&live.lost)
            ));
        }
        if live.refused > *refused {
            *refused = live.refused;
            notes.push(format!(
                "{}: {} connections refused so far ({})",
                clean(&s.name),
                live.refused,
                said(&live.refusals)
            ));
        }
    }
    notes
}

/// What to say about an input whose syslog year was guessed (neutralised).
pub fn assumed_year_notice(name: &str, stats: &crate::ingest::FileStats) -> Option<String> {
    (stats.assumed_year != 0).then(|| {
        format!(
            "{}: syslog lines carry no year; assumed {} (set --year or [ingest] syslog_year)",
            crate::sanitize::clean(name),
            stats.assumed_year
        )
    })
}

/// The ingest summary for stderr: totals, under `verbose` what the store
/// and duplicate detection hold, then per input its problems by reason with
/// the first few locations.
pub fn write_ingest_summary(
    out: &mut dyn Write,
    session: &Session,
    verbose: bool,
) -> io::Result<()> {
    write_totals(out, session)?;
    if verbose {
        write_holdings(out, session)?;
    }
    for s in &session.sources {
        write_source(out, s, verbose)?;
    }
    Ok(())
}

/// The reason an empty file is counted under (without a record).
const EMPTY_FILE: &str = "empty file";

/// The guessed syslog years, then one line of totals for every input.
fn write_totals(out: &mut dyn Write, session: &Session) -> io::Result<()> {
    let events: u64 = session.sources.iter().map(|s| s.stats.events).sum();
    let problems = session.problem_count();
    // An empty file is ignored without a record: it is said as an empty
    // input, not as a record ignored.
    let empty_of =
        |s: &crate::pipeline::SourceInfo| s.stats.ignored.get(EMPTY_FILE).copied().unwrap_or(0);
    let empty: u64 = session.sources.iter().map(empty_of).sum();
    let ignored: u64 = session
        .sources
        .iter()
        .map(|s| s.stats.ignored_count() - empty_of(s))
        .sum();
    let inputs = match empty {
        0 => format!("{} input(s)", session.sources.len()),
        n => format!("{} input(s) ({n} empty)", session.sources.len()),
    };
    let duplicates: u64 = session.sources.iter().map(|s| s.stats.duplicates).sum();
    let duplicates = if duplicates > 0 {
        format!(", {duplicates} duplicate records (loaded twice, counted once)")
    } else {
        String::new()
    };
    // Without stored events (`hunt events` other than timesketch) nothing was
    // detected: saying "0 findings" would read as "nothing found".
    let findings = if session.keep_events {
        format!(", {} findings", session.findings.len())
    } else {
        String::new()
    };
    for s in &session.sources {
        if let Some(notice) = assumed_year_notice(&s.name, &s.stats) {
            writeln!(out, "hunt: {notice}")?;
        }
    }
    writeln!(
        out,
        "hunt: {inputs}, {} events, {} records ignored, {} problems{duplicates}{findings}",
        events, ignored, problems,
    )?;
    Ok(())
}

/// `-v`: what the store and the duplicate detection hold, the copies
/// merged between inputs, and how long detection took.
fn write_holdings(out: &mut dyn Write, session: &Session) -> io::Result<()> {
    let st = &session.store;
    writeln!(
        out,
        "hunt: store holds {} events in ~{} MiB ({} bytes/event), {} distinct strings, {} shared contexts, {} users, {} IPs",
        st.count(),
        st.heap_bytes() >> 20,
        st.heap_bytes().checked_div(st.count()).unwrap_or(0),
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
    let name = |f: u32| {
        session
            .sources
            .get(f as usize)
            .map_or_else(|| "?".to_string(), |s| clean(&s.name).into_owned())
    };
    for (&(kept, dropped), &n) in &session.kept.merged {
        let line = if kept == u32::MAX {
            format!(
                "{n} copies in {} came after their record had gone to the detectors; the first copy stays",
                name(dropped)
            )
        } else if kept == dropped {
            format!("{n} copies within {} merged", name(kept))
        } else {
            format!(
                "{n} copies merged between {} (kept) and {}",
                name(kept),
                name(dropped)
            )
        };
        writeln!(out, "hunt: {line}")?;
    }
    for line in watermark_notes(session) {
        writeln!(out, "hunt: {line}")?;
    }
    writeln!(
        out,
        "hunt: detection took {} ms (ordering held events and running the detectors)",
        session.detect_time.as_millis()
    )?;
    Ok(())
}

/// One input: why it cannot be read, or (under `verbose`) its counts and
/// ignored records, and its problems by reason with the first locations.
fn write_source(
    out: &mut dyn Write,
    s: &crate::pipeline::SourceInfo,
    verbose: bool,
) -> io::Result<()> {
    let name = clean(&s.name);
    if s.state == SourceState::Failed {
        writeln!(
            out,
            "{name}: cannot read: {}",
            clean(s.error.as_deref().unwrap_or("unknown error"))
        )?;
        return Ok(());
    }
    if verbose && s.stats.records == 0 && s.stats.ignored.contains_key(EMPTY_FILE) {
        writeln!(out, "{name}: empty file (nothing to read)")?;
        return Ok(());
    }
    if verbose {
        let dups = match s.stats.duplicates {
            0 => String::new(),
            n => format!(", {n} duplicates"),
        };
        writeln!(
            out,
            "{name}: {} ({} records, {} events, {} ignored, {} problems{dups})",
            clean(&s.format),
            s.stats.records,
            s.stats.events,
            s.stats.ignored_count(),
            s.stats.problem_count(),
        )?;
        for (why, n) in &s.stats.ignored {
            writeln!(out, "  ignored {n} × {why}")?;
        }
    }
    if s.stats.problem_count() == 0 {
        return Ok(());
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

    fn table_rows() -> Vec<Value> {
        let row = |id: &str, sev: &str, det: &str, user: &str, ip: &str, n: u32, title: &str| {
            json!({
                "id": id, "severity": sev, "risk": 90, "detector": det, "user": user, "ip": ip,
                "event_count": n, "first_seen": "2026-11-18T10:08:00Z", "title": title,
                "suppressed": false, "verdict": null
            })
        };
        vec![
            row(
                "b787ee58aa",
                "critical",
                "password_spray",
                "alex.wilber@contoso.com",
                "45.83.64.17",
                126,
                "Password spray with success from 45.83.64.17",
            ),
            row(
                "aed8f91c00",
                "critical",
                "inbox_rule",
                "megan.bowen@contoso.com",
                "175.45.176.9",
                1,
                "New-InboxRule forwards mail outside the organisation",
            ),
            row(
                "0b5c337c11",
                "high",
                "hosting_asn",
                "\u{fc}\u{4e2d}\u{6587}@contoso.com",
                "2001:db8::1",
                1,
                "Sign-in from a hosting network",
            ),
        ]
    }

    /// Every header word starts where a cell starts in every row.
    #[test]
    fn table_is_aligned_with_id_ip_and_the_sprays_ip_as_entity() {
        for width in [250, 160, 120, 100, 80] {
            let mut out = Vec::new();
            write_table(&mut out, &table_rows(), width).unwrap();
            let s = String::from_utf8(out).unwrap();
            let lines: Vec<&str> = s.lines().collect();
            let header = lines[0];
            let cols: Vec<usize> = header
                .char_indices()
                .filter(|&(i, c)| c != ' ' && (i == 0 || header[..i].ends_with("  ")))
                .map(|(i, _)| i)
                .collect();
            for l in &lines {
                assert!(
                    unicode_width::UnicodeWidthStr::width(*l) <= width,
                    "{width}: {l:?}"
                );
            }
            for l in &lines[1..] {
                // Display columns, not chars: the CJK user name is two columns a character.
                let mut at = Vec::new();
                let mut col = 0;
                for c in l.chars() {
                    at.push((col, c));
                    col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                }
                for &c in &cols[1..] {
                    let before = at.iter().find(|(x, _)| *x + 1 == c).map(|(_, ch)| *ch);
                    assert_eq!(before, Some(' '), "{width}: {l:?} at {c}");
                }
            }
            let spray = lines.iter().find(|l| l.contains("password_spray")).unwrap();
            assert!(spray.starts_with("b787ee58  critical"), "{spray}");
            assert!(
                spray.contains("45.83.64.17"),
                "the spray's entity is its IP: {spray}"
            );
            assert!(!spray.contains("alex.wilber"), "{spray}");
            if width >= 160 {
                assert!(
                    header.contains(" IP ") && header.contains("RISK"),
                    "{header}"
                );
                assert!(s.contains("175.45.176.9"));
            }
            if width >= 250 {
                assert!(s.contains("New-InboxRule forwards mail outside the organisation"));
            }
        }
    }
}
