//! TODO(detector): legacy_auth.

use super::{DetectCx, Detector};
use crate::config::LegacyConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct LegacyAuth {
    cfg: LegacyConfig,
}

impl LegacyAuth {
    pub fn new(cfg: &LegacyConfig) -> Self {
        LegacyAuth { cfg: cfg.clone() }
    }
}

impl Detector for LegacyAuth {
    fn id(&self) -> DetectorId {
        DetectorId::LegacyAuth
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
