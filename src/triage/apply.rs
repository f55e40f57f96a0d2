//! Applying the case to findings: allowlist entries (case and config) set or
//! clear a finding's `suppressed`, and the latest verdicts are looked up by
//! finding id. Pure: no I/O, the clock is passed in.
//!
//! An entry matches a finding of a detector in its scope when the finding's
//! own entity matches (user entries: `finding.user` of a finding about a
//! user; ip and cidr entries: `finding.ip` of a finding about an IP). For any
//! other field (the IP of a user finding, the user of an IP finding, ASN,
//! country, user agent) the entry matches when every evidence event that has
//! the field set matches and at least one has it.
//!
//! Which field is a finding's entity is read from its stable id (the one of
//! `user` / `ip` the id was derived from, see [`crate::finding::finding_id`]),
//! not from which fields are filled: a spray finding about an IP also names a
//! user who signed in, and allowlisting that user must not hide the spray.

use super::allow::{config_entries, AllowEntry, AllowKind, NewAllow};
use super::{Case, TriageError, Verdict};
use crate::config::Config;
use crate::event::Event;
use crate::finding::{finding_id, Finding, Findings, Suppression};
use crate::store::Store;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;

/// The allowlist (case entries first, then config entries) and latest verdicts.
#[derive(Clone, Debug, Default)]
pub struct Triage {
    pub entries: Vec<AllowEntry>,
    pub verdicts: HashMap<String, Verdict>,
}

/// An entry's value in the form matching needs.
enum Rule {
    Ip(IpAddr),
    Net(IpNet),
    User(String),
    Asn(u32),
    Country(String),
    UserAgent(String),
    /// A value that no longer parses (hand-edited file): matches nothing.
    Never,
}

impl Rule {
    fn of(e: &AllowEntry) -> Rule {
        let v = e.value.trim();
        let parsed = match e.kind {
            AllowKind::Ip => v.parse().ok().map(Rule::Ip),
            AllowKind::Cidr => v.parse().ok().map(Rule::Net),
            AllowKind::User => Some(Rule::User(v.to_lowercase())),
            AllowKind::Asn => v
                .trim_start_matches(['A', 'S', 'a', 's'])
                .parse()
                .ok()
                .map(Rule::Asn),
            AllowKind::Country => Some(Rule::Country(v.to_ascii_uppercase())),
            AllowKind::UserAgent => Some(Rule::UserAgent(v.to_lowercase())),
        };
        parsed.unwrap_or(Rule::Never)
    }

    fn ip_matches(&self, ip: &str) -> bool {
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return false;
        };
        match self {
            Rule::Ip(want) => *want == ip,
            Rule::Net(net) => net.contains(&ip),
            _ => false,
        }
    }

    /// Does the event carry the field this rule is about, and does it match?
    /// `None` when the field is absent.
    fn event_matches(&self, store: &Store, ev: &Event) -> Option<bool> {
        let text = |s| Some(store.text(s)).filter(|t| !t.is_empty());
        match self {
            Rule::Ip(_) | Rule::Net(_) => text(ev.ip).map(|ip| self.ip_matches(ip)),
            Rule::User(u) => text(ev.user).map(|x| x.to_lowercase() == *u),
            Rule::Asn(n) => (ev.asn != 0).then_some(ev.asn == *n),
            Rule::Country(c) => text(ev.country).map(|x| x.eq_ignore_ascii_case(c)),
            Rule::UserAgent(ua) => {
                text(ev.user_agent).map(|x| x.to_lowercase().contains(ua.as_str()))
            }
            Rule::Never => None,
        }
    }

    fn matches(&self, f: &Finding, store: &Store) -> bool {
        match (self, entity_of(f)) {
            (Rule::Never, _) => return false,
            (Rule::User(u), Entity::User(fu)) => return fu.to_lowercase() == *u,
            (Rule::Ip(_) | Rule::Net(_), Entity::Ip(ip)) => return self.ip_matches(ip),
            _ => {}
        }
        let mut any = false;
        for &idx in &f.evidence {
            if (idx as usize) >= store.len() {
                continue;
            }
            match self.event_matches(store, &store.get(idx)) {
                Some(false) => return false,
                Some(true) => any = true,
                None => {}
            }
        }
        any
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity<'a> {
    User(&'a str),
    Ip(&'a str),
    /// Something else (an access key, a mailbox and rule, a session).
    Other,
}

/// The finding's entity: its `user` or `ip`, whichever its id was derived from.
pub fn entity_of(f: &Finding) -> Entity<'_> {
    let derived = |s: &str| finding_id(f.detector, s, f.first_seen) == f.id;
    if let Some(u) = f.user.as_deref().filter(|u| derived(u)) {
        return Entity::User(u);
    }
    if let Some(ip) = f.ip.as_deref().filter(|ip| derived(ip)) {
        return Entity::Ip(ip);
    }
    Entity::Other
}

impl Triage {
    /// The case's entries (if a case is open) and the config file's, and the case's verdicts.
    pub fn load(case: Option<&Case>, config: &Config) -> Result<Triage, TriageError> {
        let mut entries = match case {
            Some(c) => c.allowlist()?,
            None => Vec::new(),
        };
        entries.extend(config_entries(config)?);
        let verdicts = match case {
            Some(c) => c.latest_verdicts()?,
            None => HashMap::new(),
        };
        Ok(Triage { entries, verdicts })
    }

    /// Sets `suppressed` on matched findings (entry id and note; a suppression
    /// a detector made itself is kept), clears it on findings no entry matches
    /// any more; expired entries never match. Returns the number of findings
    /// each entry matched (every live entry is present, 0 when it matched none).
    pub fn apply(
        &self,
        findings: &mut Findings,
        store: &Store,
        now: DateTime<Utc>,
    ) -> HashMap<i64, u64> {
        self.apply_changes(findings, store, now).0
    }

    /// [`Triage::apply`], and the ids of the findings whose suppression came
    /// or went (incidents regroup them: an allowlisted finding leaves its
    /// incident, a finding whose entry was removed comes back).
    pub fn apply_changes(
        &self,
        findings: &mut Findings,
        store: &Store,
        now: DateTime<Utc>,
    ) -> (HashMap<i64, u64>, Vec<String>) {
        let mut changed = Vec::new();
        let live: Vec<(&AllowEntry, Rule)> = self
            .entries
            .iter()
            .filter(|e| e.is_live(now))
            .map(|e| (e, Rule::of(e)))
            .collect();
        let mut counts: HashMap<i64, u64> = live.iter().map(|(e, _)| (e.id, 0)).collect();
        for f in findings.all_mut() {
            let mut first: Option<&AllowEntry> = None;
            for (e, rule) in &live {
                if e.applies_to(f.detector) && rule.matches(f, store) {
                    *counts.entry(e.id).or_default() += 1;
                    first.get_or_insert(e);
                }
            }
            let by_detector = f.suppressed.as_ref().is_some_and(|s| s.entry.is_none());
            if by_detector {
                continue;
            }
            let was = f.suppressed.is_some();
            f.suppressed = first.map(|e| Suppression {
                entry: Some(e.id),
                note: e.note.clone(),
            });
            if was != f.suppressed.is_some() {
                changed.push(f.id.clone());
            }
        }
        (counts, changed)
    }

    pub fn verdict(&self, finding_id: &str) -> Option<&Verdict> {
        self.verdicts.get(finding_id)
    }
}

/// What an entry not yet added would do: the findings it would suppress
/// that nothing suppresses now (an expiry does not matter: it is live when
/// added). The same matching as [`Triage::apply`]; `entry` is expected
/// normalized ([`NewAllow::normalized`]).
pub fn would_suppress<'a>(
    entry: &NewAllow,
    findings: impl IntoIterator<Item = &'a Finding>,
    store: &Store,
) -> Vec<&'a Finding> {
    let e = AllowEntry {
        id: 0,
        kind: entry.kind,
        value: entry.value.clone(),
        detectors: entry.detectors.clone(),
        note: entry.note.clone(),
        analyst: String::new(),
        created: DateTime::<Utc>::MIN_UTC,
        expires: None,
        from_config: false,
    };
    let rule = Rule::of(&e);
    findings
        .into_iter()
        .filter(|f| f.suppressed.is_none() && e.applies_to(f.detector) && rule.matches(f, store))
        .collect()
}
