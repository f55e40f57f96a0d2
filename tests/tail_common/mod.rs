//! Helpers for the live-tail tests: Sentinel `SigninLogs` rows built from a
//! few fields, the bundled samples as lines, a comparable digest of
//! findings, and a [`Follower`] that runs the real pipeline (`start` +
//! `Session`) in follow mode and pumps its messages until a condition holds.
#![allow(dead_code)]

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::finding::Change;
use hunt::ingest::read::Input;
use hunt::pipeline::{self, IngestMsg, RunOptions, Session};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// 2026-11-18T10:00:00Z, in seconds.
pub const BASE: i64 = 1_794_996_000;

/// A Sentinel `SigninLogs` row `secs` after [`BASE`] (no newline).
/// `code` is the Entra result code ("0" is a success).
pub fn row(secs: i64, user: &str, ip: &str, code: &str) -> String {
    row_asn(secs, user, ip, code, "64600")
}

/// Like [`row`] with the AS number the row carries (9009 is M247, a hosting network).
pub fn row_asn(secs: i64, user: &str, ip: &str, code: &str, asn: &str) -> String {
    let t = chrono::DateTime::from_timestamp(BASE + secs, 0).unwrap();
    serde_json::json!({
        "TimeGenerated": t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "Type": "SigninLogs",
        "OperationName": "Sign-in activity",
        "UserPrincipalName": user,
        "IPAddress": ip,
        "ResultType": code,
        "AppDisplayName": "Office 365 Exchange Online",
        "ClientAppUsed": "Browser",
        "AuthenticationRequirement": "multiFactorAuthentication",
        "Location": "NL",
        "AutonomousSystemNumber": asn,
    })
    .to_string()
}

/// A password spray from 45.83.64.17: 12 users × 2 failures, one every 20 s
/// from `start` (8 minutes), as lines.
pub fn spray_failures(start: i64) -> Vec<String> {
    (0..24)
        .map(|i| {
            row(
                start + 20 * i,
                &format!("user{:02}@contoso.com", i % 12),
                "45.83.64.17",
                "50126",
            )
        })
        .collect()
}

/// The crate root (samples live under it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The lines of a bundled sample file.
pub fn sample_lines(rel: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("samples").join(rel)).expect("samples exist");
    text.lines().map(String::from).collect()
}

/// Appends text to a file (created if needed), as a logger would.
pub fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Lines joined with a newline after each.
pub fn lines(ls: &[String]) -> String {
    ls.iter().map(|l| format!("{l}\n")).collect()
}

/// A comparable digest of every finding: evidence indexes depend on
/// arrival, so their times stand in for them.
pub fn digest(session: &Session) -> Vec<String> {
    let mut v: Vec<String> = session
        .findings
        .all()
        .iter()
        .map(|f| {
            let ev_times: Vec<i64> = f
                .evidence
                .iter()
                .map(|&i| session.store.get(i).time)
                .collect();
            format!(
                "{} {} {:?} {} {:?} {:?} {} {} {} {} {} {:?} {:?}",
                f.id,
                f.detector,
                f.severity,
                f.risk,
                f.user,
                f.ip,
                f.first_seen,
                f.last_seen,
                f.event_count,
                f.title,
                f.details,
                f.suppressed,
                ev_times
            )
        })
        .collect();
    v.sort();
    v
}

/// Every stored event as comparable text, sorted (arrival order and file
/// ids aside): following must store exactly the events a scan stores.
pub fn event_digest(session: &Session) -> Vec<String> {
    let st = &session.store;
    let mut v: Vec<String> = st
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {:?} {} {} line {}",
                e.time,
                st.text(e.user),
                st.text(e.ip),
                e.outcome,
                st.text(e.result_code),
                st.text(e.operation),
                e.origin.line
            )
        })
        .collect();
    v.sort();
    v
}

/// A whole-file scan of the final files.
pub fn scan_whole(paths: &[PathBuf]) -> Session {
    pipeline::scan_paths(paths)
}

/// The real pipeline in follow mode, pumped by the test.
pub struct Follower {
    pub session: Session,
    rx: Receiver<IngestMsg>,
    /// Every change reported, in order.
    pub changes: Vec<(Change, String)>,
}

impl Follower {
    pub fn start(paths: &[PathBuf]) -> Follower {
        Follower::start_with(paths, Config::default())
    }

    /// Like [`Follower::start`] with a configuration (Sigma rules, for example).
    pub fn start_with(paths: &[PathBuf], config: Config) -> Follower {
        let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.clone())).collect();
        let opts = RunOptions {
            inputs: inputs.clone(),
            follow: true,
            format: None,
            workers: 2,
        };
        let mut session = Session::new(config.clone(), Enricher::none());
        session.add_sources(&inputs, true);
        let readers = pipeline::start(&opts, &config);
        Follower {
            session,
            rx: readers.rx,
            changes: Vec::new(),
        }
    }

    fn handle(&mut self, msg: IngestMsg) {
        self.session.handle(msg);
        let changes = self.session.take_changes();
        self.changes.extend(changes);
    }

    /// Handles messages for `d`.
    pub fn pump_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(msg) => self.handle(msg),
                Err(RecvTimeoutError::Timeout) => return,
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the readers stopped while following")
                }
            }
        }
    }

    /// Handles messages until `done` holds with every stored event released
    /// to the detectors; panics after 20 s.
    pub fn until(&mut self, what: &str, done: impl Fn(&Session) -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if self.session.pending() == 0 && done(&self.session) {
                return;
            }
            let Some(left) = end.checked_duration_since(Instant::now()) else {
                panic!(
                    "timed out waiting for {what}: {} events stored, {} pending, findings {:#?}",
                    self.session.store.len(),
                    self.session.pending(),
                    digest(&self.session)
                );
            };
            match self.rx.recv_timeout(left) {
                Ok(msg) => self.handle(msg),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the readers stopped while following")
                }
            }
        }
    }

    /// Waits until `n` events are stored and released, then a few more polls
    /// to show nothing else arrives.
    pub fn settle(&mut self, n: usize) {
        self.until(&format!("{n} events"), |s| s.store.len() >= n);
        self.pump_for(pipeline::FOLLOW_POLL * 3);
        assert_eq!(self.session.store.len(), n, "events read twice or invented");
        assert_eq!(self.session.pending(), 0);
    }

    /// Ids of findings of a detector.
    pub fn ids(&self, detector: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .session
            .findings
            .all()
            .iter()
            .filter(|f| f.detector.as_str() == detector)
            .map(|f| f.id.clone())
            .collect();
        v.sort();
        v
    }

    /// How often each id was reported as created.
    pub fn created_twice(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.changes
            .iter()
            .filter(|(c, _)| *c == Change::Created)
            .filter(|(_, id)| !seen.insert(id.clone()))
            .map(|(_, id)| id.clone())
            .collect()
    }
}
