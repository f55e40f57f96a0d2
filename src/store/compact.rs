//! How the store holds an event in 56 bytes instead of 128.
//!
//! An [`Event`] has nineteen text fields, but most of them describe the
//! client (application, client app, user agent, result, risk, tenants,
//! operation) or the place a user signs in from (country, city, network,
//! coordinates) and repeat from one record to the next. Each of those two
//! parts is kept once per distinct combination; each event keeps what changes
//! on almost every record (time, user, IP, session, parameters, origin) and
//! the numbers of its two parts. (One table for both would hold a row per
//! user and application: places vary by user, clients by application.) [`Store::get`](super::Store::get) puts the two back together.

use crate::event::{AuthProtocol, Kind, Outcome, Source, TransferMethod};
use crate::event::{Event, Millis, Origin, Sym};
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};

/// The per-event part.
#[derive(Clone, Copy, Debug)]
pub(super) struct Slim {
    pub time: Millis,
    offset: u64,
    user: Sym,
    ip: Sym,
    session_id: Sym,
    params: Sym,
    client: u32,
    place: u32,
    pub file: u32,
    line: u32,
    len: u32,
    source: Source,
    kind: Kind,
    outcome: Outcome,
    flags: u8,
}

/// A shared part, compared and hashed as a row of integers.
trait Shared: Copy {
    type Words: AsRef<[u32]> + PartialEq;
    fn words(&self) -> Self::Words;
}

/// What the client asked for and got: application, client, user agent,
/// result, risk, tenants, operation. A handful of combinations per user.
#[derive(Clone, Copy, Debug)]
struct Client {
    app: Sym,
    client_app: Sym,
    auth_requirement: Sym,
    user_agent: Sym,
    result_code: Sym,
    risk_level: Sym,
    risk_state: Sym,
    risk_events: Sym,
    home_tenant: Sym,
    resource_tenant: Sym,
    operation: Sym,
    access_key: Sym,
    extra: Sym,
    protocol: AuthProtocol,
    transfer: TransferMethod,
}

impl Shared for Client {
    type Words = [u32; 14];
    fn words(&self) -> [u32; 14] {
        [
            self.app.0,
            self.client_app.0,
            self.auth_requirement.0,
            self.user_agent.0,
            self.result_code.0,
            self.risk_level.0,
            self.risk_state.0,
            self.risk_events.0,
            self.home_tenant.0,
            self.resource_tenant.0,
            self.operation.0,
            self.access_key.0,
            self.extra.0,
            u32::from(self.protocol as u8) | u32::from(self.transfer as u8) << 8,
        ]
    }
}

/// Where from: country, city, network, coordinates (one per network a user uses).
#[derive(Clone, Copy, Debug)]
struct Place {
    country: Sym,
    city: Sym,
    as_org: Sym,
    asn: u32,
    lat: f32,
    lon: f32,
    accuracy_km: u16,
}

impl Shared for Place {
    type Words = [u32; 7];
    /// Coordinates by their bits, so NaN (absent) equals NaN.
    fn words(&self) -> [u32; 7] {
        [
            self.country.0,
            self.city.0,
            self.as_org.0,
            self.asn,
            self.lat.to_bits(),
            self.lon.to_bits(),
            u32::from(self.accuracy_km),
        ]
    }
}

fn hash_words<T: Shared>(t: &T) -> u64 {
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    for w in t.words().as_ref() {
        h.write_u32(*w);
    }
    h.finish()
}

/// Distinct values of one shared part, each numbered once.
struct Table<T> {
    list: Vec<T>,
    index: HashTable<u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            list: Vec::new(),
            index: HashTable::new(),
        }
    }
}

impl<T: Shared> Table<T> {
    fn number(&mut self, t: T) -> u32 {
        let hash = hash_words(&t);
        let words = t.words();
        let list = &self.list;
        if let Some(&i) = self.index.find(hash, |&i| {
            list.get(i as usize).is_some_and(|t| t.words() == words)
        }) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(t);
        let list = &self.list;
        self.index
            .insert_unique(hash, i, |&j| list.get(j as usize).map_or(0, hash_words));
        i
    }

    fn heap_bytes(&self) -> usize {
        self.list.capacity() * std::mem::size_of::<T>() + self.index.capacity() * 5
    }
}

/// The shared parts of every stored event.
#[derive(Default)]
pub(super) struct Contexts {
    clients: Table<Client>,
    places: Table<Place>,
}

impl std::fmt::Debug for Contexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contexts")
            .field("clients", &self.clients.list.len())
            .field("places", &self.places.list.len())
            .finish()
    }
}

impl Contexts {
    /// Splits `ev` into its per-event part and the numbers of its shared parts.
    pub fn split(&mut self, ev: &Event) -> Slim {
        let client = self.clients.number(Client {
            app: ev.app,
            client_app: ev.client_app,
            auth_requirement: ev.auth_requirement,
            user_agent: ev.user_agent,
            result_code: ev.result_code,
            risk_level: ev.risk_level,
            risk_state: ev.risk_state,
            risk_events: ev.risk_events,
            home_tenant: ev.home_tenant,
            resource_tenant: ev.resource_tenant,
            operation: ev.operation,
            access_key: ev.access_key,
            extra: ev.extra,
            protocol: ev.protocol,
            transfer: ev.transfer,
        });
        let place = self.places.number(Place {
            country: ev.country,
            city: ev.city,
            as_org: ev.as_org,
            asn: ev.asn,
            lat: ev.lat,
            lon: ev.lon,
            accuracy_km: ev.accuracy_km,
        });
        Slim {
            time: ev.time,
            offset: ev.origin.offset,
            user: ev.user,
            ip: ev.ip,
            session_id: ev.session_id,
            params: ev.params,
            client,
            place,
            file: ev.origin.file,
            line: ev.origin.line,
            len: ev.origin.len,
            source: ev.source,
            kind: ev.kind,
            outcome: ev.outcome,
            flags: ev.flags,
        }
    }

    /// The whole event again; `None` only if `s` was not made by this
    /// [`Contexts::split`] (its shared parts are not here).
    pub fn join(&self, s: &Slim) -> Option<Event> {
        let c = self.clients.list.get(s.client as usize)?;
        let p = self.places.list.get(s.place as usize)?;
        Some(Event {
            time: s.time,
            source: s.source,
            kind: s.kind,
            outcome: s.outcome,
            flags: s.flags,
            user: s.user,
            ip: s.ip,
            result_code: c.result_code,
            app: c.app,
            client_app: c.client_app,
            auth_requirement: c.auth_requirement,
            country: p.country,
            city: p.city,
            as_org: p.as_org,
            user_agent: c.user_agent,
            risk_level: c.risk_level,
            risk_state: c.risk_state,
            risk_events: c.risk_events,
            home_tenant: c.home_tenant,
            resource_tenant: c.resource_tenant,
            session_id: s.session_id,
            operation: c.operation,
            params: s.params,
            access_key: c.access_key,
            extra: c.extra,
            protocol: c.protocol,
            transfer: c.transfer,
            asn: p.asn,
            lat: p.lat,
            lon: p.lon,
            accuracy_km: p.accuracy_km,
            origin: Origin {
                file: s.file,
                line: s.line,
                offset: s.offset,
                len: s.len,
            },
            // Used at ingest only (see `crate::dedup`): not kept per event.
            identity: 0,
        })
    }

    /// Distinct shared parts held.
    pub fn len(&self) -> usize {
        self.clients.list.len() + self.places.list.len()
    }

    pub fn heap_bytes(&self) -> usize {
        self.clients.heap_bytes() + self.places.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::flags;

    fn event(n: u32) -> Event {
        let mut e = Event::new(
            1_700_000_000_000 + i64::from(n),
            Source::Entra,
            Kind::SignIn,
        );
        e.outcome = Outcome::Failure;
        e.flags = flags::GEO_FROM_DB;
        e.user = Sym(n + 1);
        e.ip = Sym(2);
        e.result_code = Sym(3);
        e.app = Sym(4);
        e.client_app = Sym(5);
        e.auth_requirement = Sym(6);
        e.country = Sym(7);
        e.city = Sym(8);
        e.as_org = Sym(9);
        e.user_agent = Sym(10);
        e.risk_level = Sym(11);
        e.risk_state = Sym(12);
        e.risk_events = Sym(13);
        e.home_tenant = Sym(14);
        e.resource_tenant = Sym(15);
        e.session_id = Sym(16 + n);
        e.operation = Sym(17);
        e.params = Sym(18);
        e.access_key = Sym(19);
        e.extra = Sym(20);
        e.protocol = AuthProtocol::DeviceCode;
        e.transfer = TransferMethod::DeviceCodeFlow;
        e.asn = 64_500;
        e.lat = 52.5;
        e.lon = 13.4;
        e.accuracy_km = 20;
        e.origin = Origin {
            file: 3,
            line: 77,
            offset: 5_000_000_000,
            len: 2100,
        };
        e
    }

    #[test]
    fn split_and_join_round_trip_every_field() {
        let mut c = Contexts::default();
        let e = event(0);
        let slim = c.split(&e);
        let back = c.join(&slim);
        assert_eq!(format!("{back:?}"), format!("{:?}", Some(e)));
        // Absent coordinates (NaN) survive too, and share one context.
        let mut n = event(1);
        n.lat = f32::NAN;
        n.lon = f32::NAN;
        let s1 = c.split(&n);
        let s2 = c.split(&n);
        assert!(c.join(&s1).is_some_and(|e| !e.has_coords()));
        assert_eq!((s1.client, s1.place), (s2.client, s2.place));
        assert_eq!(c.len(), 3, "one client, two places");
    }

    #[test]
    fn a_slim_from_other_contexts_joins_to_none_not_a_panic() {
        let mut big = Contexts::default();
        let mut e = event(0);
        big.split(&e);
        e.app = Sym(99);
        e.asn = 1;
        let slim = big.split(&e);
        assert_eq!((slim.client, slim.place), (1, 1));
        assert!(Contexts::default().join(&slim).is_none());
        assert!(big.join(&slim).is_some());
    }

    #[test]
    fn events_differing_only_per_event_share_a_context() {
        let mut c = Contexts::default();
        for n in 0..1000 {
            c.split(&event(n));
        }
        assert_eq!(c.len(), 2);
        let mut other = event(0);
        other.app = Sym(99);
        c.split(&other);
        other.asn = 1;
        c.split(&other);
        assert_eq!(c.len(), 4);
        // The sign-in flow is part of the client: a different one is another client.
        other.protocol = AuthProtocol::Ropc;
        c.split(&other);
        assert_eq!(c.len(), 5);
        assert!(std::mem::size_of::<Slim>() <= 56);
    }
}
