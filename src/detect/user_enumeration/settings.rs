//! `[detectors.user_enumeration]`: the settings of `user_enumeration` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.user_enumeration]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "One IP failing on many accounts that do not exist: the window, the accounts that fire, and the risk.";

/// `user_enumeration` (issue 13): one IP tries many accounts that do not exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnumerationConfig {
    pub enabled: bool,
    /// Sliding window for one IP's failures on non-existent accounts.
    pub window: Span,
    /// Distinct non-existent accounts within the window that fire.
    #[serde(deserialize_with = "at_least_one")]
    pub min_accounts: u32,
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for EnumerationConfig {
    fn default() -> Self {
        EnumerationConfig {
            enabled: true,
            window: Span::minutes(15),
            min_accounts: 10,
            risk: 50,
        }
    }
}
