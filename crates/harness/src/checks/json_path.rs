//! Dotted paths (`addresses[0].region.region_id`) as feature files write them, and JSON values
//! as failure messages name them.

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

/// Sets the value at a dotted path, creating objects on the way; `Err` names what is in the way.
pub fn set(root: &mut Value, path: &str, new: Value) -> Result<(), String> {
    let segments = segments(path).ok_or_else(|| format!("{path:?} is not a path like customer.addresses[0].city"))?;
    let (last, parents) = segments.split_last().ok_or("an empty path")?;
    let mut current = root;
    for segment in parents {
        current = match segment {
            Segment::Key(key) => {
                let map = current
                    .as_object_mut()
                    .ok_or_else(|| format!("{path}: {key:?} is not inside an object"))?;
                map.entry(key.to_string())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            Segment::Index(i) => current
                .get_mut(*i)
                .ok_or_else(|| format!("{path}: there is no item {i}"))?,
        };
    }
    match last {
        Segment::Key(key) => {
            current
                .as_object_mut()
                .ok_or_else(|| format!("{path}: {key:?} is not inside an object"))?
                .insert(key.to_string(), new);
        }
        Segment::Index(i) => {
            *current
                .get_mut(*i)
                .ok_or_else(|| format!("{path}: there is no item {i}"))? = new;
        }
    }
    Ok(())
}

/// Removes the key at a dotted path; `Err` if it is not there.
pub fn remove(root: &mut Value, path: &str) -> Result<(), String> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (parent, key),
        None => ("", path),
    };
    let target = if parent.is_empty() {
        Some(root)
    } else {
        let pointer: String = segments(parent)
            .ok_or_else(|| format!("{path:?} is not a path"))?
            .iter()
            .map(|s| match s {
                Segment::Key(k) => format!("/{k}"),
                Segment::Index(i) => format!("/{i}"),
            })
            .collect();
        root.pointer_mut(&pointer)
    };
    target
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(key))
        .map(|_| ())
        .ok_or_else(|| format!("{path}: no such key to remove"))
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

/// A value as failure messages show it, with its type: `"7" (string)`; or what stands for a
/// missing key.
pub fn describe(value: Option<&Value>) -> String {
    match value {
        Some(value) => format!("{value} ({})", type_name(value)),
        None => "nothing (the key is absent)".to_owned(),
    }
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
    fn sets_and_removes_values() {
        let mut v = json!({"customer": {"addresses": [{"city": "A"}]}});
        set(&mut v, "customer.addresses[0].city", json!("B")).unwrap();
        set(&mut v, "customer.group_id", json!(777)).unwrap();
        assert_eq!(v, json!({"customer": {"group_id": 777, "addresses": [{"city": "B"}]}}));
        remove(&mut v, "customer.addresses[0].city").unwrap();
        assert_eq!(v["customer"]["addresses"][0], json!({}));
        assert!(remove(&mut v, "customer.nothing").is_err());
        assert!(set(&mut v, "customer.addresses[3].city", json!(1)).is_err());
        remove(&mut v, "customer").unwrap();
        assert_eq!(v, json!({}));
    }

    #[test]
    fn names_json_types() {
        assert_eq!(type_name(&json!(1)), "integer");
        assert_eq!(type_name(&json!("1")), "string");
        assert_eq!(type_name(&json!(1.5)), "number");
        assert_eq!(describe(Some(&json!("1"))), r#""1" (string)"#);
        assert_eq!(describe(None), "nothing (the key is absent)");
    }
}
