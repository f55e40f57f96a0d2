//! Sigma rules: loading rule files and folders ([`load`]), routing each hunt
//! source to the rules of its Sigma logsource ([`fields`]), evaluating them
//! at ingest on every raw record ([`ingest`]), turning matches and
//! correlation firings into findings ([`detector`]) and saying which rules
//! could not fire on what was read ([`report`]). Each loaded rule is a detector of its own,
//! `sigma:<rule id>`, through the interned [`catalog`].

pub mod catalog;
pub mod detector;
pub mod fields;
pub mod ingest;
pub mod load;
pub mod report;

use crate::finding::DetectorId;

/// "Why it fired" for a Sigma detector: the rule's title, level, file,
/// description, ATT&CK ids and tags (the matched fields are in the details).
pub fn describe(d: DetectorId) -> String {
    let Some(m) = d.sigma_rule() else {
        return format!("Sigma rule {d} (not loaded in this run).");
    };
    let mut s = match &m.correlation {
        Some(kind) => format!("Sigma {kind} correlation “{}”", m.title),
        None => format!("Sigma rule “{}”", m.title),
    };
    if !m.level.is_empty() {
        s.push_str(&format!(", level {}", m.level));
    }
    if !m.file.is_empty() {
        s.push_str(&format!(", from {}", m.file));
    }
    s.push('.');
    if !m.description.is_empty() {
        s.push(' ');
        s.push_str(&m.description);
    }
    if !m.attack.is_empty() {
        s.push_str(&format!(" ATT&CK: {}.", m.attack.join(", ")));
    }
    let other: Vec<&str> = m
        .tags
        .iter()
        .map(String::as_str)
        .filter(|t| !t.starts_with("attack.t"))
        .collect();
    if !other.is_empty() {
        s.push_str(&format!(" Tags: {}.", other.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::catalog::{self, RuleMeta};
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn why_it_fired_names_title_level_file_description_and_attack() {
        let tags: Vec<String> = ["attack.credential-access", "attack.t1110.003", "cloud"]
            .map(String::from)
            .to_vec();
        let n = catalog::intern(RuleMeta {
            key: "",
            id: "describe-test".into(),
            title: "Spray from one address".into(),
            description: "Many users fail from one IP.".into(),
            level: "high".into(),
            severity: Severity::High,
            risk: 75,
            attack: catalog::attack_ids(&tags),
            tags,
            correlation: Some("value_count".into()),
            file: "rules/spray.yml".into(),
        });
        let text = describe(DetectorId::Sigma(n));
        assert_eq!(
            text,
            "Sigma value_count correlation “Spray from one address”, level high, from \
             rules/spray.yml. Many users fail from one IP. ATT&CK: T1110.003. \
             Tags: attack.credential-access, cloud."
        );
        assert_eq!(DetectorId::Sigma(n).to_string(), "sigma:describe-test");
        assert_eq!(
            DetectorId::from_name("sigma:describe-test"),
            Some(DetectorId::Sigma(n))
        );
        let json = serde_json::to_string(&DetectorId::Sigma(n)).unwrap();
        assert_eq!(json, "\"sigma:describe-test\"");
        let back: DetectorId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, DetectorId::Sigma(n));
        let built_in: DetectorId = serde_json::from_str("\"password_spray\"").unwrap();
        assert_eq!(built_in, DetectorId::PasswordSpray);
    }
}
