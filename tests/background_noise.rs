//! Internet background noise on an sshd host: scanners that each try
//! generic or non-existent names and never get in are rolled into one low
//! "background scanning" incident per host and day; an address that tried
//! a real account, or later got in, keeps its own alert.

use serde_json::Value;
use std::process::Command;

/// 30 scanner addresses, 25 attempts each, 20 minutes apart (slow sprays);
/// 203.0.113.1 also tries `alice` (a real account), 203.0.113.2 gets in.
fn log() -> String {
    let names: Vec<String> = ["root", "admin", "test", "oracle"]
        .iter()
        .map(|s| s.to_string())
        .chain((0..30).map(|i| format!("zz{i}")))
        .collect();
    let mut lines: Vec<(i64, String)> = Vec::new();
    let mut pid = 1000;
    for a in 0..30i64 {
        let ip = format!("203.0.113.{}", a + 1);
        for k in 0..25i64 {
            let t = a * 60 + k * 1200;
            let ts = format!(
                "2026-11-01T{:02}:{:02}:{:02}Z",
                t / 3600,
                t / 60 % 60,
                t % 60
            );
            let mut n = names[((a + k) as usize) % names.len()].as_str();
            if a == 0 && k == 3 {
                n = "alice";
            }
            pid += 1;
            if n.starts_with("zz") {
                lines.push((
                    t,
                    format!("{ts} web01 sshd[{pid}]: Invalid user {n} from {ip} port {k}"),
                ));
                lines.push((t, format!("{ts} web01 sshd[{pid}]: Failed password for invalid user {n} from {ip} port {k} ssh2")));
            } else {
                lines.push((
                    t,
                    format!(
                        "{ts} web01 sshd[{pid}]: Failed password for {n} from {ip} port {k} ssh2"
                    ),
                ));
            }
            lines.push((
                t,
                format!("{ts} web01 sshd[{pid}]: Connection closed by {ip} port {k} [preauth]"),
            ));
        }
    }
    lines.push((36000, "2026-11-01T10:00:00Z web01 sshd[9999]: Accepted password for root from 203.0.113.2 port 5555 ssh2".into()));
    lines.sort_by_key(|l| l.0);
    lines.into_iter().map(|l| l.1 + "\n").collect()
}

fn scan(args: &[&str]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_hunt"))
        .arg("scan")
        .args(args)
        .output()
        .expect("hunt runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn scanners_roll_into_one_low_incident_and_real_attempts_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.log");
    std::fs::write(&path, log()).unwrap();
    let p = path.to_str().unwrap();
    let incidents = scan(&["--incidents", p]);
    let bg: Vec<&Value> = incidents
        .iter()
        .filter(|i| !i["background"].is_null())
        .collect();
    assert_eq!(bg.len(), 1, "one roll-up: {incidents:?}");
    let b = bg[0];
    assert_eq!(b["severity"], "low");
    assert_eq!(b["background"]["host"], "web01");
    assert_eq!(b["background"]["day"], "2026-11-01");
    assert_eq!(b["background"]["addresses"], 28);
    assert_eq!(b["background"]["attempts"], 28 * 25);
    assert!(b["title"]
        .as_str()
        .unwrap()
        .starts_with("Background scanning of web01 on 2026-11-01: 28 addresses"));
    let ips: Vec<&str> = b["ips"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!ips.contains(&"203.0.113.1"), "tried a real account");
    assert!(!ips.contains(&"203.0.113.2"), "got in");
    // Every rolled address is one step away: each is a finding of the roll-up.
    assert_eq!(b["finding_count"], 28);

    let findings = scan(&[p]);
    let of = |ip: &str| -> Vec<&Value> {
        findings
            .iter()
            .filter(|f| f["ip"] == ip && f["detector"] == "slow_spray")
            .collect()
    };
    let id = b["id"].as_str().unwrap();
    assert_eq!(of("203.0.113.7")[0]["incident"], id);
    assert_ne!(of("203.0.113.1")[0]["incident"], id);
    assert_ne!(of("203.0.113.2")[0]["incident"], id);

    // Switched off, nothing is rolled up.
    let cfg = dir.path().join("hunt.toml");
    std::fs::write(&cfg, "[incidents.background]\nenabled = false\n").unwrap();
    let off = scan(&["--config", cfg.to_str().unwrap(), "--incidents", p]);
    assert!(off.iter().all(|i| i["background"].is_null()), "{off:?}");
}
