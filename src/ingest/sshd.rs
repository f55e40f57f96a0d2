//! OpenSSH `sshd` syslog lines (`auth.log`, `secure`) → sign-in drafts
//! (SPEC §3): `Failed …` lines are failures, `Accepted …` successes,
//! `message repeated N times: [ Failed … ]` stands for N failures, and the
//! lines that only describe an attempt already logged (`Invalid user`,
//! `pam_unix(sshd:auth)`, `PAM N more authentication failures`, disconnects)
//! are ignored. The old RHEL `sshd(pam_unix)[pid]: authentication failure`
//! line is the only record of an attempt in that format and is a failure.
//!
//! Classic timestamps carry no year: [`SshdState`] infers it per file from a
//! reference month (the file's modification time). Must not read files or
//! consult the clock; the caller passes the reference.

use super::time::parse_time;
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Draft, Kind, Millis, Outcome, Source};
use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Most events one `message repeated N times` line may stand for, so that a
/// corrupt count cannot flood the store.
pub const MAX_REPEAT: u32 = 10_000;

const ALREADY_COUNTED: &str = "sshd line describing an attempt already counted";
const NOT_AN_ATTEMPT: &str = "sshd line not about a sign-in attempt";
const NOT_SSHD: &str = "not an sshd line";

/// True when a line looks like a syslog line (classic or RFC 3339 prefix).
pub fn looks_like_syslog(line: &str) -> bool {
    let b = line.as_bytes();
    (b.len() > 16
        && MONTHS.iter().any(|m| line.starts_with(m))
        && b[3] == b' '
        && b.get(9) == Some(&b':'))
        || (b.len() > 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T')
}

/// Per-file sshd parsing state: the year that classic timestamps belong to.
///
/// The first classic line's year is the reference year, or the one before
/// when its month is after the reference month. Afterwards a step back of
/// six months or more (Dec → Jan) starts a new year, while a step forward
/// of six months or more (Jan → Dec) is a late line from the previous year
/// and does not move the state, so one out-of-order line at New Year cannot
/// shift the rest of the file.
#[derive(Debug, Clone)]
pub struct SshdState {
    ref_year: i32,
    ref_month: u32,
    year: Option<i32>,
    last_month: u32,
}

impl SshdState {
    /// `ref_year`/`ref_month`: the file's modification time, against which
    /// classic timestamps (no year) are read.
    pub fn new(ref_year: i32, ref_month: u32) -> Self {
        SshdState {
            ref_year,
            ref_month,
            year: None,
            last_month: 0,
        }
    }

    /// The year of a classic line in `month` (1–12), advancing the state.
    fn year_for(&mut self, month: u32) -> i32 {
        let Some(year) = self.year else {
            let y = if month > self.ref_month {
                self.ref_year - 1
            } else {
                self.ref_year
            };
            self.year = Some(y);
            self.last_month = month;
            return y;
        };
        let step = month as i32 - self.last_month as i32;
        if step <= -6 {
            self.year = Some(year + 1);
            self.last_month = month;
            year + 1
        } else if step >= 6 {
            year - 1
        } else {
            self.last_month = self.last_month.max(month);
            year
        }
    }

    /// Parses one line (without its newline).
    pub fn parse_line(&mut self, line: &str, cx: &mut RecordCx) -> ParseResult {
        let line = line.trim_end();
        let (time, rest) = match self.timestamp(line) {
            Some(t) => t,
            None if line.trim().is_empty() => return Err(Reject::Ignored("empty line")),
            None => return Err(Reject::problem(reason::UNKNOWN_SHAPE, not_syslog(line))),
        };
        let time = time?;
        let (host, rest) = rest.trim_start().split_once(' ').unwrap_or(("", rest));
        let Some((tag, msg)) = rest.split_once(':') else {
            return Err(Reject::Ignored(NOT_SSHD));
        };
        let program = tag.split(['[', '(']).next().unwrap_or_default();
        if tag.contains(' ') || !matches!(program, "sshd" | "sshd-session" | "sshd-auth") {
            return Err(Reject::Ignored(NOT_SSHD));
        }
        if tag[program.len()..].starts_with("(pam_unix)") {
            return parse_old_pam(msg.trim(), time, host, cx);
        }
        parse_message(msg, time, host, cx)
    }

    /// Splits off the timestamp: `Some((time or bad-time rejection, rest))`
    /// when the line starts like a syslog line, `None` otherwise.
    fn timestamp<'l>(&mut self, line: &'l str) -> Option<(Result<Millis, Reject>, &'l str)> {
        let b = line.as_bytes();
        if b.len() > 10 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' {
            let (stamp, rest) = line.split_once(' ').unwrap_or((line, ""));
            let t = parse_time(stamp)
                .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("time {stamp:?}")));
            return Some((t, rest));
        }
        let month = MONTHS.iter().position(|m| line.starts_with(m))? as u32 + 1;
        let rest = line.get(3..)?.strip_prefix(' ')?.trim_start_matches(' ');
        let (day, rest) = rest.split_once(' ')?;
        let (clock, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let day: u32 = day.parse().ok()?;
        let year = self.year_for(month);
        let t = classic_time(year, month, day, clock).ok_or_else(|| {
            Reject::problem(reason::BAD_TIME, format!("time {:?}", prefix(line, 20)))
        });
        Some((t, rest))
    }
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

/// Parses the message part of an sshd line (after `sshd[pid]:`). Also used
/// for the sshd text carried by Windows OpenSSH/Operational events.
pub fn parse_message(msg: &str, time: Millis, host: &str, cx: &mut RecordCx) -> ParseResult {
    let msg = msg.trim();
    let (count, body) = repeated(msg).unwrap_or((1, msg));
    let (outcome, rest) = if let Some(r) = body.strip_prefix("Failed ") {
        (Outcome::Failure, r)
    } else if let Some(r) = body.strip_prefix("Accepted ") {
        (Outcome::Success, r)
    } else {
        return Err(Reject::Ignored(other_reason(body)));
    };
    let Some(a) = attempt(rest) else {
        return Err(Reject::Ignored(NOT_AN_ATTEMPT));
    };
    for _ in 0..count {
        let mut d = Draft::new(time, Source::Sshd, Kind::SignIn);
        d.outcome = outcome;
        d.user = cx.put_user(a.user);
        d.ip = cx.put_ip(a.from);
        d.client_app = cx.put(a.method);
        if outcome == Outcome::Failure {
            d.result_code = cx.put(a.method);
        }
        d.app = app(host, cx);
        cx.emit(d);
    }
    Ok(())
}

/// `message repeated N times: [ inner ]` → (N, inner).
fn repeated(msg: &str) -> Option<(u32, &str)> {
    let rest = msg.strip_prefix("message repeated ")?;
    let (n, rest) = rest.split_once(' ')?;
    let inner = rest.strip_prefix("times: [")?;
    let inner = inner.trim().strip_suffix(']').unwrap_or(inner).trim();
    Some((n.parse::<u32>().ok()?.clamp(1, MAX_REPEAT), inner))
}

struct Attempt<'a> {
    method: &'a str,
    user: &'a str,
    from: &'a str,
}

/// `METHOD for [invalid user ]USER from ADDR port N …` (after Failed/Accepted).
fn attempt(rest: &str) -> Option<Attempt<'_>> {
    let (method, rest) = rest.split_once(" for ")?;
    if method.is_empty() || method.contains(' ') {
        return None;
    }
    let rest = rest
        .strip_prefix("invalid user ")
        .or_else(|| rest.strip_prefix("illegal user "))
        .unwrap_or(rest);
    // rsplit: a user name may itself contain " from ".
    let (user, addr) = rest.rsplit_once(" from ")?;
    let from = addr.split(' ').next().unwrap_or_default();
    Some(Attempt { method, user, from })
}

/// Why a non-Failed/Accepted sshd message is ignored.
fn other_reason(body: &str) -> &'static str {
    const SAME_ATTEMPT: [&str; 16] = [
        "Invalid user",
        "input_userauth_request: invalid user",
        "pam_unix(sshd:auth)",
        "authentication failure",
        "more authentication failure",
        "ignoring max retries",
        "Connection closed by",
        "Disconnected from",
        "Received disconnect",
        "error: Received disconnect",
        "POSSIBLE BREAK-IN ATTEMPT",
        "maximum authentication attempts exceeded",
        "Disconnecting",
        "Too many authentication failures",
        "PAM: User not known",
        "PAM: Authentication failure",
    ];
    if SAME_ATTEMPT.iter().any(|p| body.contains(p)) {
        ALREADY_COUNTED
    } else {
        NOT_AN_ATTEMPT
    }
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
    let value = |key: &str| {
        fields
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(key))
            .unwrap_or_default()
    };
    let (rhost, user) = (value("rhost="), value("user="));
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
