//! `[detectors.distributed_spray]`: the settings of `distributed_spray` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.distributed_spray]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Many users failing from many IPs of one network: the window, the users and IPs that fire, the successful users beyond which the network is shared, and the risks.";

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
