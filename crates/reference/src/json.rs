//! PHP-compatible JSON, both ways.
//!
//! Magento decodes request bodies with `json_decode($body, true)` into PHP arrays, which keep the
//! key order of the document, and encodes responses with `json_encode` and its default flags
//! (CONTRACT.md §1.3, §1.4). `serde_json::Value` keeps neither the order (no `preserve_order`)
//! nor PHP's escaping, so both directions are done here, and [`OrderedJson`] reads an encoded
//! answer back without losing its key order.

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Number;
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

/// An encoded answer read back as a JSON document that keeps its key order, so that it can be
/// rewritten and encoded again byte for byte (`encode(parse(encode(x))) == encode(x)`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OrderedJson {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<OrderedJson>),
    Object(Vec<(String, OrderedJson)>),
}

impl OrderedJson {
    /// Parses a JSON document; `None` if it is not one.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            OrderedJson::String(text) => Some(text),
            _ => None,
        }
    }

    /// The entries of an object, `None` for anything else.
    pub(crate) fn entries_mut(&mut self) -> Option<&mut Vec<(String, OrderedJson)>> {
        match self {
            OrderedJson::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` of an object.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut OrderedJson> {
        self.entries_mut()?
            .iter_mut()
            .find(|(existing, _)| existing == key)
            .map(|(_, value)| value)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&OrderedJson> {
        match self {
            OrderedJson::Object(entries) => entries
                .iter()
                .find(|(existing, _)| existing == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// Removes `key` from an object, returning its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<OrderedJson> {
        let entries = self.entries_mut()?;
        let position = entries.iter().position(|(existing, _)| existing == key)?;
        Some(entries.remove(position).1)
    }

    /// The elements of an array, none for anything else.
    pub(crate) fn elements_mut(&mut self) -> &mut [OrderedJson] {
        match self {
            OrderedJson::Array(elements) => elements,
            _ => &mut [],
        }
    }
}

impl Serialize for OrderedJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrderedJson::Null => serializer.serialize_unit(),
            OrderedJson::Bool(flag) => serializer.serialize_bool(*flag),
            OrderedJson::Number(number) => number.serialize(serializer),
            OrderedJson::String(text) => serializer.serialize_str(text),
            OrderedJson::Array(elements) => {
                let mut seq = serializer.serialize_seq(Some(elements.len()))?;
                for element in elements {
                    seq.serialize_element(element)?;
                }
                seq.end()
            }
            OrderedJson::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedJsonVisitor)
    }
}

struct OrderedJsonVisitor;

impl<'de> Visitor<'de> for OrderedJsonVisitor {
    type Value = OrderedJson;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<OrderedJson, E> {
        Ok(Number::from_f64(value).map_or(OrderedJson::Null, OrderedJson::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(value))
    }

    fn visit_unit<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OrderedJson, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element()? {
            elements.push(element);
        }
        Ok(OrderedJson::Array(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(OrderedJson::Object(entries))
    }
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

    #[test]
    fn an_encoded_answer_reads_back_unchanged() {
        let encoded = encode(&serde_json::json!({
            "z": 1, "a": [true, null, -2, 1.5, "\u{e9}/\n"], "m": {"y": {}, "b": []}
        }));
        let mut reordered = OrderedJson::parse(br#"{"z":1,"a":[],"m":{"y":1,"b":2}}"#).unwrap();
        assert_eq!(encode(&OrderedJson::parse(&encoded).unwrap()), encoded);
        reordered.remove("a");
        assert_eq!(encode(&reordered), br#"{"z":1,"m":{"y":1,"b":2}}"#);
        assert!(OrderedJson::parse(b"{bad").is_none());
    }
}
