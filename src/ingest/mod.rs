//! Reading and parsing every input format of SPEC §2 into [`Draft`]s.
//!
//! Layout: `read` opens files, gzip and stdin and cuts byte streams into
//! line-aligned chunks; `sniff` recognises a file's format from its content
//! and walks JSON containers; one module per format turns a record into
//! drafts. Parsers are pure functions of (record text, [`RecordCx`]): they
//! never do I/O, never touch the store, and report bad input as a
//! [`Reject`] instead of failing the run.

pub mod decode;
pub mod document;
pub mod follow;
pub mod kafka;
pub mod lenient;
pub mod live;
pub mod pipe;
pub mod read;
pub mod sniff;
pub mod source;
pub mod stats;
pub mod time;
pub mod walk;

mod cloudtrail;
mod ecs;
mod entra;
pub mod evtx_file;
pub mod journald;
mod m365;
mod okta;
mod panther;
pub mod sshd;
mod windows;
pub mod windows_xml;

pub use stats::{FileStats, Problem};

use crate::event::{Batch, Draft, Origin, Txt};
use std::net::IpAddr;

/// Every input format `hunt` reads (SPEC §2). Per-record JSON formats are
/// recognised record by record; `Evtx`, `WindowsXml`, `Sshd` and `Journald` are
/// whole-file formats (journal entries are read in order, like sshd lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Sentinel / Log Analytics `SigninLogs`, `AADNonInteractiveUserSignInLogs` rows.
    SentinelSignin,
    /// Microsoft Graph `auditLogs/signIns` objects (v1.0 and beta).
    GraphSignin,
    /// Entra diagnostic-settings records (`category` + `properties`).
    EntraDiagnostic,
    /// Okta System Log `LogEvent`s.
    Okta,
    /// Elastic Common Schema authentication events.
    Ecs,
    /// Windows Security events as winlogbeat JSON.
    Winlogbeat,
    /// Windows Security events as NXLog JSON (flattened EventData).
    WindowsNxlog,
    /// Windows Security events as Sentinel `SecurityEvent` rows.
    SentinelSecurityEvent,
    /// Native Windows `.evtx`.
    Evtx,
    /// Windows Event XML (Event Viewer "Save as XML", `wevtutil qe /f:xml`).
    WindowsXml,
    /// Sentinel `OfficeActivity` rows.
    OfficeActivity,
    /// Raw Microsoft 365 unified audit log records (Management Activity API / AuditData).
    UnifiedAudit,
    /// AWS CloudTrail records.
    CloudTrail,
    /// OpenSSH sshd syslog (`auth.log`, `secure`).
    Sshd,
    /// systemd journal entries as `journalctl -o json` prints them (sshd and PAM messages).
    Journald,
    /// Panther rule-test files (`{"tests":[{"Log":{...}}]}`): each `Log` is sniffed on its own.
    PantherTests,
}

impl Format {
    pub const ALL: [Format; 16] = [
        Format::SentinelSignin,
        Format::GraphSignin,
        Format::EntraDiagnostic,
        Format::Okta,
        Format::Ecs,
        Format::Winlogbeat,
        Format::WindowsNxlog,
        Format::SentinelSecurityEvent,
        Format::Evtx,
        Format::WindowsXml,
        Format::OfficeActivity,
        Format::UnifiedAudit,
        Format::CloudTrail,
        Format::Sshd,
        Format::Journald,
        Format::PantherTests,
    ];

    /// The name used by `--format` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::SentinelSignin => "sentinel-signin",
            Format::GraphSignin => "graph-signin",
            Format::EntraDiagnostic => "entra-diagnostic",
            Format::Okta => "okta",
            Format::Ecs => "ecs",
            Format::Winlogbeat => "winlogbeat",
            Format::WindowsNxlog => "windows-nxlog",
            Format::SentinelSecurityEvent => "sentinel-securityevent",
            Format::Evtx => "evtx",
            Format::WindowsXml => "windows-xml",
            Format::OfficeActivity => "office-activity",
            Format::UnifiedAudit => "unified-audit",
            Format::CloudTrail => "cloudtrail",
            Format::Sshd => "sshd",
            Format::Journald => "journald",
            Format::PantherTests => "panther-tests",
        }
    }

    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Formats whose records are JSON objects.
    pub fn is_json(self) -> bool {
        !matches!(
            self,
            Format::Evtx | Format::WindowsXml | Format::Sshd | Format::Journald
        )
    }
}

/// Why a record produced no event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// A well-formed record that is not one `hunt` uses (a non-sign-in Okta event,
    /// a Windows event id outside 4624/4625/4771/4776, a cron line in auth.log).
    /// Counted per reason, not reported as a problem.
    Ignored(&'static str),
    /// Bad input: malformed JSON, an unknown shape, a bad timestamp. Counted per
    /// reason and reported with file:line.
    Problem(&'static str, String),
}

impl Reject {
    pub fn problem(reason: &'static str, detail: impl Into<String>) -> Reject {
        Reject::Problem(reason, detail.into())
    }
}

/// Reasons used by more than one parser, so counts add up across formats.
pub mod reason {
    pub const MALFORMED_JSON: &str = "malformed JSON";
    pub const UNKNOWN_SHAPE: &str = "unknown record shape";
    pub const BAD_TIME: &str = "missing or bad timestamp";
    pub const NO_USER: &str = "no user";
    pub const LINE_TOO_LONG: &str = "line too long";
    pub const NOT_UTF8: &str = "non-UTF-8 bytes (replaced)";
    pub const TRUNCATED: &str = "truncated final record";
    pub const BINARY: &str = "binary or unrecognised content";
    /// A well-formed record that gave no event (e.g. `message repeated 0 times`).
    pub const NO_EVENT: &str = "record with nothing hunt uses";
    /// A panic in hunt's own code while reading this input (a bug, never the
    /// input's fault); `hunt scan` exits 2 when any input has one.
    pub const INTERNAL: &str = "internal error (a bug in hunt)";
    /// A record of a JSON document longer than `ingest.max_line_bytes`.
    pub const RECORD_TOO_LONG: &str = "record too long";
    /// Brackets nested deeper than any record: the rest of the document is not read.
    pub const TOO_DEEP: &str = "JSON nested too deep";
    /// A gzip stream that cannot be decompressed further: the rest is not read.
    pub const CORRUPT_GZIP: &str = "corrupt or truncated gzip data";
    /// A configured or built-in cap on what one input may expand to was hit.
    pub const INPUT_LIMIT: &str = "input limit reached";
    /// A syslog-over-TLS message without its length in front (RFC 5425).
    pub const NOT_OCTET_COUNTED: &str = "syslog frame not octet-counted";
}

pub type ParseResult = Result<(), Reject>;

/// What a parser writes into: the batch being filled and where the record is.
pub struct RecordCx<'a> {
    pub batch: &'a mut Batch,
    pub origin: Origin,
    /// The record's [`crate::dedup::identity`] (0 = none), set by the parser
    /// and stamped on every draft the record emits.
    pub identity: u64,
    /// The record's 1-based ordinal in its input (line, document element
    /// or EventRecordID), for Sigma's evidence pointers.
    pub record: u64,
    /// The format whose parser took the record last (not a Panther
    /// envelope): the Sigma rules of its source evaluate it.
    pub sigma_format: Option<Format>,
    /// The Sigma rules already evaluated this record (a Panther `Log`).
    pub sigma_done: bool,
}

impl<'a> RecordCx<'a> {
    pub fn new(batch: &'a mut Batch, origin: Origin) -> Self {
        RecordCx {
            batch,
            origin,
            identity: 0,
            record: u64::from(origin.line),
            sigma_format: None,
            sigma_done: false,
        }
    }

    /// Stores text as given (trimmed).
    pub fn put(&mut self, s: &str) -> Txt {
        self.batch.text.put(s)
    }

    /// Stores text in lower case (user names).
    pub fn put_lower(&mut self, s: &str) -> Txt {
        self.batch.text.put_lower(s)
    }

    /// Stores a user name: lower case, `DOMAIN\user` kept, surrounding quotes dropped.
    pub fn put_user(&mut self, s: &str) -> Txt {
        self.batch.text.put_lower(s.trim().trim_matches('"'))
    }

    /// Stores an IP in canonical form with any port or brackets removed
    /// (`1.2.3.4:5678`, `[::1]:5678`, `::ffff:1.2.3.4` → `1.2.3.4`).
    /// Text that is not an IP is absent.
    pub fn put_ip(&mut self, s: &str) -> Txt {
        // Plain IPv4 text that parses is already canonical (the parser
        // refuses leading zeros and anything else): keep it as it is.
        let t = s.trim();
        if t.len() <= 15 && t.parse::<std::net::Ipv4Addr>().is_ok() {
            return self.batch.text.put(t);
        }
        match normalize_ip(s) {
            Some(ip) => {
                let mut buf = [0u8; 64];
                let text = format_ip(ip, &mut buf);
                self.batch.text.put(text)
            }
            None => Txt::default(),
        }
    }

    /// Stores an ISO 3166 alpha-2 code in upper case, or maps a country name
    /// (Okta sends names) to its code. Unknown names are absent.
    pub fn put_country(&mut self, s: &str) -> Txt {
        match crate::enrich::country::to_alpha2(s) {
            Some(code) => self.batch.text.put(code),
            None => Txt::default(),
        }
    }

    /// Appends a draft, stamping it with this record's origin and identity.
    pub fn emit(&mut self, mut d: Draft) {
        d.origin = self.origin;
        d.identity = self.identity;
        self.batch.drafts.push(d);
    }
}

/// Parses an IP with an optional port or brackets. IPv4-mapped IPv6 becomes IPv4.
pub fn normalize_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let ip = if let Ok(ip) = s.parse::<IpAddr>() {
        ip
    } else if let Some(rest) = s.strip_prefix('[') {
        rest.split(']').next()?.parse().ok()?
    } else if let Some((host, port)) = s.rsplit_once(':') {
        if port.bytes().all(|b| b.is_ascii_digit()) && !host.contains(':') {
            host.parse().ok()?
        } else {
            return None;
        }
    } else {
        return None;
    };
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    })
}

fn format_ip(ip: IpAddr, buf: &mut [u8; 64]) -> &str {
    use std::io::Write;
    let mut cur = std::io::Cursor::new(&mut buf[..]);
    let _ = write!(cur, "{ip}");
    let n = cur.position() as usize;
    buf.get(..n)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default()
}

/// Parses one JSON record of a known per-record format, noting the format
/// for the Sigma rules when the record is one of its records (parsed,
/// ignored by design, or refused for a missing field; not malformed).
pub fn parse_json_record(format: Format, raw: &str, cx: &mut RecordCx) -> ParseResult {
    let res = parse_json_record_as(format, raw, cx);
    let theirs = match &res {
        Err(Reject::Problem(r, detail)) => {
            *r != reason::MALFORMED_JSON
                && *r != reason::UNKNOWN_SHAPE
                && !detail.contains("duplicate field")
        }
        // Entra audit, risk, Graph activity and provisioning records come in
        // the sign-in formats but are no sign-ins: azure `signinlogs` rules
        // do not evaluate them (hunt has no rules source for those logs).
        Err(Reject::Ignored(why)) if is_entra_format(format) => !why.contains("not a sign-in"),
        _ => true,
    };
    if theirs && format != Format::PantherTests {
        cx.sigma_format = Some(format);
    }
    res
}

fn is_entra_format(format: Format) -> bool {
    matches!(
        format,
        Format::SentinelSignin | Format::GraphSignin | Format::EntraDiagnostic
    )
}

/// Runs the Sigma rules of the record's source on `raw` once the record is
/// parsed (its drafts start at `first_draft`).
pub fn sigma_json(raw: &str, cx: &mut RecordCx, first_draft: usize) {
    if cx.sigma_done {
        return;
    }
    cx.sigma_done = true;
    if let Some(f) = cx.sigma_format {
        crate::sigma::ingest::json_record(
            crate::sigma::ingest::source_of(f),
            raw,
            cx.batch,
            cx.origin,
            cx.record,
            first_draft,
        );
    }
}

fn parse_json_record_as(format: Format, raw: &str, cx: &mut RecordCx) -> ParseResult {
    match format {
        Format::SentinelSignin => entra::parse_sentinel(raw, cx),
        Format::GraphSignin => entra::parse_graph(raw, cx),
        Format::EntraDiagnostic => entra::parse_diagnostic(raw, cx),
        Format::Okta => okta::parse(raw, cx),
        Format::Ecs => ecs::parse(raw, cx),
        Format::Winlogbeat => windows::parse_winlogbeat(raw, cx),
        Format::WindowsNxlog => windows::parse_nxlog(raw, cx),
        Format::SentinelSecurityEvent => windows::parse_sentinel(raw, cx),
        Format::OfficeActivity | Format::UnifiedAudit => m365::parse(raw, cx),
        Format::CloudTrail => cloudtrail::parse(raw, cx),
        Format::PantherTests => panther::parse(raw, cx),
        Format::Evtx | Format::WindowsXml | Format::Sshd | Format::Journald => Err(
            Reject::problem(reason::UNKNOWN_SHAPE, "not a JSON record format"),
        ),
    }
}

/// Parses a JSON record whose format is not known in advance: sniff it, then parse.
/// Used for mixed containers and as the fallback when a file's format does not
/// fit one of its records.
pub fn parse_any_json_record(raw: &str, cx: &mut RecordCx) -> ParseResult {
    match sniff::classify_record(raw) {
        Some(f) => parse_json_record(f, raw, cx),
        None => Err(sniff::reject_unclassified(raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_forms() {
        let n = |s: &str| normalize_ip(s).map(|i| i.to_string());
        assert_eq!(n("1.2.3.4"), Some("1.2.3.4".into()));
        assert_eq!(n("1.2.3.4:5678"), Some("1.2.3.4".into()));
        assert_eq!(n("[::1]:5678"), Some("::1".into()));
        assert_eq!(n("::ffff:10.23.123.11"), Some("10.23.123.11".into()));
        assert_eq!(n("2001:db8::1"), Some("2001:db8::1".into()));
        assert_eq!(n("-"), None);
        assert_eq!(n("host.example.com"), None);
    }

    #[test]
    fn put_ip_stores_the_canonical_form() {
        let mut batch = Batch::default();
        let mut cx = RecordCx::new(&mut batch, Origin::default());
        let mut put = |s: &str| {
            let t = cx.put_ip(s);
            cx.batch.text.get(t).to_string()
        };
        assert_eq!(put(" 10.0.0.1 "), "10.0.0.1");
        assert_eq!(put("10.0.0.1:443"), "10.0.0.1");
        assert_eq!(put("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(put("2001:DB8:0:0::1"), "2001:db8::1");
        assert_eq!(put("010.0.0.1"), "", "leading zeros are not an address");
        assert_eq!(put("1.2.3.4.5"), "");
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }
}
