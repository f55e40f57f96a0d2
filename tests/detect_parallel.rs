//! The engine's two-thread path for large batches gives exactly what the
//! one-event-at-a-time path gives: the same findings in the same order and
//! each changed finding reported (once, in first-change order).

use hunt::config::Config;
use hunt::detect::{DetectCx, Engine};
use hunt::enrich::hosting::HostingNetworks;
use hunt::event::{Batch, Draft, Kind, Outcome, Source};
use hunt::finding::Findings;
use hunt::store::Store;

/// 30,000 sign-ins: background successes, sprays, stuffing bursts and session replays.
fn store() -> Store {
    let mut b = Batch::default();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for i in 0..30_000i64 {
        let t = 1_763_000_000_000 + i * 500;
        let mut d = Draft::new(t, Source::Entra, Kind::SignIn);
        let user = rnd(400);
        let spray = i % 3000 < 40;
        let ip = if spray {
            format!("45.83.64.{}", i / 3000)
        } else {
            format!("20.{}.1.{}", user % 200, user % 7)
        };
        d.user = b.text.put(&format!(
            "user{}@contoso.com",
            if spray { rnd(12) } else { user }
        ));
        d.ip = b.text.put(&ip);
        d.outcome = if spray || rnd(9) == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        d.result_code = b.text.put(if d.outcome == Outcome::Failure {
            "50126"
        } else {
            "0"
        });
        d.country = b.text.put(["NL", "US", "DE"][(user % 3) as usize]);
        d.asn = if spray {
            9009
        } else {
            64_000 + (user % 50) as u32
        };
        d.session_id = b.text.put(&format!("s{}-{}", user, i / 900));
        d.client_app = b.text.put(if rnd(50) == 0 { "IMAP4" } else { "Browser" });
        d.auth_requirement = b.text.put("singleFactorAuthentication");
        b.drafts.push(d);
    }
    let mut s = Store::new();
    for i in 0..b.drafts.len() {
        s.append_draft(&b, i);
    }
    s.seal();
    s
}

#[test]
fn parallel_detection_equals_sequential() {
    let store = store();
    let config = Config::default();
    let hosting = HostingNetworks::from_config(&config.detectors.hosting_asn);
    let cx = DetectCx {
        store: &store,
        config: &config,
        hosting: &hosting,
    };
    let idxs: Vec<u32> = store.by_time().to_vec();

    let mut seq = Engine::new(&config);
    let (mut seq_f, mut seq_c) = (Findings::default(), Vec::new());
    for &i in &idxs {
        seq.observe(&cx, i, &mut seq_f, &mut seq_c);
    }
    let mut par = Engine::new(&config);
    let (mut par_f, mut par_c) = (Findings::default(), Vec::new());
    par.observe_all(&cx, &idxs, &mut par_f, &mut par_c);

    assert!(
        seq_f.len() > 10,
        "the scenario should produce findings: {}",
        seq_f.len()
    );
    assert_eq!(par_f.all(), seq_f.all());
    // The parallel path reports each changed finding once, in first-change order.
    let mut first_seen: Vec<&String> = Vec::new();
    for (_, id) in &seq_c {
        if !first_seen.contains(&id) {
            first_seen.push(id);
        }
    }
    let par_ids: Vec<&String> = par_c.iter().map(|(_, id)| id).collect();
    assert_eq!(par_ids, first_seen);
}
