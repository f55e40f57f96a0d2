//! What the `hunt` commands do beyond parsing their arguments: each command
//! here reads, detects and answers with typed results, and `main.rs` only
//! dispatches and prints.

pub mod allow_preview;
