//! The settings screen: every built-in detector's settings, read from the
//! registry (each detector's description and its typed config section in
//! `src/detect/NAME/settings.rs`), with the value in force, the default and
//! the detector's one-line doc. Enter on a setting opens the command line
//! holding `set DETECTOR.SETTING `, so typing a value runs the same what-if
//! as `:set` (difference, then keep or revert). Read-only: it changes no
//! setting itself.

use super::{Ctx, ListPos, Open, ScreenView};
use crate::config::Config;
use crate::finding::DetectorId;
use crate::sanitize::clean_width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// One setting of one detector.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingRow {
    pub detector: DetectorId,
    pub key: String,
    pub value: toml::Value,
    pub default: toml::Value,
    /// The detector's settings doc (its `settings.rs` `DOC`).
    pub doc: &'static str,
}

impl SettingRow {
    /// `brute_force.min_failures`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.detector, self.key)
    }

    pub fn changed(&self) -> bool {
        self.value != self.default
    }
}

/// Every built-in detector's settings in `config`, in registry order.
pub fn rows(config: &Config) -> Vec<SettingRow> {
    let defaults = Config::default();
    let mut out = Vec::new();
    for id in DetectorId::ALL {
        let Some(d) = id.description() else {
            continue;
        };
        let default: std::collections::HashMap<String, toml::Value> =
            crate::tune::settings::settings_of(&defaults, id)
                .into_iter()
                .collect();
        for (key, value) in crate::tune::settings::settings_of(config, id) {
            out.push(SettingRow {
                detector: id,
                default: default.get(&key).cloned().unwrap_or_else(|| value.clone()),
                key,
                value,
                doc: d.settings,
            });
        }
    }
    out
}

/// The screen: its selection.
#[derive(Debug, Default)]
pub struct SettingsState {
    pub pos: ListPos,
}

/// The three lines above the table: a summary, then the selected
/// detector's doc (wrapped over two lines).
fn head_area(body: Rect) -> (Rect, Rect) {
    let top = body.height.min(3);
    (
        Rect {
            height: top,
            ..body
        },
        Rect {
            y: body.y.saturating_add(top),
            height: body.height.saturating_sub(top),
            ..body
        },
    )
}

fn summary(all: &[SettingRow]) -> String {
    let detectors = {
        let mut d: Vec<DetectorId> = all.iter().map(|r| r.detector).collect();
        d.dedup();
        d.len()
    };
    let changed = all.iter().filter(|r| r.changed()).count();
    format!(
        "{} settings of {detectors} detectors, {changed} not at the default · enter sets one",
        all.len()
    )
}

pub fn render(app: &App, st: &SettingsState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let all = rows(&app.session.config);
    let (head, body) = head_area(body);
    let width = head.width as usize;
    let selected = all.get(st.pos.selected.min(all.len().saturating_sub(1)));
    let doc = selected.map_or(String::new(), |r| format!("{}: {}", r.detector, r.doc));
    let line = Rect {
        height: head.height.min(1),
        ..head
    };
    widgets::line(
        buf,
        line,
        vec![Span::styled(
            clean_width(&summary(&all), width),
            theme.style(Role::Dim),
        )],
    );
    let doc_area = Rect {
        y: head.y.saturating_add(1),
        height: head.height.saturating_sub(1),
        ..head
    };
    Paragraph::new(crate::sanitize::clean(&doc))
        .style(theme.style(Role::Text))
        .wrap(Wrap { trim: true })
        .render(doc_area, buf);
    if all.is_empty() {
        widgets::empty_message(buf, body, theme, "no detector has settings");
        return;
    }
    let wide = body.width >= 120;
    let mut columns = vec![
        table::Column::new("setting", Col::range(20, 44, 0)),
        table::Column::new("value", Col::range(8, 30, 1)),
        table::Column::new("default", Col::range(8, 30, 2)),
    ];
    if wide {
        columns.push(table::Column::new(
            "about the detector's settings",
            Col::grow(20, 400, 9),
        ));
    }
    let height = table::rows_area(body).height as usize;
    let (from, visible) = st.pos.visible(&all, height);
    let rows: Vec<table::Line> = visible
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let value_role = if r.changed() {
                Role::Accent
            } else {
                Role::Text
            };
            let mut cells = vec![
                table::Cell::new(r.path()),
                table::Cell::new(r.value.to_string()).style(theme.style(value_role)),
                table::Cell::new(r.default.to_string()).style(theme.style(Role::Dim)),
            ];
            if wide {
                // The doc once per detector: on its first row shown.
                let prev = (from + i).checked_sub(1).and_then(|p| all.get(p));
                let first = i == 0 || prev.is_none_or(|p| p.detector != r.detector);
                let doc = if first { r.doc } else { "" };
                cells.push(table::Cell::new(doc).style(theme.style(Role::Dim)));
            }
            table::Line::new(cells)
        })
        .collect();
    table::View {
        columns: &columns,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: all.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, body, theme);
}

impl ScreenView for SettingsState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "Detector settings".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[Action::Back, Action::Open, Action::Help, Action::Quit]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        table::rows_area(head_area(body).1)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        self.pos
            .move_by(delta, rows(&cx.session.config).len(), height)
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        self.pos.to(row, rows(&cx.session.config).len(), height)
    }
    fn first_visible_row(&self, app: &App, height: usize) -> usize {
        self.pos.window(rows(&app.session.config).len(), height).0
    }
    fn open(&self, app: &App) -> Open {
        match rows(&app.session.config).get(self.pos.selected) {
            Some(r) => Open::Command(format!("set {} ", r.path())),
            None => Open::Nothing,
        }
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        self.pos.follow(rows(&cx.session.config).len(), height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_detector_with_a_description_lists_its_settings_with_default_and_doc() {
        let mut config = Config::default();
        config.detectors.brute_force.min_failures = 4;
        let all = rows(&config);
        for id in DetectorId::ALL {
            if let Some(d) = id.description() {
                assert!(
                    all.iter().any(|r| r.detector == id && r.doc == d.settings),
                    "{id} has no row"
                );
            }
        }
        let bf = all
            .iter()
            .find(|r| r.path() == "brute_force.min_failures")
            .unwrap();
        assert_eq!(
            (bf.value.as_integer(), bf.default.as_integer()),
            (Some(4), Some(10))
        );
        assert!(bf.changed());
        assert_eq!(all.iter().filter(|r| r.changed()).count(), 1);
    }
}
