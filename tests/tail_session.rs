//! Live tail end to end through the library (SPEC §6): the real reader
//! threads and parse workers (`pipeline::start`) feeding a `Session`, on
//! temp files that the tests append to, rotate and truncate. Every test
//! ends by comparing the followed session's findings with a whole-file scan
//! of the final files: following must find exactly what scanning finds.

mod tail_common;

use hunt::finding::Change;
use std::fs::{self, OpenOptions};
use std::path::PathBuf;
use tail_common::*;

/// Events a whole-file scan gets from `text`.
fn events_in(text: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("count.json");
    fs::write(&p, text).unwrap();
    scan_whole(&[p]).store.len()
}

fn assert_same_as_scan(f: &Follower, files: &[PathBuf]) {
    let whole = scan_whole(files);
    assert_eq!(
        event_digest(&f.session),
        event_digest(&whole),
        "following stored other events"
    );
    assert!(
        !whole.findings.is_empty(),
        "the scenario should produce findings"
    );
    assert_eq!(
        digest(&f.session),
        digest(&whole),
        "following differs from scanning the final files"
    );
    assert!(
        f.created_twice().is_empty(),
        "a finding was created twice: {:?}",
        f.created_twice()
    );
}

#[test]
fn an_appended_spray_is_found_then_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SigninLogs.json");
    let background: Vec<String> = (0..3)
        .map(|i| {
            row(
                i * 60,
                &format!("staff{i}@contoso.com"),
                "62.140.128.10",
                "0",
            )
        })
        .collect();
    append(&path, &lines(&background));
    let mut f = Follower::start(std::slice::from_ref(&path));
    f.settle(3);
    assert!(f.ids("password_spray").is_empty());

    append(&path, &lines(&spray_failures(600)));
    f.settle(27);
    let ids = f.ids("password_spray");
    assert_eq!(ids.len(), 1, "one spray attempt from one IP");
    let before = f.session.findings.get(&ids[0]).unwrap().clone();
    assert!(f.changes.contains(&(Change::Created, ids[0].clone())));

    // A user the spray tried signs in from the spraying IP: the same finding
    // becomes "spray with success".
    append(
        &path,
        &(row(600 + 9 * 60, "user03@contoso.com", "45.83.64.17", "0") + "\n"),
    );
    f.settle(28);
    assert_eq!(
        f.ids("password_spray"),
        ids,
        "updated in place, not duplicated"
    );
    let after = f.session.findings.get(&ids[0]).unwrap();
    assert_ne!(&before, after, "the success strengthens the finding");
    assert!(
        after.risk > before.risk,
        "risk {} → {}",
        before.risk,
        after.risk
    );
    assert_eq!(f.changes.last(), Some(&(Change::Updated, ids[0].clone())));
    assert_same_as_scan(&f, &[path]);
}

#[test]
fn rotation_by_rename_loses_nothing() {
    let all = sample_lines("entra/SigninLogs.ndjson");
    let (first, second) = all.split_at(all.len() / 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.json");
    append(&path, &lines(first));
    let mut f = Follower::start(std::slice::from_ref(&path));
    let n1 = events_in(&lines(first));
    f.settle(n1);
    let rotated = dir.path().join("signins.json.1");
    fs::rename(&path, &rotated).unwrap();
    f.pump_for(hunt::pipeline::FOLLOW_POLL * 2);
    append(&path, &lines(second));
    f.settle(n1 + events_in(&lines(second)));
    assert_old_records_are_not_read_from_the_new_file(&f, n1);
    assert_same_as_scan(&f, &[rotated, path]);
}

/// After a rotation or truncation, the events read before it are known as
/// such: the raw view does not read their offsets in the new file (which
/// would show another record), while the new file's events still open.
fn assert_old_records_are_not_read_from_the_new_file(f: &Follower, before: usize) {
    let src = &f.session.sources[0];
    assert_eq!(
        src.generation_start as usize, before,
        "first event of the new file"
    );
    let (old, req) = hunt::tui::raw::open(0, &f.session.store, &f.session.sources);
    assert!(req.is_none(), "an old record is not read from the new file");
    assert!(
        matches!(&old.text, hunt::tui::raw::RawText::Unavailable(m) if m.contains("rotated or truncated")),
        "{:?}",
        old.text
    );
    let (_, req) = hunt::tui::raw::open(before as u32, &f.session.store, &f.session.sources);
    let text = hunt::tui::raw::read(&req.expect("a new record is read"));
    assert!(matches!(text, hunt::tui::raw::RawText::Text(_)), "{text:?}");
}

#[test]
fn copytruncate_loses_nothing() {
    let all = sample_lines("entra/SigninLogs.ndjson");
    let (first, second) = all.split_at(all.len() * 2 / 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signins.json");
    append(&path, &lines(first));
    let mut f = Follower::start(std::slice::from_ref(&path));
    let n1 = events_in(&lines(first));
    f.settle(n1);
    // logrotate copytruncate: copy the file away, cut it to zero in place.
    let copy = dir.path().join("signins.json.1");
    fs::copy(&path, &copy).unwrap();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    f.pump_for(hunt::pipeline::FOLLOW_POLL * 2);
    append(&path, &lines(second));
    f.settle(n1 + events_in(&lines(second)));
    assert_old_records_are_not_read_from_the_new_file(&f, n1);
    assert_same_as_scan(&f, &[copy, path]);
}

#[test]
fn a_partial_line_waits_for_its_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stuffing.json");
    let failures: Vec<String> = (0..6)
        .map(|i| {
            row(
                i * 60,
                "victim@contoso.com",
                &format!("203.0.113.{}", 10 + i),
                "50126",
            )
        })
        .collect();
    append(&path, &lines(&failures));
    let mut f = Follower::start(std::slice::from_ref(&path));
    f.settle(6);
    // The success is written in two pieces; the first ends mid-record...
    let success = row(7 * 60, "victim@contoso.com", "203.0.113.99", "0");
    let (a, b) = success.split_at(success.len() / 2);
    append(&path, a);
    f.settle(6);
    // ...and even a complete record waits until its newline arrives.
    append(&path, b);
    f.settle(6);
    assert!(f.ids("credential_stuffing").is_empty());
    append(&path, "\n");
    f.settle(7);
    assert_eq!(f.ids("credential_stuffing").len(), 1);
    assert_same_as_scan(&f, &[path]);
}

#[test]
fn a_file_created_after_start_is_read_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.json");
    let mut f = Follower::start(std::slice::from_ref(&path));
    f.pump_for(hunt::pipeline::FOLLOW_POLL * 2);
    assert_eq!(f.session.store.len(), 0);
    let mut spray = spray_failures(0);
    spray.push(row(9 * 60, "user05@contoso.com", "45.83.64.17", "0"));
    append(&path, &lines(&spray));
    f.settle(25);
    assert_eq!(f.ids("password_spray").len(), 1);
    assert_same_as_scan(&f, &[path]);
}

#[test]
fn late_events_from_a_lagging_file_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    let spray = spray_failures(0);
    let (mut to_a, mut to_b) = (Vec::new(), Vec::new());
    for (i, l) in spray.iter().enumerate() {
        if i % 2 == 0 { &mut to_a } else { &mut to_b }.push(l.clone());
    }
    let mut f = Follower::start(&[a.clone(), b.clone()]);
    // B is written one round (a minute of event time) behind A.
    let rounds = to_a.chunks(3).count();
    let mut stored = 0;
    for k in 0..=rounds {
        if let Some(part) = to_a.chunks(3).nth(k) {
            append(&a, &lines(part));
            stored += part.len();
        }
        if let Some(part) = k.checked_sub(1).and_then(|j| to_b.chunks(3).nth(j)) {
            append(&b, &lines(part));
            stored += part.len();
        }
        f.settle(stored);
    }
    append(
        &b,
        &(row(9 * 60, "user02@contoso.com", "45.83.64.17", "0") + "\n"),
    );
    f.settle(25);
    assert_eq!(f.ids("password_spray").len(), 1);
    assert_same_as_scan(&f, &[a, b]);
}
