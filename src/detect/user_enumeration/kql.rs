//! `user_enumeration` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{signins, out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::UserEnumeration;
            let e = &c.user_enumeration;
            let w = ts(e.window.ms());
            (
                format!(
                    "{src}
let Fails = Signins
| where Outcome == \"failure\" and Code == \"50034\" and isnotempty(IP)
| sort by IP asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, IP != prev(IP));
let Crossings = Fails
| join kind=inner (Fails | project IP, T2 = TimeGenerated, U2 = User) on IP
| where T2 between ((TimeGenerated - {w}) .. TimeGenerated)
| summarize Accounts = dcount(U2), WinFirst = min(T2) by IP, Burst, TimeGenerated, EventId
| where Accounts >= {min}
| summarize First = min(WinFirst) by IP, Burst;
Fails
| join kind=inner Crossings on IP, Burst
| where TimeGenerated >= First
| summarize Last = max(TimeGenerated), Count = count(), Ids = make_list(EventId, 50)
    by IP, Burst, First
| extend Entity = IP, User = \"\", Suppressed = false
{out}",
                    src = signins(),
                    min = e.min_accounts,
                    out = out(d),
                ),
                vec!["Entra sign-ins only (result 50034); hunt also reads Okta \
                      UNKNOWN_USER, sshd invalid users and Kerberos 0x6; dcount is an \
                      estimate (exact for small counts)"
                    .into()],
            )
}
