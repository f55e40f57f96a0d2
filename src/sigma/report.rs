//! What the Sigma rules saw in one run, and which rules could not fire on
//! it: a rule whose logsource is no source read, whose `EventID` values
//! never occur among the records read, or none of whose fields occurs in
//! any record of its logsource (field names are tracked per logsource,
//! bounded, from every record early on and a sample later). Per rule:
//! records evaluated (the records of its logsources) and records matched.

use super::fields::SOURCES;
use super::ingest::{Tally, MAX_EVENT_IDS, MAX_FIELD_NAMES};
use super::load::RuleRef;
use std::collections::{HashMap, HashSet};

/// Totals over every batch of a run.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Records evaluated per source (index = position in [`SOURCES`]).
    pub evaluated: [u64; SOURCES.len()],
    /// Of those, records of another service than the source's own (a
    /// Windows channel other than Security, a line of another program than
    /// sshd): not evaluated by rules naming the source's own service.
    pub off_service: [u64; SOURCES.len()],
    /// Field names seen per source (lower-case dotted paths).
    pub names: Vec<HashSet<String>>,
    pub event_ids: HashSet<String>,
    /// Records matched per rule (catalog number), copies excluded.
    pub matched: HashMap<u32, u64>,
}

impl Seen {
    pub fn add(&mut self, t: &Tally) {
        for (a, b) in self.evaluated.iter_mut().zip(t.evaluated.iter()) {
            *a += b;
        }
        for (a, b) in self.off_service.iter_mut().zip(t.off_service.iter()) {
            *a += b;
        }
        if self.names.len() < SOURCES.len() {
            self.names.resize_with(SOURCES.len(), HashSet::new);
        }
        for (pos, name) in &t.names {
            if let Some(set) = self.names.get_mut(*pos as usize) {
                if set.len() < MAX_FIELD_NAMES {
                    set.insert(name.clone());
                }
            }
        }
        for id in &t.event_ids {
            if self.event_ids.len() < MAX_EVENT_IDS {
                self.event_ids.insert(id.clone());
            }
        }
    }

    /// Records the rule evaluated.
    pub fn evaluated_by(&self, rule: &RuleRef) -> u64 {
        rule.sources
            .iter()
            .map(|&p| {
                let all = self.evaluated.get(p).copied().unwrap_or(0);
                let off = self.off_service.get(p).copied().unwrap_or(0);
                if rule.narrow {
                    all.saturating_sub(off)
                } else {
                    all
                }
            })
            .sum()
    }

    fn field_seen(&self, rule: &RuleRef, field: &str) -> bool {
        let f = field.to_ascii_lowercase();
        let dotted = format!(".{f}");
        rule.sources.iter().any(|&p| {
            self.names.get(p).is_some_and(|set| {
                set.contains(&f)
                    || set.iter().any(|n| {
                        n.ends_with(&dotted)
                            || f.strip_prefix(n.as_str())
                                .is_some_and(|rest| rest.starts_with('.'))
                    })
            })
        })
    }

    /// Why `rule` cannot fire on what was read (`None`: it could).
    pub fn cannot_fire(&self, rule: &RuleRef) -> Option<String> {
        if rule.sources.is_empty() {
            return Some("its logsource is no source hunt reads".into());
        }
        if self.evaluated_by(rule) == 0 {
            return Some("no record of its logsource was read".into());
        }
        let windows = rule
            .sources
            .iter()
            .any(|&p| SOURCES.get(p) == Some(&crate::event::Source::Windows));
        if windows
            && !rule.event_ids.is_empty()
            && self.event_ids.len() < MAX_EVENT_IDS
            && !rule.event_ids.iter().any(|id| self.event_ids.contains(id))
        {
            return Some(format!(
                "its EventID values ({}) never occur among the records read",
                rule.event_ids.join(", ")
            ));
        }
        let full = rule
            .sources
            .iter()
            .all(|&p| self.names.get(p).is_some_and(|s| s.len() < MAX_FIELD_NAMES));
        if full && !rule.fields.is_empty() && !rule.fields.iter().any(|f| self.field_seen(rule, f))
        {
            return Some(format!(
                "none of the fields it tests ({}) occurs in the records read",
                rule.fields.join(", ")
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(sources: Vec<usize>, fields: &[&str], ids: &[&str]) -> RuleRef {
        RuleRef {
            n: 0,
            correlation_only: false,
            timespan_ms: 0,
            sources,
            fields: fields.iter().map(|s| s.to_string()).collect(),
            event_ids: ids.iter().map(|s| s.to_string()).collect(),
            narrow: false,
        }
    }

    #[test]
    fn reasons_a_rule_cannot_fire() {
        let win = SOURCES
            .iter()
            .position(|s| *s == crate::event::Source::Windows)
            .unwrap();
        let mut seen = Seen::default();
        let mut t = Tally {
            evaluated: vec![0; SOURCES.len()],
            ..Tally::default()
        };
        t.evaluated[win] = 3;
        t.names
            .push((win as u8, "winlog.event_data.targetusername".into()));
        t.names.push((win as u8, "status".into()));
        t.event_ids.push("4625".into());
        seen.add(&t);
        assert!(seen
            .cannot_fire(&rule(vec![], &[], &[]))
            .unwrap()
            .contains("logsource"));
        assert!(seen
            .cannot_fire(&rule(vec![win], &["TargetUserName"], &["1102"]))
            .unwrap()
            .contains("EventID values (1102)"));
        assert_eq!(
            seen.cannot_fire(&rule(vec![win], &["TargetUserName"], &["4625", "1102"])),
            None
        );
        assert!(seen
            .cannot_fire(&rule(vec![win], &["ObjectServer"], &[]))
            .unwrap()
            .contains("ObjectServer"));
        assert_eq!(
            seen.cannot_fire(&rule(vec![win], &["Status.errorCode"], &[])),
            None
        );
        assert_eq!(seen.evaluated_by(&rule(vec![win], &[], &[])), 3);
    }
}
