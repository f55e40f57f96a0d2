//! Help, generated from the keymap: every section (everywhere, lists, each
//! screen) with its keys and what each action does, then the query
//! language. Nothing here is written by hand per key.

use super::ListPos;
use super::{Ctx, ScreenView};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::modal::COMMANDS;
use crate::tui::query::PREFIX_TABLE;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The help text as lines (also used to size the scroll), wrapped to
/// `width`; action names (what a keymap file binds) are shown when there is
/// room. Keys come from the keymap, commands from [`COMMANDS`] and query
/// prefixes from [`PREFIX_TABLE`]: what the workbench reads is what it lists.
pub fn lines<'a>(keymap: &Keymap, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let names = width >= 100;
    let header = |out: &mut Vec<Line<'a>>, t: &str| {
        out.push(Line::from(Span::styled(
            t.to_string(),
            theme.style(Role::Header),
        )))
    };
    for ctx in Context::ALL {
        let bindings: Vec<_> = keymap.section(ctx).collect();
        if bindings.is_empty() {
            continue;
        }
        header(&mut out, ctx.title());
        for (action, keys) in bindings {
            let k: Vec<String> = keys.iter().take(3).map(ToString::to_string).collect();
            let mut lead = vec![Span::styled(
                format!("  {:<22} ", k.join(", ")),
                theme.style(Role::Key),
            )];
            if names {
                lead.push(Span::styled(
                    format!("{:<24}", action.name()),
                    theme.style(Role::Dim),
                ));
            }
            wrapped(&mut out, lead, action.describe(), theme, width);
        }
        out.push(Line::default());
    }
    header(
        &mut out,
        "Commands (: then the command; any action name works too)",
    );
    for c in COMMANDS {
        let call = match c.arg {
            Some(a) if c.arg_optional => format!("{} [{a}]", c.name()),
            Some(a) => format!("{} {a}", c.name()),
            None => c.name().to_string(),
        };
        let lead = vec![Span::styled(
            format!("  :{call:<21} "),
            theme.style(Role::Key),
        )];
        wrapped(&mut out, lead, c.doc, theme, width);
    }
    out.push(Line::default());
    header(
        &mut out,
        "Query line (/ on alerts and events; words are ANDed)",
    );
    for p in PREFIX_TABLE {
        let lead = vec![Span::styled(
            format!("  {:<22} ", p.example),
            theme.style(Role::Key),
        )];
        wrapped(&mut out, lead, p.doc, theme, width);
    }
    for (example, doc) in [
        ("!det:spray", "a ! before a prefix negates it"),
        ("other words", "fuzzy text; every word must match"),
    ] {
        let lead = vec![Span::styled(
            format!("  {example:<22} "),
            theme.style(Role::Key),
        )];
        wrapped(&mut out, lead, doc, theme, width);
    }
    out.push(Line::default());
    wrapped(
        &mut out,
        Vec::new(),
        "Keys come from the built-in keymap; override any action in the file named by [ui] keymap in the config.",
        theme,
        width,
    );
    out
}

/// `lead` then `text`, the text wrapped at word boundaries so no line is
/// wider than `width`; continuation lines are indented under the text. A
/// word longer than a line is cut with `…`.
fn wrapped<'a>(
    out: &mut Vec<Line<'a>>,
    lead: Vec<Span<'a>>,
    text: &str,
    theme: &Theme,
    width: usize,
) {
    let indent: usize = lead.iter().map(|s| s.content.chars().count()).sum();
    let room = width.saturating_sub(indent).max(20);
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let word = crate::sanitize::clean_width(word, room);
        let len = row.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(&word);
    }
    rows.push(row);
    let mut lead = Some(lead);
    for r in rows {
        let mut spans = match lead.take() {
            Some(l) => l,
            None => vec![Span::raw(" ".repeat(indent))],
        };
        spans.push(Span::styled(r, theme.style(Role::Text)));
        out.push(Line::from(spans));
    }
}

pub fn render(app: &App, pos: &ListPos, body: Rect, buf: &mut Buffer) {
    let all = lines(&app.keymap, &app.theme, body.width as usize);
    let from = pos
        .offset
        .min(all.len().saturating_sub(body.height as usize));
    Paragraph::new(all)
        .scroll((from as u16, 0))
        .render(body, buf);
}

/// The help screen: where it is scrolled to.
#[derive(Debug, Default)]
pub struct HelpState {
    pub pos: ListPos,
}

impl ScreenView for HelpState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "Help".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[Action::Back, Action::Quit]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, &self.pos, body, buf)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        // The length at 80 columns (the longest it gets on a usable
        // terminal); rendering clamps the offset to the real width.
        let len = lines(cx.keymap, cx.theme, 80).len();
        super::scroll(&mut self.pos, delta, len, height)
    }
    fn first_visible_row(&self, _app: &App, _height: usize) -> usize {
        self.pos.offset
    }
}
