//! The import rules of the core, read from the source files: the identity
//! leaf (`src/ident.rs`) imports nothing of the crate, and the files that
//! used to import one another in a circle (findings, the detector registry,
//! the Sigma rule table, the config) now only point down at the leaf.

use std::path::Path;

/// The code lines of a source file (comments and the test module left out).
fn code(path: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// The lines of `path` that name any of `paths`.
fn naming(path: &str, paths: &[&str]) -> Vec<String> {
    code(path)
        .into_iter()
        .filter(|(_, l)| paths.iter().any(|p| l.contains(p)))
        .map(|(n, l)| format!("{path}:{n}: {}", l.trim()))
        .collect()
}

#[test]
fn the_identity_leaf_imports_nothing_of_the_crate() {
    let bad = naming("src/ident.rs", &["crate::", "super::"]);
    assert!(
        bad.is_empty(),
        "the leaf must stay a leaf:\n{}",
        bad.join("\n")
    );
    // The check reads what it should: the leaf defines what it is for.
    let text = code("src/ident.rs")
        .into_iter()
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    for item in [
        "enum DetectorId",
        "enum Severity",
        "struct RuleMeta",
        "fn intern(",
    ] {
        assert!(text.contains(item), "ident.rs defines {item}");
    }
}

#[test]
fn the_core_circle_is_gone() {
    // finding.rs ↔ detect/mod.rs ↔ sigma/catalog.rs ↔ config.rs imported one
    // another; each now reaches identity through the leaf only.
    for (file, forbidden) in [
        (
            "src/finding.rs",
            &["crate::detect", "crate::sigma", "crate::config"][..],
        ),
        (
            "src/sigma/catalog.rs",
            &["crate::finding", "crate::detect", "crate::config"][..],
        ),
        ("src/config.rs", &["crate::finding", "crate::sigma"][..]),
    ] {
        let bad = naming(file, forbidden);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
