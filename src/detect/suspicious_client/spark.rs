//! `suspicious_client` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, q};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let s = &config.detectors.suspicious_client;
    spark::grouped(DetectorId::SuspiciousClient, &spark::source(), &condition(s, q), s.group_window.ms())
}

/// The suspicious-client condition: a ROPC or device-code flow, or a user
/// agent containing a configured string (case-insensitive).
fn condition(
    s: &crate::config::SuspiciousClientConfig,
    quote: fn(&str) -> String,
) -> String {
    let mut any = Vec::new();
    if s.ropc {
        any.push("coalesce(protocol, '') = 'ropc'".to_string());
    }
    if s.device_code {
        any.push(
            "coalesce(protocol, '') = 'deviceCode' OR coalesce(transfer_method, '') = 'deviceCodeFlow'"
                .to_string(),
        );
    }
    for a in &s.user_agents {
        let a = a.trim().to_lowercase();
        if !a.is_empty() {
            any.push(format!(
                "instr(lower(coalesce(user_agent, '')), {}) > 0",
                quote(&a)
            ));
        }
    }
    if any.is_empty() {
        "false".into()
    } else {
        format!("({})", any.join("\n    OR "))
    }
}