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
use super::screens::{self, Open, Screen};
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
        } else if !self.alerts().query.text.is_empty() {
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
        self.with_top(|s, cx| s.move_by(cx, delta, h));
    }

    pub(super) fn first_visible_row(&self) -> usize {
        self.top().first_visible_row(self, self.list_height())
    }

    pub(super) fn select_row(&mut self, row: usize) {
        let h = self.list_height();
        self.with_top(|s, cx| s.select_row(cx, row, h));
    }

    pub(super) fn open(&mut self) -> Vec<Effect> {
        match self.top().open(self) {
            Open::Finding(id) => self.push(Screen::Detail(DetailState::new(id))),
            Open::Raw => return self.open_raw(),
            Open::PivotUser => self.pivot_user(),
            Open::Incident(id) => self.push(Screen::Incident(
                super::screens::incident::IncidentState::new(id),
            )),
            Open::Command(text) => self.modal = Some(Modal::command_with(&text)),
            Open::Nothing => {}
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
        self.top().selected_finding(self)
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
        self.top().selected_event(self)
    }

    pub(super) fn selected_user(&self) -> Result<String, String> {
        self.top()
            .selected_user(self)
            .unwrap_or_else(|| Err(screens::NO_USER.into()))
    }

    pub(super) fn selected_ip(&self) -> Result<String, String> {
        self.top()
            .selected_ip(self)
            .ok_or_else(|| "no IP here".into())
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
        // A finding about a network opens the network's page: all its
        // addresses, not only the busiest one.
        if let Some((label, ip, members)) = self.selected_network() {
            let st = IpState::network(
                &label,
                &ip,
                members,
                &self.session.store,
                &self.session.findings,
            );
            self.push(Screen::Ip(st));
            return;
        }
        match self.selected_ip() {
            Ok(ip) => self.open_ip(&ip),
            Err(e) => self.set_flash(Role::Warning, e),
        }
    }

    /// The selected finding's network (label, busiest address, addresses)
    /// when its detector says its entity is a network.
    fn selected_network(&self) -> Option<(String, String, Vec<String>)> {
        use crate::detect::describe::Entity;
        if matches!(self.stack.last(), Some(Screen::Ip(_))) {
            return None;
        }
        let f = self.selected_finding()?;
        let d = f.detector.description()?;
        if d.entity != Entity::Network {
            return None;
        }
        let label = f.details.get("network")?.as_str()?.to_string();
        let members: Vec<String> = f
            .details
            .get("ips")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let ip = f.ip.clone().or_else(|| members.first().cloned())?;
        Some((label, ip, members))
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
