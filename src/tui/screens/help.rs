//! Help, generated from the keymap: every section (everywhere, lists, each
//! screen) with its keys and what each action does, then the query
//! language. Nothing here is written by hand per key.

use super::ListPos;
use super::{Ctx, ScreenView};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

const QUERY_HELP: [&str; 6] = [
    "user:alice       user name contains alice        ip:10.0.0.0/8   IP in a network (or ip:1.2.3.4, ip:10.1.)",
    "sev:>=high       severity (=, >, >=, <, <=)      det:spray       detector name contains spray",
    "verdict:fp       tp, bp, fp, undetermined, none  country:RU      event country (events view)",
    "outcome:failure  success/failure/interrupted     app:outlook     app or client contains",
    "!det:spray       a ! before a prefix negates it  other words     fuzzy text; every word must match",
    "",
];

/// The help text as lines (also used to size the scroll); action names
/// (what a keymap file binds) are shown when there is room.
pub fn lines<'a>(keymap: &Keymap, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let names = width >= 100;
    for ctx in Context::ALL {
        let bindings: Vec<_> = keymap.section(ctx).collect();
        if bindings.is_empty() {
            continue;
        }
        out.push(Line::from(Span::styled(
            ctx.title(),
            theme.style(Role::Header),
        )));
        for (action, keys) in bindings {
            let k: Vec<String> = keys.iter().take(3).map(ToString::to_string).collect();
            let mut spans = vec![Span::styled(
                format!("  {:<22} ", k.join(", ")),
                theme.style(Role::Key),
            )];
            if names {
                spans.push(Span::styled(
                    format!("{:<24}", action.name()),
                    theme.style(Role::Dim),
                ));
            }
            spans.push(Span::styled(action.describe(), theme.style(Role::Text)));
            out.push(Line::from(spans));
        }
        out.push(Line::default());
    }
    out.push(Line::from(Span::styled(
        "Query line (/ on alerts and events)",
        theme.style(Role::Header),
    )));
    for l in QUERY_HELP {
        out.push(Line::from(Span::styled(
            format!("  {l}"),
            theme.style(Role::Text),
        )));
    }
    out.push(Line::from(Span::styled(
        "Keys come from the built-in keymap; override any action in the file named by [ui] keymap in the config.",
        theme.style(Role::Dim),
    )));
    out
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
        let len = lines(cx.keymap, cx.theme, 200).len();
        super::scroll(&mut self.pos, delta, len, height)
    }
    fn first_visible_row(&self, _app: &App, _height: usize) -> usize {
        self.pos.offset
    }
}
