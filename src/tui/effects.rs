//! Performing the model's case effects: the writes (verdicts, notes,
//! allowlist entries) and the hand-off export. The model (`app.rs`) only
//! asks for them as [`CaseOp`]s; the main loop calls [`write_case`], which
//! is the only place the TUI writes a file, then hands the outcome back to
//! the model to show ([`App::case_written`]).

use super::app::{App, CaseOp};
use super::case_link::NewAllow;
use super::theme::Role;

/// Performs one case write or export and shows the result.
pub fn write_case(app: &mut App, op: CaseOp) {
    let config = app.session.config.clone();
    let result = match &op {
        CaseOp::Verdict {
            finding,
            class,
            note,
        } => match app.session.findings.get(finding) {
            Some(f) => app
                .case
                .set_verdict(f, *class, note.as_deref(), &config)
                .map(|_| format!("{}: {}", class.as_str(), short(finding))),
            None => Err("the finding is gone".into()),
        },
        CaseOp::Note { finding, text } => match app.session.findings.get(finding) {
            Some(f) => app
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
            app.case.add_allow(&entry, app.now, &config).map(|e| {
                format!(
                    "allowlisted {} {} (entry #{})",
                    e.kind.as_str(),
                    crate::sanitize::clean_width(&e.value, 40),
                    e.id
                )
            })
        }
        CaseOp::Export(file) => {
            // Not a case write: the message is the outcome, nothing to re-apply.
            match app.case.export(&app.session, file) {
                Ok(msg) => app.set_flash(Role::Dim, msg),
                Err(e) => app.set_flash(Role::Error, e),
            }
            return;
        }
    };
    app.case_written(result);
}

fn short(id: &str) -> &str {
    super::format::prefix(id, 8)
}
