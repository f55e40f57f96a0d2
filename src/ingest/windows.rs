//! TODO(parser): windows records → drafts.

use super::{ParseResult, RecordCx, Reject};

pub fn parse_winlogbeat(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}

pub fn parse_nxlog(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}

pub fn parse_sentinel(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}
