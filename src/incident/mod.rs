//! Incidents (issue 12): findings that share an entity within a window,
//! grouped as they arrive. [`Incidents`] is fed every finding a release
//! created or updated (see `Session::release`); an incident is a connected
//! group of findings under the config's rules ([`link`]), minus the findings
//! an analyst moved out, plus those moved in by hand. Status and owner
//! ([`status`]) ride along through merges and splits.
//!
//! Order: a batch is fed in (first_seen, id) order and the groups are the
//! connected components of the links found, so the same findings in any
//! arrival order give the same incidents, and a new incident's id comes from
//! its earliest finding. Live, a later finding joins or merges incidents; a
//! merged incident keeps the id of the part with more findings (ties: the
//! earlier one), so ids a consumer has seen stay valid where they can.
//!
//! State: what grouping needs per finding (a [`link::Node`], O(findings) like
//! `Findings` itself), lookup lists per user and IP capped and pruned once
//! older than the longest rule window, at most [`MAX_EDGES`] links per finding
//! and `max_findings` per incident. This module never prints and never
//! reads the store; outputs live in `main.rs` and [`describe`].

pub mod background;
pub mod describe;
pub(crate) mod link;
mod manual;
pub mod status;

use crate::config::IncidentsConfig;
use crate::event::Millis;
use crate::finding::{DetectorId, Finding};
pub use describe::{Incident, Step};
use link::Node;
pub use status::Status;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What `hunt config` prints under the configuration: how the
/// `[incidents]` rules read (the defaults are the rules printed above it).
pub const CONFIG_NOTE: &str = "\
# [incidents] groups findings that share an entity within a window into one incident.
# Each [[incidents.rules]] links two findings whose detectors it lists:
#   link = \"user\"           the same user, at most `window` between one's end and the other's start
#   link = \"ip\"             the same source IP across users (same gap)
#   link = \"spray_success\"  a spray finding (password, slow or distributed) and findings of the
#                             users that succeeded from its source (or from its IP) starting
#                             within `window` after it
# An IP seen in findings of more than max_ip_users users, or called shared egress by a spray
# detector, links nothing. A rules list in your file replaces these defaults.
# alone_from: a finding at or above this severity (low, medium, high, critical) that no rule
# groups is an incident of its own, so every such alert has an owner; \"off\" keeps only groups.
";

/// Most links kept per finding.
pub const MAX_EDGES: usize = 256;
/// Most findings kept per user or IP in the lookup lists (the latest).
const MAX_PER_KEY: usize = 64;
/// Feeds between two prunings of the lookup lists.
const PRUNE_EVERY: u32 = 512;

#[derive(Clone, Debug)]
struct Edge {
    to: String,
    /// Index of the rule, or `None` for a link made by hand.
    rule: Option<usize>,
    /// The IP the link relies on.
    ip: Option<String>,
}

/// Why a manual change (a move, a status) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("no finding `{0}` is known to the incident grouping")]
    UnknownFinding(String),
    #[error("no incident `{0}`")]
    UnknownIncident(String),
}

/// The incremental grouper (see the module comment).
#[derive(Debug, Default)]
pub struct Incidents {
    cfg: IncidentsConfig,
    horizon: i64,
    nodes: HashMap<String, Node>,
    edges: HashMap<String, Vec<Edge>>,
    by_user: HashMap<String, Vec<String>>,
    by_ip: HashMap<String, Vec<String>>,
    /// Distinct users per IP seen in findings, up to `max_ip_users + 1`.
    ip_users: HashMap<String, BTreeSet<String>>,
    /// IPs a spray finding suppressed as shared egress.
    shared_ips: HashSet<String>,
    /// Findings suppressed by their detector since they were fed.
    inactive: HashSet<String>,
    /// Manual decisions: out of any incident, or held only by manual links.
    moved_out: HashSet<String>,
    pinned: HashSet<String>,
    of: HashMap<String, String>,
    list: BTreeMap<String, Incident>,
    /// A set, so it stays bounded (by the incident ids) when nobody takes it.
    changed: BTreeSet<String>,
    watermark: Millis,
    fed: u32,
    /// Per IP, the detectors (bit per [`DetectorId`] index) of its findings.
    ip_detectors: HashMap<String, u64>,
    /// Per IP, its findings with a background shape (candidates to roll up).
    bg_by_ip: HashMap<String, Vec<String>>,
    /// IPs the session found to be more than background (they succeeded or
    /// tried a real account after their findings were fed).
    bg_blocked: HashSet<String>,
    rollups: background::Rollups,
}

/// A new group: its members by time and the rules that link them.
type Group = (Vec<String>, BTreeSet<String>);
/// A group's earlier incidents holding its findings, and whether it has others.
type Part = (Vec<String>, bool);
/// The id each group keeps, the ids taken, and each group's [`Part`].
type Claims = (Vec<Option<String>>, HashSet<String>, Vec<Part>);

impl Incidents {
    pub fn new(cfg: &IncidentsConfig) -> Incidents {
        Incidents {
            horizon: cfg.rules.iter().map(|r| r.window.ms()).max().unwrap_or(0),
            cfg: cfg.clone(),
            ..Incidents::default()
        }
    }

    /// Feeds findings created or updated together (one release) and regroups.
    pub fn observe<'a>(&mut self, findings: impl IntoIterator<Item = &'a Finding>) {
        self.observe_with(findings, |_| None);
    }

    /// [`Incidents::observe`], with the background-scanning shape the
    /// session found for each finding (see [`background`]).
    pub fn observe_with<'a>(
        &mut self,
        findings: impl IntoIterator<Item = &'a Finding>,
        shape: impl Fn(&Finding) -> Option<background::Background>,
    ) {
        if !self.cfg.enabled {
            return;
        }
        let mut batch: Vec<&Finding> = findings.into_iter().collect();
        batch.sort_by(|a, b| {
            a.first_seen
                .cmp(&b.first_seen)
                .then_with(|| a.id.cmp(&b.id))
        });
        batch.dedup_by(|a, b| a.id == b.id);
        let mut dirty = Vec::with_capacity(batch.len());
        for f in batch {
            let bg = if self.cfg.background.enabled {
                shape(f)
            } else {
                None
            };
            self.feed(f, bg, &mut dirty);
        }
        self.regroup(dirty);
    }

    /// The session found that `ip` is more than background noise (it
    /// succeeded, or tried a real account): its findings leave their roll-up.
    pub fn block_background(&mut self, ip: &str) {
        if !self.bg_blocked.insert(ip.to_string()) {
            return;
        }
        let dirty: Vec<String> = self.bg_by_ip.get(ip).cloned().unwrap_or_default();
        if !dirty.is_empty() {
            self.regroup(dirty);
        }
    }

    /// The addresses of findings now rolled up (for the session to watch).
    pub fn rolled_ips(&self) -> impl Iterator<Item = &str> {
        self.bg_by_ip
            .iter()
            .filter(|(ip, _)| !self.bg_blocked.contains(*ip))
            .map(|(ip, _)| ip.as_str())
    }

    /// True when the finding is in a background-scanning roll-up.
    pub fn is_rolled_up(&self, finding_id: &str) -> bool {
        self.rollups.contains(finding_id)
    }

    /// Whether grouping rolls this node up: a background shape, an address
    /// no other detector fired on and the session has not blocked, and no
    /// analyst's move.
    fn rolls(&self, n: &Node) -> bool {
        n.background.is_some()
            && !self.moved_out.contains(&n.id)
            && !self.pinned.contains(&n.id)
            && !self.inactive.contains(&n.id)
            && n.ip.as_ref().is_some_and(|ip| {
                !self.bg_blocked.contains(ip)
                    && self
                        .ip_detectors
                        .get(ip)
                        .is_some_and(|m| m.count_ones() == 1)
            })
    }

    fn rolls_id(&self, id: &str) -> bool {
        self.nodes.get(id).is_some_and(|n| self.rolls(n))
    }

    /// The incident a finding belongs to.
    pub fn incident_of(&self, finding_id: &str) -> Option<&str> {
        self.of.get(finding_id).map(String::as_str)
    }

    pub fn get(&self, incident_id: &str) -> Option<&Incident> {
        self.list.get(incident_id)
    }

    /// All incidents, by id.
    pub fn all(&self) -> impl Iterator<Item = &Incident> {
        self.list.values()
    }

    /// Sorted for reports: severity (descending), then first seen and id.
    pub fn sorted(&self) -> Vec<&Incident> {
        let mut v: Vec<&Incident> = self.list.values().collect();
        v.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.first_seen.cmp(&b.first_seen))
                .then(a.id.cmp(&b.id))
        });
        v
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Ids of incidents created, changed or dissolved since the last call
    /// (a dissolved one is no longer in [`Incidents::get`]).
    pub fn take_changes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }

    fn feed(&mut self, f: &Finding, bg: Option<background::Background>, dirty: &mut Vec<String>) {
        if let Some(s) = &f.suppressed {
            // Shared egress: the detector says this IP is a NAT or proxy.
            if s.entry.is_none() && link::is_spray(f.detector) {
                if let Some(ip) = &f.ip {
                    if self.shared_ips.insert(ip.clone()) {
                        dirty.extend(self.by_ip.get(ip).into_iter().flatten().cloned());
                    }
                }
            }
            if self.nodes.contains_key(&f.id) && self.inactive.insert(f.id.clone()) {
                dirty.push(f.id.clone());
            }
            return;
        }
        self.inactive.remove(&f.id);
        let mut node = Node::of(f);
        node.background = bg;
        self.watermark = self.watermark.max(node.first);
        if let Some(ip) = &node.ip {
            let bit = 1u64 << detector_index(node.detector);
            let mask = self.ip_detectors.entry(ip.clone()).or_default();
            if *mask & bit == 0 {
                if *mask != 0 {
                    // A second detector on the address: nothing of it is background.
                    dirty.extend(self.bg_by_ip.get(ip).into_iter().flatten().cloned());
                }
                *mask |= bit;
            }
            if node.background.is_some() {
                let list = self.bg_by_ip.entry(ip.clone()).or_default();
                if !list.contains(&node.id) {
                    list.push(node.id.clone());
                }
            }
        }
        let cap = self.cfg.max_ip_users as usize + 1;
        if let Some(ip) = &node.ip {
            if !self.ip_shared(ip) {
                // If this finding makes the IP shared, what it linked must regroup.
                dirty.extend(self.by_ip.get(ip).into_iter().flatten().cloned());
            }
            let set = self.ip_users.entry(ip.clone()).or_default();
            for u in node.user_keys() {
                if set.len() < cap {
                    set.insert(u.clone());
                }
            }
        }
        let mut candidates: Vec<String> = Vec::new();
        for u in node.user_keys() {
            candidates.extend(self.by_user.get(u).into_iter().flatten().cloned());
        }
        if let Some(ip) = &node.ip {
            candidates.extend(self.by_ip.get(ip).into_iter().flatten().cloned());
        }
        candidates.sort();
        candidates.dedup();
        for c in candidates.iter().filter(|c| **c != node.id) {
            let found = self
                .nodes
                .get(c)
                .and_then(|other| link::link(&self.cfg.rules, &node, other));
            if let Some(l) = found {
                self.add_edge(&node.id, c, Some(l.rule), l.ip);
            }
        }
        for u in node.user_keys() {
            push_capped(self.by_user.entry(u.clone()).or_default(), &node.id);
        }
        if let Some(ip) = &node.ip {
            push_capped(self.by_ip.entry(ip.clone()).or_default(), &node.id);
        }
        dirty.push(node.id.clone());
        self.nodes.insert(node.id.clone(), node);
        self.fed = self.fed.wrapping_add(1);
        if self.fed.is_multiple_of(PRUNE_EVERY) {
            self.prune();
        }
    }

    /// Forgets, in the lookup lists, findings that ended longer than the
    /// longest rule window before the latest finding started: nothing fed in
    /// time order can link to them any more.
    fn prune(&mut self) {
        let nodes = &self.nodes;
        let limit = self.watermark.saturating_sub(self.horizon);
        let alive = |id: &String| nodes.get(id).is_some_and(|n| n.last >= limit);
        for list in self.by_user.values_mut().chain(self.by_ip.values_mut()) {
            list.retain(alive);
        }
        self.by_user.retain(|_, l| !l.is_empty());
        self.by_ip.retain(|_, l| !l.is_empty());
    }

    fn add_edge(&mut self, a: &str, b: &str, rule: Option<usize>, ip: Option<String>) {
        for (from, to) in [(a, b), (b, a)] {
            let es = self.edges.entry(from.to_string()).or_default();
            let same = |e: &Edge| e.to == to && e.rule.is_some() == rule.is_some();
            if let Some(e) = es.iter_mut().find(|e| same(e)) {
                // A link that needs no IP beats one that does.
                if e.ip.is_some() && ip.is_none() {
                    e.rule = rule;
                    e.ip = None;
                }
            } else if es.len() < MAX_EDGES {
                es.push(Edge {
                    to: to.to_string(),
                    rule,
                    ip: ip.clone(),
                });
            }
        }
    }

    fn excluded(&self, id: &str) -> bool {
        self.moved_out.contains(id) || self.inactive.contains(id)
    }

    fn ip_shared(&self, ip: &str) -> bool {
        self.shared_ips.contains(ip)
            || self
                .ip_users
                .get(ip)
                .is_some_and(|u| u.len() > self.cfg.max_ip_users as usize)
    }

    fn usable(&self, from: &str, e: &Edge) -> bool {
        if self.excluded(&e.to) || !self.nodes.contains_key(&e.to) {
            return false;
        }
        match e.rule {
            None => true,
            Some(_) => {
                !self.pinned.contains(from)
                    && !self.pinned.contains(&e.to)
                    && e.ip.as_deref().is_none_or(|ip| !self.ip_shared(ip))
                    && !self.rolls_id(from)
                    && !self.rolls_id(&e.to)
            }
        }
    }

    /// The connected group of `start`, and the names of the rules that hold it together.
    fn component(&self, start: &str) -> (Vec<String>, BTreeSet<String>) {
        let mut seen: BTreeSet<String> = BTreeSet::from([start.to_string()]);
        let mut rules = BTreeSet::new();
        if self.excluded(start) {
            return (vec![start.to_string()], rules);
        }
        let mut stack = vec![start.to_string()];
        while let Some(n) = stack.pop() {
            for e in self.edges.get(&n).into_iter().flatten() {
                if !self.usable(&n, e) {
                    continue;
                }
                rules.insert(match e.rule.and_then(|r| self.cfg.rules.get(r)) {
                    Some(r) => r.name.clone(),
                    None => "manual".to_string(),
                });
                if seen.insert(e.to.clone()) {
                    stack.push(e.to.clone());
                }
            }
        }
        (seen.into_iter().collect(), rules)
    }

    /// Recomputes the groups of the dirty findings and of the incidents they were in.
    fn regroup(&mut self, dirty: Vec<String>) {
        let (groups, old) = self.gather(dirty);
        let standing: Vec<bool> = groups.iter().map(|g| self.stands(&g.0)).collect();
        let (mut ids, mut claimed, parts) = self.claim_ids(&groups, &standing);
        let mut before: HashMap<String, Incident> = HashMap::new();
        for inc in &old {
            if let Some(i) = self.list.remove(inc) {
                for f in i.findings() {
                    self.of.remove(f);
                }
                before.insert(inc.clone(), i);
            }
        }
        for (gi, (members, rules)) in groups.into_iter().enumerate() {
            if !standing.get(gi).copied().unwrap_or(false) {
                continue;
            }
            let id = ids.get_mut(gi).and_then(Option::take);
            self.install(members, rules, id, &mut claimed, parts.get(gi), &before);
        }
        // Whatever was not regrouped under its id is dissolved.
        let dissolved = before.into_keys().filter(|id| !self.list.contains_key(id));
        self.changed.extend(dissolved.collect::<Vec<_>>());
        self.rebuild_rollups();
    }

    /// The new groups (members by time, at most `max_findings`, and the
    /// rules that link them) of the dirty findings, and the incidents they
    /// were in. Every incident touched is regrouped whole, so a split
    /// leaves no finding pointing at an incident that is gone.
    fn gather(&mut self, dirty: Vec<String>) -> (Vec<Group>, BTreeSet<String>) {
        let mut old: BTreeSet<String> = BTreeSet::new();
        let mut work: Vec<String> = dirty;
        let mut visited: HashSet<String> = HashSet::new();
        let mut groups: Vec<Group> = Vec::new();
        while let Some(s) = work.pop() {
            if let Some(inc) = self.grouped_in(&s) {
                if old.insert(inc.id.clone()) {
                    work.extend(inc.findings().map(String::from));
                }
            }
            if visited.contains(&s) || !self.nodes.contains_key(&s) {
                continue;
            }
            if self.place_background(&s) {
                visited.insert(s);
                continue;
            }
            let (mut members, rules) = self.component(&s);
            visited.extend(members.iter().cloned());
            for m in &members {
                // A member that rolled up before groups by rule now.
                if self.rollups.remove(m) {
                    self.of.remove(m);
                }
            }
            for m in &members {
                if let Some(inc) = self.grouped_in(m) {
                    if old.insert(inc.id.clone()) {
                        work.extend(inc.findings().map(String::from));
                    }
                }
            }
            self.sort_by_time(&mut members);
            members.truncate(self.cfg.max_findings.max(2) as usize);
            groups.push((members, rules));
        }
        (groups, old)
    }

    /// True when a group makes an incident: two findings or more, or one
    /// from `alone_from` up that no rule keeps out.
    fn stands(&self, members: &[String]) -> bool {
        let alone_from = self.cfg.alone_from.severity();
        members.len() >= 2
            || members.first().is_some_and(|m| {
                !self.excluded(m)
                    && self
                        .nodes
                        .get(m)
                        .zip(alone_from)
                        .is_some_and(|(n, from)| n.severity >= from)
            })
    }

    /// Old incidents' ids go to the new standing group holding most of
    /// their findings (then the earlier incident, then the id). Returns the
    /// id each group keeps, the ids taken, and per group the earlier
    /// incidents holding its findings and whether it has others.
    fn claim_ids(&self, groups: &[Group], standing: &[bool]) -> Claims {
        let mut claims: Vec<(usize, Millis, String, usize)> = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        for (gi, (members, _)) in groups.iter().enumerate() {
            let mut count: BTreeMap<&str, usize> = BTreeMap::new();
            let mut fresh = false;
            for m in members {
                match self.of.get(m) {
                    Some(inc) => *count.entry(inc.as_str()).or_default() += 1,
                    None => fresh = true,
                }
            }
            parts.push((count.keys().map(|k| k.to_string()).collect(), fresh));
            for (inc, n) in count {
                let start = self
                    .list
                    .get(inc)
                    .map(|i| i.first_seen)
                    .unwrap_or(Millis::MAX);
                claims.push((n, start, inc.to_string(), gi));
            }
        }
        claims.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut ids: Vec<Option<String>> = vec![None; groups.len()];
        let mut claimed: HashSet<String> = HashSet::new();
        for (_, _, inc, gi) in claims {
            let big = standing.get(gi).copied().unwrap_or(false);
            if let Some(slot) = ids.get_mut(gi).filter(|s| s.is_none() && big) {
                if claimed.insert(inc.clone()) {
                    *slot = Some(inc);
                }
            }
        }
        (ids, claimed, parts)
    }

    /// One standing group made an incident under its kept id (or a new
    /// one), its status and owner carried from the incidents it absorbs;
    /// marked changed when it differs from what it was.
    fn install(
        &mut self,
        members: Vec<String>,
        rules: BTreeSet<String>,
        id: Option<String>,
        claimed: &mut HashSet<String>,
        part: Option<&Part>,
        before: &HashMap<String, Incident>,
    ) {
        let id = match id {
            Some(id) => id,
            None => {
                let id = self.new_id(
                    members.first().map(String::as_str).unwrap_or_default(),
                    claimed,
                );
                claimed.insert(id.clone());
                id
            }
        };
        let nodes: Vec<&Node> = members.iter().filter_map(|m| self.nodes.get(m)).collect();
        let mut inc = describe::describe(id.clone(), nodes, rules.into_iter().collect());
        if let Some((old_ids, fresh)) = part {
            // The kept incident first, then the others it absorbed.
            let mut from: Vec<&Incident> = before.get(&id).into_iter().collect();
            from.extend(
                old_ids
                    .iter()
                    .filter(|o| **o != id)
                    .filter_map(|o| before.get(o)),
            );
            (inc.status, inc.owner) = status::carry(&from, *fresh);
        }
        for m in &members {
            self.of.insert(m.clone(), id.clone());
        }
        // Reported only when it differs from what it was before.
        if before.get(&id) != Some(&inc) {
            self.changed.insert(id.clone());
        }
        self.list.insert(id, inc);
    }

    /// The rule-made incident holding `id` (a roll-up is not one: its
    /// members are placed one by one, see [`Incidents::place_background`]).
    fn grouped_in(&self, id: &str) -> Option<&Incident> {
        self.of
            .get(id)
            .and_then(|i| self.list.get(i))
            .filter(|i| i.background.is_none())
    }

    /// Puts a node that rolls up into its roll-up (true), or takes a node
    /// that no longer does out of its roll-up (false: it groups as usual).
    fn place_background(&mut self, id: &str) -> bool {
        let key = self
            .nodes
            .get(id)
            .filter(|n| self.rolls(n))
            .and_then(|n| Some(background::key_of(&n.background.as_ref()?.host, n.first)));
        match key {
            Some(key) => {
                self.rollups.place(id, key);
                true
            }
            None => {
                if self.rollups.remove(id) {
                    self.of.remove(id);
                }
                false
            }
        }
    }

    /// Rebuilds the incidents of the roll-ups that changed (status and
    /// owner carried over); an emptied roll-up is dissolved.
    fn rebuild_rollups(&mut self) {
        for (key, members) in self.rollups.take_dirty() {
            let id = background::incident_id(&key);
            let prev = self.list.remove(&id);
            if members.is_empty() {
                if prev.is_some() {
                    self.changed.insert(id);
                }
                continue;
            }
            let mut nodes: Vec<&Node> = members.iter().filter_map(|m| self.nodes.get(m)).collect();
            let mut inc = background::describe(id.clone(), &key, &mut nodes);
            if let Some(p) = &prev {
                inc.status = p.status;
                inc.owner = p.owner.clone();
            }
            for m in members {
                self.of.insert(m, id.clone());
            }
            if prev.as_ref() != Some(&inc) {
                self.changed.insert(id.clone());
            }
            self.list.insert(id, inc);
        }
    }

    fn sort_by_time(&self, ids: &mut [String]) {
        let key = |id: &String| self.nodes.get(id).map(|n| n.first).unwrap_or(Millis::MAX);
        ids.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.cmp(b)));
    }

    /// `inc-` + the first 8 characters of the anchor finding's id, salted on the rare clash.
    fn new_id(&self, anchor: &str, taken: &HashSet<String>) -> String {
        let short: String = anchor.chars().take(8).collect();
        let mut id = format!("inc-{short}");
        let mut salt = 0u32;
        while self.list.contains_key(&id) || taken.contains(&id) {
            salt += 1;
            let h = crate::finding::finding_id(DetectorId::PasswordSpray, anchor, salt as i64);
            id = format!("inc-{}", h.get(..8).unwrap_or(&h));
        }
        id
    }
}

/// A detector's bit in [`Incidents::ip_detectors`]: its registry place, and
/// one bit shared by every Sigma rule.
fn detector_index(d: DetectorId) -> u32 {
    DetectorId::ALL
        .iter()
        .position(|x| *x == d)
        .map_or(63, |i| i.min(62) as u32)
}

fn push_capped(list: &mut Vec<String>, id: &str) {
    if list.iter().any(|x| x == id) {
        return;
    }
    if list.len() >= MAX_PER_KEY {
        list.remove(0);
    }
    list.push(id.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn f(d: DetectorId, user: &str, ip: &str, t: Millis) -> Finding {
        let mut f = Finding::new(d, user, t, 75, String::new());
        f.user = Some(user.to_string());
        f.ip = Some(ip.to_string());
        f
    }

    #[test]
    fn lookup_lists_are_pruned_without_losing_links() {
        let mut fs: Vec<Finding> = (0..1200)
            .map(|i| {
                f(
                    DetectorId::HostingAsn,
                    &format!("u{i}"),
                    &format!("10.{}.{}.1", i / 250, i % 250),
                    i * H / 6,
                )
            })
            .collect();
        fs.push(f(DetectorId::CredentialStuffing, "chain", "1.1.1.1", 0));
        fs.push(f(DetectorId::BulkSend, "chain", "2.2.2.2", 47 * H));
        // Only groups: the 1,200 lone findings would each be an incident.
        let cfg = IncidentsConfig {
            alone_from: crate::config::AloneFrom::Off,
            ..IncidentsConfig::default()
        };
        let mut inc = Incidents::new(&cfg);
        inc.observe(fs.iter().rev());
        assert_eq!(inc.len(), 1);
        assert!(inc.incident_of(&fs[1200].id).is_some());
        assert!(
            inc.by_user.len() < 1000 && inc.by_ip.len() < 1000,
            "old entries pruned: {} users, {} IPs",
            inc.by_user.len(),
            inc.by_ip.len()
        );
    }

    #[test]
    fn a_lone_high_finding_is_its_own_incident_and_a_medium_one_is_not() {
        let mut high = f(DetectorId::HostingAsn, "ann", "10.0.0.1", 0);
        high.severity = crate::ident::Severity::High;
        let mut medium = f(DetectorId::HostingAsn, "bob", "10.0.0.2", 10 * H);
        medium.severity = crate::ident::Severity::Medium;
        let mut inc = Incidents::new(&IncidentsConfig::default());
        inc.observe([&high, &medium]);
        assert_eq!(inc.len(), 1);
        let own = inc.incident_of(&high.id).map(String::from);
        assert!(own.is_some(), "the high finding has an incident");
        assert_eq!(
            inc.get(own.as_deref().unwrap_or_default())
                .map(|i| i.findings().count()),
            Some(1)
        );
        assert_eq!(inc.incident_of(&medium.id), None);
        // A second finding of the same user joins it, under the same id.
        let mut next = f(DetectorId::CredentialStuffing, "ann", "10.9.9.9", H);
        next.severity = crate::ident::Severity::High;
        inc.observe([&next]);
        assert_eq!(inc.len(), 1);
        assert_eq!(inc.incident_of(&next.id), own.as_deref());
        // Medium stands alone when configured so; off keeps only groups.
        let cfg = |a| IncidentsConfig {
            alone_from: a,
            ..IncidentsConfig::default()
        };
        let mut inc = Incidents::new(&cfg(crate::config::AloneFrom::Medium));
        inc.observe([&high, &medium]);
        assert_eq!(inc.len(), 2);
        let mut inc = Incidents::new(&cfg(crate::config::AloneFrom::Off));
        inc.observe([&high, &medium]);
        assert_eq!(inc.len(), 0);
    }

    #[test]
    fn a_second_detector_or_a_block_takes_an_address_out_of_its_rollup() {
        let bg = |ip: &str| background::Background {
            host: "web01".into(),
            attempts: 25,
            names: vec![(format!("n{ip}"), 25)],
        };
        let a = f(DetectorId::SlowSpray, "a", "10.0.0.1", 0);
        let b = f(DetectorId::SlowSpray, "b", "10.0.0.2", H);
        let c = f(DetectorId::SlowSpray, "c", "10.0.0.3", 2 * H);
        let mut inc = Incidents::new(&IncidentsConfig::default());
        let shape = |f: &Finding| f.ip.as_deref().map(bg);
        inc.observe_with([&a, &b, &c], shape);
        assert_eq!(inc.len(), 1);
        assert!(inc.is_rolled_up(&a.id) && inc.is_rolled_up(&b.id));
        let id = inc.incident_of(&a.id).map(String::from);
        assert!(id.as_deref().is_some_and(|i| i.starts_with("inc-bg")));
        // Another detector fires on 10.0.0.1: its spray is no longer noise.
        let mut other = f(DetectorId::HostingAsn, "ann", "10.0.0.1", 3 * H);
        other.severity = crate::ident::Severity::Medium;
        inc.observe_with([&other], shape);
        assert!(!inc.is_rolled_up(&a.id));
        assert_eq!(inc.incident_of(&b.id), id.as_deref());
        // The session saw 10.0.0.2 get in.
        inc.block_background("10.0.0.2");
        assert!(!inc.is_rolled_up(&b.id));
        let left = inc.get(id.as_deref().unwrap_or_default());
        assert_eq!(left.map(|i| i.steps.len()), Some(1));
        // The last one leaves too: the roll-up is dissolved, and the
        // (high) finding is an incident of its own.
        inc.block_background("10.0.0.3");
        assert!(inc.get(id.as_deref().unwrap_or_default()).is_none());
        assert!(inc
            .incident_of(&c.id)
            .is_some_and(|i| Some(i) != id.as_deref()));
    }

    #[test]
    fn lookup_lists_keep_the_latest_per_key() {
        let mut inc = Incidents::new(&IncidentsConfig::default());
        let fs: Vec<Finding> = (0..100)
            .map(|i| {
                f(
                    DetectorId::LegacyAuth,
                    "busy",
                    &format!("10.0.0.{i}"),
                    i * 1000,
                )
            })
            .collect();
        inc.observe(fs.iter());
        assert_eq!(inc.by_user.get("busy").map(Vec::len), Some(MAX_PER_KEY));
        // Every finding still in the one incident, by the links found.
        assert_eq!(inc.all().next().map(|i| i.steps.len()), Some(100));
    }
}
