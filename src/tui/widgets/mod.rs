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

/// Draws one line of spans, cut to the area's width with `…` (the one
/// truncation rule: a line never just stops mid-word).
pub fn line(buf: &mut Buffer, area: Rect, spans: Vec<Span<'_>>) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let spans = fit_spans(spans, usize::from(area.width));
    Paragraph::new(Line::from(spans)).render(Rect { height: 1, ..area }, buf);
}

/// `spans` cut to `width` display columns, the last one ending in `…` when
/// anything was cut (spans hold text already cleaned).
pub fn fit_spans(spans: Vec<Span<'_>>, width: usize) -> Vec<Span<'_>> {
    let total: usize = spans
        .iter()
        .map(|s| crate::sanitize::width(&s.content))
        .sum();
    if total <= width {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for s in spans {
        let w = crate::sanitize::width(&s.content);
        if used + w < width {
            used += w;
            out.push(s);
            continue;
        }
        // This span crosses the edge: it is cut and ends the line.
        // (A span that fits exactly still gives its last cell to the `…`.)
        let room = width - used;
        let cut = crate::sanitize::clean_width(&s.content, if w > room { room } else { room - 1 });
        let cut = if cut.is_empty() {
            "…".to_string()
        } else {
            cut
        };
        out.push(Span::styled(cut, s.style));
        return out;
    }
    out
}

/// A centred message in an empty area (loading, no rows).
pub fn empty_message(buf: &mut Buffer, area: Rect, theme: &Theme, text: &str) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height / 2;
    let text = crate::sanitize::clean_width(text, area.width.into());
    let w = crate::sanitize::width(&text) as u16;
    let x = area.x + area.width.saturating_sub(w) / 2;
    buf.set_stringn(x, y, &text, w as usize, theme.style(Role::Dim));
}
