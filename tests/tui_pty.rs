//! The real `hunt` binary in a pseudo-terminal (portable-pty + vt100): the
//! analyst's journey on samples/ — wait for the alerts, open a spray alert,
//! pivot to its IP and see the sprayed identities, pivot to a user's
//! timeline and see a hop with its km/h, mark a finding false positive with
//! a note, allowlist an IP with a note, quit; open again and find the
//! verdict and the suppression still there. A spray-with-success incident:
//! open it from its alert, see the chain, mark it true positive in bulk with
//! a note, take it on, export the hand-off, SIGKILL, and find it all in the
//! case. Also: quitting restores the terminal, and NO_COLOR keeps colour
//! codes off the wire.

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 140;

struct Tui {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Tui {
    fn start(args: &[&str], env: &[(&str, &str)], home: &Path) -> Tui {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_hunt"));
        cmd.args(args);
        cmd.cwd(root());
        cmd.env("TERM", "xterm-256color");
        cmd.env("RUST_BACKTRACE", "0");
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("USER", "e2e-analyst");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("HUNT_CASE");
        cmd.env_remove("COLORTERM");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn hunt");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let rows = NonZeroU16::new(ROWS).unwrap();
        let cols = NonZeroU16::new(COLS).unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        p.lock().unwrap().process(&buf[..n]);
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Tui {
            parser,
            raw,
            writer,
            child,
            master: Some(pair.master),
        }
    }

    fn resize(&mut self, rows: u16, cols: u16) {
        if let Some(m) = &self.master {
            m.resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        }
        self.parser.lock().unwrap().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text` (10 s), printing the screen on failure.
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out waiting for {text:?}; the screen:\n{}",
            self.screen()
        );
    }

    fn wait_gone(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if !self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out waiting for {text:?} to go; the screen:\n{}",
            self.screen()
        );
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the UI take the keys in before the next batch (a lone ESC
        // followed at once by a letter would read as Alt+letter).
        std::thread::sleep(Duration::from_millis(120));
    }

    fn esc(&mut self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Runs a query on the alerts screen (`a`, `/`, clear, text, Enter).
    fn query(&mut self, q: &str) {
        self.send("a");
        self.send("/");
        self.send("\x15"); // ctrl-u: clear the line
        self.send(q);
        self.send("\r");
    }

    fn quit(mut self) -> (bool, String, bool) {
        self.send("q");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("hunt did not exit on q; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(200));
        let raw = String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned();
        let alt = self.parser.lock().unwrap().screen().alternate_screen();
        (status.success(), raw, alt)
    }
}

fn case_args(case: &Path) -> Vec<String> {
    vec![
        "--case".into(),
        case.display().to_string(),
        "--geoip".into(),
        "samples/geoip".into(),
        "samples/".into(),
    ]
}

#[test]
fn triage_journey_on_the_samples_survives_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let args = case_args(&case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("password_spray");
    t.wait_for("45.83.64.17");

    // Open the spray alert, pivot to its IP: the sprayed identities.
    // (`det:spray` also lists the slow and distributed sprays.)
    t.query("det:password_spray");
    t.wait_for("1 of");
    t.send("\r");
    t.wait_for("Why it fired");
    t.send("i");
    t.wait_for("identity tried");
    t.wait_for("AS9009");
    for who in [
        "adele.vance@contoso.com",
        "irvin.sayers@contoso.com",
        "alex.wilber@contoso.com",
    ] {
        t.wait_for(who);
    }

    // Pivot to a user's timeline with an impossible hop: km and km/h on screen.
    t.query("det:travel user:nestor");
    t.wait_for("nestor.wilke@contoso.com");
    t.send("\r");
    t.wait_for("Why it fired");
    t.send("u");
    t.wait_for("↳ hop US → NG");
    t.wait_for("km/h");
    t.wait_for("IMPOSSIBLE");

    // Back on the alert: false positive with a note.
    t.esc();
    t.wait_for("Why it fired");
    t.send("F");
    t.wait_for("Mark FALSE POSITIVE");
    t.send("travel agent booking tool, known VPN exit");
    t.send("\r");
    t.wait_for("✓ false_positive");
    t.wait_for("verdict false_positive");

    // Allowlist the spray IP with a note (Tab ×3 reaches the note field).
    t.query("det:password_spray");
    t.wait_for("1 of");
    t.send("A");
    t.wait_for("Suppress findings matching:");
    t.wait_for("(•) ip       45.83.64.17");
    t.send("\t\t\t");
    t.send("red team exercise RT-7");
    t.send("\r");
    t.wait_for("allowlisted ip 45.83.64.17");
    t.wait_for("0 of");

    let (ok, raw, alt) = t.quit();
    assert!(ok, "hunt should exit 0 on q");
    assert!(
        raw.contains("\x1b[?1049h") && raw.contains("\x1b[?1049l"),
        "entered and left the alternate screen"
    );
    assert!(!alt, "the terminal is back on the main screen");

    // Again: the verdict and the suppression are in the case.
    let mut t = Tui::start(&args, &[], home.path());
    // (the detector column shows short names once the verdict column takes its room)
    t.wait_for("Impossible travel for");
    assert!(
        !t.screen().contains("password_spray") && !t.screen().contains("Password spray with"),
        "the allowlisted spray stays hidden"
    );
    t.query("det:travel user:nestor");
    t.wait_for("FP");
    t.query("det:password_spray");
    t.wait_for("0 of");
    t.send("x");
    t.wait_for("suppressed by allowlist entry #1: red team exercise RT-7");
    t.wait_for("⊘ red team");
    let (ok, _, _) = t.quit();
    assert!(ok);
}

#[test]
fn sigterm_restores_the_terminal_and_resize_relays_out() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let args = case_args(&case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("password_spray");
    // Wide layout first (full detector names), then 80 columns: short names and narrow headers.
    t.resize(24, 80);
    t.wait_for("user / ip");
    t.wait_for("spray ");
    assert!(!t.screen().contains("password_spray"), "{}", t.screen());
    let pid = t.child.process_id().expect("pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    while t.child.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "hunt ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let raw = String::from_utf8_lossy(&t.raw.lock().unwrap()).into_owned();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(!t.parser.lock().unwrap().screen().alternate_screen());
}

#[test]
fn no_color_sends_no_colour_codes_but_keeps_reverse() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let args = case_args(&case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::start(&args, &[("NO_COLOR", "1")], home.path());
    t.wait_for("password_spray");
    t.send("j");
    t.wait_gone("Loading");
    let (ok, raw, _) = t.quit();
    assert!(ok);
    assert!(
        !raw.contains("\x1b[38;5;") && !raw.contains("\x1b[48;5;"),
        "256-colour codes under NO_COLOR"
    );
    assert!(raw.contains("\x1b[7m"), "the selection is still reversed");
}

#[test]
fn logs_on_stdin_and_keys_from_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let case = case.display().to_string();
    // stdin is a file; keys must come from the terminal (/dev/tty).
    let script = format!(
        "exec {} --case {case} - < samples/entra/SigninLogs.ndjson",
        env!("CARGO_BIN_EXE_hunt")
    );
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new("sh");
    cmd.args(["-c", &script]);
    cmd.cwd(root());
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let writer = pair.master.take_writer().unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(ROWS).unwrap(),
        NonZeroU16::new(COLS).unwrap(),
        0,
    )));
    let raw = Arc::new(Mutex::new(Vec::new()));
    let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
            r.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut t = Tui {
        parser,
        raw,
        writer,
        child,
        master: None,
    };
    t.wait_for("password_spray");
    t.send("e");
    t.wait_for("All events");
    let (ok, _, alt) = t.quit();
    assert!(ok && !alt);
}

/// The critical findings `hunt scan` reports on the samples (ids).
fn critical_findings() -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .current_dir(root())
        .env_remove("HUNT_CASE")
        .args([
            "scan",
            "--output",
            "jsonl",
            "--geoip",
            "samples/geoip",
            "samples/",
        ])
        .output()
        .unwrap();
    assert!(
        out.stdout.len() > 1000,
        "hunt scan: {} {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["severity"] == "critical" && v["suppressed"] != true)
        .filter_map(|v| v["id"].as_str().map(String::from))
        .collect()
}

#[test]
fn a_spray_with_success_incident_is_judged_in_bulk_and_handed_off_and_survives_a_kill() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let handoff = home.path().join("handoff.md");
    let args = case_args(&case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("password_spray");

    // From the spray alert to its incident: the chain, in time order.
    t.query("det:password_spray");
    t.wait_for("1 of");
    t.send("I");
    t.wait_for("Incident inc-");
    t.wait_for("Spray with success from 45.83.64.17");
    let screen = t.screen();
    // The chain's rows: step number, time, severity, detector, entity, events.
    let steps: Vec<&str> = screen
        .lines()
        .filter(|l| {
            let mut w = l.split_whitespace();
            w.next()
                .is_some_and(|n| n.len() <= 3 && n.parse::<u32>().is_ok())
                && w.next().is_some_and(|d| d.len() == 10 && d.contains('-'))
        })
        .collect();
    let detectors: Vec<&str> = steps
        .iter()
        .filter_map(|l| l.split_whitespace().nth(4))
        .collect();
    assert_eq!(
        detectors,
        ["spray", "hosting", "hosting", "session", "hosting", "inbox"],
        "the chain in time order:\n{screen}"
    );
    let times: Vec<String> = steps
        .iter()
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(screen.contains("status new · owner nobody"), "{screen}");

    // Bulk: every finding of the incident true positive, with a note; take it on.
    t.send("T");
    t.wait_for("findings:");
    t.send("confirmed compromise, reset and revoked");
    t.send("\r");
    t.wait_for("true_positive: 6 items");
    t.send("w");
    t.wait_for("status active · owner e2e-analyst");

    // The hand-off from the TUI.
    t.send(":");
    t.send(&format!("export {}", handoff.display()));
    t.send("\r");
    t.wait_for("hand-off written to");
    let md = std::fs::read_to_string(&handoff).unwrap();
    let decided = md.find("## Decided").expect("a decided section");
    let (open, decided) = md.split_at(decided);
    let judged = hunt::triage::Case::open_read_only(&case)
        .unwrap()
        .latest_verdicts()
        .unwrap();
    assert_eq!(judged.len(), 6);
    let critical = critical_findings();
    assert!(
        critical.iter().any(|id| judged.contains_key(id))
            && critical.iter().any(|id| !judged.contains_key(id)),
        "the samples have critical findings in and out of the incident: {critical:?}"
    );
    for id in critical {
        if judged.contains_key(&id) {
            assert!(decided.contains(&id), "judged {id} not in Decided:\n{md}");
        } else {
            assert!(
                open.contains(&id),
                "untriaged critical {id} not in Open work:\n{md}"
            );
        }
    }
    assert!(
        decided.contains("**Verdict: true_positive** by e2e-analyst")
            && decided.contains("confirmed compromise, reset and revoked"),
        "{md}"
    );

    // SIGKILL: every change shown as saved is in the case.
    let pid = t.child.process_id().expect("pid");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    while t.child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(50));
    }
    let c = hunt::triage::Case::open(&case).unwrap();
    assert_eq!(c.latest_verdicts().unwrap().len(), 6);
    let states = c.work_states().unwrap();
    let active: Vec<_> = states
        .iter()
        .filter(|((k, id), w)| {
            *k == hunt::triage::Target::Incident
                && id.starts_with("inc-")
                && w.status == hunt::triage::workflow::Status::Active
                && w.owner.as_deref() == Some("e2e-analyst")
        })
        .collect();
    assert_eq!(active.len(), 1, "{states:?}");
}

/// All unsuppressed finding ids of `hunt scan` on the samples.
fn open_findings_of_scan() -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .current_dir(root())
        .env_remove("HUNT_CASE")
        .args([
            "scan",
            "--output",
            "jsonl",
            "--geoip",
            "samples/geoip",
            "samples/",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["suppressed"] != true)
        .filter_map(|v| v["id"].as_str().map(String::from))
        .collect()
}

fn export_markdown(home: &Path, case: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .current_dir(root())
        .env_remove("HUNT_CASE")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["case", "--case"])
        .arg(case)
        .args(["export", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A shift spent only in the workbench: the hand-off lists its open work
/// (it said "Nothing open" and "Last scan recorded: none" when only
/// `hunt scan --case` recorded a session).
#[test]
fn a_workbench_only_shift_hands_off_its_open_work() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let args = case_args(&case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let expected = open_findings_of_scan();
    assert!(expected.len() > 10, "{expected:?}");

    // Before any session: the export does not claim that nothing is open.
    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("password_spray");
    t.query("det:travel user:nestor");
    t.wait_for("nestor.wilke@contoso.com");
    t.send("\r");
    t.wait_for("Why it fired");
    t.send("F");
    t.wait_for("Mark FALSE POSITIVE");
    t.send("travel agent");
    t.send("\r");
    t.wait_for("✓ false_positive");
    let (ok, _, _) = t.quit();
    assert!(ok);

    let md = export_markdown(home.path(), &case);
    assert!(!md.contains("Nothing open"), "{md}");
    assert!(md.contains("by the workbench (e2e-analyst)"), "{md}");
    let untriaged = format!("### Untriaged findings ({})", expected.len() - 1);
    assert!(md.contains(&untriaged), "want {untriaged}:\n{md}");
    for id in &expected {
        assert!(md.contains(id.as_str()), "{id} missing:\n{md}");
    }

    // Killed without a quit: what the load recorded is still there.
    let case2 = home.path().join("case2.sqlite");
    let args = case_args(&case2);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("password_spray");
    std::thread::sleep(Duration::from_millis(1500));
    t.child.kill().unwrap();
    let _ = t.child.wait();
    let md = export_markdown(home.path(), &case2);
    let untriaged = format!("### Untriaged findings ({})", expected.len());
    assert!(md.contains(&untriaged), "want {untriaged}:\n{md}");
}

/// Without any recorded session the export says it cannot tell.
#[test]
fn an_unrecorded_case_never_says_nothing_is_open() {
    let home = tempfile::tempdir().unwrap();
    let case = home.path().join("case.sqlite");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env_remove("HUNT_CASE")
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["case", "--case"])
        .arg(&case)
        .args(["verdict", "95b976381eba7edd", "true_positive"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = export_markdown(home.path(), &case);
    assert!(!md.contains("Nothing open"), "{md}");
    assert!(
        md.contains("no scan or workbench session is recorded"),
        "{md}"
    );
}

#[test]
fn why_not_and_set_on_the_ssh_bf_burst_through_the_binary() {
    // The CrowdSec-style burst: six `Invalid user` lines seconds apart.
    let home = tempfile::tempdir().unwrap();
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let text: String = (1..=6)
        .map(|i| format!("Dec  7 10:02:1{i} sd-126005 sshd[12422]: Invalid user netflix from 1.1.1.172 port 35424\n"))
        .collect();
    std::fs::write(logs.join("auth.log"), text).unwrap();
    let cfg = home.path().join("hunt.toml");
    std::fs::write(&cfg, "# mine\n[ui]\ntheme = \"default\"\n").unwrap();
    let case = home.path().join("case.sqlite");
    let (cfg_s, case_s, logs_s) = (
        cfg.display().to_string(),
        case.display().to_string(),
        logs.display().to_string(),
    );
    let args = [
        "--year", "2026", "--config", &cfg_s, "--case", &case_s, &logs_s,
    ];
    let mut t = Tui::start(&args, &[], home.path());
    t.wait_for("6 events");
    t.send(":");
    t.send("ip 1.1.1.172\r");
    t.wait_for("1.1.1.172");
    t.send("W");
    t.wait_for("why not · IP 1.1.1.172");
    t.wait_for("6 of 10 failures within 10m");
    t.send("q");
    t.wait_gone("why not ·");
    t.send(":");
    t.send("set brute_force.min_failures 5\r");
    t.wait_for("what if brute_force.min_failures 10 → 5");
    t.wait_for("1 would appear");
    t.send("\r");
    t.wait_for("kept brute_force.min_failures 10 → 5");
    let written = std::fs::read_to_string(&cfg).unwrap();
    assert!(written.starts_with("# mine\n"), "{written}");
    assert!(
        written.contains("# min_failures 10 → 5: set by e2e-analyst at ")
            && written.contains("min_failures = 5"),
        "{written}"
    );
    t.send("a");
    t.wait_for("netflix");
    let (ok, _, _) = t.quit();
    assert!(ok);
}
