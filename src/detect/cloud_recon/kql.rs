//! `cloud_recon` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::CloudRecon;
    let r = &c.cloud_recon;
    let w = ts(r.window.ms());
    (
        format!(
            "let Calls = AWSCloudTrail
| where isnotempty(UserIdentityAccessKeyId) and isnotempty(EventName)
| project TimeGenerated, Key = UserIdentityAccessKeyId, Op = EventName, IP = SourceIpAddress,
    User = UserIdentityArn, EventId = AwsEventId;
let Checks = Calls
| where Op == \"GetCallerIdentity\"
| sort by Key asc, TimeGenerated asc
| extend Session = row_window_session(TimeGenerated, 3650d, {w}, Key != prev(Key))
| project Key, CheckTime = TimeGenerated, Session;
Calls
| where Op == \"GetCallerIdentity\" or (Op matches regex @'^(List|Describe|Get).' and Op != \"GetCallerIdentity\")
| join kind=inner Checks on Key
| where TimeGenerated between (CheckTime .. (CheckTime + {w}))
| summarize arg_max(CheckTime, Session) by Key, TimeGenerated, EventId, Op, IP, User
| summarize First = min(Session), Apis = dcountif(Op, Op != \"GetCallerIdentity\"),
    Last = max(TimeGenerated), Count = count(), IP = take_any(IP), User = take_any(User),
    Ids = make_list(EventId, 50) by Key, Session
| where Apis >= {min}
| extend Entity = Key, Suppressed = false
{out}",
            min = r.min_apis,
            out = out(d),
        ),
        vec!["dcount is an estimate (exact at these sizes)".into()],
    )
}
