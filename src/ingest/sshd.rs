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
            Reject::problem(
                reason::BAD_TIME,
                format!("time {:?}", &line[..line.len().min(20)]),
            )
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

fn not_syslog(line: &str) -> String {
    let mut cut = line.len().min(60);
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("not a syslog line: {:?}", &line[..cut])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Batch, Origin};
    use crate::ingest::time::format_time;

    /// (outcome, user, ip, result_code, app, time) of every draft of a line.
    type Row = (Outcome, String, String, String, String, String);

    fn parse(state: &mut SshdState, line: &str) -> (ParseResult, Vec<Row>) {
        let mut b = Batch::default();
        let res = state.parse_line(line, &mut RecordCx::new(&mut b, Origin::default()));
        let t = |x| b.text.get(x).to_string();
        let rows = b
            .drafts
            .iter()
            .map(|d| {
                assert_eq!((d.source, d.kind), (Source::Sshd, Kind::SignIn));
                (
                    d.outcome,
                    t(d.user),
                    t(d.ip),
                    t(d.result_code),
                    t(d.app),
                    format_time(d.time),
                )
            })
            .collect();
        (res, rows)
    }

    fn row(o: Outcome, user: &str, ip: &str, code: &str, app: &str, time: &str) -> Row {
        (
            o,
            user.into(),
            ip.into(),
            code.into(),
            app.into(),
            time.into(),
        )
    }

    #[test]
    fn failed_accepted_and_repeated() {
        let mut s = SshdState::new(2024, 12);
        let (r, rows) = parse(&mut s, "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]");
        assert_eq!(r, Ok(()));
        assert_eq!(rows.len(), 5);
        assert_eq!(
            rows[4],
            row(
                Outcome::Failure,
                "root",
                "5.36.59.76",
                "password",
                "sshd@LabSZ",
                "2024-12-10T07:13:56Z"
            )
        );
        let (_, rows) = parse(&mut s, "Dec 10 08:24:40 LabSZ sshd[24363]: Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2");
        assert_eq!(
            rows,
            [row(
                Outcome::Failure,
                "0",
                "5.188.10.180",
                "none",
                "sshd@LabSZ",
                "2024-12-10T08:24:40Z"
            )]
        );
        let (_, rows) = parse(&mut s, "Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2\r");
        assert_eq!(
            rows,
            [row(
                Outcome::Success,
                "fztu",
                "119.137.62.142",
                "",
                "sshd@LabSZ",
                "2024-12-10T09:32:20Z"
            )]
        );
        let (_, rows) = parse(&mut s, "Dec 11 01:02:03 h sshd-session[9]: Failed keyboard-interactive/pam for Bob from 2001:db8::1 port 22 ssh2");
        assert_eq!(rows[0].3, "keyboard-interactive/pam");
        assert_eq!(rows[0].2, "2001:db8::1");
        let (_, rows) = parse(&mut s, "Dec 11 01:02:03 h sshd[9]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2: RSA 39:33:99");
        assert_eq!(
            (rows[0].1.as_str(), rows[0].2.as_str()),
            ("vagrant", "10.0.2.2")
        );
        let (_, rows) = parse(&mut s, "Dec 11 01:02:03 h sshd[9]: Failed password for root from test.example.com port 22 ssh2");
        assert_eq!((rows[0].1.as_str(), rows[0].2.as_str()), ("root", ""));
    }

    #[test]
    fn lines_about_the_same_attempt_and_other_programs_are_ignored() {
        let mut s = SshdState::new(2024, 12);
        for (line, why) in [
            ("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186", ALREADY_COUNTED),
            ("Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ", ALREADY_COUNTED),
            ("Feb 22 16:45:26 slave22 sshd[2738]: PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=202.109.143.106  user=root", ALREADY_COUNTED),
            ("Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.example.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!", ALREADY_COUNTED),
            ("Dec 10 06:55:46 LabSZ sshd[24200]: error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 [preauth]", ALREADY_COUNTED),
            ("Dec 10 06:55:46 LabSZ sshd[24200]: Connection closed by 1.2.3.4 [preauth]", ALREADY_COUNTED),
            ("Feb 19 15:30:04 slave22 sshd[18406]: Did not receive identification string from 89.160.20.156", NOT_AN_ATTEMPT),
            ("Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls", NOT_SSHD),
            ("Jun  2 19:08:43 host.name sudo[654321]: pam_unix(sudo:auth): authentication failure; logname=bob uid=1117 euid=0 tty=/dev/pts/1 ruser=alice rhost= user=root", NOT_SSHD),
            ("Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown", ALREADY_COUNTED),
            ("Jun 17 20:29:26 combo sshd(pam_unix)[30631]: session opened for user test by (uid=509)", NOT_AN_ATTEMPT),
            ("Dec 10 06:55:46 LabSZ sshd[1]: Failed to release session", NOT_AN_ATTEMPT),
        ] {
            assert_eq!(parse(&mut s, line), (Err(Reject::Ignored(why)), vec![]), "{line}");
        }
    }

    #[test]
    fn old_rhel_pam_unix_failure_is_the_attempt() {
        let mut s = SshdState::new(2005, 12);
        let (_, rows) = parse(&mut s, "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ");
        assert_eq!(
            rows,
            [row(
                Outcome::Failure,
                "",
                "218.188.2.4",
                "pam_unix",
                "sshd@combo",
                "2005-06-14T15:16:01Z"
            )]
        );
        let (_, rows) = parse(&mut s, "Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root");
        assert_eq!(
            rows,
            [row(
                Outcome::Failure,
                "root",
                "",
                "pam_unix",
                "sshd@combo",
                "2005-06-15T02:04:59Z"
            )]
        );
        let line = "Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=host.example.net ";
        assert_eq!(
            parse(&mut s, line).0,
            Err(Reject::Ignored("pam_unix failure without user or address"))
        );
    }

    #[test]
    fn year_inference() {
        // Reference May 2024: a December first line belongs to 2023, then Jan rolls to 2024.
        let mut s = SshdState::new(2024, 5);
        let t = |s: &mut SshdState, l: &str| parse(s, l).1[0].5.clone();
        let f =
            |d: &str| format!("{d} h sshd[1]: Failed password for a from 192.0.2.1 port 1 ssh2");
        assert_eq!(t(&mut s, &f("Dec 31 23:59:58")), "2023-12-31T23:59:58Z");
        assert_eq!(t(&mut s, &f("Jan  1 00:00:01")), "2024-01-01T00:00:01Z");
        // A late December line after New Year stays in 2023 and does not move the state.
        assert_eq!(t(&mut s, &f("Dec 31 23:59:59")), "2023-12-31T23:59:59Z");
        assert_eq!(t(&mut s, &f("Jan  1 00:00:02")), "2024-01-01T00:00:02Z");
        assert_eq!(t(&mut s, &f("Mar  1 00:00:00")), "2024-03-01T00:00:00Z");
        // Same month as the reference: the reference year.
        let mut s = SshdState::new(2024, 5);
        assert_eq!(t(&mut s, &f("May  1 00:00:00")), "2024-05-01T00:00:00Z");
        // RFC 3339 lines carry their own year and zone.
        let mut s = SshdState::new(1999, 1);
        assert_eq!(
            t(&mut s, "2024-11-20T10:01:02.123+01:00 web1 sshd[123]: Failed password for invalid user admin from 198.51.100.2 port 4 ssh2"),
            "2024-11-20T09:01:02.123Z"
        );
    }

    #[test]
    fn bad_lines_are_problems_never_panics() {
        let mut s = SshdState::new(2024, 12);
        let problem = |s: &mut SshdState, l: &str| match parse(s, l).0 {
            Err(Reject::Problem(r, _)) => r,
            other => panic!("{l}: {other:?}"),
        };
        assert_eq!(problem(&mut s, "garbage line"), reason::UNKNOWN_SHAPE);
        assert_eq!(
            problem(
                &mut s,
                "Feb 30 10:00:00 h sshd[1]: Failed password for a from 1.2.3.4 port 1 ssh2"
            ),
            reason::BAD_TIME
        );
        assert_eq!(
            problem(&mut s, "2024-13-45T10:00:00Z h sshd[1]: x"),
            reason::BAD_TIME
        );
        assert_eq!(parse(&mut s, "   ").0, Err(Reject::Ignored("empty line")));
        for l in ["Dec", "Dec ", "Dec 1", "Dec 10 10:00", "Dec 10 10:00:00 h", "Dec 10 10:00:00 h sshd[1]:", "Dec 10 10:00:00 h sshd[1]: Failed x for", "Dec 10 10:00:00 h sshd[1]: message repeated 99999999999 times: [ Failed password for a from 1.2.3.4 port 1 ssh2]", "2024-01-01T", "Déc 10 10:00:00 é sshd[1]: é"] {
            let _ = parse(&mut s, l);
        }
        let (_, rows) = parse(&mut s, "Dec 10 10:00:00 h sshd[1]: message repeated 4000000000 times: [ Failed password for a from 1.2.3.4 port 1 ssh2]");
        assert_eq!(rows.len(), MAX_REPEAT as usize);
    }

    #[test]
    fn sniffing_still_recognises_syslog() {
        assert!(looks_like_syslog(
            "Dec  1 10:01:02 host sshd[123]: Accepted password for a from 1.2.3.4 port 1 ssh2"
        ));
        assert!(looks_like_syslog(
            "2024-11-20T10:01:02.123+00:00 host sshd[123]: x"
        ));
        assert!(!looks_like_syslog("{\"a\":1}"));
    }
}
