//! `suspicious_client` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::esql::{grouped, bins, q};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::SuspiciousClient;
    let s = &c.suspicious_client;
    let mut any = Vec::new();
    if s.ropc {
        any.push(
            "TO_LOWER(azure.signinlogs.properties.authentication_protocol) == \"ropc\""
                .to_string(),
        );
    }
    if s.device_code {
        any.push(
            "TO_LOWER(azure.signinlogs.properties.authentication_protocol) == \"devicecode\" \
                     OR TO_LOWER(azure.signinlogs.properties.original_transfer_method) == \"devicecodeflow\""
                .to_string(),
        );
    }
    for a in &s.user_agents {
        let a = a.trim().to_lowercase();
        if !a.is_empty() {
            any.push(format!(
                "TO_LOWER(user_agent.original) LIKE {}",
                q(&format!("*{}*", a.replace('*', "\\*").replace('?', "\\?")))
            ));
        }
    }
    let condition = if any.is_empty() {
        "false".to_string()
    } else {
        any.join("\n    OR ")
    };
    (
        grouped(d, &condition, s.group_window.ms()),
        bins("original_transfer_method is read where the integration maps it"),
    )
}
