//! The bench-only flow (create a customer, get their token, read `/me`): the feature file the
//! suite runs N times, and the bare reqwest loop that sends the same requests with no checks.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use magento_contract::reference::AdminAccount;
use magento_contract::secrets::Secret;
use magento_contract::sweep::{Filter, search_path};
use serde_json::{Value, json};

use crate::child::{fresh_dir, request_shape};

/// `benches/features/flow.feature`: a Scenario Outline with one Examples row.
pub const FLOW_FEATURE: &str = include_str!("../features/flow.feature");

/// Requests of one flow: POST /V1/customers, POST the token, GET /me, and the after hook's
/// DELETE.
pub const REQUESTS_PER_FLOW: usize = 4;

/// Requests of every run besides the scenarios': pre-flight, admin sign-in, its check, sweep.
pub const FIXED_REQUESTS: usize = 4;

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

/// Sends, one after the other on a fresh HTTP client, exactly the requests a suite run of `n`
/// flows sends at concurrency 1: the guest pre-flight, the admin sign-in with a Google
/// Authenticator code and its check, `n` flows, and the sweep's search. No status, schema or value is
/// checked; only the customer id and the tokens are read, because the next requests need them.
pub async fn bare_loop(base_url: &str, admin: &AdminAccount, n: usize) -> Result<Bare, String> {
    let started = Instant::now();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let rest = format!("{base_url}/rest/default");
    let mut shapes = Vec::with_capacity(n * REQUESTS_PER_FLOW + FIXED_REQUESTS);
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

    send!(GET, format!("{rest}/V1/customers/me"));
    let totp = admin
        .totp_secret
        .clone()
        .ok_or("the reference admin has no TOTP secret")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let otp = magento_contract::admin::totp_code(&Secret::new(totp), now).map_err(|e| e.to_string())?;
    let admin_token: String = serde_json::from_str(&send!(
        POST,
        format!("{rest}/V1/tfa/provider/google/authenticate"),
        json = json!({"username": admin.username, "password": admin.password, "otp": otp})
    ))
    .map_err(|e| format!("admin sign-in: {e}"))?;
    send!(GET, format!("{rest}/V1/customers/-1"), bearer = &admin_token);

    let template = flow_body();
    for i in 1..=n {
        let email = format!("mc-{run_id}-{i}@example.com");
        let password = format!("Mc7!Bench{i:06}x");
        let mut body = template.clone();
        body["customer"]["email"] = Value::from(email.clone());
        body["password"] = Value::from(password.clone());
        let created: Value = serde_json::from_str(&send!(POST, format!("{rest}/V1/customers"), json = body))
            .map_err(|e| format!("create: {e}"))?;
        let id = created.get("id").and_then(Value::as_i64).ok_or("create: no id")?;
        let token: String = serde_json::from_str(&send!(
            POST,
            format!("{rest}/V1/integration/customer/token"),
            json = json!({"username": email, "password": password})
        ))
        .map_err(|e| format!("token: {e}"))?;
        send!(GET, format!("{rest}/V1/customers/me"), bearer = &token);
        send!(DELETE, format!("{rest}/V1/customers/{id}"), bearer = &admin_token);
    }
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
    Ok(Bare {
        wall: started.elapsed(),
        shapes,
    })
}

/// Runs [`bare_loop`] on a runtime of its own in a thread of its own, as the suite runs in a
/// process of its own; the time includes building that runtime and the HTTP client.
pub fn bare_loop_isolated(base_url: &str, admin: &AdminAccount, n: usize) -> Result<Bare, String> {
    let (base_url, admin) = (base_url.to_owned(), admin.clone());
    std::thread::spawn(move || {
        let started = Instant::now();
        let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        let mut bare = runtime.block_on(bare_loop(&base_url, &admin, n))?;
        bare.wall = started.elapsed();
        Ok(bare)
    })
    .join()
    .map_err(|_| "the bare loop panicked".to_owned())?
}
