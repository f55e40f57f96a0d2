//! Which addresses may be looked up at all. Private, loopback, link-local,
//! documentation, CGNAT, benchmarking, multicast, reserved and unspecified
//! addresses are never located and never counted as a country, whatever a
//! database says about them. Pure functions; no I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
}
