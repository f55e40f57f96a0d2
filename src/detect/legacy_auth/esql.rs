//! `legacy_auth` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::esql::{grouped, list};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::LegacyAuth;
    let l = &c.legacy_auth;
    let cond = format!(
        "TO_LOWER(azure.signinlogs.properties.client_app_used) IN ({})
    AND TO_LOWER(azure.signinlogs.properties.authentication_requirement) == \"singlefactorauthentication\"",
        list(&l.clients)
    );
    (
        grouped(d, &cond, l.group_window.ms()),
        vec![
            "groups are fixed bins of the group window (hunt: from each group's first hit)"
                .into(),
        ],
    )
}
