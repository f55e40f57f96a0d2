//! TODO(detector): impossible_travel.

use super::{DetectCx, Detector};
use crate::config::TravelConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct ImpossibleTravel {
    cfg: TravelConfig,
}

impl ImpossibleTravel {
    pub fn new(cfg: &TravelConfig) -> Self {
        ImpossibleTravel { cfg: cfg.clone() }
    }
}

impl Detector for ImpossibleTravel {
    fn id(&self) -> DetectorId {
        DetectorId::ImpossibleTravel
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
