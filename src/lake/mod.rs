//! Detectors as queries for the engines a security data lake runs (issue 14
//! part 2): `hunt rules --dialect spark-sql|kql|esql` prints each enabled
//! built-in detector as one query, with the thresholds of the effective
//! configuration filled in, and [`results`] reads what those queries return
//! back as findings to triage. One file per dialect; each query's output
//! columns are the finding fields ([`COLUMNS`]) so any engine's export loads
//! the same way. Where a dialect cannot say exactly what the Rust detector
//! does, the query opens with a `caveat:` comment saying what differs.

pub mod esql;
pub mod import;
pub mod kql;
pub mod results;
pub mod shape;
pub mod spark;

use crate::config::Config;
use crate::detect::describe::LakeQuery;
use crate::finding::DetectorId;

/// The columns every query returns, in this order.
pub const COLUMNS: [&str; 9] = [
    "detector",
    "entity",
    "user",
    "ip",
    "first_seen",
    "last_seen",
    "event_count",
    "suppressed",
    "evidence_ids",
];

/// A query language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Spark SQL over the OCSF Parquet of `hunt events --output parquet`.
    SparkSql,
    /// Kusto (Sentinel, ADX) over SigninLogs, AADNonInteractiveUserSignInLogs, OfficeActivity.
    Kql,
    /// Elasticsearch ES|QL over `logs-azure.signinlogs-*` (and the M365/CloudTrail integrations).
    Esql,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::SparkSql => "spark-sql",
            Dialect::Kql => "kql",
            Dialect::Esql => "esql",
        }
    }

    fn comment(self) -> &'static str {
        match self {
            Dialect::SparkSql => "--",
            Dialect::Kql | Dialect::Esql => "//",
        }
    }
}

/// One detector as a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub detector: DetectorId,
    pub dialect: Dialect,
    /// What the query does not do exactly as the Rust detector (empty: same semantics).
    pub caveats: Vec<String>,
    pub body: String,
}

/// The first line of every printed query: `-- hunt rule: <detector>` (or `//`).
pub const MARKER: &str = "hunt rule:";

impl Query {
    /// The query with its header comments (detector, caveats).
    pub fn text(&self) -> String {
        let c = self.dialect.comment();
        let mut s = format!(
            "{c} {MARKER} {} ({})\n",
            self.detector.as_str(),
            self.dialect.name()
        );
        if self.caveats.is_empty() {
            s.push_str(&format!("{c} same semantics as hunt's detector\n"));
        }
        for cav in &self.caveats {
            s.push_str(&format!("{c} caveat: {cav}\n"));
        }
        s.push_str(self.body.trim_end());
        s.push('\n');
        s
    }
}

/// Enabled detectors (all, or `only`) that have no query in `dialect` yet.
pub fn without_query(
    config: &Config,
    dialect: Dialect,
    only: Option<DetectorId>,
) -> Vec<DetectorId> {
    let have: Vec<DetectorId> = queries(config, dialect, only)
        .iter()
        .map(|q| q.detector)
        .collect();
    DetectorId::ALL
        .iter()
        .copied()
        .filter(|d| only.is_none_or(|o| o == *d))
        .filter(|d| enabled(config, *d) && !have.contains(d))
        .collect()
}

/// The enabled detectors (all, or `only`) as queries in `dialect`.
pub fn queries(config: &Config, dialect: Dialect, only: Option<DetectorId>) -> Vec<Query> {
    DetectorId::ALL
        .iter()
        .copied()
        .filter(|d| only.is_none_or(|o| o == *d))
        .filter(|d| enabled(config, *d))
        .filter_map(|d| {
            let lake = &d.description()?.lake;
            let q = match dialect {
                Dialect::SparkSql => lake.spark_sql,
                Dialect::Kql => lake.kql,
                Dialect::Esql => lake.esql,
            };
            match q {
                LakeQuery::Query(f) => Some(f(config)),
                LakeQuery::None(_) => None,
            }
            .map(|(body, caveats)| Query {
                detector: d,
                dialect,
                caveats,
                body,
            })
        })
        .collect()
}

/// Whether the configuration enables detector `d`.
pub fn enabled(config: &Config, d: DetectorId) -> bool {
    d.description().is_some_and(|x| (x.enabled)(config))
}

/// A list of lower-cased string literals quoted by `quote`, comma-separated.
pub(crate) fn lower_list(items: &[String], quote: fn(&str) -> String) -> String {
    items
        .iter()
        .map(|s| quote(&s.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A float literal that every dialect reads (always with a decimal point).
pub(crate) fn float(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "0.0".into()
    }
}

/// IPv4 CIDRs of `cidrs` as inclusive (low, high) integer ranges; the
/// entries that are not IPv4 networks (IPv6, typos) are returned apart.
pub(crate) fn v4_ranges(cidrs: &[String]) -> (Vec<(u32, u32)>, Vec<String>) {
    let mut ranges = Vec::new();
    let mut other = Vec::new();
    for c in cidrs {
        let t = c.trim();
        let net = t.parse::<ipnet::Ipv4Net>().ok().or_else(|| {
            t.parse::<std::net::Ipv4Addr>()
                .ok()
                .map(ipnet::Ipv4Net::from)
        });
        match net {
            Some(n) => ranges.push((u32::from(n.network()), u32::from(n.broadcast()))),
            None => other.push(t.to_string()),
        }
    }
    (ranges, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_covers_every_enabled_detector() {
        let config = Config::default();
        for d in [Dialect::SparkSql, Dialect::Kql, Dialect::Esql] {
            let qs = queries(&config, d, None);
            let ids: Vec<_> = qs.iter().map(|q| q.detector).collect();
            // Spark SQL says every detector; the others say which they lack.
            let missing = without_query(&config, d, None);
            if d == Dialect::SparkSql {
                assert!(missing.is_empty(), "{missing:?}");
            }
            // A detector lacks a query only where its description says why.
            for m in &missing {
                let lake = &m.description().expect("built-in").lake;
                let q = match d {
                    Dialect::SparkSql => lake.spark_sql,
                    Dialect::Kql => lake.kql,
                    Dialect::Esql => lake.esql,
                };
                assert!(
                    matches!(q, LakeQuery::None(why) if !why.trim().is_empty()),
                    "{} has no {} query and no reason",
                    m.as_str(),
                    d.name()
                );
            }
            let mut all = ids.clone();
            all.extend(&missing);
            all.sort_by_key(|x| x.as_str());
            let mut want = DetectorId::ALL.to_vec();
            want.sort_by_key(|x| x.as_str());
            assert_eq!(all, want, "{}", d.name());
            for q in &qs {
                assert!(q.text().contains(MARKER));
                for col in COLUMNS {
                    assert!(
                        q.body.contains(col),
                        "{} {:?} lacks {col}",
                        d.name(),
                        q.detector
                    );
                }
            }
        }
    }

    #[test]
    fn disabled_detectors_and_detector_filter() {
        let mut config = Config::default();
        config.detectors.bulk_send.enabled = false;
        let qs = queries(&config, Dialect::Kql, None);
        assert!(qs.iter().all(|q| q.detector != DetectorId::BulkSend));
        let one = queries(&config, Dialect::SparkSql, Some(DetectorId::PasswordSpray));
        assert_eq!(one.len(), 1);
    }

    #[test]
    fn thresholds_come_from_the_config() {
        let mut config = Config::default();
        config.detectors.password_spray.min_attempts = 1234;
        config.detectors.password_spray.window = crate::config::Span::minutes(7);
        for d in [Dialect::SparkSql, Dialect::Kql, Dialect::Esql] {
            let q = &queries(&config, d, Some(DetectorId::PasswordSpray))[0];
            assert!(q.body.contains("1234"), "{}", d.name());
            assert!(
                ["420000", "7 minutes"].iter().any(|w| q.body.contains(w)),
                "{}",
                d.name()
            );
        }
    }

    #[test]
    fn v4_ranges_split_v6() {
        let (r, o) = v4_ranges(&[
            "10.0.0.0/8".into(),
            "1.2.3.4".into(),
            "2001:db8::/32".into(),
        ]);
        assert_eq!(
            r,
            vec![(0x0a00_0000, 0x0aff_ffff), (0x0102_0304, 0x0102_0304)]
        );
        assert_eq!(o, vec!["2001:db8::/32".to_string()]);
    }
}
