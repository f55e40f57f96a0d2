//! `[kafka]`: how `-f kafka://BROKERS/TOPIC` connects and where it starts.
//! Secrets are never written here: the settings name the environment
//! variables that hold them, and nothing prints their values.

use crate::config::value::Span;
use serde::{Deserialize, Serialize};

/// The `[kafka]` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// Name the committed offsets are kept under in the case (a URL's
    /// `?group=` overrides it).
    pub group: String,
    /// Where a partition without a committed offset starts: `earliest`,
    /// `latest`, or an RFC 3339 time (a URL's `?start=` overrides it, and
    /// `?start=committed` insists on committed offsets).
    pub start: String,
    /// Connect with TLS (Event Hubs: always).
    pub tls: bool,
    /// PEM file of the certificate authorities to trust (default: the system's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<std::path::PathBuf>,
    /// SASL mechanism: `none`, `plain`, `scram-sha-256` or `scram-sha-512`.
    pub sasl: String,
    /// SASL user name (Event Hubs: `$ConnectionString`).
    pub username: String,
    /// Environment variable holding the SASL password (Event Hubs: the
    /// namespace's connection string).
    pub password_env: String,
    /// Most bytes asked for per partition and fetch.
    pub fetch_max_bytes: u32,
    /// Longest a fetch waits at the end of a partition for new records.
    pub max_wait_ms: u32,
    /// On a restart, records this far in event time before the committed
    /// offset are read again to rebuild the detectors' windows; their
    /// findings are not announced again. 0s: no replay.
    pub replay: Span,
    /// Largest message payload accepted after gzip (bigger: one problem).
    pub max_message_bytes: u64,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            group: "hunt".into(),
            start: "earliest".into(),
            tls: false,
            ca_file: None,
            sasl: "none".into(),
            username: String::new(),
            password_env: "HUNT_KAFKA_PASSWORD".into(),
            fetch_max_bytes: 4 << 20,
            max_wait_ms: 250,
            replay: Span::hours(24),
            max_message_bytes: 64 << 20,
        }
    }
}
