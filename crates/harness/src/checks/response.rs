//! Checks on a response as a whole: its status, its Content-Type, and its body against the one a
//! feature file expects, whole or value by value.

use serde_json::Value;

use super::failure::CheckFailure;
use super::infrastructure::classify;
use super::json_path;
use super::render::{body_snippet, json_diff};
use crate::client::Exchange;

/// The status; an unexpected one that infrastructure gave (a redirect, a WAF page) is named as
/// such.
pub fn expect_status(exchange: &Exchange, expected: u16) -> Result<(), CheckFailure> {
    if exchange.status == expected {
        Ok(())
    } else if let Some(cause) = classify(exchange) {
        Err(CheckFailure::Infrastructure(cause))
    } else {
        Err(CheckFailure::Status {
            expected,
            received: exchange.status,
            body: body_snippet(&exchange.body),
        })
    }
}

/// Magento renders JSON as `application/json; charset=utf-8` (CONTRACT.md §1.4).
pub fn expect_json_content_type(exchange: &Exchange) -> Result<Value, CheckFailure> {
    let content_type = exchange.header("content-type").unwrap_or("").to_owned();
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" {
        if let Some(cause) = classify(exchange) {
            return Err(CheckFailure::Infrastructure(cause));
        }
        return Err(CheckFailure::NotJson {
            content_type,
            snippet: body_snippet(&exchange.body),
        });
    }
    exchange.json().ok_or_else(|| CheckFailure::NotJson {
        content_type,
        snippet: format!("body is not valid JSON: {}", body_snippet(&exchange.body)),
    })
}

/// The Content-Type's media type and parameters, charset included, compared as parsed values
/// rather than as strings: a proxy may respell `application/json; charset=utf-8` as
/// `application/json;charset=UTF-8` (STORES.md R9), which means the same. Type, subtype,
/// parameter names and the charset are case-insensitive (RFC 9110 §8.3.1); a missing or
/// different charset, or another parameter, still fails.
pub fn expect_content_type(exchange: &Exchange, expected: &str) -> Result<(), CheckFailure> {
    let received = exchange.header("content-type").unwrap_or("(none)");
    if same_media_type(received, expected) {
        Ok(())
    } else {
        Err(CheckFailure::Value {
            path: "Content-Type header".into(),
            expected: expected.to_owned(),
            received: received.to_owned(),
        })
    }
}

fn same_media_type(received: &str, expected: &str) -> bool {
    let parse = |value: &str| -> Option<(String, Vec<(String, String)>)> {
        let mime: mime::Mime = value.parse().ok()?;
        let mut params: Vec<(String, String)> = mime
            .params()
            .map(|(name, value)| {
                let name = name.as_str().to_ascii_lowercase();
                let value = if name == "charset" {
                    value.as_str().to_ascii_lowercase()
                } else {
                    value.as_str().to_owned()
                };
                (name, value)
            })
            .collect();
        params.sort();
        Some((mime.essence_str().to_ascii_lowercase(), params))
    };
    match (parse(received), parse(expected)) {
        (Some(received), Some(expected)) => received == expected,
        _ => received.eq_ignore_ascii_case(expected),
    }
}

/// Two documents are equal; the failure starts with `heading` and shows their diff.
pub fn expect_equal(expected: &Value, received: &Value, heading: &str) -> Result<(), CheckFailure> {
    if expected == received {
        Ok(())
    } else {
        Err(CheckFailure::Body(format!(
            "{heading}:\n{}",
            json_diff(expected, received)
        )))
    }
}

/// Each dotted path holds exactly its value (same JSON type too); the first that does not fails.
pub fn expect_values(body: &Value, expected: &[(String, Value)]) -> Result<(), CheckFailure> {
    for (path, value) in expected {
        let received = json_path::lookup(body, path);
        if received != Some(value) {
            return Err(CheckFailure::Value {
                path: path.clone(),
                expected: json_path::describe(Some(value)),
                received: json_path::describe(received),
            });
        }
    }
    Ok(())
}

/// Nothing at the dotted path: Magento leaves a null field out rather than sending `null`.
pub fn expect_no_key(body: &Value, path: &str) -> Result<(), CheckFailure> {
    match json_path::lookup(body, path) {
        None => Ok(()),
        Some(value) => Err(CheckFailure::Value {
            path: path.to_owned(),
            expected: "no such key".into(),
            received: json_path::describe(Some(value)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// STORES.md U10, R6: a WAF page or the web server's 404 page is named, not taken for
    /// Magento's answer.
    #[test]
    fn infrastructure_answers_are_named() {
        let waf = Exchange::answer(403, "text/html", "<html>Forbidden</html>");
        let failure = expect_status(&waf, 400).unwrap_err();
        assert!(matches!(failure, CheckFailure::Infrastructure(_)), "{failure}");
        let page = Exchange::answer(404, "text/html", "<html>Not Found</html>");
        assert!(matches!(
            expect_json_content_type(&page),
            Err(CheckFailure::Infrastructure(_))
        ));
        let magento_500 = Exchange::answer(500, "text/html", "<html>error</html>");
        assert!(matches!(
            expect_json_content_type(&magento_500),
            Err(CheckFailure::NotJson { .. })
        ));
        assert!(matches!(
            expect_status(&magento_500, 200),
            Err(CheckFailure::Status { .. })
        ));
    }

    /// STORES.md R9: a proxy's respelling passes, a different media type or charset does not.
    #[test]
    fn the_content_type_is_compared_as_a_parsed_media_type() {
        let expected = "application/json; charset=utf-8";
        let answer = |content_type: &str| Exchange::answer(200, content_type, "{}");
        for same in [
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "Application/JSON;  Charset=\"utf-8\"",
        ] {
            assert!(expect_content_type(&answer(same), expected).is_ok(), "{same}");
        }
        for different in [
            "application/json",
            "application/json; charset=iso-8859-1",
            "text/html; charset=UTF-8",
            "application/json; charset=utf-8; boundary=x",
            "application/problem+json; charset=utf-8",
        ] {
            let failure = expect_content_type(&answer(different), expected)
                .unwrap_err()
                .to_string();
            assert!(failure.contains(different), "{failure}");
        }
        assert!(expect_content_type(&answer("not a media type"), expected).is_err());
    }

    #[test]
    fn the_status_and_json_content_type_are_checked() {
        let created = Exchange::answer(200, "application/json; charset=utf-8", r#"{"id": 1}"#);
        assert!(expect_status(&created, 200).is_ok());
        let failure = expect_status(&created, 400).unwrap_err().to_string();
        assert!(
            failure.starts_with("expected HTTP status 400, received 200"),
            "{failure}"
        );
        assert!(failure.ends_with(r#"response body: {"id": 1}"#), "{failure}");
        assert_eq!(expect_json_content_type(&created).unwrap(), json!({"id": 1}));
        let html = Exchange::answer(500, "text/html", "<h1>Error</h1>");
        let failure = expect_json_content_type(&html).unwrap_err().to_string();
        assert!(failure.contains("\"text/html\": <h1>Error</h1>"), "{failure}");
        let broken = Exchange::answer(200, "application/json", "{");
        let failure = expect_json_content_type(&broken).unwrap_err().to_string();
        assert!(failure.contains("body is not valid JSON"), "{failure}");
    }

    #[test]
    fn the_content_type_header_is_compared_whole_but_case_insensitively() {
        let answer = Exchange::answer(401, "application/json; charset=utf-8", "{}");
        assert!(expect_content_type(&answer, "application/json; charset=UTF-8").is_ok());
        let failure = expect_content_type(&answer, "application/json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            failure,
            "Content-Type header: expected application/json, received application/json; charset=utf-8"
        );
    }

    #[test]
    fn values_are_compared_with_their_json_type() {
        let body = json!({"id": 7, "addresses": [{"region": {"region_id": 43}}]});
        let wanted = |path: &str, value: Value| vec![(path.to_owned(), value)];
        assert!(expect_values(&body, &wanted("addresses[0].region.region_id", json!(43))).is_ok());
        let failure = expect_values(&body, &wanted("id", json!("7"))).unwrap_err().to_string();
        assert_eq!(failure, r#"id: expected "7" (string), received 7 (integer)"#);
        let failure = expect_values(&body, &wanted("group_id", json!(1)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            failure,
            "group_id: expected 1 (integer), received nothing (the key is absent)"
        );
    }

    #[test]
    fn an_absent_key_is_no_key_at_all() {
        let body = json!({"confirmation": null});
        assert!(expect_no_key(&body, "password").is_ok());
        let failure = expect_no_key(&body, "confirmation").unwrap_err().to_string();
        assert_eq!(failure, "confirmation: expected no such key, received null (null)");
    }

    #[test]
    fn unequal_documents_fail_with_their_diff() {
        assert!(expect_equal(&json!({"a": 1}), &json!({"a": 1}), "differs").is_ok());
        let failure = expect_equal(&json!({"a": 1}), &json!({"a": 2}), "response body differs")
            .unwrap_err()
            .to_string();
        assert!(failure.starts_with("response body differs:\n--- expected"), "{failure}");
        assert!(failure.contains("+  \"a\": 2"), "{failure}");
    }
}
