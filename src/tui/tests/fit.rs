//! Fit and finish (issue 12): "why it fired" shows whole values, `y`/`Y`
//! copy through OSC 52, and the other behaviours added with them. Uses the
//! harness of the screen tests.

use super::{draw, harness, key, text};
use crate::tui::app::Effect;
use crate::tui::screens::detail::why_lines;
use crate::tui::screens::Screen;
use crate::tui::theme::ColorMode;

/// Gives the demo spray a long user list, like a real spray's.
fn long_user_list(h: &mut super::Harness) -> Vec<String> {
    let users: Vec<String> = (0..15)
        .map(|i| format!("user.number{i:02}@contoso.example.com"))
        .collect();
    let id = h.ids.spray.clone();
    if let Some(f) = h.app.session.findings.get_mut(&id) {
        f.details["failed_user_list"] = serde_json::json!(users);
    }
    users
}

fn copied(effects: Vec<Effect>) -> Option<(String, String)> {
    effects.into_iter().find_map(|e| match e {
        Effect::Copy { what, text } => Some((what, text)),
        _ => None,
    })
}

#[test]
fn why_it_fired_shows_every_user_of_a_long_list_wrapped() {
    let mut h = harness(80, 24, ColorMode::None);
    let users = long_user_list(&mut h);
    let f = h.app.session.findings.get(&h.ids.spray).unwrap();
    let lines = why_lines(f, &h.app.session.config, &[], &h.app.theme, 80);
    let all: String = lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect();
    for u in &users {
        assert!(all.contains(u.as_str()), "{u} cut from:\n{all}");
    }
}

#[test]
fn y_copies_the_selection_and_capital_y_the_whole_finding() {
    let mut h = harness(80, 24, ColorMode::None);
    let users = long_user_list(&mut h);
    // On the alerts list: the selected finding's entity, said in the flash.
    let (what, t) = copied(key(&mut h.app, "y")).expect("a copy");
    let sel = h
        .app
        .alerts()
        .selected(&h.app.session.findings)
        .unwrap()
        .clone();
    let entity = sel
        .user
        .clone()
        .or(sel.ip.clone())
        .unwrap_or(sel.id.clone());
    assert_eq!(t, entity);
    assert!(what.contains(&entity), "{what}");
    // `Y`: the whole finding as JSON.
    let (_, t) = copied(key(&mut h.app, "Y")).expect("a copy");
    let v: serde_json::Value = serde_json::from_str(&t).expect("JSON");
    assert_eq!(v["id"], sel.id.as_str());
    // On the detail: `y` the selected evidence event's IP, `Y` every value in full.
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    let (what, t) = copied(key(&mut h.app, "y")).expect("a copy");
    assert!(what.starts_with("IP "), "{what}");
    assert!(t.parse::<std::net::IpAddr>().is_ok(), "{t}");
    let (_, t) = copied(key(&mut h.app, "Y")).expect("a copy");
    for u in &users {
        assert!(t.contains(u.as_str()), "{t}");
    }
    // The IP page: the selected identity; an event copied as JSON has one time.
    key(&mut h.app, "i");
    let (what, t) = copied(key(&mut h.app, "y")).expect("a copy on the IP page");
    assert!(what.starts_with("user "), "{what}");
    assert!(!t.is_empty());
    key(&mut h.app, "esc");
    key(&mut h.app, "u");
    if let Some((_, t)) = copied(key(&mut h.app, "Y")) {
        assert_eq!(t.matches("\"time\"").count(), 1, "{t}");
    }
    // In the raw view: the record.
    key(&mut h.app, "r");
    let (what, _) = copied(key(&mut h.app, "y")).expect("a copy");
    assert_eq!(what, "raw record");
    // Nothing to copy on the help screen: said, not silent.
    key(&mut h.app, "esc");
    key(&mut h.app, "?");
    assert!(copied(key(&mut h.app, "y")).is_none());
    let _ = text(&draw(&h.app));
}

#[test]
fn ip_page_lists_every_alert_selectable_and_openable() {
    let mut h = harness(80, 24, ColorMode::None);
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "i");
    let (identities, alerts) = match h.app.stack.last() {
        Some(Screen::Ip(st)) => (st.rows.len(), st.alerts.clone()),
        _ => panic!("not on the IP page"),
    };
    assert!(alerts.len() >= 2, "{alerts:?}");
    let screen = text(&draw(&h.app));
    assert!(
        screen.contains(&format!("alerts with this IP ({})", alerts.len())),
        "{screen}"
    );
    // Below the identities: walk down into the alerts, Enter opens each.
    for (k, want) in alerts.iter().enumerate() {
        for _ in 0..(identities + k) {
            key(&mut h.app, "j");
        }
        key(&mut h.app, "enter");
        match h.app.stack.last() {
            Some(Screen::Detail(d)) => assert_eq!(&d.id, want),
            _ => panic!("Enter on alert {k} did not open it"),
        }
        key(&mut h.app, "esc");
        key(&mut h.app, "g");
    }
    // An identity still pivots to its timeline.
    key(&mut h.app, "enter");
    assert!(matches!(h.app.stack.last(), Some(Screen::Timeline(_))));
}

#[test]
fn user_command_takes_a_partial_name_and_ip_a_cidr() {
    let mut h = harness(100, 30, ColorMode::None);
    h.app.command("user bo");
    assert!(
        matches!(h.app.stack.last(), Some(Screen::Timeline(t)) if t.user == "bob@contoso.com"),
        "{:?}",
        h.app.stack.last().map(|s| s.crumb())
    );
    h.app.command("user zzzz");
    assert!(h
        .app
        .flash
        .as_ref()
        .is_some_and(|(_, m)| m.contains("no user")));
    h.app.command("ip 192.0.2.0/24");
    let Some(events) = h.app.events() else {
        panic!("a CIDR opens the events list")
    };
    assert_eq!(events.query.text, "ip:192.0.2.0/24");
    while h.app.tick(std::time::Duration::from_millis(5)) {}
    let screen = text(&draw(&h.app));
    assert!(
        screen.contains("192.0.2.44") && !screen.contains("203.0.113.7"),
        "{screen}"
    );
    assert!(h
        .app
        .flash
        .as_ref()
        .is_some_and(|(_, m)| m.contains("IPs of 192.0.2.0/24")));
}

#[test]
fn allowlist_values_all_come_from_one_chosen_event() {
    use crate::tui::case_link::AllowKind;
    use crate::tui::modal::{AllowDialog, Modal};
    let mut h = harness(100, 30, ColorMode::None);
    let id = h.ids.travel.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "A");
    let check = |d: &AllowDialog| {
        let src = d.sources.get(d.source).expect("an event is shown");
        for c in &d.choices {
            match c.kind {
                AllowKind::Ip => assert_eq!(c.value, src.ip),
                AllowKind::Asn => assert_eq!(c.value, format!("AS{}", src.asn)),
                AllowKind::Country => assert_eq!(c.value, src.country),
                _ => {}
            }
        }
        src.ip.clone()
    };
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("no allowlist dialog")
    };
    assert!(
        d.sources.len() >= 2,
        "a travel has two hops: {:?}",
        d.sources
    );
    let fip = h.app.session.findings.get(&id).unwrap().ip.clone();
    assert_eq!(
        Some(check(d)),
        fip,
        "starts on the event of the finding's IP"
    );
    assert!(text(&draw(&h.app)).contains("From event:"));
    // The other hop: every value changes with it.
    key(&mut h.app, "k");
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("dialog closed")
    };
    assert_ne!(Some(check(d)), fip);
}

/// A finding whose user is long (38 columns), like real tenants' names.
const LONG_USER: &str = "henrietta.mueller-smith@contoso.examp1";

/// Gives the travel finding [`LONG_USER`] (on the alerts list) and returns its real user.
fn with_long_user(h: &mut super::Harness) -> Option<String> {
    let id = h.ids.travel.clone();
    let real = h.app.session.findings.get(&id).and_then(|f| f.user.clone());
    if let Some(f) = h.app.session.findings.get_mut(&id) {
        f.user = Some(LONG_USER.into());
    }
    h.app.refresh_alerts();
    real
}

/// Opens the real user's timeline from the travel finding.
fn travel_timeline(h: &mut super::Harness, real: Option<String>) {
    let id = h.ids.travel.clone();
    if let Some(f) = h.app.session.findings.get_mut(&id) {
        f.user = real;
    }
    h.app.open_finding(&id);
    key(&mut h.app, "u");
}

#[test]
fn columns_give_way_detail_first_at_every_width() {
    for w in 80..=250u16 {
        let mut h = harness(w, 30, ColorMode::None);
        let real = with_long_user(&mut h);
        // Alerts: where any of the title shows, the user and times are whole.
        let screen = text(&draw(&h.app));
        let f = h.app.session.findings.get(&h.ids.travel).unwrap();
        let row = screen
            .lines()
            .find(|l| l.contains("travel"))
            .unwrap_or_else(|| panic!("{w}: no travel row\n{screen}"));
        let title_shown = row.contains(&f.title[..8]);
        if title_shown {
            assert!(
                row.contains(LONG_USER),
                "{w}: user cut while the title shows\n{row}"
            );
            // The last time stays (the first one can go for the user).
            let last = crate::tui::format::short_time(f.last_seen);
            assert!(row.contains(&last[6..]), "{w}: time cut\n{row}");
        }
        if w >= 140 {
            assert!(title_shown, "{w}: no room for any title\n{row}");
        }
        // From 120 cells the title has at least 40 (or is whole).
        if w >= 120 {
            let at = row.find(&f.title[..8]).unwrap_or(row.len());
            let shown = crate::sanitize::width(row[at..].trim_end_matches([' ', '┃', '│']));
            assert!(
                shown >= 40 || row.contains(&f.title),
                "{w}: title gets {shown} cells\n{row}"
            );
        }
        // Timeline: the time column is always whole; detail columns go first.
        travel_timeline(&mut h, real);
        let screen = text(&draw(&h.app));
        let times = screen
            .lines()
            .filter(|l| l.get(2..4) == Some("20") && l.get(12..13) == Some(" "))
            .count();
        assert!(times >= 2, "{w}: timeline times cut\n{screen}");
        // Map: the hop line keeps its speed and verdict.
        key(&mut h.app, "m");
        let screen = text(&draw(&h.app));
        assert!(
            screen.contains("km/h") && screen.contains("IMPOSSIBLE"),
            "{w}: hop line cut\n{screen}"
        );
    }
}

#[test]
fn wide_layout_snapshots() {
    for w in [100u16, 120, 200] {
        let mut h = harness(w, 35, ColorMode::None);
        let real = with_long_user(&mut h);
        insta::assert_snapshot!(format!("fit_alerts_{w}"), text(&draw(&h.app)));
        travel_timeline(&mut h, real);
        insta::assert_snapshot!(format!("fit_timeline_{w}"), text(&draw(&h.app)));
        key(&mut h.app, "m");
        insta::assert_snapshot!(format!("fit_map_{w}"), text(&draw(&h.app)));
    }
}

#[test]
fn user_timeline_has_an_activity_sparkline() {
    let mut h = harness(80, 24, ColorMode::None);
    let id = h.ids.travel.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "u");
    let screen = text(&draw(&h.app));
    let label = screen.lines().nth(2).unwrap_or_default();
    assert!(
        label.starts_with("activity 2024-05-01 08:00:00 → "),
        "{screen}"
    );
    let bars: String = screen.lines().skip(3).take(2).collect();
    assert!(bars.chars().any(|c| ('▁'..='█').contains(&c)), "{screen}");
    let Some(Screen::Timeline(t)) = h.app.stack.last() else {
        panic!("not on the timeline")
    };
    assert_eq!(t.activity.buckets.iter().sum::<u64>(), t.built_from as u64);
}

#[test]
fn follow_marks_new_and_updated_findings_until_selected() {
    use crate::finding::{DetectorId, Finding};
    let mut h = harness(100, 30, ColorMode::None);
    let row_of = |h: &super::Harness, needle: &str| -> String {
        text(&draw(&h.app))
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    };
    // Before the first load is over nothing is marked; after, what was there is seen.
    h.app.after_ingest();
    assert!(!text(&draw(&h.app)).contains('+'));
    // A new finding and an update to one not selected.
    let mut new = Finding::new(
        DetectorId::LegacyAuth,
        "zed",
        0,
        50,
        "Legacy auth for zed".into(),
    );
    new.user = Some("zed@contoso.com".into());
    h.app.session.findings.upsert(new);
    let mut upd = h.app.session.findings.get(&h.ids.stuffing).unwrap().clone();
    upd.title.push_str(" (and more)");
    h.app.session.findings.upsert(upd);
    h.app.refresh_alerts();
    assert!(
        row_of(&h, "zed@contoso.com").contains('+'),
        "new row marked"
    );
    assert!(
        row_of(&h, "carol@contoso.com").contains('+'),
        "updated row marked"
    );
    assert!(
        !row_of(&h, "bob@contoso.com").contains('+'),
        "unchanged row not marked"
    );
    // Selecting a row is seeing it.
    key(&mut h.app, "G");
    assert!(!row_of(&h, "zed@contoso.com").contains('+'));
    assert!(row_of(&h, "carol@contoso.com").contains('+'));
}

#[test]
fn incident_screen_has_an_activity_sparkline() {
    let mut h = harness(120, 35, ColorMode::None);
    super::open_spray_incident(&mut h);
    let screen = text(&draw(&h.app));
    let at = screen
        .lines()
        .position(|l| l.starts_with("activity "))
        .unwrap_or_else(|| panic!("no activity line\n{screen}"));
    let bars: String = screen.lines().skip(at + 1).take(2).collect();
    assert!(bars.chars().any(|c| ('▁'..='█').contains(&c)), "{screen}");
    assert!(
        screen.contains("timeline: "),
        "the timeline stays\n{screen}"
    );
}
