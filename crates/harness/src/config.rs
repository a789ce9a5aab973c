//! Run configuration, read once from the environment (and an optional `.env` file) and
//! validated up front: every mistake is one line naming the variable and how to fix it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use crate::checks::token::JwtAlg;
use crate::checks::translation::Translations;
use crate::client::TlsOptions;
use crate::secrets::Secret;
use crate::suite_files::{Document, FileSet, SuiteFiles};
use crate::version::MagentoVersion;

/// Every variable the harness reads, with what it means: the README's table and the checks on
/// example workflows are generated from or tested against this list.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "MAGENTO_BASE_URL",
        "unset: embedded reference Magento",
        "The store's base URL, e.g. `https://staging.example.com` (no `/rest`).",
    ),
    (
        "MAGENTO_STORE_CODE",
        "`default`",
        "Store view code; requests go to `/rest/<store>/V1/...`.",
    ),
    (
        "MAGENTO_ADMIN_TOKEN",
        "unset",
        "A ready admin or integration bearer token (set-up and clean-up).",
    ),
    (
        "MAGENTO_ADMIN_USERNAME",
        "unset",
        "Admin username, with `MAGENTO_ADMIN_PASSWORD`, instead of a token.",
    ),
    ("MAGENTO_ADMIN_PASSWORD", "unset", "Admin password."),
    (
        "MAGENTO_ADMIN_TOTP_SECRET",
        "unset",
        "Base32 Google Authenticator secret, for stores with two-factor auth on (the 2.4.x default).",
    ),
    (
        "MAGENTO_TIMEOUT_SECS",
        "`30`",
        "Total timeout of every request (connect timeout: at most 10 s).",
    ),
    (
        "MAGENTO_CONCURRENCY",
        "`4` remote, `16` embedded",
        "Scenarios in flight at once; `@serial` scenarios run alone.",
    ),
    (
        "MAGENTO_PASSWORD_MIN_LENGTH",
        "detected, else `8`",
        "The store's `customer/password/minimum_password_length`.",
    ),
    (
        "MAGENTO_PASSWORD_CLASSES",
        "detected, else `3`",
        "The store's `customer/password/required_character_classes_number`.",
    ),
    (
        "MAGENTO_LOCKOUT_FAILURES",
        "`6`",
        "The effective sign-in limit: the smaller of the store's `oauth/authentication_lock/max_failures_count` and `customer/password/lockout_failures` (no REST route returns either).",
    ),
    (
        "MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES",
        "the first token's",
        "The store's `webapi/jwtauth/customer_expiration`: every customer token must last exactly this long. Unset, the run takes the first customer token's lifetime and holds every later one to it.",
    ),
    (
        "MAGENTO_JWT_ALG",
        "the first token's",
        "The store's `webapi/jwtauth/jwt_alg`, `HS256`, `HS384` or `HS512`: every JWT must carry it. Unset, any of the three is accepted (the first token's is then required of the rest); a 5-segment JWE is checked for its shape only.",
    ),
    (
        "MAGENTO_REQUIRE_CONFIRMATION",
        "`0`",
        "`1` if the store's `customer/create_account/confirm` is on: runs the `@needs-confirmation` scenarios and skips the `@signs-in` ones.",
    ),
    (
        "MAGENTO_STORE_ID",
        "detected, else `1`",
        "Id of that store view, expected in `store_id`; `[store id]` in snapshots, and in place of the tutorial's `1`.",
    ),
    (
        "MAGENTO_WEBSITE_ID",
        "detected, else `1`",
        "Id of its website, expected in `website_id` and in error parameters; `[website id]` in snapshots, and in place of the tutorial's `1`.",
    ),
    (
        "MAGENTO_STORE_NAME",
        "detected, else `Default Store View`",
        "The store view's name, expected in `created_in`; `[store name]` in snapshots, and in place of the tutorial's `Default Store View`.",
    ),
    (
        "MAGENTO_DEFAULT_GROUP_ID",
        "detected, else `1`",
        "The store's `customer/create_account/default_group`, expected in a new customer's `group_id`; `[default group id]` in snapshots.",
    ),
    (
        "MAGENTO_ADDRESS",
        "the tutorial's US address",
        "An address the store allows, as JSON: `{\"country_id\":\"DE\",\"region_id\":82,\"region_code\":\"BER\",\"region\":\"Berlin\",\"postcode\":\"10115\",\"city\":\"Berlin\",\"telephone\":\"030 1234567\"}`; it replaces the tutorial's in every address sent and expected.",
    ),
    (
        "MAGENTO_EXTRA_CUSTOMER_FIELDS",
        "detected, else none",
        "JSON object merged into every created customer, for attributes the store requires, e.g. `{\"gender\":1,\"taxvat\":\"DE123456789\"}`.",
    ),
    (
        "MAGENTO_EXTRA_ADDRESS_FIELDS",
        "detected, else none",
        "JSON object merged into every address sent, e.g. `{\"company\":\"Example Ltd\"}`.",
    ),
    (
        "MAGENTO_STRICT_DRIFT",
        "`0`",
        "`1` fails the run on keys and properties modules add (`extension_attributes`, `custom_attributes`, the store's Swagger), which are otherwise reported.",
    ),
    (
        "MAGENTO_EMAIL_DOMAIN",
        "`example.com`",
        "Domain of the throw-away customers (`mc-<run id>-<n>@<domain>`).",
    ),
    (
        "MAGENTO_VERSION",
        "unset: release-independent scenarios only (embedded: `2.4.8`)",
        "The store's release with its patch level, e.g. `2.4.6-p8` or `2.4.7`: picks the answers that changed between releases; scenarios for other releases are listed as not run.",
    ),
    (
        "MAGENTO_PROFILE",
        "`reference`",
        "Snapshot set to compare against (`snapshots/<name>@<profile>.snap`); a snapshot the profile lacks is written as pending.",
    ),
    (
        "MAGENTO_REPORT_DIR",
        "`target/magento-contract`",
        "Where JUnit XML, Cucumber JSON and the exchange log are written (relative to the working directory).",
    ),
    (
        "MAGENTO_ALLOW_WRITES",
        "`0`",
        "Must be `1` to create customers on a host that is not loopback.",
    ),
    (
        "MAGENTO_CA_CERT",
        "unset",
        "PEM file of a CA to trust, for self-signed staging certificates.",
    ),
    (
        "MAGENTO_INSECURE_TLS",
        "`0`",
        "`1` skips certificate verification (loudly logged).",
    ),
    (
        "MAGENTO_DRIFT_BASELINE",
        "built-in `drift/accepted.toml`",
        "Reviewed documented-vs-observed differences that do not fail the run.",
    ),
    (
        "MAGENTO_TRANSLATIONS",
        "unset: English",
        "Magento i18n CSV file(s) of the store view's language, comma-separated (a language pack's `xx_XX.csv`, a module's `i18n/xx_XX.csv`); expected top-level messages are translated with them.",
    ),
    (
        "MAGENTO_RECAPTCHA_RESPONSE",
        "unset",
        "Sent as `X-ReCaptcha` on customer create and sign-in, for a store with reCAPTCHA on those forms (any value passes Google's test keys).",
    ),
    (
        "MAGENTO_FEATURES_DIR",
        "built-in `features/`",
        "Feature files to run (`magento-contract init DIR` writes the built-in set to start from).",
    ),
    (
        "MAGENTO_SCHEMAS_DIR",
        "built-in `schemas/`",
        "JSON Schemas to check against.",
    ),
    (
        "MAGENTO_SNAPSHOTS_DIR",
        "built-in `snapshots/`",
        "insta snapshots to compare with; with the built-in set, pending ones go to `<MAGENTO_REPORT_DIR>/pending-snapshots/`.",
    ),
];

/// Where the suite sends its requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The embedded reference Magento, started in-process on a loopback port.
    Embedded,
    /// A real store, e.g. `https://staging.example.com`.
    Remote(Url),
}

/// How the harness obtains the admin token it uses for set-up and clean-up.
#[derive(Debug, Clone)]
pub enum AdminAuth {
    /// No admin credentials: scenarios that need them are not run, and clean-up lists leftovers.
    None,
    /// A ready token (an integration token with bearer use enabled, or an admin JWT).
    Token(Secret),
    /// Admin username and password; with a TOTP secret, through Google Authenticator 2FA (§3.3).
    Password {
        username: String,
        password: Secret,
        totp_secret: Option<Secret>,
    },
}

impl AdminAuth {
    pub fn is_configured(&self) -> bool {
        !matches!(self, AdminAuth::None)
    }

    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            AdminAuth::None => vec![],
            AdminAuth::Token(token) => vec![token],
            AdminAuth::Password {
                password, totp_secret, ..
            } => std::iter::once(password).chain(totp_secret.iter()).collect(),
        }
    }
}

/// Store settings that change what Magento answers; defaults are Magento 2.4's.
#[derive(Debug, Clone, PartialEq)]
pub struct StorePolicy {
    /// `customer/password/minimum_password_length` (§4.3), default 8.
    pub password_min_length: usize,
    /// `customer/password/required_character_classes_number` (§4.3), default 3.
    pub password_required_classes: usize,
    /// `oauth/authentication_lock/max_failures_count` (§5.3), default 6.
    pub max_login_failures: u32,
    /// `webapi/jwtauth/customer_expiration` in minutes (§5.4), default 60.
    pub customer_token_lifetime_minutes: i64,
    /// The store view's name, echoed as `created_in` (§4.3 step 9).
    pub store_name: String,
    /// `customer/create_account/confirm` (§4.3 step 12), default off.
    pub require_confirmation: bool,
    /// The store view's id and its website's, echoed as `store_id` and `website_id` (§4.3 step 5).
    pub store_id: i64,
    pub website_id: i64,
    /// `customer/create_account/default_group` (§4.3 step 10), default 1.
    pub default_group_id: i64,
    /// The address every address body sends and expects (the tutorial's, or `MAGENTO_ADDRESS`).
    pub address: StoreAddress,
}

/// An address in a country the store allows, with a region from the country's list.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreAddress {
    pub country_id: String,
    pub region_id: i64,
    pub region_code: String,
    pub region: String,
    pub postcode: String,
    pub city: String,
    pub telephone: String,
}

impl StoreAddress {
    /// The Order Processing Tutorial's address: Purchase, NY 10755, US (region 43).
    pub fn tutorial() -> Self {
        Self {
            country_id: "US".into(),
            region_id: 43,
            region_code: "NY".into(),
            region: "New York".into(),
            postcode: "10755".into(),
            city: "Purchase".into(),
            telephone: "512-555-1111".into(),
        }
    }
}

impl Default for StorePolicy {
    fn default() -> Self {
        Self {
            password_min_length: 8,
            password_required_classes: 3,
            max_login_failures: 6,
            customer_token_lifetime_minutes: 60,
            store_name: "Default Store View".to_owned(),
            require_confirmation: false,
            store_id: 1,
            website_id: 1,
            default_group_id: 1,
            address: StoreAddress::tutorial(),
        }
    }
}

/// Everything one run needs to know, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: Target,
    pub store_code: String,
    pub admin: AdminAuth,
    pub timeout: Duration,
    pub concurrency: usize,
    pub policy: StorePolicy,
    /// Domain of the throw-away customer emails (`mc-<run id>-<n>@<domain>`).
    pub email_domain: String,
    /// The store's release (§9.9, §10; STORES.md C3); `None` runs only what does not depend on
    /// it. Magento does not tell its release over REST without admin rights, and the schema's
    /// `info.version` is only `2.4`.
    pub magento_version: Option<MagentoVersion>,
    /// Snapshot set to compare against (insta snapshot suffix).
    pub profile: String,
    pub report_dir: PathBuf,
    /// Features, schemas, snapshots and accepted drift: the `MAGENTO_*` variables' or the
    /// defaults the caller gave.
    pub files: SuiteFiles,
    /// Whether the run may create customers on a non-loopback host.
    pub allow_writes: bool,
    /// The store view's language (`MAGENTO_TRANSLATIONS`); empty is English (STORES.md C2).
    pub translations: Translations,
    /// What to send as `X-ReCaptcha` on the routes of reCAPTCHA-protected forms (STORES.md C1).
    /// Not a secret: a response token is single-use and short-lived, a test-key one arbitrary.
    pub recaptcha_response: Option<String>,
    /// Fields merged into every created customer and every address sent (attributes the store
    /// requires, STORES.md U4); `None` when the variable is unset, so detection may fill them.
    pub extra_customer_fields: Option<serde_json::Map<String, serde_json::Value>>,
    pub extra_address_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// `MAGENTO_STRICT_DRIFT=1`: modules' additions fail the run too (STORES.md C7).
    pub strict_drift: bool,
    /// `MAGENTO_JWT_ALG`: the algorithm every JWT must carry; `None`: the first token's
    /// (STORES.md R1).
    pub jwt_alg: Option<JwtAlg>,
    /// The variables of [`VARIABLES`] the environment set: a set one wins over what the run
    /// detects.
    pub set_variables: Vec<&'static str>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{var} is invalid: {problem}. {fix}")]
    Invalid {
        var: &'static str,
        problem: String,
        fix: &'static str,
    },
    #[error("{0}")]
    Inconsistent(String),
}

fn invalid(var: &'static str, problem: impl Into<String>, fix: &'static str) -> ConfigError {
    ConfigError::Invalid {
        var,
        problem: problem.into(),
        fix,
    }
}

/// Reads the comma-separated i18n CSV files of `MAGENTO_TRANSLATIONS`, a later file's rows
/// over an earlier's; a problem names the file and the line.
fn load_translations(files: &str) -> Result<Translations, ConfigError> {
    const FIX: &str = "Give Magento i18n CSV files (\"English phrase\",\"translation\" per row), comma-separated";
    let mut translations = Translations::default();
    for file in files.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let text = std::fs::read_to_string(file)
            .map_err(|e| invalid("MAGENTO_TRANSLATIONS", format!("cannot read {file} ({e})"), FIX))?;
        translations
            .add_csv(&text)
            .map_err(|e| invalid("MAGENTO_TRANSLATIONS", format!("{file}: {e}"), FIX))?;
    }
    if translations.is_empty() {
        return Err(invalid(
            "MAGENTO_TRANSLATIONS",
            format!("{files:?} has no translation row"),
            FIX,
        ));
    }
    Ok(translations)
}

/// The project's top directory, two levels above this crate: the default home of `features/`,
/// `schemas/`, `snapshots/` and `drift/`.
/// The project's top directory, two levels above this crate: where the repository keeps
/// `features/`, `schemas/`, `snapshots/` and `drift/`.
pub fn project_dir() -> &'static Path {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.ancestors().nth(2).unwrap_or(crate_dir)
}

impl Config {
    /// Reads the process environment (after `.env`, if the caller loaded one); `files` are the
    /// suite's files where no variable names others.
    pub fn from_env(files: SuiteFiles) -> Result<Self, ConfigError> {
        Self::from_lookup(files, |name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(files: SuiteFiles, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let target = match get("MAGENTO_BASE_URL") {
            None => Target::Embedded,
            Some(raw) => Target::Remote(parse_base_url(&raw)?),
        };

        let store_code = get("MAGENTO_STORE_CODE").unwrap_or_else(|| "default".to_owned());
        if !store_code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(invalid(
                "MAGENTO_STORE_CODE",
                format!("{store_code:?} is not a Magento store code"),
                "Use the store view code from Stores > All Stores (letters, digits, underscore), e.g. default.",
            ));
        }

        let admin = parse_admin_auth(&get)?;

        let timeout_secs = parse_number(
            &get,
            "MAGENTO_TIMEOUT_SECS",
            30,
            1..=600,
            "Set it to a whole number of seconds between 1 and 600.",
        )?;
        let default_concurrency = match target {
            Target::Embedded => 16,
            Target::Remote(_) => 4,
        };
        let concurrency = parse_number(
            &get,
            "MAGENTO_CONCURRENCY",
            default_concurrency,
            1..=64,
            "Set it to the number of scenarios to run at once, between 1 and 64.",
        )?;

        let defaults = StorePolicy::default();
        let policy = StorePolicy {
            password_min_length: parse_number(
                &get,
                "MAGENTO_PASSWORD_MIN_LENGTH",
                defaults.password_min_length as u64,
                1..=256,
                "Set it to the store's customer/password/minimum_password_length (1-256).",
            )? as usize,
            password_required_classes: parse_number(
                &get,
                "MAGENTO_PASSWORD_CLASSES",
                defaults.password_required_classes as u64,
                1..=4,
                "Set it to the store's customer/password/required_character_classes_number (1-4).",
            )? as usize,
            max_login_failures: parse_number(
                &get,
                "MAGENTO_LOCKOUT_FAILURES",
                u64::from(defaults.max_login_failures),
                1..=100,
                "Set it to the store's oauth/authentication_lock/max_failures_count (1-100).",
            )? as u32,
            customer_token_lifetime_minutes: parse_number(
                &get,
                "MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES",
                defaults.customer_token_lifetime_minutes as u64,
                1..=525_600,
                "Set it to the store's webapi/jwtauth/customer_expiration in minutes.",
            )? as i64,
            store_name: get("MAGENTO_STORE_NAME").unwrap_or(defaults.store_name),
            require_confirmation: parse_flag(&get, "MAGENTO_REQUIRE_CONFIRMATION")?,
            store_id: parse_number(
                &get,
                "MAGENTO_STORE_ID",
                defaults.store_id as u64,
                1..=1_000_000,
                "Set it to the id of the store view MAGENTO_STORE_CODE names (Stores > All Stores).",
            )? as i64,
            website_id: parse_number(
                &get,
                "MAGENTO_WEBSITE_ID",
                defaults.website_id as u64,
                1..=1_000_000,
                "Set it to the id of that store view's website (Stores > All Stores).",
            )? as i64,
            default_group_id: parse_number(
                &get,
                "MAGENTO_DEFAULT_GROUP_ID",
                defaults.default_group_id as u64,
                0..=1_000_000,
                "Set it to the store's customer/create_account/default_group (Customers > Customer Groups).",
            )? as i64,
            address: match get("MAGENTO_ADDRESS") {
                None => defaults.address,
                Some(raw) => serde_json::from_str(&raw).map_err(|e| {
                    invalid(
                        "MAGENTO_ADDRESS",
                        format!("it is not an address ({e})"),
                        "Set it to JSON with country_id, region_id, region_code, region, postcode, city and telephone of an address the store allows.",
                    )
                })?,
            },
        };

        let extra_customer_fields = parse_json_object(&get, "MAGENTO_EXTRA_CUSTOMER_FIELDS")?;
        let extra_address_fields = parse_json_object(&get, "MAGENTO_EXTRA_ADDRESS_FIELDS")?;
        let strict_drift = parse_flag(&get, "MAGENTO_STRICT_DRIFT")?;
        let jwt_alg = match get("MAGENTO_JWT_ALG") {
            None => None,
            Some(name) => Some(JwtAlg::from_name(name.trim()).ok_or_else(|| {
                invalid(
                    "MAGENTO_JWT_ALG",
                    format!("{name:?} is not an HMAC algorithm Magento signs tokens with"),
                    "Set it to the store's webapi/jwtauth/jwt_alg: HS256, HS384 or HS512 (unset for a JWE store).",
                )
            })?),
        };
        let set_variables = VARIABLES
            .iter()
            .map(|(name, _, _)| *name)
            .filter(|name| get(name).is_some())
            .collect();

        let email_domain = get("MAGENTO_EMAIL_DOMAIN").unwrap_or_else(|| "example.com".to_owned());
        if email_domain.contains('@') || !email_domain.contains('.') || email_domain.contains(' ') {
            return Err(invalid(
                "MAGENTO_EMAIL_DOMAIN",
                format!("{email_domain:?} is not a domain name"),
                "Set it to a domain only, e.g. example.com (no @).",
            ));
        }

        let magento_version = get("MAGENTO_VERSION")
            .map(|raw| {
                raw.parse::<MagentoVersion>().map_err(|e| {
                    invalid(
                        "MAGENTO_VERSION",
                        e.to_string(),
                        "Use the store's release as its admin footer shows it, e.g. 2.4.7 or 2.4.6-p8.",
                    )
                })
            })
            .transpose()?;

        let profile = get("MAGENTO_PROFILE").unwrap_or_else(|| "reference".to_owned());
        if !profile
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(invalid(
                "MAGENTO_PROFILE",
                format!("{profile:?} cannot be part of a snapshot file name"),
                "Use letters, digits, '-' or '_', e.g. staging.",
            ));
        }

        let set = |var: &str, default: FileSet| get(var).map_or(default, |dir| FileSet::Dir(dir.into()));
        let files = SuiteFiles {
            features: set("MAGENTO_FEATURES_DIR", files.features),
            schemas: set("MAGENTO_SCHEMAS_DIR", files.schemas),
            snapshots: set("MAGENTO_SNAPSHOTS_DIR", files.snapshots),
            drift_baseline: get("MAGENTO_DRIFT_BASELINE")
                .map_or(files.drift_baseline, |file| Document::File(file.into())),
        };

        let allow_writes = parse_flag(&get, "MAGENTO_ALLOW_WRITES")?;
        let translations = get("MAGENTO_TRANSLATIONS")
            .map(|files| load_translations(&files))
            .transpose()?
            .unwrap_or_default();
        let recaptcha_response = get("MAGENTO_RECAPTCHA_RESPONSE");

        Ok(Self {
            target,
            store_code,
            admin,
            timeout: Duration::from_secs(timeout_secs),
            concurrency: concurrency as usize,
            policy,
            email_domain,
            magento_version,
            profile,
            // Relative to where the program runs, which may be far from where it was built.
            report_dir: PathBuf::from(
                get("MAGENTO_REPORT_DIR")
                    .as_deref()
                    .unwrap_or("target/magento-contract"),
            ),
            files,
            allow_writes,
            translations,
            recaptcha_response,
            extra_customer_fields,
            extra_address_fields,
            strict_drift,
            jwt_alg,
            set_variables,
        })
    }

    /// Whether the environment set `variable`.
    pub fn is_set(&self, variable: &str) -> bool {
        self.set_variables.contains(&variable)
    }

    /// The host that will receive requests, for messages ("the embedded reference Magento" when
    /// none is configured).
    pub fn target_label(&self) -> String {
        match &self.target {
            Target::Embedded => "the embedded reference Magento".to_owned(),
            Target::Remote(url) => url.as_str().trim_end_matches('/').to_owned(),
        }
    }
}

fn parse_base_url(raw: &str) -> Result<Url, ConfigError> {
    const FIX: &str = "Set it to the store's base URL, e.g. https://staging.example.com (without /rest).";
    let url = Url::parse(raw).map_err(|e| invalid("MAGENTO_BASE_URL", format!("{raw:?} is not a URL ({e})"), FIX))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid(
            "MAGENTO_BASE_URL",
            format!("scheme {:?} is not http or https", url.scheme()),
            FIX,
        ));
    }
    if url.host_str().is_none() {
        return Err(invalid("MAGENTO_BASE_URL", format!("{raw:?} has no host"), FIX));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "MAGENTO_BASE_URL",
            "it contains credentials",
            "Remove user:password@ from the URL; use MAGENTO_ADMIN_* for credentials.",
        ));
    }
    if url.path().contains("/rest") || url.query().is_some() {
        return Err(invalid(
            "MAGENTO_BASE_URL",
            format!("{raw:?} includes a path under /rest or a query"),
            FIX,
        ));
    }
    Ok(url)
}

fn parse_admin_auth(get: &impl Fn(&str) -> Option<String>) -> Result<AdminAuth, ConfigError> {
    let token = get("MAGENTO_ADMIN_TOKEN");
    let username = get("MAGENTO_ADMIN_USERNAME");
    let password = get("MAGENTO_ADMIN_PASSWORD");
    let totp = get("MAGENTO_ADMIN_TOTP_SECRET");

    if token.is_some() && (username.is_some() || password.is_some()) {
        return Err(ConfigError::Inconsistent(
            "MAGENTO_ADMIN_TOKEN and MAGENTO_ADMIN_USERNAME/MAGENTO_ADMIN_PASSWORD are both set: keep one way of signing in as admin.".to_owned(),
        ));
    }
    if let Some(token) = token {
        if token.chars().any(char::is_whitespace) || token.to_ascii_lowercase().starts_with("bearer") {
            return Err(invalid(
                "MAGENTO_ADMIN_TOKEN",
                "it contains spaces or a 'Bearer' prefix",
                "Set it to the bare token, without 'Bearer '.",
            ));
        }
        if totp.is_some() {
            return Err(ConfigError::Inconsistent(
                "MAGENTO_ADMIN_TOTP_SECRET is set with MAGENTO_ADMIN_TOKEN: the TOTP secret is only used with MAGENTO_ADMIN_USERNAME and MAGENTO_ADMIN_PASSWORD.".to_owned(),
            ));
        }
        return Ok(AdminAuth::Token(Secret::new(token)));
    }
    match (username, password) {
        (None, None) => {
            if totp.is_some() {
                return Err(ConfigError::Inconsistent(
                    "MAGENTO_ADMIN_TOTP_SECRET is set without MAGENTO_ADMIN_USERNAME and MAGENTO_ADMIN_PASSWORD: set both.".to_owned(),
                ));
            }
            Ok(AdminAuth::None)
        }
        (Some(_), None) => Err(ConfigError::Inconsistent(
            "MAGENTO_ADMIN_USERNAME is set but MAGENTO_ADMIN_PASSWORD is not: set both, or use MAGENTO_ADMIN_TOKEN."
                .to_owned(),
        )),
        (None, Some(_)) => Err(ConfigError::Inconsistent(
            "MAGENTO_ADMIN_PASSWORD is set but MAGENTO_ADMIN_USERNAME is not: set both, or use MAGENTO_ADMIN_TOKEN."
                .to_owned(),
        )),
        (Some(username), Some(password)) => {
            let totp_secret = match totp {
                None => None,
                Some(raw) => Some(Secret::new(normalize_totp_secret(&raw).ok_or_else(|| {
                    invalid(
                        "MAGENTO_ADMIN_TOTP_SECRET",
                        "it is not a base32 secret (letters A-Z and digits 2-7)",
                        "Copy the secret key shown when Google Authenticator was set up for this admin.",
                    )
                })?)),
            };
            Ok(AdminAuth::Password {
                username,
                password: Secret::new(password),
                totp_secret,
            })
        }
    }
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
    fix: &'static str,
) -> Result<u64, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(default);
    };
    let value: u64 = raw
        .parse()
        .map_err(|_| invalid(var, format!("{raw:?} is not a whole number"), fix))?;
    if !range.contains(&value) {
        return Err(invalid(var, format!("{value} is out of range"), fix));
    }
    Ok(value)
}

fn parse_json_object(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(None);
    };
    match serde_json::from_str(&raw) {
        Ok(serde_json::Value::Object(fields)) => Ok(Some(fields)),
        Ok(_) => Err(invalid(
            var,
            "it is not a JSON object",
            "Set it to an object, e.g. {\"gender\":1}.",
        )),
        Err(e) => Err(invalid(
            var,
            format!("it is not JSON ({e})"),
            "Set it to an object, e.g. {\"gender\":1}.",
        )),
    }
}

fn parse_flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => Err(invalid(
            var,
            format!("{other:?} is not a yes/no value"),
            "Set it to 1 or 0.",
        )),
    }
}

/// A Google Authenticator secret as people paste it: upper-cased, spaces and padding stripped;
/// `None` if what is left is not base32.
pub fn normalize_totp_secret(raw: &str) -> Option<String> {
    let secret: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = !secret.is_empty()
        && secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
    valid.then_some(secret)
}

/// Loads `.env` from the working directory, if there is one, without overriding the
/// environment. A malformed file is a configuration error.
pub fn load_dotenv() -> Result<(), String> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(e) if e.not_found() => Ok(()),
        Err(e) => Err(format!(".env could not be read: {e}")),
    }
}

/// Reads a `MAGENTO_CA_CERT` / `MAGENTO_INSECURE_TLS` pair into TLS options.
pub fn tls_from_env() -> Result<TlsOptions, String> {
    let ca_cert_pem = match std::env::var("MAGENTO_CA_CERT").ok().filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(path) => Some(std::fs::read(Path::new(path.trim())).map_err(|e| {
            format!("MAGENTO_CA_CERT={path:?} cannot be read ({e}): point it at the PEM file of the store's CA")
        })?),
    };
    let insecure = matches!(
        std::env::var("MAGENTO_INSECURE_TLS").ok().as_deref().map(str::trim),
        Some("1" | "true" | "yes")
    );
    if insecure {
        eprintln!("magento-contract: WARNING: MAGENTO_INSECURE_TLS=1: the store's TLS certificate is NOT verified");
    }
    Ok(TlsOptions { ca_cert_pem, insecure })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(SuiteFiles::in_dir(project_dir()), |k| map.get(k).cloned())
    }

    fn error(vars: &[(&str, &str)]) -> String {
        config(vars).expect_err("config should be rejected").to_string()
    }

    #[test]
    fn totp_secrets_are_normalized_or_refused() {
        assert_eq!(normalize_totp_secret("jbsw y3dp=").as_deref(), Some("JBSWY3DP"));
        assert_eq!(normalize_totp_secret("JBSW1"), None);
        assert_eq!(normalize_totp_secret("   "), None);
    }

    #[test]
    fn defaults_target_the_embedded_server_with_magento_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.target, Target::Embedded);
        assert_eq!(c.store_code, "default");
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.policy, StorePolicy::default());
        assert_eq!(c.policy.password_min_length, 8);
        assert_eq!(c.policy.max_login_failures, 6);
        assert!(matches!(c.admin, AdminAuth::None));
        assert_eq!(c.profile, "reference");
        assert_eq!(c.magento_version, None);
    }

    #[test]
    fn magento_version_takes_a_patch_level() {
        let c = config(&[("MAGENTO_VERSION", "2.4.6-p8")]).unwrap();
        assert_eq!(c.magento_version, Some(MagentoVersion::release(2, 4, 6, Some(8))));
    }

    /// STORES.md C2: several files, a later one's rows winning; a bad file is one line naming
    /// the file and the line.
    #[test]
    fn translations_are_read_from_every_file_or_refused_in_one_line() {
        let dir = std::env::temp_dir().join(format!("mc-translations-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (module, pack, bad) = (dir.join("module.csv"), dir.join("nl_NL.csv"), dir.join("bad.csv"));
        std::fs::write(&module, "\"First Name\",\"Naam\"\n\"Email\",\"E-mail\"\n").unwrap();
        std::fs::write(&pack, "\"First Name\",\"Voornaam\",module,Magento_Customer\n").unwrap();
        std::fs::write(&bad, "\"a\",\"b\"\n\"only a phrase\"\n").unwrap();
        let files = format!("{}, {}", module.display(), pack.display());
        let c = config(&[("MAGENTO_TRANSLATIONS", &files)]).unwrap();
        assert_eq!(c.translations.phrase("First Name"), "Voornaam");
        assert_eq!(c.translations.phrase("Email"), "E-mail");
        let err = error(&[("MAGENTO_TRANSLATIONS", &bad.display().to_string())]);
        assert!(err.starts_with("MAGENTO_TRANSLATIONS is invalid: "), "{err}");
        assert!(err.contains("bad.csv: line 2"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let err = error(&[("MAGENTO_TRANSLATIONS", "no-such-file.csv")]);
        assert!(err.contains("cannot read no-such-file.csv"), "{err}");
        assert!(config(&[]).unwrap().translations.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn remote_store_gets_a_polite_default_concurrency() {
        let c = config(&[("MAGENTO_BASE_URL", "https://staging.example.com")]).unwrap();
        assert_eq!(c.concurrency, 4);
        assert_eq!(c.target_label(), "https://staging.example.com");
    }

    #[test]
    fn rejects_a_base_url_that_is_not_http() {
        let msg = error(&[("MAGENTO_BASE_URL", "ftp://example.com")]);
        assert!(msg.starts_with("MAGENTO_BASE_URL is invalid"), "{msg}");
        assert!(msg.contains("https://staging.example.com"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn rejects_a_base_url_with_the_rest_path() {
        let msg = error(&[("MAGENTO_BASE_URL", "https://shop.test/rest/default")]);
        assert!(msg.contains("/rest"), "{msg}");
    }

    #[test]
    fn rejects_credentials_in_the_url_without_echoing_them() {
        let msg = error(&[("MAGENTO_BASE_URL", "https://admin:s3cretpw@shop.test")]);
        assert!(!msg.contains("s3cretpw"), "{msg}");
    }

    #[test]
    fn rejects_bad_numbers_with_the_variable_name() {
        let msg = error(&[("MAGENTO_TIMEOUT_SECS", "soon")]);
        assert!(
            msg.contains("MAGENTO_TIMEOUT_SECS") && msg.contains("\"soon\""),
            "{msg}"
        );
        let msg = error(&[("MAGENTO_CONCURRENCY", "0")]);
        assert!(msg.contains("out of range"), "{msg}");
        let msg = error(&[("MAGENTO_PASSWORD_CLASSES", "5")]);
        assert!(msg.contains("MAGENTO_PASSWORD_CLASSES"), "{msg}");
    }

    #[test]
    fn admin_username_needs_a_password() {
        let msg = error(&[("MAGENTO_ADMIN_USERNAME", "admin")]);
        assert!(msg.contains("MAGENTO_ADMIN_PASSWORD is not"), "{msg}");
    }

    #[test]
    fn admin_token_and_password_conflict() {
        let msg = error(&[
            ("MAGENTO_ADMIN_TOKEN", "abc"),
            ("MAGENTO_ADMIN_USERNAME", "admin"),
            ("MAGENTO_ADMIN_PASSWORD", "pw"),
        ]);
        assert!(msg.contains("both set"), "{msg}");
    }

    #[test]
    fn admin_token_with_bearer_prefix_is_rejected_without_echo() {
        let msg = error(&[("MAGENTO_ADMIN_TOKEN", "Bearer tok3n-value")]);
        assert!(msg.contains("Bearer"), "{msg}");
        assert!(!msg.contains("tok3n-value"), "{msg}");
    }

    #[test]
    fn totp_secret_must_be_base32_and_is_not_echoed() {
        let msg = error(&[
            ("MAGENTO_ADMIN_USERNAME", "admin"),
            ("MAGENTO_ADMIN_PASSWORD", "pw"),
            ("MAGENTO_ADMIN_TOTP_SECRET", "not-base32!!"),
        ]);
        assert!(msg.contains("base32"), "{msg}");
        assert!(!msg.contains("not-base32!!"), "{msg}");
    }

    #[test]
    fn totp_secret_accepts_spaces_and_lower_case() {
        let c = config(&[
            ("MAGENTO_ADMIN_USERNAME", "admin"),
            ("MAGENTO_ADMIN_PASSWORD", "pw"),
            ("MAGENTO_ADMIN_TOTP_SECRET", "jbsw y3dp ehpk 3pxp"),
        ])
        .unwrap();
        let AdminAuth::Password { totp_secret, .. } = c.admin else {
            panic!("expected password auth");
        };
        assert_eq!(totp_secret.unwrap().expose(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn store_variations_are_read_and_checked() {
        let c = config(&[
            (
                "MAGENTO_ADDRESS",
                r#"{"country_id":"DE","region_id":82,"region_code":"BER","region":"Berlin","postcode":"10115","city":"Berlin","telephone":"030 1234567"}"#,
            ),
            ("MAGENTO_EXTRA_CUSTOMER_FIELDS", r#"{"gender": 1}"#),
            ("MAGENTO_STRICT_DRIFT", "1"),
        ])
        .unwrap();
        assert_eq!(c.policy.address.country_id, "DE");
        assert_eq!(c.extra_customer_fields.as_ref().unwrap()["gender"], 1);
        assert!(c.extra_address_fields.is_none());
        assert!(c.strict_drift);
        assert!(c.is_set("MAGENTO_ADDRESS") && !c.is_set("MAGENTO_STORE_NAME"));
        assert_eq!(
            config(&[("MAGENTO_JWT_ALG", "HS512")]).unwrap().jwt_alg,
            Some(JwtAlg::Hs512)
        );
        assert_eq!(config(&[]).unwrap().jwt_alg, None);
        let msg = error(&[("MAGENTO_JWT_ALG", "RS256")]);
        assert!(
            msg.starts_with("MAGENTO_JWT_ALG is invalid") && msg.contains("HS256, HS384 or HS512"),
            "{msg}"
        );
        assert_eq!(config(&[]).unwrap().policy.address, StoreAddress::tutorial());
        let msg = error(&[("MAGENTO_ADDRESS", r#"{"country_id":"DE"}"#)]);
        assert!(
            msg.starts_with("MAGENTO_ADDRESS is invalid") && msg.contains("missing field"),
            "{msg}"
        );
        let msg = error(&[("MAGENTO_EXTRA_CUSTOMER_FIELDS", "[1]")]);
        assert!(msg.contains("not a JSON object"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn email_domain_and_profile_are_checked() {
        assert!(error(&[("MAGENTO_EMAIL_DOMAIN", "me@example.com")]).contains("MAGENTO_EMAIL_DOMAIN"));
        assert!(error(&[("MAGENTO_PROFILE", "../x")]).contains("MAGENTO_PROFILE"));
        assert!(error(&[("MAGENTO_VERSION", "two")]).contains("MAGENTO_VERSION"));
        assert!(!error(&[("MAGENTO_VERSION", "2.4.6-p")]).contains('\n'));
        assert!(error(&[("MAGENTO_ALLOW_WRITES", "maybe")]).contains("MAGENTO_ALLOW_WRITES"));
    }

    /// Unset variables keep the caller's files; each variable replaces only its own part.
    #[test]
    fn the_directory_variables_replace_the_default_files_one_by_one() {
        let defaults = config(&[]).unwrap().files;
        let c = config(&[
            ("MAGENTO_FEATURES_DIR", "/team/features"),
            ("MAGENTO_DRIFT_BASELINE", "/team/accepted.toml"),
        ])
        .unwrap();
        assert_eq!(c.files.features.label(), "/team/features");
        assert_eq!(c.files.drift_baseline.label(), "/team/accepted.toml");
        assert_eq!(c.files.schemas.label(), defaults.schemas.label());
        assert_eq!(c.files.snapshots.label(), defaults.snapshots.label());
        assert_eq!(c.report_dir, PathBuf::from("target/magento-contract"));
    }
}
