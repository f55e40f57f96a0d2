//! Windows Event XML as an input: every corpus evtx file is rendered as XML
//! by the `evtx` crate inside the test, written in the three layouts hunt
//! reads (Event Viewer "Save as XML" with an `<Events>` root, `wevtutil qe
//! /f:xml` elements one after another, one rendered event per line), and
//! must give the same events, ignored kinds and findings as the evtx file.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const CORPUS: &str = "../shared/corpus/windows-security/evtx";

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap_or_else(|e| panic!("{CORPUS}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "evtx"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus evtx files: {files:?}");
    files
}

/// The records of an evtx file as the `evtx` crate renders them in XML,
/// without the declaration each rendering starts with.
fn rendered(path: &Path) -> Vec<String> {
    let mut parser = evtx::EvtxParser::from_path(path).unwrap();
    parser
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            let xml = r.data.trim();
            match xml.strip_prefix("<?xml") {
                Some(rest) => rest.split_once("?>").map_or("", |x| x.1).trim().to_string(),
                None => xml.to_string(),
            }
        })
        .collect()
}

/// One element on one line: the blanks between tags go.
fn one_line(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    for line in xml.lines() {
        let t = line.trim();
        if !out.is_empty() && !out.ends_with('>') {
            out.push('\n');
        }
        out.push_str(if out.ends_with('>') { t } else { line });
    }
    out
}

fn layouts(records: &[String]) -> [(&'static str, String); 3] {
    let saved = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Events>\r\n{}\r\n</Events>\r\n",
        records.join("\r\n")
    );
    let wevtutil = records.concat();
    let lines: String = records.iter().map(|r| one_line(r) + "\n").collect();
    [
        ("saved.xml", saved),
        ("wevtutil.xml", wevtutil),
        ("lines.xml", lines),
    ]
}

fn hunt(args: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hunt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Events without where they were read (file, format, line, offset, length), sorted.
fn events(path: &Path) -> Vec<String> {
    let (out, _) = hunt(&["events", path.to_str().unwrap()]);
    let mut rows: Vec<String> = out
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let m = v.as_object_mut().unwrap();
            for k in ["file", "format", "line", "offset", "length"] {
                m.remove(k);
            }
            v.to_string()
        })
        .collect();
    rows.sort();
    rows
}

/// What `scan -v` says of the one input after its name: counts and the
/// ignored kinds by reason (the event ids hunt did not use, and why).
fn ingest_counts(path: &Path) -> (String, Vec<String>) {
    let (_, err) = hunt(&["scan", "-v", path.to_str().unwrap()]);
    let name = path.to_str().unwrap();
    let mut lines = err.lines().skip_while(|l| !l.starts_with(name));
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no counts for {name} in {err}"));
    let counts = head
        .get(name.len()..)
        .unwrap_or_default()
        .trim_start_matches(": ")
        .to_string();
    let reasons = lines
        .take_while(|l| l.starts_with("  "))
        .map(str::to_string)
        .collect();
    (counts, reasons)
}

/// Findings without evidence pointers (they name the file).
fn findings(path: &Path) -> Vec<String> {
    let (out, _) = hunt(&["scan", path.to_str().unwrap()]);
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let keep = [
                "id",
                "detector",
                "severity",
                "risk",
                "user",
                "ip",
                "first_seen",
                "last_seen",
                "title",
                "event_count",
            ];
            keep.iter()
                .map(|k| format!("{k}={}", v[k]))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn every_corpus_evtx_file_reads_the_same_as_its_xml_rendering() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("saved");
    std::fs::create_dir(&folder).unwrap();
    let mut total_events = 0;
    let mut total_findings = 0;
    for evtx in corpus_files() {
        let records = rendered(&evtx);
        assert!(!records.is_empty(), "{evtx:?}");
        let want_events = events(&evtx);
        let (want_counts, want_reasons) = ingest_counts(&evtx);
        let want_findings = findings(&evtx);
        let stem = evtx
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace(' ', "_");
        for (name, text) in layouts(&records) {
            if name == "saved.xml" {
                std::fs::write(folder.join(format!("{stem}.xml")), &text).unwrap();
            }
            let xml = dir.path().join(format!("{stem}-{name}"));
            std::fs::write(&xml, &text).unwrap();
            let got_events = events(&xml);
            assert_eq!(got_events.len(), want_events.len(), "{xml:?}");
            assert_eq!(got_events, want_events, "{xml:?}");
            let (counts, reasons) = ingest_counts(&xml);
            assert!(
                counts.starts_with("windows-xml ("),
                "{xml:?} detected as {counts}"
            );
            assert_eq!(
                counts.trim_start_matches("windows-xml "),
                want_counts.trim_start_matches("evtx "),
                "{xml:?}"
            );
            assert_eq!(reasons, want_reasons, "{xml:?}");
            assert_eq!(findings(&xml), want_findings, "{xml:?}");
        }
        total_events += want_events.len();
        total_findings += want_findings.len();
    }
    assert!(total_events > 3500, "{total_events} events");
    assert!(total_findings >= 2, "{total_findings} findings");
    // Read together, the files of the corpus give the findings of the evtx files.
    let whole = findings(Path::new(CORPUS));
    assert!(whole.len() >= 2, "{whole:?}");
    assert_eq!(findings(&folder), whole);
}

const NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

fn failure(record: u32, second: u32, user: &str, ip: &str) -> String {
    format!(
        "<Event xmlns=\"{NS}\">\r\n  <System>\r\n    <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"{{54849625-5478-4994-a5ba-3e3b0328c30d}}\" />\r\n    <EventID>4625</EventID>\r\n    <Version>0</Version>\r\n    <TimeCreated SystemTime=\"2024-03-05T08:00:{second:02}.1234567Z\" />\r\n    <EventRecordID>{record}</EventRecordID>\r\n    <Channel>Security</Channel>\r\n    <Computer>WS01.corp.example</Computer>\r\n  </System>\r\n  <EventData>\r\n    <Data Name=\"TargetUserName\">{user}</Data>\r\n    <Data Name=\"TargetDomainName\">CORP</Data>\r\n    <Data Name=\"Status\">0xc000006d</Data>\r\n    <Data Name=\"SubStatus\">0xc000006a</Data>\r\n    <Data Name=\"LogonType\">3</Data>\r\n    <Data Name=\"WorkstationName\">KALI-BOX</Data>\r\n    <Data Name=\"AuthenticationPackageName\">NTLM</Data>\r\n    <Data Name=\"IpAddress\">{ip}</Data>\r\n    <Data Name=\"IpPort\">0</Data>\r\n  </EventData>\r\n</Event>"
    )
}

/// A "Save as XML" file: an `<Events>` root, three failures, a damaged
/// element between the second and the third (its `</Data>` cut off).
fn saved_with_damage() -> (String, u32) {
    let good = [
        failure(1, 1, "alice", "203.0.113.7"),
        failure(2, 2, "bob", "203.0.113.7"),
        failure(4, 4, "carol", "203.0.113.7"),
    ];
    let damaged = failure(3, 3, "mallory", "203.0.113.7").replace(
        "<Data Name=\"Status\">0xc000006d</Data>",
        "<Data Name=\"Status\">0xc000006d",
    );
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<Events>\r\n{}\r\n{}\r\n",
        good[0], good[1]
    );
    let damaged_line = head.matches('\n').count() as u32 + 1;
    let text = format!("{head}{damaged}\r\n{}\r\n</Events>\r\n", good[2]);
    (text, damaged_line)
}

#[test]
fn a_damaged_element_is_a_problem_with_its_line_and_its_neighbours_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (text, damaged_line) = saved_with_damage();
    let path = dir.path().join("Security-export.xml");
    std::fs::write(&path, &text).unwrap();
    let out = Command::cargo_bin("hunt")
        .unwrap()
        .args(["events", "-v", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rows: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let users: Vec<&str> = rows.iter().map(|r| r["user"].as_str().unwrap()).collect();
    assert_eq!(users, ["alice", "bob", "carol"], "{stderr}");
    for r in &rows {
        assert_eq!(r["outcome"], "failure");
        assert_eq!(r["ip"], "203.0.113.7");
        assert_eq!(r["format"], "windows-xml");
        assert_eq!(r["result_code"], "0xc000006a");
        assert_eq!(
            r["extra"]["account"],
            format!("CORP\\{}", r["user"].as_str().unwrap())
        );
    }
    assert_eq!(rows[0]["time"], "2024-03-05T08:00:01.123Z");
    // Each event points at its element: the line it starts on and its bytes.
    let carol = &rows[2];
    let off = carol["offset"].as_u64().unwrap() as usize;
    let len = carol["length"].as_u64().unwrap() as usize;
    let element = text.get(off..off + len).unwrap();
    assert!(element.starts_with("<Event ") && element.ends_with("</Event>"));
    assert!(element.contains(">carol<"));
    let line = text.get(..off).unwrap().matches('\n').count() + 1;
    assert_eq!(carol["line"].as_u64(), Some(line as u64));
    // The damage is one problem, at the line its element starts on.
    let at = format!("{}:{damaged_line}", path.display());
    assert!(
        stderr.contains(&at) && stderr.contains("malformed Event XML"),
        "{at} not reported in:\n{stderr}"
    );
    assert!(stderr.contains("4 records, 3 events"), "{stderr}");
    assert!(stderr.contains("1 problems"), "{stderr}");
}

#[test]
fn sigma_rules_see_the_event_data_fields_of_an_xml_element() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = saved_with_damage();
    let path = dir.path().join("Security-export.xml");
    std::fs::write(&path, &text).unwrap();
    // Fields hunt does not normalise: only the raw element holds them.
    let rule = dir.path().join("ntlm_from_kali.yml");
    std::fs::write(
        &rule,
        "title: NTLM logon failure from a Kali workstation\n\
         id: 6f0f7f4e-2f0c-4a57-9d39-3f1f6c7f4a11\n\
         status: test\n\
         logsource:\n  product: windows\n  service: security\n\
         detection:\n  selection:\n    EventID: 4625\n    WorkstationName|startswith: 'KALI'\n    AuthenticationPackageName: NTLM\n    TargetUserName: bob\n  condition: selection\n\
         level: high\n",
    )
    .unwrap();
    let (out, err) = hunt(&[
        "scan",
        "--rules",
        rule.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let sigma: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| {
            v["detector"]
                .as_str()
                .is_some_and(|d| d.starts_with("sigma"))
        })
        .collect();
    assert_eq!(sigma.len(), 1, "{out}\n{err}");
    assert_eq!(sigma[0]["user"], "bob", "{out}");
    // A field value no element has matches nothing.
    std::fs::write(
        &rule,
        std::fs::read_to_string(&rule)
            .unwrap()
            .replace("'KALI'", "'PARROT'"),
    )
    .unwrap();
    let (out, _) = hunt(&[
        "scan",
        "--rules",
        rule.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert!(!out.contains("\"sigma"), "{out}");
}

fn kerberos(id: u32, record: u32, user: &str, domain: &str, status: &str) -> String {
    format!(
        "<Event xmlns=\"{NS}\"><System><Provider Name=\"Microsoft-Windows-Security-Auditing\"/><EventID>{id}</EventID><TimeCreated SystemTime=\"2024-03-05T09:00:{record:02}.000Z\"/><EventRecordID>{record}</EventRecordID><Channel>Security</Channel><Computer>DC01.corp.example</Computer></System><EventData><Data Name=\"TargetUserName\">{user}</Data><Data Name=\"TargetDomainName\">{domain}</Data><Data Name=\"ServiceName\">krbtgt/CORP.EXAMPLE</Data><Data Name=\"Status\">{status}</Data><Data Name=\"PreAuthType\">2</Data><Data Name=\"IpAddress\">::ffff:198.51.100.20</Data><Data Name=\"IpPort\">50100</Data></EventData></Event>"
    )
}

/// One person, one name: a 4768 with the realm in the name, a 4771 with the
/// bare name and one written `CORP\alice` are the same user, and each keeps
/// the account as written.
#[test]
fn kerberos_names_with_and_without_the_realm_are_one_user() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dc01.xml");
    let lines = [
        kerberos(4768, 1, "alice@CORP.EXAMPLE", "CORP.EXAMPLE", "0x18"),
        kerberos(4771, 2, "alice", "CORP", "0x18"),
        kerberos(4771, 3, "CORP\\alice", "", "0x18"),
        kerberos(4771, 4, "Alice", "", "0x18"),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (out, err) = hunt(&["events", path.to_str().unwrap()]);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4, "{out}\n{err}");
    let users: Vec<&str> = rows.iter().map(|r| r["user"].as_str().unwrap()).collect();
    assert_eq!(users, ["alice"; 4]);
    let written: Vec<Value> = rows.iter().map(|r| r["extra"]["account"].clone()).collect();
    assert_eq!(
        written,
        [
            Value::from("alice@CORP.EXAMPLE"),
            Value::from("CORP\\alice"),
            Value::from("CORP\\alice"),
            Value::Null,
        ]
    );
}
