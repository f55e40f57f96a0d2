//! `[detectors.session_anomaly]`: the settings of `session_anomaly` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.session_anomaly]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "One session token used from another network or country within a window: the window and the risk.";

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
