//! The synthetic demo databases in `samples/geoip/`: the committed files are
//! exactly what `examples/make_demo_geoip.rs` builds from `networks.csv`,
//! and they answer for every network listed there.

#[allow(dead_code)]
#[path = "../examples/make_demo_geoip.rs"]
mod make_demo_geoip;

use hunt::enrich::{DbKind, Enricher};
use std::net::IpAddr;
use std::path::PathBuf;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/geoip")
}

fn csv() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo-geoip-networks.csv"),
    )
    .unwrap()
}

#[test]
fn committed_demo_databases_match_a_rebuild() {
    let (city, asn) = make_demo_geoip::build_demo(&csv()).unwrap();
    // Write the rebuild to a temp dir too, so it also opens as a database there.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (make_demo_geoip::CITY_FILE, &city),
        (make_demo_geoip::ASN_FILE, &asn),
    ] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let committed = std::fs::read(samples().join(name)).unwrap();
        assert!(
            committed == *bytes,
            "samples/geoip/{name} is stale: run `cargo run --example make_demo_geoip`"
        );
    }
    let (e, msgs) = Enricher::open(&[dir.path().to_path_buf()]);
    assert_eq!(e.databases().len(), 2, "{msgs:?}");
}

#[test]
fn demo_databases_cover_every_listed_network() {
    let (mut e, msgs) = Enricher::open(&[samples()]);
    // README.md is not a database and are not warned about.
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    let mut dbs = e.databases();
    dbs.sort_by_key(|d| d.kind);
    assert_eq!(dbs[0].kind, DbKind::City);
    assert_eq!(dbs[0].database_type, "hunt-demo-City");
    assert_eq!(dbs[1].kind, DbKind::Asn);
    assert_eq!(dbs[1].database_type, "hunt-demo-ASN");
    assert_eq!(dbs[0].built(), "2026-01-01");

    let text = csv();
    let mut rows = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let net: ipnet::IpNet = f[0].parse().unwrap();
        // An address inside the network, not its first one.
        let ip: IpAddr = match net {
            ipnet::IpNet::V4(n) => IpAddr::V4((u32::from(n.network()) + 7).into()),
            ipnet::IpNet::V6(n) => IpAddr::V6((u128::from(n.network()) + 7).into()),
        };
        let got = e.lookup(ip).unwrap_or_else(|| panic!("{ip} not found"));
        assert_eq!(got.country.as_deref(), Some(f[1]), "{line}");
        assert_eq!(got.city.as_deref(), Some(f[2]), "{line}");
        assert_eq!(got.lat, Some(f[3].parse().unwrap()), "{line}");
        assert_eq!(got.lon, Some(f[4].parse().unwrap()), "{line}");
        assert_eq!(got.radius_km, Some(f[5].parse().unwrap()), "{line}");
        assert_eq!(got.asn, Some(f[6].parse().unwrap()), "{line}");
        assert_eq!(got.as_org.as_deref(), Some(f[7]), "{line}");
        assert_eq!(got.network.as_deref(), Some(f[0]), "{line}");
        rows += 1;
    }
    assert_eq!(rows, 15);
}
