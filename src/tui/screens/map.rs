//! Country hops on a world map: the user's sign-in locations (event
//! coordinates, else the country centroid) on ratatui's canvas `Map` (high
//! resolution on big terminals) with the hops between consecutive
//! successful sign-ins drawn as lines; impossible ones are marked with `!`
//! so they read without colour. A hop list beside or below selects a hop.

use super::timeline::hop_text;
use super::ListPos;
use super::{Ctx, Open, ScreenView};
use crate::config::TravelConfig;
use crate::event::Outcome;
use crate::sanitize::clean_width;
use crate::store::Store;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::geo::{self, Hop, Place};
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::canvas::{Canvas, Line, Map, MapResolution};
use ratatui::widgets::{Block, Borders, Widget};
use rustc_hash::FxHashMap;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub place: Place,
    pub country: String,
    pub successes: u32,
    pub failures: u32,
}

#[derive(Debug)]
pub struct MapState {
    pub user: String,
    pub points: Vec<MapPoint>,
    pub hops: Vec<Hop>,
    /// Distinct hop lines to draw (from, to, any of them impossible).
    pub lines: Vec<(Place, Place, bool)>,
    /// Sign-ins with no known place.
    pub unplaced: usize,
    pub pos: ListPos,
}

impl MapState {
    pub fn new(user: &str, store: &Store, travel: &TravelConfig) -> MapState {
        let events = store.by_user(user);
        let mut points: Vec<MapPoint> = Vec::new();
        let mut at: FxHashMap<Cell, usize> = FxHashMap::default();
        let mut unplaced = 0;
        for &i in events {
            let ev = store.get(i);
            if !ev.is_signin() {
                continue;
            }
            let Some(p) = geo::place(&ev, store) else {
                unplaced += 1;
                continue;
            };
            let k = *at.entry(cell(&p)).or_insert_with(|| {
                points.push(MapPoint {
                    place: p,
                    country: store.text(ev.country).to_string(),
                    successes: 0,
                    failures: 0,
                });
                points.len() - 1
            });
            if let Some(pt) = points.get_mut(k) {
                match ev.outcome {
                    Outcome::Failure => pt.failures += 1,
                    _ => pt.successes += 1,
                }
            }
        }
        let hops = geo::hops(events, store, travel);
        // One line per pair of places (a commuter makes thousands of identical hops).
        let mut seen: FxHashMap<(Cell, Cell), usize> = FxHashMap::default();
        let mut lines: Vec<(Place, Place, bool)> = Vec::new();
        for h in &hops {
            let (Some(a), Some(b)) = (h.from_place, h.to_place) else {
                continue;
            };
            let k = *seen.entry((cell(&a), cell(&b))).or_insert_with(|| {
                lines.push((a, b, false));
                lines.len() - 1
            });
            if let Some(line) = lines.get_mut(k) {
                line.2 |= h.impossible;
            }
        }
        MapState {
            user: user.to_string(),
            points,
            hops,
            lines,
            unplaced,
            pos: ListPos::default(),
        }
    }
}

/// A place rounded to a tenth of a degree (lat, lon).
type Cell = (i32, i32);

/// A place rounded to a tenth of a degree, to merge identical places.
fn cell(q: &Place) -> Cell {
    ((q.lat * 10.0).round() as i32, (q.lon * 10.0).round() as i32)
}

pub struct Layout {
    pub map: Rect,
    pub list: Rect,
}

pub fn layout(body: Rect) -> Layout {
    if body.width >= 110 {
        // Two fifths for the hop list (46..90 columns): its lines carry the verdict.
        let lw = (body.width * 2 / 5).clamp(46, 90).min(body.width / 2);
        Layout {
            map: Rect {
                width: body.width.saturating_sub(lw),
                ..body
            },
            list: Rect {
                x: body.x + body.width.saturating_sub(lw),
                width: lw,
                ..body
            },
        }
    } else {
        let lh = (body.height / 3).max(3).min(body.height);
        Layout {
            map: Rect {
                height: body.height.saturating_sub(lh),
                ..body
            },
            list: Rect {
                y: body.bottom().saturating_sub(lh),
                height: lh,
                ..body
            },
        }
    }
}

/// Rows of the hop list (below its title line).
pub fn list_area(body: Rect) -> Rect {
    let l = layout(body).list;
    Rect {
        y: l.y + 1,
        height: l.height.saturating_sub(1),
        ..l
    }
}

fn fg(style: Style) -> Color {
    style.fg.unwrap_or(Color::Reset)
}

pub fn render(app: &App, st: &MapState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let l = layout(body);
    let resolution = if l.map.width >= 120 && l.map.height >= 30 {
        MapResolution::High
    } else {
        MapResolution::Low
    };
    let land = fg(theme.style(Role::MapLand));
    let point_style = theme.style(Role::MapPoint);
    let fail_style = theme.style(Role::Failure);
    let hop_style = theme.style(Role::Hop);
    let bad_style = theme.style(Role::HopImpossible);
    let sel_style = theme.style(Role::Selected);
    let selected = st.hops.get(st.pos.selected);
    let title = format!(
        " {} · {} · {} ",
        clean_width(&st.user, 40),
        crate::tui::format::counted(st.points.len() as u64, "place", "places"),
        crate::tui::format::counted(st.hops.len() as u64, "hop", "hops")
    );
    // One terminal column in degrees of longitude: labels go one cell right of their point.
    let cell = 1.5 * 360.0 / l.map.width.saturating_sub(2).max(1) as f64;
    Canvas::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::Border))
                .title(Span::styled(title, theme.style(Role::Title))),
        )
        .marker(Marker::Braille)
        .x_bounds([-180.0, 180.0])
        .y_bounds([-90.0, 90.0])
        .paint(|ctx| {
            ctx.draw(&Map {
                resolution,
                color: land,
            });
            ctx.layer();
            for &(a, b, impossible) in &st.lines {
                let style = if impossible { bad_style } else { hop_style };
                ctx.draw(&Line {
                    x1: a.lon,
                    y1: a.lat,
                    x2: b.lon,
                    y2: b.lat,
                    color: fg(style),
                });
            }
            if let Some(h) = selected {
                if let (Some(a), Some(b)) = (h.from_place, h.to_place) {
                    ctx.draw(&Line {
                        x1: a.lon,
                        y1: a.lat,
                        x2: b.lon,
                        y2: b.lat,
                        color: match fg(sel_style) {
                            Color::Reset => fg(bad_style),
                            c => c,
                        },
                    });
                }
            }
            ctx.layer();
            for p in &st.points {
                let (sym, style) = if p.successes > 0 {
                    ("●", point_style)
                } else {
                    ("○", fail_style)
                };
                ctx.print(
                    p.place.lon,
                    p.place.lat,
                    TextLine::from(Span::styled(sym, style)),
                );
                if !p.country.is_empty() {
                    ctx.print(
                        p.place.lon + cell,
                        p.place.lat,
                        TextLine::from(Span::styled(clean_width(&p.country, 3), style)),
                    );
                }
            }
            for &(a, b, impossible) in &st.lines {
                if impossible {
                    ctx.print(
                        (a.lon + b.lon) / 2.0,
                        (a.lat + b.lat) / 2.0,
                        TextLine::from(Span::styled("!", bad_style)),
                    );
                }
            }
        })
        .render(l.map, buf);
    render_list(app, st, l.list, buf);
}

/// The hop line that fits `width`: with its time, then without, then
/// compact (places, speed, verdict). Speed and IMPOSSIBLE give way last.
pub fn hop_line(h: &Hop, store: &Store, width: usize) -> String {
    let when = crate::tui::format::short_time(store.get(h.to).time);
    let full = hop_text(h, store);
    let body = full.trim_start_matches("↳ hop ").to_string();
    let place = |cc: crate::event::Sym| {
        if cc.is_none() {
            "?".to_string()
        } else {
            clean_width(store.text(cc), 3)
        }
    };
    let speed = match h.kmh {
        Some(v) if v.is_finite() => {
            format!(" {} km/h", crate::tui::format::count(v.round() as u64))
        }
        Some(_) => " ∞ km/h".into(),
        None => " country change".into(),
    };
    let compact = format!(
        "{}→{}{speed}{}",
        place(h.from_country),
        place(h.to_country),
        if h.impossible { " IMPOSSIBLE" } else { "" }
    );
    [
        format!("{when} {full}"),
        format!("{when} {body}"),
        body,
        compact,
    ]
    .into_iter()
    .find(|t| t.width() <= width)
    .unwrap_or_else(|| {
        format!(
            "{}→{}{}",
            place(h.from_country),
            place(h.to_country),
            if h.impossible { " IMPOSSIBLE" } else { "" }
        )
    })
}

fn render_list(app: &App, st: &MapState, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if area.height == 0 {
        return;
    }
    let mut head = format!("hops ({})", st.hops.len());
    if st.unplaced > 0 {
        head.push_str(&format!(" · {} sign-ins without a place", st.unplaced));
    }
    widgets::line(
        buf,
        area,
        vec![Span::styled(head, theme.style(Role::Header))],
    );
    let rows = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    if st.hops.is_empty() {
        let msg = if st.points.is_empty() {
            "No sign-in locations known (no coordinates or countries)"
        } else {
            "No hops between places"
        };
        widgets::empty_message(buf, rows, theme, msg);
        return;
    }
    let (from, visible) = st.pos.visible(&st.hops, rows.height as usize);
    for (k, h) in visible.iter().enumerate() {
        let mut style = theme.style(if h.impossible {
            Role::HopImpossible
        } else {
            Role::Hop
        });
        if from + k == st.pos.selected {
            style = style.patch(theme.style(Role::Selected));
        }
        let line = Rect {
            y: rows.y + k as u16,
            height: 1,
            ..rows
        };
        buf.set_style(line, style);
        buf.set_stringn(
            line.x,
            line.y,
            clean_width(
                &hop_line(h, &app.session.store, line.width as usize),
                line.width as usize,
            ),
            line.width as usize,
            style,
        );
    }
}

impl ScreenView for MapState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Map, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        format!("Map {}", clean_width(&self.user, 28))
    }
    fn hints(&self) -> &'static [Action] {
        &[Action::Back, Action::PivotUser, Action::Help]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        list_area(body)
    }
    fn move_by(&mut self, _cx: &Ctx, delta: isize, height: usize) {
        self.pos.move_by(delta, self.hops.len(), height)
    }
    fn select_row(&mut self, _cx: &Ctx, row: usize, height: usize) {
        self.pos.to(row, self.hops.len(), height)
    }
    fn first_visible_row(&self, _app: &App, height: usize) -> usize {
        self.pos.window(self.hops.len(), height).0
    }
    fn open(&self, _app: &App) -> Open {
        Open::PivotUser
    }
    fn selected_user(&self, _app: &App) -> Option<Result<String, String>> {
        Some(Ok(self.user.clone()))
    }
}
