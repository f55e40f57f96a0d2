//! Screen tests: every screen drawn on a `TestBackend` at 80x24, 120x40
//! and 200x50, with colour and without (NO_COLOR is a theme parameter, so the
//! environment does not matter; "now" is frozen), plus behaviour tests for
//! the journeys: keep the selection while findings arrive, judge, allowlist,
//! query, filter a big stream incrementally, mouse, back/forward, resize,
//! and no escape sequence from a log reaching the screen.

use super::app::{App, AppOptions, CaseOp, Effect};
use super::case_link::{AllowKind, CaseLink, Class};
use super::fixture::{self, DemoIds};
use super::keymap::Keymap;
use super::modal::Modal;
use super::screens::Screen;
use super::theme::{ColorMode, Theme};
use super::view;
use crate::finding::{DetectorId, Finding};
use chrono::TimeZone;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use std::fmt::Write as _;

struct Harness {
    app: App,
    ids: DemoIds,
    _dir: tempfile::TempDir,
}

fn harness(w: u16, h: u16, mode: ColorMode) -> Harness {
    let (mut session, ids) = fixture::demo_session();
    // The status bar names the analyst: fixed here, not the tester's $USER.
    session.config.case.analyst = Some("tester".into());
    let dir = tempfile::tempdir().unwrap();
    // "now" is frozen after the case clock (which is the wall clock) so expiries entered here are in the future for both.
    let case = CaseLink::open(Some(&dir.path().join("case.sqlite")), &session.config);
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let mut app = App::new(
        session,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", mode),
            case,
            now,
        },
    );
    app.on_resize(w, h);
    Harness {
        app,
        ids,
        _dir: dir,
    }
}

fn key(app: &mut App, s: &str) -> Vec<Effect> {
    let k = super::keymap::Key::parse(s).unwrap();
    app.on_key(KeyEvent::new(k.code, k.mods))
}

fn typ(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// Performs effects the way the main loop does (raw reads are skipped).
fn run(app: &mut App, effects: Vec<Effect>) {
    for e in effects {
        if let Effect::Case(op) = e {
            super::effects::write_case(app, op);
        }
    }
}

fn draw(app: &App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| view::draw(app, f)).unwrap();
    t.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// Text plus, per row, the runs drawn REVERSED or BOLD: what carries meaning without colour.
fn text_and_attributes(buf: &Buffer) -> String {
    let mut s = text(buf);
    s.push_str("--- attributes (R reversed, B bold) ---\n");
    for y in 0..buf.area.height {
        let mut runs = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let m = buf[(x, y)].modifier;
            let tag = match (m.contains(Modifier::REVERSED), m.contains(Modifier::BOLD)) {
                (true, true) => "RB",
                (true, false) => "R",
                (false, true) => "B",
                _ => "",
            };
            let start = x;
            while x < buf.area.width
                && buf[(x, y)]
                    .modifier
                    .intersection(Modifier::REVERSED | Modifier::BOLD)
                    == m.intersection(Modifier::REVERSED | Modifier::BOLD)
            {
                x += 1;
            }
            if !tag.is_empty() {
                let _ = write!(runs, " {tag}{start}..{x}");
            }
        }
        if !runs.is_empty() {
            let _ = writeln!(s, "{y:2}:{runs}");
        }
    }
    s
}

fn assert_no_color(buf: &Buffer) {
    for c in buf.content() {
        assert!(
            matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
            "colour under NO_COLOR: {c:?}"
        );
    }
}

/// Snapshots a screen at the three sizes, with and without colour.
fn snap_all(name: &str, setup: impl Fn(&mut Harness)) {
    for (w, h) in [(80u16, 24u16), (120, 40), (200, 50)] {
        for mode in [ColorMode::Indexed256, ColorMode::None] {
            let mut hn = harness(w, h, mode);
            setup(&mut hn);
            hn.app.on_resize(w, h);
            let buf = draw(&hn.app);
            let tag = if mode == ColorMode::None {
                "nocolor"
            } else {
                "color"
            };
            let snap = if mode == ColorMode::None {
                assert_no_color(&buf);
                text_and_attributes(&buf)
            } else {
                text(&buf)
            };
            insta::assert_snapshot!(format!("{name}_{w}x{h}_{tag}"), snap);
        }
    }
}

#[test]
fn alerts_screen() {
    snap_all("alerts", |_| {});
}

#[test]
fn detail_screen() {
    snap_all("detail", |h| {
        let id = h.ids.spray.clone();
        h.app.open_finding(&id);
        key(&mut h.app, "j");
    });
}

#[test]
fn timeline_screen_shows_the_hop_with_kmh() {
    snap_all("timeline", |h| {
        let id = h.ids.travel.clone();
        h.app.open_finding(&id);
        key(&mut h.app, "u");
    });
    let mut h = harness(80, 24, ColorMode::None);
    let id = h.ids.travel.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "u");
    let t = text(&draw(&h.app));
    assert!(t.contains("FR → US"), "{t}");
    assert!(t.contains("km/h") && t.contains("IMPOSSIBLE"), "{t}");
}

#[test]
fn ip_pivot_shows_the_sprayed_identities() {
    snap_all("ip", |h| {
        let id = h.ids.spray.clone();
        h.app.open_finding(&id);
        key(&mut h.app, "i");
    });
    let mut h = harness(80, 24, ColorMode::None);
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "i");
    let Screen::Ip(st) = h.app.stack.last().unwrap() else {
        panic!("not on the IP pivot")
    };
    assert_eq!(st.rows.len(), 8);
    assert_eq!(
        st.rows[0].user, "bob@contoso.com",
        "the identity that signed in comes first"
    );
    assert_eq!((st.rows[0].successes, st.failures), (1, 24));
    assert_eq!(st.asn, "AS9009 M247 Europe SRL");
    assert!(st.alerts.contains(&h.ids.spray) && st.alerts.contains(&h.ids.inbox));
}

#[test]
fn map_screen() {
    snap_all("map", |h| {
        let id = h.ids.travel.clone();
        h.app.open_finding(&id);
        key(&mut h.app, "m");
    });
}

#[test]
fn events_screen() {
    snap_all("events", |h| {
        key(&mut h.app, "e");
    });
    snap_all("events_query", |h| {
        key(&mut h.app, "e");
        key(&mut h.app, "/");
        typ(&mut h.app, "outcome:success country:us");
        key(&mut h.app, "enter");
        while h.app.tick(std::time::Duration::from_millis(5)) {}
    });
}

#[test]
fn help_sources_and_dialogs() {
    snap_all("help", |h| {
        key(&mut h.app, "?");
    });
    snap_all("sources", |h| {
        key(&mut h.app, "p");
    });
    snap_all("settings", |h| {
        key(&mut h.app, "D");
        key(&mut h.app, "j");
    });
    snap_all("allow_dialog", |h| {
        key(&mut h.app, "A");
    });
    snap_all("verdict_dialog", |h| {
        key(&mut h.app, "F");
        typ(&mut h.app, "known pentest");
    });
}

#[test]
fn raw_record_view() {
    snap_all("raw", |h| {
        let id = h.ids.travel.clone();
        h.app.open_finding(&id);
        // The fixture's files do not exist: the view shows the normalized fields while it reads.
        let effects = key(&mut h.app, "enter");
        assert!(matches!(&effects[..], [Effect::LoadRaw(_)]), "{effects:?}");
    });
}

#[test]
fn first_frame_while_loading() {
    snap_all("loading", |h| {
        let mut s =
            crate::pipeline::Session::new(fixture::quiet_config(), crate::enrich::Enricher::none());
        let inputs = vec![
            crate::ingest::read::Input::Path("logs/big.json".into()),
            crate::ingest::read::Input::Path("logs/other.json".into()),
        ];
        s.add_sources(&inputs, true);
        s.handle(crate::pipeline::IngestMsg::Opened {
            file: 0,
            format: "sentinel-signin".into(),
            size: Some(400_000_000),
        });
        s.handle(crate::pipeline::IngestMsg::Progress {
            file: 0,
            bytes: 120_000_000,
        });
        h.app.session = s;
        h.app.rate.events_per_sec = 412_345.0;
        h.app.apply_triage();
    });
}

#[test]
fn loading_stdin_shows_bytes_read_not_a_percentage_of_nothing() {
    let mut h = harness(120, 40, ColorMode::None);
    let mut s =
        crate::pipeline::Session::new(fixture::quiet_config(), crate::enrich::Enricher::none());
    s.add_sources(&[crate::ingest::read::Input::Stdin], true);
    s.handle(crate::pipeline::IngestMsg::Opened {
        file: 0,
        format: "sshd".into(),
        size: None,
    });
    s.handle(crate::pipeline::IngestMsg::Progress {
        file: 0,
        bytes: 3_500_000,
    });
    h.app.session = s;
    let t = text(&draw(&h.app));
    assert!(!t.contains("0% of 0 B"), "{t}");
    assert!(t.contains("read"), "{t}");
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut h = harness(160, 48, ColorMode::None);
    let mut km = Keymap::builtin();
    km.merge(
        "[alerts]\nverdict-false-positive = [\"ctrl-x\"]\n",
        "user.toml",
    )
    .unwrap();
    h.app.keymap = km;
    key(&mut h.app, "?");
    let t = text(&draw(&h.app));
    assert!(
        t.contains("ctrl-x") && t.contains("verdict: false positive"),
        "{t}"
    );
}

#[test]
fn user_command_with_several_matches_opens_a_picker_that_filters_and_opens() {
    let mut h = harness(120, 40, ColorMode::None);
    key(&mut h.app, ":");
    typ(&mut h.app, "user contoso");
    key(&mut h.app, "enter");
    let Some(Modal::Pick(p)) = &h.app.modal else {
        panic!("no picker: {:?}", h.app.flash)
    };
    assert!(p.items.len() > 1, "{:?}", p.items);
    let t = text(&draw(&h.app));
    assert!(t.contains("users match") && t.contains("filter:"), "{t}");
    typ(&mut h.app, "alice");
    let Some(Modal::Pick(p)) = &h.app.modal else {
        panic!("picker closed while typing")
    };
    let want = p
        .choice()
        .map(|c| c.value.clone())
        .expect("a choice after filtering");
    assert!(want.contains("alice"), "{want}");
    key(&mut h.app, "enter");
    assert!(h.app.modal.is_none());
    assert!(matches!(h.app.stack.last(), Some(Screen::Timeline(st)) if st.user == want));
}

#[test]
fn ctrl_l_clears_the_query_being_typed_and_ctrl_w_a_word() {
    let mut h = harness(120, 40, ColorMode::None);
    key(&mut h.app, "/");
    typ(&mut h.app, "ip:185.220.101.0/24");
    key(&mut h.app, "ctrl-l");
    typ(&mut h.app, "ip:104.85.195.88");
    key(&mut h.app, "enter");
    assert_eq!(h.app.top().query_text(), Some("ip:104.85.195.88"));
    key(&mut h.app, "/");
    typ(&mut h.app, " user:alice");
    key(&mut h.app, "ctrl-w");
    key(&mut h.app, "enter");
    assert_eq!(h.app.top().query_text(), Some("ip:104.85.195.88 "));
}

#[test]
fn every_command_and_query_prefix_runs_and_has_its_help_line_within_80_columns() {
    use super::modal::COMMANDS;
    use super::query::{Query, PREFIX_TABLE};
    let h = harness(80, 24, ColorMode::None);
    let help: Vec<String> = super::screens::help::lines(&h.app.keymap, &h.app.theme, 80)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    for l in &help {
        assert!(l.chars().count() <= 80, "help line over 80 columns: {l:?}");
    }
    let all = help.join("\n");
    for c in COMMANDS {
        assert!(
            all.contains(&format!(":{}", c.name())),
            "no help for :{}",
            c.name()
        );
        for name in c.names {
            // Every name reaches the command, never the unknown-command branch.
            let mut h = harness(80, 24, ColorMode::None);
            let arg = if c.arg.is_some() { " zz-no-such" } else { "" };
            let _ = h.app.command(&format!("{name}{arg}"));
            let flash = h
                .app
                .flash
                .as_ref()
                .map(|f| f.1.clone())
                .unwrap_or_default();
            assert!(!flash.contains("unknown command"), ":{name}: {flash}");
        }
    }
    for p in PREFIX_TABLE {
        assert!(all.contains(p.example), "no help for {}", p.example);
        for name in p.names {
            let word = p.example.replacen(p.names[0], name, 1);
            let q = Query::parse(&word);
            assert!(q.errors.is_empty(), "{word}: {:?}", q.errors);
            assert!(!q.terms.is_empty(), "{word}");
        }
    }
    let q = Query::parse("nosuch:x");
    assert!(
        q.errors
            .iter()
            .any(|e| e.contains("time:") && e.contains("last:")),
        "{:?}",
        q.errors
    );
}

#[test]
fn a_finding_time_past_the_calendar_draws_as_a_dash_in_the_wide_list() {
    // 170+ columns show first/last seen to the minute; a time chrono cannot
    // format is "-", which used to be cut at byte 16 and panic the workbench.
    let mut h = harness(200, 48, ColorMode::Indexed256);
    let mut f = Finding::new(DetectorId::HostingAsn, "far", i64::MAX, 99, "far".into());
    f.last_seen = i64::MAX;
    f.user = Some("far@contoso.com".into());
    h.app.session.findings.upsert(f);
    h.app.apply_triage();
    let t = text(&draw(&h.app));
    let line = t.lines().find(|l| l.contains("far@contoso.com")).unwrap();
    assert!(line.contains(" -  "), "{line}");
    assert!(
        t.contains("2024-05-01 08:"),
        "other rows keep their minute: {t}"
    );
}

#[test]
fn new_findings_do_not_move_the_selection() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    // A list longer than the screen, so rows can scroll.
    for k in 0..30 {
        let mut f = Finding::new(
            DetectorId::LegacyAuth,
            &format!("old{k}"),
            fixture::T0 + k,
            10,
            "legacy".into(),
        );
        f.user = Some(format!("old{k}"));
        h.app.session.findings.upsert(f);
    }
    h.app.apply_triage();
    // Select the stuffing finding (third row by severity).
    let row = h
        .app
        .alerts()
        .rows
        .iter()
        .position(|&i| h.app.session.findings.all()[i].id == h.ids.stuffing)
        .unwrap();
    for _ in 0..row {
        key(&mut h.app, "j");
    }
    let screen_row = h.app.alerts().pos.selected - h.app.alerts().pos.offset;
    let before = h.app.alerts().selected_id.clone();
    // Two critical findings arrive and sort above it.
    for k in 0..2 {
        let mut f = Finding::new(
            DetectorId::HostingAsn,
            &format!("new{k}"),
            fixture::T0 + k,
            99,
            "new".into(),
        );
        f.user = Some(format!("new{k}"));
        h.app.session.findings.upsert(f);
    }
    h.app.apply_triage();
    assert_eq!(h.app.alerts().selected_id, before);
    assert_eq!(
        h.app.alerts().pos.selected - h.app.alerts().pos.offset,
        screen_row,
        "the selected row stays at the same screen row"
    );
    let t = text(&draw(&h.app));
    let sel_y = (h.app.list_area().y as usize) + screen_row;
    let line = t.lines().nth(sel_y).unwrap();
    assert!(line.contains("carol@contoso.com"), "{line}");
}

#[test]
fn judging_writes_the_verdict_with_its_note() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    assert!(h.app.case.is_open(), "{:?}", h.app.case.error);
    let row = h
        .app
        .alerts()
        .rows
        .iter()
        .position(|&i| h.app.session.findings.all()[i].id == h.ids.stuffing)
        .unwrap();
    {
        let (stack, cx) = h.app.split();
        if let Some(Screen::Alerts(a)) = stack.first_mut() {
            a.select_row(row, &cx.session.findings, 10);
        }
    }
    assert!(key(&mut h.app, "F").is_empty());
    assert!(matches!(
        h.app.modal,
        Some(Modal::Verdict {
            class: Class::FalsePositive,
            ..
        })
    ));
    typ(&mut h.app, "password manager retry loop");
    let effects = key(&mut h.app, "enter");
    assert!(
        matches!(&effects[..], [Effect::Case(CaseOp::Verdict { class: Class::FalsePositive, note: Some(n), .. })] if n == "password manager retry loop")
    );
    run(&mut h.app, effects);
    let v = h.app.case.verdict(&h.ids.stuffing).expect("verdict saved");
    assert_eq!(v.class, Class::FalsePositive);
    assert_eq!(v.note.as_deref(), Some("password manager retry loop"));
    let t = text(&draw(&h.app));
    assert!(t.contains("FP"), "{t}");
    // verdict:fp finds it again.
    key(&mut h.app, "/");
    typ(&mut h.app, "verdict:fp");
    key(&mut h.app, "enter");
    assert_eq!(h.app.alerts().rows.len(), 1);
}

#[cfg(unix)]
#[test]
fn a_read_only_case_applies_says_so_and_refuses_verdicts() {
    use std::os::unix::fs::PermissionsExt;
    let mut h = harness(100, 24, ColorMode::Indexed256);
    let path = h._dir.path().join("case.sqlite");
    h.app
        .case
        .set_verdict(
            h.app.session.findings.get(&h.ids.stuffing).unwrap(),
            Class::TruePositive,
            Some("before"),
            &h.app.session.config.clone(),
        )
        .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    h.app.case = CaseLink::open(Some(&path), &h.app.session.config);
    assert!(h.app.case.is_open(), "{:?}", h.app.case.error);
    let notice = h.app.case.read_only.clone().expect("read-only notice");
    assert!(notice.contains("cannot be saved"), "{notice}");
    assert_eq!(
        h.app.case.verdict(&h.ids.stuffing).map(|v| v.class),
        Some(Class::TruePositive),
        "the read-only case's verdicts still apply"
    );
    let t = text(&draw(&h.app));
    assert!(t.contains("(read-only)"), "{t}");
    let row = h
        .app
        .alerts()
        .rows
        .iter()
        .position(|&i| h.app.session.findings.all()[i].id == h.ids.stuffing)
        .unwrap();
    {
        let (stack, cx) = h.app.split();
        if let Some(Screen::Alerts(a)) = stack.first_mut() {
            a.select_row(row, &cx.session.findings, 10);
        }
    }
    key(&mut h.app, "F");
    typ(&mut h.app, "retry");
    let effects = key(&mut h.app, "enter");
    run(&mut h.app, effects);
    let flash = h.app.flash.clone().map(|f| f.1).unwrap_or_default();
    assert!(flash.contains("not saved"), "{flash}");
    assert_eq!(
        h.app.case.verdict(&h.ids.stuffing).map(|v| v.class),
        Some(Class::TruePositive)
    );
}

#[test]
fn notes_are_saved_and_shown_in_the_detail() {
    let mut h = harness(120, 40, ColorMode::None);
    let id = h.ids.inbox.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "n");
    typ(&mut h.app, "called the user: rule not theirs");
    let effects = key(&mut h.app, "enter");
    assert!(
        matches!(&effects[..], [Effect::Case(CaseOp::Note { .. })]),
        "{effects:?}"
    );
    run(&mut h.app, effects);
    assert_eq!(h.app.case.notes_of(&id).len(), 1);
    let t = text(&draw(&h.app));
    assert!(t.contains("called the user: rule not theirs"), "{t}");
    // An empty note writes nothing.
    key(&mut h.app, "n");
    assert!(key(&mut h.app, "enter").is_empty());
}

#[test]
fn a_note_typed_while_the_kind_list_has_focus_is_kept_as_the_note() {
    let mut h = harness(160, 48, ColorMode::None);
    key(&mut h.app, "A");
    assert!(
        matches!(h.app.modal, Some(Modal::Allow(_))),
        "no allowlist dialog"
    );
    typ(&mut h.app, "vpn egress, ticket 4411");
    let effects = key(&mut h.app, "enter");
    let note = effects.iter().find_map(|e| match e {
        Effect::Case(CaseOp::Allow(spec)) => Some(spec.note.clone()),
        _ => None,
    });
    assert_eq!(
        note.as_deref(),
        Some("vpn egress, ticket 4411"),
        "{effects:?}"
    );
}

#[test]
fn an_allowlist_entry_shows_what_it_would_hide_and_asks_when_it_reaches_beyond() {
    let mut h = harness(160, 48, ColorMode::None);
    let before_suppressed = h
        .app
        .session
        .findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    // Each finding, each offered entry: the preview matches what saving does.
    let mut found = None;
    for row in 0..h.app.alerts().rows.len() {
        {
            let (stack, cx) = h.app.split();
            if let Some(Screen::Alerts(a)) = stack.first_mut() {
                a.select_row(row, &cx.session.findings, 10);
            }
        }
        key(&mut h.app, "A");
        for n in 0..12 {
            if let Some(Modal::Allow(d)) = &mut h.app.modal {
                // Every kind offered, for this detector and then for all.
                d.this_detector_only = n < 6;
                d.choice = (n % 6).min(d.choices.len().saturating_sub(1));
            }
            h.app.refresh_allow_impact();
            if let Some(Modal::Allow(d)) = &h.app.modal {
                if let Some(i) = d.impact.as_ref().filter(|i| i.others > 0) {
                    found = Some((row, d.choice, i.clone()));
                    break;
                }
            }
        }
        if found.is_some() {
            break;
        }
        key(&mut h.app, "esc");
    }
    let (_, _, impact) = found.expect("some entry in the demo reaches beyond its finding");
    assert!(
        impact.total > impact.others && impact.total >= 2,
        "{impact:?}"
    );
    let t = text(&draw(&h.app));
    assert!(
        t.contains("would suppress") && t.contains("beyond this one"),
        "{t}"
    );
    key(&mut h.app, "tab");
    key(&mut h.app, "tab");
    key(&mut h.app, "tab");
    typ(&mut h.app, "corporate egress");
    // The first enter shows the reach and saves nothing; the second saves.
    assert!(key(&mut h.app, "enter").is_empty());
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("the dialog closed on the first enter")
    };
    assert!(
        d.error.as_deref().unwrap_or("").contains("enter again"),
        "{:?}",
        d.error
    );
    let effects = key(&mut h.app, "enter");
    assert_eq!(effects.len(), 1, "{effects:?}");
    run(&mut h.app, effects);
    let after = h
        .app
        .session
        .findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    assert_eq!(
        after - before_suppressed,
        impact.total,
        "the preview said what saving did"
    );
}

#[test]
fn allowlisting_suppresses_and_the_toggle_shows_the_note() {
    let mut h = harness(160, 48, ColorMode::Indexed256);
    let row = h
        .app
        .alerts()
        .rows
        .iter()
        .position(|&i| h.app.session.findings.all()[i].id == h.ids.spray)
        .unwrap();
    {
        let (stack, cx) = h.app.split();
        if let Some(Screen::Alerts(a)) = stack.first_mut() {
            a.select_row(row, &cx.session.findings, 10);
        }
    }
    key(&mut h.app, "A");
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("no allowlist dialog")
    };
    let kinds: Vec<(AllowKind, &str)> = d
        .choices
        .iter()
        .map(|c| (c.kind, c.value.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (AllowKind::Ip, "203.0.113.7"),
            (AllowKind::Cidr, "203.0.113.0/24"),
            (AllowKind::Asn, "AS9009"),
            (AllowKind::Country, "RU")
        ]
    );
    // The note is required.
    assert!(key(&mut h.app, "enter").is_empty());
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("dialog closed without a note")
    };
    assert!(d.error.as_deref().unwrap_or("").contains("note"));
    typ(&mut h.app, "red team exercise RT-7");
    key(&mut h.app, "backtab"); // expiry
    typ(&mut h.app, "30d");
    let effects = key(&mut h.app, "enter");
    assert_eq!(effects.len(), 1, "{effects:?}");
    let before = h.app.alerts().rows.len();
    let held = h
        .app
        .session
        .incidents
        .incident_of(&h.ids.spray)
        .map(String::from);
    assert!(held.is_some(), "the spray starts in an incident");
    run(&mut h.app, effects);
    assert_eq!(
        h.app.session.incidents.incident_of(&h.ids.spray),
        None,
        "an allowlisted finding leaves its incident {held:?}"
    );
    assert_eq!(
        h.app.alerts().rows.len(),
        before - 1,
        "the suppressed finding leaves the list"
    );
    let spray = h.app.session.findings.get(&h.ids.spray).unwrap();
    assert_eq!(
        spray.suppressed.as_ref().map(|s| s.note.as_str()),
        Some("red team exercise RT-7")
    );
    key(&mut h.app, "x");
    assert_eq!(h.app.alerts().rows.len(), before);
    let t = text(&draw(&h.app));
    assert!(t.contains("⊘ red team exercise RT-7"), "{t}");
}

#[test]
fn query_filters_alerts_and_esc_restores() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    let all = h.app.alerts().rows.len();
    key(&mut h.app, "/");
    typ(&mut h.app, "det:spray sev:>=high");
    assert_eq!(h.app.alerts().rows.len(), 1, "filters while typing");
    key(&mut h.app, "esc");
    assert_eq!(h.app.alerts().rows.len(), all);
    key(&mut h.app, "/");
    typ(&mut h.app, "user:carol");
    key(&mut h.app, "enter");
    assert_eq!(h.app.alerts().rows.len(), 1);
    key(&mut h.app, "v"); // severity filter on top of the query
    assert!(h.app.alerts().query.text.starts_with("sev:>=medium"));
}

#[test]
fn big_stream_is_filtered_incrementally_and_correctly() {
    let session = fixture::big_session(60_000, 500, 300);
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let case = CaseLink::none(&session.config);
    let mut app = App::new(
        session,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", ColorMode::None),
            case,
            now,
        },
    );
    app.on_resize(80, 24);
    key(&mut app, "e");
    key(&mut app, "/");
    typ(&mut app, "ip:203.0.113.7 outcome:failure");
    key(&mut app, "enter");
    let mut ticks = 0;
    while app.tick(std::time::Duration::from_micros(200)) {
        ticks += 1;
    }
    assert!(
        ticks > 1,
        "filtering should take several ticks at this budget"
    );
    let store = &app.session.store;
    let expected = store
        .by_time()
        .iter()
        .filter(|&&i| {
            store.text(store.get(i).ip) == "203.0.113.7"
                && store.get(i).outcome == crate::event::Outcome::Failure
        })
        .count();
    assert_eq!(app.events().unwrap().len(store), expected);
    assert!(expected > 0);
}

#[test]
fn mouse_selects_and_scrolls() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    let area = h.app.list_area();
    h.app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: area.y + 2,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(h.app.alerts().pos.selected, 2);
    key(&mut h.app, "e");
    h.app.on_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 5,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(h.app.events().unwrap().pos.selected, 3);
}

#[test]
fn back_and_forward_keep_each_screens_selection() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    for _ in 0..5 {
        key(&mut h.app, "j");
    }
    key(&mut h.app, "i");
    assert!(matches!(h.app.stack.last().unwrap(), Screen::Ip(_)));
    key(&mut h.app, "j");
    key(&mut h.app, "esc");
    let Screen::Detail(d) = h.app.stack.last().unwrap() else {
        panic!("back should return to the detail")
    };
    assert_eq!(d.pos.selected, 5);
    key(&mut h.app, "]");
    let Screen::Ip(s) = h.app.stack.last().unwrap() else {
        panic!("forward should return to the IP pivot")
    };
    assert_eq!(s.pos.selected, 1);
    // Enter on an identity pivots to its timeline.
    key(&mut h.app, "enter");
    assert!(
        matches!(h.app.stack.last().unwrap(), Screen::Timeline(t) if t.user == "alice@contoso.com")
    );
}

#[test]
fn every_screen_survives_any_size() {
    for (w, ht) in [
        (1u16, 1u16),
        (19, 4),
        (20, 5),
        (40, 10),
        (80, 24),
        (81, 25),
        (120, 30),
        (200, 60),
        (300, 100),
    ] {
        let mut h = harness(80, 24, ColorMode::Indexed256);
        let id = h.ids.travel.clone();
        for step in ["", "enter", "u", "m", "esc", "esc", "i", "e", "?", "p"] {
            if step == "enter" {
                h.app.open_finding(&id);
            } else if !step.is_empty() {
                key(&mut h.app, step);
            }
            h.app.on_resize(w, ht);
            draw(&h.app);
        }
    }
}

/// Every screen and dialog drawn at every width and height from 1 to 30
/// (and its parts from 0, past the too-small notice): layout arithmetic on a
/// tiny terminal must not underflow (a debug build panics on it) nor write
/// past the buffer.
#[test]
fn every_screen_survives_every_small_size() {
    type Setup = fn(&mut Harness);
    fn open(h: &mut Harness, spray: bool, keys: &[&str]) {
        let id = if spray {
            h.ids.spray.clone()
        } else {
            h.ids.travel.clone()
        };
        h.app.open_finding(&id);
        for k in keys {
            key(&mut h.app, k);
        }
    }
    let screens: [(&str, Setup); 16] = [
        ("alerts", |_| {}),
        ("detail", |h| open(h, true, &[])),
        ("detail-travel", |h| open(h, false, &["J"])),
        ("timeline", |h| open(h, false, &["u"])),
        ("ip", |h| open(h, true, &["i"])),
        ("map", |h| open(h, false, &["m"])),
        ("raw", |h| open(h, false, &["enter"])),
        ("events", |h| drop(key(&mut h.app, "e"))),
        ("events-query", |h| {
            key(&mut h.app, "e");
            key(&mut h.app, "/");
            typ(&mut h.app, "outcome:success");
        }),
        ("alerts-query", |h| {
            key(&mut h.app, "/");
            typ(&mut h.app, "spray");
        }),
        ("command", |h| drop(key(&mut h.app, ":"))),
        ("help", |h| drop(key(&mut h.app, "?"))),
        ("sources", |h| drop(key(&mut h.app, "p"))),
        ("allow", |h| drop(key(&mut h.app, "A"))),
        ("verdict", |h| {
            key(&mut h.app, "F");
            typ(&mut h.app, "known pentest");
        }),
        ("note", |h| {
            key(&mut h.app, "n");
            typ(&mut h.app, "a note");
        }),
    ];
    let mut failed = Vec::new();
    for (name, setup) in screens {
        let mut h = harness(80, 24, ColorMode::Indexed256);
        setup(&mut h);
        for w in 0..=30u16 {
            for ht in 0..=30u16 {
                let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    // `view::render` shows a notice below 20x5: draw the parts anyway.
                    h.app.on_resize(w, ht);
                    let area = ratatui::layout::Rect::new(0, 0, w, ht);
                    view::render_frame(&h.app, area, &mut Buffer::empty(area));
                }));
                if drawn.is_err() {
                    failed.push(format!("{name} {w}x{ht}"));
                }
            }
        }
    }
    assert!(failed.is_empty(), "panicked: {}", failed.join(", "));
}

#[test]
fn no_escape_sequence_reaches_the_screen() {
    let mut h = harness(160, 48, ColorMode::Indexed256);
    key(&mut h.app, "e");
    key(&mut h.app, "G");
    let buf = draw(&h.app);
    let t = text(&buf);
    assert!(
        t.contains("mallory\\u{1b}[31m@contoso.com"),
        "the escape is shown escaped: {t}"
    );
    assert!(!buf.content().iter().any(|c| c.symbol().contains('\u{1b}')));
}

#[test]
fn selection_and_severity_read_without_colour() {
    let h = harness(80, 24, ColorMode::None);
    let buf = draw(&h.app);
    let y = h.app.list_area().y;
    assert!(
        buf[(5, y)].modifier.contains(Modifier::REVERSED),
        "the selected row is reversed"
    );
    assert!(
        buf[(1, y)].modifier.contains(Modifier::BOLD),
        "a critical severity is bold"
    );
    let h = harness(80, 24, ColorMode::Indexed256);
    let buf = draw(&h.app);
    assert_eq!(
        buf[(5, y)].bg,
        Color::Indexed(24),
        "256-colour selection background"
    );
}

#[test]
fn why_it_fired_scrolls_when_it_does_not_fit() {
    let mut h = harness(80, 24, ColorMode::Indexed256);
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    let screen = text(&draw(&h.app));
    let title = screen
        .lines()
        .find(|l| l.starts_with("Why it fired"))
        .unwrap_or_default()
        .to_string();
    assert!(title.contains("rows 1–"), "{screen}");
    assert!(title.contains("K/J scroll"), "{screen}");
    let total: usize = title
        .split(" of ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    key(&mut h.app, "J");
    let after = text(&draw(&h.app));
    assert!(!after.contains("rows 1–"), "{after}");
    assert_ne!(after, screen, "the box shows other rows");
    // Far down stops at the last row; far up at the first.
    for _ in 0..50 {
        key(&mut h.app, "J");
    }
    let bottom = text(&draw(&h.app));
    assert!(bottom.contains(&format!("–{total} of {total}")), "{bottom}");
    for _ in 0..50 {
        key(&mut h.app, "K");
    }
    assert!(text(&draw(&h.app)).contains("rows 1–"));
    // j/k still move in the evidence list, not the box.
    key(&mut h.app, "j");
    let Screen::Detail(d) = h.app.stack.last().unwrap() else {
        panic!("still on the detail")
    };
    assert_eq!((d.pos.selected, d.why_offset), (1, 0));
}

#[test]
fn export_command_writes_the_hand_off_with_the_sessions_open_work() {
    let mut h = harness(160, 48, ColorMode::Indexed256);
    h.app
        .case
        .set_verdict(
            h.app.session.findings.get(&h.ids.stuffing).unwrap(),
            Class::TruePositive,
            Some("confirmed"),
            &h.app.session.config.clone(),
        )
        .unwrap();
    let file = h._dir.path().join("handoff.md");
    let effects = h.app.command(&format!("export {}", file.display()));
    run(&mut h.app, effects);
    let md = std::fs::read_to_string(&file).unwrap();
    let open = md.find("## Open work").unwrap();
    let decided = md.find("## Decided").unwrap();
    for id in [&h.ids.spray, &h.ids.travel, &h.ids.inbox] {
        assert!(md[open..decided].contains(&format!("`{id}`")), "{id}: {md}");
    }
    assert!(!md[open..decided].contains(&format!("`{}`:", h.ids.stuffing)));
    assert!(
        md[decided..].contains("**Verdict: true_positive** by tester at "),
        "{md}"
    );
    assert!(md[decided..].contains(": confirmed"), "{md}");
    assert!(text(&draw(&h.app)).contains("hand-off written to"));
    let json = h._dir.path().join("handoff.json");
    let effects = h.app.command(&format!("export {}", json.display()));
    run(&mut h.app, effects);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["open_findings"].as_array().unwrap().len(), 3);
}

#[test]
fn dialog_and_raw_keys_and_hints_come_from_the_keymap() {
    let mut h = harness(100, 30, ColorMode::None);
    let mut km = Keymap::builtin();
    km.merge(
        "[dialog]\nsubmit = [\"ctrl-s\"]\ncancel = [\"ctrl-g\"]\n[raw]\nclose = [\"x\"]\n",
        "user.toml",
    )
    .unwrap();
    h.app.keymap = km;
    let id = h.ids.stuffing.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "F");
    let t = text(&draw(&h.app));
    assert!(t.contains("ctrl-s save · ctrl-g cancel"), "{t}");
    // Enter is text now; ctrl-s saves.
    assert!(key(&mut h.app, "enter").is_empty());
    assert!(h.app.modal.is_some());
    let effects = key(&mut h.app, "ctrl-s");
    assert!(matches!(
        &effects[..],
        [Effect::Case(CaseOp::Verdict { .. })]
    ));
    // The raw view closes with its own section's key, and says so.
    key(&mut h.app, "r");
    assert!(matches!(h.app.modal, Some(Modal::Raw(_))));
    assert!(text(&draw(&h.app)).contains("x close"));
    key(&mut h.app, "esc");
    assert!(
        matches!(h.app.modal, Some(Modal::Raw(_))),
        "esc is not bound in [raw] any more"
    );
    key(&mut h.app, "x");
    assert!(h.app.modal.is_none());
}

#[test]
fn export_is_an_effect_the_model_does_not_perform() {
    let mut h = harness(100, 30, ColorMode::None);
    let file = h._dir.path().join("later.md");
    let effects = h.app.command(&format!("export {}", file.display()));
    assert!(matches!(&effects[..], [Effect::Case(CaseOp::Export(p))] if *p == file));
    assert!(!file.exists(), "the model wrote a file");
    run(&mut h.app, effects);
    assert!(file.exists());
}

/// Each screen and how to reach it from the alerts (for the size snapshots).
type Setup = fn(&mut Harness);

fn screen_setups() -> Vec<(&'static str, Setup)> {
    fn open(h: &mut Harness, id: &str, k: &str) {
        let id = id.to_string();
        h.app.open_finding(&id);
        if !k.is_empty() {
            key(&mut h.app, k);
        }
    }
    vec![
        ("alerts", |_| {}),
        ("detail", |h| open(h, &h.ids.spray.clone(), "j")),
        ("timeline", |h| open(h, &h.ids.travel.clone(), "u")),
        ("ip", |h| open(h, &h.ids.spray.clone(), "i")),
        ("map", |h| open(h, &h.ids.travel.clone(), "m")),
        ("events", |h| {
            key(&mut h.app, "e");
        }),
        ("help", |h| {
            key(&mut h.app, "?");
        }),
        ("sources", |h| {
            key(&mut h.app, "p");
        }),
        ("incident", |h| open(h, &h.ids.spray.clone(), "I")),
        ("incidents", |h| {
            key(&mut h.app, "N");
        }),
        ("settings", |h| {
            key(&mut h.app, "D");
        }),
    ]
}

/// The wide-text finding opened, then `k` pressed on it.
fn open_wide(h: &mut Harness, k: &str) {
    let id = fixture::add_wide_text(&mut h.app.session);
    h.app.open_finding(&id);
    if !k.is_empty() {
        key(&mut h.app, k);
    }
}

/// Every screen at the three sizes, with a long CJK user name, an emoji
/// title, an IPv6 address and a long AS name loaded, so a bad cut (a cut
/// without `…`, a halved wide character, an overlap) shows.
#[test]
fn every_screen_at_80x24_120x40_and_200x50_with_wide_text() {
    let mut setups = screen_setups();
    setups.extend([
        ("wide_detail", (|h| open_wide(h, "")) as Setup),
        ("wide_timeline", |h| open_wide(h, "u")),
        ("wide_ip", |h| open_wide(h, "i")),
        ("wide_incident", |h| open_wide(h, "I")),
    ]);
    for (name, setup) in setups {
        for (w, hgt) in [(80u16, 24u16), (120, 40), (200, 50)] {
            let mut h = harness(w, hgt, ColorMode::None);
            if !name.starts_with("wide_") {
                fixture::add_wide_text(&mut h.app.session);
            }
            h.app.apply_triage();
            setup(&mut h);
            h.app.on_resize(w, hgt);
            let buf = draw(&h.app);
            assert_no_color(&buf);
            assert_cuts_show_ellipsis(&buf, name);
            insta::assert_snapshot!(format!("sized_{name}_{w}x{hgt}"), text_and_attributes(&buf));
        }
    }
}

/// No line of the screen shows a piece of the wide user name without `…`
/// right after it: a name is shown whole or cut with `…`.
fn assert_cuts_show_ellipsis(buf: &Buffer, name: &str) {
    // The screen as a terminal shows it: the cell after a wide character is
    // part of it, not a space.
    let mut text = String::new();
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            text.push_str(sym);
            x += (crate::sanitize::width(sym) as u16).max(1);
        }
        text.push('\n');
    }
    let mut seen = 0;
    for line in text.lines() {
        // Where the name starts, what follows is the rest of it or `…`.
        let Some(at) = line.find("黄志明") else {
            continue;
        };
        seen += 1;
        let shown: String = line[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '│' && *c != '┃')
            .collect();
        let whole = shown.starts_with(fixture::WIDE_USER);
        let cut =
            shown.ends_with('…') && fixture::WIDE_USER.starts_with(shown.trim_end_matches('…'));
        assert!(
            whole || cut,
            "{name}: `{shown}` is a cut without `…` in\n{text}"
        );
    }
    // The screens about it, and the lists, show the name somewhere.
    if name.starts_with("wide_") || name == "alerts" {
        assert!(seen > 0, "{name}: the wide user is not on screen\n{text}");
    }
}

/// The spray's incident, opened from its alert.
fn open_spray_incident(h: &mut Harness) -> String {
    let id = h.ids.spray.clone();
    h.app.open_finding(&id);
    key(&mut h.app, "I");
    let Some(Screen::Incident(st)) = h.app.stack.last() else {
        panic!(
            "the spray is in no incident: {:?}",
            h.app.session.incidents.sorted()
        );
    };
    st.id.clone()
}

#[test]
fn the_incident_screen_shows_the_chain_entities_and_timeline_and_pivots_from_a_step() {
    let mut h = harness(120, 35, ColorMode::None);
    let inc_id = open_spray_incident(&mut h);
    let inc = h.app.session.incidents.get(&inc_id).unwrap().clone();
    assert!(inc.steps.len() >= 2, "{inc:?}");
    let t = text(&draw(&h.app));
    assert!(t.contains(&format!("Incident {inc_id}")), "{t}");
    assert!(t.contains("status new · owner nobody"), "{t}");
    assert!(
        t.contains("users ") && t.contains("IPs ") && t.contains("countries "),
        "{t}"
    );
    assert!(t.contains("AS9009 M247"), "{t}");
    assert!(t.contains("timeline:"), "{t}");
    // Steps in time order, each with its detector.
    let mut last = i64::MIN;
    for s in &inc.steps {
        assert!(s.first_seen >= last);
        last = s.first_seen;
        assert!(
            t.contains(crate::tui::format::detector_short(s.detector)),
            "{t}"
        );
    }
    // Pivots from the second step: Enter opens its finding, back, u its user.
    key(&mut h.app, "j");
    // The timeline now starts at the second step's event, in bold.
    let buf = draw(&h.app);
    let t = text(&buf);
    let step2 = &inc.steps[1];
    let first_row = t
        .lines()
        .position(|l| l.starts_with("time "))
        .map(|y| y as u16 + 1)
        .unwrap();
    assert!(
        t.lines()
            .nth(first_row as usize)
            .unwrap()
            .starts_with(&crate::tui::format::time(step2.first_seen)),
        "{t}"
    );
    assert!(buf[(0, first_row)].modifier.contains(Modifier::BOLD), "{t}");
    key(&mut h.app, "enter");
    let Some(Screen::Detail(d)) = h.app.stack.last() else {
        panic!("enter did not open the step's finding")
    };
    assert_eq!(d.id, inc.steps[1].finding);
    key(&mut h.app, "esc");
    key(&mut h.app, "u");
    assert!(matches!(h.app.stack.last(), Some(Screen::Timeline(_))));
    key(&mut h.app, "esc");
    key(&mut h.app, "i");
    assert!(matches!(h.app.stack.last(), Some(Screen::Ip(_))));
}

#[test]
fn the_incidents_list_opens_an_incident_and_sets_its_status_with_the_analyst_as_owner() {
    let mut h = harness(120, 35, ColorMode::None);
    key(&mut h.app, "N");
    assert!(matches!(h.app.stack.last(), Some(Screen::Incidents(_))));
    let first = h.app.session.incidents.sorted()[0].id.clone();
    let effects = key(&mut h.app, "w");
    assert!(matches!(
        &effects[..],
        [Effect::Case(CaseOp::Work {
            kind: super::case_link::Target::Incident,
            ..
        })]
    ));
    let t = text(&draw(&h.app));
    assert!(
        t.contains("3 incidents: 3 new · 0 active · 0 closed"),
        "{t}"
    );
    run(&mut h.app, effects);
    let t = text(&draw(&h.app));
    assert!(t.contains("active") && t.contains("tester"), "{t}");
    assert!(
        t.contains("3 incidents: 2 new · 1 active · 0 closed"),
        "{t}"
    );
    assert_eq!(
        h.app
            .session
            .incidents
            .get(&first)
            .map(|i| (i.status, i.owner.clone())),
        Some((super::case_link::Status::Active, Some("tester".into())))
    );
    // The hand-off says who works on it.
    let file = h._dir.path().join("handoff.md");
    let effects = h.app.command(&format!("export {}", file.display()));
    run(&mut h.app, effects);
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.contains(&format!("`{first}`")), "{md}");
    assert!(md.contains("Status: active · Owner: tester"), "{md}");
    // Closing hides it from the list until H.
    let effects = key(&mut h.app, "c");
    run(&mut h.app, effects);
    let t = text(&draw(&h.app));
    assert!(
        !t.lines()
            .any(|l| l.contains(&first) && l.contains("active")),
        "a closed incident leaves the list: {t}"
    );
    key(&mut h.app, "H");
    assert!(text(&draw(&h.app)).contains(&first));
    key(&mut h.app, "enter");
    assert!(matches!(h.app.stack.last(), Some(Screen::Incident(s)) if s.id == first));
}

#[test]
fn bulk_verdict_on_marked_alerts_and_on_everything_the_query_shows() {
    let mut h = harness(120, 35, ColorMode::None);
    // Space marks the first two rows.
    key(&mut h.app, "space");
    key(&mut h.app, "space");
    assert_eq!(h.app.alerts().marks.len(), 2);
    assert!(text(&draw(&h.app)).contains("● 2 marked"));
    key(&mut h.app, "B");
    typ(&mut h.app, "red team");
    let effects = key(&mut h.app, "enter");
    run(&mut h.app, effects);
    let marked: Vec<String> = h.app.alerts().rows[..2]
        .iter()
        .map(|&i| h.app.session.findings.all()[i].id.clone())
        .collect();
    assert!(
        h.app.alerts().marks.is_empty(),
        "saved: the marks are cleared"
    );
    for id in &marked {
        let v = h.app.case.verdict(id).expect("each marked finding judged");
        assert_eq!(v.class, Class::BenignPositive);
        assert_eq!(v.note.as_deref(), Some("red team"));
    }
    // * marks what the query shows (one finding here) on top.
    key(&mut h.app, "/");
    typ(&mut h.app, "det:travel");
    key(&mut h.app, "enter");
    key(&mut h.app, "ctrl-l");
    let shown = h.app.alerts().rows.len();
    key(&mut h.app, "*");
    assert_eq!(h.app.alerts().marks.len(), shown);
    key(&mut h.app, "*");
    assert!(h.app.alerts().marks.is_empty(), "again clears");
}

#[test]
fn closed_findings_are_hidden_by_default_and_the_key_shows_them() {
    let mut h = harness(120, 35, ColorMode::None);
    let before = h.app.alerts().rows.len();
    let id = h.app.alerts().selected_id.clone().unwrap();
    let effects = key(&mut h.app, "c");
    run(&mut h.app, effects);
    assert_eq!(
        h.app
            .case
            .work(super::case_link::Target::Finding, &id)
            .owner
            .as_deref(),
        Some("tester"),
        "the owner defaults to the analyst"
    );
    assert_eq!(h.app.alerts().rows.len(), before - 1);
    assert!(text(&draw(&h.app)).contains("· 1 closed"));
    key(&mut h.app, "H");
    assert_eq!(h.app.alerts().rows.len(), before);
    assert!(text(&draw(&h.app)).contains("✓"));
    // A new session on the same case starts with it hidden again.
    let path = h._dir.path().join("case.sqlite");
    h.app.case = CaseLink::open(Some(&path), &h.app.session.config);
    if let Some(a) = h.app.alerts_mut() {
        a.show_closed = false;
    }
    h.app.apply_triage();
    assert_eq!(h.app.alerts().rows.len(), before - 1);
}

#[test]
fn findings_moved_into_and_out_of_an_incident_stay_so_after_reopening_the_case() {
    let mut h = harness(120, 35, ColorMode::None);
    let inc_id = open_spray_incident(&mut h);
    // :move puts the travel finding (in an incident of its own: it is high
    // and no rule groups it) into the spray's.
    let travel = h.ids.travel.clone();
    let own = h
        .app
        .session
        .incidents
        .incident_of(&travel)
        .map(String::from);
    assert!(
        own.is_some() && own.as_deref() != Some(inc_id.as_str()),
        "{own:?}"
    );
    h.app.open_finding(&travel);
    let effects = h.app.command(&format!("move {}", &inc_id[4..]));
    run(&mut h.app, effects);
    assert_eq!(
        h.app.session.incidents.incident_of(&travel),
        Some(inc_id.as_str())
    );
    // M on the incident screen takes the inbox finding out.
    key(&mut h.app, "esc");
    h.app.open_incident(&inc_id);
    let inbox = h.ids.inbox.clone();
    let row = h
        .app
        .session
        .incidents
        .get(&inc_id)
        .unwrap()
        .findings()
        .position(|f| f == inbox)
        .unwrap();
    for _ in 0..row {
        key(&mut h.app, "j");
    }
    let effects = key(&mut h.app, "M");
    run(&mut h.app, effects);
    assert_eq!(h.app.session.incidents.incident_of(&inbox), None);
    // A fresh session over the same case file replays both moves.
    let path = h._dir.path().join("case.sqlite");
    let mut h2 = harness(120, 35, ColorMode::None);
    h2.app.case = CaseLink::open(Some(&path), &h2.app.session.config);
    h2.app.apply_triage();
    let inc = &h2.app.session.incidents;
    assert_eq!(inc.incident_of(&travel), Some(inc_id.as_str()));
    assert_eq!(inc.incident_of(&inbox), None);
}

#[test]
fn the_events_view_keeps_its_query_when_left_and_reopened() {
    let mut h = harness(100, 30, ColorMode::None);
    key(&mut h.app, "e");
    key(&mut h.app, "/");
    typ(&mut h.app, "country:us");
    key(&mut h.app, "enter");
    key(&mut h.app, "a");
    key(&mut h.app, "e");
    assert_eq!(
        h.app.events().map(|e| e.query.text.as_str()),
        Some("country:us")
    );
}

/// Fit-and-finish tests (issue 12), kept apart so this file stays reviewable.
mod fit;

#[test]
fn an_unnamed_analyst_is_shown_as_a_short_warning_on_a_120_column_bar() {
    // With no `[case] analyst` and no $USER the name is the "unnamed analyst"
    // fallback; its long hint did not fit at 120 columns and the segment was
    // dropped, so the bar said nothing about who verdicts are recorded as.
    let (mut session, _) = fixture::demo_session();
    session.config.case.analyst = Some(crate::triage::UNNAMED_ANALYST.into());
    let dir = tempfile::tempdir().unwrap();
    let case = CaseLink::open(Some(&dir.path().join("case.sqlite")), &session.config);
    let mut app = App::new(
        session,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", ColorMode::None),
            case,
            now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
        },
    );
    app.on_resize(120, 35);
    let t = text(&draw(&app));
    assert!(t.contains("analyst unnamed: set [case] analyst"), "{t}");
    app.on_resize(200, 35);
    let t = text(&draw(&app));
    assert!(
        t.contains("unnamed analyst (set `analyst` under [case]"),
        "{t}"
    );
}

#[test]
fn a_peer_logged_as_a_host_name_is_shown_and_found_in_the_events_screen() {
    use crate::event::{encode_params, extra, Batch, Draft, Kind, Outcome, Source};
    let mut s =
        crate::pipeline::Session::new(fixture::quiet_config(), crate::enrich::Enricher::none());
    let mut b = Batch::default();
    for (i, (user, host)) in [("root", "gw.example.org"), ("admin", "")]
        .iter()
        .enumerate()
    {
        let mut d = Draft::new(
            1_772_704_800_000 + i as i64 * 1000,
            Source::Sshd,
            Kind::SignIn,
        );
        d.outcome = Outcome::Failure;
        d.user = b.text.put(user);
        d.app = b.text.put("sshd@srv");
        if host.is_empty() {
            d.ip = b.text.put("192.0.2.9");
        } else {
            d.extra = b.text.put(&encode_params([(extra::HOST, *host)]));
        }
        d.origin.line = i as u32 + 1;
        b.drafts.push(d);
    }
    fixture::load(
        &mut s,
        vec![("auth.log", "sshd", b, crate::ingest::FileStats::default())],
    );
    let dir = tempfile::tempdir().unwrap();
    let case = CaseLink::open(Some(&dir.path().join("case.sqlite")), &s.config);
    let mut app = App::new(
        s,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", ColorMode::None),
            case,
            now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
        },
    );
    app.on_resize(160, 48);
    key(&mut app, "e");
    let screen = text(&draw(&app));
    assert!(screen.contains("gw.example.org"), "{screen}");
    assert!(screen.contains("192.0.2.9"), "{screen}");
    key(&mut app, "/");
    typ(&mut app, "example.org");
    key(&mut app, "enter");
    while app.tick(std::time::Duration::from_millis(5)) {}
    let screen = text(&draw(&app));
    assert!(screen.contains("gw.example.org"), "{screen}");
    assert!(!screen.contains("192.0.2.9"), "{screen}");
}

#[test]
fn esc_on_a_dialog_with_typed_text_asks_before_it_discards() {
    let mut h = harness(120, 35, ColorMode::None);
    // An empty dialog closes at once.
    key(&mut h.app, "A");
    assert!(matches!(h.app.modal, Some(Modal::Allow(_))));
    key(&mut h.app, "esc");
    assert!(h.app.modal.is_none(), "an empty dialog closes on esc");
    // With a note typed, esc (or ctrl-c) first asks.
    key(&mut h.app, "A");
    typ(&mut h.app, "vpn of the red team");
    key(&mut h.app, "ctrl-c");
    assert!(
        matches!(h.app.modal, Some(Modal::Allow(_))),
        "typed text was dropped"
    );
    let t = text(&draw(&h.app));
    assert!(t.contains("esc again discards it"), "{t}");
    // Typing goes on where it was; the warning goes.
    typ(&mut h.app, "!");
    let Some(Modal::Allow(d)) = &h.app.modal else {
        panic!("dialog closed")
    };
    assert_eq!(d.note.value(), "vpn of the red team!");
    assert!(!text(&draw(&h.app)).contains("esc again discards it"));
    key(&mut h.app, "esc");
    key(&mut h.app, "esc");
    assert!(h.app.modal.is_none(), "a second esc discards");
}

#[test]
fn open_incident_and_ip_commands_pick_among_several_matches() {
    let mut h = harness(120, 35, ColorMode::None);
    // `:open` with words of several titles: a picker of those findings.
    let effects = h.app.command("open contoso");
    run(&mut h.app, effects);
    let Some(Modal::Pick(p)) = &h.app.modal else {
        panic!("no picker for several findings")
    };
    assert!(p.items.len() >= 2, "{:?}", p.items);
    assert!(p.title.contains("findings match"), "{}", p.title);
    key(&mut h.app, "esc");
    // An id prefix that names one finding opens it.
    let spray = h.ids.spray.clone();
    let effects = h.app.command(&format!("open {}", &spray[..6]));
    run(&mut h.app, effects);
    assert!(matches!(h.app.stack.last(), Some(Screen::Detail(d)) if d.id == spray));
    key(&mut h.app, "esc");
    // Nothing matched: said, nothing opened.
    let effects = h.app.command("open zzzz-nothing");
    run(&mut h.app, effects);
    assert!(h.app.modal.is_none());
    assert!(text(&draw(&h.app)).contains("no finding matches"));
    // `:incident` by words: one match opens it, several pick.
    let incs: Vec<_> = h
        .app
        .session
        .incidents
        .sorted()
        .into_iter()
        .cloned()
        .collect();
    assert!(incs.len() >= 2);
    let effects = h.app.command("incident inc-");
    run(&mut h.app, effects);
    let Some(Modal::Pick(p)) = &h.app.modal else {
        panic!("no picker for several incidents")
    };
    assert_eq!(p.items.len(), incs.len());
    key(&mut h.app, "enter");
    assert!(matches!(h.app.stack.last(), Some(Screen::Incident(_))));
    key(&mut h.app, "esc");
    // `:ip` with part of an address.
    let effects = h.app.command("ip 203.0.113");
    run(&mut h.app, effects);
    match &h.app.modal {
        Some(Modal::Pick(p)) => assert!(p.items.iter().all(|i| i.value.contains("203.0.113"))),
        _ => assert!(matches!(h.app.stack.last(), Some(Screen::Ip(_)))),
    }
}

#[test]
fn a_network_finding_names_its_network_and_i_opens_every_address() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut session = crate::pipeline::scan_paths(&[samples]);
    session.config.case.analyst = Some("tester".into());
    let dir = tempfile::tempdir().unwrap();
    let case = CaseLink::open(Some(&dir.path().join("case.sqlite")), &session.config);
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let mut app = App::new(
        session,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", ColorMode::None),
            case,
            now,
        },
    );
    app.on_resize(160, 48);
    let f = app
        .session
        .findings
        .all()
        .iter()
        .find(|f| f.detector == DetectorId::DistributedSpray)
        .cloned()
        .expect("the samples hold a distributed spray");
    let network = f.details["network"].as_str().unwrap().to_string();
    let ips: Vec<String> = f.details["ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(ips.len() >= 5, "{ips:?}");
    // The alert's entity is the network, not its busiest address.
    assert_eq!(super::screens::alerts::entity(&f), network);
    app.open_finding(&f.id);
    key(&mut app, "i");
    let Some(Screen::Ip(st)) = app.stack.last() else {
        panic!("i did not open a page")
    };
    assert_eq!(st.network.as_deref(), Some(network.as_str()));
    assert_eq!(st.addresses.len(), ips.len());
    let failed_users = f.details["failed_users"].as_u64().unwrap() as usize;
    assert!(
        st.rows.len() >= failed_users,
        "identities of every address: {} of {failed_users}",
        st.rows.len()
    );
    assert!(st.alerts.contains(&f.id));
    let t = text(&draw(&app));
    assert!(t.contains(&format!("Network {network}")), "{t}");
    assert!(t.contains(&format!("{} addresses:", ips.len())), "{t}");
}

#[test]
fn why_not_opens_on_the_timeline_ip_page_and_alert_with_each_detectors_approach() {
    let mut h = harness(160, 48, ColorMode::None);
    let id = h.ids.stuffing.clone();
    let f = h.app.session.findings.get(&id).unwrap().clone();
    let user = f.user.clone().unwrap();
    let lines = |app: &App| match &app.modal {
        Some(Modal::Raw(v)) => {
            assert_eq!(v.heading.as_deref(), Some("why not"));
            match &v.text {
                super::raw::RawText::Text(l) => l.join("\n"),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("no why-not overlay: {:?}", other.is_some()),
    };
    // The alert's detail: its user, with the finding that fired.
    h.app.open_finding(&id);
    key(&mut h.app, "W");
    let t = lines(&h.app);
    assert!(t.starts_with(&format!("why user {user}:")), "{t}");
    assert!(
        t.contains("credential_stuffing") && t.contains("fired: "),
        "{t}"
    );
    assert!(
        t.contains("brute_force") && t.contains("failures within"),
        "{t}"
    );
    assert!(text(&draw(&h.app)).contains("why not · user"));
    key(&mut h.app, "esc");
    key(&mut h.app, "q");
    assert!(h.app.modal.is_none());
    // The user's timeline: the same answer.
    h.app.open_timeline(&user);
    key(&mut h.app, "W");
    assert_eq!(lines(&h.app), t);
    key(&mut h.app, "q");
    // The IP page; a filter that hides the finding is named.
    let ip = f.ip.clone().unwrap();
    h.app.open_ip(&ip);
    h.app.set_query("sev:critical det:travel");
    h.app.open_ip(&ip);
    key(&mut h.app, "W");
    let t = lines(&h.app);
    assert!(t.starts_with(&format!("why IP {ip}:")), "{t}");
    assert!(
        t.contains("the alerts query `sev:critical det:travel` hides it"),
        "{t}"
    );
    // The help lists the key (generated from the keymap).
    let help: String = super::screens::help::lines(&h.app.keymap, &h.app.theme, 200)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    let row = help
        .lines()
        .find(|l| l.contains("why not: each detector's closest approach"));
    assert!(row.is_some_and(|r| r.contains('W')), "{help}");
}

#[test]
fn set_reruns_in_the_background_shows_the_difference_and_keeps_or_reverts() {
    let mut h = harness(160, 48, ColorMode::None);
    let cfg = h._dir.path().join("hunt.toml");
    std::fs::write(&cfg, "# tuned by hand\n[ui]\ntheme = \"default\"\n").unwrap();
    h.app.config_path = Some(cfg.clone());
    let before = h.app.session.findings.all().len();
    let run_until_shown = |app: &mut App| {
        for _ in 0..10_000 {
            if !app.tick(std::time::Duration::from_micros(200)) {
                break;
            }
        }
    };
    // A wrong setting is refused with the valid ones.
    key(&mut h.app, ":");
    typ(&mut h.app, "set brute_force.min_fails 2");
    key(&mut h.app, "enter");
    assert!(
        h.app
            .flash
            .as_ref()
            .is_some_and(|(_, m)| m.contains("min_failures")),
        "{:?}",
        h.app.flash
    );
    // Revert: nothing changes.
    key(&mut h.app, ":");
    typ(&mut h.app, "set brute_force.min_failures 2");
    key(&mut h.app, "enter");
    assert!(h.app.modal.is_none(), "the re-run does not block");
    run_until_shown(&mut h.app);
    let shown = match &h.app.modal {
        Some(Modal::Tune(v)) => v.lines.join("\n"),
        _ => panic!("no difference shown"),
    };
    assert!(
        shown.starts_with("what if brute_force.min_failures 10 → 2"),
        "{shown}"
    );
    assert!(shown.contains("brute_force:\n  + "), "{shown}");
    assert!(text(&draw(&h.app)).contains("enter keep · esc revert"));
    key(&mut h.app, "esc");
    assert!(h.app.modal.is_none());
    assert_eq!(h.app.session.config.detectors.brute_force.min_failures, 10);
    assert_eq!(h.app.session.findings.all().len(), before);
    assert!(!std::fs::read_to_string(&cfg)
        .unwrap()
        .contains("min_failures"));
    // Keep: the config file and the session take it.
    let unreached = |app: &App| {
        let mut v: Vec<(String, u32)> = app
            .session
            .findings
            .all()
            .iter()
            .filter(|f| f.detector != DetectorId::BruteForce)
            .map(|f| (f.id.clone(), f.event_count))
            .collect();
        v.sort();
        v
    };
    let others = unreached(&h.app);
    assert!(
        !others.is_empty(),
        "the fixture has findings of other detectors"
    );
    key(&mut h.app, ":");
    typ(&mut h.app, "set brute_force.min_failures 2");
    key(&mut h.app, "enter");
    run_until_shown(&mut h.app);
    key(&mut h.app, "enter");
    assert!(h.app.modal.is_none());
    assert_eq!(h.app.session.config.detectors.brute_force.min_failures, 2);
    assert!(h.app.session.findings.all().len() > before);
    // Only brute force was re-run: every other detector's findings stay.
    assert_eq!(unreached(&h.app), others);
    let text_now = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text_now.starts_with("# tuned by hand\n[ui]\ntheme = \"default\"\n"),
        "{text_now}"
    );
    assert!(
        text_now.contains("# min_failures 10 → 2: set by tester at "),
        "{text_now}"
    );
    assert!(text_now.contains("min_failures = 2"), "{text_now}");
    assert!(h
        .app
        .flash
        .as_ref()
        .is_some_and(|(_, m)| m.contains("kept brute_force.min_failures 10 → 2")));
    // The help lists :set (from the command table).
    key(&mut h.app, "?");
    let help: String = (0..40)
        .map(|_| {
            let t = text(&draw(&h.app));
            key(&mut h.app, "pgdn");
            t
        })
        .collect();
    assert!(help.contains(":set"), "{help}");
}

#[test]
fn propose_offers_an_entry_for_false_positives_sharing_a_value_and_adds_it() {
    let mut h = harness(160, 48, ColorMode::None);
    let fps: Vec<String> = h
        .app
        .session
        .findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| f.id.clone())
        .collect();
    assert!(fps.len() >= 2, "the demo has findings");
    let effects = vec![Effect::Case(CaseOp::Verdict {
        findings: fps.clone(),
        class: Class::FalsePositive,
        note: None,
    })];
    run(&mut h.app, effects);
    key(&mut h.app, ":");
    typ(&mut h.app, "propose");
    key(&mut h.app, "enter");
    let t = match &h.app.modal {
        Some(Modal::Raw(v)) => match &v.text {
            super::raw::RawText::Text(l) => l.join("\n"),
            _ => panic!(),
        },
        _ => panic!("no proposals shown"),
    };
    assert!(
        t.starts_with(&format!("{} false positives in the case", fps.len())),
        "{t}"
    );
    assert!(t.contains("1. ") && t.contains("would suppress"), "{t}");
    key(&mut h.app, "q");
    let shown = h
        .app
        .session
        .findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    key(&mut h.app, ":");
    typ(&mut h.app, "propose 1");
    let effects = key(&mut h.app, "enter");
    assert!(
        matches!(&effects[..], [Effect::Case(CaseOp::Allow(_))]),
        "{effects:?}"
    );
    run(&mut h.app, effects);
    let now = h
        .app
        .session
        .findings
        .all()
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    assert!(
        now < shown,
        "the entry suppresses what it said ({shown} → {now})"
    );
    key(&mut h.app, ":");
    typ(&mut h.app, "propose 99");
    key(&mut h.app, "enter");
    assert!(h
        .app
        .flash
        .as_ref()
        .is_some_and(|(_, m)| m.contains("there are")));
}

/// Ticks a running `:set` until its difference is shown (or it is not running).
fn settle_tune(app: &mut App) {
    let start = std::time::Instant::now();
    while app.tick(std::time::Duration::from_millis(2)) {
        assert!(start.elapsed().as_secs() < 60, "the re-run never ended");
        if matches!(app.modal, Some(Modal::Tune(_))) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

fn tune_lines(app: &App) -> Vec<String> {
    match &app.modal {
        Some(Modal::Tune(v)) => v.lines.clone(),
        other => panic!("no difference shown: {other:?}"),
    }
}

#[test]
fn the_settings_screen_lists_each_detectors_settings_and_enter_runs_the_same_what_if_as_set() {
    let mut h = harness(160, 48, ColorMode::None);
    // `:settings` and its key open the same screen, listed in the help.
    key(&mut h.app, ":");
    typ(&mut h.app, "settings");
    key(&mut h.app, "enter");
    assert!(matches!(h.app.stack.last(), Some(Screen::Settings(_))));
    key(&mut h.app, "esc");
    key(&mut h.app, "D");
    let shown = text(&draw(&h.app));
    let rows = super::screens::settings::rows(&h.app.session.config);
    assert!(rows.len() > 20, "every detector's settings: {}", rows.len());
    assert!(
        shown.contains("credential_stuffing.min_failures"),
        "{shown}"
    );
    // Select brute_force.min_failures and type a value.
    let at = rows
        .iter()
        .position(|r| r.path() == "brute_force.min_failures")
        .unwrap();
    for _ in 0..at {
        key(&mut h.app, "j");
    }
    let shown = text(&draw(&h.app));
    assert!(shown.contains("brute_force.min_failures"), "{shown}");
    assert!(
        shown.contains(crate::detect::brute_force::settings::DOC),
        "the selected detector's doc is shown: {shown}"
    );
    key(&mut h.app, "enter");
    match &h.app.modal {
        Some(Modal::Command { input }) => {
            assert_eq!(input.value(), "set brute_force.min_failures ")
        }
        other => panic!("no command line: {other:?}"),
    }
    typ(&mut h.app, "2");
    key(&mut h.app, "enter");
    settle_tune(&mut h.app);
    let from_screen = tune_lines(&h.app);
    key(&mut h.app, "esc");
    assert_eq!(h.app.session.config.detectors.brute_force.min_failures, 10);
    // The same change by `:set`.
    key(&mut h.app, ":");
    typ(&mut h.app, "set brute_force.min_failures 2");
    key(&mut h.app, "enter");
    settle_tune(&mut h.app);
    let from_set = tune_lines(&h.app);
    assert_eq!(from_screen, from_set);
    assert!(
        from_set
            .first()
            .is_some_and(|l| l.starts_with("what if brute_force.min_failures 10 → 2")),
        "{from_set:?}"
    );
    assert!(
        from_set.iter().any(|l| l.starts_with("  + ")),
        "{from_set:?}"
    );
}

/// Background scanning: the findings rolled into one incident show as one
/// alert row (count of findings and addresses), and enter opens the
/// incident, where every one of them is one key away.
#[test]
fn a_background_rollup_is_one_alert_row_that_opens_its_incident() {
    use crate::incident::background::Background;
    let mut h = harness(120, 40, ColorMode::None);
    let ips = ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"];
    let mut ids = Vec::new();
    for (k, ip) in ips.iter().enumerate() {
        let mut f = Finding::new(
            DetectorId::SlowSpray,
            ip,
            fixture::T0 + k as i64 * 60_000,
            30,
            format!("Slow password spray from {ip}: 25 names failed"),
        );
        f.severity = crate::finding::Severity::Low;
        f.ip = Some(ip.to_string());
        f.event_count = 25;
        ids.push(f.id.clone());
        h.app.session.findings.upsert(f);
    }
    let crate::pipeline::Session {
        findings,
        incidents,
        ..
    } = &mut h.app.session;
    incidents.observe_with(findings.all(), |f| {
        let scan = f.detector == DetectorId::SlowSpray;
        f.ip.as_ref().filter(|_| scan).map(|ip| Background {
            host: "web01".into(),
            attempts: 25,
            names: vec![(format!("admin{ip}"), 25)],
        })
    });
    assert!(ids.iter().all(|id| incidents.is_rolled_up(id)));
    h.app.apply_triage();
    let screen = text(&draw(&h.app));
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("198.18.0.")).collect();
    assert!(
        rows.is_empty(),
        "a rolled finding has its own row:\n{screen}"
    );
    let rolled: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("4 addresses"))
        .collect();
    assert_eq!(rolled.len(), 1, "one row for the roll-up:\n{screen}");
    assert!(rolled[0].contains("background") && rolled[0].contains("4 findings rolled up"));
    // The roll-up sorts last (low); select it and open it.
    key(&mut h.app, "G");
    key(&mut h.app, "enter");
    let Some(Screen::Incident(st)) = h.app.stack.last() else {
        panic!("enter did not open the incident:\n{}", text(&draw(&h.app)));
    };
    let inc = h.app.session.incidents.get(&st.id).unwrap();
    assert_eq!(inc.findings().count(), 4);
    let screen = text(&draw(&h.app));
    assert!(ips.iter().all(|ip| screen.contains(ip)), "{screen}");
    // A query that narrows the roll-up to one finding shows that finding.
    key(&mut h.app, "esc");
    key(&mut h.app, "/");
    typ(&mut h.app, "ip:198.18.0.2");
    key(&mut h.app, "enter");
    let screen = text(&draw(&h.app));
    assert!(
        screen.contains("198.18.0.2") && !screen.contains("4 addresses"),
        "{screen}"
    );
}
