//! The picker box: a filter line, the matching choices (the chosen one
//! highlighted, each cut with `…` to the box), a count and the key hints.

use super::{boxed, centered, input_line, put, row};
use crate::sanitize::clean_width;
use crate::tui::picker::Picker;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

pub(super) fn render(
    theme: &Theme,
    body: Rect,
    buf: &mut Buffer,
    p: &Picker,
    hints: &str,
) -> Option<Position> {
    let list = (p.shown.len() as u16).clamp(1, 15);
    let b = centered(body, 76, list + 5);
    let title = format!(" {} ", clean_width(&p.title, 60));
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(title, theme.style(Role::Title))),
    );
    let cursor = input_line(buf, row(inner, 0), theme, "filter: ", &p.filter, true);
    let w = inner.width as usize;
    let room = inner.height.saturating_sub(3) as usize;
    // Keep the chosen row in view.
    let first = p.selected.saturating_sub(room.saturating_sub(1));
    if p.shown.is_empty() {
        put(
            buf,
            inner,
            1,
            "  nothing matches the filter",
            theme.style(Role::Warning),
        );
    }
    for (k, &i) in p.shown.iter().skip(first).take(room).enumerate() {
        let Some(item) = p.items.get(i) else { continue };
        let chosen = first + k == p.selected;
        let style = if chosen {
            theme.style(Role::Selected)
        } else {
            theme.style(Role::Text)
        };
        let mark = if chosen { "› " } else { "  " };
        let text = format!("{mark}{}", clean_width(&item.label, w.saturating_sub(2)));
        put(buf, inner, 1 + k as u16, &text, style);
    }
    let count = format!(
        "{} of {} · {hints}",
        p.shown.len(),
        crate::tui::format::counted(p.items.len() as u64, "match", "matches")
    );
    put(
        buf,
        inner,
        inner.height.saturating_sub(1),
        &clean_width(&count, w),
        theme.style(Role::Dim),
    );
    cursor
}
