//! Admin two-factor auth answers (CONTRACT.md §3.3, STORES.md R2): the integration route's
//! refusal lists every provider forced on the admin, and Adobe IMS refuses every sign-in.

use serde_json::Value;

/// The provider the harness signs in with; a store may force others beside it.
pub const GOOGLE: &str = "google";

/// Magento_AdminAdobeIms's refusal of the admin-token routes (Adobe Commerce with IMS on).
pub const ADOBE_IMS_REFUSAL: &str = "Admin token generation is disabled. Please use Adobe IMS ACCESS_TOKEN.";

/// The providers a 2FA refusal lists, when they are distinct provider codes with `google`
/// among them: `AdminAccessTokenService` collects every active provider of the user.
pub fn providers_with_google(refusal: &Value) -> Option<Vec<String>> {
    let providers = refusal
        .pointer("/parameters/active_providers")?
        .as_array()?
        .iter()
        .map(|p| p.as_str().filter(|code| !code.is_empty()).map(str::to_owned))
        .collect::<Option<Vec<String>>>()?;
    let distinct = providers.iter().enumerate().all(|(i, p)| !providers[..i].contains(p));
    (distinct && providers.iter().any(|p| p == GOOGLE)).then_some(providers)
}

/// The documented refusal as this store answers it: the providers it lists replace the
/// documented `["google"]` when google is among them, so every other part is still compared.
pub fn documented_refusal(documented: &Value, observed: &Value) -> Value {
    let mut expected = documented.clone();
    if let (Some(providers), Some(slot)) = (
        providers_with_google(observed),
        expected.pointer_mut("/parameters/active_providers"),
    ) {
        *slot = Value::from(providers);
    }
    expected
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refusal(providers: Value) -> Value {
        json!({"message": "Please use the 2fa provider-specific endpoints to obtain a token.", "parameters": {"active_providers": providers}})
    }

    #[test]
    fn several_forced_providers_are_accepted_when_google_is_among_them() {
        let documented = refusal(json!(["google"]));
        let several = refusal(json!(["google", "authy", "duo_security"]));
        assert_eq!(
            providers_with_google(&several),
            Some(vec!["google".to_owned(), "authy".to_owned(), "duo_security".to_owned()])
        );
        assert_eq!(documented_refusal(&documented, &several), several);
        assert_eq!(documented_refusal(&documented, &documented), documented);
    }

    #[test]
    fn a_list_without_google_or_not_a_list_of_codes_keeps_the_documented_one() {
        let documented = refusal(json!(["google"]));
        for observed in [
            refusal(json!(["authy"])),
            refusal(json!([])),
            refusal(json!("google")),
            refusal(json!(["google", 1])),
            refusal(json!(["google", "google"])),
            refusal(json!(["google", ""])),
            json!({"message": "x"}),
        ] {
            assert_eq!(documented_refusal(&documented, &observed), documented, "{observed}");
        }
        // The message is never taken from the store.
        let other = json!({"message": "Other.", "parameters": {"active_providers": ["google", "authy"]}});
        assert_eq!(
            documented_refusal(&documented, &other)["message"],
            documented["message"]
        );
    }
}
