//! One exported event with its text owned ([`Row`]), and the compact byte
//! encoding the spilling sorter keeps rows in ([`encode`] / [`decode`]).
//!
//! The session interns text into an interner that `hunt events` empties
//! now and then (memory stays flat), so a row is copied out of it at once:
//! as bytes (fixed fields, then each text field as a length and its UTF-8).

use crate::event::{AuthProtocol, Event, Kind, Outcome, Record, Source, TransferMethod};
use crate::store::Interner;

/// An event with owned text, and its arrival number (the store index when
/// the store is kept, for linking evidence).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub ev: Record<String>,
    pub seq: u64,
}

/// Appends `ev` (text from `strings`) with its arrival number to `out`.
pub fn encode(ev: &Event, strings: &Interner, seq: u64, out: &mut Vec<u8>) {
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&ev.time.to_le_bytes());
    out.extend_from_slice(&[ev.source as u8, ev.kind as u8, ev.outcome as u8, ev.flags]);
    out.extend_from_slice(&[ev.protocol as u8, ev.transfer as u8]);
    out.extend_from_slice(&ev.asn.to_le_bytes());
    out.extend_from_slice(&ev.lat.to_le_bytes());
    out.extend_from_slice(&ev.lon.to_le_bytes());
    out.extend_from_slice(&ev.accuracy_km.to_le_bytes());
    let o = ev.origin;
    out.extend_from_slice(&o.file.to_le_bytes());
    out.extend_from_slice(&o.line.to_le_bytes());
    out.extend_from_slice(&o.offset.to_le_bytes());
    out.extend_from_slice(&o.len.to_le_bytes());
    for sym in ev.texts() {
        let s = strings.resolve(sym);
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
}

/// Reads fixed-size fields off the front of a slice.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn text(&mut self) -> Option<String> {
        let n = u32::from_le_bytes(self.take()?) as usize;
        String::from_utf8(self.bytes(n)?.to_vec()).ok()
    }
}

/// Reads back what [`encode`] wrote (`None` for damaged bytes).
pub fn decode(buf: &[u8]) -> Option<Row> {
    let mut c = Cursor(buf);
    let seq = u64::from_le_bytes(c.take()?);
    let time = i64::from_le_bytes(c.take()?);
    let [source, kind, outcome, flags] = c.take()?;
    let mut ev = Record::<String>::new(time, source_of(source), kind_of(kind));
    ev.outcome = outcome_of(outcome);
    ev.flags = flags;
    let [protocol, transfer] = c.take()?;
    ev.protocol = protocol_of(protocol);
    ev.transfer = transfer_of(transfer);
    ev.asn = u32::from_le_bytes(c.take()?);
    ev.lat = f32::from_le_bytes(c.take()?);
    ev.lon = f32::from_le_bytes(c.take()?);
    ev.accuracy_km = u16::from_le_bytes(c.take()?);
    ev.origin.file = u32::from_le_bytes(c.take()?);
    ev.origin.line = u32::from_le_bytes(c.take()?);
    ev.origin.offset = u64::from_le_bytes(c.take()?);
    ev.origin.len = u32::from_le_bytes(c.take()?);
    // Text fields in the order of `Record::texts`, the order `encode` wrote.
    for slot in ev.texts_mut() {
        *slot = c.text()?;
    }
    Some(Row { ev, seq })
}

fn source_of(b: u8) -> Source {
    [
        Source::Unknown,
        Source::Entra,
        Source::Okta,
        Source::Ecs,
        Source::Windows,
        Source::M365,
        Source::CloudTrail,
        Source::Sshd,
    ]
    .into_iter()
    .find(|s| *s as u8 == b)
    .unwrap_or_default()
}

fn kind_of(b: u8) -> Kind {
    [Kind::SignIn, Kind::Audit, Kind::ApiCall]
        .into_iter()
        .find(|k| *k as u8 == b)
        .unwrap_or_default()
}

fn outcome_of(b: u8) -> Outcome {
    [
        Outcome::Unknown,
        Outcome::Success,
        Outcome::Failure,
        Outcome::Interrupted,
    ]
    .into_iter()
    .find(|o| *o as u8 == b)
    .unwrap_or_default()
}

fn protocol_of(b: u8) -> AuthProtocol {
    [
        AuthProtocol::Unknown,
        AuthProtocol::None,
        AuthProtocol::OAuth2,
        AuthProtocol::Ropc,
        AuthProtocol::DeviceCode,
        AuthProtocol::WsFederation,
        AuthProtocol::Saml20,
        AuthProtocol::AuthenticationTransfer,
        AuthProtocol::NativeAuth,
        AuthProtocol::ImplicitAccessTokenAndGetResponseMode,
        AuthProtocol::Other,
    ]
    .into_iter()
    .find(|p| *p as u8 == b)
    .unwrap_or_default()
}

fn transfer_of(b: u8) -> TransferMethod {
    [
        TransferMethod::Unknown,
        TransferMethod::None,
        TransferMethod::DeviceCodeFlow,
        TransferMethod::AuthenticationTransfer,
        TransferMethod::Other,
    ]
    .into_iter()
    .find(|t| *t as u8 == b)
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::flags;

    #[test]
    fn rows_round_trip_through_the_encoding() {
        let mut strings = Interner::default();
        let mut ev = Event::new(1_763_460_480_123, Source::M365, Kind::Audit);
        ev.outcome = Outcome::Interrupted;
        ev.flags = flags::IS_PROXY | flags::GEO_FROM_DB;
        ev.user = strings.intern("alice@contoso.com");
        ev.ip = strings.intern("2001:db8::1");
        ev.operation = strings.intern("New-InboxRule");
        ev.access_key = strings.intern("AKIA\u{202e}x");
        ev.extra = strings.intern("app_id=00000002");
        ev.asn = 64500;
        ev.protocol = AuthProtocol::Ropc;
        ev.transfer = TransferMethod::DeviceCodeFlow;
        ev.lat = 52.5;
        ev.accuracy_km = 20;
        ev.origin.file = 3;
        ev.origin.line = 7;
        ev.origin.offset = 1 << 40;
        ev.origin.len = 99;
        let mut buf = Vec::new();
        encode(&ev, &strings, 42, &mut buf);
        let row = decode(&buf).unwrap();
        assert_eq!(row.seq, 42);
        assert_eq!(
            (row.ev.time, row.ev.source, row.ev.kind, row.ev.outcome),
            (ev.time, ev.source, ev.kind, ev.outcome)
        );
        assert_eq!(row.ev.flags, ev.flags);
        assert_eq!(
            (row.ev.protocol, row.ev.transfer),
            (AuthProtocol::Ropc, TransferMethod::DeviceCodeFlow)
        );
        assert_eq!(row.ev.user, "alice@contoso.com");
        assert_eq!(row.ev.ip, "2001:db8::1");
        assert_eq!(row.ev.operation, "New-InboxRule");
        assert_eq!(row.ev.access_key, "AKIA\u{202e}x");
        // The Entra details (issue 13) travel too: the encoding listed its
        // text fields by hand and had missed this one.
        assert_eq!(row.ev.extra, "app_id=00000002");
        assert_eq!(row.ev.city, "");
        assert!(row.ev.lon.is_nan() && row.ev.lat == 52.5);
        assert_eq!((row.ev.asn, row.ev.accuracy_km), (64500, 20));
        assert_eq!(row.ev.origin, ev.origin);
        // Truncated bytes are refused, not misread.
        assert_eq!(decode(buf.get(..buf.len() - 1).unwrap()), None);
    }
}
