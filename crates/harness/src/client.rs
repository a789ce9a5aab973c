//! The HTTP client that speaks Magento's REST URL scheme and records every exchange.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::secrets::{Redactor, Secret, is_secret_key};

/// Paths whose answer is a bare JSON string holding a credential (§1.4): token routes and the
/// two-factor provider routes.
fn answers_a_token(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    path.ends_with("/token") || path.ends_with("/authenticate")
}

/// A request body: JSON, or raw bytes for the routing and decoding scenarios.
#[derive(Debug, Clone)]
pub enum RequestBody {
    Json(Value),
    Raw {
        content_type: Option<String>,
        bytes: Vec<u8>,
    },
}

/// One request, described in Magento's terms.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// Path after the store prefix, e.g. `/V1/customers`; or a full path from `/rest` when
    /// `raw_path` is set (for the URL-form scenarios).
    pub path: String,
    pub raw_path: bool,
    pub bearer: Option<Secret>,
    pub body: Option<RequestBody>,
    pub headers: Vec<(String, String)>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            raw_path: false,
            bearer: None,
            body: None,
            headers: Vec::new(),
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(RequestBody::Json(body));
        self
    }

    pub fn bearer(mut self, token: Option<&Secret>) -> Self {
        self.bearer = token.cloned();
        self
    }

    /// Signs a customer in for an access token (§5.1).
    pub fn customer_token(username: &str, password: &str) -> Self {
        Self::post(
            "/V1/integration/customer/token",
            serde_json::json!({"username": username, "password": password}),
        )
    }

    /// Signs an admin in for an access token, without two-factor auth (§3.1).
    pub fn admin_token(username: &str, password: &str) -> Self {
        Self::post(
            "/V1/integration/admin/token",
            serde_json::json!({"username": username, "password": password}),
        )
    }

    /// Creates a customer account, as a guest or with the admin token (§4.3).
    pub fn create_customer(body: Value) -> Self {
        Self::post(CUSTOMERS_ROUTE, body)
    }

    /// A GraphQL document sent as Magento reads it (GRAPHQL.md §1.2, §10.1): POST with a JSON
    /// body `{"query", "variables"}`, or, for a query, GET with `query` and `variables` (a JSON
    /// string) in the query string. The client adds the `Store` header (§1.1).
    pub fn graphql(method: Method, query: &str, variables: Option<Value>) -> Self {
        if method == Method::GET {
            let mut params = url::form_urlencoded::Serializer::new(String::new());
            params.append_pair("query", query);
            if let Some(variables) = &variables {
                params.append_pair("variables", &variables.to_string());
            }
            let mut request = Self::new(Method::GET, format!("{GRAPHQL_PATH}?{}", params.finish()));
            request.raw_path = true;
            return request;
        }
        let mut body = serde_json::json!({"query": query});
        if let Some(variables) = variables {
            body["variables"] = variables;
        }
        let mut request = Self::new(method, GRAPHQL_PATH).json(body);
        request.raw_path = true;
        request
    }

    /// Whether this request goes to the GraphQL endpoint rather than to a REST route.
    pub fn is_graphql(&self) -> bool {
        self.raw_path && self.path.split(['?', '#']).next() == Some(GRAPHQL_PATH)
    }

    /// The GraphQL document and variables this request carries, in the body or the query string.
    pub fn graphql_payload(&self) -> Option<(String, Option<Value>)> {
        if !self.is_graphql() {
            return None;
        }
        match &self.body {
            Some(RequestBody::Json(body)) => {
                Some((body.get("query")?.as_str()?.to_owned(), body.get("variables").cloned()))
            }
            _ => {
                let (_, query) = self.path.split_once('?')?;
                let mut document = None;
                let mut variables = None;
                for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                    match key.as_ref() {
                        "query" => document = Some(value.into_owned()),
                        "variables" => variables = serde_json::from_str(&value).ok(),
                        _ => {}
                    }
                }
                Some((document?, variables))
            }
        }
    }

    fn is_idempotent(&self) -> bool {
        self.method == Method::GET || self.method == Method::DELETE
    }

    /// The service route the request reaches, e.g. `/V1/customers/me`, whatever URL form it is
    /// sent in: a service path, or a raw path from `/rest` with or without `/index.php` and a
    /// store code (§1.1). Without query, fragment or trailing slash; `None` for a raw path that
    /// is no REST service URL.
    pub fn route(&self) -> Option<&str> {
        let path = self
            .path
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        if !self.raw_path {
            return Some(path);
        }
        let rest = path.strip_prefix("/index.php").unwrap_or(path).strip_prefix("/rest")?;
        // `/rest/V1/…` uses the default store view; otherwise a store code comes first.
        let service = match rest.strip_prefix('/')?.split_once('/')? {
            ("V1", _) => rest,
            (_store, service) => &rest[rest.len() - service.len() - 1..],
        };
        service.starts_with("/V1/").then_some(service)
    }

    /// Whether the store creates a customer if it accepts this request: a POST to the create
    /// route, in any URL form.
    pub fn creates_customer(&self) -> bool {
        self.method == Method::POST && self.route() == Some(CUSTOMERS_ROUTE)
    }

    /// `PUT /V1/customers/me`: with an admin token of a full-rights role it reaches `save`
    /// without an id, which creates a customer (§1.5, §6.1).
    pub fn writes_own_account(&self) -> bool {
        self.method == Method::PUT && self.route() == Some("/V1/customers/me")
    }
}

/// Where customers are created (POST) and searched (`/search`), and under which each one is.
pub const CUSTOMERS_ROUTE: &str = "/V1/customers";

/// Magento's GraphQL endpoint, from the base URL, without a store code (GRAPHQL.md §1.1).
pub const GRAPHQL_PATH: &str = "/graphql";

/// The string values of `token` fields under `data` in a GraphQL answer
/// (`generateCustomerToken { token }`, §3.1): credentials, registered for redaction at once.
fn graphql_tokens(answer: &Value) -> Vec<&str> {
    answer
        .get("data")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|roots| roots.values())
        .filter_map(|root| root.get("token")?.as_str())
        .collect()
}

/// What was sent and what came back, with timing. Secrets stay inside: use [`Exchange::record`]
/// or [`Exchange::curl`] to show one.
#[derive(Clone)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub body: String,
    /// When the (last) attempt went out: with `elapsed`, the log shows which requests overlapped.
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub elapsed: Duration,
    pub attempts: u32,
    /// How long the client waited, as `Retry-After` told it, before the retries; the report
    /// shows that a slow run was the store's rate limiter, not the store.
    pub waited: Duration,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.method, self.url, self.status)
    }
}

#[cfg(test)]
impl Exchange {
    /// A response as the checks' unit tests need one: a status, a Content-Type and a body.
    pub(crate) fn answer(status: u16, content_type: &str, body: &str) -> Self {
        Self {
            method: "GET".into(),
            url: "http://127.0.0.1:1/rest/default/V1/customers/me".into(),
            request_headers: vec![],
            request_body: None,
            status,
            response_headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            sent_at: chrono::DateTime::UNIX_EPOCH,
            elapsed: Duration::ZERO,
            attempts: 1,
            waited: Duration::ZERO,
        }
    }
}

impl Exchange {
    /// The response body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A redacted, serialisable record for the exchange log.
    pub fn record(&self, redactor: &Redactor) -> ExchangeRecord {
        ExchangeRecord {
            method: self.method.clone(),
            url: redactor.redact(&self.url),
            status: self.status,
            sent_at: self.sent_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            elapsed_ms: self.elapsed.as_secs_f64() * 1000.0,
            attempts: self.attempts,
            waited_ms: self.waited.as_secs_f64() * 1000.0,
            request_headers: redact_headers(&self.request_headers, redactor),
            request_body: self.request_body.as_deref().map(|b| redact_body(b, redactor)),
            response_headers: redact_headers(&self.response_headers, redactor),
            response_body: redact_body(&self.body, redactor),
        }
    }

    /// A copy-pasteable `curl` command that repeats the request, with secrets replaced by shell
    /// variables the user sets themselves.
    pub fn curl(&self, redactor: &Redactor) -> String {
        let mut parts = vec![format!("curl -sS -X {}", self.method)];
        for (name, value) in &self.request_headers {
            let shown = if name.eq_ignore_ascii_case("authorization") {
                "Bearer $MAGENTO_TOKEN".to_owned()
            } else {
                redactor.redact(value)
            };
            parts.push(format!("-H {}", shell_quote(&format!("{name}: {shown}"))));
        }
        if let Some(body) = &self.request_body {
            parts.push(format!("--data-raw {}", shell_quote(&redact_body(body, redactor))));
        }
        parts.push(shell_quote(&redactor.redact(&self.url)));
        parts.join(" ")
    }
}

fn redact_headers(headers: &[(String, String)], redactor: &Redactor) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let value = if is_secret_key(k) {
                crate::secrets::REDACTED.to_owned()
            } else {
                redactor.redact(v)
            };
            (k.clone(), value)
        })
        .collect()
}

fn redact_body(body: &str, redactor: &Redactor) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(json) => redactor.redact_json(&json).to_string(),
        Err(_) => redactor.redact(body),
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// One line of the NDJSON exchange log.
#[derive(Debug, Clone, Serialize)]
pub struct ExchangeRecord {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// RFC 3339, UTC, microseconds.
    pub sent_at: String,
    pub elapsed_ms: f64,
    pub attempts: u32,
    /// Time spent waiting on `Retry-After` before the retries.
    pub waited_ms: f64,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
}

/// A request that got no HTTP response at all.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error(
        "{method} {url} timed out after {timeout:?}: the store did not answer in time (raise MAGENTO_TIMEOUT_SECS if it is just slow)"
    )]
    Timeout {
        method: String,
        url: String,
        timeout: Duration,
    },
    #[error("{method} {url} could not connect ({reason}): check MAGENTO_BASE_URL and that the store is up")]
    Connect {
        method: String,
        url: String,
        reason: String,
    },
    #[error("{method} {url} failed: {reason}")]
    Other {
        method: String,
        url: String,
        reason: String,
    },
}

/// TLS trust for self-signed staging stores.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub ca_cert_pem: Option<Vec<u8>>,
    pub insecure: bool,
}

/// Transport retries: only idempotent requests, only on connection errors, gateway statuses
/// and a rate limiter's or an overloaded store's answer that says when to come back.
const RETRY_BUDGET: u32 = 2;
const RETRY_DELAY: Duration = Duration::from_millis(200);
/// The longest one `Retry-After` wait, whatever MAGENTO_TIMEOUT_SECS says: with
/// [`RETRY_BUDGET`] it bounds the total wait of one request.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How long to wait before retrying a 429 or 503, as its `Retry-After` says (delta-seconds or
/// an HTTP-date, RFC 9110 §10.2.3); `None` when there is no such header, it cannot be read, or
/// it asks for longer than `bound`: retrying earlier than the store asked would be rude, so the
/// answer is kept instead. A 503 without it is maintenance, which waiting does not fix.
fn retry_after(exchange: &Exchange, bound: Duration, now: std::time::SystemTime) -> Option<Duration> {
    if !matches!(exchange.status, 429 | 503) {
        return None;
    }
    let value = exchange.header("retry-after")?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or(Duration::ZERO),
    };
    (wait <= bound).then_some(wait)
}

/// A Magento REST client bound to one store view.
#[derive(Clone)]
pub struct MagentoClient {
    http: reqwest::Client,
    base_url: String,
    store_code: String,
    timeout: Duration,
    log: Arc<Mutex<Vec<Exchange>>>,
    redactor: Option<Redactor>,
    /// The admin's sign-in, when it signed in with a username and password.
    admin_login: Arc<Mutex<Option<Arc<AdminLogin>>>>,
}

/// An admin signed in with a username and password (and TOTP): a 401 to a request that carries
/// its token signs in again, once, and repeats the request with the new token, since a store
/// with a short `webapi/jwtauth/admin_expiration` lets it lapse during a run (STORES.md R7).
pub struct AdminLogin {
    auth: crate::config::AdminAuth,
    /// The token the run was given at start: requests carry it, and go out with the current one.
    first: Secret,
    current: tokio::sync::Mutex<Secret>,
}

impl AdminLogin {
    pub fn new(auth: crate::config::AdminAuth, token: Secret) -> Self {
        Self {
            auth,
            first: token.clone(),
            current: tokio::sync::Mutex::new(token),
        }
    }

    /// Whether a request's bearer is this admin's, the first token or a later one.
    fn carries(&self, bearer: &Secret, current: &Secret) -> bool {
        bearer.expose() == self.first.expose() || bearer.expose() == current.expose()
    }
}

/// Makes ring the process's TLS crypto provider, once; every reqwest client built afterwards
/// uses it. reqwest is built without one: its default, aws-lc, is a large C library that took
/// more of a cold build than any other crate, and ring also builds for the static musl targets
/// with nothing but a C compiler. Anything in this process that builds its own reqwest client
/// (tests, the bench) calls this first.
pub fn install_crypto_provider() {
    // An error means a provider is installed already, which is all that is needed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl MagentoClient {
    pub fn new(base_url: &str, store_code: &str, timeout: Duration, tls: &TlsOptions) -> Result<Self, String> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("magento-contract/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &tls.ca_cert_pem {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| format!("MAGENTO_CA_CERT is not a PEM certificate ({e})"))?;
            builder = builder.add_root_certificate(cert);
        }
        if tls.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if base_url.starts_with("http://") {
            // A plain-HTTP store needs no trust roots, and reading the system's was most of the
            // start-up (`cargo bench`); redirects are off, so no request can go to https.
            builder = builder.tls_certs_only([]);
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            store_code: store_code.to_owned(),
            timeout,
            log: Arc::default(),
            redactor: None,
            admin_login: Arc::default(),
        })
    }

    /// Registers every token the store answers with, the moment it arrives, so no failure
    /// message, report or log line can show it.
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = Some(redactor);
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn store_code(&self) -> &str {
        &self.store_code
    }

    /// `/rest/<store>/V1/...` for a service path, or the path itself when it is raw.
    pub fn url_for(&self, request: &ApiRequest) -> String {
        if request.raw_path {
            format!("{}{}", self.base_url, request.path)
        } else {
            format!("{}/rest/{}{}", self.base_url, self.store_code, request.path)
        }
    }

    /// Signs the admin in again when its token lapses (STORES.md R7); every clone shares it.
    pub fn keep_admin_signed_in(&self, login: AdminLogin) {
        *self.admin_login.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(login));
    }

    fn admin_login_kept(&self) -> Option<Arc<AdminLogin>> {
        self.admin_login.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends a request; one that carries the signed-in admin's token goes out with its current
    /// token and, refused with 401, once more after signing in again.
    pub async fn send(&self, mut request: ApiRequest) -> Result<Exchange, TransportError> {
        let Some((login, bearer)) = self
            .admin_login_kept()
            .and_then(|login| request.bearer.clone().map(|bearer| (login, bearer)))
        else {
            return self.send_as_is(request).await;
        };
        let used = {
            let current = login.current.lock().await;
            if !login.carries(&bearer, &current) {
                drop(current);
                return self.send_as_is(request).await;
            }
            current.clone()
        };
        request.bearer = Some(used.clone());
        let exchange = self.send_as_is(request.clone()).await?;
        if exchange.status != 401 {
            return Ok(exchange);
        }
        let renewed = {
            let mut current = login.current.lock().await;
            if current.expose() == used.expose() {
                let redactor = self.redactor.clone().unwrap_or_default();
                // Signing in goes out as is: its own requests must not wait for this lock.
                let plain = MagentoClient {
                    admin_login: Arc::default(),
                    ..self.clone()
                };
                let signed_in = Box::pin(crate::admin::obtain_admin_token(&plain, &login.auth, &redactor)).await;
                match signed_in {
                    Ok(Some(token)) => *current = token,
                    _ => return Ok(exchange),
                }
            }
            current.clone()
        };
        request.bearer = Some(renewed);
        self.send_as_is(request).await
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends a request. A GET or DELETE is retried within [`RETRY_BUDGET`]: after a moment on
    /// a connection error, a 502 or a 504, and after the wait `Retry-After` asks for (at most
    /// the timeout, and [`MAX_RETRY_AFTER`]) on a 429 or 503. Anything else, a POST above all,
    /// goes out once: it may have changed the store.
    async fn send_as_is(&self, request: ApiRequest) -> Result<Exchange, TransportError> {
        let url = self.url_for(&request);
        let retries = if request.is_idempotent() { RETRY_BUDGET } else { 0 };
        let bound = self.timeout.min(MAX_RETRY_AFTER);
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            match self.send_once(&request, &url).await {
                Ok(mut exchange) => {
                    exchange.attempts = attempt;
                    exchange.waited = waited;
                    if let Some(redactor) = &self.redactor {
                        match exchange.json() {
                            Some(serde_json::Value::String(token)) if answers_a_token(&url) => {
                                redactor.register_value(&token);
                            }
                            Some(answer) if request.is_graphql() => {
                                graphql_tokens(&answer)
                                    .into_iter()
                                    .for_each(|t| redactor.register_value(t));
                            }
                            _ => {}
                        }
                    }
                    if attempt <= retries {
                        if matches!(exchange.status, 502 | 504) {
                            tokio::time::sleep(RETRY_DELAY).await;
                            continue;
                        }
                        if let Some(wait) = retry_after(&exchange, bound, std::time::SystemTime::now()) {
                            tokio::time::sleep(wait).await;
                            waited += wait;
                            continue;
                        }
                    }
                    self.log
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(exchange.clone());
                    return Ok(exchange);
                }
                Err(TransportError::Connect { .. }) if attempt <= retries => {
                    tokio::time::sleep(RETRY_DELAY).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn send_once(&self, request: &ApiRequest, url: &str) -> Result<Exchange, TransportError> {
        let mut headers: Vec<(String, String)> = vec![("Accept".into(), "application/json".into())];
        let mut body_bytes: Option<Vec<u8>> = None;
        match &request.body {
            Some(RequestBody::Json(json)) => {
                headers.push(("Content-Type".into(), "application/json".into()));
                body_bytes = Some(json.to_string().into_bytes());
            }
            Some(RequestBody::Raw { content_type, bytes }) => {
                if let Some(ct) = content_type {
                    headers.push(("Content-Type".into(), ct.clone()));
                }
                body_bytes = Some(bytes.clone());
            }
            None => {}
        }
        if let Some(token) = &request.bearer {
            headers.push(("Authorization".into(), format!("Bearer {}", token.expose())));
        }
        headers.extend(request.headers.iter().cloned());
        // The store view of a GraphQL request is a header, not a path segment (§1.1).
        if request.is_graphql() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("store")) {
            headers.push(("Store".into(), self.store_code.clone()));
        }

        let mut builder = self.http.request(request.method.clone(), url);
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        if let Some(bytes) = &body_bytes {
            builder = builder.body(bytes.clone());
        }

        let method = request.method.to_string();
        let sent_at = chrono::Utc::now();
        let started = Instant::now();
        let response = builder
            .send()
            .await
            .map_err(|e| self.transport_error(&method, url, &e))?;
        let status = response.status().as_u16();
        let response_headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&method, url, &e))?;
        Ok(Exchange {
            method,
            url: url.to_owned(),
            request_headers: headers,
            request_body: body_bytes.map(|b| String::from_utf8_lossy(&b).into_owned()),
            status,
            response_headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            sent_at,
            elapsed: started.elapsed(),
            attempts: 1,
            waited: Duration::ZERO,
        })
    }

    fn transport_error(&self, method: &str, url: &str, e: &reqwest::Error) -> TransportError {
        let (method, url) = (method.to_owned(), url.to_owned());
        if e.is_timeout() {
            TransportError::Timeout {
                method,
                url,
                timeout: self.timeout,
            }
        } else if e.is_connect() {
            TransportError::Connect {
                method,
                url,
                reason: root_cause(e),
            }
        } else {
            TransportError::Other {
                method,
                url,
                reason: root_cause(e),
            }
        }
    }
}

/// The innermost error message, which names the real problem (refused, DNS, certificate).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        Exchange {
            method: "POST".into(),
            url: "http://127.0.0.1:1/rest/default/V1/integration/customer/token".into(),
            request_headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer sekret-token-value".into()),
            ],
            request_body: Some(r#"{"username":"a@example.com","password":"Pa55word!x"}"#.into()),
            status: 200,
            response_headers: vec![],
            body: r#""issued-token-value""#.into(),
            sent_at: chrono::DateTime::from_timestamp(1_790_000_000, 123_456_000).unwrap(),
            elapsed: Duration::from_millis(3),
            attempts: 1,
            waited: Duration::ZERO,
        }
    }

    #[test]
    fn curl_repro_hides_tokens_and_passwords() {
        let redactor = Redactor::new();
        redactor.register_value("issued-token-value");
        let curl = exchange().curl(&redactor);
        assert!(curl.contains("Bearer $MAGENTO_TOKEN"), "{curl}");
        assert!(!curl.contains("sekret-token-value"), "{curl}");
        assert!(!curl.contains("Pa55word!x"), "{curl}");
        assert!(curl.contains("a@example.com"), "{curl}");
    }

    /// The admin's one-time code is hidden by its key, without a by-value rule that would also
    /// hit the same six digits inside a timestamp or a duration.
    #[test]
    fn a_one_time_code_is_hidden_by_key_and_numbers_stay_intact() {
        let mut sign_in = exchange();
        sign_in.request_body = Some(r#"{"username":"admin","password":"Pa55word!x","otp":"123456"}"#.into());
        sign_in.body = r#"{"elapsed":9123456,"otp":"123456"}"#.into();
        let redactor = Redactor::new();
        let record = sign_in.record(&redactor);
        let text = serde_json::to_string(&record).unwrap();
        assert!(!text.contains("123456\\\""), "{text}");
        assert!(text.contains("9123456"), "{text}");
        assert!(!sign_in.curl(&redactor).contains("\"123456\""));
    }

    #[test]
    fn exchange_record_redacts_headers_and_bodies() {
        let redactor = Redactor::new();
        redactor.register_value("issued-token-value");
        let record = serde_json::to_string(&exchange().record(&redactor)).unwrap();
        for secret in ["sekret-token-value", "Pa55word!x", "issued-token-value"] {
            assert!(!record.contains(secret), "{secret} leaked: {record}");
        }
    }

    #[test]
    fn exchange_record_says_when_the_request_went_out() {
        let record = exchange().record(&Redactor::new());
        assert_eq!(record.sent_at, "2026-09-21T14:13:20.123456Z");
        assert_eq!(record.elapsed_ms, 3.0);
    }

    /// Answers `status` (with `Retry-After: retry_after`, if given) to the first `failures`
    /// requests, then 200, counting them all.
    async fn flaky_server(
        failures: usize,
        status: u16,
        retry_after: Option<&'static str>,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use axum::response::IntoResponse as _;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let count = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&count);
        let app = axum::Router::new().fallback(move || {
            let seen = Arc::clone(&seen);
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) >= failures {
                    return (axum::http::StatusCode::OK, "true").into_response();
                }
                let status = axum::http::StatusCode::from_u16(status).unwrap();
                match retry_after {
                    Some(value) => (status, [("retry-after", value)], "busy").into_response(),
                    None => (status, "busy").into_response(),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, count)
    }

    fn client(url: &str) -> MagentoClient {
        MagentoClient::new(url, "default", Duration::from_secs(5), &TlsOptions::default()).unwrap()
    }

    #[tokio::test]
    async fn idempotent_requests_retry_gateway_errors_within_the_budget() {
        let (url, count) = flaky_server(2, 502, None).await;
        let exchange = client(&url).send(ApiRequest::get("/V1/customers/1")).await.unwrap();
        assert_eq!(exchange.status, 200);
        assert_eq!(exchange.attempts, 3);
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);

        let (url, count) = flaky_server(10, 504, None).await;
        let exchange = client(&url).send(ApiRequest::delete("/V1/customers/1")).await.unwrap();
        assert_eq!(exchange.status, 504, "the budget is spent, the last answer is kept");
        assert_eq!(
            count.load(std::sync::atomic::Ordering::SeqCst),
            1 + RETRY_BUDGET as usize
        );
    }

    #[tokio::test]
    async fn a_post_is_never_retried() {
        for (status, retry_after) in [(502, None), (429, Some("0")), (503, Some("0"))] {
            let (url, count) = flaky_server(1, status, retry_after).await;
            let exchange = client(&url)
                .send(ApiRequest::post("/V1/customers", serde_json::json!({})))
                .await
                .unwrap();
            assert_eq!(exchange.status, status);
            assert_eq!(
                count.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "a POST may have created something"
            );
        }
    }

    /// A GET told to come back in a second waits that second, and the exchange says so.
    #[tokio::test]
    async fn a_get_waits_as_retry_after_says_then_retries() {
        for status in [429, 503] {
            let (url, count) = flaky_server(1, status, Some("1")).await;
            let started = Instant::now();
            let exchange = client(&url).send(ApiRequest::get("/V1/customers/1")).await.unwrap();
            assert_eq!(exchange.status, 200);
            assert_eq!((exchange.attempts, exchange.waited), (2, Duration::from_secs(1)));
            assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
            let elapsed = started.elapsed();
            assert!(
                elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(3),
                "{elapsed:?}"
            );
            assert_eq!(exchange.record(&Redactor::new()).waited_ms, 1000.0);
        }
    }

    /// A wait beyond the bound (the 5 s timeout here), or none said, keeps the answer at once.
    #[tokio::test]
    async fn a_rate_limit_without_a_bearable_retry_after_is_not_retried() {
        for (status, retry_after) in [(429, Some("60")), (429, None), (503, None)] {
            let (url, count) = flaky_server(1, status, retry_after).await;
            let started = Instant::now();
            let exchange = client(&url).send(ApiRequest::delete("/V1/customers/1")).await.unwrap();
            assert_eq!((exchange.status, exchange.attempts), (status, 1), "{retry_after:?}");
            assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
            assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
        }
    }

    /// Spent budget: the last 429 comes back after two bounded waits.
    #[tokio::test]
    async fn retry_after_waits_stop_at_the_retry_budget() {
        let (url, count) = flaky_server(10, 429, Some("0")).await;
        let exchange = client(&url).send(ApiRequest::get("/V1/customers/1")).await.unwrap();
        assert_eq!((exchange.status, exchange.attempts), (429, 1 + RETRY_BUDGET));
        assert_eq!(
            count.load(std::sync::atomic::Ordering::SeqCst),
            1 + RETRY_BUDGET as usize
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_within_the_bound() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
        let bound = Duration::from_secs(30);
        let with = |status: u16, value: &str| {
            let mut exchange = Exchange::answer(status, "application/json", "{}");
            exchange.response_headers.push(("Retry-After".into(), value.into()));
            retry_after(&exchange, bound, now)
        };
        assert_eq!(with(429, " 2 "), Some(Duration::from_secs(2)));
        assert_eq!(with(503, "30"), Some(bound));
        assert_eq!(with(503, "31"), None, "longer than the bound");
        let date = |offset: u64| httpdate::fmt_http_date(now + Duration::from_secs(offset));
        assert_eq!(with(429, &date(5)), Some(Duration::from_secs(5)));
        assert_eq!(with(429, &date(3600)), None);
        let past = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(with(429, &past), Some(Duration::ZERO));
        assert_eq!(with(429, "soon"), None);
        assert_eq!(with(500, "1"), None, "only a rate limit or an overload says when");
        assert_eq!(
            retry_after(&Exchange::answer(429, "application/json", "{}"), bound, now),
            None
        );
    }

    #[tokio::test]
    async fn every_request_has_a_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        // Accepts connections and never answers.
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let client = MagentoClient::new(&url, "default", Duration::from_millis(300), &TlsOptions::default()).unwrap();
        let started = Instant::now();
        let error = client.send(ApiRequest::get("/V1/customers/me")).await.unwrap_err();
        assert!(matches!(error, TransportError::Timeout { .. }), "{error}");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn tokens_are_registered_for_redaction_as_they_arrive() {
        let app = axum::Router::new().fallback(|| async { "\"eyJraWQiOiIxIn0.eyJ1aWQiOjF9.c2lnbmF0dXJl\"" });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let redactor = Redactor::new();
        let client = client(&url).with_redactor(redactor.clone());
        let exchange = client
            .send(ApiRequest::post(
                "/V1/integration/customer/token",
                serde_json::json!({}),
            ))
            .await
            .unwrap();
        assert_eq!(redactor.redact(&exchange.body), "\"[redacted]\"");
        let other = client.send(ApiRequest::get("/V1/customers/me")).await.unwrap();
        assert_eq!(other.body, exchange.body, "the same body from another route");
        assert!(answers_a_token(
            "http://h/rest/default/V1/tfa/provider/google/authenticate"
        ));
        assert!(!answers_a_token("http://h/rest/default/V1/customers/me"));
    }

    fn raw(method: Method, path: &str) -> ApiRequest {
        let mut request = ApiRequest::new(method, path);
        request.raw_path = true;
        request
    }

    #[test]
    fn the_route_is_found_in_every_url_form() {
        for request in [
            ApiRequest::post("/V1/customers", serde_json::json!({})),
            ApiRequest::new(Method::POST, "/V1/customers/?x=1"),
            raw(Method::POST, "/rest/all/V1/customers"),
            raw(Method::POST, "/rest/V1/customers#top"),
            raw(Method::POST, "/index.php/rest/default/V1/customers/"),
            ApiRequest::create_customer(serde_json::json!({})),
        ] {
            assert_eq!(request.route(), Some("/V1/customers"), "{}", request.path);
            assert!(request.creates_customer(), "{}", request.path);
        }
        assert!(!ApiRequest::get("/V1/customers").creates_customer());
        assert!(!ApiRequest::post("/V1/customers/isEmailAvailable", serde_json::json!({})).creates_customer());
        assert!(!ApiRequest::post("/V1/foo/V1/customers", serde_json::json!({})).creates_customer());
        assert_eq!(raw(Method::POST, "/rest/default/V1").route(), None);
        assert_eq!(
            raw(Method::POST, "/V1/customers").route(),
            None,
            "a raw path starts at /rest"
        );
        assert_eq!(raw(Method::POST, "/rest/all/customers").route(), None);
    }

    /// A GraphQL document goes to `/graphql` from the base URL, in the body for a POST and in
    /// the query string for a GET, and reads back the same; it is no REST route.
    #[test]
    fn graphql_requests_carry_the_document_either_way() {
        let variables = serde_json::json!({"email": "a+b@example.com"});
        let post = ApiRequest::graphql(Method::POST, "{ customer { email } }", Some(variables.clone()));
        let get = ApiRequest::graphql(Method::GET, "{ customer { email } }", Some(variables.clone()));
        for request in [&post, &get] {
            assert!(request.is_graphql(), "{}", request.path);
            assert_eq!(request.route(), None);
            assert!(!request.creates_customer());
            assert_eq!(
                request.graphql_payload(),
                Some(("{ customer { email } }".to_owned(), Some(variables.clone())))
            );
        }
        assert!(get.path.starts_with("/graphql?query=%7B+customer"), "{}", get.path);
        assert!(get.body.is_none());
        let client =
            MagentoClient::new("http://shop.test", "fr", Duration::from_secs(1), &TlsOptions::default()).unwrap();
        assert_eq!(client.url_for(&post), "http://shop.test/graphql");
        assert!(!ApiRequest::get("/V1/graphql").is_graphql());
    }

    #[test]
    fn graphql_tokens_are_found_under_data() {
        let answer = serde_json::json!({"data": {"generateCustomerToken": {"token": "abc.def.ghi"}}});
        assert_eq!(graphql_tokens(&answer), vec!["abc.def.ghi"]);
        assert!(graphql_tokens(&serde_json::json!({"data": {"generateCustomerToken": null}})).is_empty());
        assert!(graphql_tokens(&serde_json::json!({"errors": []})).is_empty());
    }

    /// The store view goes in the `Store` header, and a token the answer carries is redacted
    /// from then on.
    #[tokio::test]
    async fn graphql_requests_name_the_store_and_their_tokens_are_redacted() {
        let app = axum::Router::new().route(
            "/graphql",
            axum::routing::post(|headers: axum::http::HeaderMap| async move {
                let store = headers
                    .get("store")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_owned();
                (
                    [("content-type", "application/json")],
                    format!(r#"{{"data": {{"generateCustomerToken": {{"token": "opaque{store}token"}}}}}}"#),
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let redactor = Redactor::new();
        let client = MagentoClient::new(&url, "fr", Duration::from_secs(5), &TlsOptions::default())
            .unwrap()
            .with_redactor(redactor.clone());
        let exchange = client
            .send(ApiRequest::graphql(
                Method::POST,
                "mutation { generateCustomerToken(email: \"a\", password: \"b\") { token } }",
                None,
            ))
            .await
            .unwrap();
        assert!(exchange.body.contains("opaquefrtoken"), "{}", exchange.body);
        assert_eq!(redactor.redact("t=opaquefrtoken"), "t=[redacted]");
    }

    #[test]
    fn only_a_put_to_the_own_account_route_writes_it() {
        for request in [
            ApiRequest::new(Method::PUT, "/V1/customers/me"),
            ApiRequest::new(Method::PUT, "/V1/customers/me/"),
            raw(Method::PUT, "/rest/all/V1/customers/me"),
            raw(Method::PUT, "/index.php/rest/default/V1/customers/me?x=1"),
        ] {
            assert!(request.writes_own_account(), "{}", request.path);
        }
        assert!(!ApiRequest::get("/V1/customers/me").writes_own_account());
        assert!(!ApiRequest::new(Method::PUT, "/V1/customers/5").writes_own_account());
        assert!(!ApiRequest::new(Method::PUT, "/V1/customers/me/billingAddress").writes_own_account());
    }

    #[test]
    fn store_code_is_part_of_service_urls() {
        let client = MagentoClient::new(
            "http://shop.test/",
            "fr",
            Duration::from_secs(1),
            &TlsOptions::default(),
        )
        .unwrap();
        assert_eq!(
            client.url_for(&ApiRequest::get("/V1/customers/me")),
            "http://shop.test/rest/fr/V1/customers/me"
        );
        let mut raw = ApiRequest::get("/rest/V1/customers/me");
        raw.raw_path = true;
        assert_eq!(client.url_for(&raw), "http://shop.test/rest/V1/customers/me");
    }
}
