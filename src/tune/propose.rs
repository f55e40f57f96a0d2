//! From verdicts to tuning: false positives (verdicts in the case) that
//! share a value — an address, its network, an AS, a user agent, a
//! country — get the narrowest allowlist entry covering them, with its
//! impact measured before anything is added (`triage::apply::would_suppress`,
//! the preview the allowlist dialog uses): how many findings it would
//! suppress, how many of those are true positives, how many untriaged.
//! Narrowest: of the entries covering the same false positives, the one
//! that suppresses fewest findings (then the more specific kind; then
//! scoped to their detector when they share one).

use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::Store;
use crate::triage::allow::{AllowKind, NewAllow};
use crate::triage::apply::would_suppress;
use crate::triage::{Class, Verdict};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// False positives it takes to propose an entry.
pub const MIN_SHARED: usize = 2;

/// One proposed entry and what it would do.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub entry: NewAllow,
    /// The false positives it covers (ids).
    pub covers: Vec<String>,
    /// Findings shown now that it would suppress (the covered ones included).
    pub suppressed: usize,
    /// Of those, marked true positive.
    pub true_positives: usize,
    /// Of those, without a verdict.
    pub untriaged: usize,
}

impl Proposal {
    /// `asn 64500 (scope hosting_asn): covers 3 false positives; would suppress 4 findings, 1 true positive, 0 untriaged`.
    pub fn text(&self) -> String {
        let scope = if self.entry.detectors.is_empty() {
            String::new()
        } else {
            let d: Vec<&str> = self.entry.detectors.iter().map(|d| d.as_str()).collect();
            format!(" (only {})", d.join(", "))
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        crate::sanitize::clean(&format!(
            "{} {}{scope}: covers {}; would suppress {}, {} among them, {}",
            self.entry.kind.as_str(),
            self.entry.value,
            plural(self.covers.len(), "false positive", "false positives"),
            plural(self.suppressed, "finding", "findings"),
            plural(self.true_positives, "true positive", "true positives"),
            plural(self.untriaged, "untriaged", "untriaged"),
        ))
        .into_owned()
    }
}

/// Rank of a kind: the more specific first.
fn specificity(k: AllowKind) -> u8 {
    match k {
        AllowKind::Ip => 0,
        AllowKind::User => 1,
        AllowKind::Cidr => 2,
        // A user agent is the client's to choose: an AS covering as much is preferred.
        AllowKind::Asn => 3,
        AllowKind::UserAgent => 4,
        AllowKind::Country => 5,
    }
}

/// The values a finding could be allowlisted by: its IP and that IP's /24
/// (/64), and its evidence's AS, user agent and country (when one only).
fn values(f: &Finding, store: &Store) -> Vec<(AllowKind, String)> {
    let mut out = Vec::new();
    if let Some(ip) =
        f.ip.as_deref()
            .and_then(|i| i.parse::<std::net::IpAddr>().ok())
    {
        out.push((AllowKind::Ip, ip.to_string()));
        let bits = if ip.is_ipv4() { 24 } else { 64 };
        if let Ok(net) = ipnet::IpNet::new(ip, bits) {
            out.push((AllowKind::Cidr, net.trunc().to_string()));
        }
    }
    let events: Vec<Event> = f
        .evidence
        .iter()
        .filter_map(|&i| store.try_get(i))
        .collect();
    let one = |get: &dyn Fn(&Event) -> Option<String>| -> Option<String> {
        let seen: BTreeSet<String> = events.iter().filter_map(get).collect();
        (seen.len() == 1).then(|| seen.into_iter().next()).flatten()
    };
    let text = |s| Some(store.text(s).to_string()).filter(|t| !t.is_empty());
    if let Some(a) = one(&|e| (e.asn != 0).then(|| e.asn.to_string())) {
        out.push((AllowKind::Asn, a));
    }
    if let Some(ua) = one(&|e| text(e.user_agent)) {
        out.push((AllowKind::UserAgent, ua));
    }
    if let Some(c) = one(&|e| text(e.country)) {
        out.push((AllowKind::Country, c));
    }
    out
}

/// The proposals for the case's false positives among `findings`, best first.
pub fn propose(
    findings: &[Finding],
    store: &Store,
    verdicts: &HashMap<String, Verdict>,
) -> Vec<Proposal> {
    let class = |f: &Finding| verdicts.get(&f.id).map(|v| v.class);
    let fps: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.suppressed.is_none() && class(f) == Some(Class::FalsePositive))
        .collect();
    // Value → the false positives carrying it.
    let mut groups: BTreeMap<(u8, String, String), Vec<&Finding>> = BTreeMap::new();
    for f in &fps {
        for (kind, value) in values(f, store) {
            groups
                .entry((specificity(kind), kind.as_str().to_string(), value))
                .or_default()
                .push(f);
        }
    }
    // Covered set → the narrowest proposal for it.
    let mut best: BTreeMap<Vec<String>, Proposal> = BTreeMap::new();
    for ((_, kind, value), group) in groups {
        if group.len() < MIN_SHARED {
            continue;
        }
        let Some(kind) = AllowKind::from_name(&kind) else {
            continue;
        };
        let detectors: BTreeSet<DetectorId> = group.iter().map(|f| f.detector).collect();
        let scoped: Vec<DetectorId> = if detectors.len() == 1 {
            detectors.into_iter().collect()
        } else {
            Vec::new()
        };
        let entry = NewAllow {
            kind,
            value: value.clone(),
            detectors: scoped,
            note: format!(
                "{} false positives share {} {value}",
                group.len(),
                kind.as_str()
            ),
            expires: None,
        };
        let hit = would_suppress(&entry, findings, store);
        let mut covers: Vec<String> = group
            .iter()
            .map(|f| f.id.clone())
            .filter(|id| hit.iter().any(|h| &h.id == id))
            .collect();
        covers.sort();
        if covers.len() < MIN_SHARED {
            continue;
        }
        let p = Proposal {
            suppressed: hit.len(),
            true_positives: hit
                .iter()
                .filter(|f| class(f) == Some(Class::TruePositive))
                .count(),
            untriaged: hit.iter().filter(|f| class(f).is_none()).count(),
            entry,
            covers: covers.clone(),
        };
        let narrower = |old: &Proposal| {
            (p.suppressed, specificity(p.entry.kind))
                < (old.suppressed, specificity(old.entry.kind))
        };
        if best.get(&covers).is_none_or(narrower) {
            best.insert(covers, p);
        }
    }
    let mut out: Vec<Proposal> = best.into_values().collect();
    // Drop a proposal whose false positives a narrower-or-equal one with more covers includes.
    out.sort_by(|a, b| {
        b.covers
            .len()
            .cmp(&a.covers.len())
            .then(a.true_positives.cmp(&b.true_positives))
            .then(a.suppressed.cmp(&b.suppressed))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testkit::{ok, Scenario};
    use chrono::Utc;

    fn verdict(id: &str, class: Class) -> (String, Verdict) {
        let v = Verdict {
            finding_id: id.into(),
            class,
            note: None,
            analyst: "t".into(),
            at: Utc::now(),
        };
        (id.to_string(), v)
    }

    #[test]
    fn three_false_positives_on_one_as_get_an_entry_with_its_impact() {
        // Four sign-ins from AS64500 (a corporate VPN), three judged false
        // positives, one true positive; one from elsewhere.
        let mut s = Scenario::new();
        let users = ["ann", "ben", "cat", "dan"];
        for (i, u) in users.iter().enumerate() {
            s.push(
                ok("2026-11-18T10:00:00Z", u, &format!("198.51.{i}.10"))
                    .plus(i as i64 * 1000)
                    .asn(64500)
                    .ua("VPNClient/2"),
            );
        }
        s.push(ok("2026-11-18T11:00:00Z", "eve", "203.0.113.9").asn(64501));
        let run = s.run();
        let findings: Vec<Finding> = (0..5u32)
            .map(|i| {
                let ev = run.store.get(i);
                let user = run.store.text(ev.user).to_string();
                let mut f = Finding::new(
                    DetectorId::HostingAsn,
                    &user,
                    ev.time,
                    80,
                    format!("hosting {user}"),
                );
                f.user = Some(user);
                f.ip = Some(run.store.text(ev.ip).to_string());
                f.add_evidence(i);
                f
            })
            .collect();
        let mut verdicts: HashMap<String, Verdict> = findings[..3]
            .iter()
            .map(|f| verdict(&f.id, Class::FalsePositive))
            .collect();
        verdicts.extend([verdict(&findings[3].id, Class::TruePositive)]);
        let props = propose(&findings, &run.store, &verdicts);
        let p = props.first().expect("a proposal");
        assert_eq!(p.covers.len(), 3);
        // AS and user agent cover the same three and suppress as many: the
        // AS wins (a user agent is the client's to choose).
        assert_eq!(
            (p.entry.kind, p.entry.value.as_str()),
            (AllowKind::Asn, "64500")
        );
        assert_eq!((p.suppressed, p.true_positives, p.untriaged), (4, 1, 0));
        assert_eq!(p.entry.detectors, vec![DetectorId::HostingAsn]);
        assert!(
            props.iter().all(|q| q.entry.kind != AllowKind::UserAgent),
            "one proposal per covered set: {props:?}"
        );
        assert!(p.text().contains("covers 3 false positives; would suppress 4 findings, 1 true positive among them, 0 untriaged"), "{}", p.text());
        // One false positive alone proposes nothing.
        let one: HashMap<String, Verdict> = [verdict(&findings[0].id, Class::FalsePositive)].into();
        assert!(propose(&findings, &run.store, &one).is_empty());
    }
}
