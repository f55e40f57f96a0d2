//! `hunt scan --case` applies the triage workflow the case holds: a finding
//! moved out of its incident by hand stays out, and an incident's status and
//! owner (set in the TUI) are in the incident JSON (and so in the open work
//! the scan records for the hand-off).

use hunt::triage::workflow::Status;
use hunt::triage::{Case, Target};
use std::path::PathBuf;
use std::process::Command;

fn scan_incidents(case: &std::path::Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env_remove("HUNT_CASE")
        .env("USER", "scanner")
        .args(["scan", "--incidents", "--geoip", "samples/geoip", "--case"])
        .arg(case)
        .arg("samples/")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("steps").is_some())
        .collect()
}

#[test]
fn scan_applies_the_cases_moves_and_incident_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.sqlite");
    drop(Case::open(&path).unwrap());
    let before = scan_incidents(&path);
    let spray = before
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .unwrap_or("")
                .starts_with("Spray with success")
        })
        .expect("the samples' spray incident")
        .clone();
    let id = spray["id"].as_str().unwrap().to_string();
    let last = spray["findings"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();

    let mut c = Case::open(&path).unwrap();
    c.set_analyst("ana");
    c.record_move(&last, None).unwrap();
    c.set_work(
        Target::Incident,
        std::slice::from_ref(&id),
        Some(Status::Active),
        None,
    )
    .unwrap();
    drop(c);

    let after = scan_incidents(&path);
    let inc = after
        .iter()
        .find(|i| i["id"] == id.as_str())
        .expect("still there");
    assert_eq!(inc["status"], "active");
    assert_eq!(inc["owner"], "ana");
    let members: Vec<&str> = inc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(!members.contains(&last.as_str()), "{members:?}");
    assert_eq!(
        members.len() + 1,
        spray["findings"].as_array().unwrap().len()
    );
}
