//! `session_anomaly` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{signins, out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::SessionAnomaly;
    let w = ts(c.session_anomaly.window.ms());
    (
        format!(
            "{src}
let Uses = Signins
| where isnotempty(SessionId) and (ASN != 0 or isnotempty(Country));
Uses
| join kind=inner (Uses | project SessionId, T2 = TimeGenerated, ASN2 = ASN, Country2 = Country,
    Id2 = EventId, User2 = User) on SessionId
| where T2 < TimeGenerated and TimeGenerated - T2 <= {w}
| where (ASN != 0 and ASN2 != 0 and ASN != ASN2)
     or (isnotempty(Country) and isnotempty(Country2) and Country != Country2)
| summarize arg_min(T2, Id2, User2) by SessionId, TimeGenerated, EventId, User, IP
| sort by SessionId asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, SessionId != prev(SessionId))
| summarize First = min(T2), Last = max(TimeGenerated), Count = count() + 1,
    User = take_any(User), IP = take_any(IP), Ids = make_set(pack_array(Id2, EventId), 50)
    by SessionId, Burst
| extend Entity = strcat(User, ' ', SessionId), Suppressed = false
{out}",
            src = signins(),
            out = out(d),
        ),
        vec![
            "an earlier use counts while within the window of this one (hunt: while \
                     the same place was seen within the window); Okta sessions are not in these tables"
                .into(),
        ],
    )
}
