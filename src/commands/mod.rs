//! What the `hunt` commands do beyond parsing their arguments: each command
//! here reads, detects and answers with typed results — what it writes on
//! stdout, the [`Note`]s it tells on the side, and how it ended ([`Exit`]) —
//! and `main.rs` only dispatches, prints the notes and maps the exit code.

pub mod allow_preview;
pub mod events;
pub mod note;
pub mod rules;
pub mod scan;
mod sigma_notes;

pub use note::{Cmd, Exit, Note, SigmaNote};

use crate::cli::Common;
use crate::config::Config;
use crate::enrich::Enricher;
use crate::ingest::read::Input;
use crate::ingest::walk::expand_paths;
use std::path::{Path, PathBuf};

/// Where a command tells its notes (the binary prints them on stderr).
pub type Tell<'a> = &'a mut dyn FnMut(Note);

/// The GeoIP databases to open: `--geoip` when given, else `[geoip] paths`.
pub fn geoip_paths(common: &Common, config: &Config) -> Vec<PathBuf> {
    if common.geoip.is_empty() {
        config.geoip.paths.clone()
    } else {
        common.geoip.clone()
    }
}

/// Opens the GeoIP databases and tells what was opened or skipped; "no
/// database" is the normal case on most machines and said only when `verbose`.
pub fn open_enricher(common: &Common, config: &Config, verbose: bool, tell: Tell) -> Enricher {
    let (enricher, notes) = Enricher::open_noted(&geoip_paths(common, config));
    for n in notes {
        if verbose || !n.is_routine() {
            tell(Note::Geo(n));
        }
    }
    enricher
}

/// The inputs named on the command line, folders walked.
pub struct Inputs {
    pub inputs: Vec<Input>,
    /// A named input could not be read: the run fails at its end (exit 2).
    pub unreadable: bool,
    /// A URL that names no source hunt reads: a usage error.
    pub bad_url: bool,
}

/// Walks `paths` (following waits for files that do not exist yet, as
/// `tail -F`) and tells what cannot be read. What is skipped inside a
/// walked folder is a warning and the run goes on: those are returned,
/// for the caller to tell after its own checks of the inputs.
fn expand(paths: &[PathBuf], follow: bool, tell: Tell) -> (Inputs, Vec<Note>) {
    let expanded = expand_paths(paths, follow);
    for (path, e) in &expanded.errors {
        tell(Note::Unreadable {
            path: path.display().to_string(),
            error: e.to_string(),
        });
    }
    let skipped = expanded
        .warnings
        .iter()
        .map(|(path, e)| Note::Skipped {
            path: path.display().to_string(),
            error: e.to_string(),
        })
        .collect();
    let inputs = Inputs {
        unreadable: !expanded.errors.is_empty(),
        bad_url: expanded
            .errors
            .iter()
            .any(|(_, e)| e.kind() == std::io::ErrorKind::InvalidInput),
        inputs: expanded.inputs,
    };
    (inputs, skipped)
}

/// True when `-` (standard input) is named more than once.
fn stdin_twice(inputs: &[Input]) -> bool {
    inputs.iter().filter(|i| **i == Input::Stdin).count() > 1
}

/// The folders among `paths` under which no input was found.
fn empty_folders<'a>(paths: &'a [PathBuf], inputs: &'a [Input]) -> Vec<&'a Path> {
    paths
        .iter()
        .filter(|p| p.is_dir())
        .filter(|dir| {
            !inputs
                .iter()
                .filter_map(Input::path)
                .any(|p| p.starts_with(dir))
        })
        .map(PathBuf::as_path)
        .collect()
}
