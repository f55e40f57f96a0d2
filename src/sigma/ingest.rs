//! Sigma at ingest: the loaded rules evaluate each record on the parsing
//! thread that has it in hand, on the whole raw record (every field the
//! source wrote, not only what hunt normalizes), for every record of a
//! source hunt reads, including those no built-in detector uses. Only the
//! rules of the record's logsource run (one compiled engine per source).
//!
//! A match becomes a small [`Hit`] carried in the batch to the owner (rule
//! results with their matched values cut short, time, user and address,
//! and the evidence pointer: file, line/offset, record ordinal); the raw
//! record is never kept. Each batch also carries a [`Tally`]: records
//! evaluated per source and the field names and Windows event ids first
//! seen on this thread, so the owner can say which rules could never fire.
//!
//! The rules reach the parsing threads through [`install`] (a thread-local
//! set by the pipeline when it starts its threads); a thread without rules
//! evaluates nothing, so the parsers stay pure functions in tests.
//!
//! Field values compare as Sigma means them: a string as it is, a number,
//! an array or an object as its JSON text (Sentinel exports `'[]'` for an
//! empty array), a string holding a JSON object is entered by dotted names
//! (Sentinel's dynamic columns). Names match exactly, then without regard
//! to case, then under the source's wrappers (`properties.` for Entra
//! diagnostics, `winlog.event_data.` / `EventData.` for Windows, `Event.
//! System.` / `Event.EventData.` for evtx); a name hunt normalizes from
//! another spelling (`ResultType` of a Graph record) is answered from the
//! record's normalized event when the raw record has no such field.

use super::fields::{self, canonical, Canon, SOURCES};
use crate::event::{Batch, Draft, Millis, Origin, Source, TextBuf};
use rsigma_eval::event::{Event, EventValue};
use rsigma_eval::result::EvaluationResult;
use rsigma_eval::Engine;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};

/// Matched field values kept per rule result, and their length in characters.
pub const MAX_MATCHED: usize = 20;
pub const MAX_VALUE: usize = 200;
/// Field names remembered per source (per thread and in the owner's total).
pub const MAX_FIELD_NAMES: usize = 4096;
/// Windows event ids remembered.
pub const MAX_EVENT_IDS: usize = 4096;
/// Records per source whose field names are all collected; later ones are sampled.
const FIELD_SAMPLE_FULL: u64 = 2000;
const FIELD_SAMPLE_EVERY: u64 = 97;

/// The compiled detection rules, one engine per source (index = position
/// in [`SOURCES`]), and the fields the correlations need from a match.
pub struct Rules {
    pub paths: Vec<PathBuf>,
    pub engines: Vec<Option<Engine>>,
    /// Fields correlations group by or count (captured from each matched record).
    pub correlation_fields: Vec<String>,
    /// The logsource service of each rule that names one, by rule id and by
    /// title. One engine serves every service of a source, so a rule's
    /// matches are kept only on records of its service where a record says
    /// which it is (see [`Rules::service_allows`]).
    pub services: std::collections::HashMap<String, String>,
}

impl Rules {
    fn engine(&self, source: Source) -> Option<(usize, &Engine)> {
        let pos = SOURCES.iter().position(|s| *s == source)?;
        self.engines.get(pos)?.as_ref().map(|e| (pos, e))
    }

    /// Whether a rule's match stands on a record of `service` (`None`: the
    /// record does not say). A Windows event of another channel than
    /// Security matches only rules that name no service; a syslog line of
    /// another program than sshd matches `auth` rules (the whole auth log)
    /// but not `sshd` ones.
    fn service_allows(&self, r: &EvaluationResult, source: Source, service: Option<&str>) -> bool {
        let Some(service) = service else {
            return true;
        };
        let wanted = r
            .header
            .rule_id
            .as_ref()
            .and_then(|id| self.services.get(id))
            .or_else(|| self.services.get(&r.header.rule_title));
        match wanted {
            None => true,
            Some(w) if w.eq_ignore_ascii_case(service) => true,
            Some(w) => source == Source::Sshd && w == "auth",
        }
    }
}

/// Whether `service` is the one a source's rules name for it (Windows
/// `security`, linux `sshd`); the others' records match only rules naming
/// no service (or `auth`, for an auth log).
fn own_service(source: Source, service: &str) -> bool {
    match source {
        Source::Windows => service.eq_ignore_ascii_case("security"),
        Source::Sshd => service == "sshd",
        _ => true,
    }
}

/// The channel a Windows record names (evtx, Winlogbeat, NXLog), lower case.
fn windows_channel(root: &Value) -> Option<String> {
    ["Event.System.Channel", "winlog.channel", "Channel"]
        .iter()
        .find_map(|p| match lookup(root, p)?.as_ref() {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_ascii_lowercase()),
            _ => None,
        })
}

/// Rules loaded in this process, by their paths: the session and the
/// parsing threads it starts share one compiled set.
static SHARED: Mutex<Vec<(Vec<PathBuf>, Weak<Rules>)>> = Mutex::new(Vec::new());

/// Registers `rules` for [`shared`] to find.
pub fn register(rules: &Arc<Rules>) {
    if let Ok(mut list) = SHARED.lock() {
        list.retain(|(_, w)| w.strong_count() > 0);
        list.push((rules.paths.clone(), Arc::downgrade(rules)));
    }
}

/// The compiled rules of `paths`: the set a live session holds, else
/// loaded afresh. `None` when `paths` is empty or nothing loads.
pub fn shared(paths: &[PathBuf]) -> Option<Arc<Rules>> {
    if paths.is_empty() {
        return None;
    }
    let found = SHARED.lock().ok().and_then(|list| {
        list.iter()
            .rev()
            .filter(|(p, _)| p.as_slice() == paths)
            .find_map(|(_, w)| w.upgrade())
    });
    if found.is_some() {
        return found;
    }
    let mut loaded = super::load::load(paths);
    if loaded.is_empty() {
        return None;
    }
    let rules = Arc::new(loaded.ingest_rules(paths));
    register(&rules);
    Some(rules)
}

/// What one parsing thread keeps: its rules and what it has seen.
#[derive(Default)]
struct Local {
    rules: Option<Arc<Rules>>,
    /// Per source: records evaluated (for field sampling) and field names seen.
    records: [u64; SOURCES.len()],
    names: [HashSet<String>; SOURCES.len()],
    event_ids: HashSet<String>,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::default());
}

/// Gives this thread the rules to evaluate (or none).
pub fn install(rules: Option<Arc<Rules>>) {
    LOCAL.with(|l| {
        *l.borrow_mut() = Local {
            rules,
            ..Local::default()
        }
    });
}

/// One record that matched at least one rule.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The matching rules' results (matched values cut to [`MAX_VALUE`]).
    pub results: Vec<EvaluationResult>,
    pub source: Source,
    /// The record's time (its event's, else read from the record; 0 unknown).
    pub time: Millis,
    /// The record's drafts in the batch: `drafts.0..drafts.1` (empty when
    /// it gave no event; then the evidence is the pointer alone).
    pub drafts: (u32, u32),
    pub user: String,
    pub ip: String,
    pub origin: Origin,
    /// The record's 1-based ordinal in its input: line (NDJSON, text),
    /// element (JSON documents), EventRecordID (evtx).
    pub record: u64,
    /// Values of the fields correlations group by or count.
    pub group: Vec<(String, String)>,
}

/// What a batch carries for the Sigma rules.
#[derive(Debug, Clone, Default)]
pub struct SigmaPart {
    pub hits: Vec<Hit>,
    pub tally: Tally,
}

/// Counters one batch carries to the owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records evaluated per source (index = position in [`SOURCES`]).
    pub evaluated: Vec<u64>,
    /// Of those, records of another service than the source's own.
    pub off_service: Vec<u64>,
    /// Field names first seen on this thread: (source position, name in lower case).
    pub names: Vec<(u8, String)>,
    /// Windows event ids first seen on this thread.
    pub event_ids: Vec<String>,
}

impl Tally {
    pub fn is_empty(&self) -> bool {
        self.evaluated.iter().all(|&n| n == 0)
            && self.off_service.iter().all(|&n| n == 0)
            && self.names.is_empty()
            && self.event_ids.is_empty()
    }

    pub fn clear(&mut self) {
        *self = Tally::default();
    }
}

/// The Sigma source a parser format's records are.
pub fn source_of(format: crate::ingest::Format) -> Source {
    use crate::ingest::Format as F;
    match format {
        F::SentinelSignin | F::GraphSignin | F::EntraDiagnostic => Source::Entra,
        F::Okta => Source::Okta,
        F::Ecs => Source::Ecs,
        F::Winlogbeat | F::WindowsNxlog | F::SentinelSecurityEvent | F::Evtx | F::WindowsXml => {
            Source::Windows
        }
        F::OfficeActivity | F::UnifiedAudit => Source::M365,
        F::CloudTrail => Source::CloudTrail,
        F::Sshd | F::Journald => Source::Sshd,
        F::PantherTests => Source::Unknown,
    }
}

/// True when this thread has rules for `source` (the caller may then pay
/// for parsing the record into a tree).
pub fn wants(source: Source) -> bool {
    LOCAL.with(|l| {
        l.borrow()
            .rules
            .as_ref()
            .is_some_and(|r| r.engine(source).is_some())
    })
}

/// Evaluates one JSON record of `source` (its text) whose drafts, if any,
/// are `batch.drafts[first_draft..]`.
pub fn json_record(
    source: Source,
    raw: &str,
    batch: &mut Batch,
    origin: Origin,
    record: u64,
    first_draft: usize,
) {
    if !wants(source) {
        return;
    }
    let root: Value = match serde_json::from_str(raw.trim()) {
        Ok(v @ Value::Object(_)) => v,
        _ => return,
    };
    let service = match source {
        Source::Windows => windows_channel(&root),
        _ => None,
    };
    evaluate(
        source,
        &root,
        &[],
        None,
        service.as_deref(),
        batch,
        origin,
        record,
        first_draft,
    );
}

/// What a syslog line's header says: its time, host and program.
#[derive(Debug, Clone, Copy)]
pub struct LineHead<'a> {
    pub time: Millis,
    pub host: &'a str,
    pub program: &'a str,
}

/// Evaluates one syslog line of `source`, seen as `{"message": line}` with
/// its time, for keyword rules; `user`, `src_ip` and `host` (the names the
/// sshd table maps) are read from the line for field rules and grouping.
pub fn text_line(
    source: Source,
    line: &str,
    head: LineHead,
    batch: &mut Batch,
    origin: Origin,
    first_draft: usize,
) {
    let LineHead {
        time,
        host,
        program,
    } = head;
    if !wants(source) {
        return;
    }
    let mut m = serde_json::Map::new();
    m.insert("message".into(), Value::String(line.to_string()));
    let root = Value::Object(m);
    let (user, ip) = sshd_entity(line);
    let mut extra = vec![("host", host.to_string())];
    extra.extend(user.map(|u| ("user", u)));
    extra.extend(ip.map(|i| ("src_ip", i)));
    // The line's program is its service: `sshd` for sshd's own lines.
    let service = if matches!(program, "sshd" | "sshd-session" | "sshd-auth") {
        "sshd"
    } else {
        "auth"
    };
    evaluate(
        source,
        &root,
        &extra,
        Some(time),
        Some(service),
        batch,
        origin,
        u64::from(origin.line),
        first_draft,
    );
}

/// The user and address of an sshd line: `for [invalid user] USER from ADDR`,
/// `user USER from ADDR`, `Invalid user USER from ADDR`.
fn sshd_entity(line: &str) -> (Option<String>, Option<String>) {
    let Some(at) = line.find(" from ") else {
        return (None, None);
    };
    let ip = line
        .get(at + 6..)
        .and_then(|r| r.split_whitespace().next())
        .and_then(crate::ingest::normalize_ip)
        .map(|ip| ip.to_string());
    let head = line.get(..at).unwrap_or_default();
    let user = [" invalid user ", " illegal user ", " for ", " user "]
        .iter()
        .find_map(|k| {
            let i = head.rfind(k)?;
            head.get(i + k.len()..)
        })
        .map(str::trim)
        .filter(|u| !u.is_empty() && !u.contains(' '))
        .map(str::to_lowercase);
    (user, ip)
}

#[allow(clippy::too_many_arguments)]
fn evaluate(
    source: Source,
    root: &Value,
    extra: &[(&'static str, String)],
    time: Option<Millis>,
    service: Option<&str>,
    batch: &mut Batch,
    origin: Origin,
    record: u64,
    first_draft: usize,
) {
    LOCAL.with(|l| {
        let Ok(mut local) = l.try_borrow_mut() else {
            return;
        };
        let Some(rules) = local.rules.clone() else {
            return;
        };
        let Some((pos, engine)) = rules.engine(source) else {
            return;
        };
        let first = first_draft.min(batch.drafts.len());
        let draft = batch.drafts.get(first);
        let ev = RawRecord {
            source,
            root,
            draft: draft.map(|d| (d, &batch.text)),
            extra,
        };
        if batch.sigma.tally.evaluated.len() < SOURCES.len() {
            batch.sigma.tally.evaluated.resize(SOURCES.len(), 0);
        }
        if let Some(n) = batch.sigma.tally.evaluated.get_mut(pos) {
            *n += 1;
        }
        if service.is_some_and(|s| !own_service(source, s)) {
            let off = &mut batch.sigma.tally.off_service;
            if off.len() < SOURCES.len() {
                off.resize(SOURCES.len(), 0);
            }
            if let Some(n) = off.get_mut(pos) {
                *n += 1;
            }
        }
        observe_names(&mut local, pos, source, &ev, &mut batch.sigma.tally);
        let mut results = engine.evaluate(&ev);
        results.retain(|r| rules.service_allows(r, source, service));
        if results.is_empty() {
            return;
        }
        for r in &mut results {
            cut_matched(r);
        }
        let time = time
            .or(draft.map(|d| d.time))
            .or_else(|| raw_time(&ev))
            .unwrap_or(0);
        let (user, ip) = match draft {
            Some(d) => (
                batch.text.get(d.user).to_string(),
                batch.text.get(d.ip).to_string(),
            ),
            None => raw_entity(&ev),
        };
        let group = rules
            .correlation_fields
            .iter()
            .filter_map(|f| Some((f.clone(), text_of(&ev.get_field(f)?)?)))
            .collect();
        let end = batch.drafts.len();
        batch.sigma.hits.push(Hit {
            results,
            source,
            time,
            drafts: (first as u32, end as u32),
            user,
            ip,
            origin,
            record,
            group,
        });
    });
}

/// Records new field names (sampled after the first records) and event ids.
fn observe_names(local: &mut Local, pos: usize, source: Source, ev: &RawRecord, tally: &mut Tally) {
    let Some(count) = local.records.get_mut(pos) else {
        return;
    };
    *count += 1;
    let sample = *count <= FIELD_SAMPLE_FULL || count.is_multiple_of(FIELD_SAMPLE_EVERY);
    if source == Source::Windows && local.event_ids.len() < MAX_EVENT_IDS {
        if let Some(id) = ev.get_field("EventID").as_ref().and_then(text_of) {
            if !local.event_ids.contains(&id) {
                local.event_ids.insert(id.clone());
                tally.event_ids.push(id);
            }
        }
    }
    if !sample {
        return;
    }
    let Some(names) = local.names.get_mut(pos) else {
        return;
    };
    let mut visit = |name: &str| {
        if names.len() < MAX_FIELD_NAMES && !names.contains(name) {
            names.insert(name.to_string());
            tally.names.push((pos as u8, name.to_string()));
        }
    };
    key_paths(ev.root, &mut String::new(), 0, &mut visit);
}

/// Every dotted key path of `v` (lower case), to depth 6.
fn key_paths(v: &Value, prefix: &mut String, depth: usize, visit: &mut dyn FnMut(&str)) {
    let Value::Object(m) = v else {
        return;
    };
    if depth > 6 {
        return;
    }
    for (k, child) in m {
        let len = prefix.len();
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(&k.to_ascii_lowercase());
        visit(prefix);
        match child {
            Value::Object(_) => key_paths(child, prefix, depth + 1, visit),
            Value::String(s) if s.trim_start().starts_with('{') => {
                if let Ok(inner) = serde_json::from_str::<Value>(s) {
                    key_paths(&inner, prefix, depth + 1, visit);
                }
            }
            _ => {}
        }
        prefix.truncate(len);
    }
}

fn cut(s: &str) -> Option<String> {
    s.char_indices()
        .nth(MAX_VALUE)
        .map(|(i, _)| format!("{}…", s.get(..i).unwrap_or(s)))
}

fn cut_matched(r: &mut EvaluationResult) {
    if let rsigma_eval::result::ResultBody::Detection(d) = &mut r.body {
        d.matched_fields.truncate(MAX_MATCHED);
        for m in &mut d.matched_fields {
            let short = match &m.value {
                Value::String(s) => cut(s),
                Value::Null | Value::Bool(_) | Value::Number(_) => None,
                other => Some(cut(&other.to_string()).unwrap_or_else(|| other.to_string())),
            };
            if let Some(s) = short {
                m.value = Value::String(s);
            }
        }
    }
}

/// The text of a value for grouping and entities.
pub fn text_of(v: &EventValue) -> Option<String> {
    match v {
        EventValue::Str(s) => Some(s.to_string()),
        EventValue::Int(i) => Some(i.to_string()),
        EventValue::Float(f) => Some(f.to_string()),
        EventValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Time fields records carry, in the order they are tried.
const TIME_FIELDS: &[&str] = &[
    "TimeGenerated",
    "createdDateTime",
    "time",
    "@timestamp",
    "published",
    "eventTime",
    "CreationTime",
    "EventTime",
    "EventReceivedTime",
    "TimeCreated",
    "Event.System.TimeCreated.#attributes.SystemTime",
    "timestamp",
];

fn raw_time(ev: &RawRecord) -> Option<Millis> {
    TIME_FIELDS.iter().find_map(|f| {
        let v = lookup(ev.root, f)?;
        match v.as_ref() {
            Value::String(s) => crate::ingest::time::parse_time(s),
            Value::Number(n) => crate::ingest::time::parse_time(&n.to_string()),
            _ => None,
        }
    })
}

/// User and address of a record that gave no event, from the names its source uses.
fn raw_entity(ev: &RawRecord) -> (String, String) {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| ev.get_field(n).as_ref().and_then(text_of))
            .filter(|s| s != "-")
    };
    let user = match ev.source {
        Source::Windows => {
            let name = first(&["TargetUserName", "SubjectUserName"]);
            let domain = first(&["TargetDomainName", "SubjectDomainName"]);
            match (domain, name) {
                (Some(d), Some(n)) => Some(format!("{d}\\{n}")),
                (None, n) => n,
                (Some(_), None) => None,
            }
        }
        Source::Okta => first(&["actor.alternateId"]),
        Source::CloudTrail => first(&["userIdentity.userName", "userIdentity.arn"]),
        Source::M365 => first(&["UserId"]),
        Source::Sshd => first(&["user"]),
        _ => first(&["UserPrincipalName", "user.name"]),
    };
    let ip = first(&[
        "src_ip",
        "IPAddress",
        "IpAddress",
        "ClientIP",
        "client.ipAddress",
        "sourceIPAddress",
        "callerIpAddress",
        "source.ip",
    ])
    .and_then(|s| crate::ingest::normalize_ip(&s))
    .map(|ip| ip.to_string());
    (
        user.map(|u| u.to_lowercase()).unwrap_or_default(),
        ip.unwrap_or_default(),
    )
}

/// One raw record seen through Sigma field names.
pub struct RawRecord<'a> {
    pub source: Source,
    pub root: &'a Value,
    /// The record's first normalized draft, for names hunt maps from another spelling.
    pub draft: Option<(&'a Draft, &'a TextBuf)>,
    /// Fields read from a text record (an sshd line's user and address).
    pub extra: &'a [(&'static str, String)],
}

impl<'a> RawRecord<'a> {
    fn raw(&self, path: &str) -> Option<Cow<'a, Value>> {
        if let Some(v) = lookup(self.root, path) {
            return Some(v);
        }
        aliases(self.source, path)
            .iter()
            .find_map(|p| lookup(self.root, p))
    }

    fn normalized(&self, path: &str) -> Option<EventValue<'a>> {
        let (d, text) = self.draft?;
        let c = canonical(self.source, path)?;
        let t = draft_text(c, d, text)?;
        Some(EventValue::Str(t))
    }
}

/// Rule names of evtx System values held as XML attributes (the names
/// Sigma's Windows rules use, as Zircolite and Chainsaw map them), with the
/// Winlogbeat field of the same value.
const SYSTEM_ATTRIBUTES: [(&str, &str, &str); 9] = [
    (
        "Provider_Name",
        "Event.System.Provider.#attributes.Name",
        "winlog.provider_name",
    ),
    (
        "Guid",
        "Event.System.Provider.#attributes.Guid",
        "winlog.provider_guid",
    ),
    (
        "EventSourceName",
        "Event.System.Provider.#attributes.EventSourceName",
        "winlog.event_source_name",
    ),
    (
        "ProcessID",
        "Event.System.Execution.#attributes.ProcessID",
        "winlog.process.pid",
    ),
    (
        "ThreadID",
        "Event.System.Execution.#attributes.ThreadID",
        "winlog.process.thread.id",
    ),
    (
        "ActivityID",
        "Event.System.Correlation.#attributes.ActivityID",
        "winlog.activity_id",
    ),
    (
        "UserID",
        "Event.System.Security.#attributes.UserID",
        "winlog.user.identifier",
    ),
    (
        "SystemTime",
        "Event.System.TimeCreated.#attributes.SystemTime",
        "@timestamp",
    ),
    (
        "Qualifiers",
        "Event.System.EventID.#attributes.Qualifiers",
        "winlog.event_id_qualifiers",
    ),
];

/// Names to try after `name` itself, for the shapes of `source`.
fn aliases(source: Source, name: &str) -> Vec<String> {
    let mut out = fields::raw_aliases(source, name);
    if source == Source::Windows {
        out.push(format!("Event.System.{name}"));
        out.push(format!("Event.EventData.{name}"));
        if let Some((_, evtx, beat)) = SYSTEM_ATTRIBUTES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        {
            out.push((*evtx).to_string());
            out.push((*beat).to_string());
        }
    }
    out
}

/// The text of a normalized field of a draft.
fn draft_text<'a>(c: Canon, d: &Draft, text: &'a TextBuf) -> Option<Cow<'a, str>> {
    let t = match c {
        Canon::User => d.user,
        Canon::Ip => d.ip,
        Canon::ResultCode => d.result_code,
        Canon::App => d.app,
        Canon::ClientApp => d.client_app,
        Canon::AuthRequirement => d.auth_requirement,
        Canon::Country => d.country,
        Canon::City => d.city,
        Canon::AsOrg => d.as_org,
        Canon::UserAgent => d.user_agent,
        Canon::RiskLevel => d.risk_level,
        Canon::RiskState => d.risk_state,
        Canon::RiskEvents => d.risk_events,
        Canon::HomeTenant => d.home_tenant,
        Canon::ResourceTenant => d.resource_tenant,
        Canon::SessionId => d.session_id,
        Canon::Operation => d.operation,
        Canon::AccessKey => d.access_key,
        Canon::Asn => return (d.asn != 0).then(|| Cow::Owned(d.asn.to_string())),
        Canon::LogonTypeNumber => {
            return text
                .get(d.client_app)
                .strip_prefix("logon type ")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .map(Cow::Borrowed);
        }
    };
    let s = text.get(t);
    (!s.is_empty()).then_some(Cow::Borrowed(s))
}

impl Event for RawRecord<'_> {
    fn get_field(&self, path: &str) -> Option<EventValue<'_>> {
        match self.raw(path) {
            Some(v) => Some(to_value(v)),
            None => self.normalized(path).or_else(|| {
                self.extra
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(path))
                    .map(|(_, v)| EventValue::Str(Cow::Borrowed(v.as_str())))
            }),
        }
    }

    fn any_string_value(&self, pred: &dyn Fn(&str) -> bool) -> bool {
        let mut hit = false;
        visit_strings(self.root, &mut |s| hit = hit || pred(s));
        hit
    }

    fn all_string_values(&self) -> Vec<Cow<'_, str>> {
        let mut out = Vec::new();
        visit_strings(self.root, &mut |s| out.push(Cow::Owned(s.to_string())));
        out
    }

    fn visit_string_values(&self, visit: &mut dyn FnMut(&str)) {
        visit_strings(self.root, visit)
    }

    fn to_json(&self) -> Value {
        Value::Null
    }
}

fn visit_strings(v: &Value, visit: &mut dyn FnMut(&str)) {
    match v {
        Value::String(s) => visit(s),
        Value::Array(a) => a.iter().for_each(|x| visit_strings(x, visit)),
        Value::Object(m) => m.values().for_each(|x| visit_strings(x, visit)),
        _ => {}
    }
}

/// A dotted path in a raw record: the whole path as one key first (flat
/// exports), then segment by segment, exact keys before case-insensitive
/// ones; a string holding a JSON object (Sentinel's dynamic columns) is entered.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<Cow<'a, Value>> {
    let Value::Object(m) = root else {
        return match root {
            Value::String(s) if s.trim_start().starts_with('{') => {
                let parsed = serde_json::from_str::<Value>(s).ok()?;
                lookup(&parsed, path).map(|v| Cow::Owned(v.into_owned()))
            }
            _ => None,
        };
    };
    let key = |k: &str| {
        m.get(k).or_else(|| {
            m.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        })
    };
    if let Some(v) = key(path) {
        return Some(Cow::Borrowed(v));
    }
    let mut rest = path;
    // Try each split point: `a.b.c` as `a` + `b.c`, then `a.b` + `c`.
    let mut from = 0;
    while let Some(dot) = rest.get(from..).and_then(|r| r.find('.')).map(|i| i + from) {
        let (seg, tail) = (rest.get(..dot)?, rest.get(dot + 1..)?);
        if let Some(child) = key(seg) {
            if let Some(v) = lookup(child, tail) {
                return Some(v);
            }
        }
        from = dot + 1;
        rest = path;
    }
    None
}

/// A raw value as Sigma compares it: strings as they are, numbers, arrays
/// and objects as their JSON text; an evtx element with attributes as its text.
fn to_value(v: Cow<'_, Value>) -> EventValue<'_> {
    match v {
        Cow::Borrowed(v) => match v {
            Value::String(s) => EventValue::Str(Cow::Borrowed(s)),
            Value::Bool(b) => EventValue::Bool(*b),
            Value::Null => EventValue::Null,
            Value::Object(m) if m.contains_key("#text") => match m.get("#text") {
                Some(t) => to_value(Cow::Borrowed(t)),
                None => EventValue::Null,
            },
            other => EventValue::Str(Cow::Owned(other.to_string())),
        },
        Cow::Owned(v) => match v {
            Value::String(s) => EventValue::Str(Cow::Owned(s)),
            Value::Bool(b) => EventValue::Bool(b),
            Value::Null => EventValue::Null,
            Value::Object(mut m) if m.contains_key("#text") => match m.remove("#text") {
                Some(t) => to_value(Cow::Owned(t)),
                None => EventValue::Null,
            },
            other => EventValue::Str(Cow::Owned(other.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: &Value) -> RawRecord<'_> {
        RawRecord {
            source: Source::Entra,
            root: v,
            draft: None,
            extra: &[],
        }
    }

    #[test]
    fn values_compare_as_their_json_text() {
        let v = json!({"A": [], "B": {"x": 1}, "N": 50126, "S": "{\"errorCode\": 7}",
            "props": {"deep.flat": "yes"}, "Cased": "c"});
        let r = rec(&v);
        assert_eq!(r.get_field("A"), Some(EventValue::Str("[]".into())));
        assert_eq!(r.get_field("B"), Some(EventValue::Str("{\"x\":1}".into())));
        assert_eq!(r.get_field("N"), Some(EventValue::Str("50126".into())));
        assert_eq!(
            r.get_field("S.errorCode"),
            Some(EventValue::Str("7".into()))
        );
        assert_eq!(
            r.get_field("props.deep.flat"),
            Some(EventValue::Str("yes".into()))
        );
        assert_eq!(r.get_field("cased"), Some(EventValue::Str("c".into())));
        assert_eq!(r.get_field("missing"), None);
    }

    #[test]
    fn evtx_system_attributes_resolve_by_their_rule_names() {
        let v = json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Eventlog", "Guid": "{fc65}"}},
            "EventID": 1102,
            "Execution": {"#attributes": {"ProcessID": 920, "ThreadID": 996}}}}});
        let win = |v| RawRecord {
            source: Source::Windows,
            root: v,
            draft: None,
            extra: &[],
        };
        let r = win(&v);
        let text = |name: &str| r.get_field(name).and_then(|v| text_of(&v));
        assert_eq!(
            text("Provider_Name").as_deref(),
            Some("Microsoft-Windows-Eventlog")
        );
        assert_eq!(
            text("provider_name").as_deref(),
            Some("Microsoft-Windows-Eventlog")
        );
        assert_eq!(text("ProcessID").as_deref(), Some("920"));
        assert_eq!(text("Guid").as_deref(), Some("{fc65}"));
        let beat =
            json!({"winlog": {"event_id": 1102, "provider_name": "Microsoft-Windows-Eventlog"}});
        assert_eq!(
            win(&beat)
                .get_field("Provider_Name")
                .and_then(|v| text_of(&v))
                .as_deref(),
            Some("Microsoft-Windows-Eventlog")
        );
    }

    #[test]
    fn evtx_names_resolve_under_event_system_and_data() {
        let v = json!({"Event": {"System": {"EventID": {"#attributes": {"Qualifiers": 0}, "#text": 1102}},
            "EventData": {"WorkstationName": "KALI"}}});
        let r = RawRecord {
            source: Source::Windows,
            root: &v,
            draft: None,
            extra: &[],
        };
        assert_eq!(r.get_field("EventID"), Some(EventValue::Str("1102".into())));
        assert_eq!(
            r.get_field("WorkstationName"),
            Some(EventValue::Str("KALI".into()))
        );
    }

    #[test]
    fn sshd_lines_name_user_and_address() {
        let e = |l: &str| sshd_entity(l);
        assert_eq!(
            e("sshd[1]: Failed password for invalid user Oracle from 10.0.0.1 port 22 ssh2"),
            (Some("oracle".into()), Some("10.0.0.1".into()))
        );
        assert_eq!(
            e("sshd[1]: Failed password for root from 10.0.0.2 port 22 ssh2"),
            (Some("root".into()), Some("10.0.0.2".into()))
        );
        assert_eq!(e("sshd[1]: Server listening on 0.0.0.0"), (None, None));
    }
}
