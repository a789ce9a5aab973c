//! Service input binding: Magento's `ServiceInputProcessor` and `TypeProcessor` (CONTRACT.md §2.4).
//!
//! Request data arrives as PHP arrays; each service parameter and each nested data-object key is
//! converted to the type its getter declares, with Magento's exact error messages and order of
//! failure (the first bad key in document order wins; missing required parameters are collected).

use super::error::{InputErrors, MagentoError, named, positional};
use super::json::PhpValue;
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// A converted value, as the data object's setter would receive it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound {
    Null,
    Int(i64),
    Str(String),
    Bool(bool),
    StrList(Vec<String>),
    Object(DataObject),
    Objects(Vec<DataObject>),
}

/// A populated data object: setter calls in document order, a later call for the same field
/// overwriting the earlier one (§10: "the later key wins").
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DataObject {
    values: Vec<(&'static str, Bound)>,
}

impl DataObject {
    /// A data object populated from already converted values (GraphQL's input, which its
    /// schema has typed), in setter order.
    pub(crate) fn from_values(values: impl IntoIterator<Item = (&'static str, Bound)>) -> Self {
        let mut object = DataObject::default();
        for (key, value) in values {
            object.set(key, value);
        }
        object
    }

    fn set(&mut self, key: &'static str, value: Bound) {
        match self.values.iter_mut().find(|(existing, _)| *existing == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key, value)),
        }
    }

    fn get(&self, key: &str) -> Option<&Bound> {
        self.values
            .iter()
            .find(|(existing, _)| *existing == key)
            .map(|(_, value)| value)
    }

    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Bound::Str(text)) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Bound::Int(number)) => Some(*number),
            _ => None,
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Bound::Bool(flag)) => Some(*flag),
            _ => None,
        }
    }

    pub(crate) fn str_list(&self, key: &str) -> Option<&[String]> {
        match self.get(key) {
            Some(Bound::StrList(items)) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn object(&self, key: &str) -> Option<&DataObject> {
        match self.get(key) {
            Some(Bound::Object(object)) => Some(object),
            _ => None,
        }
    }

    pub(crate) fn objects(&self, key: &str) -> Option<&[DataObject]> {
        match self.get(key) {
            Some(Bound::Objects(objects)) => Some(objects),
            _ => None,
        }
    }
}

/// The declared type of a getter.
#[derive(Debug)]
pub(crate) enum FieldKind {
    Int,
    Str,
    Bool,
    StrList,
    Object(&'static DataInterface),
    Objects(&'static DataInterface),
    CustomAttributes,
}

/// A setter that validates its argument and may throw (`SortOrder::setField`/`setDirection`).
type Setter = fn(Bound) -> Result<Bound, MagentoError>;

#[derive(Debug)]
pub(crate) struct Field {
    key: &'static str,
    kind: FieldKind,
    setter: Option<Setter>,
}

const fn field(key: &'static str, kind: FieldKind) -> Field {
    Field {
        key,
        kind,
        setter: None,
    }
}

/// A Magento data interface: the getters the input processor can bind.
#[derive(Debug)]
pub(crate) struct DataInterface {
    /// Its Swagger definition name (§8).
    pub(crate) definition: &'static str,
    fields: &'static [Field],
}

impl DataInterface {
    /// `snakeCaseToUpperCamelCase` then a case-insensitive `get<Key>`/`is<Key>` lookup (PHP
    /// method names ignore case), so `default_billing`, `defaultBilling` and `DEFAULTBILLING`
    /// all reach the same setter (§2.4, §10).
    fn field_for(&self, key: &str) -> Option<&Field> {
        let wanted = getter_stem(key);
        self.fields.iter().find(|field| getter_stem(field.key) == wanted)
    }
}

fn getter_stem(key: &str) -> String {
    key.chars()
        .filter(|ch| *ch != '_')
        .map(|ch| ch.to_ascii_lowercase())
        .collect()
}

/// `SimpleDataObjectConverter::snakeCaseToUpperCamelCase`: `ucwords($key, '_')` without the
/// underscores; used as `fieldName` of the "is not supported" error.
fn upper_camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut word_start = true;
    for ch in key.chars() {
        if ch == '_' {
            word_start = true;
            continue;
        }
        out.push(if word_start { ch.to_ascii_uppercase() } else { ch });
        word_start = false;
    }
    out
}

/// `Magento\Customer\Api\Data\CustomerInterface` (§7.2).
pub(crate) static CUSTOMER: DataInterface = DataInterface {
    definition: "customer-data-customer-interface",
    fields: &[
        field("id", FieldKind::Int),
        field("group_id", FieldKind::Int),
        field("default_billing", FieldKind::Str),
        field("default_shipping", FieldKind::Str),
        field("confirmation", FieldKind::Str),
        field("created_at", FieldKind::Str),
        field("updated_at", FieldKind::Str),
        field("created_in", FieldKind::Str),
        field("dob", FieldKind::Str),
        field("email", FieldKind::Str),
        field("firstname", FieldKind::Str),
        field("lastname", FieldKind::Str),
        field("middlename", FieldKind::Str),
        field("prefix", FieldKind::Str),
        field("suffix", FieldKind::Str),
        field("gender", FieldKind::Int),
        field("store_id", FieldKind::Int),
        field("taxvat", FieldKind::Str),
        field("website_id", FieldKind::Int),
        field("addresses", FieldKind::Objects(&ADDRESS)),
        field("disable_auto_group_change", FieldKind::Int),
        field("extension_attributes", FieldKind::Object(&CUSTOMER_EXTENSION)),
        field("custom_attributes", FieldKind::CustomAttributes),
    ],
};

/// CE 2.4.8's customer extension attributes (§4.4).
static CUSTOMER_EXTENSION: DataInterface = DataInterface {
    definition: "customer-data-customer-extension-interface",
    fields: &[
        field("is_subscribed", FieldKind::Bool),
        field("assistance_allowed", FieldKind::Int),
    ],
};

/// `Magento\Customer\Api\Data\AddressInterface` (§7.3).
static ADDRESS: DataInterface = DataInterface {
    definition: "customer-data-address-interface",
    fields: &[
        field("id", FieldKind::Int),
        field("customer_id", FieldKind::Int),
        field("region", FieldKind::Object(&REGION)),
        field("region_id", FieldKind::Int),
        field("country_id", FieldKind::Str),
        field("street", FieldKind::StrList),
        field("company", FieldKind::Str),
        field("telephone", FieldKind::Str),
        field("fax", FieldKind::Str),
        field("postcode", FieldKind::Str),
        field("city", FieldKind::Str),
        field("firstname", FieldKind::Str),
        field("lastname", FieldKind::Str),
        field("middlename", FieldKind::Str),
        field("prefix", FieldKind::Str),
        field("suffix", FieldKind::Str),
        field("vat_id", FieldKind::Str),
        field("default_shipping", FieldKind::Bool),
        field("default_billing", FieldKind::Bool),
        field("extension_attributes", FieldKind::Object(&ADDRESS_EXTENSION)),
        field("custom_attributes", FieldKind::CustomAttributes),
    ],
};

/// `Magento\Customer\Api\Data\RegionInterface`.
static REGION: DataInterface = DataInterface {
    definition: "customer-data-region-interface",
    fields: &[
        field("region_code", FieldKind::Str),
        field("region", FieldKind::Str),
        field("region_id", FieldKind::Int),
        field("extension_attributes", FieldKind::Object(&REGION_EXTENSION)),
    ],
};

/// Address and region extension interfaces have no attributes in CE.
static ADDRESS_EXTENSION: DataInterface = DataInterface {
    definition: "customer-data-address-extension-interface",
    fields: &[],
};
static REGION_EXTENSION: DataInterface = DataInterface {
    definition: "customer-data-region-extension-interface",
    fields: &[],
};

/// `Magento\Framework\Api\SearchCriteriaInterface`.
pub(crate) static SEARCH_CRITERIA: DataInterface = DataInterface {
    definition: "framework-search-criteria-interface",
    fields: &[
        field("filter_groups", FieldKind::Objects(&FILTER_GROUP)),
        field("sort_orders", FieldKind::Objects(&SORT_ORDER)),
        field("page_size", FieldKind::Int),
        field("current_page", FieldKind::Int),
    ],
};

static FILTER_GROUP: DataInterface = DataInterface {
    definition: "framework-search-filter-group",
    fields: &[field("filters", FieldKind::Objects(&FILTER))],
};

static FILTER: DataInterface = DataInterface {
    definition: "framework-filter",
    fields: &[
        field("field", FieldKind::Str),
        field("value", FieldKind::Str),
        field("condition_type", FieldKind::Str),
    ],
};

static SORT_ORDER: DataInterface = DataInterface {
    definition: "framework-sort-order",
    fields: &[
        Field {
            key: "field",
            kind: FieldKind::Str,
            setter: Some(set_sort_field),
        },
        Field {
            key: "direction",
            kind: FieldKind::Str,
            setter: Some(set_sort_direction),
        },
    ],
};

/// `SortOrder::validateField`: only `[a-z0-9_]` may reach the ORDER BY clause.
fn set_sort_field(value: Bound) -> Result<Bound, MagentoError> {
    match &value {
        Bound::Str(field) if field.chars().any(|ch| !(ch.is_ascii_alphanumeric() || ch == '_')) => Err(
            MagentoError::bad_request("Sort order field %1 contains restricted symbols")
                .with_parameters(positional([Value::from(field.as_str())])),
        ),
        Bound::Str(_) => Ok(value),
        // derived: `validateField(string $field)` with null is a PHP TypeError, masked as a 500.
        _ => Err(MagentoError::internal()),
    }
}

/// `SortOrder::setDirection`: a string, ASC or DESC in any case, stored upper-cased.
fn set_sort_direction(value: Bound) -> Result<Bound, MagentoError> {
    match value {
        Bound::Str(direction) => {
            let normalized = direction.to_uppercase();
            if normalized == "ASC" || normalized == "DESC" {
                Ok(Bound::Str(normalized))
            } else {
                Err(MagentoError::bad_request(
                    "The sort order has to be specified as %1 for ascending order or %2 for descending order.",
                )
                .with_parameters(positional([Value::from("ASC"), Value::from("DESC")])))
            }
        }
        _ => Err(
            MagentoError::bad_request("The sort order has to be specified as a string, got %1.")
                .with_parameters(positional([Value::from("NULL")])),
        ),
    }
}

/// Why a conversion failed: a `SerializationException` (rendered text that each enclosing level
/// prefixes with `Error occurred during "<key>" processing.`) or a Magento exception that passes
/// through unchanged.
#[derive(Debug)]
enum Failure {
    Serialization(String),
    Magento(MagentoError),
}

impl From<MagentoError> for Failure {
    fn from(error: MagentoError) -> Self {
        Failure::Magento(error)
    }
}

fn type_error(value: &str, expected: &str) -> Failure {
    Failure::Serialization(format!(
        "The \"{value}\" value's type is invalid. The \"{expected}\" type was expected. Verify and try again."
    ))
}

/// PHP `is_numeric` on a string (PHP 8: surrounding whitespace allowed, no hex).
pub(crate) fn is_numeric(text: &str) -> bool {
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[ \t\n\r\x0B\x0C]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\x0B\x0C]*$")
            .expect("static pattern")
    });
    NUMERIC.is_match(text)
}

/// `(int)` of a numeric string: exact for integers, truncated (saturating) otherwise.
pub(crate) fn numeric_to_int(text: &str) -> i64 {
    let trimmed = text.trim_matches(|ch: char| " \t\n\r\x0B\x0C".contains(ch));
    trimmed
        .parse::<i64>()
        .unwrap_or_else(|_| trimmed.parse::<f64>().map_or(0, |number| number as i64))
}

/// PHP's string form of a float (`1.0` prints as `1`).
fn float_to_string(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// `TypeProcessor::setType` for `int`: numeric values only, then `settype`.
fn to_int(value: &PhpValue) -> Result<Bound, Failure> {
    match value {
        PhpValue::Null => Ok(Bound::Null),
        PhpValue::Int(number) => Ok(Bound::Int(*number)),
        PhpValue::Float(number) => Ok(Bound::Int(*number as i64)),
        PhpValue::Str(text) if is_numeric(text) => Ok(Bound::Int(numeric_to_int(text))),
        PhpValue::Str(text) => Err(type_error(text, "int")),
        PhpValue::Bool(flag) => Err(type_error(if *flag { "1" } else { "" }, "int")),
        PhpValue::Array(_) => Err(type_error("array", "int")),
    }
}

/// `settype($value, 'string')` for a scalar.
fn scalar_to_string(value: &PhpValue) -> Option<String> {
    match value {
        PhpValue::Null => Some(String::new()),
        PhpValue::Bool(flag) => Some(if *flag { "1".into() } else { String::new() }),
        PhpValue::Int(number) => Some(number.to_string()),
        PhpValue::Float(number) => Some(float_to_string(*number)),
        PhpValue::Str(text) => Some(text.clone()),
        PhpValue::Array(_) => None,
    }
}

fn to_str(value: &PhpValue) -> Result<Bound, Failure> {
    match value {
        PhpValue::Null => Ok(Bound::Null),
        PhpValue::Array(_) => Err(type_error("array", "string")),
        scalar => Ok(scalar_to_string(scalar).map_or(Bound::Null, Bound::Str)),
    }
}

/// `filter_var($value, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE)`: unknown words become null.
fn to_bool(value: &PhpValue) -> Result<Bound, Failure> {
    let word = match value {
        PhpValue::Null => return Ok(Bound::Null),
        PhpValue::Bool(flag) => return Ok(Bound::Bool(*flag)),
        PhpValue::Array(_) => return Err(type_error("array", "bool")),
        scalar => scalar_to_string(scalar).unwrap_or_default(),
    };
    Ok(match word.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Bound::Bool(true),
        "0" | "false" | "off" | "no" | "" => Bound::Bool(false),
        _ => Bound::Null,
    })
}

/// `string[]`: every element is `settype`d; a non-array is a type error naming its PHP type.
fn to_str_list(value: &PhpValue) -> Result<Bound, Failure> {
    match value {
        PhpValue::Null => Ok(Bound::Null),
        PhpValue::Array(entries) => entries
            .iter()
            // derived: `settype(array, 'string')` raises "Array to string conversion", which
            // Magento's error handler turns into an exception, masked as a 500.
            .map(|(_, item)| scalar_to_string(item).ok_or(Failure::Magento(MagentoError::internal())))
            .collect::<Result<Vec<_>, _>>()
            .map(Bound::StrList),
        scalar => Err(type_error(scalar.php_type_name(), "string[]")),
    }
}

fn contains_script(text: &str) -> bool {
    // derived: the exact pattern of `ServiceInputProcessor::validateParamsValue` is not in
    // CONTRACT.md §2.4; a complete `<script ...>...</script>` element is rejected.
    static SCRIPT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<script[^>]*>.*?</script>").expect("static pattern"));
    SCRIPT.is_match(text)
}

/// `_createFromArray`: a non-array becomes an empty object; keys bind in document order.
fn bind_object(interface: &'static DataInterface, value: &PhpValue) -> Result<DataObject, Failure> {
    let mut object = DataObject::default();
    let Some(entries) = value.entries() else {
        return Ok(object);
    };
    for (key, raw) in entries {
        let Some(field) = interface.field_for(key) else {
            return Err(Failure::Magento(
                MagentoError::bad_request("\"%fieldName\" is not supported. Correct the field name and try again.")
                    .with_parameters(named("fieldName", upper_camel_case(key))),
            ));
        };
        let mut bound = convert(&field.kind, raw).map_err(|failure| match failure {
            Failure::Serialization(details) => {
                Failure::Serialization(format!("Error occurred during \"{key}\" processing. {details}"))
            }
            passthrough => passthrough,
        })?;
        if let Bound::Str(text) = &bound
            && contains_script(text)
        {
            return Err(Failure::Magento(
                MagentoError::bad_request("\"%field_name\" does not contains valid value.")
                    .with_parameters(named("field_name", key.as_str())),
            ));
        }
        if let Some(setter) = field.setter {
            bound = setter(bound)?;
        }
        object.set(field.key, bound);
    }
    Ok(object)
}

/// `convertCustomAttributeValue` + `processCustomAttribute`. CE 2.4.8 defines no customer or
/// address custom attributes, so after validation every code is dropped (§4.5).
fn check_custom_attributes(value: &PhpValue) -> Result<Bound, Failure> {
    // derived: `foreach` over a non-array raises a PHP warning, which becomes a masked 500.
    let entries = value.entries().ok_or(Failure::Magento(MagentoError::internal()))?;
    for (key, item) in entries {
        let (code, attribute_value) = match item.entries() {
            Some(pairs) => {
                let lookup = |name: &str| {
                    pairs
                        .iter()
                        .find(|(k, v)| k == name && *v != PhpValue::Null)
                        .map(|(_, v)| v)
                };
                (
                    lookup("attribute_code").or_else(|| lookup("attributeCode")).cloned(),
                    lookup("value").cloned(),
                )
            }
            None => (Some(PhpValue::Str(key.clone())), Some(item.clone())),
        };
        let code_text = code.as_ref().and_then(scalar_to_string).filter(|text| php_truthy(text));
        match (code_text, attribute_value) {
            (None, None) => {
                return Err(Failure::Serialization(
                    "An empty custom attribute is specified. Enter the attribute and try again.".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(Failure::Serialization(
                    "A custom attribute is specified with a missing attribute code. Verify the code and try again."
                        .into(),
                ));
            }
            (Some(code), None) => {
                return Err(Failure::Serialization(format!(
                    "The \"{code}\" attribute code doesn't have a value set. Enter the value and try again."
                )));
            }
            (Some(_), Some(_)) => {}
        }
    }
    Ok(Bound::Null)
}

/// PHP truthiness of a string: `""` and `"0"` are false.
pub(crate) fn php_truthy(text: &str) -> bool {
    !(text.is_empty() || text == "0")
}

fn convert(kind: &FieldKind, value: &PhpValue) -> Result<Bound, Failure> {
    match kind {
        FieldKind::Int => to_int(value),
        FieldKind::Str => to_str(value),
        FieldKind::Bool => to_bool(value),
        FieldKind::StrList => to_str_list(value),
        FieldKind::Object(interface) => bind_object(interface, value).map(Bound::Object),
        FieldKind::Objects(interface) => match value.entries() {
            Some(entries) => entries
                .iter()
                .map(|(_, item)| bind_object(interface, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Bound::Objects),
            None => Ok(Bound::Null),
        },
        FieldKind::CustomAttributes => check_custom_attributes(value),
    }
}

/// The declared type of a service method parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ParamKind {
    Int,
    Str,
    Object(&'static DataInterface),
}

/// One parameter of a service method, in signature order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceParam {
    pub(crate) name: &'static str,
    pub(crate) kind: ParamKind,
    pub(crate) required: bool,
}

/// `ServiceInputProcessor::process`: each parameter is looked up by its camelCase name, then its
/// snake_case form (`isset`, so `null` counts as missing); unknown top-level keys are ignored.
/// Conversion errors are thrown at once; missing required parameters are reported together at
/// the end (§2.4).
pub(crate) fn bind_params(input: &[(String, PhpValue)], params: &[ServiceParam]) -> Result<Vec<Bound>, MagentoError> {
    let isset = |name: &str| {
        input
            .iter()
            .find(|(key, value)| key == name && *value != PhpValue::Null)
            .map(|(_, value)| value)
    };
    let mut missing = InputErrors::default();
    let mut bound = Vec::with_capacity(params.len());
    for param in params {
        let Some(raw) = isset(param.name).or_else(|| isset(&camel_to_snake(param.name))) else {
            if param.required {
                missing.add_required(param.name);
            }
            bound.push(Bound::Null);
            continue;
        };
        let converted = match param.kind {
            ParamKind::Int => to_int(raw),
            ParamKind::Str => to_str(raw),
            ParamKind::Object(interface) => bind_object(interface, raw).map(Bound::Object),
        };
        bound.push(converted.map_err(|failure| match failure {
            // A top-level SerializationException becomes a rendered Webapi exception (400).
            Failure::Serialization(message) => MagentoError::webapi_bad_request(message),
            Failure::Magento(error) => error,
        })?);
    }
    missing.into_result()?;
    Ok(bound)
}

/// `strtolower(preg_replace('/(?<=\w)(?=[A-Z])/', '_', $name))`.
fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_is_word = false;
    for ch in name.chars() {
        if ch.is_ascii_uppercase() && previous_is_word {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
        previous_is_word = ch.is_alphanumeric() || ch == '_';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_numeric_strings() {
        for numeric in ["1", " 12", "12 ", "-3", "+4", "1.5", ".5", "1.", "1e3"] {
            assert!(is_numeric(numeric), "{numeric}");
        }
        for other in ["", "abc", "0x1A", "1e", ".", "1 2", "inf"] {
            assert!(!is_numeric(other), "{other}");
        }
        assert_eq!(numeric_to_int("1e3"), 1000);
        assert_eq!(numeric_to_int(" 1.9 "), 1);
        assert_eq!(numeric_to_int("99999999999999999999"), i64::MAX);
    }

    #[test]
    fn key_spellings() {
        assert_eq!(upper_camel_case("foo_bar"), "FooBar");
        assert_eq!(upper_camel_case("fooBar"), "FooBar");
        assert_eq!(camel_to_snake("redirectUrl"), "redirect_url");
        assert_eq!(camel_to_snake("searchCriteria"), "search_criteria");
        assert!(CUSTOMER.field_for("default_shipping_address").is_none());
        assert!(ADDRESS.field_for("defaultShipping").is_some());
        assert!(ADDRESS.field_for("DEFAULT_SHIPPING").is_some());
        assert!(ADDRESS.field_for("is_default_shipping").is_none());
    }

    #[test]
    fn later_spelling_of_a_key_wins() {
        let input = crate::json::decode(br#"{"customer":{"first_name":"A","firstName":"B","email":"x"}}"#)
            .unwrap()
            .into_array();
        let params = [ServiceParam {
            name: "customer",
            kind: ParamKind::Object(&CUSTOMER),
            required: true,
        }];
        let bound = bind_params(&input, &params).unwrap();
        let Bound::Object(customer) = &bound[0] else {
            panic!("customer is an object");
        };
        assert_eq!(customer.str("firstname"), Some("B"));
    }
}
