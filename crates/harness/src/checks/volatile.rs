//! Values that change from run to run (ids, timestamps, emails, tokens), defined once: which
//! keys hold them and what a redacted document shows instead. Drift compares them by type and
//! format only; snapshots and diffs show their placeholders.

use serde_json::{Map, Value};

use super::json_path::type_name;
use crate::token_shape::looks_like_token;

/// What a volatile key holds, which decides its placeholder.
#[derive(Debug, Clone, Copy)]
enum Volatile {
    Id,
    Datetime,
    Email,
    AddressId,
    ConfirmationKey,
}

/// The keys whose values differ on every run, at any depth.
const VOLATILE_KEYS: &[(&str, Volatile)] = &[
    ("id", Volatile::Id),
    ("customer_id", Volatile::Id),
    ("created_at", Volatile::Datetime),
    ("updated_at", Volatile::Datetime),
    ("email", Volatile::Email),
    ("default_billing", Volatile::AddressId),
    ("default_shipping", Volatile::AddressId),
    ("confirmation", Volatile::ConfirmationKey),
];

/// Whether values under `key` change from run to run.
pub fn is_volatile_key(key: &str) -> bool {
    volatile(key).is_some()
}

fn volatile(key: &str) -> Option<Volatile> {
    VOLATILE_KEYS.iter().find(|(k, _)| *k == key).map(|(_, kind)| *kind)
}

impl Volatile {
    /// The placeholder for `value`, naming its type when it is not the one Magento sends;
    /// `None` keeps the value (a flag, not an id), redacted inside.
    fn placeholder(self, value: &Value) -> Option<Value> {
        match (self, value) {
            (Volatile::Id, Value::Number(_)) => Some(placeholder("id", None)),
            (Volatile::Id, other) => Some(placeholder("id", Some(other))),
            (Volatile::Datetime, Value::String(_)) => Some(placeholder("datetime", None)),
            (Volatile::Datetime, other) => Some(placeholder("datetime", Some(other))),
            (Volatile::Email, Value::String(_)) => Some(placeholder("email", None)),
            // Customer-level defaults are address ids (strings); address-level ones are flags.
            (Volatile::AddressId, Value::String(_)) => Some(placeholder("address id", None)),
            (Volatile::AddressId, Value::Number(_)) => Some(placeholder("address id", Some(value))),
            (Volatile::Email | Volatile::AddressId, _) => None,
            (Volatile::ConfirmationKey, _) => Some(placeholder("confirmation key", None)),
        }
    }
}

/// Replaces ids, timestamps, emails and tokens with placeholders that keep the JSON type
/// visible (`[id]` for an integer id, `[id: string]` if a store sends it as a string).
///
/// `custom_attributes` is dropped: CONTRACT.md §7.2 says not to assert its absence.
pub fn redact_volatile(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_object(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact_volatile).collect()),
        Value::String(s) if looks_like_token(s) => Value::String("[token]".into()),
        other => other.clone(),
    }
}

fn redact_object(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        if key == "custom_attributes" {
            continue;
        }
        let replacement = volatile(key)
            .and_then(|kind| kind.placeholder(value))
            .unwrap_or_else(|| redact_volatile(value));
        out.insert(key.clone(), replacement);
    }
    out
}

fn placeholder(label: &str, unexpected_type: Option<&Value>) -> Value {
    match unexpected_type {
        None => Value::String(format!("[{label}]")),
        Some(v) => Value::String(format!("[{label}: {}]", type_name(v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_ids_dates_emails_and_tokens_but_keeps_facts() {
        let response = json!({
            "id": 17, "group_id": 1, "default_billing": "9", "created_at": "2026-11-29 10:00:00",
            "email": "mc-abc-1@example.com", "created_in": "Default Store View",
            "custom_attributes": [{"attribute_code": "x", "value": "y"}],
            "addresses": [{"id": 9, "customer_id": 17, "default_billing": true, "region_id": 43}],
            "token": "q0u66k8h42yaevtchv09uyy3y9gaj2ap", "confirmation": null
        });
        let r = redact_volatile(&response);
        assert_eq!(r["id"], "[id]");
        assert_eq!(r["group_id"], 1);
        assert_eq!(r["default_billing"], "[address id]");
        assert_eq!(r["created_at"], "[datetime]");
        assert_eq!(r["email"], "[email]");
        assert_eq!(r["created_in"], "Default Store View");
        assert!(r.get("custom_attributes").is_none());
        assert_eq!(r["addresses"][0]["id"], "[id]");
        assert_eq!(r["addresses"][0]["default_billing"], true);
        assert_eq!(r["addresses"][0]["region_id"], 43);
        assert_eq!(r["token"], "[token]");
        assert_eq!(r["confirmation"], "[confirmation key]");
    }

    #[test]
    fn a_jwt_of_a_rotated_key_is_redacted_as_a_token() {
        let kid_2 = "eyJraWQiOiIyIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjZ9.c2ln";
        assert_eq!(redact_volatile(&json!(kid_2)), json!("[token]"));
    }

    #[test]
    fn a_wrongly_typed_volatile_field_stays_visible() {
        let r = redact_volatile(&json!({"id": "17", "default_billing": 9, "created_at": 0, "email": null}));
        assert_eq!(r["id"], "[id: string]");
        assert_eq!(r["default_billing"], "[address id: integer]");
        assert_eq!(r["created_at"], "[datetime: integer]");
        assert_eq!(r["email"], Value::Null);
    }

    /// Drift's "compare by type only" and the snapshots' placeholders cover the same keys.
    #[test]
    fn every_volatile_key_is_redacted() {
        for (key, _) in VOLATILE_KEYS {
            assert!(is_volatile_key(key));
            let redacted = redact_volatile(&json!({ *key: "2026-11-29 10:00:00" }));
            assert!(
                redacted[*key].as_str().is_some_and(|s| s.starts_with('[')),
                "{key}: {redacted}"
            );
        }
        assert!(!is_volatile_key("created_in"));
    }
}
