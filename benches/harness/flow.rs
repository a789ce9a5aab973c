//! The bench-only flow (create a customer, get their token, read `/me`): the feature file the
//! suite runs N times, and the bare reqwest loop that sends the same requests with no checks.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use magento_harness::secrets::Secret;
use magento_harness::sweep::{Filter, search_path};
use magento_reference::AdminAccount;
use serde_json::{Value, json};

use crate::child::{Logged, fresh_dir, request_shape};

/// `benches/features/flow.feature`: a Scenario Outline with one Examples row.
pub const FLOW_FEATURE: &str = include_str!("../features/flow.feature");

/// Requests of one flow: POST /V1/customers, POST the token, GET /me, and the after hook's
/// DELETE.
pub const REQUESTS_PER_FLOW: usize = 4;

/// Requests of every run besides the scenarios': pre-flight, admin sign-in, its check, the two
/// reCAPTCHA probes, the store profile's eleven (store views, store configs, default group,
/// group search, the two attribute metadata reads, countries, the Swagger, and the two weak
/// passwords), the GraphQL probe, and the sweep's search.
pub const FIXED_REQUESTS: usize = 17;

/// `benches/features/graphql_flow.feature`: the same account over GraphQL, one Examples row.
pub const GRAPHQL_FLOW_FEATURE: &str = include_str!("../features/graphql_flow.feature");

/// Requests of one GraphQL flow: createCustomerV2, the admin's search for what it created,
/// generateCustomerToken, the customer query, and the after hook's DELETE.
pub const REQUESTS_PER_GRAPHQL_FLOW: usize = 5;

/// Writes the GraphQL flow feature with `n` Examples rows into a fresh directory.
pub fn graphql_flow_features(root: &Path, n: usize) -> PathBuf {
    assert!(n >= 1, "at least one flow");
    let dir = fresh_dir(root, &format!("graphql-flow-{n}"));
    let mut text = GRAPHQL_FLOW_FEATURE.trim_end().to_owned();
    assert!(
        text.ends_with("| 1 |"),
        "graphql_flow.feature must end with its first Examples row"
    );
    for i in 2..=n {
        text.push_str(&format!("\n      | {i} |"));
    }
    text.push('\n');
    std::fs::write(dir.join("graphql_flow.feature"), text).expect("write the GraphQL flow feature");
    dir
}

/// Writes the flow feature with `n` Examples rows into a fresh directory and returns it (the
/// `MAGENTO_FEATURES_DIR` of a run).
pub fn flow_features(root: &Path, n: usize) -> PathBuf {
    flow_features_without(root, n, &[])
}

/// [`flow_features`] without the step lines that contain one of `drop` (same requests, fewer
/// checks).
pub fn flow_features_without(root: &Path, n: usize, drop: &[&str]) -> PathBuf {
    assert!(n >= 1, "at least one flow");
    let dir = fresh_dir(root, &format!("flow-{n}"));
    let kept: Vec<&str> = FLOW_FEATURE
        .lines()
        .filter(|line| !drop.iter().any(|d| line.contains(d)))
        .collect();
    let mut text = kept.join("\n").trim_end().to_owned();
    assert!(
        text.ends_with("| 1 |"),
        "flow.feature must end with its first Examples row"
    );
    for i in 2..=n {
        text.push_str(&format!("\n      | {i} |"));
    }
    text.push('\n');
    std::fs::write(dir.join("flow.feature"), text).expect("write the flow feature");
    dir
}

/// The create-customer body of the flow feature's docstring.
pub fn flow_body() -> Value {
    let start = FLOW_FEATURE
        .find("\"\"\"json")
        .expect("flow.feature has a JSON docstring")
        + 7;
    let end = start + FLOW_FEATURE[start..].find("\"\"\"").expect("the docstring ends");
    serde_json::from_str(&FLOW_FEATURE[start..end]).expect("the docstring is JSON")
}

/// What the bare loop did.
pub struct Bare {
    pub wall: Duration,
    /// The shape (method and path, ids as `N`) of every request, in order.
    pub shapes: Vec<String>,
}

/// One request of a suite run of the flow feature, as the bare loop repeats it; a number is
/// the flow (the Examples row) the request belongs to, in the order the flows were created.
#[derive(Debug, Clone, PartialEq)]
pub enum Replay {
    Preflight,
    AdminSignIn,
    AdminCheck,
    /// What the run detects before the scenarios (the reCAPTCHA probes, the store profile),
    /// replayed as logged: the method, the path from `/rest` on and the body; GETs carry the
    /// admin's token.
    StartUp {
        method: reqwest::Method,
        path: String,
        body: Option<Value>,
    },
    /// `{ __typename }` to `/graphql`: does the store have GraphQL.
    GraphqlProbe,
    Create(usize),
    Token(usize),
    Me(usize),
    Delete(usize),
    Sweep,
}

/// Reads a suite run's exchange log into the bare loop's script: the same requests in the same
/// order, each tied to its flow by the email it sends or the id it deletes. `GET /me` carries
/// only a (redacted) token, so it goes to the earliest flow that has a token and no `/me` yet.
pub fn replay_script(log: &[Logged]) -> Result<Vec<Replay>, String> {
    let mut flows: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<i64, usize> = HashMap::new();
    let mut awaiting_me: VecDeque<usize> = VecDeque::new();
    let body = |text: Option<&str>, what: &str, at: usize| -> Result<Value, String> {
        text.and_then(|t| serde_json::from_str(t).ok())
            .ok_or(format!("exchange {}: no JSON {what}", at + 1))
    };
    let mut script = Vec::with_capacity(log.len());
    let mut start_up = false;
    for (at, e) in log.iter().enumerate() {
        let path = e.url.split('?').next().unwrap_or(&e.url);
        if start_up && !path.ends_with("/graphql") {
            let from_rest = e
                .url
                .find("/rest/")
                .ok_or(format!("exchange {}: not a REST request", at + 1))?;
            script.push(Replay::StartUp {
                method: e
                    .method
                    .parse()
                    .map_err(|_| format!("exchange {}: method {}", at + 1, e.method))?,
                path: e.url[from_rest..].to_owned(),
                body: e.request_body.as_deref().and_then(|t| serde_json::from_str(t).ok()),
            });
            continue;
        }
        let step = match e.method.as_str() {
            "GET" if at == 0 => Replay::Preflight,
            "POST" if path.ends_with("/V1/tfa/provider/google/authenticate") => Replay::AdminSignIn,
            "GET" if path.ends_with("/V1/customers/-1") => {
                start_up = true;
                Replay::AdminCheck
            }
            "GET" if e.is_search() => Replay::Sweep,
            "POST" if path.ends_with("/graphql") => {
                start_up = false;
                Replay::GraphqlProbe
            }
            "POST" if path.ends_with("/V1/customers") => {
                let sent = body(e.request_body.as_deref(), "request body", at)?;
                let email = json_str(&sent, &["customer", "email"]).ok_or("a create without an email")?;
                let flow = flows.len();
                flows.insert(email.to_owned(), flow);
                let created = body(Some(&e.response_body), "response body", at)?;
                let id = created
                    .get("id")
                    .and_then(Value::as_i64)
                    .ok_or("a create without an id")?;
                ids.insert(id, flow);
                Replay::Create(flow)
            }
            "POST" if path.ends_with("/V1/integration/customer/token") => {
                let sent = body(e.request_body.as_deref(), "request body", at)?;
                let email = json_str(&sent, &["username"]).ok_or("a token request without a username")?;
                let flow = *flows.get(email).ok_or(format!("a token for {email}, never created"))?;
                awaiting_me.push_back(flow);
                Replay::Token(flow)
            }
            "GET" if path.ends_with("/V1/customers/me") => {
                Replay::Me(awaiting_me.pop_front().ok_or("GET /me before any token")?)
            }
            "DELETE" => {
                let id: i64 = path
                    .rsplit('/')
                    .next()
                    .and_then(|id| id.parse().ok())
                    .ok_or(format!("exchange {}: DELETE without an id", at + 1))?;
                Replay::Delete(*ids.get(&id).ok_or(format!("DELETE of customer {id}, never created"))?)
            }
            _ => return Err(format!("exchange {}: {} is not part of the flow", at + 1, e.shape())),
        };
        script.push(step);
    }
    Ok(script)
}

fn json_str<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// Sends, one after the other on a fresh HTTP client, the requests of `script`: the guest
/// pre-flight, the admin sign-in with a Google Authenticator code and its check, the flows'
/// requests and the sweep's search. No status, schema or value is checked; only the customer
/// id and the tokens are read, because later requests need them.
pub async fn bare_loop(base_url: &str, admin: &AdminAccount, script: &[Replay]) -> Result<Bare, String> {
    let started = Instant::now();
    magento_harness::client::install_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let rest = format!("{base_url}/rest/default");
    let mut shapes = Vec::with_capacity(script.len());
    let run_id = format!("bare{}", rand::random::<u32>());
    let err = |e: reqwest::Error| e.to_string();

    macro_rules! send {
        ($method:ident, $url:expr $(, bearer = $token:expr)? $(, json = $body:expr)?) => {{
            let url: String = $url;
            shapes.push(request_shape(stringify!($method), &url));
            let request = http
                .request(reqwest::Method::$method, &url)
                .header("Accept", "application/json")
                $(.bearer_auth($token))?
                $(.json(&$body))?;
            request.send().await.map_err(err)?.text().await.map_err(err)?
        }};
    }

    let template = flow_body();
    let flows = script.iter().filter(|s| matches!(s, Replay::Create(_))).count();
    let (mut ids, mut tokens) = (vec![0i64; flows], vec![String::new(); flows]);
    let mut admin_token = String::new();
    let email = |flow: usize| format!("mc-{run_id}-{}@example.com", flow + 1);
    let password = |flow: usize| format!("Mc7!Bench{:06}x", flow + 1);
    for step in script {
        match *step {
            Replay::Preflight => {
                send!(GET, format!("{rest}/V1/customers/me"));
            }
            Replay::AdminSignIn => {
                let totp = admin
                    .totp_secret
                    .clone()
                    .ok_or("the reference admin has no TOTP secret")?;
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_err(|e| e.to_string())?
                    .as_secs();
                let otp = magento_harness::admin::totp_code(&Secret::new(totp), now).map_err(|e| e.to_string())?;
                admin_token = serde_json::from_str(&send!(
                    POST,
                    format!("{rest}/V1/tfa/provider/google/authenticate"),
                    json = json!({"username": admin.username, "password": admin.password, "otp": otp})
                ))
                .map_err(|e| format!("admin sign-in: {e}"))?;
            }
            Replay::AdminCheck => {
                send!(GET, format!("{rest}/V1/customers/-1"), bearer = &admin_token);
            }
            Replay::StartUp {
                ref method,
                ref path,
                ref body,
            } => {
                let url = format!("{base_url}{path}");
                shapes.push(request_shape(method.as_str(), &url));
                let mut request = http.request(method.clone(), &url).header("Accept", "application/json");
                if *method == reqwest::Method::GET {
                    request = request.bearer_auth(&admin_token);
                }
                if let Some(body) = body {
                    request = request.json(body);
                }
                request.send().await.map_err(err)?.text().await.map_err(err)?;
            }
            Replay::GraphqlProbe => {
                send!(
                    POST,
                    format!("{base_url}/graphql"),
                    json = json!({"query": "{ __typename }"})
                );
            }
            Replay::Create(flow) => {
                let mut body = template.clone();
                body["customer"]["email"] = Value::from(email(flow));
                body["password"] = Value::from(password(flow));
                let created: Value = serde_json::from_str(&send!(POST, format!("{rest}/V1/customers"), json = body))
                    .map_err(|e| format!("create: {e}"))?;
                ids[flow] = created.get("id").and_then(Value::as_i64).ok_or("create: no id")?;
            }
            Replay::Token(flow) => {
                tokens[flow] = serde_json::from_str(&send!(
                    POST,
                    format!("{rest}/V1/integration/customer/token"),
                    json = json!({"username": email(flow), "password": password(flow)})
                ))
                .map_err(|e| format!("token: {e}"))?;
            }
            Replay::Me(flow) => {
                send!(GET, format!("{rest}/V1/customers/me"), bearer = &tokens[flow]);
            }
            Replay::Delete(flow) => {
                send!(
                    DELETE,
                    format!("{rest}/V1/customers/{}", ids[flow]),
                    bearer = &admin_token
                );
            }
            Replay::Sweep => {
                let filters = [Filter {
                    field: "email",
                    condition: "like",
                    value: format!("mc-{run_id}-%"),
                }];
                send!(
                    GET,
                    format!("{rest}{}", search_path(&filters, 100, 1)),
                    bearer = &admin_token
                );
            }
        }
    }
    Ok(Bare {
        wall: started.elapsed(),
        shapes,
    })
}

/// Runs [`bare_loop`] on a runtime of its own in a thread of its own, as the suite runs in a
/// process of its own, and of the same kind (one thread); the time includes building that
/// runtime and the HTTP client.
pub fn bare_loop_isolated(base_url: &str, admin: &AdminAccount, script: &[Replay]) -> Result<Bare, String> {
    let (base_url, admin, script) = (base_url.to_owned(), admin.clone(), script.to_vec());
    std::thread::spawn(move || {
        let started = Instant::now();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let mut bare = runtime.block_on(bare_loop(&base_url, &admin, &script))?;
        bare.wall = started.elapsed();
        Ok(bare)
    })
    .join()
    .map_err(|_| "the bare loop panicked".to_owned())?
}
