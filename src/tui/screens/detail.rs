//! Alert detail: what the finding is, why it fired (the rule in words with
//! the configured thresholds, and the values from `finding.details` that
//! crossed them), its verdict or suppression, and the evidence records,
//! each of which opens its raw record. State is the finding id, the
//! evidence selection and how far "why it fired" is scrolled; everything
//! else is read from the session.

use super::ListPos;
use super::{Ctx, Open, ScreenView};
use crate::config::Config;
use crate::detect::describe::About;
use crate::finding::Finding;
use crate::sanitize::{clean, clean_width};
use crate::store::EventIdx;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::Note;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct DetailState {
    pub id: String,
    pub pos: ListPos,
    /// First row of "why it fired" shown, when it does not fit its box.
    pub why_offset: usize,
}

impl DetailState {
    pub fn new(id: String) -> DetailState {
        DetailState {
            id,
            pos: ListPos::default(),
            why_offset: 0,
        }
    }

    /// Scrolls "why it fired" by `delta` rows, within what it holds.
    pub fn scroll_why(&mut self, app: &App, body: Rect, delta: isize) {
        let (rows, shown) = why_fit(app, self, body);
        let max = rows.saturating_sub(shown) as isize;
        self.why_offset = (self.why_offset as isize + delta).clamp(0, max.max(0)) as usize;
    }
}

/// Rows "why it fired" takes, and rows its box shows, for this finding at `body`.
pub fn why_fit(app: &App, st: &DetailState, body: Rect) -> (usize, usize) {
    let Some(f) = app.session.findings.get(&st.id) else {
        return (0, 0);
    };
    let why = why_lines(
        f,
        &app.session.config,
        app.case.notes_of(&f.id),
        &app.theme,
        body.width as usize,
    );
    let rows = wrapped_rows(&why, body.width);
    let shown = layout(body, rows).why.height.saturating_sub(1) as usize;
    (rows, shown)
}

/// The "why it fired" lines: the rule, the crossed thresholds, then every detail value.
pub fn why_lines<'a>(
    f: &Finding,
    config: &Config,
    notes: &[Note],
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let about = About::of(f, config);
    let mut out = vec![Line::from(Span::styled(
        clean(&about.rule).to_string(),
        theme.style(Role::Text),
    ))];
    for c in &about.checks {
        let mark = if c.cmp.crossed(c.value, c.limit) {
            "▲"
        } else {
            "·"
        };
        out.push(Line::from(vec![
            Span::styled(format!("{mark} {} ", c.key), theme.style(Role::Accent)),
            Span::styled(trim_num(c.value), theme.style(Role::Evidence)),
            Span::styled(
                format!(" {} {} {}", c.cmp.symbol(), c.name, trim_num(c.limit)),
                theme.style(Role::Dim),
            ),
        ]));
    }
    if let Value::Object(map) = &f.details {
        for (k, v) in map {
            if k == "thresholds" {
                if let Value::Object(t) = v {
                    let parts: Vec<String> = t
                        .iter()
                        .map(|(k, v)| format!("{k}={}", scalar(v, 40)))
                        .collect();
                    out.push(kv_line("thresholds", &parts.join(", "), theme, width));
                }
                continue;
            }
            if let Some(lines) = (about.explain)(k, &f.details) {
                for (label, text) in lines {
                    out.push(kv_line(&label, &text, theme, width));
                }
                continue;
            }
            out.push(kv_line(k, &scalar(v, MAX_VALUE), theme, width));
        }
    } else if !f.details.is_null() {
        out.push(kv_line(
            "details",
            &scalar(&f.details, MAX_VALUE),
            theme,
            width,
        ));
    }
    for n in notes {
        let who = format!(
            "  note by {} at {}: ",
            clean(&n.analyst),
            n.at.format("%Y-%m-%d %H:%M")
        );
        out.push(Line::from(vec![
            Span::styled(who, theme.style(Role::Verdict)),
            Span::styled(
                clean_width(&n.text, width.saturating_sub(40).max(20)),
                theme.style(Role::Text),
            ),
        ]));
    }
    out
}

/// Most characters of one detail value shown (wrapped); `Y` copies it all.
const MAX_VALUE: usize = 4000;

/// Most array items of one detail value shown.
const MAX_ITEMS: usize = 200;

fn kv_line<'a>(k: &str, v: &str, theme: &Theme, _width: usize) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("  {}: ", clean_width(k, 30)),
            theme.style(Role::Dim),
        ),
        // The whole value: the paragraph wraps it (user lists, matched hits).
        Span::styled(clean_width(v, MAX_VALUE), theme.style(Role::Text)),
    ])
}

fn trim_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format::count(v.abs() as u64)
    } else {
        format!("{v:.1}")
    }
}

/// A detail value as one line of text (arrays joined, objects as compact JSON).
fn scalar(v: &Value, max: usize) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "-".into(),
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .take(MAX_ITEMS)
                .map(|x| scalar(x, MAX_VALUE))
                .collect();
            let more = if a.len() > MAX_ITEMS {
                format!(" (+{} more)", a.len() - MAX_ITEMS)
            } else {
                String::new()
            };
            format!("{}{more}", items.join(", "))
        }
        Value::Object(_) => v.to_string(),
    };
    clean_width(&s, max.max(8))
}

/// Parts of the detail body.
pub struct Layout {
    pub header: Rect,
    pub why: Rect,
    pub evidence: Rect,
}

/// Rows the lines take when wrapped to `width` columns.
fn wrapped_rows(lines: &[Line], width: u16) -> usize {
    let w = width.max(1) as usize;
    lines.iter().map(|l| l.width().div_ceil(w).max(1)).sum()
}

/// Header, "why it fired" (as many rows as it needs, up to half the
/// space), and the evidence table below.
pub fn layout(body: Rect, why_len: usize) -> Layout {
    let header = 3.min(body.height);
    let rest = body.height.saturating_sub(header);
    let why = (why_len as u16 + 1)
        .min(rest / 2)
        .min(rest.saturating_sub(4));
    Layout {
        header: Rect {
            height: header,
            ..body
        },
        why: Rect {
            y: body.y + header,
            height: why,
            ..body
        },
        evidence: Rect {
            y: body.y + header + why,
            height: rest.saturating_sub(why),
            ..body
        },
    }
}

/// Rows of the evidence list (the selectable part).
pub fn list_area(app: &App, st: &DetailState, body: Rect) -> Rect {
    let n = app
        .session
        .findings
        .get(&st.id)
        .map(|f| {
            why_lines(
                f,
                &app.session.config,
                app.case.notes_of(&f.id),
                &app.theme,
                body.width as usize,
            )
        })
        .map(|l| wrapped_rows(&l, body.width))
        .unwrap_or(0);
    table::rows_area(layout(body, n).evidence)
}

pub fn render(app: &App, st: &DetailState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(f) = app.session.findings.get(&st.id) else {
        widgets::empty_message(
            buf,
            body,
            theme,
            "This finding is gone (the detectors replaced it)",
        );
        return;
    };
    let width = body.width as usize;
    let why = why_lines(
        f,
        &app.session.config,
        app.case.notes_of(&f.id),
        theme,
        width,
    );
    let rows = wrapped_rows(&why, body.width);
    let l = layout(body, rows);
    render_header(app, f, l.header, buf);
    if l.why.height > 0 {
        let shown = l.why.height.saturating_sub(1) as usize;
        let offset = st.why_offset.min(rows.saturating_sub(shown));
        let mut title = vec![Span::styled("Why it fired", theme.style(Role::Header))];
        if rows > shown {
            // Say what is hidden and how to see it (keys from the keymap).
            let contexts = [Context::Detail, Context::List, Context::Global];
            let keys = [Action::WhyUp, Action::WhyDown]
                .into_iter()
                .filter_map(|a| app.keymap.label(&contexts, a))
                .collect::<Vec<_>>()
                .join("/");
            title.push(Span::styled(
                format!(
                    "  rows {}–{} of {}{}",
                    offset + 1,
                    (offset + shown).min(rows),
                    rows,
                    if keys.is_empty() {
                        String::new()
                    } else {
                        format!(" · {keys} scroll")
                    }
                ),
                theme.style(Role::Dim),
            ));
        }
        widgets::line(buf, l.why, title);
        Paragraph::new(why)
            .wrap(Wrap { trim: false })
            .scroll((offset.min(u16::MAX as usize) as u16, 0))
            .render(
                Rect {
                    y: l.why.y + 1,
                    height: l.why.height.saturating_sub(1),
                    ..l.why
                },
                buf,
            );
    }
    render_evidence(app, f, st, l.evidence, buf);
}

/// The second header line: user, address and the time range. The range is
/// never cut mid-date: it takes the longest form that fits (with the event
/// count, then without, then to the minute) and the user gives way first.
fn who_line(app: &App, f: &Finding, w: usize) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let ip = f.ip.as_deref().map(|ip| clean_width(ip, 39));
    let ip_w = ip.as_deref().map_or(0, |ip| 4 + crate::sanitize::width(ip));
    let user_w = f.user.as_deref().map_or(0, crate::sanitize::width);
    let (first, last) = (format::time(f.first_seen), format::time(f.last_seen));
    let forms = [
        format!(
            "{first} → {last} · {}",
            format::counted(f.event_count as u64, "event", "events")
        ),
        format!("{first} → {last}"),
        format!(
            "{} → {}",
            format::short_time(f.first_seen),
            format::short_time(f.last_seen)
        ),
    ];
    // The user stays whole (up to 40 cells) before the range shortens.
    let user_floor = if f.user.is_some() {
        5 + user_w.min(40) + 1
    } else {
        0
    };
    let range = forms
        .into_iter()
        .find(|r| user_floor + ip_w + crate::sanitize::width(r) <= w);
    let range_w = range.as_deref().map_or(0, crate::sanitize::width);
    let mut who = Vec::new();
    if let Some(u) = &f.user {
        let room = w.saturating_sub(ip_w + range_w + 6).clamp(1, 40);
        who.push(Span::styled("user ", theme.style(Role::Dim)));
        who.push(Span::styled(
            format!("{} ", clean_width(u, room)),
            theme.style(Role::Text),
        ));
    }
    if let Some(ip) = ip {
        who.push(Span::styled("ip ", theme.style(Role::Dim)));
        who.push(Span::styled(format!("{ip} "), theme.style(Role::Text)));
    }
    if let Some(r) = range {
        who.push(Span::styled(r, theme.style(Role::Dim)));
    }
    who
}

fn render_header(app: &App, f: &Finding, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let w = area.width as usize;
    let row = |i: u16| Rect {
        y: area.y + i,
        height: 1,
        ..area
    };
    if area.height == 0 {
        return;
    }
    widgets::line(
        buf,
        row(0),
        vec![
            Span::styled(
                format!("{} ", format::severity(f.severity)),
                theme.style(format::severity_role(f.severity)),
            ),
            Span::styled(format!("risk {} ", f.risk), theme.style(Role::Text)),
            Span::styled(
                format!("{} ", f.detector.as_str()),
                theme.style(Role::Accent),
            ),
            Span::styled(
                clean_width(&f.title, w.saturating_sub(30)),
                theme.style(Role::Title),
            ),
        ],
    );
    if area.height < 2 {
        return;
    }
    let who = who_line(app, f, w);
    widgets::line(buf, row(1), who);
    if area.height < 3 {
        return;
    }
    let third = if let Some(s) = &f.suppressed {
        let who = match s.entry {
            Some(id) if id > 0 => format!("⊘ suppressed by allowlist entry #{id}: "),
            Some(_) => "⊘ suppressed by a config allowlist entry: ".into(),
            None => "⊘ suppressed by the detector: ".into(),
        };
        vec![
            Span::styled(who, theme.style(Role::Suppressed)),
            Span::styled(
                clean_width(&s.note, w.saturating_sub(40)),
                theme.style(Role::Suppressed),
            ),
        ]
    } else if let Some(v) = app.case.verdict(&f.id) {
        let mut s = vec![
            Span::styled(
                format!("verdict {}", v.class.as_str()),
                theme.style(Role::Verdict),
            ),
            Span::styled(
                format!(
                    " by {} at {}",
                    clean(&v.analyst),
                    v.at.format("%Y-%m-%d %H:%M")
                ),
                theme.style(Role::Dim),
            ),
        ];
        if let Some(n) = &v.note {
            s.push(Span::styled(
                format!(" “{}”", clean_width(n, w.saturating_sub(50))),
                theme.style(Role::Text),
            ));
        }
        s
    } else {
        vec![Span::styled(
            format!("no verdict yet · id {}", f.id),
            theme.style(Role::Dim),
        )]
    };
    widgets::line(buf, row(2), third);
}

fn render_evidence(app: &App, f: &Finding, st: &DetailState, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let store = &app.session.store;
    let height = table::rows_area(area).height as usize;
    let (from, visible) = st.pos.visible(&f.evidence, height);
    let wide = area.width >= 120;
    let rows: Vec<table::Line> = visible
        .iter()
        .map(|&i| {
            let ev = store.get(i);
            let mut cells = format::event_cells(store, theme, &ev);
            if wide {
                cells.push(table::Cell::new(store.text(ev.result_code)));
                cells.push(table::Cell::new(format::asn(store, &ev)));
            }
            table::Line::new(cells)
        })
        .collect();
    let mut columns = format::event_columns("evidence time");
    if wide {
        // Both give way before the operation.
        columns.push(table::Column::new("code", Col::fixed(12, 10)));
        columns.push(table::Column::new("AS", Col::range(8, 30, 11)));
    }
    table::View {
        columns: &columns,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: f.evidence.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, area, theme);
    if f.evidence.is_empty() {
        widgets::empty_message(buf, table::rows_area(area), theme, "No evidence recorded");
    }
}

impl ScreenView for DetailState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Detail, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        format!("Alert {}", crate::tui::format::prefix(&self.id, 8))
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Open,
            Action::PivotUser,
            Action::PivotIp,
            Action::PivotMap,
            Action::VerdictFalsePositive,
            Action::Allowlist,
            Action::Help,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, app: &App, body: Rect) -> Rect {
        list_area(app, self, body)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        let len = evidence_len(cx.session, &self.id);
        self.pos.move_by(delta, len, height);
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        let len = evidence_len(cx.session, &self.id);
        self.pos.to(row, len, height);
    }
    fn first_visible_row(&self, app: &App, height: usize) -> usize {
        self.pos
            .window(evidence_len(&app.session, &self.id), height)
            .0
    }
    fn open(&self, _app: &App) -> Open {
        Open::Raw
    }
    fn selected_finding<'a>(&self, app: &'a App) -> Option<&'a Finding> {
        app.session.findings.get(&self.id)
    }
    fn selected_event(&self, app: &App) -> Option<EventIdx> {
        app.session
            .findings
            .get(&self.id)
            .and_then(|f| f.evidence.get(self.pos.selected).copied())
    }
    fn selected_user(&self, app: &App) -> Option<Result<String, String>> {
        let store = &app.session.store;
        let from_event = self
            .selected_event(app)
            .map(|i| store.text(store.get(i).user).to_string())
            .filter(|u| !u.is_empty());
        Some(match self.selected_finding(app) {
            None => Err("select a finding first".into()),
            Some(f) => f
                .user
                .clone()
                .or(from_event)
                .ok_or_else(|| super::NO_USER.to_string()),
        })
    }
    fn selected_ip(&self, app: &App) -> Option<String> {
        let store = &app.session.store;
        self.selected_event(app)
            .map(|i| store.text(store.get(i).ip).to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| self.selected_finding(app).and_then(|f| f.ip.clone()))
    }
}

fn evidence_len(session: &crate::pipeline::Session, id: &str) -> usize {
    session
        .findings
        .get(id)
        .map(|f| f.evidence.len())
        .unwrap_or(0)
}
