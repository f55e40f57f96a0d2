//! The alerts screen: a live table of findings (severity, risk, detector,
//! user or IP, events, first/last seen, verdict, suppressed marker),
//! sorted and filtered by the query line. The row list is rebuilt when
//! findings, verdicts or the query change; the selection is kept by
//! finding id and at the same screen row, so new findings never move what
//! the analyst is looking at.

use super::{Ctx, ListPos, Open, ScreenView};
use crate::finding::{Finding, Findings};
use crate::incident::Incidents;
use crate::sanitize::{clean, clean_width};
use crate::store::Store;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{class_label, CaseLink, Class, Status, Target};
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::query::{Matcher, Query, Scope};
use crate::tui::theme::Role;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use rustc_hash::{FxHashMap, FxHashSet};
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
    /// Follow mode: the revision of each finding the analyst has seen
    /// (selected). Rows created or updated since are marked `+`.
    pub seen: rustc_hash::FxHashMap<String, u32>,
    /// Set when the first load finished: what was there then counts as seen.
    pub baseline: bool,
    /// Findings marked for a bulk verdict or status (by id).
    pub marks: std::collections::BTreeSet<String>,
    /// Closed findings are hidden unless this is set (the toggle).
    pub show_closed: bool,
    /// Closed findings hidden now.
    pub closed: usize,
    /// Rows standing for a background-scanning roll-up, by the id of the
    /// finding shown for it (the roll-up's most severe one).
    pub rolled: rustc_hash::FxHashMap<String, Rolled>,
}

/// A background-scanning incident shown as one alert row.
#[derive(Debug, Clone, Default)]
pub struct Rolled {
    pub incident: String,
    pub title: String,
    /// Findings of the roll-up the row stands for (those the query lets through).
    pub findings: usize,
    pub addresses: usize,
    pub events: u64,
    pub first_seen: i64,
    pub last_seen: i64,
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
            seen: Default::default(),
            baseline: false,
            marks: Default::default(),
            show_closed: false,
            closed: 0,
            rolled: Default::default(),
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
        incidents: &Incidents,
        case: &CaseLink,
        matcher: &Matcher,
        store: &Store,
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
                    && self
                        .query
                        .matches_finding_in(f, verdict(f), matcher, Some(store))
            })
            .collect();
        let (key, desc) = (self.sort, self.descending);
        rows.sort_by(|&(_, x), &(_, y)| {
            let o = compare(key, x, y, verdict(x), verdict(y));
            let o = if desc { o.reverse() } else { o };
            o.then_with(|| default_order(x, y))
        });
        self.rolled = roll_up(&mut rows, incidents);
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
        // The row under the cursor is seen.
        if let (true, Some(id)) = (self.baseline, &self.selected_id) {
            self.seen.insert(id.clone(), findings.revision(id));
        }
    }

    /// The first load finished: every finding so far counts as seen, and
    /// from now on new and updated ones are marked until selected.
    pub fn set_baseline(&mut self, findings: &Findings) {
        if self.baseline {
            return;
        }
        for f in findings.all() {
            self.seen.insert(f.id.clone(), findings.revision(&f.id));
        }
        self.baseline = true;
    }

    /// Created or updated since the analyst last selected it (follow mode).
    pub fn is_unseen(&self, f: &Finding, findings: &Findings) -> bool {
        self.baseline
            && self
                .seen
                .get(&f.id)
                .is_none_or(|r| *r < findings.revision(&f.id))
    }

    pub fn selected<'a>(&self, findings: &'a Findings) -> Option<&'a Finding> {
        self.rows
            .get(self.pos.selected)
            .and_then(|&i| findings.all().get(i))
    }
}

/// Keeps one row per background-scanning roll-up (its first in display
/// order) and says what each such row stands for. A roll-up the query
/// narrows to one finding shows that finding as it is.
fn roll_up(rows: &mut Vec<(usize, &Finding)>, incidents: &Incidents) -> FxHashMap<String, Rolled> {
    let mut by_incident: FxHashMap<&str, (String, Rolled, FxHashSet<&str>)> = FxHashMap::default();
    for (_, f) in rows.iter() {
        if !incidents.is_rolled_up(&f.id) {
            continue;
        }
        let Some(inc) = incidents.incident_of(&f.id) else {
            continue;
        };
        let (_, r, ips) = by_incident.entry(inc).or_insert_with(|| {
            let title = incidents
                .get(inc)
                .map(|i| i.title.clone())
                .unwrap_or_default();
            (
                f.id.clone(),
                Rolled {
                    incident: inc.to_string(),
                    title,
                    first_seen: f.first_seen,
                    last_seen: f.last_seen,
                    ..Rolled::default()
                },
                FxHashSet::default(),
            )
        });
        r.findings += 1;
        r.events += u64::from(f.event_count);
        r.first_seen = r.first_seen.min(f.first_seen);
        r.last_seen = r.last_seen.max(f.last_seen);
        if let Some(ip) = f.ip.as_deref() {
            ips.insert(ip);
        }
    }
    let mut rolled = FxHashMap::default();
    for (_, (rep, mut r, ips)) in by_incident {
        if r.findings > 1 {
            r.addresses = ips.len();
            rolled.insert(rep, r);
        }
    }
    rows.retain(|(_, f)| {
        rolled.contains_key(&f.id)
            || !incidents
                .incident_of(&f.id)
                .is_some_and(|inc| rolled.values().any(|r| r.incident == inc))
    });
    rolled
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
            // A roll-up opens as its incident: every finding one key away.
            Some(f) => match self.rolled.get(&f.id) {
                Some(r) => Open::Incident(r.incident.clone()),
                None => Open::Finding(f.id.clone()),
            },
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
        AlertsState::refresh(
            self,
            &cx.session.findings,
            &cx.session.incidents,
            cx.case,
            cx.matcher,
            &cx.session.store,
            height,
        )
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
        AlertsState::refresh(
            self,
            &cx.session.findings,
            &cx.session.incidents,
            cx.case,
            cx.matcher,
            &cx.session.store,
            height,
        )
    }
}

pub fn render(app: &App, st: &AlertsState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let l = layout(body);
    render_query_line(app, st, l.query, buf);
    if st.rows.is_empty() {
        table::View {
            columns: &[],
            rows: vec![],
            selected: None,
            len: 0,
            offset: 0,
            ticks: &[],
        }
        .draw(buf, l.table, theme);
        widgets::empty_message(buf, table::rows_area(l.table), theme, &empty_text(app, st));
        render_preview(app, st, l.preview, buf);
        return;
    }
    let wide = body.width >= 120;
    let height = table::rows_area(l.table).height as usize;
    let (from, visible) = st.pos.visible(&st.rows, height);
    let all = app.session.findings.all();
    let rows = visible
        .iter()
        .map(|&i| match all.get(i) {
            Some(f) => alert_row(app, st, f, wide),
            // A row whose finding is gone draws as an empty row.
            None => table::Line::default(),
        })
        .collect();
    table::View {
        columns: &alert_columns(st, wide),
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: st.rows.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, l.table, theme);
    render_preview(app, st, l.preview, buf);
}

/// What the list says when it shows no row.
fn empty_text(app: &App, st: &AlertsState) -> String {
    let all = app.session.findings.all();
    if all.is_empty() && app.loading() {
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
        match all.len() {
            1 => "The only finding is suppressed (x shows it)".to_string(),
            n => format!("All {n} findings are suppressed (x shows them)"),
        }
    }
}

/// The alert table's columns. From 120 cells the user and the address have
/// a column each and the title one of at least 40 cells; identity columns
/// keep their text while a detail column (risk, events, first seen) can go
/// instead (see `widgets::columns`).
fn alert_columns(st: &AlertsState, wide: bool) -> Vec<table::Column> {
    use table::Column;
    let arrow = if st.descending { "↓" } else { "↑" };
    let head = |k: SortKey, t: &str| -> String {
        if st.sort == k {
            format!("{t}{arrow}")
        } else {
            t.to_string()
        }
    };
    if wide {
        vec![
            Column::new("", Col::fixed(1, 0)),
            Column::new(head(SortKey::Severity, "sev"), Col::fixed(5, 0)),
            Column::new(head(SortKey::Risk, "risk"), Col::fixed(5, 4)).right(),
            Column::new(head(SortKey::Detector, "detector"), Col::forms(9, 19, 5)),
            Column::new(head(SortKey::Entity, "user"), Col::range(12, 40, 0)),
            Column::new("ip", Col::range(15, 39, 0)),
            Column::new(head(SortKey::Events, "events"), Col::fixed(7, 3)).right(),
            // Times lose their year before the title loses a word.
            Column::new(
                head(SortKey::FirstSeen, "first seen"),
                Col::forms(11, 16, 11),
            ),
            Column::new(head(SortKey::LastSeen, "last seen"), Col::forms(11, 16, 10)),
            Column::new(head(SortKey::Verdict, "verdict"), Col::fixed(8, 4)),
            Column::new("title", Col::grow(40, 400, 9).kept()),
        ]
    } else {
        vec![
            Column::new("", Col::fixed(1, 0)),
            Column::new(head(SortKey::Severity, "sev"), Col::fixed(5, 0)),
            Column::new(head(SortKey::Risk, "risk"), Col::fixed(5, 4)).right(),
            Column::new(head(SortKey::Detector, "detector"), Col::forms(9, 12, 5)),
            Column::new(head(SortKey::Entity, "user / ip"), Col::grow(12, 60, 0)),
            Column::new(head(SortKey::Events, "evts"), Col::fixed(6, 3)).right(),
            Column::new(head(SortKey::FirstSeen, "first"), Col::fixed(11, 1)),
            Column::new(head(SortKey::LastSeen, "last"), Col::fixed(11, 1)),
            Column::new(head(SortKey::Verdict, "vrd"), Col::fixed(4, 4)),
        ]
    }
}

/// A background-scanning roll-up as one row of [`alert_columns`]: how many
/// findings and addresses it holds; enter opens it.
fn rolled_row(
    app: &App,
    f: &Finding,
    r: &Rolled,
    wide: bool,
    base: ratatui::style::Style,
) -> table::Line {
    use table::Cell;
    let theme = &app.theme;
    let addresses = format::counted(r.addresses as u64, "address", "addresses");
    let mut cells = vec![
        Cell::new("▸").style(theme.style(Role::Accent)),
        Cell::new(format::severity(f.severity))
            .style(theme.style(format::severity_role(f.severity))),
        Cell::new(f.risk.to_string()),
        Cell::new("background"),
    ];
    if wide {
        cells.push(Cell::new("-"));
    }
    cells.push(Cell::new(addresses));
    cells.push(Cell::new(format::count(r.events)));
    let when = |ms| {
        Cell::new(format::prefix(&format::time(ms), 16).to_string())
            .or_short(format::short_time(ms))
    };
    cells.push(when(r.first_seen));
    cells.push(when(r.last_seen));
    cells.push(Cell::new(""));
    if wide {
        cells.push(Cell::new(format!(
            "{} rolled up (enter opens) · {}",
            format::counted(r.findings as u64, "finding", "findings"),
            r.title
        )));
    }
    table::Line::new(cells).style(base)
}

/// One finding as a row of [`alert_columns`].
fn alert_row(app: &App, st: &AlertsState, f: &Finding, wide: bool) -> table::Line {
    use table::Cell;
    let theme = &app.theme;
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
    let unseen = st.is_unseen(f, &app.session.findings);
    // Marked for a bulk change, else new or updated since seen (follow
    // mode), else closed (shown with H), else suppressed.
    let mark = if st.marks.contains(&f.id) {
        "●"
    } else if unseen {
        "+"
    } else if app.case.work(Target::Finding, &f.id).status == Status::Closed {
        "✓"
    } else if f.suppressed.is_some() {
        "⊘"
    } else {
        " "
    };
    if let Some(r) = st.rolled.get(&f.id) {
        return rolled_row(app, f, r, wide, base);
    }
    let short = format::detector_short(f.detector);
    let mut cells = vec![
        Cell::new(mark).style(if unseen {
            theme.style(Role::Accent)
        } else {
            base
        }),
        Cell::new(format::severity(f.severity))
            .style(theme.style(format::severity_role(f.severity))),
        Cell::new(f.risk.to_string()),
        if wide {
            Cell::new(f.detector.as_str()).or_short(short)
        } else {
            Cell::new(short)
        },
    ];
    if wide {
        cells.push(Cell::new(f.user.as_deref().unwrap_or("-")));
        cells.push(Cell::new(f.ip.as_deref().unwrap_or("-")));
    } else {
        cells.push(Cell::new(entity(f)));
    }
    cells.push(Cell::new(format::count(f.event_count as u64)));
    // To the minute when there is room ("-" for a time past the calendar).
    let when = |ms| {
        let long = format::prefix(&format::time(ms), 16).to_string();
        if wide {
            Cell::new(long).or_short(format::short_time(ms))
        } else {
            Cell::new(format::short_time(ms))
        }
    };
    cells.push(when(f.first_seen));
    cells.push(when(f.last_seen));
    cells.push(Cell::new(verdict).style(theme.style(Role::Verdict)));
    if wide {
        cells.push(Cell::new(match &f.suppressed {
            Some(s) => format!("⊘ {}", s.note),
            None => f.title.clone(),
        }));
    }
    table::Line::new(cells).style(base)
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
        if let Some(e) = st.query.problem(Scope::Alerts) {
            spans.push(Span::styled(
                format!("  ⚠ {}", clean_width(&e, 70)),
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
    let w = right.chars().count() as u16;
    let fits = area.width > w + 30 && area.height > 0;
    // The query and its warning stop short of the counter instead of running under it.
    let left = Rect {
        width: if fits { area.width - w - 1 } else { area.width },
        ..area
    };
    widgets::line(buf, left, spans);
    if fits {
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
    if let Some(r) = st.rolled.get(&f.id) {
        widgets::line(
            buf,
            area,
            vec![Span::styled(
                clean(&r.title).into_owned(),
                theme.style(Role::Title),
            )],
        );
        let second = format!(
            "{} from {} rolled up as background scanning · enter opens {}",
            format::counted(r.findings as u64, "finding", "findings"),
            format::counted(r.addresses as u64, "address", "addresses"),
            r.incident
        );
        widgets::line(
            buf,
            Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1).min(1),
                ..area
            },
            vec![Span::styled(
                clean(&second).into_owned(),
                theme.style(Role::Dim),
            )],
        );
        return;
    }
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
