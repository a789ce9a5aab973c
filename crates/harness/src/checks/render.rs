//! How a failure message shows a body: one compact line, canonical JSON, a unified diff. Every
//! check renders through these, so two failures never show the same thing two ways.

use serde_json::Value;

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

/// A unified diff of two texts, `-` for expected and `+` for received.
fn unified_diff(expected: &str, received: &str) -> String {
    similar::TextDiff::from_lines(expected, received)
        .unified_diff()
        .context_radius(3)
        .header("expected", "received")
        .to_string()
}

/// Pretty JSON with sorted keys, the canonical form diffs are taken of.
pub fn canonical_json(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    text
}

/// The unified diff of two documents' canonical JSON.
pub fn json_diff(expected: &Value, received: &Value) -> String {
    unified_diff(&canonical_json(expected), &canonical_json(received))
}

fn sorted(value: &Value) -> Value {
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
        assert_eq!(
            json_diff(
                &serde_json::json!({"b": 1, "a": 1}),
                &serde_json::json!({"a": 1, "b": 1})
            ),
            ""
        );
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
