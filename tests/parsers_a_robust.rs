//! Bad input never panics the Entra, Okta, ECS and Panther-test parsers:
//! arbitrary text, and real-looking records whose known fields hold values of
//! every JSON type, must give an event or a rejection.

use hunt::enrich::country::to_alpha2;
use hunt::event::{Batch, Origin};
use hunt::ingest::decode::parse_record;
use hunt::ingest::{Format, RecordCx};
use proptest::prelude::*;

const FORMATS: [Format; 6] = [
    Format::SentinelSignin,
    Format::GraphSignin,
    Format::EntraDiagnostic,
    Format::Okta,
    Format::Ecs,
    Format::PantherTests,
];

fn parse_all(raw: &str) {
    for f in FORMATS {
        let mut batch = Batch::default();
        let _ = parse_record(
            Some(f),
            raw,
            &mut RecordCx::new(&mut batch, Origin::default()),
        );
        assert!(batch.drafts.len() <= 1);
    }
}

/// A JSON value of any type (small), as text.
fn any_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        "[ -~]{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just("\"2024-01-01T00:00:00Z\"".to_string()),
        Just("\"{\\\"countryOrRegion\\\":1}\"".to_string()),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-zA-Z]{1,6}", inner), 0..3).prop_map(|kv| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

const KEYS: [&str; 24] = [
    "TimeGenerated",
    "UserPrincipalName",
    "ResultType",
    "LocationDetails",
    "RiskEventTypes_V2",
    "AutonomousSystemNumber",
    "createdDateTime",
    "userPrincipalName",
    "status",
    "location",
    "category",
    "properties",
    "time",
    "published",
    "eventType",
    "actor",
    "client",
    "securityContext",
    "@timestamp",
    "event",
    "user",
    "source",
    "Log",
    "log",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text(s in "\\PC{0,200}") {
        parse_all(&s);
        let _ = to_alpha2(&s);
    }

    #[test]
    fn known_keys_with_any_values(fields in prop::collection::vec((0..KEYS.len(), any_value()), 0..8)) {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{}\":{v}", KEYS[*k])).collect();
        parse_all(&format!("{{{}}}", body.join(",")));
    }
}
