//! TLS to a staging store with its own CA: refused by default (exit 2, one line), trusted with
//! MAGENTO_CA_CERT, or accepted loudly with MAGENTO_INSECURE_TLS=1.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{env_for, run_binary, temp_dir};
use magento_reference::{ReferenceMagento, RunningReference, StoreSettings};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(90);

/// A private CA and a `localhost` certificate it signed.
struct TestPki {
    ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
}

fn pki() -> TestPki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "magento-contract test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
    TestPki {
        ca_pem: ca.pem(),
        server_cert: server_cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// Terminates TLS on a loopback port and forwards to the reference server, like a staging
/// load balancer with a private certificate.
async fn tls_proxy(pki: &TestPki, upstream: &RunningReference) -> String {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = upstream.local_addr();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    format!("https://localhost:{port}")
}

async fn setup() -> (TestPki, RunningReference, Vec<(String, String)>) {
    let pki = pki();
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let url = tls_proxy(&pki, &server).await;
    let mut env = env_for(&server);
    for (key, value) in env.iter_mut() {
        if key == "MAGENTO_BASE_URL" {
            *value = url.clone();
        }
    }
    (pki, server, env)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_ca_is_refused_in_one_line() {
    let (_pki, _server, env) = setup().await;
    let result = run_binary(&["run", "--tags", "@smoke"], &env, LIMIT).await;
    assert_eq!(result.code, 2, "{}", result.output());
    let problems = result.problem_lines();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].to_lowercase().contains("certificate"), "{problems:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_store_ca_can_be_trusted_with_magento_ca_cert() {
    let (pki, _server, mut env) = setup().await;
    let dir = temp_dir("ca");
    let ca_file = dir.join("staging-ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    env.push(("MAGENTO_CA_CERT".to_owned(), ca_file.display().to_string()));
    let result = run_binary(&["run", "--tags", "@smoke"], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
}

#[tokio::test(flavor = "multi_thread")]
async fn insecure_tls_works_and_says_so_loudly() {
    let (_pki, _server, mut env) = setup().await;
    env.push(("MAGENTO_INSECURE_TLS".to_owned(), "1".to_owned()));
    let result = run_binary(&["run", "--tags", "@smoke"], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result.stderr.contains("WARNING") && result.stderr.contains("NOT verified"),
        "{}",
        result.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_file_that_is_missing_is_one_line() {
    let (_pki, _server, mut env) = setup().await;
    env.push(("MAGENTO_CA_CERT".to_owned(), "/nonexistent/ca.pem".to_owned()));
    let result = run_binary(&["run"], &env, LIMIT).await;
    assert_eq!(result.code, 2, "{}", result.output());
    assert!(
        result.problem_lines()[0].contains("MAGENTO_CA_CERT"),
        "{:?}",
        result.problem_lines()
    );
}
