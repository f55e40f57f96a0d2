//! TODO(detector): identity_risk.

use super::{DetectCx, Detector};
use crate::config::RiskConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct IdentityRisk {
    cfg: RiskConfig,
}

impl IdentityRisk {
    pub fn new(cfg: &RiskConfig) -> Self {
        IdentityRisk { cfg: cfg.clone() }
    }
}

impl Detector for IdentityRisk {
    fn id(&self) -> DetectorId {
        DetectorId::IdentityRisk
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
