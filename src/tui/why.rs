//! The workbench's "why not" (`W` on a user's timeline, an IP or network
//! page, an alert's detail): [`crate::tune::why`] over the loaded events and
//! findings, shown in the overlay the raw record uses. A finding that fired
//! but that the alerts list does not show (its query: time filter, minimum
//! severity) says so.

use super::app::App;
use super::modal::Modal;
use super::raw::{RawText, RawView};
use super::screens::Screen;
use super::theme::Role;
use crate::detect::describe::{About, Entity};
use crate::finding::Finding;
use crate::tune::why::{why, Target};

impl App {
    /// The target of the screen on top: the timeline's user, the IP page's
    /// address or network, the alert's entity.
    fn why_target(&self) -> Result<Target, String> {
        let text = match self.stack.last() {
            Some(Screen::Timeline(t)) => t.user.clone(),
            Some(Screen::Ip(p)) => p.ip.clone(),
            Some(Screen::Detail(d)) => {
                let f = self
                    .session
                    .findings
                    .get(&d.id)
                    .ok_or_else(|| "the finding is gone".to_string())?;
                let entity = f.detector.description().map_or(Entity::User, |x| x.entity);
                About::entity_of(entity, f)
                    .ok_or_else(|| "the finding names no user or IP".to_string())?
                    .to_string()
            }
            _ => return Err("why-not works on a user's timeline, an IP page or an alert".into()),
        };
        Target::parse(&text)
    }

    /// Opens the "why not" overlay for the screen's user, IP or network.
    pub(super) fn open_why(&mut self) {
        let target = match self.why_target() {
            Ok(t) => t,
            Err(e) => {
                self.set_flash(Role::Warning, e);
                return;
            }
        };
        let alerts = self.alerts();
        let query = alerts.query.clone();
        let show_suppressed = alerts.show_suppressed;
        let hidden = |f: &Finding| {
            let verdict = self.case.verdict(&f.id).map(|v| v.class);
            let shown =
                query.matches_finding_in(f, verdict, &self.matcher, Some(&self.session.store));
            (!shown).then(|| {
                format!(
                    "the alerts query `{}` hides it (time filter, minimum severity)",
                    query.text
                )
            })
        };
        let findings: Vec<&Finding> = self.session.findings.all().iter().collect();
        let report = why(
            &target,
            &self.session.store,
            &findings,
            &self.session.config,
            &self.case.triage.entries,
            &hidden,
        );
        let mut lines = report.lines();
        if !show_suppressed
            && lines
                .iter()
                .any(|l| l.contains("allowlisted") || l.contains("shared egress"))
        {
            lines.push("(suppressed findings are hidden in the alerts list; x shows them)".into());
        }
        let view = RawView {
            heading: Some("why not".into()),
            event: 0,
            location: target.label(),
            text: RawText::Text(lines),
            fields: Vec::new(),
            scroll: 0,
        };
        self.modal = Some(Modal::Raw(Box::new(view)));
    }
}
