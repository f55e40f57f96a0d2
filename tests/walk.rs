//! The folder walk (issue 10 item 3): every file once whatever the links,
//! loops reported and skipped, unreadable entries reported while the rest
//! is read.

use hunt::ingest::read::{expand, Input};
use hunt::ingest::walk::expand_paths;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

fn names(inputs: &[Input], root: &Path) -> Vec<String> {
    inputs
        .iter()
        .map(|i| match i {
            Input::Path(p) => p.strip_prefix(root).unwrap_or(p).display().to_string(),
            Input::Stdin => "-".into(),
            Input::Live(l) => l.display(),
        })
        .collect()
}

#[test]
fn symlink_loops_give_each_file_once_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("a.log"), "x\n").unwrap();
    fs::write(root.join("sub/b.log"), "y\n").unwrap();
    symlink(".", root.join("self")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink("../sub", root.join("sub/again")).unwrap();

    let (inputs, problems) = expand(std::slice::from_ref(&root));
    assert_eq!(names(&inputs, &root), ["a.log", "sub/b.log"]);
    let mut looped: Vec<PathBuf> = problems.iter().map(|(p, _)| p.clone()).collect();
    looped.sort();
    assert_eq!(
        looped,
        [
            root.join("self"),
            root.join("sub/again"),
            root.join("sub/up")
        ]
    );
    assert!(problems.iter().all(|(_, e)| e.to_string().contains("loop")));

    // Inside a walked folder these are warnings, not unreadable inputs.
    let e = expand_paths(std::slice::from_ref(&root), false);
    assert!(e.errors.is_empty());
    assert_eq!(e.warnings.len(), 3);
}

#[test]
fn a_file_named_twice_or_through_a_link_is_read_once_at_its_first_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("a.log"), "x\n").unwrap();
    fs::write(root.join("b.log"), "y\n").unwrap();
    symlink("a.log", root.join("link.log")).unwrap();
    let other = dir.path().join("other");
    fs::create_dir_all(&other).unwrap();
    symlink(root.join("b.log"), other.join("b-again.log")).unwrap();

    let args = [
        root.clone(),
        root.join("a.log"),
        other.join("b-again.log"),
        other.clone(),
    ];
    let (inputs, problems) = expand(&args);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(names(&inputs, &root), ["a.log", "b.log"]);

    // Named first, a file keeps the name it was given.
    let (inputs, _) = expand(&[root.join("link.log"), root.clone()]);
    assert_eq!(names(&inputs, &root), ["link.log", "b.log"]);
}

/// A spray's worth of Entra sign-in lines for `user`.
fn signins(user: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"TimeGenerated\":\"2024-05-01T10:{:02}:00Z\",\"UserPrincipalName\":\"{user}\",\"IPAddress\":\"203.0.113.9\",\"ResultType\":\"50126\",\"Category\":\"SignInLogs\",\"AppDisplayName\":\"Azure Portal\"}}\n",
                i % 60
            )
        })
        .collect()
}

#[test]
fn unreadable_entries_in_a_folder_are_warnings_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("a.json"), signins("alice@example.com", 3)).unwrap();
    // Root reads anything: these fail for everyone.
    symlink("nowhere", root.join("dangling.json")).unwrap();
    symlink("knot", root.join("knot")).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["scan", "-v", "--output", "jsonl"])
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for name in ["dangling.json", "knot"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("hunt: warning: ") && l.contains(name)),
            "{name} reported: {stderr}"
        );
    }
    assert!(
        stderr.contains("hunt: 1 input(s), 3 events"),
        "the good file is read: {stderr}"
    );

    // Named on the command line, an unreadable path is still an error.
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["scan", "--output", "jsonl"])
        .arg(root.join("dangling.json"))
        .arg(root.join("a.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_folder_with_no_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("emptydir/sub")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .current_dir(dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["scan", "--output", "jsonl", "emptydir/"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no input files found under emptydir"),
        "{stderr}"
    );
}

#[test]
fn sigma_rules_beside_logs_are_not_read_as_logs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("case");
    fs::create_dir_all(root.join("rules")).unwrap();
    fs::write(root.join("signin.ndjson"), "{}\n").unwrap();
    fs::write(root.join("rules/a.yml"), "title: a\n").unwrap();
    fs::write(root.join("rules/b.YAML"), "title: b\n").unwrap();
    let (inputs, problems) = expand(std::slice::from_ref(&root));
    assert!(problems.is_empty());
    assert_eq!(names(&inputs, &root), ["signin.ndjson"]);
    // Named on the command line, a YAML file is read like anything else.
    let (inputs, _) = expand(&[root.join("rules/a.yml")]);
    assert_eq!(inputs.len(), 1);
}
