//! IP pivot: every identity tried from one IP (failures, successes, first
//! and last seen) from `store.by_ip`, the IP's AS and country, its activity
//! over time as a sparkline, and every alert that involves it. Built from
//! the index when opened and rebuilt when the IP's event list grows. The
//! identities and then the alerts are one selectable list (the alerts in
//! their own box under the identities, so a long spray list never hides
//! them): Enter on an identity opens its timeline, on an alert its detail.

use super::ListPos;
use super::{Ctx, Open, ScreenView};
use crate::event::Outcome;
use crate::finding::Findings;
use crate::sanitize::clean_width;
use crate::store::Store;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::keymap::Context;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Sparkline, Widget};
use rustc_hash::FxHashMap;

/// Buckets of the activity series (resampled to the screen width when drawn).
const BUCKETS: usize = 240;

#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub user: String,
    pub failures: u64,
    pub successes: u64,
    pub first: i64,
    pub last: i64,
}

#[derive(Debug)]
pub struct IpState {
    pub ip: String,
    pub rows: Vec<Identity>,
    pub asn: String,
    pub country: String,
    pub failures: u64,
    pub successes: u64,
    pub span: Option<(i64, i64)>,
    pub activity: Vec<u64>,
    /// Ids of findings that involve the IP.
    pub alerts: Vec<String>,
    /// The selection over identities, then alerts (`rows.len()` is the first alert).
    pub pos: ListPos,
    pub built_from: usize,
}

impl IpState {
    pub fn new(ip: &str, store: &Store, findings: &Findings) -> IpState {
        let mut st = IpState {
            ip: ip.to_string(),
            rows: Vec::new(),
            asn: String::new(),
            country: String::new(),
            failures: 0,
            successes: 0,
            span: None,
            activity: Vec::new(),
            alerts: Vec::new(),
            pos: ListPos::default(),
            built_from: 0,
        };
        st.rebuild(store, findings);
        st
    }

    pub fn rebuild(&mut self, store: &Store, findings: &Findings) {
        let keep = self.rows.get(self.pos.selected).map(|r| r.user.clone());
        let events = store.by_ip(&self.ip);
        let mut by_user: FxHashMap<crate::event::Sym, Identity> = FxHashMap::default();
        let mut asns: FxHashMap<(u32, crate::event::Sym), u32> = FxHashMap::default();
        let mut countries: FxHashMap<crate::event::Sym, u32> = FxHashMap::default();
        self.failures = 0;
        self.successes = 0;
        for &i in events {
            let ev = store.get(i);
            let ok = ev.credentials_ok();
            let failed = ev.outcome == Outcome::Failure;
            self.failures += failed as u64;
            self.successes += ok as u64;
            if ev.asn > 0 || ev.as_org.is_some() {
                *asns.entry((ev.asn, ev.as_org)).or_default() += 1;
            }
            if ev.country.is_some() {
                *countries.entry(ev.country).or_default() += 1;
            }
            if ev.user.is_none() {
                continue;
            }
            let id = by_user.entry(ev.user).or_insert_with(|| Identity {
                user: store.text(ev.user).to_string(),
                failures: 0,
                successes: 0,
                first: ev.time,
                last: ev.time,
            });
            id.failures += failed as u64;
            id.successes += ok as u64;
            id.first = id.first.min(ev.time);
            id.last = id.last.max(ev.time);
        }
        let mut rows: Vec<Identity> = by_user.into_values().collect();
        rows.sort_by(|a, b| {
            (b.successes > 0)
                .cmp(&(a.successes > 0))
                .then(b.failures.cmp(&a.failures))
                .then(a.user.cmp(&b.user))
        });
        self.rows = rows;
        self.asn = asns
            .into_iter()
            .max_by_key(|(k, n)| (*n, std::cmp::Reverse(k.0)))
            .map(|((asn, org), _)| {
                if asn > 0 {
                    format!("AS{asn} {}", store.text(org))
                } else {
                    store.text(org).to_string()
                }
            })
            .unwrap_or_default();
        self.country = countries
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(c, _)| store.text(c).to_string())
            .unwrap_or_default();
        self.span = match (events.first(), events.last()) {
            (Some(&a), Some(&b)) => Some((store.get(a).time, store.get(b).time)),
            _ => None,
        };
        self.activity = vec![0; BUCKETS];
        if let Some((a, b)) = self.span {
            let w = (b - a).max(1) as f64;
            for &i in events {
                let k = (((store.get(i).time - a) as f64 / w) * (BUCKETS - 1) as f64) as usize;
                if let Some(n) = self.activity.get_mut(k.min(BUCKETS - 1)) {
                    *n += 1;
                }
            }
        }
        self.alerts = findings
            .sorted()
            .into_iter()
            .filter(|f| {
                f.ip.as_deref() == Some(self.ip.as_str())
                    || f.evidence
                        .iter()
                        .any(|&e| store.text(store.get(e).ip) == self.ip)
            })
            .map(|f| f.id.clone())
            .collect();
        self.built_from = events.len();
        if let Some(r) = keep.and_then(|u| self.rows.iter().position(|x| x.user == u)) {
            self.pos.selected = r;
        }
    }

    /// Identities and alerts, the length of the selectable list.
    pub fn len(&self) -> usize {
        self.rows.len() + self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The alert under the selection, when the selection is in the alerts box.
    pub fn selected_alert(&self) -> Option<&str> {
        self.pos
            .selected
            .checked_sub(self.rows.len())
            .and_then(|k| self.alerts.get(k))
            .map(String::as_str)
    }
}

pub struct Layout {
    pub head: Rect,
    pub chart: Rect,
    pub alerts: Rect,
    pub table: Rect,
}

pub fn layout(body: Rect, alerts: usize) -> Layout {
    let head = 1.min(body.height);
    let chart = if body.height >= 14 {
        4
    } else if body.height >= 8 {
        2
    } else {
        0
    };
    // Every alert, scrolling within a box of up to a third of what is left (at least 3 rows).
    let rest = body.height.saturating_sub(head + chart);
    let al = if alerts == 0 || body.height < 10 {
        0
    } else {
        (alerts as u16).min((rest / 3).max(3)) + 1
    };
    let used = head + chart + al;
    Layout {
        head: Rect {
            height: head,
            ..body
        },
        chart: Rect {
            y: body.y + head,
            height: chart,
            ..body
        },
        alerts: Rect {
            y: body.y + head + chart + body.height.saturating_sub(used),
            height: al,
            ..body
        },
        table: Rect {
            y: body.y + head + chart,
            height: body.height.saturating_sub(used),
            ..body
        },
    }
}

pub fn list_area(st: &IpState, body: Rect) -> Rect {
    table::rows_area(layout(body, st.alerts.len()).table)
}

/// Sums `series` into `width` buckets.
fn resample(series: &[u64], width: usize) -> Vec<u64> {
    if width == 0 || series.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0; width];
    for (i, v) in series.iter().enumerate() {
        if let Some(o) = out.get_mut(i * width / series.len()) {
            *o += v;
        }
    }
    out
}

pub fn render(app: &App, st: &IpState, body: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let l = layout(body, st.alerts.len());
    let mut head = vec![Span::styled(
        clean_width(&st.ip, 39),
        theme.style(Role::Title),
    )];
    if !st.asn.is_empty() {
        head.push(Span::styled(
            format!("  {}", clean_width(&st.asn, 40)),
            theme.style(Role::Accent),
        ));
    }
    if !st.country.is_empty() {
        head.push(Span::styled(
            format!("  {}", clean_width(&st.country, 3)),
            theme.style(Role::Accent),
        ));
    }
    head.push(Span::styled(
        format!(
            "  {}: {}, {} verified · {}",
            format::counted(st.built_from as u64, "event", "events"),
            format::counted(st.failures, "failure", "failures"),
            format::count(st.successes),
            format::counted(st.rows.len() as u64, "identity", "identities")
        ),
        theme.style(Role::Dim),
    ));
    widgets::line(buf, l.head, head);
    if l.chart.height > 0 {
        let label = match st.span {
            Some((a, b)) => format!("activity {} → {}", format::time(a), format::time(b)),
            None => "activity".into(),
        };
        widgets::line(
            buf,
            l.chart,
            vec![Span::styled(label, theme.style(Role::Dim))],
        );
        let area = Rect {
            y: l.chart.y + 1,
            height: l.chart.height.saturating_sub(1),
            ..l.chart
        };
        let data = resample(&st.activity, area.width as usize);
        Sparkline::default()
            .data(&data)
            .style(theme.style(Role::Chart))
            .render(area, buf);
    }
    if l.alerts.height > 0 {
        render_alerts(app, st, l.alerts, buf);
    }
    let height = table::rows_area(l.table).height as usize;
    let (from, visible) = identity_window(st, height).visible(&st.rows, height);
    let rows: Vec<Row> = visible
        .iter()
        .map(|r| {
            let ok = if r.successes > 0 {
                theme.style(Role::Success)
            } else {
                theme.style(Role::Dim)
            };
            Row::new(vec![
                Cell::from(clean_width(&r.user, 48)),
                Cell::from(format!("{:>8}", format::count(r.failures)))
                    .style(theme.style(Role::Failure)),
                Cell::from(format!("{:>8}", format::count(r.successes))).style(ok),
                Cell::from(format::time(r.first)),
                Cell::from(format::time(r.last)),
            ])
        })
        .collect();
    let widths = [
        Constraint::Min(14),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(19),
        Constraint::Length(19),
    ];
    let header: &[&str] = &[
        "identity tried",
        "failures",
        "verified",
        "first seen",
        "last seen",
    ];
    let widths: &[Constraint] = if body.width >= 80 {
        &widths
    } else {
        &widths[..4]
    };
    table::View {
        header,
        widths,
        rows,
        selected: st
            .pos
            .selected
            .checked_sub(from)
            .filter(|_| st.pos.selected < st.rows.len()),
        len: st.rows.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, l.table, theme);
    if st.rows.is_empty() {
        widgets::empty_message(
            buf,
            table::rows_area(l.table),
            theme,
            "No events from this IP",
        );
    }
}

/// The identity table's scroll position (it keeps its rows when the selection is in the alerts).
fn identity_window(st: &IpState, height: usize) -> ListPos {
    let mut p = ListPos {
        selected: st.pos.selected.min(st.rows.len().saturating_sub(1)),
        offset: st.pos.offset,
    };
    p.follow(st.rows.len(), height);
    p
}

/// The alerts box: every alert involving the IP, scrolled to the selection.
fn render_alerts(app: &App, st: &IpState, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let height = table::rows_area(area).height as usize;
    let in_box = st.pos.selected.checked_sub(st.rows.len());
    let mut p = ListPos {
        selected: in_box.unwrap_or(0),
        offset: 0,
    };
    p.follow(st.alerts.len(), height);
    let (from, visible) = p.visible(&st.alerts, height);
    let rows: Vec<Row> = visible
        .iter()
        .filter_map(|id| app.session.findings.get(id))
        .map(|f| {
            Row::new(vec![
                Cell::from(format::severity(f.severity))
                    .style(theme.style(format::severity_role(f.severity))),
                Cell::from(format::detector_short(f.detector)).style(theme.style(Role::Accent)),
                Cell::from(format::time(f.first_seen)),
                Cell::from(clean_width(&f.title, 200)),
            ])
        })
        .collect();
    let title = format!("alerts with this IP ({})", st.alerts.len());
    let widths = [
        Constraint::Length(5),
        Constraint::Length(9),
        Constraint::Length(19),
        Constraint::Min(10),
    ];
    table::View {
        header: &[],
        widths: &widths,
        rows,
        selected: in_box.and_then(|k| k.checked_sub(from)),
        len: st.alerts.len(),
        offset: from,
        ticks: &[],
    }
    .draw(buf, area, theme);
    // The title spans the header row (it is wider than the first columns).
    widgets::line(
        buf,
        Rect { height: 1, ..area },
        vec![Span::styled(title, theme.style(Role::Header))],
    );
}

impl ScreenView for IpState {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Ip, Context::List, Context::Global]
    }
    fn crumb(&self) -> String {
        format!("IP {}", clean_width(&self.ip, 40))
    }
    fn hints(&self) -> &'static [Action] {
        &[Action::Back, Action::Open, Action::Help]
    }
    fn render(&self, app: &App, body: Rect, buf: &mut Buffer) {
        render(app, self, body, buf)
    }
    fn list_area(&self, _app: &App, body: Rect) -> Rect {
        list_area(self, body)
    }
    fn move_by(&mut self, _cx: &Ctx, delta: isize, height: usize) {
        self.pos.move_by(delta, self.len(), height)
    }
    fn select_row(&mut self, _cx: &Ctx, row: usize, height: usize) {
        // Clicks land in the identity table.
        self.pos.to(
            row.min(self.rows.len().saturating_sub(1)),
            self.len(),
            height,
        )
    }
    fn first_visible_row(&self, _app: &App, height: usize) -> usize {
        identity_window(self, height).offset
    }
    fn open(&self, _app: &App) -> Open {
        match self.selected_alert() {
            Some(id) => Open::Finding(id.to_string()),
            None => Open::PivotUser,
        }
    }
    fn selected_finding<'a>(&self, app: &'a App) -> Option<&'a crate::finding::Finding> {
        self.selected_alert()
            .and_then(|id| app.session.findings.get(id))
    }
    fn selected_user(&self, app: &App) -> Option<Result<String, String>> {
        match self.selected_alert() {
            Some(id) => app
                .session
                .findings
                .get(id)
                .and_then(|f| f.user.clone())
                .map(Ok),
            None => self.rows.get(self.pos.selected).map(|r| Ok(r.user.clone())),
        }
    }
    fn selected_ip(&self, _app: &App) -> Option<String> {
        Some(self.ip.clone())
    }
    fn refresh(&mut self, cx: &Ctx, _height: usize) {
        if cx.session.store.by_ip(&self.ip).len() != self.built_from {
            self.rebuild(&cx.session.store, &cx.session.findings)
        }
    }
}
