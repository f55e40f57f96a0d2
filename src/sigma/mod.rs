//! Sigma rules: loading rule files and folders ([`load`]), routing each hunt
//! source to the rules of its Sigma logsource and answering the rules' field
//! names from the normalized event or the raw record ([`fields`],
//! [`record`], [`raw`]), and turning matches and correlation firings into
//! findings ([`detector`]). Each loaded rule is a detector of its own,
//! `sigma:<rule id>`, through the interned [`catalog`].

pub mod catalog;
pub mod detector;
pub mod fields;
pub mod load;
pub mod raw;
pub mod record;

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
