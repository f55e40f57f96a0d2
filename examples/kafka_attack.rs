//! Produces an Entra ID sign-in attack mix to a Kafka topic, as Event Hubs
//! delivers diagnostic settings (`{"records":[…]}`, arrays, single records,
//! some gzip-compressed payloads, every protocol compression), and writes
//! the same records as JSON lines for a reference `hunt scan`.
//!
//! ```text
//! cargo run --example kafka_attack -- produce BROKER TOPIC PARTITIONS REFERENCE.ndjson all|1|2
//! cargo run --example kafka_attack -- latency BROKER TOPIC HUNT_BINARY CASE ROUNDS
//! cargo run --example kafka_attack -- rate BROKER TOPIC MESSAGES
//! cargo run --example kafka_attack -- ends BROKER TOPIC
//! ```
//!
//! The mix: 40 staff signing in from the office, a password spray (one IP,
//! 30 users, one wrong password each, within 10 minutes) and two brute
//! forces (40 and 25 wrong passwords against one user each), records keyed
//! by user over the partitions.

use rskafka::client::partition::{Compression, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::Record;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

fn signin(t: chrono::DateTime<chrono::Utc>, user: &str, ip: &str, code: u32, id: &str) -> Value {
    let time = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "time": time,
        "category": "SignInLogs",
        "operationName": "Sign-in activity",
        "properties": {
            "id": id,
            "createdDateTime": time,
            "userPrincipalName": user,
            "ipAddress": ip,
            "appDisplayName": "Office 365 Exchange Online",
            "clientAppUsed": "Browser",
            "isInteractive": true,
            "status": {"errorCode": code},
        }
    })
}

fn mix() -> Vec<Value> {
    let day = chrono::DateTime::parse_from_rfc3339("2026-11-18T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut rows = Vec::new();
    let staff: Vec<String> = (0..40)
        .map(|i| format!("user{i:02}@contoso.example"))
        .collect();
    for (i, u) in staff.iter().enumerate() {
        for k in 0..3 {
            let t = day + chrono::Duration::minutes((i * 7 + k * 130) as i64);
            rows.push(signin(t, u, "62.140.128.10", 0, &format!("bg-{i}-{k}")));
        }
    }
    let spray = day + chrono::Duration::hours(3);
    for (i, u) in staff.iter().take(30).enumerate() {
        let t = spray + chrono::Duration::seconds(i as i64 * 20);
        rows.push(signin(t, u, "185.220.101.7", 50126, &format!("spray-{i}")));
    }
    for (who, ip, n, at) in [
        ("adele.vance@contoso.example", "45.155.205.99", 40, 5),
        ("alex.wilber@contoso.example", "91.240.118.30", 25, 6),
    ] {
        let start = day + chrono::Duration::hours(at);
        for i in 0..n {
            let t = start + chrono::Duration::seconds(i * 9);
            rows.push(signin(t, who, ip, 50126, &format!("bf-{who}-{i}")));
        }
    }
    rows.sort_by(|a, b| a["time"].as_str().cmp(&b["time"].as_str()));
    rows
}

/// A client of `broker`; over TLS, trusting only the CA in the PEM file
/// `KAFKA_ATTACK_CA` names, when that variable is set (the TLS test).
async fn client(broker: &str) -> Client {
    let mut b = ClientBuilder::new(vec![broker.to_string()]);
    if let Ok(ca) = std::env::var("KAFKA_ATTACK_CA") {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&ca).expect("read the CA file") {
            roots
                .add(cert.expect("a PEM certificate"))
                .expect("a usable CA");
        }
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(provider))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        b = b.tls_config(std::sync::Arc::new(tls));
    }
    b.build().await.expect("connect to the broker")
}

/// One message: 1–5 records in one of the shapes Event Hubs pipelines use.
fn payload(recs: &[Value], shape: usize) -> Vec<u8> {
    let body = match (shape % 4, recs) {
        (0, [one]) => one.to_string(),
        (1, _) => Value::Array(recs.to_vec()).to_string(),
        _ => json!({ "records": recs }).to_string(),
    };
    if shape % 4 == 3 {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(body.as_bytes()).unwrap();
        gz.finish().unwrap()
    } else {
        body.into_bytes()
    }
}

fn record(value: Vec<u8>) -> Record {
    Record {
        key: None,
        value: Some(value),
        headers: BTreeMap::new(),
        timestamp: chrono::Utc::now(),
    }
}

const COMPRESSIONS: [Compression; 5] = [
    Compression::NoCompression,
    Compression::Gzip,
    Compression::Snappy,
    Compression::Lz4,
    Compression::Zstd,
];

/// Index of the first record of the second half: the middle of the first
/// brute force, so a run killed between the halves has seen half of it.
fn split(rows: &[Value]) -> usize {
    rows.iter()
        .position(|r| r["properties"]["id"] == "bf-adele.vance@contoso.example-20")
        .unwrap_or(rows.len() / 2)
}

/// `phase`: `all`, `1` (up to the middle of the first brute force) or `2`
/// (the rest, and five records of the first half again, as a producer
/// retrying after a lost acknowledgement sends them).
async fn produce(broker: &str, topic: &str, partitions: i32, reference: &str, phase: &str) {
    let c = client(broker).await;
    let ctl = c.controller_client().unwrap();
    // Already there from an earlier run: fine.
    let _ = ctl.create_topic(topic, partitions, 1, 5_000).await;
    let all = mix();
    let mut f = std::fs::File::create(reference).unwrap();
    for r in &all {
        writeln!(f, "{r}").unwrap();
    }
    let cut = split(&all);
    let rows: Vec<Value> = match phase {
        "1" => all[..cut].to_vec(),
        "2" => all[cut - 5..cut]
            .iter()
            .chain(&all[cut..])
            .cloned()
            .collect(),
        _ => all.clone(),
    };
    // Messages per partition (keyed by user), 1–5 records each.
    let mut per: BTreeMap<i32, Vec<Vec<u8>>> = BTreeMap::new();
    let mut i = 0;
    let mut shape = 0;
    while i < rows.len() {
        let user = rows[i]["properties"]["userPrincipalName"].as_str().unwrap();
        let p = (user.bytes().map(u32::from).sum::<u32>() % partitions as u32) as i32;
        let n = if shape % 4 == 0 { 1 } else { 1 + shape % 5 };
        let same: Vec<Value> = rows[i..]
            .iter()
            .take(n)
            .take_while(|r| r["properties"]["userPrincipalName"].as_str() == Some(user))
            .cloned()
            .collect();
        i += same.len();
        per.entry(p).or_default().push(payload(&same, shape));
        shape += 1;
    }
    let mut messages = 0;
    for (p, msgs) in per {
        let pc = c
            .partition_client(topic, p, UnknownTopicHandling::Retry)
            .await
            .unwrap();
        // Several messages per produce request: multi-record batches.
        for (k, chunk) in msgs.chunks(4).enumerate() {
            let recs = chunk.iter().cloned().map(record).collect();
            pc.produce(recs, COMPRESSIONS[k % COMPRESSIONS.len()])
                .await
                .unwrap();
            messages += chunk.len();
        }
    }
    println!("produced {} records in {messages} messages", rows.len());
}

/// Alert latency: for each round, 10 wrong passwords against a fresh user
/// (brute_force's threshold), timed from the produce of the tenth to the
/// finding line of the running `hunt scan -f`.
async fn latency(broker: &str, topic: &str, hunt: &str, case: &str, rounds: usize) {
    let c = client(broker).await;
    let _ = c
        .controller_client()
        .unwrap()
        .create_topic(topic, 1, 1, 5_000)
        .await;
    let pc = c
        .partition_client(topic, 0, UnknownTopicHandling::Retry)
        .await
        .unwrap();
    let url = format!("kafka://{broker}/{topic}?start=latest");
    let mut child = std::process::Command::new(hunt)
        .args(["scan", "-f", &url, "--case", case, "-o", "jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, String)>();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send((Instant::now(), line));
        }
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut ms = Vec::new();
    let now = chrono::Utc::now();
    for r in 0..rounds {
        let user = format!("victim{r}@contoso.example");
        let mut sent = Instant::now();
        for i in 0..10 {
            let t = now + chrono::Duration::seconds(r as i64 * 600 + i);
            let v = signin(t, &user, "45.155.205.99", 50126, &format!("lat-{r}-{i}"));
            sent = Instant::now();
            pc.produce(
                vec![record(v.to_string().into_bytes())],
                Compression::NoCompression,
            )
            .await
            .unwrap();
        }
        loop {
            let (at, line) = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("finding line");
            if line.contains("brute_force") && line.contains(&user) {
                ms.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    ms.sort_by(f64::total_cmp);
    let q = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "alert latency over {} brute forces: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        ms.len(),
        q(0.5),
        q(0.99),
        q(1.0)
    );
}

/// Fills a one-partition topic with MESSAGES single-record messages (for
/// the sustained-rate figure: `time hunt scan kafka://…`).
async fn rate(broker: &str, topic: &str, messages: usize) {
    let c = client(broker).await;
    let _ = c
        .controller_client()
        .unwrap()
        .create_topic(topic, 1, 1, 5_000)
        .await;
    let pc = c
        .partition_client(topic, 0, UnknownTopicHandling::Retry)
        .await
        .unwrap();
    let day = chrono::Utc::now();
    let mut batch = Vec::new();
    for i in 0..messages {
        let t = day + chrono::Duration::milliseconds(i as i64 * 50);
        let user = format!("user{:03}@contoso.example", i % 500);
        let v = signin(
            t,
            &user,
            "62.140.128.10",
            if i % 7 == 0 { 50126 } else { 0 },
            &format!("r-{i}"),
        );
        batch.push(record(v.to_string().into_bytes()));
        if batch.len() == 500 {
            pc.produce(std::mem::take(&mut batch), Compression::Lz4)
                .await
                .unwrap();
        }
    }
    pc.produce(batch, Compression::Lz4).await.unwrap();
    println!("produced {messages} messages");
}

/// Prints each partition's high watermark as JSON (`{"0":12,"1":9}`).
async fn ends(broker: &str, topic: &str) {
    let c = client(broker).await;
    let topics = c.list_topics().await.unwrap();
    let t = topics.into_iter().find(|t| t.name == topic).expect("topic");
    let mut out = serde_json::Map::new();
    for p in t.partitions {
        let pc = c
            .partition_client(topic, p, UnknownTopicHandling::Retry)
            .await
            .unwrap();
        let end = pc
            .get_offset(rskafka::client::partition::OffsetAt::Latest)
            .await
            .unwrap();
        out.insert(p.to_string(), json!(end));
    }
    println!("{}", Value::Object(out));
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    match arg(0) {
        "produce" => produce(arg(1), arg(2), arg(3).parse().unwrap_or(3), arg(4), arg(5)).await,
        "latency" => latency(arg(1), arg(2), arg(3), arg(4), arg(5).parse().unwrap_or(30)).await,
        "ends" => ends(arg(1), arg(2)).await,
        "rate" => rate(arg(1), arg(2), arg(3).parse().unwrap_or(100_000)).await,
        _ => {
            eprintln!("usage: kafka_attack produce|latency|rate …");
            std::process::exit(2);
        }
    }
}
