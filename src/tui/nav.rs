//! Moving around: the screen stack (push on pivot, back, forward), moving
//! the selection of the top screen, and the pivots from what is selected
//! (finding → detail, user → timeline or map, IP → IP pivot, event → raw
//! record). State changes only; drawing is elsewhere.

use super::app::{App, Effect};
use super::modal::Modal;
use super::raw::{self, RawText};
use super::screens::detail::DetailState;
use super::screens::ip::IpState;
use super::screens::map::MapState;
use super::screens::timeline::TimelineState;
use super::screens::{self, help, Screen};
use super::theme::Role;
use crate::finding::Finding;
use crate::store::EventIdx;

impl App {
    // ---- navigation --------------------------------------------------------

    pub fn push(&mut self, s: Screen) {
        self.stack.push(s);
        self.forward.clear();
    }

    pub(super) fn back(&mut self) {
        if self.stack.len() > 1 {
            if let Some(s) = self.stack.pop() {
                self.forward.push(s);
            }
            self.refresh_top();
        } else if !self.alerts.query.text.is_empty() {
            self.set_query("");
        }
    }

    pub(super) fn go_forward(&mut self) {
        if let Some(s) = self.forward.pop() {
            self.stack.push(s);
            self.refresh_top();
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
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

    pub(super) fn first_visible_row(&self) -> usize {
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

    pub(super) fn select_row(&mut self, row: usize) {
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

    pub(super) fn open(&mut self) -> Vec<Effect> {
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
    pub(super) fn require_finding(&mut self) -> Option<String> {
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

    pub(super) fn selected_user(&self) -> Result<String, String> {
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

    pub(super) fn selected_ip(&self) -> Result<String, String> {
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

    pub(super) fn pivot_user(&mut self) {
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

    pub(super) fn pivot_ip(&mut self) {
        match self.selected_ip() {
            Ok(ip) => self.open_ip(&ip),
            Err(e) => self.set_flash(Role::Warning, e),
        }
    }

    pub fn open_ip(&mut self, ip: &str) {
        let st = IpState::new(ip, &self.session.store, &self.session.findings);
        self.push(Screen::Ip(st));
    }

    pub(super) fn pivot_map(&mut self) {
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

    pub(super) fn open_raw(&mut self) -> Vec<Effect> {
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
}

fn scroll(p: &mut screens::ListPos, delta: isize, len: usize, height: usize) {
    let max = len.saturating_sub(height) as isize;
    p.offset = (p.offset as isize)
        .saturating_add(delta)
        .clamp(0, max.max(0)) as usize;
    p.selected = p.offset;
}
