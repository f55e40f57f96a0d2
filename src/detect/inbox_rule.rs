//! TODO(detector): inbox_rule.

use super::{DetectCx, Detector};
use crate::config::InboxRuleConfig;
use crate::event::Event;
use crate::finding::{DetectorId, Finding};
use crate::store::EventIdx;

pub struct InboxRule {
    cfg: InboxRuleConfig,
}

impl InboxRule {
    pub fn new(cfg: &InboxRuleConfig) -> Self {
        InboxRule { cfg: cfg.clone() }
    }
}

impl Detector for InboxRule {
    fn id(&self) -> DetectorId {
        DetectorId::InboxRule
    }

    fn observe(&mut self, _cx: &DetectCx, _idx: EventIdx, _ev: &Event, _out: &mut Vec<Finding>) {
        let _ = &self.cfg;
    }
}
