//! `DETECTOR.SETTING=VALUE` (`hunt scan --set`, the workbench's `:set`): one
//! detector setting changed by its TOML path in the config
//! (`[detectors.brute_force] min_failures`), the value read as TOML and
//! checked against the setting's type and range by the detector's own
//! typed settings (`src/detect/NAME/settings.rs`), never by a list here.

use crate::config::{Config, DetectorsConfig};
use crate::finding::DetectorId;
use std::fmt;

/// One setting changed: where, from what, to what.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub detector: DetectorId,
    pub key: String,
    pub old: toml::Value,
    pub new: toml::Value,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} {} → {}",
            self.detector, self.key, self.old, self.new
        )
    }
}

/// The settings of one detector, by name, with their values in `config`.
pub fn settings_of(config: &Config, detector: DetectorId) -> Vec<(String, toml::Value)> {
    let Ok(toml::Value::Table(all)) = toml::Value::try_from(&config.detectors) else {
        return Vec::new();
    };
    match all.get(detector.as_str()) {
        Some(toml::Value::Table(t)) => t.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

/// Splits `brute_force.min_failures=5` (a leading `detectors.` allowed).
pub fn parse_assignment(spec: &str) -> Result<(String, String, String), String> {
    let (path, value) = spec
        .split_once('=')
        .ok_or_else(|| format!("`{spec}`: write DETECTOR.SETTING=VALUE"))?;
    let (detector, key) = split_path(path)?;
    Ok((detector, key, value.trim().to_string()))
}

/// Splits `brute_force.min_failures` (a leading `detectors.` allowed).
pub fn split_path(path: &str) -> Result<(String, String), String> {
    let path = path.trim();
    let path = path.strip_prefix("detectors.").unwrap_or(path);
    let (d, k) = path.split_once('.').ok_or_else(|| {
        format!("`{path}`: write DETECTOR.SETTING (e.g. brute_force.min_failures)")
    })?;
    Ok((d.trim().to_string(), k.trim().to_string()))
}

/// A value as TOML (`5`, `"10m"`, `true`, `["a", "b"]`); a bare word is a string.
fn read_value(text: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {text}")) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(text.into())),
        Err(_) => toml::Value::String(text.to_string()),
    }
}

/// Whether `new` may replace `old` (same TOML type; an integer for a float).
fn same_type(old: &toml::Value, new: &toml::Value) -> bool {
    use toml::Value::*;
    matches!(
        (old, new),
        (Integer(_), Integer(_))
            | (Float(_), Float(_) | Integer(_))
            | (String(_), String(_))
            | (Boolean(_), Boolean(_))
            | (Array(_), Array(_))
            | (Table(_), Table(_))
            | (Datetime(_), Datetime(_))
    )
}

/// `an integer`, `a string`.
fn type_name(v: &toml::Value) -> String {
    let t = v.type_str();
    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}")
}

/// `config` with `detector.key` set to `value`, checked by the detector's
/// typed settings; an unknown detector or setting names the valid ones.
pub fn apply(
    config: &Config,
    detector: &str,
    key: &str,
    value: &str,
) -> Result<(Config, Setting), String> {
    let id = DetectorId::from_name(detector)
        .filter(|d| d.description().is_some())
        .ok_or_else(|| {
            let names: Vec<&str> = DetectorId::ALL.iter().map(|d| d.as_str()).collect();
            format!(
                "unknown detector `{detector}`; use one of: {}",
                names.join(", ")
            )
        })?;
    let toml::Value::Table(mut all) = toml::Value::try_from(&config.detectors)
        .map_err(|e| format!("cannot read the settings: {e}"))?
    else {
        return Err("cannot read the settings".into());
    };
    let Some(toml::Value::Table(section)) = all.get_mut(id.as_str()) else {
        return Err(format!("[detectors.{id}] has no settings"));
    };
    let valid: Vec<String> = section.keys().cloned().collect();
    let old = section.get(key).cloned().ok_or_else(|| {
        format!(
            "{id} has no setting `{key}`; its settings: {}",
            valid.join(", ")
        )
    })?;
    let new = read_value(value);
    if !same_type(&old, &new) {
        return Err(format!(
            "{id}.{key} takes {} (now {old}); `{value}` is {}",
            type_name(&old),
            type_name(&new)
        ));
    }
    section.insert(key.to_string(), new.clone());
    let detectors: DetectorsConfig = toml::Value::Table(all)
        .try_into()
        .map_err(|e: toml::de::Error| format!("{id}.{key} = {new}: {}", e.message().trim()))?;
    let mut out = config.clone();
    out.detectors = detectors;
    out.validate()
        .map_err(|e| format!("{id}.{key} = {new}: {e}"))?;
    Ok((
        out,
        Setting {
            detector: id,
            key: key.to_string(),
            old,
            new,
        },
    ))
}

/// `config` with every `DETECTOR.SETTING=VALUE` of `specs` applied, in order.
pub fn apply_all(config: &Config, specs: &[String]) -> Result<(Config, Vec<Setting>), String> {
    let mut out = config.clone();
    let mut settings = Vec::new();
    for spec in specs {
        let (d, k, v) = parse_assignment(spec)?;
        let (next, s) = apply(&out, &d, &k, &v)?;
        out = next;
        settings.push(s);
    }
    Ok((out, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(spec: &str) -> Result<(Config, Setting), String> {
        let (d, k, v) = parse_assignment(spec)?;
        apply(&Config::default(), &d, &k, &v)
    }

    #[test]
    fn a_setting_is_set_by_its_toml_path_and_type() {
        let (c, s) = set("brute_force.min_failures=5").unwrap();
        assert_eq!(c.detectors.brute_force.min_failures, 5);
        assert_eq!(s.to_string(), "brute_force.min_failures 10 → 5");
        let (c, _) = set("detectors.password_spray.window=\"30m\"").unwrap();
        assert_eq!(c.detectors.password_spray.window.to_string(), "30m");
        // A bare word is a string.
        let (c, _) = set("password_spray.window=1h").unwrap();
        assert_eq!(c.detectors.password_spray.window.to_string(), "1h");
        let (c, _) = set("brute_force.enabled=false").unwrap();
        assert!(!c.detectors.brute_force.enabled);
    }

    #[test]
    fn wrong_names_types_and_ranges_are_errors_that_say_what_is_valid() {
        let e = set("brute_force.min_fails=5").unwrap_err();
        assert!(
            e.contains("no setting `min_fails`")
                && e.contains("enabled, min_failures, risk, window"),
            "{e}"
        );
        let e = set("brute.min_failures=5").unwrap_err();
        assert!(
            e.contains("unknown detector `brute`") && e.contains("brute_force"),
            "{e}"
        );
        let e = set("brute_force.min_failures=many").unwrap_err();
        assert!(
            e.contains("takes an integer (now 10); `many` is a string"),
            "{e}"
        );
        let e = set("brute_force.min_failures=0").unwrap_err();
        assert!(e.contains("brute_force.min_failures = 0"), "{e}");
        let e = set("brute_force.risk=250").unwrap_err();
        assert!(e.contains("risk"), "{e}");
        let e = set("brute_force.window=soon").unwrap_err();
        assert!(e.contains("window"), "{e}");
        assert!(set("brute_force=5").is_err() && set("brute_force.min_failures").is_err());
    }
}
