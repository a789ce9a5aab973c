//! Dotted paths (`addresses[0].region.region_id`) as feature files write them.

use serde_json::Value;

/// Looks a dotted path up; `None` if any segment is missing.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for segment in segments(path)? {
        current = match segment {
            Segment::Key(key) => current.get(key)?,
            Segment::Index(i) => current.get(i)?,
        };
    }
    Some(current)
}

enum Segment<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Option<Vec<Segment<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(pos) => (&part[..pos], &part[pos..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            out.push(Segment::Index(stripped[..end].parse().ok()?));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// A JSON value's type, in the words a failure message uses.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_nested_keys_and_indices() {
        let v = json!({"addresses": [{"region": {"region_id": 43}, "street": ["a", "b"]}]});
        assert_eq!(lookup(&v, "addresses[0].region.region_id"), Some(&json!(43)));
        assert_eq!(lookup(&v, "addresses[0].street[1]"), Some(&json!("b")));
        assert_eq!(lookup(&v, "addresses[1]"), None);
        assert_eq!(lookup(&v, "addresses[x]"), None);
        assert_eq!(lookup(&json!("tok"), ""), Some(&json!("tok")));
    }

    #[test]
    fn names_json_types() {
        assert_eq!(type_name(&json!(1)), "integer");
        assert_eq!(type_name(&json!("1")), "string");
        assert_eq!(type_name(&json!(1.5)), "number");
    }
}
