//! `new_country` in KQL (`Signins` of `lake/kql.rs`), with the thresholds of the
//! effective configuration.

use crate::config::Config;
use crate::finding::DetectorId;
use crate::lake::kql::{signins, out, ts};

/// The KQL query, with its caveats.
pub(crate) fn query(config: &Config) -> (String, Vec<String>) {
    let c = &config.detectors;
    let d = DetectorId::NewCountry;
    let n = &c.new_country;
    (
        format!(
            "{src}
let Located = Signins
| where Outcome == \"success\" and isnotempty(Country)
| sort by User asc, TimeGenerated asc
| extend Era = row_window_session(TimeGenerated, 36500d, {forget}, User != prev(User))
| extend Baseline = row_number(0, User != prev(User) or Era != prev(Era));
let Firsts = Located
| summarize arg_min(TimeGenerated, *) by User, Era, Country
| sort by User asc, Era asc, TimeGenerated asc
| extend Rank = row_number(1, User != prev(User) or Era != prev(Era))
| where Rank <= {max} and Baseline >= {min}
| project User, Era, Country, First = TimeGenerated
| sort by User asc, Era asc, First asc
| extend Next = iff(User == next(User) and Era == next(Era), next(First), datetime(null));
Located
| join kind=inner Firsts on User, Era, Country
| where TimeGenerated >= First and TimeGenerated < First + {g}
    and (isnull(Next) or TimeGenerated < Next)
| summarize Last = max(TimeGenerated), Count = count(), IP = take_any(IP),
    Ids = make_list(EventId, 50) by User, First
| extend Entity = User, Suppressed = false
{out}",
            src = signins(),
            forget = ts(n.forget_after.ms()),
            max = n.max_countries,
            min = n.min_baseline,
            g = ts(n.group_window.ms()),
            out = out(d),
        ),
        vec![
            "a baseline restarts after a gap of more than forget_after (hunt: at \
                      its next state sweep after that); sign-ins of one second keep the \
                      table's order"
                .into(),
        ],
    )
}
