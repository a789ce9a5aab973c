//! A customer's addresses and its default-address pointers (CONTRACT.md §7.2, §7.3).
//!
//! Magento sets an address's `default_billing`/`default_shipping` only ever to `true`, on the
//! address whose id the customer names (`AbstractAddress::getDataModel`); on every other address
//! the value stays null and, the getters being nullable, the key is left out. The customer names
//! its defaults by address id, as strings (`getDefaultBilling(): string|null`). The addresses are
//! loaded without an ORDER BY (`Address\Collection::setCustomerFilter`), so they come back in id
//! order: the order `createAccount` saved them in, which is the order they were sent in.

use serde_json::Value;

use super::failure::CheckFailure;
use super::json_path;

/// One of the two default-address roles; its key is the same on the customer and the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultRole {
    Billing,
    Shipping,
}

impl DefaultRole {
    pub const ALL: [DefaultRole; 2] = [DefaultRole::Billing, DefaultRole::Shipping];

    pub fn key(self) -> &'static str {
        match self {
            DefaultRole::Billing => "default_billing",
            DefaultRole::Shipping => "default_shipping",
        }
    }
}

/// What a scenario expects of one returned address: which one it is (its first street line) and
/// whether it is the customer's default billing and shipping address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedAddress {
    pub street: String,
    pub default_billing: bool,
    pub default_shipping: bool,
}

impl ExpectedAddress {
    fn is_default(&self, role: DefaultRole) -> bool {
        match role {
            DefaultRole::Billing => self.default_billing,
            DefaultRole::Shipping => self.default_shipping,
        }
    }
}

/// The addresses are `expected`, in that order, and each carries exactly its default flags.
pub fn addresses_match(customer: &Value, expected: &[ExpectedAddress]) -> Result<(), CheckFailure> {
    let received: Vec<String> = addresses(customer)?
        .iter()
        .map(|address| first_street_line(address).unwrap_or("(no street)").to_owned())
        .collect();
    let wanted: Vec<&str> = expected.iter().map(|address| address.street.as_str()).collect();
    if received != wanted {
        return Err(CheckFailure::Value {
            path: "addresses".into(),
            expected: format!(
                "the addresses {wanted:?} in the order they were sent (Magento reads them back in id order, CONTRACT.md §4.3 step 11)"
            ),
            received: format!("{received:?}"),
        });
    }
    for (index, address) in expected.iter().enumerate() {
        for role in DefaultRole::ALL {
            address_flag(customer, index, role, address.is_default(role))?;
        }
    }
    Ok(())
}

/// The position of the address whose first street line is `street`.
pub fn address_index(customer: &Value, street: &str) -> Result<usize, CheckFailure> {
    let list = addresses(customer)?;
    list.iter()
        .position(|address| first_street_line(address) == Some(street))
        .ok_or_else(|| CheckFailure::Value {
            path: "addresses".into(),
            expected: format!("an address at {street:?}"),
            received: format!("{:?}", list.iter().filter_map(first_street_line).collect::<Vec<_>>()),
        })
}

/// The customer's `default_billing` or `default_shipping` is the id of `addresses[index]`, as
/// a string (CONTRACT.md §7.2).
pub fn default_names_address(customer: &Value, role: DefaultRole, index: usize) -> Result<(), CheckFailure> {
    let id = match addresses(customer)?.get(index).and_then(|address| address.get("id")) {
        Some(Value::Number(id)) if id.is_i64() => id.to_string(),
        other => {
            return Err(CheckFailure::Value {
                path: format!("addresses[{index}].id"),
                expected: "an integer address id".into(),
                received: json_path::describe(other),
            });
        }
    };
    let expected = Value::from(id);
    let found = customer.get(role.key());
    if found != Some(&expected) {
        return Err(CheckFailure::Value {
            path: role.key().into(),
            expected: format!("{expected} (the id of addresses[{index}] as a string, CONTRACT.md §7.2)"),
            received: json_path::describe(found),
        });
    }
    Ok(())
}

/// `addresses[index]` carries `role`'s flag as exactly `true` if it is that default, and no such
/// key at all otherwise: not `false`, not `null` (CONTRACT.md §7.3).
pub fn address_flag(customer: &Value, index: usize, role: DefaultRole, is_default: bool) -> Result<(), CheckFailure> {
    let address = addresses(customer)?.get(index).ok_or_else(|| CheckFailure::Value {
        path: format!("addresses[{index}]"),
        expected: "an address".into(),
        received: "nothing".into(),
    })?;
    let found = address.get(role.key());
    let failure = |expected: String| CheckFailure::Value {
        path: format!("addresses[{index}].{}", role.key()),
        expected,
        received: json_path::describe(found),
    };
    match (is_default, found) {
        (true, Some(Value::Bool(true))) | (false, None) => Ok(()),
        (true, _) => Err(failure(format!(
            "true (boolean): this is the customer's {} address (CONTRACT.md §7.3)",
            role.key()
        ))),
        (false, Some(_)) => Err(failure(
            "no such key (Magento leaves the flag of an address that is not the default null and omits it, CONTRACT.md §7.3)"
                .into(),
        )),
    }
}

fn addresses(customer: &Value) -> Result<&Vec<Value>, CheckFailure> {
    customer
        .get("addresses")
        .and_then(Value::as_array)
        .ok_or_else(|| CheckFailure::Value {
            path: "addresses".into(),
            expected: "an array of addresses".into(),
            received: json_path::describe(customer.get("addresses")),
        })
}

fn first_street_line(address: &Value) -> Option<&str> {
    address.get("street")?.get(0)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A non-default address sent first, then the default one, as Magento answers them.
    fn customer() -> Value {
        json!({
            "id": 7,
            "default_billing": "12",
            "default_shipping": "12",
            "addresses": [
                {"id": 11, "street": ["456 Elm St"]},
                {"id": 12, "street": ["123 Oak Ave"], "default_shipping": true, "default_billing": true}
            ]
        })
    }

    fn expected(street: &str, billing: bool, shipping: bool) -> ExpectedAddress {
        ExpectedAddress {
            street: street.into(),
            default_billing: billing,
            default_shipping: shipping,
        }
    }

    #[test]
    fn magentos_answer_passes_every_check() {
        let customer = customer();
        addresses_match(
            &customer,
            &[
                expected("456 Elm St", false, false),
                expected("123 Oak Ave", true, true),
            ],
        )
        .unwrap();
        let index = address_index(&customer, "123 Oak Ave").unwrap();
        assert_eq!(index, 1);
        for role in DefaultRole::ALL {
            default_names_address(&customer, role, index).unwrap();
        }
    }

    #[test]
    fn a_false_or_null_flag_on_a_non_default_address_fails() {
        for value in [json!(false), Value::Null] {
            let mut customer = customer();
            customer["addresses"][0]["default_billing"] = value.clone();
            let failure = address_flag(&customer, 0, DefaultRole::Billing, false)
                .unwrap_err()
                .to_string();
            assert!(
                failure.starts_with("addresses[0].default_billing: expected no such key"),
                "{failure}"
            );
            assert!(
                failure.ends_with(&format!("received {value} ({})", json_path::type_name(&value))),
                "{failure}"
            );
        }
    }

    #[test]
    fn the_default_address_needs_true_not_a_truthy_value() {
        let mut customer = customer();
        customer["addresses"][1]["default_shipping"] = json!(1);
        let failure = address_flag(&customer, 1, DefaultRole::Shipping, true)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with("addresses[1].default_shipping: expected true (boolean)"),
            "{failure}"
        );
        customer["addresses"][1]
            .as_object_mut()
            .unwrap()
            .remove("default_shipping");
        let failure = address_flag(&customer, 1, DefaultRole::Shipping, true)
            .unwrap_err()
            .to_string();
        assert!(failure.ends_with("received nothing (the key is absent)"), "{failure}");
    }

    #[test]
    fn addresses_in_another_order_fail_naming_both_orders() {
        let failure = addresses_match(
            &customer(),
            &[
                expected("123 Oak Ave", true, true),
                expected("456 Elm St", false, false),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            failure.contains(r#"["123 Oak Ave", "456 Elm St"] in the order they were sent"#),
            "{failure}"
        );
        assert!(
            failure.ends_with(r#"received ["456 Elm St", "123 Oak Ave"]"#),
            "{failure}"
        );
    }

    #[test]
    fn a_default_that_is_a_number_or_another_address_fails() {
        let mut customer = customer();
        customer["default_billing"] = json!(12);
        let failure = default_names_address(&customer, DefaultRole::Billing, 1)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with(r#"default_billing: expected "12" (the id of addresses[1] as a string"#),
            "{failure}"
        );
        assert!(failure.ends_with("received 12 (integer)"), "{failure}");
        let failure = default_names_address(&customer, DefaultRole::Shipping, 0)
            .unwrap_err()
            .to_string();
        assert!(failure.ends_with(r#"received "12" (string)"#), "{failure}");
    }

    #[test]
    fn a_missing_address_or_id_is_named() {
        let failure = address_index(&customer(), "1 Nowhere Rd").unwrap_err().to_string();
        assert!(failure.contains(r#"an address at "1 Nowhere Rd""#), "{failure}");
        let failure = default_names_address(&json!({"addresses": [{"id": "11"}]}), DefaultRole::Billing, 0)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with("addresses[0].id: expected an integer address id"),
            "{failure}"
        );
        let failure = addresses_match(&json!({"id": 7}), &[]).unwrap_err().to_string();
        assert!(
            failure.starts_with("addresses: expected an array of addresses"),
            "{failure}"
        );
    }
}
