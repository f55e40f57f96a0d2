//! `[detectors.password_spray]`: the settings of `password_spray` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.password_spray]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "One IP failing for many users within a sliding window: the window, the users and attempts that fire, the successful users beyond which it is shared egress, and the risks.";

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
