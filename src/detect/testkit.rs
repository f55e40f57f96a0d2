//! Detector scenarios for tests: a small event builder ([`Ev`]) and a
//! [`Scenario`] that stores the events, runs the [`Engine`] over them in
//! event-time order (or arrival order, to test late events) and returns the
//! findings. Test-only; shipped code never depends on it.

use super::{DetectCx, Engine};
use crate::config::Config;
use crate::enrich::hosting::HostingNetworks;
use crate::event::{encode_params, flags, Batch, Draft, Kind, Millis, Outcome, Source};
use crate::finding::{DetectorId, Finding, Findings};
use crate::ingest::time::parse_time;
use crate::store::Store;

/// `"2024-05-01T10:00:00Z"` as milliseconds.
pub(crate) fn t(s: &str) -> Millis {
    parse_time(s).unwrap_or_else(|| panic!("bad test time {s}"))
}

pub(crate) const MIN: Millis = 60_000;
pub(crate) const HOUR: Millis = 3_600_000;

/// One event to build; empty strings mean absent.
#[derive(Clone, Debug)]
pub(crate) struct Ev {
    time: Millis,
    source: Source,
    kind: Kind,
    outcome: Outcome,
    flags: u8,
    user: String,
    ip: String,
    code: String,
    app: String,
    client_app: String,
    auth_req: String,
    country: String,
    city: String,
    org: String,
    ua: String,
    risk_level: String,
    risk_state: String,
    risk_events: String,
    home: String,
    resource: String,
    session: String,
    op: String,
    params: Vec<(String, String)>,
    key: String,
    asn: u32,
    lat: f32,
    lon: f32,
    acc: u16,
    protocol: crate::event::AuthProtocol,
    transfer: crate::event::TransferMethod,
}

fn base(time: &str, source: Source, kind: Kind, outcome: Outcome) -> Ev {
    Ev {
        time: t(time),
        source,
        kind,
        outcome,
        flags: 0,
        user: String::new(),
        ip: String::new(),
        code: String::new(),
        app: String::new(),
        client_app: String::new(),
        auth_req: String::new(),
        country: String::new(),
        city: String::new(),
        org: String::new(),
        ua: String::new(),
        risk_level: String::new(),
        risk_state: String::new(),
        risk_events: String::new(),
        home: String::new(),
        resource: String::new(),
        session: String::new(),
        op: String::new(),
        params: Vec::new(),
        key: String::new(),
        asn: 0,
        lat: f32::NAN,
        lon: f32::NAN,
        acc: 0,
        protocol: Default::default(),
        transfer: Default::default(),
    }
}

/// A successful Entra sign-in (result code 0).
pub(crate) fn ok(time: &str, user: &str, ip: &str) -> Ev {
    base(time, Source::Entra, Kind::SignIn, Outcome::Success)
        .user(user)
        .ip(ip)
        .code("0")
        .app("Office 365 Exchange Online")
}

/// A failed Entra sign-in (50126, bad password).
pub(crate) fn fail(time: &str, user: &str, ip: &str) -> Ev {
    base(time, Source::Entra, Kind::SignIn, Outcome::Failure)
        .user(user)
        .ip(ip)
        .code("50126")
        .app("Office 365 Exchange Online")
}

/// An interrupted Entra sign-in (50074, strong authentication required).
pub(crate) fn interrupted(time: &str, user: &str, ip: &str) -> Ev {
    ok(time, user, ip)
        .outcome(Outcome::Interrupted)
        .code("50074")
}

/// A Microsoft 365 audit operation.
pub(crate) fn audit(time: &str, user: &str, op: &str) -> Ev {
    let mut e = base(time, Source::M365, Kind::Audit, Outcome::Success).user(user);
    e.op = op.into();
    e
}

/// A CloudTrail API call by an access key.
pub(crate) fn api(time: &str, key: &str, op: &str) -> Ev {
    let mut e = base(time, Source::CloudTrail, Kind::ApiCall, Outcome::Success);
    e.key = key.into();
    e.op = op.into();
    e
}

impl Ev {
    pub(crate) fn at_ms(mut self, ms: Millis) -> Self {
        self.time = ms;
        self
    }
    pub(crate) fn plus(mut self, ms: Millis) -> Self {
        self.time += ms;
        self
    }
    pub(crate) fn outcome(mut self, o: Outcome) -> Self {
        self.outcome = o;
        self
    }
    pub(crate) fn user(mut self, s: &str) -> Self {
        self.user = s.into();
        self
    }
    pub(crate) fn ip(mut self, s: &str) -> Self {
        self.ip = s.into();
        self
    }
    pub(crate) fn code(mut self, s: &str) -> Self {
        self.code = s.into();
        self
    }
    pub(crate) fn app(mut self, s: &str) -> Self {
        self.app = s.into();
        self
    }
    pub(crate) fn client(mut self, s: &str) -> Self {
        self.client_app = s.into();
        self
    }
    pub(crate) fn auth(mut self, s: &str) -> Self {
        self.auth_req = s.into();
        self
    }
    pub(crate) fn country(mut self, s: &str) -> Self {
        self.country = s.into();
        self
    }
    pub(crate) fn city(mut self, s: &str) -> Self {
        self.city = s.into();
        self
    }
    /// Coordinates from the log.
    pub(crate) fn at(mut self, lat: f32, lon: f32) -> Self {
        self.lat = lat;
        self.lon = lon;
        self
    }
    /// Accuracy radius in km.
    pub(crate) fn radius(mut self, km: u16) -> Self {
        self.acc = km;
        self
    }
    /// Coordinates came from the GeoIP database.
    pub(crate) fn geo_from_db(mut self) -> Self {
        self.flags |= flags::GEO_FROM_DB;
        self
    }
    pub(crate) fn asn(mut self, n: u32) -> Self {
        self.asn = n;
        self
    }
    pub(crate) fn org(mut self, s: &str) -> Self {
        self.org = s.into();
        self
    }
    pub(crate) fn proxy(mut self) -> Self {
        self.flags |= flags::IS_PROXY;
        self
    }
    pub(crate) fn ua(mut self, s: &str) -> Self {
        self.ua = s.into();
        self
    }
    pub(crate) fn risk(mut self, level: &str, state: &str, events: &str) -> Self {
        self.risk_level = level.into();
        self.risk_state = state.into();
        self.risk_events = events.into();
        self
    }
    pub(crate) fn tenants(mut self, home: &str, resource: &str) -> Self {
        self.home = home.into();
        self.resource = resource.into();
        self
    }
    pub(crate) fn session(mut self, s: &str) -> Self {
        self.session = s.into();
        self
    }
    pub(crate) fn param(mut self, k: &str, v: &str) -> Self {
        self.params.push((k.into(), v.into()));
        self
    }

    fn draft(&self, b: &mut Batch) -> Draft {
        let mut d = Draft::new(self.time, self.source, self.kind);
        let tx = &mut b.text;
        d.outcome = self.outcome;
        d.flags = self.flags;
        d.user = tx.put_lower(&self.user);
        d.ip = tx.put(&self.ip);
        d.result_code = tx.put(&self.code);
        d.app = tx.put(&self.app);
        d.client_app = tx.put(&self.client_app);
        d.auth_requirement = tx.put(&self.auth_req);
        d.country = tx.put(&self.country);
        d.city = tx.put(&self.city);
        d.as_org = tx.put(&self.org);
        d.user_agent = tx.put(&self.ua);
        d.risk_level = tx.put(&self.risk_level);
        d.risk_state = tx.put(&self.risk_state);
        d.risk_events = tx.put(&self.risk_events);
        d.home_tenant = tx.put(&self.home);
        d.resource_tenant = tx.put(&self.resource);
        d.session_id = tx.put(&self.session);
        d.operation = tx.put(&self.op);
        let params = encode_params(self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        d.params = tx.put(&params);
        d.access_key = tx.put(&self.key);
        d.asn = self.asn;
        d.lat = self.lat;
        d.lon = self.lon;
        d.accuracy_km = self.acc;
        d.protocol = self.protocol;
        d.transfer = self.transfer;
        d
    }
}

/// Builders for the sign-in details of issue 13 (flags, protocol, transfer).
impl Ev {
    pub(crate) fn source(mut self, s: Source) -> Self {
        self.source = s;
        self
    }
    pub(crate) fn flag(mut self, f: u8) -> Self {
        self.flags |= f;
        self
    }
    pub(crate) fn protocol(mut self, p: crate::event::AuthProtocol) -> Self {
        self.protocol = p;
        self
    }
    pub(crate) fn transfer(mut self, t: crate::event::TransferMethod) -> Self {
        self.transfer = t;
        self
    }
}

/// Events parsed from raw log records (as a run reads them) instead of built.
impl Scenario {
    /// Parses each record with `format` and runs the detectors over the events.
    pub(crate) fn run_raw(&self, format: crate::ingest::Format, records: &[String]) -> Run {
        let mut batch = Batch::default();
        for (i, raw) in records.iter().enumerate() {
            let origin = crate::event::Origin {
                line: i as u32 + 1,
                ..Default::default()
            };
            let mut cx = crate::ingest::RecordCx::new(&mut batch, origin);
            let res = crate::ingest::decode::parse_record(Some(format), raw, &mut cx);
            assert_eq!(res, Ok(()), "{raw}");
        }
        let mut s = Scenario::with_config(self.config.clone());
        s.arrival_order = self.arrival_order;
        s.run_batch(batch)
    }
}

/// Events to run through the detectors.
pub(crate) struct Scenario {
    pub config: Config,
    events: Vec<Ev>,
    /// Feed events in the order pushed instead of event-time order (late events).
    pub arrival_order: bool,
}

/// The outcome of a scenario.
pub(crate) struct Run {
    pub findings: Findings,
    pub store: Store,
    pub engine: Engine,
    /// Findings reported as created or updated, in order (id, change).
    pub changes: Vec<(crate::finding::Change, String)>,
}

impl Scenario {
    pub(crate) fn new() -> Self {
        Scenario::with_config(Config::default())
    }

    pub(crate) fn with_config(config: Config) -> Self {
        Scenario {
            config,
            events: Vec::new(),
            arrival_order: false,
        }
    }

    pub(crate) fn push(&mut self, e: Ev) -> &mut Self {
        self.events.push(e);
        self
    }

    pub(crate) fn extend(&mut self, es: impl IntoIterator<Item = Ev>) -> &mut Self {
        self.events.extend(es);
        self
    }

    pub(crate) fn run(&self) -> Run {
        self.run_batch(self.batch())
    }

    /// Like [`Scenario::run`], but every event in one `observe_all` batch
    /// (as a whole-file scan runs them): deferred snapshots come once, at
    /// the batch's end. `changes` then counts each finding's upserts.
    pub(crate) fn run_batched(&self) -> Run {
        self.run_with(self.batch(), true)
    }

    fn batch(&self) -> Batch {
        let mut batch = Batch::default();
        for e in &self.events {
            let d = e.draft(&mut batch);
            batch.drafts.push(d);
        }
        batch
    }

    fn run_batch(&self, batch: Batch) -> Run {
        self.run_with(batch, false)
    }

    fn run_with(&self, batch: Batch, one_batch: bool) -> Run {
        let mut store = Store::new();
        for i in 0..batch.len() {
            store.append_draft(&batch, i);
        }
        let order: Vec<u32> = if self.arrival_order {
            (0..store.len() as u32).collect()
        } else {
            store.by_time().to_vec()
        };
        let hosting = HostingNetworks::from_config(&self.config.detectors.hosting_asn);
        let mut engine = Engine::new(&self.config);
        let mut findings = Findings::default();
        let mut changes = Vec::new();
        {
            let cx = DetectCx {
                store: &store,
                config: &self.config,
                hosting: &hosting,
            };
            if one_batch {
                engine.observe_all(&cx, &order, &mut findings, &mut changes);
            } else {
                for idx in order {
                    engine.observe(&cx, idx, &mut findings, &mut changes);
                }
            }
        }
        Run {
            findings,
            store,
            engine,
            changes,
        }
    }
}

impl Run {
    /// Every finding of a detector, suppressed or not.
    pub(crate) fn all(&self, d: DetectorId) -> Vec<&Finding> {
        self.findings
            .all()
            .iter()
            .filter(|f| f.detector == d)
            .collect()
    }

    /// The findings of a detector that are not suppressed.
    pub(crate) fn active(&self, d: DetectorId) -> Vec<&Finding> {
        self.all(d)
            .into_iter()
            .filter(|f| f.suppressed.is_none())
            .collect()
    }

    /// The single active finding of a detector (fails the test otherwise).
    pub(crate) fn one(&self, d: DetectorId) -> &Finding {
        let v = self.active(d);
        assert_eq!(v.len(), 1, "expected one {d} finding, got {:#?}", v);
        v[0]
    }

    /// Active findings of every detector, as (detector, entity-ish title) for messages.
    pub(crate) fn summary(&self) -> Vec<String> {
        self.findings
            .all()
            .iter()
            .map(|f| format!("{} {} {}", f.detector, f.risk, f.title))
            .collect()
    }

    /// Times of a finding's evidence events.
    pub(crate) fn evidence_times(&self, f: &Finding) -> Vec<Millis> {
        f.evidence.iter().map(|&i| self.store.get(i).time).collect()
    }
}
