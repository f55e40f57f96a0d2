//! `hosting_asn` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{grouped, BOUNDARY, q};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::HostingAsn;
    let h = &c.hosting_asn;
    // IPv4 and IPv6 networks go to their own function: one bad entry
    // (an IPv6 network in the IPv4 list) makes the whole test null.
    let (v4, v6): (Vec<&String>, Vec<&String>) =
        h.cidrs.iter().partition(|c| !c.contains(':'));
    let quote =
        |l: Vec<&String>| l.iter().map(|x| q(x.trim())).collect::<Vec<_>>().join(", ");
    let asns: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
    let cond = format!(
        "not(coalesce(ipv4_is_private(IP), false))
        and (coalesce(ipv4_is_in_any_range(IP, dynamic([{v4}])), false)
        or coalesce(ipv6_is_in_any_range(IP, dynamic([{v6}])), false) or ASN in ({a}))",
        v4 = quote(v4),
        v6 = quote(v6),
        a = if asns.is_empty() {
            "-1".into()
        } else {
            asns.join(", ")
        },
    );
    (
        grouped(d, &cond, h.group_window.ms()),
        vec![
            "SigninLogs has no AS organisation name and no proxy flag: org_patterns \
                     and the proxy rule are not applied (join a GeoIP ASN table to add them)"
                .into(),
            "ip_list_files and tor_exit_list are not part of the query (use a watchlist)"
                .into(),
            "only RFC 1918 ranges count as private (hunt also skips loopback, \
                     link-local, CGNAT, multicast and reserved ranges)"
                .into(),
            BOUNDARY.into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosting_networks_go_to_their_own_ip_family() {
        let mut config = Config::default();
        config.detectors.hosting_asn.cidrs = vec!["10.9.0.0/16".into(), "2001:db8::/32".into()];
        let (body, _) = query(&config);
        assert!(
    body.contains("ipv4_is_in_any_range(IP, dynamic([@'10.9.0.0/16']))"),
    "{body}"
        );
        assert!(
    body.contains("ipv6_is_in_any_range(IP, dynamic([@'2001:db8::/32']))"),
    "{body}"
        );
        assert!(body.contains("coalesce(ipv4_is_private(IP), false)"));
    }
}
