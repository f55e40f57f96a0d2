//! `[detectors.suspicious_client]`: the settings of `suspicious_client` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.suspicious_client]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Successes through flows or clients attack tools use: ROPC, device code, user-agent substrings, the grouping window, and the risks.";

/// `suspicious_client` (issue 13): a success through a flow or client that
/// attack tools use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuspiciousClientConfig {
    pub enabled: bool,
    /// Resource-owner password credentials (the client sends the password).
    pub ropc: bool,
    /// Device-code flow (`authenticationProtocol` or `originalTransferMethod`).
    pub device_code: bool,
    /// Case-insensitive substrings of user agents of scripts and tools.
    pub user_agents: Vec<String>,
    /// Such sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk of a ROPC or device-code success.
    #[serde(deserialize_with = "percent")]
    pub risk_flow: u8,
    /// Risk of a success from a listed user agent only.
    #[serde(deserialize_with = "percent")]
    pub risk_user_agent: u8,
}

impl Default for SuspiciousClientConfig {
    fn default() -> Self {
        SuspiciousClientConfig {
            enabled: true,
            ropc: true,
            device_code: true,
            user_agents: [
                "python-requests",
                "python-urllib",
                "aiohttp",
                "axios",
                "node-fetch",
                "undici",
                "go-http-client",
                "curl/",
                "wget/",
                "libwww-perl",
                "BAV2ROPC",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            risk_flow: 65,
            risk_user_agent: 55,
        }
    }
}
