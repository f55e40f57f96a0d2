//! KQL (Sentinel, Azure Data Explorer): each detector over the native tables
//! the seeds use: `SigninLogs` and `AADNonInteractiveUserSignInLogs` (union
//! `Signins` below, with hunt's outcome mapping of `ResultType`),
//! `OfficeActivity` for mailbox rules and sends, and `AWSCloudTrail` for
//! cloud recon. Anchored groups (24 h from the first hit) are
//! `row_window_session`, bursts are sessions of neighbours within the
//! window, counting since the previous success is a `row_cumsum` run number.
//! Not run against a live engine here: golden files only (tests/lake_rules.rs).

use super::{float, lower_list};
use crate::config::Config;
use crate::finding::DetectorId;

/// A KQL verbatim string literal (`@'…'`, quotes doubled).
pub fn q(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("@'{}'", clean.replace('\'', "''"))
}

fn ts(ms: i64) -> String {
    format!("{ms}ms")
}

const INTERRUPTED: &str = "\"50125\", \"50140\", \"70043\", \"70044\", \"50074\", \"50076\", \"50079\", \"50072\", \"50158\", \"53003\"";

/// The sign-ins of both tables, in hunt's field names.
fn signins() -> String {
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

/// Output columns from `Detector, Entity, User, IP, First, Last, Count, Suppressed, Ids`.
fn out(detector: DetectorId) -> String {
    format!(
        "| project detector = {}, entity = tostring(Entity), user = tostring(User), ip = tostring(IP),
    first_seen = First, last_seen = Last, event_count = tolong(Count),
    suppressed = tobool(Suppressed), evidence_ids = Ids",
        q(detector.as_str())
    )
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "\"\"".into()
    } else {
        lower_list(items, q)
    }
}

/// Successful sign-ins matching `condition`, one finding per user per group window.
fn grouped(d: DetectorId, condition: &str, span: i64) -> String {
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

/// The query body for detector `d`, with its caveats.
pub fn query(config: &Config, d: DetectorId) -> Option<(String, Vec<String>)> {
    let c = &config.detectors;
    let boundary = "row_window_session starts a new group after more than the span; hunt at \
                    exactly the span (equal timestamps at the boundary differ)";
    Some(match d {
        DetectorId::CredentialStuffing => {
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
        DetectorId::PasswordSpray => {
            let s = &c.password_spray;
            let w = ts(s.window.ms());
            (
                format!(
                    "{src}
let Fails = Signins
| where Outcome == \"failure\" and isnotempty(IP)
| sort by IP asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, IP != prev(IP));
let Crossings = Fails
| join kind=inner (Fails | project IP, T2 = TimeGenerated, U2 = User) on IP
| where T2 between ((TimeGenerated - {w}) .. TimeGenerated)
| summarize Attempts = count(), Users = dcount(U2), WinFirst = min(T2) by IP, Burst, TimeGenerated, EventId
| where Attempts >= {attempts} and Users >= {users}
| summarize First = min(WinFirst) by IP, Burst;
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
                    attempts = s.min_attempts,
                    users = s.min_users,
                    max_ok = s.max_success_users,
                    out = out(d),
                ),
                vec!["dcount is an estimate (HyperLogLog); exact for the small user counts \
                      of the thresholds"
                    .into()],
            )
        }
        DetectorId::ImpossibleTravel => {
            let t = &c.impossible_travel;
            (
                format!(
                    "{src}
Signins
| where Outcome == \"success\"
| extend HasXY = isnotnull(Lat) and isnotnull(Lon) and not(Lat == 0.0 and Lon == 0.0)
| where HasXY or isnotempty(Country)
| sort by User asc, TimeGenerated asc
| extend PrevUser = prev(User), FromTime = prev(TimeGenerated), FromId = prev(EventId),
    FromXY = prev(HasXY), FromLat = prev(Lat), FromLon = prev(Lon), FromCountry = prev(Country)
| where PrevUser == User
| extend Km = iff(FromXY and HasXY, 2.0 * 6371.0088 * asin(min_of(1.0, sqrt(
      pow(sin(radians(Lat - FromLat) / 2.0), 2)
      + cos(radians(FromLat)) * cos(radians(Lat)) * pow(sin(radians(Lon - FromLon) / 2.0), 2)))), real(null)),
    Hours = max_of(datetime_diff('millisecond', TimeGenerated, FromTime), 60000) / 3600000.0
| where iff(FromXY and HasXY,
      not(FromLat == Lat and FromLon == Lon) and Km >= {min_km} and Km / Hours > {max_kmh},
      isnotempty(FromCountry) and isnotempty(Country) and FromCountry != Country
        and TimeGenerated - FromTime <= {country})
| sort by User asc, FromTime asc
| extend Trip = row_window_session(FromTime, {group}, {group}, User != prev(User))
| summarize First = min(FromTime), Last = max(TimeGenerated), Count = count() + 1,
    IP = take_any(IP), Ids = make_set(pack_array(FromId, EventId), 50) by User, Trip
| extend Entity = User, Suppressed = false
{out}",
                    src = signins(),
                    min_km = float(t.min_km),
                    max_kmh = float(t.max_kmh),
                    country = ts(t.country_window.ms()),
                    group = ts(t.group_window.ms()),
                    out = out(d),
                ),
                vec![
                    "accuracy radii are not in SigninLogs: a hop within them is not excused".into(),
                    "trips are grouped from the departure time (hunt: a hop joins while it \
                     arrives within the group window of the trip's first departure); \
                     event_count is hops + 1"
                        .into(),
                    boundary.into(),
                ],
            )
        }
        DetectorId::HostingAsn => {
            let h = &c.hosting_asn;
            // IPv4 and IPv6 networks go to their own function: one bad entry
            // (an IPv6 network in the IPv4 list) makes the whole test null.
            let (v4, v6): (Vec<&String>, Vec<&String>) =
                h.cidrs.iter().partition(|c| !c.contains(':'));
            let quote =
                |l: Vec<&String>| l.iter().map(|x| q(x.trim())).collect::<Vec<_>>().join(", ");
            let asns: Vec<String> = h.asns.iter().map(|a| a.to_string()).collect();
            let cond = format!(
                "not(coalesce(ipv4_is_private(IP), false))
        and (coalesce(ipv4_is_in_any_range(IP, dynamic([{v4}])), false)
        or coalesce(ipv6_is_in_any_range(IP, dynamic([{v6}])), false) or ASN in ({a}))",
                v4 = quote(v4),
                v6 = quote(v6),
                a = if asns.is_empty() {
                    "-1".into()
                } else {
                    asns.join(", ")
                },
            );
            (
                grouped(d, &cond, h.group_window.ms()),
                vec![
                    "SigninLogs has no AS organisation name and no proxy flag: org_patterns \
                     and the proxy rule are not applied (join a GeoIP ASN table to add them)"
                        .into(),
                    "ip_list_files and tor_exit_list are not part of the query (use a watchlist)"
                        .into(),
                    "only RFC 1918 ranges count as private (hunt also skips loopback, \
                     link-local, CGNAT, multicast and reserved ranges)"
                        .into(),
                    boundary.into(),
                ],
            )
        }
        DetectorId::IdentityRisk => {
            let r = &c.identity_risk;
            let cond = format!(
                "tolower(RiskLevel) in ({levels}) or tolower(RiskState) in ({states})
        or array_length(set_intersect(
             todynamic(strcat('[\"', replace_regex(tolower(trim(@'[\\[\\]\"\\s]+', RiskEvents)), @'[\"\\s]*,[\"\\s]*', '\",\"'), '\"]')),
             dynamic([{events}]))) > 0
        or (AuthRequirement =~ \"singleFactorAuthentication\" and isnotempty(HomeTenant)
            and not(HomeTenant =~ ResourceTenant))",
                levels = list(&r.risk_levels),
                states = list(&r.risk_states),
                events = list(&r.risk_event_types),
            );
            (
                grouped(d, &cond, r.group_window.ms()),
                vec![boundary.into()],
            )
        }
        DetectorId::LegacyAuth => {
            let l = &c.legacy_auth;
            let cond = format!(
                "tolower(ClientApp) in ({}) and AuthRequirement =~ \"singleFactorAuthentication\"",
                list(&l.clients)
            );
            (
                grouped(d, &cond, l.group_window.ms()),
                vec![boundary.into()],
            )
        }
        DetectorId::InboxRule => {
            let i = &c.inbox_rule;
            (
                format!(
                    "OfficeActivity
| where tolower(Operation) in ({ops}) and isnotempty(UserId)
| extend User = tolower(UserId)
| mv-apply P = todynamic(Parameters) on (
    summarize RuleName = take_anyif(tostring(P.Value), tostring(P.Name) in~ (\"Name\", \"RuleName\")),
      Forwards = countif(tostring(P.Name) in~ (\"ForwardTo\", \"ForwardAsAttachmentTo\", \"RedirectTo\",
                   \"ForwardingSmtpAddress\", \"ForwardingAddress\")
                 and not(tolower(trim(@'\\s+', tostring(P.Value))) in (\"\", \"$null\", \"null\", \"none\", \"[]\", \"{{}}\"))),
      Hides = countif((tostring(P.Name) in~ (\"DeleteMessage\", \"SoftDeleteMessage\", \"MarkAsRead\")
                   and tolower(tostring(P.Value)) in (\"true\", \"$true\", \"1\", \"yes\"))
                 or (tostring(P.Name) =~ \"MoveToFolder\"
                   and tolower(trim(@'\\s+', extract(@'([^\\\\/:]*)[\\\\/]*$', 1, tostring(P.Value)))) in ({folders})))
  )
| where Forwards > 0 or Hides > 0 or (isnotempty(RuleName) and RuleName matches regex @'^[[:punct:][:space:]]+$')
| extend Entity = strcat(User, ' ', Operation, ' ', RuleName), IP = ClientIP, First = TimeGenerated,
    Last = TimeGenerated, Count = 1, Suppressed = false, Ids = pack_array(tostring(OfficeId))
{out}",
                    ops = list(&i.operations),
                    folders = list(&i.hiding_folders),
                    out = out(d),
                ),
                vec![
                    "Outlook rules (UpdateInboxRules RuleActions) are not decoded; rule \
                     removals are not excluded; severity (external target) is not computed"
                        .into(),
                ],
            )
        }
        DetectorId::BulkSend => {
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
        DetectorId::CloudRecon => {
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
        DetectorId::SessionAnomaly => {
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
        // Issue 13's detectors and Sigma rules have no lake query yet.
        DetectorId::BruteForce => {
            let b = &c.brute_force;
            let w = ts(b.window.ms());
            (
                format!(
                    "{src}
let Fails = Signins
| where Outcome == \"failure\"
| sort by User asc, TimeGenerated asc
| extend Burst = row_window_session(TimeGenerated, 3650d, {w}, User != prev(User));
let Crossings = Fails
| join kind=inner (Fails | project User, T2 = TimeGenerated) on User
| where T2 between ((TimeGenerated - {w}) .. TimeGenerated)
| summarize InWindow = count(), WinFirst = min(T2) by User, Burst, TimeGenerated, EventId
| where InWindow >= {min}
| summarize First = min(WinFirst), Crossed = min(TimeGenerated) by User, Burst;
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
                    min = b.min_failures,
                    out = out(d),
                ),
                vec![
                    "a verified sign-in in the same second as the crossing failure may be \
                      counted or not (hunt orders by arrival)"
                        .into(),
                ],
            )
        }
        DetectorId::UserEnumeration => {
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
        DetectorId::SuspiciousClient => {
            let s = &c.suspicious_client;
            let mut any = Vec::new();
            if s.ropc {
                any.push("Protocol =~ \"ropc\"".to_string());
            }
            if s.device_code {
                any.push(
                    "Protocol =~ \"deviceCode\" or Transfer =~ \"deviceCodeFlow\"".to_string(),
                );
            }
            for a in &s.user_agents {
                let a = a.trim();
                if !a.is_empty() {
                    any.push(format!("UserAgent contains {}", q(a)));
                }
            }
            let condition = if any.is_empty() {
                "false".to_string()
            } else {
                any.join(" or ")
            };
            (
                grouped(d, &condition, s.group_window.ms()),
                vec![boundary.into()],
            )
        }
        DetectorId::NewCountry => {
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
        // Sigma rules have no lake query; mfa_fatigue, slow_spray and
        // distributed_spray have none in KQL yet.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosting_networks_go_to_their_own_ip_family() {
        let mut config = Config::default();
        config.detectors.hosting_asn.cidrs = vec!["10.9.0.0/16".into(), "2001:db8::/32".into()];
        let (body, _) = query(&config, DetectorId::HostingAsn).unwrap();
        assert!(
            body.contains("ipv4_is_in_any_range(IP, dynamic([@'10.9.0.0/16']))"),
            "{body}"
        );
        assert!(
            body.contains("ipv6_is_in_any_range(IP, dynamic([@'2001:db8::/32']))"),
            "{body}"
        );
        assert!(body.contains("coalesce(ipv4_is_private(IP), false)"));
    }

    #[test]
    fn literals_double_quotes() {
        assert_eq!(q("O'Brien"), "@'O''Brien'");
    }
}
