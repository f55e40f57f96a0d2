//! The allowlist dialog: the evidence event the values come from, what to
//! suppress (IP, network, AS and country of that event, the finding's
//! user), the scope, the expiry and the note.

use super::{boxed, centered, input_line, row};
use crate::sanitize::clean_width;
use crate::tui::modal::{AllowDialog, AllowField};
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

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
    let from = match d.sources.get(d.source) {
        Some(s) => {
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
        None => "-".into(),
    };
    let from_style = if d.focus == AllowField::Source {
        theme.style(Role::Selected)
    } else {
        theme.style(Role::Text)
    };
    line(
        buf,
        y,
        vec![
            Span::styled("From event: ", focus(AllowField::Source)),
            Span::styled(clean_width(&from, w.saturating_sub(12)), from_style),
        ],
    );
    y += 1;
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
    // The preview: what saving would hide, before it is saved.
    if let Some(i) = &d.impact {
        let role = if i.others > 0 {
            Role::Warning
        } else {
            Role::Dim
        };
        line(
            buf,
            y,
            vec![Span::styled(clean_width(&i.text(), w), theme.style(role))],
        );
    }
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
    line(buf, y, vec![Span::styled(hints, theme.style(Role::Dim))]);
    cur_exp.or(cur_note)
}
