//! TEMPORARY stand-in for `hunt::triage` (TRIAGE_API.md) until the case
//! branch is merged: the same names and signatures, kept in memory. Only
//! `case_link.rs` uses it; delete this file when `crate::triage` exists.

use crate::config::Config;
use crate::finding::{DetectorId, Finding, Findings, Suppression};
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TriageError(pub String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
    pub fn from_name(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub finding_id: String,
    pub class: Class,
    pub note: Option<String>,
    pub analyst: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub finding_id: String,
    pub text: String,
    pub analyst: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AllowEntry {
    pub id: i64,
    pub kind: AllowKind,
    pub value: String,
    pub detectors: Vec<DetectorId>,
    pub note: String,
    pub analyst: String,
    pub created: DateTime<Utc>,
    pub expires: Option<DateTime<Utc>>,
    pub from_config: bool,
}

pub struct NewAllow {
    pub kind: AllowKind,
    pub value: String,
    pub detectors: Vec<DetectorId>,
    pub note: String,
    pub expires: Option<DateTime<Utc>>,
}

impl NewAllow {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), TriageError> {
        if self.note.trim().is_empty() {
            return Err(TriageError(
                "the note is empty; say why this is allowed".into(),
            ));
        }
        if self.expires.is_some_and(|e| e <= now) {
            return Err(TriageError("the expiry is in the past".into()));
        }
        Ok(())
    }
}

pub fn parse_expiry(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TriageError> {
    crate::config::Span::parse(s)
        .map(|sp| now + chrono::Duration::milliseconds(sp.ms()))
        .ok_or_else(|| {
            TriageError(format!(
                "`{s}` is not an expiry; write 30d, 12h or 2026-12-31"
            ))
        })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub finding_id: String,
}

impl Snapshot {
    pub fn of(f: &Finding) -> Snapshot {
        Snapshot {
            finding_id: f.id.clone(),
        }
    }
}

#[derive(Default)]
struct Mem {
    verdicts: HashMap<String, Verdict>,
    allow: Vec<AllowEntry>,
}

pub struct Case {
    path: PathBuf,
    mem: RefCell<Mem>,
}

impl Case {
    pub fn open(path: &Path) -> Result<Case, TriageError> {
        Ok(Case {
            path: path.to_path_buf(),
            mem: RefCell::default(),
        })
    }
    pub fn default_path() -> Option<PathBuf> {
        None
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn set_verdict(
        &self,
        snap: &Snapshot,
        class: Class,
        note: Option<&str>,
    ) -> Result<Verdict, TriageError> {
        let v = Verdict {
            finding_id: snap.finding_id.clone(),
            class,
            note: note.map(String::from),
            analyst: "analyst".into(),
            at: Utc::now(),
        };
        self.mem
            .borrow_mut()
            .verdicts
            .insert(v.finding_id.clone(), v.clone());
        Ok(v)
    }
    pub fn add_note(&self, snap: &Snapshot, text: &str) -> Result<Note, TriageError> {
        Ok(Note {
            finding_id: snap.finding_id.clone(),
            text: text.into(),
            analyst: "analyst".into(),
            at: Utc::now(),
        })
    }
    pub fn add_allow(&self, e: &NewAllow) -> Result<AllowEntry, TriageError> {
        let mut m = self.mem.borrow_mut();
        let entry = AllowEntry {
            id: m.allow.len() as i64 + 1,
            kind: e.kind,
            value: e.value.clone(),
            detectors: e.detectors.clone(),
            note: e.note.clone(),
            analyst: "analyst".into(),
            created: Utc::now(),
            expires: e.expires,
            from_config: false,
        };
        m.allow.push(entry.clone());
        Ok(entry)
    }
    pub fn allowlist(&self) -> Result<Vec<AllowEntry>, TriageError> {
        Ok(self.mem.borrow().allow.clone())
    }
    pub fn latest_verdicts(&self) -> Result<HashMap<String, Verdict>, TriageError> {
        Ok(self.mem.borrow().verdicts.clone())
    }
    pub fn changed(&self) -> Result<bool, TriageError> {
        Ok(false)
    }
}

pub struct Triage {
    pub entries: Vec<AllowEntry>,
    pub verdicts: HashMap<String, Verdict>,
}

impl Triage {
    pub fn load(case: Option<&Case>, _config: &Config) -> Result<Triage, TriageError> {
        Ok(Triage {
            entries: case.map(|c| c.allowlist()).transpose()?.unwrap_or_default(),
            verdicts: case
                .map(|c| c.latest_verdicts())
                .transpose()?
                .unwrap_or_default(),
        })
    }
    pub fn apply(
        &self,
        findings: &mut Findings,
        _store: &Store,
        _now: DateTime<Utc>,
    ) -> HashMap<i64, u64> {
        let mut counts = HashMap::new();
        for f in findings.all_mut() {
            let hit = self.entries.iter().find(|e| {
                (e.detectors.is_empty() || e.detectors.contains(&f.detector))
                    && match e.kind {
                        AllowKind::Ip => f.ip.as_deref() == Some(e.value.as_str()),
                        AllowKind::User => f.user.as_deref() == Some(e.value.as_str()),
                        AllowKind::Cidr => match (
                            e.value.parse::<ipnet::IpNet>(),
                            f.ip.as_deref()
                                .and_then(|i| i.parse::<std::net::IpAddr>().ok()),
                        ) {
                            (Ok(n), Some(ip)) => n.contains(&ip),
                            _ => false,
                        },
                        _ => false,
                    }
            });
            match hit {
                Some(e) => {
                    *counts.entry(e.id).or_default() += 1;
                    f.suppressed = Some(Suppression {
                        entry: Some(e.id),
                        note: e.note.clone(),
                    });
                }
                None if f.suppressed.as_ref().is_some_and(|s| s.entry.is_some()) => {
                    f.suppressed = None
                }
                None => {}
            }
        }
        counts
    }
    pub fn verdict(&self, finding_id: &str) -> Option<&Verdict> {
        self.verdicts.get(finding_id)
    }
}
