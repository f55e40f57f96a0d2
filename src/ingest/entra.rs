//! TODO(parser): entra records → drafts.

use super::{ParseResult, RecordCx, Reject};

pub fn parse_sentinel(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}

pub fn parse_graph(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}

pub fn parse_diagnostic(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}
