//! TUI latency on a 1M-event store: what an analyst waits for after a key —
//! update plus a full render (80x24 and 160x48) — for moving in the alerts,
//! opening a detail, the IP pivot, the user timeline, the map, paging the
//! all-events view, and one incremental-filter tick. Prints median and
//! worst of several runs; `cargo bench --bench tui` (add `-- 200000` for a
//! smaller store). Results go to BENCHMARKS.md, section "TUI".

use chrono::TimeZone;
use hunt::tui::app::{App, AppOptions};
use hunt::tui::case_link::CaseLink;
use hunt::tui::fixture;
use hunt::tui::keymap::{Key, Keymap};
use hunt::tui::theme::{ColorMode, Theme};
use hunt::tui::view;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn key(app: &mut App, s: &str) {
    if let Some(k) = Key::parse(s) {
        app.on_key(crossterm::event::KeyEvent::new(k.code, k.mods));
    }
}

fn draw(app: &App, term: &mut Terminal<TestBackend>) {
    let _ = term.draw(|f| view::draw(app, f));
}

/// Runs `setup` (not timed) then `step` + a render (timed), `RUNS` times.
fn measure(
    name: &str,
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    setup: impl Fn(&mut App),
    step: impl Fn(&mut App),
) {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        setup(app);
        let t = Instant::now();
        step(app);
        draw(app, term);
        times.push(t.elapsed());
    }
    times.sort();
    let (w, h) = (app.size.width, app.size.height);
    println!(
        "| {name:<44} | {w}x{h:<3} | {:>8.2} | {:>8.2} |",
        ms(times[RUNS / 2]),
        ms(times[RUNS - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let session = fixture::big_session(n, 50_000, 20_000);
    let load = t.elapsed();
    let heavy_ip = session.store.by_ip("203.0.113.7").len();
    let heavy_user = session.store.by_user("user000000@corp.example").len();
    println!(
        "store: {} events, {} users, {} IPs, {} findings; built in {:.1} s; heavy IP {} events, heavy user {} events",
        session.store.len(),
        session.store.user_count(),
        session.store.ip_count(),
        session.findings.len(),
        load.as_secs_f64(),
        heavy_ip,
        heavy_user
    );
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let case = CaseLink::none(&session.config);
    let mut app = App::new(
        session,
        AppOptions {
            keymap: Keymap::builtin(),
            theme: Theme::builtin("default", ColorMode::Indexed256),
            case,
            now,
        },
    );
    println!();
    println!("| step (update + render) | size | median ms | worst ms |");
    println!("|---|---|---|---|");
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        app.on_resize(w, h);
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let home = |a: &mut App| {
            key(a, "a");
            key(a, "ctrl-l");
        };
        measure("alerts: j (move down)", &mut app, &mut term, home, |a| {
            key(a, "j")
        });
        measure("alerts: G (last row)", &mut app, &mut term, home, |a| {
            key(a, "G")
        });
        measure(
            "alerts: query det:spray sev:>=medium",
            &mut app,
            &mut term,
            home,
            |a| a.set_query("det:spray sev:>=medium"),
        );
        measure(
            "alerts: enter (open detail)",
            &mut app,
            &mut term,
            home,
            |a| key(a, "enter"),
        );
        let spray = |a: &mut App| {
            home(a);
            key(a, "enter");
        };
        measure(
            &format!("detail: i (IP pivot, {heavy_ip} events)"),
            &mut app,
            &mut term,
            spray,
            |a| a.open_ip("203.0.113.7"),
        );
        measure(
            &format!("detail: u (timeline, {heavy_user} events)"),
            &mut app,
            &mut term,
            spray,
            |a| a.open_timeline("user000000@corp.example"),
        );
        let timeline = |a: &mut App| {
            home(a);
            a.open_timeline("user000000@corp.example");
        };
        measure("timeline: pgdn", &mut app, &mut term, timeline, |a| {
            key(a, "pgdn")
        });
        measure(
            "timeline: G (last event)",
            &mut app,
            &mut term,
            timeline,
            |a| key(a, "G"),
        );
        measure(
            &format!("detail: m (map, {heavy_user} events)"),
            &mut app,
            &mut term,
            spray,
            |a| a.open_map("user000000@corp.example"),
        );
        measure(
            &format!("e (all events, {n})"),
            &mut app,
            &mut term,
            home,
            |a| key(a, "e"),
        );
        let events = |a: &mut App| {
            home(a);
            key(a, "e");
            key(a, "ctrl-l");
        };
        measure("events: pgdn", &mut app, &mut term, events, |a| {
            key(a, "pgdn")
        });
        measure("events: G (last of 1M)", &mut app, &mut term, events, |a| {
            key(a, "G")
        });
        measure(
            "events: new query + one filter tick (8 ms budget)",
            &mut app,
            &mut term,
            events,
            |a| {
                a.set_query("ip:203.0.113.7 outcome:failure");
                a.tick(Duration::from_millis(8));
            },
        );
    }
    // Whole filter of the stream, tick by tick, as the main loop runs it.
    key(&mut app, "a");
    key(&mut app, "e");
    for q in ["ip:203.0.113.7 outcome:failure", "user0001 de"] {
        app.set_query(q);
        let t = Instant::now();
        let mut ticks = 0;
        let mut worst = Duration::ZERO;
        loop {
            let s = Instant::now();
            let more = app.tick(Duration::from_millis(8));
            worst = worst.max(s.elapsed());
            ticks += 1;
            if !more {
                break;
            }
        }
        println!(
            "\nfilter `{q}` over {n} events: {:.0} ms in {ticks} ticks (longest tick {:.1} ms), {} matches",
            ms(t.elapsed()),
            ms(worst),
            app.events().map_or(0, |e| e.len(&app.session.store))
        );
    }
}
