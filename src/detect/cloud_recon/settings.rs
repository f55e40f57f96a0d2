//! `[detectors.cloud_recon]`: the settings of `cloud_recon` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.cloud_recon]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Distinct List/Describe/Get APIs called after GetCallerIdentity with one access key: how many, within what window, and the risk.";

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
