//! The verdict box (the class, the finding's title, an optional note) and
//! the note box.

use super::{boxed, centered, input_line, put, row};
use crate::sanitize::clean_width;
use crate::tui::app::App;
use crate::tui::case_link::Class;
use crate::tui::modal::verdict_title;
use crate::tui::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use tui_input::Input;

pub(super) fn verdict(
    app: &App,
    body: Rect,
    buf: &mut Buffer,
    findings: &[String],
    class: Class,
    input: &Input,
    hints: &str,
) -> Option<Position> {
    let theme = &app.theme;
    let (title, role) = verdict_title(class);
    let b = centered(body, 64, 7);
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(format!(" {title} "), theme.style(role))),
    );
    // One finding: its title; several: how many, and the first's title.
    let first = findings
        .first()
        .and_then(|id| app.session.findings.get(id))
        .map(|f| f.title.clone())
        .unwrap_or_default();
    let what = match findings.len() {
        0 | 1 => clean_width(&first, inner.width as usize),
        n => clean_width(&format!("{n} findings: {first}, …"), inner.width as usize),
    };
    put(buf, inner, 0, &what, theme.style(Role::Text));
    put(buf, inner, 1, "Note (optional):", theme.style(Role::Dim));
    let cur = input_line(buf, row(inner, 2), theme, "› ", input, true);
    put(buf, inner, 4, hints, theme.style(Role::Dim));
    cur
}

pub(super) fn note(
    app: &App,
    body: Rect,
    buf: &mut Buffer,
    finding: &str,
    input: &Input,
    hints: &str,
) -> Option<Position> {
    let theme = &app.theme;
    let b = centered(body, 64, 6);
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(" Add a note ", theme.style(Role::Title))),
    );
    let f = app.session.findings.get(finding);
    let what = f
        .map(|f| clean_width(&f.title, inner.width as usize))
        .unwrap_or_default();
    put(buf, inner, 0, &what, theme.style(Role::Text));
    let cur = input_line(buf, row(inner, 1), theme, "› ", input, true);
    put(buf, inner, 3, hints, theme.style(Role::Dim));
    cur
}
