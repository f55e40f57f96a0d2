//! Detection engineering: why a detector did not fire for an entity
//! ([`why`]), what a settings change would do ([`settings`], [`whatif`]),
//! allowlist entries proposed from false positives ([`propose`]), the Sigma
//! rule development loop ([`rules`]), and the headless commands ([`cmd`]).

pub mod cmd;
pub mod keep;
pub mod propose;
pub mod rerun;
pub mod rules;
pub mod settings;
pub mod whatif;
pub mod why;
