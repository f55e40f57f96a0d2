//! `bulk_send` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::BulkSend;
            let b = &c.bulk_send;
            let w = ts(b.window.ms());
            (
                format!(
                    "let Sends = OfficeActivity
| where Operation =~ \"Send\" and isnotempty(UserId)
| extend User = tolower(UserId), EventId = tostring(OfficeId), IP = ClientIP
| sort by User asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, User != prev(User));
let Crossings = Sends
| join kind=inner (Sends | project User, T2 = TimeGenerated) on User
| where T2 between ((TimeGenerated - {w}) .. TimeGenerated)
| summarize InWindow = count(), WinFirst = min(T2) by User, Burst, TimeGenerated, EventId
| where InWindow >= {min}
| summarize First = min(WinFirst) by User, Burst;
Sends
| join kind=inner Crossings on User, Burst
| where TimeGenerated >= First
| summarize Last = max(TimeGenerated), Count = count(), IP = take_any(IP),
    Ids = make_list(EventId, 50) by User, Burst, First
| extend Entity = User, Suppressed = false
{out}",
                    min = b.min_sends,
                    out = out(d),
                ),
                Vec::new(),
            )
}
