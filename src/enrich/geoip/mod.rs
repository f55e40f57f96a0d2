//! MaxMind DB files (GeoLite2 / GeoIP2 City, Country and ASN, and the DB-IP
//! lite files of the same shapes) opened through `maxminddb`, memory-mapped.
//!
//! This module answers "where is this IP and whose network is it" for public
//! addresses, from every database opened (`open` finds them and reports
//! each file once; `public` says which addresses may be looked up). It
//! does not cache, intern or touch events; that is [`super::Enricher`]'s
//! job. It cannot download databases either: see `samples/geoip/README.md`
//! for where to get them.
//!
//! Several databases combine field by field: City databases are asked
//! first, then Country, then ASN; the first database with a value wins, and
//! a later City database only adds to a place in the same country.

mod open;
mod public;
mod record;

pub use open::{usual_locations, GeoNote};
pub use public::is_public;

use crate::sanitize::clean;
use chrono::DateTime;
use maxminddb::{MaxMindDbError, Mmap, PathElement, Reader};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

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

/// One opened database, for `hunt config` and the status bar. Its fields
/// are the file's own text; [`Display`](fmt::Display) neutralises them.
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
            clean(&self.path.display().to_string()),
            clean(&self.database_type),
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
    problems: Problems,
}

/// Lookups in one database that met a record they could not decode: how
/// many, and the first reason (reported once, after the run or on demand).
#[derive(Default)]
struct Problems {
    count: AtomicU64,
    first: OnceLock<String>,
}

impl Problems {
    fn note(&self, e: &MaxMindDbError) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let _ = self.first.set(e.to_string());
    }
}

/// Lookups one database could not answer because a record did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeProblem {
    pub path: PathBuf,
    pub kind: DbKind,
    /// Lookups that met an undecodable record (or part of one).
    pub lookups: u64,
    /// The first decoder error, as the decoder said it.
    pub reason: String,
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GeoIP: {} database {}: {} lookup(s) met a record that does not decode, so those \
             addresses lack what it holds; first error: {}",
            self.kind.as_str(),
            clean(&self.path.display().to_string()),
            self.lookups,
            clean(&self.reason)
        )
    }
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

impl GeoIp {
    /// Opens every database named by `paths` (files or folders), or, when
    /// `paths` is empty, every one in [`usual_locations`]. Returns `None` when nothing could
    /// be opened, and one human line per database opened, per file skipped,
    /// and per named path that could not be used.
    pub fn open(paths: &[PathBuf]) -> (Option<GeoIp>, Vec<String>) {
        open::open(paths)
    }

    /// [`open`](Self::open), with the lines typed.
    pub fn open_noted(paths: &[PathBuf]) -> (Option<GeoIp>, Vec<GeoNote>) {
        open::open_noted(paths)
    }

    pub fn databases(&self) -> Vec<DbInfo> {
        self.dbs.iter().map(|d| d.info.clone()).collect()
    }

    /// The databases whose records failed to decode so far, one entry each.
    pub fn decode_problems(&self) -> Vec<DecodeProblem> {
        self.dbs
            .iter()
            .filter_map(|d| {
                let lookups = d.problems.count.load(Ordering::Relaxed);
                (lookups > 0).then(|| DecodeProblem {
                    path: d.info.path.clone(),
                    kind: d.info.kind,
                    lookups,
                    reason: d.problems.first.get().cloned().unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Looks `ip` up in every database. The caller checks [`is_public`] first.
    pub(crate) fn find(&self, ip: IpAddr, network: Option<&mut Option<String>>) -> Place<'_> {
        let mut place = Place::default();
        let mut net = network;
        for db in &self.dbs {
            let want_net = net.as_deref().is_some_and(Option::is_none);
            let (found, err) = match &db.reader {
                AnyReader::Mapped(r) => find_in(r, db.info.kind, ip, want_net, &mut place),
                AnyReader::Read(r) => find_in(r, db.info.kind, ip, want_net, &mut place),
            };
            if let (Some(n), Some(slot)) = (found, net.as_deref_mut()) {
                slot.get_or_insert(n);
            }
            if let Some(e) = err {
                place.errors += 1;
                db.problems.note(&e);
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
/// matched network (as text) when `want_net` and this database had data for
/// `ip`, and the first error met: each part of a record (country, city,
/// location, AS fields) is decoded on its own, so a part that does not decode
/// costs only that part.
fn find_in<'a, S: AsRef<[u8]>>(
    r: &'a Reader<S>,
    kind: DbKind,
    ip: IpAddr,
    want_net: bool,
    place: &mut Place<'a>,
) -> (Option<String>, Option<MaxMindDbError>) {
    let wanted = match kind {
        DbKind::City => place.country.is_none() || place.coords.is_none(),
        DbKind::Country => place.country.is_none(),
        DbKind::Asn => place.asn.is_none(),
    };
    if !wanted {
        return (None, None);
    }
    if ip.is_ipv6() && r.metadata().ip_version == 4 {
        return (None, None); // an IPv4-only database: a miss, not an error
    }
    let res = match r.lookup(ip) {
        Ok(res) => res,
        Err(e) => return (None, Some(e)),
    };
    if !res.has_data() {
        return (None, None);
    }
    let mut first_err = None;
    match kind {
        DbKind::City => {
            let cc = part(
                res.decode_path::<record::Country>(&[PathElement::Key("country")]),
                &mut first_err,
            )
            .and_then(|c| iso2(c.iso_code));
            // A second City database may only add to a place in the same country.
            let same = match (place.country, cc) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            };
            fill(&mut place.country, cc);
            if same {
                let city = part(
                    res.decode_path::<record::City>(&[PathElement::Key("city")]),
                    &mut first_err,
                );
                fill(
                    &mut place.city,
                    city.and_then(|c| c.names)
                        .and_then(|n| n.en)
                        .filter(|s| !s.is_empty()),
                );
                if place.coords.is_none() {
                    let loc = part(
                        res.decode_path::<record::Location>(&[PathElement::Key("location")]),
                        &mut first_err,
                    );
                    if let Some(l) = loc {
                        place.coords = coords(l.latitude.map(|n| n.0), l.longitude.map(|n| n.0));
                        if place.coords.is_some() {
                            place.radius_km = l.accuracy_radius.map(|r| r.0);
                        }
                    }
                }
            }
        }
        DbKind::Country => {
            let c = part(
                res.decode_path::<record::Country>(&[PathElement::Key("country")]),
                &mut first_err,
            );
            fill(&mut place.country, c.and_then(|c| iso2(c.iso_code)));
        }
        DbKind::Asn => {
            if let Some(a) = part(res.decode::<record::Asn>(), &mut first_err) {
                place.asn = a.autonomous_system_number.map(|n| n.0).filter(|&n| n != 0);
                if place.asn.is_some() {
                    place.as_org = a.autonomous_system_organization.filter(|s| !s.is_empty());
                }
            }
        }
    }
    if !want_net {
        return (None, first_err);
    }
    (res.network().ok().map(|n| n.to_string()), first_err)
}

/// The decoded part, or `None` with the first error kept in `first`.
fn part<T>(r: Result<Option<T>, MaxMindDbError>, first: &mut Option<MaxMindDbError>) -> Option<T> {
    match r {
        Ok(v) => v,
        Err(e) => {
            first.get_or_insert(e);
            None
        }
    }
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
