//! TODO(parser): okta records → drafts.

use super::{ParseResult, RecordCx, Reject};

pub fn parse(_raw: &str, _cx: &mut RecordCx) -> ParseResult {
    Err(Reject::Ignored("not yet supported"))
}
