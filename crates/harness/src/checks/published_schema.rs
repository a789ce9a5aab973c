//! The store's own Swagger (`GET /rest/<store>/schema`, CONTRACT.md §8) against `schemas/`:
//! properties a store adds (a module's extension attribute), drops or retypes, and properties
//! it requires that `schemas/` does not.

use serde_json::Value;

use super::drift::{Difference, DriftKind};

/// Magento's definition name and the matching schema of `schemas/`, with the pointer to the
/// object schema inside it.
const MAPPING: &[(&str, &str, &str)] = &[
    ("customer-data-customer-interface", "customer", ""),
    ("customer-data-address-interface", "address", ""),
    ("customer-data-region-interface", "region", ""),
    (
        "customer-data-customer-extension-interface",
        "customer",
        "/properties/extension_attributes",
    ),
];

/// Extension interfaces vary with the installed modules: a property `schemas/` knows that the
/// store lacks is normal there (e.g. Commerce's `company_attributes` on Open Source).
const OPTIONAL_DEFINITIONS: &[&str] = &["customer-data-customer-extension-interface"];

fn published_type(spec: &Value) -> Option<&str> {
    match spec.get("type").and_then(Value::as_str) {
        Some(t) => Some(t),
        None if spec.get("$ref").is_some() => Some("object"),
        None => None,
    }
}

fn our_types(spec: &Value) -> Vec<&str> {
    if spec.get("const").is_some_and(Value::is_boolean) {
        return vec!["boolean"];
    }
    match spec.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if spec.get("$ref").is_some() => vec!["object"],
        _ => vec![],
    }
}

/// Differences between the store's definitions and ours. `ours` looks a schema up by name.
pub fn cross_check<'a>(swagger: &Value, ours: impl Fn(&str) -> Option<&'a Value>) -> Result<Vec<Difference>, String> {
    let definitions = swagger
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or("the document has no \"definitions\": is it Magento's Swagger 2.0 schema?")?;
    let mut out = Vec::new();
    for (definition, schema_name, pointer) in MAPPING {
        let Some(theirs) = definitions.get(*definition) else {
            if !OPTIONAL_DEFINITIONS.contains(definition) {
                out.push(Difference {
                    path: (*definition).to_owned(),
                    kind: DriftKind::RemovedProperty,
                    documented: format!("schemas/{schema_name}.schema.json"),
                    observed: "no such definition".into(),
                });
            }
            continue;
        };
        let mine = ours(schema_name)
            .and_then(|s| s.pointer(pointer))
            .ok_or_else(|| format!("schemas/{schema_name}.schema.json has nothing at {pointer:?}"))?;
        let their_props = theirs
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let my_props = mine
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let path = |property: &str| format!("{definition}.{property}");

        for (property, spec) in &their_props {
            match my_props.get(property) {
                None => out.push(Difference {
                    path: path(property),
                    kind: DriftKind::AddedProperty,
                    documented: "not in schemas/".into(),
                    observed: published_type(spec).unwrap_or("untyped").to_owned(),
                }),
                Some(my_spec) => {
                    if let Some(their_type) = published_type(spec) {
                        let mine = our_types(my_spec);
                        if !mine.is_empty() && !mine.contains(&their_type) {
                            out.push(Difference {
                                path: path(property),
                                kind: DriftKind::TypeChange,
                                documented: mine.join(" or "),
                                observed: their_type.to_owned(),
                            });
                        }
                    }
                }
            }
        }
        if !OPTIONAL_DEFINITIONS.contains(definition) {
            for property in my_props.keys().filter(|p| !their_props.contains_key(*p)) {
                out.push(Difference {
                    path: path(property),
                    kind: DriftKind::RemovedProperty,
                    documented: "in schemas/".into(),
                    observed: "not declared by the store".into(),
                });
            }
        }
        let my_required: Vec<&str> = mine
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for required in theirs.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(required) = required.as_str()
                && !my_required.contains(&required)
            {
                out.push(Difference {
                    path: path(required),
                    kind: DriftKind::RequiredChange,
                    documented: "optional in schemas/".into(),
                    observed: "required by the store".into(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn our_schemas() -> BTreeMap<String, Value> {
        let dir = crate::config::project_dir().join("schemas");
        ["customer", "address", "region"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(dir.join(format!("{name}.schema.json"))).unwrap();
                (name.to_string(), serde_json::from_str(&text).unwrap())
            })
            .collect()
    }

    fn swagger() -> Value {
        json!({"definitions": {
            "customer-data-customer-interface": {"type": "object", "required": ["email", "firstname", "lastname"], "properties": {
                "id": {"type": "integer"}, "email": {"type": "string"}, "firstname": {"type": "string"}, "lastname": {"type": "string"},
                "extension_attributes": {"$ref": "#/definitions/customer-data-customer-extension-interface"}
            }},
            "customer-data-customer-extension-interface": {"type": "object", "properties": {
                "is_subscribed": {"type": "boolean"}, "loyalty_tier": {"type": "string"}
            }},
            "customer-data-address-interface": {"type": "object", "properties": {"id": {"type": "string"}}},
            "customer-data-region-interface": {"type": "object", "required": ["region_code", "region", "region_id"], "properties": {
                "region_code": {"type": "string"}, "region": {"type": "string"}, "region_id": {"type": "integer"},
                "extension_attributes": {"$ref": "#/definitions/customer-data-region-extension-interface"}
            }}
        }})
    }

    #[test]
    fn finds_added_removed_retyped_and_newly_required_properties() {
        let schemas = our_schemas();
        let diffs = cross_check(&swagger(), |name| schemas.get(name)).unwrap();
        let has = |path: &str, kind: DriftKind| diffs.iter().any(|d| d.path == path && d.kind == kind);
        assert!(
            has(
                "customer-data-customer-extension-interface.loyalty_tier",
                DriftKind::AddedProperty
            ),
            "{diffs:#?}"
        );
        assert!(
            has("customer-data-address-interface.id", DriftKind::TypeChange),
            "{diffs:#?}"
        );
        assert!(
            has(
                "customer-data-customer-interface.created_in",
                DriftKind::RemovedProperty
            ),
            "{diffs:#?}"
        );
        assert!(
            !diffs
                .iter()
                .any(|d| d.path.starts_with("customer-data-customer-extension-interface")
                    && d.kind == DriftKind::RemovedProperty),
            "extension attributes depend on modules: {diffs:#?}"
        );
        assert!(
            !diffs
                .iter()
                .any(|d| d.path.starts_with("customer-data-region-interface")),
            "{diffs:#?}"
        );
    }

    #[test]
    fn a_store_requiring_more_is_reported() {
        let schemas = our_schemas();
        let mut doc = swagger();
        doc["definitions"]["customer-data-address-interface"]["required"] = json!(["telephone"]);
        let diffs = cross_check(&doc, |name| schemas.get(name)).unwrap();
        assert!(
            diffs
                .iter()
                .any(|d| d.path == "customer-data-address-interface.telephone" && d.kind == DriftKind::RequiredChange)
        );
    }

    #[test]
    fn a_document_without_definitions_is_an_error() {
        let schemas = our_schemas();
        assert!(cross_check(&json!({"swagger": "2.0"}), |name| schemas.get(name)).is_err());
    }

    #[test]
    fn the_published_2_4_7_and_2_4_8_schemas_match_ours() {
        let Some(dir) = crate::shared_material::shared_material("reference") else {
            return;
        };
        let schemas = our_schemas();
        for file in [
            "magento-2.4.7-admin-openapi.json",
            "magento-2.4.8-customer-auth-subset.swagger.json",
        ] {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
            let diffs = cross_check(&doc, |name| schemas.get(name)).unwrap();
            assert_eq!(diffs, vec![], "{file}");
        }
    }
}
