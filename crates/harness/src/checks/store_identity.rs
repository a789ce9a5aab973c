//! The store view a run checks, by name and ids (`MAGENTO_STORE_NAME`, `MAGENTO_STORE_ID`,
//! `MAGENTO_WEBSITE_ID`). A renamed "Default Store View" or other ids are legitimate (STORES.md
//! C5), so snapshots and the tutorial's documented response must not pin the stock values.

use serde_json::Value;

use crate::config::StorePolicy;

/// The name and ids a customer echoes as `created_in`, `store_id` and `website_id` (§4.3).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreIdentity {
    pub name: String,
    pub store_id: i64,
    pub website_id: i64,
}

impl From<&StorePolicy> for StoreIdentity {
    fn from(policy: &StorePolicy) -> Self {
        Self {
            name: policy.store_name.clone(),
            store_id: policy.store_id,
            website_id: policy.website_id,
        }
    }
}

impl StoreIdentity {
    /// A stock install's default store view, as the tutorial's responses show it.
    pub fn stock() -> Self {
        Self::from(&StorePolicy::default())
    }

    /// Each identity key with this store's value and the placeholder snapshots hold instead.
    fn keys(&self) -> [(&'static str, Value, &'static str); 3] {
        [
            ("created_in", Value::from(self.name.as_str()), "[store name]"),
            ("store_id", Value::from(self.store_id), "[store id]"),
            ("website_id", Value::from(self.website_id), "[website id]"),
        ]
    }

    /// For snapshots: a value equal to this store's (same JSON type too) becomes its placeholder,
    /// so one snapshot fits every store; any other value stays, and the snapshot diff shows it.
    pub fn redact(&self, value: &Value) -> Value {
        let keys = self.keys();
        replace_by_key(value, &|key, found| {
            keys.iter()
                .find(|(name, expected, _)| *name == key && expected == found)
                .map(|(_, _, placeholder)| Value::from(*placeholder))
        })
    }

    /// For documented responses: where they show the stock store (`Default Store View`, 1, 1),
    /// this store's values, so that only a real difference is drift.
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
        }
    }

    #[test]
    fn the_configured_identity_becomes_placeholders() {
        let observed = json!({"created_in": "Boutique FR", "store_id": 3, "website_id": 2, "group_id": 1,
                              "addresses": [{"store_id": 3}]});
        assert_eq!(
            renamed().redact(&observed),
            json!({"created_in": "[store name]", "store_id": "[store id]", "website_id": "[website id]",
                   "group_id": 1, "addresses": [{"store_id": "[store id]"}]})
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
            renamed().substitute_into(&documented),
            json!({"created_in": "Boutique FR", "store_id": 3, "website_id": 2, "group_id": 1})
        );
        assert_eq!(StoreIdentity::stock().substitute_into(&documented), documented);
        let other = json!({"created_in": "Some Other View", "store_id": 7});
        assert_eq!(renamed().substitute_into(&other), other);
    }
}
