//! The workbench model: the session (store, findings, sources), the case
//! link, the screen stack (each screen owns its state), the open dialog,
//! and `update(Action)`, which changes state and returns [`Effect`]s (case
//! writes, exports, raw-record reads, quit) for the main loop to perform
//! (`effects.rs`). Drawing reads `&App` only. No terminal, file or clock
//! access here: "now" is a field the main loop sets.

use super::action::Action;
use super::case_link::{CaseLink, Class, Move, Status, Target};
use super::keymap::{Key, Keymap};
use super::modal::Modal;
use super::query::Matcher;
use std::sync::LazyLock;

/// What [`App::alerts`] shows if the stack ever lost its bottom (it cannot: nothing pops it).
static NO_ALERTS: LazyLock<AlertsState> = LazyLock::new(AlertsState::default);
use super::raw::RawRequest;
use super::screens::alerts::AlertsState;
use super::screens::events::EventsState;
use super::screens::help::HelpState;
use super::screens::sources::SourcesState;
use super::screens::{self, Ctx, Screen};
use super::theme::{Role, Theme};
use crate::pipeline::{Session, SourceState};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Work the main loop does for the model.
#[derive(Debug)]
pub enum Effect {
    Quit,
    Case(CaseOp),
    LoadRaw(RawRequest),
    /// Put text on the clipboard (`what` names it in the flash).
    Copy {
        what: String,
        text: String,
    },
}

/// A write to the case file.
#[derive(Debug)]
pub enum CaseOp {
    /// The same verdict (and note) on every finding listed.
    Verdict {
        findings: Vec<String>,
        class: Class,
        note: Option<String>,
    },
    /// Status and/or owner of findings or incidents.
    Work {
        kind: Target,
        ids: Vec<String>,
        status: Option<Status>,
        owner: Option<String>,
    },
    /// A finding moved out of its incident (`incident` `None`) or into one.
    Move {
        finding: String,
        incident: Option<String>,
    },
    Note {
        finding: String,
        text: String,
    },
    Allow(NewAllowSpec),
    /// The hand-off report with the session's open work (`:export FILE`).
    Export(std::path::PathBuf),
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
    /// Never empty: the bottom is the alerts screen (which owns the alerts state).
    pub stack: Vec<Screen>,
    pub forward: Vec<Screen>,
    pub modal: Option<Modal>,
    pub flash: Option<(Role, String)>,
    pub rate: Rate,
    /// The `kafka://` inputs: their status, and their offsets committed to the case.
    pub kafka: crate::triage::kafka::KafkaRun,
    pub now: DateTime<Utc>,
    pub size: Rect,
    pub quit: bool,
    pub matcher: Matcher,
    /// Start-up notes for the sources screen (which GeoIP databases were loaded).
    pub notes: Vec<String>,
    /// Manual moves read from the case so far, and those the grouping could not take yet.
    pub(super) moves_seen: usize,
    pub(super) pending_moves: Vec<Move>,
    /// The config file loaded (`:set` keeps a change there).
    pub config_path: Option<std::path::PathBuf>,
    /// A `:set` running or shown (see `tune`).
    pub(super) tune: Option<super::tune::TuneJob>,
    seen_events: usize,
    /// Cancel was pressed once on a dialog holding typed text: the next
    /// cancel discards it, any other key keeps editing.
    pub(super) discard_armed: bool,
}

impl App {
    pub fn new(session: Session, opts: AppOptions) -> App {
        let mut app = App {
            session,
            case: opts.case,
            keymap: opts.keymap,
            theme: opts.theme,
            stack: vec![Screen::Alerts(Box::default())],
            forward: Vec::new(),
            modal: None,
            flash: None,
            discard_armed: false,
            rate: Rate::default(),
            kafka: Default::default(),
            now: opts.now,
            size: Rect::new(0, 0, 80, 24),
            quit: false,
            matcher: Matcher::default(),
            notes: Vec::new(),
            moves_seen: 0,
            pending_moves: Vec::new(),
            seen_events: 0,
            config_path: None,
            tune: None,
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

    /// The screen on top of the stack (the alerts screen when nothing is pushed).
    pub fn top(&self) -> &dyn screens::ScreenView {
        match self.stack.last() {
            Some(s) => s.view(),
            None => &*NO_ALERTS,
        }
    }

    /// The alerts screen's state (the bottom of the stack).
    pub fn alerts(&self) -> &AlertsState {
        match self.stack.first() {
            Some(Screen::Alerts(a)) => a,
            _ => &NO_ALERTS,
        }
    }

    /// The alerts screen's state, to change it.
    pub fn alerts_mut(&mut self) -> Option<&mut AlertsState> {
        match self.stack.first_mut() {
            Some(Screen::Alerts(a)) => Some(a),
            _ => None,
        }
    }

    /// The events screen's state, when it is on the stack.
    pub fn events(&self) -> Option<&EventsState> {
        self.stack.iter().rev().find_map(|s| match s {
            Screen::Events(e) => Some(e.as_ref()),
            _ => None,
        })
    }

    /// Splits the model: the screen stack, and what screens read while they change.
    pub(super) fn split(&mut self) -> (&mut Vec<Screen>, Ctx<'_>) {
        let App {
            stack,
            session,
            case,
            matcher,
            keymap,
            theme,
            notes,
            kafka,
            ..
        } = self;
        (
            stack,
            Ctx {
                session,
                case,
                matcher,
                keymap,
                theme,
                notes,
                kafka: kafka.lives(),
            },
        )
    }

    /// Runs `f` on the top screen with the rest of the model.
    pub(super) fn with_top<R>(
        &mut self,
        f: impl FnOnce(&mut dyn screens::ScreenView, &Ctx) -> R,
    ) -> Option<R> {
        let (stack, cx) = self.split();
        stack.last_mut().map(|s| f(s.view_mut(), &cx))
    }

    pub fn body(&self) -> Rect {
        screens::frame(self.size).body
    }

    /// The rows area of the top screen's list.
    pub fn list_area(&self) -> Rect {
        self.top().list_area(self, self.body())
    }

    pub(super) fn list_height(&self) -> usize {
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
            Some(Screen::Alerts(a)) => a.pos.follow(a.rows.len(), h),
            Some(Screen::Events(e)) => e.keep_selection(&self.session.store, h),
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
            Action::Help => self.push(Screen::Help(HelpState::default())),
            Action::Sources => self.push(Screen::Sources(SourcesState::default())),
            Action::Settings => self.push(Screen::Settings(Default::default())),
            Action::Back => self.back(),
            Action::Forward => self.go_forward(),
            Action::Alerts => {
                let mut rest = self.stack.split_off(1);
                rest.reverse();
                if !rest.is_empty() {
                    self.forward = rest;
                }
            }
            Action::Events => self.open_events(),
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
                if let Some(a) = self.alerts_mut() {
                    a.sort = a.sort.next();
                }
                self.refresh_alerts();
                let name = self.alerts().sort.name();
                self.set_flash(Role::Dim, format!("sorted by {name}"));
            }
            Action::SortReverse => {
                if let Some(a) = self.alerts_mut() {
                    a.descending = !a.descending;
                }
                self.refresh_alerts();
            }
            Action::ToggleSuppressed => self.toggle_suppressed(),
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
            Action::Allowlist => self.open_allow(),
            Action::Raw => return self.open_raw(),
            Action::Copy => return self.copy_selection(),
            Action::CopyFinding => return self.copy_finding(),
            Action::WhyUp | Action::WhyDown => {
                let delta = if action == Action::WhyUp { -3 } else { 3 };
                let body = self.body();
                if let Some(Screen::Detail(mut d)) = self.stack.pop() {
                    d.scroll_why(self, body, delta);
                    self.stack.push(Screen::Detail(d));
                }
            }
            Action::NextTheme => self.next_theme(),
            Action::ToggleMark => self.toggle_mark(),
            Action::MarkAll => self.mark_all(),
            Action::StatusActive => return self.change_work(Some(Status::Active), None),
            Action::StatusClosed => return self.change_work(Some(Status::Closed), None),
            Action::TakeOwnership => return self.take_ownership(),
            Action::ToggleClosed => self.toggle_closed(),
            Action::MoveOut => return self.move_out(),
            Action::WhyNot => self.open_why(),
            Action::Incidents => self.open_incidents(),
            Action::PivotIncident => self.pivot_incident(),
            // Dialog actions: only bound in [dialog] and [raw], handled there.
            Action::Submit
            | Action::Cancel
            | Action::NextField
            | Action::PrevField
            | Action::Close => {}
        }
        Vec::new()
    }

    /// The events screen, or the last one left by going back (with its query and place).
    fn open_events(&mut self) {
        if !matches!(self.stack.last(), Some(Screen::Events(_))) {
            // The last events view left by going back keeps its query and place.
            let earlier = self
                .forward
                .iter()
                .rposition(|s| matches!(s, Screen::Events(_)))
                .map(|i| self.forward.remove(i));
            self.push(earlier.unwrap_or_else(|| Screen::Events(Box::default())));
            let h = self.list_height();
            self.with_top(|s, cx| s.refresh(cx, h));
        }
    }

    /// Shows or hides the suppressed findings, and says how many.
    fn toggle_suppressed(&mut self) {
        if let Some(a) = self.alerts_mut() {
            a.show_suppressed = !a.show_suppressed;
        }
        self.refresh_alerts();
        let what = if self.alerts().show_suppressed {
            "showing"
        } else {
            "hiding"
        };
        let n = self.alerts().suppressed;
        self.set_flash(
            Role::Dim,
            format!(
                "{what} {}",
                super::format::counted(n as u64, "suppressed finding", "suppressed findings")
            ),
        );
    }

    /// The allowlist dialog for the selected finding, with its preview.
    fn open_allow(&mut self) {
        if let Some(id) = self.require_finding() {
            if let Some(f) = self.session.findings.get(&id) {
                let dialog = super::modal::AllowDialog::from_finding(f, &self.session.store);
                self.modal = Some(Modal::Allow(Box::new(dialog)));
                self.refresh_allow_impact();
            }
        }
    }

    /// The built-in theme after the current one, wrapping (the first when the current one is not built in).
    fn next_theme(&mut self) {
        // The one after the current theme, wrapping; the first when
        // the current one is not built in.
        let names: Vec<&str> = Theme::builtin_names().collect();
        let next = names
            .iter()
            .position(|n| *n == self.theme.name)
            .and_then(|i| names.get(i + 1))
            .or(names.first());
        if let Some(&name) = next {
            self.theme = Theme::builtin(name, self.theme.mode);
            self.set_flash(Role::Dim, format!("theme {name}"));
        }
    }

    // ---- queries -----------------------------------------------------------

    fn open_query(&mut self) {
        // `/` edits the top screen's query; on a screen without one, the alerts'.
        if self.top().query_text().is_none() {
            let mut rest = self.stack.split_off(1);
            rest.reverse();
            if !rest.is_empty() {
                self.forward = rest;
            }
        }
        let target = match self.stack.last() {
            Some(Screen::Events(_)) => super::modal::QueryTarget::Events,
            _ => super::modal::QueryTarget::Alerts,
        };
        let current = self.top().query_text().unwrap_or_default().to_string();
        self.modal = Some(Modal::query(target, current));
    }

    /// Sets the query of the top list (alerts or events).
    pub fn set_query(&mut self, text: &str) {
        let h = self.list_height();
        let has = self.top().query_text().is_some();
        let (stack, cx) = self.split();
        let target = if has {
            stack.last_mut()
        } else {
            stack.first_mut()
        };
        if let Some(s) = target {
            s.view_mut().set_query(&cx, text, h);
        }
    }

    fn cycle_severity(&mut self) {
        let text = self.alerts().query.text.clone();
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let current = words.iter().position(|w| w.starts_with("sev:"));
        let next = match current.and_then(|i| words.get(i).copied()) {
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
        if let Some(a) = self.alerts_mut() {
            a.query = super::query::Query::parse(&q);
        }
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
        let changed = self
            .case
            .apply(&mut self.session.findings, &self.session.store, self.now);
        self.session.regroup(&changed);
        self.apply_incident_work();
        self.refresh_alerts();
    }

    pub fn refresh_alerts(&mut self) {
        let h = screens::alerts::list_area(self.body()).height as usize;
        let (stack, cx) = self.split();
        if let Some(Screen::Alerts(a)) = stack.first_mut() {
            a.refresh(
                &cx.session.findings,
                &cx.session.incidents,
                cx.case,
                cx.matcher,
                &cx.session.store,
                h,
            );
        }
    }

    /// Takes in what the session changed since the last call.
    pub fn after_ingest(&mut self) {
        self.matcher.newest = self.session.store.span().map(|(_, last)| last);
        let changes = self.session.take_changes();
        if !changes.is_empty() {
            self.apply_triage();
        }
        if !self.loading() {
            let (stack, cx) = self.split();
            if let Some(Screen::Alerts(a)) = stack.first_mut() {
                a.set_baseline(&cx.session.findings);
            }
        }
        if self.session.store.len() != self.seen_events {
            self.seen_events = self.session.store.len();
            self.refresh_top();
        }
    }

    /// Rebuilds the top screen's rows if its data grew (pivots are snapshots of an index).
    pub fn refresh_top(&mut self) {
        let h = self.list_height();
        if self.stack.len() > 1 {
            self.with_top(|s, cx| s.refresh(cx, h));
        }
    }

    /// Background work per tick (incremental filtering). Returns true if anything visible changed.
    pub fn tick(&mut self, budget: std::time::Duration) -> bool {
        if self.tick_tune(budget) {
            return true;
        }
        let h = screens::events::list_area(self.body()).height as usize;
        let (stack, cx) = self.split();
        let store = &cx.session.store;
        let Some(events) = stack.iter_mut().rev().find_map(|s| match s {
            Screen::Events(e) => Some(e),
            _ => None,
        }) else {
            return false;
        };
        if events.filtering(store) {
            events.advance(store, cx.matcher, budget);
            events.keep_selection(store, h);
            return true;
        }
        false
    }

    /// A case write finished (performed by the main loop, see `effects`):
    /// re-applies the triage state and says what was saved, or why not.
    pub fn case_written(&mut self, result: Result<String, String>) {
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
