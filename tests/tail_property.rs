//! The live-tail property (SPEC §4, §6): a file followed while it is written
//! in random pieces — cut anywhere, mid-line and mid-character included —
//! gives exactly the findings of scanning the final file whole. The follower
//! is driven by hand on this thread (poll, parse, hand to the `Session` as
//! the reader thread would, with a `CaughtUp` after every poll), so each
//! case is deterministic and quick.

mod tail_common;

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::decode::json_lines;
use hunt::ingest::read::Input;
use hunt::ingest::source::{Output, ReadOptions, SourceReader};
use hunt::ingest::FileStats;
use hunt::pipeline::{IngestMsg, Session};
use proptest::prelude::*;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use tail_common::*;

/// Line-oriented samples that a live tail can meet.
const FILES: [&str; 5] = [
    "entra/SigninLogs.ndjson",
    "sshd/auth.log",
    "sshd/secure",
    "m365/OfficeActivity.ndjson",
    "windows/security.ndjson",
];

/// One followed file and the session it feeds, as `pipeline::read_loop` does.
struct Driver {
    reader: SourceReader,
    session: Session,
    sent: u64,
}

impl Driver {
    fn new(path: &Path) -> Driver {
        let config = Config::default();
        let opts = ReadOptions {
            format: None,
            max_line: config.ingest.max_line_bytes,
            syslog_year: config.ingest.syslog_year,
            follow: true,
        };
        let input = Input::Path(path.to_path_buf());
        let mut session = Session::new(config, Enricher::none());
        session.add_sources(std::slice::from_ref(&input), true);
        Driver {
            reader: SourceReader::new(0, input, opts),
            session,
            sent: 0,
        }
    }

    fn poll(&mut self) {
        let mut msgs = Vec::new();
        let mut stats = FileStats::default();
        let first = self.sent;
        let res = self.reader.poll(&mut stats, &mut |o| {
            let seq = first + msgs.len() as u64;
            msgs.push(match o {
                Output::Job(job) => {
                    let mut s = FileStats::default();
                    let batch = json_lines(&job.chunk, job.file, job.format, job.max_line, &mut s);
                    IngestMsg::Batch {
                        file: 0,
                        seq,
                        batch,
                        stats: s,
                    }
                }
                Output::Parsed(batch, s) => IngestMsg::Batch {
                    file: 0,
                    seq,
                    batch,
                    stats: s,
                },
                // Never rotated here; a reopening is no batch.
                Output::Reopened | Output::Read(_) => return,
            })
        });
        self.sent += msgs.len() as u64;
        for m in msgs {
            self.session.handle(m);
        }
        match res {
            Ok(_) => {}
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}"),
        }
        self.session.handle(IngestMsg::CaughtUp {
            file: 0,
            batches: self.sent,
        });
    }
}

/// Follows `rel` written in the pieces `cuts` gives; returns the follower's
/// and the whole scan's findings.
fn follow_in_pieces(rel: &str, cuts: &[usize]) -> (Vec<String>, Vec<String>) {
    let data = std::fs::read(root().join("samples").join(rel)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("followed.log");
    let mut d = Driver::new(&path);
    d.poll(); // not there yet
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    bounds.sort();
    bounds.push(data.len());
    let mut at = 0;
    for end in bounds {
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .unwrap();
        f.write_all(&data[at..end]).unwrap();
        at = end;
        d.poll();
    }
    d.poll();
    assert_eq!(d.session.pending(), 0);
    let whole = scan_whole(&[path]);
    assert_eq!(
        event_digest(&d.session),
        event_digest(&whole),
        "{rel}: events differ"
    );
    (digest(&d.session), digest(&whole))
}

#[test]
fn samples_give_findings_when_followed_in_one_piece() {
    for rel in FILES {
        let (followed, whole) = follow_in_pieces(rel, &[]);
        // sshd/secure plants nothing (its scenarios need GeoIP); it is here for
        // classic syslog timestamps, whose year comes from the file.
        assert!(
            !whole.is_empty() || rel == "sshd/secure",
            "{rel} should plant findings"
        );
        assert_eq!(followed, whole, "{rel}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn following_random_pieces_equals_scanning_whole(
        file in 0..FILES.len(),
        cuts in prop::collection::vec(any::<usize>(), 0..60),
    ) {
        let (followed, whole) = follow_in_pieces(FILES[file], &cuts);
        prop_assert_eq!(followed, whole);
    }
}
