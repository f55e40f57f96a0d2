//! Per-file ingest counters: records read, events produced, records ignored
//! by design, records dropped as copies of one already loaded, and problems (bad input) by reason with the first few kept with
//! their line. This is the "record non-fatal errors" policy made visible.

use std::collections::BTreeMap;

/// How many problems are kept with their location per file.
pub const KEEP_PROBLEMS: usize = 20;

/// One bad-input occurrence, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line (0 when the format has no lines).
    pub line: u32,
    pub offset: u64,
    pub reason: &'static str,
    pub detail: String,
}

/// Counters for one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Records seen (lines, array elements, evtx records).
    pub records: u64,
    /// Events produced (a record may give 0, 1 or several).
    pub events: u64,
    /// Records that gave at least one event. Every record is kept, ignored,
    /// a problem or a duplicate: `records == kept + ignored + problems +
    /// duplicates`, except that a repair (`non-UTF-8 bytes (replaced)`) is a
    /// problem of a kept record and an empty file is ignored without a record.
    pub kept: u64,
    /// Well-formed records that `hunt` does not use, by reason.
    pub ignored: BTreeMap<&'static str, u64>,
    /// Bad input by reason.
    pub problems: BTreeMap<&'static str, u64>,
    /// Well-formed records dropped as copies of a record already loaded
    /// (same source identity; see `crate::dedup`), counted by the owner.
    pub duplicates: u64,
    /// The first [`KEEP_PROBLEMS`] problems with their location.
    pub first_problems: Vec<Problem>,
    /// Bytes consumed so far (of the decompressed stream).
    pub bytes_read: u64,
    /// The year assumed for syslog stamps that carry none (0: none was
    /// guessed — the year was given, or every stamp had one).
    pub assumed_year: i32,
}

impl FileStats {
    pub fn ignore(&mut self, reason: &'static str) {
        *self.ignored.entry(reason).or_default() += 1;
    }

    pub fn problem(&mut self, line: u32, offset: u64, reason: &'static str, detail: String) {
        *self.problems.entry(reason).or_default() += 1;
        if self.first_problems.len() < KEEP_PROBLEMS {
            self.first_problems.push(Problem {
                line,
                offset,
                reason,
                detail: truncate(detail, 200),
            });
        }
    }

    pub fn problem_count(&self) -> u64 {
        self.problems.values().sum()
    }

    pub fn ignored_count(&self) -> u64 {
        self.ignored.values().sum()
    }

    /// Adds another set of counters (from a parse worker) into this one.
    pub fn merge(&mut self, other: FileStats) {
        self.records += other.records;
        self.events += other.events;
        self.kept += other.kept;
        self.duplicates += other.duplicates;
        self.bytes_read += other.bytes_read;
        if self.assumed_year == 0 {
            self.assumed_year = other.assumed_year;
        }
        for (k, v) in other.ignored {
            *self.ignored.entry(k).or_default() += v;
        }
        for (k, v) in other.problems {
            *self.problems.entry(k).or_default() += v;
        }
        for p in other.first_problems {
            if self.first_problems.len() < KEEP_PROBLEMS {
                self.first_problems.push(p);
            }
        }
        self.first_problems.sort_by_key(|p| (p.line, p.offset));
    }
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}
