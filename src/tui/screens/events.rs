//! All events: the merged, time-ordered stream (`store.by_time()`) with the
//! query line. Virtualised: only visible rows are built. A query is
//! filtered incrementally, a slice per tick within a time budget, so a
//! million rows never freeze the UI; a new query replaces the running one
//! (latest query wins). The selection is kept by event, not by row.

use super::ListPos;
use super::{Ctx, Open, ScreenView};
use crate::sanitize::clean_width;
use crate::store::{EventIdx, Store};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::query::{Matcher, Query, Scope};
use crate::tui::theme::Role;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use std::time::{Duration, Instant};

/// Rows checked between clock reads while filtering.
const SLICE: usize = 256;

/// An incremental filter over `by_time`.
#[derive(Debug, Default)]
pub struct Filter {
    pub matches: Vec<EventIdx>,
    /// Positions of `by_time` checked so far.
    pub scanned: usize,
}

#[derive(Debug, Default)]
pub struct EventsState {
    pub query: Query,
    pub filter: Option<Filter>,
    pub pos: ListPos,
    pub selected: Option<EventIdx>,
    hay: String,
}

impl EventsState {
    /// Replaces the query; filtering restarts (latest query wins).
    pub fn set_query(&mut self, text: &str) {
        self.query = Query::parse(text);
        self.filter = if self.query.is_empty() {
            None
        } else {
            Some(Filter::default())
        };
    }

    pub fn len(&self, store: &Store) -> usize {
        match &self.filter {
            None => store.by_time().len(),
            Some(f) => f.matches.len(),
        }
    }

    pub fn row(&self, store: &Store, i: usize) -> Option<EventIdx> {
        match &self.filter {
            None => store.by_time().get(i).copied(),
            Some(f) => f.matches.get(i).copied(),
        }
    }

    /// True while rows remain to be checked.
    pub fn filtering(&self, store: &Store) -> bool {
        self.filter
            .as_ref()
            .is_some_and(|f| f.scanned < store.by_time().len())
    }

    /// Checks rows for up to `budget`. Returns true if the match list changed.
    pub fn advance(&mut self, store: &Store, matcher: &Matcher, budget: Duration) -> bool {
        let Some(f) = self.filter.as_mut() else {
            return false;
        };
        let all = store.by_time();
        let start = Instant::now();
        let before = f.matches.len();
        for chunk in all.get(f.scanned..).unwrap_or_default().chunks(SLICE) {
            for &i in chunk {
                if self
                    .query
                    .matches_event(&store.get(i), store, matcher, &mut self.hay)
                {
                    f.matches.push(i);
                }
            }
            f.scanned += chunk.len();
            if start.elapsed() >= budget {
                break;
            }
        }
        f.matches.len() != before
    }

    /// Moves the selection and remembers the event under it.
    pub fn move_by(&mut self, delta: isize, store: &Store, height: usize) {
        self.pos.move_by(delta, self.len(store), height);
        self.selected = self.row(store, self.pos.selected);
    }

    pub fn select_row(&mut self, row: usize, store: &Store, height: usize) {
        self.pos.to(row, self.len(store), height);
        self.selected = self.row(store, self.pos.selected);
    }

    /// After new events: puts the selected event back under the cursor at the same screen row.
    pub fn keep_selection(&mut self, store: &Store, height: usize) {
        let Some(sel) = self.selected else {
            self.pos.follow(self.len(store), height);
            return;
        };
        let screen_row = self.pos.selected.saturating_sub(self.pos.offset);
        let list: &[EventIdx] = match &self.filter {
            None => store.by_time(),
            Some(f) => &f.matches,
        };
        let t = store.get(sel).time;
        let from = list.partition_point(|&i| store.get(i).time < t);
        let later = list.get(from..).unwrap_or_default();
        if let Some(k) = later.iter().position(|&i| i == sel) {
            self.pos.selected = from + k;
            self.pos.offset = self.pos.selected.saturating_sub(screen_row);
        }
        self.pos.follow(self.len(store), height);
    }
}

pub fn layout(body: Rect) -> (Rect, Rect) {
    let h = 1.min(body.height);
    (
        Rect { height: h, ..body },
        Rect {
            y: body.y + h,
            height: body.height.saturating_sub(h),
            ..body
        },
    )
}

pub fn list_area(body: Rect) -> Rect {
    table::rows_area(layout(body).1)
}

pub fn render(app: &App, st: &EventsState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let store = &app.session.store;
    let (qline, area) = layout(body);
    let mut spans = vec![Span::styled("/", theme.style(Role::Key)), Span::raw(" ")];
    if st.query.text.is_empty() {
        spans.push(Span::styled(
            "query: user: ip: country: outcome: app: text",
            theme.style(Role::Dim),
        ));
    } else {
        spans.push(Span::styled(
            clean_width(&st.query.text, 60),
            theme.style(Role::Input),
        ));
        if let Some(e) = st.query.problem(Scope::Events) {
            spans.push(Span::styled(
                format!("  ⚠ {}", clean_width(&e, 70)),
                theme.style(Role::Warning),
            ));
        }
    }
    let len = st.len(store);
    let right = match &st.filter {
        Some(f) if f.scanned < store.by_time().len() => format!(
            "{} matches · filtering {}%",
            format::count(len as u64),
            f.scanned * 100 / store.by_time().len().max(1)
        ),
        Some(_) => format!(
            "{} of {}",
            format::count(len as u64),
            format::count(store.count() as u64)
        ),
        None => format::counted(len as u64, "event", "events"),
    };
    let w = right.chars().count() as u16;
    let fits = qline.height > 0 && qline.width > w + 30;
    // The query and its warning stop short of the counter instead of running under it.
    let left = Rect {
        width: if fits {
            qline.width - w - 1
        } else {
            qline.width
        },
        ..qline
    };
    widgets::line(buf, left, spans);
    if fits {
        buf.set_string(qline.right() - w, qline.y, &right, theme.style(Role::Dim));
    }
    let height = table::rows_area(area).height as usize;
    let (from, to) = st.pos.window(len, height);
    let wide = area.width >= 120;
    let mut rows = Vec::with_capacity(to - from);
    for r in from..to {
        let Some(i) = st.row(store, r) else { break };
        let ev = store.get(i);
        let mut cells = format::event_cells(store, theme, &ev);
        if wide {
            cells.insert(1, table::Cell::new(ev.source.as_str()));
            cells.push(table::Cell::new(store.text(ev.result_code)));
        }
        rows.push(table::Line::new(cells));
    }
    let mut columns = format::event_columns("time");
    if wide {
        columns.insert(1, table::Column::new("source", Col::range(6, 12, 11)));
        columns.push(table::Column::new("code", Col::fixed(12, 10)));
    }
    table::View {
        columns: &columns,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len,
        offset: from,
        ticks: &[],
    }
    .draw(buf, area, theme);
    if len == 0 {
        let msg = if st.filtering(store) {
            "Filtering…"
        } else if store.is_empty() {
            "No events loaded yet"
        } else {
            "No event matches the query"
        };
        widgets::empty_message(buf, table::rows_area(area), theme, msg);
    }
}

impl ScreenView for EventsState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Events, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "All events".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Search,
            Action::Open,
            Action::PivotUser,
            Action::PivotIp,
            Action::Help,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        list_area(body)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        EventsState::move_by(self, delta, &cx.session.store, height)
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        EventsState::select_row(self, row, &cx.session.store, height)
    }
    fn first_visible_row(&self, app: &App, height: usize) -> usize {
        self.pos.window(self.len(&app.session.store), height).0
    }
    fn open(&self, _app: &App) -> Open {
        Open::Raw
    }
    fn selected_event(&self, app: &App) -> Option<EventIdx> {
        self.row(&app.session.store, self.pos.selected)
    }
    fn selected_user(&self, app: &App) -> Option<Result<String, String>> {
        let store = &app.session.store;
        ScreenView::selected_event(self, app)
            .map(|i| store.text(store.get(i).user).to_string())
            .filter(|u| !u.is_empty())
            .map(Ok)
    }
    fn selected_ip(&self, app: &App) -> Option<String> {
        let store = &app.session.store;
        ScreenView::selected_event(self, app)
            .map(|i| store.text(store.get(i).ip).to_string())
            .filter(|s| !s.is_empty())
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        self.keep_selection(&cx.session.store, height)
    }
    fn query_text(&self) -> Option<&str> {
        Some(&self.query.text)
    }
    fn set_query(&mut self, _cx: &Ctx, text: &str, _height: usize) {
        EventsState::set_query(self, text);
        self.pos = ListPos::default();
        self.selected = None;
    }
}
