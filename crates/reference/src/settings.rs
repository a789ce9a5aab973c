//! What a reference store is configured with: the settings a real install varies in, and the
//! faults it deviates by.

use super::faults::Fault;
use super::release::Release;
use super::translation::Translations;
use rand::Rng;
use std::fmt;
use std::time::Duration;

/// The store configuration the reference server emulates; `Default` is a stock 2.4.8 install.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// The Magento release answered as (2.4.8): older patch levels answer as STORES.md Note 6
    /// says where the suite can tell.
    pub release: Release,
    /// The default store view's code (`default`).
    pub store_code: String,
    /// Its name, copied into `created_in` (`Default Store View`).
    pub store_name: String,
    pub website_id: i64,
    pub store_id: i64,
    /// `customer/password/minimum_password_length` (8).
    pub password_min_length: usize,
    /// `customer/password/required_character_classes_number` (3).
    pub password_required_classes: usize,
    /// `oauth/authentication_lock/max_failures_count` (6).
    pub max_login_failures: u32,
    /// `oauth/authentication_lock/timeout` in seconds (1800).
    pub lockout_seconds: u64,
    /// `webapi/jwtauth/customer_expiration` in minutes (60; zero or less means 30).
    pub customer_token_lifetime_minutes: i64,
    /// `webapi/jwtauth/admin_expiration` in minutes (60).
    pub admin_token_lifetime_minutes: i64,
    /// An admin token lifetime in seconds, instead of the minutes above: shorter than Magento
    /// can be set to, so that a test run outlives its admin token (STORES.md R7); none by default.
    pub admin_token_lifetime_seconds: Option<i64>,
    pub token_format: TokenFormat,
    /// The JWT header's `kid` ("1"): the 1-based position of the signing key in env.php
    /// `crypt/key`. "2" is a store whose key was rotated once, on a patch level that signs with
    /// its last key (before 2.4.4-p10, 2.4.5-p9, 2.4.6-p7, 2.4.7-p2; STORES.md U14).
    pub jwt_kid: String,
    /// `webapi/jwtauth/jwt_alg` (HS256): the HMAC algorithm JWTs are signed with (STORES.md R1).
    pub jwt_alg: JwtAlg,
    /// `customer/create_account/confirm` (off).
    pub require_confirmation: bool,
    pub admin: AdminAccount,
    /// The admin user's role: the stock Administrators role, or one limited to the customer
    /// resources (what an integration or a least-privilege role has).
    pub admin_role: AdminRole,
    /// Whether Magento_TwoFactorAuth is enabled (the 2.4.x default).
    pub two_factor_auth: bool,
    /// The 2FA providers forced on admins (`twofactorauth/general/force_providers`): `google`
    /// by default; a store may force several, which the admin-token route lists (STORES.md R2).
    pub two_factor_providers: Vec<String>,
    /// Magento_AdminAdobeIms on (Adobe Commerce): the admin-token route refuses every sign-in,
    /// admins sign in through Adobe IMS (STORES.md R2); off by default.
    pub adobe_ims: bool,
    /// A fixed delay before every response, for client timeout tests.
    pub response_delay: Option<Duration>,
    /// A random delay in `0..=jitter` before every response, so that self-tests see the
    /// scheduling a real store's latency causes.
    pub response_jitter: Option<Duration>,
    /// A delay after `POST /V1/customers` created the customer and before it answers: a store
    /// whose create outlives the client timeout, so the client never learns it succeeded.
    pub create_delay: Option<Duration>,
    /// A rate limiter in front of the store (none by default), which the suite must put up
    /// with: it is a setting, not a [`Fault`], because no check should fail on it.
    pub rate_limit_first: Option<RateLimit>,
    /// Whether Magento_Newsletter is enabled (the default): it adds
    /// `extension_attributes.is_subscribed` to every customer read (§4.3 step 13). Off, the
    /// server answers like the tutorial's 2017 sample.
    pub newsletter_module: bool,
    /// Developer mode (`MAGE_MODE=developer`, off): every error envelope gains `trace`, and a
    /// malformed body gets the PHP error and its trace after "Decoding error:" (STORES.md U9).
    pub developer_mode: bool,
    /// Whether Magento_GraphQl is enabled (the default). Off, `/graphql` is an unknown page: the
    /// storefront's 404 (GRAPHQL.md §1.1).
    pub graphql_module: bool,
    /// A Swagger document to serve at `/rest/<store>/schema` instead of the generated one
    /// (e.g. a published file, or one with a module's extra attribute).
    pub published_schema: Option<serde_json::Value>,
    /// The access token of an integration with the customer resources, usable as a bearer
    /// ("Allow OAuth Access Tokens to be used as standalone Bearer tokens"); none by default.
    pub integration_token: Option<String>,
    /// The storefront forms with reCAPTCHA on (none by default, STORES.md C1): their web API
    /// routes then need an `X-ReCaptcha` header.
    pub recaptcha: Vec<RecaptchaForm>,
    /// The store view's language (English by default, STORES.md C2).
    pub translations: Translations,
    /// `general/locale/code` of the store view (`en_US`), as `GET /V1/store/storeConfigs` shows it.
    pub locale: String,
    /// `general/country/allow`: `None` is every country (the stock default). An address in
    /// another country is dropped on create (STORES.md C6).
    pub allowed_countries: Option<Vec<String>>,
    /// `customer/create_account/default_group` (1, General; STORES.md U3).
    pub default_group_id: i64,
    /// Customer groups beyond the stock four (NOT LOGGED IN, General, Wholesale, Retailer), by
    /// id, each coded `Group <id>`: a store with many groups (STORES.md R3); none by default.
    pub extra_customer_groups: Vec<i64>,
    /// Customer attributes made required (`customer/address/gender_show=req`, `taxvat_show=req`;
    /// STORES.md U4); none by default.
    pub required_customer_attributes: Vec<CustomerAttribute>,
    /// A third-party loyalty module that adds a customer extension attribute (`loyalty`) and a
    /// custom attribute with a default value (`loyalty_tier`), both in every customer read and
    /// the first in the store's Swagger (STORES.md C7); off by default.
    pub loyalty_module: bool,
    /// Deliberate deviations from Magento (none by default), for proving that the suite catches
    /// them.
    pub faults: Vec<Fault>,
}

/// An optional customer attribute a store can make required, with the label its EAV validator
/// names (`"%1" is a required value.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerAttribute {
    /// `gender`, a select: 1 Male, 2 Female, 3 Not Specified.
    Gender,
    /// `taxvat`, free text.
    Taxvat,
}

impl CustomerAttribute {
    pub fn code(self) -> &'static str {
        match self {
            CustomerAttribute::Gender => "gender",
            CustomerAttribute::Taxvat => "taxvat",
        }
    }

    /// The attribute's `frontend_label` in a stock install.
    pub fn label(self) -> &'static str {
        match self {
            CustomerAttribute::Gender => "Gender",
            CustomerAttribute::Taxvat => "Tax/VAT Number",
        }
    }
}

impl StoreSettings {
    /// Whether the server was started with `fault`.
    pub fn has_fault(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            release: Release::LATEST,
            store_code: "default".to_owned(),
            store_name: "Default Store View".to_owned(),
            website_id: 1,
            store_id: 1,
            password_min_length: 8,
            password_required_classes: 3,
            max_login_failures: 6,
            lockout_seconds: 1800,
            customer_token_lifetime_minutes: 60,
            admin_token_lifetime_minutes: 60,
            admin_token_lifetime_seconds: None,
            token_format: TokenFormat::Jwt,
            jwt_kid: "1".to_owned(),
            jwt_alg: JwtAlg::Hs256,
            require_confirmation: false,
            admin: AdminAccount::generated(),
            admin_role: AdminRole::FullRights,
            two_factor_auth: true,
            two_factor_providers: vec!["google".to_owned()],
            adobe_ims: false,
            response_delay: None,
            response_jitter: None,
            create_delay: None,
            rate_limit_first: None,
            newsletter_module: true,
            developer_mode: false,
            graphql_module: true,
            published_schema: None,
            integration_token: None,
            recaptcha: Vec::new(),
            translations: Translations::default(),
            locale: "en_US".to_owned(),
            allowed_countries: None,
            default_group_id: 1,
            extra_customer_groups: Vec::new(),
            required_customer_attributes: Vec::new(),
            loyalty_module: false,
            faults: Vec::new(),
        }
    }
}

/// A storefront form whose reCAPTCHA (Stores > Configuration > Security > Google reCAPTCHA
/// Storefront) also guards its web API route (`ReCaptchaCustomer\Model\WebapiConfigProvider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecaptchaForm {
    /// "Create New Customer Account" (`customer_create`): `POST /V1/customers`.
    CreateAccount,
    /// "Customer Login" (`customer_login`): `POST /V1/integration/customer/token`.
    Login,
}

impl std::str::FromStr for RecaptchaForm {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "create" => Ok(RecaptchaForm::CreateAccount),
            "login" => Ok(RecaptchaForm::Login),
            other => Err(format!("unknown reCAPTCHA form {other:?}: use create or login")),
        }
    }
}

/// A limiter on reads: the first `requests` GETs and DELETEs after start-up are answered
/// `status` with `Retry-After: 1` before they reach Magento; writes pass, as a limiter that
/// protects the database from crawlers lets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// 429 Too Many Requests, or 503 from an overloaded proxy.
    pub status: u16,
    pub requests: usize,
}

/// How tokens look on the wire (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormat {
    /// HS256 JWS, the default since 2.4.4.
    Jwt,
    /// 32 characters of `[0-9a-z]`, as before 2.4.4.
    Opaque,
}

/// The HMAC algorithms `webapi/jwtauth/jwt_alg` offers for signing (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JwtAlg {
    #[default]
    Hs256,
    Hs384,
    Hs512,
}

impl std::str::FromStr for JwtAlg {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        [JwtAlg::Hs256, JwtAlg::Hs384, JwtAlg::Hs512]
            .into_iter()
            .find(|alg| alg.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("{name:?} is not HS256, HS384 or HS512"))
    }
}

impl JwtAlg {
    /// The header's `alg`.
    pub fn name(self) -> &'static str {
        match self {
            JwtAlg::Hs256 => "HS256",
            JwtAlg::Hs384 => "HS384",
            JwtAlg::Hs512 => "HS512",
        }
    }
}

/// The ACL role of the reference store's admin (CONTRACT.md §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminRole {
    /// All resources (the stock Administrators role): `Acl::isAllowed($role, null)` is true, so
    /// it passes `self` checks too, and `self` routes then miss their `customerId` (§6.1).
    #[default]
    FullRights,
    /// `Magento_Customer::customer`, `::manage` and `::delete` only: `self` routes answer 401.
    Restricted,
}

/// The one admin user of the reference store.
#[derive(Clone)]
pub struct AdminAccount {
    pub username: String,
    pub password: String,
    /// Base32 Google Authenticator secret; `None` means no 2FA provider is configured.
    pub totp_secret: Option<String>,
}

impl fmt::Debug for AdminAccount {
    /// Secrets stay out of logs and test output.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AdminAccount")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("totp_secret", &self.totp_secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl AdminAccount {
    /// User `admin` with a random strong password and a random 20-byte TOTP secret.
    pub fn generated() -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut rng = rand::rng();
        let body: String = (0..20)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        let secret_bytes: [u8; 20] = rng.random();
        let totp_secret =
            totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret_bytes.to_vec()).get_secret_base32();
        AdminAccount {
            username: "admin".to_owned(),
            // The suffix guarantees all four character classes.
            password: format!("{body}-Aa9"),
            totp_secret: Some(totp_secret),
        }
    }
}
