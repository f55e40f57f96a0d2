//! sshd syslog through the binary: a peer logged as a host name is kept as
//! the event's source host (never as its address), and the year of
//! year-less stamps comes from `--year`, from `[ingest] syslog_year`, or is
//! assumed and announced once per input on stderr.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn hunt(args: &[&str]) -> (Vec<Value>, String) {
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "hunt {args:?}: {stderr}");
    let rows = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rows, stderr)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn a_peer_logged_as_a_name_is_the_source_host_not_an_address() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "auth.log",
        "2024-03-05T10:00:01+00:00 srv sshd[100]: Failed password for root from example.com port 22 ssh2\n\
         2024-03-05T10:00:02+00:00 srv sshd[101]: Invalid user x from gw.example.org port 4242\n\
         2024-03-05T10:00:03+00:00 srv sshd[102]: User bob from host.example.net not allowed because not listed in AllowUsers\n\
         2024-03-05T10:00:04+00:00 srv sshd[103]: Failed password for eve from bad.example.com port 22 ssh2: from 198.51.100.9 port 22 ssh2\n\
         2024-03-05T10:00:05+00:00 srv sshd[104]: Failed password for carol from 192.0.2.7 port 22 ssh2\n",
    );
    let (rows, err) = hunt(&["events", &log]);
    let got: Vec<(&str, Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["ip"].clone(),
                r["extra"].clone(),
            )
        })
        .collect();
    let host = |h: &str| serde_json::json!({ "host": h });
    assert_eq!(
        got,
        [
            ("root", Value::Null, host("example.com")),
            ("x", Value::Null, host("gw.example.org")),
            ("bob", Value::Null, host("host.example.net")),
            // The client text after `ssh2:` never becomes the address.
            ("eve", Value::Null, host("bad.example.com")),
            ("carol", Value::from("192.0.2.7"), Value::Null),
        ],
        "{err}"
    );
    // CSV carries it too.
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .args(["events", "--output", "csv", &log])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains(r#""{""host"":""gw.example.org""}""#), "{csv}");
}

const YEARLESS: &str =
    "Mar  5 10:00:01 srv sshd[100]: Failed password for root from 192.0.2.1 port 22 ssh2\n\
Mar  5 10:00:02 srv sshd[101]: Failed password for admin from 192.0.2.1 port 22 ssh2\n";

fn years(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["time"].as_str().unwrap().get(..4).unwrap().to_string())
        .collect()
}

#[test]
fn the_year_of_yearless_stamps_is_set_or_announced() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "auth.log", YEARLESS);
    let b = write(dir.path(), "secure", &YEARLESS.replace("srv", "bastion"));
    let notice = "syslog lines carry no year; assumed";

    let (rows, err) = hunt(&["events", "--year", "2023", &a]);
    assert_eq!(years(&rows), ["2023", "2023"], "{err}");
    assert_eq!(rows[0]["time"], "2023-03-05T10:00:01Z");
    assert!(!err.contains(notice), "{err}");

    let conf = write(dir.path(), "hunt.toml", "[ingest]\nsyslog_year = 2023\n");
    let (rows, err) = hunt(&["events", "--config", &conf, &a]);
    assert_eq!(years(&rows), ["2023", "2023"], "{err}");
    assert!(!err.contains(notice), "{err}");
    // `--year` wins over the config.
    let (rows, _) = hunt(&["events", "--config", &conf, "--year", "2021", &a]);
    assert_eq!(years(&rows), ["2021", "2021"]);

    // Neither: the year is guessed, and said once per input (two lines each).
    for cmd in ["events", "scan"] {
        let (_, err) = hunt(&[cmd, &a, &b]);
        for input in [&a, &b] {
            let said = err
                .lines()
                .filter(|l| l.contains(notice) && l.contains(input.as_str()))
                .count();
            assert_eq!(said, 1, "{cmd} {input}: {err}");
        }
    }
    // An input whose stamps carry their year says nothing.
    let dated = write(
        dir.path(),
        "dated.log",
        "2024-03-05T10:00:01+00:00 srv sshd[100]: Failed password for root from 192.0.2.1 port 22 ssh2\n",
    );
    let (rows, err) = hunt(&["events", &dated]);
    assert_eq!(years(&rows), ["2024"]);
    assert!(!err.contains(notice), "{err}");
}
