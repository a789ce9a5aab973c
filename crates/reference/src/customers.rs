//! Customer accounts: `AccountManagement::createAccount` and the customer repository
//! (CONTRACT.md §4, §6, §7).

use super::addresses::{AddressView, build_address};
use super::app::App;
use super::auth::{AclResource, UserContext};
use super::binding::{Bound, DataObject, php_truthy};
use super::directory;
use super::error::{MagentoError, Parameters};
use super::faults::Fault;
use super::service::ServiceCall;
use super::settings::{CustomerAttribute, StoreSettings};
use super::state::{AddressRecord, CustomerRecord, PasswordHash, Store, TokenSubject};
use super::validation::{
    self, DobInput, check_password_strength, email_messages, is_valid_name, password_equals_email,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

/// `customer_group` rows of a stock install: NOT LOGGED IN, General, Wholesale, Retailer.
#[derive(Debug, Serialize)]
struct CustomerExtensionView {
    /// Magento_Newsletter's (§4.3 step 13).
    #[serde(skip_serializing_if = "Option::is_none")]
    is_subscribed: Option<bool>,
    /// The loyalty module's (`StoreSettings::loyalty_module`, STORES.md C7).
    #[serde(skip_serializing_if = "Option::is_none")]
    loyalty: Option<LoyaltyView>,
}

/// What the loyalty module adds for a new customer.
#[derive(Debug, Serialize)]
struct LoyaltyView {
    tier: &'static str,
    points: i64,
}

/// One entry of `custom_attributes` (`framework-attribute-interface`).
#[derive(Debug, Serialize)]
struct CustomAttributeView {
    attribute_code: &'static str,
    value: &'static str,
}

/// `customer-data-customer-interface` in getter order (§7.2, examples S1/S3).
#[derive(Debug, Serialize)]
pub(crate) struct CustomerView<'a> {
    id: i64,
    group_id: i64,
    /// The default addresses' ids, as strings (the interface declares them `string`).
    #[serde(skip_serializing_if = "Option::is_none")]
    default_billing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_shipping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmation: Option<&'a str>,
    created_at: String,
    updated_at: String,
    created_in: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dob: Option<String>,
    email: &'a str,
    firstname: &'a str,
    lastname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    middlename: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prefix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suffix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<i64>,
    store_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    taxvat: Option<&'a str>,
    website_id: i64,
    addresses: Vec<AddressView<'a>>,
    disable_auto_group_change: i64,
    /// Present when a module adds to it: Magento_Newsletter `is_subscribed` (§4.3 step 13).
    #[serde(skip_serializing_if = "Option::is_none")]
    extension_attributes: Option<CustomerExtensionView>,
    /// A module's custom attribute with a default value (STORES.md C7).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    custom_attributes: Vec<CustomAttributeView>,
}

/// MySQL `DATETIME` as Magento prints it (UTC).
pub(crate) fn format_datetime(moment: &DateTime<Utc>) -> String {
    moment.format("%Y-%m-%d %H:%M:%S").to_string()
}

impl CustomerRecord {
    /// A new customer with nothing set yet: `created_in` is the store's name, the timestamps
    /// `now`, the flags Magento's column defaults (§4.6).
    fn new(
        id: i64,
        website_id: i64,
        store_id: i64,
        group_id: i64,
        settings: &StoreSettings,
        now: DateTime<Utc>,
    ) -> Self {
        CustomerRecord {
            id,
            email: String::new(),
            website_id,
            store_id,
            group_id,
            firstname: String::new(),
            lastname: String::new(),
            middlename: None,
            prefix: None,
            suffix: None,
            dob: None,
            gender: None,
            taxvat: None,
            created_in: settings.store_name.clone(),
            created_at: now,
            updated_at: now,
            confirmation: None,
            disable_auto_group_change: 0,
            default_billing: None,
            default_shipping: None,
            password_hash: None,
            is_subscribed: false,
            assistance_allowed: false,
            addresses: Vec::new(),
        }
    }
}

impl CustomerRecord {
    /// Copies the sent attributes; absent or null ones keep their value.
    fn apply(&mut self, customer: &DataObject) {
        let text = |key: &str| customer.str(key).map(str::to_owned);
        if let Some(firstname) = text("firstname") {
            self.firstname = firstname;
        }
        if let Some(lastname) = text("lastname") {
            self.lastname = lastname;
        }
        for (key, slot) in [
            ("middlename", &mut self.middlename),
            ("prefix", &mut self.prefix),
            ("suffix", &mut self.suffix),
            ("taxvat", &mut self.taxvat),
        ] {
            if let Some(value) = text(key) {
                *slot = Some(value);
            }
        }
        self.gender = customer.int("gender").or(self.gender);
        if let Some(flag) = customer.int("disable_auto_group_change") {
            self.disable_auto_group_change = flag;
        }
        // The Newsletter plugin's `afterSave` applies `extension_attributes.is_subscribed` (§4.4).
        if let Some(subscribed) = customer
            .object("extension_attributes")
            .and_then(|extension| extension.bool("is_subscribed"))
        {
            self.is_subscribed = subscribed;
        }
        // Magento_LoginAsCustomerAssistance's `assistance_allowed` (GraphQL's
        // `allow_remote_shopping_assistance`).
        if let Some(allowed) = customer
            .object("extension_attributes")
            .and_then(|extension| extension.bool("assistance_allowed"))
        {
            self.assistance_allowed = allowed;
        }
    }

    /// The repository's data object. `with_confirmation` is false for the create response,
    /// which `AccountManagementApi` strips of `confirmation` (§4.1).
    pub(crate) fn view(&self, with_confirmation: bool, settings: &StoreSettings) -> CustomerView<'_> {
        let mut addresses: Vec<&AddressRecord> = self.addresses.iter().collect();
        // derived: CONTRACT.md §7.2 says default-shipping addresses come first, but
        // `Customer::getAddressesCollection` loads them with no ORDER BY
        // (`Address\Collection::setCustomerFilter`), so MySQL returns them in id order, whichever
        // is the default.
        addresses.sort_by_key(|address| address.id);
        CustomerView {
            id: self.id,
            group_id: self.group_id,
            default_billing: self.default_billing.map(|id| id.to_string()),
            default_shipping: self.default_shipping.map(|id| id.to_string()),
            confirmation: self.confirmation.as_deref().filter(|_| with_confirmation),
            created_at: format_datetime(&self.created_at),
            updated_at: format_datetime(&self.updated_at),
            created_in: &self.created_in,
            dob: self.dob.map(|date| date.format("%Y-%m-%d").to_string()),
            email: &self.email,
            firstname: &self.firstname,
            lastname: &self.lastname,
            middlename: self.middlename.as_deref(),
            prefix: self.prefix.as_deref(),
            suffix: self.suffix.as_deref(),
            gender: self.gender,
            store_id: self.store_id,
            taxvat: self.taxvat.as_deref(),
            website_id: self.website_id,
            addresses: addresses
                .into_iter()
                .map(|address| address.view(self.default_billing, self.default_shipping))
                .collect(),
            disable_auto_group_change: self.disable_auto_group_change,
            extension_attributes: Some(CustomerExtensionView {
                is_subscribed: settings.newsletter_module.then_some(self.is_subscribed),
                loyalty: settings.loyalty_module.then_some(LoyaltyView {
                    tier: "bronze",
                    points: 0,
                }),
            })
            .filter(|_| settings.newsletter_module || settings.loyalty_module),
            custom_attributes: if settings.loyalty_module {
                vec![CustomAttributeView {
                    attribute_code: "loyalty_tier",
                    value: "bronze",
                }]
            } else {
                Vec::new()
            },
        }
    }
}

/// `customer_entity` columns the search can filter and sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CustomerColumn {
    Id,
    Email,
    Firstname,
    Lastname,
    Middlename,
    Prefix,
    Suffix,
    Taxvat,
    CreatedIn,
    CreatedAt,
    UpdatedAt,
    Dob,
    WebsiteId,
    StoreId,
    GroupId,
    Gender,
}

/// A column value: numbers compare as numbers, the rest as text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnValue {
    Number(i64),
    Text(String),
}

impl CustomerColumn {
    /// derived: `id` is accepted as an alias of `entity_id`.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        use CustomerColumn::*;
        Some(match name {
            "id" | "entity_id" => Id,
            "email" => Email,
            "firstname" => Firstname,
            "lastname" => Lastname,
            "middlename" => Middlename,
            "prefix" => Prefix,
            "suffix" => Suffix,
            "taxvat" => Taxvat,
            "created_in" => CreatedIn,
            "created_at" => CreatedAt,
            "updated_at" => UpdatedAt,
            "dob" => Dob,
            "website_id" => WebsiteId,
            "store_id" => StoreId,
            "group_id" => GroupId,
            "gender" => Gender,
            _ => return None,
        })
    }
}

impl CustomerRecord {
    /// The column's value, `None` for SQL NULL.
    pub(crate) fn value(&self, column: CustomerColumn) -> Option<ColumnValue> {
        use ColumnValue::{Number, Text};
        let text = |value: &Option<String>| value.clone().map(Text);
        match column {
            CustomerColumn::Id => Some(Number(self.id)),
            CustomerColumn::Email => Some(Text(self.email.clone())),
            CustomerColumn::Firstname => Some(Text(self.firstname.clone())),
            CustomerColumn::Lastname => Some(Text(self.lastname.clone())),
            CustomerColumn::Middlename => text(&self.middlename),
            CustomerColumn::Prefix => text(&self.prefix),
            CustomerColumn::Suffix => text(&self.suffix),
            CustomerColumn::Taxvat => text(&self.taxvat),
            CustomerColumn::CreatedIn => Some(Text(self.created_in.clone())),
            CustomerColumn::CreatedAt => Some(Text(format_datetime(&self.created_at))),
            CustomerColumn::UpdatedAt => Some(Text(format_datetime(&self.updated_at))),
            CustomerColumn::Dob => self.dob.map(|date| Text(date.format("%Y-%m-%d").to_string())),
            CustomerColumn::WebsiteId => Some(Number(self.website_id)),
            CustomerColumn::StoreId => Some(Number(self.store_id)),
            CustomerColumn::GroupId => Some(Number(self.group_id)),
            CustomerColumn::Gender => self.gender.map(Number),
        }
    }
}

/// §4.3 step 10: the email is taken in the website.
pub(crate) const DUPLICATE_EMAIL: &str =
    "A customer with the same email address already exists in an associated website.";

/// The input of `createAccount`, and whether the caller passes the `group_id` guard.
pub(crate) struct CreateRequest<'a> {
    pub(crate) customer: &'a DataObject,
    pub(crate) password: Option<&'a str>,
    pub(crate) may_manage_customers: bool,
}

/// `AccountManagementApi::createAccount`, in the order of §4.3: the saved customer. REST and
/// GraphQL (`createCustomerV2`) share it.
pub(crate) fn create_account(
    app: &App,
    request: CreateRequest<'_>,
    now: DateTime<Utc>,
) -> Result<CustomerRecord, MagentoError> {
    let settings = &app.settings;
    let customer = request.customer;

    // §4.3 step 1 / §4.1: the group_id guard comes first; releases before it reset a guest's
    // group to the default (STORES.md C3d).
    let mut requested_group = customer.int("group_id");
    if requested_group.is_some() && !request.may_manage_customers && !settings.has_fault(Fault::GroupIdGuardMissing) {
        if settings.release.guards_the_customer_group() {
            return Err(MagentoError::not_authorized(AclResource::CustomerManage.id()));
        }
        requested_group = None;
    }
    // §4.3 step 2 (2.4.8); before, the email was first read by the password check (C3a).
    let email = match customer.str("email") {
        Some(email) => email,
        None if settings.release.requires_the_email_first() => {
            return Err(MagentoError::bad_request(
                "The email address is required to create a customer account.",
            ));
        }
        None if request.password.is_some() => return Err(MagentoError::internal()),
        None => "",
    };
    // §4.3 step 3.
    let password_hash = match request.password {
        Some(password) => {
            if !settings.has_fault(Fault::WeakPasswordAccepted) {
                check_password_strength(
                    password,
                    settings.password_min_length,
                    settings.password_required_classes,
                )?;
            }
            if password_equals_email(password, email) {
                return Err(MagentoError::bad_request(
                    "The password can't be the same as the email address. Create a new password and try again.",
                ));
            }
            Some(PasswordHash::new(password))
        }
        None => None,
    };

    let mut store = app.store();
    // §4.3 step 4: an `id` loads the existing customer by email; nothing is ever created.
    if customer.int("id").is_some_and(|id| id != 0) {
        return Err(match store.customer_by_email(email, settings.website_id) {
            Some(_) => MagentoError::bad_request("This customer already exists in this store."),
            None => MagentoError::not_found("No such entity with %fieldName = %fieldValue, %field2Name = %field2Value")
                .with_parameters(Parameters::Named(vec![
                    ("fieldName", Value::from("email")),
                    ("fieldValue", Value::from(email)),
                    ("field2Name", Value::from("websiteId")),
                    ("field2Value", Value::from(settings.website_id)),
                ])),
        });
    }
    // §4.3 steps 5–8.
    let (store_id, website_id) = resolve_store(app, customer)?;
    // §4.3 step 10.
    let group_id = check_group(settings, requested_group)?.unwrap_or(settings.default_group_id);
    let (email, dob) = check_before_save(&store, customer, website_id, None)?;
    // §4.3 step 12 / §4.6: a required confirmation overrides any client value.
    let confirmation = if settings.require_confirmation {
        Some(random_hex_key())
    } else {
        truthy_text(customer, "confirmation")
    };
    validate_customer_entity(settings, customer, &email, dob, now.date_naive())?;

    let mut record = CustomerRecord {
        email,
        dob,
        confirmation,
        password_hash,
        ..CustomerRecord::new(
            store.allocate_customer_id(),
            website_id,
            store_id,
            group_id,
            settings,
            now,
        )
    };
    record.apply(customer);
    // §4.3 step 11: addresses with a missing or disallowed country are skipped; any address
    // error deletes the customer again (its id stays consumed).
    let allowed: Vec<DataObject> = customer
        .objects("addresses")
        .unwrap_or_default()
        .iter()
        .filter(|address| {
            address
                .str("country_id")
                .is_some_and(|country| directory::is_allowed_country(settings, country))
        })
        .cloned()
        .collect();
    if let Err(error) = save_addresses(settings, &mut store, &mut record, &allowed) {
        if settings.has_fault(Fault::AddressRollbackMissing) {
            store.insert_customer(record);
        }
        return Err(error);
    }
    store.insert_customer(record.clone());
    Ok(record)
}

/// `PUT /V1/customers/:customerId`, `CustomerRepository::save` (§4.8). The body's `customer.id`
/// names the customer; without one, the `UpdateCustomer` plugin (2.4.0+, magento2#21237; real
/// capture C40 shows the older answer) loads the customer of the path id and saves the body
/// over it, so an unknown path id is "not found".
///
/// derived: CONTRACT.md does not cover updates. Fields that are absent (or null) keep their
/// value, `email`, `firstname` and `lastname` must be resent (the EAV validator sees only the
/// sent data), a sent `addresses` list replaces the addresses, `confirmation` is cleared unless
/// resent, and a new customer gets the current store view.
pub(crate) fn save_customer(
    app: &App,
    customer: &DataObject,
    path_customer_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, MagentoError> {
    let settings = &app.settings;
    let mut store = app.store();
    let named = customer.int("id").or(path_customer_id);
    let previous = match named.filter(|id| *id != 0) {
        Some(id) => Some(
            store
                .customer(id)
                .cloned()
                .ok_or_else(|| MagentoError::no_such_customer(id))?,
        ),
        None => None,
    };
    let group_id = check_group(settings, customer.int("group_id"))?
        .or(previous.as_ref().map(|p| p.group_id))
        .unwrap_or(settings.default_group_id);
    let website_id = customer
        .int("website_id")
        .or(previous.as_ref().map(|p| p.website_id))
        .unwrap_or(settings.website_id);
    let own_id = previous.as_ref().map(|p| p.id);
    let (email, dob) = check_before_save(&store, customer, website_id, own_id)?;
    let dob = dob.or(previous.as_ref().and_then(|p| p.dob));
    validate_customer_entity(settings, customer, &email, dob, now.date_naive())?;

    let mut record = match previous {
        Some(previous) => previous,
        None => CustomerRecord::new(
            store.allocate_customer_id(),
            website_id,
            settings.store_id,
            group_id,
            settings,
            now,
        ),
    };
    record.email = email;
    record.group_id = group_id;
    record.website_id = website_id;
    record.store_id = customer.int("store_id").unwrap_or(record.store_id);
    record.dob = dob;
    record.confirmation = truthy_text(customer, "confirmation");
    record.updated_at = now;
    record.apply(customer);
    if let Some(addresses) = customer.objects("addresses") {
        save_addresses(settings, &mut store, &mut record, addresses)?;
    }
    let body = super::json::encode(&record.view(true, settings));
    store.insert_customer(record);
    Ok(body)
}

/// A text field that PHP considers set (`""` and `"0"` are not).
fn truthy_text(customer: &DataObject, key: &str) -> Option<String> {
    customer.str(key).filter(|text| php_truthy(text)).map(str::to_owned)
}

/// `CustomerRepository::validateGroupId`: a sent group must exist (§4.3 step 10).
fn check_group(settings: &StoreSettings, group_id: Option<i64>) -> Result<Option<i64>, MagentoError> {
    match group_id {
        Some(group) if !super::stores::group_exists(settings, group) => Err(MagentoError::bad_request(
            "The specified customer group id does not exist.",
        )),
        other => Ok(other),
    }
}

/// The customer resource model's `_beforeSave`, §4.3 step 10: the EAV `Datetime` backend formats
/// `dob` first (derived: its "Invalid date" failure is not in CONTRACT.md), then the email must
/// be set and unique in the website.
fn check_before_save(
    store: &Store,
    customer: &DataObject,
    website_id: i64,
    own_id: Option<i64>,
) -> Result<(String, Option<NaiveDate>), MagentoError> {
    let dob = match customer.str("dob").filter(|text| php_truthy(text)) {
        Some(text) => match validation::parse_dob(text) {
            DobInput::Date(date) => Some(date),
            DobInput::Invalid => return Err(MagentoError::bad_request("Invalid date")),
        },
        None => None,
    };
    let Some(email) = truthy_text(customer, "email") else {
        return Err(MagentoError::bad_request(
            "The customer email is missing. Enter and try again.",
        ));
    };
    if store
        .customer_by_email(&email, website_id)
        .is_some_and(|other| Some(other.id) != own_id)
    {
        return Err(MagentoError::bad_request(DUPLICATE_EMAIL));
    }
    Ok((email, dob))
}

/// Saves addresses one by one (`AddressRepository::save`) as the customer's only addresses; an
/// id of one of its existing addresses is kept, any other id is replaced by a new one. The
/// default flags set the customer's defaults.
fn save_addresses(
    settings: &StoreSettings,
    store: &mut Store,
    record: &mut CustomerRecord,
    inputs: &[DataObject],
) -> Result<(), MagentoError> {
    let existing_ids: Vec<i64> = record.addresses.iter().map(|a| a.id).collect();
    let mut saved = Vec::with_capacity(inputs.len());
    let (mut default_billing, mut default_shipping) = (None, None);
    for input in inputs {
        let mut address = build_address(settings, input, input.str("country_id"), record.id)?;
        address.id = match input.int("id").filter(|id| existing_ids.contains(id)) {
            Some(id) => id,
            None => store.allocate_address_id(),
        };
        if input.bool("default_billing") == Some(true) {
            default_billing = Some(address.id);
        }
        if input.bool("default_shipping") == Some(true) {
            default_shipping = Some(address.id);
        }
        saved.push(address);
    }
    record.addresses = saved;
    record.default_billing = default_billing;
    record.default_shipping = default_shipping;
    Ok(())
}

/// `md5(uniqid())`-style confirmation key.
fn random_hex_key() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// §4.3 steps 5–8: store and website resolution, with Magento's not-found messages.
fn resolve_store(app: &App, customer: &DataObject) -> Result<(i64, i64), MagentoError> {
    let settings = &app.settings;
    let website_missing = |id: i64| {
        MagentoError::not_found(format!(
            "The website with id {id} that was requested wasn't found. Verify the website and try again."
        ))
    };
    let requested_store = customer.int("store_id").filter(|id| *id != 0);
    let requested_website = customer.int("website_id").filter(|id| *id != 0);
    let store_id = match (requested_store, requested_website) {
        (Some(store), _) => store,
        (None, Some(website)) if website == settings.website_id => settings.store_id,
        (None, Some(website)) => return Err(website_missing(website)),
        (None, None) => settings.store_id,
    };
    let website_id = match requested_website {
        Some(website) => website,
        None if store_id == settings.store_id => settings.website_id,
        None => {
            return Err(MagentoError::not_found(
                "The store that was requested wasn't found. Verify the store and try again.",
            ));
        }
    };
    if website_id != settings.website_id {
        return Err(website_missing(website_id));
    }
    if store_id != settings.store_id {
        return Err(MagentoError::bad_request(
            "The store view is not in the associated website.",
        ));
    }
    Ok((store_id, website_id))
}

/// The EAV required rule (`AbstractData`), with the attribute's store label.
const REQUIRED_VALUE: &str = "\"%1\" is a required value.";

/// §4.3 step 10, entity validation: the EAV data validator, then the Name and Dob validators;
/// every message joined with `\n`, no parameters.
///
/// derived: the EAV messages follow attribute-id order (firstname, lastname, email).
fn validate_customer_entity(
    settings: &StoreSettings,
    customer: &DataObject,
    email: &str,
    dob: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), MagentoError> {
    let mut messages: Vec<String> = Vec::new();
    let eav_required = |value: Option<&str>| value.is_none_or(|text| text.is_empty());
    // Each line in the store view's language, the label too (STORES.md C2).
    let language = &settings.translations;
    if eav_required(customer.str("firstname")) {
        messages.push(language.with_label(REQUIRED_VALUE, "First Name"));
    }
    if eav_required(customer.str("lastname")) {
        messages.push(language.with_label(REQUIRED_VALUE, "Last Name"));
    }
    if !settings.has_fault(Fault::InvalidEmailAccepted) {
        messages.extend(
            email_messages(email)
                .into_iter()
                .map(|template| language.with_label(template, "Email")),
        );
    }
    // Attribute-id order: taxvat (17) before gender (20); a select's "0" counts as set.
    for attribute in [CustomerAttribute::Taxvat, CustomerAttribute::Gender] {
        let missing = match attribute {
            CustomerAttribute::Taxvat => eav_required(customer.str("taxvat")),
            CustomerAttribute::Gender => customer.int("gender").is_none(),
        };
        if missing && settings.required_customer_attributes.contains(&attribute) {
            messages.push(format!("\"{}\" is a required value.", attribute.label()));
        }
    }
    for (key, label) in [
        ("firstname", "First Name"),
        ("lastname", "Last Name"),
        ("middlename", "Middle Name"),
    ] {
        if !is_valid_name(customer.str(key)) {
            messages.push(language.phrase(&format!("{label} is not valid!")));
        }
    }
    if settings.release.refuses_a_future_dob() && dob.is_some_and(|date| date > today) {
        messages.push(language.phrase("The Date of Birth should not be greater than today."));
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(MagentoError::bad_request(messages.join("\n")))
    }
}

/// `CustomerRepository::getById` (§6.1, §6.2).
pub(crate) fn get_customer(app: &App, customer_id: i64) -> Result<Vec<u8>, MagentoError> {
    let store = app.store();
    let customer = store
        .customer(customer_id)
        .ok_or_else(|| MagentoError::no_such_customer(customer_id))?;
    Ok(super::json::encode(&customer.view(true, &app.settings)))
}

/// `CustomerRepository::deleteById` (§6.3): the customer, its addresses and subscription go, and
/// all its tokens are revoked.
pub(crate) fn delete_customer(app: &App, customer_id: i64, now: i64) -> Result<Vec<u8>, MagentoError> {
    let mut store = app.store();
    store
        .remove_customer(customer_id)
        .ok_or_else(|| MagentoError::no_such_customer(customer_id))?;
    store.revoke_tokens(TokenSubject::Customer(customer_id), now);
    Ok(super::json::encode(&true))
}

/// The handler of the create-account route: only an admin passes the `group_id` guard.
pub(crate) fn serve_create_account(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Object(customer), password, _redirect_url] = call.values else {
        return Err(MagentoError::internal());
    };
    let request = CreateRequest {
        customer,
        password: match password {
            Bound::Str(text) => Some(text.as_str()),
            _ => None,
        },
        may_manage_customers: matches!(call.user, UserContext::Admin(_) | UserContext::Integration(_)),
    };
    create_account(call.app, request, call.now)
        .map(|record| super::json::encode(&record.view(false, &call.app.settings)))
}

/// The handler of the save route.
///
/// derived: `passwordHash` is bound (and type-checked) but a stored hash is never replaced.
pub(crate) fn serve_save_customer(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Object(customer), _password_hash] = call.values else {
        return Err(MagentoError::internal());
    };
    let path_customer_id = call.path_param("customerId").and_then(|value| value.parse().ok());
    save_customer(call.app, customer, path_customer_id, call.now)
}

/// The handler of both `getById` routes, `/me` (whose `customerId` is the caller's own) and
/// `/:customerId`.
pub(crate) fn serve_get_customer(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Int(customer_id)] = call.values else {
        return Err(MagentoError::internal());
    };
    get_customer(call.app, *customer_id)
}

/// The handler of the delete route.
pub(crate) fn serve_delete_customer(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Int(customer_id)] = call.values else {
        return Err(MagentoError::internal());
    };
    delete_customer(call.app, *customer_id, call.now.timestamp())
}
