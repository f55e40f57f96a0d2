//! Incidents while following a file (issue 12: "live too"): the real
//! pipeline in follow mode groups a spray and the hosting sign-in of the
//! user who then succeeded from its IP as soon as that sign-in arrives, and
//! ends with the same incident a whole-file scan of the same file gives.

mod tail_common;

use tail_common::*;

fn shape(s: &hunt::pipeline::Session) -> Vec<(String, Vec<String>)> {
    s.incidents
        .all()
        .map(|i| {
            let mut m: Vec<String> = i.findings().map(String::from).collect();
            m.sort();
            (i.id.clone(), m)
        })
        .collect()
}

#[test]
fn a_spray_and_the_later_sign_in_of_its_successful_user_group_live() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SigninLogs.json");
    append(&path, &lines(&spray_failures(0)));
    let mut f = Follower::start(std::slice::from_ref(&path));
    f.until("the spray", |s| !s.findings.is_empty());
    assert!(
        f.session.incidents.is_empty(),
        "a spray alone is no incident"
    );
    // user07 signs in from the spray IP, on M247 (a hosting network).
    append(
        &path,
        &(row_asn(9 * 60, "user07@contoso.com", "45.83.64.17", "0", "9009") + "\n"),
    );
    f.until("the hosting sign-in", |s| {
        s.findings
            .all()
            .iter()
            .any(|x| x.detector == hunt::finding::DetectorId::HostingAsn)
    });
    f.settle(25);
    let spray = f.ids("password_spray");
    let hosting = f.ids("hosting_asn");
    assert_eq!((spray.len(), hosting.len()), (1, 1));
    let id = f
        .session
        .incidents
        .incident_of(&spray[0])
        .expect("grouped live")
        .to_string();
    assert_eq!(id, format!("inc-{}", &spray[0][..8]));
    assert_eq!(
        f.session.incidents.incident_of(&hosting[0]),
        Some(id.as_str())
    );
    assert!(f.session.incidents.take_changes().contains(&id));
    let whole = scan_whole(std::slice::from_ref(&path));
    assert_eq!(shape(&whole), shape(&f.session));
}
