//! Our schemas and checks against Magento's own published artifacts in `../shared/reference/`
//! (OpenAPI files and real or test-asserted bodies). They are not part of the repository: when
//! the folder is absent these tests print why and skip, except under `CI=true`, where they fail.

use std::path::{Path, PathBuf};

use magento_harness::checks::SchemaSet;
use magento_harness::checks::token::{TokenExpectation, TokenKind, USER_TYPE_CUSTOMER, check_issued_token, classify};
use serde_json::Value;

fn reference_dir() -> Option<PathBuf> {
    magento_harness::shared_material::shared_material("reference")
}

fn read_json(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn schemas() -> SchemaSet {
    SchemaSet::load(&magento_contract::builtin::suite_files().schemas).expect("schemas compile")
}

fn examples(dir: &Path) -> Vec<Value> {
    read_json(dir, "magento-2.x-rest-customer-examples.json")["examples"]
        .as_array()
        .expect("examples array")
        .clone()
}

#[test]
fn real_customer_bodies_match_the_customer_schema() {
    let Some(dir) = reference_dir() else { return };
    let schemas = schemas();
    let mut checked = 0;
    for example in examples(&dir) {
        let body = &example["body"];
        if example["kind"] == "success" && body.get("email").is_some() {
            schemas
                .validate("customer", body)
                .unwrap_or_else(|e| panic!("{}: {e}", example["id"]));
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "expected the S1, S3, S4 and S5 customer bodies, checked {checked}"
    );
}

#[test]
fn real_error_bodies_match_the_error_schema() {
    let Some(dir) = reference_dir() else { return };
    let schemas = schemas();
    let mut checked = 0;
    for example in examples(&dir) {
        if example["kind"] == "error" {
            schemas
                .validate("error", &example["body"])
                .unwrap_or_else(|e| panic!("{}: {e}", example["id"]));
            checked += 1;
        }
    }
    assert_eq!(checked, 12, "E1-E12");
}

#[test]
fn documented_tokens_are_classified() {
    let Some(dir) = reference_dir() else { return };
    let schemas = schemas();
    let by_id = |prefix: &str| {
        examples(&dir)
            .into_iter()
            .find(|e| e["id"].as_str().is_some_and(|id| id.starts_with(prefix)))
            .unwrap_or_else(|| panic!("example {prefix}"))
    };
    let tutorial = by_id("S2");
    schemas.validate("token", &tutorial["body"]).unwrap();
    assert_eq!(classify(tutorial["body"].as_str().unwrap()).unwrap(), TokenKind::Opaque);

    let jwt = by_id("S6");
    schemas.validate("token", &jwt["body"]).unwrap();
    let kind = check_issued_token(
        jwt["body"].as_str().unwrap(),
        Some(6),
        USER_TYPE_CUSTOMER,
        &TokenExpectation::new(Some(60), None),
    )
    .unwrap();
    assert!(matches!(kind, TokenKind::Jwt { .. }), "{kind:?}");
}

#[test]
fn tutorial_request_is_what_the_feature_sends() {
    let Some(dir) = reference_dir() else { return };
    let documented = examples(&dir)
        .into_iter()
        .find(|e| e["id"] == "S1-tutorial-create-customer")
        .expect("S1");
    let feature = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("features/customer/create_customer.feature"),
    )
    .unwrap();
    let start = feature.find("\"\"\"json").expect("docstring") + "\"\"\"json".len();
    let end = start + feature[start..].find("\"\"\"").expect("docstring end");
    let in_feature: Value = serde_json::from_str(&feature[start..end]).expect("docstring JSON");
    assert_eq!(
        in_feature, documented["request"]["body"],
        "the feature's body is not the tutorial's verbatim"
    );
}

/// Every property the published 2.4.7 and 2.4.8 definitions declare is in our schema, with the
/// same JSON type, except where CONTRACT.md documents the runtime differing.
#[test]
fn schemas_cover_the_published_definitions() {
    let Some(dir) = reference_dir() else { return };
    let ours = |name: &str| -> Value {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{name}.schema.json")))
                .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    for file in [
        "magento-2.4.7-customer-auth-subset.swagger.json",
        "magento-2.4.8-customer-auth-subset.swagger.json",
    ] {
        let published = read_json(&dir, file);
        for (definition, schema) in [
            ("customer-data-customer-interface", "customer"),
            ("customer-data-address-interface", "address"),
            ("customer-data-region-interface", "region"),
        ] {
            let theirs = &published["definitions"][definition];
            let mine = ours(schema);
            for (property, spec) in theirs["properties"].as_object().unwrap() {
                let our_spec = mine["properties"].get(property).unwrap_or_else(|| {
                    panic!("{file} {definition}.{property} is missing from schemas/{schema}.schema.json")
                });
                if let Some(published_type) = spec.get("type").and_then(Value::as_str) {
                    let our_types: Vec<&str> = match &our_spec["type"] {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => vec![],
                    };
                    let is_const_flag =
                        our_spec.get("const") == Some(&Value::Bool(true)) && published_type == "boolean";
                    assert!(
                        our_types.contains(&published_type) || is_const_flag,
                        "{file} {definition}.{property}: published type {published_type}, ours {our_spec}"
                    );
                }
            }
            for required in theirs["required"].as_array().into_iter().flatten() {
                let required = required.as_str().unwrap();
                assert!(
                    mine["required"].as_array().unwrap().iter().any(|r| r == required),
                    "{file} {definition} requires {required}; schemas/{schema}.schema.json does not"
                );
            }
        }
    }
}
