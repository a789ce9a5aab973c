//! The embedded reference Magento as the run's store: its settings from the configuration, its
//! admin as the run's credentials, and the environment that points a child run at it. Each is
//! defined here once; the binary, the self-tests and the benchmark use them.

use magento_harness::Config;
use magento_harness::config::{AdminAuth, Target};
use magento_harness::secrets::Secret;
use magento_reference::{ReferenceMagento, Release, RunningReference, StoreSettings, Translations};

const CUSTOMER_TOKEN_LIFETIME: &str = "MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES";

/// The embedded server's settings for this configuration: Magento's defaults, with the store
/// policy and the release (`MAGENTO_VERSION`, when the reference can answer as it) the user
/// configured, so the same scenarios hold on both sides.
pub fn settings_for(config: &Config) -> StoreSettings {
    StoreSettings {
        release: config
            .magento_version
            .and_then(|version| version.to_string().parse().ok())
            .unwrap_or(Release::LATEST),
        store_code: config.store_code.clone(),
        store_name: config.policy.store_name.clone(),
        password_min_length: config.policy.password_min_length,
        password_required_classes: config.policy.password_required_classes,
        max_login_failures: config.policy.max_login_failures,
        customer_token_lifetime_minutes: config.policy.customer_token_lifetime_minutes,
        require_confirmation: config.policy.require_confirmation,
        store_id: config.policy.store_id,
        website_id: config.policy.website_id,
        translations: Translations::from_pairs(config.translations.phrases()),
        default_group_id: config.policy.default_group_id,
        ..StoreSettings::default()
    }
}

/// How the harness signs in as the server's admin: password, plus the TOTP secret when
/// two-factor auth is on.
pub fn admin_auth(server: &RunningReference) -> AdminAuth {
    let settings = server.settings();
    let admin = &settings.admin;
    AdminAuth::Password {
        username: admin.username.clone(),
        password: Secret::new(admin.password.clone()),
        totp_secret: admin
            .totp_secret
            .clone()
            .filter(|_| settings.two_factor_auth)
            .map(Secret::new),
    }
}

/// The `MAGENTO_*` variables that point a run of the binary at `server`, signed in as its admin.
pub fn env_for(server: &RunningReference) -> Vec<(String, String)> {
    let settings = server.settings();
    let admin = &settings.admin;
    let mut env = vec![
        ("MAGENTO_BASE_URL".to_owned(), server.base_url()),
        ("MAGENTO_ADMIN_USERNAME".to_owned(), admin.username.clone()),
        ("MAGENTO_ADMIN_PASSWORD".to_owned(), admin.password.clone()),
        ("MAGENTO_VERSION".to_owned(), settings.release.to_string()),
        // The lifetime the store is configured with, so a server that ignores it fails
        // instead of being taken at its first token's word (STORES.md U2).
        (
            CUSTOMER_TOKEN_LIFETIME.to_owned(),
            settings.customer_token_lifetime_minutes.to_string(),
        ),
    ];
    if let Some(secret) = admin.totp_secret.as_ref().filter(|_| settings.two_factor_auth) {
        env.push(("MAGENTO_ADMIN_TOTP_SECRET".to_owned(), secret.clone()));
    }
    env
}

/// Starts the server on a loopback port and returns the configuration that targets it, with
/// the release it answers as: the embedded run always knows it.
pub async fn start(config: &Config, settings: StoreSettings) -> Result<(Config, RunningReference), String> {
    let release = settings.release.to_string();
    if let Some(version) = config.magento_version.filter(|version| version.to_string() != release) {
        return Err(format!(
            "MAGENTO_VERSION={version}: the embedded reference Magento answers as {release}; set one release from 2.4.4 to 2.4.8 with its patch level (e.g. 2.4.6-p8), or unset it for 2.4.8"
        ));
    }
    let server = ReferenceMagento::start(settings)
        .await
        .map_err(|e| format!("cannot start the embedded reference Magento on 127.0.0.1: {e}"))?;
    let mut config = config.clone();
    config.target =
        Target::Remote(url::Url::parse(&server.base_url()).map_err(|e| format!("embedded server URL: {e}"))?);
    config.store_code = server.settings().store_code.clone();
    config.admin = admin_auth(&server);
    config.magento_version = Some(release.parse().map_err(|e| format!("embedded release: {e}"))?);
    // The server's configured lifetime is asserted, as `env_for` does for a child run.
    config.policy.customer_token_lifetime_minutes = server.settings().customer_token_lifetime_minutes;
    if !config.is_set(CUSTOMER_TOKEN_LIFETIME) {
        config.set_variables.push(CUSTOMER_TOKEN_LIFETIME);
    }
    Ok((config, server))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness's defaults (`StorePolicy`) and the server's (`StoreSettings`) are both stock
    /// Magento's: each crate keeps its own, and this keeps them equal.
    #[test]
    fn the_harness_and_the_server_assume_the_same_stock_store() {
        let config = Config::from_lookup(crate::builtin::suite_files(), |_| None).expect("the defaults are valid");
        let ours = settings_for(&config);
        let stock = StoreSettings::default();
        assert_eq!(
            (
                &ours.store_code,
                &ours.store_name,
                ours.store_id,
                ours.website_id,
                ours.password_min_length,
                ours.password_required_classes,
                ours.max_login_failures,
                ours.customer_token_lifetime_minutes,
                ours.require_confirmation,
                ours.default_group_id,
            ),
            (
                &stock.store_code,
                &stock.store_name,
                stock.store_id,
                stock.website_id,
                stock.password_min_length,
                stock.password_required_classes,
                stock.max_login_failures,
                stock.customer_token_lifetime_minutes,
                stock.require_confirmation,
                stock.default_group_id,
            )
        );
    }

    #[tokio::test]
    async fn the_run_signs_in_as_the_servers_admin() {
        let config = Config::from_lookup(crate::builtin::suite_files(), |_| None).expect("the defaults are valid");
        let (config, server) = start(&config, StoreSettings::default()).await.expect("starts");
        let AdminAuth::Password {
            username, totp_secret, ..
        } = &config.admin
        else {
            panic!("password auth expected");
        };
        assert_eq!(username, &server.settings().admin.username);
        assert!(totp_secret.is_some(), "two-factor auth is on by default");
        let env = env_for(&server);
        assert!(
            env.iter()
                .any(|(k, v)| k == "MAGENTO_BASE_URL" && *v == server.base_url())
        );
        assert!(env.iter().any(|(k, _)| k == "MAGENTO_ADMIN_TOTP_SECRET"));
        // The configured lifetime is asserted, never taken from the first token (U2).
        assert!(env.iter().any(|(k, v)| k == CUSTOMER_TOKEN_LIFETIME && v == "60"));
        assert!(config.is_set(CUSTOMER_TOKEN_LIFETIME));
        server.shutdown().await;
    }
}
