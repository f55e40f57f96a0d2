//! `hunt scan -f syslog+tls://127.0.0.1:PORT` as a process against real
//! TLS clients: Python's `ssl` module sends RFC 5425 frames (octet-counted
//! RFC 5424 messages) of a brute force; plain syslog sent to the TLS port,
//! a client that distrusts the certificate, and (with `tls_client_ca`) a
//! client without a certificate are refused, counted and told on stderr,
//! and the receiver goes on. Certificates are made at test time with
//! `openssl req` in a temporary folder; nothing here is a kept key.

mod live_common;

use live_common::{brute, free_port, wait_listening, Scan};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tools() -> bool {
    let ok = |c: &str, a: &str| Command::new(c).arg(a).output().is_ok();
    if ok("openssl", "version") && ok("python3", "-V") {
        return true;
    }
    eprintln!("openssl or python3 is not installed: the TLS client tests are skipped");
    false
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throw-away authority `NAME-ca.pem` and a certificate `NAME-LEAF.pem`
/// (key `NAME-LEAF.key`) it signed for 127.0.0.1, with extended key usage `usage`.
fn pki(dir: &Path, name: &str, leaves: &[(&str, &str)]) {
    let ca = format!("{name}-ca");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN=hunt test {ca}"),
        ],
    );
    for (leaf, usage) in leaves {
        let base = format!("{name}-{leaf}");
        let ext = format!("{base}.ext");
        std::fs::write(
            dir.join(&ext),
            format!("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\n"),
        )
        .unwrap();
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{base}.key"),
                "-out",
                &format!("{base}.csr"),
                "-subj",
                &format!("/CN={base}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{base}.csr"),
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &format!("{base}.pem"),
                "-extfile",
                &ext,
            ],
        );
    }
}

struct Tls {
    dir: tempfile::TempDir,
    hunt: Scan,
    port: u16,
}

impl Tls {
    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    /// Waits for a stderr line containing `want`; returns every line seen.
    fn stderr_until(&self, want: &str, secs: u64) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(l) = self.hunt.err.recv_timeout(Duration::from_millis(100)) {
                let done = l.contains(want);
                seen.push(l);
                if done {
                    return seen;
                }
            }
        }
        panic!("no stderr line with {want:?} within {secs} s: {seen:#?}");
    }
}

/// The receiver on a free port with the server certificate of authority
/// `srv`; with `client_ca`, senders need a certificate of authority `cli`.
fn receiver(client_ca: bool) -> Tls {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), "srv", &[("server", "serverAuth")]);
    pki(dir.path(), "cli", &[("client", "clientAuth")]);
    pki(dir.path(), "other", &[]);
    let mut config = format!(
        "[syslog]\ntls_cert = {:?}\ntls_key = {:?}\n",
        dir.path().join("srv-server.pem"),
        dir.path().join("srv-server.key")
    );
    if client_ca {
        config.push_str(&format!(
            "tls_client_ca = {:?}\n",
            dir.path().join("cli-ca.pem")
        ));
    }
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, config).unwrap();
    let port = free_port();
    let hunt = Scan::start(&[
        &format!("syslog+tls://127.0.0.1:{port}"),
        "--config",
        cfg.to_str().unwrap(),
    ]);
    wait_listening(port);
    Tls { dir, hunt, port }
}

/// Python's `ssl` client: trusts `ca`, presents `cert` (if any), sends
/// `n` octet-counted RFC 5424 failures for `user` from `ip`; prints
/// `sent` or the handshake error.
fn python_client(t: &Tls, ca: &str, cert: Option<&str>, user: &str, ip: &str, n: u32) -> String {
    let script = r#"
import socket, ssl, sys
port, ca, cert, user, ip, n = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
if cert:
    ctx.load_cert_chain(cert + ".pem", cert + ".key")
try:
    with socket.create_connection(("127.0.0.1", int(port)), 5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            for i in range(int(n)):
                msg = ("<38>1 2026-12-07T10:00:%02d.250Z bastion sshd %d - - "
                       "Failed password for %s from %s port %d ssh2") % (i, 4100 + i, user, ip, 40000 + i)
                data = msg.encode()
                s.sendall(b"%d %s" % (len(data), data))
            s.unwrap()
    print("sent")
except (ssl.SSLError, OSError) as e:
    print("refused", type(e).__name__, e)
"#;
    let cert = cert.map(|c| t.path(c).to_str().unwrap().to_string());
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(t.port.to_string())
        .arg(t.path(ca))
        .arg(cert.unwrap_or_default())
        .args([user, ip, &n.to_string()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn a_brute_force_over_tls_from_pythons_ssl_client() {
    if !tools() {
        return;
    }
    let t = receiver(false);
    let said = python_client(&t, "srv-ca.pem", None, "root", "203.0.113.77", 12);
    assert_eq!(said, "sent");
    let f = t.hunt.finding(20, brute("root", 12));
    assert_eq!(f["details"]["failures"], 12);
    assert_eq!(f["ip"], "203.0.113.77");
    assert_eq!(f["details"]["apps"], serde_json::json!(["sshd@bastion"]));
    let file = f["evidence"][0]["file"].as_str().unwrap().to_string();
    assert_eq!(file, format!("syslog+tls://127.0.0.1:{}", t.port));
}

#[test]
fn plain_text_and_distrusting_clients_are_counted_and_the_receiver_goes_on() {
    if !tools() {
        return;
    }
    let t = receiver(false);
    // Plain syslog to the TLS port.
    let mut plain = TcpStream::connect(("127.0.0.1", t.port)).unwrap();
    writeln!(
        plain,
        "<38>Dec  7 10:00:00 web sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2"
    )
    .unwrap();
    drop(plain);
    // A client that trusts another authority aborts the handshake.
    let said = python_client(&t, "other-ca.pem", None, "nobody", "192.0.2.2", 12);
    assert!(said.starts_with("refused"), "{said}");
    let seen = t.stderr_until("2 connections refused so far", 20);
    let last = seen.last().unwrap();
    assert!(last.contains("1 failed handshakes, 1 not TLS"), "{last}");
    assert!(last.contains("last failed handshake: 127.0.0.1"), "{last}");
    // Still serving: a trusting client gets through.
    assert_eq!(
        python_client(&t, "srv-ca.pem", None, "admin", "203.0.113.78", 11),
        "sent"
    );
    let f = t.hunt.finding(20, brute("admin", 11));
    assert_eq!(f["details"]["failures"], 11);
}

#[test]
fn with_a_client_ca_only_senders_with_its_certificate_get_in() {
    if !tools() {
        return;
    }
    let t = receiver(true);
    let said = python_client(&t, "srv-ca.pem", None, "nocert", "192.0.2.3", 12);
    // TLS 1.3: the client may learn of the refusal only on its next read.
    let seen = t.stderr_until("1 connections refused so far", 20);
    assert!(
        seen.last().unwrap().contains("1 failed handshakes"),
        "{seen:?} (client said {said})"
    );
    assert_eq!(
        python_client(
            &t,
            "srv-ca.pem",
            Some("cli-client"),
            "oracle",
            "203.0.113.79",
            10
        ),
        "sent"
    );
    let f = t.hunt.finding(20, brute("oracle", 10));
    assert_eq!(f["details"]["failures"], 10);
    let out: Vec<String> = t.hunt.out.try_iter().collect();
    assert!(
        !out.iter().any(|l| l.contains("nocert")),
        "nothing from the refused sender was read: {out:?}"
    );
}

#[test]
fn missing_certificate_settings_are_one_line_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .args(["scan", "-f", "syslog+tls://127.0.0.1:0"])
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("[syslog] tls_cert and tls_key"), "{err}");
}
