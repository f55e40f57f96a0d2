//! The workbench's `:set DETECTOR.SETTING VALUE`: the change is checked by
//! the detector's settings, the built-in detectors re-run over the loaded
//! events in the background (a slice per tick, under both configs: see
//! [`crate::tune::rerun`]; keys keep working and the footer shows the
//! progress), and the difference is shown before anything is kept. Keep
//! (enter) writes the config file ([`crate::tune::keep`], with a comment of
//! who changed what and when) and adopts the re-run; revert (esc) drops it.

use super::app::App;
use super::modal::Modal;
use super::theme::Role;
use crate::tune::rerun::Rerun;
use crate::tune::settings;
use std::time::Duration;

/// A `:set` in progress or waiting for keep / revert.
pub struct TuneJob {
    pub rerun: Rerun,
    /// Set when the re-run finished and its difference is shown.
    pub shown: bool,
}

/// The difference, shown in a dialog.
#[derive(Clone, Debug)]
pub struct TuneView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

impl App {
    /// `:set brute_force.min_failures 5` (or `…=5`).
    pub(super) fn command_set(&mut self, arg: &str) {
        if self.tune.is_some() {
            self.set_flash(
                Role::Warning,
                "a :set is still running; keep or revert it first",
            );
            return;
        }
        let (path, value) = match arg.split_once(char::is_whitespace) {
            Some((p, v)) if !p.contains('=') => (p.to_string(), v.trim().to_string()),
            _ => match arg.split_once('=') {
                Some((p, v)) => (p.to_string(), v.trim().to_string()),
                None => {
                    self.set_flash(
                        Role::Error,
                        ":set DETECTOR.SETTING VALUE (e.g. :set brute_force.min_failures 5)",
                    );
                    return;
                }
            },
        };
        let checked = settings::split_path(&path)
            .and_then(|(d, k)| settings::apply(&self.session.config, &d, &k, &value));
        match checked {
            Ok((changed, setting)) => {
                let what = setting.to_string();
                let rerun = Rerun::start(
                    &self.session.store,
                    &self.session.config,
                    changed,
                    vec![setting],
                );
                self.tune = Some(TuneJob {
                    rerun,
                    shown: false,
                });
                self.set_flash(
                    Role::Dim,
                    format!(
                        "re-running detection with {}…",
                        crate::sanitize::clean(&what)
                    ),
                );
            }
            Err(e) => self.set_flash(Role::Error, crate::sanitize::clean_width(&e, 200)),
        }
    }

    /// Advances a running `:set`; opens its difference when done. True while it runs.
    pub(super) fn tick_tune(&mut self, budget: Duration) -> bool {
        let Some(job) = self.tune.as_mut().filter(|j| !j.shown) else {
            return false;
        };
        if !job.rerun.advance(&self.session.store, budget) {
            let (done, all) = job.rerun.progress();
            self.flash = Some((
                Role::Dim,
                format!("re-running detection: {done} of {all} events"),
            ));
            return true;
        }
        job.shown = true;
        let diff = job
            .rerun
            .diff(&self.session.store, &self.case.triage, self.now);
        let mut lines = diff.lines();
        lines.push(String::new());
        lines.push(format!(
            "enter keeps it (writes {}), esc reverts",
            self.config_target().map_or_else(
                || "no config file: none is known".into(),
                |p| p.display().to_string()
            )
        ));
        self.modal = Some(Modal::Tune(Box::new(TuneView {
            title: "what if".into(),
            lines,
            scroll: 0,
        })));
        self.flash = None;
        true
    }

    /// The config file a kept change goes to: the one loaded, else the default place.
    fn config_target(&self) -> Option<std::path::PathBuf> {
        self.config_path
            .clone()
            .or_else(crate::config::default_config_path)
    }

    /// Keeps the shown change: the config file, then the session.
    pub(super) fn keep_tune(&mut self) {
        let Some(job) = self.tune.take() else {
            return;
        };
        let Some(path) = self.config_target() else {
            self.set_flash(
                Role::Error,
                "✗ not kept: no config file location (set XDG_CONFIG_HOME or use --config)",
            );
            return;
        };
        let analyst = crate::triage::analyst_for(&self.session.config);
        let settings = job.rerun.settings.clone();
        if let Err(e) = crate::tune::keep::keep(&path, &settings, &analyst, self.now) {
            self.set_flash(
                Role::Error,
                format!("✗ not kept: {}", crate::sanitize::clean_width(&e, 120)),
            );
            return;
        }
        self.session.adopt(job.rerun.into_kept());
        self.modal = None;
        self.apply_triage();
        let what: Vec<String> = settings.iter().map(ToString::to_string).collect();
        self.set_flash(
            Role::Success,
            format!(
                "✓ kept {} — written to {}",
                crate::sanitize::clean(&what.join(", ")),
                crate::sanitize::clean_width(&path.display().to_string(), 60)
            ),
        );
    }

    /// Drops the change (running or shown).
    pub(super) fn revert_tune(&mut self) {
        if self.tune.take().is_some() {
            self.set_flash(Role::Dim, "reverted: the settings are as they were");
        }
        self.modal = None;
    }
}

impl App {
    /// `:propose`: allowlist entries for the case's false positives that
    /// share a value, each with its impact; `:propose N` adds the Nth.
    pub(super) fn command_propose(&mut self, arg: &str) -> Vec<super::app::Effect> {
        let props = crate::tune::propose::propose(
            self.session.findings.all(),
            &self.session.store,
            &self.case.triage.verdicts,
        );
        let arg = arg.trim();
        if !arg.is_empty() {
            let chosen = arg
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| props.get(i));
            let Some(p) = chosen else {
                self.set_flash(
                    Role::Error,
                    format!(":propose N adds proposal N; there are {}", props.len()),
                );
                return Vec::new();
            };
            let spec = super::app::NewAllowSpec {
                kind: p.entry.kind,
                value: p.entry.value.clone(),
                detectors: p.entry.detectors.clone(),
                note: p.entry.note.clone(),
                expires: None,
            };
            return vec![super::app::Effect::Case(super::app::CaseOp::Allow(spec))];
        }
        let judged = self
            .session
            .findings
            .all()
            .iter()
            .filter(|f| {
                self.case.verdict(&f.id).map(|v| v.class)
                    == Some(crate::triage::Class::FalsePositive)
            })
            .count();
        let mut lines = vec![format!(
            "{judged} false positives in the case; entries covering at least {} of them that share a value (IP, /24 or /64, AS, user agent, country):",
            crate::tune::propose::MIN_SHARED
        )];
        if props.is_empty() {
            lines.push("none: no value is shared by enough of them".into());
        }
        for (i, p) in props.iter().enumerate() {
            lines.push(format!("{}. {}", i + 1, p.text()));
        }
        if !props.is_empty() {
            lines.push(String::new());
            lines.push(
                ":propose N adds entry N to the case's allowlist (with the note shown in its list)"
                    .into(),
            );
        }
        self.modal = Some(Modal::Raw(Box::new(super::raw::RawView {
            heading: Some("tuning proposals".into()),
            event: 0,
            location: format!("{judged} false positives"),
            text: super::raw::RawText::Text(lines),
            fields: Vec::new(),
            scroll: 0,
        })));
        Vec::new()
    }
}
