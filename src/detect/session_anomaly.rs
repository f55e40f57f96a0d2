//! TODO(detector): session_anomaly.

use super::{DetectCx, Detector};
use crate::config::SessionConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct SessionAnomaly {
    cfg: SessionConfig,
}

impl SessionAnomaly {
    pub fn new(cfg: &SessionConfig) -> Self {
        SessionAnomaly { cfg: cfg.clone() }
    }
}

impl Detector for SessionAnomaly {
    fn id(&self) -> DetectorId {
        DetectorId::SessionAnomaly
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
