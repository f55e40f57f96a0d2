//! MaxMind DB files (GeoLite2 / GeoIP2 City, Country and ASN, and the DB-IP
//! lite files of the same shapes) opened through `maxminddb`, memory-mapped.
//!
//! This file finds the databases (`--geoip`, `[geoip] paths`, or the usual
//! locations), says in one line per file what it opened or skipped and why,
//! and answers "where is this IP and whose network is it" for public
//! addresses. It never fails the run: a corrupt, truncated or foreign file is
//! reported and left out. It does not cache, intern or touch events; that is
//! [`super::Enricher`]'s job. It cannot download databases either: see
//! `samples/geoip/README.md` for where to get them.

use chrono::DateTime;
use maxminddb::{geoip2, MaxMindDbError, Mmap, Reader};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// What a database can answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DbKind {
    /// Country, city, coordinates and accuracy radius.
    City,
    /// Country only.
    Country,
    /// AS number and organisation.
    Asn,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::City => "City",
            DbKind::Country => "Country",
            DbKind::Asn => "ASN",
        }
    }
}

/// One opened database, for `hunt config` and the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbInfo {
    pub path: PathBuf,
    pub kind: DbKind,
    /// The file's own `database_type` (`GeoLite2-City`, `DBIP-ASN-Lite`, ...).
    pub database_type: String,
    /// Build time from the metadata, seconds since the Unix epoch.
    pub build_epoch: u64,
}

impl DbInfo {
    /// The build date as `YYYY-MM-DD` (UTC).
    pub fn built(&self) -> String {
        i64::try_from(self.build_epoch)
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| format!("epoch {}", self.build_epoch))
    }
}

impl fmt::Display for DbInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} database {} ({}, built {})",
            self.kind.as_str(),
            self.path.display(),
            self.database_type,
            self.built()
        )
    }
}

/// Everything the databases know about one IP, owned (for the IP pivot screen).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoInfo {
    /// ISO 3166 alpha-2, upper case.
    pub country: Option<String>,
    /// English city name.
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Accuracy radius of the coordinates in km.
    pub radius_km: Option<u16>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
    /// The most specific network holding the IP in the first database that knew it.
    pub network: Option<String>,
}

/// A lookup result borrowing its text from the database.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Place<'a> {
    /// Two ASCII letters, as stored (the caller upper-cases).
    pub country: Option<&'a str>,
    pub city: Option<&'a str>,
    /// Latitude and longitude, both in range, or neither.
    pub coords: Option<(f64, f64)>,
    pub radius_km: Option<u16>,
    pub asn: Option<u32>,
    pub as_org: Option<&'a str>,
    /// Lookups that failed inside a database (corrupt data); treated as misses.
    pub errors: u32,
}

impl Place<'_> {
    pub fn is_empty(&self) -> bool {
        self.country.is_none()
            && self.city.is_none()
            && self.coords.is_none()
            && self.asn.is_none()
            && self.as_org.is_none()
    }
}

/// The reader over a memory map, or over the file's bytes when mapping failed.
enum AnyReader {
    Mapped(Reader<Mmap>),
    Read(Reader<Vec<u8>>),
}

struct Db {
    info: DbInfo,
    reader: AnyReader,
}

/// The opened databases, City first, then Country, then ASN (first match wins per field).
pub struct GeoIp {
    dbs: Vec<Db>,
}

impl fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.dbs.iter().map(|d| &d.info))
            .finish()
    }
}

/// The usual database locations: `/usr/share/GeoIP`, `/var/lib/GeoIP`, and
/// `GeoIP` and `hunt` under the XDG data directory when there is one.
pub fn usual_locations(data_home: Option<&Path>) -> Vec<PathBuf> {
    let mut v = vec![
        PathBuf::from("/usr/share/GeoIP"),
        PathBuf::from("/var/lib/GeoIP"),
    ];
    if let Some(d) = data_home {
        v.push(d.join("GeoIP"));
        v.push(d.join("hunt"));
    }
    v
}

/// `$XDG_DATA_HOME` (or `~/.local/share`).
fn data_home() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy().ok().map(|b| b.data_dir())
}

impl GeoIp {
    /// Opens every database named by `paths` (files or folders), or, when
    /// `paths` is empty, every one in [`usual_locations`]. Returns `None`
    /// when nothing could be opened, and one human line per database opened,
    /// per file skipped, and per named path that could not be used.
    pub fn open(paths: &[PathBuf]) -> (Option<GeoIp>, Vec<String>) {
        let explicit = !paths.is_empty();
        let roots = if explicit {
            paths.to_vec()
        } else {
            usual_locations(data_home().as_deref())
        };
        let mut opener = Opener::default();
        for root in &roots {
            match fs::metadata(root) {
                Ok(m) if m.is_dir() => opener.scan_dir(root),
                Ok(_) => opener.open_file(root),
                Err(e) if explicit => opener
                    .msgs
                    .push(format!("GeoIP: cannot use {}: {e}", root.display())),
                Err(_) => {}
            }
        }
        let Opener {
            mut dbs, mut msgs, ..
        } = opener;
        if dbs.is_empty() {
            let list: Vec<String> = roots.iter().map(|p| p.display().to_string()).collect();
            msgs.push(format!(
                "GeoIP: no database found in {}; country, coordinates and ASN come from the logs only",
                list.join(", ")
            ));
            return (None, msgs);
        }
        dbs.sort_by_key(|d| d.info.kind);
        (Some(GeoIp { dbs }), msgs)
    }

    pub fn databases(&self) -> Vec<DbInfo> {
        self.dbs.iter().map(|d| d.info.clone()).collect()
    }

    /// Looks `ip` up in every database. The caller checks [`is_public`] first.
    pub(crate) fn find(&self, ip: IpAddr, network: Option<&mut Option<String>>) -> Place<'_> {
        let mut place = Place::default();
        let mut net = network;
        for db in &self.dbs {
            let r = match &db.reader {
                AnyReader::Mapped(r) => find_in(r, db.info.kind, ip, &mut place),
                AnyReader::Read(r) => find_in(r, db.info.kind, ip, &mut place),
            };
            match r {
                Ok(Some(n)) => {
                    if let Some(slot) = net.as_deref_mut() {
                        slot.get_or_insert(n);
                    }
                }
                Ok(None) => {}
                Err(_) => place.errors += 1,
            }
        }
        place
    }

    /// Everything the databases know about a public `ip`; `None` for
    /// non-public addresses and misses.
    pub fn lookup(&self, ip: IpAddr) -> Option<GeoInfo> {
        let ip = ip.to_canonical();
        if !is_public(ip) {
            return None;
        }
        let mut network = None;
        let p = self.find(ip, Some(&mut network));
        if p.is_empty() {
            return None;
        }
        Some(GeoInfo {
            country: p.country.map(|c| c.to_ascii_uppercase()),
            city: p.city.map(str::to_owned),
            lat: p.coords.map(|c| c.0),
            lon: p.coords.map(|c| c.1),
            radius_km: p.radius_km,
            asn: p.asn,
            as_org: p.as_org.map(str::to_owned),
            network,
        })
    }
}

/// Fills the fields of `place` still absent from one database. Returns the
/// matched network (as text) when this database had data for `ip`.
fn find_in<'a, S: AsRef<[u8]>>(
    r: &'a Reader<S>,
    kind: DbKind,
    ip: IpAddr,
    place: &mut Place<'a>,
) -> Result<Option<String>, MaxMindDbError> {
    let wanted = match kind {
        DbKind::City => place.country.is_none() || place.coords.is_none(),
        DbKind::Country => place.country.is_none(),
        DbKind::Asn => place.asn.is_none(),
    };
    if !wanted {
        return Ok(None);
    }
    let res = r.lookup(ip)?;
    if !res.has_data() {
        return Ok(None);
    }
    match kind {
        DbKind::City => {
            if let Some(c) = res.decode::<geoip2::City>()? {
                let cc = iso2(c.country.iso_code);
                // A second City database may only add to a place in the same country.
                let same = match (place.country, cc) {
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => true,
                };
                fill(&mut place.country, cc);
                if !same {
                    return Ok(None);
                }
                fill(
                    &mut place.city,
                    c.city.names.english.filter(|s| !s.is_empty()),
                );
                if place.coords.is_none() {
                    place.coords = coords(c.location.latitude, c.location.longitude);
                    if place.coords.is_some() {
                        place.radius_km = c.location.accuracy_radius;
                    }
                }
            }
        }
        DbKind::Country => {
            if let Some(c) = res.decode::<geoip2::Country>()? {
                fill(&mut place.country, iso2(c.country.iso_code));
            }
        }
        DbKind::Asn => {
            if let Some(a) = res.decode::<geoip2::Asn>()? {
                place.asn = a.autonomous_system_number.filter(|&n| n != 0);
                if place.asn.is_some() {
                    place.as_org = a.autonomous_system_organization.filter(|s| !s.is_empty());
                }
            }
        }
    }
    Ok(res.network().ok().map(|n| n.to_string()))
}

fn fill<'a>(slot: &mut Option<&'a str>, v: Option<&'a str>) {
    if slot.is_none() {
        *slot = v;
    }
}

fn iso2(code: Option<&str>) -> Option<&str> {
    code.filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()))
}

fn coords(lat: Option<f64>, lon: Option<f64>) -> Option<(f64, f64)> {
    let (lat, lon) = (lat?, lon?);
    let ok = lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0;
    ok.then_some((lat, lon))
}

/// Collects databases and messages while walking the configured paths.
#[derive(Default)]
struct Opener {
    dbs: Vec<Db>,
    msgs: Vec<String>,
    seen: HashSet<PathBuf>,
}

impl Opener {
    /// Opens the `.mmdb` files of one folder (not recursive), in name order.
    /// Files that look like other GeoIP data are skipped with a warning; the
    /// rest (READMEs, hunt's own case file, ...) are none of our business.
    fn scan_dir(&mut self, dir: &Path) {
        let entries = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.msgs
                    .push(format!("GeoIP: cannot read {}: {e}", dir.display()));
                return;
            }
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for path in files {
            let name = match path.file_name().and_then(|n| n.to_str()) {
                Some(n) if !n.starts_with('.') => n.to_ascii_lowercase(),
                _ => continue,
            };
            if !path.is_file() {
                continue;
            }
            if name.ends_with(".mmdb") {
                self.open_file(&path);
            } else if let Some(why) = foreign_geo_file(&name) {
                self.msgs
                    .push(format!("GeoIP: skipped {}: {why}", path.display()));
            }
        }
    }

    fn open_file(&mut self, path: &Path) {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(key) {
            return;
        }
        match open_db(path) {
            Ok(db) => {
                self.msgs.push(format!("GeoIP: {}", db.info));
                self.dbs.push(db);
            }
            Err(why) => self
                .msgs
                .push(format!("GeoIP: skipped {}: {why}", path.display())),
        }
    }
}

/// Why a file in a scanned folder is GeoIP data we cannot read, if it is.
fn foreign_geo_file(lower_name: &str) -> Option<&'static str> {
    if lower_name.ends_with(".dat") {
        return Some("legacy GeoIP .dat format, not a MaxMind DB (.mmdb) file");
    }
    let compressed = [".gz", ".tgz", ".zip", ".tar"]
        .iter()
        .any(|e| lower_name.ends_with(e));
    let geo = ["mmdb", "geoip", "geolite", "dbip"]
        .iter()
        .any(|k| lower_name.contains(k));
    (compressed && geo).then_some("compressed download; unpack the .mmdb file into this folder")
}

fn open_db(path: &Path) -> Result<Db, String> {
    // SAFETY: the map is read-only and the database files are not changed
    // while hunt runs; geoipupdate replaces a database by writing a new file
    // and renaming it over the old one, which leaves this mapping intact.
    let reader = match unsafe { Reader::open_mmap(path) } {
        Ok(r) => AnyReader::Mapped(r),
        Err(MaxMindDbError::Mmap(_)) => {
            AnyReader::Read(Reader::open_readfile(path).map_err(describe)?)
        }
        Err(e) => return Err(describe(e)),
    };
    let meta = match &reader {
        AnyReader::Mapped(r) => r.metadata(),
        AnyReader::Read(r) => r.metadata(),
    };
    let database_type = meta.database_type.clone();
    let build_epoch = meta.build_epoch;
    let kind = kind_from_type(&database_type)
        .or_else(|| match &reader {
            AnyReader::Mapped(r) => probe_kind(r),
            AnyReader::Read(r) => probe_kind(r),
        })
        .ok_or_else(|| {
            format!("database type \"{database_type}\" holds no country, city or ASN data")
        })?;
    let info = DbInfo {
        path: path.to_path_buf(),
        kind,
        database_type,
        build_epoch,
    };
    Ok(Db { info, reader })
}

fn describe(e: MaxMindDbError) -> String {
    match e {
        MaxMindDbError::Io(io) => format!("cannot read it: {io}"),
        other => {
            format!("not a valid MaxMind DB file; truncated, damaged or another format ({other})")
        }
    }
}

/// The kind a `database_type` names: ASN (and ISP) first, then City (and
/// Enterprise, which has the City shape), then Country.
fn kind_from_type(t: &str) -> Option<DbKind> {
    let t = t.to_ascii_lowercase();
    if t.contains("asn") || t.contains("isp") {
        Some(DbKind::Asn)
    } else if t.contains("city") || t.contains("enterprise") {
        Some(DbKind::City)
    } else if t.contains("country") {
        Some(DbKind::Country)
    } else {
        None
    }
}

/// The fields of the first record, for databases with an unfamiliar type name.
#[derive(Deserialize)]
struct Probe {
    autonomous_system_number: Option<u32>,
    location: Option<IgnoredAny>,
    city: Option<IgnoredAny>,
    country: Option<IgnoredAny>,
}

fn probe_kind<S: AsRef<[u8]>>(r: &Reader<S>) -> Option<DbKind> {
    let first = r.networks(Default::default()).ok()?.next()?.ok()?;
    let p = first.decode::<Probe>().ok()??;
    if p.autonomous_system_number.is_some() {
        Some(DbKind::Asn)
    } else if p.location.is_some() || p.city.is_some() {
        Some(DbKind::City)
    } else if p.country.is_some() {
        Some(DbKind::Country)
    } else {
        None
    }
}

/// True for addresses that can be located: not private, loopback,
/// link-local, documentation, CGNAT, benchmarking, multicast, reserved,
/// broadcast or unspecified. IPv4-mapped IPv6 and 6to4 are judged by the
/// IPv4 address inside.
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let blocked = a == 0
        || a == 10
        || a == 127
        || a >= 224 // multicast, reserved, broadcast
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2)) // IETF protocol, TEST-NET-1
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113); // TEST-NET-3
    !blocked
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Global unicast is 2000::/3; everything else (::, ::1, ULA, link-local,
    // multicast, discard, IPv4-compatible) cannot be located.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    if s[0] == 0x2001 && s[1] == 0x0db8 {
        return false; // documentation 2001:db8::/32
    }
    if s[0] & 0xfff0 == 0x3ff0 {
        return false; // documentation 3fff::/20
    }
    if s[0] == 0x2002 {
        // 6to4: the IPv4 address is in bits 16..48.
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return is_public_v4(v4);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn non_public_ranges_are_never_located() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "0.0.0.0",
            "::",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "2001:db8::1",
            "3fff::1",
            "::ffff:10.0.0.1",
            "::ffff:203.0.113.5",
            "2002:c0a8:0101::1",
        ] {
            assert!(!public(ip), "{ip} must not be looked up");
        }
    }

    #[test]
    fn public_addresses_are_located() {
        for ip in [
            "81.2.69.142",
            "8.8.8.8",
            "100.63.0.1",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.3.1",
            "2a02:c7c::1",
            "2001:67c:2e8::1",
            "::ffff:81.2.69.142",
            "2002:5102:458e::1",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn kind_from_database_type() {
        assert_eq!(kind_from_type("GeoLite2-City"), Some(DbKind::City));
        assert_eq!(kind_from_type("DBIP-City-Lite"), Some(DbKind::City));
        assert_eq!(kind_from_type("GeoIP2-Country"), Some(DbKind::Country));
        assert_eq!(kind_from_type("DBIP-Country-Lite"), Some(DbKind::Country));
        assert_eq!(kind_from_type("GeoLite2-ASN"), Some(DbKind::Asn));
        assert_eq!(
            kind_from_type("DBIP-ASN-Lite (compat=GeoLite2-ASN)"),
            Some(DbKind::Asn)
        );
        assert_eq!(kind_from_type("GeoIP2-Enterprise"), Some(DbKind::City));
        assert_eq!(kind_from_type("GeoIP2-Anonymous-IP"), None);
    }

    #[test]
    fn usual_locations_include_xdg_data() {
        let v = usual_locations(Some(Path::new("/home/a/.local/share")));
        assert_eq!(v[0], Path::new("/usr/share/GeoIP"));
        assert_eq!(v[1], Path::new("/var/lib/GeoIP"));
        assert!(v.contains(&PathBuf::from("/home/a/.local/share/GeoIP")));
        assert!(v.contains(&PathBuf::from("/home/a/.local/share/hunt")));
        assert_eq!(usual_locations(None).len(), 2);
    }

    #[test]
    fn build_date_and_foreign_files() {
        let info = DbInfo {
            path: PathBuf::from("/x/GeoLite2-City.mmdb"),
            kind: DbKind::City,
            database_type: "GeoLite2-City".into(),
            build_epoch: 1_714_521_600,
        };
        assert_eq!(
            info.to_string(),
            "City database /x/GeoLite2-City.mmdb (GeoLite2-City, built 2024-05-01)"
        );
        assert!(foreign_geo_file("geoip.dat").is_some());
        assert!(foreign_geo_file("geolite2-city.mmdb.gz").is_some());
        assert!(foreign_geo_file("readme.md").is_none());
        assert!(foreign_geo_file("case.sqlite").is_none());
        assert!(foreign_geo_file("backup.tar.gz").is_none());
    }
}
