//! Triage (SPEC §8): the analyst's verdicts, notes and allowlist entries, kept
//! in one case file ([`Case`], SQLite in WAL mode) and applied to findings
//! ([`Triage`]). This module holds the shared value types; the store, the
//! matching, the reports and the command-line verbs live in the files below.
//! Nothing here runs detectors or reads logs: a case can be reported from its
//! own snapshots alone.
//!
//! - [`allow`]: allowlist kinds, entries, validation and expiry parsing.
//! - [`schema`]: the case file's schema version and migrations.
//! - [`case`]: the case file itself; every write is one committed transaction
//!   (`read`: its queries).
//! - [`apply`]: matching allowlist entries and verdicts onto findings.
//! - [`export`]: the case as JSON or a Markdown incident hand-off report
//!   ([`handoff`]: the open work a recorded scan left for it).
//! - [`workflow`]: status and owner of findings and incidents, and manual
//!   moves of findings between incidents.
//! - [`cli`]: `hunt case …`; [`scan`]: what `hunt scan` does with the case.

pub mod allow;
pub mod apply;
pub mod case;
pub mod cli;
mod error;
pub mod export;
pub mod handoff;
pub mod kafka;
mod read;
pub mod scan;
pub mod schema;
pub mod workflow;

pub use allow::{parse_detector, parse_expiry, AllowEntry, AllowKind, NewAllow};
pub use apply::Triage;
pub use case::Case;
pub use error::TriageError;
pub use read::ScanRecord;
pub use workflow::{Move, Target, WorkState};

use crate::finding::Finding;
use crate::ingest::time::format_time;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Sentinel's incident classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    TruePositive,
    BenignPositive,
    FalsePositive,
    Undetermined,
}

impl Class {
    pub const ALL: [Class; 4] = [
        Class::TruePositive,
        Class::BenignPositive,
        Class::FalsePositive,
        Class::Undetermined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::TruePositive => "true_positive",
            Class::BenignPositive => "benign_positive",
            Class::FalsePositive => "false_positive",
            Class::Undetermined => "undetermined",
        }
    }

    /// The class named `s` (`true_positive`, also `true-positive` or `TP`).
    pub fn from_name(s: &str) -> Option<Class> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        let short = match s.as_str() {
            "tp" => Some(Class::TruePositive),
            "bp" => Some(Class::BenignPositive),
            "fp" => Some(Class::FalsePositive),
            _ => None,
        };
        short.or_else(|| Class::ALL.into_iter().find(|c| c.as_str() == s))
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One verdict as recorded; a finding's latest verdict wins, earlier ones are history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub finding_id: String,
    pub class: Class,
    pub note: Option<String>,
    pub analyst: String,
    pub at: DateTime<Utc>,
}

/// A free note on a finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub finding_id: String,
    pub text: String,
    pub analyst: String,
    pub at: DateTime<Utc>,
}

/// A finding's identity as stored with a verdict, so the case can be reported
/// without the logs. A verdict given from the command line for a finding the
/// case has not seen yet has only the id; the next scan fills in the rest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    pub finding_id: String,
    pub detector: String,
    pub entity: String,
    pub severity: String,
    pub risk: u8,
    pub first_seen: String,
    pub last_seen: String,
    pub title: String,
}

impl Snapshot {
    pub fn of(f: &Finding) -> Snapshot {
        Snapshot {
            finding_id: f.id.clone(),
            detector: f.detector.as_str().to_string(),
            entity: match apply::entity_of(f) {
                apply::Entity::User(e) | apply::Entity::Ip(e) => e.to_string(),
                apply::Entity::Other => f.user.clone().or_else(|| f.ip.clone()).unwrap_or_default(),
            },
            severity: f.severity.as_str().to_string(),
            risk: f.risk,
            first_seen: format_time(f.first_seen),
            last_seen: format_time(f.last_seen),
            title: f.title.clone(),
        }
    }

    /// A snapshot that knows only the finding id.
    pub fn id_only(finding_id: &str) -> Snapshot {
        Snapshot {
            finding_id: finding_id.to_string(),
            ..Snapshot::default()
        }
    }

    /// True when only the id is known (never recorded from a scan).
    pub fn is_id_only(&self) -> bool {
        self.detector.is_empty()
    }
}

/// Checks a finding id as printed by `hunt scan` (16 hex digits) and returns it in lower case.
pub fn parse_finding_id(s: &str) -> Result<String, TriageError> {
    let t = s.trim();
    if t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(TriageError::BadFindingId(s.to_string()))
    }
}

/// Recorded as the analyst when neither the config nor the environment names one.
pub const UNNAMED_ANALYST: &str = "unnamed analyst";

/// The analyst's name from the environment: `$USER`, else `$LOGNAME`, else
/// `$USERNAME`, else [`UNNAMED_ANALYST`] (see [`analyst_label`]).
pub fn current_analyst() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| UNNAMED_ANALYST.to_string())
}

/// The analyst's name: `[case] analyst` from the config, else [`current_analyst`].
pub fn analyst_for(config: &crate::config::Config) -> String {
    config
        .case
        .analyst
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .unwrap_or_else(current_analyst)
}

/// The name as shown: the fallback says how to set a real one.
pub fn analyst_label(name: &str) -> String {
    if name == UNNAMED_ANALYST {
        format!("{UNNAMED_ANALYST} (set `analyst` under [case] in the config, or $USER)")
    } else {
        name.to_string()
    }
}

/// The wall clock at the precision the case file keeps (milliseconds), so a
/// value returned from a write equals the value read back later.
pub fn now_ms() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(3)
}

/// How times are written in the case file and in reports: RFC 3339 UTC, milliseconds.
pub fn format_at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a time written by [`format_at`] (any RFC 3339 time is accepted).
pub fn parse_at(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::DetectorId;

    #[test]
    fn class_names_round_trip_and_aliases() {
        for c in Class::ALL {
            assert_eq!(Class::from_name(c.as_str()), Some(c));
        }
        assert_eq!(Class::from_name("True-Positive"), Some(Class::TruePositive));
        assert_eq!(Class::from_name("fp"), Some(Class::FalsePositive));
        assert_eq!(Class::from_name("maybe"), None);
        assert_eq!(
            serde_json::to_string(&Class::BenignPositive).unwrap(),
            "\"benign_positive\""
        );
    }

    #[test]
    fn finding_ids_are_checked() {
        assert_eq!(
            parse_finding_id(" 95B976381EBA7EDD ").unwrap(),
            "95b976381eba7edd"
        );
        assert!(parse_finding_id("95b976381eba7ed").is_err());
        assert!(parse_finding_id("95b976381eba7edx").is_err());
    }

    #[test]
    fn snapshot_of_a_finding() {
        let mut f = Finding::new(DetectorId::PasswordSpray, "1.2.3.4", 0, 75, "spray".into());
        f.ip = Some("1.2.3.4".into());
        f.user = Some("alice@contoso.com".into()); // a user who signed in; the entity is the IP
        let s = Snapshot::of(&f);
        assert_eq!(s.entity, "1.2.3.4");
        assert_eq!(s.severity, "high");
        assert_eq!(s.first_seen, format_time(0));
        assert!(!s.is_id_only());
        assert!(Snapshot::id_only(&f.id).is_id_only());
    }

    #[test]
    fn times_round_trip() {
        let t = parse_at("2026-03-01T10:20:30.123Z").unwrap();
        assert_eq!(format_at(t), "2026-03-01T10:20:30.123Z");
        assert!(parse_at("yesterday").is_none());
    }
}
