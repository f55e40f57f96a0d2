//! The virtual table: the caller builds only the rows in the visible
//! window and this draws them under a header, with the selected row in the
//! theme's selection style and a scrollbar (with ticks) at the right. The
//! first row of `area` is the header; rows start one line below.

use super::scrollbar::Scrollbar;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Table, Widget};

/// The rows part of a table area (below the header, left of the scrollbar).
pub fn rows_area(area: Rect) -> Rect {
    Rect {
        x: area.x,
        y: area.y.saturating_add(1).min(area.bottom()),
        width: area.width.saturating_sub(1),
        height: area.height.saturating_sub(1),
    }
}

/// The width each column gets when a [`View`] draws in `area` (the same
/// layout as ratatui's table: no selection column, one space between
/// columns), so a screen can cut a cell to its column with `…`.
pub fn column_widths(area: Rect, widths: &[Constraint]) -> Vec<u16> {
    let inner = Rect::new(0, 0, area.width.saturating_sub(1), 1);
    ratatui::layout::Layout::horizontal(widths.iter().copied())
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(inner)
        .iter()
        .map(|r| r.width)
        .collect()
}

/// A table frame: header, visible rows, selection, scroll position.
pub struct View<'a> {
    pub header: &'a [&'a str],
    pub widths: &'a [Constraint],
    /// The rows from `offset`, at most the area's height.
    pub rows: Vec<Row<'a>>,
    /// Index of the selected row within `rows`.
    pub selected: Option<usize>,
    pub len: usize,
    pub offset: usize,
    /// List positions to mark on the scrollbar (evidence, hops).
    pub ticks: &'a [usize],
}

impl View<'_> {
    pub fn draw(self, buf: &mut Buffer, area: Rect, theme: &Theme) {
        if area.height == 0 {
            return;
        }
        let inner = Rect {
            width: area.width.saturating_sub(1),
            ..area
        };
        let sel = theme.style(Role::Selected);
        let rows: Vec<Row> = self
            .rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                if Some(i) == self.selected {
                    r.style(sel)
                } else {
                    r
                }
            })
            .collect();
        let header = Row::new(self.header.iter().copied()).style(theme.style(Role::Header));
        Table::new(rows, self.widths.iter().copied())
            .header(header)
            .column_spacing(1)
            .style(theme.style(Role::Text))
            .render(inner, buf);
        let list = rows_area(area);
        Scrollbar {
            len: self.len,
            offset: self.offset,
            height: list.height as usize,
            ticks: self.ticks,
        }
        .draw(
            buf,
            Rect {
                x: area.right().saturating_sub(1),
                y: list.y,
                width: 1,
                height: list.height,
            },
            theme,
        );
    }
}
