//! The sshd syslog parser line by line: Failed/Accepted, repeated messages,
//! lines about an attempt already counted, the old RHEL pam_unix format,
//! year inference and bad lines. (Attempt merging, line shapes and address
//! injection: tests/sshd_attempts.rs and tests/sshd_fail2ban.rs.)

use hunt::event::{Batch, Kind, Origin, Outcome, Source};
use hunt::ingest::sshd::{looks_like_syslog, SshdState, MAX_REPEAT};
use hunt::ingest::time::format_time;
use hunt::ingest::{reason, ParseResult, RecordCx, Reject};

const ALREADY_COUNTED: &str = "sshd line describing an attempt already counted";
const HELD: &str = "sshd line of an attempt counted with a later line";
const NOT_AN_ATTEMPT: &str = "sshd line not about a sign-in attempt";
const NOT_SSHD: &str = "not an sshd line";

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
    // `Failed none` waits for the method that follows; alone, it is counted at
    // the end of the input.
    let (r, rows) = parse(&mut s, "Dec 10 08:24:40 LabSZ sshd[24363]: Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2");
    assert_eq!((r, rows), (Err(Reject::Ignored(HELD)), vec![]));
    let mut b = Batch::default();
    assert_eq!(s.finish(&mut b), 1);
    let d = &b.drafts[0];
    assert_eq!(
        (
            b.text.get(d.user),
            b.text.get(d.ip),
            b.text.get(d.result_code)
        ),
        ("0", "5.188.10.180", "none")
    );
    assert_eq!(d.outcome, Outcome::Failure);
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
    let (_, rows) = parse(
        &mut s,
        "Dec 11 01:02:03 h sshd[10]: Failed password for root from test.example.com port 22 ssh2",
    );
    assert_eq!((rows[0].1.as_str(), rows[0].2.as_str()), ("root", ""));
}

#[test]
fn lines_about_the_same_attempt_and_other_programs_are_ignored() {
    let mut s = SshdState::new(2024, 12);
    // One attempt of loghub's OpenSSH sample: counted at its first line.
    let (r, rows) = parse(
        &mut s,
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
    );
    assert_eq!((r, rows.len()), (Ok(()), 1));
    for (line, why) in [
        ("Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]", ALREADY_COUNTED),
        ("Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown", ALREADY_COUNTED),
        ("Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ", ALREADY_COUNTED),
        ("Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2", ALREADY_COUNTED),
        ("Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]", ALREADY_COUNTED),
        ("Feb 22 16:45:26 slave22 sshd[2738]: PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=202.109.143.106  user=root", ALREADY_COUNTED),
        ("Dec 10 06:55:46 LabSZ sshd[24201]: reverse mapping checking getaddrinfo for ns.example.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!", ALREADY_COUNTED),
        ("Dec 10 06:55:46 LabSZ sshd[24202]: Connection closed by 1.2.3.4 [preauth]", NOT_AN_ATTEMPT),
        ("Feb 19 15:30:04 slave22 sshd[18406]: Did not receive identification string from 89.160.20.156", NOT_AN_ATTEMPT),
        ("Feb 21 23:35:33 localhost sudo: vagrant : TTY=pts/0 ; PWD=/home/vagrant ; USER=root ; COMMAND=/bin/ls", NOT_SSHD),
        ("Jun  2 19:08:43 host.name sudo[654321]: pam_unix(sudo:auth): authentication failure; logname=bob uid=1117 euid=0 tty=/dev/pts/1 ruser=alice rhost= user=root", NOT_SSHD),
        ("Nov 25 17:12:13 webmail pop(pam_unix)[4920]: authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=192.168.10.3 user=mailuser", NOT_SSHD),
        ("Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown", ALREADY_COUNTED),
        ("Jun 17 20:29:26 combo sshd(pam_unix)[30631]: session opened for user test by (uid=509)", NOT_AN_ATTEMPT),
        ("Dec 10 06:55:46 LabSZ sshd[1]: Failed to release session", NOT_AN_ATTEMPT),
    ] {
        assert_eq!(parse(&mut s, line), (Err(Reject::Ignored(why)), vec![]), "{line}");
    }
    let mut b = Batch::default();
    assert_eq!(s.finish(&mut b), 0, "nothing left waiting");
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
    let f = |d: &str| format!("{d} h sshd[1]: Failed password for a from 192.0.2.1 port 1 ssh2");
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
    // RFC 5424, RFC 3339 with a space, a single-digit day written unpadded.
    assert!(looks_like_syslog(
        "<38>1 2019-07-08T17:40:16.954167-04:00 h sshd 57915 - - Failed unknown for x from 192.0.2.1 port 1 ssh2"
    ));
    assert!(looks_like_syslog(
        "2024-11-20 10:01:02+01:00 host sshd[1]: x"
    ));
    assert!(looks_like_syslog("Feb 7 16:01:07 linux-m899 sshd[5106]: x"));
}

/// Regression (issue 10): a bad classic stamp followed by multi-byte text put
/// byte 20 of the line inside a character, and quoting it in the problem
/// panicked the reader thread (blinding the whole run).
#[test]
fn a_bad_stamp_before_multibyte_text_is_a_problem_not_a_panic() {
    let mut s = SshdState::new(2024, 12);
    for line in [
        "Dec 10 99:12:00 h\u{e9}\u{e9}\u{e9}\u{e9} sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2",
        "Dec 10 09:12:0x \u{1f600}\u{1f600}\u{1f600} sshd[1]: x",
        "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
    ] {
        let (res, rows) = parse(&mut s, line);
        assert!(rows.is_empty(), "{line:?}");
        match res {
            Err(Reject::Problem(_, detail)) => assert!(!detail.is_empty()),
            other => panic!("{line:?}: expected a problem, got {other:?}"),
        }
    }
}
