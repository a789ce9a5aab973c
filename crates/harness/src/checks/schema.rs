//! JSON Schema checks. The files in `schemas/` are compiled once per run as one bundle, so a
//! schema refers to another as `{"$ref": "#/$defs/<name>"}`.

use std::collections::BTreeMap;
use std::fmt;

use jsonschema::Validator;
use serde_json::{Map, Value};

use super::json_path::type_name;
use crate::suite_files::FileSet;

/// Every schema of `schemas/`, compiled.
pub struct SchemaSet {
    validators: BTreeMap<String, Validator>,
    sources: BTreeMap<String, Value>,
}

impl fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.validators.keys()).finish()
    }
}

/// A schema file that could not be read or compiled: a problem in the repository, not the store.
#[derive(Debug, thiserror::Error)]
#[error("schema {file}: {problem}")]
pub struct SchemaLoadError {
    pub file: String,
    pub problem: String,
}

/// One violated rule: where in the response, which rule, and what it says (values masked, as a
/// response may carry a token).
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaViolation {
    pub pointer: String,
    pub rule: String,
    pub message: String,
}

/// A response that does not match its schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct SchemaFailure {
    pub schema: String,
    pub violations: Vec<SchemaViolation>,
}

impl fmt::Display for SchemaFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "response does not match schema {:?}:", self.schema)?;
        for v in &self.violations {
            let pointer = if v.pointer.is_empty() { "/" } else { &v.pointer };
            write!(f, "\n  at {pointer}: rule {:?}: {}", v.rule, v.message)?;
        }
        Ok(())
    }
}

const SUFFIX: &str = ".schema.json";

impl SchemaSet {
    /// Reads and compiles every `*.schema.json` of `set` (not those in subdirectories).
    pub fn load(set: &FileSet) -> Result<Self, SchemaLoadError> {
        let files = set.top_level(SUFFIX).map_err(|e| SchemaLoadError {
            file: set.label(),
            problem: format!("cannot read the schema directory ({e}); set MAGENTO_SCHEMAS_DIR"),
        })?;
        let mut sources = BTreeMap::new();
        for file in files {
            let Some(name) = file.relative.to_str().and_then(|n| n.strip_suffix(SUFFIX)) else {
                continue;
            };
            let value: Value = serde_json::from_str(&file.text).map_err(|e| SchemaLoadError {
                file: file.origin.clone(),
                problem: format!("not JSON: {e}"),
            })?;
            sources.insert(name.to_owned(), value);
        }
        Self::compile(sources)
    }

    /// Compiles named schemas into validators that can reference each other.
    pub fn compile(sources: BTreeMap<String, Value>) -> Result<Self, SchemaLoadError> {
        let defs: Map<String, Value> = sources
            .iter()
            .map(|(name, schema)| {
                let mut schema = schema.clone();
                if let Some(obj) = schema.as_object_mut() {
                    obj.remove("$schema");
                    obj.remove("$id");
                }
                (name.clone(), schema)
            })
            .collect();
        let mut validators = BTreeMap::new();
        for name in sources.keys() {
            let root = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": defs,
                "$ref": format!("#/$defs/{name}"),
            });
            let validator = jsonschema::options().build(&root).map_err(|e| SchemaLoadError {
                file: format!("{name}{SUFFIX}"),
                problem: e.to_string(),
            })?;
            validators.insert(name.clone(), validator);
        }
        Ok(Self { validators, sources })
    }

    /// A schema as written in `schemas/`, for comparisons with a store's own definitions.
    pub fn source(&self, name: &str) -> Option<&Value> {
        self.sources.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.validators.keys().map(String::as_str)
    }

    pub fn validate(&self, schema: &str, instance: &Value) -> Result<(), SchemaFailure> {
        let Some(validator) = self.validators.get(schema) else {
            return Err(SchemaFailure {
                schema: schema.to_owned(),
                violations: vec![SchemaViolation {
                    pointer: String::new(),
                    rule: "exists".into(),
                    message: format!(
                        "no schema named {schema:?} in schemas/ (known: {})",
                        self.names().collect::<Vec<_>>().join(", ")
                    ),
                }],
            });
        };
        let violations: Vec<SchemaViolation> = validator
            .iter_errors(instance)
            .map(|error| {
                let pointer = error.instance_path().to_string();
                let rule = error
                    .schema_path()
                    .to_string()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let found = super::json_path::lookup(instance, &pointer_to_path(&pointer))
                    .map(type_name)
                    .unwrap_or("nothing");
                SchemaViolation {
                    pointer,
                    rule,
                    message: format!("{} (found {found})", error.masked()),
                }
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(SchemaFailure {
                schema: schema.to_owned(),
                violations,
            })
        }
    }
}

fn pointer_to_path(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit()) {
                format!("[{s}]")
            } else {
                format!(".{s}")
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set() -> SchemaSet {
        let mut sources = BTreeMap::new();
        sources.insert(
            "thing".to_owned(),
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"},
                "parts": {"type": "array", "items": {"$ref": "#/$defs/part"}}
            }}),
        );
        sources.insert(
            "part".to_owned(),
            json!({"type": "object", "properties": {"secret": {"type": "integer"}}}),
        );
        SchemaSet::compile(sources).unwrap()
    }

    #[test]
    fn valid_instances_pass() {
        assert!(
            set()
                .validate("thing", &json!({"id": 1, "parts": [{"secret": 2}]}))
                .is_ok()
        );
    }

    #[test]
    fn failures_name_the_pointer_and_rule_without_the_value() {
        let failure = set()
            .validate("thing", &json!({"id": "7", "parts": [{"secret": "hunter2-token"}]}))
            .unwrap_err();
        let text = failure.to_string();
        assert!(text.contains("at /id: rule \"type\""), "{text}");
        assert!(text.contains("at /parts/0/secret: rule \"type\""), "{text}");
        assert!(text.contains("found string"), "{text}");
        assert!(!text.contains("hunter2-token"), "{text}");
    }

    #[test]
    fn missing_required_key_is_reported_at_the_parent() {
        let failure = set().validate("thing", &json!({})).unwrap_err();
        assert_eq!(failure.violations[0].rule, "required");
        assert_eq!(failure.violations[0].pointer, "");
    }

    #[test]
    fn unknown_schema_names_the_known_ones() {
        let text = set().validate("nope", &json!({})).unwrap_err().to_string();
        assert!(text.contains("known: part, thing"), "{text}");
    }

    /// Developer mode adds `trace`: null for a Webapi exception thrown directly (STORES.md U9).
    #[test]
    fn the_error_schema_takes_a_developer_mode_trace_of_string_or_null() {
        let set = SchemaSet::load(&FileSet::Dir(crate::config::project_dir().join("schemas"))).unwrap();
        let message = "Request does not match any route.";
        assert!(set.validate("error", &json!({"message": message})).is_ok());
        assert!(
            set.validate("error", &json!({"message": message, "trace": null}))
                .is_ok()
        );
        assert!(
            set.validate("error", &json!({"message": message, "trace": "#0 {main}"}))
                .is_ok()
        );
        assert!(set.validate("error", &json!({"message": message, "trace": 0})).is_err());
        assert!(
            set.validate("error", &json!({"message": message, "stack": null}))
                .is_err()
        );
    }

    #[test]
    fn the_repository_schemas_compile() {
        let dir = crate::config::project_dir().join("schemas");
        let set = SchemaSet::load(&FileSet::Dir(dir)).unwrap();
        for name in ["customer", "address", "region", "error", "token"] {
            assert!(set.names().any(|n| n == name), "schemas/{name}.schema.json is missing");
        }
        // A JWS, a 5-part JWE (direct encryption leaves the key part empty) and an opaque token
        // are tokens; four parts or an empty ciphertext are not (STORES.md R1).
        for token in [
            "eyJh.eyJ1.c2ln",
            "eyJh..aXY.Y2lw.dGFn",
            "eyJh.a2V5.aXY.Y2lw.dGFn",
            "q0u66k8h42yaevtchv09uyy3y9gaj2ap",
        ] {
            assert!(set.validate("token", &serde_json::json!(token)).is_ok(), "{token}");
        }
        for token in ["eyJh.eyJ1.c2ln.more", "eyJh..aXY..dGFn", "eyJh.a.b.c.d.e"] {
            assert!(set.validate("token", &serde_json::json!(token)).is_err(), "{token}");
        }
    }
}
