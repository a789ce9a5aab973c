//! Wrong passwords before the lockout (CONTRACT.md §5.3): each one gets the same generic 401,
//! which tells an attacker nothing about the account.

use serde_json::json;

use super::envelope::expect_error_body;
use super::failure::CheckFailure;
use super::render::body_snippet;
use super::translation::Translations;
use crate::client::Exchange;

/// What Magento answers every failed sign-in, and a locked account too.
pub const SIGN_IN_FAILED: &str =
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

/// Wrong-password `attempt` of `attempts` got the generic 401, in the store view's language
/// (STORES.md C2). The envelope check, so that developer mode's `trace` is no deviation
/// (STORES.md U9).
pub fn expect_sign_in_refused(
    exchange: &Exchange,
    attempt: u32,
    attempts: u32,
    translations: &Translations,
) -> Result<(), CheckFailure> {
    let expected = translations.error_body(&json!({ "message": SIGN_IN_FAILED }));
    let generic = exchange.status == 401
        && exchange
            .json()
            .is_some_and(|b| expect_error_body(&b, &expected).is_ok());
    if generic {
        Ok(())
    } else {
        Err(CheckFailure::Body(format!(
            "wrong password attempt {attempt} of {attempts}: expected 401 {expected}, received {} {}",
            exchange.status,
            body_snippet(&exchange.body)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json; charset=utf-8";

    #[test]
    fn the_generic_refusal_passes_in_developer_mode_too() {
        let refused = format!(r#"{{"message": "{SIGN_IN_FAILED}"}}"#);
        assert!(expect_sign_in_refused(&Exchange::answer(401, JSON, &refused), 1, 5, &Translations::default()).is_ok());
        let developer = format!(r#"{{"message": "{SIGN_IN_FAILED}", "trace": null}}"#);
        assert!(
            expect_sign_in_refused(&Exchange::answer(401, JSON, &developer), 1, 5, &Translations::default()).is_ok()
        );
    }

    #[test]
    fn a_token_or_another_message_fails_naming_the_attempt() {
        let failure = expect_sign_in_refused(&Exchange::answer(200, JSON, "\"abc\""), 3, 5, &Translations::default())
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with("wrong password attempt 3 of 5: expected 401 {\"message\":\"The account sign-in"),
            "{failure}"
        );
        assert!(failure.ends_with("received 200 \"abc\""), "{failure}");
        let other = Exchange::answer(401, JSON, r#"{"message": "Invalid login or password."}"#);
        assert!(expect_sign_in_refused(&other, 1, 5, &Translations::default()).is_err());
    }

    /// STORES.md C2: a Dutch store refuses in Dutch; English is then a deviation.
    #[test]
    fn a_translated_store_refuses_in_its_language() {
        let dutch = Translations::from_csv(&format!("\"{SIGN_IN_FAILED}\",\"Onjuiste aanmelding.\"\n")).unwrap();
        let refused = Exchange::answer(401, JSON, r#"{"message": "Onjuiste aanmelding."}"#);
        assert!(expect_sign_in_refused(&refused, 1, 5, &dutch).is_ok());
        assert!(expect_sign_in_refused(&refused, 1, 5, &Translations::default()).is_err());
        let english = format!(r#"{{"message": "{SIGN_IN_FAILED}"}}"#);
        assert!(expect_sign_in_refused(&Exchange::answer(401, JSON, &english), 1, 5, &dutch).is_err());
    }
}
