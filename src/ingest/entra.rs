//! Entra ID (Azure AD) sign-ins → drafts, from the three shapes they are
//! exported in: Sentinel / Log Analytics rows (`SigninLogs`,
//! `AADNonInteractiveUserSignInLogs`; PascalCase, dynamic columns as objects
//! or JSON text), Microsoft Graph `auditLogs/signIns` objects (camelCase), and
//! diagnostic-settings records (`category` + Graph-shaped `properties`,
//! including Panther's lower-cased top-level keys). Each shape is decoded
//! typed and borrowed, mapped into one [`SignIn`] view, and emitted by one
//! function, so the three agree on outcome, country and flags (SPEC §3).
//! Service-principal sign-ins and audit rows are ignored by design. This file
//! does not sanitise text and does not consult GeoIP.

use super::lenient::{Flag, Num, ObjOrText, StrList, Text};
use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{
    encode_params, extra, flags, AuthProtocol, Draft, Kind, Millis, Outcome, Source, TransferMethod,
};
use serde::{Deserialize, Deserializer};

const AUDIT_ROW: &str = "Entra audit log row (not a sign-in)";
const AUDIT_RECORD: &str = "Entra audit log (not a sign-in)";
const SERVICE_PRINCIPAL: &str = "service principal sign-in";

/// `LocationDetails` / `location`: owned because Sentinel may carry it as JSON text.
#[derive(Deserialize, Default, Debug)]
struct Location {
    #[serde(rename = "countryOrRegion", default, deserialize_with = "owned")]
    country: String,
    #[serde(default, deserialize_with = "owned")]
    city: String,
    #[serde(rename = "geoCoordinates", default)]
    coords: Option<Coords>,
}

#[derive(Deserialize, Default, Debug)]
struct Coords {
    #[serde(default)]
    latitude: Num,
    #[serde(default)]
    longitude: Num,
}

/// `DeviceDetail` / `deviceDetail`: owned because Sentinel may carry it as JSON text.
#[derive(Deserialize, Default, Debug)]
struct Device {
    #[serde(rename = "deviceId", default, deserialize_with = "owned")]
    id: String,
    #[serde(rename = "trustType", default, deserialize_with = "owned")]
    trust: String,
    #[serde(rename = "isCompliant", default)]
    compliant: Flag,
}

/// Sentinel's `Status` column (object or JSON text): only what `ResultType` lacks.
#[derive(Deserialize, Default, Debug)]
struct SentinelStatus {
    #[serde(rename = "additionalDetails", default, deserialize_with = "owned")]
    additional: String,
}

/// Any scalar as an owned string (null → empty), never failing on type.
fn owned<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(|t| t.0.into_owned())
}

/// A Sentinel / Log Analytics row of `SigninLogs` or `AADNonInteractiveUserSignInLogs`.
#[derive(Deserialize)]
struct SentinelRow<'a> {
    #[serde(rename = "TimeGenerated", borrow, default)]
    time: Text<'a>,
    #[serde(rename = "Type", borrow, default)]
    table: Text<'a>,
    #[serde(rename = "OperationName", borrow, default)]
    operation: Text<'a>,
    #[serde(rename = "UserPrincipalName", borrow, default)]
    upn: Text<'a>,
    #[serde(rename = "IPAddress", borrow, default)]
    ip: Text<'a>,
    #[serde(rename = "ResultType", borrow, default)]
    result: Text<'a>,
    #[serde(rename = "LocationDetails", default)]
    location: ObjOrText<Location>,
    #[serde(rename = "Location", borrow, default)]
    country: Text<'a>,
    #[serde(rename = "AppDisplayName", borrow, default)]
    app: Text<'a>,
    #[serde(rename = "ClientAppUsed", borrow, default)]
    client_app: Text<'a>,
    #[serde(rename = "AuthenticationRequirement", borrow, default)]
    auth_req: Text<'a>,
    #[serde(rename = "RiskLevelDuringSignIn", borrow, default)]
    risk_level: Text<'a>,
    #[serde(rename = "RiskState", borrow, default)]
    risk_state: Text<'a>,
    #[serde(rename = "RiskEventTypes_V2", default)]
    risk_v2: StrList,
    #[serde(rename = "RiskEventTypes", default)]
    risk_v1: StrList,
    #[serde(rename = "HomeTenantId", borrow, default)]
    home_tenant: Text<'a>,
    #[serde(rename = "ResourceTenantId", borrow, default)]
    resource_tenant: Text<'a>,
    #[serde(rename = "AutonomousSystemNumber", default)]
    asn: Num,
    #[serde(rename = "SessionId", borrow, default)]
    session: Text<'a>,
    #[serde(rename = "UserAgent", borrow, default)]
    user_agent: Text<'a>,
    #[serde(rename = "IsInteractive", default)]
    interactive: Flag,
    /// The request id (the same GUID as Graph's `id`), and the correlation id.
    #[serde(rename = "Id", borrow, default)]
    id: Text<'a>,
    #[serde(rename = "CorrelationId", borrow, default)]
    correlation: Text<'a>,
    #[serde(rename = "AuthenticationProtocol", borrow, default)]
    protocol: Text<'a>,
    #[serde(rename = "OriginalTransferMethod", borrow, default)]
    transfer: Text<'a>,
    #[serde(rename = "AppId", borrow, default)]
    app_id: Text<'a>,
    #[serde(rename = "ResourceDisplayName", borrow, default)]
    resource: Text<'a>,
    /// The resource's id; Sentinel's `ResourceId` is the tenant's Azure path instead.
    #[serde(rename = "ResourceIdentity", borrow, default)]
    resource_identity: Text<'a>,
    #[serde(rename = "ResourceId", borrow, default)]
    resource_id: Text<'a>,
    #[serde(rename = "Status", default)]
    status: ObjOrText<SentinelStatus>,
    #[serde(rename = "DeviceDetail", default)]
    device: ObjOrText<Device>,
    #[serde(rename = "IncomingTokenType", borrow, default)]
    token_type: Text<'a>,
}

/// A Graph `signIn` (v1.0 or beta); also the `properties` of a diagnostic record.
#[derive(Deserialize, Default)]
struct GraphSignin<'a> {
    #[serde(rename = "createdDateTime", borrow, default)]
    created: Text<'a>,
    #[serde(rename = "userPrincipalName", borrow, default)]
    upn: Text<'a>,
    #[serde(rename = "ipAddress", borrow, default)]
    ip: Text<'a>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(rename = "appDisplayName", borrow, default)]
    app: Text<'a>,
    #[serde(rename = "clientAppUsed", borrow, default)]
    client_app: Text<'a>,
    #[serde(rename = "authenticationRequirement", borrow, default)]
    auth_req: Text<'a>,
    #[serde(rename = "riskLevelDuringSignIn", borrow, default)]
    risk_level: Text<'a>,
    #[serde(rename = "riskState", borrow, default)]
    risk_state: Text<'a>,
    #[serde(rename = "riskEventTypes_v2", default)]
    risk_v2: StrList,
    #[serde(rename = "riskEventTypes", default)]
    risk_v1: StrList,
    #[serde(rename = "homeTenantId", borrow, default)]
    home_tenant: Text<'a>,
    #[serde(rename = "resourceTenantId", borrow, default)]
    resource_tenant: Text<'a>,
    #[serde(rename = "autonomousSystemNumber", default)]
    asn: Num,
    #[serde(rename = "sessionId", borrow, default)]
    session: Text<'a>,
    #[serde(rename = "userAgent", borrow, default)]
    user_agent: Text<'a>,
    #[serde(rename = "isInteractive", default)]
    interactive: Flag,
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(rename = "correlationId", borrow, default)]
    correlation: Text<'a>,
    #[serde(rename = "authenticationProtocol", borrow, default)]
    protocol: Text<'a>,
    #[serde(rename = "originalTransferMethod", borrow, default)]
    transfer: Text<'a>,
    #[serde(rename = "appId", borrow, default)]
    app_id: Text<'a>,
    #[serde(rename = "resourceDisplayName", borrow, default)]
    resource: Text<'a>,
    #[serde(rename = "resourceId", borrow, default)]
    resource_id: Text<'a>,
    #[serde(rename = "deviceDetail", default)]
    device: ObjOrText<Device>,
    #[serde(rename = "incomingTokenType", borrow, default)]
    token_type: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Status<'a> {
    #[serde(rename = "errorCode", borrow, default)]
    code: Text<'a>,
    #[serde(rename = "additionalDetails", borrow, default)]
    additional: Text<'a>,
}

/// Only the category of a diagnostic-settings record.
#[derive(Deserialize)]
struct CategoryOnly<'a> {
    #[serde(borrow, default)]
    category: Text<'a>,
}

/// The diagnostic categories that hold user sign-ins.
fn is_user_signin_category(category: &str) -> bool {
    [
        "SignInLogs",
        "ADFSSignInLogs",
        "NonInteractiveUserSignInLogs",
    ]
    .iter()
    .any(|c| category.eq_ignore_ascii_case(c))
}

/// A diagnostic-settings record (Event Hub / storage / Panther stored form).
#[derive(Deserialize)]
struct Diagnostic<'a> {
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(rename = "callerIpAddress", alias = "calleripaddress", borrow, default)]
    caller_ip: Text<'a>,
    #[serde(rename = "resultType", alias = "resulttype", borrow, default)]
    result: Text<'a>,
    /// Top-level country code.
    #[serde(borrow, default)]
    location: Text<'a>,
    #[serde(borrow, default)]
    properties: Option<GraphSignin<'a>>,
    #[serde(rename = "correlationId", alias = "correlationid", borrow, default)]
    correlation: Text<'a>,
}

/// The fields every shape maps to, borrowed from the decoded record.
struct SignIn<'s> {
    time: Millis,
    user: &'s str,
    ip: &'s str,
    code: &'s str,
    app: &'s str,
    client_app: &'s str,
    auth_req: &'s str,
    risk_level: &'s str,
    risk_state: &'s str,
    risk_events: &'s [String],
    home_tenant: &'s str,
    resource_tenant: &'s str,
    session: &'s str,
    user_agent: &'s str,
    country: &'s str,
    city: &'s str,
    location: Option<&'s Location>,
    asn: Num,
    non_interactive: bool,
    /// Request id and correlation id: the record's identity (see [`identity`]).
    id: &'s str,
    correlation: &'s str,
    protocol: &'s str,
    transfer: &'s str,
    app_id: &'s str,
    resource: &'s str,
    resource_id: &'s str,
    /// `status.additionalDetails`.
    status_detail: &'s str,
    device: Option<&'s Device>,
    token_type: &'s str,
}

/// Parses a Sentinel `SigninLogs` / `AADNonInteractiveUserSignInLogs` row.
pub fn parse_sentinel(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let row: SentinelRow = decode(raw)?;
    let table = row.table.as_str().trim();
    let non_interactive = if table.is_empty() || table.eq_ignore_ascii_case("SigninLogs") {
        false
    } else if table.eq_ignore_ascii_case("AADNonInteractiveUserSignInLogs") {
        true
    } else if is_service_principal(table) {
        return Err(Reject::Ignored(SERVICE_PRINCIPAL));
    } else {
        return Err(Reject::Ignored(
            unused_entra_kind(table).unwrap_or(AUDIT_ROW),
        ));
    };
    let op = row.operation.as_str().trim();
    if row.upn.as_str().trim().is_empty() && !op.is_empty() && !is_signin_operation(op) {
        return Err(Reject::Ignored(AUDIT_ROW));
    }
    let time = time_of(row.time.as_str())?;
    let loc = row.location.get();
    let country = loc
        .map(|l| l.country.as_str())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or(row.country.as_str());
    emit(
        &SignIn {
            time,
            user: row.upn.as_str(),
            ip: row.ip.as_str(),
            code: row.result.as_str(),
            app: row.app.as_str(),
            client_app: row.client_app.as_str(),
            auth_req: row.auth_req.as_str(),
            risk_level: row.risk_level.as_str(),
            risk_state: row.risk_state.as_str(),
            risk_events: risk_list(&row.risk_v2, &row.risk_v1),
            home_tenant: row.home_tenant.as_str(),
            resource_tenant: row.resource_tenant.as_str(),
            session: row.session.as_str(),
            user_agent: row.user_agent.as_str(),
            country,
            city: loc.map(|l| l.city.as_str()).unwrap_or_default(),
            location: loc,
            asn: row.asn,
            non_interactive: non_interactive || row.interactive.0 == Some(false),
            id: row.id.as_str(),
            correlation: row.correlation.as_str(),
            protocol: row.protocol.as_str(),
            transfer: row.transfer.as_str(),
            app_id: row.app_id.as_str(),
            resource: row.resource.as_str(),
            resource_id: non_empty(row.resource_identity.as_str())
                .or_else(|| {
                    let id = row.resource_id.as_str();
                    non_empty(id).filter(|id| !id.trim_start().starts_with("/tenants/"))
                })
                .unwrap_or_default(),
            status_detail: row
                .status
                .get()
                .map(|s| s.additional.as_str())
                .unwrap_or_default(),
            device: row.device.get(),
            token_type: row.token_type.as_str(),
        },
        cx,
    )
}

/// Parses a Microsoft Graph `auditLogs/signIns` object.
pub fn parse_graph(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let g: GraphSignin = decode(raw)?;
    let time = time_of(g.created.as_str())?;
    emit(&graph_view(&g, time, Fallbacks::default()), cx)
}

/// Parses a diagnostic-settings record (`time`, `category`, `properties`).
pub fn parse_diagnostic(raw: &str, cx: &mut RecordCx) -> ParseResult {
    // The category decides first: a record of a category hunt does not use
    // is ignored by name whatever its `properties` hold (a Graph activity
    // record's `location` is a region name, not a sign-in's location object).
    let c: CategoryOnly = decode(raw)?;
    let category = c.category.as_str().trim();
    if !is_user_signin_category(category) {
        if is_service_principal(category) {
            return Err(Reject::Ignored(SERVICE_PRINCIPAL));
        }
        return Err(Reject::Ignored(
            unused_entra_kind(category).unwrap_or(AUDIT_RECORD),
        ));
    }
    let r: Diagnostic = decode(raw)?;
    let non_interactive = category.eq_ignore_ascii_case("NonInteractiveUserSignInLogs");
    let props = r.properties.unwrap_or_default();
    // The sign-in's own time wins over the record's logging time.
    let time = match parse_time(props.created.as_str()) {
        Some(t) => t,
        None => time_of(r.time.as_str())?,
    };
    let fallbacks = Fallbacks {
        ip: r.caller_ip.as_str(),
        code: r.result.as_str(),
        country: r.location.as_str(),
        correlation: r.correlation.as_str(),
    };
    let mut view = graph_view(&props, time, fallbacks);
    view.non_interactive |= non_interactive;
    emit(&view, cx)
}

/// Top-level values of a diagnostic record used when `properties` lacks them.
#[derive(Default, Clone, Copy)]
struct Fallbacks<'s> {
    ip: &'s str,
    code: &'s str,
    country: &'s str,
    correlation: &'s str,
}

fn graph_view<'s>(g: &'s GraphSignin<'s>, time: Millis, fb: Fallbacks<'s>) -> SignIn<'s> {
    let loc = g.location.as_ref();
    let code = g
        .status
        .as_ref()
        .map(|s| s.code.as_str())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or(fb.code);
    SignIn {
        time,
        user: g.upn.as_str(),
        ip: non_empty(g.ip.as_str()).unwrap_or(fb.ip),
        code,
        app: g.app.as_str(),
        client_app: g.client_app.as_str(),
        auth_req: g.auth_req.as_str(),
        risk_level: g.risk_level.as_str(),
        risk_state: g.risk_state.as_str(),
        risk_events: risk_list(&g.risk_v2, &g.risk_v1),
        home_tenant: g.home_tenant.as_str(),
        resource_tenant: g.resource_tenant.as_str(),
        session: g.session.as_str(),
        user_agent: g.user_agent.as_str(),
        country: loc
            .and_then(|l| non_empty(&l.country))
            .unwrap_or(fb.country),
        city: loc.map(|l| l.city.as_str()).unwrap_or_default(),
        location: loc,
        asn: g.asn,
        non_interactive: g.interactive.0 == Some(false),
        id: g.id.as_str(),
        correlation: non_empty(g.correlation.as_str()).unwrap_or(fb.correlation),
        protocol: g.protocol.as_str(),
        transfer: g.transfer.as_str(),
        app_id: g.app_id.as_str(),
        resource: g.resource.as_str(),
        resource_id: g.resource_id.as_str(),
        status_detail: g
            .status
            .as_ref()
            .map(|s| s.additional.as_str())
            .unwrap_or_default(),
        device: g.device.get(),
        token_type: g.token_type.as_str(),
    }
}

fn emit(s: &SignIn, cx: &mut RecordCx) -> ParseResult {
    if s.user.trim().is_empty() {
        return Err(Reject::problem(
            reason::NO_USER,
            "Entra sign-in without userPrincipalName",
        ));
    }
    let mut d = Draft::new(s.time, Source::Entra, Kind::SignIn);
    d.outcome = outcome(s.code);
    d.flags |= code_flags(s.code, s.status_detail);
    if d.flags & flags::MFA_DENIED != 0 {
        d.outcome = Outcome::Interrupted;
    }
    d.protocol = AuthProtocol::parse(s.protocol);
    d.transfer = TransferMethod::parse(s.transfer);
    d.extra = put_extra(s, d.protocol, d.transfer, cx);
    d.user = cx.put_user(s.user);
    d.ip = cx.put_ip(s.ip);
    d.result_code = cx.put(s.code);
    d.app = cx.put(s.app);
    d.client_app = cx.put(s.client_app);
    d.auth_requirement = cx.put(s.auth_req);
    d.risk_level = cx.put(s.risk_level);
    d.risk_state = cx.put(s.risk_state);
    d.risk_events = match s.risk_events {
        [] => Default::default(),
        [one] => cx.put(one),
        many => cx.put(&many.join(",")),
    };
    d.home_tenant = cx.put(s.home_tenant);
    d.resource_tenant = cx.put(s.resource_tenant);
    d.session_id = cx.put(s.session);
    d.user_agent = cx.put(s.user_agent);
    d.country = cx.put_country(s.country);
    d.city = cx.put(s.city);
    if let Some((lat, lon)) = s.location.and_then(coordinates) {
        d.lat = lat;
        d.lon = lon;
    }
    d.asn = asn(s.asn);
    if s.non_interactive {
        d.flags |= flags::NON_INTERACTIVE;
    }
    cx.identity = identity(s);
    cx.emit(d);
    Ok(())
}

/// The rarely read details, encoded into one text (absent when none is set).
fn put_extra(
    s: &SignIn,
    protocol: AuthProtocol,
    transfer: TransferMethod,
    cx: &mut RecordCx,
) -> crate::event::Txt {
    let compliant = match s.device.and_then(|d| d.compliant.0) {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    };
    let pairs = [
        (extra::APP_ID, s.app_id),
        (extra::RESOURCE, s.resource),
        (extra::RESOURCE_ID, s.resource_id),
        (extra::STATUS_DETAIL, s.status_detail),
        (
            extra::DEVICE_ID,
            s.device.map(|d| d.id.as_str()).unwrap_or_default(),
        ),
        (
            extra::DEVICE_TRUST,
            s.device.map(|d| d.trust.as_str()).unwrap_or_default(),
        ),
        (extra::DEVICE_COMPLIANT, compliant),
        (extra::TOKEN_TYPE, s.token_type),
        (
            extra::PROTOCOL_TEXT,
            if protocol == AuthProtocol::Other {
                s.protocol
            } else {
                ""
            },
        ),
        (
            extra::TRANSFER_TEXT,
            if transfer == TransferMethod::Other {
                s.transfer
            } else {
                ""
            },
        ),
    ];
    let set = pairs
        .into_iter()
        .map(|(k, v)| (k, v.trim()))
        .filter(|(_, v)| !v.is_empty() && !v.eq_ignore_ascii_case("none") && *v != "null");
    let encoded = encode_params(set);
    cx.put(&encoded)
}

/// The sign-in's identity, shared by its Sentinel row, Graph object and
/// diagnostic record: the request id (with the user, so that two users'
/// records never merge) and result code, else the correlation id with time, user and result
/// code (one correlation id spans the several requests of one sign-in flow).
fn identity(s: &SignIn) -> u64 {
    if non_empty(s.id).is_some() {
        crate::dedup::identity(Source::Entra, &["id", s.id, s.user, s.code])
    } else {
        let time = s.time.to_string();
        let parts = [s.correlation, "corr", &time, s.user, s.code];
        crate::dedup::identity(Source::Entra, &parts)
    }
}

/// Entra result codes (SPEC §3): 0 success; the listed codes mean the password
/// was right but the sign-in was interrupted; anything else failed (except
/// an MFA denial, which [`code_flags`] marks and `emit` makes interrupted).
pub(crate) fn outcome(code: &str) -> Outcome {
    match code.trim() {
        "" => Outcome::Unknown,
        "0" => Outcome::Success,
        "50125" | "50140" | "70043" | "70044" | "50074" | "50076" | "50079" | "50072" | "50158"
        | "53003" => Outcome::Interrupted,
        c if c.eq_ignore_ascii_case("success") => Outcome::Success,
        _ => Outcome::Failure,
    }
}

/// Flags a result code (with its `status.additionalDetails`) sets: 50034
/// (the account does not exist) is [`flags::NO_SUCH_USER`]; 500121 (the
/// second factor failed: denied, not answered, fraud reported) and any
/// other result whose details say "MFA denied" are [`flags::MFA_DENIED`].
pub(crate) fn code_flags(code: &str, detail: &str) -> u8 {
    let code = code.trim();
    let detail = detail.trim_start();
    if code == "50034" {
        flags::NO_SUCH_USER
    } else if code == "500121"
        || (code != "0"
            && !code.is_empty()
            && detail
                .get(..10)
                .is_some_and(|p| p.eq_ignore_ascii_case("MFA denied")))
    {
        flags::MFA_DENIED
    } else {
        0
    }
}

fn coordinates(l: &Location) -> Option<(f32, f32)> {
    let c = l.coords.as_ref()?;
    let (lat, lon) = (c.latitude.0?, c.longitude.0?);
    let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
    (valid && (lat != 0.0 || lon != 0.0)).then_some((lat as f32, lon as f32))
}

fn asn(n: Num) -> u32 {
    match n.0 {
        Some(v) if v >= 1.0 && v <= u32::MAX as f64 => v as u32,
        _ => 0,
    }
}

fn risk_list<'s>(v2: &'s StrList, v1: &'s StrList) -> &'s [String] {
    if v2.0.is_empty() {
        &v1.0
    } else {
        &v2.0
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// Service-principal / managed-identity sign-in tables and categories
/// (`AADServicePrincipalSignInLogs`, `ManagedIdentitySignInLogs`, ...).
fn is_service_principal(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("signin") && (n.contains("serviceprincipal") || n.contains("managedidentity"))
}

/// The ignore reason for an Entra table (Sentinel `Type`) or diagnostic
/// category that hunt reads but does not use, named for what it is.
pub fn unused_entra_kind(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    let n = n.strip_prefix("aad").unwrap_or(&n);
    Some(match n {
        "auditlogs" => "Entra directory audit log (not a sign-in)",
        "userriskevents"
        | "riskyusers"
        | "riskyserviceprincipals"
        | "serviceprincipalriskevents"
        | "riskyuserslogs"
        | "userriskeventslogs" => {
            "Entra ID Protection risk record (not a sign-in; its sign-ins carry the risk)"
        }
        "microsoftgraphactivitylogs" => "Microsoft Graph activity log (API calls, not sign-ins)",
        "provisioninglogs" => "Entra provisioning log (not a sign-in)",
        "networkaccesstrafficlogs" | "enrichedoffice365auditlogs" => {
            "Entra Global Secure Access log (not a sign-in)"
        }
        "b2cworkflows" | "b2crequestlogs" => "Entra B2C log (not a sign-in)",
        "networkaccessalerts" | "remotenetworkhealthlogs" | "networkaccessconnectionevents" => {
            "Entra Global Secure Access log (not a sign-in)"
        }
        "administrative" | "policy" | "security" | "servicehealth" | "alert" | "recommendation"
        | "autoscale" | "resourcehealth" | "azureactivity" => {
            "Azure activity log (resource operations, not a sign-in)"
        }
        _ => return None,
    })
}

fn is_signin_operation(op: &str) -> bool {
    op.eq_ignore_ascii_case("Sign-in activity")
}

fn time_of(s: &str) -> Result<Millis, Reject> {
    parse_time(s).ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("time {:?}", s.trim())))
}

/// Typed decode; serde's message (with line/column, and "duplicate field"
/// for the caller's last-wins retry) is kept as the detail.
fn decode<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, Reject> {
    serde_json::from_str(raw).map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Draft, Origin};

    fn run(f: fn(&str, &mut RecordCx) -> ParseResult, raw: &str) -> (Batch, ParseResult) {
        let mut batch = Batch::default();
        let res = f(raw, &mut RecordCx::new(&mut batch, Origin::default()));
        (batch, res)
    }

    fn one(f: fn(&str, &mut RecordCx) -> ParseResult, raw: &str) -> (Batch, Draft) {
        let (b, res) = run(f, raw);
        assert_eq!(res, Ok(()), "{raw}");
        assert_eq!(b.drafts.len(), 1);
        let d = b.drafts[0];
        (b, d)
    }

    #[test]
    fn sentinel_row_with_json_text_columns_and_string_numbers() {
        let raw = r#"{"TimeGenerated":"2024-03-01T10:00:00.123Z","Type":"SigninLogs","OperationName":"Sign-in activity","UserPrincipalName":"Alice@Contoso.com","IPAddress":"203.0.113.9","ResultType":"50126","LocationDetails":"{\"city\":\"Lagos\",\"state\":\"Lagos\",\"countryOrRegion\":\"NG\",\"geoCoordinates\":{\"latitude\":6.45,\"longitude\":3.39}}","Location":"NG","AppDisplayName":"Office 365 Exchange Online","ClientAppUsed":"IMAP4","AuthenticationRequirement":"singleFactorAuthentication","RiskLevelDuringSignIn":"high","RiskState":"atRisk","RiskEventTypes_V2":"[\"unfamiliarFeatures\",\"anonymizedIPAddress\"]","HomeTenantId":"h-1","ResourceTenantId":"r-2","AutonomousSystemNumber":"9009","SessionId":"s-42","UserAgent":"python-requests/2.31","IsInteractive":"true"}"#;
        let (b, d) = one(parse_sentinel, raw);
        let t = |x| b.text.get(x).to_string();
        assert_eq!(d.source, Source::Entra);
        assert_eq!(d.kind, Kind::SignIn);
        assert_eq!(d.time, parse_time("2024-03-01T10:00:00.123Z").unwrap());
        assert_eq!(d.outcome, Outcome::Failure);
        assert_eq!(t(d.user), "alice@contoso.com");
        assert_eq!(t(d.ip), "203.0.113.9");
        assert_eq!(t(d.result_code), "50126");
        assert_eq!(t(d.country), "NG");
        assert_eq!(t(d.city), "Lagos");
        assert!((d.lat - 6.45).abs() < 1e-4 && (d.lon - 3.39).abs() < 1e-4);
        assert_eq!(t(d.app), "Office 365 Exchange Online");
        assert_eq!(t(d.client_app), "IMAP4");
        assert_eq!(t(d.auth_requirement), "singleFactorAuthentication");
        assert_eq!(t(d.risk_level), "high");
        assert_eq!(t(d.risk_state), "atRisk");
        assert_eq!(t(d.risk_events), "unfamiliarFeatures,anonymizedIPAddress");
        assert_eq!(
            (t(d.home_tenant), t(d.resource_tenant)),
            ("h-1".into(), "r-2".into())
        );
        assert_eq!(d.asn, 9009);
        assert_eq!(t(d.session_id), "s-42");
        assert_eq!(t(d.user_agent), "python-requests/2.31");
        assert_eq!(d.flags & flags::NON_INTERACTIVE, 0);
    }

    #[test]
    fn sentinel_objects_numbers_and_non_interactive_table() {
        let raw = r#"{"TimeGenerated":"2024-03-01T10:00:00Z","Type":"AADNonInteractiveUserSignInLogs","UserPrincipalName":"bob@contoso.com","IPAddress":"198.51.100.7","ResultType":50140,"LocationDetails":{"countryOrRegion":"","geoCoordinates":{"latitude":0,"longitude":0}},"Location":"de","RiskEventTypes_V2":"passwordSpray, leakedCredentials","AutonomousSystemNumber":3320}"#;
        let (b, d) = one(parse_sentinel, raw);
        assert_eq!(d.outcome, Outcome::Interrupted);
        assert_eq!(b.text.get(d.result_code), "50140");
        assert_eq!(b.text.get(d.country), "DE", "falls back to Location");
        assert!(!d.has_coords(), "0,0 is no coordinate");
        assert_eq!(b.text.get(d.risk_events), "passwordSpray,leakedCredentials");
        assert_eq!(d.asn, 3320);
        assert_ne!(d.flags & flags::NON_INTERACTIVE, 0);
    }

    #[test]
    fn sentinel_escape_character_in_user_is_kept_for_the_sanitiser() {
        let raw = r#"{"TimeGenerated":"2024-03-01T10:00:00Z","UserPrincipalName":"ev\u001b[31mil@x.com","ResultType":"0"}"#;
        let (b, d) = one(parse_sentinel, raw);
        assert_eq!(b.text.get(d.user), "ev\u{1b}[31mil@x.com");
        assert_eq!(d.outcome, Outcome::Success);
    }

    #[test]
    fn sentinel_rejections() {
        let ignored = |raw: &str| run(parse_sentinel, raw).1;
        assert_eq!(
            ignored(
                r#"{"TimeGenerated":"2021-08-02T13:29:25Z","Type":"AuditLogs","OperationName":"Update application"}"#
            ),
            Err(Reject::Ignored("Entra directory audit log (not a sign-in)"))
        );
        assert_eq!(
            ignored(
                r#"{"TimeGenerated":"2021-08-02T13:29:25Z","OperationName":"Add member to role"}"#
            ),
            Err(Reject::Ignored(AUDIT_ROW))
        );
        assert_eq!(
            ignored(
                r#"{"TimeGenerated":"2021-08-02T13:29:25Z","Type":"AADServicePrincipalSignInLogs","ResultType":"0"}"#
            ),
            Err(Reject::Ignored(SERVICE_PRINCIPAL))
        );
        let problem = |raw: &str| match run(parse_sentinel, raw).1 {
            Err(Reject::Problem(r, d)) => (r, d),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            problem(r#"{"TimeGenerated":"yesterday","UserPrincipalName":"a@b.c"}"#).0,
            reason::BAD_TIME
        );
        assert_eq!(
            problem(r#"{"TimeGenerated":"2024-03-01T10:00:00Z","ResultType":"0"}"#).0,
            reason::NO_USER
        );
        let (r, d) = problem("{\"TimeGenerated\":\n\"2024-03-01T10:00:00Z\",");
        assert_eq!(r, reason::MALFORMED_JSON);
        assert!(d.contains("line 2"), "{d}");
        let (r, d) = problem(r#"{"TimeGenerated":"x","TimeGenerated":"y"}"#);
        assert_eq!(r, reason::MALFORMED_JSON);
        assert!(d.contains("duplicate field"), "{d}");
    }

    #[test]
    fn graph_object() {
        let raw = r#"{"createdDateTime":"2021-06-30T16:34:32Z","userPrincipalName":"TestAccount1@contoso.com","ipAddress":"131.107.159.37","status":{"errorCode":50126},"location":{"city":"Redmond","countryOrRegion":"US","geoCoordinates":{}},"appDisplayName":"Azure Portal","isInteractive":false,"riskEventTypes":["unlikelyTravel"],"riskEventTypes_v2":[],"sessionId":"sess","autonomousSystemNumber":3598}"#;
        let (b, d) = one(parse_graph, raw);
        assert_eq!(d.outcome, Outcome::Failure);
        assert_eq!(b.text.get(d.user), "testaccount1@contoso.com");
        assert_eq!(b.text.get(d.country), "US");
        assert_eq!(b.text.get(d.city), "Redmond");
        assert!(!d.has_coords());
        assert_eq!(
            b.text.get(d.risk_events),
            "unlikelyTravel",
            "v1 when v2 is empty"
        );
        assert_eq!(b.text.get(d.session_id), "sess");
        assert_eq!(d.asn, 3598);
        assert_ne!(d.flags & flags::NON_INTERACTIVE, 0);
        let (_, res) = run(parse_graph, r#"{"userPrincipalName":"a@b.c"}"#);
        assert!(matches!(res, Err(Reject::Problem(r, _)) if r == reason::BAD_TIME));
    }

    #[test]
    fn diagnostic_categories_and_fallbacks() {
        let raw = r#"{"calleripaddress":"1.2.3.4","category":"SignInLogs","location":"US","resulttype":"0","time":"2023-07-21 05:05:12.056","properties":{"userPrincipalName":"eve@lexcorp.com","createdDateTime":"2023-07-21 05:03:52.160562400","clientAppUsed":"Authenticated SMTP","location":{"city":"Springfield","geoCoordinates":{"latitude":34.5,"longitude":-74.4}}}}"#;
        let (b, d) = one(parse_diagnostic, raw);
        assert_eq!(
            d.time,
            parse_time("2023-07-21T05:03:52.160Z").unwrap(),
            "createdDateTime wins"
        );
        assert_eq!(d.outcome, Outcome::Success);
        assert_eq!(b.text.get(d.ip), "1.2.3.4");
        assert_eq!(b.text.get(d.result_code), "0");
        assert_eq!(b.text.get(d.country), "US");
        assert_eq!(b.text.get(d.client_app), "Authenticated SMTP");
        assert!(d.has_coords());
        let adfs = r#"{"category":"ADFSSignInLogs","time":"12/12/2025 3:03:58 PM","resultType":"0","properties":{"userPrincipalName":"april@turtles.com"}}"#;
        let (_, d) = one(parse_diagnostic, adfs);
        assert_eq!(d.time, parse_time("2025-12-12T15:03:58Z").unwrap());
        let ni = r#"{"category":"NonInteractiveUserSignInLogs","time":"2024-01-01T00:00:00Z","properties":{"userPrincipalName":"a@b.c","status":{"errorCode":0}}}"#;
        let (_, d) = one(parse_diagnostic, ni);
        assert_ne!(d.flags & flags::NON_INTERACTIVE, 0);
        for (cat, why) in [
            ("ServicePrincipalSignInLogs", SERVICE_PRINCIPAL),
            ("ManagedIdentitySignInLogs", SERVICE_PRINCIPAL),
            ("MicrosoftServicePrincipalSignInLogs", SERVICE_PRINCIPAL),
            ("AuditLogs", "Entra directory audit log (not a sign-in)"),
            (
                "RiskyUsers",
                "Entra ID Protection risk record (not a sign-in; its sign-ins carry the risk)",
            ),
            ("SomethingNew", AUDIT_RECORD),
        ] {
            let raw = format!(
                r#"{{"category":"{cat}","time":"2024-01-01T00:00:00Z","properties":{{}}}}"#
            );
            assert_eq!(
                run(parse_diagnostic, &raw).1,
                Err(Reject::Ignored(why)),
                "{cat}"
            );
        }
    }

    fn extra_of<'b>(b: &'b Batch, d: &Draft, key: &str) -> Option<&'b str> {
        crate::event::extra_value(b.text.get(d.extra), key)
    }

    #[test]
    fn sentinel_sign_in_details_from_json_text_columns() {
        let raw = r#"{"TimeGenerated":"2025-02-01T10:00:00Z","Type":"SigninLogs","UserPrincipalName":"dana@contoso.com","IPAddress":"203.0.113.7","ResultType":"500121","Status":"{\"errorCode\":500121,\"failureReason\":\"Authentication failed during strong authentication request.\",\"additionalDetails\":\"MFA denied; user declined the authentication\"}","DeviceDetail":"{\"deviceId\":\"dev-1\",\"operatingSystem\":\"Windows 10\",\"isCompliant\":\"false\",\"trustType\":\"Hybrid Azure AD joined\"}","AuthenticationProtocol":"deviceCode","OriginalTransferMethod":"deviceCodeFlow","AppId":"29d9ed98-a469-4536-ade2-f981bc1d605e","ResourceDisplayName":"Microsoft Graph","ResourceIdentity":"00000003-0000-0000-c000-000000000000","ResourceId":"/tenants/t-1/providers/Microsoft.aadiam","IncomingTokenType":"primaryRefreshToken"}"#;
        let (b, d) = one(parse_sentinel, raw);
        assert_eq!(d.protocol, AuthProtocol::DeviceCode);
        assert_eq!(d.transfer, TransferMethod::DeviceCodeFlow);
        let x = |k| extra_of(&b, &d, k);
        assert_eq!(
            x(extra::STATUS_DETAIL),
            Some("MFA denied; user declined the authentication")
        );
        assert_eq!(x(extra::DEVICE_ID), Some("dev-1"));
        assert_eq!(x(extra::DEVICE_TRUST), Some("Hybrid Azure AD joined"));
        assert_eq!(x(extra::DEVICE_COMPLIANT), Some("false"));
        assert_eq!(
            x(extra::APP_ID),
            Some("29d9ed98-a469-4536-ade2-f981bc1d605e")
        );
        assert_eq!(x(extra::RESOURCE), Some("Microsoft Graph"));
        assert_eq!(
            x(extra::RESOURCE_ID),
            Some("00000003-0000-0000-c000-000000000000"),
            "ResourceIdentity, not the Azure path in ResourceId"
        );
        assert_eq!(x(extra::TOKEN_TYPE), Some("primaryRefreshToken"));
        // A denied MFA prompt: the password was right.
        assert_eq!(d.outcome, Outcome::Interrupted);
        assert_ne!(d.flags & flags::MFA_DENIED, 0);
        // Objects instead of JSON text, and a Sentinel ResourceId without ResourceIdentity.
        let raw = r#"{"TimeGenerated":"2025-02-01T10:00:00Z","UserPrincipalName":"dana@contoso.com","ResultType":"0","Status":{"errorCode":0,"additionalDetails":"MFA completed in Azure AD"},"DeviceDetail":{"deviceId":"dev-2","isCompliant":true},"ResourceId":"797f4846-ba00-4fd7-ba43-dac1f8f63013","AuthenticationProtocol":"ROPC"}"#;
        let (b, d) = one(parse_sentinel, raw);
        let x = |k| extra_of(&b, &d, k);
        assert_eq!(d.protocol, AuthProtocol::Ropc);
        assert_eq!(x(extra::STATUS_DETAIL), Some("MFA completed in Azure AD"));
        assert_eq!(x(extra::DEVICE_COMPLIANT), Some("true"));
        assert_eq!(
            x(extra::RESOURCE_ID),
            Some("797f4846-ba00-4fd7-ba43-dac1f8f63013")
        );
        assert_eq!(d.outcome, Outcome::Success);
        assert_eq!(d.flags & flags::MFA_DENIED, 0);
        // Nothing set: no extra text at all.
        let raw = r#"{"TimeGenerated":"2025-02-01T10:00:00Z","UserPrincipalName":"dana@contoso.com","ResultType":"0","Status":"not json","DeviceDetail":null}"#;
        let (_, d) = one(parse_sentinel, raw);
        assert!(d.extra.is_empty());
        assert_eq!(d.protocol, AuthProtocol::Unknown);
    }

    #[test]
    fn mfa_denials_and_unknown_accounts_in_every_shape() {
        let graph = r#"{"createdDateTime":"2025-02-01T10:00:00Z","userPrincipalName":"a@b.c","status":{"errorCode":500121,"additionalDetails":"MFA denied; user did not respond to mobile app notification"}}"#;
        let (_, d) = one(parse_graph, graph);
        assert_eq!(d.outcome, Outcome::Interrupted);
        assert_ne!(d.flags & flags::MFA_DENIED, 0);
        let diag = r#"{"category":"SignInLogs","time":"2025-02-01T10:00:00Z","resultType":"50034","properties":{"userPrincipalName":"nobody@b.c"}}"#;
        let (_, d) = one(parse_diagnostic, diag);
        assert_eq!(d.outcome, Outcome::Failure, "still a failure");
        assert_eq!(
            d.flags & (flags::NO_SUCH_USER | flags::MFA_DENIED),
            flags::NO_SUCH_USER
        );
        // A wrong password is neither.
        let row = r#"{"TimeGenerated":"2025-02-01T10:00:00Z","UserPrincipalName":"a@b.c","ResultType":"50126"}"#;
        let (_, d) = one(parse_sentinel, row);
        assert_eq!((d.outcome, d.flags), (Outcome::Failure, 0));
        assert_eq!(
            code_flags("50158", "MFA denied; duplicate authentication attempt"),
            flags::MFA_DENIED
        );
        assert_eq!(code_flags("0", "MFA denied"), 0);
        assert_eq!(code_flags("50074", "MFA required"), 0);
    }

    #[test]
    fn outcome_codes() {
        assert_eq!(outcome("0"), Outcome::Success);
        for c in [
            "50125", "50140", "70043", "70044", "50074", "50076", "50079", "50072", "50158",
            "53003",
        ] {
            assert_eq!(outcome(c), Outcome::Interrupted, "{c}");
        }
        assert_eq!(outcome("50126"), Outcome::Failure);
        assert_eq!(outcome("50053"), Outcome::Failure);
        assert_eq!(outcome(""), Outcome::Unknown);
    }
}
