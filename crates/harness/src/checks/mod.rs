//! Checks: pure functions from an observed response to a typed failure that renders well.
//! Steps call them; none of them sends a request, so each is unit-tested without HTTP.

pub mod addresses;
pub mod admin_role;
pub mod drift;
pub mod envelope;
pub mod json_path;
pub mod published_schema;
pub mod schema;
pub mod snapshot;
pub mod store_identity;
pub mod token;
pub mod version;

use crate::client::Exchange;

pub use envelope::expect_error_body;
pub use schema::{SchemaFailure, SchemaSet};
pub use token::{TokenFailure, TokenKind};

/// A contract check that did not hold. `Display` is what the user reads under the failed step.
#[derive(Debug, thiserror::Error)]
pub enum CheckFailure {
    #[error("expected HTTP status {expected}, received {received}\n  response body: {body}")]
    Status { expected: u16, received: u16, body: String },
    #[error("expected a JSON response (application/json), received Content-Type {content_type:?}: {snippet}")]
    NotJson { content_type: String, snippet: String },
    #[error("{0}")]
    Schema(#[from] SchemaFailure),
    #[error("{0}")]
    Token(#[from] TokenFailure),
    #[error("{path}: expected {expected}, received {received}")]
    Value {
        path: String,
        expected: String,
        received: String,
    },
    #[error("{0}")]
    Body(String),
    #[error("snapshot {name:?} does not match (review with `cargo insta review`):\n{detail}")]
    Snapshot { name: String, detail: String },
}

/// Renders a compact, single-line view of a response body for failure messages.
pub fn body_snippet(body: &str) -> String {
    const MAX: usize = 600;
    let compact: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if compact.chars().count() > MAX {
        format!(
            "{}… ({} bytes)",
            compact.chars().take(MAX).collect::<String>(),
            body.len()
        )
    } else if compact.is_empty() {
        "(empty)".to_owned()
    } else {
        compact
    }
}

pub fn expect_status(exchange: &Exchange, expected: u16) -> Result<(), CheckFailure> {
    if exchange.status == expected {
        Ok(())
    } else {
        Err(CheckFailure::Status {
            expected,
            received: exchange.status,
            body: body_snippet(&exchange.body),
        })
    }
}

/// Magento renders JSON as `application/json; charset=utf-8` (CONTRACT.md §1.4).
pub fn expect_json_content_type(exchange: &Exchange) -> Result<serde_json::Value, CheckFailure> {
    let content_type = exchange.header("content-type").unwrap_or("").to_owned();
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != "application/json" {
        return Err(CheckFailure::NotJson {
            content_type,
            snippet: body_snippet(&exchange.body),
        });
    }
    exchange.json().ok_or_else(|| CheckFailure::NotJson {
        content_type,
        snippet: format!("body is not valid JSON: {}", body_snippet(&exchange.body)),
    })
}

/// A unified diff of two texts, `-` for expected and `+` for received.
pub fn unified_diff(expected: &str, received: &str) -> String {
    similar::TextDiff::from_lines(expected, received)
        .unified_diff()
        .context_radius(3)
        .header("expected", "received")
        .to_string()
}

/// Pretty JSON with sorted keys, the canonical form diffs are taken of.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}

fn sorted(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_expected_and_received_lines() {
        let diff = unified_diff("{\n  \"a\": 1\n}\n", "{\n  \"a\": 2\n}\n");
        assert!(diff.contains("-  \"a\": 1"), "{diff}");
        assert!(diff.contains("+  \"a\": 2"), "{diff}");
    }

    #[test]
    fn snippet_is_one_line_and_bounded() {
        let long = "x ".repeat(1000);
        let s = body_snippet(&long);
        assert!(!s.contains('\n'));
        assert!(s.ends_with("(2000 bytes)"), "{s}");
        assert_eq!(body_snippet("  "), "(empty)");
    }
}
