//! The command line (SPEC §1): `hunt [PATH…]` opens the TUI, `hunt scan`
//! runs headless, `hunt config` prints the effective configuration, and
//! `hunt case …` works on the triage store. Only parsing lives here; `main`
//! dispatches and owns exit codes.

use crate::report::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "hunt",
    version,
    about = "A terminal workbench for hunting identity attacks in sign-in and audit logs",
    long_about = "hunt reads Entra ID / Azure AD, Okta, Windows, Microsoft 365, AWS CloudTrail, \
ECS and sshd logs (plain or gzip, files, folders or - for stdin), runs detectors for credential \
stuffing, password spraying, impossible travel, hosting networks, Identity Protection risk, legacy \
authentication, mailbox rules, bulk sending, cloud recon and session replay, and lets you triage \
the findings.\n\nWithout a command it opens the interactive workbench over PATHs.",
    after_help = "Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage error or unreadable input.",
    subcommand_precedence_over_arg = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub common: Common,

    /// Follow the files as they grow (like tail -F); with -f a PATH may be a
    /// live source: syslog://ADDR:PORT receives syslog over UDP and TCP,
    /// syslog+tls://ADDR:PORT over TLS ([syslog] tls_cert, tls_key),
    /// kafka://BROKERS/TOPIC reads a Kafka or Event Hubs topic ([kafka]).
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Log files or folders (recursed); - reads standard input.
    pub paths: Vec<PathBuf>,
}

/// Options every command takes.
#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Configuration file (TOML). Default: $XDG_CONFIG_HOME/hunt/config.toml if it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Case file (verdicts, notes, allowlist). Default: $XDG_DATA_HOME/hunt/case.sqlite.
    #[arg(long, global = true, value_name = "FILE", env = "HUNT_CASE")]
    pub case: Option<PathBuf>,

    /// MaxMind DB files or folders (GeoLite2/GeoIP2 City, Country, ASN; DB-IP lite). Repeatable.
    #[arg(long, global = true, value_name = "DIR|FILE")]
    pub geoip: Vec<PathBuf>,

    /// Input format: auto (detected from content), or one of sentinel-signin, graph-signin,
    /// entra-diagnostic, okta, ecs, winlogbeat, windows-nxlog, sentinel-securityevent, evtx,
    /// windows-xml, office-activity, unified-audit, cloudtrail, sshd, journald, panther-tests.
    #[arg(long, global = true, value_name = "FORMAT", default_value = "auto", value_parser = parse_format)]
    pub format: FormatArg,

    /// Year of syslog lines that carry none (classic `Mmm dd hh:mm:ss` stamps);
    /// overrides `[ingest] syslog_year`. Without either, the year is guessed from
    /// the file's modification time and the guess is reported.
    #[arg(long, global = true, value_name = "YYYY", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,

    /// Theme name (from themes/) or a theme file.
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub theme: Option<String>,

    /// Sigma rule files (.yml) or folders of them, run with the built-in detectors
    /// (added to the config's `[sigma] paths`). Repeatable.
    #[arg(long, global = true, value_name = "DIR|FILE")]
    pub rules: Vec<PathBuf>,
}

/// `--format` value: the input format (`None` = auto). `hunt case export`
/// reuses the flag for its report format (the second field): clap shares a
/// global flag's value type with a subcommand flag of the same name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatArg(pub Option<crate::ingest::Format>, pub Option<ExportFormat>);

fn parse_format(s: &str) -> Result<FormatArg, String> {
    if s == "auto" {
        return Ok(FormatArg(None, None));
    }
    crate::ingest::Format::from_name(s)
        .map(|f| FormatArg(Some(f), None))
        .ok_or_else(|| {
            let names: Vec<&str> = crate::ingest::Format::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            format!(
                "unknown format `{s}`; use auto or one of: {}",
                names.join(", ")
            )
        })
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every detector headless and print findings.
    Scan(ScanArgs),
    /// Write the normalized events (after dedup, in detection order) as JSON lines, CSV,
    /// OCSF JSON lines, OCSF Parquet or Timesketch JSON lines (see docs/ocsf.md).
    Events(EventsArgs),
    /// Print the effective configuration (defaults merged with your file) as TOML.
    Config,
    /// Why nothing fired (or what did) for a user, an IP address or a network
    /// (CIDR or AS number): each detector's closest approach to its thresholds
    /// over the inputs, and what stopped a finding whose numbers were met.
    Why(WhyArgs),
    /// Work on the case: verdicts, notes, allowlist, export.
    Case(CaseArgs),
    /// Print the detectors as queries for a data lake or SIEM (Spark SQL over
    /// `hunt events --output parquet`, KQL for Sentinel/ADX, ES|QL for Elastic),
    /// with the thresholds of the effective configuration.
    Rules(RulesArgs),
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    /// Query language.
    #[arg(long, value_enum, required = true)]
    pub dialect: Option<crate::lake::Dialect>,
    /// Only this detector (e.g. password_spray).
    #[arg(long, value_name = "ID", value_parser = parse_detector)]
    pub detector: Option<crate::finding::DetectorId>,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Evaluate the Sigma rules of `--rules` on the inputs and print one JSON
    /// line per (rule, record) match: `{"rule":ID,"title":…,"source":PATH,"record":N}`,
    /// N the 1-based record of that input (NDJSON and text: line; JSON array
    /// or envelope: element; evtx: EventRecordID).
    Matches(MatchesArgs),
    /// The rule development loop: evaluate the rules of `--rules` on the
    /// inputs, then each time a rule file changes load them again and say
    /// what changed, rule by rule (matches gained and lost with their
    /// records, rules added or gone, and where a rule now fails to load).
    /// Runs until interrupted.
    Watch(MatchesArgs),
}

#[derive(Args, Debug)]
pub struct MatchesArgs {
    /// Files or folders to read (`-` for standard input).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

fn parse_detector(s: &str) -> Result<crate::finding::DetectorId, String> {
    crate::finding::DetectorId::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = crate::finding::DetectorId::ALL
            .iter()
            .map(|d| d.as_str())
            .collect();
        format!("unknown detector `{s}`; use one of: {}", names.join(", "))
    })
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Follow the files (or live sources: syslog://ADDR:PORT,
    /// syslog+tls://ADDR:PORT, kafka://BROKERS/TOPIC) and print each
    /// finding as it is created or updated (JSON lines).
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Output format (default: table on a terminal, jsonl when piped).
    #[arg(long, short = 'o', value_enum)]
    pub output: Option<OutputFormat>,

    /// Also print findings suppressed by an allowlist entry (or as shared egress).
    #[arg(long)]
    pub include_suppressed: bool,

    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// Print incidents (groups of related findings, see `[incidents]` in
    /// `hunt config`) as JSON lines instead of findings; with -f, each
    /// incident as it is created, changed or dissolved.
    #[arg(long)]
    pub incidents: bool,

    /// Print per-file ingest counts (records, events, ignored by reason) on stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Change one detector setting for this run, by its TOML path under
    /// `[detectors]` (brute_force.min_failures=5, password_spray.window=30m).
    /// Repeatable.
    #[arg(long = "set", value_name = "DETECTOR.SETTING=VALUE")]
    pub set: Vec<String>,

    /// With --set: print what the change would do instead of the findings:
    /// findings that would appear, disappear or change severity, by detector,
    /// with the verdicts CASE gave to those that would disappear.
    #[arg(long, value_name = "CASE", requires = "set")]
    pub diff_against: Option<PathBuf>,

    /// Log files or folders (recursed); - reads standard input.
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WhyArgs {
    /// A user name, an IP address, a CIDR (203.0.113.0/24) or an AS number (AS64500).
    #[arg(value_name = "ENTITY")]
    pub entity: String,

    /// Log files or folders (recursed); - reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Output format: hunt's model (jsonl, csv), OCSF JSON lines (ocsf), OCSF Parquet
    /// (parquet), or Timesketch JSON lines with each event's finding ids (timesketch).
    #[arg(long, value_enum, default_value = "jsonl")]
    pub output: crate::export::write::EventsFormat,

    /// Write to FILE instead of standard output (required for parquet on a terminal).
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Folder for the temporary sort runs (default: the system's temporary folder).
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<PathBuf>,

    /// Memory for sorting, in MiB, before runs spill to disk (0: spill at once).
    #[arg(long, value_name = "MIB", default_value_t = 128)]
    pub sort_buffer: usize,

    /// Print per-file ingest counts (records, events, ignored by reason) on stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Print the OCSF schema as a Spark DDL string and exit: give it to
    /// `spark.read.schema(…).json(…)` so the queries of `hunt rules` find every
    /// column of `--output ocsf` JSON lines, even one that is null in every row.
    #[arg(long, conflicts_with_all = ["paths", "out"])]
    pub spark_schema: bool,

    /// Log files or folders (recursed); - reads standard input.
    pub paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityArg {
    pub fn severity(self) -> crate::finding::Severity {
        use crate::finding::Severity;
        match self {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Args, Debug)]
pub struct CaseArgs {
    #[command(subcommand)]
    pub command: CaseCommand,
}

#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// Set the verdict of a finding: true_positive, benign_positive, false_positive or undetermined.
    Verdict {
        /// Finding id (from `hunt scan`).
        id: String,
        /// true_positive | benign_positive | false_positive | undetermined
        class: String,
        /// A note saying why.
        #[arg(long)]
        note: Option<String>,
    },
    /// Add a free note to a finding.
    Note { id: String, text: String },
    /// Manage allowlist entries.
    Allow {
        #[command(subcommand)]
        command: AllowCommand,
    },
    /// List verdicts and notes in the case.
    List,
    /// Write the case as an incident hand-off report.
    Export {
        /// json, or markdown (the incident hand-off report).
        #[arg(long, value_name = "json|markdown", default_value = "markdown", value_parser = parse_export_format)]
        format: FormatArg,
        /// Write to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Load the results of a `hunt rules` query run by Spark, Kusto or
    /// Elasticsearch (JSON lines, JSON, the ES|QL response, or CSV with a
    /// header) as open findings of the case, to triage with `hunt case verdict`.
    ImportResults {
        /// The exported result file.
        file: PathBuf,
    },
    /// Test support: writes COUNT verdicts, printing each id once it is committed.
    #[command(hide = true)]
    VerdictLoop {
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// Distinguishes the ids of concurrent writers.
        #[arg(long, default_value = "loop")]
        tag: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AllowCommand {
    /// Add an entry: KIND is ip, cidr, user, asn, country or user_agent.
    Add {
        kind: String,
        value: String,
        /// Why this is allowed (required).
        #[arg(long)]
        note: String,
        /// Only suppress findings of these detectors (repeatable).
        #[arg(long = "detector", value_name = "DETECTOR")]
        detectors: Vec<String>,
        /// Expiry: a span like 30d / 12h, or a date 2026-12-31.
        #[arg(long)]
        expires: Option<String>,
        /// Add nothing: read the logs (PATHs, else the sources the case's
        /// last scan recorded), detect, and list the findings the entry
        /// would suppress, by severity, detector and entity, with verdicts.
        #[arg(long)]
        dry_run: bool,
        /// Logs the dry run reads (files, folders).
        #[arg(requires = "dry_run")]
        paths: Vec<PathBuf>,
    },
    /// List entries with their match counts (stale ones flagged).
    List,
    /// Remove an entry by id.
    Remove { id: i64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Markdown,
}

fn parse_export_format(s: &str) -> Result<FormatArg, String> {
    ExportFormat::from_str(s, true)
        .map(|f| FormatArg(None, Some(f)))
        .map_err(|_| format!("unknown export format `{s}`; use json or markdown"))
}

impl Cli {
    /// Parses the process arguments (exits with code 2 on usage errors, as
    /// clap does). Usage errors echo the arguments, which can hold anything:
    /// they are printed through the neutraliser, line by line.
    pub fn from_args() -> Cli {
        match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                use std::io::Write;
                let text = e.render().to_string();
                let shown = neutral_usage_text(&text);
                // Help and version go to stdout, errors to stderr, as clap does.
                let _ = if e.use_stderr() {
                    std::io::stderr().lock().write_all(shown.as_bytes())
                } else {
                    std::io::stdout().lock().write_all(shown.as_bytes())
                };
                std::process::exit(e.exit_code());
            }
        }
    }
}

/// Clap's plain-text message with each line neutralised (line breaks kept).
pub fn neutral_usage_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(&crate::sanitize::clean(body));
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_scan_and_tui_forms() {
        let c = Cli::try_parse_from([
            "hunt",
            "scan",
            "--output",
            "jsonl",
            "--fail-on",
            "high",
            "a.log",
        ])
        .unwrap();
        match c.command {
            Some(Command::Scan(s)) => {
                assert_eq!(s.output, Some(OutputFormat::Jsonl));
                assert_eq!(s.fail_on, Some(SeverityArg::High));
                assert_eq!(s.paths, vec![PathBuf::from("a.log")]);
            }
            other => panic!("{other:?}"),
        }
        let c = Cli::try_parse_from(["hunt", "-f", "x.log", "--format", "sshd"]).unwrap();
        assert!(c.follow && c.command.is_none());
        assert_eq!(
            c.common.format,
            FormatArg(Some(crate::ingest::Format::Sshd), None)
        );
        assert!(Cli::try_parse_from(["hunt", "--format", "nope", "x"]).is_err());
    }

    #[test]
    fn case_export_takes_its_own_format() {
        let c = Cli::try_parse_from(["hunt", "case", "export", "--format", "json"]).unwrap();
        match c.command {
            Some(Command::Case(CaseArgs {
                command: CaseCommand::Export { format, .. },
            })) => assert_eq!(format.1, Some(ExportFormat::Json)),
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["hunt", "case", "export", "--format", "pdf"]).is_err());
        assert!(Cli::try_parse_from(["hunt", "scan", "--format", "json", "x"]).is_err());
    }
}
