//! sshd attempts end to end (issue 11 §1): the lines of one attempt count
//! once, a line that is its attempt's only record counts (PAM-only and
//! key-only servers), the peer comes from the message grammar and cannot be
//! chosen by the client, the line shapes syslog daemons write, the year of
//! a classic stamp, and the flush of held attempts (log time, end of file).

use hunt::event::{Batch, Origin, Outcome};
use hunt::ingest::sshd::{SshdState, HOLD_MS};
use hunt::ingest::time::format_time;
use hunt::ingest::RecordCx;

/// (line, outcome, user, ip, result code, time) of a draft.
type Row = (u32, Outcome, String, String, String, String);

/// Every line through one state, then the end of input.
fn run(state: &mut SshdState, lines: &[&str]) -> Vec<Row> {
    let mut b = Batch::default();
    for (i, line) in lines.iter().enumerate() {
        let origin = Origin {
            line: i as u32 + 1,
            ..Origin::default()
        };
        let _ = state.parse_line(line, &mut RecordCx::new(&mut b, origin));
    }
    state.finish(&mut b);
    let t = |x| b.text.get(x).to_string();
    let mut rows: Vec<Row> = b
        .drafts
        .iter()
        .map(|d| {
            (
                d.origin.line,
                d.outcome,
                t(d.user),
                t(d.ip),
                t(d.result_code),
                format_time(d.time),
            )
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    rows
}

fn failures(lines: &[&str]) -> Vec<(u32, String, String)> {
    run(&mut SshdState::new(2024, 12), lines)
        .into_iter()
        .filter(|r| r.1 == Outcome::Failure)
        .map(|r| (r.0, r.2, r.3))
        .collect()
}

fn f(line: u32, user: &str, ip: &str) -> (u32, String, String) {
    (line, user.into(), ip.into())
}

#[test]
fn a_pam_line_and_its_failed_line_are_one_attempt() {
    let got = failures(&[
        "Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
        "Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2",
        "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]",
        "Dec 10 07:13:58 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]",
        "Dec 10 07:13:58 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
    ]);
    let mut want = vec![f(2, "root", "5.36.59.76")];
    want.extend(std::iter::repeat_n(f(3, "root", "5.36.59.76"), 5));
    assert_eq!(got, want);
}

#[test]
fn invalid_user_and_its_failed_line_are_one_attempt_and_alone_it_counts() {
    let got = failures(&[
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
        "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
        "Dec 10 06:55:50 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
        "Dec 10 06:56:00 LabSZ sshd[24201]: Invalid user test9 from 52.80.34.196",
        "Dec 10 06:56:01 LabSZ sshd[24201]: Connection closed by 52.80.34.196 [preauth]",
    ]);
    assert_eq!(
        got,
        [
            f(1, "webmaster", "173.234.31.186"),
            f(4, "webmaster", "173.234.31.186"),
            f(5, "test9", "52.80.34.196"),
        ]
    );
}

#[test]
fn a_pam_only_log_shows_its_attack() {
    let lines: Vec<String> = (0..5)
        .map(|i| format!("2022-02-22T16:45:{:02}+00:00 slave22 sshd[{}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=202.109.143.106  user=root", 10 + i, 2740 + i))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = failures(&refs);
    assert_eq!(got.len(), 5);
    assert!(got
        .iter()
        .all(|r| r.2 == "202.109.143.106" && r.1 == "root"));
}

#[test]
fn a_key_only_server_shows_its_attack() {
    let got = failures(&[
        "Jul 17 23:03:05 srv sshd[1296]: Connection closed by authenticating user root 192.0.2.10 port 46038 [preauth]",
        "Jul 17 23:03:06 srv sshd[1297]: Received disconnect from 192.0.2.10 port 46040:11: Bye Bye [preauth]",
        "Jul 17 23:03:06 srv sshd[1297]: Disconnected from authenticating user admin 192.0.2.10 port 46040 [preauth]",
        "Jul 17 23:03:07 srv sshd[1298]: error: maximum authentication attempts exceeded for oracle from 192.0.2.10 port 46041 ssh2 [preauth]",
        "Jul 17 23:03:07 srv sshd[1298]: Disconnecting authenticating user oracle 192.0.2.10 port 46041: Too many authentication failures [preauth]",
        "Jul 17 23:03:08 srv sshd[1299]: Connection closed by 192.0.2.10 port 46042 [preauth]",
    ]);
    assert_eq!(
        got,
        [
            f(1, "root", "192.0.2.10"),
            f(3, "admin", "192.0.2.10"),
            f(4, "oracle", "192.0.2.10"),
        ]
    );
}

#[test]
fn tried_keys_before_a_success_are_not_failures() {
    let rows = run(
        &mut SshdState::new(2024, 12),
        &[
            "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff",
            "Nov 28 09:16:03 srv sshd[32307]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA 04:bc",
            "Nov 28 09:16:03 srv sshd[32307]: Accepted publickey for git from 192.0.2.1 port 57904 ssh2: DSA 36:48",
            "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.111 port 57910 ssh2: ECDSA 1e:fe",
            "Nov 28 09:16:05 srv sshd[32310]: Failed publickey for git from 192.0.2.111 port 57910 ssh2: RSA 14:ba",
            "Nov 28 09:16:05 srv sshd[32310]: Connection closed by authenticating user git 192.0.2.111 port 57910 [preauth]",
        ],
    );
    let outcomes: Vec<(u32, Outcome, &str)> =
        rows.iter().map(|r| (r.0, r.1, r.3.as_str())).collect();
    assert_eq!(
        outcomes,
        [
            (3, Outcome::Success, "192.0.2.1"),
            (6, Outcome::Failure, "192.0.2.111"),
        ]
    );
}

#[test]
fn a_pam_failure_then_a_success_for_another_user_is_a_failure() {
    let got = failures(&[
        "Mar  7 18:53:20 bar sshd[1556]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.113  user=rda",
        "Mar  7 18:53:20 bar sshd[1556]: Accepted password for rda from 192.0.2.113 port 52100 ssh2",
        "Mar  7 18:53:22 bar sshd[1558]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.114  user=root",
        "Mar  7 18:53:24 bar sshd[1558]: Accepted password for known from 192.0.2.114 port 52100 ssh2",
    ]);
    assert_eq!(got, [f(4, "root", "192.0.2.114")]);
}

#[test]
fn the_client_cannot_choose_the_ip() {
    let got = failures(&[
        // A user name carrying a whole fake tail.
        "Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2",
        // Auth info with a fake tail: the connection's known peer decides.
        "Nov 11 08:04:53 redbamboo sshd[2737]: Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2",
        // ssh1 ruser info after the real tail.
        "Sep 29 17:15:02 spaceman sshd[12946]: Failed password for user from 127.0.0.2 port 20000 ssh1: ruser from 1.2.3.4",
        // A preauth user name that ends like an address.
        "Jul 17 23:04:01 srv sshd[1300]: Connection closed by authenticating user test 127.0.0.1 port 12345 192.0.2.11 port 46039 [preauth]",
        // A PAM user field carrying `rhost=`.
        "Jul 19 18:11:52 srv2 sshd[77]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152",
        "Jul 19 18:11:53 srv2 sshd[77]: Connection closed by 192.0.2.2 port 1 [preauth]",
    ]);
    let ips: Vec<&str> = got.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(
        ips,
        [
            "127.0.0.1",
            "127.0.0.1",
            "127.0.0.2",
            "192.0.2.11",
            "192.0.2.2"
        ]
    );
    assert_eq!(got[3].1, "test 127.0.0.1 port 12345");
}

#[test]
fn line_shapes() {
    let mut s = SshdState::new(2024, 12);
    let rows = run(
        &mut s,
        &[
            // Classic without a host.
            "Nov 23 21:50:37 sshd[21810]: error: maximum authentication attempts exceeded for root from 61.0.0.1 port 49940 ssh2 [preauth]",
            // RFC 3339 with a space and an offset.
            "2024-11-20 10:01:02.5-04:00 web1 sshd[5]: Failed password for a from 198.51.100.2 port 4 ssh2",
            // RFC 5424 with structured data holding brackets.
            "<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown=\"1\"][xxx@123 test=\"[brackets]\"] Failed unknown for invalid user redmond from 192.0.2.2 port 55555 ssh2",
            // sshd-session, IPv6, IPv4-mapped.
            "Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 2001:db8::7 port 56502 ssh2",
            "Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4 port 12345 [preauth]",
            // Solaris and macOS.
            "Mar 29 05:59:23 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive for <invalid username> from 205.186.180.55 port 42742 ssh2",
            "Apr 29 13:53:38 Jamess-iMac.local sshd[47831]: error: PAM: Authentication failure for james from 205.186.180.99 via 192.168.1.201",
            // `[sshd]` tag without a colon or pid.
            "Jun 25 23:53:34 [sshd] User root from 1.2.3.5 not allowed because not listed in AllowUsers",
        ],
    );
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.2.as_str(), r.3.as_str(), r.5.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("root", "61.0.0.1", "2024-11-23T21:50:37Z"),
            ("a", "198.51.100.2", "2024-11-20T14:01:02.500Z"),
            ("redmond", "192.0.2.2", "2019-07-08T21:40:17.954Z"),
            ("root", "2001:db8::7", "2024-07-03T14:59:17Z"),
            ("root", "1.2.3.4", "2024-01-05T01:31:41Z"),
            ("", "205.186.180.55", "2024-03-29T05:59:23Z"),
            ("james", "205.186.180.99", "2024-04-29T13:53:38Z"),
            ("root", "1.2.3.5", "2024-06-25T23:53:34Z"),
        ]
    );
}

#[test]
fn a_classic_stamp_after_the_file_time_is_from_the_year_before() {
    // Reference 2005-08-14T00:00:00Z; a day of slack for clocks and zones.
    let mut s = SshdState::at(1_123_977_600_000);
    let rows = run(
        &mut s,
        &[
            "Aug 14 23:59:59 h sshd[1]: Failed password for a from 192.0.2.1 port 1 ssh2",
            "Aug 15 00:00:00 h sshd[2]: Failed password for a from 192.0.2.1 port 1 ssh2",
            "Aug 15 00:00:01 h sshd[3]: Failed password for a from 192.0.2.1 port 1 ssh2",
            "Nov 28 09:16:05 h sshd[4]: Failed password for a from 192.0.2.1 port 1 ssh2",
            "Jan  2 01:18:41 h sshd[5]: Failed password for a from 192.0.2.1 port 1 ssh2",
        ],
    );
    let times: Vec<&str> = rows.iter().map(|r| r.5.as_str()).collect();
    assert_eq!(
        times,
        [
            "2005-08-14T23:59:59Z",
            "2005-08-15T00:00:00Z",
            "2004-08-15T00:00:01Z",
            "2004-11-28T09:16:05Z",
            "2005-01-02T01:18:41Z",
        ]
    );
}

#[test]
fn a_held_attempt_is_counted_once_the_log_moves_on() {
    let mut s = SshdState::new(2024, 12);
    let mut b = Batch::default();
    let mut parse = |line: &str, n: u32, b: &mut Batch| {
        let origin = Origin {
            line: n,
            ..Origin::default()
        };
        let _ = s.parse_line(line, &mut RecordCx::new(b, origin));
    };
    parse("Dec 10 07:13:31 h sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.9  user=root", 1, &mut b);
    assert!(b.drafts.is_empty(), "held: its Failed line may follow");
    let later = format!(
        "Dec 10 07:{:02}:{:02} h sshd[2]: Server listening on 0.0.0.0 port 22.",
        13 + (31 + HOLD_MS / 1000 + 1) / 60,
        (31 + HOLD_MS / 1000 + 1) % 60
    );
    parse(&later, 2, &mut b);
    assert_eq!(b.drafts.len(), 1);
    assert_eq!(b.drafts[0].origin.line, 1, "counted at its own line");
    assert_eq!(b.text.get(b.drafts[0].ip), "192.0.2.9");
}

#[test]
fn loading_a_file_counts_the_attempts_held_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.log");
    std::fs::write(
        &path,
        "Feb 22 16:45:32 slave22 sshd[2742]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=202.109.143.106  user=root\n",
    )
    .unwrap();
    let session = hunt::pipeline::scan_paths(&[path]);
    assert_eq!(session.sources[0].stats.events, 1);
}

#[test]
fn an_injected_from_in_the_auth_info_never_moves_the_user_or_the_ip() {
    // The connection's first line.
    let got = failures(&[
        "Nov 11 08:04:53 redbamboo sshd[2738]: Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2",
    ]);
    assert_eq!(got, [f(1, "test", "127.0.0.1")]);
    // Every line its own pid (nothing known about the connection).
    let got = failures(&[
        "Jan  2 03:04:05 h sshd[101]: Failed password for root from 192.0.2.44 port 4001 ssh2: from 198.51.100.99 port 55555 ssh2",
        "Jan  2 03:04:06 h sshd[102]: Failed password for root from 192.0.2.44 port 4002 ssh2: from 198.51.100.99 port 55555 ssh2",
        "Jan  2 03:04:07 h sshd[103]: Failed keyboard-interactive/pam for invalid user admin from 192.0.2.44 port 4003 ssh2: from 198.51.100.99 port 55555 ssh2",
        "Jan  2 03:04:08 h sshd[104]: error: maximum authentication attempts exceeded for root from 192.0.2.44 port 4004 ssh2: from 198.51.100.99 port 5 ssh2 [preauth]",
        // Without a pid: the same rule.
        "Jan  2 03:04:09 h sshd: Failed password for root from 192.0.2.44 port 4005 ssh2: from 198.51.100.99 port 55555 ssh2",
    ]);
    assert_eq!(
        got,
        [
            f(1, "root", "192.0.2.44"),
            f(2, "root", "192.0.2.44"),
            f(3, "admin", "192.0.2.44"),
            f(4, "root", "192.0.2.44"),
            f(5, "root", "192.0.2.44"),
        ]
    );
    let ok = run(
        &mut SshdState::new(2024, 12),
        &["Jan  2 03:04:10 h sshd[105]: Accepted publickey for root from 192.0.2.45 port 4006 ssh2: from 198.51.100.99 port 55555 ssh2"],
    );
    assert_eq!((ok[0].2.as_str(), ok[0].3.as_str()), ("root", "192.0.2.45"));
}

#[test]
fn an_old_pam_unknown_user_line_is_an_attempt() {
    let got = failures(&[
        "Dec 12 20:04:39 aragorn sshd[1329]: error: PAM: unknown user for illegal user kernel from 10.215.4.228",
        // Its `Failed … for illegal user` line on the same connection is the same attempt.
        "Dec 12 20:04:41 aragorn sshd[1329]: Failed password for illegal user kernel from 10.215.4.228 port 4 ssh2",
    ]);
    assert_eq!(got, [f(1, "kernel", "10.215.4.228")]);
}
