//! Reading the case file: allowlist entries, verdicts (latest and history),
//! notes, snapshots and the last scan's match counts, and turning rows into
//! values. Every query runs on the one connection of [`Case`]; nothing here
//! writes (writes are in [`super::case`]). A row that no longer parses (a
//! hand-edited file) is an error that names the column, never a panic.

use super::allow::{AllowEntry, AllowKind};
use super::case::Case;
use super::{parse_at, Class, Note, Snapshot, TriageError, Verdict};
use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row};
use std::collections::HashMap;

const SNAPSHOT_SELECT: &str =
    "SELECT id, detector, entity, severity, risk, first_seen, last_seen, title FROM finding";

/// The match counts recorded by the last scan that had this case.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScanRecord {
    pub at: Option<DateTime<Utc>>,
    pub matches: HashMap<i64, u64>,
    /// What that scan left open (empty for a scan recorded by an older hunt).
    pub work: super::handoff::OpenWork,
}

impl ScanRecord {
    /// An entry is stale when a scan after its creation matched nothing with it.
    pub fn is_stale(&self, e: &AllowEntry) -> bool {
        self.at.is_some_and(|at| e.created <= at)
            && self.matches.get(&e.id).copied().unwrap_or(0) == 0
    }
}

impl Case {
    /// The case's allowlist entries that were not removed (expired ones included), by id.
    pub fn allowlist(&self) -> Result<Vec<AllowEntry>, TriageError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id, kind, value, detectors, note, analyst, created, expires FROM allow WHERE removed IS NULL ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], allow_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The latest verdict of every judged finding.
    pub fn latest_verdicts(&self) -> Result<HashMap<String, Verdict>, TriageError> {
        let all = self.query_verdicts(
            "SELECT finding_id, class, note, analyst, at FROM verdict WHERE seq IN
             (SELECT max(seq) FROM verdict GROUP BY finding_id)",
            [],
        )?;
        Ok(all.into_iter().map(|v| (v.finding_id.clone(), v)).collect())
    }

    /// Every verdict of one finding, oldest first.
    pub fn verdict_history(&self, finding_id: &str) -> Result<Vec<Verdict>, TriageError> {
        self.query_verdicts(
            "SELECT finding_id, class, note, analyst, at FROM verdict WHERE finding_id = ?1 ORDER BY seq",
            [finding_id],
        )
    }

    /// Every verdict in the case, oldest first.
    pub fn all_verdicts(&self) -> Result<Vec<Verdict>, TriageError> {
        self.query_verdicts(
            "SELECT finding_id, class, note, analyst, at FROM verdict ORDER BY seq",
            [],
        )
    }

    fn query_verdicts(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<Verdict>, TriageError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st.query_map(p, verdict_row).map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The notes of one finding, oldest first.
    pub fn notes(&self, finding_id: &str) -> Result<Vec<Note>, TriageError> {
        self.query_notes(
            "SELECT finding_id, text, analyst, at FROM note WHERE finding_id = ?1 ORDER BY seq",
            [finding_id],
        )
    }

    /// Every note in the case, oldest first.
    pub fn all_notes(&self) -> Result<Vec<Note>, TriageError> {
        self.query_notes(
            "SELECT finding_id, text, analyst, at FROM note ORDER BY seq",
            [],
        )
    }

    fn query_notes(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Note>, TriageError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(p, |r| {
                Ok(Note {
                    finding_id: r.get(0)?,
                    text: r.get(1)?,
                    analyst: r.get(2)?,
                    at: time_col(r, 3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// The snapshot of every finding the case has a verdict or note for.
    pub fn snapshots(&self) -> Result<Vec<Snapshot>, TriageError> {
        self.query_snapshots(&format!("{SNAPSHOT_SELECT} ORDER BY first_seen, id"), [])
    }

    /// The stored snapshot of one finding, if the case has it.
    pub fn snapshot(&self, finding_id: &str) -> Result<Option<Snapshot>, TriageError> {
        let mut v =
            self.query_snapshots(&format!("{SNAPSHOT_SELECT} WHERE id = ?1"), [finding_id])?;
        Ok(v.pop())
    }

    fn query_snapshots(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<Snapshot>, TriageError> {
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(p, |r| {
                Ok(Snapshot {
                    finding_id: r.get(0)?,
                    detector: r.get(1)?,
                    entity: r.get(2)?,
                    severity: r.get(3)?,
                    risk: r.get::<_, i64>(4)?.clamp(0, 100) as u8,
                    first_seen: r.get(5)?,
                    last_seen: r.get(6)?,
                    title: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// What the last recorded scan matched.
    pub fn last_scan(&self) -> Result<ScanRecord, TriageError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT at, work FROM last_scan WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let (at, work) = match row {
            Some((at, work)) => (Some(at), work),
            None => (None, String::new()),
        };
        let mut st = self
            .conn
            .prepare_cached("SELECT entry_id, matches FROM scan_match")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })
            .map_err(|e| self.err(e))?;
        let matches = rows
            .collect::<rusqlite::Result<HashMap<_, _>>>()
            .map_err(|e| self.err(e))?;
        Ok(ScanRecord {
            at: at.as_deref().and_then(parse_at),
            matches,
            // A hand-edited or damaged document loses the open work, not the case.
            work: serde_json::from_str(&work).unwrap_or_default(),
        })
    }
}

fn bad_col(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, what.to_string().into())
}

fn time_col(r: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    parse_at(&s).ok_or_else(|| bad_col(i, "not an RFC 3339 time"))
}

fn verdict_row(r: &Row) -> rusqlite::Result<Verdict> {
    let class: String = r.get(1)?;
    Ok(Verdict {
        finding_id: r.get(0)?,
        class: Class::from_name(&class).ok_or_else(|| bad_col(1, "unknown verdict class"))?,
        note: r.get(2)?,
        analyst: r.get(3)?,
        at: time_col(r, 4)?,
    })
}

fn allow_row(r: &Row) -> rusqlite::Result<AllowEntry> {
    let kind: String = r.get(1)?;
    let detectors: String = r.get(3)?;
    let detectors = detectors
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| {
            crate::finding::DetectorId::from_name(d).ok_or_else(|| bad_col(3, "unknown detector"))
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let expires: Option<String> = r.get(7)?;
    Ok(AllowEntry {
        id: r.get(0)?,
        kind: AllowKind::from_name(&kind).ok_or_else(|| bad_col(1, "unknown allowlist kind"))?,
        value: r.get(2)?,
        detectors,
        note: r.get(4)?,
        analyst: r.get(5)?,
        created: time_col(r, 6)?,
        expires: match expires {
            None => None,
            Some(s) => Some(parse_at(&s).ok_or_else(|| bad_col(7, "not an RFC 3339 time"))?),
        },
        from_config: false,
    })
}
