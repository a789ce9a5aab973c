//! Customer addresses: `AddressRepository::save` validation, region resolution and the
//! `customer-data-address-interface` output (CONTRACT.md §4.3 step 11, §7.3).

use super::binding::{DataObject, is_numeric, numeric_to_int};
use super::directory;
use super::error::{InputErrors, MagentoError, Parameters};
use super::settings::StoreSettings;
use super::state::AddressRecord;
use super::validation::{is_blank, is_valid_city, is_valid_name, is_valid_street_line, is_valid_telephone, php_trim};
use serde::Serialize;
use serde_json::Value;

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// PHP 8.1 `htmlspecialchars` with its default flags, applied to echoed invalid values.
pub(crate) fn html_escape(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#039;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// `customer-data-region-interface`: all three getters are non-nullable, so nulls are sent.
#[derive(Debug, Serialize)]
struct RegionView<'a> {
    region_code: Option<&'a str>,
    region: Option<&'a str>,
    region_id: i64,
}

/// `customer-data-address-interface` in getter order (§7.3); nullable getters are omitted when
/// null and the default flags appear only as `true`.
#[derive(Debug, Serialize)]
pub(crate) struct AddressView<'a> {
    id: i64,
    customer_id: i64,
    region: RegionView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_id: Option<i64>,
    country_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fax: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postcode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    firstname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lastname: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    middlename: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vat_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_shipping: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_billing: Option<bool>,
}

impl AddressRecord {
    /// `AbstractAddress::getDataModel` after a reload: a region id of the address's country
    /// yields that region's code and name; otherwise the stored region text doubles as the code
    /// (`getRegionCode()`), and a missing id is rendered as `0` (examples S5).
    pub(crate) fn view(&self, default_billing: Option<i64>, default_shipping: Option<i64>) -> AddressView<'_> {
        let region = match self.region_id {
            Some(id) => match directory::region(id).filter(|r| r.country_id == self.country_id) {
                Some(known) => RegionView {
                    region_code: Some(known.code),
                    region: Some(known.name),
                    region_id: id,
                },
                None => RegionView {
                    region_code: None,
                    region: self.region_text.as_deref(),
                    region_id: id,
                },
            },
            None => RegionView {
                region_code: self.region_text.as_deref(),
                region: self.region_text.as_deref(),
                region_id: 0,
            },
        };
        AddressView {
            id: self.id,
            customer_id: self.customer_id,
            region,
            region_id: self.region_id,
            country_id: &self.country_id,
            street: self.street.as_deref().map(|joined| joined.split('\n').collect()),
            company: self.company.as_deref(),
            telephone: self.telephone.as_deref(),
            fax: self.fax.as_deref(),
            postcode: self.postcode.as_deref(),
            city: self.city.as_deref(),
            firstname: self.firstname.as_deref(),
            lastname: self.lastname.as_deref(),
            middlename: self.middlename.as_deref(),
            prefix: self.prefix.as_deref(),
            suffix: self.suffix.as_deref(),
            vat_id: self.vat_id.as_deref(),
            default_shipping: self.default_flag(default_shipping),
            default_billing: self.default_flag(default_billing),
        }
    }

    /// `AbstractAddress::getDataModel` sets a default flag only to `true`, on the address the
    /// customer names; elsewhere it stays null and is omitted (§7.3).
    fn default_flag(&self, default_id: Option<i64>) -> Option<bool> {
        (default_id == Some(self.id)).then_some(true)
    }
}

/// Region handling of `AbstractAddress::getRegion()`/`getRegionId()`/`getRegionCode()` as they
/// run during validation and save: a numeric region text is a region id, a text region doubles
/// as the region code, and a code is looked up in the country's list.
fn resolve_region(
    country_id: &str,
    region: Option<&DataObject>,
    top_level_id: Option<i64>,
) -> (Option<String>, Option<i64>) {
    let mut text = owned(region.and_then(|r| r.str("region")));
    let mut code = owned(region.and_then(|r| r.str("region_code")));
    // `updateData` sets the region object's id, then a top-level `region_id` overrides it.
    let mut id = top_level_id
        .or_else(|| region.and_then(|r| r.int("region_id")))
        .filter(|id| *id != 0);
    let in_country = |id: i64| directory::region(id).filter(|r| r.country_id == country_id);
    match (id, text.as_deref()) {
        (None, Some(numeric)) if is_numeric(numeric) => {
            let candidate = numeric_to_int(numeric);
            if let Some(known) = in_country(candidate) {
                text = Some(known.name.to_owned());
                id = Some(candidate);
            }
        }
        (Some(existing), _) => {
            if let Some(known) = in_country(existing) {
                text = Some(known.name.to_owned());
            }
        }
        _ => {}
    }
    if id.is_none() {
        match text.as_deref() {
            Some(numeric) if is_numeric(numeric) => {
                id = Some(numeric_to_int(numeric));
                text = None;
            }
            _ => {
                if text.is_some() {
                    code.clone_from(&text);
                }
                id = code
                    .as_deref()
                    .and_then(|code| directory::region_by_code(code, country_id))
                    .map(|known| known.id);
            }
        }
    }
    (text, id)
}

/// `AddressRepository::save` for one address of `customer_id`: the composite validator (General
/// then Country; InputException, single or aggregate), then the resource-model validators
/// (newline-joined, no parameters). `createAccount` only passes allowed countries; an update
/// passes whatever was sent.
pub(crate) fn build_address(
    settings: &StoreSettings,
    input: &DataObject,
    country_id: Option<&str>,
    customer_id: i64,
) -> Result<AddressRecord, MagentoError> {
    // `_implodeArrayValues`: lines joined with "\n" and trimmed as a whole.
    let street = input
        .str_list("street")
        .filter(|lines| !lines.is_empty())
        .map(|lines| php_trim(&lines.join("\n")).to_owned());
    let first_street_line = street.as_deref().and_then(|s| s.split('\n').next());
    let country = country_id.unwrap_or_default();
    let (region_text, region_id) = resolve_region(country, input.object("region"), input.int("region_id"));

    let mut errors = InputErrors::default();
    for (key, value) in [
        ("firstname", input.str("firstname")),
        ("lastname", input.str("lastname")),
        ("street", first_street_line),
        ("city", input.str("city")),
        ("telephone", input.str("telephone")),
    ] {
        if is_blank(value) {
            errors.add_required(key);
        }
    }
    if !directory::is_zip_optional(country) && is_blank(input.str("postcode")) {
        errors.add_required("postcode");
    }
    let invalid_value = |field: &'static str, value: String| {
        Parameters::Named(vec![("fieldName", Value::from(field)), ("value", Value::from(value))])
    };
    const INVALID_VALUE: &str = "Invalid value of \"%value\" provided for the %fieldName field.";
    let has_regions = directory::has_regions(country);
    if is_blank(country_id) {
        errors.add_required("countryId");
    } else if !directory::is_allowed_country(settings, country) {
        errors.add(INVALID_VALUE, invalid_value("countryId", html_escape(country)));
    } else if directory::is_region_required(country) && !has_regions && is_blank(region_text.as_deref()) {
        errors.add_required("region");
    } else if directory::is_region_required(country) && has_regions && region_id.is_none() {
        errors.add_required("regionId");
    } else if let Some(id) = region_id.filter(|_| has_regions)
        && directory::region(id).is_none_or(|r| r.country_id != country)
    {
        errors.add(INVALID_VALUE, invalid_value("regionId", id.to_string()));
    }
    errors.into_result()?;

    // derived: CONTRACT.md lists these validators without their order; Telephone, City, Street
    // and Name are run in that order.
    let mut messages: Vec<&str> = Vec::new();
    if !is_valid_telephone(input.str("telephone")) {
        messages.push("Invalid Phone Number. Please use 0-9, +, -, (, ) and space.");
    }
    if !is_valid_city(input.str("city")) {
        messages.push("Invalid City. Please use A-Z, a-z, 0-9, -, ', spaces");
    }
    for line in street.as_deref().unwrap_or_default().split('\n') {
        if !is_valid_street_line(line) {
            messages.push("Invalid Street Address. Please use A-Z, a-z, 0-9, , - . ' ’ ` & spaces");
        }
    }
    for (key, message) in [
        ("firstname", "First Name is not valid!"),
        ("lastname", "Last Name is not valid!"),
        ("middlename", "Middle Name is not valid!"),
    ] {
        if !is_valid_name(input.str(key)) {
            messages.push(message);
        }
    }
    if !messages.is_empty() {
        return Err(MagentoError::bad_request(messages.join("\n")));
    }

    Ok(AddressRecord {
        id: 0,
        customer_id,
        country_id: country.to_owned(),
        region_text,
        region_id,
        street,
        company: owned(input.str("company")),
        telephone: owned(input.str("telephone")),
        fax: owned(input.str("fax")),
        postcode: owned(input.str("postcode")),
        city: owned(input.str("city")),
        firstname: owned(input.str("firstname")),
        lastname: owned(input.str("lastname")),
        middlename: owned(input.str("middlename")),
        prefix: owned(input.str("prefix")),
        suffix: owned(input.str("suffix")),
        vat_id: owned(input.str("vat_id")),
    })
}
