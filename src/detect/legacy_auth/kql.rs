//! `legacy_auth` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{grouped, list, BOUNDARY};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::LegacyAuth;
    let l = &c.legacy_auth;
    let cond = format!(
        "tolower(ClientApp) in ({}) and AuthRequirement =~ \"singleFactorAuthentication\"",
        list(&l.clients)
    );
    (
        grouped(d, &cond, l.group_window.ms()),
        vec![BOUNDARY.into()],
    )
}
