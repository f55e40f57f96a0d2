//! `[syslog]`: what `-f syslog+tls://ADDR:PORT` serves with. The
//! certificate and key are PEM files; with `tls_client_ca` set, a sender
//! must present a certificate signed by one of those authorities (mutual
//! TLS). Plain `syslog://` needs none of them.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The `[syslog]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SyslogConfig {
    /// PEM file of the server certificate chain (leaf first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<PathBuf>,
    /// PEM file of the certificate's private key (PKCS#8, PKCS#1 or SEC1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<PathBuf>,
    /// PEM file of the authorities whose client certificates are accepted;
    /// when set, senders without such a certificate are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_client_ca: Option<PathBuf>,
}
