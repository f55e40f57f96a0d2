//! GeoIP cache benchmark: `cargo run --release --example bench_geoip [-- DB_DIR]`.
//! Looks up 50,000 distinct public IPs once in the databases (cold) and then
//! answers 10 million `apply` calls from the per-IP cache (warm). Defaults to
//! the demo databases in samples/geoip; pass a GeoLite2 folder for real ones.

use hunt::enrich::{bench_cache, Enricher};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/geoip"));
    let (mut enricher, msgs) = Enricher::open(&[dir]);
    for m in msgs {
        println!("{m}");
    }
    // Spread over public space, including the demo networks.
    let ips: Vec<IpAddr> = (0..50_000u32)
        .map(|i| {
            let a = [81u8, 72, 91, 62, 89, 102, 1, 45, 104, 185, 175, 216, 52][(i % 13) as usize];
            IpAddr::V4(Ipv4Addr::new(
                a,
                (i / 13 % 250) as u8,
                (i / 3250 % 250) as u8,
                (1 + i % 250) as u8,
            ))
        })
        .collect();
    let r = bench_cache(&mut enricher, &ips, 10_000_000);
    println!(
        "cold: {} distinct IPs in {:.1} ms ({:.2} M lookups/s from the databases)",
        r.ips,
        r.cold.as_secs_f64() * 1e3,
        r.cold_per_sec() / 1e6
    );
    println!(
        "warm: {} cached applies in {:.1} ms ({:.1} M lookups/s from the cache)",
        r.lookups,
        r.warm.as_secs_f64() * 1e3,
        r.lookups_per_sec() / 1e6
    );
}
