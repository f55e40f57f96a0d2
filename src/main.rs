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

use hunt::cli::{Cli, Command, EventsArgs, ScanArgs};
use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::read::Input;
use hunt::ingest::walk::expand_paths;
use hunt::pipeline::{self, RunOptions, Session};
use hunt::report::{self, OutputFormat};
use hunt::triage::scan::ScanTriage;
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
    match cli.command {
        Some(Command::Config) => {
            let (_enricher, msgs) = Enricher::open(&geoip_paths(&cli.common, &config));
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
        Some(Command::Scan(args)) => scan(&cli.common, config, args),
        Some(Command::Why(args)) => hunt::tune::cmd::why_command(&cli.common, &config, &args),
        Some(Command::Rules(args)) => {
            match &args.command {
                Some(hunt::cli::RulesCommand::Matches(m)) => {
                    return sigma_matches(&cli.common, config, m);
                }
                Some(hunt::cli::RulesCommand::Watch(m)) => {
                    return rules_watch(&cli.common, &config, m);
                }
                None => {}
            }
            let Some(dialect) = args.dialect else {
                eprintln!("hunt rules: --dialect is required");
                return Ok(ExitCode::from(2));
            };
            let mut out = io::stdout().lock();
            let queries = hunt::lake::queries(&config, dialect, args.detector);
            let missing = hunt::lake::without_query(&config, dialect, args.detector);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|d| d.as_str()).collect();
                eprintln!(
                    "hunt rules: no {} query yet for: {}",
                    dialect.name(),
                    names.join(", ")
                );
            }
            if queries.is_empty() {
                eprintln!("hunt rules: no enabled detector to print (see `hunt config`)");
                return Ok(ExitCode::from(2));
            }
            for (i, q) in queries.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                write!(out, "{}", q.text())?;
                if dialect == hunt::lake::Dialect::SparkSql {
                    writeln!(out, ";")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Events(args)) => events(&cli.common, config, args),
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
            } => allow_dry_run(
                &cli.common,
                &config,
                hunt::triage::cli::new_allow(kind, value, note, detectors, expires.as_deref()),
                paths,
            ),
            command => hunt::triage::cli::run_case(command, cli.common.case.as_deref(), &config),
        },
        None => {
            let opts = hunt::tui::TuiOptions {
                paths: cli.paths.clone(),
                follow: cli.follow,
                format: cli.common.format.0,
                geoip: geoip_paths(&cli.common, &config),
                config,
                case: cli.common.case.clone(),
                theme: cli.common.theme.clone(),
                config_path,
            };
            hunt::tui::run(opts)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `hunt case allow add --dry-run`: the entry's impact, nothing written.
fn allow_dry_run(
    common: &hunt::cli::Common,
    config: &Config,
    entry: Result<hunt::triage::allow::NewAllow, hunt::triage::TriageError>,
    paths: &[std::path::PathBuf],
) -> anyhow::Result<ExitCode> {
    use hunt::commands::allow_preview;
    let refuse = |e: &dyn std::fmt::Display| {
        eprintln!("hunt case allow add: {e}");
        Ok(ExitCode::from(2))
    };
    let entry = match entry {
        Ok(e) => e,
        Err(e) => return refuse(&e),
    };
    let case = match common.case.as_deref() {
        Some(p) => match hunt::triage::cli::open_for_reading(p) {
            Ok(c) => c,
            Err(e) => return refuse(&e),
        },
        None => None,
    };
    let paths = match allow_preview::inputs_for(paths, case.as_ref()) {
        Ok(p) => p,
        Err(e) => return refuse(&e),
    };
    let (enricher, msgs) = Enricher::open(&geoip_paths(common, config));
    for m in msgs.iter().filter(|m| !m.contains("no database found")) {
        eprintln!("hunt: {m}");
    }
    let p = match allow_preview::preview(
        &entry,
        &paths,
        case.as_ref(),
        config,
        enricher,
        common.format.0,
    ) {
        Ok(p) => p,
        Err(e) => return refuse(&e),
    };
    allow_preview::write(&mut io::stdout().lock(), &entry, &p)?;
    Ok(ExitCode::SUCCESS)
}

fn geoip_paths(common: &hunt::cli::Common, config: &Config) -> Vec<std::path::PathBuf> {
    if common.geoip.is_empty() {
        config.geoip.paths.clone()
    } else {
        common.geoip.clone()
    }
}

fn scan(common: &hunt::cli::Common, config: Config, args: ScanArgs) -> anyhow::Result<ExitCode> {
    if args.paths.is_empty() {
        eprintln!("hunt scan: no input given; name log files or folders, or - for standard input");
        return Ok(ExitCode::from(2));
    }
    let base = config.clone();
    let (config, settings) = match hunt::tune::settings::apply_all(&config, &args.set) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("hunt scan: --set {}", hunt::sanitize::clean(&e));
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(case) = &args.diff_against {
        return hunt::tune::cmd::diff_command(common, &base, &config, settings, case, &args);
    }
    // Following waits for files that do not exist yet (tail -F).
    let expanded = expand_paths(&args.paths, args.follow);
    let inputs = expanded.inputs;
    // A named input that cannot be read makes the run fail (exit 2); what
    // is skipped inside a walked folder is a warning and the run goes on.
    let mut unreadable = !expanded.errors.is_empty();
    for (path, e) in &expanded.errors {
        eprintln!(
            "hunt: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
    }
    // A URL that names no live source hunt reads is a usage error.
    if expanded
        .errors
        .iter()
        .any(|(_, e)| e.kind() == io::ErrorKind::InvalidInput)
    {
        return Ok(ExitCode::from(2));
    }
    // A folder that holds no file at all would be read as nothing: say so (exit 2).
    for dir in args.paths.iter().filter(|p| p.is_dir()) {
        if !inputs
            .iter()
            .filter_map(Input::path)
            .any(|p| p.starts_with(dir))
        {
            eprintln!(
                "hunt: no input files found under {}",
                hunt::sanitize::clean(&dir.display().to_string())
            );
            unreadable = true;
        }
    }
    for (path, e) in &expanded.warnings {
        eprintln!(
            "hunt: warning: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
    }
    for p in inputs
        .iter()
        .filter_map(Input::path)
        .filter(|p| !p.exists() && !p.to_str().is_some_and(hunt::ingest::kafka::is_kafka))
    {
        eprintln!(
            "hunt: {}: does not exist yet; waiting for it",
            hunt::sanitize::clean(&p.display().to_string())
        );
    }
    if args.incidents && matches!(args.output, Some(OutputFormat::Table | OutputFormat::Csv)) {
        eprintln!(
            "hunt scan: --incidents prints JSON lines; use --output jsonl or leave --output out"
        );
        return Ok(ExitCode::from(2));
    }
    let stdin_count = inputs.iter().filter(|i| **i == Input::Stdin).count();
    if stdin_count > 1 {
        eprintln!("hunt scan: - (standard input) can be given only once");
        return Ok(ExitCode::from(2));
    }
    // A case named with --case is the hand-off's starting point: the scan
    // creates it so what it found is recorded (the default case is never
    // created by a scan).
    if let Some(path) = common.case.as_deref().filter(|p| !p.exists()) {
        hunt::triage::Case::open(path)?;
    }
    let mut triage = ScanTriage::open(common.case.as_deref(), &config)?;
    if args.follow {
        // A follow never reaches the summary: a read-only case is announced now.
        for w in &triage.warnings {
            eprintln!("hunt: {}", hunt::sanitize::clean(w));
        }
    }
    let (enricher, msgs) = Enricher::open(&geoip_paths(common, &config));
    for m in msgs {
        // "No database found" is the normal case on most machines: say it only when asked.
        if args.verbose || !m.contains("no database found") {
            eprintln!("hunt: {m}");
        }
    }
    let opts = RunOptions {
        inputs: inputs.clone(),
        follow: args.follow,
        format: common.format.0,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    // A bad rule is a problem (exit 2 at the end) that stops no other rule.
    if report_sigma(&session.sigma, args.verbose) {
        unreadable = true;
    }
    for e in session.hosting.load_errors() {
        eprintln!(
            "hunt: hosting list: {}",
            hunt::sanitize::clean(&e.to_string())
        );
    }
    session.add_sources(&inputs, args.follow);
    let mut readers = pipeline::start(&opts, &config);
    let (mut kafka, notes) =
        hunt::triage::kafka::KafkaRun::begin(std::mem::take(&mut readers.kafka), triage.case())?;
    for n in notes {
        eprintln!("hunt: {n}");
    }
    let stdout = io::stdout();
    let tty = stdout.is_terminal();
    let output = args
        .output
        .unwrap_or(if tty && !args.follow && !args.incidents {
            OutputFormat::Table
        } else {
            OutputFormat::Jsonl
        });

    if args.follow {
        let mut out = stdout.lock();
        if output == OutputFormat::Csv {
            report::write_csv_header(&mut out)?;
        }
        // A consumer keys by id: one line per finding per release (however
        // many events changed it), "created" the first time its id is printed.
        let mut printed = std::collections::HashSet::new();
        let mut drops_told = Vec::new();
        let mut failures_told = Vec::new();
        for msg in readers.rx.iter() {
            let released = session.handle(msg);
            for note in report::live_drop_notes(&session, &mut drops_told) {
                eprintln!("hunt: {note}");
            }
            for note in report::new_failures(&session, &mut failures_told) {
                eprintln!("hunt: {note}");
            }
            if !released {
                continue;
            }
            if let Err(e) = triage.reload_if_changed(&config) {
                eprintln!("hunt: {}", hunt::sanitize::clean(&e.to_string()));
            }
            triage.apply(&mut session);
            if args.incidents {
                session.take_changes();
                for id in session.incidents.take_changes() {
                    if let Some(v) = incident_change(&session, &id, &mut printed) {
                        report::write_jsonl(&mut out, &v)?;
                    }
                }
                out.flush()?;
                kafka.advance(&session);
                for f in session.findings.all() {
                    let v = triage.finding_json(&session, f);
                    kafka.change(f, &v);
                }
                if let Err(e) = kafka.commit(&session, triage.case()) {
                    eprintln!(
                        "hunt: kafka offsets not committed: {}",
                        hunt::sanitize::clean(&e.to_string())
                    );
                }
                continue;
            }
            let mut this_round = std::collections::HashSet::new();
            let deferred = kafka.take_deferred(&session);
            let changed = session.take_changes().into_iter().map(|(_, id)| id);
            for id in changed.chain(deferred) {
                if !this_round.insert(id.clone()) {
                    continue;
                }
                let Some(f) = session.findings.get(&id) else {
                    continue;
                };
                if f.suppressed.is_some() && !args.include_suppressed {
                    continue;
                }
                let mut v = triage.finding_json(&session, f);
                let change = if kafka.is_empty() {
                    if printed.insert(id) {
                        "created"
                    } else {
                        "updated"
                    }
                } else {
                    // Recorded in the case with the offsets: a finding the
                    // case holds unchanged (rebuilt after a restart) is not news.
                    match kafka.change(f, &v) {
                        Some(c) => c,
                        None => continue,
                    }
                };
                if let Some(m) = v.as_object_mut() {
                    m.insert("change".into(), serde_json::json!(change));
                }
                match output {
                    OutputFormat::Csv => report::write_csv_row(&mut out, &v)?,
                    OutputFormat::Table => report::write_table(&mut out, &[v], terminal_width())?,
                    OutputFormat::Jsonl => report::write_jsonl(&mut out, &v)?,
                }
            }
            out.flush()?;
            // Offsets only after the findings of their events are printed and recorded.
            if let Err(e) = kafka.commit(&session, triage.case()) {
                eprintln!(
                    "hunt: kafka offsets not committed: {}",
                    hunt::sanitize::clean(&e.to_string())
                );
            }
        }
        // Every input ended; one that could not be read (a live source
        // whose address is taken) makes the run fail.
        if session
            .sources
            .iter()
            .any(|s| s.state == pipeline::SourceState::Failed)
        {
            return Ok(ExitCode::from(2));
        }
        return Ok(ExitCode::SUCCESS);
    }

    for msg in readers.rx.iter() {
        session.handle(msg);
        if session.all_done() {
            break;
        }
    }
    if session.pending() > 0 {
        session.release();
    }
    if session
        .sources
        .iter()
        .any(|s| s.state == pipeline::SourceState::Failed)
    {
        unreadable = true;
    }
    let bugs: u64 = session
        .sources
        .iter()
        .filter_map(|s| s.stats.problems.get(hunt::ingest::reason::INTERNAL))
        .sum();
    if bugs > 0 {
        eprintln!(
            "hunt: {bugs} record(s) hit an internal error (a bug in hunt, please report it); \
             the records around them were read (see the problems below)"
        );
        unreadable = true;
    }
    for line in session.enricher.decode_problems() {
        eprintln!("hunt: {line}");
    }
    triage.apply(&mut session);
    if !kafka.is_empty() {
        kafka.advance(&session);
        for f in session.findings.all() {
            let v = triage.finding_json(&session, f);
            kafka.change(f, &v);
        }
        if let Err(e) = kafka.commit(&session, triage.case()) {
            eprintln!(
                "hunt: kafka offsets not committed: {}",
                hunt::sanitize::clean(&e.to_string())
            );
            unreadable = true;
        }
    }
    if let Err(e) = triage.record(&session) {
        eprintln!(
            "hunt: match counts not recorded in the case: {}",
            hunt::sanitize::clean(&e.to_string())
        );
    }
    report::write_ingest_summary(&mut io::stderr().lock(), &session, args.verbose)?;
    report_sigma_run(&session.sigma, args.verbose);
    triage.write_summary(&mut io::stderr().lock(), &session, args.include_suppressed)?;
    if !args.incidents && !session.incidents.is_empty() {
        let grouped: usize = session.incidents.all().map(|i| i.steps.len()).sum();
        let alone = session
            .incidents
            .all()
            .filter(|i| i.steps.len() == 1 && i.background.is_none())
            .count();
        let (rollups, rolled) = session
            .incidents
            .all()
            .filter(|i| i.background.is_some())
            .fold((0usize, 0usize), |(r, n), i| (r + 1, n + i.steps.len()));
        let rolled = if rollups == 0 {
            String::new()
        } else {
            format!(
                "; {rolled} of them rolled into {rollups} low background-scanning incident{} (see [incidents.background])",
                if rollups == 1 { "" } else { "s" }
            )
        };
        eprintln!(
            "hunt: {} incidents hold {grouped} findings ({alone} of them a lone high or critical finding, see [incidents] alone_from{rolled}; each finding's \"incident\"); --incidents prints them",
            session.incidents.len()
        );
    }

    let rows: Vec<serde_json::Value> = session
        .findings
        .sorted()
        .into_iter()
        .filter(|f| args.include_suppressed || f.suppressed.is_none())
        .map(|f| triage.finding_json(&session, f))
        .collect();
    let mut out = io::BufWriter::new(stdout.lock());
    match output {
        // Incidents instead of findings (--fail-on still looks at findings).
        _ if args.incidents => {
            for inc in session.incidents.sorted() {
                if args.include_suppressed || !all_suppressed(&session, inc) {
                    report::write_jsonl(&mut out, &inc.to_json())?;
                }
            }
        }
        OutputFormat::Table => report::write_table(&mut out, &rows, terminal_width())?,
        OutputFormat::Jsonl => {
            for v in &rows {
                report::write_jsonl(&mut out, v)?;
            }
        }
        OutputFormat::Csv => {
            report::write_csv_header(&mut out)?;
            for v in &rows {
                report::write_csv_row(&mut out, v)?;
            }
        }
    }
    out.flush()?;
    if unreadable {
        return Ok(ExitCode::from(2));
    }
    if let Some(level) = args.fail_on {
        let hit = session
            .findings
            .all()
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity >= level.severity());
        if hit {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hunt rules watch`: the rule development loop ([`hunt::tune::rules`]).
fn rules_watch(
    common: &hunt::cli::Common,
    config: &Config,
    args: &hunt::cli::MatchesArgs,
) -> anyhow::Result<ExitCode> {
    if config.sigma.paths.is_empty() {
        eprintln!("hunt rules watch: name the rules with --rules DIR|FILE");
        return Ok(ExitCode::from(2));
    }
    let expanded = expand_paths(&args.paths, false);
    for (path, e) in &expanded.errors {
        eprintln!(
            "hunt: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
    }
    if expanded.inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        eprintln!("hunt rules watch: reads its inputs again on each change; give files, not -");
        return Ok(ExitCode::from(2));
    }
    let mut out = io::stdout().lock();
    hunt::tune::rules::watch(config, &expanded.inputs, common.format.0, &mut out, &|| {
        false
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `hunt rules matches`: every (Sigma rule, record) match of the inputs as
/// JSON lines, in input order, then record, then rule id.
fn sigma_matches(
    common: &hunt::cli::Common,
    config: Config,
    args: &hunt::cli::MatchesArgs,
) -> anyhow::Result<ExitCode> {
    if config.sigma.paths.is_empty() {
        eprintln!("hunt rules matches: name the rules with --rules DIR|FILE");
        return Ok(ExitCode::from(2));
    }
    let expanded = expand_paths(&args.paths, false);
    let mut failed = false;
    for (path, e) in &expanded.errors {
        eprintln!(
            "hunt: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
        failed = true;
    }
    let inputs = expanded.inputs;
    let opts = RunOptions {
        inputs: inputs.clone(),
        follow: false,
        format: common.format.0,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), Enricher::none());
    if report_sigma(&session.sigma, false) {
        failed = true;
    }
    session.sigma_matches = Some(Vec::new());
    session.add_sources(&inputs, false);
    let readers = pipeline::start(&opts, &config);
    for msg in readers.rx.iter() {
        session.handle(msg);
        if session.all_done() {
            break;
        }
    }
    if session.pending() > 0 {
        session.release();
    }
    let mut rows: Vec<(usize, u64, String, String)> = session
        .sigma_matches
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(file, record, n)| {
            let m = hunt::sigma::catalog::get(n)?;
            Some((file as usize, record, m.id.clone(), m.title.clone()))
        })
        .collect();
    rows.sort();
    rows.dedup();
    // What was compared, for the reader of a comparison (stderr).
    let s = &session.sigma;
    let running = s.rules.iter().filter(|r| !r.sources.is_empty()).count();
    eprintln!(
        "hunt rules matches: {} detection rules loaded ({} correlations), {} on a source hunt reads; {} records evaluated; {} matches",
        s.detection_rules,
        s.correlation_rules,
        running,
        s.seen.evaluated.iter().sum::<u64>(),
        rows.len()
    );
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (file, record, id, title) in rows {
        let source = inputs.get(file).map(Input::display).unwrap_or_default();
        let line = serde_json::json!({
            "rule": id, "title": title, "source": source, "record": record,
        });
        // Rule ids, titles and file names reach the terminal: JSON escapes
        // for every control, bidi and invisible character.
        writeln!(out, "{}", hunt::sanitize::to_json_line(&line))?;
    }
    out.flush()?;
    for s in &session.sources {
        if let Some(e) = &s.error {
            eprintln!(
                "hunt: {}: {}",
                hunt::sanitize::clean(&s.name),
                hunt::sanitize::clean(e)
            );
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// What the Sigma rules saw, said at the end of a scan: how many rules
/// cannot fire on what was read (each with its reason under `-v`), and
/// under `-v` every rule's records evaluated and matched.
fn report_sigma_run(s: &pipeline::SigmaStatus, verbose: bool) {
    if s.rules.is_empty() {
        return;
    }
    let mut dead = Vec::new();
    for r in &s.rules {
        let Some(m) = hunt::sigma::catalog::get(r.n) else {
            continue;
        };
        if let Some(why) = s.seen.cannot_fire(r) {
            dead.push(format!("{} “{}”: {why}", m.id, m.title));
        }
        if verbose {
            let line = format!(
                "hunt: sigma: rule {} “{}”: {} records evaluated, {} matched",
                m.id,
                m.title,
                s.seen.evaluated_by(r),
                s.seen.matched.get(&r.n).copied().unwrap_or(0)
            );
            eprintln!("{}", hunt::sanitize::clean(&line));
        }
    }
    if dead.is_empty() {
        return;
    }
    eprintln!(
        "hunt: sigma: {} of {} detection rules cannot fire on what was read{}",
        dead.len(),
        s.rules.len(),
        if verbose { ":" } else { " (-v names them)" }
    );
    if verbose {
        for d in dead {
            eprintln!("hunt: sigma:   {}", hunt::sanitize::clean(&d));
        }
    }
}

/// Prints what loading the Sigma rules found; true when a file or rule was bad.
fn report_sigma(s: &pipeline::SigmaStatus, verbose: bool) -> bool {
    for p in &s.problems {
        eprintln!("hunt: sigma: {}", hunt::sanitize::clean(p));
    }
    for w in &s.warnings {
        eprintln!("hunt: sigma: warning: {}", hunt::sanitize::clean(w));
    }
    if verbose && (s.detection_rules > 0 || !s.problems.is_empty()) {
        eprintln!(
            "hunt: sigma: {} detection and {} correlation rules loaded",
            s.detection_rules, s.correlation_rules
        );
    }
    !s.problems.is_empty()
}

/// True when every finding of the incident is suppressed (hidden by default like them).
fn all_suppressed(session: &Session, inc: &hunt::incident::Incident) -> bool {
    inc.findings().all(|id| {
        session
            .findings
            .get(id)
            .is_none_or(|f| f.suppressed.is_some())
    })
}

/// A live incident line: the incident with `"change"` created or updated,
/// or `{"id", "change": "dissolved"}` once a printed one was merged away or
/// split up (an id that came and went within one release is not printed).
fn incident_change(
    session: &Session,
    id: &str,
    printed: &mut std::collections::HashSet<String>,
) -> Option<serde_json::Value> {
    Some(match session.incidents.get(id) {
        Some(inc) => {
            let mut v = inc.to_json();
            let change = if printed.insert(id.to_string()) {
                "created"
            } else {
                "updated"
            };
            if let Some(m) = v.as_object_mut() {
                m.insert("change".into(), serde_json::json!(change));
            }
            v
        }
        None if printed.remove(id) => serde_json::json!({"id": id, "change": "dissolved"}),
        None => return None,
    })
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

/// `hunt events`: the normalized events out (see `hunt::export`).
fn events(
    common: &hunt::cli::Common,
    config: Config,
    args: EventsArgs,
) -> anyhow::Result<ExitCode> {
    use hunt::export::write::EventsFormat;
    if args.spark_schema {
        println!("{}", hunt::export::parquet::spark_ddl());
        return Ok(ExitCode::SUCCESS);
    }
    if args.paths.is_empty() {
        eprintln!(
            "hunt events: no input given; name log files or folders, or - for standard input"
        );
        return Ok(ExitCode::from(2));
    }
    let expanded = expand_paths(&args.paths, false);
    let inputs = expanded.inputs;
    let mut unreadable = !expanded.errors.is_empty();
    for (path, e) in &expanded.errors {
        eprintln!(
            "hunt: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
    }
    for (path, e) in &expanded.warnings {
        eprintln!(
            "hunt: warning: {}: {e}",
            hunt::sanitize::clean(&path.display().to_string())
        );
    }
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        eprintln!("hunt events: - (standard input) can be given only once");
        return Ok(ExitCode::from(2));
    }
    if args.output == EventsFormat::Parquet && args.out.is_none() && io::stdout().is_terminal() {
        eprintln!(
            "hunt events: Parquet is binary; name a file with -o FILE or redirect the output"
        );
        return Ok(ExitCode::from(2));
    }
    let timesketch = args.output == EventsFormat::Timesketch;
    let mut triage = if timesketch {
        Some(ScanTriage::open(common.case.as_deref(), &config)?)
    } else {
        None
    };
    let (enricher, msgs) = Enricher::open(&geoip_paths(common, &config));
    for m in msgs {
        if args.verbose || !m.contains("no database found") {
            eprintln!("hunt: {m}");
        }
    }
    let opts = RunOptions {
        inputs: inputs.clone(),
        follow: false,
        format: common.format.0,
        workers: 0,
    };
    let mut session = Session::new(config.clone(), enricher);
    session.add_sources(&inputs, false);
    let readers = pipeline::start(&opts, &config);
    let out: Box<dyn Write + Send> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        ),
        None => Box::new(io::stdout()),
    };
    let out = io::BufWriter::with_capacity(1 << 16, out);
    let mut ev_opts = hunt::export::run::EventsOptions::new(args.output);
    if let Some(dir) = &args.spill_dir {
        ev_opts.spill_dir = dir.clone();
    }
    // 0 spills every row at once: for tests.
    ev_opts.buffer = args.sort_buffer.saturating_mul(1 << 20);
    let mut detected = |s: &mut Session| {
        if let Some(t) = triage.as_mut() {
            t.apply(s);
        }
    };
    let stats =
        hunt::export::run::run_events(&mut session, readers.rx, &ev_opts, out, &mut detected)?;
    if session
        .sources
        .iter()
        .any(|s| s.state == pipeline::SourceState::Failed)
    {
        unreadable = true;
    }
    report::write_ingest_summary(&mut io::stderr().lock(), &session, args.verbose)?;
    if args.verbose {
        eprintln!(
            "hunt events: {} events written ({} sorted through temporary runs)",
            stats.written, stats.spilled
        );
    }
    Ok(if unreadable {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
