//! GeoIP lookups and database loading against small MaxMind DB files built
//! here with mmdb-writer: City, Country and ASN shapes, IPv4 and IPv6, a
//! DB-IP-shaped record, a nested network, misses, and the files a scanned
//! folder may hold that are not databases (corrupt, truncated, legacy .dat).

use hunt::enrich::{DbKind, Enricher, GeoInfo};
use hunt::event::{flags, Event, Kind, Source};
use hunt::store::Interner;
use ipnet::IpNet;
use mmdb_writer::{Value, Writer};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// 2024-05-01T00:00:00Z.
const EPOCH: u64 = 1_714_521_600;

fn write_db(dir: &Path, file: &str, db_type: &str, records: Vec<(&str, Value)>) -> PathBuf {
    let mut w = Writer::builder(db_type)
        .description(&[("en", "hunt test")])
        .build_epoch(UNIX_EPOCH + Duration::from_secs(EPOCH))
        .build();
    for (net, v) in records {
        w.insert_value(net.parse::<IpNet>().unwrap(), v).unwrap();
    }
    let path = dir.join(file);
    std::fs::write(&path, w.to_bytes().unwrap()).unwrap();
    path
}

fn names(en: &str) -> Value {
    Value::map([("names", Value::map([("en", Value::from(en))]))])
}

fn city(cc: &str, name: &str, lat: f64, lon: f64, radius: u16) -> Value {
    Value::map([
        ("country", Value::map([("iso_code", Value::from(cc))])),
        ("city", names(name)),
        (
            "location",
            Value::map([
                ("latitude", Value::from(lat)),
                ("longitude", Value::from(lon)),
                ("accuracy_radius", Value::from(radius)),
            ]),
        ),
    ])
}

fn asn(n: u32, org: &str) -> Value {
    Value::map([
        ("autonomous_system_number", Value::from(n)),
        ("autonomous_system_organization", Value::from(org)),
    ])
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A folder with a City database (a /16 holding a nested /24, and IPv6) and an ASN database.
fn city_and_asn() -> (tempfile::TempDir, Enricher, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    write_db(
        dir.path(),
        "Test-City.mmdb",
        "GeoLite2-City",
        vec![
            ("81.2.0.0/16", city("GB", "Manchester", 53.48, -2.24, 500)),
            ("81.2.69.0/24", city("GB", "London", 51.5074, -0.1278, 20)),
            ("2a02:c7c::/32", city("GB", "London", 51.5074, -0.1278, 50)),
        ],
    );
    write_db(
        dir.path(),
        "Test-ASN.mmdb",
        "GeoLite2-ASN",
        vec![
            ("81.2.69.0/24", asn(20712, "Andrews & Arnold Ltd")),
            ("2a02:c7c::/32", asn(13285, "TalkTalk")),
        ],
    );
    let (e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
    (dir, e, msgs)
}

#[test]
fn city_and_asn_lookups_ipv4_and_ipv6() {
    let (_dir, mut e, msgs) = city_and_asn();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let got = e.lookup(ip("81.2.69.142")).unwrap();
    assert_eq!(
        got,
        GeoInfo {
            country: Some("GB".into()),
            city: Some("London".into()),
            lat: Some(51.5074),
            lon: Some(-0.1278),
            radius_km: Some(20),
            asn: Some(20712),
            as_org: Some("Andrews & Arnold Ltd".into()),
            network: Some("81.2.69.0/24".into()),
        }
    );
    let v6 = e.lookup(ip("2a02:c7c:1234::5")).unwrap();
    assert_eq!(v6.country.as_deref(), Some("GB"));
    assert_eq!(v6.radius_km, Some(50));
    assert_eq!(
        (v6.asn, v6.as_org.as_deref()),
        (Some(13285), Some("TalkTalk"))
    );
    // An IPv4-mapped IPv6 address is the IPv4 address.
    let mapped = e.lookup(ip("::ffff:81.2.69.142")).unwrap();
    assert_eq!(mapped.city.as_deref(), Some("London"));
}

#[test]
fn nested_network_most_specific_wins() {
    let (_dir, mut e, _) = city_and_asn();
    let inner = e.lookup(ip("81.2.69.1")).unwrap();
    assert_eq!(inner.city.as_deref(), Some("London"));
    let outer = e.lookup(ip("81.2.70.1")).unwrap();
    assert_eq!(outer.city.as_deref(), Some("Manchester"));
    assert_eq!(outer.radius_km, Some(500));
    // The /24 splits the /16 in the tree: the answer is a piece of the /16 around the IP.
    let net: IpNet = outer.network.unwrap().parse().unwrap();
    let wide: IpNet = "81.2.0.0/16".parse().unwrap();
    assert!(
        wide.contains(&net) && net.contains(&ip("81.2.70.1")),
        "{net}"
    );
    assert!(!net.contains(&ip("81.2.69.1")), "{net}");
    assert_eq!(outer.asn, None, "the ASN database has only the /24");
}

#[test]
fn misses_and_non_public_addresses() {
    let (_dir, mut e, _) = city_and_asn();
    assert_eq!(e.lookup(ip("8.8.8.8")), None);
    assert_eq!(e.lookup(ip("2001:4860::8888")), None);
    for private in [
        "10.0.0.1",
        "192.168.1.1",
        "192.0.2.1",
        "100.64.1.1",
        "2001:db8::1",
    ] {
        assert_eq!(e.lookup(ip(private)), None, "{private}");
    }
}

#[test]
fn country_database_gives_country_only_in_upper_case() {
    let dir = tempfile::tempdir().unwrap();
    let country = |cc: &str| Value::map([("country", Value::map([("iso_code", Value::from(cc))]))]);
    write_db(
        dir.path(),
        "c.mmdb",
        "GeoLite2-Country",
        vec![
            ("89.160.20.0/24", country("se")),
            ("2001:67c:2e8::/48", country("NL")),
        ],
    );
    let (mut e, _) = Enricher::open(&[dir.path().to_path_buf()]);
    assert_eq!(e.databases()[0].kind, DbKind::Country);
    let got = e.lookup(ip("89.160.20.112")).unwrap();
    assert_eq!(got.country.as_deref(), Some("SE"));
    assert_eq!((got.city, got.lat, got.asn), (None, None, None));
    assert_eq!(
        e.lookup(ip("2001:67c:2e8:22::c100:68b"))
            .unwrap()
            .country
            .as_deref(),
        Some("NL")
    );
}

#[test]
fn dbip_shaped_city_record() {
    let dir = tempfile::tempdir().unwrap();
    let rec = Value::map([
        (
            "city",
            Value::map([(
                "names",
                Value::map([
                    ("en", Value::from("Linköping")),
                    ("fa", Value::from("لینشوپینگ")),
                    ("ko", Value::from("린셰핑")),
                ]),
            )]),
        ),
        (
            "continent",
            Value::map([
                ("code", Value::from("EU")),
                ("geoname_id", Value::from(6255148u32)),
            ]),
        ),
        (
            "country",
            Value::map([
                ("iso_code", Value::from("SE")),
                ("is_in_european_union", Value::from(true)),
                ("names", Value::map([("en", Value::from("Sweden"))])),
            ]),
        ),
        (
            "location",
            Value::map([
                ("latitude", Value::from(58.4109)),
                ("longitude", Value::from(15.6216)),
            ]),
        ),
        (
            "subdivisions",
            Value::array([Value::map([(
                "names",
                Value::map([("en", Value::from("Östergötland County"))]),
            )])]),
        ),
    ]);
    let path = write_db(
        dir.path(),
        "dbip-city-lite-2024-05.mmdb",
        "DBIP-City-Lite",
        vec![("89.160.20.0/24", rec)],
    );
    let (mut e, msgs) = Enricher::open(std::slice::from_ref(&path));
    assert_eq!(
        msgs,
        vec![format!(
            "GeoIP: City database {} (DBIP-City-Lite, built 2024-05-01)",
            path.display()
        )]
    );
    let got = e.lookup(ip("89.160.20.112")).unwrap();
    assert_eq!(got.country.as_deref(), Some("SE"));
    assert_eq!(got.city.as_deref(), Some("Linköping"));
    assert_eq!(
        (got.lat, got.lon, got.radius_km),
        (Some(58.4109), Some(15.6216), None)
    );
}

#[test]
fn unfamiliar_type_names_are_probed() {
    let dir = tempfile::tempdir().unwrap();
    write_db(
        dir.path(),
        "a.mmdb",
        "Acme-Geo",
        vec![("81.2.69.0/24", city("GB", "London", 51.5, -0.1, 5))],
    );
    write_db(
        dir.path(),
        "b.mmdb",
        "Acme-Networks",
        vec![("81.2.69.0/24", asn(64500, "Acme"))],
    );
    let other = write_db(
        dir.path(),
        "c.mmdb",
        "Acme-Anonymous-IP",
        vec![(
            "81.2.69.0/24",
            Value::map([("is_anonymous", Value::from(true))]),
        )],
    );
    let (e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
    let kinds: Vec<DbKind> = e.databases().iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![DbKind::City, DbKind::Asn]);
    let skipped = format!("GeoIP: skipped {}: ", other.display());
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&skipped) && m.contains("Acme-Anonymous-IP")),
        "{msgs:?}"
    );
}

#[test]
fn country_database_fills_what_the_city_database_misses() {
    let dir = tempfile::tempdir().unwrap();
    write_db(
        dir.path(),
        "1.mmdb",
        "GeoLite2-City",
        vec![("81.2.69.0/24", city("GB", "London", 51.5, -0.1, 20))],
    );
    let country = Value::map([("country", Value::map([("iso_code", Value::from("NG"))]))]);
    write_db(
        dir.path(),
        "0.mmdb",
        "DBIP-Country-Lite",
        vec![
            ("102.89.0.0/24", country.clone()),
            (
                "81.2.69.0/24",
                Value::map([("country", Value::map([("iso_code", Value::from("FR"))]))]),
            ),
        ],
    );
    let (mut e, _) = Enricher::open(&[dir.path().to_path_buf()]);
    // City databases are asked first, whatever the file order.
    assert_eq!(
        e.lookup(ip("81.2.69.1")).unwrap().country.as_deref(),
        Some("GB")
    );
    let ng = e.lookup(ip("102.89.0.7")).unwrap();
    assert_eq!((ng.country.as_deref(), ng.lat), (Some("NG"), None));
}

#[test]
fn corrupt_and_truncated_files_are_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_db(
        dir.path(),
        "GeoLite2-ASN.mmdb",
        "GeoLite2-ASN",
        vec![("81.2.69.0/24", asn(20712, "A&A"))],
    );
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("GeoLite2-City.mmdb");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = dir.path().join("junk.mmdb");
    std::fs::write(&garbage, b"this is not a database\n".repeat(50)).unwrap();
    let empty = dir.path().join("empty.mmdb");
    std::fs::write(&empty, b"").unwrap();

    let (mut e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
    for bad in [&truncated, &garbage, &empty] {
        let prefix = format!(
            "GeoIP: skipped {}: not a valid MaxMind DB file",
            bad.display()
        );
        assert!(
            msgs.iter().any(|m| m.starts_with(&prefix)),
            "{bad:?} not reported: {msgs:?}"
        );
    }
    assert_eq!(e.databases().len(), 1);
    assert_eq!(e.databases()[0].path, good);
    assert_eq!(e.lookup(ip("81.2.69.9")).unwrap().asn, Some(20712));

    // A bad file named on its own: the run goes on without GeoIP.
    let (mut e, msgs) = Enricher::open(std::slice::from_ref(&truncated));
    assert!(e.databases().is_empty());
    assert!(
        msgs[0].contains(&truncated.display().to_string()),
        "{msgs:?}"
    );
    assert!(
        msgs.last().unwrap().contains("no database found"),
        "{msgs:?}"
    );
    let mut strings = Interner::default();
    let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
    ev.ip = strings.intern("81.2.69.9");
    let before = ev;
    e.apply(&mut ev, &mut strings);
    assert_eq!(
        format!("{ev:?}"),
        format!("{before:?}"),
        "NaN != NaN, so compare as text"
    );
    assert_eq!(e.lookup(ip("81.2.69.9")), None);
}

#[test]
fn damaged_data_section_is_a_miss_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(
        dir.path(),
        "d.mmdb",
        "GeoLite2-City",
        vec![("81.2.69.0/24", city("GB", "London", 51.5, -0.1, 20))],
    );
    let mut bytes = std::fs::read(&path).unwrap();
    let marker = b"\xab\xcd\xefMaxMind.com";
    let meta = bytes
        .windows(marker.len())
        .rposition(|w| w == marker)
        .unwrap();
    // The data section ends at the marker; its first bytes follow the tree and 16 zeros.
    let zeros = bytes[..meta]
        .windows(16)
        .position(|w| w.iter().all(|&b| b == 0))
        .unwrap();
    for b in &mut bytes[zeros + 16..meta] {
        *b = 0xff;
    }
    std::fs::write(&path, &bytes).unwrap();
    let (mut e, msgs) = Enricher::open(&[path]);
    assert_eq!(e.databases().len(), 1, "{msgs:?}");
    let mut strings = Interner::default();
    let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
    ev.ip = strings.intern("81.2.69.9");
    e.apply(&mut ev, &mut strings);
    assert!(ev.country.is_none() && !ev.has_coords());
    assert_eq!(e.lookup_errors(), 1);
}

#[test]
fn non_mmdb_files_in_a_scanned_folder() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_db(
        dir.path(),
        "GeoLite2-City.mmdb",
        "GeoLite2-City",
        vec![("81.2.69.0/24", city("GB", "London", 51.5, -0.1, 20))],
    );
    let legacy = dir.path().join("GeoIP.dat");
    std::fs::write(&legacy, [0u8, 1, 2, 3, 0xff, 0xff, 0xff, 0, 0, 0]).unwrap();
    let gz = dir.path().join("GeoLite2-ASN.mmdb.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
    std::fs::write(dir.path().join("README.txt"), "not data").unwrap();
    std::fs::write(dir.path().join("case.sqlite"), "SQLite format 3\0").unwrap();
    std::fs::create_dir(dir.path().join("old")).unwrap();

    let (e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
    assert_eq!(e.databases().len(), 1);
    assert_eq!(e.databases()[0].path, good);
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs.contains(&format!(
        "GeoIP: City database {} (GeoLite2-City, built 2024-05-01)",
        good.display()
    )));
    assert!(msgs.iter().any(|m| m.starts_with(&format!(
        "GeoIP: skipped {}: legacy GeoIP .dat",
        legacy.display()
    ))));
    assert!(msgs
        .iter()
        .any(|m| m.starts_with(&format!("GeoIP: skipped {}: compressed", gz.display()))));
}

#[test]
fn each_database_is_reported_once_and_missing_paths_are_named() {
    let (dir, _, _) = city_and_asn();
    let file = dir.path().join("Test-City.mmdb");
    let missing = dir.path().join("nope");
    let (e, msgs) = Enricher::open(&[dir.path().to_path_buf(), file.clone(), missing.clone()]);
    assert_eq!(e.databases().len(), 2);
    let city_lines = msgs.iter().filter(|m| m.contains("Test-City.mmdb")).count();
    assert_eq!(city_lines, 1, "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("GeoIP: cannot use {}", missing.display()))),
        "{msgs:?}"
    );
    let info = &e.databases()[0];
    assert_eq!(
        (info.kind, info.database_type.as_str(), info.build_epoch),
        (DbKind::City, "GeoLite2-City", EPOCH)
    );
}

#[test]
fn apply_fills_events_of_every_address_family() {
    let (_dir, mut e, _) = city_and_asn();
    let mut strings = Interner::default();
    let mut run = |text: &str| {
        let mut ev = Event::new(0, Source::Windows, Kind::SignIn);
        ev.ip = strings.intern(text);
        e.apply(&mut ev, &mut strings);
        (
            ev,
            strings.resolve(ev.country).to_owned(),
            strings.resolve(ev.as_org).to_owned(),
        )
    };
    let (ev, cc, org) = run("2a02:c7c::1");
    assert_eq!(
        (cc.as_str(), org.as_str(), ev.asn, ev.accuracy_km),
        ("GB", "TalkTalk", 13285, 50)
    );
    assert_eq!(ev.flags & flags::GEO_FROM_DB, flags::GEO_FROM_DB);
    let (ev, cc, _) = run("81.2.70.3");
    assert_eq!((cc.as_str(), ev.asn, ev.accuracy_km), ("GB", 0, 500));
    assert_eq!(ev.flags & flags::ASN_FROM_DB, 0);
    let (ev, cc, _) = run("172.16.5.4");
    assert_eq!((cc.as_str(), ev.flags), ("", 0));
}

#[test]
fn ipv6_in_an_ipv4_only_database_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::builder("GeoLite2-ASN")
        .description(&[("en", "hunt test")])
        .ip_version(mmdb_writer::IpVersion::V4)
        .build();
    w.insert_value("81.2.69.0/24".parse::<IpNet>().unwrap(), asn(20712, "A&A"))
        .unwrap();
    let path = dir.path().join("v4.mmdb");
    std::fs::write(&path, w.to_bytes().unwrap()).unwrap();
    let (mut e, msgs) = Enricher::open(&[path]);
    assert_eq!(e.databases().len(), 1, "{msgs:?}");
    assert_eq!(e.lookup(ip("81.2.69.1")).unwrap().asn, Some(20712));
    let mut strings = Interner::default();
    let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
    ev.ip = strings.intern("2a02:c7c::1");
    e.apply(&mut ev, &mut strings);
    assert_eq!((ev.asn, e.lookup_errors()), (0, 0));
}

/// A City record whose `accuracy_radius` is stored as `radius` (any width or type).
fn city_with_radius(radius: Value) -> Value {
    Value::map([
        ("country", Value::map([("iso_code", Value::from("GB"))])),
        ("city", names("London")),
        (
            "location",
            Value::map([
                ("latitude", Value::from(51.5074)),
                ("longitude", Value::from(-0.1278)),
                ("accuracy_radius", radius),
            ]),
        ),
    ])
}

#[test]
fn accuracy_radius_of_any_unsigned_width_still_gives_a_location() {
    // Issue 10 item 7: a uint32 or uint64 radius failed the whole record, silently.
    for (name, radius) in [
        ("u16", Value::from(20u16)),
        ("u32", Value::from(20u32)),
        ("u64", Value::from(20u64)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = write_db(
            dir.path(),
            "w.mmdb",
            "GeoLite2-City",
            vec![("81.2.69.0/24", city_with_radius(radius))],
        );
        let (mut e, msgs) = Enricher::open(&[path]);
        let g = e.lookup(ip("81.2.69.9")).unwrap_or_default();
        assert_eq!(g.country.as_deref(), Some("GB"), "{name} {msgs:?}");
        assert_eq!(g.city.as_deref(), Some("London"), "{name}");
        assert_eq!((g.lat, g.radius_km), (Some(51.5074), Some(20)), "{name}");
        let mut strings = Interner::default();
        let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
        ev.ip = strings.intern("81.2.69.9");
        e.apply(&mut ev, &mut strings);
        assert!(ev.has_coords(), "{name}");
        assert_eq!(ev.accuracy_km, 20, "{name}");
        assert_eq!(e.lookup_errors(), 0, "{name}");
        assert!(e.decode_problems().is_empty(), "{name}");
    }
}

#[test]
fn undecodable_field_is_counted_per_database_and_reported_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_db(
        dir.path(),
        "Odd\u{1b}[31m-City.mmdb",
        "GeoLite2-City",
        vec![
            ("81.2.69.0/24", city_with_radius(Value::from("twenty"))),
            ("81.2.70.0/24", city_with_radius(Value::from("far"))),
            ("81.2.71.0/24", city("GB", "Leeds", 53.8, -1.55, 50)),
        ],
    );
    let (mut e, _) = Enricher::open(&[path]);
    let mut strings = Interner::default();
    for addr in ["81.2.69.9", "81.2.69.10", "81.2.70.1", "81.2.71.1"] {
        let mut ev = Event::new(0, Source::Sshd, Kind::SignIn);
        ev.ip = strings.intern(addr);
        e.apply(&mut ev, &mut strings);
        // The rest of the record still counts: the country is known.
        assert_eq!(strings.resolve(ev.country), "GB", "{addr}");
        assert_eq!(ev.has_coords(), addr == "81.2.71.1", "{addr}");
    }
    let problems = e.decode_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let line = &problems[0];
    assert!(line.contains("3 lookup(s)"), "{line}");
    assert!(line.contains("Odd\\u{1b}[31m-City.mmdb"), "{line}");
    assert!(!line.contains('\u{1b}'), "{line}");
    assert!(line.contains("accuracy radius"), "{line}");
    assert_eq!(e.lookup_errors(), 3);
}

#[test]
fn hunt_scan_reports_undecodable_records_once_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = write_db(
        dir.path(),
        "Odd-City.mmdb",
        "GeoLite2-City",
        vec![("81.2.69.0/24", city_with_radius(Value::from("twenty")))],
    );
    let log = dir.path().join("auth.log");
    let mut text = String::new();
    for i in 1..=5 {
        text.push_str(&format!(
            "Jan  5 10:00:0{i} host sshd[12{i}]: Failed password for root from 81.2.69.{i} port 4000{i} ssh2\n"
        ));
    }
    std::fs::write(&log, text).unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("HUNT_CASE")
        .arg("scan")
        .arg("--geoip")
        .arg(&db)
        .arg("--output")
        .arg("jsonl")
        .arg(&log)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("does not decode"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("Odd-City.mmdb"), "{err}");
    assert!(lines[0].contains("5 lookup(s)"), "{err}");
}
