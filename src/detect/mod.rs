//! Detection: the [`Detector`] trait, the [`Engine`] that feeds every enabled
//! detector one event at a time, and one detector per file. Detectors use
//! event time only (never the wall clock), keep bounded state (windows are
//! pruned by event time), and emit full snapshots of the findings they
//! create or change; [`Findings`] upserts them by id. The same code serves a
//! whole-file scan and a live tail.

pub mod window;

mod tally;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

mod bulk_send;
mod cloud_recon;
mod credential_stuffing;
mod hosting_asn;
mod identity_risk;
mod impossible_travel;
mod inbox_rule;
mod legacy_auth;
mod password_spray;
mod session_anomaly;

use crate::config::Config;
use crate::enrich::hosting::HostingNetworks;
use crate::event::Event;
use crate::finding::{Change, DetectorId, Finding, Findings};
use crate::store::{EventIdx, Store};

/// What a detector may read while observing an event.
pub struct DetectCx<'a> {
    pub store: &'a Store,
    pub config: &'a Config,
    pub hosting: &'a HostingNetworks,
}

/// One detector of SPEC §4.
pub trait Detector: Send {
    fn id(&self) -> DetectorId;

    /// Observes the next event (in event-time order, give or take late arrivals)
    /// and pushes a full snapshot of every finding it creates or changes.
    fn observe(&mut self, cx: &DetectCx, idx: EventIdx, ev: &Event, out: &mut Vec<Finding>);

    /// How many entities the detector holds state for (tests check it stays bounded).
    #[cfg(test)]
    fn state_len(&self) -> usize {
        0
    }
}

/// Every enabled detector, fed one event at a time.
pub struct Engine {
    detectors: Vec<Box<dyn Detector>>,
    scratch: Vec<Finding>,
}

impl Engine {
    /// The detectors enabled in `config`.
    pub fn new(config: &Config) -> Engine {
        let d = &config.detectors;
        let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
        if d.credential_stuffing.enabled {
            detectors.push(Box::new(credential_stuffing::CredentialStuffing::new(
                &d.credential_stuffing,
            )));
        }
        if d.password_spray.enabled {
            detectors.push(Box::new(password_spray::PasswordSpray::new(
                &d.password_spray,
            )));
        }
        if d.impossible_travel.enabled {
            detectors.push(Box::new(impossible_travel::ImpossibleTravel::new(
                &d.impossible_travel,
            )));
        }
        if d.hosting_asn.enabled {
            detectors.push(Box::new(hosting_asn::HostingAsn::new(&d.hosting_asn)));
        }
        if d.identity_risk.enabled {
            detectors.push(Box::new(identity_risk::IdentityRisk::new(&d.identity_risk)));
        }
        if d.legacy_auth.enabled {
            detectors.push(Box::new(legacy_auth::LegacyAuth::new(&d.legacy_auth)));
        }
        if d.inbox_rule.enabled {
            detectors.push(Box::new(inbox_rule::InboxRule::new(&d.inbox_rule)));
        }
        if d.bulk_send.enabled {
            detectors.push(Box::new(bulk_send::BulkSend::new(&d.bulk_send)));
        }
        if d.cloud_recon.enabled {
            detectors.push(Box::new(cloud_recon::CloudRecon::new(&d.cloud_recon)));
        }
        if d.session_anomaly.enabled {
            detectors.push(Box::new(session_anomaly::SessionAnomaly::new(
                &d.session_anomaly,
            )));
        }
        Engine {
            detectors,
            scratch: Vec::new(),
        }
    }

    pub fn detector_ids(&self) -> Vec<DetectorId> {
        self.detectors.iter().map(|d| d.id()).collect()
    }

    /// Per-detector state sizes (tests check they stay bounded).
    #[cfg(test)]
    pub(crate) fn state_lens(&self) -> Vec<(DetectorId, usize)> {
        self.detectors
            .iter()
            .map(|d| (d.id(), d.state_len()))
            .collect()
    }

    /// Runs every detector on event `idx` and upserts what they emit.
    /// Returns the ids of findings created or changed.
    pub fn observe(
        &mut self,
        cx: &DetectCx,
        idx: EventIdx,
        findings: &mut Findings,
        changed: &mut Vec<(Change, String)>,
    ) {
        let ev = *cx.store.get(idx);
        for d in &mut self.detectors {
            d.observe(cx, idx, &ev, &mut self.scratch);
        }
        for f in self.scratch.drain(..) {
            let id = f.id.clone();
            match findings.upsert(f) {
                Change::Unchanged => {}
                c => changed.push((c, id)),
            }
        }
    }
}
