//! The store view a run checks, by name and ids (`MAGENTO_STORE_NAME`, `MAGENTO_STORE_ID`,
//! `MAGENTO_WEBSITE_ID`, detected or configured), its default group, the address it allows and
//! the fields the run adds for attributes it requires. A renamed "Default Store View", other
//! ids, another default group (STORES.md C5, U3), a non-US address (C6) or required attributes
//! (U4) are legitimate, so snapshots and the tutorial's documented response must not pin the
//! stock values.

use serde_json::Value;

use crate::config::{StoreAddress, StorePolicy};
use crate::store_profile::StoreProfile;

/// What a customer echoes of the store (§4.3): `created_in`, `store_id`, `website_id`,
/// `group_id`, the address it was sent, and the extra fields the run sent.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreIdentity {
    pub name: String,
    pub store_id: i64,
    pub website_id: i64,
    pub default_group_id: i64,
    pub address: StoreAddress,
    /// Keys the run merged into every customer and every address it created: not the store's
    /// answer to the tutorial, so snapshots and the drift leave them out.
    pub extra_customer_keys: Vec<String>,
    pub extra_address_keys: Vec<String>,
}

impl From<&StorePolicy> for StoreIdentity {
    fn from(policy: &StorePolicy) -> Self {
        Self {
            name: policy.store_name.clone(),
            store_id: policy.store_id,
            website_id: policy.website_id,
            default_group_id: policy.default_group_id,
            address: policy.address.clone(),
            extra_customer_keys: Vec::new(),
            extra_address_keys: Vec::new(),
        }
    }
}

/// What responses echo of the store the run detected, and the keys it adds to what it creates.
impl From<&StoreProfile> for StoreIdentity {
    fn from(profile: &StoreProfile) -> Self {
        Self {
            extra_customer_keys: profile.extra_customer_fields.keys().cloned().collect(),
            extra_address_keys: profile.extra_address_fields.keys().cloned().collect(),
            ..StoreIdentity::from(&profile.policy)
        }
    }
}

impl StoreIdentity {
    /// A stock install's default store view, as the tutorial's responses show it.
    pub fn stock() -> Self {
        Self::from(&StorePolicy::default())
    }

    /// Each identity key with this store's value and the placeholder snapshots hold instead.
    fn keys(&self) -> [(&'static str, Value, &'static str); 11] {
        let address = &self.address;
        [
            ("created_in", Value::from(self.name.as_str()), "[store name]"),
            ("store_id", Value::from(self.store_id), "[store id]"),
            ("website_id", Value::from(self.website_id), "[website id]"),
            ("group_id", Value::from(self.default_group_id), "[default group id]"),
            (
                "country_id",
                Value::from(address.country_id.as_str()),
                "[address country]",
            ),
            ("region_id", Value::from(address.region_id), "[address region id]"),
            (
                "region_code",
                Value::from(address.region_code.as_str()),
                "[address region code]",
            ),
            ("region", Value::from(address.region.as_str()), "[address region]"),
            ("postcode", Value::from(address.postcode.as_str()), "[address postcode]"),
            ("city", Value::from(address.city.as_str()), "[address city]"),
            (
                "telephone",
                Value::from(address.telephone.as_str()),
                "[address telephone]",
            ),
        ]
    }

    /// For snapshots: a value equal to this store's (same JSON type too) becomes its placeholder,
    /// so one snapshot fits every store; any other value stays, and the snapshot diff shows it.
    /// The run's own extra fields are left out.
    pub fn redact(&self, value: &Value) -> Value {
        let keys = self.keys();
        let redacted = replace_by_key(value, &|key, found| {
            keys.iter()
                .find(|(name, expected, _)| *name == key && expected == found)
                .map(|(_, _, placeholder)| Value::from(*placeholder))
        });
        self.without_sent_extras(&redacted)
    }

    /// A customer without the fields the run merged into it and its addresses.
    pub fn without_sent_extras(&self, customer: &Value) -> Value {
        let mut customer = customer.clone();
        if let Some(fields) = customer.as_object_mut() {
            fields.retain(|key, _| !self.extra_customer_keys.contains(key));
            if let Some(Value::Array(addresses)) = fields.get_mut("addresses") {
                for address in addresses.iter_mut().filter_map(Value::as_object_mut) {
                    address.retain(|key, _| !self.extra_address_keys.contains(key));
                }
            }
        }
        customer
    }

    /// For documented responses: where they show the stock store (`Default Store View`, 1, 1,
    /// group 1, the tutorial's address), this store's values, so that only a real difference is
    /// drift.
    pub fn substitute_into(&self, documented: &Value) -> Value {
        let stock = Self::stock().keys();
        let mine = self.keys();
        replace_by_key(documented, &|key, found| {
            stock
                .iter()
                .zip(&mine)
                .find(|((name, stock_value, _), _)| *name == key && stock_value == found)
                .map(|(_, (_, value, _))| value.clone())
        })
    }
}

/// A copy of `value` where `replace(key, value)` decides, at any depth, what an object's entry
/// becomes (`None`: kept, and searched further).
fn replace_by_key(value: &Value, replace: &dyn Fn(&str, &Value) -> Option<Value>) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let new = replace(key, v).unwrap_or_else(|| replace_by_key(v, replace));
                    (key.clone(), new)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| replace_by_key(v, replace)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn renamed() -> StoreIdentity {
        StoreIdentity {
            name: "Boutique FR".to_owned(),
            store_id: 3,
            website_id: 2,
            ..StoreIdentity::stock()
        }
    }

    fn berlin() -> StoreAddress {
        StoreAddress {
            country_id: "DE".into(),
            region_id: 82,
            region_code: "BER".into(),
            region: "Berlin".into(),
            postcode: "10115".into(),
            city: "Berlin".into(),
            telephone: "030 1234567".into(),
        }
    }

    /// Another default group, another address and the run's extra fields fit the same snapshot;
    /// the tutorial's address on a store configured with another one stays visible.
    #[test]
    fn group_address_and_extra_fields_become_placeholders_or_go() {
        let identity = StoreIdentity {
            default_group_id: 2,
            address: berlin(),
            extra_customer_keys: vec!["gender".into()],
            extra_address_keys: vec!["company".into()],
            ..StoreIdentity::stock()
        };
        let observed = json!({"group_id": 2, "gender": 1, "addresses": [{"city": "Berlin", "company": "X",
            "region": {"region": "Berlin", "region_code": "BER", "region_id": 82}, "region_id": 82, "country_id": "US"}]});
        assert_eq!(
            identity.redact(&observed),
            json!({"group_id": "[default group id]", "addresses": [{"city": "[address city]",
                "region": {"region": "[address region]", "region_code": "[address region code]", "region_id": "[address region id]"},
                "region_id": "[address region id]", "country_id": "US"}]})
        );
        let documented = json!({"group_id": 1, "addresses": [{"city": "Purchase", "postcode": "10755", "telephone": "512-555-1111"}]});
        assert_eq!(
            identity.substitute_into(&documented),
            json!({"group_id": 2, "addresses": [{"city": "Berlin", "postcode": "10115", "telephone": "030 1234567"}]})
        );
    }

    #[test]
    fn the_configured_identity_becomes_placeholders() {
        let observed = json!({"created_in": "Boutique FR", "store_id": 3, "website_id": 2, "group_id": 4,
                              "addresses": [{"store_id": 3}]});
        assert_eq!(
            renamed().redact(&observed),
            json!({"created_in": "[store name]", "store_id": "[store id]", "website_id": "[website id]",
                   "group_id": 4, "addresses": [{"store_id": "[store id]"}]})
        );
    }

    /// A store that answers another name or id than the configured one keeps it visible.
    #[test]
    fn a_wrong_name_or_id_stays_in_the_snapshot() {
        let observed = json!({"created_in": "Default Store View", "store_id": 1, "website_id": "2"});
        assert_eq!(
            renamed().redact(&observed),
            json!({"created_in": "Default Store View", "store_id": 1, "website_id": "2"})
        );
    }

    #[test]
    fn the_documented_stock_store_becomes_the_configured_one() {
        let documented = json!({"created_in": "Default Store View", "store_id": 1, "website_id": 1, "group_id": 1});
        assert_eq!(
            StoreIdentity {
                default_group_id: 2,
                ..renamed()
            }
            .substitute_into(&documented),
            json!({"created_in": "Boutique FR", "store_id": 3, "website_id": 2, "group_id": 2})
        );
        assert_eq!(StoreIdentity::stock().substitute_into(&documented), documented);
        let other = json!({"created_in": "Some Other View", "store_id": 7});
        assert_eq!(renamed().substitute_into(&other), other);
    }
}
