//! `hunt`: a terminal workbench for hunting identity attacks.
//!
//! Module map (data flows top to bottom):
//! - [`ingest`]: read files, gzip, stdin, evtx; sniff formats; one parser per format → [`event::Draft`]s.
//! - [`enrich`]: country codes, hosting networks, GeoIP.
//! - [`dedup`]: record identities; a record loaded twice is stored once.
//! - [`store`]: compact interned events with by-user / by-IP / by-time indexes.
//! - [`detect`]: the detector trait, shared windows, one folder per detector (logic, settings, queries) → [`finding::Finding`]s.
//! - [`pipeline`]: wires readers → parse → enrich → store → detect → findings.
//! - [`sigma`]: Sigma rules (rsigma): loading, logsource routing, field mapping, findings.
//! - [`incident`]: grouping related findings into incidents (rules from the config, manual moves).
//! - [`report`]: `hunt scan` output (table, JSONL, CSV).
//! - [`export`]: `hunt events`: normalized events as JSONL, CSV, OCSF JSON, OCSF Parquet, Timesketch.
//! - [`lake`]: `hunt rules` (the detectors as Spark SQL, KQL and ES|QL queries) and lake results read back as findings.
//! - [`triage`]: the case file (verdicts, notes, allowlist) and applying it to findings.
//! - [`tune`]: why a detector did not fire for an entity; what a settings change would do.
//! - [`commands`]: what `hunt scan`, `hunt events`, `hunt rules` and the allow dry run do, answering with typed notes and an exit.
//! - [`tui`]: the interactive workbench (`hunt [PATH…]`); nothing above imports it.
//! - [`panics`]: what a panic becomes (a reported problem, exit 2), never a silent loss.
//! - [`sanitize`]: neutralising attacker-controlled text before any terminal sees it.
//! - [`ident`]: detector ids, severities and the Sigma rule table; imports nothing of the crate.
//! - [`config`], [`cli`]: the TOML configuration and the command line.
//!
//! The core never imports the TUI.

// No panic path in shipped code (issue 10): tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::string_slice
    )
)]

pub mod cli;
pub mod commands;
pub mod config;
pub mod dedup;
pub mod detect;
pub mod enrich;
pub mod event;
pub mod export;
pub mod finding;
pub mod ident;
pub mod incident;
pub mod ingest;
pub mod lake;
pub mod noise;
pub mod panics;
pub mod pipeline;
pub mod report;
pub mod sanitize;
pub mod sigma;
pub mod store;
pub mod triage;
pub mod tui;
pub mod tune;
