//! Documented versus observed: what a store answers compared with what the documentation
//! shows, difference by difference, and which differences a team has reviewed and accepted.
//!
//! Values that change from run to run (ids, timestamps, emails, tokens) are compared by JSON
//! type and format only; everything else by value too.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::failure::CheckFailure;
use super::json_path::{self, type_name};
use super::render::canonical_json;
use super::volatile::{is_volatile_key, redact_volatile};
use crate::suite_files::Document;
use crate::token_shape::{looks_like_jwt, looks_like_opaque_token, looks_like_token};
use crate::version::{MagentoVersion, VersionRange};

/// How an observed value differs from the documented one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    MissingKey,
    ExtraKey,
    TypeChange,
    FormatChange,
    ValueChange,
    /// Live schema cross-check: the store declares a property `schemas/` does not.
    AddedProperty,
    /// Live schema cross-check: `schemas/` has a property the store does not declare.
    RemovedProperty,
    /// Live schema cross-check: the store requires a property `schemas/` does not.
    RequiredChange,
    /// The documented response contradicts the page's own request (GRAPHQL.md §8: the
    /// response names another customer than the request created), whatever the store answers.
    SelfContradiction,
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self {
            DriftKind::MissingKey => "missing key",
            DriftKind::ExtraKey => "extra key",
            DriftKind::TypeChange => "type change",
            DriftKind::FormatChange => "format change",
            DriftKind::ValueChange => "value change",
            DriftKind::AddedProperty => "added property",
            DriftKind::RemovedProperty => "removed property",
            DriftKind::RequiredChange => "required change",
            DriftKind::SelfContradiction => "contradicts its own request",
        };
        f.write_str(label)
    }
}

/// One difference, at a JSON path (`$` is the whole document).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub path: String,
    pub kind: DriftKind,
    /// What the documentation shows, in words (`"Jane" (string)`, `opaque token`).
    pub documented: String,
    pub observed: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (documented {}, observed {})",
            self.path, self.kind, self.documented, self.observed
        )
    }
}

/// The format of a string, the part of it a contract cares about.
pub fn string_format(s: &str) -> &'static str {
    if looks_like_jwt(s) {
        "JWT"
    } else if looks_like_opaque_token(s) {
        "opaque 32-character token"
    } else if datetime_like(s, ' ') {
        "Y-m-d H:i:s datetime"
    } else if datetime_like(s, 'T') {
        "ISO 8601 datetime"
    } else if s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(7) == Some(&b'-') {
        "Y-m-d date"
    } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        "decimal digits"
    } else if s.contains('@') && s.contains('.') && !s.contains(' ') {
        "email address"
    } else {
        "text"
    }
}

fn datetime_like(s: &str, separator: char) -> bool {
    s.len() >= 19 && s.as_bytes().get(10) == Some(&(separator as u8)) && s[..4].chars().all(|c| c.is_ascii_digit())
}

fn describe(value: &Value, volatile: bool) -> String {
    match value {
        Value::String(s) if volatile => format!("{} (string)", string_format(s)),
        Value::String(s) if looks_like_token(s) => format!("{} (string)", string_format(s)),
        other if volatile => type_name(other).to_owned(),
        other => json_path::describe(Some(other)),
    }
}

/// Where a documented response contradicts its own page's request: a field the request sends
/// (`input`, as `(name, value)`) that the documented `data.<root>.customer` shows with another
/// value. A real store echoes what it saved, so such an example cannot be right.
pub fn self_contradictions(input: &[(String, String)], documented: &Value) -> Vec<Difference> {
    let Some(roots) = documented.get("data").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (root, answer) in roots {
        let Some(customer) = answer.get("customer").and_then(Value::as_object) else {
            continue;
        };
        for (field, sent) in input {
            match customer.get(field) {
                Some(Value::String(shown)) if shown != sent => out.push(Difference {
                    path: format!("data.{root}.customer.{field}"),
                    kind: DriftKind::SelfContradiction,
                    documented: format!("{shown:?} in the page's response"),
                    observed: format!("{sent:?} in the page's own request"),
                }),
                _ => {}
            }
        }
    }
    out
}

/// Every difference between a documented response and an observed one, by leaf path.
pub fn compare(documented: &Value, observed: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk("$", false, Some(documented), Some(observed), &mut out);
    out
}

fn child_path(parent: &str, key: &str) -> String {
    if parent == "$" {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn walk(path: &str, volatile: bool, documented: Option<&Value>, observed: Option<&Value>, out: &mut Vec<Difference>) {
    match (documented, observed) {
        (None, None) => {}
        (Some(d), None) => leaves(path, d, &mut |p, v| {
            out.push(Difference {
                path: p,
                kind: DriftKind::MissingKey,
                documented: describe(v, false),
                observed: "nothing".into(),
            })
        }),
        (None, Some(o)) => leaves(path, o, &mut |p, v| {
            out.push(Difference {
                path: p,
                kind: DriftKind::ExtraKey,
                documented: "nothing".into(),
                observed: describe(v, false),
            })
        }),
        (Some(Value::Object(d)), Some(Value::Object(o))) => {
            let mut keys: Vec<&String> = d.keys().chain(o.keys().filter(|k| !d.contains_key(*k))).collect();
            keys.sort();
            for key in keys {
                let volatile = is_volatile_key(key);
                walk(&child_path(path, key), volatile, d.get(key), o.get(key), out);
            }
        }
        (Some(Value::Array(d)), Some(Value::Array(o))) => {
            for i in 0..d.len().max(o.len()) {
                walk(&format!("{path}[{i}]"), volatile, d.get(i), o.get(i), out);
            }
        }
        (Some(d), Some(o)) => {
            if type_name(d) != type_name(o) {
                out.push(Difference {
                    path: path.to_owned(),
                    kind: DriftKind::TypeChange,
                    documented: describe(d, volatile),
                    observed: describe(o, volatile),
                });
            } else if let (Value::String(ds), Value::String(os)) = (d, o)
                && string_format(ds) != string_format(os)
            {
                out.push(Difference {
                    path: path.to_owned(),
                    kind: DriftKind::FormatChange,
                    documented: describe(d, true),
                    observed: describe(o, true),
                });
            } else if !volatile && !is_token(d) && d != o {
                out.push(Difference {
                    path: path.to_owned(),
                    kind: DriftKind::ValueChange,
                    documented: describe(d, false),
                    observed: describe(o, false),
                });
            }
        }
    }
}

fn is_token(value: &Value) -> bool {
    value.as_str().is_some_and(looks_like_token)
}

/// Calls `f` for each leaf under `value` (an empty object or array is a leaf itself).
fn leaves(path: &str, value: &Value, f: &mut dyn FnMut(String, &Value)) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                leaves(&child_path(path, key), v, f);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(&format!("{path}[{i}]"), v, f);
            }
        }
        other => f(path.to_owned(), other),
    }
}

/// A reviewed difference that does not fail the run.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AcceptedDrift {
    /// Which documented response (`tutorial-create-customer`, `tutorial-customer-token`,
    /// `live-schema`).
    pub document: String,
    pub path: String,
    pub kind: DriftKind,
    /// Magento releases it applies to, e.g. `2.4.4-` or `-2.4.6-p8` (see `version::VersionRange`).
    pub versions: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    drift: Vec<AcceptedDrift>,
}

/// The accepted-drift baseline (`drift/accepted.toml`).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub accepted: Vec<AcceptedDrift>,
}

#[derive(Debug, thiserror::Error)]
#[error("drift baseline {file}: {problem}")]
pub struct BaselineError {
    pub file: String,
    pub problem: String,
}

impl Baseline {
    pub fn load(document: &Document) -> Result<Self, BaselineError> {
        let file = document.label();
        let text = document.read().map_err(|e| BaselineError {
            file: file.clone(),
            problem: format!("cannot be read ({e}); set MAGENTO_DRIFT_BASELINE"),
        })?;
        Self::parse(&text).map_err(|problem| BaselineError { file, problem })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed: BaselineFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        for entry in &parsed.drift {
            entry
                .versions
                .parse::<VersionRange>()
                .map_err(|e| format!("{}: versions: {e}", entry.path))?;
        }
        Ok(Self { accepted: parsed.drift })
    }

    /// The accepted entry that covers this difference for the configured release (any release
    /// the suite assumes when none is configured), if any.
    pub fn accepting(
        &self,
        document: &str,
        difference: &Difference,
        version: Option<&MagentoVersion>,
    ) -> Option<&AcceptedDrift> {
        let possible = VersionRange::possible(version);
        self.accepted.iter().find(|a| {
            a.document == document
                && a.path == difference.path
                && a.kind == difference.kind
                && a.versions
                    .parse::<VersionRange>()
                    .is_ok_and(|range| range.overlaps(&possible))
        })
    }
}

/// A document as the drift diff shows it: tokens as their format (`[JWT]`), then the run's
/// volatile values redacted as in snapshots.
fn diff_view(value: &Value) -> Value {
    fn formats(value: &Value) -> Value {
        match value {
            Value::String(s) if is_token(value) => Value::String(format!("[{}]", string_format(s))),
            Value::Array(items) => Value::Array(items.iter().map(formats).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), formats(v))).collect()),
            other => other.clone(),
        }
    }
    redact_volatile(&formats(value))
}

/// A difference with its verdict, as the drift report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct DriftRecord {
    pub document: String,
    pub scenario: String,
    #[serde(flatten)]
    pub difference: Difference,
    /// The baseline's reason when accepted; `None` for new drift, which fails the run unless it
    /// is a module's addition.
    pub accepted_because: Option<String>,
    /// A key or property a module added ([`is_module_addition`]): reported, and failing only
    /// with `MAGENTO_STRICT_DRIFT=1`.
    pub module_addition: bool,
}

impl DriftRecord {
    /// Whether this difference fails the run: neither accepted nor a tolerated addition.
    pub fn fails(&self, strict: bool) -> bool {
        self.accepted_because.is_none() && (strict || !self.module_addition)
    }
}

/// What modules legitimately add (STORES.md C7, CONTRACT.md §12: "drift to review, not
/// failures by default"): a key under `extension_attributes` or in `custom_attributes`, and a
/// property the store's own Swagger declares beyond `schemas/`. A missing key, a removed
/// property and every change of type, format or value are not additions.
pub fn is_module_addition(difference: &Difference) -> bool {
    match difference.kind {
        DriftKind::AddedProperty => true,
        DriftKind::ExtraKey => difference
            .path
            .split('.')
            .any(|segment| segment == "extension_attributes" || segment.starts_with("custom_attributes")),
        _ => false,
    }
}

/// The documented and the observed response as the drift report and a failure show them: the
/// word-marked diff of their canonical JSON, tokens shown as their format and volatile values
/// redacted.
pub fn documented_diff(documented: &Value, observed: &Value) -> String {
    render_diff(
        &canonical_json(&diff_view(documented)),
        &canonical_json(&diff_view(observed)),
    )
}

/// Differences the baseline does not accept fail, each named, then the diff (empty for the
/// live schema, which has none).
pub fn expect_no_new_drift(document: &str, new: &[Difference], diff: &str) -> Result<(), CheckFailure> {
    if new.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = new.iter().map(|d| format!("  - {d}")).collect();
    Err(CheckFailure::Body(format!(
        "{} new difference(s) from the documented {document:?} (not in the drift baseline):\n{}\n{diff}",
        new.len(),
        lines.join("\n")
    )))
}

/// A side-by-side of canonical JSON as a unified diff, with the changed words of each changed
/// line marked `[-removed-]` / `{+added+}` so the change is visible without colour.
fn render_diff(documented: &str, observed: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(documented, observed);
    let mut out = String::from("--- documented\n+++ observed\n");
    for group in diff.grouped_ops(2) {
        for op in group {
            for change in diff.iter_inline_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                out.push(sign);
                for (emphasized, text) in change.iter_strings_lossy() {
                    match (emphasized, change.tag()) {
                        (true, ChangeTag::Delete) => out.push_str(&format!("[-{text}-]")),
                        (true, ChangeTag::Insert) => out.push_str(&format!("{{+{text}+}}")),
                        _ => out.push_str(&text),
                    }
                }
                if change.missing_newline() {
                    out.push('\n');
                }
            }
        }
        out.push_str("@@\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn difference(path: &str, kind: DriftKind) -> Difference {
        Difference {
            path: path.into(),
            kind,
            documented: "nothing".into(),
            observed: "object".into(),
        }
    }

    #[test]
    fn module_additions_are_extension_and_custom_attribute_keys_and_added_properties() {
        for addition in [
            difference(
                "extension_attributes.company_attributes.company_id",
                DriftKind::ExtraKey,
            ),
            difference("custom_attributes[0].value", DriftKind::ExtraKey),
            difference("addresses[0].extension_attributes.x", DriftKind::ExtraKey),
            difference(
                "customer-data-customer-extension-interface.company_attributes",
                DriftKind::AddedProperty,
            ),
        ] {
            assert!(is_module_addition(&addition), "{addition}");
        }
        for core in [
            difference("gender", DriftKind::ExtraKey),
            difference("extension_attributes.is_subscribed", DriftKind::MissingKey),
            difference("extension_attributes.is_subscribed", DriftKind::TypeChange),
            difference("customer-data-customer-interface.email", DriftKind::RemovedProperty),
            difference("customer-data-customer-interface.email", DriftKind::RequiredChange),
            difference("custom_attributes", DriftKind::ValueChange),
        ] {
            assert!(!is_module_addition(&core), "{core}");
        }
    }

    #[test]
    fn an_addition_fails_only_when_strict_and_accepted_drift_never() {
        let record = |accepted: Option<&str>, module_addition: bool| DriftRecord {
            document: "d".into(),
            scenario: "s".into(),
            difference: difference("p", DriftKind::ExtraKey),
            accepted_because: accepted.map(str::to_owned),
            module_addition,
        };
        assert!(!record(None, true).fails(false));
        assert!(record(None, true).fails(true));
        assert!(record(None, false).fails(false));
        assert!(!record(Some("reviewed"), false).fails(true));
    }
    use serde_json::json;

    fn tutorial() -> Value {
        json!({"id": 2, "default_billing": "2", "created_at": "2017-01-31 01:18:13", "created_in": "Default Store View",
               "email": "jdoe@example.com", "firstname": "Jane",
               "addresses": [{"id": 2, "region": {"region_id": 43}, "default_billing": true}]})
    }

    #[test]
    fn volatile_values_differ_without_drift() {
        let observed = json!({"id": 91, "default_billing": "17", "created_at": "2026-11-29 10:00:00", "created_in": "Default Store View",
               "email": "mc-x-1@example.com", "firstname": "Jane",
               "addresses": [{"id": 17, "region": {"region_id": 43}, "default_billing": true}]});
        assert_eq!(compare(&tutorial(), &observed), vec![]);
    }

    #[test]
    fn extra_objects_are_reported_leaf_by_leaf() {
        let mut observed = tutorial();
        observed["extension_attributes"] = json!({"is_subscribed": false});
        let diffs = compare(&tutorial(), &observed);
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].path, "extension_attributes.is_subscribed");
        assert_eq!(diffs[0].kind, DriftKind::ExtraKey);
    }

    #[test]
    fn type_format_value_and_missing_changes_are_named() {
        let mut observed = tutorial();
        observed["default_billing"] = json!(2);
        observed["created_at"] = json!("2026-11-29T10:00:00+00:00");
        observed["created_in"] = json!("Main Store");
        observed["addresses"][0].as_object_mut().unwrap().remove("region");
        let diffs = compare(&tutorial(), &observed);
        let kinds: Vec<(&str, DriftKind)> = diffs.iter().map(|d| (d.path.as_str(), d.kind)).collect();
        assert!(kinds.contains(&("default_billing", DriftKind::TypeChange)), "{kinds:?}");
        assert!(kinds.contains(&("created_at", DriftKind::FormatChange)), "{kinds:?}");
        assert!(kinds.contains(&("created_in", DriftKind::ValueChange)), "{kinds:?}");
        assert!(
            kinds.contains(&("addresses[0].region.region_id", DriftKind::MissingKey)),
            "{kinds:?}"
        );
    }

    #[test]
    fn an_opaque_token_becoming_a_jwt_is_a_format_change() {
        let diffs = compare(
            &json!("q0u66k8h42yaevtchv09uyy3y9gaj2ap"),
            &json!("eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjZ9.c2ln"),
        );
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].path, "$");
        assert_eq!(diffs[0].kind, DriftKind::FormatChange);
        assert!(
            diffs[0].observed.contains("JWT") && !diffs[0].observed.contains("eyJ"),
            "{}",
            diffs[0]
        );
        assert_eq!(
            compare(
                &json!("q0u66k8h42yaevtchv09uyy3y9gaj2ap"),
                &json!("abcdefghijklmnopqrstuvwxyz012345")
            ),
            vec![]
        );
    }

    /// The header of a store whose key was rotated (`{"kid":"2",…}`, STORES.md U14) is a JWT too.
    #[test]
    fn a_jwt_of_any_kid_has_the_jwt_format() {
        let kid_2 = "eyJraWQiOiIyIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjZ9.c2ln";
        assert_eq!(string_format(kid_2), "JWT");
        assert_eq!(
            compare(
                &json!("eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjZ9.c2ln"),
                &json!(kid_2)
            ),
            vec![]
        );
        assert_eq!(diff_view(&json!({"t": kid_2})), json!({"t": "[JWT]"}));
    }

    #[test]
    fn the_baseline_accepts_by_document_path_kind_and_version() {
        let baseline = Baseline::parse(
            r#"
            [[drift]]
            document = "tutorial-customer-token"
            path = "$"
            kind = "format-change"
            versions = "2.4.4-"
            reason = "JWT since 2.4.4"
            "#,
        )
        .unwrap();
        let jwt = Difference {
            path: "$".into(),
            kind: DriftKind::FormatChange,
            documented: String::new(),
            observed: String::new(),
        };
        let version = |text: &str| Some(text.parse::<MagentoVersion>().unwrap());
        assert!(
            baseline
                .accepting("tutorial-customer-token", &jwt, version("2.4").as_ref())
                .is_some()
        );
        assert!(
            baseline
                .accepting("tutorial-customer-token", &jwt, version("2.4.6-p8").as_ref())
                .is_some()
        );
        assert!(baseline.accepting("tutorial-customer-token", &jwt, None).is_some());
        assert!(
            baseline
                .accepting("tutorial-customer-token", &jwt, version("2.4.3-p3").as_ref())
                .is_none()
        );
        assert!(
            baseline
                .accepting("tutorial-create-customer", &jwt, version("2.4.8").as_ref())
                .is_none()
        );
    }

    #[test]
    fn a_malformed_baseline_is_an_error() {
        assert!(Baseline::parse("[[drift]]\npath = 1").is_err());
        assert!(
            Baseline::parse("[[drift]]\ndocument='d'\npath='p'\nkind='extra-key'\nversions='x'\nreason='r'").is_err()
        );
    }

    #[test]
    fn the_repository_baseline_parses() {
        let path = crate::config::project_dir().join("drift/accepted.toml");
        let baseline = Baseline::load(&Document::File(path)).unwrap();
        assert!(baseline.accepted.len() >= 2);
    }

    #[test]
    fn the_diff_view_shows_token_formats_not_tokens() {
        assert_eq!(
            diff_view(&json!("q0u66k8h42yaevtchv09uyy3y9gaj2ap")),
            json!("[opaque 32-character token]")
        );
        assert_eq!(
            diff_view(&json!({"id": 5, "t": "eyJhbGciOi.eyJ1aWQi.c2ln"})),
            json!({"id": "[id]", "t": "[JWT]"})
        );
    }

    #[test]
    fn new_drift_fails_naming_each_difference_and_accepted_drift_passes() {
        assert!(expect_no_new_drift("tutorial-create-customer", &[], "").is_ok());
        let mut observed = tutorial();
        observed["created_in"] = json!("Main Store");
        let new = compare(&tutorial(), &observed);
        let diff = documented_diff(&tutorial(), &observed);
        let failure = expect_no_new_drift("tutorial-create-customer", &new, &diff)
            .unwrap_err()
            .to_string();
        assert!(
            failure.starts_with(
                "1 new difference(s) from the documented \"tutorial-create-customer\" (not in the drift baseline):\n  - created_in: value change"
            ),
            "{failure}"
        );
        assert!(
            failure.ends_with(&format!("\n{diff}")) && diff.starts_with("--- documented\n+++ observed\n"),
            "{failure}"
        );
    }

    #[test]
    fn diffs_mark_the_changed_words() {
        let diff = render_diff(
            "{\n  \"a\": \"Default Store View\"\n}\n",
            "{\n  \"a\": \"Main Store View\"\n}\n",
        );
        assert!(diff.contains("[-\"Default-] Store View"), "{diff}");
        assert!(diff.contains("{+\"Main+} Store View"), "{diff}");
    }

    #[test]
    fn a_response_naming_another_customer_than_its_request_contradicts_itself() {
        let input = vec![
            ("firstname".to_owned(), "John".to_owned()),
            ("email".to_owned(), "john.doe@example.com".to_owned()),
            ("password".to_owned(), "b1b2b3l@w+".to_owned()),
        ];
        let page = serde_json::json!({"data": {"createCustomerV2": {"customer": {"firstname": "Bob", "email": "bobloblaw@example.com", "is_subscribed": true}}}});
        let found = self_contradictions(&input, &page);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].path, "data.createCustomerV2.customer.firstname");
        assert_eq!(found[0].kind, DriftKind::SelfContradiction);
        let consistent = serde_json::json!({"data": {"createCustomer": {"customer": {"firstname": "John", "email": "john.doe@example.com"}}}});
        assert!(self_contradictions(&input, &consistent).is_empty());
        assert!(self_contradictions(&input, &serde_json::json!("token")).is_empty());
    }
}
