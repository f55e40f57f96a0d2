//! The incidents list: every incident, most severe first, with its status,
//! owner, span, findings, users and title. Closed incidents are hidden
//! unless toggled (as on the alerts screen). Enter opens the incident;
//! verdict keys judge all its findings, status keys set its status.

use super::{Ctx, ListPos, Open, ScreenView};
use crate::incident::Incident;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{Status, Target};
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::table::Cell;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[derive(Debug, Default)]
pub struct IncidentsState {
    pub pos: ListPos,
    pub show_closed: bool,
}

/// The incidents shown, in order, with their status and owner.
fn shown(app: &App, show_closed: bool) -> Vec<(&Incident, Status, Option<String>)> {
    app.session
        .incidents
        .sorted()
        .into_iter()
        .map(|i| {
            let w = app.case.work(Target::Incident, &i.id);
            (i, w.status, w.owner.or_else(|| i.owner.clone()))
        })
        .filter(|(_, s, _)| show_closed || *s != Status::Closed)
        .collect()
}

fn count(cx: &Ctx, show_closed: bool) -> usize {
    cx.session
        .incidents
        .all()
        .filter(|i| show_closed || cx.case.work(Target::Incident, &i.id).status != Status::Closed)
        .count()
}

/// The incidents by status, and what the list shows of them:
/// "13 incidents: 10 new · 2 active · 1 closed (hidden, H shows) · most severe first".
fn summary(app: &App, show_closed: bool) -> String {
    let mut by = [0usize; 3];
    for i in app.session.incidents.all() {
        let slot = match app.case.work(Target::Incident, &i.id).status {
            Status::New => 0,
            Status::Active => 1,
            Status::Closed => 2,
        };
        if let Some(n) = by.get_mut(slot) {
            *n += 1;
        }
    }
    let [new, active, closed] = by;
    let total = new + active + closed;
    let closed_note = match (closed, show_closed) {
        (0, _) => String::new(),
        (_, true) => " (shown, H hides)".into(),
        (_, false) => " (hidden, H shows)".into(),
    };
    format!(
        "{}: {new} new · {active} active · {closed} closed{closed_note} · most severe first",
        format::counted(total as u64, "incident", "incidents")
    )
}

/// The list below its one-line status summary.
fn table_area(body: Rect) -> Rect {
    let top = body.height.min(1);
    Rect {
        y: body.y.saturating_add(top),
        height: body.height.saturating_sub(top),
        ..body
    }
}

pub fn render(app: &App, st: &IncidentsState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let all = shown(app, st.show_closed);
    if !app.session.incidents.is_empty() {
        let line = Rect {
            height: body.height.min(1),
            ..body
        };
        let text = crate::sanitize::clean_width(&summary(app, st.show_closed), body.width as usize);
        widgets::line(
            buf,
            line,
            vec![ratatui::text::Span::styled(text, theme.style(Role::Dim))],
        );
    }
    let body = table_area(body);
    if all.is_empty() {
        let msg = if app.session.incidents.is_empty() {
            "no incidents: no findings are related (see [incidents] in the config)"
        } else {
            "every incident is closed (H shows them)"
        };
        widgets::empty_message(buf, body, theme, msg);
        return;
    }
    let height = table::rows_area(body).height as usize;
    let (from, visible) = st.pos.visible(&all, height);
    let rows: Vec<table::Line> = visible
        .iter()
        .map(|(i, status, owner)| {
            table::Line::new(vec![
                Cell::new(format::severity(i.severity))
                    .style(theme.style(format::severity_role(i.severity))),
                Cell::new(i.id.as_str()).style(theme.style(Role::Accent)),
                Cell::new(status.as_str()),
                Cell::new(owner.as_deref().unwrap_or("-")),
                Cell::new(i.steps.len().to_string()),
                Cell::new(format::time(i.first_seen)).or_short(format::short_time(i.first_seen)),
                Cell::new(i.users.join(", ")),
                Cell::new(i.title.as_str()),
            ])
        })
        .collect();
    table::View {
        columns: &incident_columns(body.width >= 120),
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: all.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, body, theme);
}

/// The incident list's columns: the owner as wide as the owners shown
/// (most are "-" early in a shift); from 120 cells the title keeps 40 and
/// the first time and users are shown when there is room.
fn incident_columns(wide: bool) -> Vec<table::Column> {
    use table::Column;
    let title = if wide {
        Col::grow(40, 400, 9).kept()
    } else {
        Col::grow(10, 400, 9)
    };
    vec![
        Column::new("sev", Col::fixed(4, 0)),
        Column::new("incident", Col::range(8, 16, 0)),
        Column::new("status", Col::fixed(6, 0)),
        Column::new("owner", Col::range(5, if wide { 24 } else { 12 }, 2)),
        Column::new("fnd", Col::fixed(3, 1)).right(),
        Column::new("first seen", Col::forms(11, 19, if wide { 8 } else { 12 })),
        Column::new("users", Col::range(12, 30, if wide { 7 } else { 11 })),
        Column::new("title", title),
    ]
}

impl IncidentsState {
    fn selected<'a>(&self, app: &'a App) -> Option<&'a Incident> {
        shown(app, self.show_closed)
            .get(self.pos.selected)
            .map(|(i, _, _)| *i)
    }
}

impl ScreenView for IncidentsState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Incidents, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "Incidents".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Open,
            Action::VerdictFalsePositive,
            Action::StatusActive,
            Action::StatusClosed,
            Action::TakeOwnership,
            Action::ToggleClosed,
            Action::Help,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        table::rows_area(table_area(body))
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        self.pos.move_by(delta, count(cx, self.show_closed), height)
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        self.pos.to(row, count(cx, self.show_closed), height)
    }
    fn first_visible_row(&self, app: &App, height: usize) -> usize {
        self.pos
            .window(shown(app, self.show_closed).len(), height)
            .0
    }
    fn open(&self, app: &App) -> Open {
        match self.selected(app) {
            Some(i) => Open::Incident(i.id.clone()),
            None => Open::Nothing,
        }
    }
    fn targets(&self, app: &App) -> Vec<String> {
        self.selected(app)
            .map(|i| i.findings().map(String::from).collect())
            .unwrap_or_default()
    }
    fn incident(&self, app: &App) -> Option<String> {
        self.selected(app).map(|i| i.id.clone())
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        self.pos.follow(count(cx, self.show_closed), height)
    }
    fn toggle_closed(&mut self) -> Option<bool> {
        self.show_closed = !self.show_closed;
        Some(self.show_closed)
    }
}
