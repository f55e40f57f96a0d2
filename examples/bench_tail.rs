//! Live-tail benchmark (BENCHMARKS.md, "Live tail"): runs the real
//! `hunt scan -f` on temp files and measures from its stdout:
//!
//! - `latency`: from appending one attack (a sign-in from AS 9009, M247, for
//!   a fresh user) to reading its finding's JSON line; appends come at random
//!   moments so they land at every phase of the poll; p50 / p99 / max.
//! - `rate`: background sign-ins appended at a fixed rate for 10 s with a
//!   marker attack every 0.5 s; it keeps up when every marker's finding
//!   still arrives within 1 s (latency not growing), the last one included.
//! - `idle`: CPU time (`/proc/<pid>/stat` utime + stime) over 30 s while
//!   the followed files do not change, for 1 and 10 files.
//!
//! ```text
//! cargo build --release --bin hunt --example bench_tail
//! target/release/examples/bench_tail target/release/hunt [latency [N]|rate [EV/S...]|idle|all]
//! ```

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// 2026-11-18T10:00:00Z in milliseconds.
const BASE_MS: i64 = 1_794_996_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A Sentinel `SigninLogs` row as a Log Analytics export has it (~1.6 KB,
/// dynamic columns as JSON text), with a newline.
fn signin(ms: i64, user: &str, ip: &str, code: &str, asn: u32) -> String {
    let t = chrono::DateTime::from_timestamp_millis(BASE_MS + ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default();
    let loc = r#"{\"city\":\"Amsterdam\",\"state\":\"Noord-Holland\",\"countryOrRegion\":\"NL\",\"geoCoordinates\":{\"latitude\":52.37,\"longitude\":4.9}}"#;
    let status = format!(r#"{{\"errorCode\":{code},\"failureReason\":\"\"}}"#);
    let device = r#"{\"deviceId\":\"\",\"operatingSystem\":\"Windows 10\",\"browser\":\"Edge 124.0.0\",\"isCompliant\":false,\"isManaged\":false}"#;
    let auth = r#"[{\"authenticationMethod\":\"Password\",\"succeeded\":true,\"authenticationStepResultDetail\":\"Correct password\",\"authenticationStepRequirement\":\"Primary authentication\"}]"#;
    let ca = r#"[{\"id\":\"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e\",\"displayName\":\"Require MFA for all users\",\"enforcedGrantControls\":[\"Mfa\"],\"result\":\"success\"}]"#;
    format!(
        r#"{{"TenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","SourceSystem":"Azure AD","TimeGenerated":"{t}","OperationName":"Sign-in activity","Category":"SignInLogs","ResultType":"{code}","ResultDescription":"","CorrelationId":"1f2e3d4c-1111-4222-8333-{ms:012x}","Location":"NL","AppDisplayName":"Office 365 Exchange Online","AuthenticationDetails":"{auth}","AuthenticationRequirement":"multiFactorAuthentication","ClientAppUsed":"Browser","ConditionalAccessPolicies":"{ca}","ConditionalAccessStatus":"success","DeviceDetail":"{device}","IsInteractive":true,"IPAddress":"{ip}","LocationDetails":"{loc}","RiskEventTypes_V2":"[]","RiskLevelDuringSignIn":"none","RiskState":"none","Status":"{status}","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0","UserPrincipalName":"{user}","UserType":"Member","AutonomousSystemNumber":{asn},"HomeTenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","ResourceTenantId":"6f7a3c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b","SessionId":"5e55-{ms:x}","Type":"SigninLogs"}}
"#
    )
}

/// Ordinary office sign-ins (each user its own IP: no spray, no stuffing).
fn background(rng: &mut Rng, ms: i64) -> String {
    let u = rng.below(50_000);
    let code = if rng.below(50) == 0 { "50126" } else { "0" };
    let ip = format!("20.{}.{}.{}", u / 62_500, (u / 250) % 250, 1 + u % 250);
    signin(ms, &format!("user{u}@contoso.com"), &ip, code, 64600)
}

/// An attack that fires at once: a success from M247 for a fresh user.
fn attack(ms: i64, tag: &str) -> (String, String) {
    let user = format!("{tag}@contoso.com");
    (
        signin(ms, &user, "5.181.234.17", "0", 9009),
        format!("\"{user}\""),
    )
}

struct Hunt {
    child: Child,
    lines: Receiver<(Instant, String)>,
    _config: tempfile::TempDir,
}

impl Hunt {
    fn follow(bin: &Path, files: &[PathBuf]) -> Hunt {
        let config = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(bin)
            .args(["scan", "-f"])
            .args(files)
            .env("XDG_CONFIG_HOME", config.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run hunt");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
        Hunt {
            child,
            lines,
            _config: config,
        }
    }

    /// When the first line containing `needle` arrived (None after `limit`).
    fn wait_for(&self, needle: &str, limit: Duration) -> Option<Instant> {
        let end = Instant::now() + limit;
        loop {
            let left = end.checked_duration_since(Instant::now())?;
            let (at, line) = self.lines.recv_timeout(left).ok()?;
            if line.contains(needle) {
                return Some(at);
            }
        }
    }

    /// CPU seconds used so far (user + system).
    fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<u64> = after
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
        ticks as f64 / clock_ticks()
    }
}

impl Drop for Hunt {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn append(path: &Path, data: &[u8]) {
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .expect("open for append");
    f.write_all(data).expect("append");
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn latency(bin: &Path, n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("SigninLogs.json");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start: String = (0..1000).map(|i| background(&mut rng, i * 10)).collect();
    append(&path, start.as_bytes());
    let hunt = Hunt::follow(bin, std::slice::from_ref(&path));
    std::thread::sleep(Duration::from_secs(1));
    let mut ms = Vec::with_capacity(n);
    let mut missed = 0;
    for i in 0..n {
        std::thread::sleep(Duration::from_millis(rng.below(200)));
        let (row, needle) = attack(60_000 + i as i64 * 1000, &format!("lat{i}"));
        append(&path, row.as_bytes());
        let wrote = Instant::now();
        match hunt.wait_for(&needle, Duration::from_secs(5)) {
            Some(at) => ms.push(at.duration_since(wrote).as_secs_f64() * 1000.0),
            None => missed += 1,
        }
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "latency: {} attacks, {missed} missed; p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ms.len(),
        pct(&ms, 0.5),
        pct(&ms, 0.9),
        pct(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

fn rate(bin: &Path, per_sec: u64) {
    const SECS: u64 = 10;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("SigninLogs.json");
    append(&path, b"");
    let hunt = Hunt::follow(bin, std::slice::from_ref(&path));
    std::thread::sleep(Duration::from_secs(1));
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut f = OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open for append");
    let mut markers: Vec<(String, Instant)> = Vec::new();
    let (mut written, mut bytes, mut ev_ms) = (0u64, 0u64, 0i64);
    let begin = Instant::now();
    let mut buf = String::new();
    let cpu0 = hunt.cpu_seconds();
    while begin.elapsed() < Duration::from_secs(SECS) {
        let due = (begin.elapsed().as_secs_f64() * per_sec as f64) as u64;
        buf.clear();
        while written < due {
            ev_ms += 1;
            buf.push_str(&background(&mut rng, ev_ms));
            written += 1;
        }
        let want_marker = begin.elapsed().as_millis() as usize / 500 >= markers.len();
        let mut marker = None;
        if want_marker {
            ev_ms += 1;
            let (row, needle) = attack(ev_ms, &format!("rate{}", markers.len()));
            buf.push_str(&row);
            written += 1;
            marker = Some(needle);
        }
        f.write_all(buf.as_bytes()).expect("append");
        bytes += buf.len() as u64;
        if let Some(needle) = marker {
            markers.push((needle, Instant::now()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let elapsed = begin.elapsed().as_secs_f64();
    let mut lat = Vec::new();
    let mut missing = 0;
    for (needle, wrote) in &markers {
        match hunt.wait_for(needle, Duration::from_secs(30)) {
            Some(at) => lat.push(at.saturating_duration_since(*wrote).as_secs_f64() * 1000.0),
            None => missing += 1,
        }
    }
    let cpu = (hunt.cpu_seconds() - cpu0) / begin.elapsed().as_secs_f64() * 100.0;
    let last = lat.last().copied().unwrap_or(f64::NAN);
    lat.sort_by(f64::total_cmp);
    let max = lat.last().copied().unwrap_or(f64::NAN);
    let kept_up = missing == 0 && max < 1000.0;
    println!(
        "rate {per_sec} ev/s asked: wrote {written} events ({:.0} ev/s, {:.1} MB/s) in {elapsed:.1} s; markers {}: p50 {:.0} ms, max {max:.0} ms, last {last:.0} ms, missing {missing}; hunt used {cpu:.0}% of one core → {}",
        written as f64 / elapsed,
        bytes as f64 / elapsed / 1e6,
        markers.len(),
        if lat.is_empty() { f64::NAN } else { pct(&lat, 0.5) },
        if kept_up { "kept up" } else { "fell behind" }
    );
}

fn idle(bin: &Path, files: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let paths: Vec<PathBuf> = (0..files)
        .map(|k| {
            let p = dir.path().join(format!("f{k}.json"));
            let data: String = (0..1000).map(|i| background(&mut rng, i * 10)).collect();
            append(&p, data.as_bytes());
            p
        })
        .collect();
    let hunt = Hunt::follow(bin, &paths);
    std::thread::sleep(Duration::from_secs(2));
    let (c0, t0) = (hunt.cpu_seconds(), Instant::now());
    std::thread::sleep(Duration::from_secs(30));
    let (c1, t1) = (hunt.cpu_seconds(), Instant::now());
    let wall = t1.duration_since(t0).as_secs_f64();
    println!(
        "idle: {files} followed file(s): {:.3} CPU s over {wall:.1} s = {:.2}% of one core",
        c1 - c0,
        (c1 - c0) / wall * 100.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bin = PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("target/release/hunt"),
    );
    let what = args.get(2).map(String::as_str).unwrap_or("all");
    let rest: Vec<u64> = args.iter().skip(3).filter_map(|s| s.parse().ok()).collect();
    if what == "latency" || what == "all" {
        latency(&bin, rest.first().copied().unwrap_or(250) as usize);
    }
    if what == "rate" || what == "all" {
        let rates = if rest.is_empty() || what == "all" {
            vec![50_000, 100_000]
        } else {
            rest.clone()
        };
        for r in rates {
            rate(&bin, r);
        }
    }
    if what == "idle" || what == "all" {
        idle(&bin, 1);
        idle(&bin, 10);
    }
}
