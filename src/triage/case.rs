//! The case file: one SQLite database in WAL mode holding verdicts (with
//! history), notes, allowlist entries, finding snapshots and the last scan's
//! match counts. Every write is one short immediate transaction committed
//! (synchronous=FULL) before the call returns, so an acknowledged write
//! survives a kill at any moment and two processes never lose each other's
//! writes. Opening refuses, before writing anything, files that are not
//! SQLite, not a hunt case, from a newer hunt, or read-only. This file does
//! no matching and no formatting.

use super::allow::{AllowEntry, AllowKind, NewAllow};
use super::{current_analyst, format_at, now_ms, parse_at, parse_finding_id, schema};
use super::{Class, Note, Snapshot, TriageError, Verdict};
use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SNAPSHOT_SELECT: &str =
    "SELECT id, detector, entity, severity, risk, first_seen, last_seen, title FROM finding";

/// How long a write waits for another process's transaction (DEPS §4).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open case file.
pub struct Case {
    conn: Connection,
    path: PathBuf,
    analyst: String,
    read_only: bool,
    data_version: Cell<i64>,
}

/// The match counts recorded by the last scan that had this case.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScanRecord {
    pub at: Option<DateTime<Utc>>,
    pub matches: HashMap<i64, u64>,
}

impl ScanRecord {
    /// An entry is stale when a scan after its creation matched nothing with it.
    pub fn is_stale(&self, e: &AllowEntry) -> bool {
        self.at.is_some_and(|at| e.created <= at)
            && self.matches.get(&e.id).copied().unwrap_or(0) == 0
    }
}

impl Case {
    /// Opens (creating it and its folder if needed) the case file at `path`.
    pub fn open(path: &Path) -> Result<Case, TriageError> {
        schema::check_header(path)?;
        check_writable(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| TriageError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let case = Case::connect(path, flags, false)?;
        let db = |e| TriageError::db(path, e);
        if case.conn.is_readonly("main").map_err(db)? {
            return Err(TriageError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        schema::check_identity(&case.conn, path)?;
        // busy_timeout is set (in connect) before this, as DEPS §4 measured.
        let mode: String = case
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(TriageError::Db {
                path: path.to_path_buf(),
                source: rusqlite::Error::InvalidQuery,
            });
        }
        case.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        schema::migrate(&case.conn, path)?;
        case.data_version.set(case.read_data_version()?);
        Ok(case)
    }

    /// Opens an existing case for reading only (a scan over a read-only case
    /// still applies its allowlist and verdicts). Writes fail with `ReadOnly`.
    pub fn open_read_only(path: &Path) -> Result<Case, TriageError> {
        schema::check_header(path)?;
        if !path.exists() {
            return Err(TriageError::Io {
                path: path.to_path_buf(),
                source: std::io::ErrorKind::NotFound.into(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let case = Case::connect(path, flags, true)?;
        schema::check_identity(&case.conn, path)?;
        let version: i64 = case
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| TriageError::db(path, e))?;
        if version != schema::latest() {
            // Older schema: it would need a migration, which needs writing.
            return Err(TriageError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        case.data_version.set(case.read_data_version()?);
        Ok(case)
    }

    fn connect(path: &Path, flags: OpenFlags, read_only: bool) -> Result<Case, TriageError> {
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| TriageError::db(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| TriageError::db(path, e))?;
        Ok(Case {
            conn,
            path: path.to_path_buf(),
            analyst: current_analyst(),
            read_only,
            data_version: Cell::new(0),
        })
    }

    /// `$XDG_DATA_HOME/hunt/case.sqlite` (or `~/.local/share/hunt/case.sqlite`).
    pub fn default_path() -> Option<PathBuf> {
        use etcetera::BaseStrategy;
        let base = etcetera::choose_base_strategy().ok()?;
        Some(base.data_dir().join("hunt").join("case.sqlite"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who is recorded as the analyst of this connection's writes.
    pub fn analyst(&self) -> &str {
        &self.analyst
    }

    pub fn set_analyst(&mut self, name: &str) {
        self.analyst = name.to_string();
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn err(&self, e: rusqlite::Error) -> TriageError {
        TriageError::db(&self.path, e)
    }

    /// Runs `f` in one immediate transaction and commits it before returning.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, TriageError> {
        if self.read_only {
            return Err(TriageError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let out = f(&tx).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Records a verdict (a new history row; the latest wins) with the finding's snapshot.
    pub fn set_verdict(
        &self,
        snap: &Snapshot,
        class: Class,
        note: Option<&str>,
    ) -> Result<Verdict, TriageError> {
        let finding_id = parse_finding_id(&snap.finding_id)?;
        let note = match note.map(str::trim) {
            Some("") => {
                return Err(TriageError::Empty {
                    what: "verdict note",
                    fix: "leave --note out or say why",
                })
            }
            n => n.map(str::to_string),
        };
        let v = Verdict {
            finding_id,
            class,
            note,
            analyst: self.analyst.clone(),
            at: now_ms(),
        };
        self.write(|tx| {
            upsert_snapshot(tx, &v.finding_id, snap, v.at)?;
            tx.execute(
                "INSERT INTO verdict (finding_id, class, note, analyst, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![v.finding_id, class.as_str(), v.note, v.analyst, format_at(v.at)],
            )
        })?;
        Ok(v)
    }

    /// Adds a free note to a finding.
    pub fn add_note(&self, snap: &Snapshot, text: &str) -> Result<Note, TriageError> {
        let finding_id = parse_finding_id(&snap.finding_id)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(TriageError::Empty {
                what: "note",
                fix: "write the note's text",
            });
        }
        let n = Note {
            finding_id,
            text: text.to_string(),
            analyst: self.analyst.clone(),
            at: now_ms(),
        };
        self.write(|tx| {
            upsert_snapshot(tx, &n.finding_id, snap, n.at)?;
            tx.execute(
                "INSERT INTO note (finding_id, text, analyst, at) VALUES (?1, ?2, ?3, ?4)",
                params![n.finding_id, n.text, n.analyst, format_at(n.at)],
            )
        })?;
        Ok(n)
    }

    /// Fills or refreshes the snapshots of findings a scan produced (id-only
    /// snapshots are never written over real ones). Unjudged findings are skipped.
    pub fn upsert_snapshots(&self, snaps: &[Snapshot]) -> Result<usize, TriageError> {
        let now = now_ms();
        self.write(|tx| {
            let mut n = 0;
            for s in snaps.iter().filter(|s| !s.is_id_only()) {
                n += tx.execute(
                    "UPDATE finding SET detector = ?2, entity = ?3, severity = ?4, risk = ?5, first_seen = ?6,
                     last_seen = ?7, title = ?8, updated = ?9 WHERE id = ?1 AND (detector, entity, severity, risk,
                     first_seen, last_seen, title) IS NOT (?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![s.finding_id, s.detector, s.entity, s.severity, s.risk, s.first_seen, s.last_seen, s.title, format_at(now)],
                )?;
            }
            Ok(n)
        })
    }

    /// Adds an allowlist entry after validating it (see [`NewAllow::validate`]).
    pub fn add_allow(&self, entry: &NewAllow) -> Result<AllowEntry, TriageError> {
        let now = now_ms();
        let e = entry.normalized(now)?;
        let detectors: Vec<&str> = e.detectors.iter().map(|d| d.as_str()).collect();
        let id = self.write(|tx| {
            tx.execute(
                "INSERT INTO allow (kind, value, detectors, note, analyst, created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    e.kind.as_str(),
                    e.value,
                    detectors.join(","),
                    e.note,
                    self.analyst,
                    format_at(now),
                    e.expires.map(format_at)
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })?;
        Ok(AllowEntry {
            id,
            kind: e.kind,
            value: e.value,
            detectors: e.detectors,
            note: e.note,
            analyst: self.analyst.clone(),
            created: now,
            expires: e.expires,
            from_config: false,
        })
    }

    /// Removes an entry (it is kept in the file, marked removed, for the record).
    /// Returns false when there is no such live entry.
    pub fn remove_allow(&self, id: i64) -> Result<bool, TriageError> {
        if id < 0 {
            return Err(TriageError::ConfigEntry(id));
        }
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE allow SET removed = ?2, removed_by = ?3 WHERE id = ?1 AND removed IS NULL",
                params![id, format_at(now_ms()), self.analyst],
            )
        })?;
        Ok(n > 0)
    }

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

    /// True when another connection committed since the last call (or since opening).
    pub fn changed(&self) -> Result<bool, TriageError> {
        let v = self.read_data_version()?;
        Ok(self.data_version.replace(v) != v)
    }

    fn read_data_version(&self) -> Result<i64, TriageError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Replaces the recorded match counts with those of the scan just run.
    pub fn record_scan(&self, matches: &HashMap<i64, u64>) -> Result<(), TriageError> {
        self.write(|tx| {
            tx.execute("DELETE FROM scan_match", [])?;
            let mut ins = tx.prepare_cached("INSERT INTO scan_match (entry_id, matches) VALUES (?1, ?2)")?;
            for (&id, &n) in matches {
                ins.execute(params![id, n.min(i64::MAX as u64) as i64])?;
            }
            tx.execute(
                "INSERT INTO last_scan (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                [format_at(now_ms())],
            )?;
            Ok(())
        })
    }

    /// What the last recorded scan matched.
    pub fn last_scan(&self) -> Result<ScanRecord, TriageError> {
        let at: Option<String> = self
            .conn
            .query_row("SELECT at FROM last_scan WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
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
        })
    }
}

/// Refuses a file the user marked read-only (even for root, who could write it
/// anyway: a read-only case is a handed-over record) or that we cannot open for writing.
fn check_writable(path: &Path) -> Result<(), TriageError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let read_only = TriageError::ReadOnly {
        path: path.to_path_buf(),
    };
    if meta.is_dir() {
        return Err(TriageError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("is a folder, not a case file"),
        });
    }
    if meta.permissions().readonly() {
        return Err(read_only);
    }
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            Err(read_only)
        }
        Err(source) => Err(TriageError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Inserts an id-only or full snapshot; a full one replaces whatever is stored,
/// an id-only one never overwrites a full one.
fn upsert_snapshot(
    tx: &Transaction,
    id: &str,
    s: &Snapshot,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO finding (id, detector, entity, severity, risk, first_seen, last_seen, title, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, entity = excluded.entity,
           severity = excluded.severity, risk = excluded.risk, first_seen = excluded.first_seen,
           last_seen = excluded.last_seen, title = excluded.title, updated = excluded.updated
         WHERE excluded.detector <> ''",
        params![id, s.detector, s.entity, s.severity, s.risk, s.first_seen, s.last_seen, s.title, format_at(at)],
    )?;
    Ok(())
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
