//! The query line: `user:alice ip:10.0.0.0/8 sev:>=high det:spray
//! verdict:fp country:RU outcome:failure app:outlook` plus free text. Words
//! are ANDed; a `!` before a prefix negates it. Free text is split on
//! spaces and every term must fuzzy-match (fuzzy-matcher treats a space as
//! a literal character, so terms are matched one by one). Parsing never
//! fails: what it cannot read is reported and ignored. Pure: no state.

use super::case_link::Class;
use crate::event::{Event, Outcome};
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
    Text(String),
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

    /// True when the query filters findings by something events do not have.
    pub fn has_finding_terms(&self) -> bool {
        self.terms.iter().any(|t| {
            matches!(
                t.kind,
                TermKind::Sev(..) | TermKind::Det(_) | TermKind::Verdict(_)
            )
        })
    }

    /// Does a finding (with its verdict) match?
    pub fn matches_finding(&self, f: &Finding, verdict: Option<Class>, m: &Matcher) -> bool {
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
                TermKind::Text(term) => {
                    let hay = format!(
                        "{} {} {} {}",
                        f.detector.as_str(),
                        f.user.as_deref().unwrap_or(""),
                        f.ip.as_deref().unwrap_or(""),
                        f.title
                    );
                    m.is_match(&hay, term)
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
        ] {
            if s.is_some() {
                hay.push_str(store.text(s));
                hay.push(' ');
            }
        }
        hay.push_str(ev.outcome.as_str());
        self.terms.iter().all(|t| match &t.kind {
            TermKind::Text(term) => m.is_match(hay, term) != t.negated,
            _ => true,
        })
    }
}

/// Fuzzy matching of one term (smart case: lower-case terms ignore case).
pub struct Matcher {
    inner: SkimMatcherV2,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher {
            inner: SkimMatcherV2::default().smart_case(),
        }
    }
}

impl Matcher {
    pub fn is_match(&self, hay: &str, term: &str) -> bool {
        // A plain substring is a match without scoring (and the common case).
        if hay.contains(term) {
            return true;
        }
        self.inner.fuzzy_match(hay, term).is_some()
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
        return Ok(TermKind::Text(word.to_string()));
    };
    if value.is_empty() {
        return Err(format!("`{word}`: nothing after the colon"));
    }
    Ok(match prefix.to_ascii_lowercase().as_str() {
        "user" | "u" => TermKind::User(value.to_lowercase()),
        "ip" => TermKind::Ip(if let Ok(n) = value.parse::<IpNet>() {
            IpSel::Net(n.trunc())
        } else if let Ok(a) = value.parse::<IpAddr>() {
            IpSel::Addr(a)
        } else {
            IpSel::Prefix(value.to_string())
        }),
        "sev" | "severity" => {
            let (c, rest) = if let Some(r) = value.strip_prefix(">=") {
                (Cmp::Ge, r)
            } else if let Some(r) = value.strip_prefix("<=") {
                (Cmp::Le, r)
            } else if let Some(r) = value.strip_prefix('>') {
                (Cmp::Gt, r)
            } else if let Some(r) = value.strip_prefix('<') {
                (Cmp::Lt, r)
            } else {
                (Cmp::Eq, value.strip_prefix('=').unwrap_or(value))
            };
            let sev = severity_name(rest)
                .ok_or_else(|| format!("`{word}`: severity is low, medium, high or critical"))?;
            TermKind::Sev(c, sev)
        }
        "det" | "detector" => TermKind::Det(value.to_ascii_lowercase()),
        "verdict" | "v" => TermKind::Verdict(match value.to_ascii_lowercase().as_str() {
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
        "country" | "cc" => TermKind::Country(value.to_ascii_uppercase()),
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
        // An unknown prefix is most likely text with a colon in it (an IPv6 address, a URL).
        _ => TermKind::Text(word.to_string()),
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
}
