//! Detection engineering: why a detector did not fire for an entity
//! ([`why`]), what a settings change would do ([`settings`], [`whatif`]),
//! and the headless commands ([`cmd`]).

pub mod cmd;
pub mod keep;
pub mod rerun;
pub mod settings;
pub mod whatif;
pub mod why;
