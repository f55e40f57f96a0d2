//! The case file's schema: a list of migrations, the version recorded in
//! `PRAGMA user_version`, and `PRAGMA application_id` marking the file as a
//! hunt case. Opening checks, before anything is written, that the file is an
//! SQLite database, is ours (or empty), and is not from a newer hunt; only
//! then are migrations applied, in one immediate transaction. Migrations are
//! append-only: never edit one that has shipped, add the next.

use super::TriageError;
use rusqlite::{Connection, TransactionBehavior};
use std::io::Read;
use std::path::Path;

/// "hunt" in ASCII, so `file(1)` and our own checks can tell a case file apart.
pub const APPLICATION_ID: i64 = 0x6875_6e74;

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = "
CREATE TABLE finding (
    id         TEXT PRIMARY KEY NOT NULL,
    detector   TEXT NOT NULL DEFAULT '',
    entity     TEXT NOT NULL DEFAULT '',
    severity   TEXT NOT NULL DEFAULT '',
    risk       INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL DEFAULT '',
    last_seen  TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    updated    TEXT NOT NULL
) STRICT;
CREATE TABLE verdict (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id TEXT NOT NULL REFERENCES finding(id),
    class      TEXT NOT NULL CHECK (class IN ('true_positive', 'benign_positive', 'false_positive', 'undetermined')),
    note       TEXT,
    analyst    TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX verdict_by_finding ON verdict (finding_id, seq);
CREATE TABLE note (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id TEXT NOT NULL REFERENCES finding(id),
    text       TEXT NOT NULL CHECK (text <> ''),
    analyst    TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX note_by_finding ON note (finding_id, seq);
CREATE TABLE allow (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('ip', 'cidr', 'user', 'asn', 'country', 'user_agent')),
    value      TEXT NOT NULL CHECK (value <> ''),
    detectors  TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL CHECK (note <> ''),
    analyst    TEXT NOT NULL,
    created    TEXT NOT NULL,
    expires    TEXT,
    removed    TEXT,
    removed_by TEXT
) STRICT;
CREATE TABLE last_scan (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
) STRICT;
CREATE TABLE scan_match (
    entry_id INTEGER PRIMARY KEY,
    matches  INTEGER NOT NULL
) STRICT;
";

/// Version 2: what the last scan left open for the hand-off (untriaged
/// findings with details and evidence references, incidents, sources with
/// counts and problems, thresholds, time span), one JSON document
/// ([`super::handoff::OpenWork`]). Old cases read `{}`: nothing recorded yet.
const V2: &str = "
ALTER TABLE last_scan ADD COLUMN work TEXT NOT NULL DEFAULT '{}';
";

/// Version 3: the triage workflow ([`super::workflow`]): status (new,
/// active, closed) and owner of findings and incidents, and findings moved
/// out of or into incidents by hand. History rows like verdicts: the latest
/// status and the latest owner win; moves are replayed in order.
const V3: &str = "
CREATE TABLE work_status (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT NOT NULL CHECK (kind IN ('finding', 'incident')),
    target  TEXT NOT NULL CHECK (target <> ''),
    status  TEXT CHECK (status IN ('new', 'active', 'closed')),
    owner   TEXT,
    analyst TEXT NOT NULL,
    at      TEXT NOT NULL
) STRICT;
CREATE INDEX work_status_by_target ON work_status (kind, target, seq);
CREATE TABLE incident_move (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id TEXT NOT NULL CHECK (finding_id <> ''),
    incident   TEXT,
    analyst    TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
";

/// Version 4: live sources ([`super::kafka`]): the offsets a Kafka input
/// committed per consumer group, topic and partition (read on from
/// `next_offset`; a restart reads again from `replay_from` to rebuild the
/// detectors' windows), and the findings a live run recorded, written in
/// the same transaction as the offsets of the events behind them.
const V4: &str = "
CREATE TABLE kafka_offset (
    grp         TEXT NOT NULL,
    topic       TEXT NOT NULL,
    part        INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    replay_from INTEGER NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (grp, topic, part)
) STRICT;
CREATE TABLE live_finding (
    id         TEXT PRIMARY KEY NOT NULL,
    source     TEXT NOT NULL,
    detector   TEXT NOT NULL,
    entity     TEXT NOT NULL,
    severity   TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    title      TEXT NOT NULL,
    doc        TEXT NOT NULL,
    found      TEXT NOT NULL,
    updated    TEXT NOT NULL
) STRICT;
";

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks the raw file before SQLite touches it: an existing, non-empty file
/// must start with the SQLite header.
pub fn check_header(path: &Path) -> Result<(), TriageError> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(TriageError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let mut head = Vec::with_capacity(16);
    (&mut f)
        .take(16)
        .read_to_end(&mut head)
        .map_err(|source| TriageError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    if head.is_empty() || head == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(TriageError::NotADatabase {
            path: path.to_path_buf(),
        })
    }
}

/// Refuses databases that are not ours or are newer than this build. Reads only.
pub fn check_identity(conn: &Connection, path: &Path) -> Result<(), TriageError> {
    let db = |e| TriageError::db(path, e);
    // One statement, so one snapshot: read one by one, the three could
    // straddle another process's first migration commit (an empty file's
    // id, then its new tables) and call our own new case foreign.
    let (app, version, tables): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id()), \
                    (SELECT user_version FROM pragma_user_version()), \
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(db)?;
    let ours = app == APPLICATION_ID || (app == 0 && version == 0 && tables == 0);
    if !ours {
        return Err(TriageError::NotACase {
            path: path.to_path_buf(),
        });
    }
    if version > latest() {
        return Err(TriageError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: latest(),
        });
    }
    Ok(())
}

/// Brings the schema to [`latest`] in one immediate transaction (a second
/// process opening the same new file waits, then finds nothing to do).
pub fn migrate(conn: &Connection, path: &Path) -> Result<(), TriageError> {
    let db = |e| TriageError::db(path, e);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    if version == latest() {
        return Ok(());
    }
    let tx =
        rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(db)?;
    // Re-read under the write lock: another process may have migrated meanwhile.
    check_identity(&tx, path)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
        tx.execute_batch(sql).map_err(db)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(db)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(db)?;
    tx.commit().map_err(db)
}
