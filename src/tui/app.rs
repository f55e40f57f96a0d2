//! The workbench model: the session (store, findings, sources), the case
//! link, the screen stack, the alerts and events views, the open dialog,
//! and `update(Action)`, which changes state and returns [`Effect`]s (case
//! writes, raw-record reads, quit) for the main loop to perform. Drawing
//! reads `&App` only. No terminal, file or clock access here: "now" is a
//! field the main loop sets.

use super::action::Action;
use super::case_link::{CaseLink, Class, NewAllow};
use super::keymap::{Key, Keymap};
use super::modal::Modal;
use super::query::Matcher;
use super::raw::{self, RawRequest, RawText};
use super::screens::alerts::AlertsState;
use super::screens::detail::DetailState;
use super::screens::events::EventsState;
use super::screens::ip::IpState;
use super::screens::map::MapState;
use super::screens::timeline::TimelineState;
use super::screens::{self, help, ListPos, Screen};
use super::theme::{Role, Theme};
use crate::finding::Finding;
use crate::pipeline::{Session, SourceState};
use crate::store::EventIdx;
use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Work the main loop does for the model.
#[derive(Debug)]
pub enum Effect {
    Quit,
    Case(CaseOp),
    LoadRaw(RawRequest),
}

/// A write to the case file.
#[derive(Debug)]
pub enum CaseOp {
    Verdict {
        finding: String,
        class: Class,
        note: Option<String>,
    },
    Note {
        finding: String,
        text: String,
    },
    Allow(NewAllowSpec),
}

/// An allowlist entry to write (kept as data; converted to `NewAllow` when performed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAllowSpec {
    pub kind: super::case_link::AllowKind,
    pub value: String,
    pub detectors: Vec<crate::finding::DetectorId>,
    pub note: String,
    pub expires: Option<DateTime<Utc>>,
}

/// What the model needs besides the session.
pub struct AppOptions {
    pub keymap: Keymap,
    pub theme: Theme,
    pub case: CaseLink,
    pub now: DateTime<Utc>,
}

/// Ingest speed, measured by the main loop.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rate {
    pub events_per_sec: f64,
}

pub struct App {
    pub session: Session,
    pub case: CaseLink,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Never empty: the bottom is the alerts screen.
    pub stack: Vec<Screen>,
    pub forward: Vec<Screen>,
    pub alerts: AlertsState,
    pub events: EventsState,
    pub modal: Option<Modal>,
    pub flash: Option<(Role, String)>,
    pub rate: Rate,
    pub now: DateTime<Utc>,
    pub size: Rect,
    pub quit: bool,
    pub matcher: Matcher,
    /// Start-up notes for the sources screen (which GeoIP databases were loaded).
    pub notes: Vec<String>,
    seen_events: usize,
}

impl App {
    pub fn new(session: Session, opts: AppOptions) -> App {
        let mut app = App {
            session,
            case: opts.case,
            keymap: opts.keymap,
            theme: opts.theme,
            stack: vec![Screen::Alerts],
            forward: Vec::new(),
            alerts: AlertsState::default(),
            events: EventsState::default(),
            modal: None,
            flash: None,
            rate: Rate::default(),
            now: opts.now,
            size: Rect::new(0, 0, 80, 24),
            quit: false,
            matcher: Matcher::default(),
            notes: Vec::new(),
            seen_events: 0,
        };
        app.apply_triage();
        app
    }

    /// True while any input is still being read for the first time.
    pub fn loading(&self) -> bool {
        self.session
            .sources
            .iter()
            .any(|s| matches!(s.state, SourceState::Opening | SourceState::Reading))
    }

    pub fn top(&self) -> &Screen {
        self.stack.last().unwrap_or(&Screen::Alerts)
    }

    pub fn body(&self) -> Rect {
        screens::frame(self.size).body
    }

    /// The rows area of the top screen's list.
    pub fn list_area(&self) -> Rect {
        let body = self.body();
        match self.top() {
            Screen::Alerts => screens::alerts::list_area(body),
            Screen::Detail(d) => screens::detail::list_area(self, d, body),
            Screen::Timeline(_) => screens::timeline::list_area(body),
            Screen::Ip(s) => screens::ip::list_area(s, body),
            Screen::Map(_) => screens::map::list_area(body),
            Screen::Events => screens::events::list_area(body),
            Screen::Help(_) | Screen::Sources(_) => body,
        }
    }

    fn list_height(&self) -> usize {
        self.list_area().height.max(1) as usize
    }

    pub fn set_flash(&mut self, role: Role, text: impl Into<String>) {
        self.flash = Some((role, text.into()));
    }

    // ---- input -------------------------------------------------------------

    pub fn on_key(&mut self, ev: KeyEvent) -> Vec<Effect> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if self.modal.is_some() {
            return self.modal_key(ev);
        }
        self.flash = None;
        let key = Key::from_event(&ev);
        match self.keymap.lookup(self.top().contexts(), key) {
            Some(a) => self.update(a),
            None => Vec::new(),
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.modal.is_some() {
            return match m.kind {
                MouseEventKind::ScrollDown => self.modal_scroll(3),
                MouseEventKind::ScrollUp => self.modal_scroll(-3),
                _ => Vec::new(),
            };
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.move_by(3),
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let area = self.list_area();
                if m.row >= area.y
                    && m.row < area.bottom()
                    && m.column >= area.x
                    && m.column < area.right()
                {
                    let row = self.first_visible_row() + (m.row - area.y) as usize;
                    self.select_row(row);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn on_resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        let h = self.list_height();
        match self.stack.last_mut() {
            Some(Screen::Alerts) => self.alerts.pos.follow(self.alerts.rows.len(), h),
            Some(Screen::Events) => self.events.keep_selection(&self.session.store, h),
            _ => {}
        }
    }

    // ---- update ------------------------------------------------------------

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let h = self.list_height() as isize;
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Help => self.push(Screen::Help(ListPos::default())),
            Action::Sources => self.push(Screen::Sources(ListPos::default())),
            Action::Back => self.back(),
            Action::Forward => self.go_forward(),
            Action::Alerts => {
                let mut rest = self.stack.split_off(1);
                rest.reverse();
                if !rest.is_empty() {
                    self.forward = rest;
                }
            }
            Action::Events => {
                if !matches!(self.top(), Screen::Events) {
                    self.push(Screen::Events);
                    let h = self.list_height();
                    self.events.keep_selection(&self.session.store, h);
                }
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-h.max(2) + 1),
            Action::PageDown => self.move_by(h.max(2) - 1),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Open => return self.open(),
            Action::Search => self.open_query(),
            Action::Command => self.modal = Some(Modal::command()),
            Action::ClearQuery => self.set_query(""),
            Action::PivotUser => self.pivot_user(),
            Action::PivotIp => self.pivot_ip(),
            Action::PivotMap => self.pivot_map(),
            Action::SortNext => {
                self.alerts.sort = self.alerts.sort.next();
                self.refresh_alerts();
                let name = self.alerts.sort.name();
                self.set_flash(Role::Dim, format!("sorted by {name}"));
            }
            Action::SortReverse => {
                self.alerts.descending = !self.alerts.descending;
                self.refresh_alerts();
            }
            Action::ToggleSuppressed => {
                self.alerts.show_suppressed = !self.alerts.show_suppressed;
                self.refresh_alerts();
                let what = if self.alerts.show_suppressed {
                    "showing"
                } else {
                    "hiding"
                };
                let n = self.alerts.suppressed;
                self.set_flash(Role::Dim, format!("{what} {n} suppressed findings"));
            }
            Action::SeverityFilter => self.cycle_severity(),
            Action::VerdictTruePositive => self.open_verdict(Class::TruePositive),
            Action::VerdictBenignPositive => self.open_verdict(Class::BenignPositive),
            Action::VerdictFalsePositive => self.open_verdict(Class::FalsePositive),
            Action::VerdictUndetermined => self.open_verdict(Class::Undetermined),
            Action::Note => {
                if let Some(id) = self.require_finding() {
                    self.modal = Some(Modal::note(id));
                }
            }
            Action::Allowlist => {
                if let Some(id) = self.require_finding() {
                    if let Some(f) = self.session.findings.get(&id) {
                        let dialog =
                            super::modal::AllowDialog::from_finding(f, &self.session.store);
                        self.modal = Some(Modal::Allow(Box::new(dialog)));
                    }
                }
            }
            Action::Raw => return self.open_raw(),
            Action::NextTheme => {
                let names: Vec<&str> = Theme::builtin_names().collect();
                let i = names
                    .iter()
                    .position(|n| *n == self.theme.name)
                    .map(|i| (i + 1) % names.len())
                    .unwrap_or(0);
                self.theme = Theme::builtin(names[i], self.theme.mode);
                self.set_flash(Role::Dim, format!("theme {}", names[i]));
            }
        }
        Vec::new()
    }

    // ---- navigation --------------------------------------------------------

    pub fn push(&mut self, s: Screen) {
        self.stack.push(s);
        self.forward.clear();
    }

    fn back(&mut self) {
        if self.stack.len() > 1 {
            if let Some(s) = self.stack.pop() {
                self.forward.push(s);
            }
            self.refresh_top();
        } else if !self.alerts.query.text.is_empty() {
            self.set_query("");
        }
    }

    fn go_forward(&mut self) {
        if let Some(s) = self.forward.pop() {
            self.stack.push(s);
            self.refresh_top();
        }
    }

    fn move_by(&mut self, delta: isize) {
        let h = self.list_height();
        let App {
            stack,
            alerts,
            events,
            session,
            keymap,
            theme,
            notes,
            ..
        } = self;
        match stack.last_mut() {
            Some(Screen::Alerts) | None => alerts.move_by(delta, &session.findings, h),
            Some(Screen::Events) => events.move_by(delta, &session.store, h),
            Some(Screen::Detail(d)) => {
                let len = session
                    .findings
                    .get(&d.id)
                    .map(|f| f.evidence.len())
                    .unwrap_or(0);
                d.pos.move_by(delta, len, h);
            }
            Some(Screen::Timeline(t)) => t.pos.move_by(delta, t.rows.len(), h),
            Some(Screen::Ip(s)) => s.pos.move_by(delta, s.rows.len(), h),
            Some(Screen::Map(m)) => m.pos.move_by(delta, m.hops.len(), h),
            Some(Screen::Help(p)) => scroll(p, delta, help::lines(keymap, theme, 200).len(), h),
            Some(Screen::Sources(p)) => scroll(
                p,
                delta,
                screens::sources::lines(session, notes, theme, 200).len(),
                h,
            ),
        }
    }

    fn first_visible_row(&self) -> usize {
        let h = self.list_height();
        match self.top() {
            Screen::Alerts => self.alerts.pos.window(self.alerts.rows.len(), h).0,
            Screen::Events => {
                self.events
                    .pos
                    .window(self.events.len(&self.session.store), h)
                    .0
            }
            Screen::Detail(d) => {
                d.pos
                    .window(
                        self.session
                            .findings
                            .get(&d.id)
                            .map(|f| f.evidence.len())
                            .unwrap_or(0),
                        h,
                    )
                    .0
            }
            Screen::Timeline(t) => t.pos.window(t.rows.len(), h).0,
            Screen::Ip(s) => s.pos.window(s.rows.len(), h).0,
            Screen::Map(m) => m.pos.window(m.hops.len(), h).0,
            Screen::Help(p) | Screen::Sources(p) => p.offset,
        }
    }

    fn select_row(&mut self, row: usize) {
        let h = self.list_height();
        let App {
            stack,
            alerts,
            events,
            session,
            ..
        } = self;
        match stack.last_mut() {
            Some(Screen::Alerts) | None => alerts.select_row(row, &session.findings, h),
            Some(Screen::Events) => events.select_row(row, &session.store, h),
            Some(Screen::Detail(d)) => {
                let len = session
                    .findings
                    .get(&d.id)
                    .map(|f| f.evidence.len())
                    .unwrap_or(0);
                d.pos.to(row, len, h);
            }
            Some(Screen::Timeline(t)) => t.pos.to(row, t.rows.len(), h),
            Some(Screen::Ip(s)) => s.pos.to(row, s.rows.len(), h),
            Some(Screen::Map(m)) => m.pos.to(row, m.hops.len(), h),
            Some(Screen::Help(_)) | Some(Screen::Sources(_)) => {}
        }
    }

    fn open(&mut self) -> Vec<Effect> {
        match self.top() {
            Screen::Alerts => {
                if let Some(f) = self.alerts.selected(&self.session.findings) {
                    let id = f.id.clone();
                    self.push(Screen::Detail(DetailState::new(id)));
                }
            }
            Screen::Detail(_) | Screen::Timeline(_) | Screen::Events => return self.open_raw(),
            Screen::Ip(_) | Screen::Map(_) => self.pivot_user(),
            Screen::Help(_) | Screen::Sources(_) => {}
        }
        Vec::new()
    }

    /// Opens the detail of a finding by id (the `:open` command).
    pub fn open_finding(&mut self, id: &str) {
        match self
            .session
            .findings
            .all()
            .iter()
            .find(|f| f.id.starts_with(id))
        {
            Some(f) => {
                let id = f.id.clone();
                self.push(Screen::Detail(DetailState::new(id)));
            }
            None => self.set_flash(
                Role::Error,
                format!(
                    "no finding with id {}",
                    crate::sanitize::clean_width(id, 20)
                ),
            ),
        }
    }

    // ---- selection ---------------------------------------------------------

    /// The finding the analyst is looking at (alerts row or detail screen).
    pub fn selected_finding(&self) -> Option<&Finding> {
        match self.top() {
            Screen::Alerts => self.alerts.selected(&self.session.findings),
            Screen::Detail(d) => self.session.findings.get(&d.id),
            _ => None,
        }
    }

    /// The selected finding's id, or a hint in the footer.
    fn require_finding(&mut self) -> Option<String> {
        let id = self.selected_finding().map(|f| f.id.clone());
        if id.is_none() {
            self.set_flash(
                Role::Warning,
                "select a finding first (on the alerts or detail screen)",
            );
        }
        id
    }

    pub fn selected_event(&self) -> Option<EventIdx> {
        match self.top() {
            Screen::Detail(d) => self
                .session
                .findings
                .get(&d.id)
                .and_then(|f| f.evidence.get(d.pos.selected).copied()),
            Screen::Timeline(t) => t.selected_event(),
            Screen::Events => self
                .events
                .row(&self.session.store, self.events.pos.selected),
            _ => None,
        }
    }

    fn selected_user(&self) -> Result<String, String> {
        let store = &self.session.store;
        let from_event =
            |i: EventIdx| Some(store.text(store.get(i).user).to_string()).filter(|u| !u.is_empty());
        let user = match self.top() {
            Screen::Alerts | Screen::Detail(_) => {
                let f = self.selected_finding().ok_or("select a finding first")?;
                f.user
                    .clone()
                    .or_else(|| self.selected_event().and_then(from_event))
            }
            Screen::Timeline(t) => Some(t.user.clone()),
            Screen::Ip(s) => s.rows.get(s.pos.selected).map(|r| r.user.clone()),
            Screen::Map(m) => Some(m.user.clone()),
            Screen::Events => self.selected_event().and_then(from_event),
            Screen::Help(_) | Screen::Sources(_) => None,
        };
        user.ok_or_else(|| {
            "no user here (an IP finding: press i for the IP pivot, then pick an identity)".into()
        })
    }

    fn selected_ip(&self) -> Result<String, String> {
        let store = &self.session.store;
        let from_event =
            |i: EventIdx| Some(store.text(store.get(i).ip).to_string()).filter(|u| !u.is_empty());
        let ip = match self.top() {
            Screen::Alerts => self.selected_finding().and_then(|f| {
                f.ip.clone()
                    .or_else(|| f.evidence.first().copied().and_then(from_event))
            }),
            Screen::Detail(_) => self
                .selected_event()
                .and_then(from_event)
                .or_else(|| self.selected_finding().and_then(|f| f.ip.clone())),
            Screen::Timeline(_) | Screen::Events => self.selected_event().and_then(from_event),
            Screen::Ip(s) => Some(s.ip.clone()),
            _ => None,
        };
        ip.ok_or_else(|| "no IP here".into())
    }

    fn pivot_user(&mut self) {
        match self.selected_user() {
            Ok(u) => self.open_timeline(&u),
            Err(e) => self.set_flash(Role::Warning, e),
        }
    }

    /// Pushes the timeline of `user`, marking the selected finding's evidence.
    pub fn open_timeline(&mut self, user: &str) {
        let focus = self
            .selected_finding()
            .map(|f| (f.id.clone(), f.evidence.clone()));
        let st = TimelineState::new(
            &user.to_lowercase(),
            focus,
            &self.session.store,
            &self.session.config.detectors.impossible_travel,
        );
        self.push(Screen::Timeline(st));
        let h = self.list_height();
        if let Some(Screen::Timeline(t)) = self.stack.last_mut() {
            t.pos.follow(t.rows.len(), h);
        }
    }

    fn pivot_ip(&mut self) {
        match self.selected_ip() {
            Ok(ip) => self.open_ip(&ip),
            Err(e) => self.set_flash(Role::Warning, e),
        }
    }

    pub fn open_ip(&mut self, ip: &str) {
        let st = IpState::new(ip, &self.session.store, &self.session.findings);
        self.push(Screen::Ip(st));
    }

    fn pivot_map(&mut self) {
        match self.selected_user() {
            Ok(u) => self.open_map(&u),
            Err(e) => self.set_flash(Role::Warning, e),
        }
    }

    pub fn open_map(&mut self, user: &str) {
        let st = MapState::new(
            &user.to_lowercase(),
            &self.session.store,
            &self.session.config.detectors.impossible_travel,
        );
        self.push(Screen::Map(st));
    }

    fn open_raw(&mut self) -> Vec<Effect> {
        let Some(ev) = self.selected_event() else {
            self.set_flash(Role::Warning, "select an event first");
            return Vec::new();
        };
        let (view, req) = raw::open(ev, &self.session.store, &self.session.sources);
        self.modal = Some(Modal::Raw(Box::new(view)));
        req.map(Effect::LoadRaw).into_iter().collect()
    }

    /// A raw record read finished.
    pub fn raw_loaded(&mut self, event: EventIdx, text: RawText) {
        if let Some(Modal::Raw(v)) = &mut self.modal {
            if v.event == event {
                v.text = text;
            }
        }
    }

    // ---- queries -----------------------------------------------------------

    fn open_query(&mut self) {
        let target = match self.top() {
            Screen::Events => super::modal::QueryTarget::Events,
            _ => {
                if !matches!(self.top(), Screen::Alerts) {
                    let mut rest = self.stack.split_off(1);
                    rest.reverse();
                    self.forward = rest;
                }
                super::modal::QueryTarget::Alerts
            }
        };
        let current = match target {
            super::modal::QueryTarget::Alerts => self.alerts.query.text.clone(),
            super::modal::QueryTarget::Events => self.events.query.text.clone(),
        };
        self.modal = Some(Modal::query(target, current));
    }

    /// Sets the query of the top list (alerts or events).
    pub fn set_query(&mut self, text: &str) {
        match self.top() {
            Screen::Events => {
                self.events.set_query(text);
                self.events.pos = ListPos::default();
                self.events.selected = None;
            }
            _ => {
                self.alerts.query = super::query::Query::parse(text);
                self.refresh_alerts();
            }
        }
    }

    fn cycle_severity(&mut self) {
        let text = self.alerts.query.text.clone();
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let current = words.iter().position(|w| w.starts_with("sev:"));
        let next = match current.map(|i| words[i]) {
            None => Some("sev:>=medium"),
            Some("sev:>=medium") => Some("sev:>=high"),
            Some("sev:>=high") => Some("sev:critical"),
            Some(_) => None,
        };
        if let Some(i) = current {
            words.remove(i);
        }
        if let Some(n) = next {
            words.insert(0, n);
        }
        let q = words.join(" ");
        self.alerts.query = super::query::Query::parse(&q);
        self.refresh_alerts();
        self.set_flash(
            Role::Dim,
            next.map(|n| format!("filter {n}"))
                .unwrap_or_else(|| "all severities".into()),
        );
    }

    // ---- data --------------------------------------------------------------

    /// Applies the allowlist to every finding and rebuilds the alert rows.
    pub fn apply_triage(&mut self) {
        self.case
            .apply(&mut self.session.findings, &self.session.store, self.now);
        self.refresh_alerts();
    }

    pub fn refresh_alerts(&mut self) {
        let h = screens::alerts::list_area(self.body()).height as usize;
        self.alerts
            .refresh(&self.session.findings, &self.case, &self.matcher, h);
    }

    /// Takes in what the session changed since the last call.
    pub fn after_ingest(&mut self) {
        let changes = self.session.take_changes();
        if !changes.is_empty() {
            self.apply_triage();
        }
        if self.session.store.len() != self.seen_events {
            self.seen_events = self.session.store.len();
            self.refresh_top();
        }
    }

    /// Rebuilds the top screen's rows if its data grew (pivots are snapshots of an index).
    pub fn refresh_top(&mut self) {
        let h = self.list_height();
        let App {
            stack,
            session,
            events,
            ..
        } = self;
        let store = &session.store;
        match stack.last_mut() {
            Some(Screen::Timeline(t)) if store.by_user(&t.user).len() != t.built_from => {
                t.rebuild(store, &session.config.detectors.impossible_travel);
                t.pos.follow(t.rows.len(), h);
            }
            Some(Screen::Ip(s)) if store.by_ip(&s.ip).len() != s.built_from => {
                s.rebuild(store, &session.findings)
            }
            Some(Screen::Events) => events.keep_selection(store, h),
            _ => {}
        }
    }

    /// Background work per tick (incremental filtering). Returns true if anything visible changed.
    pub fn tick(&mut self, budget: std::time::Duration) -> bool {
        if self.events.filtering(&self.session.store) {
            self.events
                .advance(&self.session.store, &self.matcher, budget);
            let h = screens::events::list_area(self.body()).height as usize;
            self.events.keep_selection(&self.session.store, h);
            return true;
        }
        false
    }

    /// Performs a case write and shows the result.
    pub fn perform(&mut self, op: CaseOp) {
        let config = self.session.config.clone();
        let result = match &op {
            CaseOp::Verdict {
                finding,
                class,
                note,
            } => match self.session.findings.get(finding) {
                Some(f) => self
                    .case
                    .set_verdict(f, *class, note.as_deref(), &config)
                    .map(|_| format!("{}: {}", class.as_str(), short(finding))),
                None => Err("the finding is gone".into()),
            },
            CaseOp::Note { finding, text } => match self.session.findings.get(finding) {
                Some(f) => self
                    .case
                    .add_note(f, text)
                    .map(|_| format!("note added to {}", short(finding))),
                None => Err("the finding is gone".into()),
            },
            CaseOp::Allow(spec) => {
                let entry = NewAllow {
                    kind: spec.kind,
                    value: spec.value.clone(),
                    detectors: spec.detectors.clone(),
                    note: spec.note.clone(),
                    expires: spec.expires,
                };
                self.case.add_allow(&entry, self.now, &config).map(|e| {
                    format!(
                        "allowlisted {} {} (entry #{})",
                        e.kind.as_str(),
                        crate::sanitize::clean_width(&e.value, 40),
                        e.id
                    )
                })
            }
        };
        match result {
            Ok(msg) => {
                self.apply_triage();
                let path = self
                    .case
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                self.set_flash(
                    Role::Success,
                    format!(
                        "✓ {msg} — saved to {}",
                        crate::sanitize::clean_width(&path, 40)
                    ),
                );
            }
            Err(e) => self.set_flash(
                Role::Error,
                format!("✗ not saved: {}", crate::sanitize::clean_width(&e, 100)),
            ),
        }
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

fn scroll(p: &mut ListPos, delta: isize, len: usize, height: usize) {
    let max = len.saturating_sub(height) as isize;
    p.offset = (p.offset as isize)
        .saturating_add(delta)
        .clamp(0, max.max(0)) as usize;
    p.selected = p.offset;
}
