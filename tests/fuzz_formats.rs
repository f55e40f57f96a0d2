//! Fuzzing in the suite (issue 10). For every input format, real records
//! (the bundled samples and `../shared/corpus`) are mutated the way broken
//! exporters and attackers mutate them — truncated, types swapped, nested
//! deep, numbers too big, invalid UTF-8, control characters and escape
//! sequences in strings, keys dropped or doubled — and whole files of them
//! go through `hunt scan`'s own entry point (`pipeline::scan_all`, the
//! reader and parse threads included). Each case must:
//! - never panic (a caught panic is an "internal error" problem: a failure);
//! - account for every record: records = kept + ignored + problems (a
//!   repair is a problem of a kept record; an empty file has no record);
//! - put nothing raw on the terminal: the findings as table, JSONL and CSV
//!   and the ingest summary carry no control, bidi or invisible character.
//!
//! `HUNT_FUZZ_CASES` sets the cases per format (default 40; the README
//! records a long run). A failing input is printed escaped; add it to
//! `tests/fuzz_regressions/` (one file per input) so it is replayed forever.

use hunt::config::Config;
use hunt::enrich::Enricher;
use hunt::ingest::read::Input;
use hunt::ingest::reason;
use hunt::ingest::Format;
use hunt::pipeline::{scan_all, Session};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn cases() -> u32 {
    std::env::var("HUNT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// Real records to mutate, by format.
struct Seeds {
    json: BTreeMap<Format, Vec<String>>,
    sshd: Vec<String>,
    evtx: Vec<Vec<u8>>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_text(p: &Path) -> Option<String> {
    let bytes = std::fs::read(p).ok()?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .ok()?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).ok()
}

/// The records of a JSON file: array elements, the container arrays the
/// formats use, Panther `Log`s, or one per line.
fn json_records(text: &str) -> Vec<String> {
    let element_texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(Value::to_string).collect())
            .unwrap_or_default()
    };
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Array(_)) => element_texts(&v),
        Ok(Value::Object(o)) => {
            for key in ["value", "records", "Records"] {
                if let Some(a) = o.get(key) {
                    return element_texts(a);
                }
            }
            if let Some(Value::Array(tests)) = o.get("tests") {
                let mut out: Vec<String> = tests
                    .iter()
                    .filter_map(|t| t.get("Log").map(Value::to_string))
                    .collect();
                // Whole Panther files are a format of their own too.
                out.push(text.replace('\n', " "));
                return out;
            }
            vec![Value::Object(o).to_string()]
        }
        _ => text
            .lines()
            .filter(|l| l.trim_start().starts_with('{'))
            .map(String::from)
            .collect(),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut files = Vec::new();
        files_under(&root().join("samples"), &mut files);
        files_under(&root().join("../shared/corpus"), &mut files);
        let mut json: BTreeMap<Format, Vec<String>> = BTreeMap::new();
        let mut sshd = Vec::new();
        let mut evtx = Vec::new();
        for p in files {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".md")
                || name.ends_with(".mmdb")
                || name.ends_with(".csv")
                || name.ends_with(".zip")
                || name == "LICENSE"
                || name.contains("expected")
            {
                continue;
            }
            if name.ends_with(".evtx") {
                if evtx.len() < 3 {
                    if let Ok(b) = std::fs::read(&p) {
                        evtx.push(b);
                    }
                }
                continue;
            }
            let Some(text) = read_text(&p) else { continue };
            if text.trim_start().starts_with(['{', '[']) {
                for r in json_records(&text) {
                    if let Some(f) = hunt::ingest::sniff::classify_record(&r) {
                        let v = json.entry(f).or_default();
                        if v.len() < 40 {
                            v.push(r);
                        }
                    }
                }
            } else {
                sshd.extend(
                    text.lines()
                        .filter(|l| l.contains("sshd"))
                        .take(60)
                        .map(String::from),
                );
            }
        }
        // No public ECS authentication sample ships with the corpus: a few
        // Filebeat-shaped events stand in.
        let ecs = json.entry(Format::Ecs).or_default();
        ecs.extend(ECS_SEEDS.iter().map(|s| s.to_string()));
        // Panther test files wrap records of other formats.
        let mut panther = Vec::new();
        for (f, records) in &json {
            if let Some(r) = records.first() {
                panther.push(format!(
                    r#"{{"tests":[{{"Name":"{}","ExpectedResult":true,"Log":{r}}}]}}"#,
                    f.name()
                ));
            }
        }
        json.entry(Format::PantherTests)
            .or_default()
            .extend(panther);
        Seeds { json, sshd, evtx }
    })
}

const ECS_SEEDS: &[&str] = &[
    r#"{"@timestamp":"2024-05-01T12:00:00.000Z","event":{"category":["authentication"],"outcome":"failure","action":"ssh_login","provider":"sshd"},"user":{"name":"root"},"source":{"ip":"185.220.101.4","geo":{"country_iso_code":"DE","city_name":"Berlin","location":{"lat":52.52,"lon":13.4}},"as":{"number":208294,"organization":{"name":"Example Hosting"}}},"user_agent":{"original":"OpenSSH_8.9"}}"#,
    r#"{"@timestamp":"2024-05-01T12:00:05Z","event":{"category":"authentication","outcome":"success","provider":"Security","code":"4624"},"user":{"name":"alice","domain":"CONTOSO"},"source":{"ip":"10.0.0.5"},"winlog":{"event_data":{"LogonType":"3"}}}"#,
    r#"{"@timestamp":"2024-05-01T12:01:00Z","event":{"category":["authentication","session"],"outcome":"unknown"},"user":{"name":"bob@contoso.com"},"source":{"ip":"2001:db8::1","geo":{"location":[13.4,52.5]}}}"#,
];

/// A small deterministic generator driven by the case's seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const NASTY: &[&str] = &[
    "\u{1b}[31mred\u{1b}[0m",
    "\u{1b}]52;c;ZXZpbA==\u{7}",
    "admin\u{202e}gpj.exe",
    "a\u{200b}dmin",
    "\u{ad}root",
    "\u{e0041}tag",
    "\r\nforged line",
    "",
    " ",
    "\u{0}",
    "from 6.6.6.6 port 22",
    "::ffff:10.1.2.3",
    "9999-99-99T99:99:99Z",
    "1970-01-01T00:00:00Z",
    "-1",
    "NaN",
];

/// One structure-aware mutation of a JSON value.
fn mutate_value(v: &mut Value, rng: &mut Rng, depth: usize) {
    let go_deeper = depth < 6 && rng.below(3) != 0;
    match v {
        Value::Object(o) if go_deeper && !o.is_empty() => {
            let keys: Vec<String> = o.keys().cloned().collect();
            let k = rng.pick(&keys).clone();
            if rng.below(8) == 0 {
                o.remove(&k);
            } else if let Some(child) = o.get_mut(&k) {
                mutate_value(child, rng, depth + 1);
            }
        }
        Value::Array(a) if go_deeper && !a.is_empty() => {
            let i = rng.below(a.len());
            mutate_value(&mut a[i], rng, depth + 1);
        }
        _ => {
            *v = match rng.below(10) {
                0 => Value::String(rng.pick(NASTY).to_string()),
                1 => Value::from(rng.next() as i64),
                2 => Value::from(u64::MAX),
                3 => Value::from(-1.5e300),
                4 => Value::Null,
                5 => Value::Bool(rng.below(2) == 0),
                6 => Value::Array(vec![v.take(), Value::String("x".into())]),
                7 => serde_json::json!({ "nested": v.take() }),
                8 => Value::String(v.to_string()), // an object as JSON text, a number as a string
                _ => {
                    let mut deep = v.take();
                    for _ in 0..(50 + rng.below(200)) {
                        deep = Value::Array(vec![deep]);
                    }
                    deep
                }
            };
        }
    }
}

/// Byte-level damage to a serialised record.
fn mutate_bytes(mut b: Vec<u8>, rng: &mut Rng) -> Vec<u8> {
    match rng.below(8) {
        0 => {
            let at = rng.below(b.len() + 1);
            b.truncate(at);
        }
        1 => {
            let at = rng.below(b.len() + 1);
            b.splice(at..at, [0xff, 0xfe, 0xc3]);
        }
        2 => {
            let at = rng.below(b.len() + 1);
            b.splice(at..at, *b"\x1b[2J\x07\x00\r");
        }
        3 => {
            // A number too big for any integer or float.
            if let Some(at) = b.iter().position(u8::is_ascii_digit) {
                b.splice(at..at, *b"1e400");
            }
        }
        4 => {
            // A doubled key.
            if let Some(at) = b.iter().position(|&c| c == b'{') {
                let dup: &[u8] = br#""TimeGenerated":"x","TimeGenerated":1,"#;
                b.splice(at + 1..at + 1, dup.iter().copied());
            }
        }
        5 => {
            let open = vec![b'['; 5000 + rng.below(5000)];
            b = open;
        }
        6 => b.splice(0..0, [0xef, 0xbb, 0xbf]).for_each(drop),
        _ => {}
    }
    b
}

/// A whole input file for `format`: a few records, some damaged, as lines
/// or (JSON formats, sometimes) as one document.
fn json_case(format: Format, rng: &mut Rng) -> Vec<u8> {
    let pool = &seeds().json[&format];
    let n = 1 + rng.below(6);
    let mut records = Vec::new();
    for _ in 0..n {
        let raw = rng.pick(pool).clone();
        let bytes = match rng.below(4) {
            0 => raw.into_bytes(),
            1 | 2 => match serde_json::from_str::<Value>(&raw) {
                Ok(mut v) => {
                    for _ in 0..(1 + rng.below(3)) {
                        mutate_value(&mut v, rng, 0);
                    }
                    v.to_string().into_bytes()
                }
                Err(_) => raw.into_bytes(),
            },
            _ => mutate_bytes(raw.into_bytes(), rng),
        };
        records.push(bytes);
    }
    if rng.below(3) == 0 {
        let mut doc = b"[".to_vec();
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                doc.push(b',');
            }
            doc.extend_from_slice(r);
        }
        doc.push(b']');
        if rng.below(4) == 0 {
            let at = rng.below(doc.len() + 1);
            doc.truncate(at);
        }
        doc
    } else {
        records.join(&b'\n')
    }
}

fn sshd_case(rng: &mut Rng) -> Vec<u8> {
    let pool = &seeds().sshd;
    let n = 1 + rng.below(8);
    let mut lines = Vec::new();
    for _ in 0..n {
        let line = rng.pick(pool).clone();
        let line = match rng.below(5) {
            0 => line.into_bytes(),
            1 => {
                // Swap a word for a nasty one (user names are attacker text).
                let words: Vec<&str> = line.split(' ').collect();
                let i = rng.below(words.len());
                let mut w: Vec<String> = words.iter().map(|s| s.to_string()).collect();
                w[i] = rng.pick(NASTY).to_string();
                w.join(" ").into_bytes()
            }
            2 => {
                let mut b = line.into_bytes();
                let at = rng.below(b.len() + 1);
                b.splice(at..at, "é€\u{1b}".bytes());
                b
            }
            _ => mutate_bytes(line.into_bytes(), rng),
        };
        lines.push(line);
    }
    lines.join(&b'\n')
}

fn evtx_case(rng: &mut Rng) -> Vec<u8> {
    let mut b = rng.pick(&seeds().evtx).clone();
    match rng.below(3) {
        0 => {
            let at = rng.below(b.len() + 1);
            b.truncate(at);
        }
        _ => {
            for _ in 0..(1 + rng.below(64)) {
                let i = rng.below(b.len());
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.below(8);
                }
            }
        }
    }
    b
}

/// True when `s` may reach a terminal as is (newlines separate output lines).
fn printable(s: &str) -> Result<(), char> {
    match s
        .chars()
        .find(|&c| c != '\n' && hunt::sanitize::is_dangerous(c))
    {
        Some(c) => Err(c),
        None => Ok(()),
    }
}

/// Runs one input through `hunt scan`'s pipeline and checks the invariants.
fn check(input: &[u8], forced: Option<Format>) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("case.log");
    std::fs::write(&path, input).map_err(|e| e.to_string())?;
    let config = Config::default();
    let session = match forced {
        None => scan_all(vec![Input::Path(path)], config, Enricher::none()),
        Some(f) => {
            // What `--format` does: the same readers, one parser forced.
            let opts = hunt::pipeline::RunOptions {
                inputs: vec![Input::Path(path.clone())],
                follow: false,
                format: Some(f),
                workers: 0,
            };
            let mut s = Session::new(config.clone(), Enricher::none());
            s.add_sources(&opts.inputs, false);
            let readers = hunt::pipeline::start(&opts, &config);
            for msg in readers.rx.iter() {
                s.handle(msg);
                if s.all_done() {
                    break;
                }
            }
            if s.pending() > 0 {
                s.release();
            }
            s
        }
    };
    let describe = || format!("input {:?}", String::from_utf8_lossy(input));
    for src in &session.sources {
        let st = &src.stats;
        if let Some(p) = st
            .first_problems
            .iter()
            .find(|p| p.reason == reason::INTERNAL)
        {
            return Err(format!("panic: {} — {}", p.detail, describe()));
        }
        let repairs = st.problems.get(reason::NOT_UTF8).copied().unwrap_or(0);
        let empty = st.ignored.get("empty file").copied().unwrap_or(0);
        let accounted =
            st.kept + (st.ignored_count() - empty) + (st.problem_count() - repairs) + st.duplicates;
        if accounted != st.records {
            return Err(format!(
                "records {} but kept {} + ignored {:?} + problems {:?} + duplicates {} = {accounted} — {}",
                st.records,
                st.kept,
                st.ignored,
                st.problems,
                st.duplicates,
                describe()
            ));
        }
        if st.kept > st.events {
            return Err(format!("{} kept records but {} events", st.kept, st.events));
        }
    }
    let triage = hunt::triage::scan::ScanTriage::none();
    let rows: Vec<Value> = session
        .findings
        .sorted()
        .into_iter()
        .map(|f| triage.finding_json(&session, f))
        .collect();
    let mut out = Vec::new();
    hunt::report::write_table(&mut out, &rows, 160).map_err(|e| e.to_string())?;
    for v in &rows {
        hunt::report::write_jsonl(&mut out, v).map_err(|e| e.to_string())?;
        hunt::report::write_csv_row(&mut out, v).map_err(|e| e.to_string())?;
    }
    hunt::report::write_ingest_summary(&mut out, &session, true).map_err(|e| e.to_string())?;
    let text =
        String::from_utf8(out).map_err(|_| format!("output is not UTF-8 — {}", describe()))?;
    printable(&text).map_err(|c| format!("raw {c:?} in the output — {}", describe()))
}

/// Runs `cases()` generated inputs through [`check`].
fn fuzz(name: &str, make: impl Fn(&mut Rng) -> Vec<u8>, forced: Option<Format>) {
    let mut runner = TestRunner::new(PtConfig {
        cases: cases(),
        failure_persistence: None,
        ..PtConfig::default()
    });
    let result = runner.run(&any::<u64>(), |seed| {
        let mut rng = Rng(seed | 1);
        let input = make(&mut rng);
        check(&input, forced).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

fn json_format(format: Format) {
    if !seeds().json.contains_key(&format) {
        panic!("no seed records for {}", format.name());
    }
    fuzz(format.name(), |rng| json_case(format, rng), None);
    fuzz(format.name(), |rng| json_case(format, rng), Some(format));
}

#[test]
fn sentinel_signin() {
    json_format(Format::SentinelSignin);
}

#[test]
fn graph_signin() {
    json_format(Format::GraphSignin);
}

#[test]
fn entra_diagnostic() {
    json_format(Format::EntraDiagnostic);
}

#[test]
fn okta() {
    json_format(Format::Okta);
}

#[test]
fn ecs() {
    json_format(Format::Ecs);
}

#[test]
fn windows_json() {
    json_format(Format::Winlogbeat);
    json_format(Format::SentinelSecurityEvent);
}

#[test]
fn office_activity_and_unified_audit() {
    json_format(Format::OfficeActivity);
    json_format(Format::UnifiedAudit);
}

#[test]
fn cloudtrail() {
    json_format(Format::CloudTrail);
}

#[test]
fn panther_tests() {
    json_format(Format::PantherTests);
}

#[test]
fn sshd() {
    assert!(!seeds().sshd.is_empty());
    fuzz("sshd", sshd_case, None);
    fuzz("sshd", sshd_case, Some(Format::Sshd));
}

#[test]
fn evtx() {
    assert!(!seeds().evtx.is_empty());
    fuzz("evtx", evtx_case, None);
}

#[test]
fn arbitrary_bytes() {
    fuzz(
        "bytes",
        |rng| {
            let n = rng.below(600);
            (0..n).map(|_| rng.next() as u8).collect()
        },
        None,
    );
}

/// Every input that ever failed, replayed (one file per input).
#[test]
fn regressions() {
    let dir = root().join("tests/fuzz_regressions");
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    for p in files {
        if p.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let input = std::fs::read(&p).unwrap();
        if let Err(e) = check(&input, None) {
            panic!("{}: {e}", p.display());
        }
    }
}
