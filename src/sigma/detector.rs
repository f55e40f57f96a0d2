//! The Sigma rules' matches as findings. The rules run at ingest (see
//! [`super::ingest`]); here, in event-time order, each [`Hit`] (one record
//! that matched) extends the findings of its rules, and feeds the
//! correlation engine, under the rule's own detector id (`sigma:<rule id>`).
//!
//! A detection rule's matches for one entity (user, else IP) are one
//! finding while they keep coming within `[sigma] burst_gap` of each other;
//! a correlation's firings for one group are one finding while they fall
//! within its timespan of the last. Both keep their first evidence time, so
//! ids are stable. A match on a record that gave an event has that event as
//! evidence; one on a record hunt keeps no event for (an ignored Windows
//! event id, an audit operation no detector uses) is named by its pointer
//! (`file:record`) in the details. State is bounded: bursts idle past their
//! gap are dropped, and the correlation engine is bounded by its own limits
//! and evicted by event time.

use super::catalog;
use super::fields::{canonical, Canon};
use super::ingest::{Hit, MAX_MATCHED};
use super::load::{Loaded, RuleRef};
use crate::event::Millis;
use crate::finding::{DetectorId, Finding};
use crate::store::{EventIdx, Store};
use rsigma_eval::event::{Event, EventValue};
use rsigma_eval::result::EvaluationResult;
use rsigma_eval::CorrelationEngine;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

/// Open bursts kept at most; past this the idle ones are dropped first.
const MAX_BURSTS: usize = 50_000;

struct Burst {
    last_seen: Millis,
    finding: Finding,
}

pub struct SigmaDetector {
    correlation: Option<CorrelationEngine>,
    rules: HashMap<String, RuleRef>,
    by_title: HashMap<String, String>,
    bursts: HashMap<(u32, String), Burst>,
    gap: Millis,
    latest: Millis,
    seen: u64,
}

impl SigmaDetector {
    pub fn new(loaded: Loaded, burst_gap: Millis) -> SigmaDetector {
        let by_title = loaded
            .rules
            .iter()
            .filter_map(|(k, r)| Some((catalog::get(r.n)?.title.clone(), k.clone())))
            .collect();
        SigmaDetector {
            correlation: loaded.correlation,
            rules: loaded.rules,
            by_title,
            bursts: HashMap::new(),
            gap: burst_gap.max(1),
            latest: Millis::MIN,
            seen: 0,
        }
    }

    /// The loaded rules, by id.
    pub fn rules(&self) -> &HashMap<String, RuleRef> {
        &self.rules
    }

    /// The rule a result is of.
    pub fn rule_of(&self, r: &EvaluationResult) -> Option<&RuleRef> {
        r.header
            .rule_id
            .as_ref()
            .and_then(|id| self.rules.get(id))
            .or_else(|| {
                self.by_title
                    .get(&r.header.rule_title)
                    .and_then(|k| self.rules.get(k))
            })
    }

    fn prune(&mut self) {
        let horizon = self.latest.saturating_sub(self.gap);
        self.bursts.retain(|_, b| b.last_seen >= horizon);
        if self.bursts.len() > MAX_BURSTS {
            let mut times: Vec<Millis> = self.bursts.values().map(|b| b.last_seen).collect();
            times.sort_unstable();
            let cut = times
                .get(self.bursts.len() - MAX_BURSTS / 2)
                .copied()
                .unwrap_or(Millis::MAX);
            self.bursts.retain(|_, b| b.last_seen >= cut);
        }
    }

    /// Creates or extends the finding of rule `n` for `entity`, seen at `time`.
    #[allow(clippy::too_many_arguments)]
    fn touch(
        &mut self,
        n: u32,
        entity: String,
        time: Millis,
        gap: Millis,
        first_time: Millis,
        store: &Store,
        update: impl FnOnce(&mut Finding, &Store),
    ) -> Finding {
        let key = (n, entity);
        let fresh = match self.bursts.get(&key) {
            Some(b) => time.saturating_sub(b.last_seen) > gap,
            None => true,
        };
        if fresh {
            let meta = catalog::get(n);
            let title = meta.map_or("Sigma rule", |m| m.title.as_str());
            let risk = meta.map_or(50, |m| m.risk);
            let mut f = Finding::new(
                DetectorId::Sigma(n),
                &key.1,
                first_time,
                risk,
                format!("{title} ({})", key.1),
            );
            if let Some(m) = meta {
                f.severity = m.severity;
            }
            self.bursts.insert(
                key.clone(),
                Burst {
                    last_seen: time,
                    finding: f,
                },
            );
        }
        let Some(b) = self.bursts.get_mut(&key) else {
            return Finding::new(DetectorId::Sigma(n), &key.1, first_time, 0, String::new());
        };
        b.last_seen = b.last_seen.max(time);
        b.finding.last_seen = b.finding.last_seen.max(time);
        update(&mut b.finding, store);
        b.finding.clone()
    }
}

fn base_details(n: u32) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(meta) = catalog::get(n) {
        // "Why it fired": renderers read `rule` for detectors described by data.
        m.insert("rule".into(), json!(super::describe(DetectorId::Sigma(n))));
        m.insert("rule_id".into(), json!(meta.id));
        m.insert("level".into(), json!(meta.level));
        if !meta.attack.is_empty() {
            m.insert("attack".into(), json!(meta.attack));
        }
        if !meta.tags.is_empty() {
            m.insert("tags".into(), json!(meta.tags));
        }
    }
    m
}

/// Records that gave no event, named in a finding's details (at most [`MAX_MATCHED`]).
fn add_pointer(m: &mut Map<String, Value>, pointer: &str) {
    let list = m
        .entry("records")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = list {
        if list.len() < MAX_MATCHED {
            list.push(Value::String(cut(pointer)));
        }
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(super::ingest::MAX_VALUE) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// What the correlation engine reads of a matched record: the captured
/// group and count fields, and the event as the reference.
struct HitEvent<'a> {
    group: &'a [(String, String)],
    /// The record's events (a `message repeated 3 times` line has three).
    events: &'a [EventIdx],
}

impl Event for HitEvent<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        self.group
            .iter()
            .find(|(k, _)| k == path)
            .map(|(_, v)| EventValue::Str(Cow::Borrowed(v.as_str())))
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        self.group.iter().any(|(_, v)| pred(v))
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        self.group
            .iter()
            .map(|(_, v)| Cow::Borrowed(v.as_str()))
            .collect()
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        self.group.iter().for_each(|(_, v)| visit(v))
    }

    fn to_json(&self) -> Value {
        let ids: Vec<String> = self.events.iter().map(|i| i.to_string()).collect();
        json!({ "id": ids.join(",") })
    }
}

impl SigmaDetector {
    /// Turns one matched record into findings (`pointer` names it when it
    /// gave no event: `file:record`).
    pub fn observe(
        &mut self,
        store: &Store,
        hit: &Hit,
        events: &[EventIdx],
        pointer: &str,
        out: &mut Vec<Finding>,
    ) {
        let time = hit.time;
        self.latest = self.latest.max(time);
        self.seen += 1;
        if self.seen.is_multiple_of(4096) {
            self.prune();
            if let Some(c) = self.correlation.as_mut() {
                c.evict_expired(self.latest.div_euclid(1000));
            }
        }
        let detections = &hit.results;
        if detections.is_empty() {
            return;
        }
        let rec = HitEvent {
            group: &hit.group,
            events,
        };
        let fired = match self.correlation.as_mut() {
            Some(c) => c.process_with_detections(&rec, detections.clone(), time.div_euclid(1000)),
            None => Vec::new(),
        };
        let who = [hit.user.as_str(), hit.ip.as_str()]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or("-")
            .to_string();
        for d in detections {
            out.extend(self.detection_finding(store, hit, d, events, pointer, &who));
        }
        for c in fired.iter().filter(|r| r.is_correlation()) {
            out.extend(self.correlation_finding(store, hit, c));
        }
    }

    /// The finding of one detection rule's match: opened or grown by the
    /// record's events (or its `pointer`), with the fields that matched.
    fn detection_finding(
        &mut self,
        store: &Store,
        hit: &Hit,
        d: &EvaluationResult,
        events: &[EventIdx],
        pointer: &str,
        who: &str,
    ) -> Option<Finding> {
        let time = hit.time;
        let rule = self.rule_of(d).cloned()?;
        if rule.correlation_only {
            return None;
        }
        let matched: Vec<(String, String)> = d
            .as_detection()
            .map(|b| {
                b.matched_fields
                    .iter()
                    .take(MAX_MATCHED)
                    .map(|m| {
                        let v = match &m.value {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (m.field.clone(), cut(&v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (user, ip) = (hit.user.as_str(), hit.ip.as_str());
        let f = self.touch(
            rule.n,
            who.to_string(),
            time,
            self.gap,
            time,
            store,
            |f, _| {
                f.event_count += events.len().max(1) as u32;
                for &idx in events {
                    f.add_evidence(idx);
                }
                if f.user.is_none() && !user.is_empty() {
                    f.user = Some(user.to_string());
                }
                if f.ip.is_none() && !ip.is_empty() {
                    f.ip = Some(ip.to_string());
                }
                let mut m = match std::mem::take(&mut f.details) {
                    Value::Object(m) => m,
                    _ => base_details(rule.n),
                };
                let fields = m
                    .entry("matched")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(fields) = fields {
                    for (k, v) in matched {
                        if fields.len() < MAX_MATCHED {
                            fields.entry(k).or_insert(Value::String(v));
                        }
                    }
                }
                if events.is_empty() {
                    add_pointer(&mut m, pointer);
                }
                m.insert("matches".into(), json!(f.event_count));
                f.details = Value::Object(m);
            },
        );
        Some(f)
    }

    /// The finding of a correlation that fired: its group, value and
    /// timespan, with the events it refers to as evidence.
    fn correlation_finding(
        &mut self,
        store: &Store,
        hit: &Hit,
        c: &EvaluationResult,
    ) -> Option<Finding> {
        let time = hit.time;
        let rule = self.rule_of(c).cloned()?;
        let body = c.as_correlation()?;
        let refs: Vec<EventIdx> = body
            .event_refs
            .iter()
            .flatten()
            .filter_map(|r| r.id.as_deref())
            .flat_map(|ids| ids.split(','))
            .filter_map(|i| i.parse().ok())
            .filter(|&i: &EventIdx| (i as usize) < store.len())
            .collect();
        let first = refs.iter().map(|&i| store.time(i)).min().unwrap_or(time);
        let group: Vec<String> = body.group_key.iter().map(|(_, v)| v.clone()).collect();
        let who = if group.is_empty() {
            "all".to_string()
        } else {
            group.join(", ")
        };
        // The group names the user or IP when it is grouped by a field that means one.
        let mut user = None;
        let mut ip = None;
        for (field, value) in &body.group_key {
            match canonical(hit.source, field) {
                Some(Canon::User) => user = Some(value.clone()),
                Some(Canon::Ip) => ip = Some(value.clone()),
                _ => {}
            }
        }
        let kind = body.correlation_type.as_str();
        let (value, span) = (body.aggregated_value, body.timespan_secs);
        let group_json: Map<String, Value> = body
            .group_key
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(cut(v))))
            .collect();
        let gap = rule.timespan_ms.max(1000);
        let f = self.touch(rule.n, who, time, gap, first, store, |f, store| {
            for &i in &refs {
                f.add_evidence(i);
            }
            f.evidence.sort_by_key(|&i| (store.time(i), i));
            f.event_count = f.evidence.len() as u32;
            if f.user.is_none() {
                f.user = user;
            }
            if f.ip.is_none() {
                f.ip = ip;
            }
            let mut m = base_details(rule.n);
            m.insert("correlation".into(), json!(kind));
            m.insert("group".into(), Value::Object(group_json));
            let peak = f
                .details
                .get("value")
                .and_then(Value::as_f64)
                .map_or(value, |v| v.max(value));
            m.insert("value".into(), json!(peak));
            m.insert("timespan".into(), json!(format!("{span}s")));
            f.details = Value::Object(m);
        });
        Some(f)
    }
}
