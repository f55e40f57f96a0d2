//! `identity_risk` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, q};
use crate::lake::{lower_list};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let s = &config.detectors.identity_risk;
    spark::grouped(DetectorId::IdentityRisk, &spark::source(), &condition(s, q), s.group_window.ms())
}

/// The identity-risk condition (SPEC §4 seed `case()`): any indicator.
fn condition(r: &crate::config::RiskConfig, quote: fn(&str) -> String) -> String {
    let list = |items: &[String]| {
        if items.is_empty() {
            "('')".to_string()
        } else {
            format!("({})", lower_list(items, quote))
        }
    };
    format!(
        "(lower(coalesce(risk_level, '')) IN {levels}
    OR lower(coalesce(risk_state, '')) IN {states}
    OR exists(split(coalesce(risk_events, ''), ','),
              x -> lower(trim(BOTH ' \\t\\r\\n\"[]' FROM x)) IN {events} AND trim(BOTH ' \\t\\r\\n\"[]' FROM x) <> '')
    OR (lower(coalesce(auth_requirement, '')) = 'singlefactorauthentication'
        AND home_tenant IS NOT NULL
        AND lower(home_tenant) <> lower(coalesce(resource_tenant, ''))))",
        levels = list(&r.risk_levels),
        states = list(&r.risk_states),
        events = list(&r.risk_event_types),
    )
}