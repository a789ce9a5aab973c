//! Request dispatch in Magento's order (CONTRACT.md §1.2): method, path processing, processor,
//! route, ACL, and only then the body, the service and the response.

use super::auth::{self, AclResource, StoreScope, UserContext, shared_store_ids};
use super::binding::{Bound, CUSTOMER, ParamKind, SEARCH_CRITERIA, ServiceParam, bind_params, php_truthy};
use super::customers::{self, CreateRequest};
use super::error::MagentoError;
use super::faults::CACHED_OTHER_CUSTOMER;
use super::json::{self, PhpValue};
use super::query::parse_query;
use super::routes::{self, HttpMethod, Operation, RouteMatch};
use super::schema;
use super::search::search_customers;
use super::state::App;
use super::tokens;
use super::{Fault, SLOW_RESPONSE_DELAY, StoreSettings};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rand::Rng;
use regex::Regex;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// derived: PHP reads `php://input` without a size limit; 16 MiB keeps memory bounded.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The single fallback handler: every request goes through Magento's own dispatch.
///
/// derived: the `Accept` header is not consulted; every answer is JSON (the XML renderer and
/// the 406 of §1.4 are not emulated).
pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    if let Some(delay) = app.settings.response_delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(jitter) = app.settings.response_jitter {
        let max_nanos = u64::try_from(jitter.as_nanos()).unwrap_or(u64::MAX);
        let nanos = rand::rng().random_range(0..=max_nanos);
        tokio::time::sleep(Duration::from_nanos(nanos)).await;
    }
    if app.settings.has_fault(Fault::Html500Page)
        && request.method() == Method::POST
        && request.uri().path().ends_with("/V1/integration/customer/token")
    {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(CONTENT_TYPE, HTML_CONTENT_TYPE)],
            HTML_500_PAGE,
        )
            .into_response();
    }
    if let Some(answer) = schema_answer(&app, &request) {
        return answer;
    }
    let (status, body) = match dispatch(&app, request).await {
        Ok(answer) => answer,
        Err(error) => (error.status(), encode_error(&app.settings, error)),
    };
    let content_type = if status == StatusCode::OK && app.settings.has_fault(Fault::HtmlContentType) {
        HTML_CONTENT_TYPE
    } else {
        "application/json; charset=utf-8"
    };
    (status, [(CONTENT_TYPE, content_type)], body).into_response()
}

/// `GET /rest/<store>/schema` (§8), answered by the schema processor rather than the
/// synchronous one; `None` for every other request.
fn schema_answer(app: &App, request: &Request) -> Option<Response> {
    if request.method() != Method::GET {
        return None;
    }
    let (scope, path) = process_path(request.uri().path(), &app.settings).ok()?;
    if path != "/schema" {
        return None;
    }
    if let Some(document) = &app.settings.published_schema {
        return Some(
            (
                StatusCode::OK,
                [(CONTENT_TYPE, "application/json")],
                json::encode(document),
            )
                .into_response(),
        );
    }
    let services = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "services")
        .map(|(_, value)| value.into_owned());
    let (user, own_account_allowed) = {
        let store = app.store();
        let user = app
            .tokens
            .user_context(&store, request.headers(), Utc::now().timestamp());
        let own = auth::is_allowed(
            user,
            AclResource::OwnAccount,
            app.settings.admin_role,
            scope.store_id(app),
            |id| shared_store_ids(app, &store, id),
        );
        (user, own)
    };
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let raw_path = request.uri().path();
    let base_path = raw_path.strip_suffix("/schema").unwrap_or(raw_path);
    let answer = schema::document(&schema::SchemaRequest {
        services: services.as_deref(),
        user,
        host,
        base_path,
        two_factor_auth: app.settings.two_factor_auth,
        newsletter_module: app.settings.newsletter_module,
        own_account_allowed,
    });
    Some(match answer {
        // The schema processor sets a bare `application/json` (§1.4).
        Ok(document) => (
            StatusCode::OK,
            [(CONTENT_TYPE, "application/json")],
            json::encode(&document),
        )
            .into_response(),
        Err(error) => (
            error.status(),
            [(CONTENT_TYPE, "application/json; charset=utf-8")],
            encode_error(&app.settings, error),
        )
            .into_response(),
    })
}

/// What a PHP error page or a misconfigured proxy labels its answers with.
const HTML_CONTENT_TYPE: &str = "text/html; charset=UTF-8";

/// The page a web server shows when PHP dies (`Fault::Html500Page`).
const HTML_500_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to complete your request.</p></body></html>\n";

/// The error envelope (§2.1), with developer mode's `trace` and the envelope faults applied.
fn encode_error(settings: &StoreSettings, mut error: MagentoError) -> Vec<u8> {
    if settings.developer_mode {
        error = error.with_developer_trace();
    }
    if settings.has_fault(Fault::AggregateErrorsFlattened) {
        error = error.first_error_only();
    }
    if settings.has_fault(Fault::RenderedPlaceholders) {
        error = error.with_rendered_placeholders();
    }
    if settings.has_fault(Fault::ParametersAsList) {
        error = error.with_parameters_as_list();
    }
    if settings.has_fault(Fault::ErrorKeyInsteadOfMessage) {
        return json::encode(&error.under_error_key());
    }
    json::encode(&error)
}

/// `PathProcessor::process` (§1.1): drops the `rest` front name, then a known store code or
/// `all`; any other first segment stays in the path. A store without URL rewrites is reached
/// through its front controller, `/index.php/rest/...` (captures C24, C33), the same way.
fn process_path(raw_path: &str, settings: &StoreSettings) -> Result<(StoreScope, String), MagentoError> {
    let trimmed = raw_path.trim_matches('/');
    let mut segments = trimmed.strip_prefix("index.php/").unwrap_or(trimmed).split('/');
    // derived: paths outside the `rest` front name belong to other areas, which are not
    // emulated; they get the REST "no route" answer.
    if segments.next() != Some("rest") {
        return Err(MagentoError::route_not_found());
    }
    let stripped = format!("/{}", segments.collect::<Vec<_>>().join("/")).replace("//", "/");
    let inner = stripped.trim_matches('/');
    let (first, rest) = inner.split_once('/').unwrap_or((inner, ""));
    Ok(if first == settings.store_code {
        (StoreScope::View, format!("/{rest}"))
    } else if first == "all" {
        (StoreScope::Admin, format!("/{rest}"))
    } else if settings.has_fault(Fault::UnknownStoreCodeAccepted) && !is_synchronous_path(&format!("/{inner}")) {
        (StoreScope::View, format!("/{rest}"))
    } else {
        (StoreScope::View, format!("/{inner}"))
    })
}

/// The synchronous processor claims `^/V\d+` (case-sensitive).
///
/// derived: the async processors (`/async/...`) are not emulated, so those paths are answered
/// as if the module were absent; `/schema` is answered before dispatch (`schema_answer`).
fn is_synchronous_path(path: &str) -> bool {
    path.strip_prefix("/V")
        .is_some_and(|rest| rest.starts_with(|ch: char| ch.is_ascii_digit()))
}

async fn dispatch(app: &App, request: Request) -> Result<(StatusCode, Vec<u8>), MagentoError> {
    let method = HttpMethod::parse(request.method().as_str())
        .ok_or_else(|| MagentoError::method_not_supported(request.method().as_str()))?;
    let (scope, path) = process_path(request.uri().path(), &app.settings)?;
    if !is_synchronous_path(&path) {
        return Err(MagentoError::request_not_processable());
    }
    let route = routes::find(method, &path, app.settings.two_factor_auth)
        .ok_or_else(|| no_route(&app.settings, method, &path))?;
    let (parts, body) = request.into_parts();
    let mut unread_body = Some(body);
    let mut early_input = None;
    if method.reads_body()
        && app.settings.has_fault(Fault::BodyReadBeforeAcl)
        && let Some(body) = unread_body.take()
    {
        early_input = Some(read_body(app, &parts.headers, body).await?);
    }
    let now = Utc::now();
    let resource = if route.operation == Operation::DeleteCustomer && app.settings.has_fault(Fault::DeleteWithoutAdmin)
    {
        AclResource::Anonymous
    } else {
        route.resource
    };
    let (user, allowed) = {
        let store = app.store();
        let user = app.tokens.user_context(&store, &parts.headers, now.timestamp());
        let allowed = auth::is_allowed(user, resource, app.settings.admin_role, scope.store_id(app), |id| {
            if app.settings.has_fault(Fault::TokenNotUsableOnMe) {
                Vec::new()
            } else {
                shared_store_ids(app, &store, id)
            }
        });
        (user, allowed)
    };
    if !allowed {
        let refusal = MagentoError::not_authorized(resource.id());
        return Err(
            if resource != AclResource::OwnAccount && app.settings.has_fault(Fault::Acl403) {
                refusal.with_status(StatusCode::FORBIDDEN)
            } else {
                refusal
            },
        );
    }
    if route.operation == Operation::CurrentCustomer && app.settings.has_fault(Fault::SlowMe) {
        tokio::time::sleep(SLOW_RESPONSE_DELAY).await;
    }
    let mut input = match unread_body.filter(|_| method.reads_body()) {
        Some(body) => read_body(app, &parts.headers, body).await?,
        None => early_input.unwrap_or_default(),
    };
    // `getRequestData`: query and route parameters are merged over the body, route last.
    for (key, value) in parse_query(parts.uri.query().unwrap_or_default()) {
        PhpValue::assign(&mut input, key, value);
    }
    for (key, value) in route.path_params.iter().cloned() {
        PhpValue::assign(&mut input, key, PhpValue::Str(value));
    }
    let body = run(app, &route, user, input, now)?;
    let status = if route.operation == Operation::CreateCustomer && app.settings.has_fault(Fault::CreateReturns201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, body))
}

/// The answer when no route matches: 404 "no route" (§1.1), unless a fault says otherwise.
fn no_route(settings: &StoreSettings, method: HttpMethod, path: &str) -> MagentoError {
    const METHODS: [HttpMethod; 4] = [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Delete];
    if settings.has_fault(Fault::KnownPath405)
        && METHODS
            .iter()
            .any(|other| routes::find(*other, path, settings.two_factor_auth).is_some())
    {
        return MagentoError::method_not_supported(method.name());
    }
    if settings.has_fault(Fault::UnknownRoute200) {
        return MagentoError::route_not_found().with_status(StatusCode::OK);
    }
    MagentoError::route_not_found()
}

/// `Request::getBodyParams` and `getContentType` (§1.3).
async fn read_body(app: &App, headers: &HeaderMap, body: Body) -> Result<Vec<(String, PhpValue)>, MagentoError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| MagentoError::decoding_error())?;
    // `if ($this->getContent())`: an empty body (or PHP's falsy "0") is never deserialized.
    if bytes.is_empty() || bytes.as_ref() == b"0" {
        return Ok(Vec::new());
    }
    let media_type = content_type(headers)?;
    // derived: the XML deserializer is not emulated; XML bodies get the same answer as any
    // other media type without a deserializer.
    if media_type != "application/json" {
        return Err(MagentoError::webapi_bad_request(format!(
            "Server cannot understand Content-Type HTTP header media type {media_type}"
        )));
    }
    json::decode(&bytes).map(PhpValue::into_array).ok_or_else(|| {
        if app.settings.developer_mode || app.settings.has_fault(Fault::DecodingErrorDeveloperMode) {
            MagentoError::webapi_bad_request(DEVELOPER_MODE_DECODING_ERROR)
        } else {
            MagentoError::decoding_error()
        }
    })
}

/// `Deserializer\Json` in developer mode: the PHP error and a trace follow the message (§1.3).
const DEVELOPER_MODE_DECODING_ERROR: &str = "Decoding error: \nUnable to unserialize value. Error: Syntax error\n#0 vendor/magento/framework/Webapi/Rest/Request/Deserializer/Json.php(70): Magento\\Framework\\Serialize\\Serializer\\Json->unserialize()";

/// `~^([a-z\d/\-+.]+)(?:; *charset=(.+))?$~Ui`; the media type is returned as sent. Its
/// refusals are `InputException`s (masked, so a developer-mode trace string), unlike the
/// deserializer factory's `Webapi\Exception` for an unknown media type.
fn content_type(headers: &HeaderMap) -> Result<String, MagentoError> {
    static PATTERN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^([a-z\d/\-+.]+)(?:; *charset=(.+))?$").expect("static pattern"));
    let value = headers
        .get(CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    if !php_truthy(&value) {
        return Err(MagentoError::bad_request("Content-Type header is empty."));
    }
    let captures = PATTERN
        .captures(&value)
        .ok_or_else(|| MagentoError::bad_request("Content-Type header is invalid."))?;
    if captures
        .get(2)
        .is_some_and(|charset| charset.as_str().to_lowercase() != "utf-8")
    {
        return Err(MagentoError::bad_request("UTF-8 is the only supported charset."));
    }
    Ok(captures[1].to_owned())
}

const fn param(name: &'static str, kind: ParamKind, required: bool) -> ServiceParam {
    ServiceParam { name, kind, required }
}

const CREDENTIALS: &[ServiceParam] = &[
    param("username", ParamKind::Str, true),
    param("password", ParamKind::Str, true),
];
const GOOGLE_CREDENTIALS: &[ServiceParam] = &[
    param("username", ParamKind::Str, true),
    param("password", ParamKind::Str, true),
    param("otp", ParamKind::Str, true),
];
const CREATE_ACCOUNT: &[ServiceParam] = &[
    param("customer", ParamKind::Object(&CUSTOMER), true),
    param("password", ParamKind::Str, false),
    param("redirectUrl", ParamKind::Str, false),
];
const SAVE_CUSTOMER: &[ServiceParam] = &[
    param("customer", ParamKind::Object(&CUSTOMER), true),
    param("passwordHash", ParamKind::Str, false),
];
const CUSTOMER_ID: &[ServiceParam] = &[param("customerId", ParamKind::Int, true)];
const SEARCH: &[ServiceParam] = &[param("searchCriteria", ParamKind::Object(&SEARCH_CRITERIA), true)];

/// Binds the service parameters and calls the service method.
fn run(
    app: &App,
    route: &RouteMatch,
    user: UserContext,
    mut input: Vec<(String, PhpValue)>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, MagentoError> {
    let seconds = now.timestamp();
    // `ParamOverriderCustomerId`: `self` routes force `customerId` from the token; it is null
    // for anyone but a customer, which then reads as missing.
    if route.resource == AclResource::OwnAccount {
        let forced = match user {
            UserContext::Customer(id) => PhpValue::Int(id),
            _ => PhpValue::Null,
        };
        PhpValue::assign(&mut input, "customerId".to_owned(), forced);
    }
    let params = match route.operation {
        Operation::AdminToken | Operation::CustomerToken => CREDENTIALS,
        Operation::GoogleAuthenticate => GOOGLE_CREDENTIALS,
        Operation::CreateCustomer => CREATE_ACCOUNT,
        Operation::SaveCustomer => SAVE_CUSTOMER,
        Operation::SearchCustomers => SEARCH,
        Operation::RevokeCustomerToken
        | Operation::CurrentCustomer
        | Operation::CustomerById
        | Operation::DeleteCustomer => CUSTOMER_ID,
    };
    let values = bind_params(&input, params)?;
    match (route.operation, values.as_slice()) {
        (Operation::AdminToken, [Bound::Str(username), Bound::Str(password)]) => {
            tokens::admin_token(app, username, password, seconds)
        }
        (Operation::CustomerToken, [Bound::Str(username), Bound::Str(password)]) => {
            tokens::customer_token(app, username, password, seconds)
        }
        (Operation::GoogleAuthenticate, [Bound::Str(username), Bound::Str(password), Bound::Str(otp)]) => {
            tokens::google_authenticate(app, username, password, otp, seconds)
        }
        (Operation::CreateCustomer, [Bound::Object(customer), password, _redirect_url]) => {
            let request = CreateRequest {
                customer,
                password: match password {
                    Bound::Str(text) => Some(text.as_str()),
                    _ => None,
                },
                may_manage_customers: matches!(user, UserContext::Admin(_)),
            };
            customers::create_account(app, request, now)
        }
        // derived: `passwordHash` is bound (and type-checked) but a stored hash is never replaced.
        (Operation::SaveCustomer, [Bound::Object(customer), _password_hash]) => {
            let path_customer_id = route
                .path_params
                .iter()
                .find(|(name, _)| name == "customerId")
                .and_then(|(_, value)| value.parse().ok());
            customers::save_customer(app, customer, path_customer_id, now)
        }
        (Operation::SearchCustomers, [Bound::Object(criteria)]) => search_customers(app, criteria),
        (Operation::RevokeCustomerToken, [Bound::Int(id)]) => Ok(tokens::revoke_customer_token(app, *id, seconds)),
        (Operation::CurrentCustomer, [Bound::Int(_)]) if app.settings.has_fault(Fault::MeReturnsAnotherCustomer) => {
            Ok(CACHED_OTHER_CUSTOMER.as_bytes().to_vec())
        }
        (Operation::CurrentCustomer | Operation::CustomerById, [Bound::Int(id)]) => customers::get_customer(app, *id),
        (Operation::DeleteCustomer, [Bound::Int(id)]) => customers::delete_customer(app, *id, seconds),
        _ => Err(MagentoError::internal()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_processing_follows_the_store_code_rules() {
        let settings = StoreSettings::default();
        let process = |path: &str| process_path(path, &settings).unwrap();
        assert_eq!(
            process("/rest/default/V1/customers"),
            (StoreScope::View, "/V1/customers".into())
        );
        assert_eq!(
            process("/rest/all/V1/customers/me"),
            (StoreScope::Admin, "/V1/customers/me".into())
        );
        assert_eq!(
            process("/rest/V1/customers/"),
            (StoreScope::View, "/V1/customers".into())
        );
        assert_eq!(process("/rest/nosuch/V1/customers").1, "/nosuch/V1/customers");
        assert_eq!(
            process("/index.php/rest/default/V1/customers/me"),
            (StoreScope::View, "/V1/customers/me".into())
        );
        assert_eq!(
            process("/index.php/rest/all/V1/customers/me"),
            (StoreScope::Admin, "/V1/customers/me".into())
        );
        assert!(process_path("/index.php/V1/customers", &settings).is_err());
        assert!(!is_synchronous_path("/nosuch/V1/customers"));
        assert!(!is_synchronous_path("/v1/customers"));
        assert!(is_synchronous_path("/V1/customers"));
    }
}
