//! Syslog over TLS (RFC 5425): the server side of one connection. The
//! certificate, key and optional client authorities come from `[syslog]`
//! ([`server_config`], read once when the receiver starts, so a bad file
//! stops the run with one line instead of failing every connection).
//! [`handshake`] tells a sender that closed without a word (a port probe)
//! from one that spoke plain syslog to the TLS port and from a handshake
//! that failed, so each is counted apart and none is a crash. The
//! provider is ring, the one rskafka's rustls is built with.

use super::settings::SyslogConfig;
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{self, Read};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Longest a sender may take to complete the handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS stream of one accepted connection.
pub type TlsStream = StreamOwned<ServerConnection, TcpStream>;

/// The server configuration from `[syslog] tls_cert`, `tls_key` and
/// `tls_client_ca`; the error is one line naming the setting and file.
pub fn server_config(c: &SyslogConfig) -> Result<Arc<ServerConfig>, String> {
    let (Some(cert), Some(key)) = (&c.tls_cert, &c.tls_key) else {
        return Err(
            "syslog+tls:// needs [syslog] tls_cert and tls_key (PEM files) in the config".into(),
        );
    };
    let certs = certificates(cert, "tls_cert")?;
    if certs.is_empty() {
        return Err(format!(
            "[syslog] tls_cert {}: no certificate in the file",
            shown(cert)
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("[syslog] tls_key {}: {e}", shown(key)))?;
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let builder = match &c.tls_client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in certificates(ca, "tls_client_ca")? {
                roots
                    .add(cert)
                    .map_err(|e| format!("[syslog] tls_client_ca {}: {e}", shown(ca)))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| format!("[syslog] tls_client_ca {}: {e}", shown(ca)))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder
        .with_single_cert(certs, key)
        .map(Arc::new)
        .map_err(|e| format!("[syslog] tls_cert / tls_key: {e}"))
}

fn shown(p: &Path) -> String {
    crate::sanitize::clean(&p.display().to_string()).into_owned()
}

fn certificates(p: &Path, setting: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let err = |e: rustls::pki_types::pem::Error| format!("[syslog] {setting} {}: {e}", shown(p));
    CertificateDer::pem_file_iter(p)
        .map_err(err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)
}

/// Why a connection never carried TLS records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Closed before sending anything (a port probe, a health check).
    Silent,
    /// The first byte is not a TLS handshake record: plain syslog (or
    /// something else) sent to the TLS port.
    NotTls,
    /// The handshake failed (the reason, for the sources screen).
    Failed(String),
}

/// Runs the server side of the handshake on `tcp`.
pub fn handshake(config: &Arc<ServerConfig>, mut tcp: TcpStream) -> Result<TlsStream, Refused> {
    let failed = |e: io::Error| Refused::Failed(e.to_string());
    tcp.set_read_timeout(Some(HANDSHAKE_TIMEOUT))
        .map_err(failed)?;
    let mut first = [0u8; 1];
    match tcp.peek(&mut first) {
        Ok(0) => return Err(Refused::Silent),
        // 22: a TLS record of type handshake (the ClientHello).
        Ok(_) if first != [22] => return Err(Refused::NotTls),
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            return Err(Refused::Failed("no ClientHello within 10 s".into()))
        }
        Err(e) => return Err(failed(e)),
    }
    let mut conn =
        ServerConnection::new(Arc::clone(config)).map_err(|e| Refused::Failed(e.to_string()))?;
    while conn.is_handshaking() {
        if conn.wants_write() {
            conn.write_tls(&mut tcp).map_err(failed)?;
            continue;
        }
        match conn.read_tls(&mut tcp) {
            Ok(0) => return Err(Refused::Failed("closed during the handshake".into())),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Refused::Failed("handshake not finished within 10 s".into()))
            }
            Err(e) => return Err(failed(e)),
        }
        if let Err(e) = conn.process_new_packets() {
            // Tell the sender why (the alert), as far as it listens.
            let _ = conn.write_tls(&mut tcp);
            return Err(Refused::Failed(e.to_string()));
        }
    }
    while conn.wants_write() {
        conn.write_tls(&mut tcp).map_err(failed)?;
    }
    // An idle sender may stay connected for as long as it likes.
    tcp.set_read_timeout(None).map_err(failed)?;
    Ok(StreamOwned::new(conn, tcp))
}

/// A stream whose end without TLS `close_notify` reads as an ordinary end,
/// so a frame cut by it is counted as cut, like one over plain TCP.
pub struct EndOk<R>(pub R);

impl<R: Read> Read for EndOk<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_bad_files_are_one_line_naming_the_setting() {
        let e = server_config(&SyslogConfig::default()).unwrap_err();
        assert!(e.contains("tls_cert and tls_key"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        std::fs::write(&cert, "not a certificate\n").unwrap();
        let c = SyslogConfig {
            tls_cert: Some(cert),
            tls_key: Some(dir.path().join("missing.pem")),
            tls_client_ca: None,
        };
        let e = server_config(&c).unwrap_err();
        assert!(e.starts_with("[syslog] tls_cert"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }
}
