//! What one running server shares between requests.

use super::auth::TokenService;
use super::settings::StoreSettings;
use super::state::Store;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The settings, the token service and the store of one server.
pub(crate) struct App {
    pub(crate) settings: StoreSettings,
    pub(crate) tokens: TokenService,
    store: Mutex<Store>,
    /// Reads seen since start-up, for `StoreSettings::rate_limit_first`.
    reads: AtomicUsize,
}

impl App {
    pub(crate) fn new(settings: StoreSettings) -> Self {
        let tokens = TokenService::new(&settings);
        App {
            settings,
            tokens,
            store: Mutex::new(Store::default()),
            reads: AtomicUsize::new(0),
        }
    }

    /// Counts a read (GET or DELETE) and says whether the rate limiter refuses it: it is one
    /// of the first `rate_limit_first` ones.
    pub(crate) fn read_is_limited(&self) -> bool {
        self.settings
            .rate_limit_first
            .is_some_and(|limit| self.reads.fetch_add(1, Ordering::SeqCst) < limit.requests)
    }

    /// The store lock. A request that panicked while holding it left no half-applied change
    /// behind (every mutation is a single step), so a poisoned lock is still usable.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
