//! The case file through the library: verdict history (latest wins), notes,
//! snapshots filled in by a later scan and never downgraded, allowlist add /
//! remove / list, scan match counts and staleness, change polling between two
//! connections, and the files a case must refuse without touching them.

use hunt::triage::{AllowKind, Case, Class, NewAllow, Snapshot, TriageError};
use std::collections::HashMap;
use std::path::Path;

const ID: &str = "95b976381eba7edd";

fn open(path: &Path) -> Case {
    let mut c = Case::open(path).unwrap();
    c.set_analyst("alice");
    c
}

fn full_snapshot(id: &str) -> Snapshot {
    Snapshot {
        finding_id: id.into(),
        detector: "password_spray".into(),
        entity: "203.0.113.7".into(),
        severity: "high".into(),
        risk: 80,
        first_seen: "2024-01-01T10:00:00Z".into(),
        last_seen: "2024-01-01T10:15:00Z".into(),
        title: "Password spray from 203.0.113.7".into(),
    }
}

#[test]
fn verdict_history_keeps_every_change_and_the_latest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/dir/case.sqlite");
    let case = open(&path);
    assert!(path.exists(), "open creates the folder and file");
    case.set_verdict(&Snapshot::id_only(ID), Class::Undetermined, None)
        .unwrap();
    let v = case
        .set_verdict(
            &Snapshot::id_only(ID),
            Class::TruePositive,
            Some(" confirmed by phone "),
        )
        .unwrap();
    assert_eq!(v.note.as_deref(), Some("confirmed by phone"));
    assert_eq!(v.analyst, "alice");

    let latest = case.latest_verdicts().unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[ID].class, Class::TruePositive);
    let history = case.verdict_history(ID).unwrap();
    assert_eq!(
        history.iter().map(|v| v.class).collect::<Vec<_>>(),
        vec![Class::Undetermined, Class::TruePositive]
    );
    // Reopening sees the same.
    drop(case);
    let again = open(&path);
    assert_eq!(
        again.latest_verdicts().unwrap()[ID].class,
        Class::TruePositive
    );
}

#[test]
fn snapshots_are_filled_by_a_scan_and_never_downgraded() {
    let dir = tempfile::tempdir().unwrap();
    let case = open(&dir.path().join("c.sqlite"));
    case.set_verdict(&Snapshot::id_only(ID), Class::FalsePositive, None)
        .unwrap();
    assert!(case.snapshot(ID).unwrap().unwrap().is_id_only());

    // A scan records the judged finding; an unjudged one is not added.
    let other = "0123456789abcdef";
    let n = case
        .upsert_snapshots(&[full_snapshot(ID), full_snapshot(other)])
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(case.snapshot(ID).unwrap().unwrap(), full_snapshot(ID));
    assert!(case.snapshot(other).unwrap().is_none());

    // A later verdict from the command line (id only) keeps the details.
    case.set_verdict(&Snapshot::id_only(ID), Class::TruePositive, None)
        .unwrap();
    case.add_note(&Snapshot::id_only(ID), "user confirmed travel")
        .unwrap();
    assert_eq!(case.snapshot(ID).unwrap().unwrap(), full_snapshot(ID));
    assert_eq!(case.notes(ID).unwrap()[0].text, "user confirmed travel");
}

#[test]
fn bad_values_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let case = open(&dir.path().join("c.sqlite"));
    let snap = Snapshot::id_only(ID);
    assert!(matches!(
        case.set_verdict(&snap, Class::TruePositive, Some("  ")),
        Err(TriageError::Empty { .. })
    ));
    assert!(matches!(
        case.add_note(&snap, ""),
        Err(TriageError::Empty { .. })
    ));
    assert!(matches!(
        case.set_verdict(&Snapshot::id_only("nothex"), Class::TruePositive, None),
        Err(TriageError::BadFindingId(_))
    ));
    let bad = NewAllow {
        kind: AllowKind::Cidr,
        value: "10.0.0.0/40".into(),
        detectors: vec![],
        note: "x".into(),
        expires: None,
    };
    assert!(matches!(
        case.add_allow(&bad),
        Err(TriageError::BadValue { .. })
    ));
    assert!(case.latest_verdicts().unwrap().is_empty());
    assert!(case.snapshots().unwrap().is_empty());
    assert!(case.allowlist().unwrap().is_empty());
}

#[test]
fn allowlist_add_remove_and_scan_counts() {
    let dir = tempfile::tempdir().unwrap();
    let case = open(&dir.path().join("c.sqlite"));
    let add = |kind, value: &str| {
        case.add_allow(&NewAllow {
            kind,
            value: value.into(),
            detectors: vec![hunt::finding::DetectorId::PasswordSpray],
            note: "corporate VPN".into(),
            expires: Some(chrono::Utc::now() + chrono::Duration::days(30)),
        })
        .unwrap()
    };
    let a = add(AllowKind::Cidr, "10.9.1.1/16");
    let b = add(AllowKind::Country, "nl");
    assert_eq!(a.value, "10.9.0.0/16");
    assert_eq!(b.value, "NL");
    assert!(b.id > a.id && a.id > 0);
    let listed = case.allowlist().unwrap();
    assert_eq!(listed, vec![a.clone(), b.clone()]);

    // Before any scan nothing is stale; after one, the entry that matched nothing is.
    assert!(!case.last_scan().unwrap().is_stale(&a));
    case.record_scan(&HashMap::from([(a.id, 3), (b.id, 0)]))
        .unwrap();
    let scan = case.last_scan().unwrap();
    assert_eq!(scan.matches[&a.id], 3);
    assert!(!scan.is_stale(&a) && scan.is_stale(&b));

    assert!(case.remove_allow(a.id).unwrap());
    assert!(!case.remove_allow(a.id).unwrap(), "already removed");
    assert!(matches!(
        case.remove_allow(-1),
        Err(TriageError::ConfigEntry(-1))
    ));
    assert_eq!(case.allowlist().unwrap(), vec![b.clone()]);
    // Ids are never reused, so old suppressions never point at a new entry.
    let c = add(AllowKind::User, "Bob@Contoso.com");
    assert!(c.id > b.id);
    assert_eq!(c.value, "bob@contoso.com");
}

#[test]
fn another_connection_sees_writes_and_changed_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let a = open(&path);
    let b = open(&path);
    assert!(!b.changed().unwrap());
    a.set_verdict(&Snapshot::id_only(ID), Class::BenignPositive, None)
        .unwrap();
    assert!(b.changed().unwrap());
    assert!(!b.changed().unwrap(), "reported once");
    assert_eq!(
        b.latest_verdicts().unwrap()[ID].class,
        Class::BenignPositive
    );
    // Own writes are not "changes from elsewhere".
    b.set_verdict(&Snapshot::id_only(ID), Class::TruePositive, None)
        .unwrap();
    assert!(!b.changed().unwrap());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = b"these are my notes, not a database\n".repeat(200);
    std::fs::write(&path, &text).unwrap();
    let err = Case::open(&path).err().unwrap();
    assert!(matches!(err, TriageError::NotADatabase { .. }), "{err}");
    assert!(
        err.to_string().contains("notes.txt") && err.to_string().contains("not an SQLite database")
    );
    assert_eq!(std::fs::read(&path).unwrap(), text);
    assert!(!dir.path().join("notes.txt-wal").exists());
    assert!(Case::open_read_only(&path).is_err());
}

#[test]
fn a_newer_schema_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    drop(open(&path));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Case::open(&path).err().unwrap();
    assert!(
        matches!(err, TriageError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Case::open(&path).err().unwrap();
    assert!(matches!(err, TriageError::NotACase { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn an_empty_file_becomes_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    std::fs::write(&path, b"").unwrap();
    let case = open(&path);
    case.set_verdict(&Snapshot::id_only(ID), Class::TruePositive, None)
        .unwrap();
    assert_eq!(case.latest_verdicts().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_read_only_case_gives_a_clear_error_but_can_be_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    {
        let case = open(&path);
        case.set_verdict(&Snapshot::id_only(ID), Class::TruePositive, None)
            .unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let err = Case::open(&path).err().unwrap();
    assert!(matches!(err, TriageError::ReadOnly { .. }), "{err}");
    assert!(
        err.to_string().contains("read-only") && err.to_string().contains("chmod"),
        "{err}"
    );
    let ro = Case::open_read_only(&path).unwrap();
    assert_eq!(ro.latest_verdicts().unwrap()[ID].class, Class::TruePositive);
    assert!(matches!(
        ro.set_verdict(&Snapshot::id_only(ID), Class::FalsePositive, None),
        Err(TriageError::ReadOnly { .. })
    ));
}
