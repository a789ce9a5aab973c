//! What the run learns about the store before the first scenario (STORES.md Note 5): with the
//! admin token its store view, locale, default group and required attributes; without one its
//! allowed countries and its password policy. A variable the user set wins over what is
//! detected; an endpoint the role may not read (401) or the store does not answer leaves the
//! default, and the run says so under "Observed".

use std::fmt;

use serde_json::{Map, Value};

use crate::client::{ApiRequest, MagentoClient};
use crate::config::{Config, StoreAddress, StorePolicy};
use crate::secrets::Secret;

/// The group id the invalid-group scenario sends when the groups cannot be listed: a stock
/// store has 0 to 3.
pub const FALLBACK_MISSING_GROUP_ID: i64 = 777;

/// Groups read per page of `GET /V1/customerGroups/search`, and at most how many pages.
const GROUP_PAGE_SIZE: usize = 100;
const GROUP_PAGES: usize = 50;

/// Where a value the run expects comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The user set this variable.
    Variable(&'static str),
    /// Read from the store with this request.
    Detected(&'static str),
    /// Magento's default: nothing set, nothing detected (the reason why not).
    Default(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Variable(name) => write!(f, "from {name}"),
            Source::Detected(request) => write!(f, "detected with {request}"),
            Source::Default(why) => write!(f, "Magento's default ({why})"),
        }
    }
}

/// The store as the run expects it: the final policy, the fields merged into every create, the
/// allowed countries, and one "Observed" line per value with its source.
#[derive(Debug, Clone)]
pub struct StoreProfile {
    pub policy: StorePolicy,
    pub extra_customer_fields: Map<String, Value>,
    pub extra_address_fields: Map<String, Value>,
    /// `None`: not known (the store did not list them).
    pub allowed_countries: Option<Vec<String>>,
    /// Whether Magento_Newsletter adds `is_subscribed` to customers; `None`: not known.
    pub newsletter: Option<bool>,
    /// The store view's locale (`general/locale/code`), for the language hint; `None`: not read.
    pub locale: Option<String>,
    /// A customer group id the store does not have, for the invalid-group scenario (STORES.md R3).
    pub missing_group_id: i64,
    pub observations: Vec<(String, String)>,
}

impl StoreProfile {
    /// The configuration alone, before anything is detected.
    pub fn configured(config: &Config) -> Self {
        Self {
            policy: config.policy.clone(),
            extra_customer_fields: config.extra_customer_fields.clone().unwrap_or_default(),
            extra_address_fields: config.extra_address_fields.clone().unwrap_or_default(),
            allowed_countries: None,
            newsletter: None,
            locale: None,
            missing_group_id: FALLBACK_MISSING_GROUP_ID,
            observations: Vec::new(),
        }
    }

    /// Why scenarios that send and check an address cannot run: the store does not allow its
    /// country (STORES.md C6).
    pub fn address_not_allowed(&self, address_configured: bool) -> Option<String> {
        let allowed = self.allowed_countries.as_ref()?;
        let country = &self.policy.address.country_id;
        if allowed.contains(country) {
            return None;
        }
        Some(if address_configured {
            format!("the store does not allow MAGENTO_ADDRESS's country {country} (general/country/allow)")
        } else {
            format!(
                "the store does not allow {country} addresses (general/country/allow): set MAGENTO_ADDRESS to an address it allows"
            )
        })
    }

    /// Why scenarios that check `is_subscribed` cannot run: the store has no Magento_Newsletter
    /// (STORES.md U7).
    pub fn newsletter_missing(&self) -> Option<String> {
        (self.newsletter == Some(false)).then(|| {
            "the store has no Magento_Newsletter: its Swagger's customer extension interface has no is_subscribed"
                .to_owned()
        })
    }

    fn observe(&mut self, topic: &str, detail: String) {
        self.observations.push((topic.to_owned(), detail));
    }
}

/// The tutorial's address fields as request bodies name them (camelCase or snake_case), with
/// the configured address's value for each.
fn address_substitutions(address: &StoreAddress) -> [(&'static [&'static str], Value, Value); 7] {
    let tutorial = StoreAddress::tutorial();
    [
        (
            &["countryId", "country_id"],
            tutorial.country_id.into(),
            address.country_id.clone().into(),
        ),
        (
            &["regionId", "region_id"],
            tutorial.region_id.into(),
            address.region_id.into(),
        ),
        (
            &["regionCode", "region_code"],
            tutorial.region_code.into(),
            address.region_code.clone().into(),
        ),
        (&["region"], tutorial.region.into(), address.region.clone().into()),
        (&["postcode"], tutorial.postcode.into(), address.postcode.clone().into()),
        (&["city"], tutorial.city.into(), address.city.clone().into()),
        (
            &["telephone"],
            tutorial.telephone.into(),
            address.telephone.clone().into(),
        ),
    ]
}

/// A create-customer body as this store needs it: the extra fields merged into the customer and
/// each address where the body does not set them, and the tutorial's address values replaced by
/// the configured address's. Only values equal to the tutorial's are replaced, so a scenario's
/// deliberate change (an unknown region id, a removed city) stays.
pub fn adapt_create_body(
    body: &mut Value,
    address: &StoreAddress,
    customer_extras: &Map<String, Value>,
    address_extras: &Map<String, Value>,
) {
    let Some(customer) = body.get_mut("customer").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, value) in customer_extras {
        customer.entry(key.clone()).or_insert_with(|| value.clone());
    }
    let Some(Value::Array(addresses)) = customer.get_mut("addresses") else {
        return;
    };
    let substitutions = address_substitutions(address);
    for fields in addresses.iter_mut().filter_map(Value::as_object_mut) {
        for (key, value) in address_extras {
            fields.entry(key.clone()).or_insert_with(|| value.clone());
        }
        substitute(fields, &substitutions);
        if let Some(region) = fields.get_mut("region").and_then(Value::as_object_mut) {
            substitute(region, &substitutions);
        }
    }
}

fn substitute(fields: &mut Map<String, Value>, substitutions: &[(&'static [&'static str], Value, Value)]) {
    for (keys, tutorial, configured) in substitutions {
        for key in *keys {
            if let Some(value) = fields.get_mut(*key)
                && value == tutorial
            {
                *value = configured.clone();
            }
        }
    }
}

/// The store view with `code` in a `GET /V1/store/storeViews` answer: name, id, website id.
pub fn store_view(views: &Value, code: &str) -> Option<(String, i64, i64)> {
    let view = views.as_array()?.iter().find(|v| v["code"] == code)?;
    Some((
        view["name"].as_str()?.to_owned(),
        view["id"].as_i64()?,
        view["website_id"].as_i64()?,
    ))
}

/// The locale of the store view with `code` in a `GET /V1/store/storeConfigs` answer.
pub fn store_locale(configs: &Value, code: &str) -> Option<String> {
    let config = configs.as_array()?.iter().find(|c| c["code"] == code)?;
    config["locale"].as_str().map(str::to_owned)
}

/// The country ids of a `GET /V1/directory/countries` answer; `None` if it is not a list of
/// countries.
pub fn country_ids(countries: &Value) -> Option<Vec<String>> {
    let ids: Option<Vec<String>> = countries
        .as_array()?
        .iter()
        .map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    ids.filter(|ids| !ids.is_empty())
}

/// Whether a Swagger document's customer extension interface declares `is_subscribed`, which
/// only Magento_Newsletter adds; `None` if the document has no such interface.
pub fn declares_is_subscribed(swagger: &Value) -> Option<bool> {
    let extension = swagger.pointer("/definitions/customer-data-customer-extension-interface")?;
    Some(extension.pointer("/properties/is_subscribed").is_some())
}

/// Customer attributes a stock store does not require and the suite does not send.
const OPTIONAL_CUSTOMER_ATTRIBUTES: &[&str] = &["prefix", "middlename", "suffix", "dob", "taxvat", "gender"];
/// Address attributes a stock store does not require and the suite does not send.
const OPTIONAL_ADDRESS_ATTRIBUTES: &[&str] = &["prefix", "middlename", "suffix", "company", "fax", "vat_id"];

/// The fields to send for the attributes an `attributeMetadata` answer marks required beyond a
/// stock store's (STORES.md U4): a select's first option, a date in the past, text otherwise.
/// A user-defined attribute goes into `custom_attributes`.
pub fn required_extras(metadata: &Value, optional: &[&str]) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut custom = Vec::new();
    for attribute in metadata.as_array().into_iter().flatten() {
        let Some(code) = attribute["attribute_code"].as_str() else {
            continue;
        };
        let user_defined = attribute["user_defined"] == true;
        if attribute["required"] != true || !(user_defined || optional.contains(&code)) {
            continue;
        }
        let value = match attribute["frontend_input"].as_str() {
            Some("select" | "multiselect" | "boolean") => attribute["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|option| option["value"].as_str())
                .find(|value| !value.is_empty())
                .map_or(Value::from("1"), |value| {
                    value.parse::<i64>().map_or(Value::from(value), Value::from)
                }),
            Some("date" | "datetime") => Value::from("1980-01-01"),
            _ => Value::from("Test"),
        };
        if user_defined {
            custom.push(serde_json::json!({"attribute_code": code, "value": value}));
        } else {
            fields.insert(code.to_owned(), value);
        }
    }
    if !custom.is_empty() {
        fields.insert("custom_attributes".into(), Value::Array(custom));
    }
    fields
}

/// The two password rules a weak password's refusal names (§4.3 step 3), from its message and
/// `parameters` (English messages only: a translated store keeps the defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PasswordRule {
    MinLength(usize),
    Classes(usize),
}

/// What a store answered a weak password sent without a first name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ProbeAnswer {
    /// The password broke this rule.
    Refused(PasswordRule),
    /// The password passed: the first name was the first thing missing.
    Accepted,
    /// Anything else (another language, reCAPTCHA, a WAF).
    Unrecognised,
}

pub fn probe_answer(body: &Value) -> ProbeAnswer {
    if let Some(rule) = password_rule(body) {
        return ProbeAnswer::Refused(rule);
    }
    let first_name_missing = body["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("\"First Name\" is a required value."));
    if first_name_missing {
        ProbeAnswer::Accepted
    } else {
        ProbeAnswer::Unrecognised
    }
}

pub fn password_rule(body: &Value) -> Option<PasswordRule> {
    let message = body["message"].as_str()?;
    let parameter: usize = match &body["parameters"][0] {
        Value::String(s) => s.parse().ok()?,
        Value::Number(n) => usize::try_from(n.as_u64()?).ok()?,
        _ => return None,
    };
    if message.starts_with("The password needs at least %1 characters") {
        Some(PasswordRule::MinLength(parameter))
    } else if message.starts_with("Minimum of different classes of characters in password is %1") {
        Some(PasswordRule::Classes(parameter))
    } else {
        None
    }
}

/// The group ids on one page of `GET /V1/customerGroups/search` and its `total_count`; `None`
/// when the answer is not a group search result.
pub fn group_page(body: &Value) -> Option<(Vec<i64>, usize)> {
    let ids = body
        .get("items")?
        .as_array()?
        .iter()
        .map(|group| group.get("id").and_then(Value::as_i64))
        .collect::<Option<Vec<_>>>()?;
    let total = usize::try_from(body.get("total_count")?.as_u64()?).ok()?;
    Some((ids, total))
}

/// A group id above every id the store has, so no group has it (STORES.md R3).
pub fn id_above(ids: &[i64]) -> i64 {
    ids.iter()
        .copied()
        .max()
        .map_or(FALLBACK_MISSING_GROUP_ID, |max| max.max(0) + 1)
}

/// Every customer group id, page by page; a capped page size is adopted (STORES.md R4).
async fn customer_group_ids(client: &MagentoClient, admin: &Secret) -> Result<Vec<i64>, String> {
    let (mut ids, mut page, mut page_size) = (Vec::new(), 1, GROUP_PAGE_SIZE);
    while page <= GROUP_PAGES {
        let path = format!(
            "/V1/customerGroups/search?searchCriteria[pageSize]={page_size}&searchCriteria[currentPage]={page}"
        );
        let exchange = client
            .send(ApiRequest::get(&path).bearer(Some(admin)))
            .await
            .map_err(|e| format!("GET /V1/customerGroups/search failed: {e}"))?;
        if exchange.status == 400
            && let Some(limit) = exchange.json().as_ref().and_then(crate::sweep::page_size_limit)
            && limit < page_size
        {
            page_size = limit;
            continue;
        }
        let (found, total) = match (exchange.status, exchange.json().as_ref().and_then(group_page)) {
            (200, Some(answer)) => answer,
            (status, _) => return Err(format!("GET /V1/customerGroups/search answered {status}")),
        };
        let last = found.len() < page_size || page * page_size >= total;
        ids.extend(found);
        if last {
            return Ok(ids);
        }
        page += 1;
    }
    Err(format!(
        "GET /V1/customerGroups/search listed more than {} groups",
        GROUP_PAGES * GROUP_PAGE_SIZE
    ))
}

/// Reads one JSON answer; the error says what the store answered instead.
async fn get_json(client: &MagentoClient, path: &str, token: Option<&Secret>) -> Result<Value, String> {
    let exchange = client
        .send(ApiRequest::get(path).bearer(token))
        .await
        .map_err(|e| format!("GET {path} failed: {e}"))?;
    match (exchange.status, exchange.json()) {
        (200, Some(json)) => Ok(json),
        (status, _) => Err(format!("GET {path} answered {status}")),
    }
}

/// Sends a create that can never succeed (no first name) with a weak password: the store
/// refuses the password first if its policy forbids it, and creates nothing either way.
async fn probe_password(client: &MagentoClient, config: &Config, password: &str) -> Result<ProbeAnswer, String> {
    let body = serde_json::json!({
        "customer": {"email": format!("mc-policy-probe@{}", config.email_domain), "lastname": "Probe"},
        "password": password
    });
    let exchange = client
        .send(ApiRequest::create_customer(body))
        .await
        .map_err(|e| format!("POST /V1/customers failed: {e}"))?;
    match (exchange.status, exchange.json()) {
        (400, Some(json)) => Ok(probe_answer(&json)),
        (status, _) => Err(format!("POST /V1/customers answered {status}")),
    }
}

/// Detects what it can and applies it where no variable is set.
pub async fn detect(client: &MagentoClient, admin: Option<&Secret>, config: &Config) -> StoreProfile {
    let mut profile = StoreProfile::configured(config);
    let no_admin = || "no admin credentials".to_owned();

    // Store view: name and ids (C5).
    let views = match admin {
        Some(token) => get_json(client, "/V1/store/storeViews", Some(token)).await,
        None => Err(no_admin()),
    };
    let identity_vars = ["MAGENTO_STORE_NAME", "MAGENTO_STORE_ID", "MAGENTO_WEBSITE_ID"];
    let source = match views.as_ref().map(|views| store_view(views, &config.store_code)) {
        _ if identity_vars.iter().all(|v| config.is_set(v)) => {
            Source::Variable("MAGENTO_STORE_NAME/_ID, MAGENTO_WEBSITE_ID")
        }
        Ok(Some((name, id, website))) => {
            let policy = &mut profile.policy;
            if !config.is_set("MAGENTO_STORE_NAME") {
                policy.store_name = name;
            }
            if !config.is_set("MAGENTO_STORE_ID") {
                policy.store_id = id;
            }
            if !config.is_set("MAGENTO_WEBSITE_ID") {
                policy.website_id = website;
            }
            Source::Detected("GET /V1/store/storeViews")
        }
        Ok(None) => Source::Default(format!("no store view with code {:?} listed", config.store_code)),
        Err(why) => Source::Default(why.clone()),
    };
    let detail = format!(
        "{:?} (store id {}, website id {}), {source}",
        profile.policy.store_name, profile.policy.store_id, profile.policy.website_id
    );
    profile.observe("store view", detail);

    // Locale, for the reader (C2).
    if let Some(token) = admin {
        match get_json(client, "/V1/store/storeConfigs", Some(token)).await {
            Ok(configs) => {
                if let Some(locale) = store_locale(&configs, &config.store_code) {
                    profile.observe(
                        "store locale",
                        format!("{locale}, detected with GET /V1/store/storeConfigs"),
                    );
                    profile.locale = Some(locale);
                }
            }
            Err(why) => profile.observe("store locale", format!("not detected ({why})")),
        }
    }

    // Default group (U3).
    let source = if config.is_set("MAGENTO_DEFAULT_GROUP_ID") {
        Source::Variable("MAGENTO_DEFAULT_GROUP_ID")
    } else if let Some(token) = admin {
        let path = format!("/V1/customerGroups/default/{}", profile.policy.store_id);
        match get_json(client, &path, Some(token)).await {
            Ok(group) => match group["id"].as_i64() {
                Some(id) => {
                    profile.policy.default_group_id = id;
                    Source::Detected("GET /V1/customerGroups/default/{storeId}")
                }
                None => Source::Default(format!("GET {path} answered no id")),
            },
            Err(why) => Source::Default(why),
        }
    } else {
        Source::Default(no_admin())
    };
    let detail = format!("{}, {source}", profile.policy.default_group_id);
    profile.observe("default customer group", detail);

    // A group id the store does not have (R3).
    let detail = match admin {
        Some(token) => match customer_group_ids(client, token).await {
            Ok(ids) if !ids.is_empty() => {
                profile.missing_group_id = id_above(&ids);
                format!(
                    "{} (above the {} groups' highest id), detected with GET /V1/customerGroups/search",
                    profile.missing_group_id,
                    ids.len()
                )
            }
            Ok(_) => format!(
                "{FALLBACK_MISSING_GROUP_ID}, the suite's default (GET /V1/customerGroups/search listed no group)"
            ),
            Err(why) => format!("{FALLBACK_MISSING_GROUP_ID}, the suite's default ({why})"),
        },
        None => format!("{FALLBACK_MISSING_GROUP_ID}, the suite's default ({})", no_admin()),
    };
    profile.observe("customer group id that does not exist", detail);

    // Required attributes (U4).
    for (label, variable, path, optional, extras) in [
        (
            "required customer attributes",
            "MAGENTO_EXTRA_CUSTOMER_FIELDS",
            "/V1/attributeMetadata/customer",
            OPTIONAL_CUSTOMER_ATTRIBUTES,
            &mut profile.extra_customer_fields,
        ),
        (
            "required address attributes",
            "MAGENTO_EXTRA_ADDRESS_FIELDS",
            "/V1/attributeMetadata/customerAddress",
            OPTIONAL_ADDRESS_ATTRIBUTES,
            &mut profile.extra_address_fields,
        ),
    ] {
        let detail = if config.is_set(variable) {
            format!("{} sent, from {variable}", keys_of(extras))
        } else if let Some(token) = admin {
            match get_json(client, path, Some(token)).await {
                Ok(metadata) => {
                    *extras = required_extras(&metadata, optional);
                    format!("{} sent, detected with GET {path}", keys_of(extras))
                }
                Err(why) => format!("none sent, not detected ({why}; set {variable} if the store requires more)"),
            }
        } else {
            format!("none sent ({}; set {variable} if the store requires more)", no_admin())
        };
        profile.observations.push((label.to_owned(), detail));
    }

    // Allowed countries (C6), anonymous.
    match get_json(client, "/V1/directory/countries", None).await {
        Ok(countries) => match country_ids(&countries) {
            Some(ids) => {
                let country = &profile.policy.address.country_id;
                let verdict = if ids.contains(country) {
                    format!("{country} among them")
                } else {
                    format!("{country} NOT among them")
                };
                profile.observe(
                    "allowed countries",
                    format!("{} ({verdict}), detected with GET /V1/directory/countries", ids.len()),
                );
                profile.allowed_countries = Some(ids);
            }
            None => profile.observe("allowed countries", "not detected (no list of countries)".into()),
        },
        Err(why) => profile.observe("allowed countries", format!("not detected ({why})")),
    }

    // Magento_Newsletter (U7), anonymous: the create route's definitions are public.
    let schema = ApiRequest {
        raw_path: true,
        ..ApiRequest::get(format!(
            "/rest/{}/schema?services=customerAccountManagementV1",
            config.store_code
        ))
    };
    let newsletter = match client.send(schema).await {
        Ok(exchange) if exchange.status == 200 => exchange.json().as_ref().and_then(declares_is_subscribed),
        _ => None,
    };
    profile.newsletter = newsletter;
    let detail = match newsletter {
        Some(true) => "installed (is_subscribed declared), detected with GET /rest/<store>/schema".to_owned(),
        Some(false) => "NOT installed (no is_subscribed declared), detected with GET /rest/<store>/schema".to_owned(),
        None => "not detected (the store's Swagger did not answer with the customer extension interface)".to_owned(),
    };
    profile.observe("Magento_Newsletter", detail);

    // Password policy (U1), anonymous, from a weak password's refusal.
    let (length_set, classes_set) = (
        config.is_set("MAGENTO_PASSWORD_MIN_LENGTH"),
        config.is_set("MAGENTO_PASSWORD_CLASSES"),
    );
    let source = if length_set && classes_set {
        Source::Variable("MAGENTO_PASSWORD_MIN_LENGTH/_CLASSES")
    } else {
        match detect_password_policy(client, config).await {
            Ok((min_length, classes)) => {
                if !length_set {
                    profile.policy.password_min_length = min_length;
                }
                if !classes_set {
                    profile.policy.password_required_classes = classes;
                }
                Source::Detected("a weak password's refusal (POST /V1/customers, nothing created)")
            }
            Err(why) => Source::Default(why),
        }
    };
    let detail = format!(
        "at least {} characters of {} classes, {source}",
        profile.policy.password_min_length, profile.policy.password_required_classes
    );
    profile.observe("password policy", detail);
    profile
}

fn keys_of(fields: &Map<String, Value>) -> String {
    if fields.is_empty() {
        "none".to_owned()
    } else {
        fields.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// A one-character password is refused for its length (or, at minimum length 1, its classes);
/// then a lower-case password of the minimum length for its classes. A store whose message is
/// not the English one is not detected.
async fn detect_password_policy(client: &MagentoClient, config: &Config) -> Result<(usize, usize), String> {
    let unrecognised = "a weak password's refusal was not recognised".to_owned();
    let min_length = match probe_password(client, config, "a").await? {
        ProbeAnswer::Refused(PasswordRule::MinLength(n)) => n,
        ProbeAnswer::Refused(PasswordRule::Classes(classes)) => return Ok((1, classes)),
        ProbeAnswer::Accepted => return Ok((1, 1)),
        ProbeAnswer::Unrecognised => return Err(unrecognised),
    };
    match probe_password(client, config, &"a".repeat(min_length.max(1))).await? {
        ProbeAnswer::Refused(PasswordRule::Classes(classes)) => Ok((min_length, classes)),
        ProbeAnswer::Accepted => Ok((min_length, 1)),
        ProbeAnswer::Refused(PasswordRule::MinLength(_)) | ProbeAnswer::Unrecognised => Err(unrecognised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn berlin() -> StoreAddress {
        StoreAddress {
            country_id: "DE".into(),
            region_id: 82,
            region_code: "BER".into(),
            region: "Berlin".into(),
            postcode: "10115".into(),
            city: "Berlin".into(),
            telephone: "030 1234567".into(),
        }
    }

    fn fields(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn create_bodies_get_the_store_address_and_the_extra_fields() {
        let mut body = json!({"customer": {"firstname": "Jane", "gender": 2, "addresses": [{
            "region": {"regionCode": "NY", "region": "New York", "regionId": 99999},
            "postcode": "10755", "city": "Purchase", "telephone": "512-555-1111", "countryId": "US",
            "street": ["123 Oak Ave"]
        }, {"region_id": 43, "country_id": "US"}]}, "password": "x"});
        adapt_create_body(
            &mut body,
            &berlin(),
            &fields(json!({"gender": 1, "taxvat": "Test"})),
            &fields(json!({"company": "Test"})),
        );
        assert_eq!(
            body,
            json!({"customer": {"firstname": "Jane", "gender": 2, "taxvat": "Test", "addresses": [{
                "region": {"regionCode": "BER", "region": "Berlin", "regionId": 99999},
                "postcode": "10115", "city": "Berlin", "telephone": "030 1234567", "countryId": "DE",
                "street": ["123 Oak Ave"], "company": "Test"
            }, {"region_id": 82, "country_id": "DE", "company": "Test"}]}, "password": "x"})
        );
        let mut no_customer = json!({"password": "x"});
        adapt_create_body(&mut no_customer, &berlin(), &fields(json!({"gender": 1})), &Map::new());
        assert_eq!(no_customer, json!({"password": "x"}));
    }

    #[test]
    fn the_store_view_locale_and_countries_are_read_from_magentos_answers() {
        let views = json!([{"id": 0, "code": "admin", "name": "Admin", "website_id": 0},
                           {"id": 3, "code": "fr", "name": "Boutique FR", "website_id": 2}]);
        assert_eq!(store_view(&views, "fr"), Some(("Boutique FR".into(), 3, 2)));
        assert_eq!(store_view(&views, "default"), None);
        assert_eq!(
            store_locale(&json!([{"code": "fr", "locale": "fr_FR"}]), "fr").as_deref(),
            Some("fr_FR")
        );
        assert_eq!(
            country_ids(&json!([{"id": "DE"}, {"id": "FR"}])),
            Some(vec!["DE".into(), "FR".into()])
        );
        assert_eq!(country_ids(&json!({"message": "x"})), None);
        assert_eq!(country_ids(&json!([])), None);
    }

    #[test]
    fn only_attributes_a_stock_store_does_not_require_become_extra_fields() {
        let metadata = json!([
            {"attribute_code": "firstname", "required": true, "frontend_input": "text", "user_defined": false},
            {"attribute_code": "website_id", "required": true, "frontend_input": "select", "user_defined": false},
            {"attribute_code": "gender", "required": true, "frontend_input": "select", "user_defined": false,
             "options": [{"label": " ", "value": ""}, {"label": "Male", "value": "1"}]},
            {"attribute_code": "taxvat", "required": true, "frontend_input": "text", "user_defined": false},
            {"attribute_code": "dob", "required": false, "frontend_input": "date", "user_defined": false},
            {"attribute_code": "loyalty_id", "required": true, "frontend_input": "text", "user_defined": true}
        ]);
        assert_eq!(
            required_extras(&metadata, OPTIONAL_CUSTOMER_ATTRIBUTES),
            fields(json!({"gender": 1, "taxvat": "Test",
                          "custom_attributes": [{"attribute_code": "loyalty_id", "value": "Test"}]}))
        );
    }

    #[test]
    fn a_weak_passwords_refusal_names_the_rule_and_its_parameter() {
        let short = json!({"message": "The password needs at least %1 characters. Create a new password and try again.", "parameters": ["12"]});
        assert_eq!(password_rule(&short), Some(PasswordRule::MinLength(12)));
        let classes = json!({"message": "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.", "parameters": [4]});
        assert_eq!(password_rule(&classes), Some(PasswordRule::Classes(4)));
        let translated = json!({"message": "Das Passwort braucht mindestens %1 Zeichen.", "parameters": ["8"]});
        assert_eq!(password_rule(&translated), None);
        assert_eq!(
            password_rule(&json!({"message": "\"First Name\" is a required value."})),
            None
        );
        assert_eq!(probe_answer(&short), ProbeAnswer::Refused(PasswordRule::MinLength(12)));
        assert_eq!(
            probe_answer(&json!({"message": "\"First Name\" is a required value."})),
            ProbeAnswer::Accepted
        );
        assert_eq!(probe_answer(&translated), ProbeAnswer::Unrecognised);
        assert_eq!(
            probe_answer(&json!({"message": "ReCaptcha validation failed, please try again"})),
            ProbeAnswer::Unrecognised
        );
    }

    #[test]
    fn the_newsletter_module_shows_in_the_customer_extension_interface() {
        let with = json!({"definitions": {"customer-data-customer-extension-interface": {"properties": {"is_subscribed": {"type": "boolean"}}}}});
        let without = json!({"definitions": {"customer-data-customer-extension-interface": {"properties": {"assistance_allowed": {}}}}});
        assert_eq!(declares_is_subscribed(&with), Some(true));
        assert_eq!(declares_is_subscribed(&without), Some(false));
        assert_eq!(declares_is_subscribed(&json!({"message": "x"})), None);
        let mut profile = StoreProfile::configured(
            &Config::from_lookup(crate::SuiteFiles::in_dir(crate::config::project_dir()), |_| None).unwrap(),
        );
        assert_eq!(profile.newsletter_missing(), None);
        profile.newsletter = Some(false);
        assert!(profile.newsletter_missing().unwrap().contains("Magento_Newsletter"));
    }

    /// R3: the id sent as a group that does not exist is above every listed one.
    #[test]
    fn the_missing_group_id_is_above_every_group_the_store_lists() {
        let answer = json!({
            "items": [{"id": 0, "code": "NOT LOGGED IN"}, {"id": 1}, {"id": 777}, {"id": 12}],
            "search_criteria": {"filter_groups": []},
            "total_count": 4
        });
        let (ids, total) = group_page(&answer).unwrap();
        assert_eq!((ids.as_slice(), total), ([0, 1, 777, 12].as_slice(), 4));
        assert_eq!(id_above(&ids), 778);
        assert_eq!(id_above(&[0, 1, 2, 3]), 4);
        assert_eq!(id_above(&[]), FALLBACK_MISSING_GROUP_ID);
        assert_eq!(group_page(&json!({"items": [{"code": "x"}], "total_count": 1})), None);
        assert_eq!(group_page(&json!({"message": "x"})), None);
    }

    #[test]
    fn an_address_the_store_does_not_allow_is_a_reason_not_to_run() {
        let mut profile = StoreProfile::configured(
            &Config::from_lookup(crate::SuiteFiles::in_dir(crate::config::project_dir()), |_| None).unwrap(),
        );
        assert_eq!(profile.address_not_allowed(false), None);
        profile.allowed_countries = Some(vec!["DE".into()]);
        let reason = profile.address_not_allowed(false).unwrap();
        assert!(
            reason.contains("US addresses") && reason.contains("MAGENTO_ADDRESS"),
            "{reason}"
        );
        profile.policy.address = berlin();
        assert_eq!(profile.address_not_allowed(true), None);
    }
}
