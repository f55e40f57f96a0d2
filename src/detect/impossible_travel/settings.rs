//! `[detectors.impossible_travel]`: the settings of `impossible_travel` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent, positive};
use serde::{Deserialize, Serialize};

/// What `[detectors.impossible_travel]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Two successes of one user too far apart to travel between: the least distance, the highest speed, the country window without coordinates, the grouping window, and the risk.";

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
