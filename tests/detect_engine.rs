//! The detection engine through the public API only, the way the pipeline
//! drives it: drafts in batches → store → `Engine::observe` per event in time
//! order → upserted findings. Pins that batch boundaries do not change
//! results and that updates are reported as such.

use hunt::config::Config;
use hunt::detect::{DetectCx, Engine};
use hunt::enrich::hosting::HostingNetworks;
use hunt::event::{Batch, Draft, Kind, Outcome, Source};
use hunt::finding::{Change, DetectorId, Findings};
use hunt::store::Store;

const T0: i64 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

/// A password spray with one success, as (time, user, ip, outcome).
fn rows() -> Vec<(i64, String, &'static str, Outcome)> {
    let mut v: Vec<_> = (0..24)
        .map(|i| {
            (
                T0 + i * 20_000,
                format!("user{}@contoso.com", i % 6),
                "198.51.100.7",
                Outcome::Failure,
            )
        })
        .collect();
    v.push((
        T0 + 9 * 60_000,
        "user2@contoso.com".into(),
        "198.51.100.7",
        Outcome::Success,
    ));
    v.push((
        T0 + 60_000,
        "bob@contoso.com".into(),
        "192.0.2.5",
        Outcome::Success,
    ));
    v
}

/// Runs the rows split into batches of `chunk`, returning findings and changes.
fn run(chunk: usize) -> (Findings, Vec<(Change, String)>) {
    let cfg = Config::default();
    let hosting = HostingNetworks::from_config(&cfg.detectors.hosting_asn);
    let mut store = Store::new();
    for part in rows().chunks(chunk) {
        let mut b = Batch::default();
        for (t, user, ip, outcome) in part {
            let mut d = Draft::new(*t, Source::Entra, Kind::SignIn);
            d.outcome = *outcome;
            d.user = b.text.put_lower(user);
            d.ip = b.text.put(ip);
            d.result_code = b.text.put(if *outcome == Outcome::Success {
                "0"
            } else {
                "50126"
            });
            b.drafts.push(d);
        }
        for i in 0..b.len() {
            store.append_draft(&b, i);
        }
    }
    let mut engine = Engine::new(&cfg);
    let mut findings = Findings::default();
    let mut changes = Vec::new();
    let cx = DetectCx {
        store: &store,
        config: &cfg,
        hosting: &hosting,
    };
    for &idx in store.by_time() {
        engine.observe(&cx, idx, &mut findings, &mut changes);
    }
    (findings, changes)
}

#[test]
fn spray_through_the_public_api_is_independent_of_batching() {
    let (a, changes) = run(1000);
    assert_eq!(a.len(), 1, "{:?}", a.all());
    let f = &a.all()[0];
    assert_eq!(f.detector, DetectorId::PasswordSpray);
    assert_eq!(f.risk, 90);
    assert_eq!(f.details["failed_attempts"], 24);
    assert_eq!(
        f.details["successful_user_list"],
        serde_json::json!(["user2@contoso.com"])
    );
    assert_eq!(changes.first().map(|c| c.0), Some(Change::Created));
    assert!(changes
        .iter()
        .skip(1)
        .all(|c| c.0 == Change::Updated && c.1 == f.id));
    for chunk in [1, 3, 7] {
        let (b, _) = run(chunk);
        assert_eq!(a.all(), b.all(), "batches of {chunk}");
    }
}

#[test]
fn every_detector_is_enabled_by_default() {
    let ids = Engine::new(&Config::default()).detector_ids();
    assert_eq!(ids, DetectorId::ALL.to_vec());
    let mut cfg = Config::default();
    cfg.detectors.bulk_send.enabled = false;
    assert!(!Engine::new(&cfg)
        .detector_ids()
        .contains(&DetectorId::BulkSend));
}
