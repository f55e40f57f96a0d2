//! `[detectors.bulk_send]`: the settings of `bulk_send` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.bulk_send]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Mail sent by one user within a window: how many sends fire, the window, and the risks.";

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
