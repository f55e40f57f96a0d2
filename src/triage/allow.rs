//! Allowlist entries: their kinds, the checks a new entry must pass (a note,
//! a value that parses for its kind, an expiry in the future), expiry
//! parsing, and turning the config file's `[[allow]]` entries into the same
//! shape. Values are stored normalised (canonical IP and network text,
//! lower-case user, `AS` + number, upper-case country) so matching is plain
//! comparison. Matching itself is in [`super::apply`].

use super::TriageError;
use crate::config::{AllowConfig, Config, Span};
use crate::finding::DetectorId;
use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// What an allowlist entry matches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowKind {
    Ip,
    Cidr,
    User,
    Asn,
    Country,
    UserAgent,
}

impl AllowKind {
    pub const ALL: [AllowKind; 6] = [
        AllowKind::Ip,
        AllowKind::Cidr,
        AllowKind::User,
        AllowKind::Asn,
        AllowKind::Country,
        AllowKind::UserAgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AllowKind::Ip => "ip",
            AllowKind::Cidr => "cidr",
            AllowKind::User => "user",
            AllowKind::Asn => "asn",
            AllowKind::Country => "country",
            AllowKind::UserAgent => "user_agent",
        }
    }

    /// The kind named `s` (`user-agent` and `ua` are accepted for `user_agent`).
    pub fn from_name(s: &str) -> Option<AllowKind> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        if s == "ua" {
            return Some(AllowKind::UserAgent);
        }
        AllowKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The value in its stored form, or an error saying how to write it.
    pub fn normalize(self, value: &str) -> Result<String, TriageError> {
        let v = value.trim();
        let bad = |fix: &'static str| TriageError::BadValue {
            kind: self,
            value: value.to_string(),
            fix,
        };
        match self {
            AllowKind::Ip => v
                .parse::<IpAddr>()
                .map(|ip| ip.to_string())
                .map_err(|_| bad("write one address like 203.0.113.7 or 2001:db8::1 (use kind cidr for a network)")),
            AllowKind::Cidr => match v.parse::<ipnet::IpNet>() {
                Ok(net) => Ok(net.trunc().to_string()),
                Err(_) if v.parse::<IpAddr>().is_ok() => {
                    Err(bad("a CIDR needs a prefix length, like 10.0.0.0/8 (or use kind ip for one address)"))
                }
                Err(_) => Err(bad("write a network like 10.0.0.0/8 or 2001:db8::/32")),
            },
            AllowKind::User if v.is_empty() => Err(bad("give the user name, like alice@contoso.com")),
            AllowKind::User => Ok(v.to_lowercase()),
            AllowKind::Asn => {
                let digits = v
                    .strip_prefix("AS")
                    .or_else(|| v.strip_prefix("as"))
                    .or_else(|| v.strip_prefix("As"))
                    .unwrap_or(v);
                match digits.parse::<u32>() {
                    Ok(n) if n > 0 => Ok(format!("AS{n}")),
                    _ => Err(bad("write an AS number like AS9009 or 9009")),
                }
            }
            AllowKind::Country if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok(v.to_ascii_uppercase())
            }
            AllowKind::Country => Err(bad("write a two-letter ISO country code like NL or US")),
            AllowKind::UserAgent if v.is_empty() => {
                Err(bad("give part of the user agent, like \"Veeam Backup\""))
            }
            AllowKind::UserAgent => Ok(v.to_string()),
        }
    }
}

impl std::fmt::Display for AllowKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An allowlist entry, from the case (id > 0) or the config file (id < 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AllowEntry {
    pub id: i64,
    pub kind: AllowKind,
    pub value: String,
    /// Detectors the entry applies to; empty means all.
    pub detectors: Vec<DetectorId>,
    pub note: String,
    pub analyst: String,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub from_config: bool,
}

impl AllowEntry {
    /// Not expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_none_or(|e| e > now)
    }

    pub fn applies_to(&self, detector: DetectorId) -> bool {
        self.detectors.is_empty() || self.detectors.contains(&detector)
    }

    /// The detector scope as text: "all" or a comma-separated list.
    pub fn scope(&self) -> String {
        if self.detectors.is_empty() {
            return "all".to_string();
        }
        let names: Vec<&str> = self.detectors.iter().map(|d| d.as_str()).collect();
        names.join(",")
    }
}

/// An entry about to be added to the case.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAllow {
    pub kind: AllowKind,
    pub value: String,
    pub detectors: Vec<DetectorId>,
    pub note: String,
    pub expires: Option<DateTime<Utc>>,
}

impl NewAllow {
    /// Checks the entry: a non-empty note, a value that parses for its kind,
    /// and an expiry (if any) after `now`.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), TriageError> {
        self.normalized(now).map(|_| ())
    }

    /// The entry as it is stored: validated, value normalised, detectors deduplicated.
    pub fn normalized(&self, now: DateTime<Utc>) -> Result<NewAllow, TriageError> {
        let value = self.kind.normalize(&self.value)?;
        let note = self.note.trim();
        if note.is_empty() {
            return Err(TriageError::Empty {
                what: "note",
                fix: "an allowlist entry needs a note saying why it is allowed (--note \"...\")",
            });
        }
        if let Some(at) = self.expires.filter(|&at| at <= now) {
            return Err(TriageError::ExpiryInPast {
                value: at.to_rfc3339(),
                at: super::format_at(at),
            });
        }
        let mut detectors = self.detectors.clone();
        detectors.sort();
        detectors.dedup();
        Ok(NewAllow {
            kind: self.kind,
            value,
            detectors,
            note: note.to_string(),
            // The case file keeps milliseconds.
            expires: self.expires.map(|t| t.trunc_subsecs(3)),
        })
    }
}

/// A detector by name, or an error listing the names.
pub fn parse_detector(s: &str) -> Result<DetectorId, TriageError> {
    DetectorId::from_name(s.trim()).ok_or_else(|| TriageError::UnknownDetector {
        name: s.to_string(),
        known: DetectorId::ALL.map(|d| d.as_str()).join(", "),
    })
}

/// An expiry: a span from `now` (`30d`, `12h`, `90m`), a date (`2026-12-31`,
/// meaning the end of that day, UTC) or an RFC 3339 time. Past times are refused.
pub fn parse_expiry(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TriageError> {
    let t = s.trim();
    let at = if t.starts_with(|c: char| c.is_ascii_digit()) && !t.contains('-') {
        let span = Span::parse(t).ok_or_else(|| TriageError::BadExpiry(s.to_string()))?;
        Duration::try_milliseconds(span.ms())
            .and_then(|d| now.checked_add_signed(d))
            .ok_or_else(|| TriageError::BadExpiry(s.to_string()))?
    } else {
        parse_date_or_time(t).ok_or_else(|| TriageError::BadExpiry(s.to_string()))?
    };
    if at <= now {
        return Err(TriageError::ExpiryInPast {
            value: s.to_string(),
            at: super::format_at(at),
        });
    }
    Ok(at)
}

/// `2026-12-31` (end of that day, UTC) or an RFC 3339 time.
fn parse_date_or_time(t: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let end = d.and_hms_milli_opt(23, 59, 59, 999)?;
        return Some(end.and_utc());
    }
    super::parse_at(t)
}

/// The config file's `[[allow]]` entries, with ids -1, -2, … in file order.
/// Expired entries are kept (they just never match); bad ones are errors.
pub fn config_entries(config: &Config) -> Result<Vec<AllowEntry>, TriageError> {
    config
        .allow
        .iter()
        .enumerate()
        .map(|(i, a)| {
            config_entry(i, a).map_err(|e| TriageError::BadConfigEntry {
                index: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

fn config_entry(i: usize, a: &AllowConfig) -> Result<AllowEntry, TriageError> {
    let kind =
        AllowKind::from_name(&a.kind).ok_or_else(|| TriageError::UnknownKind(a.kind.clone()))?;
    let value = kind.normalize(&a.value)?;
    if a.note.trim().is_empty() {
        return Err(TriageError::Empty {
            what: "note",
            fix: "say why it is allowed in `note = \"...\"`",
        });
    }
    let mut detectors = a
        .detectors
        .iter()
        .map(|d| parse_detector(d))
        .collect::<Result<Vec<_>, _>>()?;
    detectors.sort();
    detectors.dedup();
    let expires = match &a.expires {
        None => None,
        Some(e) => {
            Some(parse_date_or_time(e.trim()).ok_or_else(|| TriageError::BadExpiry(e.clone()))?)
        }
    };
    Ok(AllowEntry {
        id: -(i as i64) - 1,
        kind,
        value,
        detectors,
        note: a.note.trim().to_string(),
        analyst: "config".to_string(),
        created: DateTime::<Utc>::UNIX_EPOCH,
        expires,
        from_config: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        super::super::parse_at("2026-06-01T12:00:00Z").unwrap()
    }

    #[test]
    fn values_are_normalised_or_refused() {
        assert_eq!(
            AllowKind::Ip.normalize(" 2001:DB8:0::1 ").unwrap(),
            "2001:db8::1"
        );
        assert_eq!(
            AllowKind::Cidr.normalize("10.1.2.3/8").unwrap(),
            "10.0.0.0/8"
        );
        assert_eq!(
            AllowKind::User.normalize("Alice@Contoso.com").unwrap(),
            "alice@contoso.com"
        );
        assert_eq!(AllowKind::Asn.normalize("as9009").unwrap(), "AS9009");
        assert_eq!(AllowKind::Asn.normalize("9009").unwrap(), "AS9009");
        assert_eq!(AllowKind::Country.normalize("nl").unwrap(), "NL");
        let err = AllowKind::Cidr
            .normalize("10.0.0.0/33")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("10.0.0.0/33") && err.contains("like 10.0.0.0/8"),
            "{err}"
        );
        let err = AllowKind::Cidr
            .normalize("10.0.0.1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("prefix length"), "{err}");
        assert!(AllowKind::Asn.normalize("AS0").is_err());
        assert!(AllowKind::Country.normalize("NLD").is_err());
        assert!(AllowKind::User.normalize("  ").is_err());
        assert_eq!(
            AllowKind::from_name("user-agent"),
            Some(AllowKind::UserAgent)
        );
        assert_eq!(AllowKind::from_name("mac"), None);
    }

    #[test]
    fn expiries() {
        let n = now();
        assert_eq!(parse_expiry("30d", n).unwrap(), n + Duration::days(30));
        assert_eq!(parse_expiry("12h", n).unwrap(), n + Duration::hours(12));
        let d = parse_expiry("2026-12-31", n).unwrap();
        assert_eq!(super::super::format_at(d), "2026-12-31T23:59:59.999Z");
        assert!(parse_expiry("2027-01-01T00:00:00Z", n).is_ok());
        let err = parse_expiry("2020-01-01", n).unwrap_err().to_string();
        assert!(err.contains("already past"), "{err}");
        assert!(matches!(
            parse_expiry("0d", n),
            Err(TriageError::ExpiryInPast { .. })
        ));
        // Too far to represent: refused, not a panic.
        assert!(matches!(
            parse_expiry("106751991168d", n),
            Err(TriageError::BadExpiry(_))
        ));
        assert!(matches!(
            parse_expiry("9999999999d", n),
            Err(TriageError::BadExpiry(_))
        ));
        assert!(matches!(
            parse_expiry("soon", n),
            Err(TriageError::BadExpiry(_))
        ));
        assert!(matches!(
            parse_expiry("30x", n),
            Err(TriageError::BadExpiry(_))
        ));
    }

    #[test]
    fn new_entries_are_validated() {
        let mut e = NewAllow {
            kind: AllowKind::Cidr,
            value: "10.9.0.0/16".into(),
            detectors: vec![DetectorId::PasswordSpray, DetectorId::PasswordSpray],
            note: "  VPN egress ".into(),
            expires: None,
        };
        let n = e.normalized(now()).unwrap();
        assert_eq!(n.note, "VPN egress");
        assert_eq!(n.detectors, vec![DetectorId::PasswordSpray]);
        e.note = " ".into();
        assert!(matches!(e.validate(now()), Err(TriageError::Empty { .. })));
        e.note = "ok".into();
        e.expires = Some(now() - Duration::seconds(1));
        assert!(matches!(
            e.validate(now()),
            Err(TriageError::ExpiryInPast { .. })
        ));
        assert!(parse_detector("spray")
            .unwrap_err()
            .to_string()
            .contains("password_spray"));
    }

    #[test]
    fn config_entries_get_negative_ids() {
        let mut c = Config::default();
        c.allow.push(AllowConfig {
            kind: "cidr".into(),
            value: "192.0.2.0/24".into(),
            note: "scanner".into(),
            detectors: vec!["password_spray".into()],
            expires: Some("2020-01-01".into()),
        });
        c.allow.push(AllowConfig {
            kind: "country".into(),
            value: "nl".into(),
            note: "office".into(),
            detectors: vec![],
            expires: None,
        });
        let es = config_entries(&c).unwrap();
        assert_eq!(es.iter().map(|e| e.id).collect::<Vec<_>>(), vec![-1, -2]);
        assert!(!es[0].is_live(now()) && es[1].is_live(now()));
        assert_eq!(es[1].value, "NL");
        assert!(es.iter().all(|e| e.from_config));
        c.allow[1].detectors = vec!["nope".into()];
        let err = config_entries(&c).unwrap_err().to_string();
        assert!(err.contains("entry 2") && err.contains("nope"), "{err}");
    }
}
