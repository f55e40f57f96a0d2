//! Builds the synthetic demo GeoIP databases shipped in `samples/geoip/`
//! from `examples/demo-geoip-networks.csv`: `hunt-demo-City.mmdb` (country, city,
//! coordinates, accuracy radius) and `hunt-demo-ASN.mmdb` (AS number and
//! organisation). The output is byte-reproducible (fixed build time), so
//! `tests/geoip_demo.rs` can check the committed files against a rebuild.
//!
//! Run: `cargo run --example make_demo_geoip [-- OUT_DIR]` (default
//! `samples/geoip`). This is a developer tool, not part of hunt: the data is
//! made up and only covers the IPs in the bundled samples.

use ipnet::IpNet;
use mmdb_writer::{Value, Writer};
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

/// 2026-01-01T00:00:00Z, so every rebuild writes the same bytes.
pub const BUILD_EPOCH: u64 = 1_767_225_600;
pub const DESCRIPTION: &str = "hunt demo database: synthetic, for the bundled samples only";
pub const CITY_FILE: &str = "hunt-demo-City.mmdb";
pub const ASN_FILE: &str = "hunt-demo-ASN.mmdb";

/// One row of `networks.csv`.
struct Row<'a> {
    network: IpNet,
    country: &'a str,
    city: &'a str,
    lat: f64,
    lon: f64,
    radius_km: u16,
    asn: u32,
    as_org: &'a str,
}

fn parse_row(line: &str) -> Result<Row<'_>, String> {
    let f: Vec<&str> = line.split(',').map(str::trim).collect();
    let [network, country, city, lat, lon, radius, asn, org] = f[..] else {
        return Err(format!("expected 8 fields: {line}"));
    };
    let bad = |what: &str| format!("bad {what} in: {line}");
    Ok(Row {
        network: network.parse().map_err(|_| bad("network"))?,
        country,
        city,
        lat: lat.parse().map_err(|_| bad("latitude"))?,
        lon: lon.parse().map_err(|_| bad("longitude"))?,
        radius_km: radius.parse().map_err(|_| bad("radius_km"))?,
        asn: asn.parse().map_err(|_| bad("asn"))?,
        as_org: org,
    })
}

fn writer(database_type: &str) -> Writer {
    Writer::builder(database_type)
        .description(&[("en", DESCRIPTION)])
        .build_epoch(UNIX_EPOCH + Duration::from_secs(BUILD_EPOCH))
        .build()
}

/// The City and ASN databases for `csv` (header line first), as bytes.
pub fn build_demo(csv: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let mut city_db = writer("hunt-demo-City");
    let mut asn_db = writer("hunt-demo-ASN");
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let r = parse_row(line)?;
        let city = Value::map([
            (
                "country",
                Value::map([("iso_code", Value::from(r.country))]),
            ),
            (
                "city",
                Value::map([("names", Value::map([("en", Value::from(r.city))]))]),
            ),
            (
                "location",
                Value::map([
                    ("latitude", Value::from(r.lat)),
                    ("longitude", Value::from(r.lon)),
                    ("accuracy_radius", Value::from(r.radius_km)),
                ]),
            ),
        ]);
        let asn = Value::map([
            ("autonomous_system_number", Value::from(r.asn)),
            ("autonomous_system_organization", Value::from(r.as_org)),
        ]);
        city_db
            .insert_value(r.network, city)
            .map_err(|e| format!("{}: {e}", r.network))?;
        asn_db
            .insert_value(r.network, asn)
            .map_err(|e| format!("{}: {e}", r.network))?;
    }
    let city = city_db.to_bytes().map_err(|e| e.to_string())?;
    let asn = asn_db.to_bytes().map_err(|e| e.to_string())?;
    Ok((city, asn))
}

fn main() -> Result<(), String> {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/geoip");
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| samples.clone());
    let csv_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo-geoip-networks.csv");
    let csv =
        std::fs::read_to_string(&csv_path).map_err(|e| format!("{}: {e}", csv_path.display()))?;
    let (city, asn) = build_demo(&csv)?;
    for (name, bytes) in [(CITY_FILE, city), (ASN_FILE, asn)] {
        let path = out.join(name);
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
