//! A case on a read-only filesystem (a tmpfs this test mounts and remounts
//! read-only, so SQLite cannot even create the WAL's shared-memory file):
//! `hunt scan` still applies its allowlist and verdicts, with a notice that
//! names the real cause; writes are refused with that cause, not a hint to
//! chmod. Skips itself, saying why, where mounting is not permitted.

use assert_cmd::Command;
use hunt::config::Config;
use hunt::finding::DetectorId;
use hunt::triage::scan::ScanTriage;
use hunt::triage::{AllowKind, Case, Class, NewAllow, Snapshot, TriageError};
use std::path::{Path, PathBuf};
use std::process::Command as Sh;

const ID: &str = "95b976381eba7edd";

/// A tmpfs mounted for the test, unmounted (and its folder removed) on drop.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn new() -> Result<Mount, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Sh::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m", "hunt-ro-test"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Mount { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount_ro(&self) -> Result<(), String> {
        let out = Sh::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Sh::new("umount").arg(self.dir.path()).status();
    }
}

/// A case with one allowlist entry and one verdict, on a filesystem now read-only.
fn read_only_case() -> Option<(Mount, PathBuf)> {
    let m = match Mount::new() {
        Ok(m) => m,
        Err(why) => {
            eprintln!("skipped: cannot mount a tmpfs here ({why})");
            return None;
        }
    };
    let path = m.path().join("case.sqlite");
    {
        let case = Case::open(&path).unwrap();
        case.add_allow(&NewAllow {
            kind: AllowKind::Ip,
            value: "81.2.69.1".into(),
            detectors: vec![DetectorId::PasswordSpray],
            note: "lab scanner".into(),
            expires: None,
        })
        .unwrap();
        case.set_verdict(&Snapshot::id_only(ID), Class::FalsePositive, Some("known"))
            .unwrap();
    }
    if let Err(why) = m.remount_ro() {
        eprintln!("skipped: cannot remount the tmpfs read-only ({why})");
        return None;
    }
    Some((m, path))
}

#[test]
fn read_only_filesystem_case_still_applies_and_names_the_cause() {
    let Some((m, path)) = read_only_case() else {
        return;
    };
    // Writing: refused with the real cause.
    let err = match Case::open(&path) {
        Ok(_) => panic!("a case on a read-only filesystem opened for writing"),
        Err(e) => e,
    };
    assert!(matches!(err, TriageError::CannotWrite { .. }), "{err}");
    assert!(err.to_string().contains("Read-only file system"), "{err}");
    // Scanning: the allowlist and the verdict are there.
    let t = ScanTriage::open(Some(&path), &Config::default()).unwrap();
    assert!(t.case().is_some_and(Case::is_read_only));
    assert_eq!(t.triage().entries.len(), 1);
    assert_eq!(
        t.triage().verdict(ID).map(|v| v.class),
        Some(Class::FalsePositive)
    );
    let notice = t.warnings.join("\n");
    assert!(notice.contains("Read-only file system"), "{notice}");
    assert!(notice.contains("cannot be saved"), "{notice}");
    assert!(!notice.contains("chmod"), "{notice}");

    // The binary: the scan runs (exit 0) with the notice; the case reads.
    let hunt = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hunt"))
            .env_remove("HUNT_CASE")
            .env("XDG_DATA_HOME", m.path().join("none"))
            .env("XDG_CONFIG_HOME", m.path().join("none"))
            .arg(args[0])
            .arg("--case")
            .arg(&path)
            .args(&args[1..])
            .output()
            .unwrap()
    };
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("auth.log");
    std::fs::write(
        &log,
        "Jan  5 10:00:01 host sshd[121]: Failed password for root from 81.2.69.1 port 40001 ssh2\n",
    )
    .unwrap();
    let out = hunt(&["scan", "--output", "jsonl", log.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("opened read-only"), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
    let out = hunt(&["case", "allow", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("lab scanner"));
    let out = hunt(&["case", "verdict", ID, "true_positive"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Read-only file system"), "{err}");
}
