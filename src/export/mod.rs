//! `hunt events`: the normalized events written out for other tools
//! (issue 14 part 1) — hunt's own model as JSON lines or CSV, OCSF JSON
//! lines, OCSF Parquet, and Timesketch JSON lines. docs/ocsf.md is the
//! field-by-field contract.
//!
//! The events come out in detection order (time, then each file's order,
//! files by name rank) without holding the input: rows are copied out of
//! the session as they are parsed, sorted in bounded runs that spill to
//! temporary files, and merged at the end ([`sort`]).

pub mod model;
pub mod ocsf;
pub mod parquet;
pub mod row;
pub mod run;
pub mod sort;
pub mod write;

/// Input names by file id: what the rows' `file` and `format` say.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub files: Vec<String>,
    pub formats: Vec<String>,
}

impl Names {
    pub fn file(&self, id: u32) -> &str {
        self.files.get(id as usize).map_or("", String::as_str)
    }
    pub fn format(&self, id: u32) -> &str {
        self.formats.get(id as usize).map_or("", String::as_str)
    }
}
