//! TODO(detector): password_spray.

use super::{DetectCx, Detector};
use crate::config::SprayConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct PasswordSpray {
    cfg: SprayConfig,
}

impl PasswordSpray {
    pub fn new(cfg: &SprayConfig) -> Self {
        PasswordSpray { cfg: cfg.clone() }
    }
}

impl Detector for PasswordSpray {
    fn id(&self) -> DetectorId {
        DetectorId::PasswordSpray
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
