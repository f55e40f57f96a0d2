//! What a command tells its user on the side (stderr): one typed value per
//! kind of line, so that a caller chooses what to say by its kind and a test
//! checks a count as a number. [`Note`]'s `Display` is the line a user reads,
//! neutralised (every field can quote a log, a file name or a rule).

use crate::enrich::GeoNote;
use crate::sanitize::clean;
use std::fmt;

/// The command a usage line names (`hunt scan: …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Scan,
    Events,
}

impl Cmd {
    fn name(self) -> &'static str {
        match self {
            Cmd::Scan => "hunt scan",
            Cmd::Events => "hunt events",
        }
    }
}

/// How a command ended, for the binary's exit-code policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything was read; nothing at `--fail-on` or above (0).
    Clean,
    /// A finding at `--fail-on` or above (1).
    Findings,
    /// An input, rule or record could not be used; the rest was (2).
    Failed,
    /// The command line asks for something that cannot be done (2).
    Usage,
}

/// What the Sigma rules said, on loading and at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigmaNote {
    /// A file or rule that could not be used (the run fails at its end).
    Problem(String),
    Warning(String),
    Loaded {
        detection: usize,
        correlation: usize,
    },
    /// Under `-v`: one rule's records evaluated and matched.
    Rule {
        id: String,
        title: String,
        evaluated: u64,
        matched: u64,
    },
    /// How many rules cannot fire on what was read; `named` when each
    /// follows as a [`SigmaNote::Dead`].
    CannotFire {
        dead: usize,
        total: usize,
        named: bool,
    },
    /// One rule that cannot fire, and why.
    Dead {
        id: String,
        title: String,
        why: String,
    },
}

/// One line (or, for [`Note::Summary`], one block) a command tells on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// No input was named.
    NoInput(Cmd),
    /// `-` was named twice.
    StdinTwice(Cmd),
    /// A `--set` that names no setting or gives a wrong value.
    BadSetting(String),
    /// `--incidents` with a table or CSV output.
    IncidentsNeedJsonl,
    /// Parquet asked for onto a terminal.
    ParquetToTerminal,
    /// `hunt rules` without `--dialect`.
    NeedDialect,
    /// `hunt rules matches` or `watch` (the command named) without `--rules`.
    NeedRules(&'static str),
    /// `hunt rules watch` given standard input, which cannot be read again.
    WatchReadsFiles,
    /// Detectors enabled that have no query in the dialect.
    NoQueryYet {
        dialect: &'static str,
        detectors: Vec<String>,
    },
    /// `hunt rules` with nothing enabled to print.
    NothingToPrint,
    /// `hunt case allow add --dry-run` refused (bad entry, case or input).
    AllowRefused(String),
    /// A named input (or a source, at its end) that could not be read.
    Unreadable {
        path: String,
        error: String,
    },
    /// A file inside a walked folder that was skipped.
    Skipped {
        path: String,
        error: String,
    },
    /// A folder holding no file at all.
    NoFilesUnder(String),
    /// A followed file that does not exist yet.
    WaitingFor(String),
    /// About the case: read-only, reload failed.
    Case(String),
    /// Opening the GeoIP databases.
    Geo(GeoNote),
    /// A GeoIP database whose records failed to decode.
    GeoDecode(String),
    HostingList(String),
    Sigma(SigmaNote),
    /// Where Kafka consumers start (already neutralised by `triage::kafka`).
    Kafka(String),
    KafkaNotCommitted(String),
    /// A live source lost messages or refused senders (`hunt scan -f`).
    LiveLoss(String),
    /// A source failed while following (`hunt scan -f`).
    SourceFailed(String),
    /// A Kafka input cannot reach its brokers and is retrying (input, error).
    KafkaRetrying(String, String),
    /// That input reached its brokers again.
    KafkaRecovered(String),
    /// Records that hit a bug in hunt.
    InternalErrors(u64),
    /// The scan's match counts could not be written to the case.
    NotRecorded(String),
    /// A summary block already laid out (the ingest and triage summaries).
    Summary(String),
    /// How findings group into incidents.
    Incidents {
        incidents: usize,
        grouped: usize,
        alone: usize,
        rollups: usize,
        rolled: usize,
    },
    /// What `hunt rules matches` compared.
    Compared {
        detection: usize,
        correlation: usize,
        running: usize,
        evaluated: u64,
        matches: usize,
    },
    /// `hunt events -v`: rows written, and of them sorted through temporary runs.
    EventsWritten {
        written: u64,
        spilled: u64,
    },
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for SigmaNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigmaNote::Problem(p) => write!(f, "hunt: sigma: {}", clean(p)),
            SigmaNote::Warning(w) => write!(f, "hunt: sigma: warning: {}", clean(w)),
            SigmaNote::Loaded {
                detection,
                correlation,
            } => write!(
                f,
                "hunt: sigma: {detection} detection and {correlation} correlation rules loaded"
            ),
            SigmaNote::Rule {
                id,
                title,
                evaluated,
                matched,
            } => write!(
                f,
                "hunt: sigma: rule {} “{}”: {evaluated} records evaluated, {matched} matched",
                clean(id),
                clean(title)
            ),
            SigmaNote::CannotFire { dead, total, named } => write!(
                f,
                "hunt: sigma: {dead} of {total} detection rules cannot fire on what was read{}",
                if *named { ":" } else { " (-v names them)" }
            ),
            SigmaNote::Dead { id, title, why } => write!(
                f,
                "hunt: sigma:   {} “{}”: {}",
                clean(id),
                clean(title),
                clean(why)
            ),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::NoInput(c) => write!(
                f,
                "{}: no input given; name log files or folders, or - for standard input",
                c.name()
            ),
            Note::StdinTwice(c) => {
                write!(f, "{}: - (standard input) can be given only once", c.name())
            }
            Note::BadSetting(e) => write!(f, "hunt scan: --set {}", clean(e)),
            Note::IncidentsNeedJsonl => f.write_str(
                "hunt scan: --incidents prints JSON lines; use --output jsonl or leave --output out",
            ),
            Note::ParquetToTerminal => f.write_str(
                "hunt events: Parquet is binary; name a file with -o FILE or redirect the output",
            ),
            Note::NeedDialect => f.write_str("hunt rules: --dialect is required"),
            Note::NeedRules(cmd) => write!(f, "{cmd}: name the rules with --rules DIR|FILE"),
            Note::WatchReadsFiles => f.write_str(
                "hunt rules watch: reads its inputs again on each change; give files, not -",
            ),
            Note::NoQueryYet { dialect, detectors } => write!(
                f,
                "hunt rules: no {dialect} query yet for: {}",
                clean(&detectors.join(", "))
            ),
            Note::NothingToPrint => {
                f.write_str("hunt rules: no enabled detector to print (see `hunt config`)")
            }
            Note::AllowRefused(e) => write!(f, "hunt case allow add: {}", clean(e)),
            Note::Unreadable { path, error } => write!(f, "hunt: {}: {}", clean(path), clean(error)),
            Note::Skipped { path, error } => {
                write!(f, "hunt: warning: {}: {}", clean(path), clean(error))
            }
            Note::NoFilesUnder(dir) => write!(f, "hunt: no input files found under {}", clean(dir)),
            Note::WaitingFor(p) => write!(f, "hunt: {}: does not exist yet; waiting for it", clean(p)),
            Note::Case(t) | Note::GeoDecode(t) | Note::Kafka(t) | Note::LiveLoss(t) => {
                write!(f, "hunt: {}", clean(t))
            }
            Note::SourceFailed(t) => write!(f, "hunt: {}", clean(t)),
            Note::KafkaRetrying(input, e) => write!(
                f,
                "hunt: {}: cannot read, retrying every 2 s: {}",
                clean(input),
                clean(e)
            ),
            Note::KafkaRecovered(input) => {
                write!(f, "hunt: {}: connected again", clean(input))
            }
            Note::Geo(g) => write!(f, "hunt: {}", clean(g.text())),
            Note::HostingList(e) => write!(f, "hunt: hosting list: {}", clean(e)),
            Note::Sigma(s) => s.fmt(f),
            Note::KafkaNotCommitted(e) => {
                write!(f, "hunt: kafka offsets not committed: {}", clean(e))
            }
            Note::InternalErrors(n) => write!(
                f,
                "hunt: {n} record(s) hit an internal error (a bug in hunt, please report it); \
                 the records around them were read (see the problems below)"
            ),
            Note::NotRecorded(e) => {
                write!(f, "hunt: match counts not recorded in the case: {}", clean(e))
            }
            // Laid out (and neutralised) by report and triage.
            Note::Summary(text) => f.write_str(text.trim_end_matches('\n')),
            Note::Incidents {
                incidents,
                grouped,
                alone,
                rollups,
                rolled,
            } => {
                let rolled = if *rollups == 0 {
                    String::new()
                } else {
                    format!(
                        "; {rolled} of them rolled into {rollups} low background-scanning incident{} (see [incidents.background])",
                        plural(*rollups)
                    )
                };
                write!(
                    f,
                    "hunt: {incidents} incidents hold {grouped} findings ({alone} of them a lone high or critical finding, see [incidents] alone_from{rolled}; each finding's \"incident\"); --incidents prints them"
                )
            }
            Note::Compared {
                detection,
                correlation,
                running,
                evaluated,
                matches,
            } => write!(
                f,
                "hunt rules matches: {detection} detection rules loaded ({correlation} correlations), {running} on a source hunt reads; {evaluated} records evaluated; {matches} matches"
            ),
            Note::EventsWritten { written, spilled } => write!(
                f,
                "hunt events: {written} events written ({spilled} sorted through temporary runs)"
            ),
        }
    }
}

impl Note {
    /// A block of summary lines written by `write` (nothing when it wrote nothing).
    pub fn summary(
        write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::io::Result<Option<Note>> {
        let mut buf = Vec::new();
        write(&mut buf)?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        Ok((!text.is_empty()).then_some(Note::Summary(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_neutralised() {
        let n = Note::Unreadable {
            path: "a\u{1b}[31mb".into(),
            error: "gone".into(),
        };
        assert_eq!(n.to_string(), "hunt: a\\u{1b}[31mb: gone");
        let n = Note::Sigma(SigmaNote::Dead {
            id: "x".into(),
            title: "t\u{202e}".into(),
            why: "no source".into(),
        });
        assert_eq!(n.to_string(), "hunt: sigma:   x “t\\u{202e}”: no source");
    }

    #[test]
    fn incidents_line_names_rollups_only_when_there_are_some() {
        let mut n = Note::Incidents {
            incidents: 2,
            grouped: 5,
            alone: 1,
            rollups: 0,
            rolled: 0,
        };
        assert_eq!(n.to_string(), "hunt: 2 incidents hold 5 findings (1 of them a lone high or critical finding, see [incidents] alone_from; each finding's \"incident\"); --incidents prints them");
        if let Note::Incidents {
            rollups, rolled, ..
        } = &mut n
        {
            *rollups = 1;
            *rolled = 3;
        }
        assert!(n
            .to_string()
            .ends_with("alone_from; 3 of them rolled into 1 low background-scanning incident (see [incidents.background]); each finding's \"incident\"); --incidents prints them"));
    }

    #[test]
    fn an_empty_summary_is_no_note() {
        assert_eq!(Note::summary(|_| Ok(())).unwrap(), None);
        assert_eq!(
            Note::summary(|b| {
                b.extend_from_slice(b"one\ntwo\n");
                Ok(())
            })
            .unwrap()
            .map(|n| n.to_string()),
            Some("one\ntwo".to_string())
        );
    }
}
