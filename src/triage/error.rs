//! Triage errors. Each message quotes the bad value and says how to fix it;
//! errors about the case file name the file and promise (truthfully) that it
//! was left untouched. No error here is a panic: bad input is normal input.

use super::allow::AllowKind;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("unknown verdict class `{0}`; use one of true_positive, benign_positive, false_positive, undetermined")]
    UnknownClass(String),
    #[error("unknown allowlist kind `{0}`; use one of ip, cidr, user, asn, country, user_agent")]
    UnknownKind(String),
    #[error("unknown detector `{name}`; use one of {known}")]
    UnknownDetector { name: String, known: String },
    #[error("`{value}` is not a valid {kind} entry: {fix}")]
    BadValue {
        kind: AllowKind,
        value: String,
        fix: &'static str,
    },
    #[error("the {what} is empty; {fix}")]
    Empty {
        what: &'static str,
        fix: &'static str,
    },
    #[error("`{0}` is not an expiry; write a span like 30d or 12h, or a date like 2026-12-31")]
    BadExpiry(String),
    #[error("expiry `{value}` ({at}) is already past; give a later date or a span like 30d")]
    ExpiryInPast { value: String, at: String },
    #[error(
        "`{0}` is not a finding id; ids are the 16 hex digits in the id column of `hunt scan`"
    )]
    BadFindingId(String),
    #[error("no finding in the case starts with `{0}`; give more of the id (`hunt case export` lists them) or all 16 hex digits")]
    NoSuchPrefix(String),
    #[error("`{prefix}` is ambiguous: it starts the ids {}; give more digits", .candidates.join(", "))]
    AmbiguousPrefix {
        prefix: String,
        candidates: Vec<String>,
    },
    #[error("there is no allowlist entry #{0} in the case; `hunt case allow list` shows the ids")]
    NoSuchEntry(i64),
    #[error("allowlist entry {0} comes from the config file; remove it from the [[allow]] section there")]
    ConfigEntry(i64),
    #[error("config [[allow]] entry {index}: {message}")]
    BadConfigEntry { index: usize, message: String },
    #[error("{}: not a hunt case file (it is not an SQLite database); it was left untouched — point --case at another file", .path.display())]
    NotADatabase { path: PathBuf },
    #[error("{}: an SQLite database, but not a hunt case file; it was left untouched — point --case at another file", .path.display())]
    NotACase { path: PathBuf },
    #[error("{}: the case file has schema version {found}, newer than this hunt understands (up to {known}); it was left untouched — use a newer hunt", .path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{}: the case file is read-only; make it writable (chmod u+w) or copy it and point --case at the copy", .path.display())]
    ReadOnly { path: PathBuf },
    #[error("{}: the case file cannot be written ({why}); copy it to a writable folder and point --case at the copy", .path.display())]
    CannotWrite { path: PathBuf, why: String },
    #[error("{}: the case file stayed locked by another process for more than 5 s; try again", .path.display())]
    Busy { path: PathBuf },
    #[error("no case file: give --case FILE (neither $XDG_DATA_HOME nor $HOME is set)")]
    NoPath,
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", .path.display())]
    Db {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl TriageError {
    /// True when the case exists but this process cannot write it (a
    /// read-only file, folder or filesystem): it can still be read.
    pub fn is_unwritable(&self) -> bool {
        matches!(
            self,
            TriageError::ReadOnly { .. } | TriageError::CannotWrite { .. }
        )
    }

    /// Wraps a database error, recognising the cases that have their own message.
    pub fn db(path: &std::path::Path, e: rusqlite::Error) -> TriageError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => TriageError::NotADatabase { path },
            Some(ErrorCode::ReadOnly) => TriageError::ReadOnly { path },
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                TriageError::Busy { path }
            }
            _ => TriageError::Db { path, source: e },
        }
    }
}
