//! `hosting_asn` in ES|QL (the Elastic integrations of `lake/esql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::esql::{grouped, q};

/// The ES|QL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::HostingAsn;
    let h = &c.hosting_asn;
    let cidrs: Vec<String> = h.cidrs.iter().map(|x| q(x.trim())).collect();
    let asns: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
    let orgs: Vec<String> = h
        .org_patterns
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            format!(
                "TO_LOWER(source.as.organization.name) LIKE {}",
                q(&format!("*{}*", p.to_lowercase()))
            )
        })
        .collect();
    let mut any = Vec::new();
    if !cidrs.is_empty() {
        any.push(format!("CIDR_MATCH(source.ip, {})", cidrs.join(", ")));
    }
    if !asns.is_empty() {
        any.push(format!("source.as.number IN ({})", asns.join(", ")));
    }
    any.extend(orgs);
    if any.is_empty() {
        any.push("false".into());
    }
    let cond = format!(
        "NOT CIDR_MATCH(source.ip, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\", \"127.0.0.0/8\", \"169.254.0.0/16\", \"100.64.0.0/10\", \"fc00::/7\", \"fe80::/10\", \"::1/128\")
    AND ({})",
        any.join("\n      OR ")
    );
    (
        grouped(d, &cond, h.group_window.ms()),
        vec![
            "groups are fixed bins of the group window (hunt: from each group's first hit)"
                .into(),
            "ip_list_files, tor_exit_list and the proxy flag are not part of the query"
                .into(),
        ],
    )
}
