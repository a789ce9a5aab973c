//! The GraphQL schema Magento 2.4.8 declares for the covered operations, with resolvers that call
//! the same services as REST (GRAPHQL.md §2–§6): `createCustomerV2`, the deprecated
//! `createCustomer`, `generateCustomerToken`, `customer`, `revokeCustomerToken` and
//! `isEmailAvailable`.
//!
//! Field names are Magento's snake_case, input fields are declared alphabetically as Magento's
//! `Config` sorts them (§1.6), and every resolver error carries its `extensions.category`
//! (§1.8) or is masked as `Internal server error` (§1.5).

use super::app::App;
use super::auth::UserContext;
use super::binding::{Bound, DataObject};
use super::customers::{CreateRequest, create_account};
use super::error::MagentoError;
use super::faults::Fault;
use super::settings::RecaptchaForm;
use super::state::CustomerRecord;
use super::tokens;
use super::validation::email_messages;
use async_graphql::{Context, EmptySubscription, Enum, ErrorExtensions, InputObject, Object, Schema, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::sync::{Arc, LazyLock};

/// The schema; it holds no state, so one serves every server (each request carries its
/// [`Caller`]).
pub(crate) type MagentoSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, built once.
pub(crate) fn schema() -> &'static MagentoSchema {
    static SCHEMA: LazyLock<MagentoSchema> =
        LazyLock::new(|| Schema::build(Query, Mutation, EmptySubscription).finish());
    &SCHEMA
}

/// Who calls, on which server, and when: the request data every resolver reads.
pub(crate) struct Caller {
    pub(crate) app: Arc<App>,
    pub(crate) user: UserContext,
    pub(crate) now: DateTime<Utc>,
    /// Whether the request carried a non-empty `X-ReCaptcha` header.
    pub(crate) recaptcha_response: bool,
}

/// `extensions.category` of Magento's client-safe exceptions (§1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Input,
    Authentication,
    Authorization,
}

impl Category {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Category::Input => "graphql-input",
            Category::Authentication => "graphql-authentication",
            Category::Authorization => "graphql-authorization",
        }
    }
}

/// A `GraphQl*Exception`: client-safe, with its category.
fn error(category: Category, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("category", category.name()))
}

/// `new GraphQl*Exception(__($template, ...$args))`: Magento's own messages are phrases, so a
/// store view in another language answers in it (STORES.md C2; GRAPHQL.md §3.3); the arguments
/// are not translated.
fn localized(caller: &Caller, category: Category, template: &str, args: &[&str]) -> async_graphql::Error {
    error(category, caller.app.settings.translations.render(template, args))
}

/// graphql-php's mask for any exception that is not client-safe (§1.5).
pub(crate) const INTERNAL_SERVER_ERROR: &str = "Internal server error";

/// The masked error carries the real message as `debugMessage`, which only developer mode
/// shows (§1.7 D).
fn masked(real: impl Into<String>) -> async_graphql::Error {
    let real = real.into();
    async_graphql::Error::new(INTERNAL_SERVER_ERROR).extend_with(|_, extensions| extensions.set("debugMessage", real))
}

/// `NoSuchEntityException::singleField('customerId', $id)`, not client-safe.
fn no_such_customer(customer_id: i64) -> async_graphql::Error {
    masked(format!("No such entity with customerId = {customer_id}"))
}

/// `The current customer isn't authorized.` (§4.2, §5).
const NOT_AUTHORIZED: &str = "The current customer isn't authorized.";

/// `AddUserInfoToContext::isCustomer`: a customer token; its website is the store's, as there
/// is one website.
fn current_customer(caller: &Caller) -> Result<i64, async_graphql::Error> {
    match caller.user {
        UserContext::Customer(id) => Ok(id),
        UserContext::Guest | UserContext::Admin(_) | UserContext::Integration(_) => {
            Err(localized(caller, Category::Authorization, NOT_AUTHORIZED, &[]))
        }
    }
}

fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    ctx.data_unchecked::<Caller>()
}

/// A nullable root field whose resolver failed: `null` in `data`, and the error with the
/// field's location and path (graphql-php's partial data, §1.7 A).
fn nullable<T>(ctx: &Context<'_>, result: async_graphql::Result<Option<T>>) -> Option<T> {
    result.unwrap_or_else(|failure| {
        ctx.add_error(ctx.set_error_path(failure.into_server_error(ctx.item.pos)));
        None
    })
}

pub(crate) struct Query;

#[Object]
impl Query {
    /// `Model/Resolver/Customer.php` then `GetCustomer` (§4.2).
    async fn customer(&self, ctx: &Context<'_>) -> Option<CustomerData> {
        nullable(ctx, customer(caller(ctx)))
    }

    /// `Model/Resolver/IsEmailAvailable.php` (§6): `true` for any well-formed address while
    /// `checkout/options/enable_guest_checkout_login` is 0 (the default).
    async fn is_email_available(&self, ctx: &Context<'_>, email: String) -> Option<IsEmailAvailableOutput> {
        nullable(ctx, is_email_available(caller(ctx), &email))
    }
}

/// `Model/Resolver/Customer.php` then `GetCustomer` (§4.2).
fn customer(caller: &Caller) -> async_graphql::Result<Option<CustomerData>> {
    let customer_id = current_customer(caller)?;
    let app = &caller.app;
    let store = app.store();
    // derived: a token whose customer is gone fails while the context is built (§4.2, 500);
    // deleting a customer revokes its tokens, so this is a 401 before it gets here.
    let record = store
        .customer(customer_id)
        .ok_or_else(|| no_such_customer(customer_id))?;
    if app.settings.require_confirmation && record.confirmation.is_some() {
        return Err(localized(
            caller,
            Category::Authentication,
            "This account isn't confirmed. Verify and try again.",
            &[],
        ));
    }
    Ok(Some(CustomerData::saved(record, &app.settings)))
}

/// `Model/Resolver/IsEmailAvailable.php` (§6).
fn is_email_available(caller: &Caller, email: &str) -> async_graphql::Result<Option<IsEmailAvailableOutput>> {
    if email.is_empty() {
        return Err(localized(caller, Category::Input, "Email must be specified", &[]));
    }
    if !email_messages(email).is_empty() {
        return Err(localized(caller, Category::Input, "Email is invalid", &[]));
    }
    Ok(Some(IsEmailAvailableOutput {
        is_email_available: Some(true),
    }))
}

pub(crate) struct Mutation;

#[Object]
impl Mutation {
    /// §2.2.
    async fn create_customer_v2(&self, ctx: &Context<'_>, input: CustomerCreateInput) -> Option<CustomerOutput> {
        let caller = caller(ctx);
        nullable(
            ctx,
            check_recaptcha(caller, RecaptchaForm::CreateAccount)
                .and_then(|()| create_customer(caller, input.into()).map(Some)),
        )
    }

    /// The deprecated mutation: all fields optional, `{}` refused by the resolver (§2.10).
    #[graphql(deprecation = "Use `createCustomerV2` instead.")]
    async fn create_customer(&self, ctx: &Context<'_>, input: CustomerInput) -> Option<CustomerOutput> {
        let caller = caller(ctx);
        nullable(
            ctx,
            check_recaptcha(caller, RecaptchaForm::CreateAccount)
                .and_then(|()| create_customer(caller, input.into()).map(Some)),
        )
    }

    /// §3: `CustomerTokenService::createCustomerAccessToken`, the REST token service.
    async fn generate_customer_token(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Option<CustomerToken> {
        let caller = caller(ctx);
        nullable(
            ctx,
            check_recaptcha(caller, RecaptchaForm::Login)
                .and_then(|()| generate_customer_token(caller, &email, &password)),
        )
    }

    /// §5: every token of the caller issued up to now stops working, on REST too.
    async fn revoke_customer_token(&self, ctx: &Context<'_>) -> Option<RevokeCustomerTokenOutput> {
        nullable(ctx, revoke_customer_token(caller(ctx)))
    }
}

/// STORES.md C1, `ReCaptchaWebapiGraphQl\Plugin\GraphQlValidator::beforeResolve`: on a mutation,
/// the `CreateCustomer` resolver (both create mutations) and `GenerateCustomerToken` need an
/// `X-ReCaptcha` response when their storefront form has reCAPTCHA on, else a `graphql-input`
/// error, before the resolver's own checks. As on REST, any non-empty response passes (Google's
/// test keys) and an integration token is exempt (`ValidationOverrider`).
fn check_recaptcha(caller: &Caller, form: RecaptchaForm) -> async_graphql::Result<()> {
    let answered = caller.recaptcha_response || matches!(caller.user, UserContext::Integration(_));
    if caller.app.settings.recaptcha.contains(&form) && !answered {
        return Err(error(
            Category::Input,
            MagentoError::recaptcha_failed().rendered_message(),
        ));
    }
    Ok(())
}

/// §3.3: the resolver's own checks, then the REST token service.
fn generate_customer_token(
    caller: &Caller,
    email: &str,
    password: &str,
) -> async_graphql::Result<Option<CustomerToken>> {
    // PHP `empty()`: "" and "0".
    let empty = |value: &str| value.is_empty() || value == "0";
    if empty(email) {
        return Err(localized(caller, Category::Input, "Specify the \"email\" value.", &[]));
    }
    if empty(password) {
        return Err(localized(
            caller,
            Category::Input,
            "Specify the \"password\" value.",
            &[],
        ));
    }
    match tokens::customer_token(&caller.app, email, password, caller.now.timestamp()) {
        Ok(token) => Ok(Some(CustomerToken { token: Some(token) })),
        // `__($e->getRawMessage())`: the raw phrase in the store view's language.
        Err(refused) if refused.status() == axum::http::StatusCode::UNAUTHORIZED => Err(error(
            Category::Authentication,
            refused.localized(&caller.app.settings.translations).rendered_message(),
        )),
        Err(other) => Err(masked(other.rendered_message())),
    }
}

fn revoke_customer_token(caller: &Caller) -> async_graphql::Result<Option<RevokeCustomerTokenOutput>> {
    let customer_id = current_customer(caller)?;
    tokens::revoke_customer_token(&caller.app, customer_id, caller.now.timestamp());
    Ok(Some(RevokeCustomerTokenOutput { result: true }))
}

/// What both create mutations receive, whichever input type carried it.
struct CreateInput {
    allow_remote_shopping_assistance: Option<bool>,
    date_of_birth: Option<String>,
    dob: Option<String>,
    email: Option<String>,
    firstname: Option<String>,
    gender: Option<i32>,
    is_subscribed: Option<bool>,
    lastname: Option<String>,
    middlename: Option<String>,
    password: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    taxvat: Option<String>,
}

impl CreateInput {
    /// derived: an input whose fields are all absent or null is "empty" (PHP sees `[]` only
    /// for absent ones; a sent null is not modelled apart).
    fn is_empty(&self) -> bool {
        self.allow_remote_shopping_assistance.is_none()
            && self.date_of_birth.is_none()
            && self.dob.is_none()
            && self.email.is_none()
            && self.firstname.is_none()
            && self.gender.is_none()
            && self.is_subscribed.is_none()
            && self.lastname.is_none()
            && self.middlename.is_none()
            && self.password.is_none()
            && self.prefix.is_none()
            && self.suffix.is_none()
            && self.taxvat.is_none()
    }
}

/// The gender attribute's options on a stock install: Male, Female, Not Specified (§2.7).
const GENDER_OPTIONS: [i32; 3] = [1, 2, 3];

/// `CreateCustomer` resolver then `CreateCustomerAccount::execute` (§2.2): every failure of the
/// account service becomes a `graphql-input` error with its rendered message.
fn create_customer(caller: &Caller, mut input: CreateInput) -> async_graphql::Result<CustomerOutput> {
    let app = &caller.app;
    let settings = &app.settings;
    if input.is_empty() {
        return Err(localized(
            caller,
            Category::Input,
            "\"input\" value should be specified",
            &[],
        ));
    }
    if !settings.newsletter_module {
        input.is_subscribed = Some(false);
    }
    if input.date_of_birth.is_some() {
        input.dob = input.date_of_birth.clone();
    }
    if settings.release.validates_graphql_required_arguments() {
        let missing = missing_required_arguments(&input, settings);
        if !missing.is_empty() {
            let labels = missing.join(", ");
            return Err(localized(
                caller,
                Category::Input,
                "Required parameters are missing: %1",
                &[&labels],
            ));
        }
    }
    if let Some(email) = &input.email
        && !email_messages(email).is_empty()
    {
        return Err(localized(
            caller,
            Category::Input,
            "\"%1\" is not a valid email address.",
            &[email],
        ));
    }
    if let Some(gender) = input.gender.filter(|gender| *gender != 0)
        && !GENDER_OPTIONS.contains(&gender)
    {
        return Err(localized(
            caller,
            Category::Input,
            "\"%1\" is not a valid gender value.",
            &[&gender.to_string()],
        ));
    }
    let text = |value: &Option<String>| value.clone().map(Bound::Str);
    let mut extension = Vec::new();
    // A subscription that needs confirming is not "subscribed" (§2.7).
    if let Some(subscribed) = input.is_subscribed {
        extension.push((
            "is_subscribed",
            Bound::Bool(subscribed && !settings.require_confirmation),
        ));
    }
    if let Some(allowed) = input.allow_remote_shopping_assistance {
        extension.push(("assistance_allowed", Bound::Bool(allowed)));
    }
    let fields = [
        ("email", text(&input.email)),
        ("firstname", text(&input.firstname)),
        ("lastname", text(&input.lastname)),
        ("middlename", text(&input.middlename)),
        ("prefix", text(&input.prefix)),
        ("suffix", text(&input.suffix)),
        ("taxvat", text(&input.taxvat)),
        ("dob", text(&input.dob)),
        ("gender", input.gender.map(|gender| Bound::Int(i64::from(gender)))),
        (
            "extension_attributes",
            Some(Bound::Object(DataObject::from_values(extension))),
        ),
    ];
    let customer = DataObject::from_values(
        fields
            .into_iter()
            .filter_map(|(key, value)| value.map(|value| (key, value))),
    );
    let request = CreateRequest {
        customer: &customer,
        password: input.password.as_deref(),
        may_manage_customers: false,
    };
    let saved = create_account(app, request, caller.now).map_err(|refused| service_error(refused, settings))?;
    let customer = if settings.has_fault(Fault::GraphqlCreateEchoesInput) {
        CustomerData::echoed(&input)
    } else {
        CustomerData::saved(&saved, settings)
    };
    Ok(CustomerOutput { customer })
}

/// A `LocalizedException` of the account service, rethrown as
/// `GraphQlInputException(__($e->getMessage()))`: the message as the store view's language
/// rendered it, placeholders filled in; a masked internal error stays masked.
fn service_error(refused: MagentoError, settings: &super::settings::StoreSettings) -> async_graphql::Error {
    if refused.status().is_server_error() {
        masked(refused.rendered_message())
    } else {
        error(
            Category::Input,
            refused.localized(&settings.translations).rendered_message(),
        )
    }
}

/// 2.4.7's `ValidateRequiredArguments`: the required attributes absent or empty (`!isset` or
/// `== ''`), by their default labels in attribute-id order (GRAPHQL.md §2.2 step 5; absent:
/// derived from 2.4.7's `CreateCustomerTest::testCreateCustomerIfEmailMissed`, §2.10).
fn missing_required_arguments(input: &CreateInput, settings: &super::settings::StoreSettings) -> Vec<&'static str> {
    let sent_empty = |value: &Option<String>| value.as_deref().is_none_or(str::is_empty);
    let required = |attribute| settings.required_customer_attributes.contains(&attribute);
    [
        (sent_empty(&input.firstname), "First Name"),
        (sent_empty(&input.lastname), "Last Name"),
        (sent_empty(&input.email), "Email"),
        (
            required(super::settings::CustomerAttribute::Taxvat) && sent_empty(&input.taxvat),
            "Tax/VAT Number",
        ),
        (
            required(super::settings::CustomerAttribute::Gender) && input.gender.is_none(),
            "Gender",
        ),
    ]
    .into_iter()
    .filter_map(|(missing, label)| missing.then_some(label))
    .collect()
}

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub(crate) struct CustomerCreateInput {
    allow_remote_shopping_assistance: Option<bool>,
    date_of_birth: Option<String>,
    #[graphql(deprecation = "Use `date_of_birth` instead.")]
    dob: Option<String>,
    email: String,
    firstname: String,
    gender: Option<i32>,
    is_subscribed: Option<bool>,
    lastname: String,
    middlename: Option<String>,
    password: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    taxvat: Option<String>,
}

impl From<CustomerCreateInput> for CreateInput {
    fn from(input: CustomerCreateInput) -> Self {
        CreateInput {
            allow_remote_shopping_assistance: input.allow_remote_shopping_assistance,
            date_of_birth: input.date_of_birth,
            dob: input.dob,
            email: Some(input.email),
            firstname: Some(input.firstname),
            gender: input.gender,
            is_subscribed: input.is_subscribed,
            lastname: Some(input.lastname),
            middlename: input.middlename,
            password: input.password,
            prefix: input.prefix,
            suffix: input.suffix,
            taxvat: input.taxvat,
        }
    }
}

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub(crate) struct CustomerInput {
    date_of_birth: Option<String>,
    #[graphql(deprecation = "Use `date_of_birth` instead.")]
    dob: Option<String>,
    email: Option<String>,
    firstname: Option<String>,
    gender: Option<i32>,
    is_subscribed: Option<bool>,
    lastname: Option<String>,
    middlename: Option<String>,
    password: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    taxvat: Option<String>,
}

impl From<CustomerInput> for CreateInput {
    fn from(input: CustomerInput) -> Self {
        CreateInput {
            allow_remote_shopping_assistance: None,
            date_of_birth: input.date_of_birth,
            dob: input.dob,
            email: input.email,
            firstname: input.firstname,
            gender: input.gender,
            is_subscribed: input.is_subscribed,
            lastname: input.lastname,
            middlename: input.middlename,
            password: input.password,
            prefix: input.prefix,
            suffix: input.suffix,
            taxvat: input.taxvat,
        }
    }
}

#[derive(SimpleObject)]
pub(crate) struct CustomerOutput {
    customer: CustomerData,
}

#[derive(SimpleObject)]
pub(crate) struct CustomerToken {
    token: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct RevokeCustomerTokenOutput {
    result: bool,
}

#[derive(SimpleObject)]
#[graphql(rename_fields = "snake_case")]
pub(crate) struct IsEmailAvailableOutput {
    is_email_available: Option<bool>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ConfirmationStatusEnum")]
enum ConfirmationStatus {
    #[graphql(name = "ACCOUNT_CONFIRMED")]
    AccountConfirmed,
    #[graphql(name = "ACCOUNT_CONFIRMATION_NOT_REQUIRED")]
    AccountConfirmationNotRequired,
}

/// `ExtractCustomerData`: the customer as the `Customer` type exposes it (§2.8).
pub(crate) struct CustomerData {
    /// Always `None` on a faithful store: `id` is null.
    entity_id: Option<i64>,
    email: Option<String>,
    firstname: Option<String>,
    lastname: Option<String>,
    middlename: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    taxvat: Option<String>,
    created_at: Option<String>,
    dob: Option<String>,
    gender: Option<i32>,
    is_subscribed: Option<bool>,
    default_billing: Option<String>,
    default_shipping: Option<String>,
    addresses: Option<Vec<AddressData>>,
    assistance_allowed: bool,
}

impl CustomerData {
    /// The customer as saved, re-read from the store.
    fn saved(record: &CustomerRecord, settings: &super::settings::StoreSettings) -> Self {
        let view = serde_json::to_value(record.view(true, settings)).unwrap_or(Value::Null);
        let addresses = view
            .get("addresses")
            .and_then(Value::as_array)
            .map(|addresses| {
                addresses
                    .iter()
                    .filter_map(|address| address.as_object().cloned().map(AddressData))
                    .collect()
            })
            .unwrap_or_default();
        CustomerData {
            entity_id: Some(record.id).filter(|_| settings.has_fault(Fault::GraphqlCustomerIdExposed)),
            email: Some(record.email.clone()),
            firstname: Some(record.firstname.clone()),
            lastname: Some(record.lastname.clone()),
            middlename: record.middlename.clone(),
            prefix: record.prefix.clone(),
            suffix: record.suffix.clone(),
            taxvat: record.taxvat.clone(),
            created_at: Some(super::customers::format_datetime(&record.created_at)),
            dob: record.dob.map(|date| date.format("%Y-%m-%d").to_string()),
            gender: record.gender.and_then(|gender| i32::try_from(gender).ok()),
            is_subscribed: Some(record.is_subscribed),
            default_billing: record.default_billing.map(|id| id.to_string()),
            default_shipping: record.default_shipping.map(|id| id.to_string()),
            addresses: Some(addresses),
            assistance_allowed: record.assistance_allowed,
        }
    }

    /// What a resolver that answers with its input instead of the saved customer returns: the
    /// values as sent, nothing the store computes.
    fn echoed(input: &CreateInput) -> Self {
        CustomerData {
            entity_id: None,
            email: input.email.clone(),
            firstname: input.firstname.clone(),
            lastname: input.lastname.clone(),
            middlename: input.middlename.clone(),
            prefix: input.prefix.clone(),
            suffix: input.suffix.clone(),
            taxvat: input.taxvat.clone(),
            created_at: None,
            dob: input.dob.clone(),
            gender: input.gender,
            is_subscribed: input.is_subscribed,
            default_billing: None,
            default_shipping: None,
            addresses: None,
            assistance_allowed: input.allow_remote_shopping_assistance.unwrap_or(false),
        }
    }
}

#[Object(name = "Customer", rename_fields = "snake_case")]
impl CustomerData {
    #[graphql(
        deprecation = "`id` is not needed as part of `Customer`, because on the server side, it can be identified based on the customer token used for authentication. There is no need to know customer ID on the client side."
    )]
    async fn id(&self) -> Option<i32> {
        self.entity_id.and_then(|id| i32::try_from(id).ok())
    }
    #[graphql(deprecation = "Customer group should not be exposed in the storefront scenarios.")]
    async fn group_id(&self) -> Option<i32> {
        None
    }
    async fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    async fn firstname(&self) -> Option<&str> {
        self.firstname.as_deref()
    }
    async fn lastname(&self) -> Option<&str> {
        self.lastname.as_deref()
    }
    async fn middlename(&self) -> Option<&str> {
        self.middlename.as_deref()
    }
    async fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }
    async fn suffix(&self) -> Option<&str> {
        self.suffix.as_deref()
    }
    async fn taxvat(&self) -> Option<&str> {
        self.taxvat.as_deref()
    }
    async fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }
    async fn date_of_birth(&self) -> Option<&str> {
        self.dob.as_deref()
    }
    #[graphql(deprecation = "Use `date_of_birth` instead.")]
    async fn dob(&self) -> Option<&str> {
        self.dob.as_deref()
    }
    async fn gender(&self) -> Option<i32> {
        self.gender
    }
    async fn is_subscribed(&self) -> Option<bool> {
        self.is_subscribed
    }
    async fn default_billing(&self) -> Option<&str> {
        self.default_billing.as_deref()
    }
    async fn default_shipping(&self) -> Option<&str> {
        self.default_shipping.as_deref()
    }
    async fn addresses(&self) -> Option<Vec<Option<&AddressData>>> {
        self.addresses
            .as_ref()
            .map(|addresses| addresses.iter().map(Some).collect())
    }
    async fn allow_remote_shopping_assistance(&self) -> bool {
        self.assistance_allowed
    }
    /// Resolved for the *caller* (§2.8): a guest's create response cannot resolve it.
    async fn confirmation_status(&self, ctx: &Context<'_>) -> async_graphql::Result<ConfirmationStatus> {
        let caller = caller(ctx);
        let id = match caller.user {
            UserContext::Customer(id) => id,
            UserContext::Guest | UserContext::Admin(_) | UserContext::Integration(_) => 0,
        };
        let store = caller.app.store();
        let record = store.customer(id).ok_or_else(|| no_such_customer(id))?;
        Ok(
            if caller.app.settings.require_confirmation && record.confirmation.is_none() {
                ConfirmationStatus::AccountConfirmed
            } else {
                ConfirmationStatus::AccountConfirmationNotRequired
            },
        )
    }
}

/// One address as `ExtractCustomerAddressData` flattens the address data object (§4.5).
pub(crate) struct AddressData(Map<String, Value>);

impl AddressData {
    fn text(&self, key: &str) -> Option<String> {
        self.0.get(key).and_then(Value::as_str).map(str::to_owned)
    }
    fn int(&self, key: &str) -> Option<i32> {
        self.0
            .get(key)
            .and_then(Value::as_i64)
            .and_then(|number| i32::try_from(number).ok())
    }
}

#[derive(SimpleObject)]
#[graphql(rename_fields = "snake_case")]
pub(crate) struct CustomerAddressRegion {
    region_code: Option<String>,
    region: Option<String>,
    region_id: Option<i32>,
}

#[derive(SimpleObject)]
#[graphql(rename_fields = "snake_case")]
pub(crate) struct CustomerAddressAttribute {
    attribute_code: Option<String>,
    value: Option<String>,
}

#[Object(name = "CustomerAddress", rename_fields = "snake_case")]
impl AddressData {
    async fn id(&self) -> Option<i32> {
        self.int("id")
    }
    #[graphql(
        deprecation = "`customer_id` is not needed as part of `CustomerAddress`. The `id` is a unique identifier for the addresses."
    )]
    async fn customer_id(&self) -> Option<i32> {
        None
    }
    async fn region(&self) -> Option<CustomerAddressRegion> {
        let region = self.0.get("region")?;
        let text = |key: &str| region.get(key).and_then(Value::as_str).map(str::to_owned);
        Some(CustomerAddressRegion {
            region_code: text("region_code"),
            region: text("region"),
            region_id: region
                .get("region_id")
                .and_then(Value::as_i64)
                .and_then(|id| i32::try_from(id).ok()),
        })
    }
    async fn region_id(&self) -> Option<i32> {
        self.int("region_id")
    }
    async fn country_code(&self) -> Option<String> {
        self.text("country_id")
    }
    #[graphql(deprecation = "Use `country_code` instead.")]
    async fn country_id(&self) -> Option<String> {
        self.text("country_id")
    }
    async fn street(&self) -> Option<Vec<Option<String>>> {
        self.0
            .get("street")
            .and_then(Value::as_array)
            .map(|lines| lines.iter().map(|line| line.as_str().map(str::to_owned)).collect())
    }
    async fn company(&self) -> Option<String> {
        self.text("company")
    }
    async fn telephone(&self) -> Option<String> {
        self.text("telephone")
    }
    async fn fax(&self) -> Option<String> {
        self.text("fax")
    }
    async fn postcode(&self) -> Option<String> {
        self.text("postcode")
    }
    async fn city(&self) -> Option<String> {
        self.text("city")
    }
    async fn firstname(&self) -> Option<String> {
        self.text("firstname")
    }
    async fn lastname(&self) -> Option<String> {
        self.text("lastname")
    }
    async fn middlename(&self) -> Option<String> {
        self.text("middlename")
    }
    async fn prefix(&self) -> Option<String> {
        self.text("prefix")
    }
    async fn suffix(&self) -> Option<String> {
        self.text("suffix")
    }
    async fn vat_id(&self) -> Option<String> {
        self.text("vat_id")
    }
    /// `curateAddressData`: booleans, `false` unless the address is the default.
    async fn default_billing(&self) -> Option<bool> {
        Some(self.0.get("default_billing").and_then(Value::as_bool).unwrap_or(false))
    }
    async fn default_shipping(&self) -> Option<bool> {
        Some(self.0.get("default_shipping").and_then(Value::as_bool).unwrap_or(false))
    }
    async fn extension_attributes(&self) -> Option<Vec<Option<CustomerAddressAttribute>>> {
        Some(Vec::new())
    }
}
