//! The query line: `user:alice ip:10.0.0.0/8 sev:>=high det:spray
//! verdict:fp country:RU outcome:failure app:outlook time:>=2026-11-18
//! last:2h` plus free text. Words are ANDed; a `!` before a prefix negates
//! it. Free text is split on spaces and every term must match on its own
//! (fuzzy-matcher treats a space as a literal character). A term matches
//! as a case-insensitive substring of everything an analyst searches for
//! (title, AS names, forwarding targets, matched rules, city and country
//! names, user agents, every detail value), and fuzzily only within one
//! short name (user, detector, app): a loose subsequence across a whole
//! record would let `m247` match any row with an `m` and three digits.
//! Parsing never fails: what it cannot read, unknown prefixes included, is
//! reported, and so are prefixes that do not apply to the list being
//! filtered. Pure: no state.

use super::case_link::Class;
use super::when::{split_cmp, When};
use crate::enrich::country;
use crate::event::{Event, Millis, Outcome};
use crate::finding::{Finding, Severity};
use crate::store::Store;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use ipnet::IpNet;
use std::net::IpAddr;

/// How a `sev:` term compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// A verdict selector: a class or "no verdict yet".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictSel {
    Class(Class),
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IpSel {
    Net(IpNet),
    Addr(IpAddr),
    /// Text prefix (`10.1.`).
    Prefix(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TermKind {
    User(String),
    Ip(IpSel),
    Sev(Cmp, Severity),
    Det(String),
    Verdict(VerdictSel),
    Country(String),
    Outcome(Outcome),
    App(String),
    When(When),
    /// Lower-cased.
    Text(String),
}

/// Which list a query filters (some prefixes apply to one only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Alerts,
    Events,
}

/// A query prefix: its names (the first is the one shown), an example word
/// and what it selects. [`parse_term`] reads only what this table names and
/// the help screen prints it, so a prefix cannot exist without its help.
pub struct Prefix {
    pub names: &'static [&'static str],
    pub example: &'static str,
    pub doc: &'static str,
}

/// Every prefix the query line knows.
pub const PREFIX_TABLE: &[Prefix] = &[
    Prefix {
        names: &["user", "u"],
        example: "user:alice",
        doc: "user name contains alice",
    },
    Prefix {
        names: &["ip"],
        example: "ip:10.0.0.0/8",
        doc: "IP in a network (or ip:1.2.3.4, or a text start: ip:10.1.)",
    },
    Prefix {
        names: &["sev", "severity"],
        example: "sev:>=high",
        doc: "severity low/medium/high/critical with =, >, >=, <, <=",
    },
    Prefix {
        names: &["det", "detector"],
        example: "det:spray",
        doc: "detector name contains spray",
    },
    Prefix {
        names: &["verdict", "v"],
        example: "verdict:fp",
        doc: "verdict tp, bp, fp, undetermined, or none (untriaged)",
    },
    Prefix {
        names: &["country", "cc"],
        example: "country:RU",
        doc: "event country, a code or a name (events view)",
    },
    Prefix {
        names: &["outcome"],
        example: "outcome:failure",
        doc: "success, failure, interrupted or unknown",
    },
    Prefix {
        names: &["app"],
        example: "app:outlook",
        doc: "app or client contains outlook",
    },
    Prefix {
        names: &["time", "t"],
        example: "time:>=2026-11-18T10:00",
        doc: "UTC time or range (a date is its day); =, >, >=, <, <=",
    },
    Prefix {
        names: &["last"],
        example: "last:2h",
        doc: "within 90s, 15m, 2h, 7d of the newest event loaded",
    },
];

/// Every prefix the query knows, for messages.
pub fn prefixes() -> String {
    PREFIX_TABLE
        .iter()
        .filter_map(|p| p.names.first())
        .map(|n| format!("{n}:"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The shown name of a prefix as written (any of its names, any case).
fn canonical(prefix: &str) -> Option<&'static str> {
    PREFIX_TABLE
        .iter()
        .find(|p| p.names.iter().any(|n| n.eq_ignore_ascii_case(prefix)))
        .and_then(|p| p.names.first().copied())
}

#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub negated: bool,
    pub kind: TermKind,
}

/// A parsed query.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub text: String,
    pub terms: Vec<Term>,
    /// Words that could not be read, with why.
    pub errors: Vec<String>,
}

impl PartialEq for Query {
    fn eq(&self, o: &Query) -> bool {
        self.text == o.text
    }
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query {
            text: text.to_string(),
            ..Query::default()
        };
        for word in text.split_whitespace() {
            let (negated, body) = match word.strip_prefix('!') {
                Some(b) if b.contains(':') => (true, b),
                _ => (false, word),
            };
            match parse_term(body) {
                Ok(kind) => q.terms.push(Term { negated, kind }),
                Err(e) => q.errors.push(e),
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// What to show after the query: the first word that could not be read,
    /// else the prefixes that do not apply to this list (they match everything there).
    pub fn problem(&self, scope: Scope) -> Option<String> {
        if let Some(e) = self.errors.first() {
            return Some(e.clone());
        }
        let mut off: Vec<&str> = Vec::new();
        for t in &self.terms {
            let name = match (scope, &t.kind) {
                (Scope::Events, TermKind::Sev(..)) => "sev:",
                (Scope::Events, TermKind::Det(_)) => "det:",
                (Scope::Events, TermKind::Verdict(_)) => "verdict:",
                (Scope::Alerts, TermKind::Country(_)) => "country:",
                (Scope::Alerts, TermKind::Outcome(_)) => "outcome:",
                (Scope::Alerts, TermKind::App(_)) => "app:",
                _ => continue,
            };
            if !off.contains(&name) {
                off.push(name);
            }
        }
        if off.is_empty() {
            return None;
        }
        let other = match scope {
            Scope::Alerts => "events (press e)",
            Scope::Events => "alerts",
        };
        Some(format!(
            "{} ignored here: {} filter{} {other}",
            off.join(" "),
            if off.len() == 1 { "it" } else { "they" },
            if off.len() == 1 { "s" } else { "" },
        ))
    }

    /// Does a finding (with its verdict) match?
    pub fn matches_finding(&self, f: &Finding, verdict: Option<Class>, m: &Matcher) -> bool {
        self.matches_finding_in(f, verdict, m, None)
    }

    /// Like [`Query::matches_finding`], with free text also searching the
    /// evidence events in `store` (their AS names, places and user agents:
    /// a spray's title does not say M247, its sign-ins do).
    pub fn matches_finding_in(
        &self,
        f: &Finding,
        verdict: Option<Class>,
        m: &Matcher,
        store: Option<&Store>,
    ) -> bool {
        let mut hay: Option<String> = None;
        self.terms.iter().all(|t| {
            let hit = match &t.kind {
                TermKind::User(u) => f.user.as_deref().is_some_and(|x| contains_ci(x, u)),
                TermKind::Ip(sel) => f.ip.as_deref().is_some_and(|x| ip_matches(sel, x)),
                TermKind::Sev(c, s) => cmp(*c, f.severity, *s),
                TermKind::Det(d) => f.detector.as_str().contains(d.as_str()),
                TermKind::Verdict(VerdictSel::None) => verdict.is_none(),
                TermKind::Verdict(VerdictSel::Class(c)) => verdict == Some(*c),
                // Findings carry no country/outcome/app of their own: these terms select events.
                TermKind::Country(_) | TermKind::Outcome(_) | TermKind::App(_) => true,
                TermKind::When(w) => w.matches(f.first_seen, f.last_seen, m.newest),
                TermKind::Text(term) => {
                    let hay = hay.get_or_insert_with(|| finding_text(f, store));
                    hay.contains(term.as_str())
                        || [f.user.as_deref(), Some(f.detector.as_str())]
                            .into_iter()
                            .flatten()
                            .any(|name| m.is_fuzzy_match(name, term))
                }
            };
            hit != t.negated
        })
    }

    /// Does an event match? `hay` is scratch space reused between calls.
    pub fn matches_event(&self, ev: &Event, store: &Store, m: &Matcher, hay: &mut String) -> bool {
        // Cheap exact terms first, fuzzy text last.
        let mut has_text = false;
        for t in &self.terms {
            let hit = match &t.kind {
                TermKind::User(u) => contains_ci(store.text(ev.user), u),
                TermKind::Ip(sel) => ev.ip.is_some() && ip_matches(sel, store.text(ev.ip)),
                TermKind::Country(c) => store.text(ev.country).eq_ignore_ascii_case(c),
                TermKind::When(w) => w.matches(ev.time, ev.time, m.newest),
                TermKind::Outcome(o) => ev.outcome == *o,
                TermKind::App(a) => {
                    contains_ci(store.text(ev.app), a) || contains_ci(store.text(ev.client_app), a)
                }
                TermKind::Sev(..) | TermKind::Det(_) | TermKind::Verdict(_) => true,
                TermKind::Text(_) => {
                    has_text = true;
                    continue;
                }
            };
            if hit == t.negated {
                return false;
            }
        }
        if !has_text {
            return true;
        }
        hay.clear();
        for s in [
            ev.user,
            ev.ip,
            ev.country,
            ev.city,
            ev.app,
            ev.client_app,
            ev.result_code,
            ev.operation,
            ev.as_org,
            ev.user_agent,
            ev.params,
            ev.risk_events,
            ev.session_id,
            ev.access_key,
        ] {
            if s.is_some() {
                push_lower(hay, store.text(s));
            }
        }
        // The details kept with the event (a source host name, a Windows
        // account as written) are searched by value.
        if ev.extra.is_some() {
            for (_, v) in crate::event::decode_params(store.text(ev.extra)) {
                push_lower(hay, v);
            }
        }
        if let Some(name) = country::name(store.text(ev.country)) {
            push_lower(hay, name);
        }
        if ev.asn != 0 {
            hay.push_str(&format!("as{} ", ev.asn));
        }
        hay.push_str(ev.outcome.as_str());
        self.terms.iter().all(|t| match &t.kind {
            TermKind::Text(term) => {
                let hit = hay.contains(term.as_str())
                    || [ev.user, ev.app, ev.operation]
                        .into_iter()
                        .filter(|s| s.is_some())
                        .any(|s| m.is_fuzzy_match(store.text(s), term));
                hit != t.negated
            }
            _ => true,
        })
    }
}

/// Appends `s` lower-cased and a space.
fn push_lower(hay: &mut String, s: &str) {
    if s.is_ascii() {
        let from = hay.len();
        hay.push_str(s);
        if let Some(tail) = hay.get_mut(from..) {
            tail.make_ascii_lowercase();
        }
    } else {
        hay.push_str(&s.to_lowercase());
    }
    hay.push(' ');
}

/// Everything free text searches in a finding, lower-cased: detector, user,
/// IP, title and every value in its details (AS names, forwarding targets,
/// matched rules, cities, user agents…), with country names for country
/// codes and `as9009` for AS numbers.
pub fn finding_text(f: &Finding, store: Option<&Store>) -> String {
    let mut hay = String::with_capacity(256);
    for s in [
        f.detector.as_str(),
        f.user.as_deref().unwrap_or(""),
        f.ip.as_deref().unwrap_or(""),
    ] {
        push_lower(&mut hay, s);
    }
    push_lower(&mut hay, &f.title);
    detail_text(&f.details, "", &mut hay, 0);
    if let Some(store) = store {
        evidence_text(f, store, &mut hay);
    }
    hay
}

/// The AS names, places and user agents of a finding's evidence, each once.
fn evidence_text(f: &Finding, store: &Store, hay: &mut String) {
    let mut seen: Vec<crate::event::Sym> = Vec::new();
    for &idx in &f.evidence {
        let ev = store.get(idx);
        for s in [ev.as_org, ev.city, ev.country, ev.user_agent] {
            if s.is_some() && !seen.contains(&s) {
                seen.push(s);
                push_lower(hay, store.text(s));
            }
        }
        // The details kept with the event (a source host name, a Windows
        // account as written) are searched by value.
        if ev.extra.is_some() {
            for (_, v) in crate::event::decode_params(store.text(ev.extra)) {
                push_lower(hay, v);
            }
        }
        if let Some(name) = country::name(store.text(ev.country)) {
            push_lower(hay, name);
        }
        if ev.asn != 0 {
            hay.push_str(&format!("as{} ", ev.asn));
        }
    }
}

/// Deepest JSON nesting walked (details are shallow; this bounds hostile input).
const MAX_DEPTH: usize = 8;

fn detail_text(v: &serde_json::Value, key: &str, hay: &mut String, depth: usize) {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::String(s) => {
            push_lower(hay, s);
            if key.starts_with("countr") {
                if let Some(name) = country::name(s) {
                    push_lower(hay, name);
                }
            }
        }
        Value::Number(n) if key.starts_with("asn") => hay.push_str(&format!("as{n} ")),
        Value::Array(items) => {
            for item in items {
                detail_text(item, key, hay, depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                detail_text(item, k, hay, depth + 1);
            }
        }
        _ => {}
    }
}

/// Fuzzy matching of one term within one short name (case ignored), and
/// the newest event time that `last:` counts back from.
pub struct Matcher {
    inner: SkimMatcherV2,
    /// The newest event loaded; the app sets it as events arrive.
    pub newest: Option<Millis>,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher {
            inner: SkimMatcherV2::default().ignore_case(),
            newest: None,
        }
    }
}

impl Matcher {
    /// True when `term` is a subsequence of `name` (a user, a detector, an app).
    pub fn is_fuzzy_match(&self, name: &str, term: &str) -> bool {
        self.inner.fuzzy_match(name, term).is_some()
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

fn ip_matches(sel: &IpSel, text: &str) -> bool {
    match sel {
        IpSel::Prefix(p) => text.starts_with(p.as_str()),
        IpSel::Addr(a) => text.parse::<IpAddr>().is_ok_and(|x| x == *a),
        IpSel::Net(n) => text.parse::<IpAddr>().is_ok_and(|x| n.contains(&x)),
    }
}

fn cmp(c: Cmp, a: Severity, b: Severity) -> bool {
    match c {
        Cmp::Eq => a == b,
        Cmp::Ge => a >= b,
        Cmp::Gt => a > b,
        Cmp::Le => a <= b,
        Cmp::Lt => a < b,
    }
}

fn parse_term(word: &str) -> Result<TermKind, String> {
    let Some((prefix, value)) = word.split_once(':') else {
        return Ok(TermKind::Text(word.to_lowercase()));
    };
    if value.is_empty() {
        return Err(format!("`{word}`: nothing after the colon"));
    }
    Ok(match canonical(prefix).unwrap_or("") {
        "user" => TermKind::User(value.to_lowercase()),
        "ip" => TermKind::Ip(if let Ok(n) = value.parse::<IpNet>() {
            IpSel::Net(n.trunc())
        } else if let Ok(a) = value.parse::<IpAddr>() {
            IpSel::Addr(a)
        } else {
            IpSel::Prefix(value.to_string())
        }),
        "sev" => {
            let (c, rest) = split_cmp(value);
            let sev = severity_name(rest)
                .ok_or_else(|| format!("`{word}`: severity is low, medium, high or critical"))?;
            TermKind::Sev(c, sev)
        }
        "det" => TermKind::Det(value.to_ascii_lowercase()),
        "verdict" => TermKind::Verdict(match value.to_ascii_lowercase().as_str() {
            "tp" | "true_positive" | "true-positive" => VerdictSel::Class(Class::TruePositive),
            "bp" | "benign_positive" | "benign-positive" => {
                VerdictSel::Class(Class::BenignPositive)
            }
            "fp" | "false_positive" | "false-positive" => VerdictSel::Class(Class::FalsePositive),
            "und" | "undetermined" => VerdictSel::Class(Class::Undetermined),
            "none" | "new" => VerdictSel::None,
            _ => {
                return Err(format!(
                    "`{word}`: verdict is tp, bp, fp, undetermined or none"
                ))
            }
        }),
        // A name works too: `country:netherlands`.
        "country" => TermKind::Country(
            country::to_alpha2(value)
                .map(String::from)
                .unwrap_or_else(|| value.to_ascii_uppercase()),
        ),
        "outcome" => TermKind::Outcome(match value.to_ascii_lowercase().as_str() {
            "success" | "ok" => Outcome::Success,
            "failure" | "fail" => Outcome::Failure,
            "interrupted" => Outcome::Interrupted,
            "unknown" => Outcome::Unknown,
            _ => {
                return Err(format!(
                    "`{word}`: outcome is success, failure, interrupted or unknown"
                ))
            }
        }),
        "app" => TermKind::App(value.to_string()),
        "time" => TermKind::When(When::parse_time(word, value)?),
        "last" => TermKind::When(When::parse_last(word, value)?),
        // Text with a colon in it: an IPv6 address, a URL, a time of day (`10:05`).
        _ if !prefix.chars().all(|c| c.is_ascii_alphabetic())
            || value.starts_with("//")
            || word.parse::<IpAddr>().is_ok() =>
        {
            TermKind::Text(word.to_lowercase())
        }
        _ => {
            return Err(format!(
                "`{prefix}:` is not a prefix; known: {}",
                prefixes()
            ))
        }
    })
}

fn severity_name(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "crit" | "c" => Some(Severity::Critical),
        "med" | "m" => Some(Severity::Medium),
        "h" => Some(Severity::High),
        "l" => Some(Severity::Low),
        other => Severity::from_name(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Draft, Kind, Source};
    use crate::finding::DetectorId;

    fn finding(det: DetectorId, user: Option<&str>, ip: Option<&str>, risk: u8) -> Finding {
        let mut f = Finding::new(det, "x", 0, risk, format!("{det} finding"));
        f.user = user.map(String::from);
        f.ip = ip.map(String::from);
        f
    }

    #[test]
    fn prefixes_and_negation_on_findings() {
        let m = Matcher::default();
        let spray = finding(DetectorId::PasswordSpray, None, Some("10.1.2.3"), 90);
        let travel = finding(
            DetectorId::ImpossibleTravel,
            Some("alice@contoso.com"),
            Some("203.0.113.9"),
            60,
        );
        let q = |s: &str| Query::parse(s);
        assert!(q("ip:10.0.0.0/8 sev:>=high det:spray").matches_finding(&spray, None, &m));
        assert!(!q("ip:10.0.0.0/8").matches_finding(&travel, None, &m));
        assert!(q("user:alice").matches_finding(&travel, None, &m));
        assert!(!q("user:alice").matches_finding(&spray, None, &m));
        assert!(q("sev:medium").matches_finding(&travel, None, &m));
        assert!(!q("sev:>medium").matches_finding(&travel, None, &m));
        assert!(q("!det:spray").matches_finding(&travel, None, &m));
        assert!(!q("!det:spray").matches_finding(&spray, None, &m));
        assert!(q("verdict:fp").matches_finding(&spray, Some(Class::FalsePositive), &m));
        assert!(!q("verdict:fp").matches_finding(&spray, None, &m));
        assert!(q("verdict:none").matches_finding(&spray, None, &m));
    }

    #[test]
    fn free_text_terms_are_anded_not_one_literal_string() {
        let m = Matcher::default();
        let travel = finding(
            DetectorId::ImpossibleTravel,
            Some("alice@contoso.com"),
            Some("203.0.113.9"),
            60,
        );
        // "alice 203." as one fuzzy pattern would need a literal space; split, both terms match.
        assert!(Query::parse("alice 203.").matches_finding(&travel, None, &m));
        assert!(Query::parse("alc trvl").matches_finding(&travel, None, &m));
        assert!(!Query::parse("alice zzz").matches_finding(&travel, None, &m));
    }

    #[test]
    fn bad_words_are_reported_not_fatal() {
        let q = Query::parse("sev:>=huge user:bob verdict:maybe outcome:");
        assert_eq!(q.terms.len(), 1);
        assert_eq!(q.errors.len(), 3, "{:?}", q.errors);
        // An IPv6 address is text, not an unknown prefix.
        let q = Query::parse("2001:db8::1");
        assert!(q.errors.is_empty());
    }

    #[test]
    fn unknown_prefixes_are_reported_text_with_colons_is_text() {
        let q = Query::parse("foo:bar alice");
        assert_eq!(q.terms.len(), 1);
        assert!(
            q.errors.first().is_some_and(|e| e.contains("`foo:`")),
            "{:?}",
            q.errors
        );
        for text in ["https://evil.example/x", "10:05", "fe80::1", "::1"] {
            let q = Query::parse(text);
            assert!(q.errors.is_empty(), "{text}: {:?}", q.errors);
            assert!(matches!(
                q.terms.first().map(|t| &t.kind),
                Some(TermKind::Text(_))
            ));
        }
    }

    #[test]
    fn prefixes_that_do_not_apply_to_the_list_are_reported() {
        let q = Query::parse("country:RU sev:high");
        let on_alerts = q.problem(Scope::Alerts).unwrap_or_default();
        assert!(
            on_alerts.contains("country:") && !on_alerts.contains("sev:"),
            "{on_alerts}"
        );
        let on_events = q.problem(Scope::Events).unwrap_or_default();
        assert!(
            on_events.contains("sev:") && !on_events.contains("country:"),
            "{on_events}"
        );
        assert_eq!(
            Query::parse("user:bob last:2h").problem(Scope::Alerts),
            None
        );
        assert_eq!(
            Query::parse("user:bob last:2h").problem(Scope::Events),
            None
        );
        // A word that cannot be read comes first.
        assert!(Query::parse("country:RU sev:huge")
            .problem(Scope::Alerts)
            .is_some_and(|p| p.contains("sev:huge")));
        // `country:` takes names too.
        assert_eq!(
            Query::parse("country:netherlands")
                .terms
                .first()
                .map(|t| t.kind.clone()),
            Some(TermKind::Country("NL".into()))
        );
    }

    #[test]
    fn free_text_finds_what_analysts_search_for_and_not_loose_subsequences() {
        let m = Matcher::default();
        // The M247 alert says M247 only in its details.
        let mut m247 = finding(
            DetectorId::HostingAsn,
            Some("alex.wilber@contoso.com"),
            Some("45.83.64.17"),
            80,
        );
        m247.details = serde_json::json!({
            "as_orgs": ["M247 Europe SRL"], "asns": [9009], "countries": ["NL"],
            "hits": [{"rule": "asn", "matched": "AS9009", "app": "Office 365 Exchange Online"}]
        });
        // Unrelated: an `m` in the user and 2, 4, 7 in the IP (a fuzzy subsequence).
        let mut other = finding(
            DetectorId::InboxRule,
            Some("megan.bowen@contoso.com"),
            Some("102.89.0.247"),
            95,
        );
        other.details = serde_json::json!({
            "forwarding": [{"target": "invoices-archive@protonmail.example"}],
            "user_agents": ["aws-cli/2.15.30 Python/3.11.8"],
            "hops": [{"from": {"city": "Lagos", "country": "NG"}}]
        });
        let hit = |q: &str, f: &Finding| Query::parse(q).matches_finding(f, None, &m);
        assert!(hit("m247", &m247));
        assert!(
            !hit("m247", &other),
            "m247 must not match a loose subsequence"
        );
        assert!(hit("M247 europe", &m247));
        // AS numbers, country names, matched rules, forwarding targets, cities, user agents.
        assert!(hit("as9009", &m247));
        assert!(hit("netherlands", &m247));
        assert!(hit("protonmail", &other) && !hit("protonmail", &m247));
        assert!(hit("lagos nigeria", &other));
        assert!(hit("aws-cli", &other));
        // Fuzzy still works inside one name.
        assert!(hit("alxwil", &m247) && !hit("alxwil", &other));
    }

    #[test]
    fn free_text_searches_the_evidence_events_of_a_finding() {
        let mut b = Batch::default();
        let mut d = Draft::new(0, Source::Entra, Kind::SignIn);
        d.ip = b.text.put("45.83.64.17");
        d.as_org = b.text.put("M247 Europe SRL");
        d.city = b.text.put("Amsterdam");
        b.drafts.push(d);
        let mut store = Store::new();
        let idx = store.append_draft(&b, 0);
        let mut spray = finding(DetectorId::PasswordSpray, None, Some("45.83.64.17"), 90);
        spray.add_evidence(idx.unwrap_or_default());
        let m = Matcher::default();
        let q = Query::parse("m247 amsterdam");
        assert!(
            !q.matches_finding(&spray, None, &m),
            "not in the finding itself"
        );
        assert!(q.matches_finding_in(&spray, None, &m, Some(&store)));
    }

    #[test]
    fn time_words_filter_findings_by_their_span_and_events_by_their_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| d.timestamp_millis())
                .unwrap_or(0)
        };
        let mut m = Matcher::default();
        let mut f = finding(DetectorId::PasswordSpray, None, Some("10.1.2.3"), 90);
        f.first_seen = at("2026-11-18T10:08:00Z");
        f.last_seen = at("2026-11-18T10:26:00Z");
        let hit = |q: &str, m: &Matcher| Query::parse(q).matches_finding(&f, None, m);
        assert!(hit("time:>=2026-11-18T10:00", &m));
        assert!(hit("time:>=2026-11-18T10:20", &m), "still going at 10:20");
        assert!(!hit("time:>=2026-11-18T10:30", &m));
        assert!(!hit("time:<2026-11-18T10:08", &m));
        assert!(hit("time:<=2026-11-18T10:08", &m));
        assert!(hit("time:2026-11-18", &m) && !hit("time:2026-11-19", &m));
        assert!(hit("!time:2026-11-19", &m));
        // `last:` counts back from the newest event loaded.
        assert!(hit("last:2h", &m), "no events loaded: everything");
        m.newest = Some(at("2026-11-19T11:15:00Z"));
        assert!(!hit("last:2h", &m));
        assert!(hit("last:2d", &m));
        assert!(Query::parse("time:>=noon last:soon").errors.len() == 2);

        let mut b = Batch::default();
        let d = Draft::new(at("2026-11-18T10:24:00Z"), Source::Entra, Kind::SignIn);
        b.drafts.push(d);
        let mut store = Store::new();
        store.append_draft(&b, 0);
        let ev = store.get(0);
        let mut hay = String::new();
        let yes = |q: &str, hay: &mut String| Query::parse(q).matches_event(&ev, &store, &m, hay);
        assert!(yes("time:>2026-11-18T10:23", &mut hay));
        assert!(!yes("time:>2026-11-18T10:24", &mut hay));
        assert!(!yes("last:1h", &mut hay));
        assert!(yes("last:25h", &mut hay));
    }

    #[test]
    fn events_match_prefixes_then_fuzzy_text() {
        let mut b = Batch::default();
        let mut d = Draft::new(0, Source::Entra, Kind::SignIn);
        d.user = b.text.put("bob@contoso.com");
        d.ip = b.text.put("10.9.8.7");
        d.country = b.text.put("DE");
        d.app = b.text.put("Office 365 Exchange Online");
        d.outcome = Outcome::Failure;
        b.drafts.push(d);
        let mut store = Store::new();
        let idx = store.append_draft(&b, 0);
        assert_eq!(idx, Some(0));
        let ev = store.get(0);
        let (m, mut hay) = (Matcher::default(), String::new());
        let yes = |s: &str, hay: &mut String| Query::parse(s).matches_event(&ev, &store, &m, hay);
        assert!(yes(
            "user:bob ip:10.0.0.0/8 country:de outcome:failure",
            &mut hay
        ));
        assert!(yes("exchange bob", &mut hay));
        assert!(yes("app:exchange", &mut hay));
        assert!(!yes("outcome:success", &mut hay));
        assert!(!yes("ip:192.168.0.0/16", &mut hay));
        assert!(!yes("exchange zzz", &mut hay));
        assert!(yes("ip:10.9.", &mut hay));
    }

    #[test]
    fn a_source_host_name_is_found_by_free_text() {
        let mut b = Batch::default();
        let mut d = Draft::new(0, Source::Sshd, Kind::SignIn);
        d.user = b.text.put("root");
        let enc = crate::event::encode_params([(crate::event::extra::HOST, "gw.Example.org")]);
        d.extra = b.text.put(&enc);
        b.drafts.push(d);
        let mut store = Store::new();
        assert_eq!(store.append_draft(&b, 0), Some(0));
        let ev = store.get(0);
        let (m, mut hay) = (Matcher::default(), String::new());
        let yes = |s: &str, hay: &mut String| Query::parse(s).matches_event(&ev, &store, &m, hay);
        assert!(yes("gw.example.org", &mut hay));
        assert!(yes("root example.org", &mut hay));
        assert!(!yes("other.example.org", &mut hay));
        // A name is never an address.
        assert!(!yes("ip:gw.example.org", &mut hay));
    }
}
