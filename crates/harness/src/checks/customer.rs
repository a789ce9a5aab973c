//! The customer a scenario creates (CONTRACT.md §4.3): what the create response carries, and
//! what must hold of it afterwards.

use serde_json::Value;

use super::failure::CheckFailure;
use super::response::expect_equal;
use super::volatile::redact_volatile;

/// A customer a create request made: what clean-up needs to find and delete it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedCustomer {
    pub id: i64,
    pub email: String,
}

/// The customer in a create response: an object with an integer `id`, and its `email`.
pub fn created_customer(body: &Value) -> Option<CreatedCustomer> {
    let id = body.get("id").and_then(Value::as_i64)?;
    let email = body.get("email").and_then(Value::as_str).unwrap_or_default().to_owned();
    Some(CreatedCustomer { id, email })
}

/// The create response is the new customer with `email` (case-insensitive, as Magento compares
/// emails).
pub fn expect_created_customer(body: Option<&Value>, email: &str) -> Result<(), CheckFailure> {
    match body.and_then(created_customer) {
        Some(customer) if customer.email.eq_ignore_ascii_case(email) => Ok(()),
        _ => Err(CheckFailure::Body(
            "the create response has no integer \"id\" for the new customer".into(),
        )),
    }
}

/// Keys that may differ between the create response and a later read (§9.2
/// testRevokeAllAccessTokensForCustomer ignores them too).
const READ_MAY_DIFFER: &[&str] = &["updated_at", "confirmation", "custom_attributes"];

/// A customer read back is the one the create response showed, but for the keys a read may
/// change (`updated_at`, `confirmation`, `custom_attributes`).
pub fn expect_same_customer(created: &Value, read: &Value) -> Result<(), CheckFailure> {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            READ_MAY_DIFFER.iter().for_each(|k| {
                map.remove(*k);
            });
        }
        v
    };
    expect_equal(
        &strip(created),
        &strip(read),
        &format!("the customer read back differs from the one created (ignoring {READ_MAY_DIFFER:?})"),
    )
}

/// Nested keys bind by setter name, so the camelCase and the snake_case form of one body create
/// the same customer (§2.4, §10): the same but for the values that change on every run.
pub fn expect_same_customer_from_both_forms(camel: &Value, snake: &Value) -> Result<(), CheckFailure> {
    expect_equal(
        &redact_volatile(camel),
        &redact_volatile(snake),
        "the snake_case body created a different customer than the camelCase one",
    )
}

/// A create whose address is rejected is rolled back (§4.3 step 11): a search by the email
/// finds no customer. `found` is the id of the one it found, if any.
pub fn expect_rolled_back(email: &str, found: Option<i64>) -> Result<(), CheckFailure> {
    match found {
        None => Ok(()),
        Some(id) => Err(CheckFailure::Body(format!(
            "customer {email} (id {id}) exists, but Magento deletes a customer whose address is rejected"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jane(id: i64, email: &str) -> Value {
        json!({"id": id, "email": email, "firstname": "Jane", "updated_at": "2026-11-29 10:00:00", "custom_attributes": []})
    }

    #[test]
    fn a_create_response_names_the_customer_by_id_and_email() {
        assert_eq!(
            created_customer(&jane(7, "Jane@Example.com")),
            Some(CreatedCustomer {
                id: 7,
                email: "Jane@Example.com".into()
            })
        );
        assert_eq!(created_customer(&json!({"id": "7"})), None);
        assert_eq!(created_customer(&json!(true)), None);
        assert!(expect_created_customer(Some(&jane(7, "Jane@Example.com")), "jane@example.com").is_ok());
        for body in [
            None,
            Some(json!({"id": "7", "email": "jane@example.com"})),
            Some(jane(7, "other@example.com")),
        ] {
            let failure = expect_created_customer(body.as_ref(), "jane@example.com").unwrap_err();
            assert_eq!(
                failure.to_string(),
                "the create response has no integer \"id\" for the new customer"
            );
        }
    }

    #[test]
    fn a_read_back_may_differ_only_in_its_update_time_and_confirmation() {
        let mut read = jane(7, "jane@example.com");
        read["updated_at"] = json!("2026-11-29 10:00:01");
        read["confirmation"] = json!("abc");
        read.as_object_mut().unwrap().remove("custom_attributes");
        assert!(expect_same_customer(&jane(7, "jane@example.com"), &read).is_ok());
        read["firstname"] = json!("Janet");
        let failure = expect_same_customer(&jane(7, "jane@example.com"), &read)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with("the customer read back differs from the one created (ignoring [\"updated_at\", \"confirmation\", \"custom_attributes\"]):\n"),
            "{failure}"
        );
        assert!(failure.contains("+  \"firstname\": \"Janet\""), "{failure}");
    }

    #[test]
    fn both_forms_create_the_same_customer_but_for_volatile_values() {
        let camel = jane(7, "mc-x-1@example.com");
        assert!(expect_same_customer_from_both_forms(&camel, &jane(8, "mc-x-2@example.com")).is_ok());
        let mut snake = jane(8, "mc-x-2@example.com");
        snake["firstname"] = Value::Null;
        let failure = expect_same_customer_from_both_forms(&camel, &snake)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with("the snake_case body created a different customer than the camelCase one:\n"),
            "{failure}"
        );
    }

    #[test]
    fn a_customer_left_after_a_rejected_address_fails() {
        assert!(expect_rolled_back("a@example.com", None).is_ok());
        assert_eq!(
            expect_rolled_back("a@example.com", Some(5)).unwrap_err().to_string(),
            "customer a@example.com (id 5) exists, but Magento deletes a customer whose address is rejected"
        );
    }
}
