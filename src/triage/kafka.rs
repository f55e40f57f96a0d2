//! The case side of `kafka://` inputs: at least once, nothing lost.
//!
//! After each release (the detectors have seen every batch received),
//! the owner calls [`KafkaRun::commit`]: in one transaction it records the
//! findings created or changed since the last commit (`live_finding`) and,
//! per partition, the offset after the last batch released
//! (`kafka_offset`). A run killed before that transaction leaves the last
//! commit in place; the next run reads from there, so no message is lost,
//! and messages after the commit are read again (at least once): their
//! records are new to the restarted run, whose store drops copies by
//! record identity, so each counts once.
//!
//! A restart also reads again, from `replay_from`, the messages of the
//! last `[kafka] replay` of event time before the commit, so a brute force
//! or spray that spans the restart is counted whole, with the id it had
//! (ids come from detector, entity and first evidence time). A finding
//! whose document the case already holds unchanged is not printed again.

use super::case::Case;
use super::{format_at, now_ms, Snapshot, TriageError};
use crate::finding::Finding;
use crate::ingest::kafka::{Committed, Handle, Live};
use crate::pipeline::Session;
use rusqlite::params;
use std::collections::{BTreeMap, HashMap};

/// The Kafka inputs of a run and what their findings look like in the case.
#[derive(Default)]
pub struct KafkaRun {
    lives: Vec<Live>,
    /// Finding id → its document as last recorded.
    known: HashMap<String, String>,
    /// Findings to record at the next commit, by id.
    queued: BTreeMap<String, (Snapshot, String)>,
    /// A case the offsets are written to.
    writable: bool,
    /// Findings changed while replaying: judged once the replay is over.
    deferred: std::collections::BTreeSet<String>,
    /// Per input, the positions processed and not yet committed.
    ready: Vec<BTreeMap<i32, Committed>>,
}

impl KafkaRun {
    /// Per consumer, its input's name and the connection or fetch error it
    /// is retrying after, if any (cleared by its next success).
    pub fn errors(&self) -> Vec<(String, Option<String>)> {
        self.lives
            .iter()
            .map(|l| (l.name.clone(), l.state().error.clone()))
            .collect()
    }

    /// Starts each consumer from the positions `case` holds for its group
    /// and topic. Returns the run and what to tell the user.
    pub fn begin(
        handles: Vec<Handle>,
        case: Option<&Case>,
    ) -> Result<(KafkaRun, Vec<String>), TriageError> {
        let mut run = KafkaRun::default();
        let mut notes = Vec::new();
        if handles.is_empty() {
            return Ok((run, notes));
        }
        let case = case.filter(|c| !c.is_read_only());
        run.writable = case.is_some();
        if let Some(c) = case {
            run.known = known_findings(c)?;
        } else {
            notes.push(
                "kafka: no writable case (--case FILE): offsets are not kept, and a restart \
                 reads from the start position again"
                    .into(),
            );
        }
        for h in handles {
            let committed = match case {
                Some(c) => committed(c, &h.live.group, &h.live.topic)?,
                None => BTreeMap::new(),
            };
            if !committed.is_empty() {
                notes.push(format!(
                    "kafka: {}: group {} resumes {} partition(s) from their committed offsets",
                    crate::sanitize::clean(&h.live.name),
                    crate::sanitize::clean(&h.live.group),
                    committed.len()
                ));
            }
            run.lives.push(h.begin(committed));
        }
        Ok((run, notes))
    }

    /// The Kafka inputs' shared status.
    pub fn lives(&self) -> &[Live] {
        &self.lives
    }

    pub fn is_empty(&self) -> bool {
        self.lives.is_empty()
    }

    /// How to announce finding `f` whose document is `doc`: `created`,
    /// `updated`, or nothing when the case holds it unchanged (a finding
    /// rebuilt by the replay after a restart). Queues it for the next commit.
    pub fn change(&mut self, f: &Finding, doc: &serde_json::Value) -> Option<&'static str> {
        if self.lives.is_empty() {
            return Some("created");
        }
        // Mid-replay a finding is only part rebuilt: compare it once whole.
        if self.lives.iter().any(Live::replaying) {
            self.deferred.insert(f.id.clone());
            return None;
        }
        // The verdict is the case's own; what is printed adds the change.
        let mut doc = doc.clone();
        if let Some(m) = doc.as_object_mut() {
            m.remove("verdict");
            m.remove("change");
        }
        let text = doc.to_string();
        let change = match self.known.get(&f.id) {
            Some(t) if *t == text => return None,
            Some(_) => "updated",
            None if self.queued.contains_key(&f.id) => "updated",
            None => "created",
        };
        self.queued.insert(f.id.clone(), (Snapshot::of(f), text));
        Some(change)
    }

    /// Findings changed during the replay, once it is over (to be passed
    /// to [`KafkaRun::change`] like any other change).
    pub fn take_deferred(&mut self, session: &Session) -> Vec<String> {
        self.advance(session);
        if self.deferred.is_empty() || self.lives.iter().any(Live::replaying) {
            return Vec::new();
        }
        std::mem::take(&mut self.deferred).into_iter().collect()
    }

    /// Takes note of what the session has processed (every batch it has
    /// received, once nothing is pending): call before [`KafkaRun::change`].
    pub fn advance(&mut self, session: &Session) {
        if session.pending() > 0 {
            return;
        }
        self.ready.resize(self.lives.len(), BTreeMap::new());
        for (l, ready) in self.lives.iter().zip(self.ready.iter_mut()) {
            let n = session
                .sources
                .get(l.file as usize)
                .map_or(0, |s| s.batches_received());
            ready.extend(l.advance(n));
        }
    }

    /// Records the queued findings and the offsets of every batch the
    /// session has processed, in one transaction (see the module doc).
    pub fn commit(&mut self, session: &Session, case: Option<&Case>) -> Result<(), TriageError> {
        if self.lives.is_empty() {
            return Ok(());
        }
        self.advance(session);
        let ready = std::mem::take(&mut self.ready);
        let case = case.filter(|c| self.writable && !c.is_read_only());
        if let Some(c) = case {
            let at = format_at(now_ms());
            let (lives, queued) = (&self.lives, &self.queued);
            c.write(|tx| {
                for (id, (s, doc)) in queued {
                    let source = lives.first().map_or("", |l| l.name.as_str());
                    tx.execute(
                        "INSERT INTO live_finding (id, source, detector, entity, severity, first_seen, last_seen, title, doc, found, updated)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
                         ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, entity = excluded.entity,
                         severity = excluded.severity, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
                         title = excluded.title, doc = excluded.doc, updated = excluded.updated",
                        params![id, source, s.detector, s.entity, s.severity, s.first_seen, s.last_seen, s.title, doc, at],
                    )?;
                }
                for (l, positions) in lives.iter().zip(&ready) {
                    for (part, c) in positions {
                        tx.execute(
                            "INSERT INTO kafka_offset (grp, topic, part, next_offset, replay_from, at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                             ON CONFLICT (grp, topic, part) DO UPDATE SET next_offset = excluded.next_offset,
                             replay_from = excluded.replay_from, at = excluded.at",
                            params![l.group, l.topic, part, c.next, c.replay_from, at],
                        )?;
                    }
                }
                Ok(())
            })?;
        }
        if case.is_some() {
            for (l, positions) in self.lives.iter().zip(&ready) {
                l.committed(positions);
            }
        }
        for (id, (_, doc)) in std::mem::take(&mut self.queued) {
            self.known.insert(id, doc);
        }
        Ok(())
    }
}

fn known_findings(case: &Case) -> Result<HashMap<String, String>, TriageError> {
    let mut stmt = case
        .conn
        .prepare("SELECT id, doc FROM live_finding")
        .map_err(|e| case.err(e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| case.err(e))?;
    rows.collect::<Result<_, _>>().map_err(|e| case.err(e))
}

fn committed(
    case: &Case,
    group: &str,
    topic: &str,
) -> Result<BTreeMap<i32, Committed>, TriageError> {
    let mut stmt = case
        .conn
        .prepare(
            "SELECT part, next_offset, replay_from FROM kafka_offset WHERE grp = ?1 AND topic = ?2",
        )
        .map_err(|e| case.err(e))?;
    let rows = stmt
        .query_map(params![group, topic], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                Committed {
                    next: r.get(1)?,
                    replay_from: r.get(2)?,
                },
            ))
        })
        .map_err(|e| case.err(e))?;
    rows.collect::<Result<_, _>>().map_err(|e| case.err(e))
}
