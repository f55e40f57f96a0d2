//! An incident's workflow: status (new, active, closed) and owner, set by an
//! analyst and carried through regrouping: when incidents merge or split,
//! the result takes its status and owner from the incidents it was made of.
//! Kept in memory only; persisting it in the case file is for later (like
//! manual moves). Findings' own status belongs to triage, not here.

use super::Incident;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    New,
    Active,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Active => "active",
            Status::Closed => "closed",
        }
    }

    pub fn from_name(s: &str) -> Option<Status> {
        [Status::New, Status::Active, Status::Closed]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Status and owner of an incident made of `parts` (the earlier incidents
/// holding its findings, the one whose id it keeps first), with `fresh` true
/// when it also holds findings none of them had. Any active part makes it
/// active; all parts closed keeps it closed unless new findings came (then
/// it is reopened as active: new evidence needs a look); otherwise new.
/// The owner is the kept part's, else the first part's that has one.
pub(crate) fn carry(parts: &[&Incident], fresh: bool) -> (Status, Option<String>) {
    let owner = parts.iter().find_map(|p| p.owner.clone());
    let status = if parts.is_empty() {
        Status::New
    } else if parts.iter().any(|p| p.status == Status::Active) {
        Status::Active
    } else if parts.iter().all(|p| p.status == Status::Closed) {
        if fresh {
            Status::Active
        } else {
            Status::Closed
        }
    } else {
        Status::New
    };
    (status, owner)
}
