//! The triage workflow in the model: marks for bulk verdicts, status and
//! owner changes (of the marked or selected findings, or of the incident
//! on screen), moving findings out of or into incidents, opening incidents,
//! and applying the case's manual moves and incident statuses to the
//! session's grouping. Changes to the case are returned as effects.

use super::app::{App, CaseOp, Effect};
use super::case_link::{Move, Status, Target};
use super::screens::incident::IncidentState;
use super::screens::incidents::IncidentsState;
use super::screens::Screen;
use super::theme::Role;

impl App {
    /// What verdict and status keys act on (see `ScreenView::targets`).
    pub fn targets(&self) -> Vec<String> {
        self.top().targets(self)
    }

    /// Marks or unmarks the selected alert, then moves down.
    pub(super) fn toggle_mark(&mut self) {
        let Some(id) = self.alerts().selected_id.clone() else {
            return;
        };
        if let Some(a) = self.alerts_mut() {
            if !a.marks.remove(&id) {
                a.marks.insert(id);
            }
        }
        self.move_by(1);
    }

    /// Marks every alert the query shows; when all are marked already, clears the marks.
    pub(super) fn mark_all(&mut self) {
        let shown: Vec<String> = self
            .alerts()
            .rows
            .iter()
            .filter_map(|&i| self.session.findings.all().get(i))
            .map(|f| f.id.clone())
            .collect();
        let n = shown.len();
        let Some(a) = self.alerts_mut() else { return };
        let msg = if !shown.is_empty() && shown.iter().all(|id| a.marks.contains(id)) {
            a.marks.clear();
            "marks cleared".to_string()
        } else {
            a.marks.extend(shown);
            format!("{n} shown findings marked: verdict and status keys act on them")
        };
        self.set_flash(Role::Dim, msg);
    }

    /// Sets status and/or owner of the incident on screen, else of the targets.
    pub fn change_work(&mut self, status: Option<Status>, owner: Option<String>) -> Vec<Effect> {
        let (kind, ids) = match self.top().incident(self) {
            Some(id) => (Target::Incident, vec![id]),
            None => (Target::Finding, self.targets()),
        };
        if ids.is_empty() {
            self.set_flash(Role::Warning, "select a finding or an incident first");
            return Vec::new();
        }
        vec![Effect::Case(CaseOp::Work {
            kind,
            ids,
            status,
            owner,
        })]
    }

    /// Makes the analyst the owner.
    pub(super) fn take_ownership(&mut self) -> Vec<Effect> {
        match self.case.analyst().map(String::from) {
            Some(me) => self.change_work(None, Some(me)),
            None => {
                self.set_flash(Role::Error, "no case file: nothing can be owned");
                Vec::new()
            }
        }
    }

    /// Moves the selected finding out of its incident.
    pub(super) fn move_out(&mut self) -> Vec<Effect> {
        let Some(f) = self.selected_finding() else {
            self.set_flash(Role::Warning, "select a finding first");
            return Vec::new();
        };
        let id = f.id.clone();
        if self.session.incidents.incident_of(&id).is_none() {
            self.set_flash(Role::Warning, "this finding is in no incident");
            return Vec::new();
        }
        vec![Effect::Case(CaseOp::Move {
            finding: id,
            incident: None,
        })]
    }

    /// Moves the selected finding into incident `inc` (`:move INC`, an id or a unique prefix).
    pub fn move_into(&mut self, inc: &str) -> Vec<Effect> {
        let Some(f) = self.selected_finding() else {
            self.set_flash(Role::Warning, "select a finding first");
            return Vec::new();
        };
        let id = f.id.clone();
        match self.find_incident(inc) {
            Some(target) => vec![Effect::Case(CaseOp::Move {
                finding: id,
                incident: Some(target),
            })],
            None => Vec::new(),
        }
    }

    /// The incident whose id starts with `prefix` (`inc-` may be left out), or a message.
    fn find_incident(&mut self, prefix: &str) -> Option<String> {
        let p = prefix.trim();
        let full = if p.starts_with("inc-") {
            p.to_string()
        } else {
            format!("inc-{p}")
        };
        let hits: Vec<String> = self
            .session
            .incidents
            .all()
            .filter(|i| i.id.starts_with(&full))
            .map(|i| i.id.clone())
            .collect();
        match hits.as_slice() {
            [one] => Some(one.clone()),
            [] => {
                let msg = format!("no incident {}", crate::sanitize::clean_width(p, 20));
                self.set_flash(Role::Error, msg);
                None
            }
            many => {
                let msg = format!(
                    "{} incidents start with that: {}",
                    many.len(),
                    many.join(", ")
                );
                self.set_flash(Role::Error, crate::sanitize::clean_width(&msg, 120));
                None
            }
        }
    }

    /// Opens an incident by id or prefix (`:incident ID`).
    pub fn open_incident(&mut self, id: &str) {
        if let Some(id) = self.find_incident(id) {
            self.push(Screen::Incident(IncidentState::new(id)));
        }
    }

    /// The incident of the selected finding; the incidents list when it has none.
    pub(super) fn pivot_incident(&mut self) {
        let inc = self
            .selected_finding()
            .and_then(|f| self.session.incidents.incident_of(&f.id))
            .map(String::from);
        match inc {
            Some(id) => self.push(Screen::Incident(IncidentState::new(id))),
            None => {
                self.open_incidents();
                self.set_flash(Role::Dim, "that finding is in no incident: all incidents");
            }
        }
    }

    pub(super) fn open_incidents(&mut self) {
        if !matches!(self.stack.last(), Some(Screen::Incidents(_))) {
            self.push(Screen::Incidents(IncidentsState::default()));
        }
    }

    /// Shows or hides closed items on the top screen (the alerts when it has none).
    pub(super) fn toggle_closed(&mut self) {
        let shown = self.with_top(|s, _| s.toggle_closed()).flatten();
        let shown = match shown {
            Some(v) => v,
            None => {
                let v = self.alerts_mut().map(|a| {
                    a.show_closed = !a.show_closed;
                    a.show_closed
                });
                v.unwrap_or(false)
            }
        };
        self.refresh_alerts();
        self.refresh_top();
        let closed = self.alerts().closed;
        let msg = if shown {
            "showing closed findings and incidents".to_string()
        } else {
            format!(
                "hiding closed findings and incidents ({})",
                super::format::counted(closed as u64, "finding", "findings")
            )
        };
        self.set_flash(Role::Dim, msg);
    }

    /// Applies the case's manual moves (those the grouping can take now;
    /// the others wait for their findings) and incident statuses and owners.
    pub(super) fn apply_incident_work(&mut self) {
        let fresh = self.case.moves.len();
        if fresh > self.moves_seen {
            let new: Vec<Move> = self
                .case
                .moves
                .get(self.moves_seen..)
                .unwrap_or_default()
                .to_vec();
            self.pending_moves.extend(new);
            self.moves_seen = fresh;
        }
        let analyst = self.case.analyst().unwrap_or("").to_string();
        let pending = std::mem::take(&mut self.pending_moves);
        self.pending_moves = crate::triage::workflow::apply_to_incidents(
            &mut self.session.incidents,
            pending,
            self.case.work_states(),
            &analyst,
        );
    }
}
