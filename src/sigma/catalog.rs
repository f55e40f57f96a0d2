//! The process-wide table of loaded Sigma rules that [`DetectorId::Sigma`]
//! indexes, so a detector id stays a small `Copy` value however many rules
//! are loaded. Entries are interned by rule id and never removed (a process
//! loads its rules once; reloading a rule with the same id replaces its
//! entry in place and keeps its number). A verdict or allowlist entry that
//! names a rule not loaded now still reads back: [`intern_name`] adds a
//! placeholder entry for it.
//!
//! [`DetectorId::Sigma`]: crate::finding::DetectorId::Sigma

use crate::finding::Severity;
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

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

/// Severity and 0–100 risk for a Sigma `level`.
pub fn level_risk(level: &str) -> (Severity, u8) {
    match level.to_ascii_lowercase().as_str() {
        "critical" => (Severity::Critical, 90),
        "high" => (Severity::High, 75),
        "medium" => (Severity::Medium, 50),
        "low" => (Severity::Low, 30),
        _ => (Severity::Low, 10),
    }
}

/// ATT&CK ids named by Sigma tags (`attack.t1110.003` → `T1110.003`, `attack.ta0006` → `TA0006`).
pub fn attack_ids(tags: &[String]) -> Vec<String> {
    tags.iter()
        .filter_map(|t| t.strip_prefix("attack."))
        .filter(|t| {
            let mut c = t.chars();
            c.next().is_some_and(|c| c.eq_ignore_ascii_case(&'t'))
                && t.chars()
                    .skip(1)
                    .find(|c| !c.eq_ignore_ascii_case(&'a'))
                    .is_some_and(|c| c.is_ascii_digit())
        })
        .map(|t| t.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_keeps_numbers_and_placeholders_resolve() {
        let meta = |title: &str| RuleMeta {
            key: "",
            id: "catalog-test-1".into(),
            title: title.into(),
            description: String::new(),
            level: "high".into(),
            severity: Severity::High,
            risk: 75,
            tags: vec![],
            attack: vec![],
            correlation: None,
            file: "a.yml".into(),
        };
        let n = intern(meta("one"));
        assert_eq!(key(n), "sigma:catalog-test-1");
        assert_eq!(intern(meta("two")), n, "same id, same number");
        assert_eq!(get(n).map(|m| m.title.as_str()), Some("two"));
        assert_eq!(intern_name("sigma:catalog-test-1"), Some(n));
        let p = intern_name("sigma:not-loaded-here").unwrap();
        assert_ne!(p, n);
        assert_eq!(key(p), "sigma:not-loaded-here");
        assert_eq!(intern_name("password_spray"), None);
        assert_eq!(intern_name("sigma:"), None);
        assert_eq!(key(u32::MAX - 1), "sigma:?");
    }

    #[test]
    fn attack_ids_from_tags() {
        let tags: Vec<String> = [
            "attack.credential-access",
            "attack.t1110.003",
            "attack.ta0006",
            "cve.2021-1",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(attack_ids(&tags), vec!["T1110.003", "TA0006"]);
        assert_eq!(level_risk("HIGH"), (Severity::High, 75));
        assert_eq!(level_risk("informational"), (Severity::Low, 10));
    }
}
