//! Enrichment of events from outside knowledge: country names to codes,
//! hosting / anonymising networks, and MaxMind GeoIP databases.
//!
//! [`Enricher`] is the pipeline's one entry point for GeoIP: it fills what a
//! stored event lacks (country, city, coordinates, accuracy, AS number and
//! organisation) from the databases, remembers the answer per IP symbol, and
//! marks every value it supplied with a `*_FROM_DB` flag. It never overrides
//! a field the log carried, never looks up a non-public address, and does
//! nothing at all when there is no database.

pub mod country;
pub mod geoip;
pub mod hosting;

pub use geoip::{DbInfo, DbKind, DecodeProblem, GeoInfo, GeoNote};

use crate::event::{flags, Event, Sym};
use crate::store::Interner;
use geoip::{is_public, GeoIp, Place};
use rustc_hash::FxHashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the databases said about one IP, with text already interned.
#[derive(Clone, Copy, Debug, PartialEq)]
struct CachedGeo {
    country: Sym,
    city: Sym,
    /// NaN when the database has no coordinates.
    lat: f32,
    lon: f32,
    accuracy_km: u16,
    /// 0 when unknown.
    asn: u32,
    as_org: Sym,
}

impl CachedGeo {
    fn has_coords(&self) -> bool {
        !self.lat.is_nan() && !self.lon.is_nan()
    }
}

/// GeoIP enrichment with a per-IP cache. One enricher serves one
/// [`Interner`]: the cache is keyed by, and holds, that interner's symbols.
#[derive(Debug, Default)]
pub struct Enricher {
    geo: Option<GeoIp>,
    /// `None` remembers "nothing to add" (miss, non-public, unparsable).
    cache: FxHashMap<Sym, Option<CachedGeo>>,
    lookup_errors: u64,
}

impl Enricher {
    /// Opens databases from explicit paths (files or folders) or, when
    /// `paths` is empty, from the usual locations. Returns the enricher and
    /// one human line per database opened and per file skipped or failed.
    pub fn open(paths: &[PathBuf]) -> (Enricher, Vec<String>) {
        let (enricher, notes) = Enricher::open_noted(paths);
        (
            enricher,
            notes.into_iter().map(GeoNote::into_text).collect(),
        )
    }

    /// [`open`](Self::open), with the lines typed: a caller says
    /// [`GeoNote::is_routine`] ones only when asked.
    pub fn open_noted(paths: &[PathBuf]) -> (Enricher, Vec<GeoNote>) {
        let (geo, msgs) = GeoIp::open_noted(paths);
        let enricher = Enricher {
            geo,
            ..Enricher::default()
        };
        (enricher, msgs)
    }

    /// An enricher without databases: [`apply`](Self::apply) changes nothing.
    pub fn none() -> Enricher {
        Enricher::default()
    }

    /// Fills the absent country, city, coordinates, accuracy, AS number and
    /// organisation of `ev` from the databases and sets the matching
    /// `*_FROM_DB` flags. Values the log carried win. Coordinates and city
    /// are only taken when the log's country (if any) agrees with the
    /// database's, and an organisation only for the log's AS number (if any).
    pub fn apply(&mut self, ev: &mut Event, strings: &mut Interner) {
        let Some(geo) = &self.geo else { return };
        if ev.ip.is_none()
            || (ev.country.is_some() && ev.has_coords() && ev.asn != 0 && ev.as_org.is_some())
        {
            return;
        }
        let cached = match self.cache.get(&ev.ip) {
            Some(c) => *c,
            None => {
                let c = resolve(geo, ev.ip, strings, &mut self.lookup_errors);
                self.cache.insert(ev.ip, c);
                c
            }
        };
        if let Some(g) = cached {
            fill_event(ev, &g);
        }
    }

    pub fn databases(&self) -> Vec<DbInfo> {
        self.geo.as_ref().map(GeoIp::databases).unwrap_or_default()
    }

    /// Everything the databases know about `ip` (for the IP pivot screen);
    /// `None` for non-public addresses, misses, or without databases.
    pub fn lookup(&mut self, ip: IpAddr) -> Option<GeoInfo> {
        self.geo.as_ref()?.lookup(ip)
    }

    /// Forgets the cached answers (their symbols belong to an interner
    /// that is being emptied); the databases stay open.
    pub fn forget(&mut self) {
        self.cache = FxHashMap::default();
    }

    /// Distinct IPs looked up so far.
    pub fn cached_ips(&self) -> usize {
        self.cache.len()
    }

    /// Lookups that failed inside a database (a damaged file); they count as misses.
    pub fn lookup_errors(&self) -> u64 {
        self.lookup_errors
    }

    /// One line per database whose records failed to decode so far (count
    /// and first reason), already neutralised; empty when all went well.
    /// `hunt scan` prints them after the run, the TUI lists them with the
    /// other GeoIP problems.
    pub fn decode_problems(&self) -> Vec<String> {
        let Some(geo) = &self.geo else {
            return Vec::new();
        };
        geo.decode_problems()
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

fn resolve(geo: &GeoIp, ip: Sym, strings: &mut Interner, errors: &mut u64) -> Option<CachedGeo> {
    let ip: IpAddr = strings.resolve(ip).parse().ok()?;
    let ip = ip.to_canonical();
    if !is_public(ip) {
        return None;
    }
    let p: Place<'_> = geo.find(ip, None);
    *errors += u64::from(p.errors);
    if p.is_empty() {
        return None;
    }
    let mut intern = |s: Option<&str>| s.map_or(Sym::NONE, |s| strings.intern(s));
    let country = match p.country {
        Some(c) if c.bytes().any(|b| b.is_ascii_lowercase()) => {
            intern(Some(&c.to_ascii_uppercase()))
        }
        c => intern(c),
    };
    Some(CachedGeo {
        country,
        city: intern(p.city),
        lat: p.coords.map_or(f32::NAN, |c| c.0 as f32),
        lon: p.coords.map_or(f32::NAN, |c| c.1 as f32),
        accuracy_km: p.radius_km.unwrap_or(0),
        asn: p.asn.unwrap_or(0),
        as_org: intern(p.as_org),
    })
}

fn fill_event(ev: &mut Event, g: &CachedGeo) {
    let same_country = ev.country.is_none() || g.country.is_none() || ev.country == g.country;
    if ev.country.is_none() && g.country.is_some() {
        ev.country = g.country;
        ev.flags |= flags::COUNTRY_FROM_DB;
    }
    if same_country && !ev.has_coords() && g.has_coords() {
        ev.lat = g.lat;
        ev.lon = g.lon;
        ev.accuracy_km = g.accuracy_km;
        ev.flags |= flags::GEO_FROM_DB;
        if ev.city.is_none() {
            ev.city = g.city;
        }
    }
    if g.asn != 0 && (ev.asn == 0 || ev.asn == g.asn) {
        if ev.asn == 0 {
            ev.asn = g.asn;
            ev.flags |= flags::ASN_FROM_DB;
        }
        if ev.as_org.is_none() && g.as_org.is_some() {
            ev.as_org = g.as_org;
            ev.flags |= flags::ASN_FROM_DB;
        }
    }
}

/// What [`bench_cache`] measured.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct CacheBench {
    /// Distinct IPs, each looked up once in the databases (cold pass).
    pub ips: usize,
    pub cold: Duration,
    /// `apply` calls answered from the cache (warm pass).
    pub lookups: u64,
    pub warm: Duration,
}

impl CacheBench {
    /// Cached `apply` calls per second.
    pub fn lookups_per_sec(&self) -> f64 {
        self.lookups as f64 / self.warm.as_secs_f64().max(1e-9)
    }
    /// Uncached (database) lookups per second.
    pub fn cold_per_sec(&self) -> f64 {
        self.ips as f64 / self.cold.as_secs_f64().max(1e-9)
    }
}

/// For the benchmark binary: applies `enricher` once to an event per IP of
/// `ips` (cold: database lookups), then `lookups` times round-robin (warm:
/// cache hits), timing both. Clears the enricher's cache before and after,
/// since the benchmark uses its own interner.
#[doc(hidden)]
pub fn bench_cache(enricher: &mut Enricher, ips: &[IpAddr], lookups: u64) -> CacheBench {
    use crate::event::{Kind, Source};
    let mut strings = Interner::default();
    let events: Vec<Event> = ips
        .iter()
        .map(|ip| {
            let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
            ev.ip = strings.intern(&ip.to_string());
            ev
        })
        .collect();
    enricher.cache.clear();
    let start = Instant::now();
    for ev in &events {
        let mut e = *ev;
        enricher.apply(&mut e, &mut strings);
        std::hint::black_box(e);
    }
    let cold = start.elapsed();
    let start = Instant::now();
    let mut done = 0;
    while done < lookups && !events.is_empty() {
        for ev in &events {
            if done == lookups {
                break;
            }
            let mut e = *ev;
            enricher.apply(&mut e, &mut strings);
            std::hint::black_box(e);
            done += 1;
        }
    }
    let warm = start.elapsed();
    enricher.cache.clear();
    CacheBench {
        ips: ips.len(),
        cold,
        lookups: done,
        warm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Kind, Source};
    use mmdb_writer::{Value, Writer};

    /// A City database (81.2.69.0/24 London; 10.0.0.0/8 planted to prove
    /// private addresses are never looked up) and an ASN database.
    fn enricher() -> (Enricher, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let city = |cc: &str, name: &str| {
            Value::map([
                ("country", Value::map([("iso_code", Value::from(cc))])),
                (
                    "city",
                    Value::map([("names", Value::map([("en", Value::from(name))]))]),
                ),
                (
                    "location",
                    Value::map([
                        ("latitude", Value::from(51.5074)),
                        ("longitude", Value::from(-0.1278)),
                        ("accuracy_radius", Value::from(20u16)),
                    ]),
                ),
            ])
        };
        let mut w = Writer::builder("Test-City")
            .description(&[("en", "unit test")])
            .build();
        w.insert_value(
            "81.2.69.0/24".parse::<ipnet::IpNet>().unwrap(),
            city("GB", "London"),
        )
        .unwrap();
        w.insert_value(
            "10.0.0.0/8".parse::<ipnet::IpNet>().unwrap(),
            city("XX", "Nowhere"),
        )
        .unwrap();
        std::fs::write(dir.path().join("t-City.mmdb"), w.to_bytes().unwrap()).unwrap();
        let mut w = Writer::builder("Test-ASN")
            .description(&[("en", "unit test")])
            .build();
        let asn = Value::map([
            ("autonomous_system_number", Value::from(20712u32)),
            (
                "autonomous_system_organization",
                Value::from("Andrews & Arnold Ltd"),
            ),
        ]);
        w.insert_value("81.2.69.0/24".parse::<ipnet::IpNet>().unwrap(), asn)
            .unwrap();
        std::fs::write(dir.path().join("t-ASN.mmdb"), w.to_bytes().unwrap()).unwrap();
        let (e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
        assert_eq!(e.databases().len(), 2, "{msgs:?}");
        (e, dir)
    }

    fn event(strings: &mut Interner, ip: &str) -> Event {
        let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
        ev.ip = strings.intern(ip);
        ev
    }

    #[test]
    fn fills_absent_fields_and_sets_flags() {
        let (mut e, _dir) = enricher();
        let mut s = Interner::default();
        let mut ev = event(&mut s, "81.2.69.142");
        e.apply(&mut ev, &mut s);
        assert_eq!(s.resolve(ev.country), "GB");
        assert_eq!(s.resolve(ev.city), "London");
        assert!((ev.lat - 51.5074).abs() < 1e-4 && (ev.lon + 0.1278).abs() < 1e-4);
        assert_eq!(ev.accuracy_km, 20);
        assert_eq!(ev.asn, 20712);
        assert_eq!(s.resolve(ev.as_org), "Andrews & Arnold Ltd");
        let all = flags::GEO_FROM_DB | flags::COUNTRY_FROM_DB | flags::ASN_FROM_DB;
        assert_eq!(ev.flags & all, all);
    }

    #[test]
    fn log_fields_win() {
        let (mut e, _dir) = enricher();
        let mut s = Interner::default();
        let mut ev = event(&mut s, "81.2.69.142");
        ev.country = s.intern("GB");
        ev.city = s.intern("Croydon");
        ev.lat = 51.37;
        ev.lon = -0.1;
        ev.asn = 64500;
        ev.as_org = s.intern("Log Org");
        ev.flags = flags::IS_PROXY;
        let before = ev;
        e.apply(&mut ev, &mut s);
        assert_eq!(
            format!("{ev:?}"),
            format!("{before:?}"),
            "NaN != NaN, so compare as text"
        );

        // Another country in the log: no database coordinates or city; the
        // ASN (absent from the log) is still filled.
        let mut ev = event(&mut s, "81.2.69.142");
        ev.country = s.intern("FR");
        e.apply(&mut ev, &mut s);
        assert_eq!(s.resolve(ev.country), "FR");
        assert!(!ev.has_coords() && ev.city.is_none());
        assert_eq!(ev.flags, flags::ASN_FROM_DB);
        assert_eq!(ev.asn, 20712);

        // Another AS number in the log: no organisation from the database.
        let mut ev = event(&mut s, "81.2.69.142");
        ev.asn = 64501;
        e.apply(&mut ev, &mut s);
        assert_eq!((ev.asn, ev.as_org), (64501, Sym::NONE));
        assert_eq!(ev.flags & flags::ASN_FROM_DB, 0);
        assert_eq!(s.resolve(ev.country), "GB");
    }

    #[test]
    fn private_and_odd_ips_untouched() {
        let (mut e, _dir) = enricher();
        let mut s = Interner::default();
        for ip in ["10.1.2.3", "::ffff:10.1.2.3", "not-an-ip", "203.0.113.5"] {
            let mut ev = event(&mut s, ip);
            let before = ev;
            e.apply(&mut ev, &mut s);
            assert_eq!(format!("{ev:?}"), format!("{before:?}"), "{ip}");
            assert_eq!(e.cache.get(&ev.ip), Some(&None), "{ip}");
        }
        assert_eq!(s.lookup("XX"), None, "the planted private record was read");
        assert!(e.lookup("10.1.2.3".parse().unwrap()).is_none());
    }

    #[test]
    fn repeated_ip_is_served_from_the_cache() {
        let (mut e, _dir) = enricher();
        let mut s = Interner::default();
        let mut a = event(&mut s, "81.2.69.142");
        e.apply(&mut a, &mut s);
        assert_eq!(e.cached_ips(), 1);
        let mut b = event(&mut s, "81.2.69.142");
        e.apply(&mut b, &mut s);
        assert_eq!(e.cached_ips(), 1);
        assert_eq!(a, b);
        // A planted cache entry is used as is: the hit path never reads the database.
        let mut c = event(&mut s, "81.2.69.143");
        let planted = CachedGeo {
            country: s.intern("SE"),
            city: Sym::NONE,
            lat: f32::NAN,
            lon: f32::NAN,
            accuracy_km: 0,
            asn: 1,
            as_org: Sym::NONE,
        };
        e.cache.insert(c.ip, Some(planted));
        e.apply(&mut c, &mut s);
        assert_eq!((s.resolve(c.country), c.asn), ("SE", 1));
        assert!(!c.has_coords());
    }

    #[test]
    fn no_database_changes_nothing() {
        let mut e = Enricher::none();
        let mut s = Interner::default();
        let mut ev = event(&mut s, "81.2.69.142");
        let before = ev;
        e.apply(&mut ev, &mut s);
        assert_eq!(
            format!("{ev:?}"),
            format!("{before:?}"),
            "NaN != NaN, so compare as text"
        );
        assert!(e.databases().is_empty() && e.cached_ips() == 0);
    }

    #[test]
    fn bench_counts_cached_lookups() {
        let (mut e, _dir) = enricher();
        let ips: Vec<IpAddr> = ["81.2.69.1", "81.2.69.2", "8.8.8.8"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let r = bench_cache(&mut e, &ips, 10);
        assert_eq!((r.ips, r.lookups), (3, 10));
        assert!(r.lookups_per_sec() > 0.0);
        assert_eq!(e.cached_ips(), 0);
    }
}
