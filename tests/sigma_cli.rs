//! Sigma rules through the real binary: `[sigma] paths` in the config and
//! `--rules` both load rules (`hunt config` lists them); a bad rule is
//! reported on stderr naming the file, rule and field, the other rules'
//! findings are still printed, and the run exits 2 like an unreadable input.

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hunt(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("HUNT_CASE");
    c
}

#[test]
fn config_paths_load_rules_and_hunt_config_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("hunt.toml");
    let rules = root().join("samples/rules");
    std::fs::write(
        &cfg,
        format!(
            "[sigma]\npaths = [{:?}]\nburst_gap = \"30m\"\n",
            rules.display().to_string()
        ),
    )
    .unwrap();
    let out = hunt(dir.path())
        .arg("config")
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("[sigma]") && text.contains("burst_gap = \"30m\""),
        "{text}"
    );
    assert!(
        text.contains("sigma:3c0f5f5e-7a3b-4b3e-9a57-1b0d1a7e0003 high Entra password spray"),
        "{text}"
    );
    let out = hunt(dir.path())
        .args(["scan", "-o", "jsonl", "--config"])
        .arg(&cfg)
        .arg(root().join("samples/entra"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("\"detector\":\"sigma:3c0f5f5e-7a3b-4b3e-9a57-1b0d1a7e0003\""));
}

#[test]
fn a_bad_rule_is_reported_and_the_rest_still_fire() {
    let dir = tempfile::tempdir().unwrap();
    let out = hunt(dir.path())
        .args(["scan", "-o", "jsonl", "--rules"])
        .arg(root().join("tests/sigma/bad"))
        .arg("--rules")
        .arg(root().join("samples/rules/entra_legacy_imap.yml"))
        .arg(root().join("samples/entra"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad_rules.yml")
            && stderr.contains("A rule with a broken regex")
            && stderr.contains("field `UserAgent`"),
        "{stderr}"
    );
    assert!(
        stdout.contains("sigma:3c0f5f5e-7a3b-4b3e-9a57-1b0d1a7e0001"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"detector\":\"password_spray\""),
        "built-ins still run"
    );
}
