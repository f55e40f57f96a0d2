//! A one-column scrollbar with ticks where marked rows sit (lnav's error
//! ticks): the analyst sees where the evidence is in a long timeline.

use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub struct Scrollbar<'a> {
    pub len: usize,
    pub offset: usize,
    pub height: usize,
    pub ticks: &'a [usize],
}

impl Scrollbar<'_> {
    pub fn draw(&self, buf: &mut Buffer, area: Rect, theme: &Theme) {
        let h = area.height as usize;
        if h == 0 || area.width == 0 || self.len <= self.height {
            return;
        }
        let track = theme.style(Role::Border);
        let thumb = theme.style(Role::Accent);
        let tick = theme.style(Role::Evidence);
        let cell = |row: usize| (row * self.len) / h;
        let thumb_start = self.offset * h / self.len;
        let thumb_len = (self.height * h).div_ceil(self.len).max(1);
        for row in 0..h {
            let y = area.y + row as u16;
            let (sym, style) = if row >= thumb_start && row < thumb_start + thumb_len {
                ("┃", thumb)
            } else {
                ("│", track)
            };
            buf.set_string(area.x, y, sym, style);
            // A tick when a marked row falls in this cell's span of the list.
            let (lo, hi) = (cell(row), cell(row + 1).max(cell(row) + 1));
            let i = self.ticks.partition_point(|&t| t < lo);
            if self.ticks.get(i).is_some_and(|&t| t < hi) {
                buf.set_string(area.x, y, "◆", tick);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::ColorMode;

    #[test]
    fn ticks_land_where_marked_rows_are() {
        let theme = Theme::builtin("default", ColorMode::None);
        let mut buf = Buffer::empty(Rect::new(0, 0, 1, 10));
        let area = buf.area;
        Scrollbar {
            len: 1000,
            offset: 0,
            height: 10,
            ticks: &[0, 950],
        }
        .draw(&mut buf, area, &theme);
        let col: Vec<String> = (0..10).map(|y| buf[(0, y)].symbol().to_string()).collect();
        assert_eq!(col[0], "◆");
        assert_eq!(col[9], "◆");
        assert_eq!(col[5], "│");
    }
}
