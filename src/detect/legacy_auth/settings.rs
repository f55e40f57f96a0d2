//! `[detectors.legacy_auth]`: the settings of `legacy_auth` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.legacy_auth]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Successful single-factor sign-ins through legacy clients: the client names, the grouping window, and the risk.";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LegacyConfig {
    pub enabled: bool,
    pub clients: Vec<String>,
    /// Legacy sign-ins of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for LegacyConfig {
    fn default() -> Self {
        LegacyConfig {
            enabled: true,
            clients: [
                "Authenticated SMTP",
                "IMAP4",
                "POP3",
                "Exchange ActiveSync",
                "Exchange Web Services",
                "MAPI Over HTTP",
                "Offline Address Book",
                "Outlook Anywhere (RPC over HTTP)",
                "Other clients",
                "AutoDiscover",
                "Exchange Online PowerShell",
            ]
            .map(String::from)
            .to_vec(),
            group_window: Span::hours(24),
            risk: 50,
        }
    }
}
