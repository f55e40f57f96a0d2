//! hunt's own event model as flat named columns, in one fixed order: the
//! `jsonl` and `csv` outputs of `hunt events` and the body of `timesketch`
//! lines (docs/ocsf.md §1 lists them). One function, [`columns`], decides the
//! names, the order and the values, so the three outputs cannot disagree.

use super::row::Row;
use super::Names;
use crate::event::{decode_params, flags};
use crate::ingest::time::format_time;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// One column's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    /// Text; empty is absent (`null` in JSON, an empty cell in CSV).
    Str(&'a str),
    Owned(String),
    Int(i64),
    /// NaN is absent.
    Float(f32),
    /// 0 is absent (AS numbers).
    NonZero(u32),
    Bool(bool),
    /// Encoded audit parameters: an object in JSON, its JSON text in CSV.
    Params(&'a str),
    /// Finding ids or names (timesketch).
    List(Vec<String>),
}

/// Column names, in output order (the CSV header).
pub const COLUMNS: [&str; 44] = [
    "time",
    "time_ms",
    "source",
    "kind",
    "outcome",
    "user",
    "ip",
    "result_code",
    "app",
    "client_app",
    "auth_requirement",
    "country",
    "city",
    "lat",
    "lon",
    "accuracy_km",
    "asn",
    "as_org",
    "user_agent",
    "risk_level",
    "risk_state",
    "risk_events",
    "home_tenant",
    "resource_tenant",
    "session_id",
    "operation",
    "params",
    "access_key",
    "protocol",
    "transfer",
    "extra",
    "is_proxy",
    "interactive",
    "geo_from_db",
    "country_from_db",
    "asn_from_db",
    "no_such_user",
    "mfa_denied",
    "threat_suspected",
    "file",
    "format",
    "line",
    "offset",
    "length",
];

/// The values of [`COLUMNS`] for one row, in the same order.
pub fn columns<'a>(row: &'a Row, names: &'a Names) -> [Val<'a>; 44] {
    let e = &row.ev;
    let flag = |f: u8| Val::Bool(e.flags & f != 0);
    [
        Val::Owned(format_time(e.time)),
        Val::Int(e.time),
        Val::Str(e.source.as_str()),
        Val::Str(e.kind.as_str()),
        Val::Str(e.outcome.as_str()),
        Val::Str(&e.user),
        Val::Str(&e.ip),
        Val::Str(&e.result_code),
        Val::Str(&e.app),
        Val::Str(&e.client_app),
        Val::Str(&e.auth_requirement),
        Val::Str(&e.country),
        Val::Str(&e.city),
        Val::Float(e.lat),
        Val::Float(e.lon),
        Val::Int(i64::from(e.accuracy_km)),
        Val::NonZero(e.asn),
        Val::Str(&e.as_org),
        Val::Str(&e.user_agent),
        Val::Str(&e.risk_level),
        Val::Str(&e.risk_state),
        Val::Str(&e.risk_events),
        Val::Str(&e.home_tenant),
        Val::Str(&e.resource_tenant),
        Val::Str(&e.session_id),
        Val::Str(&e.operation),
        Val::Params(&e.params),
        Val::Str(&e.access_key),
        Val::Str(e.protocol.as_str()),
        Val::Str(e.transfer.as_str()),
        Val::Params(&e.extra),
        flag(flags::IS_PROXY),
        Val::Bool(e.flags & flags::NON_INTERACTIVE == 0),
        flag(flags::GEO_FROM_DB),
        flag(flags::COUNTRY_FROM_DB),
        flag(flags::ASN_FROM_DB),
        flag(flags::NO_SUCH_USER),
        flag(flags::MFA_DENIED),
        flag(flags::THREAT_SUSPECTED),
        Val::Str(names.file(e.origin.file)),
        Val::Str(names.format(e.origin.file)),
        Val::Int(i64::from(e.origin.line)),
        Val::Int(e.origin.offset as i64),
        Val::Int(i64::from(e.origin.len)),
    ]
}

/// Audit parameters as a JSON object (a later duplicate name wins).
pub fn params_object(encoded: &str) -> serde_json::Map<String, serde_json::Value> {
    decode_params(encoded)
        .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
        .collect()
}

impl Serialize for Val<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Str("") => s.serialize_none(),
            Val::Str(t) => s.serialize_str(t),
            Val::Owned(t) => s.serialize_str(t),
            Val::Int(n) => s.serialize_i64(*n),
            Val::Float(f) if f.is_nan() => s.serialize_none(),
            // Through the shortest decimal of the f32 (52.5, not 52.5000000001).
            Val::Float(f) => s.serialize_f64(f.to_string().parse().unwrap_or(f64::NAN)),
            Val::NonZero(0) => s.serialize_none(),
            Val::NonZero(n) => s.serialize_u32(*n),
            Val::Bool(b) => s.serialize_bool(*b),
            Val::Params("") => s.serialize_none(),
            Val::Params(p) => params_object(p).serialize(s),
            Val::List(l) => l.serialize(s),
        }
    }
}

/// The text of a CSV cell (before quoting): absent is empty.
pub fn cell(v: &Val) -> String {
    match v {
        Val::Str(t) => (*t).to_string(),
        Val::Owned(t) => t.clone(),
        Val::Int(n) => n.to_string(),
        Val::Float(f) if f.is_nan() => String::new(),
        Val::Float(f) => f.to_string(),
        Val::NonZero(0) => String::new(),
        Val::NonZero(n) => n.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Params("") => String::new(),
        Val::Params(p) => serde_json::Value::Object(params_object(p)).to_string(),
        Val::List(l) => l.join(" "),
    }
}

/// Named values serialised as one JSON object in the order given.
pub struct Ordered<'a>(pub Vec<(&'static str, Val<'a>)>);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The row as an [`Ordered`] object of every column.
pub fn object<'a>(row: &'a Row, names: &'a Names) -> Ordered<'a> {
    Ordered(COLUMNS.into_iter().zip(columns(row, names)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Record, Sym};

    /// The columns are the one hand list of `Record`'s fields outside
    /// event.rs (an output schema names them): a text field added to
    /// `Record` fails here until the exports carry it.
    #[test]
    fn every_text_field_of_a_record_is_a_column() {
        let missing: Vec<&str> = Record::<Sym>::text_names()
            .into_iter()
            .filter(|name| !COLUMNS.contains(name))
            .collect();
        assert!(missing.is_empty(), "not exported: {missing:?}");
    }
}
