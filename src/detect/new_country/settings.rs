//! `[detectors.new_country]`: the settings of `new_country` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.new_country]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "A success from a country the user was never seen in: the baseline needed, the most countries judged, the grouping and forgetting spans, and the risk.";

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
