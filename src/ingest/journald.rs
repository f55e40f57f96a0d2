//! systemd journal entries as `journalctl -o json` prints them (one JSON
//! object per line; `journalctl -f -o json` is the live form) → sshd and
//! PAM sign-in drafts. An entry's header comes from the journal's own
//! fields: `__REALTIME_TIMESTAMP` (microseconds since the epoch, as a
//! string), `_HOSTNAME`, `SYSLOG_IDENTIFIER` (else `_COMM`) and `_PID`
//! (the sender's pid as the kernel told journald; else `SYSLOG_PID`).
//! `MESSAGE` goes through the same sshd grammar and attempt model as an
//! auth.log line ([`SshdState::parse_entry`]), so one connection's lines
//! are merged whether they came from a file or the journal.
//!
//! The JSON encoding (systemd's JOURNAL_EXPORT_FORMATS): a field is a
//! string when it is valid UTF-8 text, an array of byte values when it is
//! not (a `MESSAGE` with an attacker's non-UTF-8 user name), an array of
//! those when the entry holds the field more than once, and `null` when it
//! was longer than journalctl's limit. Bytes are read as UTF-8 with
//! U+FFFD for what is not (counted like a non-UTF-8 auth.log line); of a
//! repeated field the first value counts.
//!
//! An entry's record identity is its `__CURSOR` (the same entry in two
//! overlapping exports counts once); without one, its line's.

use super::decode::each_line;
use super::read::Chunk;
use super::sshd::{EntryHead, SshdState};
use super::stats::FileStats;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Batch, Millis, Source};
use serde::Deserialize;
use std::borrow::Cow;

/// One field's value in journal JSON.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
enum Field<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Bytes(Vec<u8>),
    Many(Vec<Field<'a>>),
    Null(()),
}

impl Field<'_> {
    /// The value as text, and whether bytes had to be replaced.
    fn text(&self) -> Option<(Cow<'_, str>, bool)> {
        match self {
            Field::Text(s) => Some((Cow::Borrowed(s.as_ref()), false)),
            Field::Bytes(b) => match String::from_utf8_lossy(b) {
                Cow::Borrowed(s) => Some((Cow::Borrowed(s), false)),
                Cow::Owned(s) => Some((Cow::Owned(s), true)),
            },
            Field::Many(all) => all.first().and_then(Field::text),
            Field::Null(()) => None,
        }
    }
}

/// The fields of an entry hunt reads.
#[derive(Deserialize, Debug)]
struct Entry<'a> {
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow)]
    realtime: Option<Field<'a>>,
    #[serde(rename = "__CURSOR", borrow)]
    cursor: Option<Field<'a>>,
    #[serde(rename = "_HOSTNAME", borrow)]
    hostname: Option<Field<'a>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow)]
    identifier: Option<Field<'a>>,
    #[serde(rename = "_COMM", borrow)]
    comm: Option<Field<'a>>,
    #[serde(rename = "_PID", borrow)]
    pid: Option<Field<'a>>,
    #[serde(rename = "SYSLOG_PID", borrow)]
    syslog_pid: Option<Field<'a>>,
    #[serde(rename = "MESSAGE", borrow)]
    message: Option<Field<'a>>,
}

/// True when a JSON line is a journal entry (what sniffing asks of a
/// file's first line): an object with `__REALTIME_TIMESTAMP` and either
/// `__CURSOR` or `MESSAGE`.
pub fn is_entry(line: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "__REALTIME_TIMESTAMP")]
        realtime: Option<serde::de::IgnoredAny>,
        #[serde(rename = "__CURSOR")]
        cursor: Option<serde::de::IgnoredAny>,
        #[serde(rename = "MESSAGE")]
        message: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(line)
        .is_ok_and(|p| p.realtime.is_some() && (p.cursor.is_some() || p.message.is_some()))
}

fn text<'f>(f: &'f Option<Field<'_>>) -> Cow<'f, str> {
    f.as_ref()
        .and_then(Field::text)
        .map(|(t, _)| t)
        .unwrap_or_default()
}

/// `__REALTIME_TIMESTAMP` (µs) as event time (ms).
fn realtime_ms(f: &Option<Field<'_>>) -> Option<Millis> {
    let us: i64 = text(f).trim().parse().ok()?;
    (us > 0).then_some(us / 1000)
}

/// Parses one entry. `repaired` is set when `MESSAGE` held bytes that are
/// not UTF-8 (replaced).
pub fn parse_entry(
    line: &str,
    state: &mut SshdState,
    cx: &mut RecordCx,
    repaired: &mut bool,
) -> ParseResult {
    let e: Entry = serde_json::from_str(line)
        .map_err(|err| Reject::problem(reason::MALFORMED_JSON, err.to_string()))?;
    let cursor = text(&e.cursor);
    cx.identity = if cursor.trim().is_empty() {
        crate::dedup::line_identity(Source::Sshd, line)
    } else {
        crate::dedup::identity(Source::Sshd, &["journal", &cursor])
    };
    let time = realtime_ms(&e.realtime).ok_or_else(|| {
        Reject::problem(
            reason::BAD_TIME,
            format!("__REALTIME_TIMESTAMP {:?}", text(&e.realtime)),
        )
    })?;
    let Some((msg, bad_bytes)) = e.message.as_ref().and_then(Field::text) else {
        return Err(Reject::Ignored("journal entry without MESSAGE"));
    };
    *repaired = bad_bytes;
    let program = match text(&e.identifier) {
        p if p.trim().is_empty() => text(&e.comm),
        p => p,
    };
    let pid = text(&e.pid)
        .trim()
        .parse()
        .ok()
        .or_else(|| text(&e.syslog_pid).trim().parse().ok());
    let host = text(&e.hostname);
    let head = EntryHead {
        time,
        host: host.trim(),
        program: program.trim(),
        pid,
    };
    state.parse_entry(head, &msg, cx)
}

/// Parses a chunk of `journalctl -o json` lines with the input's sshd state.
pub fn journal_chunk(
    chunk: &Chunk,
    file: u32,
    state: &mut SshdState,
    max_line: usize,
    stats: &mut FileStats,
) -> Batch {
    let mut repaired: Vec<(u32, u64)> = Vec::new();
    let batch = each_line(chunk, file, max_line, stats, |text, line, cx| {
        let mut bad = false;
        let res = parse_entry(text, state, cx, &mut bad);
        if bad {
            repaired.push((line, cx.origin.offset));
        }
        res
    });
    for (line, offset) in repaired {
        stats.problem(
            line,
            offset,
            reason::NOT_UTF8,
            "MESSAGE bytes that are not UTF-8 replaced with U+FFFD".into(),
        );
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Origin, Outcome};

    fn parse(lines: &[&str]) -> (Batch, Vec<ParseResult>, bool) {
        let mut state = SshdState::at(0);
        let mut batch = Batch::default();
        let mut out = Vec::new();
        let mut any_bad = false;
        for (i, l) in lines.iter().enumerate() {
            let origin = Origin {
                line: i as u32 + 1,
                ..Origin::default()
            };
            let mut cx = RecordCx::new(&mut batch, origin);
            let mut bad = false;
            out.push(parse_entry(l, &mut state, &mut cx, &mut bad));
            any_bad |= bad;
        }
        state.finish(&mut batch);
        (batch, out, any_bad)
    }

    const FAILED: &str = r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1796660296145432","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"sshd","_PID":"3243","MESSAGE":"Failed password for root from 203.0.113.9 port 4711 ssh2"}"#;

    #[test]
    fn an_entry_is_a_sign_in_with_the_journals_time_host_and_pid() {
        let (b, res, bad) = parse(&[FAILED]);
        assert_eq!(res, vec![Ok(())]);
        assert!(!bad);
        let d = b.drafts.first().expect("one draft");
        assert_eq!(d.time, 1_796_660_296_145);
        assert_eq!(d.outcome, Outcome::Failure);
        assert_eq!(b.text.get(d.user), "root");
        assert_eq!(b.text.get(d.ip), "203.0.113.9");
        assert_eq!(b.text.get(d.app), "sshd@vm");
        assert_ne!(d.identity, 0);
    }

    #[test]
    fn a_message_in_bytes_is_read_with_replacement_and_flagged() {
        // "Invalid user a\xffb from 203.0.113.7 port 5" as journald prints it.
        let mut bytes: Vec<u8> = b"Invalid user a".to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(b"b from 203.0.113.7 port 5");
        let arr: Vec<String> = bytes.iter().map(|b| b.to_string()).collect();
        let line = format!(
            r#"{{"__REALTIME_TIMESTAMP":"1796660296000000","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":[{}]}}"#,
            arr.join(",")
        );
        let (b, res, bad) = parse(&[&line]);
        assert_eq!(res, vec![Ok(())]);
        assert!(bad, "the replacement is reported");
        let d = b.drafts.first().expect("one draft");
        assert_eq!(b.text.get(d.user), "a\u{fffd}b");
        assert_eq!(b.text.get(d.ip), "203.0.113.7");
    }

    #[test]
    fn repeated_null_and_missing_fields() {
        let many = r#"{"__REALTIME_TIMESTAMP":"1796660296000000","_PID":"9","SYSLOG_IDENTIFIER":["sshd","x"],"MESSAGE":["Failed password for bob from 198.51.100.1 port 1 ssh2","again"]}"#;
        let null = r#"{"__REALTIME_TIMESTAMP":"1796660296000000","MESSAGE":null}"#;
        let no_time =
            r#"{"__CURSOR":"c","MESSAGE":"Failed password for bob from 198.51.100.1 port 1 ssh2"}"#;
        let other = r#"{"__REALTIME_TIMESTAMP":"1796660296000000","SYSLOG_IDENTIFIER":"cron","_PID":"1","MESSAGE":"(root) CMD (true)"}"#;
        let (b, res, _) = parse(&[many, null, no_time, other, "{not json"]);
        assert_eq!(b.drafts.len(), 1);
        assert_eq!(res.first(), Some(&Ok(())));
        assert!(matches!(res.get(1), Some(Err(Reject::Ignored(_)))));
        assert!(matches!(res.get(2), Some(Err(Reject::Problem(r, _))) if *r == reason::BAD_TIME));
        assert!(matches!(res.get(3), Some(Err(Reject::Ignored(_)))));
        assert!(
            matches!(res.get(4), Some(Err(Reject::Problem(r, _))) if *r == reason::MALFORMED_JSON)
        );
    }

    #[test]
    fn one_connections_entries_are_one_attempt() {
        let pam = r#"{"__CURSOR":"a","__REALTIME_TIMESTAMP":"1796660296000000","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"sshd","_PID":"50","MESSAGE":"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root"}"#;
        let failed = r#"{"__CURSOR":"b","__REALTIME_TIMESTAMP":"1796660298000000","_HOSTNAME":"vm","SYSLOG_IDENTIFIER":"sshd","_PID":"50","MESSAGE":"Failed password for root from 203.0.113.7 port 50010 ssh2"}"#;
        let (b, _, _) = parse(&[pam, failed]);
        assert_eq!(
            b.drafts.len(),
            1,
            "the PAM line and its Failed line are one attempt"
        );
    }

    #[test]
    fn only_journal_entries_are_sniffed_as_such() {
        assert!(is_entry(FAILED));
        assert!(is_entry(r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":"x"}"#));
        assert!(!is_entry(r#"{"MESSAGE":"x"}"#));
        assert!(!is_entry(r#"{"TimeGenerated":"2026-01-01T00:00:00Z"}"#));
    }
}
