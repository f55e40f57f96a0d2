//! `hunt scan`: read the inputs, detect, apply the case's triage, and print
//! the findings (or incidents) on stdout. A batch scan reads everything and
//! prints once, with a summary on the side ([`batch`]); a followed one
//! prints every finding as it is created or changed ([`follow`]).

mod batch;
mod follow;

use super::{empty_folders, expand, open_enricher, sigma_notes, stdin_twice};
use super::{Cmd, Exit, Note, Tell};
use crate::cli::{Common, ScanArgs};
use crate::config::Config;
use crate::ingest::read::Input;
use crate::pipeline::{self, IngestMsg, RunOptions, Session, SourceState};
use crate::report::OutputFormat;
use crate::triage::kafka::KafkaRun;
use crate::triage::scan::ScanTriage;
use crate::tune::settings::Setting;
use std::io::Write;
use std::sync::mpsc::Receiver;

/// What the binary knows of its terminal.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    /// Stdout is a terminal: findings print as a table unless asked otherwise.
    pub stdout_tty: bool,
    /// The width for `--output table`, asked each time a table is printed.
    pub width: fn() -> usize,
}

/// The configuration the scan runs with: `--set` applied. A scan with no
/// input, or a `--set` that cannot apply, is a usage error (the note says which).
pub fn prepare(config: &Config, args: &ScanArgs) -> Result<(Config, Vec<Setting>), Note> {
    if args.paths.is_empty() {
        return Err(Note::NoInput(Cmd::Scan));
    }
    crate::tune::settings::apply_all(config, &args.set).map_err(Note::BadSetting)
}

/// Runs the scan with `config` (from [`prepare`]), printing on `out`.
pub fn run(
    common: &Common,
    config: Config,
    args: &ScanArgs,
    term: &Terminal,
    out: &mut dyn Write,
    tell: Tell,
) -> anyhow::Result<Exit> {
    let Some(inputs) = check_inputs(args, tell) else {
        return Ok(Exit::Usage);
    };
    let output = args
        .output
        .unwrap_or(if term.stdout_tty && !args.follow && !args.incidents {
            OutputFormat::Table
        } else {
            OutputFormat::Jsonl
        });
    let scan = Scan::start(common, config, args, inputs, tell)?;
    let printer = Printer {
        output,
        width: term.width,
        include_suppressed: args.include_suppressed,
    };
    if args.follow {
        follow::run(scan, args.incidents, &printer, out, tell)
    } else {
        batch::run(scan, args, &printer, out, tell)
    }
}

/// The inputs, checked: `None` after telling a usage error. What cannot
/// be read is told and makes the run fail at its end.
struct Checked {
    inputs: Vec<Input>,
    unreadable: bool,
}

fn check_inputs(args: &ScanArgs, tell: Tell) -> Option<Checked> {
    let (found, skipped) = expand(&args.paths, args.follow, tell);
    if found.bad_url {
        return None;
    }
    let mut unreadable = found.unreadable;
    // A folder that holds no file at all would be read as nothing: say so (exit 2).
    for dir in empty_folders(&args.paths, &found.inputs) {
        tell(Note::NoFilesUnder(dir.display().to_string()));
        unreadable = true;
    }
    for n in skipped {
        tell(n);
    }
    for p in found
        .inputs
        .iter()
        .filter_map(Input::path)
        .filter(|p| !p.exists() && !p.to_str().is_some_and(crate::ingest::kafka::is_kafka))
    {
        tell(Note::WaitingFor(p.display().to_string()));
    }
    if args.incidents && matches!(args.output, Some(OutputFormat::Table | OutputFormat::Csv)) {
        tell(Note::IncidentsNeedJsonl);
        return None;
    }
    if stdin_twice(&found.inputs) {
        tell(Note::StdinTwice(Cmd::Scan));
        return None;
    }
    Some(Checked {
        inputs: found.inputs,
        unreadable,
    })
}

/// A scan under way: the session the readers feed, the case's triage and
/// the Kafka consumers' offsets.
struct Scan {
    config: Config,
    session: Session,
    triage: ScanTriage,
    kafka: KafkaRun,
    rx: Receiver<IngestMsg>,
    /// An input, rule or record could not be used: exit 2 at the end.
    unreadable: bool,
}

impl Scan {
    /// Opens the case, the databases and the rules, and starts the readers.
    fn start(
        common: &Common,
        config: Config,
        args: &ScanArgs,
        inputs: Checked,
        tell: Tell,
    ) -> anyhow::Result<Scan> {
        let mut unreadable = inputs.unreadable;
        // A case named with --case is the hand-off's starting point: the scan
        // creates it so what it found is recorded (the default case is never
        // created by a scan).
        if let Some(path) = common.case.as_deref().filter(|p| !p.exists()) {
            crate::triage::Case::open(path)?;
        }
        let triage = ScanTriage::open(common.case.as_deref(), &config)?;
        if args.follow {
            // A follow never reaches the summary: a read-only case is announced now.
            for w in &triage.warnings {
                tell(Note::Case(w.clone()));
            }
        }
        let enricher = open_enricher(common, &config, args.verbose, tell);
        let mut session = Session::new(config.clone(), enricher);
        // A bad rule is a problem (exit 2 at the end) that stops no other rule.
        if sigma_notes::loaded(&session.sigma, args.verbose, tell) {
            unreadable = true;
        }
        for e in session.hosting.load_errors() {
            tell(Note::HostingList(e.to_string()));
        }
        session.add_sources(&inputs.inputs, args.follow);
        let opts = RunOptions {
            inputs: inputs.inputs,
            follow: args.follow,
            format: common.format.0,
            workers: 0,
        };
        let mut readers = pipeline::start(&opts, &config);
        let (kafka, notes) = KafkaRun::begin(std::mem::take(&mut readers.kafka), triage.case())?;
        for n in notes {
            tell(Note::Kafka(n));
        }
        Ok(Scan {
            config,
            session,
            triage,
            kafka,
            rx: readers.rx,
            unreadable,
        })
    }

    /// Offsets only after the findings of their events are printed and
    /// recorded; false (told) when they could not be committed.
    fn commit_offsets(&mut self, tell: Tell) -> bool {
        match self.kafka.commit(&self.session, self.triage.case()) {
            Ok(()) => true,
            Err(e) => {
                tell(Note::KafkaNotCommitted(e.to_string()));
                false
            }
        }
    }

    /// Every finding's document handed to the Kafka bookkeeping, so the
    /// case records what was found with the offsets.
    fn hand_findings_to_kafka(&mut self) {
        self.kafka.advance(&self.session);
        for f in self.session.findings.all() {
            let v = self.triage.finding_json(&self.session, f);
            self.kafka.change(f, &v);
        }
    }

    fn any_source_failed(&self) -> bool {
        self.session
            .sources
            .iter()
            .any(|s| s.state == SourceState::Failed)
    }
}

/// How findings are printed on stdout.
struct Printer {
    output: OutputFormat,
    width: fn() -> usize,
    include_suppressed: bool,
}

impl Printer {
    fn row(&self, out: &mut dyn Write, v: serde_json::Value) -> std::io::Result<()> {
        use crate::report;
        match self.output {
            OutputFormat::Csv => report::write_csv_row(out, &v),
            OutputFormat::Table => report::write_table(out, &[v], (self.width)()),
            OutputFormat::Jsonl => report::write_jsonl(out, &v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn parse(args: &[&str]) -> (Common, ScanArgs) {
        let cli = Cli::try_parse_from(args).unwrap();
        match cli.command {
            Some(Command::Scan(a)) => (cli.common, a),
            other => panic!("not a scan: {other:?}"),
        }
    }

    /// Runs a scan as `hunt scan ARGS` (with a fresh case): exit, stdout, notes.
    fn scan(args: &[&str]) -> (Exit, String, Vec<Note>) {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("case.db");
        let mut argv = vec!["hunt", "scan", "--case", case.to_str().unwrap()];
        argv.extend_from_slice(args);
        let (common, args) = parse(&argv);
        let (config, _) = prepare(&Config::default(), &args).unwrap();
        let term = Terminal {
            stdout_tty: false,
            width: || 250,
        };
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let exit = run(&common, config, &args, &term, &mut out, &mut |n| {
            notes.push(n)
        })
        .unwrap();
        (exit, String::from_utf8(out).unwrap(), notes)
    }

    #[test]
    fn a_scan_of_the_samples_tells_its_counts_as_numbers() {
        let (exit, out, notes) = scan(&["samples"]);
        assert_eq!(exit, Exit::Clean);
        // Piped: JSON lines, one per finding not suppressed.
        assert_eq!(out.lines().count(), 38, "{out}");
        let incidents = notes.iter().find_map(|n| match n {
            Note::Incidents {
                incidents,
                grouped,
                alone,
                ..
            } => Some((*incidents, *grouped, *alone)),
            _ => None,
        });
        assert_eq!(incidents, Some((13, 31, 3)), "{notes:?}");
        // "No database found" is routine: not told without -v.
        assert!(!notes
            .iter()
            .any(|n| matches!(n, Note::Geo(g) if g.is_routine())));
        let (_, _, verbose) = scan(&["-v", "samples"]);
        assert!(verbose
            .iter()
            .any(|n| matches!(n, Note::Geo(g) if g.is_routine())));
    }

    #[test]
    fn usage_errors_are_typed_and_print_nothing() {
        for (args, note) in [
            (
                &["--incidents", "--output", "table", "samples"][..],
                Note::IncidentsNeedJsonl,
            ),
            (&["-", "-"][..], Note::StdinTwice(Cmd::Scan)),
        ] {
            let (exit, out, notes) = scan(args);
            assert_eq!(exit, Exit::Usage, "{args:?}");
            assert_eq!(out, "");
            assert_eq!(notes, vec![note]);
        }
        let (_, args) = parse(&["hunt", "scan"]);
        assert_eq!(
            prepare(&Config::default(), &args).err(),
            Some(Note::NoInput(Cmd::Scan))
        );
    }

    #[test]
    fn an_empty_folder_fails_the_run_but_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().to_str().unwrap().to_string();
        let (exit, out, notes) = scan(&[&empty, "samples/okta"]);
        assert_eq!(exit, Exit::Failed);
        assert!(!out.is_empty());
        assert_eq!(notes.first(), Some(&Note::NoFilesUnder(empty)));
    }
}
