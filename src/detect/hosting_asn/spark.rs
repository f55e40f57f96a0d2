//! `hosting_asn` in Spark SQL over `hunt_events` (the `ev` CTE of
//! `lake/spark.rs`), with the thresholds of the effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::spark::{self, q, grouped_from};
use crate::lake::{v4_ranges};

/// The Spark SQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let (c, src) = (&config.detectors, &spark::source());
    let h = &c.hosting_asn;
    let (cidrs, v6) = v4_ranges(&h.cidrs);
    let asns = if h.asns.is_empty() {
        "false".to_string()
    } else {
        let list: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
        format!("asn IN ({})", list.join(", "))
    };
    let orgs = if h.org_patterns.is_empty() {
        "false".to_string()
    } else {
        h.org_patterns
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                format!(
                    "instr(lower(coalesce(as_org, '')), {}) > 0",
                    q(&p.to_lowercase())
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let condition = format!(
        "NOT coalesce({reserved}, false)
    AND NOT coalesce(lower(ip) RLIKE '^(::1?|f[cd][0-9a-f]*:.*|fe[89ab][0-9a-f]*:.*|ff[0-9a-f]*:.*)$', false)
    AND (coalesce({cidr}, false) OR {asns} OR {orgs} OR is_proxy)",
        reserved = ranges_sql("ip4", &V4_RESERVED),
        cidr = ranges_sql("ip4", &cidrs),
    );
    let mut caveats = Vec::new();
    if !h.ip_list_files.is_empty() || h.tor_exit_list.is_some() {
        caveats.push(
            "ip_list_files and tor_exit_list are not part of the query (load them as a \
             table and add a join); only CIDRs, ASNs, AS organisations and the proxy flag are"
                .into(),
        );
    }
    if !v6.is_empty() {
        caveats.push(format!(
            "IPv6 networks are not matched (Spark SQL has no IPv6 arithmetic): {}",
            v6.join(", ")
        ));
    }
    let src = format!(
        "{src},\nev4 AS (SELECT *, {} AS ip4 FROM ev)",
        ip4_num("ip")
    );
    let (body, _) = grouped_from(
        DetectorId::HostingAsn,
        &src,
        "ev4",
        &condition,
        h.group_window.ms(),
    );
    (body, caveats)
}

/// An IPv4 address as a number (`NULL` when `ip` is not dotted-quad IPv4;
/// IPv4-mapped IPv6 counts as IPv4, as in hunt).
fn ip4_num(ip: &str) -> String {
    let v = format!("regexp_replace(lower({ip}), '^::ffff:', '')");
    let part = |i: usize| format!("try_cast(try_element_at(split({v}, '[.]'), {i}) AS BIGINT)");
    format!(
        "CASE WHEN {v} RLIKE '^[0-9]{{1,3}}([.][0-9]{{1,3}}){{3}}$'
          AND {p1} <= 255 AND {p2} <= 255 AND {p3} <= 255 AND {p4} <= 255
        THEN {p1} * 16777216 + {p2} * 65536 + {p3} * 256 + {p4} END",
        p1 = part(1),
        p2 = part(2),
        p3 = part(3),
        p4 = part(4),
    )
}

/// Reserved IPv4 ranges hunt never calls hosting (private, loopback, ...).
pub(crate) const V4_RESERVED: [(u32, u32); 11] = [
    (0x0000_0000, 0x00ff_ffff), // 0/8
    (0x0a00_0000, 0x0aff_ffff), // 10/8
    (0x6440_0000, 0x647f_ffff), // 100.64/10
    (0x7f00_0000, 0x7fff_ffff), // 127/8
    (0xa9fe_0000, 0xa9fe_ffff), // 169.254/16
    (0xac10_0000, 0xac1f_ffff), // 172.16/12
    (0xc000_0000, 0xc000_00ff), // 192.0.0/24
    (0xc0a8_0000, 0xc0a8_ffff), // 192.168/16
    (0xc612_0000, 0xc613_ffff), // 198.18/15
    (0xe000_0000, 0xefff_ffff), // 224/4
    (0xf000_0000, 0xffff_ffff), // 240/4
];

fn ranges_sql(col: &str, ranges: &[(u32, u32)]) -> String {
    if ranges.is_empty() {
        return "false".into();
    }
    ranges
        .iter()
        .map(|(a, b)| format!("{col} BETWEEN {a} AND {b}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}
