//! TLS is verified: a server whose certificate no trusted authority issued is refused
//! before the password leaves, with an error that says so.

use herald_core::imis::{ImisClient, ImisConfig, ImisError};
use herald_core::secrets::Sensitive;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// A TLS server on loopback with a self-signed certificate for `localhost`. Returns its
/// port and how many connections got past the handshake.
async fn self_signed_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let der = cert.cert.der().clone();
    let key =
        tokio_rustls::rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der())
            .unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = handshakes.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let count = count.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                        .await;
                }
            });
        }
    });
    (port, handshakes)
}

#[tokio::test]
async fn a_certificate_that_does_not_verify_is_refused_in_words() {
    let (port, handshakes) = self_signed_server().await;
    let mut cfg = ImisConfig::new(
        &format!("https://localhost:{port}"),
        "herald",
        Sensitive::new("tls-secret-Distinctive"),
    );
    cfg.retry.base = std::time::Duration::from_millis(1);
    let err = ImisClient::new(cfg)
        .unwrap()
        .list_folder("$")
        .await
        .unwrap_err();
    match &err {
        ImisError::Certificate { host, detail } => {
            assert_eq!(host, "localhost");
            assert!(detail.contains("trusted authority"), "{detail}");
        }
        other => panic!("expected a certificate error, got {other:?}"),
    }
    assert!(err.to_string().contains("could not be verified"));
    assert!(!format!("{err:?}").contains("tls-secret-Distinctive"));
    assert_eq!(
        handshakes.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no TLS session was ever established, so no password was sent"
    );
}
