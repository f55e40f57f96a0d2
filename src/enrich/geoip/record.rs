//! The parts of a GeoIP record hunt reads, decoded leniently.
//!
//! `maxminddb::geoip2` decodes a whole record at once and insists on each
//! field's exact stored width: a City database whose `accuracy_radius` is a
//! uint32 instead of a uint16 fails every record, and every location is lost.
//! These structs take only the fields hunt uses, accept any integer width
//! (and, for coordinates, any number type) that holds a sensible value, and
//! are decoded part by part (`country`, `city`, `location`) so one bad part
//! does not cost the others. A value of the wrong kind altogether (a string
//! where a number belongs) is still an error, which the caller counts and
//! reports.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// `country` (and `registered_country`) of a City or Country record.
#[derive(Deserialize)]
pub(super) struct Country<'a> {
    #[serde(borrow, default)]
    pub iso_code: Option<&'a str>,
}

/// `city` of a City record.
#[derive(Deserialize)]
pub(super) struct City<'a> {
    #[serde(borrow, default)]
    pub names: Option<Names<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Names<'a> {
    #[serde(borrow, default)]
    pub en: Option<&'a str>,
}

/// `location` of a City record.
#[derive(Deserialize)]
pub(super) struct Location {
    #[serde(default)]
    pub latitude: Option<Num>,
    #[serde(default)]
    pub longitude: Option<Num>,
    #[serde(default)]
    pub accuracy_radius: Option<Radius>,
}

/// An ASN record.
#[derive(Deserialize)]
pub(super) struct Asn<'a> {
    #[serde(default)]
    pub autonomous_system_number: Option<AsNumber>,
    #[serde(borrow, default)]
    pub autonomous_system_organization: Option<&'a str>,
}

/// A coordinate stored as a double, a float or an integer.
pub(super) struct Num(pub f64);

/// An accuracy radius in km of any unsigned (or non-negative signed) width;
/// a radius beyond 65535 km is saturated (it means "anywhere").
pub(super) struct Radius(pub u16);

/// An AS number of any integer width that fits 32 bits.
pub(super) struct AsNumber(pub u32);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor).map(Num)
    }
}

impl<'de> Deserialize<'de> for Radius {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = d.deserialize_any(UintVisitor("an accuracy radius (unsigned integer)"))?;
        Ok(Radius(u16::try_from(n).unwrap_or(u16::MAX)))
    }
}

impl<'de> Deserialize<'de> for AsNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = d.deserialize_any(UintVisitor("an AS number (unsigned integer)"))?;
        u32::try_from(n)
            .map(AsNumber)
            .map_err(|_| de::Error::custom(format!("AS number {n} does not fit 32 bits")))
    }
}

struct NumVisitor;

impl Visitor<'_> for NumVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coordinate (number)")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_f32<E: de::Error>(self, v: f32) -> Result<f64, E> {
        Ok(f64::from(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<f64, E> {
        Ok(v as f64)
    }
}

struct UintVisitor(&'static str);

impl Visitor<'_> for UintVisitor {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u64, E> {
        Ok(u64::try_from(v).unwrap_or(u64::MAX))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(format!("negative value {v} for {}", self.0)))
    }
}
