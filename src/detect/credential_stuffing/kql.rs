//! `credential_stuffing` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{signins, out, ts, q};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::CredentialStuffing;
    let s = &c.credential_stuffing;
    let ignore = if s.ignore_codes.is_empty() {
        String::new()
    } else {
        let codes: Vec<String> = s.ignore_codes.iter().map(|x| q(x)).collect();
        format!(" and Code !in ({})", codes.join(", "))
    };
    (
        format!(
            "{src}
let Runs = Signins
| where Outcome in (\"success\", \"interrupted\") or (Outcome == \"failure\"{ignore})
| sort by User asc, TimeGenerated asc
| extend Ok = Outcome != \"failure\"
| extend Run = tolong(row_cumsum(toint(Ok), User != prev(User)));
let Fails = Runs | where not(Ok) | project User, Run, FailTime = TimeGenerated, FailId = EventId;
Runs
| where Ok
| extend Run = tolong(Run - 1)
| join kind=inner Fails on User, Run
| where FailTime <= TimeGenerated and FailTime >= TimeGenerated - {window}
| summarize First = min(FailTime), Failures = count(), FailIds = make_list(FailId, 40)
    by User, TimeGenerated, EventId, IP
| where Failures >= {min}
| extend Entity = User, Last = TimeGenerated, Count = Failures + 1, Suppressed = false,
    Ids = array_concat(FailIds, pack_array(EventId))
{out}",
            src = signins(),
            window = ts(s.window.ms()),
            min = s.min_failures,
            out = out(d),
        ),
        vec![
            "last_seen and event_count are those of the crossing sign-in; hunt also \
                      counts later verified sign-ins within the window"
                .into(),
        ],
    )
}
