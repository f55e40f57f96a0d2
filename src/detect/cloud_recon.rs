//! TODO(detector): cloud_recon.

use super::{DetectCx, Detector};
use crate::config::CloudReconConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct CloudRecon {
    cfg: CloudReconConfig,
}

impl CloudRecon {
    pub fn new(cfg: &CloudReconConfig) -> Self {
        CloudRecon { cfg: cfg.clone() }
    }
}

impl Detector for CloudRecon {
    fn id(&self) -> DetectorId {
        DetectorId::CloudRecon
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
