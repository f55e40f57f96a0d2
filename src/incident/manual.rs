//! What an analyst decides by hand about incidents: moving a finding out of
//! its incident or into another (decisions that override the rules and stick
//! across later updates), and an incident's status and owner. In memory only:
//! persisting them in the case file is for later. Regrouping itself stays in
//! the parent module.

use super::{Incidents, MoveError, Status};

impl Incidents {
    /// Takes a finding out of its incident for good: later updates and rules
    /// do not bring it back (only [`Incidents::move_into`] does).
    pub fn move_out(&mut self, finding_id: &str) -> Result<(), MoveError> {
        if !self.nodes.contains_key(finding_id) {
            return Err(MoveError::UnknownFinding(finding_id.to_string()));
        }
        self.unpin(finding_id);
        self.moved_out.insert(finding_id.to_string());
        self.regroup(vec![finding_id.to_string()]);
        Ok(())
    }

    /// Puts a finding into an incident by hand: from now on it is held there
    /// by manual links to the incident's findings, and rules no longer move it.
    pub fn move_into(&mut self, finding_id: &str, incident_id: &str) -> Result<(), MoveError> {
        if !self.nodes.contains_key(finding_id) {
            return Err(MoveError::UnknownFinding(finding_id.to_string()));
        }
        let members: Vec<String> = match self.list.get(incident_id) {
            Some(inc) => inc
                .findings()
                .filter(|m| *m != finding_id)
                .map(String::from)
                .collect(),
            None => return Err(MoveError::UnknownIncident(incident_id.to_string())),
        };
        self.unpin(finding_id);
        self.moved_out.remove(finding_id);
        self.pinned.insert(finding_id.to_string());
        for m in &members {
            self.add_edge(finding_id, m, None, None);
        }
        let mut dirty = members;
        dirty.push(finding_id.to_string());
        self.regroup(dirty);
        Ok(())
    }

    /// Sets an incident's status; an incident without an owner gets `analyst`.
    pub fn set_status(
        &mut self,
        incident_id: &str,
        status: Status,
        analyst: &str,
    ) -> Result<(), MoveError> {
        let inc = self
            .list
            .get_mut(incident_id)
            .ok_or_else(|| MoveError::UnknownIncident(incident_id.to_string()))?;
        inc.status = status;
        if inc.owner.is_none() {
            inc.owner = Some(analyst.to_string());
        }
        self.changed.insert(incident_id.to_string());
        Ok(())
    }

    /// Hands an incident to `owner` (or to nobody).
    pub fn set_owner(&mut self, incident_id: &str, owner: Option<&str>) -> Result<(), MoveError> {
        let inc = self
            .list
            .get_mut(incident_id)
            .ok_or_else(|| MoveError::UnknownIncident(incident_id.to_string()))?;
        inc.owner = owner.map(String::from);
        self.changed.insert(incident_id.to_string());
        Ok(())
    }

    /// Drops a finding's manual links (both ways).
    fn unpin(&mut self, id: &str) {
        if !self.pinned.remove(id) {
            return;
        }
        let others: Vec<String> = self
            .edges
            .get_mut(id)
            .map(|es| {
                let manual = es
                    .iter()
                    .filter(|e| e.rule.is_none())
                    .map(|e| e.to.clone())
                    .collect();
                es.retain(|e| e.rule.is_some());
                manual
            })
            .unwrap_or_default();
        for o in others {
            if let Some(es) = self.edges.get_mut(&o) {
                es.retain(|e| e.rule.is_some() || e.to != id);
            }
        }
    }
}
