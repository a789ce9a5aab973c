//! `/graphql`: Magento 2.4.8's GraphQL front controller (GRAPHQL.md §1). The request is decoded,
//! the request validators run in order (content type, verb, store, bearer token), then the
//! document is parsed, validated and its variables coerced with graphql-php's wording
//! (`graphql_php`), executed by async-graphql (`graphql_schema`) and answered with Magento's
//! envelope and status.

use super::app::App;
use super::auth::{INTEGRATION_ID, Revocation, TokenRejection, UserContext};
use super::faults::Fault;
use super::graphql_php::{self, PhpError, Refusal, SchemaIndex};
use super::graphql_schema::{Caller, Category, INTERNAL_SERVER_ERROR, schema};
use super::json::{self, OrderedJson};
use super::state::TokenSubject;
use super::translation::Translations;
use async_graphql::parser::Pos;
use async_graphql::parser::types::OperationType;
use axum::extract::Request;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, EXPIRES, PRAGMA};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use chrono::Utc;
use std::sync::{Arc, LazyLock};

/// derived: PHP reads the body without a limit; 16 MiB keeps memory bounded.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// `QueryComplexityLimiter::validateFieldCount`'s limit (`module-graph-ql/etc/di.xml`, §1.5).
const MAX_QUERY_COMPLEXITY: usize = 1000;

/// `Json::render` sets exactly this (§1.10).
const JSON_CONTENT_TYPE: &str = "application/json";

/// What a store without Magento_GraphQl shows for `/graphql`: the CMS "no-route" page.
const NO_ROUTE_PAGE: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>404 Not Found</title>\n</head>\n<body>\n<main id=\"maincontent\" class=\"page-main\">\n<h1 class=\"page-title\"><span class=\"base\">Whoops, our bad...</span></h1>\n<dl><dt>The page you requested was not found, and we have a fine guess why.</dt>\n<dd><ul class=\"disc\"><li>If you typed the URL directly, please make sure the spelling is correct.</li>\n<li>If you clicked on a link to get here, the link is outdated.</li></ul></dd></dl>\n</main>\n</body>\n</html>\n";

/// Whether a request path is the GraphQL front name (also behind `index.php`).
pub(crate) fn is_graphql_path(path: &str) -> bool {
    let trimmed = path.trim_end_matches('/');
    trimmed == "/graphql" || trimmed == "/index.php/graphql"
}

/// The schema as graphql-php sees it, read once from async-graphql's SDL.
fn schema_index() -> &'static SchemaIndex {
    static INDEX: LazyLock<SchemaIndex> = LazyLock::new(|| SchemaIndex::from_sdl(&schema().sdl()));
    &INDEX
}

/// The controller's answer to one request.
pub(crate) async fn handle(app: Arc<App>, request: Request) -> Response<Vec<u8>> {
    if !app.settings.graphql_module {
        return answer(StatusCode::NOT_FOUND, "text/html; charset=UTF-8", NO_ROUTE_PAGE.into());
    }
    let legacy = !app.settings.release.maps_graphql_statuses();
    let method = request.method().clone();
    if method == Method::OPTIONS {
        // ≤ 2.4.7 parses the empty query and fails (magento2#38738).
        return if legacy {
            request_error(&app, syntax_eof())
        } else {
            answer(StatusCode::NO_CONTENT, JSON_CONTENT_TYPE, Vec::new())
        };
    }
    let (parts, body) = request.into_parts();
    let raw_body = if method == Method::POST {
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => bytes.to_vec(),
            Err(_) => return request_error(&app, unable_to_parse()),
        }
    } else {
        Vec::new()
    };
    let decoded = if method == Method::POST {
        decode_post(&raw_body)
    } else {
        decode_get(parts.uri.query().unwrap_or_default())
    };
    let data = match decoded {
        Ok(data) => data,
        Err(error) => return request_error(&app, error),
    };
    let user = match run_validators(&app, &method, &parts.headers, &data) {
        Ok(user) => user,
        Err(error) => return request_error(&app, error),
    };
    if method != Method::POST && method != Method::GET {
        // derived: nothing is executed for other methods.
        return answer(StatusCode::OK, JSON_CONTENT_TYPE, Vec::new());
    }
    let recaptcha_response = parts.headers.get("X-ReCaptcha").is_some_and(|value| !value.is_empty());
    let mut response = execute(&app, &data, user, recaptcha_response).await;
    if method == Method::POST && String::from_utf8_lossy(&raw_body).contains("mutation") {
        no_cache(response.headers_mut());
    }
    response
}

/// `setNoCacheHeaders` for anything whose body mentions `mutation` (§1.10).
fn no_cache(headers: &mut HeaderMap) {
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, must-revalidate, max-age=0"),
    );
    let year_ago = (Utc::now() - chrono::Duration::days(365))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&year_ago) {
        headers.insert(EXPIRES, value);
    }
}

fn answer(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The decoded request: `query` and `variables` (a JSON object decoded in key order).
#[derive(Debug, Default)]
struct GraphQlRequest {
    query: String,
    variables: Option<OrderedJson>,
}

impl GraphQlRequest {
    fn from_document(document: OrderedJson) -> Self {
        let mut request = GraphQlRequest::default();
        if let OrderedJson::Object(entries) = document {
            for (key, value) in entries {
                match (key.as_str(), value) {
                    ("query", OrderedJson::String(query)) => request.query = query,
                    ("variables", variables @ OrderedJson::Object(_)) => request.variables = Some(variables),
                    _ => {}
                }
            }
        }
        request
    }

    fn variable_pairs(&self) -> Vec<(String, OrderedJson)> {
        match &self.variables {
            Some(OrderedJson::Object(entries)) => entries.clone(),
            _ => Vec::new(),
        }
    }
}

/// A request-level error (§1.7 C): shape, and the 2.4.8 status.
#[derive(Debug)]
struct RequestError {
    error: PhpError,
    /// `Some` for a Magento exception with a category; syntax errors have none.
    category: Option<Category>,
    /// A Magento exception's phrase and arguments, rendered in the store view's language
    /// (STORES.md C2); graphql-php's syntax errors have none and stay English.
    phrase: Option<(&'static str, Vec<String>)>,
    status: StatusCode,
}

/// A Magento exception raised before execution: `__($template, ...$args)`.
fn magento_error(category: Category, status: StatusCode, template: &'static str, args: Vec<String>) -> RequestError {
    RequestError {
        error: PhpError {
            message: Translations::default().render(template, &args.iter().map(String::as_str).collect::<Vec<_>>()),
            locations: Vec::new(),
        },
        category: Some(category),
        phrase: Some((template, args)),
        status,
    }
}

fn input_error(template: &'static str, args: Vec<String>) -> RequestError {
    magento_error(Category::Input, StatusCode::BAD_REQUEST, template, args)
}

fn unable_to_parse() -> RequestError {
    input_error("Unable to parse the request.", Vec::new())
}

fn syntax(error: PhpError) -> RequestError {
    RequestError {
        error,
        category: None,
        phrase: None,
        status: StatusCode::BAD_REQUEST,
    }
}

fn syntax_eof() -> RequestError {
    syntax(PhpError {
        message: "Syntax Error: Unexpected <EOF>".to_owned(),
        locations: vec![Pos { line: 1, column: 1 }],
    })
}

/// POST: the raw body JSON-decoded; an empty body is `[]` (§1.2).
fn decode_post(body: &[u8]) -> Result<GraphQlRequest, RequestError> {
    if body.is_empty() {
        return Ok(GraphQlRequest::default());
    }
    OrderedJson::parse(body)
        .map(GraphQlRequest::from_document)
        .ok_or_else(unable_to_parse)
}

/// GET: `query`, and `variables` as a JSON string (§1.2).
fn decode_get(query_string: &str) -> Result<GraphQlRequest, RequestError> {
    let mut request = GraphQlRequest::default();
    for (key, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        match key.as_ref() {
            "query" => request.query = value.into_owned(),
            "variables" => {
                let decoded = OrderedJson::parse(value.as_bytes()).ok_or_else(unable_to_parse)?;
                request.variables = matches!(decoded, OrderedJson::Object(_)).then_some(decoded);
            }
            _ => {}
        }
    }
    Ok(request)
}

/// The request validators in order (§1.3), then the caller.
fn run_validators(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    data: &GraphQlRequest,
) -> Result<UserContext, RequestError> {
    if method == Method::POST {
        let content_type = headers
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default();
        if !content_type.contains("application/json") {
            return Err(input_error("Request content type must be application/json", Vec::new()));
        }
    } else if !data.query.is_empty() {
        // `HttpVerbValidator` parses the query: a syntax error stops here as one.
        match graphql_php::parse(&data.query) {
            Err(Refusal::Syntax(error)) => return Err(syntax(error)),
            Ok(document)
                if document
                    .operations
                    .iter()
                    .any(|(_, operation)| operation.node.ty == OperationType::Mutation) =>
            {
                return Err(input_error(
                    "Mutation requests allowed only for POST requests",
                    Vec::new(),
                ));
            }
            _ => {}
        }
    }
    if let Some(store) = headers.get("Store") {
        let code = String::from_utf8_lossy(store.as_bytes()).trim().to_owned();
        if !code.eq_ignore_ascii_case("default") && code != app.settings.store_code {
            return Err(input_error("Requested store is not found (%1)", vec![code]));
        }
    }
    let now = Utc::now().timestamp();
    if !app.settings.release.maps_graphql_statuses() {
        return Ok(app.tokens.user_context(&app.store(), headers, now));
    }
    bearer_user(app, headers, now).map_err(|rejection| {
        magento_error(
            Category::Authentication,
            StatusCode::UNAUTHORIZED,
            rejection.message(),
            Vec::new(),
        )
    })
}

/// `AuthorizationRequestValidator` (new in 2.4.8): only `Bearer <token>` is read; any failure of
/// the reader or the validators is a 401 for every operation.
fn bearer_user(app: &App, headers: &HeaderMap, now: i64) -> Result<UserContext, TokenRejection> {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|value| value.to_str().ok()) else {
        return Ok(UserContext::Guest);
    };
    let parts: Vec<&str> = value.split(' ').collect();
    let [scheme, token] = parts.as_slice() else {
        return Ok(UserContext::Guest);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(UserContext::Guest);
    }
    // The opaque reader comes first and reads a bearer-enabled integration's token (§1.3).
    if app.settings.integration_token.as_deref() == Some(*token) {
        return Ok(UserContext::Integration(INTEGRATION_ID));
    }
    let revocation = if app.settings.has_fault(Fault::GraphqlTokenAfterRevoke) {
        Revocation::Ignored
    } else {
        Revocation::Checked
    };
    match app.tokens.check(&app.store(), token, now, revocation) {
        Ok(TokenSubject::Customer(id)) => Ok(UserContext::Customer(id)),
        Ok(TokenSubject::Admin(id)) => Ok(UserContext::Admin(id)),
        Err(TokenRejection::Unreadable) if app.settings.has_fault(Fault::GraphqlInvalidTokenAsGuest) => {
            Ok(UserContext::Guest)
        }
        Err(rejection) => Err(rejection),
    }
}

/// The controller's `handleGraphQlException`: no `data`; 400 in 2.4.8, 500 before.
fn request_error(app: &App, refused: RequestError) -> Response<Vec<u8>> {
    let status = if !app.settings.release.maps_graphql_statuses() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        refused.status
    };
    let mut error = refused.error;
    if let Some((template, args)) = &refused.phrase {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        error.message = app.settings.translations.render(template, &args);
    }
    let error = error_json(&error, None, refused.category);
    let envelope = OrderedJson::Object(vec![("errors".to_owned(), OrderedJson::Array(vec![error]))]);
    answer(status, JSON_CONTENT_TYPE, json::encode(&envelope))
}

/// One error in graphql-php's key order: message, locations, path, extensions.
fn error_json(error: &PhpError, path: Option<OrderedJson>, category: Option<Category>) -> OrderedJson {
    let mut entries = vec![("message".to_owned(), OrderedJson::String(error.message.clone()))];
    if !error.locations.is_empty() {
        entries.push(("locations".to_owned(), locations_json(&error.locations)));
    }
    if let Some(path) = path {
        entries.push(("path".to_owned(), path));
    }
    if let Some(category) = category {
        entries.push((
            "extensions".to_owned(),
            OrderedJson::Object(vec![(
                "category".to_owned(),
                OrderedJson::String(category.name().to_owned()),
            )]),
        ));
    }
    OrderedJson::Object(entries)
}

fn locations_json(locations: &[Pos]) -> OrderedJson {
    OrderedJson::Array(
        locations
            .iter()
            .map(|pos| {
                OrderedJson::Object(vec![
                    ("line".to_owned(), OrderedJson::Number(pos.line.into())),
                    ("column".to_owned(), OrderedJson::Number(pos.column.into())),
                ])
            })
            .collect(),
    )
}

/// `QueryProcessor::process`: parse, validate, coerce the variables, execute.
async fn execute(
    app: &Arc<App>,
    data: &GraphQlRequest,
    user: UserContext,
    recaptcha_response: bool,
) -> Response<Vec<u8>> {
    let document = match graphql_php::parse(&data.query) {
        Ok(document) => document,
        Err(Refusal::Syntax(error)) => return request_error(app, syntax(error)),
        Err(Refusal::Invalid(errors)) => return refused(app, &errors),
        Err(Refusal::UnknownType) => return internal_error(),
    };
    let fields = graphql_php::field_count(&document);
    if fields > MAX_QUERY_COMPLEXITY {
        return request_error(
            app,
            input_error(
                "Max query complexity should be %1 but got %2.",
                vec![MAX_QUERY_COMPLEXITY.to_string(), fields.to_string()],
            ),
        );
    }
    let names = graphql_php::names_in_request(&data.query, data.variables.as_ref());
    match graphql_php::validate(&data.query, &document, schema_index(), &names) {
        Ok(()) => {}
        Err(Refusal::Invalid(errors)) => return refused(app, &errors),
        Err(Refusal::Syntax(error)) => return request_error(app, syntax(error)),
        Err(Refusal::UnknownType) => return internal_error(),
    }
    if let Err(errors) = graphql_php::coerce_variables(&document, schema_index(), &data.variable_pairs()) {
        return refused(app, &errors);
    }
    let variables = data
        .variables
        .as_ref()
        .and_then(|variables| serde_json::to_value(variables).ok())
        .unwrap_or(serde_json::Value::Object(serde_json::Map::new()));
    let request = async_graphql::Request::new(data.query.clone())
        .variables(async_graphql::Variables::from_json(variables))
        .data(Caller {
            app: Arc::clone(app),
            user,
            now: Utc::now(),
            recaptcha_response,
        });
    let root = match document
        .operations
        .iter()
        .next()
        .map(|(_, operation)| operation.node.ty)
    {
        Some(OperationType::Mutation) => "Mutation",
        _ => "Query",
    };
    let response = schema().execute(request).await;
    executed(app, root, response)
}

/// A 2.4.8 500 outside execution: `Internal server error` (§1.9, shape D).
fn internal_error() -> Response<Vec<u8>> {
    let error = OrderedJson::Object(vec![(
        "message".to_owned(),
        OrderedJson::String(INTERNAL_SERVER_ERROR.to_owned()),
    )]);
    let envelope = OrderedJson::Object(vec![("errors".to_owned(), OrderedJson::Array(vec![error]))]);
    answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        JSON_CONTENT_TYPE,
        json::encode(&envelope),
    )
}

/// Validation or coercion errors: shape B, 200, no `data`.
fn refused(app: &App, errors: &[PhpError]) -> Response<Vec<u8>> {
    let errors: Vec<OrderedJson> = errors.iter().map(|error| error_json(error, None, None)).collect();
    let envelope = envelope(app, errors, None);
    answer(StatusCode::OK, JSON_CONTENT_TYPE, json::encode(&envelope))
}

/// `ErrorHandler::handle`: only the first error outside developer mode (§1.5); `errors` before
/// `data`.
fn envelope(app: &App, mut errors: Vec<OrderedJson>, data: Option<OrderedJson>) -> OrderedJson {
    if !app.settings.developer_mode && !app.settings.has_fault(Fault::GraphqlEveryError) {
        errors.truncate(1);
    }
    let mut entries = Vec::new();
    if !errors.is_empty() {
        entries.push(("errors".to_owned(), OrderedJson::Array(errors)));
    }
    if let Some(data) = data {
        entries.push(("data".to_owned(), data));
    }
    OrderedJson::Object(entries)
}

/// An executed request: its envelope, and the status of its first categorised error (§1.9).
fn executed(app: &App, root: &str, response: async_graphql::Response) -> Response<Vec<u8>> {
    let developer_mode = app.settings.developer_mode;
    let errors: Vec<OrderedJson> = response
        .errors
        .iter()
        .map(|error| server_error_json(error, developer_mode))
        .collect();
    let mut data = match response.data {
        async_graphql::Value::Null => None,
        data => Some(value_json(&data)),
    };
    // graphql-php nulls the nearest nullable field above a failed non-null one.
    for error in &errors {
        let Some(OrderedJson::Array(path)) = error.get("path") else {
            continue;
        };
        match schema_index().nullable_prefix(root, path) {
            0 => data = None,
            keep => {
                if let Some(slot) = data.as_mut().and_then(|data| value_at(data, &path[..keep])) {
                    *slot = OrderedJson::Null;
                }
            }
        }
    }
    let envelope = envelope(app, errors, data);
    let category = match envelope.get("errors") {
        Some(OrderedJson::Array(errors)) => errors.iter().find_map(|error| {
            error
                .get("extensions")
                .and_then(|extensions| extensions.get("category"))
                .and_then(OrderedJson::as_str)
                .map(str::to_owned)
        }),
        _ => None,
    };
    let status = match category.as_deref() {
        _ if !app.settings.release.maps_graphql_statuses() => StatusCode::OK,
        Some("graphql-authentication") => StatusCode::UNAUTHORIZED,
        Some("graphql-authorization") => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    };
    answer(status, JSON_CONTENT_TYPE, json::encode(&envelope))
}

/// A resolver error: message, locations, path, then `extensions` with the category, and in
/// developer mode a masked error's `debugMessage` (§1.7 A, D).
fn server_error_json(error: &async_graphql::ServerError, developer_mode: bool) -> OrderedJson {
    let mut entries = vec![("message".to_owned(), OrderedJson::String(error.message.clone()))];
    if !error.locations.is_empty() {
        entries.push(("locations".to_owned(), locations_json(&error.locations)));
    }
    if !error.path.is_empty() {
        let segments = error
            .path
            .iter()
            .map(|segment| match segment {
                async_graphql::PathSegment::Field(name) => OrderedJson::String(name.clone()),
                async_graphql::PathSegment::Index(index) => OrderedJson::Number((*index).into()),
            })
            .collect();
        entries.push(("path".to_owned(), OrderedJson::Array(segments)));
    }
    let mut extensions = Vec::new();
    if let Some(values) = &error.extensions {
        if let Some(category) = values.get("category") {
            extensions.push(("category".to_owned(), value_json(category)));
        }
        if let Some(debug) = values.get("debugMessage").filter(|_| developer_mode) {
            extensions.push(("debugMessage".to_owned(), value_json(debug)));
        }
    }
    if !extensions.is_empty() {
        entries.push(("extensions".to_owned(), OrderedJson::Object(extensions)));
    }
    OrderedJson::Object(entries)
}

/// The value at `path` in `data`, if the path exists.
fn value_at<'a>(data: &'a mut OrderedJson, path: &[OrderedJson]) -> Option<&'a mut OrderedJson> {
    path.iter().try_fold(data, |value, segment| match segment {
        OrderedJson::String(key) => value.get_mut(key),
        OrderedJson::Number(index) => {
            let index = usize::try_from(index.as_u64()?).ok()?;
            match value {
                OrderedJson::Array(items) => items.get_mut(index),
                _ => None,
            }
        }
        _ => None,
    })
}

fn value_json(value: &async_graphql::Value) -> OrderedJson {
    use async_graphql::Value;
    match value {
        Value::Null | Value::Binary(_) => OrderedJson::Null,
        Value::Number(number) => OrderedJson::Number(number.clone()),
        Value::String(text) => OrderedJson::String(text.clone()),
        Value::Boolean(flag) => OrderedJson::Bool(*flag),
        Value::Enum(name) => OrderedJson::String(name.to_string()),
        Value::List(items) => OrderedJson::Array(items.iter().map(value_json).collect()),
        Value::Object(fields) => OrderedJson::Object(
            fields
                .iter()
                .map(|(name, value)| (name.to_string(), value_json(value)))
                .collect(),
        ),
    }
}
