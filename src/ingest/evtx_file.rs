//! TODO(parser): native .evtx files → drafts through the `evtx` crate.

use super::stats::FileStats;
use crate::event::Batch;

/// Parses a whole evtx file held in memory; calls `out` with batches of drafts.
pub fn parse_evtx(_data: Vec<u8>, _file: u32, _stats: &mut FileStats, _out: &mut dyn FnMut(Batch)) {
}
