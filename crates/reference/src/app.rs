//! What one running server shares between requests.

use super::auth::TokenService;
use super::settings::StoreSettings;
use super::state::Store;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The settings, the token service and the store of one server.
pub(crate) struct App {
    pub(crate) settings: StoreSettings,
    pub(crate) tokens: TokenService,
    store: Mutex<Store>,
}

impl App {
    pub(crate) fn new(settings: StoreSettings) -> Self {
        let tokens = TokenService::new(&settings);
        App {
            settings,
            tokens,
            store: Mutex::new(Store::default()),
        }
    }

    /// The store lock. A request that panicked while holding it left no half-applied change
    /// behind (every mutation is a single step), so a poisoned lock is still usable.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
