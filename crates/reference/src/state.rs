//! In-memory store behind the reference server: the customer and address rows, tokens,
//! revocations and login throttling. Plain data: the services that fill it depend on this
//! module, never the other way round.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// A salted SHA-256 of the account password (never stored in clear).
#[derive(Debug, Clone)]
pub(crate) struct PasswordHash {
    salt: [u8; 16],
    digest: [u8; 32],
}

impl PasswordHash {
    pub(crate) fn new(password: &str) -> Self {
        let salt: [u8; 16] = rand::random();
        PasswordHash {
            salt,
            digest: Self::digest(&salt, password),
        }
    }

    fn digest(salt: &[u8; 16], password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    pub(crate) fn matches(&self, password: &str) -> bool {
        Self::digest(&self.salt, password) == self.digest
    }
}

/// One `customer_entity` row with its addresses.
#[derive(Debug, Clone)]
pub(crate) struct CustomerRecord {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) website_id: i64,
    pub(crate) store_id: i64,
    pub(crate) group_id: i64,
    pub(crate) firstname: String,
    pub(crate) lastname: String,
    pub(crate) middlename: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) suffix: Option<String>,
    pub(crate) dob: Option<NaiveDate>,
    pub(crate) gender: Option<i64>,
    pub(crate) taxvat: Option<String>,
    pub(crate) created_in: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) confirmation: Option<String>,
    pub(crate) disable_auto_group_change: i64,
    pub(crate) default_billing: Option<i64>,
    pub(crate) default_shipping: Option<i64>,
    pub(crate) password_hash: Option<PasswordHash>,
    pub(crate) is_subscribed: bool,
    /// Whether the customer allows remote shopping assistance (Login as Customer).
    pub(crate) assistance_allowed: bool,
    pub(crate) addresses: Vec<AddressRecord>,
}

/// One `customer_address_entity` row, with the region already resolved the way the address
/// model's `getRegion()`/`getRegionId()` leave it before saving.
#[derive(Debug, Clone)]
pub(crate) struct AddressRecord {
    pub(crate) id: i64,
    pub(crate) customer_id: i64,
    pub(crate) country_id: String,
    pub(crate) region_text: Option<String>,
    pub(crate) region_id: Option<i64>,
    pub(crate) street: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) telephone: Option<String>,
    pub(crate) fax: Option<String>,
    pub(crate) postcode: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
    pub(crate) middlename: Option<String>,
    pub(crate) prefix: Option<String>,
    pub(crate) suffix: Option<String>,
    pub(crate) vat_id: Option<String>,
}

/// A user a token is issued to; `utypid` in the JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TokenSubject {
    Admin(i64),
    Customer(i64),
}

/// Which login throttle a username belongs to (`RequestThrottler::USER_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LoginKind {
    Customer,
    Admin,
}

/// One `oauth_token_request_log` row.
#[derive(Debug, Clone, Copy)]
struct LoginFailures {
    count: u32,
    lock_expires_at: i64,
}

/// A stored opaque (legacy) token (§5.4).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpaqueToken {
    pub(crate) subject: TokenSubject,
    pub(crate) issued_at: i64,
}

/// The mutable state. Ids start at 1 and are never reused, like MySQL auto-increment.
#[derive(Debug)]
pub(crate) struct Store {
    customers: BTreeMap<i64, CustomerRecord>,
    next_customer_id: i64,
    next_address_id: i64,
    opaque_tokens: HashMap<String, OpaqueToken>,
    revoked_before: HashMap<TokenSubject, i64>,
    login_failures: HashMap<(LoginKind, String), LoginFailures>,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            customers: BTreeMap::new(),
            next_customer_id: 1,
            next_address_id: 1,
            opaque_tokens: HashMap::new(),
            revoked_before: HashMap::new(),
            login_failures: HashMap::new(),
        }
    }
}

impl Store {
    pub(crate) fn customers(&self) -> impl Iterator<Item = &CustomerRecord> {
        self.customers.values()
    }

    pub(crate) fn customer(&self, id: i64) -> Option<&CustomerRecord> {
        self.customers.get(&id)
    }

    /// `loadByEmail` in a website.
    ///
    /// derived: MySQL's collation compares emails case-insensitively.
    pub(crate) fn customer_by_email(&self, email: &str, website_id: i64) -> Option<&CustomerRecord> {
        let wanted = email.to_lowercase();
        self.customers
            .values()
            .find(|c| c.website_id == website_id && c.email.to_lowercase() == wanted)
    }

    pub(crate) fn allocate_customer_id(&mut self) -> i64 {
        let id = self.next_customer_id;
        self.next_customer_id += 1;
        id
    }

    pub(crate) fn allocate_address_id(&mut self) -> i64 {
        let id = self.next_address_id;
        self.next_address_id += 1;
        id
    }

    pub(crate) fn insert_customer(&mut self, customer: CustomerRecord) {
        self.customers.insert(customer.id, customer);
    }

    pub(crate) fn remove_customer(&mut self, id: i64) -> Option<CustomerRecord> {
        self.customers.remove(&id)
    }

    pub(crate) fn store_opaque_token(&mut self, token: String, record: OpaqueToken) {
        self.opaque_tokens.insert(token, record);
    }

    pub(crate) fn opaque_token(&self, token: &str) -> Option<OpaqueToken> {
        self.opaque_tokens.get(token).copied()
    }

    /// Revokes every token of a user: JWTs issued at or before `now` and all stored opaque
    /// tokens (§5.4 revocation).
    pub(crate) fn revoke_tokens(&mut self, subject: TokenSubject, now: i64) {
        self.revoked_before.insert(subject, now);
        self.opaque_tokens.retain(|_, token| token.subject != subject);
    }

    pub(crate) fn revoked_before(&self, subject: TokenSubject) -> Option<i64> {
        self.revoked_before.get(&subject).copied()
    }

    /// `RequestLog::getFailuresCount`: failures whose lock has not expired yet (§5.3).
    pub(crate) fn active_login_failures(&self, kind: LoginKind, username: &str, now: i64) -> u32 {
        self.login_failures
            .get(&(kind, username.to_owned()))
            .filter(|row| row.lock_expires_at > now)
            .map_or(0, |row| row.count)
    }

    /// `RequestLog::incrementFailuresCount`: one more failure, lock window restarted.
    ///
    /// derived: an expired row counts as removed by the `clearExpiredFailures` cron, so the
    /// count restarts at 1 rather than continuing from the stale value.
    pub(crate) fn log_login_failure(&mut self, kind: LoginKind, username: &str, now: i64, timeout: i64) {
        let row = self
            .login_failures
            .entry((kind, username.to_owned()))
            .or_insert(LoginFailures {
                count: 0,
                lock_expires_at: now,
            });
        if row.lock_expires_at <= now {
            row.count = 0;
        }
        row.count += 1;
        row.lock_expires_at = now.saturating_add(timeout);
    }

    /// `RequestLog::resetFailuresCount` after a successful login.
    pub(crate) fn reset_login_failures(&mut self, kind: LoginKind, username: &str) {
        self.login_failures.remove(&(kind, username.to_owned()));
    }
}
