//! Findings must not depend on record order or on how the input was cut into
//! chunks (SPEC §4). Property test: the sample records, shuffled and cut at
//! arbitrary boundaries, give exactly the findings of an in-order scan.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::decode::json_lines;
use hunt::ingest::read::Chunk;
use hunt::ingest::stats::FileStats;
use hunt::pipeline::Session;
use proptest::prelude::*;
use std::path::Path;

/// Every JSON record of the JSON samples, one per line.
fn sample_records() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out = Vec::new();
    for f in [
        "entra/SigninLogs.ndjson",
        "m365/OfficeActivity.ndjson",
        "windows/security.ndjson",
    ] {
        let text = std::fs::read_to_string(root.join(f))
            .expect("samples exist (cargo run --example gen_samples)");
        out.extend(text.lines().map(String::from));
    }
    let okta: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("okta/system-log.json")).unwrap())
            .unwrap();
    out.extend(okta.iter().map(|v| v.to_string()));
    out
}

/// A comparable digest of every finding (evidence indexes depend on arrival, so times stand in).
fn digest(session: &Session) -> Vec<String> {
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

fn run(records: &[String], cuts: &[usize]) -> Session {
    let mut session = Session::new(Config::default(), Enricher::none());
    let mut start = 0;
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (records.len() + 1)).collect();
    bounds.sort();
    bounds.push(records.len());
    let mut line = 1u32;
    for end in bounds {
        if end <= start {
            continue;
        }
        let data = records[start..end].join("\n") + "\n";
        let chunk = Chunk {
            data: data.into_bytes(),
            offset: 0,
            first_line: line,
            unterminated: false,
        };
        line += (end - start) as u32;
        let mut stats = FileStats::default();
        let batch = json_lines(&chunk, 0, None, 1 << 20, &mut stats);
        session.add_batch(0, &batch);
        start = end;
    }
    session.release();
    session
}

fn baseline() -> (Vec<String>, Vec<String>) {
    let records = sample_records();
    let base = digest(&run(&records, &[]));
    (records, base)
}

#[test]
fn samples_produce_findings_at_all() {
    let (_, base) = baseline();
    assert!(
        base.len() >= 8,
        "the samples should plant many findings: {base:#?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn shuffled_and_rechunked_input_gives_the_same_findings(seed in any::<u64>(), cuts in prop::collection::vec(any::<usize>(), 0..40)) {
        let (mut records, base) = baseline();
        // Fisher–Yates with a seeded xorshift.
        let mut s = seed | 1;
        for i in (1..records.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            records.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let got = digest(&run(&records, &cuts));
        prop_assert_eq!(got, base);
    }
}
