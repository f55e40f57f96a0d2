//! Findings must not depend on the order the files were named in, on how
//! each file was cut into chunks, or on how the chunks of different files
//! interleave on arrival (SPEC §4). Within a file, records keep the file's
//! order (equal times keep it: SPEC §2), so it is the *files* that are
//! shuffled. Property test: the sample files, named in a random order, cut at
//! arbitrary boundaries and interleaved at random, give exactly the findings
//! of an in-order scan.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::decode::json_lines;
use hunt::ingest::read::{Chunk, Input};
use hunt::ingest::stats::FileStats;
use hunt::pipeline::Session;
use proptest::prelude::*;
use std::path::Path;

/// Every JSON sample file as (name, records one per line).
fn sample_files() -> Vec<(String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut out = Vec::new();
    for f in [
        "entra/SigninLogs.ndjson",
        "m365/OfficeActivity.ndjson",
        "windows/security.ndjson",
    ] {
        let text = std::fs::read_to_string(root.join(f))
            .expect("samples exist (cargo run --example gen_samples)");
        out.push((f.to_string(), text.lines().map(String::from).collect()));
    }
    let okta: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("okta/system-log.json")).unwrap())
            .unwrap();
    out.push((
        "okta/system-log.json".to_string(),
        okta.iter().map(|v| v.to_string()).collect(),
    ));
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

/// A seeded xorshift step.
fn next(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Scans `files` (named in the order given, so file ids are positions), each
/// cut at `cuts` (taken modulo its length), their chunks arriving interleaved
/// as `seed` says (0: file by file).
fn run(files: &[(String, Vec<String>)], cuts: &[usize], seed: u64) -> Session {
    let mut session = Session::new(Config::default(), Enricher::none());
    let inputs: Vec<Input> = files.iter().map(|(n, _)| Input::Path(n.into())).collect();
    session.add_sources(&inputs, false);
    // Each file's chunks, in file order.
    let mut queues: Vec<std::collections::VecDeque<(u32, Chunk)>> = Vec::new();
    for (fid, (_, records)) in files.iter().enumerate() {
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (records.len() + 1)).collect();
        bounds.sort();
        bounds.push(records.len());
        let (mut start, mut line) = (0, 1u32);
        let mut q = std::collections::VecDeque::new();
        for end in bounds {
            if end <= start {
                continue;
            }
            let data = records[start..end].join("\n") + "\n";
            q.push_back((
                fid as u32,
                Chunk {
                    data: data.into_bytes(),
                    offset: 0,
                    first_line: line,
                    unterminated: false,
                },
            ));
            line += (end - start) as u32;
            start = end;
        }
        queues.push(q);
    }
    let mut s = seed | 1;
    while queues.iter().any(|q| !q.is_empty()) {
        let live: Vec<usize> = (0..queues.len())
            .filter(|&i| !queues[i].is_empty())
            .collect();
        let pick = if seed == 0 {
            live[0]
        } else {
            live[(next(&mut s) % live.len() as u64) as usize]
        };
        let (fid, chunk) = queues[pick].pop_front().unwrap();
        let mut stats = FileStats::default();
        let batch = json_lines(&chunk, fid, None, 1 << 20, &mut stats);
        session.add_batch(fid, &batch);
    }
    session.release();
    session
}

fn baseline() -> (Vec<(String, Vec<String>)>, Vec<String>) {
    let files = sample_files();
    let base = digest(&run(&files, &[], 0));
    (files, base)
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
    fn shuffled_files_rechunked_and_interleaved_give_the_same_findings(seed in any::<u64>(), cuts in prop::collection::vec(any::<usize>(), 0..40)) {
        let (mut files, base) = baseline();
        // Fisher–Yates over the files with the seeded xorshift.
        let mut s = seed | 1;
        for i in (1..files.len()).rev() {
            files.swap(i, (next(&mut s) % (i as u64 + 1)) as usize);
        }
        let got = digest(&run(&files, &cuts, seed));
        prop_assert_eq!(got, base);
    }
}

/// Classic syslog has one-second stamps: a brute-force tool's failures and
/// its success often share a second. File order must decide, or the success
/// sorts first (by content) and the stuffing is missed.
fn same_second_burst() -> String {
    let mut lines: Vec<String> = (0..6)
        .map(|i| {
            format!(
                "Nov 20 10:01:02 web sshd[{}]: Failed password for alice from 203.0.113.{} port 4{i}022 ssh2",
                100 + i,
                10 + i
            )
        })
        .collect();
    lines.push(
        "Nov 20 10:01:02 web sshd[200]: Accepted password for alice from 203.0.113.10 port 50022 ssh2"
            .into(),
    );
    lines.join("\n") + "\n"
}

#[test]
fn a_same_second_burst_keeps_file_order_and_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("auth.log");
    std::fs::write(&p, same_second_burst()).unwrap();
    let session = hunt::pipeline::scan_paths(&[p]);
    let stuffing: Vec<_> = session
        .findings
        .all()
        .iter()
        .filter(|f| f.detector.to_string() == "credential_stuffing")
        .map(|f| f.user.clone())
        .collect();
    assert_eq!(
        stuffing,
        vec![Some("alice".to_string())],
        "{:#?}",
        session.findings.all()
    );
}
