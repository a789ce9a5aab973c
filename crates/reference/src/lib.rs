//! The embedded reference Magento: an in-process HTTP server that answers the covered REST
//! endpoints the way Magento 2.4.8 does.
//!
//! Every behaviour follows `../shared/magento/CONTRACT.md` (cited as §n); where the contract is
//! silent the code says `derived:` and explains the guess. State lives in memory and dies with
//! the server.

mod addresses;
mod app;
mod auth;
mod binding;
mod customers;
mod directory;
mod error;
mod faults;
mod graphql;
mod graphql_php;
mod graphql_schema;
mod http;
mod json;
mod query;
mod release;
mod response_faults;
mod routes;
mod schema;
mod search;
mod service;
mod settings;
mod state;
mod stores;
mod tokens;
mod translation;
mod validation;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod graphql_tests;

pub use faults::{Fault, SLOW_RESPONSE_DELAY, UnknownFault};
pub use release::{Release, UnknownRelease};
pub use settings::{
    AdminAccount, AdminRole, CustomerAttribute, JwtAlg, RateLimit, RecaptchaForm, StoreSettings, TokenFormat,
};
pub use translation::{TranslationFileError, Translations};

use app::App;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Entry point for starting reference servers.
pub struct ReferenceMagento;

impl ReferenceMagento {
    /// Starts a server on an ephemeral loopback port.
    pub async fn start(settings: StoreSettings) -> io::Result<RunningReference> {
        Self::start_on(settings, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a server on `addr`.
    pub async fn start_on(settings: StoreSettings, addr: SocketAddr) -> io::Result<RunningReference> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let app = Arc::new(App::new(settings));
        let router = axum::Router::new().fallback(http::handle).with_state(Arc::clone(&app));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    // A dropped sender also stops the server.
                    let _ = stopped.await;
                })
                .await
        });
        Ok(RunningReference {
            local_addr,
            app,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A started reference server; stops on `shutdown()` or when dropped.
pub struct RunningReference {
    local_addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningReference {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.app.settings
    }

    /// Emails of the customers that currently exist, in id order.
    pub fn customer_emails(&self) -> Vec<String> {
        self.app
            .store()
            .customers()
            .map(|customer| customer.email.clone())
            .collect()
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningReference {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
