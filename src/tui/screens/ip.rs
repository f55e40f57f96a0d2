//! IP pivot: every identity tried from one IP (failures, successes, first
//! and last seen) from `store.by_ip`, every AS and country its events carry
//! (with counts), its activity
//! over time as a sparkline, and every alert that involves it. Built from
//! the index when opened and rebuilt when the IP's event list grows. The
//! identities and then the alerts are one selectable list (the alerts in
//! their own box under the identities, so a long spray list never hides
//! them): Enter on an identity opens its timeline, on an alert its detail.
//! The same page serves a network (a finding whose entity is an AS or a
//! prefix, such as a distributed spray): its addresses are the members, a
//! line lists them with their event counts, and its alerts include those
//! about the network.

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
use crate::tui::widgets::columns::Col;
use crate::tui::widgets::{self, table};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Sparkline, Widget};
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
    /// The address (or, for a network, its busiest address).
    pub ip: String,
    /// The network this page is about (`AS212238`, a prefix), if it is one.
    pub network: Option<String>,
    /// The addresses whose events the page shows (`[ip]` for an address).
    pub members: Vec<String>,
    /// Members with their event counts, busiest first (a network's line).
    pub addresses: Vec<(String, u64)>,
    /// Every AS and country the events carry, with counts, most first.
    pub asns: Vec<(String, u32)>,
    pub countries: Vec<(String, u32)>,
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
        IpState::of(ip, None, vec![ip.to_string()], store, findings)
    }

    /// The page of a network: `members` are its addresses (the finding's
    /// `ips`), `ip` its busiest.
    pub fn network(
        label: &str,
        ip: &str,
        members: Vec<String>,
        store: &Store,
        findings: &Findings,
    ) -> IpState {
        let mut members = members;
        if members.is_empty() {
            members.push(ip.to_string());
        }
        IpState::of(ip, Some(label.to_string()), members, store, findings)
    }

    fn of(
        ip: &str,
        network: Option<String>,
        members: Vec<String>,
        store: &Store,
        findings: &Findings,
    ) -> IpState {
        let mut st = IpState {
            ip: ip.to_string(),
            network,
            members,
            addresses: Vec::new(),
            asns: Vec::new(),
            countries: Vec::new(),
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
        let mut events: Vec<crate::store::EventIdx> = Vec::new();
        self.addresses.clear();
        for m in &self.members {
            let of = store.by_ip(m);
            self.addresses.push((m.clone(), of.len() as u64));
            events.extend_from_slice(of);
        }
        self.addresses
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if self.members.len() > 1 {
            events.sort_by_key(|&i| (store.time(i), i));
        }
        let events = events.as_slice();
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
        let mut asns: Vec<((u32, crate::event::Sym), u32)> = asns.into_iter().collect();
        asns.sort_by(|a, b| b.1.cmp(&a.1).then(a.0 .0.cmp(&b.0 .0)));
        self.asns = asns
            .into_iter()
            .map(|((asn, org), n)| {
                let label = if asn > 0 {
                    format!("AS{asn} {}", store.text(org))
                        .trim_end()
                        .to_string()
                } else {
                    store.text(org).to_string()
                };
                (label, n)
            })
            .collect();
        self.asn = self.asns.first().map(|a| a.0.clone()).unwrap_or_default();
        let mut countries: Vec<(String, u32)> = countries
            .into_iter()
            .map(|(c, n)| (store.text(c).to_string(), n))
            .collect();
        countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.countries = countries;
        self.country = self
            .countries
            .first()
            .map(|c| c.0.clone())
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
        let members = &self.members;
        let network = self.network.as_deref();
        let member = |ip: &str| members.iter().any(|m| m == ip);
        self.alerts = findings
            .sorted()
            .into_iter()
            .filter(|f| {
                f.ip.as_deref().is_some_and(member)
                    || network.is_some_and(|n| {
                        f.details.get("network").and_then(|v| v.as_str()) == Some(n)
                    })
                    || f.evidence
                        .iter()
                        .any(|&e| member(store.text(store.get(e).ip)))
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

pub fn layout(body: Rect, alerts: usize, head: u16) -> Layout {
    let head = head.min(body.height);
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
    table::rows_area(layout(body, st.alerts.len(), head_rows(st)).table)
}

/// The heading's lines: the address (or network) line, and a network's
/// addresses.
fn head_rows(st: &IpState) -> u16 {
    1 + u16::from(st.network.is_some())
}

/// `AS1 org ×20, AS2 ×4` — every value with its count, most first.
fn with_counts(v: &[(String, u32)]) -> String {
    if let [(only, _)] = v {
        return only.clone();
    }
    v.iter()
        .map(|(k, n)| format!("{k} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
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
    let l = layout(body, st.alerts.len(), head_rows(st));
    let w = body.width as usize;
    let name = match &st.network {
        Some(n) => format!("network {n}"),
        None => st.ip.clone(),
    };
    let mut head = vec![Span::styled(
        clean_width(&name, 39),
        theme.style(Role::Title),
    )];
    // Every AS and country the events carry: one address can carry several
    // (a re-assigned range, a log's own AS beside the database's).
    if !st.asns.is_empty() {
        head.push(Span::styled(
            format!("  {}", clean_width(&with_counts(&st.asns), (w / 3).max(12))),
            theme.style(Role::Accent),
        ));
    }
    if !st.countries.is_empty() {
        head.push(Span::styled(
            format!(
                "  {}",
                clean_width(&with_counts(&st.countries), (w / 5).max(8))
            ),
            theme.style(Role::Accent),
        ));
    }
    let used: usize = head.iter().map(|s| s.width()).sum();
    let stats = format!(
        "  {}: {}, {} verified · {}",
        format::counted(st.built_from as u64, "event", "events"),
        format::counted(st.failures, "failure", "failures"),
        format::count(st.successes),
        format::counted(st.rows.len() as u64, "identity", "identities")
    );
    head.push(Span::styled(
        clean_width(&stats, w.saturating_sub(used)),
        theme.style(Role::Dim),
    ));
    widgets::line(
        buf,
        Rect {
            height: l.head.height.min(1),
            ..l.head
        },
        head,
    );
    if st.network.is_some() && l.head.height > 1 {
        let list = st
            .addresses
            .iter()
            .map(|(a, n)| format!("{a} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "{}: {list}",
            format::counted(st.addresses.len() as u64, "address", "addresses")
        );
        widgets::line(
            buf,
            Rect {
                y: l.head.y + 1,
                height: 1,
                ..l.head
            },
            vec![Span::styled(clean_width(&text, w), theme.style(Role::Dim))],
        );
    }
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
    render_identities(app, st, l.table, buf);
}

/// The identities tried from the address: failures, verified sign-ins, first and last seen.
fn render_identities(app: &App, st: &IpState, area: Rect, buf: &mut Buffer) {
    use table::{Cell, Column};
    let theme = &app.theme;
    let height = table::rows_area(area).height as usize;
    let (from, visible) = identity_window(st, height).visible(&st.rows, height);
    let rows: Vec<table::Line> = visible
        .iter()
        .map(|r| {
            let ok = if r.successes > 0 {
                theme.style(Role::Success)
            } else {
                theme.style(Role::Dim)
            };
            table::Line::new(vec![
                Cell::new(r.user.as_str()),
                Cell::new(format::count(r.failures)).style(theme.style(Role::Failure)),
                Cell::new(format::count(r.successes)).style(ok),
                Cell::new(format::time(r.first)).or_short(format::short_time(r.first)),
                Cell::new(format::time(r.last)).or_short(format::short_time(r.last)),
            ])
        })
        .collect();
    let columns = [
        Column::new("identity tried", Col::grow(14, 60, 0)),
        Column::new("failures", Col::fixed(8, 2)).right(),
        Column::new("verified", Col::fixed(8, 2)).right(),
        Column::new("first seen", Col::forms(11, 19, 4)),
        Column::new("last seen", Col::forms(11, 19, 3)),
    ];
    table::View {
        columns: &columns,
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
    .draw(buf, area, theme);
    if st.rows.is_empty() {
        widgets::empty_message(buf, table::rows_area(area), theme, "No events from this IP");
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
    let rows: Vec<table::Line> = visible
        .iter()
        .filter_map(|id| app.session.findings.get(id))
        .map(|f| {
            table::Line::new(vec![
                table::Cell::new(format::severity(f.severity))
                    .style(theme.style(format::severity_role(f.severity))),
                table::Cell::new(format::detector_short(f.detector))
                    .style(theme.style(Role::Accent)),
                table::Cell::new(format::time(f.first_seen))
                    .or_short(format::short_time(f.first_seen)),
                table::Cell::new(f.title.as_str()),
            ])
        })
        .collect();
    let what = if st.network.is_some() {
        "network"
    } else {
        "IP"
    };
    let title = format!("alerts with this {what} ({})", st.alerts.len());
    let columns = [
        table::Column::new("", Col::fixed(4, 0)),
        table::Column::new("", Col::fixed(12, 3)),
        table::Column::new("", Col::forms(11, 19, 1)),
        table::Column::new("", Col::grow(20, 400, 0)),
    ];
    table::View {
        columns: &columns,
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
        match &self.network {
            Some(n) => format!("Network {}", clean_width(n, 40)),
            None => format!("IP {}", clean_width(&self.ip, 40)),
        }
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
        let now: usize = self
            .members
            .iter()
            .map(|m| cx.session.store.by_ip(m).len())
            .sum();
        if now != self.built_from {
            self.rebuild(&cx.session.store, &cx.session.findings)
        }
    }
}
