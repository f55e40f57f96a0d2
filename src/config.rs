//! The TOML configuration (SPEC §7): detector thresholds and lists,
//! enrichment paths, the theme, and hand-written allowlist entries. Built-in
//! defaults come from the seeds; a user file overrides any part of them.
//! Unknown keys are errors that name the key and line.

use serde::{Deserialize, Deserializer, Serialize};
use std::path::{Path, PathBuf};

pub mod value;
pub use value::Span;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub ingest: IngestConfig,
    pub detectors: DetectorsConfig,
    pub geoip: GeoipConfig,
    pub ui: UiConfig,
    /// Sigma rule files and folders loaded with the built-in detectors.
    pub sigma: SigmaConfig,
    /// How findings are grouped into incidents (see [`IncidentsConfig`]).
    pub incidents: IncidentsConfig,
    /// The case (triage store): who records verdicts, notes and entries.
    pub case: CaseConfig,
    /// Allowlist entries written by hand (SPEC §8); they apply like case entries.
    #[serde(rename = "allow", skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<AllowConfig>,
    /// How `kafka://` inputs connect and where they start.
    pub kafka: crate::ingest::kafka::KafkaConfig,
    /// What `syslog+tls://` inputs serve with (certificate, key, client CA).
    pub syslog: crate::ingest::live::settings::SyslogConfig,
}

/// `[case]`: the analyst's name recorded in the case (default: `$USER`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CaseConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analyst: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Lines longer than this are skipped and counted as "line too long".
    #[serde(deserialize_with = "line_floor")]
    pub max_line_bytes: usize,
    /// Year for syslog lines without one (`--year` overrides it); 0 guesses it
    /// from the file's modification time and says so once per input.
    pub syslog_year: i32,
    /// A compressed input that expands to more than this stops there (one problem).
    pub max_decompressed_bytes: u64,
    /// A compressed input that expands more than this many times (past its
    /// first 8 MiB) stops there (one problem): a decompression bomb.
    pub max_compression_ratio: u64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        let limits = crate::ingest::read::Limits::default();
        IngestConfig {
            max_line_bytes: 4 * 1024 * 1024,
            syslog_year: 0,
            max_decompressed_bytes: limits.max_decompressed,
            max_compression_ratio: limits.max_ratio,
        }
    }
}

impl IngestConfig {
    /// The caps on compressed inputs.
    pub fn limits(&self) -> crate::ingest::read::Limits {
        crate::ingest::read::Limits {
            max_decompressed: self.max_decompressed_bytes,
            max_ratio: self.max_compression_ratio,
        }
    }
}

// Each detector's settings live in its folder; the config composes them.
pub use crate::detect::brute_force::settings::BruteForceConfig;
pub use crate::detect::bulk_send::settings::BulkSendConfig;
pub use crate::detect::cloud_recon::settings::CloudReconConfig;
pub use crate::detect::credential_stuffing::settings::StuffingConfig;
pub use crate::detect::distributed_spray::settings::DistributedSprayConfig;
pub use crate::detect::hosting_asn::settings::HostingConfig;
pub use crate::detect::identity_risk::settings::RiskConfig;
pub use crate::detect::impossible_travel::settings::TravelConfig;
pub use crate::detect::inbox_rule::settings::InboxRuleConfig;
pub use crate::detect::legacy_auth::settings::LegacyConfig;
pub use crate::detect::mfa_fatigue::settings::MfaFatigueConfig;
pub use crate::detect::new_country::settings::NewCountryConfig;
pub use crate::detect::password_spray::settings::SprayConfig;
pub use crate::detect::session_anomaly::settings::SessionConfig;
pub use crate::detect::slow_spray::settings::SlowSprayConfig;
pub use crate::detect::suspicious_client::settings::SuspiciousClientConfig;
pub use crate::detect::user_enumeration::settings::EnumerationConfig;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorsConfig {
    pub credential_stuffing: StuffingConfig,
    pub password_spray: SprayConfig,
    pub impossible_travel: TravelConfig,
    pub hosting_asn: HostingConfig,
    pub identity_risk: RiskConfig,
    pub legacy_auth: LegacyConfig,
    pub inbox_rule: InboxRuleConfig,
    pub bulk_send: BulkSendConfig,
    pub cloud_recon: CloudReconConfig,
    pub session_anomaly: SessionConfig,
    pub user_enumeration: EnumerationConfig,
    pub mfa_fatigue: MfaFatigueConfig,
    pub suspicious_client: SuspiciousClientConfig,
    pub brute_force: BruteForceConfig,
    pub slow_spray: SlowSprayConfig,
    pub distributed_spray: DistributedSprayConfig,
    pub new_country: NewCountryConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GeoipConfig {
    /// MaxMind DB files or folders holding them.
    pub paths: Vec<PathBuf>,
}

/// `[sigma]`: Sigma rules (`--rules PATH` adds to `paths`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SigmaConfig {
    /// Rule files (`.yml`, `.yaml`) and folders walked for them.
    pub paths: Vec<PathBuf>,
    /// A detection rule's matches for one user (else IP) further apart than
    /// this start a new finding.
    pub burst_gap: Span,
}

impl Default for SigmaConfig {
    fn default() -> Self {
        SigmaConfig {
            paths: Vec::new(),
            burst_gap: Span::hours(1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// A theme name from `themes/` or a path to a theme file.
    pub theme: String,
    /// A keymap file overriding the built-in keys.
    pub keymap: Option<PathBuf>,
}

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            theme: "default".into(),
            keymap: None,
        }
    }
}

/// Grouping findings into incidents (`[incidents]`, issue 12). Two findings
/// belong together when a rule links them; an incident is a connected group.
/// A `[[incidents.rules]]` list in a user file replaces the default rules
/// (`hunt config` prints them to start from).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncidentsConfig {
    pub enabled: bool,
    /// An IP seen in findings of more than this many distinct users links
    /// nothing (a shared NAT or proxy must not glue a tenant together); an IP
    /// a spray-family finding calls shared egress links nothing either.
    pub max_ip_users: u32,
    /// Most findings in one incident: the earliest are kept, later ones stay alone.
    pub max_findings: u32,
    /// A finding at or above this severity that no rule groups with another
    /// is an incident of its own, so every such alert has an owner and a
    /// status (`off`: only groups are incidents).
    pub alone_from: AloneFrom,
    /// Internet background noise rolled into one incident per host and day
    /// (see [`BackgroundConfig`]).
    pub background: BackgroundConfig,
    pub rules: Vec<IncidentRule>,
}

/// `[incidents.background]`: failure-only findings of an internet-facing
/// host's scanners (sshd; no success from the address, only generic or
/// non-existent accounts, no second detector on it) are rolled into one
/// low-severity "background scanning" incident per source host and day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackgroundConfig {
    pub enabled: bool,
    /// Account names every scanner tries (compared without case); a failure
    /// for any other existing account keeps the address's findings apart.
    pub generic_names: Vec<String>,
}

impl Default for BackgroundConfig {
    fn default() -> Self {
        const NAMES: &[&str] = &[
            "root",
            "admin",
            "administrator",
            "test",
            "test1",
            "test2",
            "testuser",
            "user",
            "user1",
            "guest",
            "oracle",
            "postgres",
            "mysql",
            "ubuntu",
            "debian",
            "centos",
            "ec2-user",
            "pi",
            "ftp",
            "ftpuser",
            "git",
            "gitlab",
            "support",
            "nagios",
            "www",
            "www-data",
            "web",
            "deploy",
            "deployer",
            "hadoop",
            "jenkins",
            "tomcat",
            "ansible",
            "vagrant",
            "demo",
            "dev",
            "developer",
            "info",
            "backup",
            "operator",
            "service",
            "server",
            "sysadmin",
            "steam",
            "minecraft",
            "ts3",
            "teamspeak",
            "docker",
            "elastic",
            "es",
            "kafka",
            "redis",
            "zabbix",
            "odoo",
            "sftp",
            "ubnt",
            "default",
            "student",
            "temp",
            "office",
            "sales",
            "manager",
            "super",
            "system",
            "apache",
            "nginx",
        ];
        BackgroundConfig {
            enabled: true,
            generic_names: NAMES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// See [`IncidentsConfig::alone_from`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AloneFrom {
    Off,
    Low,
    Medium,
    High,
    Critical,
}

impl AloneFrom {
    /// The lowest severity that stands alone as an incident, if any.
    pub fn severity(self) -> Option<crate::ident::Severity> {
        use crate::ident::Severity;
        match self {
            AloneFrom::Off => None,
            AloneFrom::Low => Some(Severity::Low),
            AloneFrom::Medium => Some(Severity::Medium),
            AloneFrom::High => Some(Severity::High),
            AloneFrom::Critical => Some(Severity::Critical),
        }
    }
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        use crate::ident::DetectorId::*;
        let account = vec![
            CredentialStuffing,
            ImpossibleTravel,
            HostingAsn,
            IdentityRisk,
            LegacyAuth,
            SessionAnomaly,
            InboxRule,
            BulkSend,
            MfaFatigue,
            SuspiciousClient,
            BruteForce,
            NewCountry,
        ];
        IncidentsConfig {
            enabled: true,
            max_ip_users: 4,
            max_findings: 100,
            alone_from: AloneFrom::High,
            background: BackgroundConfig::default(),
            rules: vec![
                // A spray IP, and what its successful users (or that IP) did next.
                IncidentRule {
                    name: "spray-with-success".into(),
                    link: IncidentLink::SpraySuccess,
                    detectors: account.clone(),
                    window: Span::hours(24),
                },
                // One account's compromise chain, access to action (BEC).
                IncidentRule {
                    name: "account-compromise".into(),
                    link: IncidentLink::User,
                    detectors: account,
                    window: Span::hours(48),
                },
                // One attacker IP behind several accounts: only detectors whose
                // IP is itself the signal (a risky or legacy sign-in, a rule or a
                // send from the office NAT says nothing about the NAT).
                IncidentRule {
                    name: "same-attacker-ip".into(),
                    link: IncidentLink::Ip,
                    detectors: vec![
                        CredentialStuffing,
                        ImpossibleTravel,
                        HostingAsn,
                        SessionAnomaly,
                        UserEnumeration,
                        SlowSpray,
                    ],
                    window: Span::hours(24),
                },
            ],
        }
    }
}

/// One grouping rule: which detectors' findings it links, by which entity,
/// and within what span of event time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRule {
    pub name: String,
    pub link: IncidentLink,
    /// For `user` and `ip`: both findings' detectors; for `spray_success`:
    /// the detectors of the findings that join the spray.
    pub detectors: Vec<crate::ident::DetectorId>,
    /// `user`, `ip`: at most this much time between the earlier finding's
    /// last_seen and the later one's first_seen (overlapping findings always
    /// qualify). `spray_success`: the finding's first_seen lies between the
    /// spray's first_seen and its last_seen plus this.
    pub window: Span,
}

/// The entity a rule links findings by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentLink {
    /// The same user.
    User,
    /// The same source IP (the finding's `ip`), across users.
    Ip,
    /// A spray-family finding (its description's role) and findings of the
    /// users that succeeded from its source (its `successful_user_list`) or
    /// from its IP.
    SpraySuccess,
}

/// An allowlist entry written in the config file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    /// `ip`, `cidr`, `user`, `asn`, `country` or `user_agent`.
    pub kind: String,
    pub value: String,
    pub note: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detectors: Vec<String>,
    /// `YYYY-MM-DD` or RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The smallest `ingest.max_line_bytes` accepted: a sign-in record is
/// rarely under 1 KiB, and a smaller limit would skip most of every log.
pub const MIN_LINE_BYTES: usize = 4096;

fn line_floor<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(d)?;
    if n < MIN_LINE_BYTES {
        return Err(serde::de::Error::custom(format!(
            "{n} is below the floor of {MIN_LINE_BYTES} bytes"
        )));
    }
    Ok(n)
}

/// The dotted key (`detectors.bulk_send.window`) written on the line holding
/// byte `at` of `text`, with the `[table]` header above it; `None` when the
/// line holds no `key =`.
fn key_at(text: &str, at: usize) -> Option<String> {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))?;
    let (before, after) = text.split_at(at);
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..at + after.find('\n').unwrap_or(after.len()))?;
    let key = line.split_once('=')?.0.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text.get(..start)?.lines().rev().find_map(|l| {
        let l = l.trim();
        l.starts_with('[')
            .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
    });
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// A configuration error, naming the file and (for TOML errors) line and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Parses TOML text; `path` is only used in messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start.min(text.len()));
            let line = at.map(|a| text.get(..a).map_or(0, |t| t.matches('\n').count()) + 1);
            let msg = e.message().to_string();
            let key = at.and_then(|a| key_at(text, a));
            // Values and keys are quoted from the file: neutralised before anyone prints them.
            let message = match (line, key) {
                (Some(l), Some(k)) => format!("line {l}: {k}: {msg}"),
                (Some(l), None) => format!("line {l}: {msg}"),
                _ => msg,
            };
            ConfigError::Invalid {
                path: path.to_path_buf(),
                message: crate::sanitize::clean(&message).into_owned(),
            }
        })?;
        cfg.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: crate::sanitize::clean(&message).into_owned(),
        })?;
        Ok(cfg)
    }

    /// Loads `explicit`, else `$XDG_CONFIG_HOME/hunt/config.toml` if it exists, else defaults.
    /// Returns the config and the file it came from.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => default_config_path().filter(|p| p.exists()),
        };
        match path {
            None => Ok((Config::default(), None)),
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                Ok((Config::from_toml(&text, &p)?, Some(p)))
            }
        }
    }

    /// The effective configuration as TOML, safe for a terminal: characters
    /// [`is_dangerous`](crate::sanitize::is_dangerous) (which the TOML
    /// writer leaves raw, like U+202E) become TOML `\uXXXX` escapes, so the
    /// text still reads back as the same values.
    pub fn to_toml(&self) -> String {
        let text = toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot print config: {e}\n"));
        toml_escape_dangerous(&text)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let y = self.ingest.syslog_year;
        if y != 0 && !(1970..=9999).contains(&y) {
            return Err(format!(
                "ingest.syslog_year: {y} is not a year from 1970 to 9999 (0 guesses it)"
            ));
        }
        self.detectors.hosting_asn.validate()?;
        for r in &self.incidents.rules {
            if r.window.ms() <= 0 || r.detectors.is_empty() {
                return Err(format!(
                    "incidents.rules `{}`: give a positive window and at least one detector",
                    r.name
                ));
            }
        }
        for (i, a) in self.allow.iter().enumerate() {
            if a.note.trim().is_empty() {
                return Err(format!(
                    "allow entry {} ({} {}): the note is empty; say why it is allowed",
                    i + 1,
                    a.kind,
                    a.value
                ));
            }
        }
        Ok(())
    }
}

fn toml_escape_dangerous(text: &str) -> String {
    use crate::sanitize::is_dangerous;
    if !text.chars().any(|c| c != '\n' && is_dangerous(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c as u32 {
            _ if c == '\n' || !is_dangerous(c) => out.push(c),
            n if n <= 0xFFFF => out.push_str(&format!("\\u{n:04X}")),
            n => out.push_str(&format!("\\U{n:08X}")),
        }
    }
    out
}

/// `$XDG_CONFIG_HOME/hunt/config.toml` (or `~/.config/hunt/config.toml`).
pub fn default_config_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().ok()?;
    Some(base.config_dir().join("hunt").join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_toml() {
        let text = Config::default().to_toml();
        let back = Config::from_toml(&text, Path::new("x.toml")).unwrap();
        assert_eq!(back, Config::default());
        assert!(text.contains("window = \"15m\""), "{text}");
    }

    #[test]
    fn partial_override_keeps_other_defaults() {
        let c = Config::from_toml(
            "[detectors.password_spray]\nmin_users = 7\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.detectors.password_spray.min_users, 7);
        assert_eq!(c.detectors.password_spray.min_attempts, 20);
        assert_eq!(c.detectors.bulk_send.min_sends, 50);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::from_toml(
            "[detectors.password_spray]\nmin_users = 7\nwindow_minutes = 3\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("window_minutes"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("c.toml"), "{err}");
    }

    #[test]
    fn bad_values_are_explained() {
        let err = Config::from_toml(
            "[detectors.bulk_send]\nwindow = \"soon\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not a duration"), "{err}");
        let err = Config::from_toml(
            "[detectors.hosting_asn]\ncidrs = [\"10.0.0.0/33\"]\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("10.0.0.0/33"), "{err}");
    }

    #[test]
    fn risk_scores_are_printed_configurable_and_at_most_100() {
        let printed = Config::default().to_toml();
        assert!(printed.contains("risk_success = 90"), "{printed}");
        assert!(printed.contains("risk_external = 95"), "{printed}");
        let c = Config::from_toml(
            "[detectors.impossible_travel]\nrisk = 70\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.detectors.impossible_travel.risk, 70);
        let err = Config::from_toml("[detectors.legacy_auth]\nrisk = 101\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("risk") && err.contains("0 to 100"), "{err}");
    }

    #[test]
    fn issue13_detectors_are_printed_and_configurable() {
        let printed = Config::default().to_toml();
        for section in [
            "[detectors.user_enumeration]",
            "[detectors.mfa_fatigue]",
            "[detectors.suspicious_client]",
        ] {
            assert!(printed.contains(section), "{section} in {printed}");
        }
        assert!(printed.contains("min_accounts = 10"), "{printed}");
        assert!(
            printed.contains("min_prompts_then_success = 5"),
            "{printed}"
        );
        assert!(printed.contains("\"python-requests\""), "{printed}");
        assert!(printed.contains("threat_insight = true"), "{printed}");
        let c = Config::from_toml(
            "[detectors.mfa_fatigue]\nwindow = \"5m\"\nprompt_codes = []\n[detectors.suspicious_client]\nuser_agents = [\"evilginx\"]\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.detectors.mfa_fatigue.window, Span::minutes(5));
        assert!(c.detectors.mfa_fatigue.prompt_codes.is_empty());
        assert_eq!(c.detectors.suspicious_client.user_agents, vec!["evilginx"]);
        assert_eq!(
            c.detectors.user_enumeration.min_accounts, 10,
            "defaults kept"
        );
        let err = Config::from_toml(
            "[detectors.user_enumeration]\nmin_accounts = 0\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("min_accounts"), "{err}");
    }

    #[test]
    fn per_user_group_windows_default_to_a_day_and_can_be_set() {
        let d = Config::default().detectors;
        assert_eq!(d.hosting_asn.group_window, Span::hours(24));
        assert_eq!(d.identity_risk.group_window, Span::hours(24));
        assert_eq!(d.legacy_auth.group_window, Span::hours(24));
        let c = Config::from_toml(
            "[detectors.legacy_auth]\ngroup_window = \"12h\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.detectors.legacy_auth.group_window, Span::hours(12));
        assert_eq!(c.detectors.hosting_asn.group_window, Span::hours(24));
    }

    #[test]
    fn out_of_range_values_name_key_and_line() {
        // Issue 10 item 9: these were accepted (the first wrapped negative
        // and switched the detector off).
        let cases = [
            (
                "[detectors.password_spray]\nwindow = \"106751991168d\"\n",
                "detectors.password_spray.window",
                "too long",
            ),
            (
                "[detectors.cloud_recon]\nwindow = \"106751991166d\"\n",
                "detectors.cloud_recon.window",
                "too long",
            ),
            (
                "[detectors.password_spray]\nmin_users = 3\nwindow = \"0m\"\n",
                "detectors.password_spray.window",
                "not longer than zero",
            ),
            (
                "[detectors.bulk_send]\n\nwindow = \"99999999999999999999s\"\n",
                "detectors.bulk_send.window",
                "too long",
            ),
            (
                "[detectors.impossible_travel]\nmin_km = -5.0\n",
                "detectors.impossible_travel.min_km",
                "positive",
            ),
            (
                "[detectors.impossible_travel]\nmax_kmh = nan\n",
                "detectors.impossible_travel.max_kmh",
                "positive",
            ),
            (
                "[detectors.impossible_travel]\nmax_kmh = inf\n",
                "detectors.impossible_travel.max_kmh",
                "positive",
            ),
            (
                "[detectors.impossible_travel]\ncountry_window = \"0s\"\n",
                "detectors.impossible_travel.country_window",
                "zero",
            ),
            (
                "[detectors.credential_stuffing]\nmin_failures = 0\n",
                "detectors.credential_stuffing.min_failures",
                "least is 1",
            ),
            (
                "[detectors.cloud_recon]\nmin_apis = 0\n",
                "detectors.cloud_recon.min_apis",
                "least is 1",
            ),
            (
                "[ingest]\nmax_line_bytes = 100\n",
                "ingest.max_line_bytes",
                "4096",
            ),
        ];
        for (text, key, why) in cases {
            let err = Config::from_toml(text, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            let line = text.lines().count();
            assert!(err.contains(key), "{text}: {err}");
            assert!(err.contains(&format!("line {line}")), "{text}: {err}");
            assert!(err.contains(why), "{text}: {err}");
        }
        let ok = Config::from_toml(
            "[ingest]\nmax_line_bytes = 4096\n[detectors.impossible_travel]\nmin_km = 0.5\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(ok.ingest.max_line_bytes, MIN_LINE_BYTES);
    }

    #[test]
    fn quoted_values_are_neutralised() {
        let err = Config::from_toml(
            "[detectors.bulk_send]\nwindow = \"\\u001b[31m\\u202ex\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}'),
            "{err}"
        );
        assert!(err.contains("\\u{1b}[31m"), "{err}");
    }

    #[test]
    fn printed_config_escapes_invisible_characters_and_reads_back() {
        let c = Config::from_toml(
            "[ui]\ntheme = \"x\\u202ey\\u001b[31m\\u00ad\\U000E0041\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.ui.theme, "x\u{202e}y\u{1b}[31m\u{ad}\u{e0041}");
        let text = c.to_toml();
        assert!(
            !text
                .chars()
                .any(|ch| ch != '\n' && crate::sanitize::is_dangerous(ch)),
            "{text:?}"
        );
        let back = Config::from_toml(&text, Path::new("c.toml")).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn spans() {
        assert_eq!(Span::parse("15m"), Some(Span::minutes(15)));
        assert_eq!(Span::parse("24h").unwrap().to_string(), "24h");
        assert_eq!(Span::parse("7d").unwrap().to_string(), "7d");
        assert_eq!(Span::parse("90s").unwrap().to_string(), "90s");
        assert_eq!(Span::parse("x"), None);
        assert_eq!(Span::parse("106751991168d"), None);
        // Fits an i64 of milliseconds but overflows `time + window`: it
        // switched cloud_recon and session_anomaly off.
        assert_eq!(Span::parse("106751991166d"), None);
        assert_eq!(Span::parse("36500d"), Some(Span::MAX));
        assert_eq!(Span::parse("36501d"), None);
        assert_eq!(Span::parse("0s"), Some(Span(0)));
        assert_eq!(Span::parse("h"), None);
    }
}
