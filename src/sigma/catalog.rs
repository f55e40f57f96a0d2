//! What a Sigma rule's data means for hunt: the severity and risk of a
//! `level`, the ATT&CK ids of its tags. The process-wide table of loaded
//! rules that [`DetectorId::Sigma`] indexes lives in the identity leaf
//! ([`crate::ident`]) and is re-exported here.
//!
//! [`DetectorId::Sigma`]: crate::ident::DetectorId::Sigma

use crate::ident::Severity;
pub use crate::ident::{get, intern, intern_name, key, RuleMeta, PREFIX};

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
