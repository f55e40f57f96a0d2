//! The screens of the workbench, as one [`Screen`] enum kept in a stack
//! (push on pivot, pop on Esc, each entry owns its state and selection;
//! the bottom is always the alerts screen), the [`ScreenView`] trait every
//! screen implements (the only dispatch over screens), and the shared frame
//! layout (title, body, status bar, footer). Each screen module holds its
//! state, how that state is rebuilt from the store's indexes, and how it is
//! drawn from `&App`. Screens never write the case or read files.

pub mod alerts;
pub mod detail;
pub mod events;
pub mod help;
pub mod incident;
pub mod incidents;
pub mod ip;
pub mod map;
pub mod settings;
pub mod sources;
pub mod timeline;

use super::action::Action;
use super::app::App;
use super::case_link::CaseLink;
use super::keymap::{Context, Keymap};
use super::query::Matcher;
use super::theme::Theme;
use crate::finding::Finding;
use crate::pipeline::Session;
use crate::store::EventIdx;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Where a list's selection and scroll are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListPos {
    pub selected: usize,
    pub offset: usize,
}

impl ListPos {
    /// Moves by `delta` rows within `len`, scrolling so the selection stays in `height` rows.
    pub fn move_by(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = ListPos::default();
            return;
        }
        let s = self.selected as isize + delta;
        self.selected = s.clamp(0, len as isize - 1) as usize;
        self.follow(len, height);
    }

    pub fn to(&mut self, i: usize, len: usize, height: usize) {
        self.selected = i.min(len.saturating_sub(1));
        self.follow(len, height);
    }

    /// Keeps the selection inside the visible window and the window inside the list.
    pub fn follow(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if len == 0 {
            *self = ListPos::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// The window `[offset, offset+height)` as drawn, without changing state.
    pub fn window(&self, len: usize, height: usize) -> (usize, usize) {
        let mut p = *self;
        p.follow(len, height);
        (p.offset, (p.offset + height).min(len))
    }

    /// The rows of `items` drawn in `height` rows, with the index of the
    /// first: [`ListPos::window`] as a slice, so drawing needs no indexing.
    pub fn visible<'a, T>(&self, items: &'a [T], height: usize) -> (usize, &'a [T]) {
        let (from, to) = self.window(items.len(), height);
        (from, items.get(from..to).unwrap_or_default())
    }
}

/// One screen in the stack, owning its state. The only `match` over the
/// screens is [`Screen::view`] / [`Screen::view_mut`]: everything else asks
/// the top screen through [`ScreenView`].
#[derive(Debug)]
pub enum Screen {
    Alerts(Box<alerts::AlertsState>),
    Detail(detail::DetailState),
    Timeline(timeline::TimelineState),
    Ip(ip::IpState),
    Map(map::MapState),
    Events(Box<events::EventsState>),
    Incident(incident::IncidentState),
    Incidents(incidents::IncidentsState),
    Help(help::HelpState),
    Sources(sources::SourcesState),
    Settings(settings::SettingsState),
}

impl Screen {
    /// The screen's behaviour (the one dispatch).
    pub fn view(&self) -> &dyn ScreenView {
        match self {
            Screen::Alerts(s) => s.as_ref(),
            Screen::Detail(s) => s,
            Screen::Timeline(s) => s,
            Screen::Ip(s) => s,
            Screen::Map(s) => s,
            Screen::Events(s) => s.as_ref(),
            Screen::Incident(s) => s,
            Screen::Incidents(s) => s,
            Screen::Help(s) => s,
            Screen::Sources(s) => s,
            Screen::Settings(s) => s,
        }
    }

    pub fn view_mut(&mut self) -> &mut dyn ScreenView {
        match self {
            Screen::Alerts(s) => s.as_mut(),
            Screen::Detail(s) => s,
            Screen::Timeline(s) => s,
            Screen::Ip(s) => s,
            Screen::Map(s) => s,
            Screen::Events(s) => s.as_mut(),
            Screen::Incident(s) => s,
            Screen::Incidents(s) => s,
            Screen::Help(s) => s,
            Screen::Sources(s) => s,
            Screen::Settings(s) => s,
        }
    }

    /// Keymap sections, most specific first.
    pub fn contexts(&self) -> &'static [Context] {
        self.view().contexts()
    }

    /// A short name for the breadcrumb line.
    pub fn crumb(&self) -> String {
        self.view().crumb()
    }
}

/// What the model holds besides the screen stack, borrowed for a screen
/// that changes its own state (the stack is a separate field, so a screen
/// can be `&mut` while these are read).
pub struct Ctx<'a> {
    pub session: &'a Session,
    pub case: &'a CaseLink,
    pub matcher: &'a Matcher,
    pub keymap: &'a Keymap,
    pub theme: &'a Theme,
    pub notes: &'a [String],
    /// The `kafka://` inputs' status (sources screen).
    pub kafka: &'a [crate::ingest::kafka::Live],
}

/// Why a pivot to a user timeline has nowhere to go.
pub const NO_USER: &str =
    "no user here (an IP finding: press i for the IP pivot, then pick an identity)";

/// What Enter does on a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    Nothing,
    Finding(String),
    Raw,
    PivotUser,
    Incident(String),
    /// The command line, holding this text (the settings screen's `set D.S `).
    Command(String),
}

/// One screen's behaviour: its keymap sections and footer hints, how it is
/// drawn, how its selection moves, what is selected on it, and how it is
/// rebuilt when the data grows. Defaults are "nothing here".
pub trait ScreenView {
    /// Keymap sections, most specific first.
    fn contexts(&self) -> &'static [Context];
    /// The breadcrumb.
    fn crumb(&self) -> String;
    /// The actions hinted in the footer, in order.
    fn hints(&self) -> &'static [Action];
    /// Draws the screen's body.
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer);
    /// The rows area of the screen's list (mouse clicks, page size).
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        body
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize);
    fn select_row(&mut self, _cx: &Ctx, _row: usize, _height: usize) {}
    /// The list row drawn at the top of the list area.
    fn first_visible_row(&self, app: &App, height: usize) -> usize;
    fn open(&self, _app: &App) -> Open {
        Open::Nothing
    }
    fn selected_finding<'a>(&self, _app: &'a App) -> Option<&'a Finding> {
        None
    }
    fn selected_event(&self, _app: &App) -> Option<EventIdx> {
        None
    }
    /// What a verdict or status key acts on: the selected finding (the
    /// alerts: the marked ones if any; an incident: all its findings).
    fn targets(&self, app: &App) -> Vec<String> {
        self.selected_finding(app)
            .map(|f| vec![f.id.clone()])
            .unwrap_or_default()
    }
    /// The incident the screen is about: status and owner keys act on it.
    fn incident(&self, _app: &App) -> Option<String> {
        None
    }
    /// The user under the selection: `None` when the screen has none,
    /// `Some(Err)` with what to do instead.
    fn selected_user(&self, _app: &App) -> Option<Result<String, String>> {
        None
    }
    fn selected_ip(&self, _app: &App) -> Option<String> {
        None
    }
    /// The data grew (or the terminal changed size): rebuild what is shown.
    fn refresh(&mut self, _cx: &Ctx, _height: usize) {}
    /// The query line `/` edits, when the screen has one.
    fn query_text(&self) -> Option<&str> {
        None
    }
    fn set_query(&mut self, _cx: &Ctx, _text: &str, _height: usize) {}
    /// Shows or hides closed items; `Some(shown)` when the screen has any.
    fn toggle_closed(&mut self) -> Option<bool> {
        None
    }
}

/// Scrolls a text screen (help, sources) by `delta` lines.
fn scroll(p: &mut ListPos, delta: isize, len: usize, height: usize) {
    let max = len.saturating_sub(height) as isize;
    p.offset = (p.offset as isize)
        .saturating_add(delta)
        .clamp(0, max.max(0)) as usize;
    p.selected = p.offset;
}

/// The frame's rows: breadcrumb/title, body, status bar, footer hints.
pub struct Frame {
    pub title: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
}

pub fn frame(area: Rect) -> Frame {
    let h = area.height;
    let row = |y: u16, height: u16| Rect {
        x: area.x,
        y: area.y + y,
        width: area.width,
        height,
    };
    if h < 4 {
        return Frame {
            title: row(0, 0),
            body: row(0, h),
            status: row(h, 0),
            footer: row(h, 0),
        };
    }
    Frame {
        title: row(0, 1),
        body: row(1, h - 3),
        status: row(h - 2, 1),
        footer: row(h - 1, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_pos_scrolls_with_the_selection() {
        let mut p = ListPos::default();
        p.move_by(15, 100, 10);
        assert_eq!((p.selected, p.offset), (15, 6));
        p.move_by(-20, 100, 10);
        assert_eq!((p.selected, p.offset), (0, 0));
        p.to(1000, 100, 10);
        assert_eq!((p.selected, p.offset), (99, 90));
        p.follow(5, 10);
        assert_eq!((p.selected, p.offset), (4, 0));
        p.move_by(1, 0, 10);
        assert_eq!(p, ListPos::default());
    }

    #[test]
    fn visible_is_the_window_as_a_slice() {
        let items: Vec<usize> = (0..100).collect();
        let p = ListPos {
            selected: 15,
            offset: 0,
        };
        let (from, rows) = p.visible(&items, 10);
        assert_eq!((from, rows.first(), rows.len()), (6, Some(&6), 10));
        // A stale position past a shrunken list still draws the list's tail.
        let stale = ListPos {
            selected: 500,
            offset: 495,
        };
        assert_eq!(stale.visible(&items[..3], 10), (0, &items[..3]));
        assert_eq!(stale.visible::<usize>(&[], 10), (0, &[][..]));
        assert_eq!(p.visible(&items, 0).1.len(), 0);
    }
}
