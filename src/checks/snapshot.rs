//! Snapshots of responses, with the values that change from run to run redacted first, so a
//! snapshot diff shows only what a Magento upgrade or a module changed.

use std::path::Path;

use serde_json::{Map, Value};

use super::CheckFailure;
use super::json_path::type_name;

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
        let replacement = match (key.as_str(), value) {
            ("custom_attributes", _) => continue,
            ("id" | "customer_id", Value::Number(_)) => placeholder("id", None),
            ("id" | "customer_id", other) => placeholder("id", Some(other)),
            ("created_at" | "updated_at", Value::String(_)) => placeholder("datetime", None),
            ("created_at" | "updated_at", other) => placeholder("datetime", Some(other)),
            ("email", Value::String(_)) => placeholder("email", None),
            // Customer-level defaults are address ids (strings); address-level ones are flags.
            ("default_billing" | "default_shipping", Value::String(_)) => placeholder("address id", None),
            ("default_billing" | "default_shipping", Value::Number(_)) => placeholder("address id", Some(value)),
            ("confirmation", _) => placeholder("confirmation key", None),
            _ => redact_volatile(value),
        };
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

fn looks_like_token(s: &str) -> bool {
    let jwt = s.starts_with("eyJ") && s.split('.').count() >= 3;
    let opaque = s.len() == 32 && s.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase());
    jwt || opaque
}

/// Compares a redacted response with the stored snapshot `snapshots/<name>@<profile>.snap`.
///
/// insta decides what a mismatch does: in CI it fails without writing anything; locally it
/// also writes a `.snap.new` file for `cargo insta review`.
pub fn assert_snapshot(snapshots_dir: &Path, profile: &str, name: &str, value: &Value) -> Result<(), CheckFailure> {
    let redacted = redact_volatile(value);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshots_dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_suffix(profile);
    settings.set_omit_expression(true);
    settings.set_sort_maps(true);
    settings.set_description(format!("{name}: a redacted response body (volatile values replaced)"));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_json_snapshot!(name, &redacted));
    }));
    outcome.map_err(|panic| {
        let insta_says = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "snapshot assertion failed".to_owned());
        let file = snapshots_dir.join(format!("{name}@{profile}.snap"));
        CheckFailure::Snapshot {
            name: format!("{name}@{profile}"),
            detail: match stored_snapshot(&file) {
                Some(stored) => changed_paths(&stored, &redacted),
                None => format!("{insta_says}; there is no stored snapshot {} yet", file.display()),
            },
        }
    })
}

/// The JSON body of a stored snapshot file (after insta's `---` metadata header).
fn stored_snapshot(file: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(file).ok()?;
    let body = text.strip_prefix("---")?.split_once("\n---\n")?.1;
    serde_json::from_str(body).ok()
}

/// The differences by JSON path, so the failure names the field before insta's diff shows it.
fn changed_paths(stored: &Value, observed: &Value) -> String {
    const SHOWN: usize = 10;
    let differences = super::drift::compare(stored, observed);
    let mut lines: Vec<String> = differences.iter().take(SHOWN).map(|d| format!("  - {d}")).collect();
    if differences.len() > SHOWN {
        lines.push(format!("  … and {} more", differences.len() - SHOWN));
    }
    lines.join("\n")
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
            "token": "q0u66k8h42yaevtchv09uyy3y9gaj2ap"
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
    }

    #[test]
    fn a_mismatch_names_the_changed_paths() {
        let dir = std::env::temp_dir().join(format!("mc-snap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("thing@test.snap"),
            "---\nsource: x\n---\n{\n  \"created_in\": \"Default Store View\",\n  \"extension_attributes\": {\"is_subscribed\": false}\n}\n",
        )
        .unwrap();
        let observed = json!({"created_in": "Default Store View"});
        let failure = assert_snapshot(&dir, "test", "thing", &observed)
            .unwrap_err()
            .to_string();
        assert!(
            failure.contains("extension_attributes.is_subscribed: missing key"),
            "{failure}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_wrongly_typed_volatile_field_stays_visible() {
        let r = redact_volatile(&json!({"id": "17", "default_billing": 9}));
        assert_eq!(r["id"], "[id: string]");
        assert_eq!(r["default_billing"], "[address id: integer]");
    }
}
