//! TODO(enrich): hosting / anonymising network matcher (ASNs, AS org patterns, CIDRs, lists).

use crate::config::HostingConfig;

/// Hosting and anonymising networks (SPEC §4 `hosting_asn`).
#[derive(Debug, Default)]
pub struct HostingNetworks {}

impl HostingNetworks {
    pub fn from_config(_cfg: &HostingConfig) -> Self {
        HostingNetworks {}
    }
}
