//! PHP's query-string parsing (`parse_str`, `$_GET`), which turns
//! `searchCriteria[filterGroups][0][filters][0][field]=email` into nested arrays.

use super::json::PhpValue;

/// `urldecode`: `%XX` escapes and `+` as space; invalid UTF-8 is replaced.
pub(crate) fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(index + 1..index + 3)
                    .and_then(|pair| std::str::from_utf8(pair).ok())
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        index += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a variable name into its base and bracketed sub-keys, as PHP registers variables:
/// spaces and dots in the base become underscores; an unclosed `[` ends the key list.
fn split_name(name: &str) -> Option<(String, Vec<String>)> {
    let name = name.trim_start_matches(' ');
    let (base, mut rest) = match name.find('[') {
        Some(open) if name[open..].contains(']') => (&name[..open], &name[open..]),
        _ => (name, ""),
    };
    if base.is_empty() {
        return None;
    }
    let base = base.replace([' ', '.'], "_");
    let mut keys = Vec::new();
    while let Some(after_open) = rest.strip_prefix('[') {
        let Some(close) = after_open.find(']') else {
            break;
        };
        keys.push(after_open[..close].to_owned());
        rest = &after_open[close + 1..];
    }
    Some((base, keys))
}

/// Stores `value` under `keys` inside `entries`, creating arrays on the way; `[]` appends.
fn insert(entries: &mut Vec<(String, PhpValue)>, keys: &[String], value: PhpValue) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    let key = if first.is_empty() {
        let next = entries
            .iter()
            .filter_map(|(k, _)| k.parse::<i64>().ok())
            .max()
            .map_or(0, |max| max + 1);
        next.to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        PhpValue::assign(entries, key, value);
        return;
    }
    let position = match entries.iter().position(|(existing, _)| *existing == key) {
        Some(position) => position,
        None => {
            entries.push((key, PhpValue::Array(Vec::new())));
            entries.len() - 1
        }
    };
    if !matches!(entries[position].1, PhpValue::Array(_)) {
        entries[position].1 = PhpValue::Array(Vec::new());
    }
    if let PhpValue::Array(children) = &mut entries[position].1 {
        insert(children, rest, value);
    }
}

/// PHP's default `max_input_nesting_level`.
const MAX_NESTING: usize = 64;

/// Parses a raw query string into PHP's `$_GET` array.
pub(crate) fn parse_query(query: &str) -> Vec<(String, PhpValue)> {
    let mut entries = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some((base, keys)) = split_name(&url_decode(raw_name)) else {
            continue;
        };
        // PHP's `max_input_nesting_level`: deeper variables are dropped.
        if keys.len() > MAX_NESTING {
            continue;
        }
        let mut path = Vec::with_capacity(keys.len() + 1);
        path.push(base);
        path.extend(keys);
        insert(&mut entries, &path, PhpValue::Str(url_decode(raw_value)));
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_search_criteria() {
        let parsed = parse_query(
            "searchCriteria[filterGroups][0][filters][0][field]=email\
             &searchCriteria[filterGroups][0][filters][0][value]=mc-abc%25\
             &searchCriteria[pageSize]=5",
        );
        let filter = PhpValue::Array(vec![
            ("field".into(), PhpValue::Str("email".into())),
            ("value".into(), PhpValue::Str("mc-abc%".into())),
        ]);
        assert_eq!(
            parsed,
            vec![(
                "searchCriteria".into(),
                PhpValue::Array(vec![
                    (
                        "filterGroups".into(),
                        PhpValue::Array(vec![(
                            "0".into(),
                            PhpValue::Array(vec![("filters".into(), PhpValue::Array(vec![("0".into(), filter)]))])
                        )])
                    ),
                    ("pageSize".into(), PhpValue::Str("5".into())),
                ])
            )]
        );
    }

    #[test]
    fn appends_and_renames() {
        let parsed = parse_query("a[]=1&a[]=2&b.c=3&plus=x+y");
        assert_eq!(
            parsed,
            vec![
                (
                    "a".into(),
                    PhpValue::Array(vec![
                        ("0".into(), PhpValue::Str("1".into())),
                        ("1".into(), PhpValue::Str("2".into())),
                    ])
                ),
                ("b_c".into(), PhpValue::Str("3".into())),
                ("plus".into(), PhpValue::Str("x y".into())),
            ]
        );
    }
}
