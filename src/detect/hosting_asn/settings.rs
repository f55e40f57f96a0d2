//! `[detectors.hosting_asn]`: the settings of `hosting_asn` (defaults, the ranges
//! each value accepts, and the doc of each key), read by the detector and
//! its queries. It holds no detector logic.

use crate::config::value::{Span, percent};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What `[detectors.hosting_asn]` sets, in one line (the completeness test
/// checks every detector has one).
pub const DOC: &str = "Successful sign-ins from hosting, VPN or Tor networks: AS organisations, AS numbers, CIDRs, list files, the grouping window, and the risk.";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostingConfig {
    pub enabled: bool,
    /// Case-insensitive substrings of AS organisation names.
    pub org_patterns: Vec<String>,
    pub asns: Vec<u32>,
    /// Networks (CIDR or single IPs).
    pub cidrs: Vec<String>,
    /// Files with one IP or CIDR per line (`#` comments).
    pub ip_list_files: Vec<PathBuf>,
    /// A Tor exit list file (one IP per line, `#` comments), reloaded when it changes.
    pub tor_exit_list: Option<PathBuf>,
    /// Hits of one user within this span of the first form one finding.
    pub group_window: Span,
    /// Risk (0–100) of a finding.
    #[serde(deserialize_with = "percent")]
    pub risk: u8,
}

impl Default for HostingConfig {
    fn default() -> Self {
        HostingConfig {
            enabled: true,
            org_patterns: [
                "M247",
                "Frantech",
                "FranTech",
                "BuyVM",
                "Sharktech",
                "Psychz",
                "Quasi Networks",
                "Alexhost",
                "ITL-Bulgaria",
                "Serverius",
                "Combahton",
            ]
            .map(String::from)
            .to_vec(),
            asns: vec![
                9009, 53667, 46844, 40676, 29073, 200019, 21100, 50673, 30823,
            ],
            cidrs: vec!["185.220.0.0/16".into(), "185.129.0.0/16".into()],
            ip_list_files: Vec::new(),
            tor_exit_list: None,
            group_window: Span::hours(24),
            risk: 80,
        }
    }
}

impl HostingConfig {
    /// Every CIDR entry is an IP or a network (checked when the config loads).
    pub fn validate(&self) -> Result<(), String> {
        for c in &self.cidrs {
            let ok = c.parse::<ipnet::IpNet>().is_ok() || c.parse::<std::net::IpAddr>().is_ok();
            if !ok {
                return Err(format!(
                    "detectors.hosting_asn.cidrs: `{c}` is not an IP or CIDR (write it like 185.220.0.0/16)"
                ));
            }
        }
        Ok(())
    }
}
