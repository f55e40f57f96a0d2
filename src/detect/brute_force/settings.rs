//! `[detectors.brute_force]`: the settings of `brute_force` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.brute_force]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Failed sign-ins for one account within a sliding window: how many, the window, and the risk.";

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
