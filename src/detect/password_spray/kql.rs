//! `password_spray` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{windowed, signins, out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::PasswordSpray;
    let s = &c.password_spray;
    let w = ts(s.window.ms());
    (
        format!(
            "{src}
{shape}
let Sprays = Fails
| join kind=inner Crossings on IP, Burst
| where TimeGenerated >= First
| summarize Attempts = count(), LastFail = max(TimeGenerated), FailIds = make_list(EventId, 40)
    by IP, Burst, First;
let Oks = Signins | where Outcome in (\"success\", \"interrupted\") and isnotempty(IP)
| project IP, OkTime = TimeGenerated, OkUser = User, OkId = EventId;
Sprays
| join kind=leftouter Oks on IP
| extend InWindow = OkTime between (First .. (LastFail + {w}))
| summarize OkUsers = dcountif(OkUser, InWindow), OkEvents = countif(InWindow),
    LastOk = maxif(OkTime, InWindow), User = take_anyif(OkUser, InWindow),
    OkIds = make_list_if(OkId, InWindow, 10)
    by IP, Burst, First, Attempts, LastFail, tostring(FailIds)
| extend Entity = IP, Last = max_of(LastFail, coalesce(LastOk, LastFail)),
    Count = Attempts + OkEvents, Suppressed = OkUsers > {max_ok},
    Ids = array_concat(todynamic(FailIds), OkIds)
{out}",
            src = signins(),
            shape = windowed(&super::lake_shape(config)).0,
            max_ok = s.max_success_users,
            out = out(d),
        ),
        vec!["dcount is an estimate (HyperLogLog); exact for the small user counts \
                      of the thresholds"
            .into()],
    )
}
