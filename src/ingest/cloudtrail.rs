//! AWS CloudTrail records → drafts (SPEC §3): `ConsoleLogin` is a sign-in
//! whose outcome is `responseElements.ConsoleLogin`; every other record is
//! an API call with its operation, service and access key (for
//! `cloud_recon`). Records wrapped by Logstash (`@timestamp` instead of
//! `eventTime`) are the same. Must not do I/O or judge the calls.

use super::lenient::Text;
use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Draft, Kind, Outcome, Source};
use serde::Deserialize;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "eventTime", alias = "eventtime", borrow, default)]
    event_time: Text<'a>,
    /// The event's own id.
    #[serde(rename = "eventID", alias = "eventid", borrow, default)]
    event_id: Text<'a>,
    #[serde(rename = "@timestamp", borrow, default)]
    timestamp: Text<'a>,
    #[serde(rename = "eventName", alias = "eventname", borrow, default)]
    event_name: Text<'a>,
    #[serde(rename = "eventSource", alias = "eventsource", borrow, default)]
    event_source: Text<'a>,
    #[serde(rename = "sourceIPAddress", alias = "sourceipaddress", borrow, default)]
    source_ip: Text<'a>,
    #[serde(rename = "userIdentity", alias = "useridentity", borrow, default)]
    identity: Option<Identity<'a>>,
    #[serde(
        rename = "responseElements",
        alias = "responseelements",
        borrow,
        default
    )]
    response: Option<Response<'a>>,
    #[serde(
        rename = "additionalEventData",
        alias = "additionaleventdata",
        borrow,
        default
    )]
    additional: Option<Additional<'a>>,
    #[serde(rename = "errorCode", alias = "errorcode", borrow, default)]
    error_code: Text<'a>,
    #[serde(rename = "errorMessage", alias = "errormessage", borrow, default)]
    error_message: Text<'a>,
    #[serde(rename = "userAgent", alias = "useragent", borrow, default)]
    user_agent: Text<'a>,
}

#[derive(Deserialize, Default)]
struct Identity<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Text<'a>,
    #[serde(borrow, default)]
    arn: Text<'a>,
    #[serde(rename = "userName", borrow, default)]
    user_name: Text<'a>,
    #[serde(rename = "accessKeyId", borrow, default)]
    access_key: Text<'a>,
    #[serde(rename = "invokedBy", borrow, default)]
    invoked_by: Text<'a>,
    #[serde(rename = "principalId", borrow, default)]
    principal_id: Text<'a>,
    #[serde(rename = "sessionContext", borrow, default)]
    session: Option<Session<'a>>,
}

#[derive(Deserialize)]
struct Session<'a> {
    #[serde(rename = "sessionIssuer", borrow, default)]
    issuer: Option<Issuer<'a>>,
}

#[derive(Deserialize)]
struct Issuer<'a> {
    #[serde(rename = "userName", borrow, default)]
    user_name: Text<'a>,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(rename = "ConsoleLogin", borrow, default)]
    console_login: Text<'a>,
}

#[derive(Deserialize)]
struct Additional<'a> {
    #[serde(rename = "MFAUsed", borrow, default)]
    mfa_used: Text<'a>,
}

/// Parses one CloudTrail record.
pub fn parse(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let r: Record = serde_json::from_str(raw)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let name = r.event_name.as_str().trim();
    if name.is_empty() {
        return Err(Reject::problem(
            reason::UNKNOWN_SHAPE,
            "CloudTrail record without eventName",
        ));
    }
    let when = match r.event_time.as_str().trim() {
        "" => r.timestamp.as_str(),
        t => t,
    };
    let time = parse_time(when)
        .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("eventTime {when:?}")))?;
    let identity = r.identity.unwrap_or_default();
    let error = r.error_code.as_str().trim();
    let mut d = if name == "ConsoleLogin" {
        let mut d = Draft::new(time, Source::CloudTrail, Kind::SignIn);
        let answer = r.response.as_ref().map(|x| x.console_login.as_str().trim());
        let message = r.error_message.as_str().trim();
        d.outcome = match answer {
            Some(a) if a.eq_ignore_ascii_case("success") => Outcome::Success,
            Some(a) if a.eq_ignore_ascii_case("failure") => Outcome::Failure,
            _ if !error.is_empty() || !message.is_empty() => Outcome::Failure,
            _ => Outcome::Unknown,
        };
        if d.outcome == Outcome::Failure {
            d.result_code = cx.put(if message.is_empty() {
                "Failure"
            } else {
                message
            });
        }
        if let Some(a) = &r.additional {
            let mfa = a.mfa_used.as_str().trim();
            if !mfa.is_empty() {
                d.auth_requirement = cx.put(if mfa.eq_ignore_ascii_case("yes") {
                    "multiFactorAuthentication"
                } else {
                    "singleFactorAuthentication"
                });
            }
        }
        d
    } else {
        let mut d = Draft::new(time, Source::CloudTrail, Kind::ApiCall);
        d.outcome = if error.is_empty() {
            Outcome::Success
        } else {
            Outcome::Failure
        };
        d.result_code = cx.put(error);
        d
    };
    d.operation = cx.put(name);
    d.app = cx.put(r.event_source.as_str());
    d.user = cx.put_user(principal(&identity));
    d.ip = cx.put_ip(r.source_ip.as_str());
    d.access_key = cx.put(identity.access_key.as_str());
    d.user_agent = cx.put(r.user_agent.as_str());
    // eventID with time, API and error: rule-test and hand-made files reuse
    // one eventID for records that differ in these.
    let second = crate::dedup::second(time);
    let outcome = format!("{:?}", d.outcome);
    let id = [
        r.event_id.as_str(),
        principal(&identity),
        &second,
        name,
        error,
        &outcome,
    ];
    cx.identity = crate::dedup::identity(Source::CloudTrail, &id);
    cx.emit(d);
    Ok(())
}

/// The user an identity stands for: the IAM user name, else the role
/// session (last segment of an assumed-role arn), `root`, or the AWS service.
fn principal<'a>(id: &'a Identity<'a>) -> &'a str {
    let arn = id.arn.as_str().trim();
    let last_segment = arn
        .rsplit_once('/')
        .map(|(_, s)| s)
        .filter(|s| !s.is_empty());
    let user_name = id.user_name.as_str().trim();
    let issuer = || {
        id.session
            .as_ref()
            .and_then(|s| s.issuer.as_ref())
            .map(|i| i.user_name.as_str().trim())
            .filter(|u| !u.is_empty())
    };
    match id.kind.as_str() {
        "Root" => "root",
        _ if !user_name.is_empty() => user_name,
        "AssumedRole" | "FederatedUser" => last_segment.or_else(issuer).unwrap_or_default(),
        "AWSService" => id.invoked_by.as_str().trim(),
        _ if arn.ends_with(":root") => "root",
        _ => last_segment.unwrap_or(id.principal_id.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Origin};
    use crate::ingest::time::format_time;

    /// (kind, outcome, time, [user, ip, operation, app, result_code, auth_requirement, access_key, user_agent]).
    fn one(raw: &str) -> (Kind, Outcome, String, [String; 8]) {
        let mut b = Batch::default();
        let res = parse(raw, &mut RecordCx::new(&mut b, Origin::default()));
        assert_eq!(res, Ok(()), "{raw}");
        assert_eq!(b.drafts.len(), 1);
        let d = b.drafts[0];
        assert_eq!(d.source, Source::CloudTrail);
        let t = |x| b.text.get(x).to_string();
        let f = [
            d.user,
            d.ip,
            d.operation,
            d.app,
            d.result_code,
            d.auth_requirement,
            d.access_key,
            d.user_agent,
        ]
        .map(t);
        (d.kind, d.outcome, format_time(d.time), f)
    }

    const JOHN: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:user/JohnDoe","accountId":"111122223333","userName":"JohnDoe"},"eventTime":"2014-07-16T15:49:27Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-2","sourceIPAddress":"89.160.20.156","userAgent":"Mozilla/5.0 Firefox/24.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","LoginTo":"https://console.aws.amazon.com/s3/","MFAUsed":"No"}}"#;

    #[test]
    fn console_login_success_and_failures() {
        let (kind, outcome, time, f) = one(JOHN);
        assert_eq!(
            (kind, outcome, time.as_str()),
            (Kind::SignIn, Outcome::Success, "2014-07-16T15:49:27Z")
        );
        assert_eq!(
            f[..6],
            [
                "johndoe",
                "89.160.20.156",
                "ConsoleLogin",
                "signin.amazonaws.com",
                "",
                "singleFactorAuthentication"
            ]
        );
        assert_eq!(f[7], "Mozilla/5.0 Firefox/24.0");
        let jane = JOHN
            .replace("JohnDoe", "JaneDoe")
            .replace(r#""Success""#, r#""Failure""#)
            .replace(
                r#""requestParameters""#,
                r#""errorMessage":"Failed authentication","requestParameters""#,
            )
            .replace(r#""MFAUsed":"No""#, r#""MFAUsed":"Yes""#);
        let (_, outcome, _, f) = one(&jane);
        assert_eq!(outcome, Outcome::Failure);
        assert_eq!(
            (f[0].as_str(), f[4].as_str(), f[5].as_str()),
            (
                "janedoe",
                "Failed authentication",
                "multiFactorAuthentication"
            )
        );
        let role = r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName","accessKeyId":"AKIAIOSFODNN7EXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","userName":"RoleToBeAssumed"}}},"eventTime":"2014-07-08T17:35:27Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"89.160.20.156","responseElements":{"ConsoleLogin":"Failure"}}"#;
        let (_, outcome, _, f) = one(role);
        assert_eq!(
            (outcome, f[0].as_str(), f[4].as_str(), f[6].as_str()),
            (
                Outcome::Failure,
                "mysessionname",
                "Failure",
                "AKIAIOSFODNN7EXAMPLE"
            )
        );
        let root = r#"{"userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"eventTime":"2019-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"111.111.111.111","responseElements":{"ConsoleLogin":"Success"}}"#;
        assert_eq!(one(root).3[0], "root");
        let unknown = r#"{"userIdentity":{"type":"IAMUser","userName":"admin"},"eventTime":"2024-01-15T10:30:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":null}"#;
        assert_eq!(one(unknown).1, Outcome::Unknown);
    }

    #[test]
    fn api_calls_logstash_wrapped_and_service_callers() {
        let recon = r#"{"userAgent":"console.ec2.amazonaws.com","@version":"1","userIdentity":{"arn":"arn:aws:iam::123456789123:user/pedro","type":"IAMUser","userName":"pedro","accessKeyId":"ASIA5FLZVX4OI4ZDQJOL"},"responseElements":null,"eventName":"DescribeInstances","sourceIPAddress":"1.2.3.4","eventSource":"ec2.amazonaws.com","@timestamp":"2020-09-14T00:44:24.000Z"}"#;
        let (kind, outcome, time, f) = one(recon);
        assert_eq!(
            (kind, outcome, time.as_str()),
            (Kind::ApiCall, Outcome::Success, "2020-09-14T00:44:24Z")
        );
        assert_eq!(
            f,
            [
                "pedro",
                "1.2.3.4",
                "DescribeInstances",
                "ec2.amazonaws.com",
                "",
                "",
                "ASIA5FLZVX4OI4ZDQJOL",
                "console.ec2.amazonaws.com"
            ]
            .map(String::from)
        );
        let service = r#"{"userIdentity":{"invokedBy":"ec2.amazonaws.com","type":"AWSService"},"eventName":"AssumeRole","sourceIPAddress":"ec2.amazonaws.com","eventSource":"sts.amazonaws.com","eventTime":"2020-09-14T00:50:17Z","responseElements":{"credentials":{"accessKeyId":"ASIA"}}}"#;
        let (_, _, _, f) = one(service);
        assert_eq!(
            (f[0].as_str(), f[1].as_str()),
            ("ec2.amazonaws.com", ""),
            "a service host name is no IP"
        );
        let denied = r#"{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/WAFRole/i-0317f6c6b66ae9c40","accessKeyId":"ASIAX"},"eventTime":"2019-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetRole","sourceIPAddress":"40.185.186.6","errorCode":"AccessDenied","errorMessage":"not authorized"}"#;
        let (_, outcome, _, f) = one(denied);
        assert_eq!(
            (outcome, f[0].as_str(), f[4].as_str()),
            (Outcome::Failure, "i-0317f6c6b66ae9c40", "AccessDenied")
        );
        let anonymous = r#"{"eventTime":"2024-06-03 15:23:22.000000000","eventSource":"sso.amazonaws.com","eventName":"Authenticate"}"#;
        assert_eq!(one(anonymous).3[0], "");
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
            p(r#"{"eventTime":"2019-01-01T00:00:00Z","eventSource":"s"}"#).0,
            reason::UNKNOWN_SHAPE
        );
        assert_eq!(
            p(r#"{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com"}"#).0,
            reason::BAD_TIME
        );
        assert_eq!(p(r#"{"eventName":"#).0, reason::MALFORMED_JSON);
        let (_, d) = p(r#"{"eventName":"A","eventName":"B","eventTime":"2019-01-01T00:00:00Z"}"#);
        assert!(d.contains("duplicate field"), "{d}");
    }
}
