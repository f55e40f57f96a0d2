//! Why not (`hunt why ENTITY`, the workbench's `W`): for each detector whose
//! description declares its thresholds as a windowed count
//! ([`Near::Windowed`]), its closest approach to firing for one user, IP or
//! network over the loaded events, in its own terms ("6 of 10 failures
//! within 10m"), and what stopped a finding when the numbers were met. The
//! detectors are read only through their descriptions: a detector that
//! declares an [`Approach`] is measured; one that declares
//! [`Near::None`] is listed with its reason. State is one sliding window and
//! the best window so far per counted key (the entity's own user or IP, and
//! the IPs or users it met), never every window.

use crate::config::Config;
use crate::detect::describe::{Approach, Near};
use crate::detect::window::Window;
use crate::event::{flags, Event, Kind, Millis, Outcome, Sym};
use crate::finding::{DetectorId, Finding, Severity};
use crate::lake::shape::{Counted, Key};
use crate::store::Store;
use crate::triage::allow::AllowEntry;
use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet};
use std::net::IpAddr;

/// Most counted events one key's window holds (the count is then a lower bound).
const MAX_WINDOW: usize = 100_000;

/// What `hunt why` is asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A user (lower-case, as the store indexes names).
    User(String),
    Ip(IpAddr),
    /// A network by prefix (`203.0.113.0/24`).
    Net(IpNet),
    /// A network by AS number (`AS64500`, `as64500`).
    Asn(u32),
}

impl Target {
    /// An IP, a CIDR, `AS<number>`, else a user name.
    pub fn parse(s: &str) -> Result<Target, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("name a user, an IP address, a CIDR or an AS number (AS64500)".into());
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Target::Ip(ip));
        }
        if s.contains('/') {
            return s
                .parse::<IpNet>()
                .map(|n| Target::Net(n.trunc()))
                .map_err(|e| format!("`{s}` is not a CIDR: {e}"));
        }
        let digits = s
            .strip_prefix("AS")
            .or_else(|| s.strip_prefix("as"))
            .or_else(|| s.strip_prefix("As"));
        if let Some(n) = digits.and_then(|d| d.parse::<u32>().ok()) {
            return Ok(Target::Asn(n));
        }
        Ok(Target::User(s.to_lowercase()))
    }

    /// How the target reads in the report (`IP 192.0.2.1`, `user alice`).
    pub fn label(&self) -> String {
        match self {
            Target::User(u) => format!("user {u}"),
            Target::Ip(ip) => format!("IP {ip}"),
            Target::Net(n) => format!("network {n}"),
            Target::Asn(n) => format!("network AS{n}"),
        }
    }

    /// Whether the event is the target's (its user, its IP, an IP of its network).
    fn touches(&self, ev: &Event, store: &Store) -> bool {
        match self {
            Target::User(u) => !ev.user.is_none() && store.text(ev.user).eq_ignore_ascii_case(u),
            Target::Asn(n) => ev.asn == *n && *n != 0,
            Target::Ip(_) | Target::Net(_) => {
                let Ok(ip) = store.text(ev.ip).parse::<IpAddr>() else {
                    return false;
                };
                match self {
                    Target::Ip(want) => ip == *want,
                    Target::Net(net) => net.contains(&ip),
                    _ => false,
                }
            }
        }
    }
}

/// The best window of one detector over the keys the target reaches.
#[derive(Clone, Debug, PartialEq)]
pub struct Best {
    /// The user or IP whose window it was.
    pub key: String,
    /// Counted events within the window.
    pub events: u32,
    /// Distinct users within the window.
    pub users: u32,
    pub first: Millis,
    pub last: Millis,
    /// The smallest share of a limit reached (1.0 and up: every limit met).
    pub closeness: f64,
    /// The sum of the shares (breaks ties: 6 of 20 attempts beats 4 of 20).
    pub progress: f64,
}

impl Best {
    fn beats(&self, other: &Best) -> bool {
        (self.closeness, self.progress) > (other.closeness, other.progress)
    }
}

/// What stopped, hid or made a finding.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// A finding exists and shows (its id, severity and title).
    Fired {
        id: String,
        severity: Severity,
        hidden: Option<String>,
    },
    /// A finding exists, hidden by an allowlist entry (described) .
    Allowlisted { id: String, entry: String },
    /// A finding exists, suppressed by the detector itself (shared egress).
    SharedEgress { id: String, note: String },
}

/// One detector's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub detector: DetectorId,
    pub enabled: bool,
    /// Measured: the thresholds and the best window (`None`: nothing counted).
    pub measured: Option<(Approach, Option<Best>)>,
    /// Why it is not measured (a detector that declares no count).
    pub not_measured: Option<&'static str>,
    /// Its findings about the target's keys.
    pub findings: Vec<Fate>,
    /// The rule in words (said when the numbers were met and nothing fired).
    pub rule: String,
}

impl Answer {
    /// Whether every limit was met in the best window.
    pub fn met(&self) -> bool {
        matches!(&self.measured, Some((_, Some(b))) if b.closeness >= 1.0)
    }
}

/// The whole answer for one target.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub target: Target,
    /// Events read (held in the store) and those of the target.
    pub events_read: usize,
    pub target_events: usize,
    pub users: usize,
    pub ips: usize,
    pub answers: Vec<Answer>,
}

/// The target's users and IPs (symbols), and how many of its events were seen.
fn reach(target: &Target, store: &Store) -> (FxHashSet<Sym>, FxHashSet<Sym>, usize) {
    let (mut users, mut ips, mut n) = (FxHashSet::default(), FxHashSet::default(), 0);
    let mut add = |ev: &Event| {
        n += 1;
        if !ev.user.is_none() {
            users.insert(ev.user);
        }
        if !ev.ip.is_none() {
            ips.insert(ev.ip);
        }
    };
    let indexed = match target {
        Target::User(u) => Some(store.by_user(u)),
        Target::Ip(ip) => Some(store.by_ip(&ip.to_string())),
        Target::Net(_) | Target::Asn(_) => None,
    };
    match indexed {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter(|&&i| store.is_live(i))
            .filter_map(|&i| store.try_get(i))
            .filter(|ev| target.touches(ev, store))
            .for_each(|ev| add(&ev)),
        _ => store
            .iter()
            .filter(|ev| target.touches(ev, store))
            .for_each(|ev| add(&ev)),
    }
    (users, ips, n)
}

/// Whether a detector's count counts the event (its `observe`'s filter, said
/// by the [`Counted`] of its shape).
fn counts(a: &Approach, ev: &Event, store: &Store) -> bool {
    let needs_user = a.shape.min_users.is_some() || a.shape.key == Key::User;
    if needs_user && ev.user.is_none() {
        return false;
    }
    if a.shape.key == Key::Ip && ev.ip.is_none() {
        return false;
    }
    match a.shape.counted {
        Counted::Failures => ev.kind == Kind::SignIn && ev.outcome == Outcome::Failure,
        Counted::UnknownAccounts => {
            ev.kind == Kind::SignIn
                && ev.outcome == Outcome::Failure
                && ev.flags & flags::NO_SUCH_USER != 0
        }
        Counted::Sends => {
            ev.kind == Kind::Audit && store.text(ev.operation).eq_ignore_ascii_case("Send")
        }
    }
}

/// One key's sliding window and its best so far.
struct Track {
    window: Window<Sym>,
    users: FxHashMap<Sym, u32>,
    best: Option<Best>,
}

impl Track {
    fn add(&mut self, a: &Approach, key: &str, ev: &Event) {
        let users = &mut self.users;
        self.window.prune_each(ev.time, |_, u| {
            if let Some(c) = users.get_mut(&u) {
                *c -= 1;
                if *c == 0 {
                    users.remove(&u);
                }
            }
        });
        self.window.push(ev.time, ev.user);
        *self.users.entry(ev.user).or_insert(0) += 1;
        if self.window.len() > MAX_WINDOW {
            let users = &mut self.users;
            for (_, u) in self
                .window
                .take_through(self.window.first_time().unwrap_or(ev.time))
            {
                if let Some(c) = users.get_mut(&u) {
                    *c = c.saturating_sub(1);
                }
            }
        }
        let events = self.window.len() as u32;
        let n_users = self.users.len() as u32;
        let (closeness, progress) = closeness(a, events, n_users);
        let now = Best {
            key: String::new(),
            events,
            users: n_users,
            first: self.window.first_time().unwrap_or(ev.time),
            last: ev.time,
            closeness,
            progress,
        };
        if self.best.as_ref().is_none_or(|b| now.beats(b)) {
            self.best = Some(Best {
                key: key.to_string(),
                ..now
            });
        }
    }
}

/// The smallest share of a limit reached (every limit at once decides) and
/// the sum of the shares.
fn closeness(a: &Approach, events: u32, users: u32) -> (f64, f64) {
    let share = |v: u32, limit: Option<u32>| limit.map(|l| f64::from(v) / f64::from(l.max(1)));
    let shares = [
        share(events, a.shape.min_events),
        share(users, a.shape.min_users),
    ];
    let least = shares.into_iter().flatten().fold(f64::INFINITY, f64::min);
    (least.min(1e9), shares.into_iter().flatten().sum())
}

/// The best window of one approach over the keys the target reaches: each
/// key's events in time order (the store's by-user and by-IP indexes), one
/// key's window at a time.
fn measure(
    a: &Approach,
    store: &Store,
    users: &FxHashSet<Sym>,
    ips: &FxHashSet<Sym>,
) -> Option<Best> {
    let keys = match a.shape.key {
        Key::User => users,
        Key::Ip => ips,
    };
    let mut best: Option<Best> = None;
    for &key in keys {
        let text = store.text(key);
        let list = match a.shape.key {
            Key::User => store.by_user(text),
            Key::Ip => store.by_ip(text),
        };
        let mut t = Track {
            window: Window::new(a.shape.window_ms),
            users: FxHashMap::default(),
            best: None,
        };
        let live = list.iter().filter(|&&i| store.is_live(i));
        for ev in live.filter_map(|&i| store.try_get(i)) {
            if counts(a, &ev, store) {
                t.add(a, text, &ev);
            }
        }
        if let Some(b) = t.best {
            if best.as_ref().is_none_or(|x| b.beats(x)) {
                best = Some(b);
            }
        }
    }
    best
}

/// What became of a detector's findings about the target's keys.
fn outcomes(
    detector: DetectorId,
    findings: &[&Finding],
    entries: &[AllowEntry],
    hidden: &dyn Fn(&Finding) -> Option<String>,
) -> Vec<Fate> {
    findings
        .iter()
        .filter(|f| f.detector == detector)
        .map(|f| match &f.suppressed {
            Some(s) => match s.entry {
                Some(id) => Fate::Allowlisted {
                    id: f.id.clone(),
                    entry: entry_text(id, &s.note, entries),
                },
                None => Fate::SharedEgress {
                    id: f.id.clone(),
                    note: s.note.clone(),
                },
            },
            None => Fate::Fired {
                id: f.id.clone(),
                severity: f.severity,
                hidden: hidden(f),
            },
        })
        .collect()
}

/// `#3 asn 64500 (note: corporate VPN)`.
fn entry_text(id: i64, note: &str, entries: &[AllowEntry]) -> String {
    match entries.iter().find(|e| e.id == id) {
        Some(e) => format!("#{id} {} {} (note: {})", e.kind.as_str(), e.value, e.note),
        None => format!("#{id} (note: {note})"),
    }
}

/// Whether a finding is about the target or holds one of its events.
fn involves(target: &Target, f: &Finding, store: &Store) -> bool {
    let named = match target {
        Target::User(u) => f.user.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(u)),
        Target::Ip(ip) => f.ip.as_deref().and_then(|x| x.parse::<IpAddr>().ok()) == Some(*ip),
        Target::Net(_) | Target::Asn(_) => false,
    };
    named
        || f.evidence
            .iter()
            .filter_map(|&i| store.try_get(i))
            .any(|ev| target.touches(&ev, store))
}

/// Where an answer goes in the report (higher first).
fn rank(a: &Answer) -> f64 {
    match &a.measured {
        Some((_, Some(b))) => 2.0 + b.closeness.min(1e6),
        Some((_, None)) => 1.0,
        None if !a.findings.is_empty() => 1.5,
        None => 0.0,
    }
}

/// Answers `target` over the store and the findings of a run.
///
/// `hidden` says why a shown finding is nonetheless out of view (the
/// workbench's time filter or minimum severity; `hunt why` hides nothing).
pub fn why(
    target: &Target,
    store: &Store,
    findings: &[&Finding],
    config: &Config,
    entries: &[AllowEntry],
    hidden: &dyn Fn(&Finding) -> Option<String>,
) -> Report {
    let (users, ips, target_events) = reach(target, store);
    let related: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| involves(target, f, store))
        .collect();
    let mut answers = Vec::new();
    for d in DetectorId::ALL {
        let Some(desc) = d.description() else {
            continue;
        };
        let (measured, not_measured, mine) = match desc.near {
            Near::Windowed(f) => {
                let a = f(config);
                // Its findings about the keys it counted, too (a user's
                // sends counted for an IP target were not all from the IP).
                let keys: FxHashSet<&str> = match a.shape.key {
                    Key::User => users.iter().map(|&s| store.text(s)).collect(),
                    Key::Ip => ips.iter().map(|&s| store.text(s)).collect(),
                };
                let mine: Vec<&Finding> = findings
                    .iter()
                    .copied()
                    .filter(|f| f.detector == d)
                    .filter(|f| {
                        let key = match a.shape.key {
                            Key::User => f.user.as_deref(),
                            Key::Ip => f.ip.as_deref(),
                        };
                        key.is_some_and(|k| keys.contains(k)) || involves(target, f, store)
                    })
                    .collect();
                (Some((a, measure(&a, store, &users, &ips))), None, mine)
            }
            Near::None(why) => (None, Some(why), related.clone()),
        };
        answers.push(Answer {
            detector: d,
            enabled: (desc.enabled)(config),
            measured,
            not_measured,
            findings: outcomes(d, &mine, entries, hidden),
            rule: (desc.rule)(config),
        });
    }
    // Closest first; then what fired without a count; then the rest.
    answers.sort_by(|x, y| rank(y).total_cmp(&rank(x)));
    Report {
        target: target.clone(),
        events_read: store.count(),
        target_events,
        users: users.len(),
        ips: ips.len(),
        answers,
    }
}

/// `2026-12-07 10:02:11` (UTC); the time alone when `day` is that date.
fn at(t: Millis, day: Option<&str>) -> String {
    let iso = crate::ingest::time::format_time(t);
    let text = iso.trim_end_matches('Z').replacen('T', " ", 1);
    let text = text.split('.').next().unwrap_or(&text).to_string();
    match (day, text.split_once(' ')) {
        (Some(d), Some((date, time))) if d == date => time.to_string(),
        _ => text,
    }
}

/// `10m`, `1h` (the config's own spelling of a span).
fn span(ms: i64) -> String {
    crate::config::value::Span(ms).to_string()
}

/// "6 of 10 failures within 10m (10:02:11–10:02:16, user netflix)".
pub fn approach_text(a: &Approach, best: Option<&Best>) -> String {
    let Some(b) = best else {
        let what: Vec<&str> = [a.events.1, a.users.1]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
        return format!("nothing it counts ({}) among these events", what.join(", "));
    };
    let mut parts = Vec::new();
    if let Some(l) = a.shape.min_users {
        parts.push(format!("{} of {l} {}", b.users, a.users.1));
    }
    if let Some(l) = a.shape.min_events {
        parts.push(format!("{} of {l} {}", b.events, a.events.1));
    }
    let first = at(b.first, None);
    let day = first.split_once(' ').map(|(d, _)| d.to_string());
    let key = match a.shape.key {
        Key::User => "user",
        Key::Ip => "IP",
    };
    format!(
        "{} within {} ({}–{}, {key} {})",
        parts.join(", "),
        span(a.shape.window_ms),
        first,
        at(b.last, day.as_deref()),
        crate::sanitize::clean(&b.key)
    )
}

/// What became of a finding, in words.
pub fn fate_text(f: &Fate) -> String {
    match f {
        Fate::Fired {
            id,
            severity,
            hidden,
        } => {
            let short: String = id.chars().take(8).collect();
            match hidden {
                Some(h) => format!("fired: {short} ({severity}), not shown: {h}"),
                None => format!("fired: {short} ({severity})"),
            }
        }
        Fate::Allowlisted { id, entry } => {
            let short: String = id.chars().take(8).collect();
            format!(
                "fired but allowlisted: {short} by entry {}",
                crate::sanitize::clean(entry)
            )
        }
        Fate::SharedEgress { id, note } => {
            let short: String = id.chars().take(8).collect();
            format!(
                "fired but suppressed as shared egress: {short} ({})",
                crate::sanitize::clean(note)
            )
        }
    }
}

impl Report {
    /// The report as lines of plain text (every log-borne value cleaned).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "why {}: {} of {} loaded events are its ({} user{}, {} IP{})",
            crate::sanitize::clean(&self.target.label()),
            self.target_events,
            self.events_read,
            self.users,
            if self.users == 1 { "" } else { "s" },
            self.ips,
            if self.ips == 1 { "" } else { "s" },
        )];
        if self.target_events == 0 {
            out.push("no loaded event names it: nothing to measure".into());
            return out;
        }
        let width = self
            .answers
            .iter()
            .filter(|a| a.measured.is_some() || !a.findings.is_empty())
            .map(|a| a.detector.as_str().len())
            .max()
            .unwrap_or(0);
        let mut unmeasured = Vec::new();
        for a in &self.answers {
            let name = a.detector.as_str();
            let Some((approach, best)) = &a.measured else {
                if a.findings.is_empty() {
                    unmeasured.push(format!("{name} ({})", a.not_measured.unwrap_or("")));
                } else {
                    for f in &a.findings {
                        out.push(format!("{name:width$}  {}", fate_text(f)));
                    }
                }
                continue;
            };
            let mut line = format!("{name:width$}  {}", approach_text(approach, best.as_ref()));
            if !a.enabled {
                line.push_str(" [disabled in the config]");
            }
            out.push(line);
            for f in &a.findings {
                out.push(format!("{:width$}  → {}", "", fate_text(f)));
            }
            if a.met() && a.findings.is_empty() && a.enabled {
                out.push(format!(
                    "{:width$}  → numbers met but no finding; the whole rule: {}",
                    "", a.rule
                ));
            }
        }
        if !unmeasured.is_empty() {
            out.push(format!(
                "not measured, no finding: {}",
                unmeasured.join("; ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testkit::{fail, ok, Scenario, MIN};
    use crate::finding::Suppression;

    fn answer(r: &Report, d: DetectorId) -> &Answer {
        r.answers.iter().find(|a| a.detector == d).unwrap()
    }

    fn best(r: &Report, d: DetectorId) -> Best {
        answer(r, d).measured.as_ref().unwrap().1.clone().unwrap()
    }

    #[test]
    fn targets_parse_as_ip_cidr_asn_or_user() {
        assert_eq!(
            Target::parse("192.0.2.1"),
            Ok(Target::Ip("192.0.2.1".parse().unwrap()))
        );
        assert_eq!(
            Target::parse("192.0.2.9/24"),
            Ok(Target::Net("192.0.2.0/24".parse().unwrap()))
        );
        assert_eq!(Target::parse("AS64500"), Ok(Target::Asn(64500)));
        assert_eq!(Target::parse("as64500"), Ok(Target::Asn(64500)));
        assert_eq!(
            Target::parse("Alice@X.com"),
            Ok(Target::User("alice@x.com".into()))
        );
        assert!(Target::parse("10.0.0.0/40").is_err());
        assert!(Target::parse(" ").is_err());
    }

    #[test]
    fn the_best_window_is_kept_not_the_last_one() {
        // A burst of 7 failures, then (an hour later) 2: the best is the 7.
        let mut s = Scenario::new();
        for i in 0..7 {
            s.push(fail("2026-11-18T10:00:00Z", "alice", "192.0.2.1").plus(i * 1000));
        }
        for i in 0..2 {
            s.push(fail("2026-11-18T11:00:00Z", "alice", "192.0.2.1").plus(i * MIN));
        }
        let run = s.run();
        let f: Vec<&Finding> = run.findings.all().iter().collect();
        let r = why(
            &Target::parse("alice").unwrap(),
            &run.store,
            &f,
            &Config::default(),
            &[],
            &|_| None,
        );
        let b = best(&r, DetectorId::BruteForce);
        assert_eq!((b.events, b.key.as_str()), (7, "alice"));
        assert!(b.closeness < 1.0 && !answer(&r, DetectorId::BruteForce).met());
        assert!(r
            .lines()
            .iter()
            .any(|l| l.contains("7 of 10 failures within 10m")));
        // Attempts break the tie between windows of as many users.
        let spray = best(&r, DetectorId::PasswordSpray);
        assert_eq!((spray.users, spray.events), (1, 7));
    }

    #[test]
    fn a_met_window_names_what_became_of_its_finding() {
        let mut config = Config::default();
        config.detectors.brute_force.min_failures = 3;
        let mut s = Scenario::with_config(config.clone());
        for i in 0..4 {
            s.push(fail("2026-11-18T10:00:00Z", "bob", "192.0.2.7").plus(i * 1000));
        }
        s.push(ok("2026-11-18T12:00:00Z", "carol", "192.0.2.7"));
        let run = s.run();
        let mut found = run.findings.all().to_vec();
        let target = Target::parse("192.0.2.7").unwrap();
        let refs: Vec<&Finding> = found.iter().collect();
        let r = why(&target, &run.store, &refs, &config, &[], &|_| {
            Some("below minimum severity high".into())
        });
        let a = answer(&r, DetectorId::BruteForce);
        assert!(a.met());
        assert!(
            matches!(&a.findings[..], [Fate::Fired { hidden: Some(h), .. }] if h.contains("minimum severity"))
        );
        for f in found
            .iter_mut()
            .filter(|f| f.detector == DetectorId::BruteForce)
        {
            f.suppressed = Some(Suppression {
                entry: Some(4),
                note: "lab".into(),
            });
        }
        let refs: Vec<&Finding> = found.iter().collect();
        let r = why(&target, &run.store, &refs, &config, &[], &|_| None);
        let text = r.lines().join("\n");
        assert!(
            text.contains("fired but allowlisted") && text.contains("#4 (note: lab)"),
            "{text}"
        );
        // Numbers met with no finding at all say so, with the whole rule.
        let r = why(&target, &run.store, &[], &config, &[], &|_| None);
        assert!(r.lines().join("\n").contains("numbers met but no finding"));
    }

    #[test]
    fn a_network_reaches_its_addresses_only() {
        let mut s = Scenario::new();
        s.push(fail("2026-11-18T10:00:00Z", "dave", "198.51.100.20"));
        s.push(fail("2026-11-18T10:00:01Z", "erin", "203.0.113.5"));
        let run = s.run();
        let r = why(
            &Target::parse("198.51.100.0/24").unwrap(),
            &run.store,
            &[],
            &Config::default(),
            &[],
            &|_| None,
        );
        assert_eq!((r.target_events, r.users, r.ips), (1, 1, 1));
        assert_eq!(best(&r, DetectorId::BruteForce).key, "dave");
    }

    #[test]
    fn every_declared_approach_names_config_keys_of_its_section() {
        // A detector answers `hunt why` by declaring its thresholds: the keys
        // it names exist in its `[detectors.<id>]` section.
        let config = Config::default();
        let toml = toml::to_string(&config.detectors).unwrap();
        let table: toml::Table = toml.parse().unwrap();
        let mut declared = 0;
        for d in DetectorId::ALL {
            let Some(Near::Windowed(f)) = d.description().map(|x| x.near) else {
                continue;
            };
            declared += 1;
            let a = f(&config);
            assert_eq!(a.shape.detector, d);
            let section = table[d.as_str()].as_table().unwrap();
            for (limit, (key, noun)) in
                [(a.shape.min_events, a.events), (a.shape.min_users, a.users)]
            {
                if let Some(l) = limit {
                    assert!(!noun.is_empty(), "{d}: a noun for {key}");
                    assert_eq!(section[key].as_integer(), Some(i64::from(l)), "{d}.{key}");
                }
            }
        }
        assert!(declared >= 4);
    }
}
