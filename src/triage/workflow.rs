//! The triage workflow in the case file (schema v3): the status (new,
//! active, closed) and owner of findings and incidents, and findings moved
//! out of or into incidents by hand. Every write is one committed
//! transaction (a bulk change of many targets too), so a killed `hunt`
//! keeps every change it showed as saved, as verdicts do.
//!
//! Model: rows are history. A target's status is its latest status row;
//! its owner is its latest owner row, else the analyst who first gave it a
//! status (the owner defaults to the analyst, never to "unknown"). Moves
//! are replayed in order onto the incident grouping.

use super::case::Case;
use super::{format_at, now_ms, parse_at, TriageError};
pub use crate::incident::Status;
use rusqlite::params;
use std::collections::HashMap;

/// What a status row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Finding,
    Incident,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Finding => "finding",
            Target::Incident => "incident",
        }
    }
}

/// The current status and owner of one finding or incident.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkState {
    pub status: Status,
    pub owner: Option<String>,
}

/// A finding moved by hand: out of any incident (`incident` is `None`) or into one.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub finding_id: String,
    pub incident: Option<String>,
}

impl Case {
    /// Sets the status and/or owner of `ids` (one transaction). `status`
    /// `None` keeps each one's status; `owner` `None` keeps its owner.
    pub fn set_work(
        &self,
        kind: Target,
        ids: &[String],
        status: Option<Status>,
        owner: Option<&str>,
    ) -> Result<(), TriageError> {
        let owner = owner.map(str::trim).filter(|o| !o.is_empty());
        if status.is_none() && owner.is_none() {
            return Err(TriageError::Empty {
                what: "status change",
                fix: "give a status or an owner",
            });
        }
        let at = format_at(now_ms());
        let analyst = self.analyst().to_string();
        self.write(|tx| {
            for id in ids {
                tx.execute(
                    "INSERT INTO work_status (kind, target, status, owner, analyst, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![kind.as_str(), id, status.map(Status::as_str), owner, analyst, at],
                )?;
            }
            Ok(())
        })
    }

    /// Status and owner of every finding and incident that has a status row.
    pub fn work_states(&self) -> Result<HashMap<(Target, String), WorkState>, TriageError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT kind, target, status, owner, analyst, at FROM work_status ORDER BY seq",
            )
            .map_err(|e| self.err(e))?;
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
        );
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out: HashMap<(Target, String), WorkState> = HashMap::new();
        for row in rows {
            let (kind, target, status, owner, analyst, at): Row = row.map_err(|e| self.err(e))?;
            let kind = if kind == "incident" {
                Target::Incident
            } else {
                Target::Finding
            };
            // A row that no longer reads (hand-edited) is skipped, not fatal.
            if parse_at(&at).is_none() {
                continue;
            }
            let e = out.entry((kind, target)).or_insert(WorkState {
                status: Status::New,
                owner: None,
            });
            if let Some(s) = status.as_deref().and_then(Status::from_name) {
                e.status = s;
                if e.owner.is_none() {
                    e.owner = Some(analyst.clone());
                }
            }
            if owner.is_some() {
                e.owner = owner;
            }
        }
        Ok(out)
    }

    /// Records that `finding_id` was moved out of its incident (`None`) or into `incident`.
    pub fn record_move(&self, finding_id: &str, incident: Option<&str>) -> Result<(), TriageError> {
        let at = format_at(now_ms());
        let analyst = self.analyst().to_string();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO incident_move (finding_id, incident, analyst, at) VALUES (?1, ?2, ?3, ?4)",
                params![finding_id, incident, analyst, at],
            )
            .map(|_| ())
        })
    }

    /// Every manual move, oldest first.
    pub fn moves(&self) -> Result<Vec<Move>, TriageError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT finding_id, incident FROM incident_move ORDER BY seq")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Move {
                    finding_id: r.get(0)?,
                    incident: r.get(1)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }
}

/// Applies the case's manual moves that the grouping can take now (their
/// finding and incident are known) and returns the others, to retry when
/// more findings have arrived; then sets each known incident's status and
/// owner to the case's (`analyst` owns what has a status and no owner).
pub fn apply_to_incidents(
    incidents: &mut crate::incident::Incidents,
    pending: Vec<Move>,
    states: &HashMap<(Target, String), WorkState>,
    analyst: &str,
) -> Vec<Move> {
    let left: Vec<Move> = pending
        .into_iter()
        .filter(|m| {
            let r = match &m.incident {
                None => incidents.move_out(&m.finding_id),
                Some(inc) => incidents.move_into(&m.finding_id, inc),
            };
            r.is_err()
        })
        .collect();
    for ((kind, id), w) in states {
        if *kind != Target::Incident {
            continue;
        }
        let Some(inc) = incidents.get(id) else {
            continue;
        };
        let now_owner = inc.owner.clone();
        if inc.status != w.status {
            let _ = incidents.set_status(id, w.status, w.owner.as_deref().unwrap_or(analyst));
        }
        if w.owner.is_some() && now_owner != w.owner {
            let _ = incidents.set_owner(id, w.owner.as_deref());
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_status_wins_and_the_owner_defaults_to_who_set_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Case::open(&dir.path().join("c.sqlite")).unwrap();
        c.set_analyst("ana");
        let ids = vec!["f1".to_string(), "f2".to_string()];
        c.set_work(Target::Finding, &ids, Some(Status::Active), None)
            .unwrap();
        c.set_analyst("bo");
        c.set_work(Target::Finding, &ids[..1], Some(Status::Closed), None)
            .unwrap();
        c.set_work(Target::Incident, &["inc-1".to_string()], None, Some("cy"))
            .unwrap();
        let w = c.work_states().unwrap();
        let get = |k, id: &str| w.get(&(k, id.to_string())).cloned().unwrap();
        assert_eq!(get(Target::Finding, "f1").status, Status::Closed);
        assert_eq!(get(Target::Finding, "f1").owner.as_deref(), Some("ana"));
        assert_eq!(get(Target::Finding, "f2").status, Status::Active);
        let inc = get(Target::Incident, "inc-1");
        assert_eq!(
            (inc.status, inc.owner.as_deref()),
            (Status::New, Some("cy"))
        );
        assert!(c.set_work(Target::Finding, &ids, None, Some("  ")).is_err());
    }

    #[test]
    fn moves_replay_in_order_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let c = Case::open(&path).unwrap();
        c.record_move("f1", None).unwrap();
        c.record_move("f1", Some("inc-2")).unwrap();
        drop(c);
        let c = Case::open(&path).unwrap();
        assert_eq!(
            c.moves().unwrap(),
            vec![
                Move {
                    finding_id: "f1".into(),
                    incident: None
                },
                Move {
                    finding_id: "f1".into(),
                    incident: Some("inc-2".into())
                }
            ]
        );
    }
}
