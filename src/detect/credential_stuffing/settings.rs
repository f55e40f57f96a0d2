//! `[detectors.credential_stuffing]`: the settings of `credential_stuffing` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.credential_stuffing]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Failures since a user's previous success before a success fires: how many, how far back, result codes not counted, and the risks by the number of IPs.";

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
