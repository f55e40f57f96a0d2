//! Microsoft 365 audit records → drafts: Sentinel `OfficeActivity` rows, raw
//! unified audit log records (Management Activity API / `AuditData`) and
//! Panther's lower-cased copies of them. `UserLoggedIn` / `UserLoginFailed`
//! are sign-ins; every other operation is an audit draft carrying its
//! operation and encoded parameters (inbox rules, sends, mailbox changes):
//! cmdlet `Parameters` followed by mailbox-audit `OperationProperties`
//! (Outlook's `UpdateInboxRules`: `RuleName`, `RuleCondition`, `RuleActions`
//! as JSON text, ...). A `UserId` that is a bare name is replaced by
//! `MailboxOwnerUPN` when that is an address. Must not judge operations (that
//! is the detectors' job) or do I/O.

use super::lenient::Text;
use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{encode_params, Draft, Kind, Outcome, Source};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "CreationTime", alias = "creationtime", borrow, default)]
    creation_time: Text<'a>,
    #[serde(rename = "TimeGenerated", borrow, default)]
    time_generated: Text<'a>,
    #[serde(rename = "Operation", alias = "operation", borrow, default)]
    operation: Text<'a>,
    #[serde(rename = "UserId", alias = "userid", borrow, default)]
    user_id: Text<'a>,
    #[serde(rename = "ClientIP", alias = "clientip", borrow, default)]
    client_ip: Text<'a>,
    /// Sentinel's rename of `ClientIP`.
    #[serde(rename = "Client_IPAddress", borrow, default)]
    client_ip_sentinel: Text<'a>,
    /// Exchange mailbox records carry this besides (or instead of) `ClientIP`.
    #[serde(rename = "ClientIPAddress", alias = "clientipaddress", borrow, default)]
    client_ip_address: Text<'a>,
    #[serde(rename = "ActorIpAddress", alias = "actoripaddress", borrow, default)]
    actor_ip: Text<'a>,
    #[serde(rename = "Parameters", alias = "parameters", default)]
    parameters: Params,
    /// Mailbox-audit records (`UpdateInboxRules`) carry their details here.
    #[serde(rename = "OperationProperties", alias = "operationproperties", default)]
    operation_properties: Params,
    #[serde(rename = "ExtendedProperties", alias = "extendedproperties", default)]
    extended: Params,
    #[serde(rename = "MailboxOwnerUPN", alias = "mailboxownerupn", borrow, default)]
    mailbox_owner: Text<'a>,
    #[serde(rename = "Workload", alias = "workload", borrow, default)]
    workload: Text<'a>,
    #[serde(rename = "OfficeWorkload", borrow, default)]
    office_workload: Text<'a>,
    #[serde(rename = "ResultStatus", alias = "resultstatus", borrow, default)]
    result_status: Text<'a>,
    #[serde(rename = "LogonError", alias = "logonerror", borrow, default)]
    logon_error: Text<'a>,
    #[serde(
        rename = "ClientInfoString",
        alias = "clientinfostring",
        borrow,
        default
    )]
    client_info: Text<'a>,
    /// The record id: `Id` in the unified audit log, `OfficeId` in Sentinel.
    #[serde(rename = "Id", alias = "id", borrow, default)]
    id: Text<'a>,
    #[serde(rename = "OfficeId", alias = "officeid", borrow, default)]
    office_id: Text<'a>,
}

/// The first non-empty of several spellings of one field.
fn first<'s>(candidates: &[&'s Text<'_>]) -> &'s str {
    candidates
        .iter()
        .map(|t| t.as_str().trim())
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

/// The account an audit record is charged to: `UserId`, unless it is empty
/// or a bare name (no `@`; not a SID such as `S-1-5-18` nor an `NT AUTHORITY`
/// account, which are the system acting) and the server-set
/// `MailboxOwnerUPN` is an address. Outlook's mailbox-audit records may log
/// the owner's alias as `UserId`; the UPN is what other sources call them.
fn charged_user<'s>(user_id: &'s str, owner: &'s str) -> &'s str {
    let (user_id, owner) = (user_id.trim(), owner.trim());
    let bare = !user_id.contains('@')
        && !user_id
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("S-1-"))
        && !user_id.to_ascii_uppercase().contains("NT AUTHORITY");
    if bare && owner.contains('@') {
        owner
    } else {
        user_id
    }
}

/// Parses one `OfficeActivity` row or unified audit record.
pub fn parse(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let r: Record = serde_json::from_str(raw)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let operation = r.operation.as_str().trim();
    if operation.is_empty() {
        return Err(Reject::problem(
            reason::UNKNOWN_SHAPE,
            "audit record without Operation",
        ));
    }
    let when = first(&[&r.creation_time, &r.time_generated]);
    let time = parse_time(when)
        .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("time {when:?}")))?;
    let ip = first(&[
        &r.client_ip,
        &r.client_ip_sentinel,
        &r.client_ip_address,
        &r.actor_ip,
    ]);
    let workload = first(&[&r.workload, &r.office_workload]);
    let sign_in = match operation {
        "UserLoggedIn" => Some(Outcome::Success),
        "UserLoginFailed" => Some(Outcome::Failure),
        _ => None,
    };
    let mut d = match sign_in {
        Some(outcome) => {
            let mut d = Draft::new(time, Source::M365, Kind::SignIn);
            d.outcome = outcome;
            d.result_code = cx.put(first(&[&r.logon_error, &r.result_status]));
            if let Some((_, ua)) = r.extended.0.iter().find(|(k, _)| k == "UserAgent") {
                d.user_agent = cx.put(ua);
            }
            d
        }
        None => {
            let mut d = Draft::new(time, Source::M365, Kind::Audit);
            d.result_code = cx.put(r.result_status.as_str());
            let pairs = r
                .parameters
                .0
                .iter()
                .chain(&r.operation_properties.0)
                .map(|(k, v)| (k.as_str(), v.as_str()));
            d.params = cx.put(&encode_params(pairs));
            d
        }
    };
    d.operation = cx.put(operation);
    d.user = cx.put_user(charged_user(r.user_id.as_str(), r.mailbox_owner.as_str()));
    d.ip = cx.put_ip(ip);
    d.app = cx.put(workload);
    d.client_app = cx.put(r.client_info.as_str());
    // Exporters fill `Id` with a placeholder: the id with the time,
    // operation and result is the record.
    let second = crate::dedup::second(time);
    let id = [
        first(&[&r.id, &r.office_id]),
        r.user_id.as_str(),
        &second,
        operation,
        r.result_status.as_str(),
    ];
    cx.identity = crate::dedup::identity(Source::M365, &id);
    cx.emit(d);
    Ok(())
}

/// `[{Name, Value}]` pairs, as an array or as that array in JSON text
/// (Sentinel). A value may be a string, number, boolean or array (joined
/// with `;`). Anything else gives no pairs rather than failing the record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Params(Vec<(String, String)>);

#[derive(Deserialize)]
struct Pair {
    #[serde(rename = "Name", alias = "name", default)]
    name: ParamValue,
    #[serde(rename = "Value", alias = "value", default)]
    value: ParamValue,
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Params;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of {Name, Value} pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Params, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = s.next_element::<Option<Pair>>()? {
                    if let Some(p) = p.filter(|p| !p.name.0.is_empty()) {
                        out.push((p.name.0, p.value.0));
                    }
                }
                Ok(Params(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Params, E> {
                Ok(serde_json::from_str(v.trim()).unwrap_or_default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Params, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Params::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Params, E> {
                Ok(Params::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Params, E> {
                Ok(Params::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Params, E> {
                Ok(Params::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Params, E> {
                Ok(Params::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Params, E> {
                Ok(Params::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A parameter value as text: arrays joined with `;`, objects absent.
#[derive(Debug, Default)]
struct ParamValue(String);

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParamValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a parameter value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<ParamValue, A::Error> {
                let mut out = String::new();
                while let Some(v) = s.next_element::<ParamValue>()? {
                    if !v.0.is_empty() {
                        if !out.is_empty() {
                            out.push(';');
                        }
                        out.push_str(&v.0);
                    }
                }
                Ok(ParamValue(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ParamValue, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(ParamValue::default())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamValue, E> {
                Ok(ParamValue(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue(if v { "True" } else { "False" }.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamValue, E> {
                Ok(ParamValue(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamValue, E> {
                Ok(ParamValue(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamValue, E> {
                Ok(ParamValue(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ParamValue, E> {
                Ok(ParamValue::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{decode_params, Batch, Origin};
    use crate::ingest::time::format_time;

    /// The draft's (kind, outcome, time, [operation, user, ip, app, result_code, client_app, user_agent], params).
    type Out = (Kind, Outcome, String, [String; 7], Vec<(String, String)>);

    fn one(raw: &str) -> Out {
        let mut b = Batch::default();
        let res = parse(raw, &mut RecordCx::new(&mut b, Origin::default()));
        assert_eq!(res, Ok(()), "{raw}");
        assert_eq!(b.drafts.len(), 1);
        let d = b.drafts[0];
        assert_eq!(d.source, Source::M365);
        let t = |x| b.text.get(x).to_string();
        let params = decode_params(b.text.get(d.params))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let f = [
            d.operation,
            d.user,
            d.ip,
            d.app,
            d.result_code,
            d.client_app,
            d.user_agent,
        ]
        .map(t);
        (d.kind, d.outcome, format_time(d.time), f, params)
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unified_audit_record_with_parameter_array() {
        let raw = r#"{"CreationTime":"2024-03-01T10:00:00","Id":"x","Operation":"New-InboxRule","RecordType":1,"ResultStatus":"True","UserId":"Alice@Contoso.com","Workload":"Exchange","ClientIP":"[2001:db8::5]:51234","Parameters":[{"Name":"Name","Value":"..."},{"Name":"ForwardTo","Value":"x@evil.example"},{"Name":"DeleteMessage","Value":true},{"Name":"Priority","Value":3},{"Name":"From","Value":["a@b.c","d@e.f"]}]}"#;
        let (kind, _, time, f, params) = one(raw);
        assert_eq!(kind, Kind::Audit);
        assert_eq!(time, "2024-03-01T10:00:00Z", "no zone means UTC");
        assert_eq!(
            f[..5],
            [
                "New-InboxRule",
                "alice@contoso.com",
                "2001:db8::5",
                "Exchange",
                "True"
            ]
        );
        assert_eq!(
            params,
            pairs(&[
                ("Name", "..."),
                ("ForwardTo", "x@evil.example"),
                ("DeleteMessage", "True"),
                ("Priority", "3"),
                ("From", "a@b.c;d@e.f")
            ])
        );
    }

    #[test]
    fn sentinel_office_activity_row_with_parameters_as_text() {
        let raw = r#"{"TimeGenerated":"2021-08-02T13:32:07Z","Operation":"Set-Mailbox","OfficeWorkload":"Exchange","ResultStatus":"Succeeded","UserId":"pgustavo@simulandlabs.com","UserId_":"pgustavo@simulandlabs.com","Client_IPAddress":"1.2.3.4:5678","ClientInfoString":"Client=REST;;","Parameters":"[{\"Name\":\"ForwardingSmtpAddress\",\"Value\":\"smtp:x@evil.example\"}]","Type":"OfficeActivity"}"#;
        let (kind, _, time, f, params) = one(raw);
        assert_eq!((kind, time.as_str()), (Kind::Audit, "2021-08-02T13:32:07Z"));
        assert_eq!(
            f[..6],
            [
                "Set-Mailbox",
                "pgustavo@simulandlabs.com",
                "1.2.3.4",
                "Exchange",
                "Succeeded",
                "Client=REST;;"
            ]
        );
        assert_eq!(
            params,
            pairs(&[("ForwardingSmtpAddress", "smtp:x@evil.example")])
        );
        let bad_text = raw.replace(r#""Parameters":"[{"#, r#""Parameters":"not json [{"#);
        assert!(one(&bad_text).4.is_empty());
    }

    #[test]
    fn panther_lower_case_keys_and_exchange_item_quirks() {
        let raw = r#"{"clientip":"1.2.3.4:10736","creationtime":"2025-07-07 09:11:11.000000000","operation":"New-InboxRule","parameters":[{"Name":"MoveToFolder","Value":"MYFolder"}],"resultstatus":"True","userid":"homer.simpson@simpsons.com","workload":"Exchange"}"#;
        let (_, _, time, f, params) = one(raw);
        assert_eq!(time, "2025-07-07T09:11:11Z");
        assert_eq!(
            f[..4],
            [
                "New-InboxRule",
                "homer.simpson@simpsons.com",
                "1.2.3.4",
                "Exchange"
            ]
        );
        assert_eq!(params, pairs(&[("MoveToFolder", "MYFolder")]));
        let item = r#"{"Operation":"Create","ClientIPAddress":"::1","OriginatingServer":"AM6PR01MB4535 (15.20.2729.032)\n","RecordType":2,"ClientIP":"::1","Workload":"Exchange","UserId":"S-1-5-18","CreationTime":"2020-02-17T17:12:03"}"#;
        let (kind, _, _, f, params) = one(item);
        assert_eq!(
            (kind, f[1].as_str(), f[2].as_str()),
            (Kind::Audit, "s-1-5-18", "::1")
        );
        assert!(params.is_empty());
    }

    #[test]
    fn azure_ad_logins_are_sign_ins() {
        let failed = r#"{"ActorIpAddress":"1.2.3.4","ClientIP":"1.2.3.4","CreationTime":"2022-12-12 15:57:57","ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Success"},{"Name":"UserAgent","Value":"Mozilla/5.0"}],"LogonError":"InvalidUserNameOrPassword","Operation":"UserLoginFailed","RecordType":15,"ResultStatus":"Success","UserId":"sample.user@yourorg.onmicrosoft.com","Workload":"AzureActiveDirectory"}"#;
        let (kind, outcome, _, f, _) = one(failed);
        assert_eq!((kind, outcome), (Kind::SignIn, Outcome::Failure));
        assert_eq!(
            f[1..5],
            [
                "sample.user@yourorg.onmicrosoft.com",
                "1.2.3.4",
                "AzureActiveDirectory",
                "InvalidUserNameOrPassword"
            ]
        );
        assert_eq!(f[6], "Mozilla/5.0");
        let ok = failed
            .replace("UserLoginFailed", "UserLoggedIn")
            .replace(r#""LogonError":"InvalidUserNameOrPassword","#, "");
        let (kind, outcome, _, f, _) = one(&ok);
        assert_eq!(
            (kind, outcome, f[4].as_str()),
            (Kind::SignIn, Outcome::Success, "Success")
        );
    }

    const OUTLOOK_RULE: &str = r#"{"CreationTime":"2024-06-03T08:15:42","Id":"5b0f","Operation":"UpdateInboxRules","RecordType":2,"ResultStatus":"Succeeded","UserType":0,"Workload":"Exchange","ClientIP":"198.51.100.23:50123","UserId":"jdupont","ClientIPAddress":"198.51.100.23","ClientInfoString":"Client=MSExchangeRPC","ExternalAccess":false,"LogonUserSid":"S-1-5-21-1-2-3-1104","MailboxOwnerSid":"S-1-5-21-1-2-3-1104","MailboxOwnerUPN":"Jean.Dupont@Exemple.fr","OperationProperties":[{"Name":"RuleOperation","Value":"AddMailboxRule"},{"Name":"RuleName","Value":"sync"},{"Name":"RuleState","Value":"Enabled"},{"Name":"RuleActions","Value":"[{\"ActionType\":\"Forward\",\"Recipients\":[\"a@x.fr\",\"b@y.fr\"],\"ForwardFlags\":\"None\"}]"}],"OrganizationName":"exemple.onmicrosoft.com"}"#;

    #[test]
    fn outlook_rule_operation_properties_become_params() {
        let (kind, _, _, f, params) = one(OUTLOOK_RULE);
        assert_eq!(kind, Kind::Audit);
        assert_eq!(
            f[..4],
            [
                "UpdateInboxRules",
                "jean.dupont@exemple.fr",
                "198.51.100.23",
                "Exchange"
            ],
            "a bare UserId is charged to MailboxOwnerUPN"
        );
        let actions =
            r#"[{"ActionType":"Forward","Recipients":["a@x.fr","b@y.fr"],"ForwardFlags":"None"}]"#;
        assert_eq!(
            params,
            pairs(&[
                ("RuleOperation", "AddMailboxRule"),
                ("RuleName", "sync"),
                ("RuleState", "Enabled"),
                ("RuleActions", actions),
            ])
        );
        // Sentinel's OfficeActivity row: OperationProperties as JSON text.
        let row = r#"{"TimeGenerated":"2024-06-03T08:15:42Z","Operation":"UpdateInboxRules","OfficeWorkload":"Exchange","UserId":"jdupont","MailboxOwnerUPN":"jean.dupont@exemple.fr","Client_IPAddress":"198.51.100.23","OperationProperties":"[{\"Name\":\"RuleName\",\"Value\":\"sync\"},{\"Name\":\"RuleActions\",\"Value\":\"[{\\\"ActionType\\\":\\\"Forward\\\",\\\"Recipients\\\":[\\\"a@x.fr\\\"]}]\"}]","Type":"OfficeActivity"}"#;
        let (_, _, _, f, params) = one(row);
        assert_eq!(f[1], "jean.dupont@exemple.fr");
        assert_eq!(
            params,
            pairs(&[
                ("RuleName", "sync"),
                (
                    "RuleActions",
                    r#"[{"ActionType":"Forward","Recipients":["a@x.fr"]}]"#
                ),
            ])
        );
        // Cmdlet parameters come first, then operation properties.
        let both = r#"{"CreationTime":"2024-06-03T08:15:42","Operation":"Set-InboxRule","UserId":"a@b.c","Parameters":[{"Name":"Identity","Value":"r1"}],"OperationProperties":[{"Name":"RuleName","Value":"r1"}]}"#;
        assert_eq!(
            one(both).4,
            pairs(&[("Identity", "r1"), ("RuleName", "r1")])
        );
    }

    #[test]
    fn only_a_bare_user_id_is_replaced_by_the_mailbox_owner() {
        for (user_id, owner, charged) in [
            (
                "jdupont",
                "jean.dupont@exemple.fr",
                "jean.dupont@exemple.fr",
            ),
            ("", "jean.dupont@exemple.fr", "jean.dupont@exemple.fr"),
            (
                "admin@exemple.fr",
                "jean.dupont@exemple.fr",
                "admin@exemple.fr",
            ),
            ("S-1-5-18", "jean.dupont@exemple.fr", "s-1-5-18"),
            (
                r"NT AUTHORITY\\SYSTEM (w3wp)",
                "jean.dupont@exemple.fr",
                r"nt authority\system (w3wp)",
            ),
            ("jdupont", "not an address", "jdupont"),
            ("jdupont", "", "jdupont"),
        ] {
            let raw = OUTLOOK_RULE
                .replace(r#""UserId":"jdupont""#, &format!(r#""UserId":"{user_id}""#))
                .replace("Jean.Dupont@Exemple.fr", owner);
            assert_eq!(one(&raw).3[1], charged, "{user_id:?} / {owner:?}");
        }
    }

    #[test]
    fn bad_records_are_problems() {
        let p = |raw: &str| {
            let mut b = Batch::default();
            match parse(raw, &mut RecordCx::new(&mut b, Origin::default())) {
                Err(Reject::Problem(r, d)) => (r, d),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            p(r#"{"CreationTime":"2024-03-01T10:00:00"}"#).0,
            reason::UNKNOWN_SHAPE
        );
        assert_eq!(
            p(r#"{"Operation":"Send","CreationTime":"soon"}"#).0,
            reason::BAD_TIME
        );
        assert_eq!(p("[1,2").0, reason::MALFORMED_JSON);
        let (r, d) =
            p(r#"{"Operation":"Send","Operation":"Send","CreationTime":"2024-03-01T10:00:00"}"#);
        assert_eq!(r, reason::MALFORMED_JSON);
        assert!(d.contains("duplicate field"), "{d}");
    }
}
