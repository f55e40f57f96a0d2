//! The value types settings are written in and the checks of their ranges:
//! [`Span`] (`90s`, `15m`, `24h`, `7d`) and the serde checks every
//! detector's settings use (a count of at least one, a risk score, a positive
//! number). Imports nothing of the crate, so each detector's `settings.rs`
//! reads it without reaching back into `config.rs`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A span of event time written as `90s`, `15m`, `24h` or `7d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span(pub i64);

impl Span {
    pub const fn minutes(m: i64) -> Span {
        Span(m * 60_000)
    }
    pub const fn hours(h: i64) -> Span {
        Span(h * 3_600_000)
    }
    /// Milliseconds.
    pub fn ms(self) -> i64 {
        self.0
    }

    /// The longest span accepted: 100 years. Event times (milliseconds, at
    /// most year 9999) plus or minus any window, and the sums and products
    /// detectors take of windows, stay far inside `i64`; a longer "window" is
    /// a typo that would otherwise overflow and switch a detector off.
    pub const MAX: Span = Span(36_500 * 86_400_000);

    /// A span, or `None` when `s` is not one or does not fit (never wraps).
    pub fn parse(s: &str) -> Option<Span> {
        Span::parse_checked(s).ok()
    }

    /// A span (zero included), or why `s` is not one: not a duration, or too
    /// long to represent (checked arithmetic: "106751991168d" does not wrap).
    pub fn parse_checked(s: &str) -> Result<Span, String> {
        let not = || format!("`{s}` is not a duration; write it like 90s, 15m, 24h or 7d");
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(not)?;
        let (n, unit) = t.split_at(split);
        let mult: i64 = match unit.trim() {
            "ms" => 1,
            "s" | "sec" => 1000,
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(not()),
        };
        if n.is_empty() {
            return Err(not());
        }
        let too_long = || {
            format!(
                "`{s}` is too long a duration (at most {}d)",
                Span::MAX.0 / 86_400_000
            )
        };
        let n: i64 = n.parse().map_err(|_| too_long())?;
        let ms = n
            .checked_mul(mult)
            .filter(|ms| *ms <= Span::MAX.0)
            .ok_or_else(too_long)?;
        Ok(Span(ms))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        for (unit, size) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
        ] {
            // Days only from a week up: "24h" reads better than "1d" for a window.
            if ms != 0 && ms % size == 0 && (unit != "d" || ms >= 7 * size) {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        write!(f, "{ms}ms")
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        // A configured window or span must be positive.
        match Span::parse_checked(&s) {
            Ok(span) if span.0 > 0 => Ok(span),
            Ok(_) => Err(serde::de::Error::custom(format!(
                "`{s}` is not longer than zero; a window must be positive"
            ))),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

pub fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n == 0 {
        return Err(serde::de::Error::custom(
            "0 makes no sense here; the least is 1",
        ));
    }
    Ok(n)
}

/// A risk score: 0 to 100.
pub fn percent<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let v = u8::deserialize(d)?;
    if v > 100 {
        return Err(serde::de::Error::custom(format!(
            "`{v}` is not a risk score; write 0 to 100"
        )));
    }
    Ok(v)
}

pub fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if !(x.is_finite() && x > 0.0) {
        return Err(serde::de::Error::custom(format!(
            "{x} is not a positive, finite number"
        )));
    }
    Ok(x)
}
