//! PHP-compatible JSON, both ways.
//!
//! Magento decodes request bodies with `json_decode($body, true)` into PHP arrays, which keep the
//! key order of the document, and encodes responses with `json_encode` and its default flags
//! (CONTRACT.md §1.3, §1.4). `serde_json::Value` keeps neither the order (no `preserve_order`)
//! nor PHP's escaping, so both directions are done here.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::ser::{Formatter, Serializer};
use std::fmt;
use std::io;

/// A decoded request value, shaped like the PHP value Magento works on: JSON objects and JSON
/// lists are both ordered arrays with string keys (a list gets the keys `"0"`, `"1"`, ...).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PhpValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<(String, PhpValue)>),
}

impl PhpValue {
    /// Sets `key` like a PHP array assignment: an existing key keeps its position.
    pub(crate) fn assign(entries: &mut Vec<(String, PhpValue)>, key: String, value: PhpValue) {
        match entries.iter_mut().find(|(existing, _)| *existing == key) {
            Some(slot) => slot.1 = value,
            None => entries.push((key, value)),
        }
    }

    /// The entries of a PHP array, or `None` for a scalar.
    pub(crate) fn entries(&self) -> Option<&[(String, PhpValue)]> {
        match self {
            PhpValue::Array(entries) => Some(entries),
            _ => None,
        }
    }

    /// PHP's `gettype()`, used in Magento's type-error messages.
    pub(crate) fn php_type_name(&self) -> &'static str {
        match self {
            PhpValue::Null => "NULL",
            PhpValue::Bool(_) => "boolean",
            PhpValue::Int(_) => "integer",
            PhpValue::Float(_) => "double",
            PhpValue::Str(_) => "string",
            PhpValue::Array(_) => "array",
        }
    }

    /// The `(array)` cast Magento applies to a decoded body (§1.3): `null` becomes an empty
    /// array and any other scalar a one-element list.
    pub(crate) fn into_array(self) -> Vec<(String, PhpValue)> {
        match self {
            PhpValue::Array(entries) => entries,
            PhpValue::Null => Vec::new(),
            scalar => vec![("0".to_owned(), scalar)],
        }
    }
}

impl<'de> Deserialize<'de> for PhpValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PhpValueVisitor)
    }
}

struct PhpValueVisitor;

impl<'de> Visitor<'de> for PhpValueVisitor {
    type Value = PhpValue;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<PhpValue, E> {
        Ok(PhpValue::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<PhpValue, E> {
        Ok(PhpValue::Int(value))
    }

    /// PHP integers are 64-bit signed; larger numbers decode as floats.
    fn visit_u64<E>(self, value: u64) -> Result<PhpValue, E> {
        Ok(i64::try_from(value).map_or(PhpValue::Float(value as f64), PhpValue::Int))
    }

    fn visit_f64<E>(self, value: f64) -> Result<PhpValue, E> {
        Ok(PhpValue::Float(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<PhpValue, E> {
        Ok(PhpValue::Str(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<PhpValue, E> {
        Ok(PhpValue::Str(value))
    }

    fn visit_unit<E>(self) -> Result<PhpValue, E> {
        Ok(PhpValue::Null)
    }

    fn visit_none<E>(self) -> Result<PhpValue, E> {
        Ok(PhpValue::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PhpValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(item) = seq.next_element::<PhpValue>()? {
            entries.push((entries.len().to_string(), item));
        }
        Ok(PhpValue::Array(entries))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PhpValue, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, PhpValue>()? {
            PhpValue::assign(&mut entries, key, value);
        }
        Ok(PhpValue::Array(entries))
    }
}

/// Decodes a request body; any syntax or encoding error is Magento's "Decoding error." (§1.3).
pub(crate) fn decode(body: &[u8]) -> Option<PhpValue> {
    serde_json::from_slice(body).ok()
}

/// Encodes a response body like PHP `json_encode` with default flags (§1.4).
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut out, PhpFormatter);
    value
        .serialize(&mut serializer)
        .expect("response types serialize infallibly: every map key is a string");
    out
}

/// `json_encode` escapes `/` as `\/` and every non-ASCII character as `\uXXXX` (UTF-16 units,
/// lowercase hex). serde_json already escapes quotes, backslashes and control characters the
/// way PHP does.
struct PhpFormatter;

impl Formatter for PhpFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (index, ch) in fragment.char_indices() {
            if ch != '/' && ch.is_ascii() {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..index])?;
            if ch == '/' {
                writer.write_all(b"\\/")?;
            } else {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
            start = index + ch.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_php_json_encode() {
        let text = "a/b é \u{1F600} \"q\" \n";
        assert_eq!(
            String::from_utf8(encode(text)).unwrap(),
            r#""a\/b \u00e9 \ud83d\ude00 \"q\" \n""#
        );
    }

    #[test]
    fn decoding_keeps_order_and_php_duplicate_semantics() {
        let value = decode(br#"{"b":1,"a":2,"b":3,"l":[true,null]}"#).unwrap();
        assert_eq!(
            value,
            PhpValue::Array(vec![
                ("b".into(), PhpValue::Int(3)),
                ("a".into(), PhpValue::Int(2)),
                (
                    "l".into(),
                    PhpValue::Array(vec![("0".into(), PhpValue::Bool(true)), ("1".into(), PhpValue::Null),])
                ),
            ])
        );
        assert!(decode(b"{bad").is_none());
        assert!(decode(b"   ").is_none());
    }
}
