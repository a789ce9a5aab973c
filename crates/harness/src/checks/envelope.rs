//! Magento's error envelope (CONTRACT.md §2.1): `message` with raw `%placeholders`, then
//! `errors` (two or more aggregated errors), `code`, `parameters` (object for named
//! placeholders, array of scalars for `%1`), and `trace` only in developer mode (a string, or
//! null for a Webapi exception thrown directly: STORES.md U9).

use serde_json::{Map, Value};

use super::failure::CheckFailure;
use super::render::json_diff;
use super::translation::Translations;

/// Compares an observed error body with the documented one, key by key.
///
/// `trace` is ignored (developer mode adds it, a string or null: STORES.md U9), and in a body
/// that has it the developer-mode decoding message stands for `Decoding error.`. Scalars inside
/// `parameters` compare loosely (`-1` equals `"-1"`), because Magento's own tests do (§4.3 step 4).
pub fn expect_error_body(observed: &Value, expected: &Value) -> Result<(), CheckFailure> {
    let Some(observed_map) = observed.as_object() else {
        return Err(CheckFailure::Body(format!(
            "expected a Magento error object {{\"message\": …}}, received {}",
            compact(observed)
        )));
    };
    let mut observed_map = observed_map.clone();
    let developer_mode = observed_map.remove("trace").is_some();
    if developer_mode
        && expected.get("message").and_then(Value::as_str) == Some(DECODING_ERROR)
        && observed_map
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(is_developer_decoding_error)
    {
        observed_map.insert("message".to_owned(), Value::from(DECODING_ERROR));
    }
    let observed_clean = Value::Object(observed_map.clone());

    let expected_map = expected.as_object().cloned().unwrap_or_default();
    if let Some(difference) = first_difference(&observed_map, &expected_map) {
        return Err(CheckFailure::Body(format!(
            "error body differs from Magento's: {difference}\n{}",
            json_diff(expected, &observed_clean)
        )));
    }
    Ok(())
}

/// [`expect_error_body`] for a store view in another language (STORES.md C2): the documented
/// (English) body's top-level `message` is translated first; `errors[].message` and
/// `parameters` are compared as documented, since Magento sends them raw.
pub fn expect_localized_error_body(
    observed: &Value,
    expected: &Value,
    translations: &Translations,
) -> Result<(), CheckFailure> {
    expect_error_body(observed, &translations.error_body(expected))
}

/// Whether the observed body is the documented one in other words: every key, `parameters` and
/// `errors[]` match, only the top-level `message` differs. Seen without `MAGENTO_TRANSLATIONS`,
/// that is a store view answering in another language (STORES.md C2).
pub fn differs_only_in_wording(observed: &Value, expected: &Value) -> bool {
    let (Some(observed), Some(expected)) = (observed.as_object(), expected.as_object()) else {
        return false;
    };
    let (Some(Value::String(got)), Some(want @ Value::String(wanted))) =
        (observed.get("message"), expected.get("message"))
    else {
        return false;
    };
    let mut reworded = observed.clone();
    reworded.remove("trace");
    reworded.insert("message".to_owned(), want.clone());
    got != wanted && first_difference(&reworded, expected).is_none()
}

/// The observed body is one of several documented ones (wording that changed between versions,
/// §9.9); each is `(where it is documented, body)`, in English, translated as
/// [`expect_localized_error_body`] does. The failure says how it misses every one.
pub fn expect_one_of_error_bodies(
    observed: &Value,
    documented: &[(String, Value)],
    translations: &Translations,
) -> Result<(), CheckFailure> {
    let mut misses = Vec::new();
    for (source, expected) in documented {
        match expect_localized_error_body(observed, expected, translations) {
            Ok(()) => return Ok(()),
            Err(failure) => misses.push(format!("as documented for {source}: {failure}")),
        }
    }
    Err(CheckFailure::Body(misses.join("\n")))
}

/// What `Deserializer\Json` answers to a malformed body outside developer mode (§1.3).
const DECODING_ERROR: &str = "Decoding error.";

/// The developer-mode form of [`DECODING_ERROR`], `Decoding error: %1%2%1%3` with PHP_EOL, the
/// PHP error and its trace (`framework/Webapi/Rest/Request/Deserializer/Json.php`).
fn is_developer_decoding_error(message: &str) -> bool {
    message
        .strip_prefix("Decoding error: \n")
        .and_then(|rest| rest.split_once('\n'))
        .is_some_and(|(php_error, trace)| !php_error.trim().is_empty() && trace.starts_with("#0 "))
}

fn first_difference(observed: &Map<String, Value>, expected: &Map<String, Value>) -> Option<String> {
    for key in expected.keys() {
        if !observed.contains_key(key) {
            return Some(format!("missing key {key:?}"));
        }
    }
    for key in observed.keys() {
        if !expected.contains_key(key) {
            return Some(format!("unexpected key {key:?} = {}", compact(&observed[key])));
        }
    }
    for (key, want) in expected {
        let got = &observed[key];
        let same = match key.as_str() {
            "parameters" => loosely_equal(got, want),
            "errors" => errors_equal(got, want),
            _ => got == want,
        };
        if !same {
            return Some(format!("{key}: expected {}, received {}", compact(want), compact(got)));
        }
    }
    None
}

fn errors_equal(got: &Value, want: &Value) -> bool {
    match (got.as_array(), want.as_array()) {
        (Some(g), Some(w)) if g.len() == w.len() => {
            g.iter().zip(w).all(|(g, w)| match (g.as_object(), w.as_object()) {
                (Some(g), Some(w)) => first_difference(g, w).is_none(),
                _ => false,
            })
        }
        _ => false,
    }
}

/// Structural equality where a number and its decimal string are the same scalar.
fn loosely_equal(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            g.len() == w.len() && w.iter().all(|(k, wv)| g.get(k).is_some_and(|gv| loosely_equal(gv, wv)))
        }
        (Value::Array(g), Value::Array(w)) => g.len() == w.len() && g.iter().zip(w).all(|(g, w)| loosely_equal(g, w)),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => n.to_string() == *s,
        (g, w) => g == w,
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SIGN_IN: &str =
        "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

    #[test]
    fn identical_bodies_pass_and_trace_is_ignored() {
        let expected = json!({"message": SIGN_IN});
        assert!(expect_error_body(&json!({"message": SIGN_IN, "trace": "#0 …"}), &expected).is_ok());
    }

    /// A Webapi exception thrown directly carries `"trace": null` in developer mode (U9).
    #[test]
    fn a_null_trace_is_ignored_too() {
        let expected = json!({"message": "Request does not match any route."});
        let observed = json!({"message": "Request does not match any route.", "trace": null});
        assert!(expect_error_body(&observed, &expected).is_ok());
        let wrong = json!({"message": "Route not found.", "trace": null});
        assert!(expect_error_body(&wrong, &expected).is_err());
    }

    const DEVELOPER_DECODING_ERROR: &str = "Decoding error: \nUnable to unserialize value. Error: Syntax error\n#0 vendor/magento/framework/Webapi/Rest/Request/Deserializer/Json.php(70): Magento\\Framework\\Serialize\\Serializer\\Json->unserialize()\n#1 {main}";

    #[test]
    fn the_developer_mode_decoding_error_needs_the_trace_key() {
        let expected = json!({"message": "Decoding error."});
        let developer = json!({"message": DEVELOPER_DECODING_ERROR, "trace": null});
        assert!(expect_error_body(&developer, &expected).is_ok());
        // Without `trace` the store is not in developer mode: the long text is a deviation.
        let err = expect_error_body(&json!({"message": DEVELOPER_DECODING_ERROR}), &expected).unwrap_err();
        assert!(err.to_string().contains("Unable to unserialize value"), "{err}");
        // Only the decoding error has a developer form.
        let other = json!({"message": "Request does not match any route."});
        assert!(expect_error_body(&developer, &other).is_err());
        for malformed in [
            "Decoding error: Syntax error",
            "Decoding error: \n\n#0 {main}",
            "Decoding error: \nSyntax error\nno trace",
        ] {
            let observed = json!({"message": malformed, "trace": null});
            assert!(expect_error_body(&observed, &expected).is_err(), "{malformed:?}");
        }
    }

    #[test]
    fn rendered_placeholders_fail_with_both_messages() {
        let expected = json!({"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "customerId", "fieldValue": -1}});
        let observed = json!({"message": "No such entity with customerId = -1", "parameters": {"fieldName": "customerId", "fieldValue": -1}});
        let err = expect_error_body(&observed, &expected).unwrap_err().to_string();
        assert!(
            err.contains("message: expected \"No such entity with %fieldName = %fieldValue\""),
            "{err}"
        );
        assert!(
            err.contains("+  \"message\": \"No such entity with customerId = -1\""),
            "{err}"
        );
    }

    #[test]
    fn parameter_scalars_compare_loosely_but_shapes_do_not() {
        let expected = json!({"message": "m", "parameters": {"fieldValue": -1}});
        assert!(expect_error_body(&json!({"message": "m", "parameters": {"fieldValue": "-1"}}), &expected).is_ok());
        let as_list = json!({"message": "m", "parameters": [{"fieldValue": -1}]});
        assert!(expect_error_body(&as_list, &expected).is_err());
    }

    #[test]
    fn extra_or_missing_keys_fail() {
        let expected = json!({"message": "m"});
        let err = expect_error_body(&json!({"message": "m", "parameters": []}), &expected).unwrap_err();
        assert!(err.to_string().contains("unexpected key \"parameters\""), "{err}");
        let err = expect_error_body(&json!({"error": "m"}), &expected).unwrap_err();
        assert!(err.to_string().contains("missing key \"message\""), "{err}");
    }

    #[test]
    fn aggregated_errors_compare_item_by_item() {
        let item = |f: &str| json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": f}});
        let expected = json!({"message": "One or more input exceptions have occurred.", "errors": [item("username"), item("password")]});
        assert!(expect_error_body(&expected.clone(), &expected).is_ok());
        let swapped = json!({"message": "One or more input exceptions have occurred.", "errors": [item("password"), item("username")]});
        assert!(expect_error_body(&swapped, &expected).is_err());
    }

    #[test]
    fn one_of_several_documented_bodies_is_enough() {
        let documented = vec![
            ("2.4.0-2.4.6".to_owned(), json!({"message": "old wording"})),
            ("2.4.7-".to_owned(), json!({"message": "new wording"})),
        ];
        assert!(
            expect_one_of_error_bodies(
                &json!({"message": "new wording"}),
                &documented,
                &Translations::default()
            )
            .is_ok()
        );
        let failure = expect_one_of_error_bodies(&json!({"message": "other"}), &documented, &Translations::default())
            .unwrap_err()
            .to_string();
        let lines: Vec<&str> = failure.lines().filter(|l| l.starts_with("as documented")).collect();
        assert_eq!(lines.len(), 2, "{failure}");
        assert!(
            lines[0].starts_with("as documented for 2.4.0-2.4.6: error body differs"),
            "{failure}"
        );
        assert!(
            lines[1].starts_with("as documented for 2.4.7-: error body differs"),
            "{failure}"
        );
    }

    fn dutch() -> Translations {
        Translations::from_csv(concat!(
            "\"One or more input exceptions have occurred.\",\"Een of meer invoerfouten.\"\n",
            "\"\"\"%fieldName\"\" is required. Enter and try again.\",\"\"\"%fieldName\"\" is verplicht.\"\n",
        ))
        .unwrap()
    }

    /// A localized store: the top-level message is translated, `errors[].message` is not.
    #[test]
    fn a_translated_store_passes_only_with_raw_errors_messages() {
        let required = "\"%fieldName\" is required. Enter and try again.";
        let item = |f: &str, m: &str| json!({"message": m, "parameters": {"fieldName": f}});
        let documented =
            json!({"message": "One or more input exceptions have occurred.", "errors": [item("username", required)]});
        let dutch_store = json!({"message": "Een of meer invoerfouten.", "errors": [item("username", required)]});
        assert!(expect_localized_error_body(&dutch_store, &documented, &dutch()).is_ok());
        assert!(
            expect_error_body(&dutch_store, &documented).is_err(),
            "English expected without the CSV"
        );
        // A store that translated errors[].message deviates from Magento.
        let over_translated = json!({"message": "Een of meer invoerfouten.", "errors": [item("username", "\"%fieldName\" is verplicht.")]});
        assert!(expect_localized_error_body(&over_translated, &documented, &dutch()).is_err());
        // A phrase without a row stays English; a wrong parameter still fails.
        let single = json!({"message": required, "parameters": {"fieldName": "email"}});
        let translated_single =
            json!({"message": "\"%fieldName\" is verplicht.", "parameters": {"fieldName": "email"}});
        assert!(expect_localized_error_body(&translated_single, &single, &dutch()).is_ok());
        let rendered = json!({"message": "\"email\" is verplicht.", "parameters": {"fieldName": "email"}});
        assert!(
            expect_localized_error_body(&rendered, &single, &dutch()).is_err(),
            "placeholders are kept"
        );
        let unknown = json!({"message": "Decoding error."});
        assert!(expect_localized_error_body(&unknown, &unknown, &dutch()).is_ok());
    }

    #[test]
    fn other_wording_with_the_same_parameters_is_told_apart() {
        let documented = json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}});
        let dutch = json!({"message": "Gebruiker is niet gemachtigd tot %resources.", "parameters": {"resources": "self"}, "trace": null});
        assert!(differs_only_in_wording(&dutch, &documented));
        let other_parameters = json!({"message": "Gebruiker is niet gemachtigd tot %resources.", "parameters": {"resources": "Magento_Customer::manage"}});
        assert!(!differs_only_in_wording(&other_parameters, &documented));
        assert!(
            !differs_only_in_wording(&documented, &documented),
            "the same text is no other language"
        );
        assert!(!differs_only_in_wording(
            &json!({"message": "x", "code": 1}),
            &json!({"message": "y"})
        ));
    }

    #[test]
    fn non_object_bodies_are_named() {
        let err = expect_error_body(&json!("oops"), &json!({"message": "m"})).unwrap_err();
        assert!(err.to_string().contains("received \"oops\""), "{err}");
    }
}
