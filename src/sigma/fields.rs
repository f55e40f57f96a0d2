//! Field resolution: which Sigma logsource each hunt source is, and how a
//! rule's field name (in any dialect: Sentinel PascalCase `ResultType`,
//! diagnostic camelCase `resultType` / `properties.resultType`, Okta's
//! `actor.alternateId`, Windows `TargetUserName`, CloudTrail `eventName`)
//! is answered for one record.
//!
//! The order is: (1) a field the normalized event holds with the same
//! meaning and representation (`UserPrincipalName` → `user`); (2) anything
//! else from the raw record, read back from the input only when a rule asks
//! for such a field (see [`super::raw`]); (3) a value derived from the
//! normalized event when the raw record cannot be read (evtx, gzip, stdin):
//! a Windows `EventID` from the outcome, an Okta `outcome.result`.
//! A mapped field the event does not hold is absent (no raw read), so a
//! rule on `UserAgent` costs nothing for records without one.

use crate::event::{Event, Outcome, Source};
use crate::store::Store;

/// A normalized field a Sigma field name can mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Canon {
    User,
    Ip,
    ResultCode,
    App,
    ClientApp,
    AuthRequirement,
    Country,
    City,
    AsOrg,
    Asn,
    UserAgent,
    RiskLevel,
    RiskState,
    RiskEvents,
    HomeTenant,
    ResourceTenant,
    SessionId,
    Operation,
    AccessKey,
    /// Windows `LogonType`: the number in `client_app` ("logon type 3").
    LogonTypeNumber,
}

/// Sigma logsources (product, services) a hunt source answers to. A rule
/// runs on a source when its product is one of these (case-insensitive),
/// its service (if any) is listed, and it names no category.
pub fn logsources(source: Source) -> &'static [(&'static str, &'static [&'static str])] {
    match source {
        Source::Entra => &[(
            "azure",
            &["signinlogs", "signin", "signinlogs_noninteractive"],
        )],
        Source::Okta => &[("okta", &["okta"])],
        Source::M365 => &[
            (
                "m365",
                &["audit", "exchange", "threat_management", "threat_detection"],
            ),
            ("microsoft365", &["audit", "exchange", "threat_management"]),
        ],
        Source::Windows => &[("windows", &["security"])],
        Source::CloudTrail => &[("aws", &["cloudtrail"])],
        Source::Sshd => &[("linux", &["sshd", "auth"])],
        Source::Ecs | Source::Unknown => &[],
    }
}

/// Every source, in a fixed order (index = position in per-source tables).
pub const SOURCES: [Source; 8] = [
    Source::Unknown,
    Source::Entra,
    Source::Okta,
    Source::Ecs,
    Source::Windows,
    Source::M365,
    Source::CloudTrail,
    Source::Sshd,
];

/// True when a rule with this logsource runs on `source`.
pub fn logsource_matches(
    product: Option<&str>,
    service: Option<&str>,
    category: Option<&str>,
    source: Source,
) -> bool {
    if category.is_some() {
        return false;
    }
    let Some(product) = product else {
        return false;
    };
    logsources(source).iter().any(|(p, services)| {
        p.eq_ignore_ascii_case(product)
            && service.is_none_or(|s| services.iter().any(|x| x.eq_ignore_ascii_case(s)))
    })
}

/// The normalized field a Sigma field name means for `source`, if any.
/// Names compare case-insensitively, so one entry answers Sentinel's
/// `ResultType` and diagnostic `resultType`; Entra's `properties.` prefix
/// (diagnostic records) is dropped first.
pub fn canonical(source: Source, name: &str) -> Option<Canon> {
    let table: &[(&str, Canon)] = match source {
        Source::Entra => ENTRA,
        Source::Okta => OKTA,
        Source::Windows => WINDOWS,
        Source::CloudTrail => CLOUDTRAIL,
        Source::M365 => M365,
        Source::Sshd => SSHD,
        Source::Ecs | Source::Unknown => &[],
    };
    let name = match source {
        Source::Entra | Source::M365 => strip_prefix_ci(name, "properties.").unwrap_or(name),
        _ => name,
    };
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, c)| c)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

const ENTRA: &[(&str, Canon)] = &[
    ("UserPrincipalName", Canon::User),
    ("IPAddress", Canon::Ip),
    ("ResultType", Canon::ResultCode),
    ("Status.errorCode", Canon::ResultCode),
    ("AppDisplayName", Canon::App),
    ("ClientAppUsed", Canon::ClientApp),
    ("AuthenticationRequirement", Canon::AuthRequirement),
    ("Location", Canon::Country),
    ("LocationDetails.countryOrRegion", Canon::Country),
    ("LocationDetails.city", Canon::City),
    ("location.city", Canon::City),
    ("UserAgent", Canon::UserAgent),
    ("RiskLevelDuringSignIn", Canon::RiskLevel),
    ("RiskState", Canon::RiskState),
    ("HomeTenantId", Canon::HomeTenant),
    ("ResourceTenantId", Canon::ResourceTenant),
    ("SessionId", Canon::SessionId),
    ("AutonomousSystemNumber", Canon::Asn),
];

const OKTA: &[(&str, Canon)] = &[
    ("actor.alternateId", Canon::User),
    ("client.ipAddress", Canon::Ip),
    ("eventType", Canon::Operation),
    ("client.userAgent.rawUserAgent", Canon::UserAgent),
    ("client.geographicalContext.city", Canon::City),
    ("securityContext.asOrg", Canon::AsOrg),
    ("securityContext.asNumber", Canon::Asn),
    ("authenticationContext.externalSessionId", Canon::SessionId),
];

const WINDOWS: &[(&str, Canon)] = &[
    ("IpAddress", Canon::Ip),
    ("Computer", Canon::App),
    ("LogonType", Canon::LogonTypeNumber),
];

const CLOUDTRAIL: &[(&str, Canon)] = &[
    ("eventName", Canon::Operation),
    ("eventSource", Canon::App),
    ("sourceIPAddress", Canon::Ip),
    ("userAgent", Canon::UserAgent),
    ("userIdentity.accessKeyId", Canon::AccessKey),
    ("errorCode", Canon::ResultCode),
];

const M365: &[(&str, Canon)] = &[
    ("Operation", Canon::Operation),
    ("ClientIP", Canon::Ip),
    ("Workload", Canon::App),
    ("UserAgent", Canon::UserAgent),
];

const SSHD: &[(&str, Canon)] = &[
    ("user", Canon::User),
    ("src_ip", Canon::Ip),
    ("host", Canon::App),
];

/// The text of a normalized field of `ev` (`None` when the event has none).
pub fn canon_text<'s>(c: Canon, ev: &Event, store: &'s Store) -> Option<std::borrow::Cow<'s, str>> {
    use std::borrow::Cow;
    let sym = match c {
        Canon::User => ev.user,
        Canon::Ip => ev.ip,
        Canon::ResultCode => ev.result_code,
        Canon::App => ev.app,
        Canon::ClientApp => ev.client_app,
        Canon::AuthRequirement => ev.auth_requirement,
        Canon::Country => ev.country,
        Canon::City => ev.city,
        Canon::AsOrg => ev.as_org,
        Canon::UserAgent => ev.user_agent,
        Canon::RiskLevel => ev.risk_level,
        Canon::RiskState => ev.risk_state,
        Canon::RiskEvents => ev.risk_events,
        Canon::HomeTenant => ev.home_tenant,
        Canon::ResourceTenant => ev.resource_tenant,
        Canon::SessionId => ev.session_id,
        Canon::Operation => ev.operation,
        Canon::AccessKey => ev.access_key,
        Canon::Asn => {
            return (ev.asn != 0).then(|| Cow::Owned(ev.asn.to_string()));
        }
        Canon::LogonTypeNumber => {
            let t = store.text(ev.client_app);
            return t
                .strip_prefix("logon type ")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .map(Cow::Borrowed);
        }
    };
    let t = store.text(sym);
    (!t.is_empty()).then_some(Cow::Borrowed(t))
}

/// A value derived from the normalized event, for when the raw record cannot
/// be read: only where the derivation is exact.
pub fn derived(source: Source, name: &str, ev: &Event, store: &Store) -> Option<String> {
    match source {
        // 4624 is the only success hunt keeps; a failure with a logon type is a 4625.
        Source::Windows if name.eq_ignore_ascii_case("EventID") => match ev.outcome {
            Outcome::Success => Some("4624".into()),
            Outcome::Failure if canon_text(Canon::LogonTypeNumber, ev, store).is_some() => {
                Some("4625".into())
            }
            _ => None,
        },
        // The account as the event wrote it (`domain\user`), else the name
        // hunt keys it by: the two halves.
        Source::Windows if name.eq_ignore_ascii_case("TargetUserName") => {
            let u = written_account(ev, store);
            let name = u.rsplit_once('\\').map_or(u, |(_, n)| n);
            (!name.is_empty()).then(|| name.to_string())
        }
        Source::Windows if name.eq_ignore_ascii_case("TargetDomainName") => {
            written_account(ev, store)
                .split_once('\\')
                .map(|(d, _)| d.to_string())
        }
        Source::Okta if name.eq_ignore_ascii_case("outcome.result") => match ev.outcome {
            Outcome::Success => Some("SUCCESS".into()),
            Outcome::Failure => Some("FAILURE".into()),
            _ => None,
        },
        _ => None,
    }
}

/// A Windows event's account as written (kept in `extra` when it says more
/// than the user name), else the user name.
fn written_account<'s>(ev: &Event, store: &'s Store) -> &'s str {
    crate::event::extra_value(store.text(ev.extra), crate::event::extra::ACCOUNT)
        .unwrap_or_else(|| store.text(ev.user))
}

/// Raw-record paths to try for `name` in `source`'s shapes, after `name` itself.
pub fn raw_aliases(source: Source, name: &str) -> Vec<String> {
    match source {
        Source::Entra => vec![format!("properties.{name}")],
        Source::Windows if name.eq_ignore_ascii_case("EventID") => {
            vec![
                "winlog.event_id".into(),
                "event.code".into(),
                "EventId".into(),
            ]
        }
        Source::Windows => vec![
            format!("winlog.event_data.{name}"),
            format!("EventData.{name}"),
            format!("event_data.{name}"),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logsources_route_each_source() {
        let runs = |p, s, c, src| logsource_matches(Some(p), s, c, src);
        assert!(runs("azure", Some("signinlogs"), None, Source::Entra));
        assert!(runs("Azure", None, None, Source::Entra), "product alone");
        assert!(!runs("azure", Some("auditlogs"), None, Source::Entra));
        assert!(!runs("azure", Some("signinlogs"), None, Source::Okta));
        assert!(runs("okta", Some("okta"), None, Source::Okta));
        for s in ["audit", "exchange", "threat_management"] {
            assert!(runs("m365", Some(s), None, Source::M365), "{s}");
        }
        assert!(runs("windows", Some("security"), None, Source::Windows));
        assert!(!runs("windows", Some("sysmon"), None, Source::Windows));
        assert!(runs("aws", Some("cloudtrail"), None, Source::CloudTrail));
        assert!(runs("linux", Some("sshd"), None, Source::Sshd));
        assert!(runs("linux", Some("auth"), None, Source::Sshd));
        assert!(
            !runs("windows", None, Some("process_creation"), Source::Windows),
            "a category hunt does not read"
        );
        assert!(!logsource_matches(None, Some("okta"), None, Source::Okta));
    }

    #[test]
    fn dialects_map_to_one_normalized_field() {
        for name in [
            "ResultType",
            "resultType",
            "properties.resultType",
            "Properties.Status.errorCode",
        ] {
            assert_eq!(
                canonical(Source::Entra, name),
                Some(Canon::ResultCode),
                "{name}"
            );
        }
        assert_eq!(
            canonical(Source::Entra, "properties.userPrincipalName"),
            Some(Canon::User)
        );
        assert_eq!(
            canonical(Source::Okta, "actor.alternateId"),
            Some(Canon::User)
        );
        assert_eq!(
            canonical(Source::Windows, "LogonType"),
            Some(Canon::LogonTypeNumber)
        );
        assert_eq!(
            canonical(Source::CloudTrail, "eventName"),
            Some(Canon::Operation)
        );
        // Representation differs from the normalized value: read raw instead.
        assert_eq!(canonical(Source::Windows, "TargetUserName"), None);
        assert_eq!(
            canonical(Source::Okta, "client.geographicalContext.country"),
            None
        );
        assert_eq!(canonical(Source::Entra, "Status"), None);
    }
}
