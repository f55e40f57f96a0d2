//! Keeping a setting: the config file rewritten with `toml_edit`, so its
//! comments and layout stay, the changed key set under
//! `[detectors.<id>]` with a comment saying who changed what and when. The
//! result must load as a config, or nothing is written; the file is
//! replaced whole (written beside it, then renamed).

use super::settings::Setting;
use crate::config::Config;
use chrono::{DateTime, Utc};
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table};

/// The file's text with `settings` set, each with its comment.
pub fn edited(
    text: &str,
    settings: &[Setting],
    analyst: &str,
    at: DateTime<Utc>,
) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("the config is not TOML: {e}"))?;
    for s in settings {
        let value: toml_edit::Value = s
            .new
            .to_string()
            .parse()
            .map_err(|e| format!("{}: {e}", s.key))?;
        let detectors = doc
            .entry("detectors")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_mut()
            .ok_or("`detectors` in the config is not a table")?;
        let section = detectors
            .entry(s.detector.as_str())
            .or_insert_with(|| Item::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("`detectors.{}` in the config is not a table", s.detector))?;
        section.insert(&s.key, Item::Value(value));
        let said = format!(
            "{} {} → {}: set by {analyst} at {} (hunt :set)",
            s.key,
            s.old,
            s.new,
            at.format("%Y-%m-%d %H:%M UTC")
        );
        // One comment line, whatever the analyst's name holds.
        let said: String = crate::sanitize::clean(&said).replace(['\n', '\r'], " ");
        let comment = format!("# {said}\n");
        if let Some(mut key) = section.key_mut(&s.key) {
            key.leaf_decor_mut().set_prefix(comment);
        }
    }
    Ok(doc.to_string())
}

/// Writes `settings` into the config file at `path` (created if missing).
pub fn keep(
    path: &Path,
    settings: &[Setting],
    analyst: &str,
    at: DateTime<Utc>,
) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let out = edited(&text, settings, analyst, at)?;
    Config::from_toml(&out, path).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp = path.with_extension("toml.hunt-tmp");
    std::fs::write(&tmp, out).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_kept_setting_keeps_the_files_comments_and_says_who_and_when() {
        let text = "# my tuning\n[detectors.brute_force]\n# fail2ban's default\nwindow = \"10m\"\n\n[ui]\ntheme = \"default\"\n";
        let (_, s) = super::super::settings::apply_all(
            &Config::default(),
            &["brute_force.min_failures=5".into()],
        )
        .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 16, 55, 0).unwrap();
        let out = edited(text, &s, "alice", at).unwrap();
        assert!(
            out.starts_with(
                "# my tuning\n[detectors.brute_force]\n# fail2ban's default\nwindow = \"10m\"\n"
            ),
            "{out}"
        );
        assert!(out.contains("# min_failures 10 → 5: set by alice at 2026-12-07 16:55 UTC (hunt :set)\nmin_failures = 5\n"), "{out}");
        assert!(out.contains("[ui]\ntheme = \"default\""));
        let c = Config::from_toml(&out, Path::new("x.toml")).unwrap();
        assert_eq!(c.detectors.brute_force.min_failures, 5);
        // A file that does not exist yet gets the section.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("hunt").join("config.toml");
        keep(&p, &s, "bob", at).unwrap();
        let c = Config::from_toml(&std::fs::read_to_string(&p).unwrap(), &p).unwrap();
        assert_eq!(c.detectors.brute_force.min_failures, 5);
        // A file that is not TOML is left alone.
        std::fs::write(&p, "[[[").unwrap();
        assert!(keep(&p, &s, "bob", at).is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "[[[");
    }
}
