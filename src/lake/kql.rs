//! KQL (Sentinel, Azure Data Explorer): each detector over the native tables
//! the seeds use: `SigninLogs` and `AADNonInteractiveUserSignInLogs` (union
//! `Signins` below, with hunt's outcome mapping of `ResultType`),
//! `OfficeActivity` for mailbox rules and sends, and `AWSCloudTrail` for
//! cloud recon. Anchored groups (24 h from the first hit) are
//! `row_window_session`, bursts are sessions of neighbours within the
//! window, counting since the previous success is a `row_cumsum` run number.
//! Not run against a live engine here: golden files only (tests/lake_rules.rs).

use super::lower_list;
use crate::finding::DetectorId;

/// A KQL verbatim string literal (`@'…'`, quotes doubled).
pub fn q(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("@'{}'", clean.replace('\'', "''"))
}

pub(crate) fn ts(ms: i64) -> String {
    format!("{ms}ms")
}

const INTERRUPTED: &str = "\"50125\", \"50140\", \"70043\", \"70044\", \"50074\", \"50076\", \"50079\", \"50072\", \"50158\", \"53003\"";

/// The sign-ins of both tables, in hunt's field names.
pub(crate) fn signins() -> String {
    // Each table is normalised before the union: their LocationDetails (and
    // on some workspaces AutonomousSystemNumber) have different types, and
    // a union of mismatched columns splits them into suffixed columns.
    let norm = format!(
        "extend Loc = todynamic(tostring(LocationDetails)), Code = tostring(ResultType)
    | project TimeGenerated, EventId = tostring(Id), User = tolower(UserPrincipalName),
        IP = tostring(IPAddress), Code,
        Outcome = case(Code == \"0\" or Code =~ \"success\", \"success\",
                       Code in ({INTERRUPTED}), \"interrupted\",
                       isempty(Code), \"unknown\", \"failure\"),
        ClientApp = tostring(ClientAppUsed), AuthRequirement = tostring(AuthenticationRequirement),
        Country = tostring(Loc.countryOrRegion),
        Lat = todouble(Loc.geoCoordinates.latitude), Lon = todouble(Loc.geoCoordinates.longitude),
        ASN = tolong(AutonomousSystemNumber),
        RiskLevel = tostring(RiskLevelDuringSignIn), RiskState = tostring(RiskState),
        RiskEvents = tostring(RiskEventTypes_V2), HomeTenant = tostring(HomeTenantId),
        ResourceTenant = tostring(ResourceTenantId), SessionId = tostring(SessionId),
        UserAgent = tostring(UserAgent), Protocol = tostring(AuthenticationProtocol),
        Transfer = tostring(OriginalTransferMethod)"
    );
    format!(
        "let Signins = union isfuzzy=true
    (SigninLogs
    | {norm}),
    (AADNonInteractiveUserSignInLogs
    | {norm})
| where isnotempty(User);"
    )
}

/// Grouped queries start a new group after more than the span (hunt: at it).
pub(crate) const BOUNDARY: &str =
    "row_window_session starts a new group after more than the span; hunt at \
                    exactly the span (equal timestamps at the boundary differ)";

/// Output columns from `Detector, Entity, User, IP, First, Last, Count, Suppressed, Ids`.
pub(crate) fn out(detector: DetectorId) -> String {
    format!(
        "| project detector = {}, entity = tostring(Entity), user = tostring(User), ip = tostring(IP),
    first_seen = First, last_seen = Last, event_count = tolong(Count),
    suppressed = tobool(Suppressed), evidence_ids = Ids",
        q(detector.as_str())
    )
}

pub(crate) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "\"\"".into()
    } else {
        lower_list(items, q)
    }
}

/// Successful sign-ins matching `condition`, one finding per user per group window.
pub(crate) fn grouped(d: DetectorId, condition: &str, span: i64) -> String {
    format!(
        "{src}
Signins
| where Outcome == \"success\" and ({condition})
| sort by User asc, TimeGenerated asc
| extend Group = row_window_session(TimeGenerated, {span}, {span}, User != prev(User))
| summarize First = min(TimeGenerated), Last = max(TimeGenerated), Count = count(),
    IP = take_any(IP), Ids = make_list(EventId, 50) by User, Group
| extend Entity = User, Suppressed = false
{out}",
        src = signins(),
        span = ts(span),
        out = out(d),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes() {
        assert_eq!(q("O'Brien"), "@'O''Brien'");
    }
}
