//! Live network sources, named on the command line by a URL scheme
//! (`hunt -f syslog://0.0.0.0:5514`): [`LiveSource::parse`] tells such an
//! argument from a path, and each source runs on a thread of its own
//! ([`LiveSource::run`]), handing its parsed batches, its status and the
//! moments it has nothing more for now to the caller's sink ([`LiveOut`]).
//! The pipeline turns those into its messages, so a live source meets the
//! detectors exactly as a followed file does.
//!
//! Adding a source is a variant of [`LiveSource`] (its scheme in
//! [`LiveSource::parse`]) and a module with its `run`.

pub mod settings;
pub mod syslog;
pub mod tls;

use super::stats::FileStats;
use crate::event::Batch;

/// A live source named by a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiveSource {
    /// `syslog://ADDR:PORT`: RFC 3164 / 5424 over UDP and TCP on one port;
    /// `syslog+tls://ADDR:PORT`: the same over TLS (RFC 5425), TCP only.
    Syslog(syslog::Listen),
}

/// The schemes [`LiveSource::parse`] knows, for messages.
/// Schemes named in messages (`kafka://` is read by `ingest::kafka`).
pub const SCHEMES: &[&str] = &["syslog://", "syslog+tls://", "kafka://"];

impl LiveSource {
    /// `None` when `arg` names no URL scheme (it is a path); otherwise the
    /// source, or why the URL is not one.
    pub fn parse(arg: &str) -> Option<Result<LiveSource, String>> {
        let (scheme, rest) = arg.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+')
        {
            return None;
        }
        Some(match scheme.to_ascii_lowercase().as_str() {
            "syslog" => syslog::Listen::parse(rest, false).map(LiveSource::Syslog),
            "syslog+tls" => syslog::Listen::parse(rest, true).map(LiveSource::Syslog),
            other => Err(format!(
                "unknown live source scheme `{other}://`; use one of: {}",
                SCHEMES.join(", ")
            )),
        })
    }

    /// The URL as given back to the user (sources list, messages).
    pub fn display(&self) -> String {
        match self {
            LiveSource::Syslog(l) => l.display(),
        }
    }

    /// Receives until the sink refuses more (the run is over). `file` is
    /// the source's input number (in its events' origins).
    pub fn run(&self, file: u32, opts: LiveOptions, out: &mut dyn FnMut(LiveOut) -> bool) {
        match self {
            LiveSource::Syslog(l) => syslog::run(l, file, opts, out),
        }
    }
}

/// What a live source needs from the configuration.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Longest record (`[ingest] max_line_bytes`).
    pub max_line: usize,
    /// `[syslog]`: the TLS certificate and key of `syslog+tls://`.
    pub syslog: settings::SyslogConfig,
}

/// What a live source hands to the pipeline.
pub enum LiveOut {
    /// Listening / connected; the format name for the sources list.
    Opened { format: String },
    /// Parsed drafts and their counters.
    Batch(Batch, FileStats),
    /// Everything received so far has been handed out.
    CaughtUp,
    /// The source's counters (sent about once a second when they change).
    Status(LiveStatus),
    /// The source cannot run (an address in use, a refused bind).
    Failed(String),
}

/// A live source's own counters, for the status bar, the sources screen
/// and `hunt scan`'s stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveStatus {
    /// Messages received.
    pub received: u64,
    /// Messages lost before hunt could read them (socket buffer overruns,
    /// a full queue): never silent.
    pub dropped: u64,
    /// Messages received but not kept because their framing was broken
    /// (too long, cut, not octet-counted over TLS).
    pub framing: u64,
    /// Connections refused before any message (failed TLS handshakes,
    /// plain text on the TLS port).
    pub refused: u64,
    /// A short line for the status bar (`12 dropped`, `lag 30`).
    pub summary: String,
    /// Lines for the sources screen (what was received how, what was lost where).
    pub details: Vec<String>,
    /// Of those, the lines that say where messages were lost (for the
    /// `dropped` count's note on stderr).
    pub lost: Vec<String>,
    /// Of those, the lines that say why connections were refused.
    pub refusals: Vec<String>,
}
