//! The raw record behind an event: which file, where, and the bytes at
//! `origin.offset` (`origin.len` long), read off the UI thread. Sources
//! whose offsets do not point into a readable file (gzip streams, evtx,
//! stdin) say so and show the normalized fields instead. Everything read
//! is shown through `sanitize::clean`.

use crate::event::{decode_params, Event};
use crate::pipeline::SourceInfo;
use crate::store::{EventIdx, Store};
use crate::tui::format;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

/// Longest raw record shown.
const MAX_RAW: u64 = 1 << 20;

/// A request to read one record's bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRequest {
    pub event: EventIdx,
    pub path: PathBuf,
    pub offset: u64,
    pub len: u32,
}

/// What the raw view shows.
#[derive(Clone, Debug, PartialEq)]
pub enum RawText {
    Loading,
    Text(Vec<String>),
    Unavailable(String),
}

/// The raw record overlay.
#[derive(Clone, Debug)]
pub struct RawView {
    /// The overlay's title instead of "raw record" (a report such as "why
    /// not"; its `fields` are then empty and no fields section is drawn).
    pub heading: Option<String>,
    pub event: EventIdx,
    /// `file:line` (or `file record N`).
    pub location: String,
    pub text: RawText,
    pub fields: Vec<(&'static str, String)>,
    pub scroll: usize,
}

/// Builds the view for an event and, when the record can be read, the request to read it.
pub fn open(
    event: EventIdx,
    store: &Store,
    sources: &[SourceInfo],
) -> (RawView, Option<RawRequest>) {
    let ev = store.get(event);
    let o = ev.origin;
    let src = sources.get(o.file as usize);
    let name = src.map(|s| s.name.as_str()).unwrap_or("?");
    let location = if o.line > 0 {
        format!("{name}:{}", o.line)
    } else {
        format!("{name} record {}", o.offset)
    };
    let fields = event_fields(&ev, store);
    let mut view = RawView {
        heading: None,
        event,
        location,
        text: RawText::Loading,
        fields,
        scroll: 0,
    };
    let unavailable = match src {
        None => Some("the source of this event is unknown".to_string()),
        Some(s) if s.name == "-" => {
            Some("read from standard input: the raw record was not kept".to_string())
        }
        Some(s) if s.live.is_some() => Some(format!(
            "received from {}: the raw record was not kept",
            crate::sanitize::clean(&s.name)
        )),
        Some(s) if s.format == "evtx" || o.line == 0 => Some(format!(
            "{} is a binary (evtx) source: the raw record is not available",
            s.format
        )),
        // Its offset points into the file as it was before a rotation or
        // truncation; reading the new file there would show another record.
        Some(s) if event < s.generation_start => Some(format!(
            "read before {} was rotated or truncated: the record is in the earlier file \
             (often {}.1), at line {} (offset {}); the fields below are what was read",
            crate::sanitize::clean(&s.name),
            crate::sanitize::clean(&s.name),
            o.line,
            o.offset
        )),
        _ => None,
    };
    if let Some(why) = unavailable {
        view.text = RawText::Unavailable(why);
        return (view, None);
    }
    let path = PathBuf::from(name);
    (
        view,
        Some(RawRequest {
            event,
            path,
            offset: o.offset,
            len: o.len,
        }),
    )
}

/// Reads a record (runs on a worker thread). Gzip files are refused: offsets
/// are into the decompressed stream.
pub fn read(req: &RawRequest) -> RawText {
    match read_bytes(req) {
        Ok(bytes) => RawText::Text(pretty(&String::from_utf8_lossy(&bytes))),
        Err(why) => RawText::Unavailable(why),
    }
}

fn read_bytes(req: &RawRequest) -> Result<Vec<u8>, String> {
    let mut f = std::fs::File::open(&req.path)
        .map_err(|e| format!("cannot open {}: {e}", req.path.display()))?;
    let mut magic = [0u8; 2];
    if f.read(&mut magic).map_err(|e| e.to_string())? == 2 && magic == [0x1f, 0x8b] {
        return Err("gzip-compressed source: the raw record is not available (the normalized fields are below)".into());
    }
    f.seek(SeekFrom::Start(req.offset))
        .map_err(|e| e.to_string())?;
    let want = if req.len > 0 {
        (req.len as u64).min(MAX_RAW)
    } else {
        MAX_RAW
    };
    let mut buf = Vec::new();
    f.take(want)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if req.len == 0 {
        if let Some(nl) = buf.iter().position(|&b| b == b'\n') {
            buf.truncate(nl);
        }
    }
    if buf.is_empty() {
        return Err("the file no longer holds this record (rotated or truncated?)".into());
    }
    Ok(buf)
}

/// Pretty-prints JSON records; other text is split into lines. Cleaned for the terminal.
fn pretty(text: &str) -> Vec<String> {
    let body = match serde_json::from_str::<serde_json::Value>(text.trim()) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()),
        Err(_) => text.to_string(),
    };
    body.lines()
        .map(|l| crate::sanitize::clean(l).into_owned())
        .collect()
}

/// The normalized fields of an event that are set (log-derived values cleaned).
pub fn event_fields(ev: &Event, store: &Store) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("time", format::time(ev.time)),
        ("source", ev.source.as_str().to_string()),
        ("kind", ev.kind.as_str().to_string()),
        ("outcome", ev.outcome.as_str().to_string()),
    ];
    // Every text field but the parameters and the parser's extra (shown
    // apart, decoded).
    let text = crate::event::Record::<crate::event::Sym>::text_names()
        .into_iter()
        .zip(ev.texts())
        .filter(|(k, _)| !matches!(*k, "params" | "extra"));
    for (k, s) in text {
        if s.is_some() {
            out.push((k, crate::sanitize::clean(store.text(s)).into_owned()));
        }
    }
    if ev.params.is_some() {
        for (k, v) in decode_params(store.text(ev.params)) {
            out.push((
                "param",
                crate::sanitize::clean(&format!("{k} = {v}")).into_owned(),
            ));
        }
    }
    if ev.protocol != crate::event::AuthProtocol::Unknown {
        out.push(("auth_protocol", ev.protocol.as_str().to_string()));
    }
    if ev.transfer != crate::event::TransferMethod::Unknown {
        out.push(("transfer_method", ev.transfer.as_str().to_string()));
    }
    if ev.extra.is_some() {
        for (k, v) in decode_params(store.text(ev.extra)) {
            out.push((extra_label(k), crate::sanitize::clean(v).into_owned()));
        }
    }
    for (bit, name) in [
        (crate::event::flags::NO_SUCH_USER, "no such user"),
        (crate::event::flags::MFA_DENIED, "MFA denied"),
        (crate::event::flags::THREAT_SUSPECTED, "threat suspected"),
    ] {
        if ev.flags & bit != 0 {
            out.push(("flag", name.to_string()));
        }
    }
    if ev.asn > 0 {
        out.push(("asn", format!("AS{}", ev.asn)));
    }
    if ev.has_coords() {
        out.push(("coordinates", format!("{:.4}, {:.4}", ev.lat, ev.lon)));
    }
    out
}

/// The raw view's label for a value of [`Event::extra`] (its name, static).
fn extra_label(k: &str) -> &'static str {
    use crate::event::extra::*;
    [
        APP_ID,
        RESOURCE,
        RESOURCE_ID,
        STATUS_DETAIL,
        DEVICE_ID,
        DEVICE_TRUST,
        DEVICE_COMPLIANT,
        TOKEN_TYPE,
        PROTOCOL_TEXT,
        TRANSFER_TEXT,
        ACCOUNT,
        HOST,
    ]
    .into_iter()
    .find(|n| *n == k)
    .unwrap_or("detail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sign_in_details_and_flags_are_listed_and_cleaned() {
        use crate::event::{encode_params, extra, flags, AuthProtocol, Kind, Source};
        let mut store = Store::new();
        let mut ev = Event::new(0, Source::Entra, Kind::SignIn);
        ev.protocol = AuthProtocol::DeviceCode;
        let enc = encode_params([
            (extra::DEVICE_ID, "dev\u{1b}[31m-1"),
            (
                extra::STATUS_DETAIL,
                "MFA denied; user declined the authentication",
            ),
        ]);
        ev.extra = store.strings.intern(&enc);
        ev.flags = flags::MFA_DENIED;
        let idx = store.append(ev);
        let fields = event_fields(&store.get(idx), &store);
        let has = |k: &str, v: &str| fields.iter().any(|(a, b)| *a == k && b == v);
        assert!(has("auth_protocol", "deviceCode"), "{fields:?}");
        assert!(has(
            extra::STATUS_DETAIL,
            "MFA denied; user declined the authentication"
        ));
        assert!(has("flag", "MFA denied"));
        assert!(
            fields
                .iter()
                .any(|(k, v)| *k == extra::DEVICE_ID && !v.contains('\u{1b}')),
            "{fields:?}"
        );
        assert!(!fields.iter().any(|(k, _)| *k == "transfer_method"));
    }

    #[test]
    fn reads_the_record_at_its_offset_and_refuses_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let line1 = "{\"a\":1}\n";
        let line2 = "Nov 20 10:00:00 h sshd[1]: Failed password for bob\u{1b}[31m from 1.2.3.4\n";
        std::fs::write(&p, format!("{line1}{line2}")).unwrap();
        let req = RawRequest {
            event: 0,
            path: p.clone(),
            offset: line1.len() as u64,
            len: (line2.len() - 1) as u32,
        };
        match read(&req) {
            RawText::Text(lines) => {
                let all = lines.join("\n");
                assert!(all.contains("Failed password for bob"), "{all}");
                assert!(!all.contains('\u{1b}'), "escape reached the screen: {all}");
            }
            other => panic!("{other:?}"),
        }
        let gz = dir.path().join("a.json.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(line1.as_bytes()).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let req = RawRequest {
            event: 0,
            path: gz,
            offset: 0,
            len: 7,
        };
        assert!(matches!(read(&req), RawText::Unavailable(m) if m.contains("gzip")));
    }
}
