//! The normalized event every stage speaks (SPEC §3).
//!
//! One generic shape, [`Record<S>`], serves two stages: parsers fill a
//! [`Draft`] whose text fields are [`Txt`] spans into a per-batch
//! [`TextBuf`] (no allocation per field on the hot path), and the store
//! interns those spans into a compact [`Event`] whose text fields are
//! [`Sym`]s. Nothing here does I/O or knows about formats.

use std::fmt;

/// Milliseconds since the Unix epoch, UTC. Event time only; never the wall clock.
pub type Millis = i64;

/// A string inside a [`TextBuf`]: its number there (1-based). The default
/// (`Txt(0)`) means "absent".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Txt(pub u32);

impl Txt {
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// An interned string in the store. `Sym(0)` is the empty string ("absent").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

impl Sym {
    pub const NONE: Sym = Sym(0);
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
    pub fn is_some(self) -> bool {
        self.0 != 0
    }
}

/// Append-only text for one batch of drafts. Equal strings are stored once
/// and get one number, with their hash, so the store can intern a batch by
/// number (an index into a table) and never hashes a string itself: the
/// hashing happens here, on the parse workers, rather than on the single
/// owner thread.
#[derive(Default, Clone)]
pub struct TextBuf {
    text: String,
    /// Every distinct string: where it is in `text` and its [`text_hash`].
    spans: Vec<Span>,
    seen: hashbrown::HashTable<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
    hash: u64,
}

impl fmt::Debug for TextBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextBuf")
            .field("bytes", &self.text.len())
            .field("strings", &self.spans.len())
            .finish()
    }
}

/// The hash of a string used by [`TextBuf`] and by the store's interner
/// (they must agree: the interner takes the batch's hashes as they are).
pub fn text_hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

impl TextBuf {
    pub fn with_capacity(n: usize) -> Self {
        TextBuf {
            text: String::with_capacity(n),
            ..TextBuf::default()
        }
    }

    /// Stores `s` (trimmed of surrounding whitespace) and returns its number.
    /// Empty strings and JSON-ish placeholders ("-", "null") become absent.
    pub fn put(&mut self, s: &str) -> Txt {
        let s = s.trim();
        if s.is_empty() || s == "-" || s == "null" {
            return Txt::default();
        }
        let hash = text_hash(s);
        let (text, spans) = (&self.text, &self.spans);
        let eq = |&i: &u32| {
            spans.get(i as usize).is_some_and(|sp| {
                sp.hash == hash
                    && text.get(sp.start as usize..(sp.start + sp.len) as usize) == Some(s)
            })
        };
        if let Some(&i) = self.seen.find(hash, eq) {
            return Txt(i + 1);
        }
        let i = self.spans.len() as u32;
        self.spans.push(Span {
            start: self.text.len() as u32,
            len: s.len() as u32,
            hash,
        });
        self.text.push_str(s);
        let spans = &self.spans;
        self.seen
            .insert_unique(hash, i, |&j| spans.get(j as usize).map_or(0, |sp| sp.hash));
        Txt(i + 1)
    }

    /// Stores `s` in lower case (user names, for example).
    pub fn put_lower(&mut self, s: &str) -> Txt {
        if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
            let lower = s.to_lowercase();
            self.put(&lower)
        } else {
            self.put(s)
        }
    }

    pub fn get(&self, t: Txt) -> &str {
        self.get_hashed(t).map(|(s, _)| s).unwrap_or_default()
    }

    /// The string numbered `t` with its [`text_hash`] (`None` when absent).
    pub fn get_hashed(&self, t: Txt) -> Option<(&str, u64)> {
        let sp = self.spans.get((t.0 as usize).checked_sub(1)?)?;
        let start = sp.start as usize;
        Some((self.text.get(start..start + sp.len as usize)?, sp.hash))
    }

    /// Distinct strings held (numbers run from 1 to this).
    pub fn count(&self) -> usize {
        self.spans.len()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.seen.clear();
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Which family of logs a record came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Source {
    #[default]
    Unknown,
    /// Entra ID sign-ins: Sentinel rows, Graph signIns, diagnostic records.
    Entra,
    Okta,
    /// Elastic Common Schema authentication events.
    Ecs,
    /// Windows Security events (winlogbeat, evtx, NXLog, Sentinel SecurityEvent).
    Windows,
    /// Microsoft 365 unified audit log / Sentinel OfficeActivity.
    M365,
    CloudTrail,
    Sshd,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Unknown => "unknown",
            Source::Entra => "entra",
            Source::Okta => "okta",
            Source::Ecs => "ecs",
            Source::Windows => "windows",
            Source::M365 => "m365",
            Source::CloudTrail => "cloudtrail",
            Source::Sshd => "sshd",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a record describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    /// An authentication attempt; `outcome` is meaningful.
    #[default]
    SignIn,
    /// An audit operation (mailbox rules, sends, admin actions); see `operation`.
    Audit,
    /// A cloud API call (CloudTrail other than ConsoleLogin); see `operation`.
    ApiCall,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignIn => "signin",
            Kind::Audit => "audit",
            Kind::ApiCall => "api",
        }
    }
}

/// The result of a sign-in (SPEC §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Outcome {
    #[default]
    Unknown,
    Success,
    Failure,
    /// Credentials verified, but the sign-in was interrupted (MFA, reset, policy).
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Unknown => "unknown",
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Interrupted => "interrupted",
        }
    }
}

/// How the sign-in authenticated (Entra `authenticationProtocol`). Most
/// sign-ins say `none`; `ropc` (password sent by the client itself) and
/// `deviceCode` are the flows phishing kits and password tools use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AuthProtocol {
    /// Not in the record.
    #[default]
    Unknown,
    None,
    OAuth2,
    Ropc,
    DeviceCode,
    WsFederation,
    Saml20,
    AuthenticationTransfer,
    NativeAuth,
    ImplicitAccessTokenAndGetResponseMode,
    /// A value this build does not know (kept as text in `extra`).
    Other,
}

impl AuthProtocol {
    /// Reads the log's value, case-insensitively (empty means unknown).
    pub fn parse(s: &str) -> AuthProtocol {
        const NAMES: [(&str, AuthProtocol); 9] = [
            ("none", AuthProtocol::None),
            ("oAuth2", AuthProtocol::OAuth2),
            ("ropc", AuthProtocol::Ropc),
            ("deviceCode", AuthProtocol::DeviceCode),
            ("wsFederation", AuthProtocol::WsFederation),
            ("saml20", AuthProtocol::Saml20),
            (
                "authenticationTransfer",
                AuthProtocol::AuthenticationTransfer,
            ),
            ("nativeAuth", AuthProtocol::NativeAuth),
            (
                "implicitAccessTokenAndGetResponseMode",
                AuthProtocol::ImplicitAccessTokenAndGetResponseMode,
            ),
        ];
        let s = s.trim();
        if s.is_empty() || s == "null" {
            return AuthProtocol::Unknown;
        }
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map_or(AuthProtocol::Other, |&(_, p)| p)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthProtocol::Unknown => "",
            AuthProtocol::None => "none",
            AuthProtocol::OAuth2 => "oAuth2",
            AuthProtocol::Ropc => "ropc",
            AuthProtocol::DeviceCode => "deviceCode",
            AuthProtocol::WsFederation => "wsFederation",
            AuthProtocol::Saml20 => "saml20",
            AuthProtocol::AuthenticationTransfer => "authenticationTransfer",
            AuthProtocol::NativeAuth => "nativeAuth",
            AuthProtocol::ImplicitAccessTokenAndGetResponseMode => {
                "implicitAccessTokenAndGetResponseMode"
            }
            AuthProtocol::Other => "other",
        }
    }
}

/// How the sign-in's session was first obtained (Entra
/// `originalTransferMethod`): a device-code flow or a transfer from another
/// device shows here even when the protocol of this request does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TransferMethod {
    #[default]
    Unknown,
    None,
    DeviceCodeFlow,
    AuthenticationTransfer,
    Other,
}

impl TransferMethod {
    pub fn parse(s: &str) -> TransferMethod {
        let s = s.trim();
        if s.is_empty() || s == "null" {
            TransferMethod::Unknown
        } else if s.eq_ignore_ascii_case("none") {
            TransferMethod::None
        } else if s.eq_ignore_ascii_case("deviceCodeFlow") {
            TransferMethod::DeviceCodeFlow
        } else if s.eq_ignore_ascii_case("authenticationTransfer") {
            TransferMethod::AuthenticationTransfer
        } else {
            TransferMethod::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TransferMethod::Unknown => "",
            TransferMethod::None => "none",
            TransferMethod::DeviceCodeFlow => "deviceCodeFlow",
            TransferMethod::AuthenticationTransfer => "authenticationTransfer",
            TransferMethod::Other => "other",
        }
    }
}

/// Names of the values kept in [`Record::extra`] (encoded with [`encode_params`]).
pub mod extra {
    /// The client application's id (Entra `appId`).
    pub const APP_ID: &str = "app_id";
    /// The resource signed in to (Entra `resourceDisplayName`).
    pub const RESOURCE: &str = "resource";
    /// Its id (Entra `resourceId`; Sentinel `ResourceIdentity`).
    pub const RESOURCE_ID: &str = "resource_id";
    /// The result's explanation (Entra `status.additionalDetails`).
    pub const STATUS_DETAIL: &str = "status_detail";
    pub const DEVICE_ID: &str = "device_id";
    /// Device join type (`Azure AD joined`, `Hybrid Azure AD joined`, `Azure AD registered`).
    pub const DEVICE_TRUST: &str = "device_trust";
    /// `true` / `false` as logged.
    pub const DEVICE_COMPLIANT: &str = "device_compliant";
    /// Entra `incomingTokenType` (`primaryRefreshToken`, `saml11`, ...).
    pub const TOKEN_TYPE: &str = "token_type";
    /// An `authenticationProtocol` / `originalTransferMethod` value not in
    /// [`super::AuthProtocol`] / [`super::TransferMethod`], as logged.
    pub const PROTOCOL_TEXT: &str = "protocol";
    pub const TRANSFER_TEXT: &str = "transfer";
    /// A Windows account as the event wrote it (`CORP\alice`,
    /// `alice@CORP.EXAMPLE.COM`) when the user is keyed by its bare name.
    pub const ACCOUNT: &str = "account";
    /// The peer as a host name, as logged (sshd `from example.com`), when it
    /// is not an IP; `ip` stays empty (a name is never read as an address).
    pub const HOST: &str = "host";
}

/// Where a record came from: file id (see `ingest::FileTable`), 1-based line
/// (0 when the format has no lines, e.g. evtx, where `offset` is the record id),
/// and the byte offset of the record's start in the (decompressed) stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub file: u32,
    pub line: u32,
    pub offset: u64,
    /// Length of the raw record in bytes (0 when unknown).
    pub len: u32,
}

/// Bit flags carried by an event.
pub mod flags {
    /// The source says the IP is a proxy/anonymiser (Okta `securityContext.isProxy`).
    pub const IS_PROXY: u8 = 1;
    /// Coordinates came from the GeoIP database, not the log.
    pub const GEO_FROM_DB: u8 = 2;
    /// Country came from the GeoIP database, not the log.
    pub const COUNTRY_FROM_DB: u8 = 4;
    /// AS number / organisation came from the GeoIP database, not the log.
    pub const ASN_FROM_DB: u8 = 8;
    /// Interactive sign-in (false for Entra non-interactive rows).
    pub const NON_INTERACTIVE: u8 = 16;
    /// A failure for an account that does not exist (Entra 50034, Okta
    /// unknown user, sshd `Invalid user`, Kerberos 4768 status 0x6).
    pub const NO_SUCH_USER: u8 = 32;
    /// An MFA prompt denied or left unanswered (Entra 500121, Okta push
    /// rejected): the password was right, so the outcome is `Interrupted`.
    pub const MFA_DENIED: u8 = 64;
    /// The identity provider's threat engine flagged the request (Okta
    /// ThreatInsight: `debugData.threatSuspected`, `security.threat.detected`).
    pub const THREAT_SUSPECTED: u8 = 128;
}

/// The normalized event, generic over how text is held (`Txt` in drafts, `Sym` in the store).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Record<S> {
    pub time: Millis,
    pub source: Source,
    pub kind: Kind,
    pub outcome: Outcome,
    pub flags: u8,
    /// Lower-case UPN, e-mail, `domain\user` or local account.
    pub user: S,
    /// Canonical IP text without port (`1.2.3.4`, `2001:db8::1`).
    pub ip: S,
    /// The source's own result code (`50126`, `0xc000006a`, `INVALID_CREDENTIALS`, ...).
    pub result_code: S,
    pub app: S,
    pub client_app: S,
    pub auth_requirement: S,
    /// ISO 3166 alpha-2, upper case.
    pub country: S,
    pub city: S,
    pub as_org: S,
    pub user_agent: S,
    pub risk_level: S,
    pub risk_state: S,
    /// Comma-separated risk event types.
    pub risk_events: S,
    pub home_tenant: S,
    pub resource_tenant: S,
    pub session_id: S,
    /// Audit operation or API name (`New-InboxRule`, `GetCallerIdentity`, `user.session.start`).
    pub operation: S,
    /// Audit parameters, encoded with [`encode_params`].
    pub params: S,
    /// Cloud credential identity (AWS access key id), for `cloud_recon`.
    pub access_key: S,
    /// Rarely read sign-in details (app id, resource, status detail,
    /// device, token type), encoded with [`encode_params`] under the names
    /// in [`extra`]; read one with [`extra_value`].
    pub extra: S,
    pub protocol: AuthProtocol,
    pub transfer: TransferMethod,
    pub asn: u32,
    /// Latitude/longitude in degrees; NaN when absent.
    pub lat: f32,
    pub lon: f32,
    /// Accuracy radius of the coordinates in km (0 = unknown / exact).
    pub accuracy_km: u16,
    pub origin: Origin,
    /// The source's own identity of the record this came from, hashed with
    /// its family (see [`crate::dedup::identity`]); 0 = none. Read by the
    /// owner to drop a record loaded twice; the store does not keep it.
    pub identity: u64,
}

/// A parser's output: text spans into the batch's [`TextBuf`].
pub type Draft = Record<Txt>;
/// A stored event: text interned in the store.
pub type Event = Record<Sym>;

impl<S: Default> Record<S> {
    /// An empty record with coordinates marked absent.
    pub fn new(time: Millis, source: Source, kind: Kind) -> Self {
        Record {
            time,
            source,
            kind,
            lat: f32::NAN,
            lon: f32::NAN,
            ..Default::default()
        }
    }
}

/// The text fields of [`Record`], listed once: [`Record::texts`],
/// [`Record::texts_mut`] and [`Record::map_text`] are generated from this
/// list, and `map_text` builds a whole `Record`, so a text field missing
/// here does not compile. Every consumer of the text fields (the export
/// encoding, Sigma's field lookup, the store) goes through these.
macro_rules! text_fields {
    ($($f:ident),* $(,)?) => {
        /// How many text fields a [`Record`] has.
        pub const TEXT_FIELDS: usize = [$(stringify!($f)),*].len();

        impl<S: Copy> Record<S> {
            /// Every text field, in the order of [`Record::text_names`].
            pub fn texts(&self) -> [S; TEXT_FIELDS] {
                [$(self.$f),*]
            }

            /// The same record with every text field converted by `f`
            /// (called in the order of [`Record::text_names`]).
            pub fn map_text<T>(&self, mut f: impl FnMut(S) -> T) -> Record<T> {
                Record {
                    $($f: f(self.$f),)*
                    time: self.time,
                    source: self.source,
                    kind: self.kind,
                    outcome: self.outcome,
                    flags: self.flags,
                    protocol: self.protocol,
                    transfer: self.transfer,
                    asn: self.asn,
                    lat: self.lat,
                    lon: self.lon,
                    accuracy_km: self.accuracy_km,
                    origin: self.origin,
                    identity: self.identity,
                }
            }
        }

        impl<S> Record<S> {
            /// Every text field, to write in place.
            pub fn texts_mut(&mut self) -> [&mut S; TEXT_FIELDS] {
                [$(&mut self.$f),*]
            }

            /// The field names of [`Record::texts`], in its order.
            pub fn text_names() -> [&'static str; TEXT_FIELDS] {
                [$(stringify!($f)),*]
            }
        }
    };
}
text_fields!(
    user,
    ip,
    result_code,
    app,
    client_app,
    auth_requirement,
    country,
    city,
    as_org,
    user_agent,
    risk_level,
    risk_state,
    risk_events,
    home_tenant,
    resource_tenant,
    session_id,
    operation,
    params,
    access_key,
    extra
);

impl<S: Copy> Record<S> {
    pub fn has_coords(&self) -> bool {
        !self.lat.is_nan() && !self.lon.is_nan()
    }

    pub fn is_signin(&self) -> bool {
        self.kind == Kind::SignIn
    }

    /// Password verified: success or interrupted.
    pub fn credentials_ok(&self) -> bool {
        matches!(self.outcome, Outcome::Success | Outcome::Interrupted)
    }
}

/// The value named `key` in an [`encode_params`] string (`None` when absent).
pub fn extra_value<'a>(encoded: &'a str, key: &str) -> Option<&'a str> {
    decode_params(encoded)
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// A batch of drafts with the text they point into.
#[derive(Default, Debug, Clone)]
pub struct Batch {
    pub text: TextBuf,
    pub drafts: Vec<Draft>,
    /// Records that matched Sigma rules at ingest and what the rules
    /// evaluated (see [`crate::sigma::ingest`]); boxed, most batches carry none.
    pub sigma: Box<crate::sigma::ingest::SigmaPart>,
}

/// Emptied batches kept for reuse: a parse worker fills one whose buffers
/// already have their size instead of growing fresh ones for every chunk,
/// and the owner hands it back instead of freeing it.
static SPARE: std::sync::Mutex<Vec<Batch>> = std::sync::Mutex::new(Vec::new());
/// Batches kept at most (more are in flight in the queues anyway).
const MAX_SPARE: usize = 4;
/// Batches that grew beyond this (a huge chunk) are freed, not kept.
const MAX_SPARE_BYTES: usize = 8 << 20;

impl Batch {
    /// An empty batch, reusing a spare one's buffers when there is one.
    pub fn recycled() -> Batch {
        SPARE
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }

    /// Empties the batch and keeps it for [`Batch::recycled`].
    pub fn recycle(mut self) {
        let bytes =
            self.text.text.capacity() + self.drafts.capacity() * std::mem::size_of::<Draft>();
        if bytes > MAX_SPARE_BYTES {
            return;
        }
        self.text.clear();
        self.drafts.clear();
        self.sigma.hits.clear();
        self.sigma.tally.clear();
        if let Ok(mut spare) = SPARE.lock() {
            if spare.len() < MAX_SPARE {
                spare.push(self);
            }
        }
    }

    /// No drafts, no Sigma match and nothing evaluated.
    pub fn is_empty(&self) -> bool {
        self.drafts.is_empty() && self.sigma.hits.is_empty() && self.sigma.tally.is_empty()
    }
    pub fn len(&self) -> usize {
        self.drafts.len()
    }
}

/// Separator between audit parameters and between a parameter's name and value.
pub const PARAM_SEP: char = '\u{1e}';
pub const PARAM_KV: char = '\u{1f}';

/// Encodes `name=value` pairs into one string (separator characters in the
/// input are replaced so the encoding stays unambiguous).
pub fn encode_params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push(PARAM_SEP);
        }
        out.extend(k.chars().map(clean_sep));
        out.push(PARAM_KV);
        out.extend(v.chars().map(clean_sep));
    }
    out
}

fn clean_sep(c: char) -> char {
    if c == PARAM_SEP || c == PARAM_KV {
        ' '
    } else {
        c
    }
}

/// Decodes what [`encode_params`] wrote.
pub fn decode_params(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split(PARAM_SEP)
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once(PARAM_KV).unwrap_or((p, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbuf_spans_and_absent_values() {
        let mut b = TextBuf::default();
        let a = b.put("  Alice@Contoso.com ");
        let l = b.put_lower("Alice@Contoso.com");
        assert_eq!(b.get(a), "Alice@Contoso.com");
        assert_eq!(b.get(l), "alice@contoso.com");
        assert!(b.put("-").is_empty());
        assert_eq!(b.put("Alice@Contoso.com"), a, "equal strings share a span");
        assert!(b.put("").is_empty());
        assert_eq!(b.get(Txt::default()), "");
    }

    #[test]
    fn recycled_batches_come_back_empty() {
        let mut b = Batch::default();
        let t = b.text.put("alice@contoso.com");
        let mut d = Draft::new(1, Source::Entra, Kind::SignIn);
        d.user = t;
        b.drafts.push(d);
        b.recycle();
        for _ in 0..8 {
            let r = Batch::recycled();
            assert!(r.is_empty() && r.text.is_empty() && r.text.count() == 0);
            // Strings put again are numbered from 1, as in a fresh batch.
            let mut r = r;
            assert_eq!(r.text.put("bob"), Txt(1));
        }
    }

    #[test]
    fn protocol_and_transfer_values_read_case_insensitively() {
        assert_eq!(AuthProtocol::parse("ROPC"), AuthProtocol::Ropc);
        assert_eq!(AuthProtocol::parse("deviceCode"), AuthProtocol::DeviceCode);
        assert_eq!(AuthProtocol::parse(" none "), AuthProtocol::None);
        assert_eq!(AuthProtocol::parse(""), AuthProtocol::Unknown);
        assert_eq!(AuthProtocol::parse("rpoc"), AuthProtocol::Other);
        assert_eq!(
            TransferMethod::parse("deviceCodeFlow"),
            TransferMethod::DeviceCodeFlow
        );
        assert_eq!(TransferMethod::parse("null"), TransferMethod::Unknown);
        let enc = encode_params([(extra::APP_ID, "a-1"), (extra::DEVICE_ID, "d-2")]);
        assert_eq!(extra_value(&enc, extra::DEVICE_ID), Some("d-2"));
        assert_eq!(extra_value(&enc, extra::RESOURCE), None);
    }

    #[test]
    fn params_round_trip_and_separator_injection() {
        let enc = encode_params([("ForwardTo", "x@evil.com"), ("Name", "a\u{1e}b")]);
        let got: Vec<_> = decode_params(&enc).collect();
        assert_eq!(got, vec![("ForwardTo", "x@evil.com"), ("Name", "a b")]);
    }

    #[test]
    fn texts_name_every_text_field_in_one_order() {
        let mut r = Record::<&str>::new(0, Source::Entra, Kind::SignIn);
        r.user = "u";
        r.access_key = "k";
        r.extra = "x";
        let named: Vec<_> = Record::<&str>::text_names()
            .into_iter()
            .zip(r.texts())
            .filter(|(_, t)| !t.is_empty())
            .collect();
        assert_eq!(
            named,
            vec![("user", "u"), ("access_key", "k"), ("extra", "x")]
        );
        let mut n = 0;
        let _ = r.map_text(|_| n += 1);
        assert_eq!(n, TEXT_FIELDS);
        for t in r.texts_mut() {
            *t = "z";
        }
        assert!(r.texts().iter().all(|t| *t == "z"));
    }
}
