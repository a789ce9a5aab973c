//! Signing in as admin: a configured token, the integration token route, or Google
//! Authenticator two-factor auth (the 2.4.x default, CONTRACT.md §3.3).

use serde_json::json;
use totp_rs::{Algorithm, TOTP};

use crate::client::{ApiRequest, MagentoClient, TransportError};
use crate::config::AdminAuth;
use crate::secrets::{Redactor, Secret};

/// Why the run could not get a working admin token. Each is a configuration problem (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AdminAuthError {
    #[error(
        "the store refused the admin credentials ({status} {message:?}): check MAGENTO_ADMIN_USERNAME and MAGENTO_ADMIN_PASSWORD"
    )]
    Refused { status: u16, message: String },
    #[error(
        "the store has two-factor auth on ({message:?}): set MAGENTO_ADMIN_TOTP_SECRET to the admin's Google Authenticator secret, or use MAGENTO_ADMIN_TOKEN (CONTRACT.md §3.3)"
    )]
    TwoFactorRequired { message: String },
    #[error(
        "the store signs admins in with Adobe IMS ({route} answered 401 \"Admin token generation is disabled. Please use Adobe IMS ACCESS_TOKEN.\"): set MAGENTO_ADMIN_TOKEN to an integration token ('Allow OAuth Access Tokens to be used as standalone Bearer tokens' on) instead of MAGENTO_ADMIN_USERNAME/PASSWORD"
    )]
    AdobeIms { route: &'static str },
    #[error(
        "the store refused the TOTP code ({status} {message:?}): check MAGENTO_ADMIN_TOTP_SECRET and that this machine's clock is right"
    )]
    CodeRefused { status: u16, message: String },
    #[error(
        "MAGENTO_ADMIN_TOKEN is not accepted by the store (GET /V1/customers/-1 answered {status}, not 404): use a current admin token, or an integration token with 'Allow OAuth Access Tokens to be used as standalone Bearer tokens' on{role_hint}"
    )]
    TokenRejected { status: u16, role_hint: &'static str },
    #[error(
        "the admin signed in, but its role may not read customers (GET /V1/customers/-1 answered 401 for Magento_Customer::customer): give the admin's role Customers > All Customers (Magento_Customer::customer, ::manage, ::delete), or use another admin"
    )]
    RoleLacksCustomers,
    #[error("{route} answered {status} with {body}, not a token: is MAGENTO_BASE_URL a Magento 2 store?")]
    Unexpected {
        route: &'static str,
        status: u16,
        body: String,
    },
    #[error("cannot compute the TOTP code: {0}")]
    Totp(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// The Google Authenticator code (RFC 6238: SHA-1, 6 digits, 30 s) for `unix_time`.
pub fn totp_code(secret: &Secret, unix_time: u64) -> Result<String, AdminAuthError> {
    let bytes = totp_rs::Secret::Encoded(secret.expose().to_owned())
        .to_bytes()
        .map_err(|_| AdminAuthError::Totp("MAGENTO_ADMIN_TOTP_SECRET is not valid base32".into()))?;
    Ok(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes).generate(unix_time))
}

fn message_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(120).collect())
}

/// Gets the admin token for set-up and clean-up, and proves it passes an admin-only ACL.
pub async fn obtain_admin_token(
    client: &MagentoClient,
    auth: &AdminAuth,
    redactor: &Redactor,
) -> Result<Option<Secret>, AdminAuthError> {
    let token = match auth {
        AdminAuth::None => return Ok(None),
        AdminAuth::Token(token) => token.clone(),
        AdminAuth::Password {
            username,
            password,
            totp_secret: None,
        } => {
            let route = "POST /V1/integration/admin/token";
            let exchange = client
                .send(ApiRequest::admin_token(username, password.expose()))
                .await?;
            match exchange.status {
                200 => token_from(route, &exchange.body)?,
                401 if is_adobe_ims_refusal(&exchange.body) => return Err(AdminAuthError::AdobeIms { route }),
                401 => {
                    return Err(AdminAuthError::Refused {
                        status: 401,
                        message: message_of(&exchange.body),
                    });
                }
                400 if message_of(&exchange.body).to_ascii_lowercase().contains("2fa") => {
                    return Err(AdminAuthError::TwoFactorRequired {
                        message: message_of(&exchange.body),
                    });
                }
                status => {
                    return Err(AdminAuthError::Unexpected {
                        route,
                        status,
                        body: redactor.redact(&message_of(&exchange.body)),
                    });
                }
            }
        }
        AdminAuth::Password {
            username,
            password,
            totp_secret: Some(totp_secret),
        } => {
            let route = "POST /V1/tfa/provider/google/authenticate";
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| AdminAuthError::Totp(e.to_string()))?
                .as_secs();
            // The one-time code is hidden by its key (`otp`) wherever the request is written; a
            // by-value rule for six digits would rewrite numbers in the reports that contain them.
            let otp = Secret::new(totp_code(totp_secret, now)?);
            let exchange = client
                .send(ApiRequest::post(
                    "/V1/tfa/provider/google/authenticate",
                    json!({"username": username, "password": password.expose(), "otp": otp.expose()}),
                ))
                .await?;
            let message = message_of(&exchange.body);
            match exchange.status {
                200 => token_from(route, &exchange.body)?,
                401 if is_adobe_ims_refusal(&exchange.body) => return Err(AdminAuthError::AdobeIms { route }),
                401 if message.starts_with("The account sign-in was incorrect") => {
                    return Err(AdminAuthError::Refused { status: 401, message });
                }
                400 | 401 => {
                    return Err(AdminAuthError::CodeRefused {
                        status: exchange.status,
                        message,
                    });
                }
                status => {
                    return Err(AdminAuthError::Unexpected {
                        route,
                        status,
                        body: redactor.redact(&message),
                    });
                }
            }
        }
    };
    redactor.register(&token);
    let signed_in = matches!(auth, AdminAuth::Password { .. });
    verify_admin_token(client, &token, signed_in).await?;
    Ok(Some(token))
}

/// A warning when a configured admin JWT expires before a run of `likely_seconds` would end:
/// the harness cannot sign in again without a username and password (STORES.md R7). An
/// integration or opaque token carries no expiry, and gets none.
pub fn expiry_warning(token: &Secret, now: i64, likely_seconds: i64) -> Option<String> {
    let crate::checks::TokenKind::Jwt { claims, .. } = crate::checks::token::classify(token.expose()).ok()? else {
        return None;
    };
    let left = claims.exp - now;
    if left >= likely_seconds {
        return None;
    }
    let when = if left <= 0 {
        "has expired".to_owned()
    } else {
        format!("expires in {} min", (left + 59) / 60)
    };
    Some(format!(
        "MAGENTO_ADMIN_TOKEN {when} (its exp), and a run usually takes up to {} min: admin steps and clean-up will then be refused; use a fresh token, or MAGENTO_ADMIN_USERNAME/PASSWORD so the run signs in again when the token lapses",
        likely_seconds / 60
    ))
}

/// Magento_AdminAdobeIms's refusal: no username and password yield an admin token there
/// (STORES.md R2).
fn is_adobe_ims_refusal(body: &str) -> bool {
    message_of(body) == crate::checks::two_factor::ADOBE_IMS_REFUSAL
}

fn token_from(route: &'static str, body: &str) -> Result<Secret, AdminAuthError> {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::String(token)) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(AdminAuthError::Unexpected {
            route,
            status: 200,
            body: "a body that is not a JSON string".into(),
        }),
    }
}

/// An admin token reaches an admin-only route: an unknown id is then 404, not 401 (§6.2).
async fn verify_admin_token(client: &MagentoClient, token: &Secret, signed_in: bool) -> Result<(), AdminAuthError> {
    let exchange = client
        .send(ApiRequest::get("/V1/customers/-1").bearer(Some(token)))
        .await?;
    admin_token_verdict(exchange.status, exchange.json().as_ref(), signed_in)
}

/// What the check of a fresh admin token means. A token the store just issued is valid, so a
/// 401 for `Magento_Customer::customer` is its role's doing; a configured token refused the same
/// way may be invalid (Magento then treats the caller as a guest, with the same answer) or
/// under-privileged, and the message says both.
fn admin_token_verdict(status: u16, body: Option<&serde_json::Value>, signed_in: bool) -> Result<(), AdminAuthError> {
    let refused_customer_resource = status == 401
        && body
            .and_then(|b| b.pointer("/parameters/resources"))
            .and_then(serde_json::Value::as_str)
            == Some("Magento_Customer::customer");
    match status {
        404 => Ok(()),
        _ if refused_customer_resource && signed_in => Err(AdminAuthError::RoleLacksCustomers),
        _ if refused_customer_resource => Err(AdminAuthError::TokenRejected {
            status,
            role_hint: "; or, if the token is current, its role or integration lacks Customers > All Customers (Magento_Customer::customer)",
        }),
        _ => Err(AdminAuthError::TokenRejected { status, role_hint: "" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// STORES.md R7: a configured admin JWT that lapses before the run ends is warned about.
    #[test]
    fn a_configured_admin_token_close_to_expiry_is_warned_about() {
        use base64::Engine as _;
        let encode = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let jwt = |exp: i64| {
            Secret::new(format!(
                "{}.{}.c2ln",
                encode(r#"{"kid":"1","alg":"HS256"}"#),
                encode(&format!(r#"{{"uid":1,"utypid":2,"iat":0,"exp":{exp}}}"#))
            ))
        };
        let soon = expiry_warning(&jwt(1_000 + 300), 1_000, 900).unwrap();
        assert!(soon.starts_with("MAGENTO_ADMIN_TOKEN expires in 5 min"), "{soon}");
        assert!(!soon.contains("eyJ"), "{soon}");
        let gone = expiry_warning(&jwt(999), 1_000, 900).unwrap();
        assert!(gone.starts_with("MAGENTO_ADMIN_TOKEN has expired"), "{gone}");
        assert_eq!(expiry_warning(&jwt(1_000 + 3_600), 1_000, 900), None);
        assert_eq!(
            expiry_warning(&Secret::new("q0u66k8h42yaevtchv09uyy3y9gaj2ap"), 1_000, 900),
            None
        );
    }

    /// STORES.md R2: Adobe IMS's refusal is named, in one line with the fix.
    #[test]
    fn adobe_ims_is_named_with_the_fix() {
        let body = r#"{"message":"Admin token generation is disabled. Please use Adobe IMS ACCESS_TOKEN."}"#;
        assert!(is_adobe_ims_refusal(body));
        assert!(!is_adobe_ims_refusal(
            r#"{"message":"The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."}"#
        ));
        let line = AdminAuthError::AdobeIms {
            route: "POST /V1/integration/admin/token",
        }
        .to_string();
        assert!(
            line.contains("Adobe IMS") && line.contains("MAGENTO_ADMIN_TOKEN") && !line.contains('\n'),
            "{line}"
        );
    }

    /// STORES.md Note 4: a restricted role is named as such, not as a rejected token.
    #[test]
    fn a_role_without_the_customer_resource_is_named() {
        let refused = json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "Magento_Customer::customer"}});
        assert!(admin_token_verdict(404, None, true).is_ok());
        let signed_in = admin_token_verdict(401, Some(&refused), true).unwrap_err().to_string();
        assert!(
            signed_in.starts_with("the admin signed in, but its role may not read customers"),
            "{signed_in}"
        );
        let configured = admin_token_verdict(401, Some(&refused), false).unwrap_err().to_string();
        assert!(
            configured.starts_with("MAGENTO_ADMIN_TOKEN is not accepted"),
            "{configured}"
        );
        assert!(configured.contains("its role or integration lacks"), "{configured}");
        let other = admin_token_verdict(500, None, false).unwrap_err().to_string();
        assert!(!other.contains("role"), "{other}");
        assert_eq!(configured.lines().count(), 1);
    }

    #[test]
    fn totp_matches_rfc6238_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII key "12345678901234567890", 8-digit codes; Google
        // Authenticator keeps the last 6 digits.
        let secret = Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(totp_code(&secret, 59).unwrap(), "287082");
        assert_eq!(totp_code(&secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(totp_code(&secret, 2_000_000_000).unwrap(), "279037");
    }
}
