//! The `hunt` binary: parse the command line, run the chosen command, and
//! own the exit-code policy (0 ok, 1 findings at `--fail-on`, 2 usage or
//! unreadable input). A closed stdout (`hunt scan | head`) is success.

// No panic path in shipped code (issue 10): tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

use hunt::cli::{Cli, Command};
use hunt::commands::{self, Exit, Note};
use hunt::config::Config;
use hunt::enrich::Enricher;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    hunt::panics::install_hook();
    let cli = Cli::from_args();
    // A panic on this thread is a bug in hunt: the hook has printed it (one
    // neutralised line); the run ends with exit 2, never 0 or 101.
    match hunt::panics::catch(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            // Errors quote paths, config values and case contents: neutralised here too.
            eprintln!("hunt: {}", hunt::sanitize::clean(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (mut config, config_path) = Config::load(cli.common.config.as_deref())?;
    config.sigma.paths.extend(cli.common.rules.iter().cloned());
    if let Some(year) = cli.common.year {
        config.ingest.syslog_year = year;
    }
    let common = &cli.common;
    let exit = match cli.command {
        Some(Command::Config) => return print_config(common, &config),
        Some(Command::Scan(args)) => {
            let (changed, settings) = match commands::scan::prepare(&config, &args) {
                Ok(x) => x,
                Err(note) => {
                    say(note);
                    return Ok(ExitCode::from(2));
                }
            };
            if let Some(case) = &args.diff_against {
                return hunt::tune::cmd::diff_command(
                    common, &config, &changed, settings, case, &args,
                );
            }
            let term = commands::scan::Terminal {
                stdout_tty: io::stdout().is_terminal(),
                width: terminal_width,
            };
            commands::scan::run(
                common,
                changed,
                &args,
                &term,
                &mut io::stdout().lock(),
                &mut say,
            )?
        }
        Some(Command::Why(args)) => return hunt::tune::cmd::why_command(common, &config, &args),
        Some(Command::Rules(args)) => match &args.command {
            Some(hunt::cli::RulesCommand::Matches(m)) => {
                commands::rules::matches(common, config, m, &mut io::stdout().lock(), &mut say)?
            }
            Some(hunt::cli::RulesCommand::Watch(m)) => {
                commands::rules::watch(common, &config, m, &mut io::stdout().lock(), &mut say)?
            }
            None => commands::rules::queries(&config, &args, &mut io::stdout().lock(), &mut say)?,
        },
        Some(Command::Events(args)) => {
            let tty = io::stdout().is_terminal();
            commands::events::run(common, config, &args, Box::new(io::stdout()), tty, &mut say)?
        }
        Some(Command::Case(args)) => match &args.command {
            hunt::cli::CaseCommand::Allow {
                command:
                    hunt::cli::AllowCommand::Add {
                        kind,
                        value,
                        note,
                        detectors,
                        expires,
                        dry_run: true,
                        paths,
                    },
            } => commands::allow_preview::dry_run(
                common,
                &config,
                hunt::triage::cli::new_allow(kind, value, note, detectors, expires.as_deref()),
                paths,
                &mut io::stdout().lock(),
                &mut say,
            )?,
            command => {
                return hunt::triage::cli::run_case(command, common.case.as_deref(), &config)
            }
        },
        None => {
            let opts = hunt::tui::TuiOptions {
                paths: cli.paths.clone(),
                follow: cli.follow,
                format: common.format.0,
                geoip: commands::geoip_paths(common, &config),
                config,
                case: common.case.clone(),
                theme: common.theme.clone(),
                config_path,
            };
            hunt::tui::run(opts)?;
            Exit::Clean
        }
    };
    Ok(exit_code(exit))
}

/// The exit-code policy: 0 ok, 1 findings at `--fail-on`, 2 usage or unreadable input.
fn exit_code(exit: Exit) -> ExitCode {
    match exit {
        Exit::Clean => ExitCode::SUCCESS,
        Exit::Findings => ExitCode::from(1),
        Exit::Failed | Exit::Usage => ExitCode::from(2),
    }
}

/// A command's note, on stderr (each note's text is neutralised).
fn say(note: Note) {
    eprintln!("{note}");
}

/// `hunt config`: the effective configuration, the GeoIP databases and the Sigma rules loaded.
fn print_config(common: &hunt::cli::Common, config: &Config) -> anyhow::Result<ExitCode> {
    let (_enricher, msgs) = Enricher::open(&commands::geoip_paths(common, config));
    let mut out = io::stdout().lock();
    for m in msgs {
        writeln!(out, "# {m}")?;
    }
    write!(out, "{}", config.to_toml())?;
    write!(out, "\n{}", hunt::incident::CONFIG_NOTE)?;
    if !config.sigma.paths.is_empty() {
        let loaded = hunt::sigma::load::load(&config.sigma.paths);
        writeln!(out, "\n# Sigma rules loaded (detector, level, title):")?;
        let mut rules: Vec<_> = loaded
            .rules
            .values()
            .filter_map(|r| hunt::sigma::catalog::get(r.n))
            .collect();
        rules.sort_by(|a, b| a.key.cmp(b.key));
        for m in rules {
            let line = format!("#   {} {} {}", m.key, m.level, m.title);
            writeln!(out, "{}", hunt::sanitize::clean(&line))?;
        }
        for p in loaded.problems.iter().chain(&loaded.warnings) {
            writeln!(out, "# problem: {}", hunt::sanitize::clean(p))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Width for `--output table`: `COLUMNS` when set, else the terminal's;
/// piped output is not cut to a terminal that is not there (250).
fn terminal_width() -> usize {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return usize::max(c, 40);
    }
    if !io::stdout().is_terminal() {
        return 250;
    }
    crossterm::terminal::size()
        .map(|(w, _)| w as usize)
        .unwrap_or(160)
        .max(40)
}
