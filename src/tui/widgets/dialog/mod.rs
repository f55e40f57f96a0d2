//! Drawing the open dialog over the screen: the query and command lines
//! (with the terminal cursor) here, and one module per dialog box: the
//! verdict and note boxes (`verdict`), the allowlist dialog (`allow`) and
//! the raw record view (`raw`). Key hints come from the keymap's [dialog]
//! and [raw] sections. Returns where the cursor should be.

mod allow;
mod pick;
mod raw;
mod verdict;

use crate::tui::app::App;
use crate::tui::modal::Modal;
use crate::tui::screens;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use tui_input::Input;

/// A box of `w`×`h` centred in `area` (clamped to it).
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + area.width.saturating_sub(w) / 2,
        y: area.y + area.height.saturating_sub(h) / 2,
        width: w,
        height: h,
    }
}

/// Row `k` of `area`, one line high, or nothing (height 0) when `area` is
/// shorter: a dialog squeezed into a tiny terminal drops its lower lines
/// instead of writing past the screen.
pub(super) fn row(area: Rect, k: u16) -> Rect {
    Rect {
        y: area.y.saturating_add(k),
        height: u16::from(k < area.height),
        ..area
    }
}

/// Writes `text` on row `k` of `area`, cut to its width with `…`; nothing when there is no such row.
pub(super) fn put(buf: &mut Buffer, area: Rect, k: u16, text: &str, style: ratatui::style::Style) {
    let r = row(area, k);
    if r.height > 0 {
        let text = crate::sanitize::clean_width(text, r.width.into());
        buf.set_stringn(r.x, r.y, text, r.width as usize, style);
    }
}

pub(super) fn boxed(buf: &mut Buffer, area: Rect, theme: &Theme, title: Line<'_>) -> Rect {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .style(theme.style(Role::Dialog))
        .title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Draws an input on one line; returns the cursor position.
pub(super) fn input_line(
    buf: &mut Buffer,
    area: Rect,
    theme: &Theme,
    prefix: &str,
    input: &Input,
    focused: bool,
) -> Option<Position> {
    if area.height == 0 || area.width == 0 {
        return None;
    }
    let style = if focused {
        theme.style(Role::Input)
    } else {
        theme.style(Role::Dim)
    };
    let pw = prefix.chars().count() as u16;
    buf.set_style(Rect { height: 1, ..area }, style);
    buf.set_string(area.x, area.y, prefix, theme.style(Role::Key));
    let width = area.width.saturating_sub(pw + 1) as usize;
    let scroll = input.visual_scroll(width);
    let shown: String = crate::sanitize::clean(input.value())
        .chars()
        .skip(scroll)
        .collect();
    buf.set_stringn(area.x + pw, area.y, &shown, width, style);
    let cx = area.x + pw + (input.visual_cursor().saturating_sub(scroll)) as u16;
    focused.then_some(Position {
        x: cx.min(area.right().saturating_sub(1)),
        y: area.y,
    })
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    let theme = &app.theme;
    let modal = app.modal.as_ref()?;
    let frame = screens::frame(area);
    let hints = modal.hint_line(&app.keymap);
    match modal {
        Modal::Query { input, .. } => input_line(buf, row(frame.body, 0), theme, "/ ", input, true),
        Modal::Command { input } => input_line(buf, frame.footer, theme, ":", input, true),
        Modal::Verdict {
            findings,
            class,
            input,
        } => verdict::verdict(app, frame.body, buf, findings, *class, input, &hints),
        Modal::Note { finding, input } => {
            verdict::note(app, frame.body, buf, finding, input, &hints)
        }
        Modal::Allow(d) => allow::render(theme, frame.body, buf, d, &hints),
        Modal::Raw(v) => {
            raw::render(theme, frame.body, buf, v);
            None
        }
        Modal::Pick(p) => pick::render(theme, frame.body, buf, p, &hints),
        Modal::Tune(v) => {
            tune(theme, frame.body, buf, v, &hints);
            None
        }
    }
}

/// What a `:set` would do, scrolled, with its keep / revert hints.
fn tune(theme: &Theme, body: Rect, buf: &mut Buffer, v: &crate::tui::tune::TuneView, hints: &str) {
    use ratatui::text::Span;
    use ratatui::widgets::{Paragraph, Wrap};
    let b = centered(body, body.width.saturating_sub(4).max(20), body.height);
    let title = format!(" {} ", v.title);
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(title, theme.style(Role::Title))),
    );
    let mut lines: Vec<Line> = v
        .lines
        .iter()
        .map(|l| {
            Line::from(Span::styled(
                crate::sanitize::clean(l).into_owned(),
                theme.style(Role::Text),
            ))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        hints.to_string(),
        theme.style(Role::Dim),
    )));
    let max = lines.len().saturating_sub(inner.height as usize);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((v.scroll.min(max) as u16, 0))
        .render(inner, buf);
}
