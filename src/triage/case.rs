//! The case file: one SQLite database in WAL mode holding verdicts (with
//! history), notes, allowlist entries, finding snapshots and the last scan's
//! match counts. Every write is one short immediate transaction committed
//! (synchronous=FULL) before the call returns, so an acknowledged write
//! survives a kill at any moment and two processes never lose each other's
//! writes. Opening refuses, before writing anything, files that are not
//! SQLite, not a hunt case, from a newer hunt, or read-only. This file does
//! no matching and no formatting; reading is in [`super::read`].

use super::allow::{AllowEntry, NewAllow};
use super::{current_analyst, format_at, now_ms, parse_finding_id, schema};
use super::{Class, Note, Snapshot, TriageError, Verdict};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, Transaction, TransactionBehavior};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another process's transaction (DEPS §4).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open case file.
pub struct Case {
    pub(super) conn: Connection,
    path: PathBuf,
    analyst: String,
    read_only: bool,
    data_version: Cell<i64>,
}

impl Case {
    /// Opens (creating it and its folder if needed) the case file at `path`.
    pub fn open(path: &Path) -> Result<Case, TriageError> {
        let marked_read_only = || std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        Case::open_writable(path).map_err(|e| match e {
            // A file marked read-only: `ReadOnly` says so and how to change it.
            TriageError::ReadOnly { .. } if marked_read_only() => e,
            // "unable to open database file" says nothing: name the real cause.
            TriageError::ReadOnly { .. } | TriageError::Db { .. } => match write_obstacle(path) {
                Some(why) => TriageError::CannotWrite {
                    path: path.to_path_buf(),
                    why,
                },
                None => e,
            },
            e => e,
        })
    }

    fn open_writable(path: &Path) -> Result<Case, TriageError> {
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
        let mode = case.enter_wal()?;
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
        let case = match Case::connect(path, flags, true)
            .and_then(|c| schema::check_identity(&c.conn, path).map(|()| c))
        {
            Ok(c) => c,
            // A WAL case whose folder is not writable: SQLite cannot create the
            // shared-memory file even to read. `immutable=1` reads the main file
            // alone (hunt checkpoints and removes the WAL when it closes a case).
            Err(TriageError::Db { .. }) | Err(TriageError::ReadOnly { .. }) => {
                let flags = flags | OpenFlags::SQLITE_OPEN_URI;
                let c = Case::connect_uri(&immutable_uri(path), path, flags)?;
                schema::check_identity(&c.conn, path)?;
                c
            }
            Err(e) => return Err(e),
        };
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

    fn connect_uri(uri: &str, path: &Path, flags: OpenFlags) -> Result<Case, TriageError> {
        let conn = Connection::open_with_flags(uri, flags).map_err(|e| TriageError::db(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| TriageError::db(path, e))?;
        Ok(Case {
            conn,
            path: path.to_path_buf(),
            analyst: current_analyst(),
            read_only: true,
            data_version: Cell::new(0),
        })
    }

    /// Puts the file in WAL mode and returns the journal mode now in effect.
    /// Two processes creating the same case at once both get here: switching
    /// needs an exclusive lock, and SQLite answers "busy" at once, without
    /// calling the busy handler, while the other one switches. WAL is kept in
    /// the file, so a mode already switched is left alone, and a busy switch
    /// is tried again (within the usual busy timeout).
    fn enter_wal(&self) -> Result<String, TriageError> {
        let db = |e| TriageError::db(&self.path, e);
        let start = std::time::Instant::now();
        loop {
            let current: String = self
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(db)?;
            if current.eq_ignore_ascii_case("wal") {
                return Ok(current);
            }
            match self
                .conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(mode) => return Ok(mode),
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(db(e)),
            }
        }
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

    pub(super) fn err(&self, e: rusqlite::Error) -> TriageError {
        TriageError::db(&self.path, e)
    }

    /// Runs `f` in one immediate transaction and commits it before returning.
    pub(super) fn write<T>(
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
        self.record_scan_work(matches, "{}")
    }

    /// Like [`Case::record_scan`], with what the scan left open for the
    /// hand-off (JSON of [`super::handoff::OpenWork`]), in the same transaction.
    pub fn record_scan_work(
        &self,
        matches: &HashMap<i64, u64>,
        work: &str,
    ) -> Result<(), TriageError> {
        self.write(|tx| {
            tx.execute("DELETE FROM scan_match", [])?;
            let mut ins =
                tx.prepare_cached("INSERT INTO scan_match (entry_id, matches) VALUES (?1, ?2)")?;
            for (&id, &n) in matches {
                ins.execute(params![id, n.min(i64::MAX as u64) as i64])?;
            }
            tx.execute(
                "INSERT INTO last_scan (id, at, work) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at, work = excluded.work",
                [format_at(now_ms()), work.to_string()],
            )?;
            Ok(())
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

/// `file:` URI opening `path` immutably (read-only, no locks, no WAL or
/// shared-memory file), with the characters URIs reserve percent-encoded.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(b as char)
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Why this process cannot write the case at `path` (or create it): the
/// error that writing the file or creating a file beside it (SQLite's
/// journal) gives, such as "Permission denied" or "Read-only file system".
/// `None` when nothing stands in the way.
pub(super) fn write_obstacle(path: &Path) -> Option<String> {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    let blocked = |e: &std::io::Error| matches!(e.kind(), PermissionDenied | ReadOnlyFilesystem);
    if std::fs::metadata(path).is_ok() {
        if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
            if blocked(&e) {
                return Some(format!("the file: {e}"));
            }
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let probe = dir.join(format!(".hunt-write-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(e) if blocked(&e) => Some(format!(
            "its folder {} does not take new files: {e}",
            dir.display()
        )),
        Err(_) => None,
    }
}

/// Inserts an id-only or full snapshot; a full one replaces whatever is stored,
/// an id-only one never overwrites a full one.
pub(super) fn upsert_snapshot(
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
