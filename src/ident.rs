//! Identity: what names a detector and how bad a finding is, said once and
//! below everything else. [`DetectorId`] (one variant per built-in detector,
//! generated from the [`registry`] table here, plus a loaded Sigma rule),
//! [`Severity`], and the process-wide table of loaded Sigma rules that
//! [`DetectorId::Sigma`] indexes ([`RuleMeta`], [`intern`], [`get`]).
//!
//! This module imports nothing of the crate (a test in `tests/layers.rs`
//! checks it), so findings, detectors, the config and the Sigma loader can
//! all name a detector without importing one another. What a detector *does*
//! (its description, settings and queries) lives in its folder under
//! `detect/`; only its name lives here.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{OnceLock, RwLock};

/// The registry: one line per detector, `Variant => module`. The module is
/// the detector's folder under `detect/` and its name is the detector's id
/// (`password_spray`); the folder's `DESCRIPTION` says everything else about
/// it. `registry!(m)` calls macro `m` with the table: this module makes
/// [`DetectorId`] and its names from it, `detect/mod.rs` the modules and the
/// description lookup, so adding a detector is its folder and one line here.
macro_rules! registry {
    ($then:ident) => {
        $then! {
            CredentialStuffing => credential_stuffing,
            PasswordSpray => password_spray,
            ImpossibleTravel => impossible_travel,
            HostingAsn => hosting_asn,
            IdentityRisk => identity_risk,
            LegacyAuth => legacy_auth,
            InboxRule => inbox_rule,
            BulkSend => bulk_send,
            CloudRecon => cloud_recon,
            SessionAnomaly => session_anomaly,
            UserEnumeration => user_enumeration,
            MfaFatigue => mfa_fatigue,
            SuspiciousClient => suspicious_client,
            BruteForce => brute_force,
            SlowSpray => slow_spray,
            DistributedSpray => distributed_spray,
            NewCountry => new_country,
        }
    };
}
pub(crate) use registry;

macro_rules! ids {
    ($($variant:ident => $module:ident,)*) => {
        /// Every detector, by its id in findings, the case and the config.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DetectorId {
            $($variant,)*
            /// A loaded Sigma rule: its number in the rule table ([`get`])
            /// (`sigma:<rule id>`); it describes itself from the rule's data.
            Sigma(u32),
        }

        impl DetectorId {
            /// The built-in detectors, in registry order (the engine's order).
            pub const ALL: [DetectorId; [$(stringify!($variant)),*].len()] =
                [$(DetectorId::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(DetectorId::$variant => stringify!($module),)*
                    DetectorId::Sigma(n) => key(n),
                }
            }
        }
    };
}
registry!(ids);

impl DetectorId {
    /// The detector named `s`; `sigma:<rule id>` names a Sigma rule (a rule
    /// not loaded now gets a placeholder entry, so its verdicts still read).
    pub fn from_name(s: &str) -> Option<DetectorId> {
        DetectorId::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .or_else(|| intern_name(s).map(DetectorId::Sigma))
    }

    /// The Sigma rule behind this detector, if it is one.
    pub fn sigma_rule(self) -> Option<&'static RuleMeta> {
        match self {
            DetectorId::Sigma(n) => get(n),
            _ => None,
        }
    }
}

/// Written by name (`password_spray`), as in the config and the case.
impl Serialize for DetectorId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DetectorId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(d)?;
        DetectorId::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown detector `{name}`")))
    }
}

impl fmt::Display for DetectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The usual mapping from a 0–100 risk score.
    pub fn from_risk(risk: u8) -> Severity {
        match risk {
            90.. => Severity::Critical,
            70..=89 => Severity::High,
            40..=69 => Severity::Medium,
            _ => Severity::Low,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn from_name(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s.to_ascii_lowercase())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// The table of loaded Sigma rules. Entries are interned by rule id and never
// removed (a process loads its rules once; reloading a rule with the same id
// replaces its entry in place and keeps its number). A verdict or allowlist
// entry that names a rule not loaded now still reads back: [`intern_name`]
// adds a placeholder entry for it.

/// What an analyst sees about one loaded rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleMeta {
    /// `sigma:<rule id>`: the detector name in findings, verdicts and reports.
    pub key: &'static str,
    /// The rule's own id (its UUID, or its title when it has none).
    pub id: String,
    pub title: String,
    pub description: String,
    /// The rule's `level` as written (`informational` … `critical`).
    pub level: String,
    pub severity: Severity,
    pub risk: u8,
    pub tags: Vec<String>,
    /// ATT&CK technique/tactic ids from the tags (`T1110.003`, `TA0006`).
    pub attack: Vec<String>,
    /// The correlation type for correlation rules (`event_count`, …).
    pub correlation: Option<String>,
    /// The file the rule came from (empty for a placeholder).
    pub file: String,
}

#[derive(Default)]
struct Table {
    rules: Vec<&'static RuleMeta>,
    by_id: HashMap<String, u32>,
}

fn table() -> &'static RwLock<Table> {
    static TABLE: OnceLock<RwLock<Table>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// The `sigma:` prefix of every Sigma detector name.
pub const PREFIX: &str = "sigma:";

/// Interns `meta` (its `key` is filled in here) and returns its number.
pub fn intern(mut meta: RuleMeta) -> u32 {
    let Ok(mut t) = table().write() else {
        return u32::MAX;
    };
    if let Some(&n) = t.by_id.get(&meta.id) {
        if let Some(slot) = t.rules.get_mut(n as usize) {
            meta.key = slot.key;
            if **slot != meta {
                *slot = Box::leak(Box::new(meta));
            }
        }
        return n;
    }
    meta.key = Box::leak(format!("{PREFIX}{}", meta.id).into_boxed_str());
    let n = t.rules.len() as u32;
    t.by_id.insert(meta.id.clone(), n);
    t.rules.push(Box::leak(Box::new(meta)));
    n
}

/// The number of the rule named `sigma:<id>`, adding a placeholder entry
/// when no rule with that id is loaded. `None` when `name` is not a Sigma name.
pub fn intern_name(name: &str) -> Option<u32> {
    let id = name.strip_prefix(PREFIX)?.trim();
    if id.is_empty() {
        return None;
    }
    if let Some(n) = table().read().ok()?.by_id.get(id) {
        return Some(*n);
    }
    Some(intern(RuleMeta {
        key: "",
        id: id.to_string(),
        title: id.to_string(),
        description: String::new(),
        level: String::new(),
        severity: Severity::Medium,
        risk: 50,
        tags: Vec::new(),
        attack: Vec::new(),
        correlation: None,
        file: String::new(),
    }))
}

/// The entry numbered `n`.
pub fn get(n: u32) -> Option<&'static RuleMeta> {
    table().read().ok()?.rules.get(n as usize).copied()
}

/// The detector name of rule `n` (`sigma:?` for a number never handed out).
pub fn key(n: u32) -> &'static str {
    get(n).map_or("sigma:?", |m| m.key)
}
