//! The case as data ([`CaseView`]) and its two hand-off forms: JSON, and a
//! Markdown incident report (findings by severity with their verdicts,
//! history and notes; the allowlist with notes, expiries and what each entry
//! suppressed in the last recorded scan). Rendering is pure and works from
//! the case's own snapshots, never from the logs. Every analyst- or
//! log-supplied string is escaped for Markdown and neutralised for terminals.

use super::handoff::{OpenFinding, OpenWork, SourceRecord};
use super::{format_at, AllowEntry, Case, Note, ScanRecord, Snapshot, TriageError, Verdict};
use crate::config::Config;
use crate::sanitize::{clean, is_dangerous};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Everything the case knows, ready to render.
#[derive(Clone, Debug, Serialize)]
pub struct CaseView {
    pub case: String,
    pub generated: DateTime<Utc>,
    pub analyst: String,
    pub last_scan: Option<DateTime<Utc>>,
    /// Open work first: findings of the last recorded scan still without a verdict.
    pub open_findings: Vec<OpenFinding>,
    /// Incidents of the last recorded scan with a member still without a verdict.
    pub open_incidents: Vec<serde_json::Value>,
    pub findings: Vec<FindingView>,
    pub allowlist: Vec<AllowView>,
    pub sources: Vec<SourceRecord>,
    pub thresholds: serde_json::Value,
    /// First and last event time of the last recorded scan.
    pub span: Option<(String, String)>,
    #[serde(skip)]
    work: OpenWork,
}

/// A judged or annotated finding.
#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    pub verdict: Option<Verdict>,
    /// Earlier verdicts, oldest first (the latest is `verdict`).
    pub history: Vec<Verdict>,
    pub notes: Vec<Note>,
}

/// An allowlist entry with what the last scan did with it.
#[derive(Clone, Debug, Serialize)]
pub struct AllowView {
    #[serde(flatten)]
    pub entry: AllowEntry,
    /// Findings matched in the last recorded scan; `None` when no scan ran since the entry was made.
    pub matches: Option<u64>,
    pub stale: bool,
    pub expired: bool,
}

/// Severity sections of the report, most severe first; "" holds findings no scan has recorded yet.
const SECTIONS: [(&str, &str); 5] = [
    ("critical", "Critical"),
    ("high", "High"),
    ("medium", "Medium"),
    ("low", "Low"),
    ("", "Not yet seen in a scan"),
];

impl CaseView {
    /// Reads the case (if any; a missing case is an empty one) and the config's entries.
    pub fn load(
        case: Option<&Case>,
        config: &Config,
        now: DateTime<Utc>,
    ) -> Result<CaseView, TriageError> {
        let mut allow = match case {
            Some(c) => c.allowlist()?,
            None => Vec::new(),
        };
        allow.extend(super::allow::config_entries(config)?);
        let (snaps, verdicts, notes, scan) = match case {
            Some(c) => (
                c.snapshots()?,
                c.all_verdicts()?,
                c.all_notes()?,
                c.last_scan()?,
            ),
            None => Default::default(),
        };
        let judged: HashSet<String> = verdicts.iter().map(|v| v.finding_id.clone()).collect();
        let mut history: HashMap<String, Vec<Verdict>> = HashMap::new();
        for v in verdicts {
            history.entry(v.finding_id.clone()).or_default().push(v);
        }
        let mut by_note: HashMap<String, Vec<Note>> = HashMap::new();
        for n in notes {
            by_note.entry(n.finding_id.clone()).or_default().push(n);
        }
        let findings = snaps
            .into_iter()
            .map(|snapshot| {
                let mut history = history.remove(&snapshot.finding_id).unwrap_or_default();
                let verdict = history.pop();
                let notes = by_note.remove(&snapshot.finding_id).unwrap_or_default();
                FindingView {
                    snapshot,
                    verdict,
                    history,
                    notes,
                }
            })
            .collect();
        let mut work = scan.work.clone();
        if let Some(c) = case {
            // Statuses and owners set since the scan (in the TUI, `hunt case`) win.
            work.apply_states(&c.work_states()?);
        }
        Ok(CaseView {
            open_findings: work.open_findings(&judged).cloned().collect(),
            open_incidents: work.open_incidents(&judged).into_iter().cloned().collect(),
            sources: work.sources.clone(),
            thresholds: work.thresholds.clone(),
            span: work.span.clone(),
            work,
            case: case
                .map(|c| c.path().display().to_string())
                .unwrap_or_default(),
            generated: now,
            analyst: super::analyst_for(config),
            last_scan: scan.at,
            findings,
            allowlist: allow
                .into_iter()
                .map(|e| allow_view(e, &scan, now))
                .collect(),
        })
    }

    /// The view with `work` as its open work (the TUI's live session in
    /// place of the last recorded scan).
    pub fn with_work(mut self, work: OpenWork) -> CaseView {
        let judged: HashSet<String> = self
            .findings
            .iter()
            .filter(|f| f.verdict.is_some())
            .map(|f| f.snapshot.finding_id.clone())
            .collect();
        self.open_findings = work.open_findings(&judged).cloned().collect();
        self.open_incidents = work.open_incidents(&judged).into_iter().cloned().collect();
        self.sources = work.sources.clone();
        self.thresholds = work.thresholds.clone();
        self.span = work.span.clone();
        self.work = work;
        self
    }

    /// Pretty JSON, with bidi and control characters escaped so it is safe on a terminal.
    pub fn to_json(&self) -> String {
        let text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        escape_json_text(&text)
    }

    /// The Markdown incident hand-off report.
    pub fn to_markdown(&self) -> String {
        let mut o = String::new();
        let _ = self.write_markdown(&mut o);
        o
    }

    fn write_markdown(&self, o: &mut String) -> std::fmt::Result {
        writeln!(o, "# Incident hand-off: hunt case\n")?;
        writeln!(o, "- Case file: `{}`", md_code(&self.case))?;
        writeln!(
            o,
            "- Generated: {} by {}",
            format_at(self.generated),
            analyst_md(&self.analyst)
        )?;
        match (self.last_scan, self.work.recorded_by.as_str()) {
            (Some(at), "") => writeln!(o, "- Last session recorded: {}", format_at(at))?,
            (Some(at), by) => writeln!(
                o,
                "- Last session recorded: {} by {}{}",
                format_at(at),
                md(by),
                match self.work.analyst.as_str() {
                    "" => String::new(),
                    a => format!(" ({})", md(a)),
                }
            )?,
            (None, _) => writeln!(
                o,
                "- Last session recorded: none (nothing below says what is open)"
            )?,
        }
        if let Some((a, b)) = &self.span {
            writeln!(o, "- Events covered: {} to {}", md(a), md(b))?;
        }
        writeln!(o)?;
        let judged: HashSet<String> = self
            .findings
            .iter()
            .filter(|f| f.verdict.is_some())
            .map(|f| f.snapshot.finding_id.clone())
            .collect();
        self.work.write_open(o, &judged)?;
        let verdicts: HashMap<String, String> = self
            .findings
            .iter()
            .filter_map(|f| {
                let v = f.verdict.as_ref()?;
                Some((f.snapshot.finding_id.clone(), v.class.as_str().to_string()))
            })
            .collect();
        self.work.write_closed(o, &verdicts)?;
        writeln!(o, "## Decided\n")?;
        writeln!(o, "| Verdict | Findings |\n|---|---:|")?;
        for class in super::Class::ALL {
            let n = self
                .findings
                .iter()
                .filter(|f| f.verdict.as_ref().is_some_and(|v| v.class == class))
                .count();
            writeln!(o, "| {} | {n} |", class.as_str())?;
        }
        let open = self.findings.iter().filter(|f| f.verdict.is_none()).count();
        writeln!(o, "| no verdict (notes only) | {open} |")?;

        writeln!(o, "\n### Verdicts and notes\n")?;
        if self.findings.is_empty() {
            writeln!(o, "No verdicts or notes yet.")?;
        }
        for (key, title) in SECTIONS {
            let mut group: Vec<&FindingView> = self
                .findings
                .iter()
                .filter(|f| section_of(&f.snapshot.severity) == key)
                .collect();
            if group.is_empty() {
                continue;
            }
            group.sort_by(|a, b| {
                b.snapshot
                    .risk
                    .cmp(&a.snapshot.risk)
                    .then(a.snapshot.first_seen.cmp(&b.snapshot.first_seen))
            });
            writeln!(o, "#### {title} ({})\n", group.len())?;
            for f in group {
                write_finding(o, f, self.work.incident_of(&f.snapshot.finding_id))?;
            }
        }
        self.write_allowlist(o)?;
        writeln!(o)?;
        self.work.write_scan_facts(o)
    }

    fn write_allowlist(&self, o: &mut String) -> std::fmt::Result {
        writeln!(o, "## Allowlist changes in this case\n")?;
        if self.allowlist.is_empty() {
            return writeln!(o, "No allowlist entries.");
        }
        writeln!(o, "| # | Kind | Value | Detectors | Note | Analyst | Created | Expires | Suppressed in last scan |")?;
        writeln!(o, "|---:|---|---|---|---|---|---|---|---:|")?;
        for a in &self.allowlist {
            let e = &a.entry;
            let created = if e.from_config {
                "config file".to_string()
            } else {
                format_at(e.created)
            };
            let expires = match (e.expires, a.expired) {
                (None, _) => "never".to_string(),
                (Some(t), true) => format!("expired {}", format_at(t)),
                (Some(t), false) => format_at(t),
            };
            let matches = match (a.matches, a.stale) {
                (None, _) => "not scanned yet".to_string(),
                (Some(n), true) => format!("{n} (stale)"),
                (Some(n), false) => n.to_string(),
            };
            writeln!(
                o,
                "| {} | {} | `{}` | {} | {} | {} | {created} | {expires} | {matches} |",
                e.id,
                e.kind,
                md_code(&e.value),
                e.scope(),
                md(&e.note),
                md(&e.analyst),
            )?;
        }
        Ok(())
    }
}

fn allow_view(entry: AllowEntry, scan: &ScanRecord, now: DateTime<Utc>) -> AllowView {
    let scanned = scan.at.is_some_and(|at| entry.created <= at);
    let expired = !entry.is_live(now);
    AllowView {
        matches: scanned.then(|| scan.matches.get(&entry.id).copied().unwrap_or(0)),
        stale: !expired && scan.is_stale(&entry),
        expired,
        entry,
    }
}

fn section_of(severity: &str) -> &'static str {
    SECTIONS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| !k.is_empty() && *k == severity)
        .unwrap_or("")
}

fn write_finding(o: &mut String, f: &FindingView, incident: Option<&str>) -> std::fmt::Result {
    let s = &f.snapshot;
    let title = if s.title.is_empty() {
        "(title unknown: no scan has recorded this finding)"
    } else {
        &s.title
    };
    writeln!(o, "##### `{}`: {}\n", md_code(&s.finding_id), md(title))?;
    if !s.is_id_only() {
        writeln!(
            o,
            "- Detector: `{}` · Entity: `{}` · Severity: {} · Risk: {}",
            md_code(&s.detector),
            md_code(&s.entity),
            md_code(&s.severity),
            s.risk
        )?;
        writeln!(o, "- Seen: {} to {}", md(&s.first_seen), md(&s.last_seen))?;
    }
    match &f.verdict {
        Some(v) => writeln!(
            o,
            "- **Verdict: {}** by {} at {}{}",
            v.class,
            md(&v.analyst),
            format_at(v.at),
            note_suffix(&v.note)
        )?,
        None => writeln!(o, "- Verdict: none yet")?,
    }
    match incident {
        Some(i) => writeln!(o, "- Incident: `{}`", md_code(i))?,
        None if !s.is_id_only() => writeln!(o, "- Incident: none in the recorded session")?,
        None => {}
    }
    for v in f.history.iter().rev() {
        writeln!(
            o,
            "  - earlier: {} by {} at {}{}",
            v.class,
            md(&v.analyst),
            format_at(v.at),
            note_suffix(&v.note)
        )?;
    }
    if !f.notes.is_empty() {
        writeln!(o, "- Notes:")?;
        for n in &f.notes {
            writeln!(
                o,
                "  - {} {}: {}",
                format_at(n.at),
                md(&n.analyst),
                md(&n.text)
            )?;
        }
    }
    writeln!(o)
}

fn note_suffix(note: &Option<String>) -> String {
    match note {
        Some(n) => format!(": {}", md(n)),
        None => String::new(),
    }
}

/// Text safe inside a Markdown table cell or list item and on a terminal;
/// line breaks (a multi-line note) become `<br>`.
pub fn md(s: &str) -> String {
    let lines: Vec<String> = s
        .trim()
        .lines()
        .map(|l| md_line(l.trim_end_matches('\r')))
        .collect();
    lines.join("<br>")
}

/// One line of prose for Markdown: the text as written, with a character
/// escaped only where a renderer would otherwise read markup into it (a
/// heading or quote at the start, emphasis that opens, a link, an HTML tag or
/// entity, a table pipe). `password_spray`, `≥ 5 users -> risk 90` and
/// `List*/Describe*` stay as they are, so the report reads the same in a
/// terminal and in a renderer.
fn md_line(s: &str) -> String {
    let c = clean(s);
    let chars: Vec<char> = c.chars().collect();
    let mut out = String::with_capacity(c.len() + 8);
    let mut skip_to = 0;
    for (i, &ch) in chars.iter().enumerate() {
        if i < skip_to {
            continue;
        }
        // A balanced pair of backticks is a code span, as the text meant it
        // (`no `entity``): kept as markup, its inside written literally but
        // for the table pipe, which GFM splits on even inside code.
        if ch == '`' {
            let close = chars
                .get(i + 1..)
                .and_then(|rest| rest.iter().position(|&c| c == '`'))
                .map(|p| i + 1 + p);
            if let Some(j) = close.filter(|&j| j > i + 1) {
                let inside: String = chars.get(i + 1..j).unwrap_or_default().iter().collect();
                if !inside.trim().is_empty() {
                    out.push('`');
                    out.push_str(&inside.replace('|', "\\|"));
                    out.push('`');
                    skip_to = j + 1;
                    continue;
                }
            }
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let space = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let escape = match ch {
            '#' | '>' | '+' | '-' | '=' => i == 0,
            '\\' => next.is_some_and(|n| n.is_ascii_punctuation()),
            '`' | '|' => true,
            // A link needs `](`, `][` or `]:` after it; `[case]` alone is text.
            '[' => link_follows(chars.get(i + 1..).unwrap_or_default()),
            // Emphasis opens only before a non-space, and `_` never inside a word.
            '*' => !space(next) && (space(prev) || word(next)),
            '_' => !((word(prev) && word(next)) || (space(prev) && space(next))),
            '~' => next == Some('~') || prev == Some('~'),
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
            _ => false,
        };
        match ch {
            '<' if escape => out.push_str("&lt;"),
            '&' if escape => out.push_str("&amp;"),
            _ if escape => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// The analyst for Markdown: the name escaped like any prose, and the hint
/// of the unnamed fallback written as our own markup (code spans), so it
/// reads `set `analyst` under [case]` rather than backslash-escaped text.
fn analyst_md(name: &str) -> String {
    if name == super::UNNAMED_ANALYST {
        format!(
            "{} (set `analyst` under `[case]` in the config, or `$USER`)",
            md(name)
        )
    } else {
        md(name)
    }
}

/// Whether a `]` in `rest` is followed by what makes `[…]` a link.
fn link_follows(rest: &[char]) -> bool {
    rest.windows(2)
        .any(|w| w.first() == Some(&']') && matches!(w.get(1), Some('(' | '[' | ':')))
}

/// Text safe inside a Markdown code span in a table: no backticks or pipes.
pub(super) fn md_code(s: &str) -> String {
    clean(s).replace('`', "'").replace('|', "¦")
}

/// Replaces characters that must not reach a terminal with JSON `\u` escapes.
/// They can only occur inside strings (serde_json escapes C0 controls itself).
fn escape_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_dangerous(c) && c != '\n' {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_is_escaped() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>"), "&lt;script>");
        assert_eq!(md("line\r\nbreak"), "line<br>break");
        assert_eq!(md("bell\u{7}"), "bell\\u{7}");
        assert_eq!(md("[x](http://e.vil)"), "\\[x](http://e.vil)");
        assert_eq!(md("# not a heading"), "\\# not a heading");
        assert_eq!(md("> not a quote"), "\\> not a quote");
        assert_eq!(md("*bold* _it_"), "\\*bold* \\_it\\_");
        assert_eq!(md("&amp; &"), "&amp;amp; &");
    }

    #[test]
    fn prose_reads_clean_in_a_terminal() {
        // No entities or backslashes where a renderer would read no markup.
        for s in [
            "password_spray: ≥ 5 users and ≥ 20 attempts -> risk 90",
            "List*/Describe*/Get* APIs within 2m",
            "a success > 5 failures, 3 < 4",
            "DOMAIN\\user from 10.0.0.1:443 (AS9009 M247 Ltd)",
        ] {
            assert_eq!(md(s), s);
        }
        assert_eq!(md_code("x`y|z"), "x'y¦z");
    }

    #[test]
    fn balanced_backticks_stay_code_and_a_lone_one_is_escaped() {
        assert_eq!(md("no `entity`: 5"), "no `entity`: 5");
        assert_eq!(md("`a|b` and *x*"), "`a\\|b` and \\*x*");
        assert_eq!(md("it`s"), "it\\`s");
        assert_eq!(md("``"), "\\`\\`");
        assert_eq!(md("`*not emphasis*`"), "`*not emphasis*`");
    }

    #[test]
    fn json_text_escapes_bidi_but_stays_json() {
        let v = serde_json::json!({"t": "a\u{202e}b\u{85}"});
        let s = escape_json_text(&serde_json::to_string_pretty(&v).unwrap());
        assert!(!s.chars().any(|c| is_dangerous(c) && c != '\n'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
