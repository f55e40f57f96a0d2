//! `impossible_travel` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{signins, out, ts, BOUNDARY};
use crate::lake::{float};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::ImpossibleTravel;
    let t = &c.impossible_travel;
    (
        format!(
            "{src}
Signins
| where Outcome == \"success\"
| extend HasXY = isnotnull(Lat) and isnotnull(Lon) and not(Lat == 0.0 and Lon == 0.0)
| where HasXY or isnotempty(Country)
| sort by User asc, TimeGenerated asc
| extend PrevUser = prev(User), FromTime = prev(TimeGenerated), FromId = prev(EventId),
    FromXY = prev(HasXY), FromLat = prev(Lat), FromLon = prev(Lon), FromCountry = prev(Country)
| where PrevUser == User
| extend Km = iff(FromXY and HasXY, 2.0 * 6371.0088 * asin(min_of(1.0, sqrt(
      pow(sin(radians(Lat - FromLat) / 2.0), 2)
      + cos(radians(FromLat)) * cos(radians(Lat)) * pow(sin(radians(Lon - FromLon) / 2.0), 2)))), real(null)),
    Hours = max_of(datetime_diff('millisecond', TimeGenerated, FromTime), 60000) / 3600000.0
| where iff(FromXY and HasXY,
      not(FromLat == Lat and FromLon == Lon) and Km >= {min_km} and Km / Hours > {max_kmh},
      isnotempty(FromCountry) and isnotempty(Country) and FromCountry != Country
        and TimeGenerated - FromTime <= {country})
| sort by User asc, FromTime asc
| extend Trip = row_window_session(FromTime, {group}, {group}, User != prev(User))
| summarize First = min(FromTime), Last = max(TimeGenerated), Count = count() + 1,
    IP = take_any(IP), Ids = make_set(pack_array(FromId, EventId), 50) by User, Trip
| extend Entity = User, Suppressed = false
{out}",
            src = signins(),
            min_km = float(t.min_km),
            max_kmh = float(t.max_kmh),
            country = ts(t.country_window.ms()),
            group = ts(t.group_window.ms()),
            out = out(d),
        ),
        vec![
            "accuracy radii are not in SigninLogs: a hop within them is not excused".into(),
            "trips are grouped from the departure time (hunt: a hop joins while it \
                     arrives within the group window of the trip's first departure); \
                     event_count is hops + 1"
                .into(),
            BOUNDARY.into(),
        ],
    )
}
