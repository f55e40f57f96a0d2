//! `hunt events` (issue 14 part 1) on the bundled samples: every output
//! format, checked structurally against `hunt scan` and the source files.

use arrow_array::{Array, Int32Array, Int64Array, RecordBatch, StringArray, StructArray};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

fn hunt(args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hunt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn events(format: &str) -> Vec<Value> {
    lines(&hunt(&[
        "events",
        "--geoip",
        "samples/geoip",
        "--output",
        format,
        "samples",
    ]))
}

/// The raw bytes a row points at.
fn raw(file: &str, offset: u64, len: u64) -> String {
    let bytes = std::fs::read(file).unwrap();
    let s = bytes
        .get(offset as usize..(offset + len) as usize)
        .unwrap_or_default();
    String::from_utf8_lossy(s).into_owned()
}

#[test]
fn jsonl_has_every_event_in_time_order_with_its_origin() {
    let rows = events("jsonl");
    // The scan's own count of events (after dedup) on the same input.
    let scan = Command::cargo_bin("hunt")
        .unwrap()
        .args(["scan", "--geoip", "samples/geoip", "samples"])
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&scan.stderr).into_owned();
    let count: usize = summary
        .split(" events")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(rows.len(), count, "{summary}");
    let times: Vec<i64> = rows
        .iter()
        .map(|r| r["time_ms"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "time order");
    // Every row with a line and length points at the record it came from.
    let mut checked = 0;
    for r in &rows {
        let (Some(file), Some(len)) = (r["file"].as_str(), r["length"].as_u64()) else {
            panic!("no origin: {r}");
        };
        if len == 0 || file.ends_with(".gz") || file.ends_with(".evtx") {
            continue;
        }
        let text = raw(file, r["offset"].as_u64().unwrap(), len);
        if let Some(ip) = r["ip"].as_str() {
            assert!(
                text.contains(ip),
                "{file} at {}: {text} lacks {ip}",
                r["offset"]
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
    // The column order is the documented one.
    let first = rows[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys[..3], ["time", "time_ms", "source"]);
}

#[test]
fn csv_has_the_header_and_one_row_per_event() {
    let out = String::from_utf8(hunt(&["events", "--output", "csv", "samples"])).unwrap();
    let mut it = out.lines();
    let header = it.next().unwrap();
    assert_eq!(header, hunt::export::model::COLUMNS.join(","));
    let jsonl = lines(&hunt(&["events", "samples"]));
    // Rows may span lines only inside quotes; the samples have none.
    assert_eq!(it.count(), jsonl.len());
}

#[test]
fn ocsf_lines_follow_the_mapping() {
    let rows = events("ocsf");
    let model = events("jsonl");
    assert_eq!(rows.len(), model.len());
    let mut classes = HashSet::new();
    for (o, m) in rows.iter().zip(&model) {
        let class = o["class_uid"].as_i64().unwrap();
        classes.insert(class);
        assert_eq!(
            o["type_uid"].as_i64().unwrap(),
            class * 100 + o["activity_id"].as_i64().unwrap()
        );
        assert_eq!(o["time"], m["time_ms"]);
        let status = match m["outcome"].as_str().unwrap() {
            "success" => 1,
            "failure" => 2,
            "interrupted" => 99,
            _ => 0,
        };
        assert_eq!(o["status_id"], status, "{o}");
        assert_eq!(o["unmapped"]["file"], m["file"]);
        assert_eq!(o["unmapped"]["offset"], m["offset"]);
        assert_eq!(o["src_endpoint"]["ip"].as_str(), m["ip"].as_str());
        let who = if class == 3002 {
            assert_eq!(m["kind"], "signin");
            assert_eq!(o["category_uid"], 3);
            &o["user"]["name"]
        } else {
            assert_eq!(class, 6003);
            assert_ne!(m["kind"], "signin");
            assert!(o["cloud"]["provider"].is_string());
            assert_eq!(o["api"]["operation"].as_str(), m["operation"].as_str());
            &o["actor"]["user"]["name"]
        };
        assert_eq!(who.as_str(), m["user"].as_str());
        assert_eq!(o["metadata"]["version"], "1.4.0");
        assert_eq!(
            o["src_endpoint"]["location"]["country"].as_str(),
            m["country"].as_str()
        );
        assert_eq!(
            o["src_endpoint"]["autonomous_system"]["number"].as_u64(),
            m["asn"].as_u64()
        );
    }
    assert_eq!(classes, HashSet::from([3002, 6003]));
}

fn child<'a>(s: &'a StructArray, name: &str) -> &'a dyn Array {
    s.column_by_name(name).unwrap().as_ref()
}

fn strings(a: &dyn Array) -> &StringArray {
    a.as_any().downcast_ref::<StringArray>().unwrap()
}

fn structs(a: &dyn Array) -> &StructArray {
    a.as_any().downcast_ref::<StructArray>().unwrap()
}

#[test]
fn parquet_reads_back_as_the_ocsf_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ev.parquet");
    hunt(&[
        "events",
        "--geoip",
        "samples/geoip",
        "--output",
        "parquet",
        "-o",
        path.to_str().unwrap(),
        "samples",
    ]);
    let ocsf = events("ocsf");
    let file = std::fs::File::open(&path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let meta = builder.metadata().clone();
    assert!(meta
        .row_groups()
        .iter()
        .all(|g| g.num_rows() as usize <= hunt::export::parquet::ROW_GROUP));
    let batches: Vec<RecordBatch> = builder.build().unwrap().map(|b| b.unwrap()).collect();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, ocsf.len());
    let mut i = 0;
    for b in &batches {
        let time = b
            .column_by_name("time")
            .unwrap()
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let class = b
            .column_by_name("class_uid")
            .unwrap()
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap();
        let src = structs(b.column_by_name("src_endpoint").unwrap().as_ref());
        let ip = strings(child(src, "ip"));
        let loc = structs(child(src, "location"));
        let country = strings(child(loc, "country"));
        let user = strings(child(
            structs(b.column_by_name("user").unwrap().as_ref()),
            "name",
        ));
        let unmapped = structs(b.column_by_name("unmapped").unwrap().as_ref());
        let client = strings(child(unmapped, "client_app"));
        let params = strings(child(unmapped, "params"));
        for r in 0..b.num_rows() {
            let o = &ocsf[i];
            let opt = |a: &StringArray| (!a.is_null(r)).then(|| a.value(r).to_string());
            assert_eq!(time.value(r), o["time"].as_i64().unwrap());
            assert_eq!(i64::from(class.value(r)), o["class_uid"].as_i64().unwrap());
            assert_eq!(opt(ip), o["src_endpoint"]["ip"].as_str().map(String::from));
            assert_eq!(
                opt(country),
                o["src_endpoint"]["location"]["country"]
                    .as_str()
                    .map(String::from)
            );
            assert_eq!(opt(user), o["user"]["name"].as_str().map(String::from));
            assert_eq!(
                opt(client),
                o["unmapped"]["client_app"].as_str().map(String::from)
            );
            assert_eq!(
                opt(params),
                o["unmapped"]["params"].as_str().map(String::from)
            );
            i += 1;
        }
    }
}

#[test]
fn timesketch_lists_the_findings_each_event_is_evidence_of() {
    let ts = events("timesketch");
    for line in &ts {
        assert!(line["message"].is_string());
        assert!(line["datetime"].as_str().unwrap().ends_with('Z'));
        assert!(line["timestamp_desc"].is_string());
    }
    let by_origin: HashMap<(String, u64), HashSet<String>> = ts
        .iter()
        .map(|l| {
            let ids = l["hunt_findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            (
                (
                    l["file"].as_str().unwrap().to_string(),
                    l["offset"].as_u64().unwrap(),
                ),
                ids,
            )
        })
        .collect();
    let findings = lines(&hunt(&[
        "scan",
        "--geoip",
        "samples/geoip",
        "--output",
        "jsonl",
        "samples",
    ]));
    assert!(findings.len() > 10);
    for f in &findings {
        let id = f["id"].as_str().unwrap();
        for e in f["evidence"].as_array().unwrap() {
            let key = (
                e["file"].as_str().unwrap().to_string(),
                e["offset"].as_u64().unwrap(),
            );
            let ids = by_origin.get(&key).unwrap();
            assert!(ids.contains(id), "{id} missing at {key:?}");
        }
    }
}

#[test]
fn spilling_to_disk_gives_the_same_output_as_sorting_in_memory() {
    let mem = hunt(&["events", "--geoip", "samples/geoip", "samples"]);
    let dir = tempfile::tempdir().unwrap();
    let spilled = hunt(&[
        "events",
        "--geoip",
        "samples/geoip",
        "--sort-buffer",
        "0",
        "--spill-dir",
        dir.path().to_str().unwrap(),
        "samples",
    ]);
    assert_eq!(
        String::from_utf8(spilled).unwrap(),
        String::from_utf8(mem).unwrap()
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "runs removed"
    );
}

#[test]
fn the_library_helper_gives_the_events_as_json() {
    let rows = hunt::export::run::events_json(&["samples/sshd".into()]).unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r["source"] == "sshd" && r["kind"] == "signin"));
    assert!(rows
        .iter()
        .any(|r| r["outcome"] == "failure" && r["client_app"] == "password"));
}

/// What issue 13's detectors read (the flags, protocol and transfer method)
/// reaches the OCSF rows, so the lake queries can see it (the samples plant
/// an enumeration, a push-bombing and ROPC/device-code sign-ins).
#[test]
fn ocsf_rows_carry_what_issue_13_detectors_read() {
    let rows = events("ocsf");
    let has = |key: &str, want: Value| rows.iter().any(|o| o["unmapped"][key] == want);
    assert!(has("no_such_user", Value::Bool(true)));
    assert!(has("mfa_denied", Value::Bool(true)));
    assert!(has("protocol", Value::from("ropc")));
    assert!(
        has("protocol", Value::from("deviceCode"))
            || has("transfer_method", Value::from("deviceCodeFlow"))
    );
    assert!(has("transfer_method", Value::from("deviceCodeFlow")));
}

#[test]
fn the_summary_does_not_claim_zero_findings_when_nothing_was_detected() {
    // `hunt events --output jsonl` runs no detector: its summary said
    // "0 findings", which reads as "nothing suspicious". Timesketch does
    // detect, and says how many it found.
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let run = |format: &str| {
        let out = Command::cargo_bin("hunt")
            .unwrap()
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .args(["events", "--output", format, "-o", "/dev/null"])
            .arg(&root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let plain = run("jsonl");
    assert!(
        plain.contains(" events, ") && !plain.contains("findings"),
        "{plain}"
    );
    let sketch = run("timesketch");
    assert!(sketch.contains(" findings"), "{sketch}");
    assert!(!sketch.contains(" 0 findings"), "{sketch}");
}

#[test]
fn jsonl_events_carry_the_entra_details_flags_and_protocol() {
    // The Entra sign-in details (app id, resource, status detail, ...), the
    // protocol and the issue-13 flags were in the event but not in hunt's
    // own export model.
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let rows = lines(&hunt(&[
        "events",
        "--output",
        "jsonl",
        root.join("entra").to_str().unwrap(),
    ]));
    assert!(
        rows.iter().any(|r| r["mfa_denied"] == true),
        "no MFA denial"
    );
    assert!(rows.iter().any(|r| r["no_such_user"] == true), "no 50034");
    assert!(
        rows.iter().any(|r| r["protocol"] == "ropc"),
        "no ROPC sign-in"
    );
    assert!(
        rows.iter()
            .any(|r| r["extra"].as_object().is_some_and(|o| !o.is_empty())
                || r["extra"].as_array().is_some_and(|a| !a.is_empty())),
        "no Entra details"
    );
}
