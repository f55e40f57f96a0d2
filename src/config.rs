//! The TOML configuration (SPEC §7): detector thresholds and lists,
//! enrichment paths, the theme, and hand-written allowlist entries. Built-in
//! defaults come from the seeds; a user file overrides any part of them.
//! Unknown keys are errors that name the key and line.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// A span of event time written as `90s`, `15m`, `24h` or `7d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span(pub i64);

impl Span {
    pub const fn minutes(m: i64) -> Span {
        Span(m * 60_000)
    }
    pub const fn hours(h: i64) -> Span {
        Span(h * 3_600_000)
    }
    /// Milliseconds.
    pub fn ms(self) -> i64 {
        self.0
    }

    /// The longest span accepted: 100 years. Event times (milliseconds, at
    /// most year 9999) plus or minus any window, and the sums and products
    /// detectors take of windows, stay far inside `i64`; a longer "window" is
    /// a typo that would otherwise overflow and switch a detector off.
    pub const MAX: Span = Span(36_500 * 86_400_000);

    /// A span, or `None` when `s` is not one or does not fit (never wraps).
    pub fn parse(s: &str) -> Option<Span> {
        Span::parse_checked(s).ok()
    }

    /// A span (zero included), or why `s` is not one: not a duration, or too
    /// long to represent (checked arithmetic: "106751991168d" does not wrap).
    pub fn parse_checked(s: &str) -> Result<Span, String> {
        let not = || format!("`{s}` is not a duration; write it like 90s, 15m, 24h or 7d");
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(not)?;
        let (n, unit) = t.split_at(split);
        let mult: i64 = match unit.trim() {
            "ms" => 1,
            "s" | "sec" => 1000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(not()),
        };
        if n.is_empty() {
            return Err(not());
        }
        let too_long = || {
            format!(
                "`{s}` is too long a duration (at most {}d)",
                Span::MAX.0 / 86_400_000
            )
        };
        let n: i64 = n.parse().map_err(|_| too_long())?;
        let ms = n
            .checked_mul(mult)
            .filter(|ms| *ms <= Span::MAX.0)
            .ok_or_else(too_long)?;
        Ok(Span(ms))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        for (unit, size) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
        ] {
            // Days only from a week up: "24h" reads better than "1d" for a window.
            if ms != 0 && ms % size == 0 && (unit != "d" || ms >= 7 * size) {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        write!(f, "{ms}ms")
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // A configured window or span must be positive.
        match Span::parse_checked(&s) {
            Ok(span) if span.0 > 0 => Ok(span),
            Ok(_) => Err(serde::de::Error::custom(format!(
                "`{s}` is not longer than zero; a window must be positive"
            ))),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

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

/// `user_enumeration` (issue 13): one IP tries many accounts that do not exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnumerationConfig {
    pub enabled: bool,
    /// Sliding window for one IP's failures on non-existent accounts.
    pub window: Span,
    /// Distinct non-existent accounts within the window that fire.
    #[serde(deserialize_with = "at_least_one")]
    pub min_accounts: u32,
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for EnumerationConfig {
    fn default() -> Self {
        EnumerationConfig {
            enabled: true,
            window: Span::minutes(15),
            min_accounts: 10,
            risk: 50,
        }
    }
}

/// `mfa_fatigue` (issue 13): MFA prompts denied or left unanswered, again and again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfaFatigueConfig {
    pub enabled: bool,
    /// Prompts and the success after them must fall within this span.
    pub window: Span,
    /// Denied or unanswered prompts followed by a success that fire (high).
    #[serde(deserialize_with = "at_least_one")]
    pub min_prompts_then_success: u32,
    /// Denied or unanswered prompts without a success that fire (medium).
    #[serde(deserialize_with = "at_least_one")]
    pub min_prompts_without_success: u32,
    /// Result codes counted as an unanswered prompt besides flagged denials
    /// (Entra 50074: strong authentication required, again).
    pub prompt_codes: Vec<String>,
    #[serde(deserialize_with = "percent")]
    pub risk_success: u8,
    #[serde(deserialize_with = "percent")]
    pub risk_no_success: u8,
}

impl Default for MfaFatigueConfig {
    fn default() -> Self {
        MfaFatigueConfig {
            enabled: true,
            window: Span::minutes(10),
            min_prompts_then_success: 5,
            min_prompts_without_success: 10,
            prompt_codes: vec!["50074".into()],
            risk_success: 85,
            risk_no_success: 60,
        }
    }
}

/// `suspicious_client` (issue 13): a success through a flow or client that
/// attack tools use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuspiciousClientConfig {
    pub enabled: bool,
    /// Resource-owner password credentials (the client sends the password).
    pub ropc: bool,
    /// Device-code flow (`authenticationProtocol` or `originalTransferMethod`).
    pub device_code: bool,
    /// Case-insensitive substrings of user agents of scripts and tools.
    pub user_agents: Vec<String>,
    /// Such sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk of a ROPC or device-code success.
    #[serde(deserialize_with = "percent")]
    pub risk_flow: u8,
    /// Risk of a success from a listed user agent only.
    #[serde(deserialize_with = "percent")]
    pub risk_user_agent: u8,
}

impl Default for SuspiciousClientConfig {
    fn default() -> Self {
        SuspiciousClientConfig {
            enabled: true,
            ropc: true,
            device_code: true,
            user_agents: [
                "python-requests",
                "python-urllib",
                "aiohttp",
                "axios",
                "node-fetch",
                "undici",
                "go-http-client",
                "curl/",
                "wget/",
                "libwww-perl",
                "BAV2ROPC",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            risk_flow: 65,
            risk_user_agent: 55,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StuffingConfig {
    pub enabled: bool,
    /// Failures since the user's previous success needed before a success fires.
    #[serde(deserialize_with = "at_least_one")]
    pub min_failures: u32,
    /// Failures older than this before the success do not count.
    pub window: Span,
    /// Result codes that are not counted as failures (locked out, MFA required).
    pub ignore_codes: Vec<String>,
    /// Risk (0–100) when the failures came from at most 2 IPs.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
    /// Risk when they came from more than 2 IPs.
    #[serde(deserialize_with = "percent")]
    pub risk_some_ips: u8,
    /// Risk when they came from more than 5 IPs.
    #[serde(deserialize_with = "percent")]
    pub risk_many_ips: u8,
}

impl Default for StuffingConfig {
    fn default() -> Self {
        StuffingConfig {
            enabled: true,
            min_failures: 5,
            window: Span::hours(24),
            ignore_codes: vec!["50053".into(), "50076".into()],
            risk: 60,
            risk_some_ips: 75,
            risk_many_ips: 90,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SprayConfig {
    pub enabled: bool,
    /// Sliding window for failures from one IP.
    pub window: Span,
    #[serde(deserialize_with = "at_least_one")]
    pub min_users: u32,
    #[serde(deserialize_with = "at_least_one")]
    pub min_attempts: u32,
    /// More distinct users succeeding from the IP than this: shared egress, suppressed.
    pub max_success_users: u32,
    /// Risk (0–100) of a spray without a successful sign-in.
    #[serde(deserialize_with = "percent")]
    pub risk_attempt: u8,
    /// Risk of a spray with 1..=max_success_users successful users.
    #[serde(deserialize_with = "percent")]
    pub risk_success: u8,
    /// Risk of shared egress (more successful users; suppressed).
    #[serde(deserialize_with = "percent")]
    pub risk_shared_egress: u8,
}

impl Default for SprayConfig {
    fn default() -> Self {
        SprayConfig {
            enabled: true,
            window: Span::minutes(15),
            min_users: 5,
            min_attempts: 20,
            max_success_users: 3,
            risk_attempt: 60,
            risk_success: 90,
            risk_shared_egress: 20,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TravelConfig {
    pub enabled: bool,
    #[serde(deserialize_with = "positive")]
    pub min_km: f64,
    #[serde(deserialize_with = "positive")]
    pub max_kmh: f64,
    /// Without coordinates: two countries within this span.
    pub country_window: Span,
    /// Hops of one user within this span form one finding.
    pub group_window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for TravelConfig {
    fn default() -> Self {
        TravelConfig {
            enabled: true,
            min_km: 500.0,
            max_kmh: 1000.0,
            country_window: Span::minutes(60),
            group_window: Span::hours(24),
            risk: 85,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostingConfig {
    pub enabled: bool,
    /// Case-insensitive substrings of AS organisation names.
    pub org_patterns: Vec<String>,
    pub asns: Vec<u32>,
    /// Networks (CIDR or single IPs).
    pub cidrs: Vec<String>,
    /// Files with one IP or CIDR per line (`#` comments).
    pub ip_list_files: Vec<PathBuf>,
    /// A Tor exit list file (one IP per line, `#` comments), reloaded when it changes.
    pub tor_exit_list: Option<PathBuf>,
    /// Hits of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for HostingConfig {
    fn default() -> Self {
        HostingConfig {
            enabled: true,
            org_patterns: [
                "M247",
                "Frantech",
                "FranTech",
                "BuyVM",
                "Sharktech",
                "Psychz",
                "Quasi Networks",
                "Alexhost",
                "ITL-Bulgaria",
                "Serverius",
                "Combahton",
            ]
            .map(String::from)
            .to_vec(),
            asns: vec![
                9009, 53667, 46844, 40676, 29073, 200019, 21100, 50673, 30823,
            ],
            cidrs: vec!["185.220.0.0/16".into(), "185.129.0.0/16".into()],
            ip_list_files: Vec::new(),
            tor_exit_list: None,
            group_window: Span::hours(24),
            risk: 80,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskConfig {
    pub enabled: bool,
    pub risk_levels: Vec<String>,
    pub risk_states: Vec<String>,
    pub risk_event_types: Vec<String>,
    /// Risky sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Okta ThreatInsight as an indicator: a successful sign-in Okta marked
    /// `threatSuspected`, or one from an IP a `security.threat.detected`
    /// event named within `group_window` before it.
    pub threat_insight: bool,
    /// Risk (0–100) when the provider's signals make it high.
    #[serde(deserialize_with = "percent")]
    pub risk_high: u8,
    /// Risk otherwise (medium).
    #[serde(deserialize_with = "percent")]
    pub risk_medium: u8,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            enabled: true,
            risk_levels: vec!["high".into(), "medium".into()],
            risk_states: vec!["atRisk".into(), "confirmedCompromised".into()],
            risk_event_types: [
                "impossibleTravel",
                "anonymizedIPAddress",
                "maliciousIPAddress",
                "unfamiliarFeatures",
                "passwordSpray",
                "leakedCredentials",
                "nationStateIP",
                "riskyIPAddress",
                "investigationsThreatIntelligence",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            threat_insight: true,
            risk_high: 80,
            risk_medium: 60,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LegacyConfig {
    pub enabled: bool,
    pub clients: Vec<String>,
    /// Legacy sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for LegacyConfig {
    fn default() -> Self {
        LegacyConfig {
            enabled: true,
            clients: [
                "Authenticated SMTP",
                "IMAP4",
                "POP3",
                "Exchange ActiveSync",
                "Exchange Web Services",
                "MAPI Over HTTP",
                "Offline Address Book",
                "Outlook Anywhere (RPC over HTTP)",
                "Other clients",
                "AutoDiscover",
                "Exchange Online PowerShell",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            risk: 50,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InboxRuleConfig {
    pub enabled: bool,
    pub operations: Vec<String>,
    /// Folders a rule hides mail in (medium).
    pub hiding_folders: Vec<String>,
    /// Domains counted as internal besides the user's own.
    pub internal_domains: Vec<String>,
    /// Risk (0–100) of forwarding outside the internal domains (critical).
    #[serde(deserialize_with = "percent")]
    pub risk_external: u8,
    /// Risk of forwarding inside (high).
    #[serde(deserialize_with = "percent")]
    pub risk_forward: u8,
    /// Risk of deleting, marking read or hiding mail (medium).
    #[serde(deserialize_with = "percent")]
    pub risk_hide: u8,
}

impl Default for InboxRuleConfig {
    fn default() -> Self {
        InboxRuleConfig {
            enabled: true,
            operations: [
                "New-InboxRule",
                "Set-InboxRule",
                "UpdateInboxRules",
                "Set-Mailbox",
                "Set-MailboxAutoReplyConfiguration",
            ]
            .map(String::from)
            .to_vec(),
            hiding_folders: [
                "RSS Feeds",
                "RSS Subscriptions",
                "Conversation History",
                "Archive",
            ]
            .map(String::from)
            .to_vec(),
            internal_domains: Vec::new(),
            risk_external: 95,
            risk_forward: 80,
            risk_hide: 50,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BulkSendConfig {
    pub enabled: bool,
    #[serde(deserialize_with = "at_least_one")]
    pub min_sends: u32,
    pub window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
    /// Risk when a window held twice min_sends or more.
    #[serde(deserialize_with = "percent")]
    pub risk_double: u8,
}

impl Default for BulkSendConfig {
    fn default() -> Self {
        BulkSendConfig {
            enabled: true,
            min_sends: 50,
            window: Span::minutes(60),
            risk: 60,
            risk_double: 70,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudReconConfig {
    pub enabled: bool,
    /// Distinct List*/Describe*/Get* APIs after GetCallerIdentity.
    #[serde(deserialize_with = "at_least_one")]
    pub min_apis: u32,
    pub window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for CloudReconConfig {
    fn default() -> Self {
        CloudReconConfig {
            enabled: true,
            min_apis: 5,
            window: Span::minutes(2),
            risk: 70,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    pub enabled: bool,
    pub window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            enabled: true,
            window: Span::hours(1),
            risk: 80,
        }
    }
}

/// `brute_force`: failures for one account within a sliding window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BruteForceConfig {
    pub enabled: bool,
    /// Failed sign-ins of one account within the window.
    #[serde(deserialize_with = "at_least_one")]
    pub min_failures: u32,
    pub window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for BruteForceConfig {
    fn default() -> Self {
        BruteForceConfig {
            enabled: true,
            min_failures: 10,
            window: Span::minutes(10),
            risk: 50,
        }
    }
}

/// `slow_spray`: one IP failing for many users over a long window, never
/// fast enough for `password_spray` (whose thresholds it reads).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlowSprayConfig {
    pub enabled: bool,
    /// Sliding window for failures from one IP.
    pub window: Span,
    /// Distinct users failing from the IP within the window.
    #[serde(deserialize_with = "at_least_one")]
    pub min_users: u32,
    /// More distinct users signing in from the IP than this: shared egress, suppressed.
    pub max_success_users: u32,
    /// Risk (0–100) of a slow spray without a successful sign-in.
    #[serde(deserialize_with = "percent")]
    pub risk_attempt: u8,
    /// Risk with 1..=max_success_users successful users.
    #[serde(deserialize_with = "percent")]
    pub risk_success: u8,
    /// Risk of shared egress (suppressed).
    #[serde(deserialize_with = "percent")]
    pub risk_shared_egress: u8,
}

impl Default for SlowSprayConfig {
    fn default() -> Self {
        SlowSprayConfig {
            enabled: true,
            window: Span::hours(24),
            min_users: 20,
            max_success_users: 3,
            risk_attempt: 50,
            risk_success: 85,
            risk_shared_egress: 20,
        }
    }
}

/// `distributed_spray`: many users failing from many IPs of one network
/// (AS number, else /24 or /48), no IP fast enough for `password_spray`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DistributedSprayConfig {
    pub enabled: bool,
    /// Sliding window for failures from one network.
    pub window: Span,
    /// Distinct users failing from the network within the window.
    #[serde(deserialize_with = "at_least_one")]
    pub min_users: u32,
    /// Distinct IPs of the network they fail from.
    #[serde(deserialize_with = "at_least_one")]
    pub min_ips: u32,
    /// More distinct users signing in from the network than this: a shared network, suppressed.
    pub max_success_users: u32,
    /// Risk (0–100) without a successful sign-in.
    #[serde(deserialize_with = "percent")]
    pub risk_attempt: u8,
    /// Risk with 1..=max_success_users successful users.
    #[serde(deserialize_with = "percent")]
    pub risk_success: u8,
    /// Risk of a shared network (suppressed).
    #[serde(deserialize_with = "percent")]
    pub risk_shared: u8,
}

impl Default for DistributedSprayConfig {
    fn default() -> Self {
        DistributedSprayConfig {
            enabled: true,
            window: Span::hours(1),
            min_users: 20,
            min_ips: 5,
            max_success_users: 3,
            risk_attempt: 60,
            risk_success: 90,
            risk_shared: 20,
        }
    }
}

/// `new_country`: a success from a country the user was never seen in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewCountryConfig {
    pub enabled: bool,
    /// Located successful sign-ins a user needs before a new country counts.
    #[serde(deserialize_with = "at_least_one")]
    pub min_baseline: u32,
    /// A user seen from this many countries is not judged (and the set stops growing).
    #[serde(deserialize_with = "at_least_one")]
    pub max_countries: u32,
    /// Sign-ins from the new country within this span of the first join its finding.
    pub group_window: Span,
    /// A user without a successful sign-in for this long is forgotten (baseline too).
    pub forget_after: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for NewCountryConfig {
    fn default() -> Self {
        NewCountryConfig {
            enabled: true,
            min_baseline: 10,
            max_countries: 16,
            group_window: Span::hours(24),
            forget_after: Span::hours(90 * 24),
            risk: 40,
        }
    }
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
    /// a password spray finding calls shared egress links nothing either.
    pub max_ip_users: u32,
    /// Most findings in one incident: the earliest are kept, later ones stay alone.
    pub max_findings: u32,
    /// A finding at or above this severity that no rule groups with another
    /// is an incident of its own, so every such alert has an owner and a
    /// status (`off`: only groups are incidents).
    pub alone_from: AloneFrom,
    pub rules: Vec<IncidentRule>,
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
    /// A password_spray finding and findings of the users that succeeded from
    /// its IP (its `successful_user_list`) or from that IP.
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

fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom(
            "0 makes no sense here; the least is 1",
        ));
    }
    Ok(n)
}

/// A risk score: 0 to 100.
fn percent<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let v = u8::deserialize(d)?;
    if v > 100 {
        return Err(serde::de::Error::custom(format!(
            "`{v}` is not a risk score; write 0 to 100"
        )));
    }
    Ok(v)
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if !(x.is_finite() && x > 0.0) {
        return Err(serde::de::Error::custom(format!(
            "{x} is not a positive, finite number"
        )));
    }
    Ok(x)
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

    fn validate(&self) -> Result<(), String> {
        let y = self.ingest.syslog_year;
        if y != 0 && !(1970..=9999).contains(&y) {
            return Err(format!(
                "ingest.syslog_year: {y} is not a year from 1970 to 9999 (0 guesses it)"
            ));
        }
        for c in &self.detectors.hosting_asn.cidrs {
            let ok = c.parse::<ipnet::IpNet>().is_ok() || c.parse::<std::net::IpAddr>().is_ok();
            if !ok {
                return Err(format!(
                    "detectors.hosting_asn.cidrs: `{c}` is not an IP or CIDR (write it like 185.220.0.0/16)"
                ));
            }
        }
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
