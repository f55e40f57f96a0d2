//! `[detectors.inbox_rule]`: the settings of `inbox_rule` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{percent};
use serde::{Deserialize, Serialize};

/// What `[detectors.inbox_rule]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Mailbox rules that forward, delete or hide mail: the operations read, the hiding folders, the internal domains, and the risks.";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InboxRuleConfig {
    pub enabled: bool,
    pub operations: Vec<String>,
    /// Folders a rule hides mail in (medium).
    pub hiding_folders: Vec<String>,
    /// Domains counted as internal besides the user's own.
    pub internal_domains: Vec<String>,
    /// Risk (0–100) of forwarding outside the internal domains (critical).
    #[serde(deserialize_with = "percent")]
    pub risk_external: u8,
    /// Risk of forwarding inside (high).
    #[serde(deserialize_with = "percent")]
    pub risk_forward: u8,
    /// Risk of deleting, marking read or hiding mail (medium).
    #[serde(deserialize_with = "percent")]
    pub risk_hide: u8,
}

impl Default for InboxRuleConfig {
    fn default() -> Self {
        InboxRuleConfig {
            enabled: true,
            operations: [
                "New-InboxRule",
                "Set-InboxRule",
                "UpdateInboxRules",
                "Set-Mailbox",
                "Set-MailboxAutoReplyConfiguration",
            ]
            .map(String::from)
            .to_vec(),
            hiding_folders: [
                "RSS Feeds",
                "RSS Subscriptions",
                "Conversation History",
                "Archive",
            ]
            .map(String::from)
            .to_vec(),
            internal_domains: Vec::new(),
            risk_external: 95,
            risk_forward: 80,
            risk_hide: 50,
        }
    }
}
