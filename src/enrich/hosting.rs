//! Hosting and anonymising networks (SPEC §4 `hosting_asn`): AS numbers, AS
//! organisation patterns, CIDRs from the config, IP list files and a Tor exit
//! list. Lists are loaded when built and the Tor list again on [`HostingNetworks::refresh`]
//! when its modification time changed; the caller decides when. Bad lines and
//! unreadable files are recorded as [`LoadError`]s, never a panic or an abort.
//! Private and reserved addresses never match. This module only answers
//! "is this network a hosting/anonymising one"; it keeps no per-event state.

use crate::config::HostingConfig;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Bad lines kept per file (the rest are only counted).
const MAX_LINE_ERRORS: usize = 5;

/// Which rule matched, in the order they are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Tor,
    /// A configured IP list file.
    List,
    Cidr,
    Asn,
    Org,
    /// The source flagged the IP as a proxy (Okta `securityContext.isProxy`).
    Proxy,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Tor => "tor",
            Rule::List => "list",
            Rule::Cidr => "cidr",
            Rule::Asn => "asn",
            Rule::Org => "org",
            Rule::Proxy => "proxy",
        }
    }
}

/// A match: the rule and what matched (the CIDR, list entry, AS number or pattern).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub rule: Rule,
    pub detail: String,
}

/// What is known about an event's network.
#[derive(Clone, Copy, Debug, Default)]
pub struct NetQuery<'a> {
    pub asn: u32,
    pub as_org: &'a str,
    pub ip: &'a str,
    pub is_proxy: bool,
}

/// A list file that could not be read, or a line in it that is not an IP or CIDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    /// 1-based line, `None` when the whole file failed.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Disjoint address ranges (IPv4 mapped into IPv6 space), each with the
/// label of the entry that produced it, searched by binary search.
#[derive(Debug, Default, Clone)]
struct Ranges {
    spans: Vec<(u128, u128, u32)>,
    labels: Vec<String>,
}

impl Ranges {
    fn build(entries: Vec<(u128, u128, String)>) -> Ranges {
        let mut raw = entries;
        raw.sort_by_key(|e| (e.0, std::cmp::Reverse(e.1)));
        let mut r = Ranges::default();
        for (start, end, label) in raw {
            match r.spans.last_mut() {
                Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
                _ => {
                    r.spans.push((start, end, r.labels.len() as u32));
                    r.labels.push(label);
                }
            }
        }
        r
    }

    fn find(&self, x: u128) -> Option<&str> {
        let i = self.spans.partition_point(|s| s.0 <= x).checked_sub(1)?;
        let &(_, end, label) = self.spans.get(i)?;
        if x > end {
            return None;
        }
        self.labels.get(label as usize).map(String::as_str)
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

/// Hosting and anonymising networks (SPEC §4 `hosting_asn`).
#[derive(Debug, Default)]
pub struct HostingNetworks {
    /// Lower-case organisation patterns.
    org_patterns: Vec<String>,
    asns: Vec<u32>,
    cidrs: Ranges,
    lists: Ranges,
    tor: Ranges,
    tor_path: Option<PathBuf>,
    tor_mtime: Option<SystemTime>,
    errors: Vec<LoadError>,
    tor_errors: Vec<LoadError>,
    /// Bumped whenever the rules change (a reloaded Tor list), so callers
    /// that remember answers know when to forget them.
    generation: u64,
}

impl HostingNetworks {
    /// Builds the matcher, reading the configured list files now. Problems
    /// are kept in [`HostingNetworks::load_errors`].
    pub fn from_config(cfg: &HostingConfig) -> Self {
        let mut errors = Vec::new();
        let mut cidrs = Vec::new();
        for c in &cfg.cidrs {
            match parse_net(c) {
                Some((a, b)) => cidrs.push((a, b, c.trim().to_string())),
                None => errors.push(LoadError {
                    path: PathBuf::from("config: detectors.hosting_asn.cidrs"),
                    line: None,
                    message: format!("`{c}` is not an IP or CIDR"),
                }),
            }
        }
        let mut lists = Vec::new();
        for p in &cfg.ip_list_files {
            lists.extend(load_list(p, &mut errors));
        }
        let mut asns = cfg.asns.clone();
        asns.sort_unstable();
        asns.dedup();
        let mut h = HostingNetworks {
            org_patterns: cfg
                .org_patterns
                .iter()
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
            asns,
            cidrs: Ranges::build(cidrs),
            lists: Ranges::build(lists),
            tor_path: cfg.tor_exit_list.clone(),
            ..HostingNetworks::default()
        };
        h.refresh();
        h.errors.extend(errors);
        h
    }

    /// Reloads the Tor exit list when its modification time changed (or it
    /// appeared). Returns true when the list was reloaded. A list that cannot
    /// be read keeps the previous entries and records the error.
    pub fn refresh(&mut self) -> bool {
        let Some(path) = self.tor_path.clone() else {
            return false;
        };
        let mtime = match std::fs::metadata(&path).and_then(|m| m.modified()) {
            Ok(t) => t,
            Err(e) => {
                self.tor_errors = vec![LoadError {
                    path,
                    line: None,
                    message: format!("cannot read Tor exit list: {e}"),
                }];
                return false;
            }
        };
        if self.tor_mtime == Some(mtime) {
            return false;
        }
        let mut errors = Vec::new();
        let entries = load_list(&path, &mut errors);
        let whole_file_failed = errors.iter().any(|e| e.line.is_none());
        self.tor_errors = errors;
        if whole_file_failed {
            return false;
        }
        self.tor = Ranges::build(entries);
        self.tor_mtime = Some(mtime);
        self.generation += 1;
        true
    }

    /// Changes whenever the rules do; equal generations give equal answers.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// List files or lines that could not be used.
    pub fn load_errors(&self) -> impl Iterator<Item = &LoadError> {
        self.errors.iter().chain(&self.tor_errors)
    }

    /// Entries loaded from the Tor exit list (after merging adjacent ones).
    pub fn tor_len(&self) -> usize {
        self.tor.len()
    }

    /// The first rule that matches, trying Tor, lists, CIDRs, AS number, AS
    /// organisation, then the proxy flag. Private and reserved IPs never match.
    pub fn match_event(&self, q: &NetQuery) -> Option<Match> {
        let ip = q.ip.trim().parse::<IpAddr>().ok().map(canonical);
        if ip.is_some_and(|ip| !is_public(ip)) {
            return None;
        }
        if let Some(x) = ip.map(key) {
            for (ranges, rule) in [
                (&self.tor, Rule::Tor),
                (&self.lists, Rule::List),
                (&self.cidrs, Rule::Cidr),
            ] {
                if let Some(label) = ranges.find(x) {
                    return Some(Match {
                        rule,
                        detail: label.to_string(),
                    });
                }
            }
        }
        if q.asn != 0 && self.asns.binary_search(&q.asn).is_ok() {
            return Some(Match {
                rule: Rule::Asn,
                detail: format!("AS{}", q.asn),
            });
        }
        if let Some(p) = self
            .org_patterns
            .iter()
            .find(|p| contains_ignore_ascii_case(q.as_org, p))
        {
            return Some(Match {
                rule: Rule::Org,
                detail: p.clone(),
            });
        }
        q.is_proxy.then(|| Match {
            rule: Rule::Proxy,
            detail: "source flagged the IP as a proxy".to_string(),
        })
    }
}

/// Reads a list file: one IP or CIDR per line, `#` comments, blank lines;
/// also the Tor project's `exit-addresses` format (`ExitAddress <ip> ...`).
fn load_list(path: &Path, errors: &mut Vec<LoadError>) -> Vec<(u128, u128, String)> {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            errors.push(LoadError {
                path: path.to_path_buf(),
                line: None,
                message: format!("cannot read IP list: {e}"),
            });
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut bad = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let entry = match first {
            "ExitAddress" => words.next().unwrap_or_default(),
            "ExitNode" | "Published" | "LastStatus" => continue,
            _ => first,
        };
        match parse_net(entry) {
            Some((a, b)) => out.push((a, b, format!("{entry} ({})", path.display()))),
            None => {
                bad += 1;
                if bad <= MAX_LINE_ERRORS {
                    errors.push(LoadError {
                        path: path.to_path_buf(),
                        line: Some(i + 1),
                        message: format!("`{}` is not an IP or CIDR", crate::sanitize::clean(line)),
                    });
                }
            }
        }
    }
    if bad > MAX_LINE_ERRORS {
        errors.push(LoadError {
            path: path.to_path_buf(),
            line: None,
            message: format!("{} more bad lines", bad - MAX_LINE_ERRORS),
        });
    }
    out
}

/// An IP or CIDR as an inclusive range of keys.
fn parse_net(s: &str) -> Option<(u128, u128)> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        let k = key(canonical(ip));
        return Some((k, k));
    }
    let net: ipnet::IpNet = s.parse().ok()?;
    let (a, b) = match net {
        ipnet::IpNet::V4(n) => (key(IpAddr::V4(n.network())), key(IpAddr::V4(n.broadcast()))),
        ipnet::IpNet::V6(n) => (key(IpAddr::V6(n.network())), key(IpAddr::V6(n.broadcast()))),
    };
    Some((a, b))
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// One key space for both families: IPv4 as IPv4-mapped IPv6.
fn key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// False for private, loopback, link-local, shared (CGNAT), multicast,
/// unspecified and reserved addresses. Documentation ranges (TEST-NET,
/// 2001:db8::/32) count as public: synthetic samples use them for attackers.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4_reserved(v4),
        IpAddr::V6(v6) => !v6_reserved(v6),
    }
}

fn v4_reserved(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || o[0] == 0
        || o[0] >= 240
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
}

fn v6_reserved(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
}

/// ASCII case-insensitive substring test without allocating; `needle` is lower case.
fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty()
        && hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn q(ip: &str) -> NetQuery<'_> {
        NetQuery {
            ip,
            ..NetQuery::default()
        }
    }

    #[test]
    fn default_rules_match_asn_org_cidr_and_proxy() {
        let h = HostingNetworks::from_config(&HostingConfig::default());
        assert_eq!(h.load_errors().count(), 0);
        let m = h.match_event(&q("185.220.101.4")).unwrap();
        assert_eq!((m.rule, m.detail.as_str()), (Rule::Cidr, "185.220.0.0/16"));
        assert_eq!(
            h.match_event(&q("185.129.62.62")).map(|m| m.rule),
            Some(Rule::Cidr)
        );
        // The seed's regex listed 185.220 twice; 185.221 is not in it.
        assert_eq!(h.match_event(&q("185.221.0.1")), None);
        let asn = NetQuery {
            asn: 53667,
            ip: "203.0.113.9",
            ..NetQuery::default()
        };
        assert_eq!(h.match_event(&asn).unwrap().detail, "AS53667");
        let org = NetQuery {
            as_org: "m247 europe srl",
            ip: "2001:db8::5",
            ..NetQuery::default()
        };
        let m = h.match_event(&org).unwrap();
        assert_eq!((m.rule, m.detail.as_str()), (Rule::Org, "m247"));
        let proxy = NetQuery {
            is_proxy: true,
            ..NetQuery::default()
        };
        assert_eq!(h.match_event(&proxy).map(|m| m.rule), Some(Rule::Proxy));
        let clean = NetQuery {
            asn: 3320,
            as_org: "Deutsche Telekom AG",
            ip: "80.128.0.1",
            is_proxy: false,
        };
        assert_eq!(h.match_event(&clean), None);
    }

    #[test]
    fn private_and_reserved_addresses_never_match() {
        let mut cfg = HostingConfig::default();
        cfg.cidrs.push("10.0.0.0/8".into());
        cfg.cidrs.push("0.0.0.0/0".into());
        let h = HostingNetworks::from_config(&cfg);
        for ip in [
            "10.1.2.3",
            "192.168.1.1",
            "127.0.0.1",
            "100.64.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            let q = NetQuery {
                asn: 9009,
                ip,
                is_proxy: true,
                ..NetQuery::default()
            };
            assert_eq!(h.match_event(&q), None, "{ip}");
        }
        assert_eq!(
            h.match_event(&q("::ffff:185.220.1.1")).map(|m| m.rule),
            Some(Rule::Cidr)
        );
        assert_eq!(
            h.match_event(&q("8.8.8.8")).map(|m| m.rule),
            Some(Rule::Cidr)
        );
    }

    #[test]
    fn list_files_load_with_errors_reported() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("vpn.txt");
        std::fs::write(
            &list,
            "# vpn egress\n198.51.100.0/24\n\n  2001:db8:1::/48 # v6\nnot-an-ip\n203.0.113.7\n",
        )
        .unwrap();
        let cfg = HostingConfig {
            ip_list_files: vec![list.clone(), dir.path().join("missing.txt")],
            ..HostingConfig::default()
        };
        let h = HostingNetworks::from_config(&cfg);
        let errs: Vec<String> = h.load_errors().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].ends_with("vpn.txt:5: `not-an-ip` is not an IP or CIDR"),
            "{errs:?}"
        );
        assert!(
            errs[1].contains("missing.txt: cannot read IP list"),
            "{errs:?}"
        );
        let m = h.match_event(&q("198.51.100.77")).unwrap();
        assert_eq!(m.rule, Rule::List);
        assert!(m.detail.starts_with("198.51.100.0/24 ("), "{}", m.detail);
        assert!(h.match_event(&q("2001:db8:1:ff::1")).is_some());
        assert!(h.match_event(&q("203.0.113.7")).is_some());
        assert!(h.match_event(&q("203.0.113.8")).is_none());
    }

    #[test]
    fn tor_list_reloads_when_its_mtime_changes() {
        let dir = tempfile::tempdir().unwrap();
        let tor = dir.path().join("tor.txt");
        std::fs::write(
            &tor,
            "ExitNode ABC\nExitAddress 198.51.100.1 2024-05-01 10:00:00\n",
        )
        .unwrap();
        let cfg = HostingConfig {
            tor_exit_list: Some(tor.clone()),
            ..HostingConfig::default()
        };
        let mut h = HostingNetworks::from_config(&cfg);
        assert_eq!(h.tor_len(), 1);
        assert_eq!(
            h.match_event(&q("198.51.100.1")).map(|m| m.rule),
            Some(Rule::Tor)
        );
        assert!(!h.refresh(), "unchanged file is not reloaded");
        let mut f = std::fs::OpenOptions::new().append(true).open(&tor).unwrap();
        writeln!(f, "198.51.100.2").unwrap();
        drop(f);
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&tor)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(h.refresh());
        assert_eq!(
            h.match_event(&q("198.51.100.2")).map(|m| m.rule),
            Some(Rule::Tor)
        );
        // A vanished list keeps the old entries and says why.
        std::fs::remove_file(&tor).unwrap();
        assert!(!h.refresh());
        assert!(h.match_event(&q("198.51.100.2")).is_some());
        assert_eq!(h.load_errors().count(), 1);
    }

    #[test]
    fn ranges_merge_overlaps_and_find_bounds() {
        let r = Ranges::build(vec![
            (10, 20, "a".into()),
            (15, 30, "b".into()),
            (40, 40, "c".into()),
            (12, 13, "d".into()),
        ]);
        assert_eq!(r.len(), 2);
        assert_eq!(r.find(10), Some("a"));
        assert_eq!(r.find(30), Some("a"));
        assert_eq!(r.find(31), None);
        assert_eq!(r.find(40), Some("c"));
        assert_eq!(r.find(9), None);
    }
}
