//! Places and hops for the timeline and the map: where an event happened
//! (its own coordinates, else its country's centroid), the great-circle
//! distance, and the hops between a user's consecutive successful
//! sign-ins in different places with km, minutes and km/h. Pure functions
//! over the store; no drawing.

use crate::config::TravelConfig;
use crate::detect::impossible_travel as travel;
use crate::event::{Event, Millis, Outcome, Sym};
use crate::store::{EventIdx, Store};

/// A point on the globe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    pub lat: f64,
    pub lon: f64,
    /// True when the point is a country centroid, not the event's own coordinates.
    pub approximate: bool,
}

/// Where an event happened, if known.
pub fn place(ev: &Event, store: &Store) -> Option<Place> {
    if ev.has_coords() {
        return Some(Place {
            lat: ev.lat as f64,
            lon: ev.lon as f64,
            approximate: false,
        });
    }
    let cc = store.text(ev.country);
    country_centroid(cc).map(|(lat, lon)| Place {
        lat,
        lon,
        approximate: true,
    })
}

/// The centroid of an ISO alpha-2 country (an approximate place for
/// events that carry a country but no coordinates).
pub fn country_centroid(cc: &str) -> Option<(f64, f64)> {
    if cc.is_empty() {
        return None;
    }
    crate::enrich::country::centroid(cc).map(|(lat, lon)| (lat as f64, lon as f64))
}

/// Great-circle distance in km (the travel detector's own).
pub fn km(a: Place, b: Place) -> f64 {
    travel::haversine_km((a.lat, a.lon), (b.lat, b.lon))
}

/// Moves shorter than this (within one country) are location jitter, not hops.
pub const MIN_HOP_KM: f64 = 25.0;

/// One move between two consecutive successful sign-ins in different places.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub from: EventIdx,
    pub to: EventIdx,
    pub from_place: Option<Place>,
    pub to_place: Option<Place>,
    pub from_country: Sym,
    pub to_country: Sym,
    /// None when either end has no place (country change only).
    pub km: Option<f64>,
    pub minutes: f64,
    pub kmh: Option<f64>,
    /// Faster than the configured limit over at least the minimum distance,
    /// or (without places) two countries within the country window.
    pub impossible: bool,
}

/// Hops between consecutive successful sign-ins of `events` (in time order).
pub fn hops(events: &[EventIdx], store: &Store, cfg: &TravelConfig) -> Vec<Hop> {
    let mut out = Vec::new();
    let mut prev: Option<(EventIdx, Event, Option<Place>)> = None;
    for &i in events {
        let ev = store.get(i);
        if !ev.is_signin() || ev.outcome != Outcome::Success {
            continue;
        }
        let here = place(&ev, store);
        if let Some((pi, p, pp)) = &prev {
            if let Some(h) = hop((*pi, p, *pp), (i, &ev, here), cfg) {
                out.push(h);
            }
        }
        prev = Some((i, ev, here));
    }
    out
}

type End<'a> = (EventIdx, &'a Event, Option<Place>);

fn hop((pi, p, pp): End, (i, ev, cp): End, cfg: &TravelConfig) -> Option<Hop> {
    let (pc, c) = (p.country, ev.country);
    let minutes = minutes_between(p.time, ev.time);
    let dist = match (pp, cp) {
        (Some(a), Some(b)) => Some(km(a, b)),
        _ => None,
    };
    let moved = match dist {
        Some(d) => d >= MIN_HOP_KM || (pc.is_some() && c.is_some() && pc != c),
        None => pc.is_some() && c.is_some() && pc != c,
    };
    if !moved {
        return None;
    }
    let kmh = dist.map(|d| {
        if minutes > 0.0 {
            d / (minutes / 60.0)
        } else {
            f64::INFINITY
        }
    });
    // The detector's own judgement: by distance only between the events' own
    // coordinates (with their accuracy radii), else by country, as the
    // finding was judged; a centroid's distance is shown but never judged.
    let dt = ev.time - p.time;
    let exact = match (pp, cp) {
        (Some(a), Some(b)) if !a.approximate && !b.approximate => dist,
        _ => None,
    };
    let impossible = dt >= 0
        && match exact {
            Some(d) => travel::impossible_by_distance(cfg, d, dt, || {
                f64::from(p.accuracy_km) + f64::from(ev.accuracy_km)
            }),
            None => travel::impossible_by_country(cfg, pc, c, dt),
        };
    Some(Hop {
        from: pi,
        to: i,
        from_place: pp,
        to_place: cp,
        from_country: pc,
        to_country: c,
        km: dist,
        minutes,
        kmh,
        impossible,
    })
}

fn minutes_between(a: Millis, b: Millis) -> f64 {
    (b - a).max(0) as f64 / 60_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Draft, Kind, Source};

    #[test]
    fn distance_is_great_circle() {
        let paris = Place {
            lat: 48.8566,
            lon: 2.3522,
            approximate: false,
        };
        let nyc = Place {
            lat: 40.7128,
            lon: -74.0060,
            approximate: false,
        };
        let d = km(paris, nyc);
        assert!((5830.0..5845.0).contains(&d), "{d}");
        assert_eq!(km(paris, paris), 0.0);
    }

    #[test]
    fn hops_between_successes_in_different_places() {
        let mut b = Batch::default();
        let rows = [
            (0, Outcome::Success, 48.85, 2.35, "FR"),
            (10, Outcome::Failure, 40.71, -74.0, "US"),
            (30, Outcome::Success, 48.86, 2.36, "FR"),
            (60, Outcome::Success, 40.71, -74.0, "US"),
            (60 * 24, Outcome::Success, 48.85, 2.35, "FR"),
        ];
        for (min, outcome, lat, lon, cc) in rows {
            let mut d = Draft::new(min * 60_000, Source::Entra, Kind::SignIn);
            d.user = b.text.put("a");
            d.outcome = outcome;
            d.lat = lat;
            d.lon = lon;
            d.country = b.text.put(cc);
            b.drafts.push(d);
        }
        let mut s = Store::new();
        for i in 0..b.len() {
            s.append_draft(&b, i);
        }
        let h = hops(s.by_user("a"), &s, &TravelConfig::default());
        // 0→30 moved ~1 km in Paris (jitter, no hop); 30→60 is Paris→NYC in 30 min; then back in a day.
        assert_eq!(h.len(), 2, "{h:?}");
        assert!(h[0].impossible);
        assert_eq!(h[0].minutes, 30.0);
        assert!(h[0].kmh.unwrap() > 11_000.0);
        assert!(!h[1].impossible);
        assert_eq!(
            (s.text(h[0].from_country), s.text(h[0].to_country)),
            ("FR", "US")
        );
    }

    #[test]
    fn the_map_judges_a_hop_as_the_detector_does() {
        // Paris ↔ the northern Netherlands, 527 km in 20 min, is impossible
        // by speed unless the two accuracy radii cover the distance: the
        // detector excuses the first hop (400 + 300 km), and so must the map
        // (it used to say IMPOSSIBLE); 300 + 0 km and 0 + 0 km do not cover it.
        let mut b = Batch::default();
        for (min, lat, lon, cc, radius) in [
            (0, 48.85, 2.35, "FR", 400u16),
            (20, 53.0, 6.0, "NL", 300),
            (40, 48.85, 2.35, "FR", 0),
            (60, 53.0, 6.0, "NL", 0),
        ] {
            let mut d = Draft::new(min * 60_000, Source::Entra, Kind::SignIn);
            d.user = b.text.put("a");
            d.outcome = Outcome::Success;
            d.lat = lat;
            d.lon = lon;
            d.accuracy_km = radius;
            d.country = b.text.put(cc);
            b.drafts.push(d);
        }
        let mut s = Store::new();
        for i in 0..b.len() {
            s.append_draft(&b, i);
        }
        let h = hops(s.by_user("a"), &s, &TravelConfig::default());
        let judged: Vec<bool> = h.iter().map(|x| x.impossible).collect();
        assert_eq!(judged, vec![false, true, true], "{h:?}");
    }
}
