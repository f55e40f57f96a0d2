//! Detection engineering on a 1M-event store (`hunt::tui::fixture::big_session`):
//! `hunt why` for the heaviest IP, the heaviest user and a /16 network;
//! one re-detection pass of every built-in detector (what `hunt scan --set
//! --diff-against` runs twice); and the workbench's `:set` re-run (both
//! configs side by side, a slice per 8 ms tick) with its longest tick.
//! `cargo bench --bench tune` (add `-- 200000` for a smaller store).
//! Results go to BENCHMARKS.md, section "Why not / what if".

use chrono::Utc;
use hunt::config::Config;
use hunt::tune::rerun::Rerun;
use hunt::tune::settings::apply_all;
use hunt::tune::whatif::redetect;
use hunt::tune::why::{why, Target};
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut session = hunt::tui::fixture::big_session(n, 50_000, 20_000);
    session.config = Config::default();
    let store = &session.store;
    println!(
        "store: {} events, {} users, {} IPs",
        store.len(),
        store.user_count(),
        store.ip_count()
    );
    let findings: Vec<_> = session.findings.all().iter().collect();
    for entity in ["203.0.113.7", "user000000@corp.example", "10.0.0.0/16"] {
        let target = Target::parse(entity).unwrap_or(Target::User(entity.into()));
        let mut times = Vec::new();
        let mut report = None;
        for _ in 0..5 {
            let t = Instant::now();
            report = Some(why(
                &target,
                store,
                &findings,
                &session.config,
                &[],
                &|_| None,
            ));
            times.push(t.elapsed());
        }
        times.sort();
        let r = report
            .map(|r| (r.target_events, r.users, r.ips))
            .unwrap_or_default();
        println!(
            "why {entity}: median {:.1} ms, worst {:.1} ms ({} events of it, {} users, {} IPs)",
            ms(times[2]),
            ms(times[4]),
            r.0,
            r.1,
            r.2
        );
    }
    let triage = hunt::triage::Triage::default();
    let t = Instant::now();
    let f = redetect(
        store,
        &session.hosting,
        &session.config,
        &hunt::detect::DetectorId::ALL,
        &triage,
        Utc::now(),
    );
    println!(
        "re-detection (every built-in detector, one config): {:.0} ms, {} findings",
        ms(t.elapsed()),
        f.len()
    );
    // The workbench's `:set`: only the detectors a setting reaches re-run,
    // under both configs, a slice per 8 ms tick.
    for setting in SETTINGS {
        let Ok((changed, set)) = apply_all(&session.config, &[setting.to_string()]) else {
            println!("{setting}: not a setting here");
            continue;
        };
        let mut rerun = Rerun::start(store, &session.config, changed, set);
        let (mut ticks, mut longest) = (0, Duration::ZERO);
        let t = Instant::now();
        loop {
            let tick = Instant::now();
            let done = rerun.advance(store, Duration::from_millis(8));
            ticks += 1;
            longest = longest.max(tick.elapsed());
            if done {
                break;
            }
        }
        let total = t.elapsed();
        let d = rerun.diff(store, &triage, Utc::now());
        let (up, down, sev) = d.counts();
        let names: Vec<&str> = rerun.affected.iter().map(|d| d.as_str()).collect();
        println!(
            ":set {setting} (re-runs {}): {:.0} ms in {ticks} ticks, longest tick {:.1} ms; {up} appear, {down} disappear, {sev} change severity",
            names.join(", "),
            ms(total),
            ms(longest)
        );
    }
}

/// One setting per kind of detector: a windowed count, the spray family
/// (three detectors read `password_spray`), a per-user stateful one.
const SETTINGS: [&str; 4] = [
    "brute_force.min_failures=5",
    "user_enumeration.min_accounts=5",
    "password_spray.min_users=4",
    "impossible_travel.max_kmh=800",
];
