//! TODO(detector): bulk_send.

use super::{DetectCx, Detector};
use crate::config::BulkSendConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct BulkSend {
    cfg: BulkSendConfig,
}

impl BulkSend {
    pub fn new(cfg: &BulkSendConfig) -> Self {
        BulkSend { cfg: cfg.clone() }
    }
}

impl Detector for BulkSend {
    fn id(&self) -> DetectorId {
        DetectorId::BulkSend
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
