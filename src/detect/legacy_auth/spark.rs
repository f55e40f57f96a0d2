//! `legacy_auth` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, q};
use crate::lake::{lower_list};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let s = &config.detectors.legacy_auth;
    spark::grouped(DetectorId::LegacyAuth, &spark::source(), &condition(s, q), s.group_window.ms())
}

fn condition(
    l: &crate::config::LegacyConfig,
    quote: fn(&str) -> String,
) -> String {
    let clients = if l.clients.is_empty() {
        "('')".to_string()
    } else {
        format!("({})", lower_list(&l.clients, quote))
    };
    format!(
        "client_app IS NOT NULL AND lower(client_app) IN {clients}
    AND lower(coalesce(auth_requirement, '')) = 'singlefactorauthentication'"
    )
}