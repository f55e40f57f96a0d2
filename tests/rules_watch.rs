//! The Sigma rule development loop through the real binary: `hunt rules
//! watch --rules DIR PATH…` says what the rules match, then, as a rule file
//! is edited, the matches gained; when the edit breaks the rule, where it
//! fails to load; when it is fixed again, that it loads again.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lines of the child's stdout until one satisfies `done` (or 60 s pass).
fn until(rx: &mpsc::Receiver<String>, done: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let stop = done(&line);
                seen.push(line);
                if stop {
                    return seen;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    panic!("timed out; saw:\n{}", seen.join("\n"));
}

#[test]
fn editing_a_rule_shows_its_new_matches_and_a_broken_rule_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let original =
        std::fs::read_to_string(root().join("samples/rules/entra_legacy_imap.yml")).unwrap();
    let rule = rules.join("imap.yml");
    std::fs::write(&rule, &original).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("HUNT_CASE")
        .args(["rules", "watch", "--rules"])
        .arg(&rules)
        .arg(root().join("samples/entra"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = until(&rx, |l| l.starts_with("watching "));
    assert!(
        first[0].starts_with("1 detection rule loaded, evaluated on ")
            && first[0].ends_with(": 1 match"),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|l| l.contains("\"Entra sign-in over IMAP with a single factor\": 1 match")),
        "{first:?}"
    );

    // Change the rule: desktop clients, whatever their factors.
    std::fs::write(
        &rule,
        original.replace(
            "ClientAppUsed: IMAP4\n        AuthenticationRequirement: singleFactorAuthentication\n",
            "ClientAppUsed: 'Mobile Apps and Desktop clients'\n",
        ),
    )
    .unwrap();
    let widened = until(&rx, |l| l.starts_with("~ rule "));
    let line = widened.last().unwrap();
    assert!(line.contains("1 → "), "{widened:?}");
    let gained: usize = line
        .rsplit_once("(+")
        .and_then(|(_, r)| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(gained >= 1, "{line}");
    let records = until(&rx, |l| l.starts_with("    + "));
    assert!(
        records.last().unwrap().contains("SigninLogs"),
        "{records:?}"
    );

    // Break it: the rule is gone and the YAML error says where.
    std::fs::write(&rule, original.replace("detection:\n", "detection: [\n")).unwrap();
    let broken = until(&rx, |l| l.starts_with("✗ does not load: "));
    let why = broken.last().unwrap();
    assert!(why.contains("imap.yml"), "{why}");
    assert!(why.contains("line"), "the YAML error names its line: {why}");
    assert!(
        broken.iter().any(|l| l.starts_with("- rule 3c0f5f5e")),
        "{broken:?}"
    );

    // Fixed again: it loads again with its first match.
    std::fs::write(&rule, &original).unwrap();
    let fixed = until(&rx, |l| l.starts_with("✓ loads again: "));
    assert!(
        fixed
            .iter()
            .any(|l| l.starts_with("+ rule 3c0f5f5e") && l.ends_with(": 1 match")),
        "{fixed:?}"
    );

    child.kill().unwrap();
    child.wait().unwrap();
}
