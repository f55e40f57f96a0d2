//! `hunt scan -f` as a process (SPEC §1, §6): it prints a JSON line when a
//! finding is created and again when it changes, flushed at once, while
//! the inputs stay open; stdin is followed until it closes and never holds
//! back a followed file. Stdout is read line by line with a timeout; the
//! process is killed at the end.

mod tail_common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;
use tail_common::*;

struct Hunt {
    child: Child,
    lines: Receiver<String>,
    _config_home: tempfile::TempDir,
}

impl Hunt {
    fn follow(args: &[&str]) -> Hunt {
        let config_home = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hunt"))
            .arg("scan")
            .arg("-f")
            .args(args)
            .env("XDG_CONFIG_HOME", config_home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Hunt {
            child,
            lines,
            _config_home: config_home,
        }
    }

    fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().unwrap()
    }

    /// The next finding line for `detector`, parsed; panics after 10 s.
    fn next(&self, detector: &str) -> serde_json::Value {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no {detector} line within 10 s"));
            let v: serde_json::Value =
                serde_json::from_str(&line).expect("each line is one JSON object");
            if v["detector"] == detector {
                return v;
            }
        }
    }

    /// No line at all for `d`.
    fn quiet_for(&self, d: Duration) {
        if let Ok(line) = self.lines.recv_timeout(d) {
            panic!("unexpected output: {line}");
        }
    }
}

impl Drop for Hunt {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spray_with_success() -> (String, String) {
    (
        lines(&spray_failures(0)),
        row(9 * 60, "user07@contoso.com", "45.83.64.17", "0") + "\n",
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_finding_is_printed_when_created_and_again_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SigninLogs.json");
    append(
        &path,
        &(row(-600, "staff@contoso.com", "62.140.128.10", "0") + "\n"),
    );
    let hunt = Hunt::follow(&[path_str(&path)]);
    hunt.quiet_for(Duration::from_millis(500));
    let (failures, success) = spray_with_success();
    append(&path, &failures);
    let created = hunt.next("password_spray");
    assert_eq!(created["change"], "created");
    append(&path, &success);
    // The poll may have caught the failures in two pieces: then an update
    // with the same risk comes first. Each update keeps the id.
    loop {
        let updated = hunt.next("password_spray");
        assert_eq!(updated["change"], "updated");
        assert_eq!(updated["id"], created["id"], "a consumer keys by id");
        if updated["risk"] != created["risk"] {
            assert_eq!(
                updated["details"]["successful_user_list"],
                serde_json::json!(["user07@contoso.com"])
            );
            break;
        }
    }
}

#[test]
fn stdin_is_followed_while_it_stays_open_and_ends_the_run_when_closed() {
    let mut hunt = Hunt::follow(&["-"]);
    let (failures, success) = spray_with_success();
    hunt.stdin().write_all(failures.as_bytes()).unwrap();
    hunt.stdin().write_all(success.as_bytes()).unwrap();
    hunt.stdin().flush().unwrap();
    let first = hunt.next("password_spray");
    assert!(first["change"] == "created" || first["change"] == "updated");
    drop(hunt.child.stdin.take()); // the writer closes the pipe
    let status = (0..100)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            hunt.child.try_wait().unwrap()
        })
        .expect("hunt scan -f - ends when stdin closes");
    assert!(status.success());
}

#[test]
fn a_silent_stdin_does_not_hold_back_a_followed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.json");
    // The file does not exist yet, and stdin stays open and silent.
    let hunt = Hunt::follow(&["-", path_str(&path)]);
    hunt.quiet_for(Duration::from_millis(400));
    let (failures, success) = spray_with_success();
    append(&path, &(failures + &success));
    let v = hunt.next("password_spray");
    assert_eq!(v["ip"], "45.83.64.17");
}

/// A brute-force burst written to a followed auth.log at once shares one
/// second (classic syslog stamps): the failures keep their place before the
/// success, and the stuffing is reported live (issue 11 §2).
#[test]
fn a_same_second_burst_appended_at_once_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.log");
    append(
        &path,
        "Nov 20 09:00:00 web sshd[90]: Accepted publickey for deploy from 198.51.100.7 port 50000 ssh2\n",
    );
    let hunt = Hunt::follow(&[path_str(&path)]);
    hunt.quiet_for(Duration::from_millis(500));
    let mut burst = String::new();
    for i in 0..6 {
        burst += &format!(
            "Nov 20 10:01:02 web sshd[{}]: Failed password for alice from 203.0.113.{} port 4{i}022 ssh2\n",
            100 + i,
            10 + i
        );
    }
    burst += "Nov 20 10:01:02 web sshd[200]: Accepted password for alice from 203.0.113.10 port 50022 ssh2\n";
    append(&path, &burst);
    let found = hunt.next("credential_stuffing");
    assert_eq!(found["user"], "alice");
}

/// Ten rotations a second, logrotate-style (`auth.log` → `.1` → `.2` …), one
/// brute-force burst per generation: every burst is found, including those
/// whose file was the path only between two polls.
#[test]
fn ten_rotations_a_second_lose_no_burst() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.log");
    append(&path, "Nov 20 09:00:00 web sshd[90]: Accepted publickey for deploy from 198.51.100.7 port 50000 ssh2\n");
    let hunt = Hunt::follow(&[path_str(&path)]);
    hunt.quiet_for(Duration::from_millis(500));
    let numbered = |n: u32| dir.path().join(format!("auth.log.{n}"));
    for b in 0..50u32 {
        let mut burst = String::new();
        for i in 0..10 {
            burst += &format!(
                "Nov 20 10:{:02}:{:02} web sshd[{}]: Failed password for svc{b} from 203.0.113.{} port {} ssh2\n",
                b / 6,
                (b % 6) * 10 + i / 2,
                1000 + b * 10 + i,
                b + 1,
                40000 + i
            );
        }
        append(&path, &burst);
        std::thread::sleep(Duration::from_millis(100));
        for n in (1..60).rev() {
            if numbered(n).exists() {
                std::fs::rename(numbered(n), numbered(n + 1)).unwrap();
            }
        }
        std::fs::rename(&path, numbered(1)).unwrap();
        std::fs::File::create(&path).unwrap();
    }
    let mut users = std::collections::BTreeSet::new();
    while users.len() < 50 {
        let v = hunt.next("brute_force");
        users.insert(v["user"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(users.len(), 50);
}
