//! Token services: customer and admin tokens, Google Authenticator 2FA, revocation
//! (CONTRACT.md §3, §5).

use super::app::App;
use super::auth::ADMIN_USER_ID;
use super::binding::Bound;
use super::error::{InputErrors, MagentoError, named};
use super::faults::Fault;
use super::json::encode;
use super::service::ServiceCall;
use super::state::{LoginKind, Store, TokenSubject};
use serde_json::Value;
use totp_rs::{Algorithm, Secret, TOTP};

/// `CredentialsValidator::validate`: empty strings are "required" errors, aggregated (§5.2).
fn validate_credentials(username: &str, password: &str) -> Result<(), MagentoError> {
    let mut errors = InputErrors::default();
    if username.is_empty() {
        errors.add_required("username");
    }
    if password.is_empty() {
        errors.add_required("password");
    }
    errors.into_result()
}

/// Throttle, authenticate, then log the failure or reset the count (`RequestThrottler`, §5.3).
fn throttled_login(
    app: &App,
    store: &mut Store,
    kind: LoginKind,
    username: &str,
    now: i64,
    authenticate: impl FnOnce(&Store) -> Result<TokenSubject, MagentoError>,
) -> Result<TokenSubject, MagentoError> {
    let max_failures = if app.settings.has_fault(Fault::LockoutAfter3) {
        3
    } else {
        app.settings.max_login_failures
    };
    if store.active_login_failures(kind, username, now) >= max_failures && !app.settings.has_fault(Fault::NoLockout) {
        return Err(MagentoError::sign_in_failed());
    }
    match authenticate(store) {
        Ok(subject) => {
            store.reset_login_failures(kind, username);
            Ok(subject)
        }
        Err(error) => {
            let timeout = i64::try_from(app.settings.lockout_seconds).unwrap_or(i64::MAX);
            store.log_login_failure(kind, username, now, timeout);
            Err(error)
        }
    }
}

/// `POST /V1/integration/customer/token`. Unknown email, wrong or absent password all give the
/// generic 401; an unconfirmed account is the one unmasked failure (§5.2). The lookup uses the
/// default store view's website, also for `/rest/all/`.
///
/// derived: the separate customer-entity lockout (`customer/password/lockout_failures`, 10) is
/// not modelled; the throttle at 6 failures always trips first for one spelling of a username.
/// REST and GraphQL (`generateCustomerToken`) share it: the same throttle, the same tokens.
pub(crate) fn customer_token(app: &App, username: &str, password: &str, now: i64) -> Result<String, MagentoError> {
    validate_credentials(username, password)?;
    let mut store = app.store();
    let subject = throttled_login(app, &mut store, LoginKind::Customer, username, now, |store| {
        let customer = store
            .customer_by_email(username, app.settings.website_id)
            .ok_or_else(MagentoError::sign_in_failed)?;
        if !customer
            .password_hash
            .as_ref()
            .is_some_and(|hash| hash.matches(password))
            && !app.settings.has_fault(Fault::WrongPasswordGetsToken)
        {
            return Err(MagentoError::sign_in_failed());
        }
        // derived: `EmailNotConfirmedException` is logged as a throttle failure before it is
        // rethrown.
        if customer.confirmation.is_some() && app.settings.require_confirmation {
            // Before 2.4.8 the exception was masked as any other failure (STORES.md C3c).
            return Err(if app.settings.release.tells_an_unconfirmed_customer() {
                MagentoError::unauthorized("This account isn't confirmed. Verify and try again.")
            } else {
                MagentoError::sign_in_failed()
            });
        }
        Ok(TokenSubject::Customer(customer.id))
    })?;
    Ok(app.tokens.issue(&mut store, subject, now))
}

/// `Integration\Model\AdminTokenService::createAdminAccessToken` (§3.2).
///
/// derived: the username is matched case-insensitively, as MySQL's collation compares
/// `admin_user.username`.
fn integration_admin_token(app: &App, username: &str, password: &str, now: i64) -> Result<String, MagentoError> {
    validate_credentials(username, password)?;
    let admin = &app.settings.admin;
    let mut store = app.store();
    // derived: the admin throttle uses the same oauth lock settings as customers; the admin
    // user lockout (`admin/security/lockout_failures` 6, 30 min) coincides with the defaults.
    let subject = throttled_login(app, &mut store, LoginKind::Admin, username, now, |_| {
        if username.eq_ignore_ascii_case(&admin.username) && password == admin.password {
            Ok(TokenSubject::Admin(ADMIN_USER_ID))
        } else {
            Err(MagentoError::sign_in_failed())
        }
    })?;
    Ok(app.tokens.issue(&mut store, subject, now))
}

/// `POST /V1/integration/admin/token` without Magento_TwoFactorAuth.
pub(crate) fn admin_token(app: &App, username: &str, password: &str, now: i64) -> Result<Vec<u8>, MagentoError> {
    refuse_under_adobe_ims(app)?;
    integration_admin_token(app, username, password, now).map(|token| encode(&token))
}

/// Magento_AdminAdobeIms's plugin on `AdminTokenService::createAdminAccessToken`: with IMS on,
/// no credentials yield an admin token (`AuthenticationException`, 401).
fn refuse_under_adobe_ims(app: &App) -> Result<(), MagentoError> {
    if app.settings.adobe_ims {
        return Err(MagentoError::unauthorized(
            "Admin token generation is disabled. Please use Adobe IMS ACCESS_TOKEN.",
        ));
    }
    Ok(())
}

/// `POST /V1/integration/admin/token` with Magento_TwoFactorAuth: the valid-credentials case
/// never yields a token, 400 either way (§3.3).
pub(crate) fn two_factor_admin_token(
    app: &App,
    username: &str,
    password: &str,
    now: i64,
) -> Result<Vec<u8>, MagentoError> {
    refuse_under_adobe_ims(app)?;
    integration_admin_token(app, username, password, now)?;
    Err(match app.settings.admin.totp_secret {
        Some(_) => MagentoError::bad_request("Please use the 2fa provider-specific endpoints to obtain a token.")
            .with_parameters(named(
                "active_providers",
                Value::from(app.settings.two_factor_providers.clone()),
            )),
        None => MagentoError::bad_request("Please ask an administrator with sufficient access to configure 2FA first"),
    })
}

/// `POST /V1/tfa/provider/google/authenticate` (`Google\Authenticate::createAdminAccessToken`):
/// credentials first (401 generic), then the provider checks (`LocalizedException`, 400), then
/// the code (`AuthorizationException`, 401).
pub(crate) fn google_authenticate(
    app: &App,
    username: &str,
    password: &str,
    otp: &str,
    now: i64,
) -> Result<Vec<u8>, MagentoError> {
    let token = integration_admin_token(app, username, password, now)?;
    // derived: an admin without a TOTP secret models "no provider forced" (the state in which
    // the admin-token route says "Please ask an administrator..."); Google is then not among
    // the user's providers, which `assertProviderIsValidForUser` reports as not allowed.
    let Some(secret) = app.settings.admin.totp_secret.as_deref() else {
        return Err(MagentoError::bad_request("Provider is not allowed."));
    };
    if verify_otp(secret, otp, now) {
        Ok(encode(&token))
    } else {
        Err(MagentoError::unauthorized("Invalid code."))
    }
}

/// Google Authenticator codes: TOTP, SHA-1, 6 digits, 30-second steps, one step of leeway.
fn verify_otp(secret_base32: &str, otp: &str, now: i64) -> bool {
    let normalized: String = secret_base32
        .chars()
        .filter(|ch| !matches!(ch, '=' | ' ' | '-'))
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    let (Ok(secret), Ok(now)) = (Secret::Encoded(normalized).to_bytes(), u64::try_from(now)) else {
        return false;
    };
    !otp.is_empty() && TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret).check(otp, now)
}

/// `POST /V1/integration/customer/revoke-customer-token`: every token of the customer issued up
/// to this second stops working (§5.4).
pub(crate) fn revoke_customer_token(app: &App, customer_id: i64, now: i64) -> Vec<u8> {
    if !app.settings.has_fault(Fault::RevokeIgnored) {
        app.store().revoke_tokens(TokenSubject::Customer(customer_id), now);
    }
    encode(&true)
}

/// The handler of the customer-token route.
pub(crate) fn serve_customer_token(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Str(username), Bound::Str(password)] = call.values else {
        return Err(MagentoError::internal());
    };
    customer_token(call.app, username, password, call.now.timestamp()).map(|token| encode(&token))
}

/// The handler of Magento_Integration's admin-token route.
pub(crate) fn serve_admin_token(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Str(username), Bound::Str(password)] = call.values else {
        return Err(MagentoError::internal());
    };
    admin_token(call.app, username, password, call.now.timestamp())
}

/// The handler of Magento_TwoFactorAuth's admin-token route.
pub(crate) fn serve_two_factor_admin_token(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Str(username), Bound::Str(password)] = call.values else {
        return Err(MagentoError::internal());
    };
    two_factor_admin_token(call.app, username, password, call.now.timestamp())
}

/// The handler of the Google Authenticator route.
pub(crate) fn serve_google_authenticate(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Str(username), Bound::Str(password), Bound::Str(otp)] = call.values else {
        return Err(MagentoError::internal());
    };
    google_authenticate(call.app, username, password, otp, call.now.timestamp())
}

/// The handler of the revoke route; `customerId` is the caller's own (`ParamOverriderCustomerId`).
pub(crate) fn serve_revoke_customer_token(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Int(customer_id)] = call.values else {
        return Err(MagentoError::internal());
    };
    revoke_customer_token(call.app, *customer_id, call.now.timestamp());
    Ok(encode(&true))
}

#[cfg(test)]
pub(crate) fn current_otp(secret_base32: &str, now: i64) -> String {
    let secret = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .expect("test secrets are valid base32");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret).generate(now as u64)
}
