//! `brute_force` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{windowed, signins, out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::BruteForce;
    let b = &c.brute_force;
    let w = ts(b.window.ms());
    (
        format!(
            "{src}
{shape}
let Bursts = Fails
| join kind=inner Crossings on User, Burst
| where TimeGenerated >= First
| sort by TimeGenerated asc
| summarize LastFail = max(TimeGenerated), Failures = count(), IP = take_any(IP),
    FailIds = make_list(EventId, 45) by User, Burst, First, Crossed;
let Oks = Signins | where Outcome in (\"success\", \"interrupted\")
| project User, OkTime = TimeGenerated, OkId = EventId;
Bursts
| join kind=leftouter Oks on User
| extend InWindow = OkTime > Crossed and OkTime <= LastFail + {w}
| sort by OkTime asc
| summarize FirstOk = minif(OkTime, InWindow), OkIds = make_list_if(OkId, InWindow, 1)
    by User, Burst, First, LastFail, Failures, IP, tostring(FailIds)
| extend Entity = User, Last = max_of(LastFail, coalesce(FirstOk, LastFail)),
    Count = Failures + iff(isnull(FirstOk), 0, 1), Suppressed = false,
    Ids = array_concat(todynamic(FailIds), OkIds)
{out}",
            src = signins(),
            shape = windowed(&super::lake_shape(config)).0,
            out = out(d),
        ),
        vec![
            "a verified sign-in in the same second as the crossing failure may be \
                      counted or not (hunt orders by arrival)"
                .into(),
        ],
    )
}
