//! The OCSF 1.4.0 shape of an event (docs/ocsf.md §2): Authentication
//! [3002] for sign-ins, API Activity [6003] for audit operations and cloud
//! API calls. [`Ocsf`] is built once per row and serves both the `ocsf`
//! JSON lines (absent values left out) and the Parquet columns (every
//! column present, null when absent), so the two cannot drift apart.

use super::model::params_object;
use super::row::Row;
use super::Names;
use crate::event::{flags, Kind, Outcome, Record, Source};
use serde::Serialize;

pub const VERSION: &str = "1.4.0";

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Ocsf<'a> {
    pub time: i64,
    pub class_uid: i32,
    pub class_name: &'static str,
    pub category_uid: i32,
    pub category_name: &'static str,
    pub activity_id: i32,
    pub activity_name: &'static str,
    pub type_uid: i64,
    pub type_name: String,
    pub severity_id: i32,
    pub severity: &'static str,
    pub status_id: i32,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<&'a str>,
    pub status_detail: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<Api<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<Cloud>,
    pub src_endpoint: Endpoint<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_request: Option<HttpRequest<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_protocol: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_protocol_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logon_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_mfa: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionObj<'a>>,
    pub metadata: Metadata<'a>,
    pub unmapped: Unmapped<'a>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct User<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<Org<'a>>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Org<'a> {
    pub uid: &'a str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Actor<'a> {
    pub user: User<'a>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Api<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service<'a>>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Service<'a> {
    pub name: &'a str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Cloud {
    pub provider: &'static str,
}

#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct Endpoint<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autonomous_system: Option<AutonomousSystem<'a>>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long: Option<f64>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Default)]
pub struct AutonomousSystem<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct HttpRequest<'a> {
    pub user_agent: &'a str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SessionObj<'a> {
    pub uid: &'a str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Metadata<'a> {
    pub version: &'static str,
    pub product: Product,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_name: Option<&'a str>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Product {
    pub name: &'static str,
    pub vendor_name: &'static str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Unmapped<'a> {
    pub file: &'a str,
    pub line: i32,
    pub offset: i64,
    pub length: i32,
    pub source: &'static str,
    pub kind: &'static str,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_requirement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_level: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_events: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_tenant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_tenant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy_km: Option<i32>,
    pub is_proxy: bool,
    pub interactive: bool,
    pub geo_from_db: bool,
    pub country_from_db: bool,
    pub asn_from_db: bool,
    /// The source said the account does not exist (Entra 50034, Okta UNKNOWN_USER, ...).
    pub no_such_user: bool,
    /// An MFA prompt the user denied (Entra 500121, Okta push rejected).
    pub mfa_denied: bool,
    /// hunt's reading of the authentication protocol (`ropc`, `deviceCode`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<&'static str>,
    /// How the session was first obtained (`deviceCodeFlow`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_method: Option<&'static str>,
}

fn some(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// `Some(degrees)` through the f32's shortest decimal; `None` for NaN.
fn coord(f: f32) -> Option<f64> {
    (!f.is_nan()).then(|| f.to_string().parse().ok()).flatten()
}

/// OCSF activity of an API call, from its operation's verb.
fn api_activity(op: &str) -> (i32, &'static str) {
    let o = op.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let starts = |p: &[&str]| {
        p.iter().any(|p| {
            o.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
        })
    };
    if starts(&["new", "create", "add"]) {
        (1, "Create")
    } else if starts(&["get", "list", "describe", "search"]) {
        (2, "Read")
    } else if starts(&["set", "update", "put", "modify", "enable", "disable"]) {
        (3, "Update")
    } else if starts(&["remove", "delete"]) {
        (4, "Delete")
    } else {
        (99, "Other")
    }
}

/// Product name and vendor of a log family.
fn product(s: Source) -> Product {
    let (name, vendor_name) = match s {
        Source::Entra => ("Entra ID", "Microsoft"),
        Source::Okta => ("Okta", "Okta"),
        Source::Ecs => ("Elastic ECS", "Elastic"),
        Source::Windows => ("Windows Security", "Microsoft"),
        Source::M365 => ("Microsoft 365", "Microsoft"),
        Source::CloudTrail => ("CloudTrail", "AWS"),
        Source::Sshd => ("sshd", "OpenSSH"),
        Source::Unknown => ("unknown", "unknown"),
    };
    Product { name, vendor_name }
}

fn provider(s: Source) -> &'static str {
    match s {
        Source::CloudTrail => "AWS",
        Source::M365 | Source::Entra => "Microsoft",
        Source::Okta => "Okta",
        other => other.as_str(),
    }
}

/// The OCSF object of a row.
pub fn ocsf<'a>(row: &'a Row, names: &'a Names) -> Ocsf<'a> {
    let e = &row.ev;
    let signin = e.kind == Kind::SignIn;
    let (class_uid, class_name, category_uid, category_name) = if signin {
        (3002, "Authentication", 3, "Identity & Access Management")
    } else {
        (6003, "API Activity", 6, "Application Activity")
    };
    let (activity_id, activity_name) = if signin {
        (1, "Logon")
    } else {
        api_activity(&e.operation)
    };
    let (severity_id, severity) = severity(&e.risk_level);
    let (status_id, status) = status(e.outcome);
    let user = some(&e.user).map(|name| User {
        name,
        org: if signin {
            some(&e.home_tenant).map(|uid| Org { uid })
        } else {
            None
        },
    });
    let (user, actor) = if signin {
        (user, None)
    } else {
        (None, user.map(|user| Actor { user }))
    };
    let windows = e.source == Source::Windows;
    let client = some(&e.client_app);
    let auth_protocol = client.filter(|_| signin && !windows);
    Ocsf {
        time: e.time,
        class_uid,
        class_name,
        category_uid,
        category_name,
        activity_id,
        activity_name,
        type_uid: i64::from(class_uid) * 100 + i64::from(activity_id),
        type_name: format!("{class_name}: {activity_name}"),
        severity_id,
        severity,
        status_id,
        status,
        status_code: some(&e.result_code),
        status_detail: e.outcome.as_str(),
        user,
        actor,
        api: (!signin).then(|| Api {
            operation: some(&e.operation),
            service: some(&e.app).map(|name| Service { name }),
        }),
        cloud: (!signin).then(|| Cloud {
            provider: provider(e.source),
        }),
        src_endpoint: src_endpoint(e),
        http_request: some(&e.user_agent).map(|user_agent| HttpRequest { user_agent }),
        auth_protocol,
        auth_protocol_id: auth_protocol.map(|p| {
            if p.eq_ignore_ascii_case("ntlm") {
                1
            } else if p.eq_ignore_ascii_case("kerberos") {
                2
            } else {
                99
            }
        }),
        logon_type: client.filter(|_| signin && windows),
        is_mfa: match e.auth_requirement.as_str() {
            a if a.eq_ignore_ascii_case("multiFactorAuthentication") => Some(true),
            a if a.eq_ignore_ascii_case("singleFactorAuthentication") => Some(false),
            _ => None,
        },
        session: some(&e.session_id).map(|uid| SessionObj { uid }),
        metadata: Metadata {
            version: VERSION,
            product: product(e.source),
            log_name: some(names.format(e.origin.file)),
        },
        unmapped: unmapped(e, names),
    }
}

/// Where the event came from: its address, place and network.
fn src_endpoint(e: &Record<String>) -> Endpoint<'_> {
    let location = Location {
        country: some(&e.country),
        city: some(&e.city),
        lat: coord(e.lat),
        long: coord(e.lon),
    };
    let asys = AutonomousSystem {
        number: (e.asn != 0).then_some(i64::from(e.asn)),
        name: some(&e.as_org),
    };
    Endpoint {
        ip: some(&e.ip),
        location: (location != Location::default()).then_some(location),
        autonomous_system: (asys != AutonomousSystem::default()).then_some(asys),
    }
}

/// OCSF's severity of the log's risk level.
fn severity(risk_level: &str) -> (i32, &'static str) {
    match risk_level.to_ascii_lowercase().as_str() {
        "low" => (2, "Low"),
        "medium" => (3, "Medium"),
        "high" => (4, "High"),
        _ => (1, "Informational"),
    }
}

/// OCSF's status of an outcome.
fn status(outcome: Outcome) -> (i32, &'static str) {
    match outcome {
        Outcome::Success => (1, "Success"),
        Outcome::Failure => (2, "Failure"),
        Outcome::Interrupted => (99, "Other"),
        Outcome::Unknown => (0, "Unknown"),
    }
}

/// What OCSF has no place for, under `unmapped`: where the record is,
/// hunt's own names and the flags.
fn unmapped<'a>(e: &'a Record<String>, names: &'a Names) -> Unmapped<'a> {
    let flag = |f: u8| e.flags & f != 0;
    Unmapped {
        file: names.file(e.origin.file),
        line: e.origin.line as i32,
        offset: e.origin.offset as i64,
        length: e.origin.len as i32,
        source: e.source.as_str(),
        kind: e.kind.as_str(),
        outcome: e.outcome.as_str(),
        app: some(&e.app),
        client_app: some(&e.client_app),
        auth_requirement: some(&e.auth_requirement),
        risk_level: some(&e.risk_level),
        risk_state: some(&e.risk_state),
        risk_events: some(&e.risk_events),
        home_tenant: some(&e.home_tenant),
        resource_tenant: some(&e.resource_tenant),
        access_key: some(&e.access_key),
        params: some(&e.params).map(|p| serde_json::Value::Object(params_object(p)).to_string()),
        accuracy_km: (e.accuracy_km != 0).then_some(i32::from(e.accuracy_km)),
        is_proxy: flag(flags::IS_PROXY),
        interactive: !flag(flags::NON_INTERACTIVE),
        geo_from_db: flag(flags::GEO_FROM_DB),
        country_from_db: flag(flags::COUNTRY_FROM_DB),
        asn_from_db: flag(flags::ASN_FROM_DB),
        no_such_user: flag(flags::NO_SUCH_USER),
        mfa_denied: flag(flags::MFA_DENIED),
        protocol: some(e.protocol.as_str()),
        transfer_method: some(e.transfer.as_str()),
    }
}
