//! The raw record view: the record as read from its file (or why it
//! cannot be shown), then the normalised fields, scrolled.

use super::{boxed, centered};
use crate::sanitize::clean_width;
use crate::tui::raw::{RawText, RawView};
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub(super) fn render(theme: &Theme, body: Rect, buf: &mut Buffer, v: &RawView) {
    let b = centered(body, body.width.saturating_sub(4).max(20), body.height);
    let title = format!(
        " {} · {} ",
        v.heading.as_deref().unwrap_or("raw record"),
        clean_width(&v.location, b.width.saturating_sub(20) as usize)
    );
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(title, theme.style(Role::Title))),
    );
    let mut lines: Vec<Line> = Vec::new();
    match &v.text {
        RawText::Loading => {
            lines.push(Line::from(Span::styled("reading…", theme.style(Role::Dim))))
        }
        RawText::Text(t) => lines.extend(
            t.iter()
                .map(|l| Line::from(Span::styled(l.clone(), theme.style(Role::Text)))),
        ),
        RawText::Unavailable(why) => lines.push(Line::from(Span::styled(
            clean_width(why, 300),
            theme.style(Role::Warning),
        ))),
    }
    if v.heading.is_none() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "normalized fields",
            theme.style(Role::Header),
        )));
    }
    for (k, val) in &v.fields {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<17}"), theme.style(Role::Dim)),
            Span::styled(
                clean_width(val, inner.width.saturating_sub(20) as usize),
                theme.style(Role::Text),
            ),
        ]));
    }
    let max = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((v.scroll.min(max) as u16, 0))
        .render(inner, buf);
}
