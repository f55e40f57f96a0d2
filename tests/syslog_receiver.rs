//! `hunt scan -f syslog://127.0.0.1:PORT` as a process: real RFC 5424 and
//! RFC 3164 messages sent over UDP and TCP (octet-counted and newline
//! framing) by a Rust client, and by Python's `logging.handlers.SysLogHandler`
//! where `python3` is installed; findings are read from stdout.

mod live_common;

use live_common::{brute, free_port, wait_listening, Scan};
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::process::Command;

fn receiver() -> (Scan, u16) {
    let port = free_port();
    let hunt = Scan::start(&[&format!("syslog://127.0.0.1:{port}")]);
    wait_listening(port);
    (hunt, port)
}

fn failed(user: &str, ip: &str, port: u32) -> String {
    format!("Failed password for {user} from {ip} port {port} ssh2")
}

#[test]
fn rfc5424_and_3164_over_udp_and_tcp_are_one_brute_force() {
    let (hunt, port) = receiver();
    let ip = "203.0.113.50";
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..3 {
        let m = format!(
            "<38>1 2026-12-07T10:00:0{i}.120Z bastion sshd 4101 - - {}",
            failed("root", ip, 40_000 + i)
        );
        udp.send_to(m.as_bytes(), ("127.0.0.1", port)).unwrap();
        let m = format!(
            "<38>Dec  7 10:00:1{i} bastion sshd[4102]: {}",
            failed("root", ip, 41_000 + i)
        );
        udp.send_to(m.as_bytes(), ("127.0.0.1", port)).unwrap();
    }
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for i in 0..3 {
        // RFC 6587 octet counting.
        let m = format!(
            "<38>1 2026-12-07T10:00:2{i}Z bastion sshd 4103 - [meta x=\"a]b\"] {}",
            failed("root", ip, 42_000 + i)
        );
        write!(tcp, "{} {m}", m.len()).unwrap();
    }
    for i in 0..3 {
        // Newline framing, no host: the sender's address is the host.
        writeln!(
            tcp,
            "<38>Dec  7 10:00:3{i} sshd[4104]: {}",
            failed("root", ip, 43_000 + i)
        )
        .unwrap();
    }
    tcp.flush().unwrap();
    let f = hunt.finding(20, brute("root", 12));
    assert_eq!(f["ip"], ip);
    assert_eq!(f["details"]["failures"], 12);
    let mut apps: Vec<&str> = f["details"]["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    apps.sort_unstable();
    assert_eq!(
        apps,
        ["sshd@127.0.0.1", "sshd@bastion"],
        "a message without host is charged to its sender's address"
    );
    let file = f["evidence"][0]["file"].as_str().unwrap().to_string();
    assert_eq!(file, format!("syslog://127.0.0.1:{port}"));
}

#[test]
fn a_held_attempt_is_shown_without_more_traffic() {
    let (hunt, port) = receiver();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for i in 0..9 {
        writeln!(
            tcp,
            "<38>2026-12-07T11:00:0{i}Z web sshd[{}]: {}",
            700 + i,
            failed("admin", "198.51.100.9", 50_000 + i)
        )
        .unwrap();
    }
    // The tenth attempt: a pam_unix failure waiting for its Failed line.
    writeln!(tcp, "<85>2026-12-07T11:00:09Z web sshd[709]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.9  user=admin").unwrap();
    tcp.flush().unwrap();
    let f = hunt.finding(20, brute("admin", 10));
    assert_eq!(f["details"]["failures"], 10);
}

#[test]
fn a_tcp_flood_is_slowed_down_not_dropped() {
    let (hunt, port) = receiver();
    let n = 20_000u32;
    let mut tcp = std::io::BufWriter::new(TcpStream::connect(("127.0.0.1", port)).unwrap());
    for i in 0..n {
        // Far more than the receiver's queue holds, written as fast as TCP takes it.
        let m = format!(
            "<38>1 2026-12-07T12:00:00Z flood sshd - - - {}",
            failed("flood", "192.0.2.77", i)
        );
        write!(tcp, "{} {m}", m.len()).unwrap();
    }
    tcp.flush().unwrap();
    let f = hunt.finding(120, brute("flood", u64::from(n)));
    assert_eq!(
        f["details"]["failures"], n,
        "every message sent over TCP was read"
    );
}

#[test]
fn pythons_syslog_handler_over_udp_and_tcp() {
    if Command::new("python3").arg("-V").output().is_err() {
        eprintln!("python3 is not installed: this test sends with the Rust client only");
        return;
    }
    let (hunt, port) = receiver();
    let script = format!(
        r#"
import logging, logging.handlers, socket
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    h = logging.handlers.SysLogHandler(address=("127.0.0.1", {port}), facility="auth", socktype=kind)
    h.setFormatter(logging.Formatter("sshd[%(process)d]: %(message)s"))
    log = logging.getLogger(str(kind)); log.addHandler(h); log.setLevel(logging.INFO)
    for i in range(5):
        log.info("Failed password for oracle from 203.0.113.66 port %d ssh2", 4000 + i)
    h.close()
"#
    );
    let st = Command::new("python3")
        .arg("-c")
        .arg(script)
        .status()
        .unwrap();
    assert!(st.success());
    let f = hunt.finding(20, brute("oracle", 10));
    assert_eq!(f["details"]["failures"], 10);
    assert_eq!(f["details"]["apps"], serde_json::json!(["sshd@127.0.0.1"]));
}

#[test]
fn an_address_in_use_is_an_error_not_a_silent_run() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["scan", "-f", &format!("syslog://127.0.0.1:{port}")])
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("TCP 127.0.0.1:{port}")), "{err}");
}

#[test]
fn a_syslog_url_needs_follow_and_a_valid_address() {
    let home = tempfile::tempdir().unwrap();
    for (args, want) in [
        (vec!["scan", "syslog://127.0.0.1:5514"], "read it with -f"),
        (
            vec!["scan", "-f", "syslog://127.0.0.1:5514/x"],
            "give an address and port",
        ),
        (
            vec!["scan", "-f", "nosuch://x"],
            "unknown live source scheme",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
            .args(&args)
            .env("XDG_CONFIG_HOME", home.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}
