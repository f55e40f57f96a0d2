//! The virtual table: the caller builds only the rows in the visible
//! window and this draws them under a header, with the selected row in the
//! theme's selection style and a scrollbar (with ticks) at the right. The
//! first row of `area` is the header; rows start one line below.

use super::columns::{self, Col};
use super::scrollbar::Scrollbar;
use crate::sanitize;
use crate::tui::theme::{Role, Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
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

/// One cell: its text (cleaned and cut with `…` to its column when drawn),
/// an optional shorter form shown instead when the column is narrower than
/// the text (a time without its year, a detector's short name), and a style.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub text: String,
    pub short: Option<String>,
    pub style: Option<Style>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            short: None,
            style: None,
        }
    }
    /// The form shown when the column is narrower than `text`.
    pub fn or_short(mut self, short: impl Into<String>) -> Cell {
        self.short = Some(short.into());
        self
    }
    pub fn style(mut self, style: Style) -> Cell {
        self.style = Some(style);
        self
    }
    /// The widest and the narrowest form.
    fn widths(&self) -> (usize, usize) {
        let long = sanitize::width(&self.text);
        let short = self.short.as_deref().map_or(long, sanitize::width);
        (long, short.min(long))
    }
    /// The text for a column `w` wide: the long form, or the short one
    /// when `short` (some long form in the column does not fit), cut with
    /// `…` if it still does not fit.
    fn fitted(&self, w: usize, short: bool) -> String {
        match &self.short {
            Some(s) if short => sanitize::clean_width(s, w),
            _ => sanitize::clean_width(&self.text, w),
        }
    }
    /// True when the long form does not fit in `w` but a short one exists.
    fn wants_short(&self, w: usize) -> bool {
        self.short.is_some() && sanitize::width(&self.text) > w
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::new(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::new(s)
    }
}

/// One row of cells with the style of the whole row.
#[derive(Clone, Debug, Default)]
pub struct Line {
    pub cells: Vec<Cell>,
    pub style: Option<Style>,
}

impl Line {
    pub fn new(cells: Vec<Cell>) -> Line {
        Line { cells, style: None }
    }
    pub fn style(mut self, style: Style) -> Line {
        self.style = Some(style);
        self
    }
}

/// One column: its header, how it gives way (see [`columns`]) and whether
/// its cells are right-aligned (counts).
#[derive(Clone, Debug)]
pub struct Column {
    pub head: String,
    pub col: Col,
    pub right: bool,
}

impl Column {
    pub fn new(head: impl Into<String>, col: Col) -> Column {
        Column {
            head: head.into(),
            col,
            right: false,
        }
    }
    pub fn right(mut self) -> Column {
        self.right = true;
        self
    }
}

/// The layout rule every table follows. A column is as wide as what it
/// shows (its header and the visible cells, at most what it asked for),
/// a column whose visible cells are all empty gives its whole width away,
/// and the rest is [`columns::fit`]: detail gives way first, one column
/// grows into what is left. Returns each column's width (0: not shown).
pub fn layout(columns: &[Column], rows: &[Line], width: u16) -> Vec<u16> {
    // The measured needs of the columns that have something to show.
    let measured: Vec<Option<Col>> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let (mut long, mut short) = (0usize, 0usize);
            for r in rows {
                if let Some(cell) = r.cells.get(k) {
                    let (l, s) = cell.widths();
                    long = long.max(l);
                    short = short.max(s);
                }
            }
            if long == 0 {
                return None;
            }
            let head = sanitize::width(&c.head);
            let cap = |x: usize| x.max(head).min(usize::from(u16::MAX)) as u16;
            let mut col = c.col;
            if col.grow {
                // What the column would show, not more: a short title leaves room.
                col.min = col.min.min(cap(long));
                col.want = col.want.min(cap(long)).max(col.min);
            } else {
                col.want = col.want.min(cap(long));
                let floor = if col.form { cap(short) } else { col.min };
                col.min = floor.min(col.want);
            }
            Some(col)
        })
        .collect();
    let cols: Vec<Col> = measured.iter().flatten().copied().collect();
    let mut fitted = columns::fit(&cols, width, 1).into_iter();
    let mut widths: Vec<u16> = measured
        .iter()
        .map(|m| match m {
            Some(_) => fitted.next().unwrap_or(0),
            None => 0,
        })
        .collect();
    // A column that shows its short forms needs no more than the widest of
    // them: the rest goes to the growing column.
    let mut spare = 0u16;
    for (k, w) in widths.iter_mut().enumerate() {
        let Some(Some(c)) = measured.get(k) else {
            continue;
        };
        if c.form && *w > 0 && *w < c.want {
            let short = rows
                .iter()
                .filter_map(|r| r.cells.get(k))
                .map(|cell| cell.widths().1)
                .max()
                .unwrap_or(0)
                .max(columns.get(k).map_or(0, |c| sanitize::width(&c.head)));
            let short = u16::try_from(short).unwrap_or(u16::MAX);
            if short < *w {
                spare += *w - short;
                *w = short;
            }
        }
    }
    let grow = measured
        .iter()
        .zip(&widths)
        .position(|(m, w)| *w > 0 && m.is_some_and(|c| c.grow));
    if let Some(x) = grow.and_then(|g| widths.get_mut(g)) {
        *x = x.saturating_add(spare);
    }
    widths
}

/// A table frame: header, visible rows, selection, scroll position.
pub struct View<'a> {
    pub columns: &'a [Column],
    /// The rows from `offset`, at most the area's height.
    pub rows: Vec<Line>,
    /// Index of the selected row within `rows`.
    pub selected: Option<usize>,
    pub len: usize,
    pub offset: usize,
    /// List positions to mark on the scrollbar (evidence, hops).
    pub ticks: &'a [usize],
}

/// `text` cut to `w` columns and padded on the left to `w`.
fn right_aligned(text: String, w: usize) -> String {
    let pad = w.saturating_sub(sanitize::width(&text));
    format!("{}{text}", " ".repeat(pad))
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
        let widths = layout(self.columns, &self.rows, inner.width);
        let shown: Vec<(usize, u16)> = widths
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, w)| *w > 0)
            .collect();
        // A column shows one form: the short one for every cell as soon as
        // one long form does not fit, so the column reads alike.
        let short: Vec<bool> = shown
            .iter()
            .map(|&(k, w)| {
                self.rows
                    .iter()
                    .any(|r| r.cells.get(k).is_some_and(|c| c.wants_short(w.into())))
            })
            .collect();
        let text = |j: usize, c: &Column, cell: Option<&Cell>, w: u16| -> String {
            let s = short.get(j).copied().unwrap_or(false);
            let t = cell.map(|x| x.fitted(w.into(), s)).unwrap_or_default();
            if c.right {
                right_aligned(t, w.into())
            } else {
                t
            }
        };
        let sel = theme.style(Role::Selected);
        let rows: Vec<Row> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let cells: Vec<ratatui::widgets::Cell> = shown
                    .iter()
                    .enumerate()
                    .map(|(j, &(k, w))| {
                        let cell = r.cells.get(k);
                        let c = self.columns.get(k);
                        let t = c.map(|c| text(j, c, cell, w)).unwrap_or_default();
                        match cell.and_then(|x| x.style) {
                            Some(st) => ratatui::widgets::Cell::from(t).style(st),
                            None => ratatui::widgets::Cell::from(t),
                        }
                    })
                    .collect();
                let row = Row::new(cells);
                let row = match r.style {
                    Some(st) => row.style(st),
                    None => row,
                };
                if Some(i) == self.selected {
                    row.style(sel)
                } else {
                    row
                }
            })
            .collect();
        let header = Row::new(shown.iter().map(|&(k, w)| {
            let head = self.columns.get(k);
            let t = head.map_or(String::new(), |c| sanitize::clean_width(&c.head, w.into()));
            match head {
                Some(c) if c.right => right_aligned(t, w.into()),
                _ => t,
            }
        }))
        .style(theme.style(Role::Header));
        let constraints: Vec<Constraint> =
            shown.iter().map(|&(_, w)| Constraint::Length(w)).collect();
        Table::new(rows, constraints)
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
