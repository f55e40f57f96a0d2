//! What a detector is, said once, in the detector's own file: a
//! [`Description`] holds its short name, measured cost, what its findings are
//! about, how to build it from the config, its rule in words with the
//! thresholds in force, and the threshold checks read from its *typed*
//! details. The registry (`detect/mod.rs`) lists one description per
//! detector; the TUI's "why it fired", the tables and the Markdown report read
//! only [`About`], so they render any detector, including one whose meaning
//! comes from data (a Sigma rule) rather than from a built-in description.
//! This file holds no detector logic and never matches on a detector id.

use super::Detector;
use crate::config::Config;
use crate::finding::Finding;
use serde_json::Value;

/// What a detector's findings are about (their stable id derives from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    /// A user account (`user` is the entity; `ip` is context).
    User,
    /// A source IP (`ip` is the entity; `user` is a related identity).
    Ip,
    /// A network (AS number or prefix); `ip` is its busiest address.
    Network,
    /// Something else named in the title (an access key, a session).
    Other,
}

/// What a finding says happened, for incident titles and their story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Someone got, or tried to get, in (sign-in findings).
    Access,
    /// Something done with the access (mail rules, sending, cloud recon).
    Action,
}

/// What a detector's findings do in an incident (read by `incident/`; no
/// incident code names a detector).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// One source failing for many accounts (the spray family): the
    /// `spray_success` rule links it to later findings of the users that
    /// signed in from it (its details' `successful_user_list`) or from its
    /// source, and an IP it calls shared egress links nothing.
    Spray,
    /// A success after failures (credential stuffing): titles say so.
    SuccessAfterFailures,
    /// A mailbox rule: titled "forwarding rule" when it forwards mail.
    Mailbox,
    /// Any other step of a chain, told by its [`Stage`].
    Step,
}

/// How a measured value is compared with its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// Fires at `value >= limit` (a minimum).
    AtLeast,
    /// Fires at `value > limit` (a maximum exceeded).
    Above,
}

impl Cmp {
    pub fn crossed(self, value: f64, limit: f64) -> bool {
        match self {
            Cmp::AtLeast => value >= limit,
            Cmp::Above => value > limit,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::AtLeast => "≥",
            Cmp::Above => ">",
        }
    }
}

/// One threshold and the finding's value for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The details key the value is read from (as shown).
    pub key: &'static str,
    pub value: f64,
    pub cmp: Cmp,
    /// The config key of the threshold.
    pub name: &'static str,
    pub limit: f64,
}

impl Check {
    /// `failed_users 8 ≥ min_users 5` (integers without a fraction).
    pub fn text(&self) -> String {
        let num = |v: f64| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        };
        format!(
            "{} {} {} {} {}",
            self.key,
            num(self.value),
            self.cmp.symbol(),
            self.name,
            num(self.limit)
        )
    }
}

/// A built-in detector, described by its own file.
pub struct Description {
    /// The name for narrow tables (`spray`, `travel`).
    pub short: &'static str,
    /// What it found, in words for incident titles (`password spray`).
    pub label: &'static str,
    pub stage: Stage,
    /// Milliseconds the detector adds to the detection pass on the 1.1 GB
    /// bench file (BENCHMARKS.md): how the engine balances its two threads.
    pub cost: u32,
    pub entity: Entity,
    /// Whether the config enables it.
    pub enabled: fn(&Config) -> bool,
    /// The detector, configured.
    pub build: fn(&Config) -> Box<dyn Detector>,
    /// The rule in words, with the thresholds in force.
    pub rule: fn(&Config) -> String,
    /// The thresholds crossed, read from the finding's details through the
    /// detector's own details type (none when the details are not its type).
    pub checks: fn(&Value, &Config) -> Vec<Check>,
    /// Lines (label, text) to show for a details key instead of its value
    /// as text (`None`: the value as text).
    pub explain: Explain,
    /// The risk, from the config, of a finding known only by its outline (a
    /// lake query's result row), and the config key it came from.
    pub risk: fn(&Config, &Outline) -> (u8, &'static str),
    /// What its config section (`[detectors.<id>]`, in its `settings.rs`) sets.
    pub settings: &'static str,
    /// What its findings do when findings are grouped into incidents.
    pub role: Role,
    /// Other detectors' config sections its `build` reads besides its own
    /// (the spray family takes `password_spray`'s lists): a change there
    /// re-runs it too ([`affected_by`]).
    pub reads: &'static [crate::ident::DetectorId],
    /// Its lake queries, one per dialect (beside it: `spark.rs`, `kql.rs`, `esql.rs`).
    pub lake: Lake,
    /// How `hunt why` measures its closest approach to firing.
    pub near: Near,
}

/// The built-in detectors whose findings can differ between `base` and
/// `changed`: enabled under either, with their own config section or one
/// they [`Description::reads`] changed. A settings change re-runs only
/// these; every other detector would find exactly what it found.
pub fn affected_by(base: &Config, changed: &Config) -> Vec<crate::ident::DetectorId> {
    let sections = |c: &Config| toml::Value::try_from(&c.detectors).ok();
    let (a, b) = (sections(base), sections(changed));
    let differs = |id: crate::ident::DetectorId| match (&a, &b) {
        (Some(a), Some(b)) => a.get(id.as_str()) != b.get(id.as_str()),
        // Unreadable as TOML: assume everything changed.
        _ => true,
    };
    crate::ident::DetectorId::ALL
        .into_iter()
        .filter_map(|id| id.description().map(|d| (id, d)))
        .filter(|(_, d)| (d.enabled)(base) || (d.enabled)(changed))
        .filter(|(id, d)| differs(*id) || d.reads.iter().any(|r| differs(*r)))
        .map(|(id, _)| id)
        .collect()
}

/// How close a detector came to firing for an entity (`hunt why`, read by
/// `detect::why`): its thresholds as a windowed count, or why it has none.
#[derive(Clone, Copy)]
pub enum Near {
    /// Its thresholds are a count in a sliding window (its lake shape), named
    /// by their config keys.
    Windowed(fn(&Config) -> Approach),
    /// Why no closest approach is measured (it fires on one record, or on a
    /// sequence no count describes).
    None(&'static str),
}

/// A windowed count's thresholds in the detector's own terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Approach {
    /// What is counted, by what key, with the limits and window in force.
    pub shape: crate::lake::shape::WindowedCount,
    /// Config key and noun of `shape.min_events` (`min_failures`, `failures`).
    pub events: (&'static str, &'static str),
    /// Config key and noun of `shape.min_users` (`min_users`, `users`).
    pub users: (&'static str, &'static str),
}

/// A query's text and the caveats of what it does not do as the detector does.
pub type QueryFn = fn(&Config) -> (String, Vec<String>);

/// A detector in one lake dialect: its query, or why it has none.
#[derive(Clone, Copy)]
pub enum LakeQuery {
    Query(QueryFn),
    /// Why the dialect cannot say it (printed by `hunt rules`' completeness checks).
    None(&'static str),
}

/// A detector's queries in each dialect `hunt rules` prints.
pub struct Lake {
    pub spark_sql: LakeQuery,
    pub kql: LakeQuery,
    pub esql: LakeQuery,
}

/// What a lake query's row says of a finding: enough to choose among the
/// detector's configured risks (`hunt case import-results`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// The row is marked suppressed (shared egress).
    pub suppressed: bool,
    /// The row names a user who signed in successfully (the spray family
    /// names its first successful user).
    pub success: bool,
}

/// See [`Description::explain`].
pub type Explain = fn(&str, &Value) -> Option<Vec<(String, String)>>;

/// Every details value shown as text.
pub fn plain(_: &str, _: &Value) -> Option<Vec<(String, String)>> {
    None
}

/// A detector with no numeric threshold (a match on the record decides).
pub fn no_checks(_: &Value, _: &Config) -> Vec<Check> {
    Vec::new()
}

/// What the renderers know about a finding's detector: from its built-in
/// description, or (no description: a rule from data) from the finding.
#[derive(Clone, Debug)]
pub struct About {
    pub short: String,
    pub entity: Entity,
    pub rule: String,
    pub checks: Vec<Check>,
    pub explain: Explain,
}

impl About {
    pub fn of(f: &Finding, config: &Config) -> About {
        match f.detector.description() {
            Some(d) => About {
                short: d.short.to_string(),
                entity: d.entity,
                rule: (d.rule)(config),
                checks: (d.checks)(&f.details, config),
                explain: d.explain,
            },
            None => About::from_data(f),
        }
    }

    /// A detector without a built-in description: its rule text is the
    /// finding's `details.rule` (or `details.description`, else the title).
    fn from_data(f: &Finding) -> About {
        let text = |k: &str| f.details.get(k).and_then(Value::as_str);
        About {
            short: f.detector.to_string(),
            entity: if f.user.is_some() || f.ip.is_none() {
                Entity::User
            } else {
                Entity::Ip
            },
            rule: text("rule")
                .or_else(|| text("description"))
                .unwrap_or(&f.title)
                .to_string(),
            checks: Vec::new(),
            explain: plain,
        }
    }

    /// The rule and the checks as one line of plain text (for Markdown).
    pub fn why_text(&self) -> String {
        let mut out = self.rule.clone();
        let checks: Vec<String> = self.checks.iter().map(Check::text).collect();
        if !checks.is_empty() {
            out.push_str(&format!(" Values: {}.", checks.join("; ")));
        }
        out
    }

    /// The entity a finding is about, for display (user, else IP; IP first
    /// for IP and network findings).
    pub fn entity_of(entity: Entity, f: &Finding) -> Option<&str> {
        let (user, ip) = (f.user.as_deref(), f.ip.as_deref());
        match entity {
            // A network finding names its network (`AS212238`, a prefix).
            Entity::Network => f
                .details
                .get("network")
                .and_then(|v| v.as_str())
                .or(ip)
                .or(user),
            Entity::Ip => ip.or(user),
            Entity::User | Entity::Other => user.or(ip),
        }
    }
}

/// The typed details of a finding, when they are `T`'s shape.
pub fn typed<T: serde::de::DeserializeOwned>(details: &Value) -> Option<T> {
    serde_json::from_value(details.clone()).ok()
}

/// Details as JSON, derived from the typed struct (never fails for the
/// plain structs detectors use; `Null` if it ever did).
pub fn to_details<T: serde::Serialize>(details: &T) -> Value {
    serde_json::to_value(details).unwrap_or(Value::Null)
}

/// A minimum-style check.
pub fn at_least(key: &'static str, value: f64, name: &'static str, limit: f64) -> Check {
    Check {
        key,
        value,
        cmp: Cmp::AtLeast,
        name,
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{DetectorId, Finding};
    use serde_json::json;

    #[test]
    fn reads_names_every_other_section_a_detector_builds_from() {
        // Read from the source: the sections `build` names besides the
        // detector's own must be in `reads`, or a change there would not
        // re-run it (`affected_by`).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for d in DetectorId::ALL {
            let path = root.join(format!("src/detect/{}/mod.rs", d.as_str()));
            let text = std::fs::read_to_string(&path).unwrap();
            let start = text.find("    build: |c|").unwrap();
            let end = start + text[start..].find("\n    rule").unwrap();
            let mut named: Vec<String> = text[start..end]
                .split("c.detectors.")
                .skip(1)
                .map(|r| {
                    r.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect()
                })
                .filter(|n: &String| n != d.as_str())
                .collect();
            named.sort();
            named.dedup();
            let mut reads: Vec<String> = d
                .description()
                .unwrap()
                .reads
                .iter()
                .map(|r| r.as_str().to_string())
                .collect();
            reads.sort();
            assert_eq!(
                named, reads,
                "{d}: `reads` must list the sections its build reads"
            );
        }
    }

    #[test]
    fn a_setting_reaches_its_detector_and_those_that_read_its_section() {
        let base = Config::default();
        assert!(affected_by(&base, &base).is_empty());
        let mut c = base.clone();
        c.detectors.brute_force.min_failures += 1;
        assert_eq!(affected_by(&base, &c), vec![DetectorId::BruteForce]);
        let mut c = base.clone();
        c.detectors.password_spray.min_users += 1;
        let got = affected_by(&base, &c);
        for id in [
            DetectorId::PasswordSpray,
            DetectorId::SlowSpray,
            DetectorId::DistributedSpray,
        ] {
            assert!(got.contains(&id), "{id} reads password_spray: {got:?}");
        }
        assert_eq!(got.len(), 3, "{got:?}");
        // Every section key is the detector's name, so nothing is missed.
        let table = toml::Value::try_from(&base.detectors).unwrap();
        for d in DetectorId::ALL {
            assert!(table.get(d.as_str()).is_some(), "[detectors.{d}]");
        }
    }

    #[test]
    fn every_builtin_is_described_and_builds() {
        let config = Config::default();
        for d in DetectorId::ALL {
            let desc = d
                .description()
                .expect("built-in detectors have a description");
            assert_eq!((desc.build)(&config).id(), d, "{d} builds itself");
            assert!(!(desc.rule)(&config).is_empty());
            assert!(!desc.short.is_empty() && desc.cost > 0);
        }
    }

    #[test]
    fn details_of_another_shape_give_no_checks_rather_than_wrong_ones() {
        let config = Config::default();
        let mut f = Finding::new(DetectorId::PasswordSpray, "1.2.3.4", 0, 60, "t".into());
        f.details = json!({"failed_users": "many"});
        assert!(About::of(&f, &config).checks.is_empty());
    }

    #[test]
    fn a_finding_without_a_description_renders_from_its_details() {
        // What a rule loaded from data (Sigma) gives the renderers.
        let mut f = Finding::new(DetectorId::BulkSend, "x", 0, 50, "Title".into());
        f.ip = Some("192.0.2.1".into());
        f.details = json!({"rule": "Encoded PowerShell from an Office app"});
        let a = About::from_data(&f);
        assert_eq!(a.rule, "Encoded PowerShell from an Office app");
        assert_eq!((a.short.as_str(), a.entity), ("bulk_send", Entity::Ip));
        assert!(a.checks.is_empty());
        f.details = json!({});
        assert_eq!(About::from_data(&f).rule, "Title");
    }
}
