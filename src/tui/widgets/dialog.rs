//! Drawing the open dialog over the screen: the query and command lines
//! (with the terminal cursor), the verdict and note boxes, the allowlist
//! dialog and the raw record view. Returns where the cursor should be.

use crate::sanitize::clean_width;
use crate::tui::app::App;
use crate::tui::modal::{verdict_title, AllowField, Modal};
use crate::tui::raw::RawText;
use crate::tui::screens;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use tui_input::Input;

/// A box of `w`×`h` centred in `area` (clamped to it).
fn centered(area: Rect, w: u16, h: u16) -> Rect {
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
fn row(area: Rect, k: u16) -> Rect {
    Rect {
        y: area.y.saturating_add(k),
        height: u16::from(k < area.height),
        ..area
    }
}

/// Writes `text` on row `k` of `area`, cut to its width; nothing when there is no such row.
fn put(buf: &mut Buffer, area: Rect, k: u16, text: &str, style: ratatui::style::Style) {
    let r = row(area, k);
    if r.height > 0 {
        buf.set_stringn(r.x, r.y, text, r.width as usize, style);
    }
}

fn boxed(buf: &mut Buffer, area: Rect, theme: &Theme, title: Line<'_>) -> Rect {
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
fn input_line(
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
    match modal {
        Modal::Query { input, .. } => input_line(buf, row(frame.body, 0), theme, "/ ", input, true),
        Modal::Command { input } => input_line(buf, frame.footer, theme, ":", input, true),
        Modal::Verdict {
            finding,
            class,
            input,
        } => {
            let (title, role) = verdict_title(*class);
            let b = centered(frame.body, 64, 7);
            let inner = boxed(
                buf,
                b,
                theme,
                Line::from(Span::styled(format!(" {title} "), theme.style(role))),
            );
            let f = app.session.findings.get(finding);
            let what = f
                .map(|f| clean_width(&f.title, inner.width as usize))
                .unwrap_or_default();
            put(buf, inner, 0, &what, theme.style(Role::Text));
            put(buf, inner, 1, "Note (optional):", theme.style(Role::Dim));
            let cur = input_line(buf, row(inner, 2), theme, "› ", input, true);
            put(
                buf,
                inner,
                4,
                "enter save · esc cancel",
                theme.style(Role::Dim),
            );
            cur
        }
        Modal::Note { finding, input } => {
            let b = centered(frame.body, 64, 6);
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
            put(
                buf,
                inner,
                3,
                "enter save · esc cancel",
                theme.style(Role::Dim),
            );
            cur
        }
        Modal::Allow(d) => {
            let h = (d.choices.len() as u16 + 10).min(frame.body.height);
            let b = centered(frame.body, 72, h);
            let inner = boxed(
                buf,
                b,
                theme,
                Line::from(Span::styled(" Allowlist ", theme.style(Role::Title))),
            );
            let mut y = 0;
            let w = inner.width as usize;
            let line = |buf: &mut Buffer, y: u16, spans: Vec<Span>| {
                let r = row(inner, y);
                if r.height > 0 {
                    Paragraph::new(Line::from(spans)).render(r, buf);
                }
            };
            let focus = |f: AllowField| {
                if d.focus == f {
                    theme.style(Role::Key)
                } else {
                    theme.style(Role::Dim)
                }
            };
            line(
                buf,
                y,
                vec![Span::styled(
                    "Suppress findings matching:",
                    focus(AllowField::Kind),
                )],
            );
            y += 1;
            if d.choices.is_empty() {
                line(
                    buf,
                    y,
                    vec![Span::styled(
                        "  (nothing: no IP, user, AS or country)",
                        theme.style(Role::Warning),
                    )],
                );
                y += 1;
            }
            for (i, c) in d.choices.iter().enumerate() {
                let mark = if i == d.choice { "(•)" } else { "( )" };
                let mut style = theme.style(Role::Text);
                if i == d.choice && d.focus == AllowField::Kind {
                    style = theme.style(Role::Selected);
                }
                let hint = if c.hint.is_empty() {
                    String::new()
                } else {
                    format!("  {}", clean_width(&c.hint, 30))
                };
                line(
                    buf,
                    y,
                    vec![Span::styled(
                        format!(
                            "  {mark} {:<8} {}{hint}",
                            c.kind.as_str(),
                            clean_width(&c.value, w.saturating_sub(16))
                        ),
                        style,
                    )],
                );
                y += 1;
            }
            let (a, b2) = if d.this_detector_only {
                ("(•)", "( )")
            } else {
                ("( )", "(•)")
            };
            let scope_style = if d.focus == AllowField::Scope {
                theme.style(Role::Selected)
            } else {
                theme.style(Role::Text)
            };
            line(
                buf,
                y,
                vec![
                    Span::styled("Scope: ", focus(AllowField::Scope)),
                    Span::styled(
                        format!("{a} only {}  {b2} all detectors", d.detector.as_str()),
                        scope_style,
                    ),
                ],
            );
            y += 1;
            let _ = input_line(buf, row(inner, y), theme, "Expires: ", &d.expiry, false);
            let cur_exp = if d.focus == AllowField::Expiry {
                input_line(buf, row(inner, y), theme, "Expires: ", &d.expiry, true)
            } else {
                None
            };
            y += 1;
            line(
                buf,
                y,
                vec![Span::styled(
                    "         30d, 12h or 2026-12-31; empty = never",
                    theme.style(Role::Dim),
                )],
            );
            y += 1;
            let _ = input_line(buf, row(inner, y), theme, "Note:    ", &d.note, false);
            let cur_note = if d.focus == AllowField::Note {
                input_line(buf, row(inner, y), theme, "Note:    ", &d.note, true)
            } else {
                None
            };
            y += 1;
            if let Some(e) = &d.error {
                line(
                    buf,
                    y,
                    vec![Span::styled(
                        format!("✗ {}", clean_width(e, w)),
                        theme.style(Role::Error),
                    )],
                );
            }
            y += 1;
            line(
                buf,
                y,
                vec![Span::styled(
                    "tab next field · ↑↓ choose · enter save · esc cancel",
                    theme.style(Role::Dim),
                )],
            );
            cur_exp.or(cur_note)
        }
        Modal::Raw(v) => {
            let b = centered(
                frame.body,
                frame.body.width.saturating_sub(4).max(20),
                frame.body.height,
            );
            let title = format!(
                " raw record · {} ",
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
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "normalized fields",
                theme.style(Role::Header),
            )));
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
            None
        }
    }
}
