//! The workbench: `hunt [PATH…]` opens a terminal UI over the engine and
//! the case. [`run`] prepares everything that can fail with a clear message
//! (inputs, keymap, theme, case) before it touches the terminal, then hands
//! over to the main loop, which owns the session and the model. The
//! terminal is restored on exit, on panic (ratatui's hook) and on
//! SIGTERM/SIGHUP. The core never imports this module.
//!
//! Layout: `app` (model + update → effects), `effects` (case writes and
//! exports, performed by the main loop), `action`, `keymap` (+
//! `assets/keymap.toml`), `theme` (+ `themes/*.toml`), `query`,
//! `screens/*`, `widgets/*`, `view` (draw from `&App`), `main_loop`,
//! `case_link` (the only caller of the triage API), `raw`, `geo`, `format`.

pub mod action;
pub mod app;
pub mod case_link;
pub mod clipboard;
pub mod effects;
pub mod fixture;
pub mod format;
pub mod geo;
pub mod keymap;
mod main_loop;
pub mod modal;
mod nav;
mod pick;
pub mod picker;
pub mod query;
pub mod raw;
pub mod screens;
pub mod theme;
pub mod tune;
pub mod view;
pub mod when;
mod why;
pub mod widgets;
mod workflow;

#[cfg(test)]
mod tests;

use crate::config::Config;
use crate::enrich::Enricher;
use crate::ingest::read::{expand, Input};
use crate::ingest::Format;
use crate::pipeline::{self, RunOptions, Session};
use anyhow::Context as _;
use app::{App, AppOptions};
use case_link::CaseLink;
use keymap::Keymap;
use std::io::IsTerminal;
use std::path::PathBuf;
use theme::{ColorMode, Theme};

/// Everything `hunt [PATH…]` was asked for.
#[derive(Debug, Clone, Default)]
pub struct TuiOptions {
    pub paths: Vec<PathBuf>,
    pub follow: bool,
    pub format: Option<Format>,
    pub config: Config,
    pub geoip: Vec<PathBuf>,
    /// The case file (`--case`); default location when `None`.
    pub case: Option<PathBuf>,
    /// `--theme`; the config's `[ui] theme` when `None`.
    pub theme: Option<String>,
    /// The config file loaded (where `:set` keeps a change; the default place when `None`).
    pub config_path: Option<PathBuf>,
}

/// Opens the workbench and runs it until the analyst quits.
pub fn run(opts: TuiOptions) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the workbench needs a terminal on standard output; use `hunt scan` to write findings to a file or pipe");
    }
    let mut paths = opts.paths.clone();
    if paths.is_empty() && !std::io::stdin().is_terminal() {
        paths.push(PathBuf::from("-"));
    }
    if paths.is_empty() {
        anyhow::bail!(
            "name log files or folders to open (or - for standard input), e.g. `hunt samples/`"
        );
    }
    let (inputs, errors) = if opts.follow {
        crate::ingest::read::expand_following(&paths)
    } else {
        expand(&paths)
    };
    // A URL that names no live source hunt reads is a usage error.
    if let Some((p, e)) = errors
        .iter()
        .find(|(_, e)| e.kind() == std::io::ErrorKind::InvalidInput)
    {
        anyhow::bail!("{}: {e}", crate::sanitize::clean(&p.display().to_string()));
    }
    if inputs.is_empty() {
        let why: Vec<String> = errors
            .iter()
            .map(|(p, e)| format!("{}: {e}", crate::sanitize::clean(&p.display().to_string())))
            .collect();
        anyhow::bail!("nothing to read: {}", why.join("; "));
    }
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        anyhow::bail!("- (standard input) can be given only once");
    }
    let keymap = Keymap::load(opts.config.ui.keymap.as_deref())?;
    let theme_name = opts
        .theme
        .clone()
        .unwrap_or_else(|| opts.config.ui.theme.clone());
    let theme = Theme::load(Some(&theme_name), ColorMode::detect(), &theme::theme_dirs())?;
    let (enricher, geo_msgs) = Enricher::open(&opts.geoip);
    let mut session = Session::new(opts.config.clone(), enricher);
    session.add_sources(&inputs, opts.follow);
    let case = CaseLink::open(opts.case.as_deref(), &opts.config);
    let mut app = App::new(
        session,
        AppOptions {
            keymap,
            theme,
            case,
            now: chrono::Utc::now(),
        },
    );
    app.config_path = opts.config_path.clone();
    // Problems go to the footer at once; what GeoIP loaded is listed on the sources screen.
    let geo_problems = geo_msgs
        .iter()
        .filter(|m| m.contains("cannot") || m.contains("skipped"))
        .cloned();
    let startup: Vec<String> = errors
        .iter()
        .map(|(p, e)| {
            format!(
                "cannot read {}: {e}",
                crate::sanitize::clean(&p.display().to_string())
            )
        })
        .chain(app.case.error.clone())
        .chain(app.case.read_only.clone())
        .chain(geo_problems)
        .chain(
            app.session
                .sigma
                .problems
                .iter()
                .map(|p| format!("sigma: {}", crate::sanitize::clean(p))),
        )
        .collect();
    app.notes = geo_msgs;
    // Every Sigma problem and warning is listed with the notes (sources screen).
    app.notes.extend(
        app.session
            .sigma
            .problems
            .iter()
            .chain(&app.session.sigma.warnings)
            .map(|p| format!("sigma: {}", crate::sanitize::clean(p))),
    );
    if let Some(first) = startup.first() {
        app.set_flash(theme::Role::Warning, first.clone());
    }
    let mut readers = pipeline::start(
        &RunOptions {
            inputs,
            follow: opts.follow,
            format: opts.format,
            workers: 0,
        },
        &opts.config,
    );
    let kafka = std::mem::take(&mut readers.kafka);
    let (kafka, kafka_notes) = crate::triage::kafka::KafkaRun::begin(kafka, app.case.open_case())?;
    if let Some(first) = kafka_notes.first().filter(|_| startup.is_empty()) {
        app.set_flash(theme::Role::Warning, first.clone());
    }
    app.notes.extend(kafka_notes);
    app.kafka = kafka;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the event loop")?;
    let mut terminal = ratatui::try_init().context("opening the terminal")?;
    install_panic_hook();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let result = rt.block_on(main_loop::run(&mut terminal, app, readers));
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    // Reader threads may be blocked on stdin; do not wait for them.
    rt.shutdown_background();
    result
}

/// Installed after ratatui's hook, so it runs first. A panic on a background
/// thread (reader, parse worker) is caught there and reported as a problem
/// of its input: the workbench goes on, so the terminal must stay as it is.
/// Any other panic turns mouse reporting off, then ratatui's hook leaves raw
/// mode and the alternate screen, then hunt's own hook prints one line.
fn install_panic_hook() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::panics::is_background() {
            crate::panics::note(info);
            return;
        }
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        prev(info);
    }));
}
