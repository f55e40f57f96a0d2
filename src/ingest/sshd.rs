//! OpenSSH `sshd` syslog lines (`auth.log`, `secure`) → sign-in drafts
//! (SPEC §3). This file reads the line shape — classic syslog with or
//! without a host, RFC 3339 stamps (`T` or space, any offset), RFC 5424,
//! `sshd-session[pid]`, `[sshd]`, Solaris `[ID n auth.info]` — and hands
//! the message to [`grammar`] (what the line says, and the peer address
//! from its structural place) and [`attempt`] (which lines are one
//! attempt: each attempt is counted once, and a line that is its attempt's
//! only record is counted). The old RHEL `sshd(pam_unix)[pid]:
//! authentication failure` line is the only record of an attempt in that
//! format and is a failure; other programs' PAM `authentication failure`
//! lines with a remote host (ftp daemons, …) are failures too.
//!
//! Classic timestamps carry no year: a stamp later than the reference (the
//! file's modification time) plus a day belongs to the year before.
//! Must not read files or consult the clock; the caller passes the reference.

mod attempt;
mod grammar;

pub use attempt::{HOLD_MS, LIVE_HOLD_MS};
pub use grammar::MAX_REPEAT;

use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Batch, Draft, Kind, Millis, Outcome, Source};
use attempt::{At, Conns, ALREADY_COUNTED, NOT_AN_ATTEMPT};
use chrono::{Datelike, NaiveDate};
use grammar::Msg;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const NOT_SSHD: &str = "not an sshd line";
const DAY_MS: Millis = 86_400_000;

/// True when a line looks like a syslog line (classic, RFC 3339 or RFC 5424 prefix).
pub fn looks_like_syslog(line: &str) -> bool {
    let line = strip_pri(line);
    let b = line.as_bytes();
    (b.len() > 16
        && MONTHS.iter().any(|m| line.starts_with(m))
        && b.get(3) == Some(&b' ')
        && (b.get(9) == Some(&b':') || b.get(8) == Some(&b':')))
        || (b.len() > 20
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && matches!(b.get(10), Some(b'T' | b' '))
            && b.get(13) == Some(&b':'))
}

/// `<PRI>` and an RFC 5424 version `1 ` removed.
fn strip_pri(line: &str) -> &str {
    let Some(rest) = line.strip_prefix('<') else {
        return line;
    };
    match rest.split_once('>') {
        Some((pri, rest))
            if !pri.is_empty() && pri.len() <= 3 && pri.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest.strip_prefix("1 ").unwrap_or(rest)
        }
        _ => line,
    }
}

/// Per-file sshd parsing state: the reference time that classic stamps are
/// read against, and the connections whose attempts are being merged.
#[derive(Debug)]
pub struct SshdState {
    /// The file's modification time (classic stamps after it + 1 day are
    /// from the year before).
    reference: Millis,
    conns: Conns,
    /// The year was given (`--year`, `[ingest] syslog_year`), not guessed.
    year_given: bool,
    /// The year assumed for the first year-less stamp, until reported.
    assumed: Option<i32>,
    /// A guessed year was reported already (once per input).
    reported: bool,
    /// The time of the line just split when it had a stamp but no program
    /// tag (`host syslogd 1.4.1: restart.`): still an auth-log line.
    stamp_only: Option<Millis>,
}

/// The header of a journal entry, from its own fields.
#[derive(Debug, Clone, Copy)]
pub struct EntryHead<'a> {
    pub time: Millis,
    pub host: &'a str,
    pub program: &'a str,
    pub pid: Option<u32>,
}

/// The parts of a syslog line.
struct Parts<'l> {
    time: Millis,
    host: &'l str,
    program: &'l str,
    /// What follows the program name in its tag (`[123]`, `(pam_unix)[4]`).
    tag_rest: &'l str,
    pid: Option<u32>,
    msg: &'l str,
}

impl SshdState {
    /// A reference at the end of `ref_month` of `ref_year` (used when only
    /// a year is known, and by tests).
    pub fn new(ref_year: i32, ref_month: u32) -> Self {
        let (y, m) = if ref_month >= 12 {
            (ref_year + 1, 1)
        } else {
            (ref_year, ref_month.max(1) + 1)
        };
        let reference = NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis() - 1)
            .unwrap_or(0);
        SshdState::at(reference)
    }

    /// `reference`: the file's modification time (ms since the epoch).
    pub fn at(reference: Millis) -> Self {
        SshdState {
            reference,
            conns: Conns::default(),
            year_given: false,
            assumed: None,
            reported: false,
            stamp_only: None,
        }
    }

    /// Classic stamps are from `year` (or the year before, for a stamp after
    /// its end): the year was given, so no guess is reported.
    pub fn given_year(year: i32) -> Self {
        let mut s = SshdState::new(year, 12);
        s.year_given = true;
        s
    }

    /// The year assumed for year-less stamps, once per input: `Some` the
    /// first time it is asked after such a stamp was read with a guessed year.
    pub fn take_assumed_year(&mut self) -> Option<i32> {
        let y = self.assumed.take()?;
        self.reported = true;
        Some(y)
    }

    /// The year of a classic stamp: the reference's, or the one before
    /// when the stamp would be more than a day after the reference.
    fn year_for(&self, month: u32, day: u32, clock: &str) -> i32 {
        let year = chrono::DateTime::from_timestamp_millis(self.reference)
            .map(|t| t.year())
            .unwrap_or(1970);
        match classic_time(year, month, day, clock) {
            Some(t) if t > self.reference + DAY_MS => year - 1,
            _ => year,
        }
    }

    /// Parses one line (without its newline).
    pub fn parse_line(&mut self, line: &str, cx: &mut RecordCx) -> ParseResult {
        let line = line.trim_end();
        self.stamp_only = None;
        let p = match self.split(line) {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                // A stamped line without a program tag is an auth-log line
                // for the Sigma rules all the same (no sshd rule's).
                if let Some(time) = self.stamp_only.take() {
                    let first = cx.batch.drafts.len();
                    crate::sigma::ingest::text_line(
                        crate::event::Source::Sshd,
                        line,
                        crate::sigma::ingest::LineHead {
                            time,
                            host: "",
                            program: "",
                        },
                        cx.batch,
                        cx.origin,
                        first,
                    );
                }
                return Err(e);
            }
            None if line.trim().is_empty() => return Err(Reject::Ignored("empty line")),
            None => return Err(Reject::problem(reason::UNKNOWN_SHAPE, not_syslog(line))),
        };
        self.parse_parts(line, p, cx)
    }

    /// Parses one message received over the network (see
    /// `ingest::live::syslog`): an RFC 5424 or 3164 message as a line, whose
    /// header may lack the timestamp (`<PRI>TAG: MSG`, as Python's
    /// `SysLogHandler` sends; then `now` is its time) or the host (then
    /// `sender`, the peer's address, is the host).
    pub fn parse_received<'l>(
        &mut self,
        line: &'l str,
        sender: &'l str,
        now: Millis,
        cx: &mut RecordCx,
    ) -> ParseResult {
        self.reference = now;
        self.stamp_only = None;
        let line = line.trim_end_matches(['\n', '\r', '\0']);
        let mut p = match self.split(line) {
            Some(Ok(p)) => p,
            Some(Err(e)) => return Err(e),
            None => match header(now, strip_pri(line).trim_start()) {
                Some(p) => p,
                None if line.trim().is_empty() => return Err(Reject::Ignored("empty message")),
                None => return Err(Reject::problem(reason::UNKNOWN_SHAPE, not_syslog(line))),
            },
        };
        if p.host.is_empty() {
            p.host = sender;
        }
        self.parse_parts(line, p, cx)
    }

    /// Parses one journal entry (see `ingest::journald`): its fields are
    /// what a syslog line's header would say, and `msg` is `MESSAGE`.
    pub fn parse_entry(
        &mut self,
        head: EntryHead<'_>,
        msg: &str,
        cx: &mut RecordCx,
    ) -> ParseResult {
        self.stamp_only = None;
        let p = Parts {
            time: head.time,
            host: head.host,
            program: head.program,
            tag_rest: "",
            pid: head.pid,
            msg,
        };
        self.parse_parts(msg, p, cx)
    }

    /// What follows the header of a line or entry: the Sigma rules, then
    /// sshd's grammar and the attempt model (other programs' PAM failures).
    fn parse_parts(&mut self, line: &str, p: Parts<'_>, cx: &mut RecordCx) -> ParseResult {
        // Every syslog line is an auth-log record for the Sigma rules.
        let first = cx.batch.drafts.len();
        crate::sigma::ingest::text_line(
            crate::event::Source::Sshd,
            line,
            crate::sigma::ingest::LineHead {
                time: p.time,
                host: p.host,
                program: p.program,
            },
            cx.batch,
            cx.origin,
            first,
        );
        let at = At {
            time: p.time,
            host: p.host,
            program: p.program,
            pid: p.pid,
        };
        if matches!(p.program, "sshd" | "sshd-session" | "sshd-auth") {
            if p.tag_rest.starts_with("(pam_unix)") {
                return parse_old_pam(p.msg.trim(), p.time, p.host, cx);
            }
            return self.conns.on_msg(grammar::classify(p.msg), at, cx);
        }
        // Another program: only a PAM authentication failure from a remote
        // host (the pre-0.99 `prog(pam_unix)[pid]:` tag form counts for sshd
        // alone, as fail2ban's filter does).
        if p.tag_rest.starts_with('(') || grammar::pam_failure_fields(p.msg.trim()).is_none() {
            return Err(Reject::Ignored(NOT_SSHD));
        }
        match grammar::classify(p.msg) {
            m @ Msg::Pam { addr, .. } if !addr.is_empty() => {
                self.conns.on_msg(m, At { pid: None, ..at }, cx)
            }
            _ => Err(Reject::Ignored(NOT_SSHD)),
        }
    }

    /// Live inputs only: counts into `batch` the attempts held since an
    /// earlier tick at least [`attempt::LIVE_HOLD_MS`] ago (`now`: a
    /// monotonic clock in ms, given by the caller); returns the drafts added.
    pub fn tick(&mut self, now: u64, batch: &mut Batch) -> u64 {
        self.conns.tick(now, batch)
    }

    /// True while an attempt waits for its outcome.
    pub fn holds(&self) -> bool {
        self.conns.holds()
    }

    /// Counts the attempts still held at the end of the input into `batch`
    /// (see `attempt.rs`); returns how many drafts were added.
    pub fn finish(&mut self, batch: &mut Batch) -> u64 {
        self.conns.finish(batch)
    }

    /// Splits a line into its parts: `None` when it does not start like a
    /// syslog line, `Some(Err)` for a bad stamp or a non-sshd shape.
    fn split<'l>(&mut self, line: &'l str) -> Option<Result<Parts<'l>, Reject>> {
        if let Some(rest) = line.strip_prefix('<') {
            if let Some((_, after)) = rest.split_once(">1 ") {
                return Some(rfc5424(after));
            }
        }
        let body = strip_pri(line);
        let (time, rest) = self.timestamp(body)?;
        let time = match time {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        match header(time, rest.trim_start()) {
            Some(p) => Some(Ok(p)),
            None => {
                self.stamp_only = Some(time);
                Some(Err(Reject::Ignored(NOT_SSHD)))
            }
        }
    }

    /// Splits off the timestamp: `Some((time or bad-time rejection, rest))`
    /// when the line starts like a syslog line, `None` otherwise.
    fn timestamp<'l>(&mut self, line: &'l str) -> Option<(Result<Millis, Reject>, &'l str)> {
        let b = line.as_bytes();
        if let (Some(b'-'), Some(b'-'), Some(&sep @ (b'T' | b' '))) =
            (b.get(4), b.get(7), b.get(10))
        {
            // RFC 3339 with `T`, or with a space between date and time.
            let cut = if sep == b' ' {
                line.get(11..)
                    .and_then(|r| r.find(' '))
                    .map(|i| i + 11)
                    .unwrap_or(line.len())
            } else {
                line.find(' ').unwrap_or(line.len())
            };
            let stamp = line.get(..cut).unwrap_or(line);
            let rest = line.get(cut..).unwrap_or_default();
            let t = parse_time(stamp)
                .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("time {stamp:?}")));
            return Some((t, rest));
        }
        let month = MONTHS.iter().position(|m| line.starts_with(m))? as u32 + 1;
        let rest = line.get(3..)?.strip_prefix(' ')?.trim_start_matches(' ');
        let (day, rest) = rest.split_once(' ')?;
        let (clock, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let day: u32 = day.parse().ok()?;
        let year = self.year_for(month, day, clock);
        if !self.year_given && !self.reported && self.assumed.is_none() {
            self.assumed = Some(year);
        }
        let t = classic_time(year, month, day, clock).ok_or_else(|| {
            Reject::problem(reason::BAD_TIME, format!("time {:?}", prefix(line, 20)))
        });
        Some((t, rest))
    }
}

/// `[HOST ]TAG: MSG` after the stamp. The host is absent when the first
/// token is already a tag (`sshd[1]:`, `[sshd]`).
fn header(time: Millis, rest: &str) -> Option<Parts<'_>> {
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    let hostless = first.ends_with(':') || (first.starts_with('[') && first.ends_with(']'));
    let (host, rest) = if hostless {
        ("", rest)
    } else {
        (first, after.trim_start())
    };
    let (tag, msg) = if let Some(r) = rest.strip_prefix('[') {
        // `[sshd]: msg` or `[sshd] msg`.
        let (name, msg) = r.split_once(']')?;
        (name, msg.strip_prefix(':').unwrap_or(msg))
    } else {
        let (tag, msg) = rest.split_once(':')?;
        if tag.contains(' ') {
            return None;
        }
        (tag, msg)
    };
    let program = tag.split(['[', '(']).next().unwrap_or_default();
    let tag_rest = tag.get(program.len()..).unwrap_or_default();
    let pid = tag_rest
        .rsplit_once('[')
        .and_then(|(_, p)| p.strip_suffix(']'))
        .and_then(|p| p.parse().ok());
    Some(Parts {
        time,
        host,
        program,
        tag_rest,
        pid,
        msg,
    })
}

/// RFC 5424 after `<PRI>1 `: `TIMESTAMP HOST APP PROCID MSGID SD MSG`.
fn rfc5424(rest: &str) -> Result<Parts<'_>, Reject> {
    let mut it = rest.splitn(6, ' ');
    let (Some(stamp), Some(host), Some(app), Some(procid), Some(_msgid), Some(tail)) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return Err(Reject::Ignored(NOT_SSHD));
    };
    let time = parse_time(stamp).ok_or_else(|| {
        Reject::problem(reason::BAD_TIME, format!("time {:?}", prefix(stamp, 40)))
    })?;
    let msg = skip_structured_data(tail);
    fn nil(s: &str) -> &str {
        if s == "-" {
            ""
        } else {
            s
        }
    }
    Ok(Parts {
        time,
        host: nil(host),
        program: nil(app),
        tag_rest: "",
        pid: procid.parse().ok(),
        msg,
    })
}

/// The message after RFC 5424 structured data (`-` or `[id k="v"]…`;
/// values are quoted and may contain `]`).
fn skip_structured_data(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('-') {
        return rest.trim_start();
    }
    let mut in_quotes = false;
    let mut escaped = false;
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '[' if !in_quotes => depth += 1,
            ']' if !in_quotes => depth = depth.saturating_sub(1),
            ' ' if !in_quotes && depth == 0 => return s.get(i..).unwrap_or_default().trim_start(),
            _ => {}
        }
    }
    ""
}

/// `hh:mm:ss[.frac]` on the given date, UTC.
fn classic_time(year: i32, month: u32, day: u32, clock: &str) -> Option<Millis> {
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut parts = hms.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() {
        return None;
    }
    let ms = frac
        .get(..frac.len().min(3))
        .and_then(|f| format!("{f:0<3}").parse::<u32>().ok())
        .unwrap_or(0);
    let dt = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_milli_opt(h, m, s, ms)?;
    Some(dt.and_utc().timestamp_millis())
}

/// At most `max` bytes of `line`, cut at a character boundary (a line is
/// attacker-controlled: a byte index may fall inside a multi-byte character).
fn prefix(line: &str, max: usize) -> &str {
    let cut = line
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|&end| end <= max)
        .last()
        .unwrap_or(0);
    line.get(..cut).unwrap_or_default()
}

fn not_syslog(line: &str) -> String {
    format!("not a syslog line: {:?}", prefix(line, 60))
}

/// Parses the message part of an sshd line (after `sshd[pid]:`) on its own,
/// without a connection to merge with: used for the sshd text carried by
/// Windows OpenSSH/Operational events (`Failed …` failures, `Accepted …`
/// successes, `message repeated N times` N failures).
pub fn parse_message(msg: &str, time: Millis, host: &str, cx: &mut RecordCx) -> ParseResult {
    let mut invalid = false;
    let (outcome, method, user, addr, count) = match grammar::classify(msg) {
        Msg::Failed {
            method,
            user,
            addr,
            count,
            invalid: i,
        } => {
            invalid = i;
            (Outcome::Failure, method, user, addr.best, count)
        }
        Msg::Accepted { method, user, addr } => (Outcome::Success, method, user, addr.best, 1),
        Msg::Refused { .. } | Msg::Pam { .. } | Msg::Summary | Msg::End { .. } => {
            return Err(Reject::Ignored(ALREADY_COUNTED))
        }
        _ => return Err(Reject::Ignored(NOT_AN_ATTEMPT)),
    };
    for _ in 0..count {
        let mut d = Draft::new(time, Source::Sshd, Kind::SignIn);
        d.outcome = outcome;
        d.user = cx.put_user(user);
        d.ip = cx.put_ip(addr);
        d.client_app = cx.put(method);
        if outcome == Outcome::Failure {
            d.result_code = cx.put(method);
        }
        if invalid {
            d.flags |= crate::event::flags::NO_SUCH_USER;
        }
        d.app = app(host, cx);
        cx.emit(d);
    }
    Ok(())
}

/// Old RHEL `sshd(pam_unix)[pid]:` messages. `authentication failure; …
/// rhost=HOST user=USER` is the attempt itself (that format has no `Failed`
/// lines); a non-IP rhost leaves the IP absent.
fn parse_old_pam(msg: &str, time: Millis, host: &str, cx: &mut RecordCx) -> ParseResult {
    let Some(fields) = msg.strip_prefix("authentication failure;") else {
        return Err(Reject::Ignored(if msg.starts_with("check pass") {
            ALREADY_COUNTED
        } else {
            NOT_AN_ATTEMPT
        }));
    };
    let (rhost, user) = match grammar::pam_fields(fields) {
        Msg::Pam { user, addr } => (addr, user),
        _ => ("", ""),
    };
    let ip = cx.put_ip(rhost);
    let user = cx.put_user(user);
    if ip.is_empty() && user.is_empty() {
        return Err(Reject::Ignored("pam_unix failure without user or address"));
    }
    let mut d = Draft::new(time, Source::Sshd, Kind::SignIn);
    d.outcome = Outcome::Failure;
    d.user = user;
    d.ip = ip;
    d.result_code = cx.put("pam_unix");
    d.app = app(host, cx);
    cx.emit(d);
    Ok(())
}

fn app(host: &str, cx: &mut RecordCx) -> crate::event::Txt {
    if host.is_empty() {
        cx.put("sshd")
    } else {
        cx.put(&format!("sshd@{host}"))
    }
}
