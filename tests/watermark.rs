//! Alerts while loading: with every input in time order, detection runs
//! behind a watermark as the inputs load; an input out of order turns it
//! off for the rest of the run. Either way the findings are exactly those
//! of holding every event until the load ends and detecting then.
//!
//! Each scan goes through the real readers and parse workers (how batches
//! of different files interleave on arrival varies from run to run), with
//! watermark releases as often as batches come.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::read::Input;
use hunt::pipeline::{scan_all_with, Session};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A comparable digest of every finding (evidence indexes depend on
/// arrival, so times stand in for them).
fn digest(session: &Session) -> Vec<String> {
    let mut v: Vec<String> = session
        .findings
        .all()
        .iter()
        .map(|f| {
            let mut ev_times: Vec<i64> = f
                .evidence
                .iter()
                .map(|&i| session.store.get(i).time)
                .collect();
            ev_times.sort();
            format!(
                "{} {} {:?} {} {:?} {:?} {} {} {} {} {} {:?}",
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
                ev_times
            )
        })
        .collect();
    v.sort();
    v
}

/// Scans `paths` with the watermark on (released after every batch) or off.
fn scan(paths: &[PathBuf], watermark: bool) -> Session {
    let inputs: Vec<Input> = paths.iter().cloned().map(Input::Path).collect();
    scan_all_with(inputs, Config::default(), Enricher::none(), |s| {
        s.watermark.set_enabled(watermark);
        s.watermark.every = Duration::ZERO;
    })
}

/// An sshd stamp `secs` seconds after 2026-03-02 08:00:00 UTC.
fn stamp(secs: i64) -> String {
    let t = chrono::DateTime::from_timestamp(1_772_438_400 + secs, 0).unwrap();
    t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

/// A seeded xorshift step.
fn next(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// One host's auth.log from `start` for `lines` lines (about 100 bytes
/// each), in time order: sign-ins of 300 accounts, `pam_unix` failures
/// whose `Failed password` line comes seconds later (held attempts),
/// keys tried before the one that works (held too), a password spray from
/// one address over many accounts (its attempts split between hosts), and
/// a brute force that gets in.
fn auth_log(host: &str, start: i64, lines: usize, seed: u64) -> String {
    let mut s = seed | 1;
    let mut out = String::new();
    let mut t = start;
    let mut pid = 2000u32;
    let mut n = 0;
    while n < lines {
        t += (next(&mut s) % 3) as i64;
        pid += 1;
        let user = format!("user{}", next(&mut s) % 300);
        let ip = format!("198.51.{}.{}", next(&mut s) % 40, 1 + next(&mut s) % 200);
        let port = 30000 + next(&mut s) % 30000;
        let line = |t: i64, msg: String| format!("{} {host} sshd[{pid}]: {msg}\n", stamp(t));
        match next(&mut s) % 20 {
            0 => {
                out += &line(t, format!("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={user}"));
                out += &line(
                    t + 9,
                    format!("Failed password for {user} from {ip} port {port} ssh2"),
                );
                n += 2;
            }
            1 => {
                out += &line(
                    t,
                    format!(
                        "Failed publickey for {user} from {ip} port {port} ssh2: RSA SHA256:aa"
                    ),
                );
                out += &line(t + 1, format!("Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:bb"));
                n += 2;
            }
            2..=4 => {
                // The spray: one address, many accounts, every few minutes of the day.
                let victim = format!("user{}", next(&mut s) % 120);
                out += &line(
                    t,
                    format!("Failed password for {victim} from 203.0.113.66 port {port} ssh2"),
                );
                n += 1;
            }
            5 if t % 3600 < 600 => {
                // The brute force on one account, getting in at the end of its burst.
                let what = if t % 3600 > 590 { "Accepted" } else { "Failed" };
                out += &line(
                    t,
                    format!("{what} password for admin from 192.0.2.77 port {port} ssh2"),
                );
                n += 1;
            }
            6 => {
                out += &line(t, format!("Invalid user {user}x from {ip} port {port}"));
                out += &line(
                    t,
                    format!("Connection closed by invalid user {user}x {ip} port {port} [preauth]"),
                );
                n += 2;
            }
            7 => {
                out += &line(
                    t,
                    format!("Failed password for {user} from {ip} port {port} ssh2"),
                );
                n += 1;
            }
            _ => {
                out += &line(
                    t,
                    format!("Accepted password for {user} from {ip} port {port} ssh2"),
                );
                n += 1;
            }
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel)
}

fn samples(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(rel)
}

/// Two hosts whose times interleave, and a third that starts later: every
/// input in time order. Files are read one after the other, and released
/// behind the watermark once the last has started: the last is the
/// largest, several batches of a megabyte.
fn in_order_files(dir: &Path) -> Vec<PathBuf> {
    vec![
        write(dir, "a-auth.log", &auth_log("bastion-a", 0, 10_000, 11)),
        write(dir, "b-auth.log", &auth_log("bastion-b", 1, 10_000, 23)),
        write(dir, "c-auth.log", &auth_log("bastion-c", 2_000, 30_000, 37)),
    ]
}

fn assert_same(paths: &[PathBuf]) -> (Session, Session) {
    let on = scan(paths, true);
    let off = scan(paths, false);
    assert_eq!(off.watermark.releases, 0, "forced off");
    let (a, b) = (digest(&on), digest(&off));
    assert!(a.len() >= 5, "the inputs should raise findings: {a:#?}");
    assert_eq!(on.store.count(), off.store.count(), "events stored");
    if a != b {
        let only_on: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_off: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
        panic!("watermark on and off differ:\nonly on: {only_on:#?}\nonly off: {only_off:#?}");
    }
    (on, off)
}

#[test]
fn in_order_inputs_are_detected_while_loading_with_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = vec![corpus("sshd/loghub/OpenSSH_2k.log")];
    paths.extend(in_order_files(dir.path()));
    let (on, _) = assert_same(&paths);
    assert!(
        on.watermark.disorder.is_none(),
        "{:?}",
        on.watermark.disorder
    );
    assert!(
        on.watermark.releases >= 2,
        "detection should run while loading: {} releases",
        on.watermark.releases
    );
    assert_eq!(on.watermark.late, 0);
}

#[test]
fn an_input_out_of_order_falls_back_with_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    // Rotated logs joined in the wrong order: the newer half first, and
    // the older half comes after events later than it went to the detectors.
    let old = auth_log("bastion-d", 3_000, 12_000, 41);
    let new = auth_log("bastion-d", 20_000, 12_000, 43);
    let paths = vec![
        write(
            dir.path(),
            "a-auth.log",
            &auth_log("bastion-a", 0, 8_000, 11),
        ),
        write(dir.path(), "d-auth.log", &(new + &old)),
    ];
    let (on, _) = assert_same(&paths);
    let d = on.watermark.disorder.expect("d-auth.log is out of order");
    assert_eq!(
        on.sources[d.file as usize].name,
        paths[1].display().to_string()
    );
    assert!(on.watermark.releases >= 1, "released before the disorder");
    assert!(
        on.watermark.late > 0 && on.watermark.redone,
        "{:?}",
        on.watermark
    );
}

#[test]
fn samples_and_corpus_files_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = vec![
        write(
            dir.path(),
            "a-auth.log",
            &auth_log("bastion-a", 0, 5_000, 11),
        ),
        write(
            dir.path(),
            "b-auth.log",
            &auth_log("bastion-b", 1, 5_000, 23),
        ),
    ];
    paths.extend([
        samples("entra/SigninLogs.ndjson"),
        samples("entra/SigninLogs-campaigns.ndjson"),
        samples("m365/OfficeActivity.ndjson"),
        samples("okta/system-log.json"),
        samples("windows/security.ndjson"),
        samples("aws/cloudtrail.json.gz"),
        corpus("sshd/loghub/OpenSSH_2k.log"),
        corpus("sshd/elastic-pipeline/test-auth.log"),
        corpus("windows-security/sentinel-securityevent/WindowsEvents.json"),
    ]);
    let paths: Vec<PathBuf> = paths.into_iter().filter(|p| p.exists()).collect();
    assert_same(&paths);
}
