//! Helpers for the live-source tests: the real `hunt scan -f` as a process
//! whose stdout (finding lines) and stderr are read line by line with a
//! deadline, a free port for a syslog receiver, and a wait for it to listen.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub struct Scan {
    child: Child,
    pub out: Receiver<String>,
    pub err: Receiver<String>,
    _home: tempfile::TempDir,
}

fn pump(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

impl Scan {
    /// `hunt scan -f ARGS…` with an empty configuration home.
    pub fn start(args: &[&str]) -> Scan {
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hunt"))
            .arg("scan")
            .arg("-f")
            .args(args)
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = pump(child.stdout.take().unwrap());
        let err = pump(child.stderr.take().unwrap());
        Scan {
            child,
            out,
            err,
            _home: home,
        }
    }

    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.child.stdin.as_mut().unwrap()
    }

    /// The first finding line (parsed) for which `want` holds, within
    /// `secs`; panics with the last line seen otherwise.
    pub fn finding(
        &self,
        secs: u64,
        want: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut last = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => {
                    let v: serde_json::Value =
                        serde_json::from_str(&line).expect("each line is one JSON object");
                    if want(&v) {
                        return v;
                    }
                    last = line;
                }
                Err(_) => panic!("no matching finding within {secs} s; last line: {last}"),
            }
        }
    }

    /// Every stderr line so far.
    pub fn stderr_now(&self) -> Vec<String> {
        self.err.try_iter().collect()
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 for both UDP and TCP (just now).
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// Waits until something accepts TCP connections on `port` (the receiver
/// binds UDP first, so UDP is then bound too).
pub fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The brute_force finding for `user` with at least `n` failures.
pub fn brute(user: &str, n: u64) -> impl Fn(&serde_json::Value) -> bool + '_ {
    move |v| {
        v["detector"] == "brute_force"
            && v["user"] == user
            && v["details"]["failures"].as_u64().unwrap_or(0) >= n
    }
}
