//! The shapes lake queries share, said once by a detector and rendered by
//! each dialect: a [`WindowedCount`] (events of one key counted in a
//! sliding window, a burst continuing while they keep coming within a
//! window of the previous one, firing from the first window that crosses
//! the thresholds). `brute_force`, `user_enumeration`, `bulk_send` and
//! `password_spray` describe themselves as one; `spark::windowed`,
//! `kql::windowed` and `esql::binned` render it, and `*_query` render a
//! whole query for a detector that adds nothing after its bursts. Pure data:
//! no dialect text here.

use crate::finding::DetectorId;

/// Which events a windowed count counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Failed sign-ins.
    Failures,
    /// Failed sign-ins on accounts that do not exist.
    UnknownAccounts,
    /// Mail sent (audit `Send`).
    Sends,
}

/// Whose events are counted together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    User,
    /// The source IP (events without one are not counted).
    Ip,
}

/// What the detector adds once a window has fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// Nothing: the burst is the finding.
    Nothing,
    /// The first verified sign-in of the key after the crossing is recorded.
    FirstVerified,
    /// Successful sign-ins from the key decide a verdict (the spray family).
    Successes,
}

/// A detector counting events of one key in a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowedCount {
    pub detector: DetectorId,
    pub counted: Counted,
    pub key: Key,
    /// Events within one window that fire (`None`: not a threshold).
    pub min_events: Option<u32>,
    /// Distinct users within one window that fire (`None`: not a threshold).
    pub min_users: Option<u32>,
    /// The window, in milliseconds.
    pub window_ms: i64,
    pub then: Then,
}

/// Most evidence ids a windowed finding lists when the detector adds nothing.
pub const EVIDENCE: usize = 50;
