//! GraphQL (GRAPHQL.md): the documents the feature files send, the error envelope a store
//! answers with (§1.7), and the HTTP status each Magento release gives it (§1.9).
//!
//! Documents are parsed with `async-graphql-parser` when the suite loads, so a typo in a feature
//! file is one line naming the file and line instead of a confusing answer from the store.

use std::fmt;

use async_graphql_parser::types::{DocumentOperations, OperationType, Selection};
use async_graphql_parser::{Positioned, parse_query};
use async_graphql_value::Value as GqlValue;
use serde_json::{Map, Value};

use super::failure::CheckFailure;
use super::render::json_diff;
use crate::version::{MagentoVersion, VersionRange};

/// Root fields whose success creates a customer account (§2): the clean-up must find it.
const CREATE_MUTATIONS: [&str; 2] = ["createCustomerV2", "createCustomer"];

/// Whether the single operation of a document reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
    Subscription,
}

/// What the harness needs to know about a document it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: OperationKind,
    /// The root fields of the operation(s), in document order.
    pub root_fields: Vec<String>,
    /// The literal `input: {email: "…"}` of a create mutation, if the document spells it out.
    pub literal_email: Option<String>,
    /// Every string literal of a create mutation's `input`, as `(field, value)`.
    pub create_input: Vec<(String, String)>,
    /// String literals given to a secret-named argument or input field (`password: "…"`): the
    /// run redacts them as it redacts a `password` key in a JSON body.
    pub secret_literals: Vec<String>,
}

impl Document {
    /// A create mutation: its success leaves an account behind to delete.
    pub fn creates_customer(&self) -> bool {
        self.kind == OperationKind::Mutation && self.root_fields.iter().any(|f| CREATE_MUTATIONS.contains(&f.as_str()))
    }
}

/// A document that does not parse, located inside the document (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column} of the document: {message}")]
pub struct DocumentError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses one GraphQL document. Magento ignores `operationName` (§1.2), so a document with more
/// than one operation is refused here, as the store would refuse it.
pub fn parse_document(text: &str) -> Result<Document, DocumentError> {
    let document = parse_query(text).map_err(|error| {
        let at = error.positions().next();
        DocumentError {
            line: at.map_or(1, |p| p.line),
            column: at.map_or(1, |p| p.column),
            message: one_line(&error.to_string()),
        }
    })?;
    let operation = match &document.operations {
        DocumentOperations::Single(operation) => operation,
        DocumentOperations::Multiple(operations) => {
            let mut all: Vec<_> = operations.values().collect();
            all.sort_by_key(|o| (o.pos.line, o.pos.column));
            match all.as_slice() {
                [only] => *only,
                [_, second, ..] => {
                    return Err(DocumentError {
                        line: second.pos.line,
                        column: second.pos.column,
                        message: "more than one operation: Magento ignores operationName and refuses such a document (GRAPHQL.md §1.2); send one operation".into(),
                    });
                }
                [] => {
                    return Err(DocumentError {
                        line: 1,
                        column: 1,
                        message: "the document has no operation".into(),
                    });
                }
            }
        }
    };
    let kind = match operation.node.ty {
        OperationType::Query => OperationKind::Query,
        OperationType::Mutation => OperationKind::Mutation,
        OperationType::Subscription => OperationKind::Subscription,
    };
    let mut root_fields = Vec::new();
    let mut create_input = Vec::new();
    let mut secret_literals = Vec::new();
    for item in &operation.node.selection_set.node.items {
        let Selection::Field(field) = &item.node else { continue };
        let name = field.node.name.node.to_string();
        for (argument, value) in &field.node.arguments {
            collect_secrets(argument.node.as_str(), &value.node, &mut secret_literals);
            if CREATE_MUTATIONS.contains(&name.as_str())
                && argument.node.as_str() == "input"
                && let GqlValue::Object(input) = &value.node
            {
                create_input.extend(input.iter().filter_map(|(field, v)| match v {
                    GqlValue::String(text) => Some((field.to_string(), text.clone())),
                    _ => None,
                }));
            }
        }
        root_fields.push(name);
    }
    let literal_email = create_input.iter().find(|(f, _)| f == "email").map(|(_, v)| v.clone());
    Ok(Document {
        kind,
        root_fields,
        literal_email,
        create_input,
        secret_literals,
    })
}

/// Secret-named string literals, at any depth of an argument.
fn collect_secrets(name: &str, value: &GqlValue, out: &mut Vec<String>) {
    match value {
        GqlValue::String(text) if crate::secrets::is_secret_key(name) => out.push(text.clone()),
        GqlValue::Object(fields) => fields
            .iter()
            .for_each(|(key, inner)| collect_secrets(key.as_str(), inner, out)),
        GqlValue::List(items) => items.iter().for_each(|inner| collect_secrets(name, inner, out)),
        _ => {}
    }
}

/// The parser's message is a drawing over several lines; its last `= …` line says what it
/// expected, which is the part a reader needs.
fn one_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map_or_else(
            || message.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_owned,
        )
}

/// The position of a root field in a document (1-based line and column), which graphql-php
/// reports as the `locations` of an error on that field (§1.7 A).
pub fn root_field_location(text: &str, field: &str) -> Option<(usize, usize)> {
    let document = parse_query(text).ok()?;
    document.operations.iter().find_map(|(_, operation)| {
        operation
            .node
            .selection_set
            .node
            .items
            .iter()
            .find_map(|item| match &item.node {
                Selection::Field(Positioned { node, pos }) if node.name.node.as_str() == field => {
                    Some((pos.line, pos.column))
                }
                _ => None,
            })
    })
}

/// `CustomerCreateInput` fields a store's required attributes map to (GRAPHQL.md §2.1): REST's
/// `dob` is `date_of_birth`; the rest keep their names. `custom_attributes` is V2's only.
const CREATE_INPUT_FIELDS: [&str; 7] = [
    "date_of_birth",
    "gender",
    "middlename",
    "prefix",
    "suffix",
    "taxvat",
    "custom_attributes",
];

/// The fields a store requires beyond a stock one (REST names, `MAGENTO_EXTRA_CUSTOMER_FIELDS`
/// or detected), as `CustomerCreateInput` takes them: `dob` renamed, custom attribute values
/// as strings (`AttributeValueInput.value: String`), fields the input type lacks left out.
fn create_input_extras(extras: &Map<String, Value>, mutation: &str) -> Map<String, Value> {
    extras
        .iter()
        .filter_map(|(key, value)| {
            let key = if key == "dob" { "date_of_birth" } else { key.as_str() };
            let value = match (key, value) {
                ("custom_attributes", Value::Array(attributes)) => Value::Array(
                    attributes
                        .iter()
                        .map(|attribute| {
                            let mut attribute = attribute.clone();
                            if let Some(value) = attribute.get_mut("value").filter(|v| !v.is_string()) {
                                *value = Value::from(value.to_string());
                            }
                            attribute
                        })
                        .collect(),
                ),
                _ => value.clone(),
            };
            let known =
                CREATE_INPUT_FIELDS.contains(&key) && !(key == "custom_attributes" && mutation == "createCustomer");
            known.then(|| (key.to_owned(), value))
        })
        .collect()
}

/// A JSON value as a GraphQL input literal (object keys unquoted).
fn graphql_literal(value: &Value) -> String {
    match value {
        Value::Array(items) => format!("[{}]", items.iter().map(graphql_literal).collect::<Vec<_>>().join(", ")),
        Value::Object(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(key, value)| format!("{key}: {}", graphql_literal(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// A create mutation as this store needs it (STORES.md U4): the fields it requires beyond a
/// stock store's merged into the `input`, where the input does not set them, whether the input
/// is a literal (the fields go in before its closing brace, so no location the store reports
/// moves) or the `$input` variable. Only an input that carries an `email` gets them: an empty or
/// email-less input is a scenario about what is missing, and its answer names what was sent.
pub fn add_create_fields(text: &str, variables: &mut Option<Value>, extras: &Map<String, Value>) -> String {
    if extras.is_empty() {
        return text.to_owned();
    }
    let Ok(document) = parse_query(text) else {
        return text.to_owned();
    };
    let mut text = text.to_owned();
    for (_, operation) in document.operations.iter() {
        if operation.node.ty != OperationType::Mutation {
            continue;
        }
        for item in &operation.node.selection_set.node.items {
            let Selection::Field(field) = &item.node else { continue };
            let name = field.node.name.node.as_str();
            if !CREATE_MUTATIONS.contains(&name) {
                continue;
            }
            let extras = create_input_extras(extras, name);
            for (argument, value) in &field.node.arguments {
                if argument.node.as_str() != "input" {
                    continue;
                }
                match &value.node {
                    GqlValue::Object(fields) if fields.keys().any(|k| k.as_str() == "email") => {
                        let missing: Vec<String> = extras
                            .iter()
                            .filter(|(key, _)| !fields.keys().any(|k| k.as_str() == key.as_str()))
                            .map(|(key, value)| format!(" {key}: {}", graphql_literal(value)))
                            .collect();
                        if let Some(end) = closing_brace(&text, value.pos.line, value.pos.column) {
                            text.insert_str(end, &missing.concat());
                        }
                    }
                    GqlValue::Variable(variable) => {
                        if let Some(input) = variables
                            .as_mut()
                            .and_then(|v| v.get_mut(variable.as_str()))
                            .and_then(Value::as_object_mut)
                            .filter(|input| input.contains_key("email"))
                        {
                            for (key, value) in &extras {
                                input.entry(key.clone()).or_insert_with(|| value.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    text
}

/// The byte offset of the `}` that closes the object literal opening at `line`:`column`
/// (1-based, in characters), skipping strings.
fn closing_brace(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let start = line_start + text[line_start..].char_indices().nth(column - 1)?.0;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (offset, c) in text[start..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + offset);
                }
            }
            _ => {}
        }
    }
    None
}

/// The two ways Magento 2.4 maps a GraphQL answer to an HTTP status (§1.9): the 2.4.8 controller
/// maps categories and request-level errors to 4xx; 2.4.0 to 2.4.7 answer 200 to everything
/// that executed and 500 to what failed before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusRule {
    /// 2.4.0 – 2.4.7-p6.
    Before248,
    /// 2.4.8 and later.
    From248,
}

impl StatusRule {
    /// The range of releases that follow this rule, as `MAGENTO_VERSION` ranges are written.
    pub fn versions(self) -> &'static str {
        match self {
            StatusRule::Before248 => "2.4.0-2.4.7",
            StatusRule::From248 => "2.4.8-",
        }
    }

    /// The releases that follow this rule.
    fn range(self) -> VersionRange {
        self.versions().parse().expect("the rules' ranges are well formed")
    }

    /// The rules a configured `MAGENTO_VERSION` allows: both for a bare `2.4`, the current
    /// release's first, so that a failure names what 2.4.8 expects before what 2.4.7 did.
    pub fn for_version(version: Option<&MagentoVersion>) -> Result<Vec<StatusRule>, String> {
        let possible = VersionRange::possible(version);
        let rules: Vec<StatusRule> = [StatusRule::From248, StatusRule::Before248]
            .into_iter()
            .filter(|rule| rule.range().overlaps(&possible))
            .collect();
        match (rules.is_empty(), version) {
            (true, Some(version)) => Err(format!(
                "MAGENTO_VERSION={version} has no GraphQL status rule: the covered releases are 2.4.0 and later"
            )),
            _ => Ok(rules),
        }
    }
}

impl fmt::Display for StatusRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StatusRule::Before248 => "2.4.0 to 2.4.7 (200 for every executed request, 500 before execution)",
            StatusRule::From248 => "2.4.8 and later (401 authentication, 403 authorization, 400 request errors)",
        })
    }
}

/// `extensions.category` of the first error that has one.
fn first_category(body: &Value) -> Option<&str> {
    body.get("errors")?
        .as_array()?
        .iter()
        .find_map(|e| e.pointer("/extensions/category")?.as_str())
}

fn first_message(body: &Value) -> &str {
    body.pointer("/errors/0/message")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The statuses a release answers with a documented body (§1.9), read from its shape (§1.7):
/// a body with `data` executed (shape A), one without `data` and without a category is a
/// validation error (B) unless it is a syntax error, one without `data` with a category failed
/// before execution (C), and `Internal server error` without `data` is a controller failure.
pub fn expected_statuses(documented: &Value, rule: StatusRule) -> Vec<u16> {
    let executed = documented.get("data").is_some() || documented.get("errors").is_none();
    let category = first_category(documented);
    let message = first_message(documented);
    match rule {
        StatusRule::From248 if executed => vec![match category {
            Some("graphql-authentication") => 401,
            Some("graphql-authorization") => 403,
            _ => 200,
        }],
        StatusRule::Before248 if executed => vec![200],
        _ if message == "Internal server error" => vec![500],
        StatusRule::From248 if message.starts_with("Syntax Error") => vec![400],
        // 2.4.6 answered 200 to an empty query and in developer mode, 500 otherwise (§1.9).
        StatusRule::Before248 if message.starts_with("Syntax Error") => vec![200, 500],
        StatusRule::From248 => match category {
            None => vec![200],
            Some("graphql-authentication") => vec![401],
            Some(_) => vec![400],
        },
        StatusRule::Before248 => match category {
            None => vec![200],
            Some(_) => vec![500],
        },
    }
}

/// Keys developer mode adds to an error's `extensions` (§1.7 "Developer-mode extras"); a store
/// in developer mode is legitimate, so they are ignored.
const DEVELOPER_EXTENSIONS: [&str; 4] = ["debugMessage", "file", "line", "trace"];

/// How the store renders GraphQL errors, as far as legitimate stores differ (§1.5, §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Renderer {
    /// graphql-php 14 (Magento up to 2.4.5) may answer: it added
    /// `"extensions": {"category": "graphql"}` to validation and syntax errors (§1.7
    /// "Historical formats"; captures G28, G30).
    pub graphql_php_14: bool,
    /// The store is in developer mode, where every error is returned, not only the first (§1.5).
    pub developer_mode: bool,
}

impl Renderer {
    /// What the configured `MAGENTO_VERSION` and the store's mode allow.
    pub fn for_store(version: Option<&MagentoVersion>, developer_mode: bool) -> Self {
        let graphql_php_14: VersionRange = "2.4.0-2.4.5".parse().expect("a well-formed range");
        Renderer {
            graphql_php_14: graphql_php_14.overlaps(&VersionRange::possible(version)),
            developer_mode,
        }
    }
}

/// Compares a GraphQL answer with the documented one exactly: the same top-level keys (`data`
/// present or absent), the same number of errors, each with exactly `message`, `locations`,
/// `path` and `extensions` as documented. Only developer mode's extensions and further errors
/// (after the documented ones) are ignored, and, where graphql-php 14 may answer, its `category`
/// `graphql` on an error documented without one.
pub fn expect_graphql_body(observed: &Value, documented: &Value, renderer: Renderer) -> Result<(), CheckFailure> {
    let fail = |what: String| {
        Err(CheckFailure::Body(format!(
            "GraphQL answer differs from Magento's: {what}\n{}",
            json_diff(documented, observed)
        )))
    };
    let (Some(got), Some(want)) = (observed.as_object(), documented.as_object()) else {
        return fail("expected a JSON object with \"errors\" and/or \"data\"".into());
    };
    if let Some(key) = want.keys().find(|k| !got.contains_key(*k)) {
        return fail(format!("missing key {key:?}"));
    }
    if let Some(key) = got.keys().find(|k| !want.contains_key(*k)) {
        return fail(format!("unexpected key {key:?}"));
    }
    if want.get("data") != got.get("data") {
        return fail("data differs".into());
    }
    if let Some(want_errors) = want.get("errors") {
        let (Some(got_errors), Some(want_errors)) = (got["errors"].as_array(), want_errors.as_array()) else {
            return fail("\"errors\" is not a list".into());
        };
        let more_allowed = renderer.developer_mode && got_errors.len() > want_errors.len();
        if got_errors.len() != want_errors.len() && !more_allowed {
            return fail(format!(
                "{} error(s) expected, {} received",
                want_errors.len(),
                got_errors.len()
            ));
        }
        for (index, (got_error, want_error)) in got_errors.iter().zip(want_errors).enumerate() {
            if let Some(difference) = error_difference(got_error, want_error, renderer) {
                return fail(format!("errors[{index}]: {difference}"));
            }
        }
    }
    Ok(())
}

fn error_difference(got: &Value, want: &Value, renderer: Renderer) -> Option<String> {
    let (Some(got), Some(want)) = (got.as_object(), want.as_object()) else {
        return Some("an error is not an object".into());
    };
    let mut got = got.clone();
    let documented_without_extensions = !want.contains_key("extensions");
    if let Some(Value::Object(extensions)) = got.get_mut("extensions") {
        extensions.retain(|k, _| !DEVELOPER_EXTENSIONS.contains(&k.as_str()));
        if renderer.graphql_php_14
            && documented_without_extensions
            && extensions.get("category") == Some(&Value::from("graphql"))
        {
            extensions.remove("category");
        }
        if extensions.is_empty() && !want.contains_key("extensions") {
            got.remove("extensions");
        }
    }
    first_key_difference(&got, want)
}

fn first_key_difference(got: &Map<String, Value>, want: &Map<String, Value>) -> Option<String> {
    if let Some(key) = want.keys().find(|k| !got.contains_key(*k)) {
        return Some(format!("missing {key:?}"));
    }
    if let Some(key) = got.keys().find(|k| !want.contains_key(*k)) {
        return Some(format!("unexpected {key:?} = {}", got[key]));
    }
    want.iter()
        .find(|(key, value)| got.get(*key) != Some(value))
        .map(|(key, value)| format!("{key}: expected {value}, received {}", got[key]))
}

/// Which documented answer the store gave: each is `(versions, body)`; a row applies to the
/// rules whose releases overlap its versions and the configured `MAGENTO_VERSION`. The status
/// must be one the row's release gives its body, and the body must match exactly. Returns the
/// rule the answer shows, when only one of the allowed rules explains it.
pub fn expect_graphql_answer(
    status: u16,
    observed: &Value,
    documented: &[(String, Value)],
    rules: &[StatusRule],
    renderer: Renderer,
) -> Result<Option<StatusRule>, CheckFailure> {
    // A body that differs says more than a status that differs, so those misses come first.
    let (mut body_misses, mut status_misses) = (Vec::new(), Vec::new());
    let mut matched = Vec::new();
    for (versions, body) in documented {
        for &rule in rules {
            let row: VersionRange = versions.parse().map_err(CheckFailure::Body)?;
            if !row.overlaps(&rule.range()) {
                continue;
            }
            let statuses = expected_statuses(body, rule);
            if !statuses.contains(&status) {
                status_misses.push(format!(
                    "as documented for {versions} on {rule}: HTTP {}, received {status}",
                    join(&statuses)
                ));
                continue;
            }
            match expect_graphql_body(observed, body, renderer) {
                Ok(()) => matched.push(rule),
                Err(failure) => body_misses.push(format!("as documented for {versions} on {rule}: {failure}")),
            }
        }
    }
    body_misses.extend(status_misses);
    match matched.as_slice() {
        [] => Err(CheckFailure::Body(if body_misses.is_empty() {
            "no documented answer applies to the configured MAGENTO_VERSION".into()
        } else {
            body_misses.join("\n")
        })),
        [only] => Ok(Some(*only)),
        [first, rest @ ..] => Ok(rest.iter().all(|r| r == first).then_some(*first)),
    }
}

fn join(statuses: &[u16]) -> String {
    statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")
}

/// A successful answer: status 200, no `errors`, and a `data` object (§1.7, §10.2).
pub fn expect_graphql_data(status: u16, observed: &Value) -> Result<&Value, CheckFailure> {
    if let Some(errors) = observed.get("errors") {
        return Err(CheckFailure::Body(format!(
            "expected a GraphQL answer without errors (HTTP {status}), received errors: {errors}"
        )));
    }
    if status != 200 {
        return Err(CheckFailure::Status {
            expected: 200,
            received: status,
            body: observed.to_string(),
        });
    }
    observed
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| CheckFailure::Body(format!("expected a \"data\" object, received {observed}")))
}

/// Two answers for the same account agree field by field: the GraphQL `Customer` and the REST
/// `customer` data interface (§2.8 and [REST]). `id` is null over GraphQL (§4.3), so the
/// comparison is by the fields both APIs expose.
pub fn expect_same_customer_across_apis(graphql: &Value, rest: &Value) -> Result<(), CheckFailure> {
    let mut differences = Vec::new();
    for field in [
        "email",
        "firstname",
        "lastname",
        "middlename",
        "prefix",
        "suffix",
        "taxvat",
        "gender",
        "created_at",
    ] {
        let Some(from_graphql) = graphql.get(field) else {
            continue;
        };
        let from_rest = rest.get(field).unwrap_or(&Value::Null);
        if from_graphql != from_rest {
            differences.push(format!("{field}: GraphQL {from_graphql}, REST {from_rest}"));
        }
    }
    if let Some(date) = graphql.get("date_of_birth") {
        let from_rest = rest.get("dob").unwrap_or(&Value::Null);
        if date != from_rest {
            differences.push(format!("date_of_birth: GraphQL {date}, REST dob {from_rest}"));
        }
    }
    for key in ["default_billing", "default_shipping"] {
        let Some(from_graphql) = graphql.get(key) else { continue };
        let from_rest = rest.get(key).unwrap_or(&Value::Null);
        if from_graphql != from_rest {
            differences.push(format!("{key}: GraphQL {from_graphql}, REST {from_rest}"));
        }
    }
    if let Some(subscribed) = graphql.get("is_subscribed") {
        let from_rest = rest
            .pointer("/extension_attributes/is_subscribed")
            .cloned()
            .unwrap_or(Value::Bool(false));
        if *subscribed != from_rest {
            differences.push(format!(
                "is_subscribed: GraphQL {subscribed}, REST extension_attributes.is_subscribed {from_rest}"
            ));
        }
    }
    if graphql.get("id").is_some_and(|id| !id.is_null()) {
        differences.push(format!(
            "id: GraphQL must answer null (§4.3), received {}",
            graphql["id"]
        ));
    }
    if differences.is_empty() {
        Ok(())
    } else {
        Err(CheckFailure::Body(format!(
            "the GraphQL customer is not the one REST returns:\n  {}",
            differences.join("\n  ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> MagentoVersion {
        text.parse().expect("a version")
    }
    use serde_json::json;

    const R15: Renderer = Renderer {
        graphql_php_14: false,
        developer_mode: false,
    };

    const CUSTOMER_QUERY: &str = "query {\n  customer {\n    id\n    email\n  }\n}";

    #[test]
    fn a_document_tells_its_kind_root_fields_and_created_email() {
        let create = parse_document(
            "mutation {\n  createCustomerV2(input: {firstname: \"A\", lastname: \"B\", email: \"a@example.com\", password: \"Pw-1234567\"}) {\n    customer { email }\n  }\n}",
        )
        .unwrap();
        assert_eq!(create.kind, OperationKind::Mutation);
        assert_eq!(create.root_fields, vec!["createCustomerV2"]);
        assert_eq!(create.literal_email.as_deref(), Some("a@example.com"));
        assert_eq!(create.secret_literals, vec!["Pw-1234567"]);
        assert!(create.creates_customer());

        let read = parse_document(CUSTOMER_QUERY).unwrap();
        assert_eq!(read.kind, OperationKind::Query);
        assert!(!read.creates_customer());
        let token = parse_document(
            "mutation ($e: String!) { generateCustomerToken(email: $e, password: \"x-secret\") { token } }",
        )
        .unwrap();
        assert_eq!(token.secret_literals, vec!["x-secret"]);
        assert!(!token.creates_customer());
        // A query named like the mutation creates nothing.
        assert!(!parse_document("{ createCustomerV2 }").unwrap().creates_customer());
    }

    #[test]
    fn a_typo_is_one_line_with_its_position() {
        let error =
            parse_document("mutation {\n  createCustomerV2(input: {email: \"a\"} {\n    customer { email }\n  }\n}")
                .unwrap_err();
        assert_eq!(error.line, 2, "{error}");
        assert!(!error.message.contains('\n'), "{error}");
        assert!(error.to_string().starts_with("line 2, column "), "{error}");
        assert!(parse_document("").is_err());
        let two = parse_document("query a { customer { email } }\nquery b { customer { email } }").unwrap_err();
        assert_eq!(two.line, 2);
        assert!(two.message.contains("one operation"), "{two}");
    }

    #[test]
    fn root_fields_are_located_as_graphql_php_reports_them() {
        assert_eq!(root_field_location(CUSTOMER_QUERY, "customer"), Some((2, 3)));
        assert_eq!(root_field_location("{customer{email}}", "customer"), Some((1, 2)));
        assert_eq!(root_field_location(CUSTOMER_QUERY, "cart"), None);
    }

    fn resolver_error(message: &str, category: &str) -> Value {
        json!({"errors": [{"message": message, "locations": [{"line": 2, "column": 3}], "path": ["customer"],
            "extensions": {"category": category}}], "data": {"customer": null}})
    }

    #[test]
    fn statuses_follow_the_release_and_the_shape() {
        use StatusRule::*;
        let authorization = resolver_error("The current customer isn't authorized.", "graphql-authorization");
        assert_eq!(expected_statuses(&authorization, From248), vec![403]);
        assert_eq!(expected_statuses(&authorization, Before248), vec![200]);
        let authentication = resolver_error("x", "graphql-authentication");
        assert_eq!(expected_statuses(&authentication, From248), vec![401]);
        let input = resolver_error("x", "graphql-input");
        assert_eq!(expected_statuses(&input, From248), vec![200]);
        let token = json!({"errors": [{"message": "User token has been revoked", "extensions": {"category": "graphql-authentication"}}]});
        assert_eq!(expected_statuses(&token, From248), vec![401]);
        let request = json!({"errors": [{"message": "Unable to parse the request.", "extensions": {"category": "graphql-input"}}]});
        assert_eq!(expected_statuses(&request, From248), vec![400]);
        assert_eq!(expected_statuses(&request, Before248), vec![500]);
        let validation = json!({"errors": [{"message": "Cannot query field \"x\" on type \"Query\".", "locations": [{"line": 1, "column": 3}]}]});
        assert_eq!(expected_statuses(&validation, From248), vec![200]);
        assert_eq!(expected_statuses(&validation, Before248), vec![200]);
        let syntax =
            json!({"errors": [{"message": "Syntax Error: Unexpected <EOF>", "locations": [{"line": 1, "column": 1}]}]});
        assert_eq!(expected_statuses(&syntax, From248), vec![400]);
        assert_eq!(expected_statuses(&syntax, Before248), vec![200, 500]);
        assert_eq!(
            expected_statuses(&json!({"data": {"customer": {}}}), From248),
            vec![200]
        );
        assert_eq!(
            expected_statuses(&json!({"errors": [{"message": "Internal server error"}]}), From248),
            vec![500]
        );
    }

    #[test]
    fn the_configured_version_picks_the_rules() {
        assert_eq!(
            StatusRule::for_version(Some(&v("2.4"))).unwrap(),
            vec![StatusRule::From248, StatusRule::Before248]
        );
        assert_eq!(
            StatusRule::for_version(Some(&v("2.4.8"))).unwrap(),
            vec![StatusRule::From248]
        );
        assert_eq!(
            StatusRule::for_version(Some(&v("2.4.9"))).unwrap(),
            vec![StatusRule::From248]
        );
        assert_eq!(
            StatusRule::for_version(Some(&v("2.4.7"))).unwrap(),
            vec![StatusRule::Before248]
        );
        assert!(StatusRule::for_version(Some(&v("2.3"))).is_err());
        assert_eq!(
            StatusRule::for_version(None).unwrap(),
            vec![StatusRule::From248, StatusRule::Before248]
        );
    }

    #[test]
    fn the_envelope_is_compared_exactly() {
        let documented = resolver_error("The current customer isn't authorized.", "graphql-authorization");
        assert!(expect_graphql_body(&documented, &documented, R15).is_ok());
        // Developer mode's extras are legitimate.
        let mut developer = documented.clone();
        developer["errors"][0]["extensions"]["debugMessage"] = json!("real");
        assert!(expect_graphql_body(&developer, &documented, R15).is_ok());
        // `data` missing, a category missing, another message, another path: all deviations.
        let mut no_data = documented.clone();
        no_data.as_object_mut().unwrap().remove("data");
        assert!(
            expect_graphql_body(&no_data, &documented, R15)
                .unwrap_err()
                .to_string()
                .contains("missing key \"data\"")
        );
        let mut no_category = documented.clone();
        no_category["errors"][0].as_object_mut().unwrap().remove("extensions");
        assert!(
            expect_graphql_body(&no_category, &documented, R15)
                .unwrap_err()
                .to_string()
                .contains("missing \"extensions\"")
        );
        let mut other_path = documented.clone();
        other_path["errors"][0]["path"] = json!(["customer", "email"]);
        assert!(expect_graphql_body(&other_path, &documented, R15).is_err());
        let mut two = documented.clone();
        two["errors"] = json!([documented["errors"][0], documented["errors"][0]]);
        assert!(
            expect_graphql_body(&two, &documented, R15)
                .unwrap_err()
                .to_string()
                .contains("1 error(s) expected, 2 received")
        );
        // A body the documented one lacks `data` in must not have it.
        let shape_c = json!({"errors": [{"message": "m", "extensions": {"category": "graphql-authentication"}}]});
        let mut with_data = shape_c.clone();
        with_data["data"] = json!(null);
        assert!(expect_graphql_body(&with_data, &shape_c, R15).is_err());
    }

    #[test]
    fn an_answer_must_match_a_documented_body_with_its_release_status() {
        let guest = resolver_error("The current customer isn't authorized.", "graphql-authorization");
        let documented = vec![("2.4.0-".to_owned(), guest.clone())];
        let both = [StatusRule::Before248, StatusRule::From248];
        assert_eq!(
            expect_graphql_answer(403, &guest, &documented, &both, R15).unwrap(),
            Some(StatusRule::From248)
        );
        assert_eq!(
            expect_graphql_answer(200, &guest, &documented, &both, R15).unwrap(),
            Some(StatusRule::Before248)
        );
        let failure = expect_graphql_answer(401, &guest, &documented, &both, R15)
            .unwrap_err()
            .to_string();
        assert!(failure.contains("HTTP 403, received 401"), "{failure}");
        assert!(expect_graphql_answer(200, &guest, &documented, &[StatusRule::From248], R15).is_err());
        // A validation error is 200 on every release: it shows no rule.
        let validation = json!({"errors": [{"message": "m", "locations": [{"line": 1, "column": 1}]}]});
        let rows = vec![("2.4.0-".to_owned(), validation.clone())];
        assert_eq!(
            expect_graphql_answer(200, &validation, &rows, &both, R15).unwrap(),
            None
        );
        // A revoked token: 401 on 2.4.8, treated as a guest before.
        let revoked = json!({"errors": [{"message": "User token has been revoked", "extensions": {"category": "graphql-authentication"}}]});
        let rows = vec![
            ("2.4.8-".to_owned(), revoked.clone()),
            ("2.4.0-2.4.7".to_owned(), guest.clone()),
        ];
        assert_eq!(
            expect_graphql_answer(401, &revoked, &rows, &both, R15).unwrap(),
            Some(StatusRule::From248)
        );
        assert_eq!(
            expect_graphql_answer(200, &guest, &rows, &both, R15).unwrap(),
            Some(StatusRule::Before248)
        );
        assert!(
            expect_graphql_answer(403, &guest, &rows, &both, R15).is_err(),
            "2.4.8 refuses the token itself"
        );
        assert!(expect_graphql_answer(200, &revoked, &rows, &both, R15).is_err());
    }

    #[test]
    fn data_answers_have_no_errors_and_status_200() {
        assert!(expect_graphql_data(200, &json!({"data": {"customer": {}}})).is_ok());
        assert!(expect_graphql_data(401, &json!({"data": {"customer": {}}})).is_err());
        assert!(expect_graphql_data(200, &json!({"errors": [], "data": {}})).is_err());
        assert!(expect_graphql_data(200, &json!({"data": null})).is_err());
    }

    #[test]
    fn the_same_account_reads_the_same_over_both_apis() {
        let rest = json!({"id": 5, "email": "a@example.com", "firstname": "A", "lastname": "B", "created_at": "2026-01-01 10:00:00",
            "extension_attributes": {"is_subscribed": true}});
        let graphql = json!({"id": null, "email": "a@example.com", "firstname": "A", "lastname": "B", "middlename": null,
            "created_at": "2026-01-01 10:00:00", "is_subscribed": true, "date_of_birth": null});
        assert!(expect_same_customer_across_apis(&graphql, &rest).is_ok());
        let mut renamed = graphql.clone();
        renamed["firstname"] = json!("Bob");
        let failure = expect_same_customer_across_apis(&renamed, &rest)
            .unwrap_err()
            .to_string();
        assert!(failure.contains("firstname: GraphQL \"Bob\", REST \"A\""), "{failure}");
        let mut with_id = graphql.clone();
        with_id["id"] = json!(5);
        assert!(expect_same_customer_across_apis(&with_id, &rest).is_err());
        let mut unsubscribed = graphql;
        unsubscribed["is_subscribed"] = json!(false);
        assert!(expect_same_customer_across_apis(&unsubscribed, &rest).is_err());
    }

    /// graphql-php 14 (Magento up to 2.4.5) adds category `graphql` to validation and syntax
    /// errors (captures G28, G30): accepted only where the configured version allows it.
    #[test]
    fn graphql_php_14s_category_is_accepted_only_for_the_releases_that_had_it() {
        let documented = json!({"errors": [{"message": "Cannot query field \"orders\" on type \"Customer\".", "locations": [{"line": 3, "column": 5}]}]});
        let mut observed = documented.clone();
        observed["errors"][0]["extensions"] = json!({"category": "graphql"});
        let php14 = Renderer::for_store(Some(&v("2.4")), false);
        assert!(php14.graphql_php_14);
        assert!(Renderer::for_store(Some(&v("2.4.5")), false).graphql_php_14);
        assert_eq!(Renderer::for_store(Some(&v("2.4.8")), false), R15);
        assert!(expect_graphql_body(&observed, &documented, php14).is_ok());
        assert!(expect_graphql_body(&observed, &documented, R15).is_err());
        // Another category, or one where the documented error has its own, is no such thing.
        observed["errors"][0]["extensions"] = json!({"category": "graphql-input"});
        assert!(expect_graphql_body(&observed, &documented, php14).is_err());
    }

    /// Developer mode returns every error (§1.5): the documented first one must still lead.
    #[test]
    fn developer_mode_may_add_errors_after_the_documented_ones() {
        let first = json!({"message": "Field CustomerCreateInput.email of required type String! was not provided.", "locations": [{"line": 2, "column": 27}]});
        let second = json!({"message": "Field CustomerCreateInput.firstname of required type String! was not provided.", "locations": [{"line": 2, "column": 27}]});
        let documented = json!({"errors": [first]});
        let all = json!({"errors": [first, second]});
        let developer = Renderer {
            developer_mode: true,
            ..R15
        };
        assert!(expect_graphql_body(&all, &documented, developer).is_ok());
        assert!(expect_graphql_body(&all, &documented, R15).is_err());
        let reordered = json!({"errors": [second, first]});
        assert!(expect_graphql_body(&reordered, &documented, developer).is_err());
    }

    /// STORES.md U4: required gender and taxvat go into every create that names an email, by
    /// literal or variable, without moving any reported location.
    #[test]
    fn a_stores_required_fields_join_every_create_input() {
        let extras: Map<String, Value> =
            serde_json::from_value(json!({"gender": 3, "taxvat": "DE1", "dob": "1980-01-01", "group_id": 2})).unwrap();
        let literal = "mutation {\n  createCustomerV2(input: {firstname: \"R}\", email: \"a@example.com\", taxvat: \"mine\"}) {\n    customer { email }\n  }\n}";
        let mut none = None;
        let adapted = add_create_fields(literal, &mut none, &extras);
        assert_eq!(
            adapted,
            "mutation {\n  createCustomerV2(input: {firstname: \"R}\", email: \"a@example.com\", taxvat: \"mine\" date_of_birth: \"1980-01-01\" gender: 3}) {\n    customer { email }\n  }\n}"
        );
        assert_eq!(root_field_location(&adapted, "createCustomerV2"), Some((2, 3)));
        let variable =
            "mutation ($input: CustomerCreateInput!) { createCustomerV2(input: $input) { customer { email } } }";
        let mut variables = Some(json!({"input": {"email": "a@example.com", "gender": 1}}));
        assert_eq!(add_create_fields(variable, &mut variables, &extras), variable);
        assert_eq!(
            variables,
            Some(
                json!({"input": {"email": "a@example.com", "gender": 1, "taxvat": "DE1", "date_of_birth": "1980-01-01"}})
            )
        );
        // What a scenario leaves out on purpose stays out: no email, an empty input, no extras.
        let mut no_email = Some(json!({"input": {"firstname": "a", "lastname": "b"}}));
        add_create_fields(variable, &mut no_email, &extras);
        assert_eq!(no_email, Some(json!({"input": {"firstname": "a", "lastname": "b"}})));
        let empty = "mutation { createCustomer(input: {}) { customer { email } } }";
        assert_eq!(add_create_fields(empty, &mut None, &extras), empty);
        assert_eq!(add_create_fields(literal, &mut None, &Map::new()), literal);
        // The deprecated input type has no custom_attributes; V2 gets them with string values.
        let custom: Map<String, Value> =
            serde_json::from_value(json!({"custom_attributes": [{"attribute_code": "loyalty_tier", "value": 2}]}))
                .unwrap();
        assert!(create_input_extras(&custom, "createCustomer").is_empty());
        assert_eq!(
            create_input_extras(&custom, "createCustomerV2")["custom_attributes"],
            json!([{"attribute_code": "loyalty_tier", "value": "2"}])
        );
    }
}
