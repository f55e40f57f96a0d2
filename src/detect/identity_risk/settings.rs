//! `[detectors.identity_risk]`: the settings of `identity_risk` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.identity_risk]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "The identity provider's own risk signals on a success: risk levels, states and event types counted, Okta ThreatInsight, the grouping window, and the risks.";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskConfig {
    pub enabled: bool,
    pub risk_levels: Vec<String>,
    pub risk_states: Vec<String>,
    pub risk_event_types: Vec<String>,
    /// Risky sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Okta ThreatInsight as an indicator: a successful sign-in Okta marked
    /// `threatSuspected`, or one from an IP a `security.threat.detected`
    /// event named within `group_window` before it.
    pub threat_insight: bool,
    /// Risk (0–100) when the provider's signals make it high.
    #[serde(deserialize_with = "percent")]
    pub risk_high: u8,
    /// Risk otherwise (medium).
    #[serde(deserialize_with = "percent")]
    pub risk_medium: u8,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            enabled: true,
            risk_levels: vec!["high".into(), "medium".into()],
            risk_states: vec!["atRisk".into(), "confirmedCompromised".into()],
            risk_event_types: [
                "impossibleTravel",
                "anonymizedIPAddress",
                "maliciousIPAddress",
                "unfamiliarFeatures",
                "passwordSpray",
                "leakedCredentials",
                "nationStateIP",
                "riskyIPAddress",
                "investigationsThreatIntelligence",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            threat_insight: true,
            risk_high: 80,
            risk_medium: 60,
        }
    }
}
