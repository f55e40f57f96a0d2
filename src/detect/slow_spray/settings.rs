//! `[detectors.slow_spray]`: the settings of `slow_spray` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.slow_spray]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "One IP failing for many users over a long window, never fast enough for password_spray: the window, the users that fire, the shared-egress limit, and the risks.";

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
