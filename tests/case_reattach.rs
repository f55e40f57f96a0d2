//! Verdicts re-attach by stable finding id (SPEC §8): judge the findings of a
//! scan, scan the same logs again, and scan them together with more logs;
//! every judged finding comes back with its verdict, and the case's snapshots
//! are filled in from the scan. Uses real corpus logs through the binary, so
//! it needs the sshd parser and the detectors that fire on them.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn corpus(rel: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for base in ["../shared/corpus", "../../shared/corpus"] {
        let p = root.join(base).join(rel);
        if p.exists() {
            return p;
        }
    }
    panic!("corpus file {rel} not found next to the crate");
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn hunt(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hunt"));
        let config = self.dir.path().join("config.toml");
        c.env_remove("HUNT_CASE")
            .env("USER", "dave")
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .arg(args[0])
            .arg("--case")
            .arg(self.dir.path().join("case.sqlite"))
            .arg("--config")
            .arg(config)
            .args(&args[1..]);
        c
    }

    /// Findings of `hunt scan --include-suppressed -o jsonl` by id.
    fn scan(&self, logs: &[&Path]) -> HashMap<String, Value> {
        let mut args = vec!["scan", "--include-suppressed", "-o", "jsonl"];
        let logs: Vec<String> = logs.iter().map(|p| p.display().to_string()).collect();
        args.extend(logs.iter().map(String::as_str));
        let out = self.hunt(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|v| (v["id"].as_str().unwrap().to_string(), v))
            .collect()
    }
}

#[test]
fn verdicts_reattach_on_rescan_and_with_more_logs() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    // Syslog lines have no year: pin it so ids do not depend on file times.
    std::fs::write(
        env.dir.path().join("config.toml"),
        "[ingest]\nsyslog_year = 2024\n",
    )
    .unwrap();
    let base = corpus("sshd/loghub/OpenSSH_2k.log");
    let more = corpus("sshd/loghub/Linux_2k.log");

    let first = env.scan(&[&base]);
    assert!(
        !first.is_empty(),
        "no findings from {} (the sshd parser and brute-force detectors must be present)",
        base.display()
    );
    assert!(first.values().all(|f| f["verdict"].is_null()));

    let classes = [
        "true_positive",
        "benign_positive",
        "false_positive",
        "undetermined",
    ];
    let mut judged: Vec<(String, &str)> = Vec::new();
    let mut ids: Vec<&String> = first.keys().collect();
    ids.sort();
    for (i, id) in ids.into_iter().take(8).enumerate() {
        let class = classes[i % classes.len()];
        let note = format!("judged #{i}");
        env.hunt(&["case", "verdict", id, class, "--note", &note])
            .assert()
            .success();
        judged.push((id.clone(), class));
    }

    let again = env.scan(&[&base]);
    let mut a: Vec<&String> = again.keys().collect();
    let mut b: Vec<&String> = first.keys().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same logs give the same finding ids");
    for (id, class) in &judged {
        assert_eq!(again[id]["verdict"]["class"], *class, "{id}");
        assert_eq!(again[id]["verdict"]["analyst"], "dave");
    }

    let together = env.scan(&[&base, &more]);
    assert!(together.len() >= first.len());
    for (id, class) in &judged {
        let f = together
            .get(id)
            .unwrap_or_else(|| panic!("{id} lost when more logs were added"));
        assert_eq!(f["verdict"]["class"], *class);
    }
    let unjudged = together
        .iter()
        .filter(|(id, _)| !judged.iter().any(|(j, _)| j == *id));
    assert!(unjudged.into_iter().all(|(_, f)| f["verdict"].is_null()));

    // The scans filled in the snapshots of the judged findings.
    let out = env
        .hunt(&["case", "export", "--format", "json"])
        .output()
        .unwrap();
    let export: Value = serde_json::from_slice(&out.stdout).unwrap();
    for f in export["findings"].as_array().unwrap() {
        let id = f["finding_id"].as_str().unwrap();
        assert_eq!(f["detector"], first[id]["detector"], "{id}");
        assert_eq!(f["title"], first[id]["title"], "{id}");
    }
}
