//! Detection engineering: why a detector did not fire for an entity
//! ([`why`]); the headless commands ([`cmd`]).

pub mod cmd;
pub mod why;
