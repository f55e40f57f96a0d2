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
            findings,
            class,
            note,
        } => verdicts(app, findings, *class, note.as_deref()),
        CaseOp::Work {
            kind,
            ids,
            status,
            owner,
        } => app
            .case
            .set_work(*kind, ids, *status, owner.as_deref(), &config)
            .map(|_| {
                let what = match (status, owner) {
                    (Some(s), Some(o)) => format!("{} · owner {}", s.as_str(), o),
                    (Some(s), None) => s.as_str().to_string(),
                    (None, Some(o)) => format!("owner {o}"),
                    (None, None) => String::new(),
                };
                format!("{what}: {}", some_ids(ids))
            }),
        CaseOp::Move { finding, incident } => app
            .case
            .record_move(finding, incident.as_deref(), &config)
            .map(|_| match incident {
                Some(i) => format!("{} moved into {i}", short(finding)),
                None => format!("{} moved out of its incident", short(finding)),
            }),
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
    // A bulk change on the marked alerts, once saved, clears the marks.
    let bulk = match &op {
        CaseOp::Verdict { findings, .. } => Some(findings),
        CaseOp::Work {
            kind: super::case_link::Target::Finding,
            ids,
            ..
        } => Some(ids),
        _ => None,
    };
    if let (Ok(_), Some(ids)) = (&result, bulk) {
        if let Some(a) = app.alerts_mut() {
            if !a.marks.is_empty() && ids.iter().all(|id| a.marks.contains(id)) {
                a.marks.clear();
            }
        }
    }
    app.case_written(result);
}

/// Writes one verdict per finding; stops at the first failure (the ones
/// before it are saved and said so).
fn verdicts(
    app: &mut App,
    ids: &[String],
    class: super::case_link::Class,
    note: Option<&str>,
) -> Result<String, String> {
    let config = app.session.config.clone();
    for (done, id) in ids.iter().enumerate() {
        let Some(f) = app.session.findings.get(id) else {
            return Err(format!("the finding {} is gone ({done} saved)", short(id)));
        };
        let f = f.clone();
        app.case
            .set_verdict(&f, class, note, &config)
            .map_err(|e| {
                if done == 0 {
                    e
                } else {
                    format!("{e} ({done} saved)")
                }
            })?;
    }
    Ok(format!("{}: {}", class.as_str(), some_ids(ids)))
}

/// "1a2b3c4d" for one finding id, the whole id of an incident, "12 items" for many.
fn some_ids(ids: &[String]) -> String {
    match ids {
        [one] if one.starts_with("inc-") => one.clone(),
        [one] => short(one).to_string(),
        many => format!("{} items", many.len()),
    }
}

fn short(id: &str) -> &str {
    super::format::prefix(id, 8)
}
