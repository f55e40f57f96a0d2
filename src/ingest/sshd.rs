//! TODO(parser): sshd syslog lines → drafts.

use super::{ParseResult, RecordCx, Reject};

/// True when a line looks like a syslog line (classic or RFC 3339 prefix).
pub fn looks_like_syslog(line: &str) -> bool {
    let b = line.as_bytes();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    (b.len() > 16
        && MONTHS.iter().any(|m| line.starts_with(m))
        && b[3] == b' '
        && b.get(9) == Some(&b':'))
        || (b.len() > 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T')
}

/// Per-file sshd parsing state (year inference for classic timestamps).
#[derive(Debug, Clone)]
pub struct SshdState {
    pub year: i32,
}

impl SshdState {
    /// `ref_year`/`ref_month`: the file's modification time, against which
    /// classic timestamps (no year) are read.
    pub fn new(ref_year: i32, ref_month: u32) -> Self {
        let _ = ref_month;
        SshdState { year: ref_year }
    }

    /// Parses one line (without its newline).
    pub fn parse_line(&mut self, _line: &str, _cx: &mut RecordCx) -> ParseResult {
        Err(Reject::Ignored("not yet supported"))
    }
}
