//! One test case of a Panther rule-test file (`{"tests":[…]}`), as extracted
//! from panther-analysis: `{"Name"/"test_name", "ExpectedResult", "Mocks",
//! "Log"/"log", "log_types"}`. The `Log` is handed, untouched, to the parser
//! of its own format, chosen from `Log.p_log_type`, else the test's single
//! `log_types` entry, else by sniffing the log's keys. Log sources `hunt`
//! has no parser for are ignored by design. This file never parses a log
//! itself and never dispatches to itself (a `Log` that looks like another
//! Panther test is ignored), so nesting cannot recurse.

use super::lenient::{StrList, Text};
use super::sniff::classify_record;
use super::{parse_json_record, reason, Format, ParseResult, RecordCx, Reject};
use serde::Deserialize;
use serde_json::value::RawValue;

const UNSUPPORTED: &str = "unsupported log source";

#[derive(Deserialize)]
struct TestCase<'a> {
    #[serde(rename = "Log", alias = "log", borrow, default)]
    log: Option<&'a RawValue>,
    #[serde(rename = "LogTypes", alias = "log_types", default)]
    log_types: StrList,
}

#[derive(Deserialize)]
struct LogProbe<'a> {
    #[serde(borrow, default)]
    p_log_type: Text<'a>,
}

/// Parses one Panther test case by parsing its `Log`.
pub fn parse(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let case: TestCase = serde_json::from_str(raw)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let Some(log) = case.log else {
        return Err(Reject::problem(
            reason::UNKNOWN_SHAPE,
            "Panther test without a Log",
        ));
    };
    let log = log.get();
    let probe: LogProbe = serde_json::from_str(log)
        .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
    let declared = match probe.p_log_type.as_str().trim() {
        "" => match case.log_types.0.as_slice() {
            [only] => only.as_str(),
            _ => "",
        },
        t => t,
    };
    let (format, by_declaration) = match format_of_log_type(declared)? {
        Some(f) => (f, true),
        None => match classify_record(log) {
            Some(Format::PantherTests) | None => return Err(Reject::Ignored(UNSUPPORTED)),
            Some(f) => (f, false),
        },
    };
    // Test cases are hand-made variants of one log (the same `uuid` or
    // `eventID` with another outcome), not copies of a record: never merged.
    let before = cx.batch.drafts.len();
    let res = parse_json_record(format, log, cx);
    for d in cx.batch.drafts.get_mut(before..).unwrap_or_default() {
        d.identity = 0;
    }
    // A `Log` declared CloudTrail, Okta or M365 is a record of that source
    // for the Sigma rules even when its parser finds it too incomplete to
    // use (a CloudTrail test log without eventName). Entra's declared type
    // (`Azure.Audit`) covers audit logs too: its parser decides.
    let declared_shape = matches!(
        &res,
        Err(Reject::Problem(r, _)) if *r == reason::UNKNOWN_SHAPE
    );
    if by_declaration && declared_shape && format != Format::EntraDiagnostic {
        cx.sigma_format = Some(format);
    }
    // The Sigma rules see the `Log`, not the test around it.
    super::sigma_json(log, cx, before);
    res
}

/// The format of a Panther log type; `Ok(None)` when unknown (sniff the log).
fn format_of_log_type(t: &str) -> Result<Option<Format>, Reject> {
    const UNSUPPORTED_PREFIXES: [&str; 10] = [
        "GSuite.",
        "Box.",
        "OneLogin.",
        "Asana.",
        "OnePassword.",
        "Notion.",
        "Zoom.",
        "Atlassian.",
        "Zendesk.",
        "GCP.",
    ];
    Ok(Some(match t {
        "AWS.CloudTrail" => Format::CloudTrail,
        "Okta.SystemLog" => Format::Okta,
        t if t.starts_with("Azure.") => Format::EntraDiagnostic,
        t if t.starts_with("Microsoft365.") || t.starts_with("Office365.") => Format::UnifiedAudit,
        t if UNSUPPORTED_PREFIXES.iter().any(|p| t.starts_with(p)) => {
            return Err(Reject::Ignored(UNSUPPORTED))
        }
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Kind, Origin, Outcome, Source};

    fn run(raw: &str) -> (Batch, ParseResult) {
        let mut batch = Batch::default();
        let res = parse(raw, &mut RecordCx::new(&mut batch, Origin::default()));
        (batch, res)
    }

    #[test]
    fn dispatches_by_p_log_type() {
        let raw = r#"{"test_name":"Okta - Failed Login","expected_result":true,"mocks":[],"log":{"actor":{"alternateId":"admin"},"client":{"ipAddress":"111.111.111.111"},"eventType":"user.session.start","outcome":{"reason":"VERIFICATION_ERROR","result":"FAILURE"},"p_log_type":"Okta.SystemLog","p_event_time":"2021-06-04 09:59:53.650807"}}"#;
        let (b, res) = run(raw);
        assert_eq!(res, Ok(()));
        let d = b.drafts[0];
        assert_eq!(
            (d.source, d.kind, d.outcome),
            (Source::Okta, Kind::SignIn, Outcome::Failure)
        );
        assert_eq!(b.text.get(d.user), "admin");
    }

    #[test]
    fn falls_back_to_log_types_then_sniffing() {
        let by_list = r#"{"Name":"x","ExpectedResult":true,"log_types":["Azure.Audit"],"Log":{"time":"2025-01-15 09:30:45.123","category":"SignInLogs","resultType":"0","properties":{"userPrincipalName":"aragorn@lotr.com","ipAddress":"2.2.2.2"}}}"#;
        let (b, res) = run(by_list);
        assert_eq!(res, Ok(()));
        assert_eq!(b.drafts[0].source, Source::Entra);
        let sniffed = r#"{"Name":"x","ExpectedResult":false,"Log":{"published":"2022-01-01T00:00:00Z","eventType":"user.account.lock","actor":{"alternateId":"a@b.c"}}}"#;
        let (b, res) = run(sniffed);
        assert_eq!(res, Ok(()));
        assert_eq!(b.drafts[0].kind, Kind::Audit);
    }

    #[test]
    fn unsupported_sources_and_bad_tests() {
        for t in [
            "GSuite.ActivityEvent",
            "Box.Event",
            "Zoom.Activity",
            "OnePassword.SignInAttempt",
        ] {
            let raw = format!(r#"{{"Log":{{"p_log_type":"{t}","ipAddress":"1.1.1.1"}}}}"#);
            assert_eq!(run(&raw).1, Err(Reject::Ignored(UNSUPPORTED)), "{t}");
        }
        let unknown = r#"{"Log":{"p_log_type":"GCP.AuditLog","protoPayload":{}}}"#;
        assert_eq!(run(unknown).1, Err(Reject::Ignored(UNSUPPORTED)));
        let nested = r#"{"Log":{"Log":{"a":1},"ExpectedResult":true}}"#;
        assert_eq!(run(nested).1, Err(Reject::Ignored(UNSUPPORTED)));
        assert!(
            matches!(run(r#"{"Name":"x"}"#).1, Err(Reject::Problem(r, _)) if r == reason::UNKNOWN_SHAPE)
        );
        assert!(
            matches!(run(r#"{"Log":"#).1, Err(Reject::Problem(r, _)) if r == reason::MALFORMED_JSON)
        );
    }
}
