//! Generates compact sshd auth.log lines for the scale table (issue 14 §4):
//! `cargo run --release --example gen_sshd_bench -- COUNT [OUT|-]`
//! (`-` or no OUT: standard output, to feed `hunt scan -` through a pipe).
//!
//! About 105 bytes per event, so 20 million events are ~2 GB (the Entra
//! rows of `gen_bench_data` are ~2.1 KB each: 20 million would not fit on
//! the disk here). 50,000 accounts behind 20,000 addresses, one event
//! every 10-50 ms, 3% failures, and every simulated hour a password spray
//! from one address over 40 accounts and a brute force on one account, so
//! the detectors have work and alerts to raise. Seeded: same output every run.

use std::io::{BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let out: Box<dyn Write> = match args.get(2).map(String::as_str) {
        None | Some("-") => Box::new(std::io::stdout().lock()),
        Some(path) => Box::new(std::fs::File::create(path)?),
    };
    let mut w = BufWriter::with_capacity(1 << 20, out);
    let mut rng = Rng(0x55d0_bead_cafe_f00d);
    let mut t_ms: i64 = 1_763_000_000_000; // 2025-11-13
    for n in 0..count {
        t_ms += 10 + rng.below(40) as i64;
        let secs = t_ms / 1000;
        let time = chrono::DateTime::from_timestamp(secs, ((t_ms % 1000) * 1_000_000) as u32)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())
            .unwrap_or_default();
        let uid = rng.below(50_000);
        let mut ip = format!(
            "{}.{}.{}.{}",
            20 + uid % 180,
            (uid / 180) % 250,
            uid % 111,
            1 + uid % 250
        );
        let mut user = format!("u{uid}");
        let mut fail = rng.below(33) == 0;
        let hour_pos = secs % 3600;
        if hour_pos < 40 {
            // The hourly spray: one address, many accounts.
            ip = format!("45.83.64.{}", (secs / 3600) % 250);
            user = format!("u{}", rng.below(40));
            fail = true;
        } else if (100..120).contains(&hour_pos) {
            // The hourly brute force on one account, ending in a success.
            ip = format!("175.45.176.{}", (secs / 3600) % 200);
            user = format!("u{}", (secs / 3600) % 50_000);
            fail = hour_pos < 119;
        }
        let host = n % 7;
        let pid = 1000 + n % 50_000;
        let port = 1024 + rng.below(60_000);
        if fail {
            writeln!(
                w,
                "{time} bastion-{host} sshd[{pid}]: Failed password for {user} from {ip} port {port} ssh2"
            )?;
        } else {
            writeln!(
                w,
                "{time} bastion-{host} sshd[{pid}]: Accepted publickey for {user} from {ip} port {port} ssh2"
            )?;
        }
    }
    w.flush()
}
