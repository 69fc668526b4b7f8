//! Certificate checks for `verify=path`: the system's trust store plus the file's
//! certificates as roots, and each of them also accepted as the server's own certificate
//! when it is presented exactly (a self-signed server certificate, as `requests` takes).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::error::{CoreError, CoreResult};

/// The system's verifier, extended: a server certificate equal byte for byte to one of
/// `pinned` is accepted when it is valid now and names the host; anything else goes to
/// the system's verifier, which also trusts `pinned` as roots (a CA-signed leaf).
#[derive(Debug)]
pub struct PinnedOrSystem {
    inner: Arc<dyn ServerCertVerifier>,
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl PinnedOrSystem {
    pub fn new(
        pinned: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> CoreResult<Self> {
        let inner = rustls_platform_verifier::Verifier::new_with_extra_roots(
            pinned.clone(),
            Arc::clone(&provider),
        )
        .map_err(|e| {
            CoreError::Configuration(format!("verify: the certificates cannot be used: {e}"))
        })?;
        Ok(PinnedOrSystem {
            inner: Arc::new(inner),
            pinned,
            provider,
        })
    }

    #[cfg(test)]
    fn with_inner(
        inner: Arc<dyn ServerCertVerifier>,
        pinned: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Self {
        PinnedOrSystem {
            inner,
            pinned,
            provider,
        }
    }

    /// The checks a pinned certificate still gets: the host name and the validity dates.
    fn verify_pinned(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let parsed = ParsedCertificate::try_from(end_entity)?;
        verify_server_name(&parsed, server_name)?;
        // The certificate as its own trust anchor: webpki checks the validity dates before
        // anything else of the leaf (basic constraints, key usage), so a date error is the
        // one that matters; the rest (a self-signed leaf marked as a CA, as `openssl req
        // -x509` makes by default) is what pinning the exact bytes stands in for.
        let mut roots = RootCertStore::empty();
        roots.add(end_entity.clone().into_owned())?;
        match verify_server_cert_signed_by_trust_anchor(
            &parsed,
            &roots,
            &[],
            now,
            self.provider.signature_verification_algorithms.all,
        ) {
            Err(Error::InvalidCertificate(
                e @ (CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. }),
            )) => Err(Error::InvalidCertificate(e)),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }
}

impl ServerCertVerifier for PinnedOrSystem {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self
            .pinned
            .iter()
            .any(|pin| pin.as_ref() == end_entity.as_ref())
        {
            return self.verify_pinned(end_entity, server_name, now);
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The certificates of a PEM file (a CA bundle, or a server's own certificate).
pub fn read_pem_certificates(path: &std::path::Path) -> CoreResult<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| {
        CoreError::Configuration(format!("verify: cannot read {}: {e}", path.display()))
    })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            CoreError::Configuration(format!("verify: {} is not PEM: {e}", path.display()))
        })?;
    if certs.is_empty() {
        return Err(CoreError::Configuration(format!(
            "verify: {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// A rustls client configuration that checks with [`PinnedOrSystem`].
pub fn pinned_client_config(
    pinned: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> CoreResult<rustls::ClientConfig> {
    let verifier = PinnedOrSystem::new(pinned, Arc::clone(&provider))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CoreError::Configuration(format!("TLS versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest sets ALPN itself only on configurations it builds.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Used by tests of the pinning alone, with webpki and explicit roots as the fallback.
#[cfg(test)]
fn webpki_fallback(
    roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
) -> Arc<dyn ServerCertVerifier> {
    use rustls::client::WebPkiServerVerifier;
    let mut store = RootCertStore::empty();
    for root in roots {
        let _ = store.add(root);
    }
    match WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider).build() {
        Ok(verifier) => verifier,
        Err(e) => unreachable!("a verifier over a non-empty store builds: {e}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    use std::time::Duration;

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    fn self_signed(ca_flag: bool, not_after_days_from_now: i64) -> CertificateDer<'static> {
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        if ca_flag {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        }
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(2);
        params.not_after = now + time::Duration::days(not_after_days_from_now);
        let key = KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    fn check(
        verifier: &PinnedOrSystem,
        cert: &CertificateDer<'_>,
        host: &str,
    ) -> Result<(), Error> {
        let name = ServerName::try_from(host.to_string()).unwrap();
        let now = UnixTime::since_unix_epoch(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or(Duration::ZERO),
        );
        verifier
            .verify_server_cert(cert, &[], &name, &[], now)
            .map(|_| ())
    }

    fn verifier_for(pinned: Vec<CertificateDer<'static>>) -> PinnedOrSystem {
        let inner = webpki_fallback(pinned.clone(), provider());
        PinnedOrSystem::with_inner(inner, pinned, provider())
    }

    #[test]
    fn a_pinned_self_signed_leaf_is_accepted_with_or_without_the_ca_flag() {
        for ca_flag in [false, true] {
            let cert = self_signed(ca_flag, 30);
            let verifier = verifier_for(vec![cert.clone()]);
            check(&verifier, &cert, "localhost").unwrap();
        }
    }

    #[test]
    fn a_pinned_leaf_still_needs_the_right_host_and_dates() {
        let cert = self_signed(true, 30);
        let verifier = verifier_for(vec![cert.clone()]);
        let err = check(&verifier, &cert, "acme.example.com").expect_err("wrong host");
        assert!(matches!(err, Error::InvalidCertificate(_)), "{err:?}");
        let expired = self_signed(true, -1);
        let verifier = verifier_for(vec![expired.clone()]);
        let err = check(&verifier, &expired, "localhost").expect_err("expired");
        assert!(
            matches!(
                err,
                Error::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. }
                )
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_certificate_not_pinned_goes_to_the_fallback() {
        let pinned = self_signed(false, 30);
        let other = self_signed(false, 30);
        let verifier = verifier_for(vec![pinned]);
        let err = check(&verifier, &other, "localhost").expect_err("unknown");
        assert!(matches!(err, Error::InvalidCertificate(_)), "{err:?}");
    }
}
