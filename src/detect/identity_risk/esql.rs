//! `identity_risk` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::esql::{grouped, list, OUTCOME, q};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::IdentityRisk;
    let r = &c.identity_risk;
    let events: Vec<String> = r
        .risk_event_types
        .iter()
        .map(|e| format!("MV_CONTAINS(ev_types, {})", q(&e.to_lowercase())))
        .collect();
    let cond = format!(
        "TO_LOWER(azure.signinlogs.properties.risk_level_during_signin) IN ({levels})
    OR TO_LOWER(azure.signinlogs.properties.risk_state) IN ({states})
    OR {events}
    OR (TO_LOWER(azure.signinlogs.properties.authentication_requirement) == \"singlefactorauthentication\"
        AND azure.signinlogs.properties.home_tenant_id IS NOT NULL
        AND TO_LOWER(azure.signinlogs.properties.home_tenant_id) != TO_LOWER(COALESCE(azure.signinlogs.properties.resource_tenant_id, \"\")))",
        levels = list(&r.risk_levels),
        states = list(&r.risk_states),
        events = if events.is_empty() {
            "false".into()
        } else {
            events.join(" OR ")
        },
    );
    let body = grouped(d, &cond, r.group_window.ms()).replace(
        &format!("{OUTCOME}\n"),
        &format!(
            "{OUTCOME}\n| EVAL ev_types = TO_LOWER(azure.signinlogs.properties.risk_event_types_v2)\n"
        ),
    );
    (
        body,
        vec![
            "groups are fixed bins of the group window (hunt: from each group's first hit)"
                .into(),
            "MV_CONTAINS needs Elasticsearch 8.19/9.1; risk event types are matched \
                     as the integration's keyword values"
                .into(),
        ],
    )
}
