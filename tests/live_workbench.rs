//! The live sources in the workbench itself, as an analyst runs them: the
//! real binary in a pseudo-terminal (portable-pty + vt100), fed while it
//! runs, showing the brute force on its alerts screen before the stream
//! ends.
//!
//! - `journalctl -o json -f | hunt -f -`: a real journal capture piped in,
//!   the pipe held open (keys come from the terminal).
//! - `hunt -f syslog://127.0.0.1:PORT`: sshd lines sent over UDP (RFC 3164)
//!   and TCP (RFC 5424, octet-counted).
//! - `hunt -f kafka://BROKER/TOPIC`: run by tests/kafka/run.sh against its
//!   Tansu broker (it sets `HUNT_TEST_KAFKA_BROKER`); without a broker the
//!   test says so and checks nothing.

mod live_common;

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 140;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _home: tempfile::TempDir,
}

impl Tui {
    /// `sh -c SCRIPT` in a terminal (the script execs hunt).
    fn start(script: &str) -> Tui {
        let home = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", script]);
        cmd.cwd(root());
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env_remove("HUNT_CASE");
        cmd.env_remove("NO_COLOR");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let p = Arc::clone(&parser);
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
            }
        });
        Tui {
            parser,
            writer,
            child,
            _home: home,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until a screen line holds every one of `words` (20 s).
    fn wait_row(&self, words: &[&str]) -> String {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            let screen = self.screen();
            if let Some(l) = screen.lines().find(|l| words.iter().all(|w| l.contains(w))) {
                return l.to_string();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "no row with {words:?} within 20 s; the screen:\n{}",
            self.screen()
        );
    }

    fn quit(mut self) {
        self.writer.write_all(b"q").unwrap();
        self.writer.flush().unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("hunt did not exit on q; the screen:\n{}", self.screen());
    }
}

#[test]
fn journalctl_json_piped_in_shows_the_brute_force_while_the_pipe_is_open() {
    // A FIFO stands for `journalctl -o json -f`: the capture is written to
    // it and it stays open, so what the screen shows comes from the stream,
    // not from its end.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("journal");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let script = format!(
        "exec {} -f - < {}",
        env!("CARGO_BIN_EXE_hunt"),
        fifo.display()
    );
    let t = Tui::start(&script);
    // Opening for writing waits for hunt's shell to open it for reading.
    let mut journal = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    journal
        .write_all(&std::fs::read(root().join("tests/journald/sshd-brute.json")).unwrap())
        .unwrap();
    journal.flush().unwrap();
    let row = t.wait_row(&["brute", "root"]);
    assert!(row.contains("203.0.113.7"), "{row}");
    t.quit();
    drop(journal);
}

#[test]
fn syslog_over_udp_and_tcp_shows_the_brute_force_live() {
    let port = live_common::free_port();
    let script = format!(
        "exec {} -f syslog://127.0.0.1:{port}",
        env!("CARGO_BIN_EXE_hunt")
    );
    let t = Tui::start(&script);
    live_common::wait_listening(port);
    let now = chrono::Utc::now();
    // RFC 3164 over UDP: six failures for root.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..6 {
        let stamp = (now + chrono::Duration::seconds(i)).format("%b %e %H:%M:%S");
        let msg = format!(
            "<38>{stamp} web01 sshd[{}]: Failed password for root from 198.51.100.23 port {} ssh2",
            4000 + i,
            50000 + i
        );
        udp.send_to(msg.as_bytes(), ("127.0.0.1", port)).unwrap();
    }
    // RFC 5424 over TCP, octet-counted: six more.
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    for i in 6..12 {
        let stamp =
            (now + chrono::Duration::seconds(i)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let msg = format!(
            "<38>1 {stamp} web01 sshd {} - - Failed password for root from 198.51.100.23 port {} ssh2",
            4000 + i,
            50000 + i
        );
        write!(tcp, "{} {msg}", msg.len()).unwrap();
    }
    tcp.flush().unwrap();
    let row = t.wait_row(&["brute", "root"]);
    assert!(row.contains("198.51.100.23"), "{row}");
    t.quit();
}

#[test]
fn kafka_shows_the_brute_force_live_when_a_broker_is_given() {
    let Ok(broker) = std::env::var("HUNT_TEST_KAFKA_BROKER") else {
        eprintln!("HUNT_TEST_KAFKA_BROKER is not set: tests/kafka/run.sh runs this against Tansu");
        return;
    };
    let producer = root().join("target/debug/examples/kafka_attack");
    let work = tempfile::tempdir().unwrap();
    let reference = work.path().join("reference.ndjson");
    let topic = format!("workbench-{}", std::process::id());
    let out = std::process::Command::new(&producer)
        .args(["produce", &broker, &topic, "3"])
        .arg(&reference)
        .arg("all")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = format!(
        "exec {} -f kafka://{broker}/{topic}",
        env!("CARGO_BIN_EXE_hunt")
    );
    let t = Tui::start(&script);
    // The mix's two brute forces (40 and 25 wrong passwords).
    t.wait_row(&["brute", "@contoso.example"]);
    t.quit();
}
