//! Records hunt reads but does not use are ignored *by name* (issue 11 §5):
//! Identity Protection risk events, Graph activity logs, directory audits and
//! CloudTrail Insights, in every shape they come in, are counted as ignored
//! with a reason that says what they are, never as malformed or unknown.

use hunt::ingest::read::Input;
use std::io::Write;

fn scan(lines: &[&str]) -> hunt::ingest::FileStats {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.ndjson");
    let mut f = std::fs::File::create(&p).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    let s = hunt::pipeline::scan_all(
        vec![Input::Path(p)],
        hunt::config::Config::default(),
        hunt::enrich::Enricher::none(),
    );
    s.sources[0].stats.clone()
}

#[test]
fn unused_record_kinds_are_ignored_by_name() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"TimeGenerated":"2026-11-18T10:00:00Z","Type":"AADUserRiskEvents","UserPrincipalName":"a@contoso.com","IpAddress":"1.2.3.4","RiskEventType":"unfamiliarFeatures","DetectedDateTime":"2026-11-18T09:59:00Z"}"#,
            "ID Protection",
        ),
        (
            r#"{"id":"r1","requestId":"q1","riskEventType":"unlikelyTravel","riskState":"atRisk","riskLevel":"high","detectedDateTime":"2026-11-18T10:00:00Z","userPrincipalName":"a@contoso.com","ipAddress":"1.2.3.4"}"#,
            "ID Protection",
        ),
        (
            r#"{"TimeGenerated":"2026-11-18T10:00:00Z","Type":"MicrosoftGraphActivityLogs","RequestId":"x","RequestUri":"https://graph.microsoft.com/v1.0/users","RequestMethod":"GET","UserId":"u1","IPAddress":"1.2.3.4","ResponseStatusCode":200}"#,
            "Graph activity",
        ),
        (
            r#"{"time":"2026-11-18T10:00:00Z","category":"MicrosoftGraphActivityLogs","properties":{"requestUri":"https://graph.microsoft.com/v1.0/me","userId":"u1"}}"#,
            "Graph activity",
        ),
        (
            r#"{"time":"2026-11-18T10:00:00Z","category":"UserRiskEvents","properties":{"riskEventType":"leakedCredentials"}}"#,
            "ID Protection",
        ),
        (
            r#"{"id":"d1","category":"UserManagement","correlationId":"c","result":"success","activityDisplayName":"Add user","activityDateTime":"2026-11-18T10:00:00Z","loggedByService":"Core Directory","initiatedBy":{},"targetResources":[]}"#,
            "directory audit",
        ),
        (
            r#"{"eventVersion":"1.07","eventTime":"2026-11-18T10:00:00Z","awsRegion":"us-east-1","eventID":"e1","eventType":"AwsCloudTrailInsight","recipientAccountId":"1","sharedEventID":"s1","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}"#,
            "Insights",
        ),
    ];
    for (line, want) in cases {
        let st = scan(&[line]);
        assert_eq!(st.problem_count(), 0, "{line}: {:?}", st.first_problems);
        assert_eq!(st.events, 0, "{line}");
        let reasons: Vec<&str> = st.ignored.keys().copied().collect();
        assert!(
            reasons.iter().any(|r| r.contains(want)),
            "{line}: ignored as {reasons:?}, want {want:?}"
        );
    }
    // A truly unknown shape stays a problem.
    let st = scan(&[r#"{"hello":"world"}"#]);
    assert_eq!(st.problem_count(), 1);
}

/// A diagnostics export (`{"records":[…]}`) mixing sign-ins with Graph
/// activity and Azure activity records: the real Graph activity shape has a
/// region name as `properties.location` (a sign-in's location is an object),
/// which must not make it a malformed record.
#[test]
fn non_signin_categories_in_a_diagnostics_export_are_ignored_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("insights-logs.json");
    std::fs::write(
        &p,
        r#"{"records":[
{"time":"2026-11-18T10:00:00Z","resourceId":"/tenants/t/providers/Microsoft.aadiam","operationName":"Microsoft Graph Activity","category":"MicrosoftGraphActivityLogs","resultSignature":"200","callerIpAddress":"198.51.100.7","location":"West Europe","properties":{"timeGenerated":"2026-11-18T10:00:00Z","location":"West Europe","requestId":"r","requestMethod":"GET","responseStatusCode":200,"userId":"u","ipAddress":"198.51.100.7","requestUri":"https://graph.microsoft.com/v1.0/me","userAgent":"x"}},
{"time":"2026-11-18T10:00:01Z","category":"Administrative","operationName":"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE","resultType":"Success","callerIpAddress":"198.51.100.7","properties":{"statusCode":"Created"}},
{"time":"2026-11-18T10:00:02Z","category":"SignInLogs","operationName":"Sign-in activity","properties":{"userPrincipalName":"a@contoso.com","createdDateTime":"2026-11-18T10:00:02Z","ipAddress":"198.51.100.7","status":{"errorCode":50126}}}
]}"#,
    )
    .unwrap();
    let s = hunt::pipeline::scan_all(
        vec![Input::Path(p)],
        hunt::config::Config::default(),
        hunt::enrich::Enricher::none(),
    );
    let st = &s.sources[0].stats;
    assert_eq!(st.problem_count(), 0, "{:?}", st.first_problems);
    assert_eq!((st.records, st.events), (3, 1));
    let reasons: Vec<&str> = st.ignored.keys().copied().collect();
    assert!(
        reasons.iter().any(|r| r.contains("Graph activity"))
            && reasons.iter().any(|r| r.contains("Azure activity")),
        "{reasons:?}"
    );
}
