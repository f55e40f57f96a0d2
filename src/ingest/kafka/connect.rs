//! Building the client: brokers, TLS (the system's roots or `[kafka]
//! ca_file`), SASL PLAIN / SCRAM with the password from the environment
//! variable `[kafka] password_env` names. Errors name the variable, never
//! its value.

use super::settings::KafkaConfig;
use super::url::KafkaUrl;
use rskafka::client::{Client, ClientBuilder, Credentials, SaslConfig};
use rskafka::BackoffConfig;
use std::sync::Arc;
use std::time::Duration;

/// Connects to the brokers of `url` with the settings of `config`.
pub async fn connect(url: &KafkaUrl, config: &KafkaConfig) -> Result<Client, String> {
    let mut b = ClientBuilder::new(url.brokers.clone())
        .client_id("hunt")
        .backoff_config(BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
            // A request retried this long is reported (and tried again by the caller).
            deadline: Some(Duration::from_secs(10)),
        });
    if url.tls {
        b = b.tls_config(Arc::new(tls_config(config)?));
    }
    if let Some(sasl) = sasl_config(config)? {
        b = b.sasl_config(sasl);
    }
    b.build().await.map_err(|e| e.to_string())
}

/// The SASL settings, or none.
pub fn sasl_config(config: &KafkaConfig) -> Result<Option<SaslConfig>, String> {
    let mechanism = config.sasl.to_ascii_lowercase();
    if mechanism == "none" || mechanism.is_empty() {
        return Ok(None);
    }
    let var = &config.password_env;
    let password = std::env::var(var).map_err(|_| {
        format!("[kafka] sasl = \"{mechanism}\" needs the password in the environment variable {var}, which is not set")
    })?;
    let creds = Credentials::new(config.username.clone(), password);
    match mechanism.as_str() {
        "plain" => Ok(Some(SaslConfig::Plain(creds))),
        "scram-sha-256" => Ok(Some(SaslConfig::ScramSha256(creds))),
        "scram-sha-512" => Ok(Some(SaslConfig::ScramSha512(creds))),
        other => Err(format!(
            "[kafka] sasl = \"{other}\": use none, plain, scram-sha-256 or scram-sha-512"
        )),
    }
}

fn tls_config(config: &KafkaConfig) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    match &config.ca_file {
        Some(path) => {
            let name = path.display().to_string();
            let shown = crate::sanitize::clean(&name);
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("[kafka] ca_file {shown}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("[kafka] ca_file {shown}: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("[kafka] ca_file {shown}: {e}"))?;
            }
        }
        None => {
            // Certificates the system store holds but rustls refuses are skipped.
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err("TLS: no trusted certificate authority (set [kafka] ca_file)".into());
    }
    // ring is the provider rskafka's rustls is built with (aws-lc would add
    // a C build); its default groups lack post-quantum key exchange.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sasl_needs_its_variable_and_never_shows_it() {
        let mut c = KafkaConfig {
            sasl: "plain".into(),
            username: "$ConnectionString".into(),
            password_env: "HUNT_TEST_KAFKA_PW_UNSET_0".into(),
            ..KafkaConfig::default()
        };
        let e = sasl_config(&c).unwrap_err();
        assert!(e.contains("HUNT_TEST_KAFKA_PW_UNSET_0"), "{e}");
        c.sasl = "gssapi".into();
        c.password_env = "PATH".into();
        let e = sasl_config(&c).unwrap_err();
        assert!(!e.contains(&std::env::var("PATH").unwrap()), "{e}");
        c.sasl = "scram-sha-512".into();
        assert!(matches!(
            sasl_config(&c),
            Ok(Some(SaslConfig::ScramSha512(_)))
        ));
        c.sasl = "none".into();
        assert!(sasl_config(&c).unwrap().is_none());
    }
}
