//! Field resolution: which Sigma logsource each hunt source is, and how a
//! rule's field name (in any dialect: Sentinel PascalCase `ResultType`,
//! diagnostic camelCase `resultType` / `properties.resultType`, Okta's
//! `actor.alternateId`, Windows `TargetUserName`, CloudTrail `eventName`)
//! is answered for one record.
//!
//! The raw record answers first (see [`super::ingest`]); a name listed
//! here is answered from the record's normalized event when the raw record
//! has no field of that name (a Graph record has no `ResultType`).

use crate::event::Source;

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
