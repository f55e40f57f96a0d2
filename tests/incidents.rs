//! Incident grouping (issue 12) in scenarios built from small finding
//! builders: the spray-with-success chain, the BEC chain, unrelated users
//! kept apart, a shared NAT that must not glue a tenant together, arrival
//! order that must not matter, live merges keeping their id, and manual
//! moves that stick. One test runs the pipeline on `samples/`.

use hunt::config::{Config, IncidentsConfig};
use hunt::finding::{DetectorId, Finding, Severity, Suppression};
use hunt::incident::Incidents;
use proptest::prelude::*;
use serde_json::json;

const MIN: i64 = 60_000;
const H: i64 = 60 * MIN;
/// 2026-11-18T00:00:00Z
const DAY: i64 = 1_794_960_000_000;

/// A finding of `detector` for `entity` (the IP for a spray, else the user).
fn finding(detector: DetectorId, entity: &str, ip: &str, first: i64, last: i64) -> Finding {
    let mut f = Finding::new(detector, entity, first, 75, format!("{detector} {entity}"));
    if detector.entity_is_ip() {
        f.ip = Some(entity.to_string());
    } else {
        f.user = Some(entity.to_string());
        f.ip = (!ip.is_empty()).then(|| ip.to_string());
    }
    f.last_seen = last;
    f.event_count = 3;
    f
}

fn spray(ip: &str, first: i64, last: i64, ok: &[&str]) -> Finding {
    let mut f = finding(DetectorId::PasswordSpray, ip, "", first, last);
    f.user = ok.first().map(|u| u.to_string());
    f.details = json!({ "successful_user_list": ok });
    f.severity = Severity::Critical;
    f
}

fn grouped(fs: &[Finding]) -> Incidents {
    let mut inc = Incidents::new(&groups_only());
    inc.observe(fs.iter());
    inc
}

/// The incidents as sorted sets of finding ids, with their ids.
fn shape(inc: &Incidents) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<(String, Vec<String>)> = inc
        .all()
        .map(|i| {
            let mut m: Vec<String> = i.findings().map(String::from).collect();
            m.sort();
            (i.id.clone(), m)
        })
        .collect();
    v.sort();
    v
}

/// The samples' spray chain: 45.83.64.17 sprays, alex and diego succeed and
/// get hosting_asn findings from it, alex adds an inbox rule the next day.
fn spray_chain() -> Vec<Finding> {
    let t = DAY + 10 * H;
    vec![
        spray(
            "45.83.64.17",
            t + 8 * MIN,
            t + 26 * MIN,
            &["alex@c", "diego@c"],
        ),
        finding(
            DetectorId::HostingAsn,
            "alex@c",
            "45.83.64.17",
            t + 24 * MIN,
            t + 24 * MIN,
        ),
        finding(
            DetectorId::HostingAsn,
            "diego@c",
            "45.83.64.17",
            t + 26 * MIN,
            t + 26 * MIN,
        ),
        finding(
            DetectorId::InboxRule,
            "alex@c",
            "45.83.64.17",
            t + 25 * H,
            t + 25 * H,
        ),
    ]
}

/// megan: stuffing → forwarding inbox rule → bulk send (business email compromise).
fn bec_chain() -> Vec<Finding> {
    let t = DAY + 13 * H;
    let mut rule = finding(
        DetectorId::InboxRule,
        "megan@c",
        "175.45.176.9",
        t + 50 * MIN,
        t + 50 * MIN,
    );
    rule.severity = Severity::Critical;
    rule.details = json!({ "forwarding": [{ "target": "x@evil.example" }] });
    let mut send = finding(
        DetectorId::BulkSend,
        "megan@c",
        "175.45.176.9",
        t + H,
        t + 99 * MIN,
    );
    send.severity = Severity::Medium;
    vec![
        finding(
            DetectorId::CredentialStuffing,
            "megan@c",
            "175.45.176.9",
            t + 10 * MIN,
            t + 42 * MIN,
        ),
        rule,
        send,
    ]
}

/// The grouping rules alone: lone high findings are not made incidents of
/// their own (`alone_from = "off"`), so these tests see only what the rules link.
fn groups_only() -> IncidentsConfig {
    IncidentsConfig {
        alone_from: hunt::config::AloneFrom::Off,
        ..IncidentsConfig::default()
    }
}

#[test]
fn spray_with_success_chain_is_one_incident() {
    let fs = spray_chain();
    let inc = grouped(&fs);
    assert_eq!(inc.len(), 1, "{:?}", shape(&inc));
    let i = inc.all().next().unwrap();
    let first = &fs[0].id;
    assert_eq!(
        i.id,
        format!("inc-{}", &first[..8]),
        "named after the spray"
    );
    let order: Vec<&str> = i.findings().collect();
    assert_eq!(
        order,
        [&fs[0].id, &fs[1].id, &fs[2].id, &fs[3].id].map(String::as_str)
    );
    assert_eq!(i.users, ["alex@c", "diego@c"]);
    assert_eq!(i.ips, ["45.83.64.17"]);
    assert_eq!(
        i.title,
        "Spray with success from 45.83.64.17 → 2 accounts, then hosting sign-in and inbox rule (2 users)"
    );
    // Spray (access) then an inbox rule (action): critical stays critical, and says why.
    assert_eq!(i.severity, Severity::Critical);
    assert!(i.escalation.as_deref().unwrap().contains("inbox_rule"));
    for f in &fs {
        assert_eq!(inc.incident_of(&f.id), Some(i.id.as_str()));
    }
}

#[test]
fn bec_chain_is_one_incident_raised_one_step() {
    let mut fs = bec_chain();
    // Max of members is high here; access then action raises it to critical.
    fs[1].severity = Severity::High;
    let inc = grouped(&fs);
    assert_eq!(inc.len(), 1);
    let i = inc.all().next().unwrap();
    assert_eq!(i.steps.len(), 3);
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(
        i.title,
        "Credential stuffing success for megan@c, then forwarding rule and bulk send"
    );
    assert_eq!(i.rules, ["account-compromise"]);
}

#[test]
fn findings_without_action_keep_the_highest_severity() {
    let t = DAY;
    let mut a = finding(DetectorId::HostingAsn, "lynne@c", "185.220.101.7", t, t);
    a.severity = Severity::Medium;
    let b = finding(DetectorId::IdentityRisk, "lynne@c", "185.220.101.7", t, t);
    let inc = grouped(&[a, b.clone()]);
    let i = inc.all().next().unwrap();
    assert_eq!(i.severity, b.severity);
    assert_eq!(i.escalation, None);
}

#[test]
fn unrelated_users_and_the_other_chains_stay_apart() {
    let mut fs = spray_chain();
    fs.extend(bec_chain());
    fs.push(finding(
        DetectorId::HostingAsn,
        "joni@c",
        "104.244.72.115",
        DAY + 15 * H,
        DAY + 15 * H,
    ));
    fs.push(finding(
        DetectorId::LegacyAuth,
        "miriam@c",
        "62.140.128.10",
        DAY + 17 * H,
        DAY + 17 * H,
    ));
    let inc = grouped(&fs);
    assert_eq!(inc.len(), 2, "{:?}", shape(&inc));
    assert_eq!(inc.incident_of(&fs[7].id), None, "joni is alone");
    assert_eq!(inc.incident_of(&fs[8].id), None, "miriam is alone");
    assert_ne!(inc.incident_of(&fs[0].id), inc.incident_of(&fs[4].id));
}

#[test]
fn same_user_too_far_apart_stays_apart() {
    let a = finding(
        DetectorId::CredentialStuffing,
        "u@c",
        "1.2.3.4",
        DAY,
        DAY + H,
    );
    let b = finding(
        DetectorId::BulkSend,
        "u@c",
        "1.2.3.4",
        DAY + 50 * H,
        DAY + 51 * H,
    );
    assert!(grouped(&[a, b]).is_empty());
}

#[test]
fn a_shared_nat_does_not_glue_users_together() {
    // Six users' hosting findings from one IP within an hour: more than
    // max_ip_users (4) users, so the IP links nothing.
    let nat = "62.140.128.10";
    let fs: Vec<Finding> = (0..6)
        .map(|i| {
            let t = DAY + i * MIN;
            finding(DetectorId::HostingAsn, &format!("user{i}@c"), nat, t, t)
        })
        .collect();
    assert!(grouped(&fs).is_empty(), "{:?}", shape(&grouped(&fs)));
    // Two of them alone do share an attacker IP.
    assert_eq!(grouped(&fs[..2]).len(), 1);
    // Live: the IP turns shared after the two were grouped; they split.
    let mut inc = Incidents::new(&groups_only());
    inc.observe(fs[..2].iter());
    assert_eq!(inc.len(), 1);
    inc.observe(fs[2..].iter());
    assert!(inc.is_empty(), "{:?}", shape(&inc));
}

#[test]
fn an_ip_the_spray_detector_calls_shared_egress_links_nothing() {
    let nat = "62.140.128.10";
    let mut egress = spray(nat, DAY, DAY + 13 * MIN, &["a@c", "b@c", "c@c", "d@c"]);
    egress.suppressed = Some(Suppression {
        entry: None,
        note: "shared egress".into(),
    });
    let a = finding(DetectorId::HostingAsn, "a@c", nat, DAY + H, DAY + H);
    let b = finding(DetectorId::HostingAsn, "b@c", nat, DAY + 2 * H, DAY + 2 * H);
    assert_eq!(grouped(&[a.clone(), b.clone()]).len(), 1);
    assert!(grouped(&[egress, a, b]).is_empty());
}

#[test]
fn a_live_finding_joins_and_merges_keeping_the_bigger_incidents_id() {
    let fs = spray_chain();
    let bec = bec_chain();
    let mut inc = Incidents::new(&groups_only());
    // Diego's hosting sign-in first: alone. Then the spray: an incident named after it.
    inc.observe([&fs[2], &bec[0], &bec[1]]);
    assert_eq!(inc.len(), 1);
    let bec_id = inc.incident_of(&bec[0].id).unwrap().to_string();
    assert_eq!(inc.incident_of(&fs[2].id), None);
    inc.observe([&fs[0]]);
    let spray_id = inc.incident_of(&fs[0].id).unwrap().to_string();
    assert_eq!(inc.incident_of(&fs[2].id), Some(spray_id.as_str()));
    let changed = inc.take_changes();
    assert!(changed.contains(&spray_id));
    // A later finding joins without renaming.
    inc.observe([&fs[1], &fs[3]]);
    assert_eq!(inc.get(&spray_id).unwrap().steps.len(), 4);
    assert_eq!(inc.get(&bec_id).unwrap().steps.len(), 2);
    // A finding linking both (megan fails then succeeds from the spray IP the
    // same day): one incident, keeping the bigger one's id (the spray's).
    let mut bridge = finding(
        DetectorId::HostingAsn,
        "megan@c",
        "45.83.64.17",
        DAY + 14 * H,
        DAY + 14 * H,
    );
    bridge.title = "bridge".into();
    inc.observe([&bridge]);
    assert_eq!(inc.len(), 1, "{:?}", shape(&inc));
    assert_eq!(inc.incident_of(&bec[0].id), Some(spray_id.as_str()));
    assert!(inc.get(&bec_id).is_none());
    assert!(
        inc.take_changes().contains(&bec_id),
        "the absorbed id is reported"
    );
}

#[test]
fn an_updated_finding_that_grows_links_more() {
    let mut s = spray("9.9.9.9", DAY, DAY + 10 * MIN, &["a@c"]);
    let b = finding(DetectorId::HostingAsn, "b@c", "8.8.8.8", DAY + H, DAY + H);
    let mut inc = Incidents::new(&groups_only());
    inc.observe([&s, &b]);
    assert!(inc.is_empty());
    s.details = json!({ "successful_user_list": ["a@c", "b@c"] });
    inc.observe([&s]);
    assert_eq!(inc.incident_of(&b.id), inc.incident_of(&s.id));
    assert!(inc.incident_of(&b.id).is_some());
}

#[test]
fn a_manual_move_out_sticks_across_later_updates() {
    let mut fs = spray_chain();
    let mut inc = grouped(&fs);
    let id = inc.incident_of(&fs[0].id).unwrap().to_string();
    inc.set_status(&id, hunt::incident::Status::Active, "ana")
        .unwrap();
    inc.move_out(&fs[3].id).unwrap();
    assert_eq!(inc.incident_of(&fs[3].id), None);
    assert_eq!(inc.get(&id).unwrap().steps.len(), 3);
    // The inbox rule finding is updated (live): it stays out.
    fs[3].event_count += 1;
    fs[3].last_seen += MIN;
    inc.observe([&fs[3]]);
    assert_eq!(inc.incident_of(&fs[3].id), None);
    // Moving out the spray: alex and diego still share the attacker IP
    // (same-attacker-ip), and hold most of the old incident, so keep its id.
    inc.move_out(&fs[0].id).unwrap();
    assert_eq!(inc.len(), 1, "{:?}", shape(&inc));
    assert_eq!(inc.get(&id).unwrap().steps.len(), 2);
    assert_eq!(inc.get(&id).unwrap().status, hunt::incident::Status::Active);
    assert_eq!(inc.incident_of(&fs[0].id), None);
    // Moving one of those two out leaves a single finding: no incident.
    inc.move_out(&fs[2].id).unwrap();
    assert!(inc.is_empty(), "{:?}", shape(&inc));
    assert!(inc.move_out("nope").is_err());
}

#[test]
fn a_manual_move_into_overrides_the_rules() {
    let fs = spray_chain();
    let bec = bec_chain();
    let all: Vec<Finding> = fs.iter().chain(bec.iter()).cloned().collect();
    let mut inc = grouped(&all);
    let spray_id = inc.incident_of(&fs[0].id).unwrap().to_string();
    let bec_id = inc.incident_of(&bec[0].id).unwrap().to_string();
    inc.move_into(&bec[2].id, &spray_id).unwrap();
    assert_eq!(inc.incident_of(&bec[2].id), Some(spray_id.as_str()));
    assert_eq!(inc.incident_of(&bec[0].id), Some(bec_id.as_str()));
    assert_eq!(inc.get(&spray_id).unwrap().steps.len(), 5);
    assert!(inc
        .get(&spray_id)
        .unwrap()
        .rules
        .contains(&"manual".to_string()));
    // Updates of the moved finding do not pull it back.
    inc.observe([&bec[2]]);
    assert_eq!(inc.incident_of(&bec[2].id), Some(spray_id.as_str()));
    assert!(matches!(
        inc.move_into(&bec[2].id, "inc-none"),
        Err(hunt::incident::MoveError::UnknownIncident(_))
    ));
}

#[test]
fn disabled_grouping_groups_nothing() {
    let cfg = IncidentsConfig {
        enabled: false,
        ..groups_only()
    };
    let mut inc = Incidents::new(&cfg);
    inc.observe(bec_chain().iter());
    assert!(inc.is_empty());
}

#[test]
fn rules_are_data_read_from_the_config() {
    let text = r#"
[incidents]
max_ip_users = 2
alone_from = "off"

[[incidents.rules]]
name = "stuffing-then-send"
link = "user"
detectors = ["credential_stuffing", "bulk_send"]
window = "1h"
"#;
    let cfg = Config::from_toml(text, std::path::Path::new("c.toml")).unwrap();
    assert_eq!(
        cfg.incidents.rules.len(),
        1,
        "a rules list replaces the defaults"
    );
    assert_eq!(cfg.incidents.max_findings, 100);
    let fs = bec_chain();
    let mut inc = Incidents::new(&cfg.incidents);
    inc.observe(fs.iter());
    let i = inc.all().next().unwrap();
    assert_eq!(
        i.steps.len(),
        2,
        "the inbox rule is not covered by the rule"
    );
    assert_eq!(i.rules, ["stuffing-then-send"]);
    let printed = Config::default().to_toml();
    assert!(printed.contains("[[incidents.rules]]"), "{printed}");
    assert!(
        printed.contains("name = \"spray-with-success\""),
        "{printed}"
    );
    let bad = Config::from_toml(
        "[[incidents.rules]]\nname = \"x\"\nlink = \"user\"\ndetectors = [\"nope\"]\nwindow = \"1h\"\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("nope") && bad.contains("line"), "{bad}");
    let bad = Config::from_toml(
        "[[incidents.rules]]\nname = \"x\"\nlink = \"user\"\ndetectors = []\nwindow = \"1h\"\n",
        std::path::Path::new("c.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(bad.contains("at least one detector"), "{bad}");
}

#[test]
fn an_incident_is_capped_to_its_earliest_findings() {
    let cfg = IncidentsConfig {
        max_findings: 3,
        ..groups_only()
    };
    let fs: Vec<Finding> = (0..5)
        .map(|i| {
            finding(
                DetectorId::LegacyAuth,
                "u@c",
                "1.1.1.1",
                DAY + i * H,
                DAY + i * H,
            )
        })
        .collect();
    let mut inc = Incidents::new(&cfg);
    inc.observe(fs.iter());
    assert_eq!(inc.all().next().unwrap().steps.len(), 3);
    assert_eq!(inc.incident_of(&fs[4].id), None);
    assert!(inc.incident_of(&fs[0].id).is_some());
}

/// Findings from every scenario above, plus noise users sharing IPs.
fn everything() -> Vec<Finding> {
    let mut fs = spray_chain();
    fs.extend(bec_chain());
    for i in 0..6i64 {
        let t = DAY + i * 5 * H;
        let d = [
            DetectorId::HostingAsn,
            DetectorId::LegacyAuth,
            DetectorId::ImpossibleTravel,
        ][i as usize % 3];
        fs.push(finding(
            d,
            &format!("n{}@c", i % 5),
            "62.140.128.10",
            t,
            t + MIN,
        ));
        fs.push(finding(
            d,
            &format!("n{}@c", i % 2),
            &format!("10.0.0.{i}"),
            t + H,
            t + 2 * H,
        ));
    }
    fs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shuffled_arrival_gives_the_same_incidents(
        order in Just((0..everything().len()).collect::<Vec<usize>>()).prop_shuffle(),
        split in 0usize..20,
    ) {
        let fs = everything();
        let want = shape(&grouped(&fs));
        prop_assert!(want.len() >= 3);
        let shuffled: Vec<&Finding> = order.iter().map(|&i| &fs[i]).collect();
        // All at once in any order.
        let mut one = Incidents::new(&groups_only());
        one.observe(shuffled.iter().copied());
        prop_assert_eq!(shape(&one), want.clone());
        // In two releases: the same groups (ids may differ only by which part came first).
        let mut two = Incidents::new(&groups_only());
        let cut = split.min(shuffled.len());
        two.observe(shuffled[..cut].iter().copied());
        two.observe(shuffled[cut..].iter().copied());
        let groups = |s: Vec<(String, Vec<String>)>| {
            let mut g: Vec<Vec<String>> = s.into_iter().map(|(_, m)| m).collect();
            g.sort();
            g
        };
        prop_assert_eq!(groups(shape(&two)), groups(want));
    }
}

#[test]
fn the_samples_group_into_the_planted_chains() {
    use hunt::enrich::Enricher;
    use hunt::ingest::read::expand;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (enricher, _) = Enricher::open(&[root.join("geoip")]);
    let (inputs, _) = expand(&[root]);
    let s = hunt::pipeline::scan_all(inputs, Config::default(), enricher);
    let of = |d: DetectorId, entity: &str| {
        let f = s
            .findings
            .all()
            .iter()
            .find(|f| {
                f.detector == d
                    && (f.user.as_deref() == Some(entity) || f.ip.as_deref() == Some(entity))
            })
            .unwrap_or_else(|| panic!("{d} {entity}"));
        s.incidents.incident_of(&f.id).map(String::from)
    };
    let spray = of(DetectorId::PasswordSpray, "45.83.64.17").expect("the spray is in an incident");
    assert_eq!(
        of(DetectorId::HostingAsn, "alex.wilber@contoso.com").as_ref(),
        Some(&spray)
    );
    assert_eq!(
        of(DetectorId::HostingAsn, "diego.siciliani@contoso.com").as_ref(),
        Some(&spray)
    );
    let bec = of(DetectorId::CredentialStuffing, "megan.bowen@contoso.com").expect("megan's chain");
    assert_eq!(
        of(DetectorId::InboxRule, "megan.bowen@contoso.com").as_ref(),
        Some(&bec)
    );
    assert_eq!(
        of(DetectorId::BulkSend, "megan.bowen@contoso.com").as_ref(),
        Some(&bec)
    );
    assert_ne!(spray, bec);
    // The office NAT's users stay apart: each is alone (in no incident, or,
    // being high, in one of its own).
    let size = |inc: Option<String>| {
        inc.and_then(|id| s.incidents.get(&id).map(|i| i.findings().count()))
            .unwrap_or(1)
    };
    assert_eq!(
        size(of(DetectorId::IdentityRisk, "grady.archie@contoso.com")),
        1
    );
    assert_eq!(
        size(of(DetectorId::LegacyAuth, "miriam.graham@contoso.com")),
        1
    );
    assert_eq!(
        size(of(DetectorId::InboxRule, "debra.berger@contoso.com")),
        1
    );
    // Every high and critical finding has an incident.
    for f in s.findings.all() {
        if f.severity >= hunt::ident::Severity::High {
            assert!(
                s.incidents.incident_of(&f.id).is_some(),
                "{} {} has no incident",
                f.detector,
                f.title
            );
        }
    }
}

#[test]
fn hunt_scan_prints_incidents_and_each_findings_incident() {
    use assert_cmd::Command;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let case_dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out = Command::cargo_bin("hunt")
            .unwrap()
            .env("XDG_CONFIG_HOME", root.join("no-such-config"))
            .args(["scan", "--case"])
            .arg(case_dir.path().join("case.db"))
            .arg("--geoip")
            .arg(root.join("geoip"))
            .arg(&root)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, text, _) = run(&["--incidents"]);
    assert_eq!(code, Some(0));
    let incidents: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 10 groups and 4 lone high findings (incidents of their own).
    assert_eq!(incidents.len(), 14, "{text}");
    assert_eq!(
        incidents.iter().filter(|i| i["finding_count"] == 1).count(),
        4,
        "{text}"
    );
    let spray = &incidents[0];
    assert_eq!(spray["severity"], "critical");
    assert!(spray["title"]
        .as_str()
        .unwrap()
        .starts_with("Spray with success from 45.83.64.17 → 2 accounts"));
    assert_eq!(spray["steps"][0]["detector"], "password_spray");
    let (code, text, err) = run(&["--output", "jsonl"]);
    assert_eq!(code, Some(0));
    assert!(
        err.contains(
            "hunt: 14 incidents hold 32 findings (4 of them a lone high or critical finding"
        ),
        "{err}"
    );
    let findings: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let grouped = findings
        .iter()
        .filter(|f| f["incident"] == spray["id"])
        .count();
    assert_eq!(grouped, spray["finding_count"].as_u64().unwrap() as usize);
    let alone = findings
        .iter()
        .find(|f| f["user"] == "miriam.graham@contoso.com")
        .unwrap();
    assert!(alone["incident"].is_null(), "{alone}");
    let (code, _, _) = run(&["--incidents", "--output", "table"]);
    assert_eq!(code, Some(2));
    let (code, text, _) = run(&["--incidents", "--fail-on", "critical"]);
    assert_eq!((code, text.lines().count()), (Some(1), 14));
}

#[test]
fn only_incidents_that_changed_are_reported() {
    let mut fs = bec_chain();
    let mut inc = Incidents::new(&groups_only());
    inc.observe(fs.iter());
    let id = inc.incident_of(&fs[0].id).unwrap().to_string();
    assert_eq!(inc.take_changes(), std::slice::from_ref(&id));
    // The same findings again (a release that changed nothing grouping sees): quiet.
    inc.observe(fs.iter());
    assert!(inc.take_changes().is_empty());
    // More sends: the step's event count changes, so the incident does.
    fs[2].event_count += 10;
    inc.observe([&fs[2]]);
    assert_eq!(inc.take_changes(), [id]);
}

#[test]
fn status_and_owner_carry_through_growth_and_merges() {
    use hunt::incident::Status;
    let fs = spray_chain();
    let bec = bec_chain();
    let mut inc = Incidents::new(&groups_only());
    inc.observe(fs[..3].iter());
    let id = inc.incident_of(&fs[0].id).unwrap().to_string();
    let i = inc.get(&id).unwrap();
    assert_eq!((i.status, i.owner.as_deref()), (Status::New, None));
    assert_eq!(i.to_json()["status"], "new");
    inc.set_status(&id, Status::Active, "ana").unwrap();
    inc.take_changes();
    // A later finding joins: still active, still ana's.
    inc.observe([&fs[3]]);
    let i = inc.get(&id).unwrap();
    assert_eq!(
        (i.status, i.owner.as_deref()),
        (Status::Active, Some("ana"))
    );
    assert_eq!(i.to_json()["owner"], "ana");
    // A closed incident that gains a finding is reopened as active.
    inc.observe(bec[..2].iter());
    let bec_id = inc.incident_of(&bec[0].id).unwrap().to_string();
    inc.set_owner(&bec_id, Some("bo")).unwrap();
    inc.set_status(&bec_id, Status::Closed, "ana").unwrap();
    assert_eq!(inc.get(&bec_id).unwrap().owner.as_deref(), Some("bo"));
    inc.observe([&bec[1]]);
    assert_eq!(
        inc.get(&bec_id).unwrap().status,
        Status::Closed,
        "an update adds nothing new"
    );
    inc.observe([&bec[2]]);
    let i = inc.get(&bec_id).unwrap();
    assert_eq!((i.status, i.owner.as_deref()), (Status::Active, Some("bo")));
    assert!(inc.set_status("inc-none", Status::Closed, "ana").is_err());
    assert_eq!(Status::from_name(" Closed"), Some(Status::Closed));
}
