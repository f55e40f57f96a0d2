//! The open work of the hand-off (issue 12): what the last scan left for the
//! next shift, saved in the case when the scan is recorded so `hunt case
//! export` can report it without the logs. It holds the findings that had no
//! verdict (with entity, time span, title, details and the first evidence
//! references), the incidents with their member ids, the sources read with
//! their counts and problems, the detector thresholds in force and the time
//! span of the events. Rendering it as Markdown lives here too; the rest of
//! the report is in [`super::export`].

use super::export::{md, md_code};
use super::Snapshot;
use crate::ingest::time::format_time;
use crate::pipeline::{Session, SourceState};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// Evidence references kept per finding (the count says how many there were).
pub const EVIDENCE_KEPT: usize = 10;

/// Longer detail values are left to the JSON export.
const DETAIL_CHARS: usize = 120;

/// What a recorded scan left open.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenWork {
    /// Findings without a verdict at scan time (not suppressed), most severe first.
    pub findings: Vec<OpenFinding>,
    /// Incidents as `hunt scan --incidents` prints them (with member ids in `findings`).
    pub incidents: Vec<Value>,
    pub sources: Vec<SourceRecord>,
    /// The `[detectors]` configuration in force.
    pub thresholds: Value,
    /// First and last event time read.
    pub span: Option<(String, String)>,
    /// What recorded it: `hunt scan` or `the workbench` (empty in cases
    /// written before either said so).
    pub recorded_by: String,
    /// The analyst of that session.
    pub analyst: String,
    /// Findings the session held (suppressed and judged ones included) and
    /// the events it read: what "nothing open" is a statement about.
    pub findings_total: usize,
    pub events_total: u64,
}

/// An untriaged finding as the scan saw it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenFinding {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    pub event_count: u32,
    pub details: Value,
    /// Why it fired: the detector's rule with the thresholds in force at scan
    /// time, then each threshold and the finding's value for it.
    pub why: String,
    /// The first [`EVIDENCE_KEPT`] references (`file`, `line` or `record`, `time`).
    pub evidence: Vec<Value>,
    pub evidence_total: usize,
    pub incident: Option<String>,
}

/// One input with its counts and problems.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceRecord {
    pub name: String,
    pub format: String,
    pub failed: bool,
    pub error: Option<String>,
    pub records: u64,
    pub events: u64,
    pub duplicates: u64,
    pub problems: BTreeMap<String, u64>,
}

/// Severity rank, most severe first (unknown last).
pub fn rank(severity: &str) -> usize {
    ["critical", "high", "medium", "low"]
        .iter()
        .position(|s| *s == severity)
        .unwrap_or(4)
}

impl OpenWork {
    /// Whether a session recorded this (an empty document is no record:
    /// it says nothing about what is open).
    pub fn is_recorded(&self) -> bool {
        !self.recorded_by.is_empty() || !self.sources.is_empty() || !self.findings.is_empty()
    }

    /// [`OpenWork::of`], saying who recorded it.
    pub fn recorded(
        session: &Session,
        judged: impl Fn(&str) -> bool,
        by: &str,
        analyst: &str,
    ) -> OpenWork {
        let mut w = OpenWork::of(session, judged);
        w.recorded_by = by.to_string();
        w.analyst = analyst.to_string();
        w
    }

    /// The open work of `session`: findings for which `judged` is false are open.
    pub fn of(session: &Session, judged: impl Fn(&str) -> bool) -> OpenWork {
        let mut findings: Vec<OpenFinding> = session
            .findings
            .all()
            .iter()
            .filter(|f| f.suppressed.is_none() && !judged(&f.id))
            .map(|f| {
                let mut evidence = crate::report::evidence_json(session, f);
                let evidence_total = evidence.len();
                evidence.truncate(EVIDENCE_KEPT);
                OpenFinding {
                    snapshot: Snapshot::of(f),
                    event_count: f.event_count,
                    details: f.details.clone(),
                    why: crate::detect::describe::About::of(f, &session.config).why_text(),
                    evidence,
                    evidence_total,
                    incident: session.incidents.incident_of(&f.id).map(str::to_string),
                }
            })
            .collect();
        findings.sort_by(|a, b| {
            let (a, b) = (&a.snapshot, &b.snapshot);
            rank(&a.severity)
                .cmp(&rank(&b.severity))
                .then(b.risk.cmp(&a.risk))
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.finding_id.cmp(&b.finding_id))
        });
        let sources = session
            .sources
            .iter()
            .map(|s| SourceRecord {
                name: s.name.clone(),
                format: s.format.clone(),
                failed: s.state == SourceState::Failed,
                error: s.error.clone(),
                records: s.stats.records,
                events: s.stats.events,
                duplicates: s.stats.duplicates,
                problems: s
                    .stats
                    .problems
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
            })
            .collect();
        OpenWork {
            findings,
            incidents: session
                .incidents
                .sorted()
                .into_iter()
                .map(|i| i.to_json())
                .collect(),
            sources,
            thresholds: serde_json::to_value(&session.config.detectors).unwrap_or(Value::Null),
            span: session
                .store
                .span()
                .map(|(a, b)| (format_time(a), format_time(b))),
            recorded_by: String::new(),
            analyst: String::new(),
            findings_total: session.findings.all().len(),
            events_total: session.store.count() as u64,
        }
    }

    /// Sets the recorded incidents' status and owner to the case's current ones.
    pub fn apply_states(
        &mut self,
        states: &std::collections::HashMap<(super::Target, String), super::WorkState>,
    ) {
        for inc in &mut self.incidents {
            let id = text(inc, "id").to_string();
            let Some(w) = states.get(&(super::Target::Incident, id)) else {
                continue;
            };
            if let Some(o) = inc.as_object_mut() {
                o.insert("status".into(), Value::from(w.status.as_str()));
                if let Some(owner) = &w.owner {
                    o.insert("owner".into(), Value::from(owner.as_str()));
                }
            }
        }
    }

    /// The findings still open now (`judged` says which got a verdict since).
    pub fn open_findings<'a>(
        &'a self,
        judged: &'a HashSet<String>,
    ) -> impl Iterator<Item = &'a OpenFinding> + 'a {
        self.findings
            .iter()
            .filter(move |f| !judged.contains(&f.snapshot.finding_id))
    }

    /// The incidents with at least one member still open, most severe first.
    pub fn open_incidents<'a>(&'a self, judged: &'a HashSet<String>) -> Vec<&'a Value> {
        let mut v: Vec<&Value> = self
            .incidents
            .iter()
            .filter(|i| {
                i.get("status").and_then(Value::as_str) != Some("closed")
                    && members(i).any(|m| !judged.contains(m))
            })
            .collect();
        v.sort_by_key(|i| rank(text(i, "severity")));
        v
    }

    /// `## Open work`: incidents, then untriaged findings by severity.
    pub fn write_open(&self, o: &mut String, judged: &HashSet<String>) -> std::fmt::Result {
        writeln!(o, "## Open work\n")?;
        let incidents = self.open_incidents(judged);
        let findings: Vec<&OpenFinding> = self.open_findings(judged).collect();
        if !self.is_recorded() {
            return writeln!(
                o,
                "Unknown: no scan or workbench session is recorded in this case, so hunt \
                 cannot say what is open. Run `hunt scan --case CASE LOGS…`, or open the \
                 logs in the workbench with `--case CASE`, to record one.\n"
            );
        }
        if incidents.is_empty() && findings.is_empty() {
            let by = match self.recorded_by.as_str() {
                "" => "the last scan",
                b => b,
            };
            if self.events_total == 0 {
                return writeln!(
                    o,
                    "Nothing found, but the session that {by} recorded read no events: \
                     nothing was looked at.\n"
                );
            }
            return writeln!(
                o,
                "Nothing open: each of the {} that {by} recorded over {} from {} is \
                 judged, suppressed or in a closed incident.\n",
                plural(self.findings_total as u64, "finding"),
                plural(self.events_total, "event"),
                plural(self.sources.len() as u64, "source")
            );
        }
        writeln!(o, "### Incidents ({})\n", incidents.len())?;
        for i in incidents {
            let ids: Vec<String> = members(i).map(|m| format!("`{}`", md_code(m))).collect();
            writeln!(
                o,
                "{}\n  - Seen: {} to {} · Users: {} · IPs: {}\n  - Findings: {}",
                incident_heading(i),
                md(text(i, "first_seen")),
                md(text(i, "last_seen")),
                md(&list(i, "users")),
                md(&list(i, "ips")),
                ids.join(", ")
            )?;
        }
        writeln!(o, "\n### Untriaged findings ({})\n", findings.len())?;
        for f in findings {
            let s = &f.snapshot;
            writeln!(
                o,
                "#### {} `{}`: {}\n",
                md(&s.severity),
                md_code(&s.finding_id),
                md(&s.title)
            )?;
            writeln!(
                o,
                "- Detector: `{}` · Entity: `{}` · Risk: {} · Events: {}",
                md_code(&s.detector),
                md_code(&s.entity),
                s.risk,
                f.event_count
            )?;
            writeln!(o, "- Seen: {} to {}", md(&s.first_seen), md(&s.last_seen))?;
            if let Some(inc) = &f.incident {
                writeln!(o, "- Incident: `{}`", md_code(inc))?;
            }
            if !f.why.is_empty() {
                writeln!(o, "- Why it fired: {}", md(&f.why))?;
            }
            if let Some(d) = f.details.as_object().filter(|d| !d.is_empty()) {
                // The key details: short values; the JSON export has them all.
                let parts: Vec<String> = d
                    .iter()
                    .map(|(k, v)| (k, short(v)))
                    .filter(|(_, v)| v != "null" && v.chars().count() <= DETAIL_CHARS)
                    .map(|(k, v)| format!("{}: {}", md(k), md(&v)))
                    .collect();
                writeln!(o, "- Details: {}", parts.join("; "))?;
            }
            let refs: Vec<String> = f.evidence.iter().map(evidence_ref).collect();
            let more = f.evidence_total.saturating_sub(f.evidence.len());
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            writeln!(o, "- Evidence: {}{more}\n", refs.join(", "))?;
        }
        Ok(())
    }

    /// The incident a finding belongs to in the recorded grouping.
    pub fn incident_of(&self, finding_id: &str) -> Option<&str> {
        self.incidents
            .iter()
            .find(|i| members(i).any(|m| m == finding_id))
            .map(|i| text(i, "id"))
    }

    /// `### Closed and decided incidents`: those no longer open (closed, or
    /// every member judged), with status, owner and each member's verdict.
    pub fn write_closed(
        &self,
        o: &mut String,
        verdicts: &std::collections::HashMap<String, String>,
    ) -> std::fmt::Result {
        let judged: HashSet<String> = verdicts.keys().cloned().collect();
        let open: HashSet<&str> = self
            .open_incidents(&judged)
            .into_iter()
            .map(|i| text(i, "id"))
            .collect();
        let mut closed: Vec<&Value> = self
            .incidents
            .iter()
            .filter(|i| !open.contains(text(i, "id")))
            .collect();
        if closed.is_empty() {
            return Ok(());
        }
        closed.sort_by_key(|i| rank(text(i, "severity")));
        writeln!(o, "### Closed and decided incidents ({})\n", closed.len())?;
        for i in closed {
            let members: Vec<String> = members(i)
                .map(|m| {
                    let v = verdicts.get(m).map(String::as_str).unwrap_or("no verdict");
                    format!("`{}` {}", md_code(m), md(v))
                })
                .collect();
            writeln!(
                o,
                "{}\n  - Findings: {}",
                incident_heading(i),
                members.join(", ")
            )?;
        }
        writeln!(o)
    }

    /// `## Sources`, `## Detector thresholds` and `## Time span`.
    pub fn write_scan_facts(&self, o: &mut String) -> std::fmt::Result {
        writeln!(o, "## Sources read\n")?;
        if self.sources.is_empty() {
            writeln!(o, "No scan recorded its sources yet.")?;
        } else {
            writeln!(
                o,
                "| Source | Format | Records | Events | Duplicates | Problems |"
            )?;
            writeln!(o, "|---|---|---:|---:|---:|---|")?;
            for s in &self.sources {
                let mut problems: Vec<String> = s
                    .problems
                    .iter()
                    .map(|(k, v)| format!("{}: {v}", md(k)))
                    .collect();
                if let Some(e) = &s.error {
                    problems.insert(0, format!("failed: {}", md(e)));
                } else if s.failed {
                    problems.insert(0, "failed".into());
                }
                let problems = if problems.is_empty() {
                    "none".to_string()
                } else {
                    problems.join("; ")
                };
                writeln!(
                    o,
                    "| `{}` | {} | {} | {} | {} | {problems} |",
                    md_code(&s.name),
                    md(&s.format),
                    s.records,
                    s.events,
                    s.duplicates
                )?;
            }
        }
        writeln!(o, "\n## Detector thresholds in force\n")?;
        match self.thresholds.as_object() {
            Some(d) if !d.is_empty() => {
                for (name, v) in d {
                    writeln!(o, "- `{}`: `{}`", md_code(name), md_code(&settings(v)))?;
                }
            }
            _ => writeln!(o, "Not recorded (no scan recorded them yet).")?,
        }
        writeln!(o, "\n## Time span covered\n")?;
        match &self.span {
            Some((a, b)) => writeln!(o, "Events from {} to {}.\n", md(a), md(b)),
            None => writeln!(o, "No events recorded.\n"),
        }
    }
}

/// `1 finding`, `2 findings`.
pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A detector's settings as `key = value` pairs, TOML-like, in one line.
fn settings(v: &Value) -> String {
    match v.as_object() {
        Some(m) => m
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => v.to_string(),
    }
}

/// An incident's list line and its status line, as open and closed work show them.
fn incident_heading(i: &Value) -> String {
    let status = match text(i, "status") {
        "" => "new",
        s => s,
    };
    let owner = match text(i, "owner") {
        "" => "nobody",
        o => o,
    };
    format!(
        "- **{}** `{}`: {}\n  - Status: {} · Owner: {}",
        md(text(i, "severity")),
        md_code(text(i, "id")),
        md(text(i, "title")),
        md(status),
        md(owner),
    )
}

fn members(i: &Value) -> impl Iterator<Item = &str> {
    i.get("findings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list(v: &Value, key: &str) -> String {
    match v.get(key).and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a.iter().map(short).collect::<Vec<_>>().join(", "),
        _ => "-".into(),
    }
}

/// A JSON value as short text (strings without quotes).
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn evidence_ref(e: &Value) -> String {
    let file = text(e, "file");
    let at = match (e.get("line"), e.get("record")) {
        (Some(l), _) => format!(":{l}"),
        (None, Some(r)) => format!(" @{r}"),
        (None, None) => String::new(),
    };
    format!("`{}{}`", md_code(file), md_code(&at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(id: &str, severity: &str) -> OpenFinding {
        OpenFinding {
            snapshot: Snapshot {
                finding_id: id.into(),
                severity: severity.into(),
                title: format!("t {id}"),
                ..Snapshot::default()
            },
            ..OpenFinding::default()
        }
    }

    #[test]
    fn open_work_leaves_out_what_was_judged_or_closed_since() {
        let work = OpenWork {
            findings: vec![finding("a", "critical"), finding("b", "high")],
            incidents: vec![
                json!({"id": "inc-1", "severity": "high", "findings": ["a", "b"], "status": "new"}),
                json!({"id": "inc-2", "severity": "critical", "findings": ["b"], "status": "closed"}),
                json!({"id": "inc-3", "severity": "critical", "findings": ["a"], "status": "active"}),
            ],
            ..OpenWork::default()
        };
        let judged: HashSet<String> = ["a".to_string()].into();
        let open: Vec<&str> = work
            .open_findings(&judged)
            .map(|f| f.snapshot.finding_id.as_str())
            .collect();
        assert_eq!(open, ["b"]);
        let inc: Vec<&str> = work
            .open_incidents(&judged)
            .iter()
            .map(|i| text(i, "id"))
            .collect();
        assert_eq!(
            inc,
            ["inc-1"],
            "closed and fully judged incidents are not open"
        );
        let mut md = String::new();
        work.write_open(&mut md, &judged).unwrap();
        assert!(md.contains("#### high `b`: t b"), "{md}");
        assert!(!md.contains("`a`:"), "{md}");
        // Closed and fully judged incidents are handed off too, with status,
        // owner and each member's verdict.
        let verdicts: std::collections::HashMap<String, String> =
            [("a".to_string(), "true_positive".to_string())].into();
        let mut closed = String::new();
        work.write_closed(&mut closed, &verdicts).unwrap();
        assert!(
            closed.contains("### Closed and decided incidents (2)"),
            "{closed}"
        );
        assert!(closed.contains("`inc-2`"), "{closed}");
        assert!(closed.contains("Status: closed"), "{closed}");
        assert!(closed.contains("`b` no verdict"), "{closed}");
        assert!(
            closed.contains("`a` true\\_positive") || closed.contains("`a` true_positive"),
            "{closed}"
        );
        assert_eq!(work.incident_of("b"), Some("inc-1"));
        // An old case's empty document reads back as no work, and no record
        // is never "nothing open".
        let old: OpenWork = serde_json::from_str("{}").unwrap();
        assert_eq!(old, OpenWork::default());
        assert!(!old.is_recorded());
        let mut none = String::new();
        old.write_open(&mut none, &HashSet::new()).unwrap();
        assert!(
            none.starts_with("## Open work\n\nUnknown: no scan"),
            "{none}"
        );
        let recorded = OpenWork {
            recorded_by: "the workbench".into(),
            findings_total: 1,
            events_total: 1,
            ..OpenWork::default()
        };
        let mut empty = String::new();
        recorded.write_open(&mut empty, &HashSet::new()).unwrap();
        assert!(
            empty.contains(
                "each of the 1 finding that the workbench recorded over 1 event from 0 sources"
            ),
            "{empty}"
        );
        assert_eq!(rank("critical"), 0);
        assert_eq!(rank("bogus"), 4);
    }

    #[test]
    fn the_cases_current_incident_status_and_owner_win_and_are_written() {
        let mut work = OpenWork {
            findings: vec![finding("a", "critical")],
            incidents: vec![
                json!({"id": "inc-1", "severity": "high", "findings": ["a"], "status": "new", "owner": null}),
                json!({"id": "inc-2", "severity": "high", "findings": ["a"], "status": "new", "owner": null}),
            ],
            ..OpenWork::default()
        };
        let mut states = std::collections::HashMap::new();
        states.insert(
            (super::super::Target::Incident, "inc-1".to_string()),
            super::super::WorkState {
                status: crate::incident::Status::Active,
                owner: Some("ana".into()),
            },
        );
        states.insert(
            (super::super::Target::Incident, "inc-2".to_string()),
            super::super::WorkState {
                status: crate::incident::Status::Closed,
                owner: Some("bo".into()),
            },
        );
        work.apply_states(&states);
        let mut o = String::new();
        work.write_open(&mut o, &HashSet::new()).unwrap();
        assert!(
            o.contains("`inc-1`") && o.contains("Status: active · Owner: ana"),
            "{o}"
        );
        assert!(
            !o.contains("`inc-2`"),
            "closed since the scan: not open work\n{o}"
        );
    }
}
