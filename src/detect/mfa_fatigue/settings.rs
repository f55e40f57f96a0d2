//! `[detectors.mfa_fatigue]`: the settings of `mfa_fatigue` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, at_least_one, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.mfa_fatigue]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "MFA prompts denied or left unanswered again and again: the window, the prompts that fire with and without a success, the unanswered-prompt codes, and the risks.";

/// `mfa_fatigue` (issue 13): MFA prompts denied or left unanswered, again and again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MfaFatigueConfig {
    pub enabled: bool,
    /// Prompts and the success after them must fall within this span.
    pub window: Span,
    /// Denied or unanswered prompts followed by a success that fire (high).
    #[serde(deserialize_with = "at_least_one")]
    pub min_prompts_then_success: u32,
    /// Denied or unanswered prompts without a success that fire (medium).
    #[serde(deserialize_with = "at_least_one")]
    pub min_prompts_without_success: u32,
    /// Result codes counted as an unanswered prompt besides flagged denials
    /// (Entra 50074: strong authentication required, again).
    pub prompt_codes: Vec<String>,
    #[serde(deserialize_with = "percent")]
    pub risk_success: u8,
    #[serde(deserialize_with = "percent")]
    pub risk_no_success: u8,
}

impl Default for MfaFatigueConfig {
    fn default() -> Self {
        MfaFatigueConfig {
            enabled: true,
            window: Span::minutes(10),
            min_prompts_then_success: 5,
            min_prompts_without_success: 10,
            prompt_codes: vec!["50074".into()],
            risk_success: 85,
            risk_no_success: 60,
        }
    }
}
