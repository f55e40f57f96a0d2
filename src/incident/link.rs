//! When two findings belong together: the grouping rules of the config
//! (`[[incidents.rules]]`) applied to a pair of findings, reduced to the few
//! facts grouping needs ([`Node`]). Pure functions of the two findings and
//! the rules, symmetric in the pair, and monotone as a finding grows (a later
//! last_seen or a longer successful-user list only adds links), which is what
//! makes the grouping independent of arrival order. Which IPs are too shared
//! to link is decided later, when incidents are formed, not here.

use crate::config::{IncidentLink, IncidentRule};
use crate::detect::describe::Role;
use crate::event::Millis;
use crate::finding::{DetectorId, Finding, Severity};

/// What grouping keeps of a finding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub id: String,
    pub detector: DetectorId,
    pub severity: Severity,
    pub first: Millis,
    pub last: Millis,
    /// The user the finding is about (none for a spray: its entity is the IP).
    pub user: Option<String>,
    pub ip: Option<String>,
    /// A spray's successful users (its details' `successful_user_list`).
    pub success_users: Vec<String>,
    pub event_count: u32,
    /// An inbox rule that forwards mail (for titles).
    pub forwards: bool,
    /// The background-scanning shape the session found (see [`super::background`]).
    pub background: Option<super::background::Background>,
}

/// Whether `d` is of the spray family (its description's incident role).
pub(crate) fn is_spray(d: DetectorId) -> bool {
    d.description().is_some_and(|x| x.role == Role::Spray)
}

/// Most successful users read from one spray finding (the detector calls more
/// than a handful shared egress anyway).
const MAX_SUCCESS_USERS: usize = 16;

impl Node {
    pub fn of(f: &Finding) -> Node {
        let ip_entity = f.detector.entity_is_ip();
        let success_users = if is_spray(f.detector) {
            f.details
                .get("successful_user_list")
                .unwrap_or(&serde_json::Value::Null)
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|u| u.as_str())
                        .take(MAX_SUCCESS_USERS)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Node {
            id: f.id.clone(),
            detector: f.detector,
            severity: f.severity,
            first: f.first_seen,
            last: f.last_seen.max(f.first_seen),
            user: if ip_entity { None } else { f.user.clone() },
            ip: f.ip.clone(),
            success_users,
            event_count: f.event_count,
            forwards: f
                .details
                .get("forwarding")
                .unwrap_or(&serde_json::Value::Null)
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            background: None,
        }
    }

    /// The users this node is found under (its own, or a spray's successful ones).
    pub fn user_keys(&self) -> impl Iterator<Item = &String> {
        self.user.iter().chain(self.success_users.iter())
    }

    /// The entity shown for this step: the IP for a spray, else the user (or IP).
    pub fn entity(&self) -> &str {
        match (&self.user, &self.ip) {
            (Some(u), _) if !self.detector.entity_is_ip() => u,
            (_, Some(ip)) => ip,
            (Some(u), None) => u,
            (None, None) => "",
        }
    }
}

/// A link between two findings: the rule that made it, and the IP it relies
/// on (an IP link stops counting once that IP turns out to be shared).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    pub rule: usize,
    pub ip: Option<String>,
}

/// The first rule linking `a` and `b`, preferring a link that does not rely on an IP.
pub(crate) fn link(rules: &[IncidentRule], a: &Node, b: &Node) -> Option<Link> {
    let mut by_ip = None;
    for (i, r) in rules.iter().enumerate() {
        let found = match r.link {
            IncidentLink::User => same_user(r, a, b),
            IncidentLink::Ip => same_ip(r, a, b),
            IncidentLink::SpraySuccess => spray_success(r, a, b).or_else(|| spray_success(r, b, a)),
        };
        match found {
            Some(None) => return Some(Link { rule: i, ip: None }),
            Some(Some(ip)) if by_ip.is_none() => {
                by_ip = Some(Link {
                    rule: i,
                    ip: Some(ip),
                })
            }
            _ => {}
        }
    }
    by_ip
}

/// Gap between the two findings' spans is at most `w` (overlap always is).
fn near(a: &Node, b: &Node, w: i64) -> bool {
    b.first <= a.last.saturating_add(w) && a.first <= b.last.saturating_add(w)
}

fn applies(r: &IncidentRule, d: DetectorId) -> bool {
    r.detectors.contains(&d)
}

/// `Some(None)`: linked by user.
fn same_user(r: &IncidentRule, a: &Node, b: &Node) -> Option<Option<String>> {
    let linked = applies(r, a.detector)
        && applies(r, b.detector)
        && a.user.is_some()
        && a.user == b.user
        && near(a, b, r.window.ms());
    linked.then_some(None)
}

/// `Some(Some(ip))`: linked by that IP, across users.
fn same_ip(r: &IncidentRule, a: &Node, b: &Node) -> Option<Option<String>> {
    let linked = applies(r, a.detector)
        && applies(r, b.detector)
        && a.ip.is_some()
        && a.ip == b.ip
        && near(a, b, r.window.ms());
    linked.then(|| a.ip.clone())
}

/// `s` a spray, `t` a later finding of one of its successful users (by user)
/// or from its IP (by IP), starting within the window after the spray.
fn spray_success(r: &IncidentRule, s: &Node, t: &Node) -> Option<Option<String>> {
    if !is_spray(s.detector)
        || is_spray(t.detector)
        || !applies(r, t.detector)
        || t.first < s.first
        || t.first > s.last.saturating_add(r.window.ms())
    {
        return None;
    }
    if t.user.as_ref().is_some_and(|u| s.success_users.contains(u)) {
        return Some(None);
    }
    (s.ip.is_some() && s.ip == t.ip).then(|| s.ip.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IncidentsConfig;

    fn node(d: DetectorId, user: &str, ip: &str, first: Millis, last: Millis) -> Node {
        Node {
            id: format!("{d}-{user}-{first}"),
            detector: d,
            severity: Severity::High,
            first,
            last,
            user: (!user.is_empty()).then(|| user.to_string()),
            ip: (!ip.is_empty()).then(|| ip.to_string()),
            success_users: Vec::new(),
            event_count: 1,
            forwards: false,
            background: None,
        }
    }

    const H: i64 = 3_600_000;

    #[test]
    fn user_links_within_the_window_only_and_symmetrically() {
        let rules = IncidentsConfig::default().rules;
        let a = node(DetectorId::CredentialStuffing, "m", "1.1.1.1", 0, H);
        let b = node(DetectorId::InboxRule, "m", "2.2.2.2", 40 * H, 40 * H);
        let c = node(DetectorId::InboxRule, "m", "2.2.2.2", 50 * H, 50 * H);
        assert_eq!(link(&rules, &a, &b).map(|l| l.ip), Some(None));
        assert_eq!(link(&rules, &a, &b), link(&rules, &b, &a));
        assert_eq!(link(&rules, &a, &c), None, "49 h after the stuffing ended");
    }

    #[test]
    fn spray_links_its_successful_users_and_its_ip_after_it_only() {
        let rules = IncidentsConfig::default().rules;
        let mut s = node(DetectorId::PasswordSpray, "", "9.9.9.9", 10 * H, 11 * H);
        s.success_users = vec!["alex".into()];
        let by_user = node(DetectorId::HostingAsn, "alex", "8.8.8.8", 12 * H, 12 * H);
        let by_ip = node(DetectorId::LegacyAuth, "bob", "9.9.9.9", 12 * H, 12 * H);
        let before = node(DetectorId::HostingAsn, "alex", "8.8.8.8", 9 * H, 9 * H);
        let stranger = node(DetectorId::HostingAsn, "carol", "7.7.7.7", 12 * H, 12 * H);
        assert_eq!(link(&rules, &s, &by_user).map(|l| l.ip), Some(None));
        assert_eq!(
            link(&rules, &by_ip, &s).map(|l| l.ip),
            Some(Some("9.9.9.9".into()))
        );
        assert_eq!(link(&rules, &s, &before), None);
        assert_eq!(link(&rules, &s, &stranger), None);
    }

    #[test]
    fn every_spray_family_detector_starts_a_spray_with_success_chain() {
        let rules = IncidentsConfig::default().rules;
        let later = node(DetectorId::HostingAsn, "alex", "8.8.8.8", 12 * H, 12 * H);
        for d in [
            DetectorId::PasswordSpray,
            DetectorId::SlowSpray,
            DetectorId::DistributedSpray,
        ] {
            let mut f = Finding::new(d, "9.9.9.9", 10 * H, 60, "spray".into());
            f.ip = Some("9.9.9.9".into());
            f.last_seen = 11 * H;
            f.details = serde_json::json!({"successful_user_list": ["alex"]});
            let s = Node::of(&f);
            assert_eq!(s.success_users, vec!["alex".to_string()], "{d}");
            assert_eq!(
                link(&rules, &s, &later).map(|l| (l.rule, l.ip)),
                Some((0, None)),
                "{d}"
            );
        }
    }

    #[test]
    fn ip_rule_skips_detectors_whose_ip_is_not_the_signal() {
        let rules = IncidentsConfig::default().rules;
        let a = node(DetectorId::LegacyAuth, "a", "10.0.0.1", 0, 0);
        let b = node(DetectorId::IdentityRisk, "b", "10.0.0.1", H, H);
        assert_eq!(link(&rules, &a, &b), None);
        let c = node(DetectorId::HostingAsn, "c", "10.0.0.1", 0, 0);
        let d = node(DetectorId::HostingAsn, "d", "10.0.0.1", H, H);
        assert_eq!(link(&rules, &c, &d).map(|l| l.rule), Some(2));
    }
}
