//! Peak memory of `hunt`'s scan pipeline on hostile inputs (issue 10 item 2):
//! decompression bombs and endless `[`. Each scenario writes its input to a
//! temp file, runs `pipeline::scan_all` on it in a fresh process (this
//! example re-runs itself), and prints the problem it ended with and the
//! process's peak resident memory (`VmHWM` in /proc/self/status). A measure,
//! not a timed test.
//!
//! ```text
//! cargo run --example bomb_memory            # every scenario, one process each
//! cargo run --example bomb_memory -- NAME    # one scenario
//! ```

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::read::Input;
use hunt::pipeline::scan_all;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Decompressed size of the gzip scenarios.
const EXPANDED_MIB: usize = 512;

/// (name, what it is).
const SCENARIOS: [(&str, &str); 6] = [
    ("baseline", "10 NDJSON sign-ins: the floor"),
    ("bracket-plain", "64 MiB of `[` in a plain file"),
    ("bracket-gz", "512 MiB of `[` from a 0.5 MB gzip"),
    (
        "spaces-gz",
        "`[` then 512 MiB of spaces, gzip, default limits",
    ),
    (
        "spaces-gz-nocap",
        "`[` then 512 MiB of spaces, gzip, no ratio cap (read to the end)",
    ),
    (
        "record-gz-nocap",
        "one 512 MiB record in a document, gzip, no ratio cap",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first() {
        Some(name) => run(name),
        None => {
            let me = std::env::current_exe().expect("own path");
            for (name, what) in SCENARIOS {
                println!("== {name}: {what}");
                let status = Command::new(&me).arg(name).status();
                if !status.as_ref().is_ok_and(|s| s.success()) {
                    println!("   (failed: {status:?})");
                }
            }
        }
    }
}

fn row(i: usize) -> String {
    format!(
        r#"{{"TimeGenerated":"2026-11-18T10:00:{:02}Z","UserPrincipalName":"u{i}@contoso.com","IPAddress":"175.45.176.10","ResultType":"50126"}}"#,
        i % 60
    )
}

/// `head` gzip-compressed, then `body_mib` MiB of `fill` as 1 MiB gzip
/// members, then `tail`: a bomb of any size from a small file.
fn gzip_bomb(path: &Path, head: &[u8], fill: u8, body_mib: usize, tail: &[u8]) {
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).expect("compress");
        e.finish().expect("compress")
    };
    let member = gz(&vec![fill; 1 << 20]);
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(&gz(head)).expect("write");
    for _ in 0..body_mib {
        f.write_all(&member).expect("write");
    }
    f.write_all(&gz(tail)).expect("write");
}

fn run(name: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join(format!("{name}.json"));
    let mut config = Config::default();
    match name {
        "baseline" => {
            let rows: String = (0..10).map(|i| row(i) + "\n").collect();
            std::fs::write(&path, rows).expect("write");
        }
        "bracket-plain" => {
            // Written a MiB at a time, so the writing does not count in the peak.
            let mut f = std::fs::File::create(&path).expect("create");
            let block = vec![b'['; 1 << 20];
            for _ in 0..64 {
                f.write_all(&block).expect("write");
            }
        }
        "bracket-gz" => gzip_bomb(&path, b"[", b'[', EXPANDED_MIB, b""),
        "spaces-gz" | "spaces-gz-nocap" => {
            if name.ends_with("nocap") {
                config.ingest.max_compression_ratio = u64::MAX;
            }
            let head = format!("[{},", row(1));
            gzip_bomb(&path, head.as_bytes(), b' ', EXPANDED_MIB, b"]");
        }
        "record-gz-nocap" => {
            config.ingest.max_compression_ratio = u64::MAX;
            let head = format!("[{},{{\"pad\":\"", row(1));
            let tail = format!("\"}},{}]", row(2));
            gzip_bomb(&path, head.as_bytes(), b'x', EXPANDED_MIB, tail.as_bytes());
        }
        other => {
            eprintln!("unknown scenario {other}");
            std::process::exit(2);
        }
    }
    let on_disk = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let start = std::time::Instant::now();
    let session = scan_all(vec![Input::Path(path)], config, Enricher::none());
    let took = start.elapsed();
    for s in &session.sources {
        let first = s
            .stats
            .first_problems
            .first()
            .map(|p| format!("{} at offset {}: {}", p.reason, p.offset, p.detail))
            .unwrap_or_else(|| "none".into());
        println!(
            "   file {on_disk} B, read {} B, {} events, {} problem(s); first: {first}",
            s.stats.bytes_read,
            s.stats.events,
            s.stats.problem_count()
        );
    }
    println!(
        "   peak RSS (VmHWM) {} in {:.1}s",
        peak_rss(),
        took.as_secs_f64()
    );
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into())
}
