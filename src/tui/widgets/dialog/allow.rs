//! The allowlist dialog: the evidence event the values come from, what to
//! suppress (IP, network, AS and country of that event, the finding's
//! user), the scope, the expiry and the note.

use super::{boxed, centered, input_line, row};
use crate::sanitize::{clean, clean_width};
use crate::tui::modal::{AllowDialog, AllowField};
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// One line of spans on row `y` of `inner`, cut with `…`.
fn line(inner: Rect, buf: &mut Buffer, y: u16, spans: Vec<Span>) {
    let r = row(inner, y);
    if r.height > 0 {
        let spans = crate::tui::widgets::fit_spans(spans, r.width.into());
        Paragraph::new(Line::from(spans)).render(r, buf);
    }
}

/// The label style of a field: highlighted when it has the focus.
fn label(theme: &Theme, d: &AllowDialog, f: AllowField) -> ratatui::style::Style {
    if d.focus == f {
        theme.style(Role::Key)
    } else {
        theme.style(Role::Dim)
    }
}

/// The value style of a field: selected when it has the focus.
fn value(theme: &Theme, d: &AllowDialog, f: AllowField) -> ratatui::style::Style {
    if d.focus == f {
        theme.style(Role::Selected)
    } else {
        theme.style(Role::Text)
    }
}

/// The evidence event the values come from: time, IP, AS, country, and
/// which of how many (j/k picks another).
fn from_text(d: &AllowDialog) -> String {
    let Some(s) = d.sources.get(d.source) else {
        return "-".into();
    };
    let mut t = format!("{} {}", crate::tui::format::time(s.time), s.ip);
    if s.asn > 0 {
        t.push_str(&format!(" AS{}", s.asn));
    }
    if !s.country.is_empty() {
        t.push_str(&format!(" {}", s.country));
    }
    if d.sources.len() > 1 {
        t.push_str(&format!("  ({}/{}, j/k)", d.source + 1, d.sources.len()));
    }
    t
}

/// The choices of what to suppress, from row `y`; returns the row after them.
fn render_choices(
    theme: &Theme,
    inner: Rect,
    buf: &mut Buffer,
    d: &AllowDialog,
    mut y: u16,
) -> u16 {
    let w = inner.width as usize;
    line(
        inner,
        buf,
        y,
        vec![Span::styled(
            "Suppress findings matching:",
            label(theme, d, AllowField::Kind),
        )],
    );
    y += 1;
    if d.choices.is_empty() {
        line(
            inner,
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
            inner,
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
    y
}

pub(super) fn render(
    theme: &Theme,
    body: Rect,
    buf: &mut Buffer,
    d: &AllowDialog,
    hints: &str,
) -> Option<Position> {
    let h = (d.choices.len() as u16 + 12).min(body.height);
    let b = centered(body, 72, h);
    let inner = boxed(
        buf,
        b,
        theme,
        Line::from(Span::styled(" Allowlist ", theme.style(Role::Title))),
    );
    let w = inner.width as usize;
    line(
        inner,
        buf,
        0,
        vec![
            Span::styled("From event: ", label(theme, d, AllowField::Source)),
            Span::styled(
                clean_width(&from_text(d), w.saturating_sub(12)),
                value(theme, d, AllowField::Source),
            ),
        ],
    );
    let mut y = render_choices(theme, inner, buf, d, 1);
    let (a, b2) = if d.this_detector_only {
        ("(•)", "( )")
    } else {
        ("( )", "(•)")
    };
    line(
        inner,
        buf,
        y,
        vec![
            Span::styled("Scope: ", label(theme, d, AllowField::Scope)),
            Span::styled(
                format!("{a} only {}  {b2} all detectors", d.detector.as_str()),
                value(theme, d, AllowField::Scope),
            ),
        ],
    );
    y += 1;
    // The preview: what saving would hide, before it is saved.
    if let Some(i) = &d.impact {
        let role = if i.others > 0 {
            Role::Warning
        } else {
            Role::Dim
        };
        line(
            inner,
            buf,
            y,
            vec![Span::styled(
                clean(&i.text()).into_owned(),
                theme.style(role),
            )],
        );
    }
    y += 1;
    render_inputs(theme, inner, buf, d, y, hints)
}

/// Expiry (with its help line), note, the last error and the key hints
/// from row `y`; returns where the cursor goes.
fn render_inputs(
    theme: &Theme,
    inner: Rect,
    buf: &mut Buffer,
    d: &AllowDialog,
    mut y: u16,
    hints: &str,
) -> Option<Position> {
    let _ = input_line(buf, row(inner, y), theme, "Expires: ", &d.expiry, false);
    let cur_exp = if d.focus == AllowField::Expiry {
        input_line(buf, row(inner, y), theme, "Expires: ", &d.expiry, true)
    } else {
        None
    };
    y += 1;
    line(
        inner,
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
            inner,
            buf,
            y,
            vec![Span::styled(
                format!("✗ {}", clean(e)),
                theme.style(Role::Error),
            )],
        );
    }
    y += 1;
    line(
        inner,
        buf,
        y,
        vec![Span::styled(hints, theme.style(Role::Dim))],
    );
    cur_exp.or(cur_note)
}
