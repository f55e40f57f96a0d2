//! Native Windows `.evtx` files → drafts, through the `evtx` crate. Each
//! record is rendered as JSON by the crate, decoded typed (no
//! `serde_json::Value`) and mapped by the same rules as the JSON shapes
//! (`windows::map_logon`). sshd text carried by OpenSSH/Operational event 4
//! goes to the sshd message parser. A corrupt file or chunk is counted as a
//! problem; it never stops the run. A plain file is read chunk by chunk by the
//! `evtx` crate (one 64 KiB chunk in memory); otherwise the caller reads it
//! into memory, up to [`IN_MEMORY_MAX`].

use super::decode::account;
use super::lenient::Text;
use super::sshd;
use super::stats::FileStats;
use super::time::parse_time;
use super::windows::{map_logon, record_identity, EventId, WinData};
use super::{reason, ParseResult, RecordCx, Reject};
use crate::event::{Batch, Origin};
use evtx::{EvtxParser, ParserSettings};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::fs::File;
use std::io::{Read, Seek};

/// Drafts per batch handed to `out`.
pub const BATCH_DRAFTS: usize = 4096;

/// Problem reason for unreadable evtx structures (file header, chunks, records).
pub const CORRUPT_EVTX: &str = "corrupt evtx data";

/// An evtx input that cannot be read chunk by chunk (gzip, a pipe) is held
/// in memory up to this many bytes: the file header and 4096 chunks (256 MiB).
pub const IN_MEMORY_MAX: usize = 4096 + 4096 * 64 * 1024;

/// Parses a whole evtx file held in memory; calls `out` with batches of drafts.
/// Origins carry line 0 and the event record id as offset.
pub fn parse_evtx(data: Vec<u8>, file: u32, stats: &mut FileStats, out: &mut dyn FnMut(Batch)) {
    parse_batched(data, file, BATCH_DRAFTS, stats, out);
}

/// Like [`parse_evtx`], reading an evtx file chunk by chunk: one 64 KiB chunk
/// is in memory at a time, whatever the size of the file.
pub fn parse_evtx_file(f: File, file: u32, stats: &mut FileStats, out: &mut dyn FnMut(Batch)) {
    match EvtxParser::from_read_seek(f) {
        Ok(p) => parse_records(p, file, BATCH_DRAFTS, stats, out),
        Err(e) => {
            stats.records += 1;
            stats.problem(0, 0, CORRUPT_EVTX, e.to_string());
        }
    }
}

fn parse_batched(
    data: Vec<u8>,
    file: u32,
    batch_drafts: usize,
    stats: &mut FileStats,
    out: &mut dyn FnMut(Batch),
) {
    match EvtxParser::from_buffer(data) {
        Ok(p) => parse_records(p, file, batch_drafts, stats, out),
        Err(e) => {
            stats.records += 1;
            stats.problem(0, 0, CORRUPT_EVTX, e.to_string());
        }
    }
}

fn parse_records<T: Read + Seek>(
    parser: EvtxParser<T>,
    file: u32,
    batch_drafts: usize,
    stats: &mut FileStats,
    out: &mut dyn FnMut(Batch),
) {
    // One thread: files are already parsed in parallel by the pipeline.
    let settings = ParserSettings::new().num_threads(1).indent(false);
    let mut parser = parser.with_configuration(settings);
    let mut batch = Batch::default();
    for rec in parser.records_json() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                stats.records += 1;
                stats.problem(0, 0, CORRUPT_EVTX, e.to_string());
                continue;
            }
        };
        let id = rec.event_record_id;
        let origin = Origin {
            file,
            line: 0,
            offset: id,
            len: 0,
        };
        let before = batch.drafts.len();
        let res = parse_record(&rec.data, &mut RecordCx::new(&mut batch, origin));
        // Every record, kept or not, is a Windows record for the Sigma rules.
        crate::sigma::ingest::json_record(
            crate::event::Source::Windows,
            &rec.data,
            &mut batch,
            origin,
            id,
            before,
        );
        account(stats, before, &batch, 0, id, res);
        if batch.drafts.len() >= batch_drafts {
            out(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        out(batch);
    }
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(rename = "Event", borrow)]
    event: Event<'a>,
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "System", borrow)]
    system: System<'a>,
    #[serde(rename = "EventData", borrow, default)]
    data: Option<WinData<'a>>,
}

#[derive(Deserialize)]
struct System<'a> {
    #[serde(rename = "EventID", default)]
    event_id: EventId,
    #[serde(rename = "TimeCreated", borrow, default)]
    time_created: Option<TimeCreated<'a>>,
    #[serde(rename = "Computer", borrow, default)]
    computer: Text<'a>,
    #[serde(rename = "Channel", borrow, default)]
    channel: Text<'a>,
}

#[derive(Deserialize)]
struct TimeCreated<'a> {
    #[serde(rename = "#attributes", borrow, default)]
    attributes: Option<TimeAttrs<'a>>,
}

#[derive(Deserialize)]
struct TimeAttrs<'a> {
    #[serde(rename = "SystemTime", borrow, default)]
    system_time: Text<'a>,
}

/// Only the `System` part, for records whose `EventData` does not decode.
#[derive(Deserialize)]
struct SystemOnly<'a> {
    #[serde(rename = "Event", borrow)]
    event: SystemOnlyEvent<'a>,
}

#[derive(Deserialize)]
struct SystemOnlyEvent<'a> {
    #[serde(rename = "System", borrow)]
    system: System<'a>,
    #[serde(rename = "EventData", default)]
    _data: IgnoredAny,
}

/// OpenSSH/Operational event 4: `EventData.payload` holds one sshd message.
#[derive(Deserialize)]
struct SshPayload<'a> {
    #[serde(rename = "Event", borrow)]
    event: SshEvent<'a>,
}

#[derive(Deserialize)]
struct SshEvent<'a> {
    #[serde(rename = "EventData", borrow, default)]
    data: Option<SshData<'a>>,
}

#[derive(Deserialize)]
struct SshData<'a> {
    #[serde(borrow, default)]
    payload: Text<'a>,
}

/// Parses one record rendered as JSON by the `evtx` crate.
fn parse_record(json: &str, cx: &mut RecordCx) -> ParseResult {
    let doc: Doc = match serde_json::from_str(json) {
        Ok(d) => d,
        Err(e) if e.to_string().contains("duplicate field") => {
            // Repeated <Data Name="X"> elements: keep the last, like the JSON loop does.
            return match super::sniff::dedup_keys(json) {
                Some(clean) if clean != json => parse_record(&clean, cx),
                _ => undecodable(json, e),
            };
        }
        Err(e) => return undecodable(json, e),
    };
    let sys = &doc.event.system;
    let id = sys
        .event_id
        .0
        .ok_or_else(|| Reject::problem(reason::UNKNOWN_SHAPE, "evtx record without EventID"))?;
    let time_text = sys
        .time_created
        .as_ref()
        .and_then(|t| t.attributes.as_ref())
        .map(|a| a.system_time.as_str())
        .unwrap_or_default();
    let time = parse_time(time_text)
        .ok_or_else(|| Reject::problem(reason::BAD_TIME, format!("SystemTime {time_text:?}")))?;
    let record_id = cx.origin.offset.to_string(); // the EventRecordID (see `parse_batched`)
    cx.identity = record_identity(
        sys.computer.as_str(),
        sys.channel.as_str(),
        &record_id,
        time,
        id,
    );
    if id == 4 && sys.channel.as_str() == "OpenSSH/Operational" {
        let p: SshPayload = serde_json::from_str(json)
            .map_err(|e| Reject::problem(reason::MALFORMED_JSON, e.to_string()))?;
        let payload = p.event.data.map(|d| d.payload).unwrap_or_default();
        return sshd::parse_message(payload.as_str(), time, sys.computer.as_str(), cx);
    }
    let data = doc.event.data.unwrap_or_default();
    map_logon(&data.logon(time, id, sys.computer.as_str()), cx)
}

/// A record whose EventData has an unexpected shape is a problem only when
/// its event id is one `hunt` uses; otherwise it is ignored like its kind.
fn undecodable(json: &str, err: serde_json::Error) -> ParseResult {
    let used = serde_json::from_str::<SystemOnly>(json)
        .ok()
        .and_then(|s| s.event.system.event_id.0);
    match used {
        Some(4624 | 4625 | 4768 | 4771 | 4776 | 4) | None => {
            Err(Reject::problem(reason::MALFORMED_JSON, err.to_string()))
        }
        Some(_) => Err(Reject::Ignored("Windows event not used")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, channel: &str, data: &str) -> String {
        format!(
            r##"{{"Event":{{"#attributes":{{"xmlns":"x"}},"System":{{"EventID":{id},"TimeCreated":{{"#attributes":{{"SystemTime":"2016-09-19T16:50:06.4778789Z"}}}},"EventRecordID":2455,"Channel":"{channel}","Computer":"DESKTOP-M5SN04R","Security":null}},"EventData":{data}}}}}"##
        )
    }

    fn one(json: &str) -> (ParseResult, Batch) {
        let mut b = Batch::default();
        let res = parse_record(json, &mut RecordCx::new(&mut b, Origin::default()));
        (res, b)
    }

    #[test]
    fn logon_record_maps_like_json_shapes() {
        let data = r#"{"TargetUserName":"Administrator","TargetDomainName":".","Status":"0xc000006d","SubStatus":"0xc000006a","LogonType":3,"IpAddress":"192.168.198.149","IpPort":"59588"}"#;
        let (res, b) = one(&record("4625", "Security", data));
        assert_eq!(res, Ok(()));
        let d = &b.drafts[0];
        assert_eq!(b.text.get(d.user), "administrator");
        assert_eq!(b.text.get(d.ip), "192.168.198.149");
        assert_eq!(b.text.get(d.result_code), "0xc000006a");
        assert_eq!(b.text.get(d.app), "DESKTOP-M5SN04R");
        assert_eq!(Some(d.time), parse_time("2016-09-19T16:50:06.477Z"));
        let qualified = record(
            r##"{"#attributes":{"Qualifiers":0},"#text":4625}"##,
            "Security",
            data,
        );
        assert_eq!(one(&qualified).1.drafts.len(), 1);
    }

    #[test]
    fn odd_event_data_is_ignored_or_a_problem_by_event_id() {
        let (res, _) = one(&record("1102", "Security", r#""not an object""#));
        assert_eq!(res, Err(Reject::Ignored("Windows event not used")));
        let (res, _) = one(&record("4625", "Security", r#""not an object""#));
        assert!(matches!(res, Err(Reject::Problem(r, _)) if r == reason::MALFORMED_JSON));
        let (res, _) =
            one(&record("4625", "Security", "null").replace("2016-09-19T16:50:06.4778789Z", ""));
        assert!(matches!(res, Err(Reject::Problem(r, _)) if r == reason::BAD_TIME));
    }

    #[test]
    fn kerberos_tgt_refusal_is_a_failure_for_the_name_tried() {
        let data = r#"{"TargetUserName":"Admin","TargetDomainName":"OFFSEC.LAN","TargetSid":"S-1-0-0","ServiceName":"krbtgt/OFFSEC.LAN","Status":"0x6","PreAuthType":"-","IpAddress":"::ffff:10.23.123.11","IpPort":"52722"}"#;
        let (res, b) = one(&record("4768", "Security", data));
        assert_eq!(res, Ok(()));
        let d = &b.drafts[0];
        assert_eq!(d.outcome, crate::event::Outcome::Failure);
        assert_eq!(b.text.get(d.user), "admin");
        assert_eq!(b.text.get(d.ip), "10.23.123.11");
        assert_eq!(b.text.get(d.result_code), "0x6");
        let (res, b) = one(&record("4768", "Security", &data.replace("0x6", "0x0")));
        assert!(matches!(res, Err(Reject::Ignored(_))) && b.drafts.is_empty());
        // 4768 is used now: an undecodable EventData is a problem, not ignored.
        let (res, _) = one(&record("4768", "Security", r#""not an object""#));
        assert!(matches!(res, Err(Reject::Problem(r, _)) if r == reason::MALFORMED_JSON));
    }

    #[test]
    fn repeated_data_names_keep_the_last() {
        let data = r#"{"TargetUserName":"x","TargetUserName":"eve","LogonType":3,"IpAddress":"192.0.2.1"}"#;
        let (res, b) = one(&record("4625", "Security", data));
        assert_eq!(res, Ok(()));
        assert_eq!(b.text.get(b.drafts[0].user), "eve");
    }

    #[test]
    fn openssh_operational_payload_goes_to_sshd() {
        let data = r#"{"process":"sshd","payload":"Failed password for admmig from 10.23.23.9 port 56605 ssh2"}"#;
        let (res, b) = one(&record("4", "OpenSSH/Operational", data));
        assert_eq!(res, Ok(()));
        let d = &b.drafts[0];
        assert_eq!(d.source, crate::event::Source::Sshd);
        assert_eq!(b.text.get(d.user), "admmig");
        assert_eq!(b.text.get(d.ip), "10.23.23.9");
        assert_eq!(b.text.get(d.app), "sshd@DESKTOP-M5SN04R");
        let closed = r#"{"process":"sshd","payload":"Connection closed by authenticating user admmig 10.23.23.9 port 56589 [preauth]"}"#;
        assert!(matches!(
            one(&record("4", "OpenSSH/Operational", closed)).0,
            Err(Reject::Ignored(_))
        ));
    }

    #[test]
    fn batches_are_cut_at_the_size_limit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rel = "shared/corpus/windows-security/evtx/smb-password-guessing-security.evtx";
        let Some(data) = ["..", "../.."]
            .iter()
            .find_map(|up| std::fs::read(root.join(up).join(rel)).ok())
        else {
            panic!("corpus file {rel} not found");
        };
        let mut stats = FileStats::default();
        let mut sizes = Vec::new();
        parse_batched(data, 7, 1000, &mut stats, &mut |b| {
            assert!(b
                .drafts
                .iter()
                .all(|d| d.origin.file == 7 && d.origin.line == 0));
            sizes.push(b.len());
        });
        assert_eq!(sizes, [1000, 1000, 1000, 561]);
        assert_eq!((stats.records, stats.events), (3561, 3561));
    }

    #[test]
    fn a_plain_file_is_read_chunk_by_chunk_with_the_same_result() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rel = "shared/corpus/windows-security/evtx/smb-password-guessing-security.evtx";
        let Some(path) = ["..", "../.."]
            .iter()
            .map(|up| root.join(up).join(rel))
            .find(|p| p.exists())
        else {
            panic!("corpus file {rel} not found");
        };
        let mut stats = FileStats::default();
        let mut sizes = Vec::new();
        let f = File::open(&path).unwrap();
        parse_evtx_file(f, 7, &mut stats, &mut |b| sizes.push(b.len()));
        assert_eq!(sizes, [3561]);
        assert_eq!((stats.records, stats.events), (3561, 3561));
        let mut stats = FileStats::default();
        let f = File::open(root.join("Cargo.toml")).unwrap();
        parse_evtx_file(f, 7, &mut stats, &mut |_| {});
        assert_eq!(stats.problems.get(CORRUPT_EVTX), Some(&1));
    }

    #[test]
    fn garbage_is_counted_never_a_panic() {
        let mut stats = FileStats::default();
        let mut n = 0;
        parse_evtx(b"ElfFile\0garbage".to_vec(), 1, &mut stats, &mut |b| {
            n += b.len()
        });
        assert_eq!(
            (n, stats.records, stats.problems.get(CORRUPT_EVTX)),
            (0, 1, Some(&1))
        );
        let mut stats = FileStats::default();
        parse_evtx(Vec::new(), 1, &mut stats, &mut |b| n += b.len());
        assert_eq!(stats.problem_count(), 1);
    }
}
