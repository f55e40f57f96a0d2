//! The incident screen: one incident as a chain of its findings in time
//! order (each step: time, severity, detector, entity, evidence count and
//! verdict), its status and owner, the entities involved (users, IPs, AS,
//! countries), and one timeline of all its findings' events, which follows
//! the selected step (its own events in bold). Pivots go from the selected step: Enter opens the
//! finding, u the user's timeline, i the IP page; verdict keys judge every
//! finding of the incident at once, status keys set the incident's status.
//! The incident is looked up by id at each draw (it grows while logs load).

use super::{Ctx, ListPos, Open, ScreenView};
use crate::finding::Finding;
use crate::incident::{Incident, Step};
use crate::sanitize::{clean, clean_width};
use crate::store::{EventIdx, Store};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::case_link::{class_label, Target};
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::activity::Activity;
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

/// Which incident, and the selected step.
#[derive(Debug, Clone)]
pub struct IncidentState {
    pub id: String,
    pub pos: ListPos,
}

impl IncidentState {
    pub fn new(id: String) -> IncidentState {
        IncidentState {
            id,
            pos: ListPos::default(),
        }
    }

    fn incident<'a>(&self, app: &'a App) -> Option<&'a Incident> {
        app.session.incidents.get(&self.id)
    }

    fn step<'a>(&self, app: &'a App) -> Option<&'a Step> {
        self.incident(app)?.steps.get(self.pos.selected)
    }
}

/// The screen's parts: header lines, the chain table, the timeline table.
struct Layout {
    head: Rect,
    chain: Rect,
    timeline: Rect,
}

fn layout(body: Rect, steps: usize) -> Layout {
    let head = 3.min(body.height);
    let rest = body.height - head;
    // The chain takes what its steps need (+ header), at most half of what is left
    // when the timeline has room for a few rows.
    let want = steps as u16 + 1;
    let chain = if rest >= 10 {
        want.min(rest / 2).max(3.min(rest))
    } else {
        rest
    };
    let chain = chain.min(rest);
    Layout {
        head: Rect {
            height: head,
            ..body
        },
        chain: Rect {
            y: body.y + head,
            height: chain,
            ..body
        },
        timeline: Rect {
            y: body.y + head + chain,
            height: rest - chain,
            ..body
        },
    }
}

/// Every event of the incident's findings, once each, in time order.
pub fn events(inc: &Incident, findings: &crate::finding::Findings, store: &Store) -> Vec<EventIdx> {
    let mut v: Vec<EventIdx> = inc
        .findings()
        .filter_map(|id| findings.get(id))
        .flat_map(|f: &Finding| f.evidence.iter().copied())
        .collect();
    v.sort_by_key(|&i| (store.get(i).time, i));
    v.dedup();
    v
}

/// Distinct AS ("AS123 Org") and countries of the events, in order of first appearance.
fn places(evs: &[EventIdx], store: &Store) -> (Vec<String>, Vec<String>) {
    let (mut asns, mut countries) = (Vec::new(), Vec::new());
    for &i in evs {
        let ev = store.get(i);
        if ev.asn > 0 {
            let a = format::asn(store, &ev);
            if !asns.contains(&a) {
                asns.push(a);
            }
        }
        let c = store.text(ev.country);
        if !c.is_empty() && !countries.iter().any(|x| x == c) {
            countries.push(c.to_string());
        }
    }
    (asns, countries)
}

fn joined(v: &[String], w: usize) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        clean_width(&v.join(", "), w)
    }
}

pub fn render(app: &App, st: &IncidentState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(inc) = st.incident(app) else {
        widgets::empty_message(
            buf,
            body,
            theme,
            "this incident is gone (its findings were regrouped): press esc",
        );
        return;
    };
    let store = &app.session.store;
    let mut l = layout(body, inc.steps.len());
    let evs = events(inc, &app.session.findings, store);
    render_header(app, inc, &evs, l.head, buf);
    render_chain(app, st, inc, l.chain, buf);
    // The activity of all its events (label and two rows), when the timeline keeps 8 rows.
    if l.timeline.height >= 11 {
        let times: Vec<i64> = evs.iter().map(|&i| store.time(i)).collect();
        let chart = Rect {
            height: 3,
            ..l.timeline
        };
        Activity::of(&times).draw(buf, chart, theme);
        l.timeline = Rect {
            y: l.timeline.y + 3,
            height: l.timeline.height - 3,
            ..l.timeline
        };
    }
    render_timeline(app, st, &evs, l.timeline, buf);
}

/// Three lines: severity, id and title; status, owner, time range and
/// size; the users, addresses, AS and countries involved.
fn render_header(app: &App, inc: &Incident, evs: &[EventIdx], area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let w = area.width as usize;
    let work = app.case.work(Target::Incident, &inc.id);
    let owner = work.owner.clone().or_else(|| inc.owner.clone());
    let head = |k: u16| Rect {
        y: area.y + k,
        height: u16::from(k < area.height),
        ..area
    };
    widgets::line(
        buf,
        head(0),
        vec![
            Span::styled(
                format!("{} ", format::severity(inc.severity)),
                theme.style(format::severity_role(inc.severity)),
            ),
            Span::styled(
                format!("{}  ", clean_width(&inc.id, 16)),
                theme.style(Role::Accent),
            ),
            Span::styled(clean(&inc.title).into_owned(), theme.style(Role::Title)),
        ],
    );
    widgets::line(
        buf,
        head(1),
        vec![
            Span::styled("status ", theme.style(Role::Dim)),
            Span::styled(work.status.as_str(), theme.style(Role::Key)),
            Span::styled(" · owner ", theme.style(Role::Dim)),
            Span::styled(
                clean_width(owner.as_deref().unwrap_or("nobody"), 24),
                theme.style(Role::Text),
            ),
            Span::styled(
                format!(
                    " · {} → {} · {}",
                    format::time(inc.first_seen),
                    format::time(inc.last_seen),
                    format::counted(inc.steps.len() as u64, "finding", "findings")
                ),
                theme.style(Role::Dim),
            ),
        ],
    );
    let (asns, countries) = places(evs, &app.session.store);
    let part = (w / 4).max(12);
    widgets::line(
        buf,
        head(2),
        vec![
            Span::styled("users ", theme.style(Role::Dim)),
            Span::styled(joined(&inc.users, part), theme.style(Role::Text)),
            Span::styled(" · IPs ", theme.style(Role::Dim)),
            Span::styled(joined(&inc.ips, part), theme.style(Role::Text)),
            Span::styled(" · AS ", theme.style(Role::Dim)),
            Span::styled(joined(&asns, part), theme.style(Role::Text)),
            Span::styled(" · countries ", theme.style(Role::Dim)),
            Span::styled(joined(&countries, 16), theme.style(Role::Text)),
        ],
    );
}

/// The chain: one row per step, the finding's title from 120 cells.
fn render_chain(app: &App, st: &IncidentState, inc: &Incident, area: Rect, buf: &mut Buffer) {
    use table::{Cell, Column};
    let theme = &app.theme;
    let wide = area.width >= 120;
    let height = table::rows_area(area).height as usize;
    let (from, visible) = st.pos.visible(&inc.steps, height);
    let rows: Vec<table::Line> = visible
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let verdict = app
                .case
                .verdict(&s.finding)
                .map(|v| class_label(v.class))
                .unwrap_or("");
            let mut cells = vec![
                Cell::new((from + k + 1).to_string()),
                Cell::new(format::time(s.first_seen)).or_short(format::short_time(s.first_seen)),
                Cell::new(format::severity(s.severity))
                    .style(theme.style(format::severity_role(s.severity))),
                Cell::new(format::detector_short(s.detector)).style(theme.style(Role::Accent)),
                Cell::new(s.entity.as_str()),
                Cell::new(format::count(u64::from(s.event_count))),
                Cell::new(verdict).style(theme.style(Role::Verdict)),
            ];
            if wide {
                let title = app.session.findings.get(&s.finding);
                cells.push(Cell::new(title.map(|f| f.title.as_str()).unwrap_or("")));
            }
            table::Line::new(cells)
        })
        .collect();
    let mut columns = vec![
        Column::new("#", Col::fixed(3, 0)).right(),
        Column::new("time", Col::forms(11, 19, 1)),
        Column::new("sev", Col::fixed(4, 0)),
        Column::new("detector", Col::fixed(12, 5)),
        Column::new("entity", Col::range(12, 40, 0)),
        Column::new("events", Col::fixed(6, 3)).right(),
        Column::new("vrd", Col::fixed(3, 4)),
    ];
    if wide {
        columns.push(Column::new("title", Col::grow(40, 400, 9).kept()));
    } else {
        // The entity takes what is left.
        if let Some(c) = columns.get_mut(4) {
            c.col = Col::grow(12, 60, 0);
        }
    }
    table::View {
        columns: &columns,
        rows,
        selected: st.pos.selected.checked_sub(from),
        len: inc.steps.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, area, theme);
}

/// The timeline of every event of the incident, from the selected step's
/// first event (its own events in bold).
fn render_timeline(app: &App, st: &IncidentState, evs: &[EventIdx], area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let store = &app.session.store;
    if area.height < 2 {
        return;
    }
    let start = st
        .step(app)
        .map(|s| evs.partition_point(|&i| store.get(i).time < s.first_seen))
        .unwrap_or(0);
    let shown = evs.get(start..).unwrap_or_default();
    widgets::line(
        buf,
        area,
        vec![Span::styled(
            format!(
                "timeline: {} of its findings (from step {})",
                format::counted(evs.len() as u64, "event", "events"),
                st.pos.selected + 1
            ),
            theme.style(Role::Header),
        )],
    );
    let area = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let n = table::rows_area(area).height as usize;
    // The selected step's own events are bold (as evidence on the user timeline).
    let own: &[EventIdx] = st
        .selected_finding(app)
        .map(|f| f.evidence.as_slice())
        .unwrap_or_default();
    let bold = theme
        .style(Role::Text)
        .add_modifier(ratatui::style::Modifier::BOLD);
    let rows: Vec<table::Line> = shown
        .iter()
        .take(n)
        .map(|&i| {
            let row = table::Line::new(format::event_cells(store, theme, &store.get(i)));
            if own.contains(&i) {
                row.style(bold)
            } else {
                row
            }
        })
        .collect();
    table::View {
        columns: &format::event_columns("time"),
        rows,
        selected: None,
        len: evs.len(),
        offset: start,
        ticks: &[],
    }
    .draw(buf, area, theme);
}

impl ScreenView for IncidentState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Incident, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        format!("Incident {}", clean_width(&self.id, 16))
    }
    fn hints(&self) -> &'static [Action] {
        &[
            Action::Back,
            Action::Open,
            Action::PivotUser,
            Action::PivotIp,
            Action::VerdictFalsePositive,
            Action::StatusActive,
            Action::StatusClosed,
            Action::MoveOut,
            Action::Help,
        ]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, app: &App, body: Rect) -> Rect {
        let n = self.incident(app).map_or(0, |i| i.steps.len());
        table::rows_area(layout(body, n).chain)
    }
    fn move_by(&mut self, cx: &Ctx, delta: isize, height: usize) {
        let n = cx
            .session
            .incidents
            .get(&self.id)
            .map_or(0, |i| i.steps.len());
        self.pos.move_by(delta, n, height)
    }
    fn select_row(&mut self, cx: &Ctx, row: usize, height: usize) {
        let n = cx
            .session
            .incidents
            .get(&self.id)
            .map_or(0, |i| i.steps.len());
        self.pos.to(row, n, height)
    }
    fn first_visible_row(&self, app: &App, height: usize) -> usize {
        let n = self.incident(app).map_or(0, |i| i.steps.len());
        self.pos.window(n, height).0
    }
    fn open(&self, app: &App) -> Open {
        match self.step(app) {
            Some(s) => Open::Finding(s.finding.clone()),
            None => Open::Nothing,
        }
    }
    fn selected_finding<'a>(&self, app: &'a App) -> Option<&'a Finding> {
        self.step(app)
            .and_then(|s| app.session.findings.get(&s.finding))
    }
    fn selected_event(&self, app: &App) -> Option<EventIdx> {
        self.selected_finding(app)
            .and_then(|f| f.evidence.first().copied())
    }
    fn selected_user(&self, app: &App) -> Option<Result<String, String>> {
        let f = self.selected_finding(app)?;
        let store = &app.session.store;
        let from_event = f
            .evidence
            .iter()
            .map(|&i| store.text(store.get(i).user))
            .find(|u| !u.is_empty())
            .map(String::from);
        Some(
            f.user
                .clone()
                .or(from_event)
                .ok_or_else(|| super::NO_USER.to_string()),
        )
    }
    fn selected_ip(&self, app: &App) -> Option<String> {
        let f = self.selected_finding(app)?;
        let store = &app.session.store;
        f.ip.clone().or_else(|| {
            f.evidence
                .iter()
                .map(|&i| store.text(store.get(i).ip))
                .find(|s| !s.is_empty())
                .map(String::from)
        })
    }
    fn targets(&self, app: &App) -> Vec<String> {
        self.incident(app)
            .map(|i| i.findings().map(String::from).collect())
            .unwrap_or_default()
    }
    fn incident(&self, _app: &App) -> Option<String> {
        Some(self.id.clone())
    }
    fn refresh(&mut self, cx: &Ctx, height: usize) {
        let n = cx
            .session
            .incidents
            .get(&self.id)
            .map_or(0, |i| i.steps.len());
        self.pos.follow(n, height)
    }
}
