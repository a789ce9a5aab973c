//! Request dispatch in Magento's order (CONTRACT.md §1.2): method, path processing, processor,
//! route, ACL, and only then the body, the service and the response. The faithful answer then
//! passes through the response faults (`response_faults`).

use super::app::App;
use super::auth::{self, AclResource, StoreScope, UserContext, shared_store_ids};
use super::binding::{bind_params, php_truthy};
use super::error::MagentoError;
use super::faults::{Fault, SLOW_RESPONSE_DELAY};
use super::graphql;
use super::json::{self, PhpValue};
use super::query::parse_query;
use super::response_faults::{Outcome, RequestFacts, apply_response_faults};
use super::routes::{self, HttpMethod, Route, RouteMatch};
use super::schema;
use super::service::ServiceCall;
use super::settings::{RecaptchaForm, StoreSettings};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use chrono::{DateTime, Utc};
use rand::Rng;
use regex::Regex;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// derived: PHP reads `php://input` without a size limit; 16 MiB keeps memory bounded.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What the REST renderer labels JSON with (§1.4).
const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The single fallback handler: every request goes through Magento's own dispatch.
///
/// derived: the `Accept` header is not consulted; every answer is JSON (the XML renderer and
/// the 406 of §1.4 are not emulated).
pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response<Body> {
    if let Some(delay) = app.settings.response_delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(jitter) = app.settings.response_jitter {
        let max_nanos = u64::try_from(jitter.as_nanos()).unwrap_or(u64::MAX);
        let nanos = rand::rng().random_range(0..=max_nanos);
        tokio::time::sleep(Duration::from_nanos(nanos)).await;
    }
    let method = request.method().clone();
    if let Some(limit) = app.settings.rate_limit_first
        && (method == Method::GET || method == Method::DELETE)
        && app.read_is_limited()
    {
        return rate_limited(limit.status);
    }
    let path = request.uri().path().to_owned();
    if graphql::is_graphql_path(&path) {
        let answer = graphql::handle(Arc::clone(&app), request).await;
        let facts = RequestFacts {
            method: &method,
            path: &path,
            outcome: Outcome::GraphQl,
        };
        return apply_response_faults(&app.settings.faults, &facts, answer).map(Body::from);
    }
    let (outcome, answer) = match schema_answer(&app, &request) {
        Some(answer) => answer,
        None => match dispatch(&app, request).await {
            Ok((route, body)) => (Outcome::Served(route), answer(StatusCode::OK, JSON_CONTENT_TYPE, body)),
            Err(Stop { outcome, error }) => (outcome, error_answer(&app.settings, error)),
        },
    };
    if let Some(delay) = app.settings.create_delay
        && let Outcome::Served(route) = outcome
        && route.is(HttpMethod::Post, "/V1/customers")
    {
        tokio::time::sleep(delay).await;
    }
    let facts = RequestFacts {
        method: &method,
        path: &path,
        outcome,
    };
    apply_response_faults(&app.settings.faults, &facts, answer).map(Body::from)
}

/// What a rate limiter in front of the store answers: its status, `Retry-After: 1` and a
/// plain-text reason, never Magento's envelope.
fn rate_limited(status: u16) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
    let mut response = answer(
        status,
        "text/plain; charset=utf-8",
        status.canonical_reason().unwrap_or_default().into(),
    )
    .map(Body::from);
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn answer(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The error envelope (§2.1), with developer mode's `trace`.
fn error_answer(settings: &StoreSettings, mut error: MagentoError) -> Response<Vec<u8>> {
    error = error.localized(&settings.translations);
    if settings.developer_mode {
        error = error.with_developer_trace();
    }
    answer(error.status(), JSON_CONTENT_TYPE, json::encode(&error))
}

/// `GET /rest/<store>/schema` (§8), answered by the schema processor rather than the
/// synchronous one; `None` for every other request.
fn schema_answer(app: &App, request: &Request) -> Option<(Outcome, Response<Vec<u8>>)> {
    if request.method() != Method::GET {
        return None;
    }
    let (scope, path) = process_path(request.uri().path(), &app.settings).ok()?;
    if path != "/schema" {
        return None;
    }
    // The schema processor sets a bare `application/json` (§1.4).
    let document = |document: &serde_json::Value| {
        (
            Outcome::Document,
            answer(StatusCode::OK, "application/json", json::encode(document)),
        )
    };
    if let Some(published) = &app.settings.published_schema {
        return Some(document(published));
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
            scope.store_id(&app.settings),
            |id| shared_store_ids(&app.settings, &store, id),
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
    let generated = schema::document(&schema::SchemaRequest {
        services: services.as_deref(),
        user,
        host,
        base_path,
        two_factor_auth: app.settings.two_factor_auth,
        newsletter_module: app.settings.newsletter_module,
        loyalty_module: app.settings.loyalty_module,
        own_account_allowed,
    });
    Some(match generated {
        Ok(generated) => document(&generated),
        Err(error) => (Outcome::Failed, error_answer(&app.settings, error)),
    })
}

/// Why dispatch ended without a service result: the error, and what raised it.
struct Stop {
    outcome: Outcome,
    error: MagentoError,
}

impl From<MagentoError> for Stop {
    fn from(error: MagentoError) -> Self {
        Stop {
            outcome: Outcome::Failed,
            error,
        }
    }
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

async fn dispatch(app: &App, request: Request) -> Result<(&'static Route, Vec<u8>), Stop> {
    let method = HttpMethod::parse(request.method().as_str()).ok_or_else(|| {
        if app.settings.release.refuses_methods_with_405() {
            MagentoError::method_not_supported(request.method().as_str())
        } else {
            MagentoError::request_method_invalid()
        }
    })?;
    let (scope, path) = process_path(request.uri().path(), &app.settings)?;
    if !is_synchronous_path(&path) {
        return Err(MagentoError::request_not_processable().into());
    }
    let matched = routes::find(method, &path, app.settings.two_factor_auth)
        .ok_or_else(|| no_route(&app.settings, method, &path))?;
    let route = matched.route;
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
    let resource = if route.is(HttpMethod::Delete, "/V1/customers/:customerId")
        && app.settings.has_fault(Fault::DeleteWithoutAdmin)
    {
        AclResource::Anonymous
    } else {
        route.resource
    };
    let (user, allowed) = {
        let store = app.store();
        let user = app.tokens.user_context(&store, &parts.headers, now.timestamp());
        let store_id = scope.store_id(&app.settings);
        let allowed = auth::is_allowed(user, resource, app.settings.admin_role, store_id, |id| {
            if app.settings.has_fault(Fault::TokenNotUsableOnMe) {
                Vec::new()
            } else {
                shared_store_ids(&app.settings, &store, id)
            }
        });
        (user, allowed)
    };
    if !allowed {
        return Err(Stop {
            outcome: Outcome::Refused(resource),
            error: MagentoError::not_authorized(resource.id()),
        });
    }
    check_recaptcha(&app.settings, route, user, &parts.headers)?;
    if route.is(HttpMethod::Get, "/V1/customers/me") && app.settings.has_fault(Fault::SlowMe) {
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
    for (key, value) in matched.path_params.iter().cloned() {
        PhpValue::assign(&mut input, key, PhpValue::Str(value));
    }
    let body = call_service(app, &matched, user, input, now)?;
    Ok((route, body))
}

/// `ReCaptchaWebapiRest\Plugin\RestValidationPlugin::aroundValidate`: after the ACL check
/// (`$proceed()` first) and before the body is read, a route whose storefront form has
/// reCAPTCHA on needs an `X-ReCaptcha` response Google accepts, else 400 `ReCaptcha validation
/// failed, please try again` (a `Webapi\Exception`, translated).
///
/// derived: the store is configured with Google's published test keys, which accept any
/// response; an empty one is refused before Google is asked (`missing-input-response`). Only
/// integration tokens are exempt (`ValidationOverrider` checks `USER_TYPE_INTEGRATION`); an
/// admin user's token is not.
fn check_recaptcha(
    settings: &StoreSettings,
    route: &Route,
    user: UserContext,
    headers: &HeaderMap,
) -> Result<(), MagentoError> {
    let form = if route.is(HttpMethod::Post, "/V1/customers") {
        RecaptchaForm::CreateAccount
    } else if route.is(HttpMethod::Post, "/V1/integration/customer/token") {
        RecaptchaForm::Login
    } else {
        return Ok(());
    };
    let answered = headers.get("X-ReCaptcha").is_some_and(|value| !value.is_empty())
        || matches!(user, UserContext::Integration(_));
    if settings.recaptcha.contains(&form) && !answered {
        return Err(MagentoError::recaptcha_failed());
    }
    Ok(())
}

/// No route matches: 404 "no route" (§1.1).
fn no_route(settings: &StoreSettings, method: HttpMethod, path: &str) -> Stop {
    const METHODS: [HttpMethod; 4] = [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Delete];
    if settings.has_fault(Fault::KnownPath405)
        && METHODS
            .iter()
            .any(|other| routes::find(*other, path, settings.two_factor_auth).is_some())
    {
        return MagentoError::method_not_supported(method.name()).into();
    }
    Stop {
        outcome: Outcome::NoRoute,
        error: MagentoError::route_not_found(),
    }
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
        return Err(MagentoError::webapi_phrase(
            StatusCode::BAD_REQUEST,
            "Server cannot understand Content-Type HTTP header media type %1",
            vec![media_type],
        ));
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

/// Binds the route's service parameters and calls its handler.
fn call_service(
    app: &App,
    matched: &RouteMatch,
    user: UserContext,
    mut input: Vec<(String, PhpValue)>,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, MagentoError> {
    let route = matched.route;
    // `ParamOverriderCustomerId`: `self` routes force `customerId` from the token; it is null
    // for anyone but a customer, which then reads as missing.
    if route.resource == AclResource::OwnAccount {
        let forced = match user {
            UserContext::Customer(id) => PhpValue::Int(id),
            _ => PhpValue::Null,
        };
        PhpValue::assign(&mut input, "customerId".to_owned(), forced);
    }
    let values = bind_params(&input, route.params)?;
    (route.handler)(&ServiceCall {
        app,
        user,
        values: &values,
        path_params: &matched.path_params,
        now,
    })
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
