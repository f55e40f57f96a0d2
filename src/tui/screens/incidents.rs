//! The incidents list: every incident, most severe first, with its status,
//! owner, span, findings, users and title. Closed incidents are hidden
//! unless toggled (as on the alerts screen). Enter opens the incident;
//! verdict keys judge all its findings, status keys set its status.

use super::{Ctx, ListPos, Open, ScreenView};
use crate::incident::Incident;
use crate::sanitize::clean_width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{Status, Target};
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

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
    let wide = body.width >= 120;
    let height = table::rows_area(body).height as usize;
    let (from, visible) = st.pos.visible(&all, height);
    // The owner column is as wide as the owners shown (most are "-" early in
    // a shift), so the title gets the rest.
    let owner_cap = if wide { 16 } else { 10 };
    let owner_w = visible
        .iter()
        .map(|(_, _, o)| {
            o.as_deref().map_or(1, |o| {
                unicode_width::UnicodeWidthStr::width(clean_width(o, owner_cap).as_str())
            })
        })
        .max()
        .unwrap_or(1)
        .clamp(5, owner_cap) as u16;
    let mut header = vec!["sev", "incident", "status", "owner", "fnd"];
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Length(12),
        Constraint::Length(6),
        Constraint::Length(owner_w),
        Constraint::Length(3),
    ];
    if wide {
        header.extend(["first seen", "users"]);
        widths.extend([Constraint::Length(19), Constraint::Length(24)]);
    }
    header.push("title");
    widths.push(Constraint::Min(10));
    // Cells cut to the width their column gets, ending in `…` when cut.
    let cols = table::column_widths(body, &widths);
    let col = |k: usize| usize::from(cols.get(k).copied().unwrap_or(0));
    let title_col = cols.len().saturating_sub(1);
    let rows: Vec<Row> = visible
        .iter()
        .map(|(i, status, owner)| {
            let mut cells = vec![
                Cell::from(format::severity(i.severity))
                    .style(theme.style(format::severity_role(i.severity))),
                Cell::from(clean_width(&i.id, 12)).style(theme.style(Role::Accent)),
                Cell::from(status.as_str()),
                Cell::from(clean_width(owner.as_deref().unwrap_or("-"), col(3))),
                Cell::from(format!("{:>3}", i.steps.len())),
            ];
            if wide {
                cells.push(Cell::from(format::time(i.first_seen)));
                cells.push(Cell::from(clean_width(&i.users.join(", "), col(6))));
            }
            cells.push(Cell::from(clean_width(&i.title, col(title_col))));
            Row::new(cells)
        })
        .collect();
    table::View {
        header: &header,
        widths: &widths,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: all.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, body, theme);
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
