//! User timeline: every event of one user in time order (from
//! `store.by_user`), the alert's evidence marked, and a hop line between
//! consecutive successful sign-ins in different places with km, minutes
//! and km/h (impossible ones flagged). Rows are rebuilt from the index when
//! the user's event list grows; the selection stays on its event.

use super::ListPos;
use super::{Ctx, Open, ScreenView};
use crate::config::TravelConfig;
use crate::sanitize::clean_width;
use crate::store::{EventIdx, Store};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::geo::{self, Hop};
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::activity::Activity;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use rustc_hash::FxHashSet;

/// One line of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlRow {
    Event(EventIdx),
    /// Index into `hops`.
    Hop(usize),
}

#[derive(Debug)]
pub struct TimelineState {
    pub user: String,
    /// The finding whose evidence is marked.
    pub focus: Option<String>,
    pub rows: Vec<TlRow>,
    pub hops: Vec<Hop>,
    pub evidence: FxHashSet<EventIdx>,
    /// Row positions of evidence, for scrollbar ticks.
    pub ticks: Vec<usize>,
    pub failures: usize,
    pub pos: ListPos,
    /// Events of the user when the rows were built.
    pub built_from: usize,
    /// The user's events over time (the sparkline).
    pub activity: Activity,
}

impl TimelineState {
    pub fn new(
        user: &str,
        focus: Option<(String, Vec<EventIdx>)>,
        store: &Store,
        travel: &TravelConfig,
    ) -> TimelineState {
        let (focus, evidence) = match focus {
            Some((id, ev)) => (Some(id), ev.into_iter().collect()),
            None => (None, FxHashSet::default()),
        };
        let mut st = TimelineState {
            user: user.to_string(),
            focus,
            rows: Vec::new(),
            hops: Vec::new(),
            evidence,
            ticks: Vec::new(),
            failures: 0,
            pos: ListPos::default(),
            built_from: 0,
            activity: Activity::default(),
        };
        st.rebuild(store, travel);
        // Open at the first evidence event.
        if let Some(&t) = st.ticks.first() {
            st.pos.selected = t;
            st.pos.offset = t.saturating_sub(3);
        }
        st
    }

    /// Rebuilds rows from the index, keeping the selected event selected.
    pub fn rebuild(&mut self, store: &Store, travel: &TravelConfig) {
        let keep = self.rows.get(self.pos.selected).copied();
        let screen_row = self.pos.selected.saturating_sub(self.pos.offset);
        let events = store.by_user(&self.user);
        self.hops = geo::hops(events, store, travel);
        self.rows = Vec::with_capacity(events.len() + self.hops.len());
        self.ticks.clear();
        self.failures = 0;
        let mut next_hop = 0;
        for &i in events {
            // The hop line sits just above the sign-in it arrives at.
            if self.hops.get(next_hop).is_some_and(|h| h.to == i) {
                self.rows.push(TlRow::Hop(next_hop));
                next_hop += 1;
            }
            self.rows.push(TlRow::Event(i));
            if self.evidence.contains(&i) {
                self.ticks.push(self.rows.len() - 1);
            }
            if store.get(i).outcome == crate::event::Outcome::Failure {
                self.failures += 1;
            }
        }
        self.built_from = events.len();
        let times: Vec<i64> = events.iter().map(|&i| store.time(i)).collect();
        self.activity = Activity::of(&times);
        if let Some(r) = keep.and_then(|k| self.rows.iter().position(|x| *x == k)) {
            self.pos.selected = r;
            self.pos.offset = r.saturating_sub(screen_row);
        }
    }

    pub fn selected_event(&self) -> Option<EventIdx> {
        match self.rows.get(self.pos.selected)? {
            TlRow::Event(i) => Some(*i),
            TlRow::Hop(h) => self.hops.get(*h).map(|h| h.to),
        }
    }
}

/// Hop text: `FR → US  5,837 km in 30 min = 11,674 km/h  IMPOSSIBLE`.
pub fn hop_text(h: &Hop, store: &Store) -> String {
    let place = |cc: crate::event::Sym| {
        if cc.is_none() {
            "?".to_string()
        } else {
            clean_width(store.text(cc), 3)
        }
    };
    let mut s = format!(
        "↳ hop {} → {}  ",
        place(h.from_country),
        place(h.to_country)
    );
    match (h.km, h.kmh) {
        (Some(km), Some(kmh)) => {
            let speed = if kmh.is_finite() {
                format!("{} km/h", format::count(kmh.round() as u64))
            } else {
                "∞ km/h".into()
            };
            s.push_str(&format!(
                "{} km in {} = {speed}",
                format::count(km.round() as u64),
                format::minutes(h.minutes)
            ));
        }
        _ => s.push_str(&format!(
            "country change in {} (no coordinates)",
            format::minutes(h.minutes)
        )),
    }
    if h.to_place.is_some_and(|p| p.approximate) || h.from_place.is_some_and(|p| p.approximate) {
        s.push_str(" ≈");
    }
    if h.impossible {
        s.push_str("  IMPOSSIBLE");
    }
    s
}

/// The head line, the activity sparkline (label and two rows, when there
/// are at least 16 rows), and the event table.
pub fn layout(body: Rect) -> (Rect, Rect, Rect) {
    let h = 1.min(body.height);
    let chart = if body.height >= 16 { 3 } else { 0 };
    (
        Rect { height: h, ..body },
        Rect {
            y: body.y + h,
            height: chart,
            ..body
        },
        Rect {
            y: body.y + h + chart,
            height: body.height.saturating_sub(h + chart),
            ..body
        },
    )
}

pub fn list_area(body: Rect) -> Rect {
    table::rows_area(layout(body).2)
}

pub fn render(app: &App, st: &TimelineState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let (head, chart, area) = layout(body);
    st.activity.draw(buf, chart, theme);
    render_header(app, st, head, buf);
    let rows_area = table::rows_area(area);
    let (from, visible) = st.pos.visible(&st.rows, rows_area.height as usize);
    let rows = visible.iter().map(|r| timeline_row(app, st, r)).collect();
    table::View {
        columns: &timeline_columns(),
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: st.rows.len(),
        offset: from,
        ticks: &st.ticks,
    }
    .draw(buf, area, theme);
    render_hops(app, st, from, visible, rows_area, buf);
    if st.rows.is_empty() {
        widgets::empty_message(buf, rows_area, theme, "No events for this user");
    }
}

/// The user, the counts of events, failures and hops, and the evidence mark.
fn render_header(app: &App, st: &TimelineState, head: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let impossible = st.hops.iter().filter(|h| h.impossible).count();
    let mut spans = vec![
        Span::styled(clean_width(&st.user, 40), theme.style(Role::Title)),
        Span::styled(
            format!(
                "  {} · {} · {}{}",
                format::counted(st.built_from as u64, "event", "events"),
                format::counted(st.failures as u64, "failure", "failures"),
                format::counted(st.hops.len() as u64, "hop", "hops"),
                if impossible > 0 {
                    format!(" ({impossible} impossible)")
                } else {
                    String::new()
                }
            ),
            theme.style(Role::Dim),
        ),
    ];
    if st.focus.is_some() {
        spans.push(Span::styled(
            format!("  ◆ {} evidence of the alert", st.evidence.len()),
            theme.style(Role::Evidence),
        ));
    }
    widgets::line(buf, head, spans);
}

/// The timeline's columns: time, outcome and address stay; location,
/// operation, AS, client and code give way (AS, client and code whole or
/// absent: a cut code or AS misleads).
fn timeline_columns() -> Vec<table::Column> {
    use table::Column;
    vec![
        Column::new("", Col::fixed(1, 0)),
        Column::new("time", Col::fixed(19, 0)),
        Column::new("outcome", Col::fixed(7, 2)),
        Column::new("ip", Col::range(15, 39, 1)),
        Column::new("location", Col::range(2, 24, 5)),
        Column::new("AS", Col::fixed(40, 8)),
        Column::new("app / operation", Col::grow(16, 60, 6)),
        Column::new("client", Col::fixed(24, 9)),
        Column::new("code", Col::fixed(12, 7)),
    ]
}

/// One event as a row of [`timeline_columns`]; a hop row is drawn across
/// the table afterwards ([`render_hops`]).
fn timeline_row(app: &App, st: &TimelineState, r: &TlRow) -> table::Line {
    use table::Cell;
    let theme = &app.theme;
    let store = &app.session.store;
    let TlRow::Event(i) = *r else {
        return table::Line::default();
    };
    let ev = store.get(i);
    let mark = if st.evidence.contains(&i) { "◆" } else { " " };
    let cc = store.text(ev.country);
    let city = store.text(ev.city);
    let loc = if city.is_empty() {
        cc.to_string()
    } else {
        format!("{cc} {city}")
    };
    let what = if ev.operation.is_some() {
        ev.operation
    } else {
        ev.app
    };
    let row = table::Line::new(vec![
        Cell::new(mark).style(theme.style(Role::Evidence)),
        Cell::new(format::time(ev.time)),
        Cell::new(format::outcome(ev.outcome)).style(theme.style(format::outcome_role(ev.outcome))),
        Cell::new(store.text(ev.ip)),
        Cell::new(loc),
        Cell::new(format::asn(store, &ev)),
        Cell::new(store.text(what)),
        Cell::new(store.text(ev.client_app)),
        Cell::new(store.text(ev.result_code)),
    ]);
    if st.evidence.contains(&i) {
        row.style(
            theme.style(Role::Text).patch(
                ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::BOLD),
            ),
        )
    } else {
        row
    }
}

/// Hop lines span the row.
fn render_hops(
    app: &App,
    st: &TimelineState,
    from: usize,
    visible: &[TlRow],
    rows_area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    for (k, r) in visible.iter().enumerate() {
        if let TlRow::Hop(h) = *r {
            let Some(hop) = st.hops.get(h) else { continue };
            let role = if hop.impossible {
                Role::HopImpossible
            } else {
                Role::Hop
            };
            let mut style = theme.style(role);
            if from + k == st.pos.selected {
                style = style.patch(theme.style(Role::Selected));
            }
            let y = rows_area.y + k as u16;
            let line = Rect {
                y,
                height: 1,
                ..rows_area
            };
            buf.set_style(line, style);
            let text = hop_text(hop, &app.session.store);
            buf.set_string(
                line.x + 2,
                y,
                clean_width(&text, line.width.saturating_sub(2) as usize),
                style,
            );
        }
    }
}

impl ScreenView for TimelineState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Timeline, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        format!("User {}", clean_width(&self.user, 28))
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Open,
            Action::PivotIp,
            Action::PivotMap,
            Action::Help,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        list_area(body)
    }
    fn move_by(&mut self, _cx: &Ctx, delta: isize, height: usize) {
        self.pos.move_by(delta, self.rows.len(), height)
    }
    fn select_row(&mut self, _cx: &Ctx, row: usize, height: usize) {
        self.pos.to(row, self.rows.len(), height)
    }
    fn first_visible_row(&self, _app: &App, height: usize) -> usize {
        self.pos.window(self.rows.len(), height).0
    }
    fn open(&self, _app: &App) -> Open {
        Open::Raw
    }
    fn selected_event(&self, _app: &App) -> Option<EventIdx> {
        TimelineState::selected_event(self)
    }
    fn selected_user(&self, _app: &App) -> Option<Result<String, String>> {
        Some(Ok(self.user.clone()))
    }
    fn selected_ip(&self, app: &App) -> Option<String> {
        let store = &app.session.store;
        TimelineState::selected_event(self)
            .map(|i| store.text(store.get(i).ip).to_string())
            .filter(|s| !s.is_empty())
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        let store = &cx.session.store;
        if store.by_user(&self.user).len() != self.built_from {
            self.rebuild(store, &cx.session.config.detectors.impossible_travel);
            self.pos.follow(self.rows.len(), height);
        }
    }
}
