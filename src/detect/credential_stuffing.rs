//! TODO(detector): credential_stuffing.

use super::{DetectCx, Detector};
use crate::config::StuffingConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct CredentialStuffing {
    cfg: StuffingConfig,
}

impl CredentialStuffing {
    pub fn new(cfg: &StuffingConfig) -> Self {
        CredentialStuffing { cfg: cfg.clone() }
    }
}

impl Detector for CredentialStuffing {
    fn id(&self) -> DetectorId {
        DetectorId::CredentialStuffing
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
