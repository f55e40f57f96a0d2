//! Drawing pieces shared by the screens: the virtual table (only visible
//! rows are built), the scrollbar with evidence ticks, the status bar and
//! footer hints, the query line, and the dialogs. Widgets draw from
//! borrowed state; they never change it.

pub mod activity;
pub mod bar;
pub mod columns;
pub mod dialog;
pub mod scrollbar;
pub mod table;

use super::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Draws one line of spans, cut to the area's width.
pub fn line(buf: &mut Buffer, area: Rect, spans: Vec<Span<'_>>) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    Paragraph::new(Line::from(spans)).render(Rect { height: 1, ..area }, buf);
}

/// A centred message in an empty area (loading, no rows).
pub fn empty_message(buf: &mut Buffer, area: Rect, theme: &Theme, text: &str) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height / 2;
    let w = (text.chars().count() as u16).min(area.width);
    let x = area.x + area.width.saturating_sub(w) / 2;
    buf.set_stringn(x, y, text, w as usize, theme.style(Role::Dim));
}
