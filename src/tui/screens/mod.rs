//! The screens of the workbench, as one [`Screen`] enum kept in a stack
//! (push on pivot, pop on Esc, each entry keeps its own selection), and the
//! shared frame layout (title, body, status bar, footer). Each screen module
//! holds its state, how that state is rebuilt from the store's indexes, and
//! how it is drawn from `&App`. Screens never write the case or read files.

pub mod alerts;
pub mod detail;
pub mod events;
pub mod help;
pub mod ip;
pub mod map;
pub mod sources;
pub mod timeline;

use super::keymap::Context;
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

/// One screen in the stack, with its own state.
#[derive(Debug)]
pub enum Screen {
    Alerts,
    Detail(detail::DetailState),
    Timeline(timeline::TimelineState),
    Ip(ip::IpState),
    Map(map::MapState),
    Events,
    Help(ListPos),
    Sources(ListPos),
}

impl Screen {
    /// Keymap sections, most specific first.
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Screen::Alerts => &[Context::Alerts, Context::List, Context::Global],
            Screen::Detail(_) => &[Context::Detail, Context::List, Context::Global],
            Screen::Timeline(_) => &[Context::Timeline, Context::List, Context::Global],
            Screen::Ip(_) => &[Context::Ip, Context::List, Context::Global],
            Screen::Map(_) => &[Context::Map, Context::List, Context::Global],
            Screen::Events => &[Context::Events, Context::List, Context::Global],
            Screen::Help(_) | Screen::Sources(_) => &[Context::List, Context::Global],
        }
    }

    /// A short name for the breadcrumb line.
    pub fn crumb(&self) -> String {
        use crate::sanitize::clean_width;
        match self {
            Screen::Alerts => "Alerts".into(),
            Screen::Detail(d) => format!("Alert {}", super::format::prefix(&d.id, 8)),
            Screen::Timeline(t) => format!("User {}", clean_width(&t.user, 28)),
            Screen::Ip(s) => format!("IP {}", clean_width(&s.ip, 40)),
            Screen::Map(m) => format!("Map {}", clean_width(&m.user, 28)),
            Screen::Events => "All events".into(),
            Screen::Help(_) => "Help".into(),
            Screen::Sources(_) => "Sources".into(),
        }
    }
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
