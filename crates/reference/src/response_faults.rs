//! The response faults of `faults.rs`: deviations in what an answer looks like, applied to the
//! faithful answer after the core produced it, so the core never checks them.
//!
//! Bodies are rewritten as encoded JSON read back in order ([`OrderedJson`]), the way a proxy,
//! a plugin on the renderer or a cache would change them.

use super::addresses::html_escape;
use super::auth::AclResource;
use super::customers::DUPLICATE_EMAIL;
use super::faults::{Fault, Site};
use super::json::{self, OrderedJson};
use super::routes::{HttpMethod, ReturnType, Route};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, Response, StatusCode};
use chrono::NaiveDateTime;

/// What the layer knows of a request besides its answer.
pub(crate) struct RequestFacts<'a> {
    /// The request line as sent, before path processing.
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) outcome: Outcome,
}

/// What produced the faithful answer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    /// A route's service method returned; the body is its `returns` type.
    Served(&'static Route),
    /// The schema processor's document (§8).
    Document,
    /// No route matched (§1.1): the 404 envelope.
    NoRoute,
    /// The ACL refused this resource (§2.3): the 401 envelope.
    Refused(AclResource),
    /// Any other error envelope (§2.1).
    Failed,
    /// The GraphQL controller's answer (GRAPHQL.md §1.7).
    GraphQl,
}

/// What a PHP error page or a misconfigured proxy labels its answers with.
const HTML_CONTENT_TYPE: &str = "text/html; charset=UTF-8";

/// The page a web server shows when PHP dies.
const HTML_500_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to complete your request.</p></body></html>\n";

/// What a cache in front of the store serves for `GET /V1/customers/me`: the account of
/// Magento's sample-data customer, in the exact shape the reference server renders, so only the
/// identity gives it away.
const CACHED_OTHER_CUSTOMER: &str = concat!(
    r#"{"id":1,"group_id":1,"default_billing":"1","default_shipping":"1","#,
    r#""created_at":"2024-03-01 09:00:00","updated_at":"2024-03-01 09:00:00","#,
    r#""created_in":"Default Store View","email":"roni_cost@example.com","#,
    r#""firstname":"Veronica","lastname":"Costello","store_id":1,"website_id":1,"#,
    r#""addresses":[{"id":1,"customer_id":1,"#,
    r#""region":{"region_code":"MI","region":"Michigan","region_id":33},"region_id":33,"#,
    r#""country_id":"US","street":["6146 Honey Bluff Parkway"],"telephone":"(555) 229-3326","#,
    r#""postcode":"49628-7978","city":"Calder","firstname":"Veronica","lastname":"Costello","#,
    r#""default_shipping":true,"default_billing":true}],"#,
    r#""disable_auto_group_change":0,"extension_attributes":{"is_subscribed":false}}"#
);

/// The reworded invalid-email message.
const REWORDED_INVALID_EMAIL: &str = "Please enter a valid email address (Ex: johndoe@domain.com).";

/// The faults a server runs with.
#[derive(Clone, Copy)]
struct Active<'a>(&'a [Fault]);

impl Active<'_> {
    fn has(self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }
}

/// Rewrites the faithful answer to `facts`'s request as the response faults say; with none, the
/// answer is returned untouched.
pub(crate) fn apply_response_faults(
    faults: &[Fault],
    facts: &RequestFacts<'_>,
    response: Response<Vec<u8>>,
) -> Response<Vec<u8>> {
    if !faults.iter().any(|fault| fault.site() == Site::Response) {
        return response;
    }
    let faults = Active(faults);
    if faults.has(Fault::Html500Page)
        && facts.method == Method::POST
        && facts.path.ends_with("/V1/integration/customer/token")
    {
        return html_500_page();
    }
    let (mut parts, body) = response.into_parts();
    let body = match facts.outcome {
        Outcome::Document => return Response::from_parts(parts, body),
        Outcome::Served(route) => {
            if route.is(HttpMethod::Post, "/V1/customers") && faults.has(Fault::CreateReturns201) {
                parts.status = StatusCode::CREATED;
            }
            rewrite_result(faults, route, body)
        }
        Outcome::GraphQl => match OrderedJson::parse(&body) {
            Some(mut envelope) => {
                parts.status = rewrite_graphql(faults, parts.status, &mut envelope);
                json::encode(&envelope)
            }
            None => body,
        },
        Outcome::NoRoute | Outcome::Refused(_) | Outcome::Failed => match OrderedJson::parse(&body) {
            Some(mut envelope) => {
                parts.status = error_status(faults, facts.outcome, parts.status, &envelope);
                rewrite_envelope(faults, &mut envelope);
                json::encode(&envelope)
            }
            None => body,
        },
    };
    if faults.has(Fault::HtmlContentType) && parts.status == StatusCode::OK {
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(HTML_CONTENT_TYPE));
    }
    Response::from_parts(parts, body)
}

fn html_500_page() -> Response<Vec<u8>> {
    let mut response = Response::new(HTML_500_PAGE.as_bytes().to_vec());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(HTML_CONTENT_TYPE));
    response
}

/// A service method's result: `/me` from a cache, the token's shape, the customer's fields.
fn rewrite_result(faults: Active<'_>, route: &Route, body: Vec<u8>) -> Vec<u8> {
    if route.is(HttpMethod::Get, "/V1/customers/me") && faults.has(Fault::MeReturnsAnotherCustomer) {
        return CACHED_OTHER_CUSTOMER.as_bytes().to_vec();
    }
    if route.is(HttpMethod::Post, "/V1/integration/customer/token") {
        return rewrite_token(faults, body);
    }
    let Some(mut result) = OrderedJson::parse(&body) else {
        return body;
    };
    match route.returns {
        ReturnType::Customer => rewrite_customer(faults, &mut result),
        ReturnType::CustomerSearchResults => {
            for customer in result.get_mut("items").map_or(&mut [][..], OrderedJson::elements_mut) {
                rewrite_customer(faults, customer);
            }
        }
        ReturnType::String | ReturnType::Boolean | ReturnType::Object(_) | ReturnType::List(_) => return body,
    }
    json::encode(&result)
}

/// The customer token, a bare JSON string (§5.1).
fn rewrite_token(faults: Active<'_>, body: Vec<u8>) -> Vec<u8> {
    if faults.has(Fault::TokenWrappedInObject) {
        let token = OrderedJson::parse(&body).unwrap_or(OrderedJson::Null);
        return json::encode(&OrderedJson::Object(vec![("token".to_owned(), token)]));
    }
    if faults.has(Fault::EmptyToken) {
        return json::encode("");
    }
    body
}

/// One `customer-data-customer-interface` object (§7.2) and its addresses (§7.3).
fn rewrite_customer(faults: Active<'_>, customer: &mut OrderedJson) {
    if faults.has(Fault::CustomerIdString)
        && let Some(id) = customer.get_mut("id")
        && let OrderedJson::Number(number) = id
    {
        *id = OrderedJson::String(number.to_string());
    }
    if faults.has(Fault::DefaultBillingNumber)
        && let Some(default_billing) = customer.get_mut("default_billing")
        && let Some(address_id) = default_billing.as_str().and_then(|text| text.parse::<i64>().ok())
    {
        *default_billing = OrderedJson::Number(address_id.into());
    }
    if faults.has(Fault::CreatedAtIso8601)
        && let Some(created_at) = customer.get_mut("created_at")
        && let Some(moment) = created_at
            .as_str()
            .and_then(|text| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok())
    {
        *created_at = OrderedJson::String(moment.format("%Y-%m-%dT%H:%M:%S+00:00").to_string());
    }
    if faults.has(Fault::CreatedInMissing) {
        customer.remove("created_in");
    }
    if faults.has(Fault::FirstnameHtmlEscaped)
        && let Some(firstname) = customer.get_mut("firstname")
        && let Some(escaped) = firstname.as_str().map(html_escape)
    {
        *firstname = OrderedJson::String(escaped);
    }
    if faults.has(Fault::AddressesDropped)
        && let Some(addresses) = customer.get_mut("addresses")
    {
        *addresses = OrderedJson::Array(Vec::new());
    }
    for address in customer
        .get_mut("addresses")
        .map_or(&mut [][..], OrderedJson::elements_mut)
    {
        if faults.has(Fault::AddressRegionMissing) {
            address.remove("region");
        }
        if faults.has(Fault::AddressDefaultFlagsFalse) {
            default_flags_always_set(address);
        }
    }
    if faults.has(Fault::ExtensionAttributesMissing) {
        customer.remove("extension_attributes");
    }
}

/// Both default flags, `false` where Magento leaves them out. They are the address
/// interface's last getters (§7.3), so they go at the end, shipping first.
fn default_flags_always_set(address: &mut OrderedJson) {
    let mut flag = |key: &str| address.remove(key).unwrap_or(OrderedJson::Bool(false));
    let flags = [
        ("default_shipping", flag("default_shipping")),
        ("default_billing", flag("default_billing")),
    ];
    if let Some(entries) = address.entries_mut() {
        entries.extend(flags.map(|(key, value)| (key.to_owned(), value)));
    }
}

/// A GraphQL envelope (GRAPHQL.md §1.7, §1.9): the status of an authorization error, the
/// `data` beside a resolver error, the errors' categories. Returns the status.
fn rewrite_graphql(faults: Active<'_>, status: StatusCode, envelope: &mut OrderedJson) -> StatusCode {
    let category = |error: &OrderedJson| {
        error
            .get("extensions")
            .and_then(|extensions| extensions.get("category"))
            .and_then(OrderedJson::as_str)
            .map(str::to_owned)
    };
    let first_category = envelope.get("errors").and_then(|errors| match errors {
        OrderedJson::Array(errors) => errors.iter().find_map(category),
        _ => None,
    });
    let status = if faults.has(Fault::GraphqlAuthorization401)
        && status == StatusCode::FORBIDDEN
        && first_category.as_deref() == Some("graphql-authorization")
    {
        StatusCode::UNAUTHORIZED
    } else {
        status
    };
    let resolver_error = envelope.get("errors").is_some_and(
        |errors| matches!(errors, OrderedJson::Array(errors) if errors.iter().any(|error| error.get("path").is_some())),
    );
    if faults.has(Fault::GraphqlNoDataOnResolverError) && resolver_error {
        envelope.remove("data");
    }
    if faults.has(Fault::GraphqlErrorWithoutCategory) {
        for error in envelope
            .get_mut("errors")
            .map_or(&mut [][..], OrderedJson::elements_mut)
        {
            if let Some(extensions) = error.get_mut("extensions") {
                extensions.remove("category");
                if extensions.entries_mut().is_some_and(|entries| entries.is_empty()) {
                    error.remove("extensions");
                }
            }
        }
    }
    status
}

/// The status of an error envelope, decided on the faithful envelope.
fn error_status(faults: Active<'_>, outcome: Outcome, status: StatusCode, envelope: &OrderedJson) -> StatusCode {
    match outcome {
        Outcome::NoRoute if faults.has(Fault::UnknownRoute200) => StatusCode::OK,
        Outcome::Refused(resource) if resource != AclResource::OwnAccount && faults.has(Fault::Acl403) => {
            StatusCode::FORBIDDEN
        }
        Outcome::Failed
            if faults.has(Fault::DuplicateEmail409)
                && envelope.get("message").and_then(OrderedJson::as_str) == Some(DUPLICATE_EMAIL) =>
        {
            StatusCode::CONFLICT
        }
        _ => status,
    }
}

/// The error envelope (§2.1: `message`, `errors`, `parameters`, then developer mode's `trace`),
/// rewritten in a fixed order: the message text, the aggregate, the placeholders, the
/// parameters' shape, the key names.
fn rewrite_envelope(faults: Active<'_>, envelope: &mut OrderedJson) {
    if faults.has(Fault::InvalidEmailMessageReworded)
        && let Some(OrderedJson::String(message)) = envelope.get_mut("message")
    {
        *message = message
            .split('\n')
            .map(|line| {
                if line == "\"Email\" is not a valid email address." {
                    REWORDED_INVALID_EMAIL
                } else {
                    line
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    if faults.has(Fault::AggregateErrorsFlattened) {
        first_error_only(envelope);
    }
    if faults.has(Fault::RenderedPlaceholders) {
        for_each_message(envelope, render_placeholders);
    }
    if faults.has(Fault::ParametersAsList) {
        for_each_message(envelope, parameters_as_list);
    }
    if faults.has(Fault::ErrorKeyInsteadOfMessage) {
        envelope.remove("trace");
        for (key, _) in envelope.entries_mut().into_iter().flatten() {
            if key == "message" {
                "error".clone_into(key);
            }
        }
    }
}

/// Applies `rewrite` to the envelope's own message and to each item of `errors[]`.
fn for_each_message(envelope: &mut OrderedJson, rewrite: fn(&mut OrderedJson)) {
    rewrite(envelope);
    for item in envelope
        .get_mut("errors")
        .map_or(&mut [][..], OrderedJson::elements_mut)
    {
        rewrite(item);
    }
}

/// Only the first error of an aggregate, as if the others had not been collected. An item
/// without placeholders (`"parameters":[]`) becomes an envelope without `parameters`.
fn first_error_only(envelope: &mut OrderedJson) {
    let Some(OrderedJson::Array(errors)) = envelope.get("errors") else {
        return;
    };
    let Some(mut first) = errors.first().cloned() else {
        return;
    };
    let mut flattened = vec![(
        "message".to_owned(),
        first.remove("message").unwrap_or(OrderedJson::Null),
    )];
    if let Some(parameters) = first.remove("parameters")
        && parameters != OrderedJson::Array(Vec::new())
    {
        flattened.push(("parameters".to_owned(), parameters));
    }
    if let Some(trace) = envelope.remove("trace") {
        flattened.push(("trace".to_owned(), trace));
    }
    *envelope = OrderedJson::Object(flattened);
}

/// PHP's `__()` rendering of one message: `%name` and `%1` replaced by the parameter values.
fn render_placeholders(item: &mut OrderedJson) {
    let text = |value: &OrderedJson| match value {
        OrderedJson::String(text) => text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    let mut pairs: Vec<(String, String)> = match item.get("parameters") {
        Some(OrderedJson::Object(named)) => named
            .iter()
            .map(|(name, value)| (format!("%{name}"), text(value)))
            .collect(),
        Some(OrderedJson::Array(values)) => values
            .iter()
            .enumerate()
            .map(|(index, value)| (format!("%{}", index + 1), text(value)))
            .collect(),
        _ => Vec::new(),
    };
    // Longer placeholders first, so `%10` is not read as `%1` followed by `0`.
    pairs.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
    if let Some(OrderedJson::String(message)) = item.get_mut("message") {
        *message = pairs.iter().fold(message.clone(), |rendered, (placeholder, value)| {
            rendered.replace(placeholder, value)
        });
    }
}

/// Named parameters as a list holding the one object, the shape the published swagger
/// describes.
fn parameters_as_list(item: &mut OrderedJson) {
    if let Some(parameters) = item.get_mut("parameters")
        && matches!(parameters, OrderedJson::Object(_))
    {
        let named = std::mem::replace(parameters, OrderedJson::Null);
        *parameters = OrderedJson::Array(vec![named]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{InputErrors, MagentoError, positional};
    use serde_json::Value;

    /// The envelope of `error` as `faults` rewrite it.
    fn envelope(faults: &[Fault], error: &MagentoError) -> String {
        let mut envelope = OrderedJson::parse(&json::encode(error)).unwrap();
        rewrite_envelope(Active(faults), &mut envelope);
        String::from_utf8(json::encode(&envelope)).unwrap()
    }

    fn two_required() -> MagentoError {
        let mut errors = InputErrors::default();
        errors.add_required("username");
        errors.add_required("password");
        errors.into_result().unwrap_err()
    }

    #[test]
    fn faulty_envelopes() {
        let error = MagentoError::no_such_customer(-1);
        assert_eq!(
            envelope(&[Fault::RenderedPlaceholders], &error),
            r#"{"message":"No such entity with customerId = -1","parameters":{"fieldName":"customerId","fieldValue":-1}}"#
        );
        assert_eq!(
            envelope(&[Fault::ParametersAsList], &error),
            r#"{"message":"No such entity with %fieldName = %fieldValue","parameters":[{"fieldName":"customerId","fieldValue":-1}]}"#
        );
        assert_eq!(
            envelope(
                &[Fault::ErrorKeyInsteadOfMessage],
                &error.clone().with_developer_trace()
            ),
            r#"{"error":"No such entity with %fieldName = %fieldValue","parameters":{"fieldName":"customerId","fieldValue":-1}}"#
        );
        assert_eq!(
            envelope(&[Fault::AggregateErrorsFlattened], &two_required()),
            r#"{"message":"\"%fieldName\" is required. Enter and try again.","parameters":{"fieldName":"username"}}"#
        );
        assert_eq!(
            envelope(&[Fault::ParametersAsList, Fault::RenderedPlaceholders], &two_required()),
            concat!(
                r#"{"message":"One or more input exceptions have occurred.","errors":["#,
                r#"{"message":"\"username\" is required. Enter and try again.","parameters":[{"fieldName":"username"}]},"#,
                r#"{"message":"\"password\" is required. Enter and try again.","parameters":[{"fieldName":"password"}]}]}"#
            )
        );
        let positional = MagentoError::bad_request("at least %1 of %10").with_parameters(positional([
            Value::from("8"),
            Value::from(2),
            Value::from(3),
            Value::from(4),
            Value::from(5),
            Value::from(6),
            Value::from(7),
            Value::from(8),
            Value::from(9),
            Value::from("ten"),
        ]));
        assert_eq!(
            envelope(&[Fault::RenderedPlaceholders], &positional),
            r#"{"message":"at least 8 of ten","parameters":["8",2,3,4,5,6,7,8,9,"ten"]}"#
        );
    }

    #[test]
    fn default_flags_keep_the_getter_order() {
        let mut address = OrderedJson::parse(br#"{"id":2,"city":"x","default_billing":true}"#).unwrap();
        default_flags_always_set(&mut address);
        assert_eq!(
            json::encode(&address),
            br#"{"id":2,"city":"x","default_shipping":false,"default_billing":true}"#
        );
    }

    #[test]
    fn the_cached_customer_is_a_json_object() {
        let value: Value = serde_json::from_str(CACHED_OTHER_CUSTOMER).unwrap();
        assert_eq!(value["email"], "roni_cost@example.com");
    }
}
