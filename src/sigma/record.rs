//! One stored event as rsigma's [`Event`]: field lookups answered by
//! [`super::fields`] (normalized first, then the raw record read back on
//! demand, then exact derivations), keyword searches over the raw line when
//! it can be read (sshd rules are keyword rules on it) or else over the
//! normalized text. `to_json` is only the event's index: the correlation
//! engine keeps it as the reference that becomes a finding's evidence.

use super::fields::{self, canon_text, canonical};
use super::raw::RawReader;
use crate::event::{decode_params, Event as HuntEvent};
use crate::store::{EventIdx, Store};
use rsigma_eval::event::{Event, EventValue};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;

/// The raw record of the event being evaluated, read at most once.
#[derive(Default)]
pub struct RawCache {
    pub reader: RawReader,
    current: Option<(EventIdx, Option<Raw>)>,
}

struct Raw {
    text: String,
    json: Option<Value>,
}

impl RawCache {
    pub fn new(reader: RawReader) -> RawCache {
        RawCache {
            reader,
            current: None,
        }
    }

    fn with<T>(&mut self, idx: EventIdx, ev: &HuntEvent, f: impl FnOnce(&Raw) -> T) -> Option<T> {
        if self.current.as_ref().is_none_or(|(i, _)| *i != idx) {
            let raw = self.reader.read(idx, ev.origin).map(|bytes| {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                // A Windows Event XML element is read as the flat JSON the
                // NXLog shape has (every EventData field by name).
                let json = if text.trim_start().starts_with("<Event") {
                    crate::ingest::windows_xml::to_json(text.trim())
                } else {
                    serde_json::from_str::<Value>(text.trim()).ok()
                }
                .filter(Value::is_object);
                Raw { text, json }
            });
            self.current = Some((idx, raw));
        }
        self.current.as_ref()?.1.as_ref().map(f)
    }
}

/// A stored event seen through Sigma field names.
pub struct Record<'a> {
    pub idx: EventIdx,
    pub ev: &'a HuntEvent,
    pub store: &'a Store,
    pub raw: &'a RefCell<RawCache>,
}

impl<'a> Record<'a> {
    fn raw_field(&self, path: &str) -> Option<EventValue<'static>> {
        let mut cache = self.raw.try_borrow_mut().ok()?;
        cache
            .with(self.idx, self.ev, |raw| {
                let json = raw.json.as_ref()?;
                std::iter::once(path.to_string())
                    .chain(fields::raw_aliases(self.ev.source, path))
                    .find_map(|p| lookup(json, &p))
                    .map(to_value)
            })
            .flatten()
    }

    fn normalized_strings(&self) -> impl Iterator<Item = &'a str> + '_ {
        let e = self.ev;
        [
            e.user,
            e.ip,
            e.result_code,
            e.app,
            e.client_app,
            e.auth_requirement,
            e.country,
            e.city,
            e.as_org,
            e.user_agent,
            e.risk_level,
            e.risk_state,
            e.risk_events,
            e.operation,
            e.access_key,
        ]
        .into_iter()
        .filter(|s| s.is_some())
        .map(|s| self.store.text(s))
        .chain(decode_params(self.store.text(e.params)).flat_map(|(k, v)| [k, v]))
    }
}

impl Event for Record<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        if let Some(c) = canonical(self.ev.source, path) {
            return canon_text(c, self.ev, self.store).map(EventValue::Str);
        }
        if let Some(v) = self.raw_field(path) {
            return Some(v);
        }
        fields::derived(self.ev.source, path, self.ev, self.store)
            .map(|s| EventValue::Str(Cow::Owned(s)))
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        let mut hit = false;
        self.visit_string_values(&mut |s| hit = hit || pred(s));
        hit
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        let mut out = Vec::new();
        self.visit_string_values(&mut |s| out.push(Cow::Owned(s.to_string())));
        out
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        let from_raw = self.raw.try_borrow_mut().ok().and_then(|mut c| {
            c.with(self.idx, self.ev, |raw| match &raw.json {
                Some(json) => visit_json(json, visit),
                None => visit(&raw.text),
            })
        });
        if from_raw.is_none() {
            for s in self.normalized_strings() {
                visit(s);
            }
        }
    }

    fn to_json(&self) -> Value {
        serde_json::json!({ "id": self.idx.to_string() })
    }
}

fn visit_json(v: &Value, visit: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => visit(s),
        Value::Array(a) => a.iter().for_each(|x| visit_json(x, visit)),
        Value::Object(m) => m.values().for_each(|x| visit_json(x, visit)),
        _ => {}
    }
}

/// A dotted path in a raw record: exact keys first, then case-insensitive;
/// a string holding a JSON object (Sentinel's dynamic columns) is entered.
/// Only the value found is copied.
fn lookup(root: &Value, path: &str) -> Option<Value> {
    let (seg, rest) = match path.split_once('.') {
        Some((s, r)) => (s, Some(r)),
        None => (path, None),
    };
    match root {
        Value::Object(m) => {
            let child = m.get(seg).or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(seg))
                    .map(|(_, v)| v)
            })?;
            match rest {
                None => Some(child.clone()),
                Some(rest) => lookup(child, rest),
            }
        }
        Value::String(s) if s.trim_start().starts_with('{') => {
            let parsed = serde_json::from_str::<Value>(s).ok()?;
            lookup(&parsed, path)
        }
        _ => None,
    }
}

/// A raw value for matching: objects (a Graph `status`) become their JSON
/// text, as Sentinel exports them, so `|contains` rules read them as text.
fn to_value(v: Value) -> EventValue<'static> {
    match v {
        Value::String(s) => EventValue::Str(Cow::Owned(s)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => EventValue::Int(i),
            None => EventValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::Bool(b) => EventValue::Bool(b),
        Value::Null => EventValue::Null,
        Value::Array(a) => EventValue::Array(
            a.into_iter()
                .map(|x| match x {
                    Value::Object(_) => EventValue::Str(Cow::Owned(x.to_string())),
                    other => to_value(other),
                })
                .collect(),
        ),
        Value::Object(_) => EventValue::Str(Cow::Owned(v.to_string())),
    }
}
