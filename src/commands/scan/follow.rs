//! `hunt scan -f`: findings (or incidents) printed as they are created or
//! change, one line per finding per release however many events changed
//! it. A consumer keys by id: "created" the first time an id is printed,
//! "updated" after; a printed incident merged away or split up comes back
//! as `{"id", "change": "dissolved"}`.

use super::{Exit, Note, Printer, Scan, Tell};
use crate::pipeline::Session;
use crate::report::{self, OutputFormat};
use std::collections::HashSet;
use std::io::Write;

/// What has been printed and told so far.
struct Told {
    /// Finding (or incident) ids printed at least once.
    printed: HashSet<String>,
    drops: Vec<(u64, u64)>,
    failures: Vec<bool>,
    /// Per Kafka input, the error last told, and when they were last looked at.
    kafka_errors: Vec<Option<String>>,
    kafka_looked: std::time::Instant,
}

impl Default for Told {
    fn default() -> Told {
        Told {
            printed: HashSet::new(),
            drops: Vec::new(),
            failures: Vec::new(),
            kafka_errors: Vec::new(),
            kafka_looked: std::time::Instant::now(),
        }
    }
}

pub(super) fn run(
    mut scan: Scan,
    incidents: bool,
    printer: &Printer,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    if printer.output == OutputFormat::Csv {
        report::write_csv_header(out)?;
    }
    let mut told = Told::default();
    loop {
        // A quiet second still says what the live sources are going through.
        let msg = match scan.rx.recv_timeout(std::time::Duration::from_secs(1)) {
            Ok(msg) => msg,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                tell_live_news(&scan.session, &mut told, tell);
                tell_kafka_errors(&scan.kafka, &mut told, tell);
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let released = scan.session.handle(msg);
        tell_live_news(&scan.session, &mut told, tell);
        // Each consumer's error sits behind a lock: looked at once a second.
        if told.kafka_looked.elapsed() >= std::time::Duration::from_secs(1) {
            tell_kafka_errors(&scan.kafka, &mut told, tell);
        }
        if !released {
            continue;
        }
        if let Err(e) = scan.triage.reload_if_changed(&scan.config) {
            tell(Note::Case(e.to_string()));
        }
        scan.triage.apply(&mut scan.session);
        if incidents {
            print_incidents(&mut scan, &mut told.printed, out)?;
        } else {
            print_findings(&mut scan, printer, &mut told.printed, out)?;
        }
        out.flush()?;
        scan.commit_offsets(tell);
    }
    // Every input ended; one that could not be read (a live source
    // whose address is taken) makes the run fail.
    Ok(if scan.any_source_failed() {
        Exit::Failed
    } else {
        Exit::Clean
    })
}

/// What live sources lost and which inputs failed since last told.
fn tell_live_news(session: &Session, told: &mut Told, tell: Tell) {
    for note in report::live_drop_notes(session, &mut told.drops) {
        tell(Note::LiveLoss(note));
    }
    for note in report::new_failures(session, &mut told.failures) {
        tell(Note::SourceFailed(note));
    }
}

/// A Kafka input that cannot reach its brokers says so once per new error
/// (and once when it reaches them again): a follow never retries silently.
fn tell_kafka_errors(kafka: &crate::triage::kafka::KafkaRun, told: &mut Told, tell: Tell) {
    told.kafka_looked = std::time::Instant::now();
    let now = kafka.errors();
    told.kafka_errors.resize(now.len(), None);
    for ((name, error), last) in now.into_iter().zip(told.kafka_errors.iter_mut()) {
        if error == *last {
            continue;
        }
        match &error {
            Some(e) => tell(Note::KafkaRetrying(name, e.clone())),
            None => tell(Note::KafkaRecovered(name)),
        }
        *last = error;
    }
}

/// `--incidents`: every incident the release changed. The findings' own
/// changes are dropped, but still handed to the Kafka bookkeeping.
fn print_incidents(
    scan: &mut Scan,
    printed: &mut HashSet<String>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    scan.session.take_changes();
    for id in scan.session.incidents.take_changes() {
        if let Some(v) = incident_change(&scan.session, &id, printed) {
            report::write_jsonl(out, &v)?;
        }
    }
    out.flush()?;
    scan.hand_findings_to_kafka();
    Ok(())
}

/// Every finding the release changed (and those a Kafka restart held back),
/// once each, with its `"change"`.
fn print_findings(
    scan: &mut Scan,
    printer: &Printer,
    printed: &mut HashSet<String>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut this_round = HashSet::new();
    let deferred = scan.kafka.take_deferred(&scan.session);
    let changed = scan.session.take_changes().into_iter().map(|(_, id)| id);
    for id in changed.chain(deferred) {
        if !this_round.insert(id.clone()) {
            continue;
        }
        let Some(f) = scan.session.findings.get(&id) else {
            continue;
        };
        if f.suppressed.is_some() && !printer.include_suppressed {
            continue;
        }
        let mut v = scan.triage.finding_json(&scan.session, f);
        let change = if scan.kafka.is_empty() {
            if printed.insert(id) {
                "created"
            } else {
                "updated"
            }
        } else {
            // Recorded in the case with the offsets: a finding the
            // case holds unchanged (rebuilt after a restart) is not news.
            match scan.kafka.change(f, &v) {
                Some(c) => c,
                None => continue,
            }
        };
        if let Some(m) = v.as_object_mut() {
            m.insert("change".into(), serde_json::json!(change));
        }
        printer.row(out, v)?;
    }
    Ok(())
}

/// A live incident line: the incident with `"change"` created or updated,
/// or `{"id", "change": "dissolved"}` once a printed one was merged away or
/// split up (an id that came and went within one release is not printed).
fn incident_change(
    session: &Session,
    id: &str,
    printed: &mut HashSet<String>,
) -> Option<serde_json::Value> {
    Some(match session.incidents.get(id) {
        Some(inc) => {
            let mut v = inc.to_json();
            let change = if printed.insert(id.to_string()) {
                "created"
            } else {
                "updated"
            };
            if let Some(m) = v.as_object_mut() {
                m.insert("change".into(), serde_json::json!(change));
            }
            v
        }
        None if printed.remove(id) => serde_json::json!({"id": id, "change": "dissolved"}),
        None => return None,
    })
}
