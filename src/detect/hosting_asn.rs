//! TODO(detector): hosting_asn.

use super::{DetectCx, Detector};
use crate::config::HostingConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct HostingAsn {
    cfg: HostingConfig,
}

impl HostingAsn {
    pub fn new(cfg: &HostingConfig) -> Self {
        HostingAsn { cfg: cfg.clone() }
    }
}

impl Detector for HostingAsn {
    fn id(&self) -> DetectorId {
        DetectorId::HostingAsn
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
