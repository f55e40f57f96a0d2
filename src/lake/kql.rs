//! KQL (Sentinel, Azure Data Explorer): each detector over the native tables
//! the seeds use: `SigninLogs` and `AADNonInteractiveUserSignInLogs` (union
//! `Signins` below, with hunt's outcome mapping of `ResultType`),
//! `OfficeActivity` for mailbox rules and sends, and `AWSCloudTrail` for
//! cloud recon. Anchored groups (24 h from the first hit) are
//! `row_window_session`, bursts are sessions of neighbours within the
//! window, counting since the previous success is a `row_cumsum` run number.
//! Not run against a live engine here: golden files only (tests/lake_rules.rs).

use super::lower_list;
use super::shape::{Counted, Key, Then, WindowedCount, EVIDENCE};
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

/// The `let`s of a windowed count: the counted events (`Fails` or `Sends`,
/// with their `Burst`: events within a window of the previous one) and
/// `Crossings`, each burst's first crossing window start `First` (and the
/// crossing event's time `Crossed` when the detector records what follows).
/// Returns the text and the name of the events table.
pub(crate) fn windowed(s: &WindowedCount) -> (String, &'static str) {
    let w = ts(s.window_ms);
    let key = match s.key {
        Key::User => "User",
        Key::Ip => "IP",
    };
    let with_ip = if s.key == Key::Ip {
        " and isnotempty(IP)"
    } else {
        ""
    };
    let (events, base) = match s.counted {
        Counted::Failures => (
            "Fails",
            format!("Signins\n| where Outcome == \"failure\"{with_ip}"),
        ),
        Counted::UnknownAccounts => (
            "Fails",
            format!("Signins\n| where Outcome == \"failure\" and Code == \"50034\"{with_ip}"),
        ),
        Counted::Sends => (
            "Sends",
            format!(
                "OfficeActivity
| where Operation =~ \"Send\" and isnotempty(UserId)
| extend User = tolower(UserId), EventId = tostring(OfficeId), IP = ClientIP{}",
                if s.key == Key::Ip {
                    "\n| where isnotempty(IP)"
                } else {
                    ""
                }
            ),
        ),
    };
    let (mut counts, mut cond) = (vec![], vec![]);
    if let Some(n) = s.min_events {
        counts.push("InWindow = count()");
        cond.push(format!("InWindow >= {n}"));
    }
    let users = if let Some(n) = s.min_users {
        counts.push("Users = dcount(U2)");
        cond.push(format!("Users >= {n}"));
        ", U2 = User"
    } else {
        ""
    };
    let cond = if cond.is_empty() {
        "false".to_string()
    } else {
        cond.join(" and ")
    };
    let crossed = if s.then == Then::FirstVerified {
        ", Crossed = min(TimeGenerated)"
    } else {
        ""
    };
    let text = format!(
        "let {events} = {base}
| sort by {key} asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, {key} != prev({key}));
let Crossings = {events}
| join kind=inner ({events} | project {key}, T2 = TimeGenerated{users}) on {key}
| where T2 between ((TimeGenerated - {w}) .. TimeGenerated)
| summarize {counts}, WinFirst = min(T2) by {key}, Burst, TimeGenerated, EventId
| where {cond}
| summarize First = min(WinFirst){crossed} by {key}, Burst;",
        counts = counts.join(", "),
    );
    (text, events)
}

/// A whole windowed-count query for a detector that adds nothing after its
/// bursts, with its caveats.
pub(crate) fn windowed_query(s: &WindowedCount) -> (String, Vec<String>) {
    let (shape, events) = windowed(s);
    let src = if s.counted == Counted::Sends {
        String::new()
    } else {
        format!("{}\n", signins())
    };
    let (key, ip, user) = match s.key {
        Key::User => ("User", ", IP = take_any(IP)", ""),
        Key::Ip => ("IP", "", ", User = \"\""),
    };
    let body = format!(
        "{src}{shape}
{events}
| join kind=inner Crossings on {key}, Burst
| where TimeGenerated >= First
| summarize Last = max(TimeGenerated), Count = count(){ip}, Ids = make_list(EventId, {EVIDENCE})
    by {key}, Burst, First
| extend Entity = {key}{user}, Suppressed = false
{out}",
        out = out(s.detector),
    );
    let mut caveats = Vec::new();
    if s.counted == Counted::UnknownAccounts {
        caveats.push(UNKNOWN_ACCOUNTS.to_string());
    }
    if s.min_users.is_some() {
        caveats.push("dcount is an estimate (exact for small counts)".to_string());
    }
    (body, caveats)
}

/// What the lake tables say of sign-ins on unknown accounts.
pub(crate) const UNKNOWN_ACCOUNTS: &str = "Entra sign-ins only (result 50034); hunt also reads \
    Okta UNKNOWN_USER, sshd invalid users and Kerberos 0x6";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes() {
        assert_eq!(q("O'Brien"), "@'O''Brien'");
    }
}
