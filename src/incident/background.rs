//! Internet background noise: the scanners every internet-facing sshd host
//! sees, each trying a few common or non-existent names from its own address
//! and never getting in. Their failure-only findings are rolled into one
//! low-severity "background scanning" incident per source host and UTC day
//! instead of thousands of alerts; anything with a success, a real account
//! or a second detector on the address stays its own alert.
//!
//! Who decides what: the session reads the address's events and says whether
//! a finding has the background shape ([`Background`], see
//! `pipeline::background_facts`); grouping ([`super::Incidents`]) adds the
//! one fact only it knows — no other detector fired on the address — and
//! keeps the roll-ups ([`Rollups`]). A finding leaves its roll-up as soon as
//! any of that stops being true (the address succeeds, tries a real account,
//! or another detector fires on it), and an analyst's move wins over both.
//!
//! State: per rolled finding its bucket and up to [`MAX_NAMES`] names; per
//! bucket its members. O(findings), like the findings themselves.

use super::describe::{Incident, Step};
use super::link::Node;
use crate::event::Millis;
use crate::finding::{DetectorId, Severity};
use crate::ingest::time::format_time;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The detectors whose findings can be background noise: they count
/// failures from one address.
pub const ROLLED: [DetectorId; 4] = [
    DetectorId::BruteForce,
    DetectorId::PasswordSpray,
    DetectorId::SlowSpray,
    DetectorId::UserEnumeration,
];

/// Most names kept per rolled finding, and shown per roll-up.
pub const MAX_NAMES: usize = 16;
/// Most addresses shown per roll-up (every one is in its steps).
pub const TOP_ADDRESSES: usize = 10;

/// The rule name a roll-up incident carries.
pub const RULE: &str = "background-scanning";

/// What the session found about a finding whose address only scans: every
/// event from it is a failure, for generic or non-existent accounts only,
/// and its evidence was logged by `host`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Background {
    /// The host that logged it (the syslog host, else the input's name).
    pub host: String,
    /// Failed attempts from the address.
    pub attempts: u32,
    /// The names tried, most tried first (at most [`MAX_NAMES`]).
    pub names: Vec<(String, u32)>,
}

/// True when `name` is in the configured generic names (without case).
pub fn is_generic(name: &str, generic: &[String]) -> bool {
    generic.iter().any(|g| g.eq_ignore_ascii_case(name))
}

/// The roll-up a finding goes to: its host and the UTC day it started.
pub(crate) type Key = (String, i64);

pub(crate) fn key_of(host: &str, first: Millis) -> Key {
    (host.to_string(), first.div_euclid(86_400_000))
}

/// The roll-ups: members per (host, day), and the bucket of each member.
#[derive(Debug, Default)]
pub(crate) struct Rollups {
    buckets: BTreeMap<Key, BTreeSet<String>>,
    of: HashMap<String, Key>,
    /// Buckets whose incident must be rebuilt.
    dirty: BTreeSet<Key>,
}

impl Rollups {
    /// Puts `finding` into the bucket `key` (moving it from another one).
    pub fn place(&mut self, finding: &str, key: Key) {
        if self.of.get(finding) == Some(&key) {
            self.dirty.insert(key);
            return;
        }
        self.remove(finding);
        self.buckets
            .entry(key.clone())
            .or_default()
            .insert(finding.to_string());
        self.of.insert(finding.to_string(), key.clone());
        self.dirty.insert(key);
    }

    /// Takes `finding` out of its bucket, if it is in one.
    pub fn remove(&mut self, finding: &str) -> bool {
        let Some(key) = self.of.remove(finding) else {
            return false;
        };
        if let Some(b) = self.buckets.get_mut(&key) {
            b.remove(finding);
        }
        self.dirty.insert(key);
        true
    }

    pub fn contains(&self, finding: &str) -> bool {
        self.of.contains_key(finding)
    }

    /// The dirty buckets and their members (empty: the bucket is gone).
    pub fn take_dirty(&mut self) -> Vec<(Key, Vec<String>)> {
        let keys = std::mem::take(&mut self.dirty);
        keys.into_iter()
            .map(|k| {
                let members = match self.buckets.get(&k) {
                    Some(b) if !b.is_empty() => b.iter().cloned().collect(),
                    _ => {
                        self.buckets.remove(&k);
                        Vec::new()
                    }
                };
                (k, members)
            })
            .collect()
    }
}

/// `inc-bg` and 6 hex digits of a hash of host and day: the same roll-up
/// gets the same id on every run.
pub(crate) fn incident_id(key: &Key) -> String {
    let h = crate::finding::finding_id(
        DetectorId::SlowSpray,
        &format!("background scanning\u{0}{}", key.0),
        key.1,
    );
    format!("inc-bg{}", h.get(..6).unwrap_or(&h))
}

/// What a roll-up adds to its incident: counts, top addresses, names tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub host: String,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    pub addresses: usize,
    pub attempts: u64,
    /// Addresses by attempts (at most [`TOP_ADDRESSES`]).
    pub top_addresses: Vec<(String, u32)>,
    /// Names by attempts, summed over the members' lists (at most [`MAX_NAMES`]).
    pub names: Vec<(String, u64)>,
    /// Distinct names in the members' lists.
    pub distinct_names: usize,
}

impl Summary {
    pub fn to_json(&self) -> Value {
        let pairs = |v: Vec<(String, u64)>| -> Vec<Value> {
            v.into_iter()
                .map(|(k, n)| json!({"value": k, "attempts": n}))
                .collect()
        };
        json!({
            "host": self.host,
            "day": self.day,
            "addresses": self.addresses,
            "attempts": self.attempts,
            "top_addresses": pairs(self.top_addresses.iter().map(|(a, n)| (a.clone(), u64::from(*n))).collect()),
            "names": pairs(self.names.clone()),
            "distinct_names": self.distinct_names,
        })
    }
}

/// The incident of one roll-up (its members' nodes, each with background facts).
pub(crate) fn describe(id: String, key: &Key, nodes: &mut [&Node]) -> Incident {
    nodes.sort_by(|a, b| a.first.cmp(&b.first).then_with(|| a.id.cmp(&b.id)));
    let mut by_ip: BTreeMap<&str, u32> = BTreeMap::new();
    let mut names: HashMap<&str, u64> = HashMap::new();
    for n in nodes.iter() {
        let Some(bg) = &n.background else { continue };
        if let Some(ip) = n.ip.as_deref() {
            let e = by_ip.entry(ip).or_default();
            // One address's findings each see all of its attempts.
            *e = (*e).max(bg.attempts);
        }
        for (name, c) in &bg.names {
            *names.entry(name.as_str()).or_default() += u64::from(*c);
        }
    }
    let attempts: u64 = by_ip.values().map(|&n| u64::from(n)).sum();
    let mut top: Vec<(String, u32)> = by_ip.iter().map(|(a, n)| (a.to_string(), *n)).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(TOP_ADDRESSES);
    let distinct_names = names.len();
    let mut names: Vec<(String, u64)> =
        names.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    names.truncate(MAX_NAMES);
    let day = format_time(key.1.saturating_mul(86_400_000));
    let summary = Summary {
        host: key.0.clone(),
        day: day.get(..10).unwrap_or(&day).to_string(),
        addresses: by_ip.len(),
        attempts,
        top_addresses: top,
        names,
        distinct_names,
    };
    let ips: Vec<String> = by_ip.keys().map(|s| s.to_string()).collect();
    Incident {
        id,
        title: title(&summary),
        severity: Severity::Low,
        escalation: None,
        first_seen: nodes.iter().map(|n| n.first).min().unwrap_or(0),
        last_seen: nodes.iter().map(|n| n.last).max().unwrap_or(0),
        steps: nodes.iter().map(|n| Step::of(n)).collect(),
        users: Vec::new(),
        ips,
        rules: vec![RULE.to_string()],
        status: super::Status::New,
        owner: None,
        background: Some(summary),
    }
}

/// "Background scanning of web01 on 2026-11-01: 2,000 addresses, 86,310 failed attempts (root, admin, test…)".
fn title(s: &Summary) -> String {
    let host = if s.host.is_empty() {
        "this host"
    } else {
        &s.host
    };
    let names: Vec<&str> = s.names.iter().take(3).map(|(n, _)| n.as_str()).collect();
    let more = if s.distinct_names > names.len() {
        ", …"
    } else {
        ""
    };
    format!(
        "Background scanning of {host} on {}: {} address{}, {} failed attempt{} ({}{more})",
        s.day,
        s.addresses,
        if s.addresses == 1 { "" } else { "es" },
        s.attempts,
        if s.attempts == 1 { "" } else { "s" },
        names.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_move_and_empty_ones_go() {
        let mut r = Rollups::default();
        r.place("a", key_of("web", 0));
        r.place("b", key_of("web", 0));
        r.place("c", key_of("web", 86_400_000));
        let d = r.take_dirty();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].1, vec!["a".to_string(), "b".to_string()]);
        r.place("c", key_of("web", 0));
        let d = r.take_dirty();
        assert_eq!(d.len(), 2, "both buckets changed: {d:?}");
        assert!(d.iter().any(|(k, m)| k.1 == 1 && m.is_empty()));
        assert!(r.remove("a") && !r.remove("a"));
        assert!(!r.contains("a") && r.contains("c"));
    }

    #[test]
    fn ids_are_stable_and_differ_by_host_and_day() {
        let a = incident_id(&key_of("web", 0));
        assert_eq!(a, incident_id(&key_of("web", 1000)));
        assert_ne!(a, incident_id(&key_of("web", 86_400_000)));
        assert_ne!(a, incident_id(&key_of("db", 0)));
        assert!(a.starts_with("inc-bg") && a.len() == 12, "{a}");
    }

    #[test]
    fn generic_names_compare_without_case() {
        let g = vec!["root".to_string(), "Admin".to_string()];
        assert!(is_generic("ROOT", &g) && is_generic("admin", &g));
        assert!(!is_generic("alice", &g));
    }
}
