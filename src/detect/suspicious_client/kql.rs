//! `suspicious_client` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{grouped, BOUNDARY, q};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::SuspiciousClient;
    let s = &c.suspicious_client;
    let mut any = Vec::new();
    if s.ropc {
        any.push("Protocol =~ \"ropc\"".to_string());
    }
    if s.device_code {
        any.push(
            "Protocol =~ \"deviceCode\" or Transfer =~ \"deviceCodeFlow\"".to_string(),
        );
    }
    for a in &s.user_agents {
        let a = a.trim();
        if !a.is_empty() {
            any.push(format!("UserAgent contains {}", q(a)));
        }
    }
    let condition = if any.is_empty() {
        "false".to_string()
    } else {
        any.join(" or ")
    };
    (
        grouped(d, &condition, s.group_window.ms()),
        vec![BOUNDARY.into()],
    )
}
