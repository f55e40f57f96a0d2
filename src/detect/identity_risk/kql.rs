//! `identity_risk` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{grouped, list, BOUNDARY};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::IdentityRisk;
    let r = &c.identity_risk;
    let cond = format!(
        "tolower(RiskLevel) in ({levels}) or tolower(RiskState) in ({states})
        or array_length(set_intersect(
             todynamic(strcat('[\"', replace_regex(tolower(trim(@'[\\[\\]\"\\s]+', RiskEvents)), @'[\"\\s]*,[\"\\s]*', '\",\"'), '\"]')),
             dynamic([{events}]))) > 0
        or (AuthRequirement =~ \"singleFactorAuthentication\" and isnotempty(HomeTenant)
            and not(HomeTenant =~ ResourceTenant))",
        levels = list(&r.risk_levels),
        states = list(&r.risk_states),
        events = list(&r.risk_event_types),
    );
    (
        grouped(d, &cond, r.group_window.ms()),
        vec![BOUNDARY.into()],
    )
}
