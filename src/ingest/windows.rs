//! Windows Security logon events → sign-in drafts (SPEC §3): 4625 and 4771
//! are failures, 4776 with a non-zero status a failure, 4624 with logon type
//! 2, 3, 7, 8, 10 or 11 a success. A Kerberos TGT request (4768) refused for
//! an unknown name (0x6, kerbrute's user enumeration), a revoked or disabled
//! account (0x12), an expired password (0x17) or a bad password (0x18) is a
//! failure that keeps the status as result code; a TGT issued (0x0) is
//! ignored, the 4624 of the logon being the sign-in, and so are its other
//! statuses (protocol errors such as clock skew, not credentials). Machine
//! accounts (`NAME$`) and 4624/4625 logons without a network address are
//! ignored, as is every other event id.
//!
//! Three JSON shapes are decoded here (winlogbeat, NXLog, Sentinel
//! `SecurityEvent`); each is reduced to a [`Logon`] and mapped by
//! [`map_logon`], which `evtx_file` shares for native `.evtx`. This file
//! never reads files and never counts statistics (the callers do).

use super::lenient::Text;
use super::time::parse_time;
use super::{normalize_ip, reason, ParseResult, RecordCx, Reject};
use crate::event::{Draft, Kind, Millis, Outcome, Source};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

/// The fields of one Windows event that the mapping needs, whatever the shape.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Logon<'a> {
    pub time: Millis,
    pub event_id: u32,
    /// The computer that logged the event (goes to `app`).
    pub host: &'a str,
    pub user: &'a str,
    pub domain: &'a str,
    pub logon_type: &'a str,
    /// `IpAddress`; empty when the field is missing.
    pub ip: &'a str,
    pub status: &'a str,
    pub sub_status: &'a str,
}

/// Applies SPEC §3's Windows rules to one event and emits at most one draft.
pub(super) fn map_logon(l: &Logon, cx: &mut RecordCx) -> ParseResult {
    let logon_type = l.logon_type.trim().parse::<u32>().ok();
    let outcome = match l.event_id {
        4625 | 4771 => Outcome::Failure,
        4776 if status_value(l.status) == Some(0) || l.status.trim().is_empty() => {
            return Err(Reject::Ignored(
                "Windows 4776 credential validation succeeded",
            ));
        }
        4776 => Outcome::Failure,
        4624 if matches!(logon_type, Some(2 | 3 | 7 | 8 | 10 | 11)) => Outcome::Success,
        4624 => return Err(Reject::Ignored("Windows 4624 logon type not used")),
        4768 => match status_value(l.status) {
            Some(0x6 | 0x12 | 0x17 | 0x18) => Outcome::Failure,
            Some(0) => {
                return Err(Reject::Ignored(
                    "Windows 4768 TGT issued (the logon's 4624 is the sign-in)",
                ))
            }
            _ => {
                return Err(Reject::Ignored(
                    "Windows 4768 Kerberos error not about the account or password",
                ))
            }
        },
        id => return Err(Reject::Ignored(unused_event(id))),
    };
    let user = l.user.trim();
    let key = account_key(user);
    if user.ends_with('$') || key.is_some_and(|k| k.ends_with('$')) {
        return Err(Reject::Ignored("Windows machine account"));
    }
    // Null sessions (SMB/RPC enumeration) are not sign-ins of an identity, and
    // counting them as successes would turn any spray into "spray with success".
    if key.is_some_and(|k| k.eq_ignore_ascii_case("ANONYMOUS LOGON")) {
        return Err(Reject::Ignored("Windows anonymous logon"));
    }
    let ip = normalize_ip(l.ip);
    if matches!(l.event_id, 4624 | 4625) && ip.is_none() {
        return Err(Reject::Ignored("logon without network address"));
    }
    let account = account_name(user, l.domain);
    if key.is_none() && ip.is_none() {
        return Err(Reject::Ignored("Windows logon without user or address"));
    }
    let mut d = Draft::new(l.time, Source::Windows, Kind::SignIn);
    d.outcome = outcome;
    if let Some(k) = key {
        d.user = cx.put_user(k);
        // The account as written (`CORP\alice`, `alice@CORP.EXAMPLE.COM`)
        // stays with the event when it says more than the name.
        if let Some(a) = account.filter(|a| !a.trim_matches('"').eq_ignore_ascii_case(k)) {
            let enc = crate::event::encode_params([(crate::event::extra::ACCOUNT, a.as_ref())]);
            d.extra = cx.put(&enc);
        }
    }
    d.ip = cx.put_ip(l.ip);
    if let Some(code) = result_code(l.status, l.sub_status) {
        d.result_code = cx.put(&code);
    }
    if no_such_user(l.event_id, l.status, l.sub_status) {
        d.flags |= crate::event::flags::NO_SUCH_USER;
    }
    d.app = cx.put(l.host);
    if let Some(t) = logon_type {
        d.client_app = cx.put(
            LOGON_TYPES
                .get(t as usize)
                .copied()
                .unwrap_or("logon type other"),
        );
    }
    cx.emit(d);
    Ok(())
}

/// `client_app` text by logon type number.
const LOGON_TYPES: [&str; 14] = [
    "logon type 0",
    "logon type 1",
    "logon type 2",
    "logon type 3",
    "logon type 4",
    "logon type 5",
    "logon type 6",
    "logon type 7",
    "logon type 8",
    "logon type 9",
    "logon type 10",
    "logon type 11",
    "logon type 12",
    "logon type 13",
];

/// The ignore reason for an event id outside 4624/4625/4768/4771/4776. Static
/// strings for the ids common in Security logs, one generic string otherwise.
fn unused_event(id: u32) -> &'static str {
    match id {
        4634 => "Windows event 4634 (logoff) not used",
        4648 => "Windows event 4648 (explicit credentials) not used",
        4672 => "Windows event 4672 (special privileges) not used",
        4769 => "Windows event 4769 (Kerberos service ticket) not used",
        _ => "Windows event not used",
    }
}

/// The name that keys one account across Windows events and shapes: a
/// `DOMAIN\` prefix and an `@REALM` suffix are dropped (a Kerberos 4768
/// names `alice@CORP.EXAMPLE.COM` or realm `CORP.EXAMPLE.COM`, its 4771 and
/// the 4624 name `alice` with domain `CORP`), a trailing `$` (a machine
/// account) stays; case is folded where the name is stored, as for every
/// source. `None` for no name (`-`, empty).
pub(crate) fn account_key(user: &str) -> Option<&str> {
    let u = user.trim().trim_matches('"');
    let u = u.rsplit_once('\\').map_or(u, |(_, name)| name);
    let u = u.rsplit_once('@').map_or(u, |(name, _)| name).trim();
    (!u.is_empty() && u != "-").then_some(u)
}

/// `domain\user` when the domain is a real one, else the bare name;
/// `user@domain` and `domain\user` names are kept as they are.
fn account_name<'u>(user: &'u str, domain: &str) -> Option<Cow<'u, str>> {
    if user.is_empty() || user == "-" {
        return None;
    }
    let domain = domain.trim();
    if user.contains('@') || user.contains('\\') || matches!(domain, "" | "-" | ".") {
        return Some(Cow::Borrowed(user));
    }
    Some(Cow::Owned(format!("{domain}\\{user}")))
}

/// A status as a number: `0xC000006A`, `0x18` or decimal digits.
fn status_value(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The failure names an account that does not exist: Kerberos
/// `KDC_ERR_C_PRINCIPAL_UNKNOWN` (0x6) on a TGT or pre-authentication
/// request (kerbrute's user enumeration), or NTLM/logon status
/// `STATUS_NO_SUCH_USER` (0xC0000064) in Status or SubStatus.
fn no_such_user(event_id: u32, status: &str, sub_status: &str) -> bool {
    const STATUS_NO_SUCH_USER: u64 = 0xC000_0064;
    match event_id {
        4768 | 4771 => status_value(status) == Some(0x6),
        4625 | 4776 => [status, sub_status]
            .iter()
            .any(|s| status_value(s) == Some(STATUS_NO_SUCH_USER)),
        _ => false,
    }
}

/// SubStatus when it is non-zero, else Status, as lower-case hex (`0xc000006a`).
fn result_code(status: &str, sub_status: &str) -> Option<String> {
    for s in [sub_status, status] {
        match status_value(s) {
            Some(0) => {}
            Some(v) => return Some(format!("{v:#x}")),
            None if !s.trim().is_empty() && s.trim() != "-" => {
                return Some(s.trim().to_ascii_lowercase())
            }
            None => {}
        }
    }
    None
}

/// An event id that arrives as a number, a string, or (evtx JSON) an object
/// whose `#text` holds it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct EventId(pub Option<u32>);

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EventId, E> {
                Ok(EventId(u32::try_from(v).ok()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EventId, E> {
                Ok(EventId(u32::try_from(v).ok()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<EventId, E> {
                Ok(EventId(None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EventId, E> {
                Ok(EventId(v.trim().parse().ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<EventId, E> {
                Ok(EventId(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<EventId, A::Error> {
                let mut id = EventId(None);
                while let Some(k) = m.next_key::<Cow<str>>()? {
                    if k == "#text" {
                        id = m.next_value()?;
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(id)
            }
        }
        d.deserialize_any(V)
    }
}

/// The EventData fields used by the mapping (winlogbeat `event_data`, evtx
/// `EventData`).
#[derive(Deserialize, Default, Debug)]
pub(super) struct WinData<'a> {
    #[serde(rename = "TargetUserName", borrow, default)]
    pub target_user: Text<'a>,
    #[serde(rename = "TargetDomainName", borrow, default)]
    pub target_domain: Text<'a>,
    #[serde(rename = "LogonType", borrow, default)]
    pub logon_type: Text<'a>,
    #[serde(rename = "IpAddress", borrow, default)]
    pub ip: Text<'a>,
    #[serde(rename = "Status", borrow, default)]
    pub status: Text<'a>,
    #[serde(rename = "SubStatus", borrow, default)]
    pub sub_status: Text<'a>,
}

impl<'a> WinData<'a> {
    pub fn logon(&'a self, time: Millis, event_id: u32, host: &'a str) -> Logon<'a> {
        Logon {
            time,
            event_id,
            host,
            user: self.target_user.as_str(),
            domain: self.target_domain.as_str(),
            logon_type: self.logon_type.as_str(),
            ip: self.ip.as_str(),
            status: self.status.as_str(),
            sub_status: self.sub_status.as_str(),
        }
    }
}

fn decode<'a, T: Deserialize<'a>>(raw: &'a str) -> Result<T, Reject> {
    serde_json::from_str(raw).map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))
}

/// A Windows event's identity in every shape (evtx, winlogbeat, NXLog):
/// computer, channel, `EventRecordID`, event id and the second it was logged (record
/// numbers start again when a log is cleared or a lab machine rebuilt; the
/// shapes agree on the second, not on sub-second digits). The JSON shapes'
/// logon events all come from the Security channel, so an absent channel
/// means `Security`.
pub(super) fn record_identity(
    computer: &str,
    channel: &str,
    record_id: &str,
    time: Millis,
    event_id: u32,
) -> u64 {
    let channel = if channel.trim().is_empty() {
        "Security"
    } else {
        channel
    };
    let second = crate::dedup::second(time);
    let event = event_id.to_string();
    crate::dedup::identity(
        Source::Windows,
        &[record_id, computer, channel, &second, &event],
    )
}

fn time_of(s: &str) -> Result<Millis, Reject> {
    parse_time(s).ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("time {s:?}")))
}

fn event_id(id: EventId) -> Result<u32, Reject> {
    id.0.ok_or_else(|| Reject::problem(reason::UNKNOWN_SHAPE, "no Windows event id"))
}

#[derive(Deserialize)]
struct Beat<'a> {
    #[serde(rename = "@timestamp", borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    winlog: Option<Winlog<'a>>,
}

#[derive(Deserialize)]
struct Winlog<'a> {
    #[serde(default)]
    event_id: EventId,
    #[serde(borrow, default)]
    computer_name: Text<'a>,
    #[serde(borrow, default)]
    event_data: Option<WinData<'a>>,
    #[serde(borrow, default)]
    record_id: Text<'a>,
}

/// winlogbeat NDJSON: `@timestamp`, `winlog.{event_id, computer_name, event_data}`.
pub fn parse_winlogbeat(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let b: Beat = decode(raw)?;
    let w = b
        .winlog
        .ok_or_else(|| Reject::problem(reason::UNKNOWN_SHAPE, "no winlog object"))?;
    let id = event_id(w.event_id)?;
    let time = time_of(b.timestamp.as_str())?;
    let data = w.event_data.unwrap_or_default();
    cx.identity = record_identity(w.computer_name.as_str(), "", w.record_id.as_str(), time, id);
    map_logon(&data.logon(time, id, w.computer_name.as_str()), cx)
}

#[derive(Deserialize)]
struct Nxlog<'a> {
    #[serde(rename = "@timestamp", borrow, default)]
    timestamp: Text<'a>,
    #[serde(rename = "EventTime", borrow, default)]
    event_time: Text<'a>,
    /// When NXLog received the event; the time of a record without the others.
    #[serde(rename = "EventReceivedTime", borrow, default)]
    received_time: Text<'a>,
    #[serde(rename = "EventID", default)]
    event_id: EventId,
    #[serde(rename = "Hostname", borrow, default)]
    hostname: Text<'a>,
    #[serde(rename = "TargetUserName", borrow, default)]
    target_user: Text<'a>,
    #[serde(rename = "TargetDomainName", borrow, default)]
    target_domain: Text<'a>,
    #[serde(rename = "LogonType", borrow, default)]
    logon_type: Text<'a>,
    #[serde(rename = "IpAddress", borrow, default)]
    ip: Text<'a>,
    #[serde(rename = "Status", borrow, default)]
    status: Text<'a>,
    #[serde(rename = "SubStatus", borrow, default)]
    sub_status: Text<'a>,
    #[serde(rename = "RecordNumber", borrow, default)]
    record_number: Text<'a>,
}

/// NXLog JSON (EventData flattened into the record). `@timestamp` is UTC and
/// preferred; `EventTime` has no zone and is then taken as UTC; a record
/// with neither takes `EventReceivedTime` (when NXLog received it).
pub fn parse_nxlog(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let n: Nxlog = decode(raw)?;
    let id = event_id(n.event_id)?;
    let when = [&n.timestamp, &n.event_time, &n.received_time]
        .into_iter()
        .map(|t| t.as_str())
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default();
    let time = time_of(when)?;
    let logon = Logon {
        time,
        event_id: id,
        host: n.hostname.as_str(),
        user: n.target_user.as_str(),
        domain: n.target_domain.as_str(),
        logon_type: n.logon_type.as_str(),
        ip: n.ip.as_str(),
        status: n.status.as_str(),
        sub_status: n.sub_status.as_str(),
    };
    cx.identity = record_identity(n.hostname.as_str(), "", n.record_number.as_str(), time, id);
    map_logon(&logon, cx)
}

#[derive(Deserialize)]
struct SecurityEvent<'a> {
    #[serde(rename = "TimeGenerated", borrow, default)]
    time_generated: Text<'a>,
    #[serde(rename = "EventID", default)]
    event_id: EventId,
    #[serde(rename = "Computer", borrow, default)]
    computer: Text<'a>,
    #[serde(rename = "TargetUserName", borrow, default)]
    target_user: Text<'a>,
    #[serde(rename = "TargetDomainName", borrow, default)]
    target_domain: Text<'a>,
    /// `DOMAIN\user`, used when `TargetUserName` is not a column.
    #[serde(rename = "TargetAccount", borrow, default)]
    target_account: Text<'a>,
    #[serde(rename = "LogonType", borrow, default)]
    logon_type: Text<'a>,
    #[serde(rename = "IpAddress", borrow, default)]
    ip: Text<'a>,
    #[serde(rename = "Status", borrow, default)]
    status: Text<'a>,
    #[serde(rename = "SubStatus", borrow, default)]
    sub_status: Text<'a>,
    /// The event's `<EventData>` XML, for fields that are not columns.
    #[serde(rename = "EventData", borrow, default)]
    event_data: Text<'a>,
}

/// Sentinel `SecurityEvent` rows: fields as columns, or inside the
/// `EventData` XML text when a column is missing.
pub fn parse_sentinel(raw: &str, cx: &mut RecordCx) -> ParseResult {
    let r: SecurityEvent = decode(raw)?;
    let id = event_id(r.event_id)?;
    let time = time_of(r.time_generated.as_str())?;
    let xml = r.event_data.as_str();
    let field = |col: &'_ Text<'_>, name: &str| -> String {
        let c = col.as_str();
        if !c.trim().is_empty() || xml.is_empty() {
            return c.to_string();
        }
        xml_data(xml, name).unwrap_or_default()
    };
    let mut user = field(&r.target_user, "TargetUserName");
    let mut domain = field(&r.target_domain, "TargetDomainName");
    if user.trim().is_empty() {
        user = r.target_account.as_str().to_string();
        domain.clear();
    }
    let logon_type = field(&r.logon_type, "LogonType");
    let ip = field(&r.ip, "IpAddress");
    let status = field(&r.status, "Status");
    let sub_status = field(&r.sub_status, "SubStatus");
    let logon = Logon {
        time,
        event_id: id,
        host: r.computer.as_str(),
        user: &user,
        domain: &domain,
        logon_type: &logon_type,
        ip: &ip,
        status: &status,
        sub_status: &sub_status,
    };
    map_logon(&logon, cx)
}

/// The text of `<Data Name="name">…</Data>` in event XML, entities decoded.
fn xml_data(xml: &str, name: &str) -> Option<String> {
    let needle = format!("Name=\"{name}\"");
    let at = xml.find(&needle)? + needle.len();
    let rest = xml.get(at..)?;
    let (attrs, body) = rest.split_once('>')?;
    if attrs.trim_end().ends_with('/') {
        return Some(String::new());
    }
    let (data, _) = body.split_once("</Data>")?;
    Some(
        data.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_id_spellings() {
        let id = |s: &str| serde_json::from_str::<EventId>(s).unwrap().0;
        assert_eq!(id("4625"), Some(4625));
        assert_eq!(id("\"4625\""), Some(4625));
        assert_eq!(
            id(r##"{"#attributes":{"Qualifiers":0},"#text":4625}"##),
            Some(4625)
        );
        assert_eq!(id("null"), None);
        assert_eq!(id("-1"), None);
    }

    #[test]
    fn unknown_account_statuses() {
        assert!(no_such_user(4768, "0x6", ""));
        assert!(no_such_user(4771, "0x00000006", ""));
        assert!(!no_such_user(4768, "0x18", ""), "bad password");
        assert!(no_such_user(4625, "0xC000006D", "0xC0000064"));
        assert!(no_such_user(4776, "0xc0000064", ""));
        assert!(!no_such_user(4625, "0xC000006D", "0xC000006A"));
        assert!(!no_such_user(4624, "0x6", ""));
    }

    #[test]
    fn status_codes() {
        assert_eq!(
            result_code("0xC000006D", "0xC000006A").as_deref(),
            Some("0xc000006a")
        );
        assert_eq!(
            result_code("0xc000006e", "0x0").as_deref(),
            Some("0xc000006e")
        );
        assert_eq!(result_code("3221225578", "").as_deref(), Some("0xc000006a"));
        assert_eq!(result_code("0x00000018", "").as_deref(), Some("0x18"));
        assert_eq!(result_code("", "-"), None);
        assert_eq!(result_code("0x0", "0x0"), None);
    }
}
