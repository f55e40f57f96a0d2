//! The alerts screen: a live table of findings (severity, risk, detector,
//! user or IP, events, first/last seen, verdict, suppressed marker),
//! sorted and filtered by the query line. The row list is rebuilt when
//! findings, verdicts or the query change; the selection is kept by
//! finding id and at the same screen row, so new findings never move what
//! the analyst is looking at.

use super::{Ctx, ListPos, Open, ScreenView};
use crate::finding::{Finding, Findings};
use crate::sanitize::clean_width;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{class_label, CaseLink, Class, Status, Target};
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::query::{Matcher, Query};
use crate::tui::theme::Role;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};
use std::cmp::Ordering;

/// What the table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Severity,
    Risk,
    Detector,
    Entity,
    Events,
    FirstSeen,
    LastSeen,
    Verdict,
}

impl SortKey {
    const CYCLE: [SortKey; 8] = [
        SortKey::Severity,
        SortKey::Risk,
        SortKey::Detector,
        SortKey::Entity,
        SortKey::Events,
        SortKey::FirstSeen,
        SortKey::LastSeen,
        SortKey::Verdict,
    ];

    pub fn next(self) -> SortKey {
        let i = SortKey::CYCLE.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::CYCLE
            .get(i + 1)
            .copied()
            .unwrap_or(SortKey::Severity)
    }

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Risk => "risk",
            SortKey::Detector => "detector",
            SortKey::Entity => "entity",
            SortKey::Events => "events",
            SortKey::FirstSeen => "first seen",
            SortKey::LastSeen => "last seen",
            SortKey::Verdict => "verdict",
        }
    }

    pub fn from_name(s: &str) -> Option<SortKey> {
        SortKey::CYCLE
            .into_iter()
            .find(|k| k.name().replace(' ', "") == s.replace([' ', '-', '_'], ""))
    }
}

/// The alerts table's state.
#[derive(Debug)]
pub struct AlertsState {
    pub query: Query,
    pub sort: SortKey,
    pub descending: bool,
    pub show_suppressed: bool,
    /// Indexes into `Findings::all()`, in display order.
    pub rows: Vec<usize>,
    pub selected_id: Option<String>,
    pub pos: ListPos,
    /// Findings hidden by the allowlist (shown with the toggle).
    pub suppressed: usize,
    /// Findings marked for a bulk verdict or status (by id).
    pub marks: std::collections::BTreeSet<String>,
    /// Closed findings are hidden unless this is set (the toggle).
    pub show_closed: bool,
    /// Closed findings hidden now.
    pub closed: usize,
}

impl Default for AlertsState {
    fn default() -> Self {
        AlertsState {
            query: Query::default(),
            sort: SortKey::Severity,
            descending: true,
            show_suppressed: false,
            rows: Vec::new(),
            selected_id: None,
            pos: ListPos::default(),
            suppressed: 0,
            marks: Default::default(),
            show_closed: false,
            closed: 0,
        }
    }
}

/// The entity a finding is about, for display (user, else IP).
pub fn entity(f: &Finding) -> &str {
    // A spray is about its IP, whoever signed in from it: the detector says.
    use crate::detect::describe::{About, Entity};
    let entity = f.detector.description().map_or(Entity::User, |d| d.entity);
    About::entity_of(entity, f).unwrap_or("-")
}

impl AlertsState {
    /// Rebuilds the rows, keeping the selected finding at the same screen row.
    pub fn refresh(
        &mut self,
        findings: &Findings,
        case: &CaseLink,
        matcher: &Matcher,
        height: usize,
    ) {
        let screen_row = self.pos.selected.saturating_sub(self.pos.offset);
        let all = findings.all();
        let verdict = |f: &Finding| case.verdict(&f.id).map(|v| v.class);
        self.suppressed = all.iter().filter(|f| f.suppressed.is_some()).count();
        let closed = |f: &Finding| case.work(Target::Finding, &f.id).status == Status::Closed;
        self.closed = if self.show_closed {
            0
        } else {
            all.iter().filter(|f| closed(f)).count()
        };
        let mut rows: Vec<(usize, &Finding)> = all
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                (self.show_suppressed || f.suppressed.is_none())
                    && (self.show_closed || !closed(f))
                    && self.query.matches_finding(f, verdict(f), matcher)
            })
            .collect();
        let (key, desc) = (self.sort, self.descending);
        rows.sort_by(|&(_, x), &(_, y)| {
            let o = compare(key, x, y, verdict(x), verdict(y));
            let o = if desc { o.reverse() } else { o };
            o.then_with(|| default_order(x, y))
        });
        let found = self
            .selected_id
            .as_ref()
            .and_then(|id| rows.iter().position(|(_, f)| &f.id == id));
        self.rows = rows.into_iter().map(|(i, _)| i).collect();
        match found {
            Some(r) => {
                self.pos.selected = r;
                self.pos.offset = r.saturating_sub(screen_row);
            }
            None => {
                // The selected finding left the list (filtered or suppressed): stay at the same row.
                self.pos.selected = self.pos.selected.min(self.rows.len().saturating_sub(1));
            }
        }
        self.pos.follow(self.rows.len(), height);
        self.sync_id(findings);
    }

    /// Moves the selection and remembers the finding id under it.
    pub fn move_by(&mut self, delta: isize, findings: &Findings, height: usize) {
        self.pos.move_by(delta, self.rows.len(), height);
        self.sync_id(findings);
    }

    pub fn select_row(&mut self, row: usize, findings: &Findings, height: usize) {
        self.pos.to(row, self.rows.len(), height);
        self.sync_id(findings);
    }

    fn sync_id(&mut self, findings: &Findings) {
        self.selected_id = self
            .rows
            .get(self.pos.selected)
            .and_then(|&i| findings.all().get(i))
            .map(|f| f.id.clone());
    }

    pub fn selected<'a>(&self, findings: &'a Findings) -> Option<&'a Finding> {
        self.rows
            .get(self.pos.selected)
            .and_then(|&i| findings.all().get(i))
    }
}

fn compare(
    key: SortKey,
    x: &Finding,
    y: &Finding,
    vx: Option<Class>,
    vy: Option<Class>,
) -> Ordering {
    match key {
        SortKey::Severity => x
            .severity
            .cmp(&y.severity)
            .then(x.risk.cmp(&y.risk))
            .then(x.last_seen.cmp(&y.last_seen)),
        SortKey::Risk => x.risk.cmp(&y.risk),
        SortKey::Detector => x.detector.cmp(&y.detector),
        SortKey::Entity => entity(x).cmp(entity(y)),
        SortKey::Events => x.event_count.cmp(&y.event_count),
        SortKey::FirstSeen => x.first_seen.cmp(&y.first_seen),
        SortKey::LastSeen => x.last_seen.cmp(&y.last_seen),
        SortKey::Verdict => vx.map(|c| c.as_str()).cmp(&vy.map(|c| c.as_str())),
    }
}

fn default_order(x: &Finding, y: &Finding) -> Ordering {
    y.severity
        .cmp(&x.severity)
        .then(y.risk.cmp(&x.risk))
        .then(x.first_seen.cmp(&y.first_seen))
        .then(x.id.cmp(&y.id))
}

/// The parts of the alerts body: query line, table, preview of the selected finding.
pub struct Layout {
    pub query: Rect,
    pub table: Rect,
    pub preview: Rect,
}

pub fn layout(body: Rect) -> Layout {
    let q = 1.min(body.height);
    let p = if body.height >= 8 { 2 } else { 0 };
    Layout {
        query: Rect { height: q, ..body },
        table: Rect {
            y: body.y + q,
            height: body.height.saturating_sub(q + p),
            ..body
        },
        preview: Rect {
            y: body.bottom().saturating_sub(p),
            height: p,
            ..body
        },
    }
}

/// Rows visible in the table.
pub fn list_area(body: Rect) -> Rect {
    table::rows_area(layout(body).table)
}

impl ScreenView for AlertsState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Alerts, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        "Alerts".into()
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Open,
            Action::Search,
            Action::PivotUser,
            Action::PivotIp,
            Action::VerdictFalsePositive,
            Action::Allowlist,
            Action::ToggleSuppressed,
            Action::PivotIncident,
            Action::ToggleMark,
            Action::Events,
            Action::Help,
            Action::Quit,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        list_area(body)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        AlertsState::move_by(self, delta, &cx.session.findings, height)
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        AlertsState::select_row(self, row, &cx.session.findings, height)
    }
    fn first_visible_row(&self, _app: &App, height: usize) -> usize {
        self.pos.window(self.rows.len(), height).0
    }
    fn open(&self, app: &App) -> Open {
        match self.selected(&app.session.findings) {
            Some(f) => Open::Finding(f.id.clone()),
            None => Open::Nothing,
        }
    }
    fn selected_finding<'a>(&self, app: &'a App) -> Option<&'a Finding> {
        self.selected(&app.session.findings)
    }
    fn targets(&self, app: &App) -> Vec<String> {
        if self.marks.is_empty() {
            self.selected(&app.session.findings)
                .map(|f| vec![f.id.clone()])
                .unwrap_or_default()
        } else {
            self.marks.iter().cloned().collect()
        }
    }
    fn selected_user(&self, app: &App) -> Option<Result<String, String>> {
        Some(match self.selected(&app.session.findings) {
            None => Err("select a finding first".into()),
            Some(f) => f.user.clone().ok_or_else(|| super::NO_USER.to_string()),
        })
    }
    fn selected_ip(&self, app: &App) -> Option<String> {
        let store = &app.session.store;
        self.selected(&app.session.findings).and_then(|f| {
            f.ip.clone().or_else(|| {
                f.evidence
                    .first()
                    .map(|&i| store.text(store.get(i).ip).to_string())
                    .filter(|s| !s.is_empty())
            })
        })
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        AlertsState::refresh(self, &cx.session.findings, cx.case, cx.matcher, height)
    }
    fn toggle_closed(&mut self) -> Option<bool> {
        self.show_closed = !self.show_closed;
        Some(self.show_closed)
    }
    fn query_text(&self) -> Option<&str> {
        Some(&self.query.text)
    }
    fn set_query(&mut self, cx: &Ctx, text: &str, height: usize) {
        self.query = Query::parse(text);
        AlertsState::refresh(self, &cx.session.findings, cx.case, cx.matcher, height)
    }
}

pub fn render(app: &App, st: &AlertsState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let l = layout(body);
    render_query_line(app, st, l.query, buf);
    let wide = body.width >= 120;
    let findings = &app.session.findings;
    let all = findings.all();
    if st.rows.is_empty() {
        let msg = if all.is_empty() && app.loading() {
            "Loading… alerts appear here as detectors fire".to_string()
        } else if all.is_empty() {
            "No findings: no detector fired on these logs".to_string()
        } else if !st.query.is_empty() {
            format!(
                "No finding matches `{}` (ctrl-l clears the query)",
                clean_width(&st.query.text, 40)
            )
        } else if st.closed > 0 {
            format!(
                "Every shown finding is closed (H shows the {} closed)",
                st.closed
            )
        } else {
            format!("All {} findings are suppressed (x shows them)", all.len())
        };
        table::View {
            header: &[],
            widths: &[],
            rows: vec![],
            selected: None,
            len: 0,
            offset: 0,
            ticks: &[],
        }
        .draw(buf, l.table, theme);
        widgets::empty_message(buf, table::rows_area(l.table), theme, &msg);
        render_preview(app, st, l.preview, buf);
        return;
    }
    let height = table::rows_area(l.table).height as usize;
    let (from, visible) = st.pos.visible(&st.rows, height);
    let arrow = if st.descending { "↓" } else { "↑" };
    let sorted = |k: SortKey, t: &'static str| -> String {
        if st.sort == k {
            format!("{t}{arrow}")
        } else {
            t.to_string()
        }
    };
    let headers: Vec<String> = if wide {
        vec![
            String::new(),
            sorted(SortKey::Severity, "sev"),
            sorted(SortKey::Risk, "risk"),
            sorted(SortKey::Detector, "detector"),
            sorted(SortKey::Entity, "user"),
            "ip".into(),
            sorted(SortKey::Events, "events"),
            sorted(SortKey::FirstSeen, "first seen"),
            sorted(SortKey::LastSeen, "last seen"),
            sorted(SortKey::Verdict, "verdict"),
            "title".into(),
        ]
    } else {
        vec![
            String::new(),
            sorted(SortKey::Severity, "sev"),
            sorted(SortKey::Risk, "risk"),
            sorted(SortKey::Detector, "detector"),
            sorted(SortKey::Entity, "user / ip"),
            sorted(SortKey::Events, "evts"),
            sorted(SortKey::FirstSeen, "first"),
            sorted(SortKey::LastSeen, "last"),
            sorted(SortKey::Verdict, "vrd"),
        ]
    };
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    // Full dates only when the title column keeps room to be read.
    let long_times = body.width >= 170;
    let time_w = if long_times { 16 } else { 11 };
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(1),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(19),
            Constraint::Length(24),
            Constraint::Length(15),
            Constraint::Length(6),
            Constraint::Length(time_w),
            Constraint::Length(time_w),
            Constraint::Length(7),
            Constraint::Min(10),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(9),
            Constraint::Min(12),
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(4),
        ]
    };
    let mut rows = Vec::with_capacity(visible.len());
    for &i in visible {
        // A row whose finding is gone draws as an empty row.
        let Some(f) = all.get(i) else {
            rows.push(Row::new(Vec::<Cell>::new()));
            continue;
        };
        let verdict = app
            .case
            .verdict(&f.id)
            .map(|v| class_label(v.class))
            .unwrap_or("");
        let base = if f.suppressed.is_some() {
            theme.style(Role::Suppressed)
        } else {
            theme.style(Role::Text)
        };
        let sev = Cell::from(format::severity(f.severity))
            .style(theme.style(format::severity_role(f.severity)));
        // Marked for a bulk change, else closed (shown with H), else suppressed.
        let mark = if st.marks.contains(&f.id) {
            "●"
        } else if app.case.work(Target::Finding, &f.id).status == Status::Closed {
            "✓"
        } else if f.suppressed.is_some() {
            "⊘"
        } else {
            " "
        };
        let mut cells = vec![
            Cell::from(mark),
            sev,
            Cell::from(format!("{:>4}", f.risk)),
            Cell::from(if wide {
                f.detector.as_str()
            } else {
                format::detector_short(f.detector)
            }),
        ];
        if wide {
            cells.push(Cell::from(clean_width(
                f.user.as_deref().unwrap_or("-"),
                24,
            )));
            cells.push(Cell::from(clean_width(f.ip.as_deref().unwrap_or("-"), 15)));
        } else {
            cells.push(Cell::from(clean_width(
                entity(f),
                (body.width as usize).saturating_sub(60).max(12),
            )));
        }
        cells.push(Cell::from(format!(
            "{:>w$}",
            format::count(f.event_count as u64),
            w = if wide { 6 } else { 5 }
        )));
        if long_times {
            // To the minute ("-" for a time past the calendar).
            let minute = |ms| format::prefix(&format::time(ms), 16).to_string();
            cells.push(Cell::from(minute(f.first_seen)));
            cells.push(Cell::from(minute(f.last_seen)));
        } else {
            cells.push(Cell::from(format::short_time(f.first_seen)));
            cells.push(Cell::from(format::short_time(f.last_seen)));
        }
        cells.push(Cell::from(verdict).style(theme.style(Role::Verdict)));
        if wide {
            let title = match &f.suppressed {
                Some(s) => format!("⊘ {}", s.note),
                None => f.title.clone(),
            };
            cells.push(Cell::from(clean_width(&title, 200)));
        }
        rows.push(Row::new(cells).style(base));
    }
    let ticks: Vec<usize> = Vec::new();
    table::View {
        header: &header_refs,
        widths: &widths,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: st.rows.len(),
        offset: from,
        ticks: &ticks,
    }
    .draw(buf, l.table, theme);
    render_preview(app, st, l.preview, buf);
}

fn render_query_line(app: &App, st: &AlertsState, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let shown = st.rows.len();
    let total = app.session.findings.len();
    let mut spans = vec![Span::styled("/", theme.style(Role::Key)), Span::raw(" ")];
    if st.query.text.is_empty() {
        spans.push(Span::styled(
            "query: user: ip: sev:>=high det: verdict: text",
            theme.style(Role::Dim),
        ));
    } else {
        spans.push(Span::styled(
            clean_width(&st.query.text, 60),
            theme.style(Role::Input),
        ));
        if let Some(e) = st.query.errors.first() {
            spans.push(Span::styled(
                format!("  ⚠ {}", clean_width(e, 50)),
                theme.style(Role::Warning),
            ));
        }
    }
    let mut right = format!("{shown} of {total}");
    if st.suppressed > 0 {
        right.push_str(&format!(
            " · {} suppressed{}",
            st.suppressed,
            if st.show_suppressed { " (shown)" } else { "" }
        ));
    }
    if st.closed > 0 {
        right.push_str(&format!(" · {} closed", st.closed));
    } else if st.show_closed {
        right.push_str(" · closed shown");
    }
    widgets::line(buf, area, spans);
    let w = right.chars().count() as u16;
    if area.width > w + 30 && area.height > 0 {
        buf.set_string(area.right() - w, area.y, &right, theme.style(Role::Dim));
    }
}

fn render_preview(app: &App, st: &AlertsState, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let Some(f) = st.selected(&app.session.findings) else {
        return;
    };
    let w = area.width as usize;
    widgets::line(
        buf,
        area,
        vec![
            Span::styled(
                format::severity(f.severity),
                theme.style(format::severity_role(f.severity)),
            ),
            Span::raw(" "),
            Span::styled(
                clean_width(&f.title, w.saturating_sub(6)),
                theme.style(Role::Title),
            ),
        ],
    );
    let mut second: Vec<Span> = Vec::new();
    if let Some(s) = &f.suppressed {
        let who = match s.entry {
            Some(id) if id > 0 => format!("⊘ suppressed by allowlist entry #{id}: "),
            Some(_) => "⊘ suppressed by a config allowlist entry: ".to_string(),
            None => "⊘ suppressed by the detector: ".to_string(),
        };
        second.push(Span::styled(who, theme.style(Role::Suppressed)));
        second.push(Span::styled(
            clean_width(&s.note, w.saturating_sub(40)),
            theme.style(Role::Suppressed),
        ));
    } else if let Some(v) = app.case.verdict(&f.id) {
        second.push(Span::styled(
            format!("verdict {} ", v.class.as_str()),
            theme.style(Role::Verdict),
        ));
        if let Some(n) = &v.note {
            second.push(Span::styled(
                format!("“{}”", clean_width(n, w.saturating_sub(30))),
                theme.style(Role::Text),
            ));
        }
    } else {
        second.push(Span::styled(
            format!("{} · id {}", f.detector.as_str(), f.id),
            theme.style(Role::Dim),
        ));
    }
    widgets::line(
        buf,
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
        second,
    );
}
