//! End-to-end checks of the reference server over HTTP, each pinned to a CONTRACT.md fact.

use super::tokens::current_otp;
use super::{AdminAccount, Fault, ReferenceMagento, RunningReference, StoreSettings, TokenFormat};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SIGN_IN_FAILED: &str =
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

/// One answer: status, raw body (for byte-exact checks) and parsed body.
struct Reply {
    status: u16,
    raw: String,
    content_type: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.raw).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.raw))
    }

    #[track_caller]
    fn expect(&self, status: u16, body: Value) {
        assert_eq!((self.status, self.json()), (status, body), "raw: {}", self.raw);
    }
}

struct Client {
    server: RunningReference,
    http: reqwest::Client,
}

impl Client {
    async fn start(settings: StoreSettings) -> Self {
        Client {
            server: ReferenceMagento::start(settings).await.expect("server starts"),
            http: {
                // reqwest is built without a crypto provider (the harness installs ring the same way).
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::new()
            },
        }
    }

    async fn default() -> Self {
        Self::start(StoreSettings::default()).await
    }

    /// A server whose admin signs in without two-factor auth.
    async fn without_two_factor() -> Self {
        Self::start(StoreSettings {
            two_factor_auth: false,
            ..StoreSettings::default()
        })
        .await
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let method = Method::from_bytes(method.as_bytes()).expect("valid method");
        let url = format!("{}{}", self.server.base_url(), path);
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Reply {
            status,
            raw: response.text().await.expect("body"),
            content_type,
        }
    }

    async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        let content_type = text.as_ref().map(|_| "application/json");
        self.raw(
            method,
            &format!("/rest/default{path}"),
            token,
            content_type,
            text.as_deref(),
        )
        .await
    }

    async fn create(&self, body: Value) -> Reply {
        self.send("POST", "/V1/customers", None, Some(body)).await
    }

    async fn customer_token(&self, email: &str, password: &str) -> Reply {
        self.send(
            "POST",
            "/V1/integration/customer/token",
            None,
            Some(json!({"username": email, "password": password})),
        )
        .await
    }

    /// An admin token through the route that fits the server's 2FA setting.
    async fn admin_token(&self) -> String {
        let admin = &self.server.settings().admin;
        let reply = if self.server.settings().two_factor_auth {
            let secret = admin.totp_secret.as_deref().expect("2FA admin has a secret");
            let otp = current_otp(secret, chrono::Utc::now().timestamp());
            self.send(
                "POST",
                "/V1/tfa/provider/google/authenticate",
                None,
                Some(json!({"username": admin.username, "password": admin.password, "otp": otp})),
            )
            .await
        } else {
            self.send(
                "POST",
                "/V1/integration/admin/token",
                None,
                Some(json!({"username": admin.username, "password": admin.password})),
            )
            .await
        };
        assert_eq!(reply.status, 200, "{}", reply.raw);
        reply.json().as_str().expect("token string").to_owned()
    }
}

/// The tutorial's request (examples file S1), camelCase keys included.
fn tutorial_body(email: &str) -> Value {
    json!({
        "customer": {
            "email": email,
            "firstname": "Jane",
            "lastname": "Doe",
            "addresses": [{
                "defaultShipping": true,
                "defaultBilling": true,
                "firstname": "Jane",
                "lastname": "Doe",
                "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
                "postcode": "10755",
                "street": ["123 Oak Ave"],
                "city": "Purchase",
                "telephone": "512-555-1111",
                "countryId": "US"
            }]
        },
        "password": "Password1"
    })
}

fn simple_body(email: &str) -> Value {
    json!({
        "customer": {"email": email, "firstname": "Jane", "lastname": "Doe"},
        "password": "Password1"
    })
}

fn not_authorized(resource: &str) -> Value {
    json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": resource}})
}

fn required(field: &str) -> Value {
    json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": field}})
}

fn no_such_customer(id: i64) -> Value {
    json!({"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "customerId", "fieldValue": id}})
}

/// §4.7, §7, §10: the tutorial body is accepted with camelCase keys and answered in snake_case,
/// typed and ordered like Magento's data interfaces, with `is_subscribed` added.
#[tokio::test]
async fn tutorial_create_returns_magentos_typed_shape() {
    let client = Client::default().await;
    let reply = client.create(tutorial_body("jdoe@example.com")).await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert_eq!(reply.content_type, "application/json; charset=utf-8");
    let body = reply.json();
    let created = body["created_at"].as_str().unwrap();
    assert!(
        regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
            .unwrap()
            .is_match(created)
    );
    assert_eq!(body["updated_at"], body["created_at"]);
    let expected = format!(
        concat!(
            r#"{{"id":1,"group_id":1,"default_billing":"1","default_shipping":"1","#,
            r#""created_at":"{c}","updated_at":"{c}","created_in":"Default Store View","#,
            r#""email":"jdoe@example.com","firstname":"Jane","lastname":"Doe","store_id":1,"website_id":1,"#,
            r#""addresses":[{{"id":1,"customer_id":1,"#,
            r#""region":{{"region_code":"NY","region":"New York","region_id":43}},"region_id":43,"#,
            r#""country_id":"US","street":["123 Oak Ave"],"telephone":"512-555-1111","postcode":"10755","#,
            r#""city":"Purchase","firstname":"Jane","lastname":"Doe","default_shipping":true,"default_billing":true}}],"#,
            r#""disable_auto_group_change":0,"extension_attributes":{{"is_subscribed":false}}}}"#
        ),
        c = created
    );
    assert_eq!(reply.raw, expected);
    assert_eq!(client.server.customer_emails(), vec!["jdoe@example.com"]);
}

/// §5.4: a JWS whose header is exactly `{"kid":"1","alg":"HS256"}` and whose claims are uid,
/// utypid 3, iat, exp = iat + 3600, in that order; the token reads `/V1/customers/me` (§6.1).
#[tokio::test]
async fn customer_token_is_a_magento_jwt_that_reads_me() {
    let client = Client::default().await;
    let created = client.create(tutorial_body("jwt@example.com")).await.json();
    let reply = client.customer_token("jwt@example.com", "Password1").await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert!(reply.raw.starts_with("\"eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ."));
    let token = reply.json().as_str().unwrap().to_owned();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let claims: Value = serde_json::from_str(&payload).unwrap();
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(
        payload,
        format!(
            r#"{{"uid":{},"utypid":3,"iat":{iat},"exp":{}}}"#,
            created["id"],
            iat + 3600
        )
    );
    let me = client.send("GET", "/V1/customers/me", Some(&token), None).await;
    assert_eq!(me.status, 200, "{}", me.raw);
    assert_eq!(me.json(), created);
    // A `?customerId=` cannot override the token's id.
    let other = client
        .send("GET", "/V1/customers/me?customerId=999", Some(&token), None)
        .await;
    assert_eq!(other.json()["id"], created["id"]);
}

/// §1.5, §6.1: guests, garbage tokens and the `all` store are refused `self`; a full-rights
/// admin passes the ACL and misses `customerId` (captures C25, C26).
#[tokio::test]
async fn me_refuses_everyone_but_the_customer_in_its_store() {
    let client = Client::without_two_factor().await;
    client.create(simple_body("self@example.com")).await;
    let token = client.customer_token("self@example.com", "Password1").await.json();
    let token = token.as_str().unwrap();
    let admin = client.admin_token().await;
    for bearer in [None, Some("garbage")] {
        client
            .send("GET", "/V1/customers/me", bearer, None)
            .await
            .expect(401, not_authorized("self"));
    }
    for path in ["/V1/customers/me", "/V1/customers/me?customerId=1"] {
        client.send("GET", path, Some(&admin), None).await.expect(
            400,
            json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "customerId"}}),
        );
    }
    client
        .send("POST", "/V1/integration/customer/revoke-customer-token", Some(&admin), None)
        .await
        .expect(
            400,
            json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "customerId"}}),
        );
    client
        .raw("GET", "/rest/all/V1/customers/me", Some(token), None, None)
        .await
        .expect(401, not_authorized("self"));
    client
        .raw("GET", "/rest/V1/customers/me", Some(token), None, None)
        .await
        .expect(
            200,
            client.send("GET", "/V1/customers/me", Some(token), None).await.json(),
        );
    // Two spaces make three parts: not a bearer header, so a guest.
    let reply = client
        .http
        .get(format!("{}/rest/default/V1/customers/me", client.server.base_url()))
        .header(AUTHORIZATION, format!("bearer  {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 401);
    // The scheme itself is case-insensitive.
    let reply = client
        .http
        .get(format!("{}/rest/default/V1/customers/me", client.server.base_url()))
        .header(AUTHORIZATION, format!("BEARER {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

/// §1.5: a role limited to the customer resources is refused `self` but keeps them.
#[tokio::test]
async fn a_restricted_admin_is_refused_self_but_manages_customers() {
    let client = Client::start(StoreSettings {
        two_factor_auth: false,
        admin_role: super::AdminRole::Restricted,
        ..StoreSettings::default()
    })
    .await;
    let created = client.create(simple_body("restricted@example.com")).await.json();
    let admin = client.admin_token().await;
    client
        .send("GET", "/V1/customers/me", Some(&admin), None)
        .await
        .expect(401, not_authorized("self"));
    let path = format!("/V1/customers/{}", created["id"]);
    assert_eq!(client.send("GET", &path, Some(&admin), None).await.status, 200);
    assert_eq!(client.send("DELETE", &path, Some(&admin), None).await.status, 200);
}

/// A store without URL rewrites answers through `/index.php/rest/...` (C24, C33).
#[tokio::test]
async fn the_front_controller_path_reaches_the_same_routes() {
    let client = Client::without_two_factor().await;
    client
        .raw("GET", "/index.php/rest/default/V1/customers/me", None, None, None)
        .await
        .expect(401, not_authorized("self"));
    client
        .raw("POST", "/index.php/rest/V1/createAccount:customers", None, None, None)
        .await
        .expect(404, json!({"message": "Request does not match any route."}));
}

/// §5.3: max−1 failures then the right password works; max failures lock even the right
/// password; a success resets the count.
#[tokio::test]
async fn login_throttle_locks_at_the_configured_limit() {
    let client = Client::default().await;
    for email in ["five@example.com", "six@example.com"] {
        client.create(simple_body(email)).await;
    }
    for _ in 0..5 {
        client
            .customer_token("five@example.com", "Wrong-1")
            .await
            .expect(401, json!({"message": SIGN_IN_FAILED}));
    }
    assert_eq!(client.customer_token("five@example.com", "Password1").await.status, 200);
    for _ in 0..5 {
        client.customer_token("five@example.com", "Wrong-1").await;
    }
    assert_eq!(client.customer_token("five@example.com", "Password1").await.status, 200);

    for _ in 0..6 {
        client.customer_token("six@example.com", "Wrong-1").await;
    }
    client
        .customer_token("six@example.com", "Password1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
    // The throttle is keyed by the username as sent.
    assert_eq!(client.customer_token("SIX@example.com", "Password1").await.status, 200);
}

/// §5.2: credential errors, the generic 401, and accounts that can never sign in.
#[tokio::test]
async fn customer_token_errors() {
    let client = Client::start(StoreSettings {
        require_confirmation: true,
        ..StoreSettings::default()
    })
    .await;
    let aggregate = json!({
        "message": "One or more input exceptions have occurred.",
        "errors": [required("username"), required("password")]
    });
    for empty in [json!(""), Value::Null] {
        client
            .send(
                "POST",
                "/V1/integration/customer/token",
                None,
                Some(json!({"username": empty, "password": empty})),
            )
            .await
            .expect(400, aggregate.clone());
    }
    client
        .send(
            "POST",
            "/V1/integration/customer/token",
            None,
            Some(json!({"username": "x@example.com"})),
        )
        .await
        .expect(400, required("password"));
    client
        .customer_token("nobody@example.com", "Password1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));

    let created = client.create(simple_body("unconfirmed@example.com")).await;
    assert_eq!(created.status, 200);
    assert!(created.json().get("confirmation").is_none(), "{}", created.raw);
    client
        .customer_token("unconfirmed@example.com", "Password1")
        .await
        .expect(
            401,
            json!({"message": "This account isn't confirmed. Verify and try again."}),
        );
    client
        .customer_token("unconfirmed@example.com", "Wrong-1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));

    let mut no_password = simple_body("nopass@example.com");
    no_password.as_object_mut().unwrap().remove("password");
    assert_eq!(client.create(no_password).await.status, 200);
    client
        .customer_token("nopass@example.com", "")
        .await
        .expect(400, required("password"));
    client
        .customer_token("nopass@example.com", "Password1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
}

/// §5.1, §5.4: revocation answers `true` and kills the token; a token issued in the same second
/// as the revocation is dead too.
#[tokio::test]
async fn revoke_customer_token() {
    let client = Client::default().await;
    client.create(simple_body("revoke@example.com")).await;
    let token = client.customer_token("revoke@example.com", "Password1").await.json();
    let token = token.as_str().unwrap();
    client
        .send("POST", "/V1/integration/customer/revoke-customer-token", None, None)
        .await
        .expect(401, not_authorized("self"));
    let before = chrono::Utc::now().timestamp();
    let reply = client
        .send(
            "POST",
            "/V1/integration/customer/revoke-customer-token",
            Some(token),
            None,
        )
        .await;
    assert_eq!((reply.status, reply.raw.as_str()), (200, "true"));
    client
        .send("GET", "/V1/customers/me", Some(token), None)
        .await
        .expect(401, not_authorized("self"));
    let fresh = client.customer_token("revoke@example.com", "Password1").await.json();
    let after = chrono::Utc::now().timestamp();
    let status = client
        .send("GET", "/V1/customers/me", fresh.as_str(), None)
        .await
        .status;
    if before == after {
        assert_eq!(status, 401, "a token from the revocation second is revoked");
    } else {
        assert!(status == 200 || status == 401);
    }
}

/// §6.2, §6.3: reading and deleting by id need the admin ACL; delete answers `true`, revokes the
/// customer's tokens, and unknown or non-numeric ids get Magento's errors.
#[tokio::test]
async fn read_and_delete_by_id() {
    let client = Client::without_two_factor().await;
    let created = client.create(simple_body("delete@example.com")).await.json();
    let id = created["id"].as_i64().unwrap();
    let path = format!("/V1/customers/{id}");
    let customer_token = client.customer_token("delete@example.com", "Password1").await.json();
    let customer_token = customer_token.as_str().unwrap();
    let admin = client.admin_token().await;

    client
        .send("GET", &path, Some(customer_token), None)
        .await
        .expect(401, not_authorized("Magento_Customer::customer"));
    client
        .send("DELETE", &path, None, None)
        .await
        .expect(401, not_authorized("Magento_Customer::delete"));
    client
        .send("DELETE", "/V1/customers/abc", None, None)
        .await
        .expect(401, not_authorized("Magento_Customer::delete"));
    client
        .send("GET", &path, Some(&admin), None)
        .await
        .expect(200, created.clone());
    client
        .send("GET", "/V1/customers/abc", Some(&admin), None)
        .await
        .expect(400, json!({"message": "The \"abc\" value's type is invalid. The \"int\" type was expected. Verify and try again."}));
    client
        .send("DELETE", "/V1/customers/-1", Some(&admin), None)
        .await
        .expect(404, no_such_customer(-1));

    let reply = client.send("DELETE", &path, Some(&admin), None).await;
    assert_eq!((reply.status, reply.raw.as_str()), (200, "true"));
    assert!(client.server.customer_emails().is_empty());
    client
        .send("GET", &path, Some(&admin), None)
        .await
        .expect(404, no_such_customer(id));
    assert_eq!(
        client
            .send("GET", "/V1/customers/me", Some(customer_token), None)
            .await
            .status,
        401
    );
}

/// §1.1, §1.2: method first, then processor, then route; JSON errors with Magento's texts.
#[tokio::test]
async fn routing_errors() {
    let client = Client::without_two_factor().await;
    let no_route = json!({"message": "Request does not match any route."});
    let reply = client.send("GET", "/V1/no-such-route", None, None).await;
    reply.expect(404, no_route.clone());
    assert_eq!(reply.content_type, "application/json; charset=utf-8");
    client
        .send("DELETE", "/V1/customers", None, None)
        .await
        .expect(404, no_route);
    for method in ["PATCH", "OPTIONS"] {
        client
            .raw(method, "/rest/nosuch/v1/anything", None, None, None)
            .await
            .expect(
                405,
                json!({"message": format!("The {method} HTTP method is not supported.")}),
            );
    }
    let unprocessable = json!({"message": "Specified request cannot be processed."});
    for path in ["/rest/nosuch/V1/customers/me", "/rest/default/v1/customers/me"] {
        client
            .raw("GET", path, None, None, None)
            .await
            .expect(400, unprocessable.clone());
    }
    let admin = client.admin_token().await;
    for path in [
        "/rest/V1/customers/-1",
        "/rest/default/V1/customers/-1",
        "/rest/all/V1/customers/-1",
    ] {
        client
            .raw("GET", path, Some(&admin), None, None)
            .await
            .expect(404, no_such_customer(-1));
    }
}

/// §1.3, §1.2 step 8: Content-Type and decoding errors, checked only after the ACL.
#[tokio::test]
async fn body_decoding_errors() {
    let client = Client::default().await;
    let body = r#"{"username": "someone@example.com", "password": "x"}"#;
    let token_path = "/rest/default/V1/integration/customer/token";
    for (content_type, message) in [
        (None, "Content-Type header is empty."),
        (Some(""), "Content-Type header is empty."),
        (
            Some("json"),
            "Server cannot understand Content-Type HTTP header media type json",
        ),
        (Some("application/json; boundary=x"), "Content-Type header is invalid."),
        (
            Some("application/json; charset=latin1"),
            "UTF-8 is the only supported charset.",
        ),
        (
            Some("text/plain"),
            "Server cannot understand Content-Type HTTP header media type text/plain",
        ),
    ] {
        client
            .raw("POST", token_path, None, content_type, Some(body))
            .await
            .expect(400, json!({"message": message}));
    }
    assert_eq!(
        client
            .raw(
                "POST",
                token_path,
                None,
                Some("application/json; charset=UTF-8"),
                Some(body)
            )
            .await
            .status,
        401
    );
    client
        .raw(
            "POST",
            "/rest/default/V1/customers",
            None,
            Some("application/json"),
            Some(r#"{"customer": {"email": "#),
        )
        .await
        .expect(400, json!({"message": "Decoding error."}));
    client
        .raw(
            "PUT",
            "/rest/default/V1/customers/1",
            None,
            Some("application/json"),
            Some(r#"{"customer": "#),
        )
        .await
        .expect(401, not_authorized("Magento_Customer::manage"));
    client
        .raw("POST", token_path, None, Some("application/json"), Some(r#""just a string""#))
        .await
        .expect(400, json!({"message": "One or more input exceptions have occurred.", "errors": [required("username"), required("password")]}));
    client
        .raw("POST", "/rest/default/V1/customers", None, None, None)
        .await
        .expect(400, required("customer"));
}

/// STORES.md U9: in developer mode a `Webapi\Exception` thrown directly has `"trace": null`, a
/// masked exception its trace string, and a malformed body the PHP error after the message.
#[tokio::test]
async fn developer_mode_adds_the_trace() {
    let client = Client::start(StoreSettings {
        developer_mode: true,
        ..StoreSettings::default()
    })
    .await;
    let token_path = "/rest/default/V1/integration/customer/token";
    client
        .raw("GET", "/rest/default/V1/nosuch", None, None, None)
        .await
        .expect(
            404,
            json!({"message": "Request does not match any route.", "trace": null}),
        );
    client.raw("PATCH", token_path, None, None, None).await.expect(
        405,
        json!({"message": "The PATCH HTTP method is not supported.", "trace": null}),
    );
    client
        .raw("GET", "/rest/nosuch/V1/customers/me", None, None, None)
        .await
        .expect(
            400,
            json!({"message": "Specified request cannot be processed.", "trace": null}),
        );
    client
        .raw("POST", token_path, None, Some("text/plain"), Some("x"))
        .await
        .expect(400, json!({"message": "Server cannot understand Content-Type HTTP header media type text/plain", "trace": null}));
    // `Request::getContentType` throws InputExceptions: masked, so they carry a trace string.
    let empty = client.raw("POST", token_path, None, None, Some("x")).await;
    assert_eq!(empty.json()["message"], "Content-Type header is empty.");
    assert!(empty.json()["trace"].is_string(), "{}", empty.raw);
    let token = client.admin_token().await;
    client
        .send("GET", "/V1/customers/abc", Some(&token), None)
        .await
        .expect(400, json!({"message": "The \"abc\" value's type is invalid. The \"int\" type was expected. Verify and try again.", "trace": null}));
    let refused = client.send("GET", "/V1/customers/1", None, None).await;
    assert_eq!(refused.status, 401);
    assert!(
        refused.json()["trace"].as_str().is_some_and(|t| t.starts_with("#0 ")),
        "{}",
        refused.raw
    );
    let decoding = client
        .raw(
            "POST",
            "/rest/default/V1/customers",
            None,
            Some("application/json"),
            Some(r#"{"customer": "#),
        )
        .await;
    assert_eq!(decoding.status, 400);
    assert_eq!(decoding.json()["trace"], Value::Null, "{}", decoding.raw);
    let message = decoding.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("Decoding error: \nUnable to unserialize value."),
        "{message}"
    );
}

/// §2.4: unknown nested keys, type errors with their nesting, and `customer` itself.
#[tokio::test]
async fn input_binding_errors() {
    let client = Client::default().await;
    client
        .create(json!({"customer": {"email": "a@example.com", "foo_bar": 1}}))
        .await
        .expect(400, json!({"message": "\"%fieldName\" is not supported. Correct the field name and try again.", "parameters": {"fieldName": "FooBar"}}));
    client
        .create(json!({"customer": {"email": "a@example.com", "website_id": "abc"}}))
        .await
        .expect(400, json!({"message": "Error occurred during \"website_id\" processing. The \"abc\" value's type is invalid. The \"int\" type was expected. Verify and try again."}));
    client
        .create(json!({"customer": {"email": "a@example.com", "addresses": [{"street": "x"}]}}))
        .await
        .expect(400, json!({"message": "Error occurred during \"addresses\" processing. Error occurred during \"street\" processing. The \"string\" value's type is invalid. The \"string[]\" type was expected. Verify and try again."}));
    client
        .create(json!({"customer": {"email": "a@example.com", "firstname": "<script>alert(1)</script>"}}))
        .await
        .expect(400, json!({"message": "\"%field_name\" does not contains valid value.", "parameters": {"field_name": "firstname"}}));
    client
        .create(json!({"password": "Password1", "redirectUrl": "x"}))
        .await
        .expect(400, required("customer"));
}

/// §4.1, §4.3 steps 1, 4 and 10: the group guard, the id-in-body paths, duplicates and
/// entity validation.
#[tokio::test]
async fn create_customer_account_rules() {
    let client = Client::without_two_factor().await;
    let admin = client.admin_token().await;
    let mut with_group = simple_body("group@example.com");
    with_group["customer"]["group_id"] = json!(1);
    client
        .create(with_group.clone())
        .await
        .expect(401, not_authorized("Magento_Customer::manage"));
    with_group["customer"]["group_id"] = json!(777);
    client
        .send("POST", "/V1/customers", Some(&admin), Some(with_group.clone()))
        .await
        .expect(
            400,
            json!({"message": "The specified customer group id does not exist."}),
        );
    with_group["customer"]["group_id"] = json!(2);
    let reply = client
        .send("POST", "/V1/customers", Some(&admin), Some(with_group))
        .await;
    assert_eq!(reply.json()["group_id"], 2, "{}", reply.raw);

    let mut with_id = simple_body("unknown@example.com");
    with_id["customer"]["id"] = json!(123456789);
    client.create(with_id.clone()).await.expect(
        404,
        json!({
            "message": "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value",
            "parameters": {"fieldName": "email", "fieldValue": "unknown@example.com", "field2Name": "websiteId", "field2Value": 1}
        }),
    );
    assert!(
        !client
            .server
            .customer_emails()
            .contains(&"unknown@example.com".to_owned())
    );
    assert_eq!(client.create(simple_body("unknown@example.com")).await.status, 200);
    client
        .create(with_id)
        .await
        .expect(400, json!({"message": "This customer already exists in this store."}));
    client.create(simple_body("UNKNOWN@example.com")).await.expect(
        400,
        json!({"message": "A customer with the same email address already exists in an associated website."}),
    );

    client.create(json!({"customer": {"firstname": "Jane"}})).await.expect(
        400,
        json!({"message": "The email address is required to create a customer account."}),
    );
    client
        .create(json!({"customer": {"email": "", "firstname": "Jane", "lastname": "Doe"}}))
        .await
        .expect(
            400,
            json!({"message": "The customer email is missing. Enter and try again."}),
        );
    client
        .create(json!({"customer": {"email": "invalid"}}))
        .await
        .expect(400, json!({"message": "\"First Name\" is a required value.\n\"Last Name\" is a required value.\n\"Email\" is not a valid email address."}));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(31))
        .format("%Y-%m-%d")
        .to_string();
    client
        .create(
            json!({"customer": {"email": "dob@example.com", "firstname": "Jane", "lastname": "Doe", "dob": tomorrow}}),
        )
        .await
        .expect(
            400,
            json!({"message": "The Date of Birth should not be greater than today."}),
        );
    client
        .create(json!({"customer": {"email": "name@example.com", "firstname": "Jane ☺ ", "lastname": "Doe"}}))
        .await
        .expect(400, json!({"message": "First Name is not valid!"}));
    let created = client
        .create(json!({"customer": {"email": "all@example.com", "firstname": "Jane", "lastname": "Doe", "created_in": "Elsewhere"}}))
        .await;
    assert_eq!(created.json()["created_in"], "Default Store View");
    let subscribed = client
        .create(
            json!({"customer": {"email": "news@example.com", "firstname": "Jane", "lastname": "Doe",
            "extension_attributes": {"is_subscribed": true}}}),
        )
        .await;
    assert_eq!(
        subscribed.json()["extension_attributes"],
        json!({"is_subscribed": true}),
        "{}",
        subscribed.raw
    );
    let from_all_scope = client
        .raw(
            "POST",
            "/rest/all/V1/customers",
            None,
            Some("application/json"),
            Some(&simple_body("scope@example.com").to_string()),
        )
        .await
        .json();
    assert_eq!(
        (from_all_scope["store_id"].clone(), from_all_scope["created_in"].clone()),
        (json!(1), json!("Default Store View"))
    );
}

/// §4.3 step 3: the password rules over HTTP, with the store's configured policy.
#[tokio::test]
async fn password_policy_over_http() {
    let client = Client::start(StoreSettings {
        password_min_length: 10,
        ..StoreSettings::default()
    })
    .await;
    let with_password = |password: &str| json!({"customer": {"email": "Abc12345@x.io", "firstname": "A", "lastname": "B"}, "password": password});
    client
        .create(with_password("Password1"))
        .await
        .expect(400, json!({"message": "The password needs at least %1 characters. Create a new password and try again.", "parameters": ["10"]}));
    client
        .create(with_password("passwordpassword"))
        .await
        .expect(400, json!({"message": "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.", "parameters": ["3"]}));
    client.create(with_password("ABC12345@X.IO")).await.expect(
        400,
        json!({"message": "The password can't be the same as the email address. Create a new password and try again."}),
    );
    client.create(with_password(&"Aa1".repeat(86))).await.expect(
        400,
        json!({"message": "Please enter a password with at most %1 characters.", "parameters": [256]}),
    );
}

/// §4.3 step 11: address validation, region ids, skipped countries and the rollback.
#[tokio::test]
async fn address_rules_and_rollback() {
    let client = Client::default().await;
    let mut body = tutorial_body("addr@example.com");
    body["customer"]["addresses"][0]
        .as_object_mut()
        .unwrap()
        .remove("firstname");
    client.create(body).await.expect(400, required("firstname"));
    assert!(client.server.customer_emails().is_empty());

    let mut body = tutorial_body("addr@example.com");
    let address = body["customer"]["addresses"][0].as_object_mut().unwrap();
    address.remove("city");
    address.remove("street");
    client.create(body).await.expect(
        400,
        json!({"message": "One or more input exceptions have occurred.", "errors": [required("street"), required("city")]}),
    );

    let mut body = tutorial_body("addr@example.com");
    body["customer"]["addresses"][0]["region"]["regionId"] = json!(99999);
    client.create(body).await.expect(
        400,
        json!({"message": "Invalid value of \"%value\" provided for the %fieldName field.", "parameters": {"fieldName": "regionId", "value": "99999"}}),
    );

    let mut body = tutorial_body("addr@example.com");
    body["customer"]["addresses"][0]["telephone"] = json!("call me maybe");
    client.create(body).await.expect(
        400,
        json!({"message": "Invalid Phone Number. Please use 0-9, +, -, (, ) and space."}),
    );
    assert!(client.server.customer_emails().is_empty());

    let mut body = tutorial_body("addr@example.com");
    body["customer"]["addresses"][0]["countryId"] = json!("ZZ");
    let reply = client.create(body).await;
    assert_eq!(
        (reply.status, reply.json()["addresses"].clone()),
        (200, json!([])),
        "{}",
        reply.raw
    );
    assert!(reply.json().get("default_billing").is_none());

    let reply = client
        .create(
            json!({"customer": {"email": "nl@example.com", "firstname": "A", "lastname": "B", "addresses": [
                {"firstname": "A", "lastname": "B", "street": ["Where the streets have no name 1"], "city": "Amsterdam",
                 "telephone": "0123456789", "postcode": "1000AA", "country_id": "NL"}
            ]}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    let address = &reply.json()["addresses"][0];
    assert_eq!(
        address["region"],
        json!({"region_code": null, "region": null, "region_id": 0})
    );
    assert!(address.get("region_id").is_none());
    assert!(address.get("default_billing").is_none());

    let reply = client
        .create(
            json!({"customer": {"email": "ny@example.com", "firstname": "A", "lastname": "B", "addresses": [
                {"firstname": "A", "lastname": "B", "street": ["1/2 Main St"], "city": "Purchase",
                 "telephone": "512", "postcode": "10755", "country_id": "US", "region": {"region_code": "ny"}}
            ]}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert!(
        reply.raw.contains(r#""street":["1\/2 Main St"]"#),
        "PHP escapes slashes: {}",
        reply.raw
    );
    assert_eq!(reply.json()["addresses"][0]["region_id"], 43);
}

/// The tutorial's NY address at `street`, default for billing and/or shipping as asked.
fn ny_address(street: &str, billing: bool, shipping: bool) -> Value {
    let mut address = json!({
        "firstname": "Jane", "lastname": "Doe",
        "region": {"regionCode": "NY", "region": "New York", "regionId": 43},
        "postcode": "10755", "street": [street], "city": "Purchase", "telephone": "512-555-1111", "countryId": "US"
    });
    if billing {
        address["defaultBilling"] = json!(true);
    }
    if shipping {
        address["defaultShipping"] = json!(true);
    }
    address
}

/// An address's first street line and its `default_billing` and `default_shipping` (`None`: the
/// key is absent).
type AddressFlags = (Value, Option<Value>, Option<Value>);

/// Each address's flags, and the customer's `default_billing`/`default_shipping` as the
/// positions of the addresses they name (by id, sent as a string).
fn addresses_and_defaults(customer: &Value) -> (Vec<AddressFlags>, [Option<usize>; 2]) {
    let addresses = customer["addresses"].as_array().expect("addresses");
    let flags = addresses
        .iter()
        .map(|a| {
            (
                a["street"][0].clone(),
                a.get("default_billing").cloned(),
                a.get("default_shipping").cloned(),
            )
        })
        .collect();
    let position = |key: &str| {
        let id: i64 = customer[key].as_str()?.parse().ok()?;
        addresses.iter().position(|a| a["id"] == id)
    };
    (flags, [position("default_billing"), position("default_shipping")])
}

/// §7.2, §7.3: addresses come back in the order they were sent (id order: no ORDER BY), only a
/// default carries its flag, as `true`, and the customer names its defaults by id, as strings;
/// the same on create, the admin's read and the customer's own read.
#[tokio::test]
async fn default_flags_and_address_order() {
    let client = Client::without_two_factor().await;
    let admin = client.admin_token().await;
    let body = |email: &str, addresses: Vec<Value>| json!({"customer": {"email": email, "firstname": "Jane", "lastname": "Doe", "addresses": addresses}, "password": "Password1"});
    let (t, absent) = (Some(json!(true)), None);
    let cases = [
        (
            "order@example.com",
            vec![
                ny_address("456 Elm St", false, false),
                ny_address("123 Oak Ave", true, true),
            ],
            vec![
                (json!("456 Elm St"), absent.clone(), absent.clone()),
                (json!("123 Oak Ave"), t.clone(), t.clone()),
            ],
            [Some(1), Some(1)],
        ),
        (
            "split@example.com",
            vec![
                ny_address("1 Billing Rd", true, false),
                ny_address("456 Elm St", false, false),
                ny_address("9 Shipping Ln", false, true),
            ],
            vec![
                (json!("1 Billing Rd"), t.clone(), absent.clone()),
                (json!("456 Elm St"), absent.clone(), absent.clone()),
                (json!("9 Shipping Ln"), absent.clone(), t.clone()),
            ],
            [Some(0), Some(2)],
        ),
    ];
    for (email, addresses, flags, defaults) in cases {
        let created = client.create(body(email, addresses)).await;
        assert_eq!(created.status, 200, "{}", created.raw);
        let created = created.json();
        let token = client.customer_token(email, "Password1").await.json();
        let by_admin = client
            .send("GET", &format!("/V1/customers/{}", created["id"]), Some(&admin), None)
            .await
            .json();
        let by_customer = client
            .send("GET", "/V1/customers/me", token.as_str(), None)
            .await
            .json();
        for customer in [&created, &by_admin, &by_customer] {
            assert_eq!(
                addresses_and_defaults(customer),
                (flags.clone(), defaults),
                "{customer}"
            );
        }
    }

    let faulty = with_faults(&[Fault::AddressDefaultFlagsFalse]).await;
    let reply = faulty
        .create(body(
            "order@example.com",
            vec![
                ny_address("456 Elm St", false, false),
                ny_address("123 Oak Ave", true, true),
            ],
        ))
        .await
        .json();
    let falsy = Some(json!(false));
    assert_eq!(
        addresses_and_defaults(&reply).0,
        vec![
            (json!("456 Elm St"), falsy.clone(), falsy),
            (json!("123 Oak Ave"), t.clone(), t)
        ]
    );
}

/// §1.4: PHP `json_encode` escapes non-ASCII characters.
#[tokio::test]
async fn responses_escape_like_php() {
    let client = Client::default().await;
    let reply = client
        .create(json!({"customer": {"email": "gudrun@example.com", "firstname": "Guðmundsdóttir", "lastname": "Doe"}}))
        .await;
    assert!(
        reply.raw.contains(r#""firstname":"Gu\u00f0mundsd\u00f3ttir""#),
        "{}",
        reply.raw
    );
    assert_eq!(reply.json()["firstname"], "Guðmundsdóttir");
}

/// §3.2, §3.3: the admin token route with and without 2FA, and the Google provider route.
#[tokio::test]
async fn admin_token_and_two_factor_auth() {
    let client = Client::default().await;
    let admin = client.server.settings().admin.clone();
    let credentials = json!({"username": admin.username, "password": admin.password});
    client
        .send("POST", "/V1/integration/admin/token", None, Some(credentials.clone()))
        .await
        .expect(400, json!({"message": "Please use the 2fa provider-specific endpoints to obtain a token.", "parameters": {"active_providers": ["google"]}}));
    client
        .send(
            "POST",
            "/V1/integration/admin/token",
            None,
            Some(json!({"username": "admin", "password": "wrong"})),
        )
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
    client
        .send("POST", "/V1/integration/admin/token", None, Some(json!({"username": "", "password": ""})))
        .await
        .expect(400, json!({"message": "One or more input exceptions have occurred.", "errors": [required("username"), required("password")]}));

    let google = "/V1/tfa/provider/google/authenticate";
    let mut with_otp = credentials.clone();
    with_otp["otp"] = json!("000000x");
    client
        .send("POST", google, None, Some(with_otp.clone()))
        .await
        .expect(401, json!({"message": "Invalid code."}));
    with_otp["password"] = json!("wrong");
    client
        .send("POST", google, None, Some(with_otp))
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
    let token = client.admin_token().await;
    assert!(token.starts_with("eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ."));
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(
        (payload["uid"].clone(), payload["utypid"].clone()),
        (json!(1), json!(2))
    );
    client
        .send("GET", "/V1/customers/-1", Some(&token), None)
        .await
        .expect(404, no_such_customer(-1));

    let without_secret = Client::start(StoreSettings {
        admin: AdminAccount {
            totp_secret: None,
            ..AdminAccount::generated()
        },
        ..StoreSettings::default()
    })
    .await;
    let admin = without_secret.server.settings().admin.clone();
    let credentials = json!({"username": admin.username, "password": admin.password, "otp": "123456"});
    without_secret
        .send("POST", "/V1/integration/admin/token", None, Some(credentials.clone()))
        .await
        .expect(
            400,
            json!({"message": "Please ask an administrator with sufficient access to configure 2FA first"}),
        );
    without_secret
        .send("POST", google, None, Some(credentials))
        .await
        .expect(400, json!({"message": "Provider is not allowed."}));

    let disabled = Client::without_two_factor().await;
    let token = disabled.admin_token().await;
    assert_eq!(
        disabled
            .send("GET", "/V1/customers/-1", Some(&token), None)
            .await
            .status,
        404
    );
    disabled
        .send(
            "POST",
            google,
            None,
            Some(json!({"username": "admin", "password": "x", "otp": "1"})),
        )
        .await
        .expect(404, json!({"message": "Request does not match any route."}));
}

/// §4.8, §9.2: `GET /V1/customers/search` with Magento's query form.
#[tokio::test]
async fn search_customers() {
    let client = Client::without_two_factor().await;
    let admin = client.admin_token().await;
    for (email, lastname) in [
        ("mc-abc-1@example.com", "Alpha"),
        ("mc-abc-2@example.com", "Beta"),
        ("mc-abc-3@example.com", "Alpha"),
        ("other@example.com", "Alpha"),
    ] {
        let mut body = simple_body(email);
        body["customer"]["lastname"] = json!(lastname);
        assert_eq!(client.create(body).await.status, 200);
    }
    let search = |query: &str| {
        let path = format!("/V1/customers/search?{query}");
        let admin = admin.clone();
        let client = &client;
        async move { client.send("GET", &path, Some(&admin), None).await }
    };
    let like = "searchCriteria[filterGroups][0][filters][0][field]=email\
        &searchCriteria[filterGroups][0][filters][0][value]=mc-abc%25\
        &searchCriteria[filterGroups][0][filters][0][conditionType]=like";
    let reply = search(like).await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    let body = reply.json();
    assert_eq!(body["total_count"], 3);
    assert_eq!(
        body["search_criteria"],
        json!({"filter_groups": [{"filters": [{"field": "email", "value": "mc-abc%", "condition_type": "like"}]}], "page_size": 20})
    );
    assert_eq!(body["items"][0]["extension_attributes"]["is_subscribed"], false);

    let and_lastname = format!(
        "{like}&searchCriteria[filterGroups][1][filters][0][field]=lastname\
         &searchCriteria[filterGroups][1][filters][0][value]=Alpha"
    );
    assert_eq!(search(&and_lastname).await.json()["total_count"], 2);
    let either = "searchCriteria[filterGroups][0][filters][0][field]=email\
        &searchCriteria[filterGroups][0][filters][0][value]=other@example.com\
        &searchCriteria[filterGroups][0][filters][1][field]=lastname\
        &searchCriteria[filterGroups][0][filters][1][value]=beta";
    assert_eq!(search(either).await.json()["total_count"], 2);
    let paged = search(&format!("{like}&searchCriteria[pageSize]=2&searchCriteria[currentPage]=2&searchCriteria[sortOrders][0][field]=email&searchCriteria[sortOrders][0][direction]=desc")).await.json();
    assert_eq!(
        (paged["total_count"].clone(), paged["items"].as_array().unwrap().len()),
        (json!(3), 1)
    );
    assert_eq!(paged["items"][0]["email"], "mc-abc-1@example.com");
    assert_eq!(
        paged["search_criteria"]["sort_orders"],
        json!([{"field": "email", "direction": "DESC"}])
    );
    let in_ids = search("searchCriteria[filterGroups][0][filters][0][field]=id&searchCriteria[filterGroups][0][filters][0][value]=1,3&searchCriteria[filterGroups][0][filters][0][conditionType]=in").await.json();
    assert_eq!(in_ids["total_count"], 2);

    search("").await.expect(400, required("searchCriteria"));
    client
        .send("GET", "/V1/customers/search?searchCriteria[pageSize]=1", None, None)
        .await
        .expect(401, not_authorized("Magento_Customer::customer"));
}

/// §5.4: the legacy format is 32 characters of `[0-9a-z]`, and revocation removes it.
#[tokio::test]
async fn opaque_tokens() {
    let client = Client::start(StoreSettings {
        token_format: TokenFormat::Opaque,
        ..StoreSettings::default()
    })
    .await;
    client.create(simple_body("opaque@example.com")).await;
    let token = client.customer_token("opaque@example.com", "Password1").await.json();
    let token = token.as_str().unwrap();
    assert!(regex::Regex::new("^[0-9a-z]{32}$").unwrap().is_match(token), "{token}");
    assert_eq!(
        client.send("GET", "/V1/customers/me", Some(token), None).await.status,
        200
    );
    client
        .send(
            "POST",
            "/V1/integration/customer/revoke-customer-token",
            Some(token),
            None,
        )
        .await;
    assert_eq!(
        client.send("GET", "/V1/customers/me", Some(token), None).await.status,
        401
    );
    let fresh = client.customer_token("opaque@example.com", "Password1").await.json();
    assert_eq!(
        client
            .send("GET", "/V1/customers/me", fresh.as_str(), None)
            .await
            .status,
        200
    );
}

/// `PUT /V1/customers/:customerId` needs `Magento_Customer::manage`; the admin updates by the
/// body's id.
#[tokio::test]
async fn admin_updates_a_customer() {
    let client = Client::without_two_factor().await;
    let admin = client.admin_token().await;
    let created = client.create(tutorial_body("put@example.com")).await.json();
    let id = created["id"].as_i64().unwrap();
    let update =
        json!({"customer": {"id": id, "email": "put@example.com", "firstname": "Jane", "lastname": "Updated"}});
    client
        .send("PUT", &format!("/V1/customers/{id}"), None, Some(update.clone()))
        .await
        .expect(401, not_authorized("Magento_Customer::manage"));
    let reply = client
        .send("PUT", &format!("/V1/customers/{id}"), Some(&admin), Some(update))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    let updated = reply.json();
    assert_eq!(
        (updated["lastname"].clone(), updated["addresses"].clone()),
        (json!("Updated"), created["addresses"].clone())
    );
    client
        .send(
            "PUT",
            "/V1/customers/-1",
            Some(&admin),
            Some(json!({"customer": {"id": -1, "email": "x@example.com"}})),
        )
        .await
        .expect(404, no_such_customer(-1));
    client
        .send("PUT", &format!("/V1/customers/{id}"), Some(&admin), Some(json!({"customer": {"id": id, "group_id": 777, "email": "put@example.com", "firstname": "J", "lastname": "D"}})))
        .await
        .expect(400, json!({"message": "The specified customer group id does not exist."}));
    // Without `id` in the body, the path's customer is updated (`UpdateCustomer`, 2.4.0+), not
    // a duplicate created (the 2.3 answer in real capture C40).
    let without_id = json!({"customer": {"email": "put@example.com", "firstname": "Jane", "lastname": "Path"}});
    let reply = client
        .send(
            "PUT",
            &format!("/V1/customers/{id}"),
            Some(&admin),
            Some(without_id.clone()),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert_eq!(
        (reply.json()["id"].as_i64(), reply.json()["lastname"].clone()),
        (Some(id), json!("Path"))
    );
    client
        .send("PUT", "/V1/customers/999999", Some(&admin), Some(without_id))
        .await
        .expect(404, no_such_customer(999999));
}

/// The fixed response delay applies to every answer, and shutdown stops the server.
#[tokio::test]
async fn response_delay_and_shutdown() {
    let client = Client::start(StoreSettings {
        response_delay: Some(Duration::from_millis(200)),
        ..StoreSettings::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(client.send("GET", "/V1/nothing", None, None).await.status, 404);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let base = client.server.base_url();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with('/'));
    client.server.shutdown().await;
    assert!(client.http.get(format!("{base}/rest/V1/x")).send().await.is_err());
}

/// The rate limiter refuses the first reads with `Retry-After: 1` and lets writes through.
#[tokio::test]
async fn the_rate_limiter_refuses_the_first_reads_only() {
    for status in [429, 503] {
        let client = Client::start(StoreSettings {
            rate_limit_first: Some(super::RateLimit { status, requests: 2 }),
            ..StoreSettings::default()
        })
        .await;
        assert_eq!(
            client.create(tutorial_body("a@example.com")).await.status,
            200,
            "a write passes"
        );
        let url = format!("{}/rest/default/V1/customers/me", client.server.base_url());
        for _ in 0..2 {
            let refused = client.http.get(&url).send().await.unwrap();
            assert_eq!(refused.status().as_u16(), status);
            assert_eq!(refused.headers()["retry-after"], "1");
        }
        assert_eq!(
            client.http.delete(&url).send().await.unwrap().status().as_u16(),
            401,
            "then Magento answers"
        );
    }
}

/// The create delay holds the answer after the customer exists, so a client that gave up
/// before it leaves a customer behind.
#[tokio::test]
async fn the_create_delay_answers_late_after_creating() {
    let client = Client::start(StoreSettings {
        create_delay: Some(Duration::from_millis(800)),
        ..StoreSettings::default()
    })
    .await;
    let url = format!("{}/rest/default/V1/customers", client.server.base_url());
    let impatient = client
        .http
        .post(&url)
        .json(&tutorial_body("late@example.com"))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(impatient.unwrap_err().is_timeout());
    assert_eq!(client.server.customer_emails(), vec!["late@example.com".to_owned()]);
    let started = Instant::now();
    assert_eq!(client.send("GET", "/V1/nothing", None, None).await.status, 404);
    assert!(started.elapsed() < Duration::from_millis(800), "only the create waits");
}

/// A server started with `faults`, its admin signing in without two-factor auth.
async fn with_faults(faults: &[Fault]) -> Client {
    Client::start(StoreSettings {
        two_factor_auth: false,
        faults: faults.to_vec(),
        ..StoreSettings::default()
    })
    .await
}

/// Shape faults change the one field they name; the rest of the answer stays Magento's.
#[tokio::test]
async fn shape_faults_change_only_their_field() {
    let faithful = Client::default().await.create(tutorial_body("a@example.com")).await;
    let client = with_faults(&[Fault::CreateReturns201, Fault::DefaultBillingNumber]).await;
    let reply = client.create(tutorial_body("a@example.com")).await;
    assert_eq!(reply.status, 201, "{}", reply.raw);
    let (mut expected, mut received) = (faithful.json(), reply.json());
    assert_eq!(received["default_billing"], json!(1));
    assert_eq!(expected["default_billing"], json!("1"));
    for body in [&mut expected, &mut received] {
        let map = body.as_object_mut().unwrap();
        for volatile in ["default_billing", "created_at", "updated_at"] {
            map.remove(volatile);
        }
    }
    assert_eq!(received, expected);
}

/// Error faults: a duplicate email is 409, placeholders are rendered, the envelope key changes.
#[tokio::test]
async fn error_faults_take_effect() {
    let client = with_faults(&[Fault::DuplicateEmail409, Fault::RenderedPlaceholders]).await;
    assert_eq!(client.create(simple_body("dup@example.com")).await.status, 200);
    client.create(simple_body("dup@example.com")).await.expect(
        409,
        json!({"message": "A customer with the same email address already exists in an associated website."}),
    );
    let token = client.admin_token().await;
    client.send("GET", "/V1/customers/-1", Some(&token), None).await.expect(
        404,
        json!({"message": "No such entity with customerId = -1", "parameters": {"fieldName": "customerId", "fieldValue": -1}}),
    );

    let client = with_faults(&[Fault::ErrorKeyInsteadOfMessage, Fault::Acl403]).await;
    client.send("GET", "/V1/customers/me", None, None).await.expect(
        401,
        json!({"error": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}),
    );
    assert_eq!(client.send("GET", "/V1/customers/-1", None, None).await.status, 403);
}

/// Token and security faults: a wrapped token, a garbage token that reads `/me`, an early lockout.
#[tokio::test]
async fn token_and_security_faults_take_effect() {
    let client = with_faults(&[Fault::TokenWrappedInObject, Fault::GarbageTokenReadsMe]).await;
    let created = client.create(simple_body("tok@example.com")).await.json();
    let reply = client.customer_token("tok@example.com", "Password1").await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert!(
        reply.json()["token"].as_str().is_some_and(|t| t.starts_with("eyJ")),
        "{}",
        reply.raw
    );
    let me = client.send("GET", "/V1/customers/me", Some("garbage"), None).await;
    assert_eq!((me.status, me.json()), (200, created));
    assert_eq!(client.send("GET", "/V1/customers/me", None, None).await.status, 401);

    let client = with_faults(&[Fault::LockoutAfter3]).await;
    client.create(simple_body("lock@example.com")).await;
    for _ in 0..3 {
        assert_eq!(
            client.customer_token("lock@example.com", "Wrong-pass1").await.status,
            401
        );
    }
    client
        .customer_token("lock@example.com", "Password1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
}

/// Transport faults: the content type, an HTML 500 page on one route, a slow `/me`, and jitter.
#[tokio::test]
async fn transport_faults_take_effect() {
    let client = with_faults(&[Fault::HtmlContentType, Fault::Html500Page, Fault::UnknownRoute200]).await;
    let created = client.create(simple_body("html@example.com")).await;
    assert_eq!(
        (created.status, created.content_type.as_str()),
        (200, "text/html; charset=UTF-8")
    );
    let token = client.customer_token("html@example.com", "Password1").await;
    assert_eq!(token.status, 500);
    assert!(token.raw.starts_with("<!DOCTYPE html>"), "{}", token.raw);
    let unknown = client.send("GET", "/V1/no-such-route", None, None).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.json(), json!({"message": "Request does not match any route."}));

    let client = with_faults(&[Fault::SlowMe]).await;
    client.create(simple_body("slow@example.com")).await;
    let token = client.customer_token("slow@example.com", "Password1").await.json();
    let token = token.as_str().unwrap();
    let started = Instant::now();
    assert_eq!(client.send("GET", "/V1/customers/me", None, None).await.status, 401);
    assert!(
        started.elapsed() < super::SLOW_RESPONSE_DELAY,
        "a guest is refused at once"
    );
    assert_eq!(
        client.send("GET", "/V1/customers/me", Some(token), None).await.status,
        200
    );
    assert!(started.elapsed() >= super::SLOW_RESPONSE_DELAY);

    let client = Client::start(StoreSettings {
        response_jitter: Some(Duration::from_millis(30)),
        ..StoreSettings::default()
    })
    .await;
    let started = Instant::now();
    for _ in 0..5 {
        assert_eq!(client.send("GET", "/V1/nothing", None, None).await.status, 404);
    }
    assert!(
        started.elapsed() < Duration::from_millis(5 * 30 + 500),
        "{:?}",
        started.elapsed()
    );
}

/// A server that answers as `release` (STORES.md Note 6), signing customers in without
/// confirmation unless `require_confirmation`.
async fn as_release(release: &str, require_confirmation: bool) -> Client {
    Client::start(StoreSettings {
        release: release.parse().expect("a release the reference answers as"),
        require_confirmation,
        ..StoreSettings::default()
    })
    .await
}

#[tokio::test]
async fn before_2_4_5_other_methods_are_an_invalid_request_method() {
    let old = as_release("2.4.4-p13", false).await;
    old.send("PATCH", "/V1/customers", None, None)
        .await
        .expect(400, json!({"message": "Request method is invalid."}));
    let new = as_release("2.4.5", false).await;
    new.send("PATCH", "/V1/customers", None, None)
        .await
        .expect(405, json!({"message": "The PATCH HTTP method is not supported."}));
}

#[tokio::test]
async fn before_the_guard_a_guests_group_is_reset_to_the_default() {
    let body = |email: &str| {
        let mut body = simple_body(email);
        body["customer"]["group_id"] = json!(2);
        body
    };
    let reset = as_release("2.4.6-p8", false)
        .await
        .create(body("reset@example.com"))
        .await;
    assert_eq!(
        (reset.status, &reset.json()["group_id"]),
        (200, &json!(1)),
        "{}",
        reset.raw
    );
    for guarded in ["2.4.6-p9", "2.4.7", "2.4.4-p12"] {
        as_release(guarded, false)
            .await
            .create(body("guarded@example.com"))
            .await
            .expect(401, not_authorized("Magento_Customer::manage"));
    }
}

#[tokio::test]
async fn before_2_4_8_a_missing_email_with_a_password_is_a_masked_500() {
    let client = as_release("2.4.7", false).await;
    let reply = client
        .create(json!({"customer": {"firstname": "Jane", "lastname": "Doe"}, "password": "Password1"}))
        .await;
    assert_eq!(reply.status, 500, "{}", reply.raw);
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Internal Error. Details are available in Magento log file.")),
        "{}",
        reply.raw
    );
    client
        .create(json!({"customer": {"firstname": "Jane", "lastname": "Doe"}}))
        .await
        .expect(
            400,
            json!({"message": "The customer email is missing. Enter and try again."}),
        );
}

#[tokio::test]
async fn before_2_4_8_a_future_date_of_birth_is_stored() {
    let next_month = (chrono::Utc::now() + chrono::Duration::days(31))
        .format("%Y-%m-%d")
        .to_string();
    let reply = as_release("2.4.6-p8", false)
        .await
        .create(json!({"customer": {"email": "dob@example.com", "firstname": "Jane", "lastname": "Doe", "dob": next_month}}))
        .await;
    assert_eq!(
        (reply.status, &reply.json()["dob"]),
        (200, &json!(next_month)),
        "{}",
        reply.raw
    );
}

#[tokio::test]
async fn before_2_4_8_an_unconfirmed_customer_gets_the_generic_sign_in_failure() {
    let client = as_release("2.4.7-p6", true).await;
    assert_eq!(client.create(simple_body("unconfirmed@example.com")).await.status, 200);
    client
        .customer_token("unconfirmed@example.com", "Password1")
        .await
        .expect(401, json!({"message": SIGN_IN_FAILED}));
}

/// STORES.md C1: with reCAPTCHA on for both forms, their routes need an `X-ReCaptcha` answer,
/// checked after the ACL and before the body; the admin user's token is not exempt; other
/// routes are untouched.
#[tokio::test]
async fn recaptcha_guards_create_and_login_after_the_acl() {
    let client = Client::start(StoreSettings {
        recaptcha: vec![crate::RecaptchaForm::CreateAccount, crate::RecaptchaForm::Login],
        two_factor_auth: false,
        ..StoreSettings::default()
    })
    .await;
    let refused = json!({"message": "ReCaptcha validation failed, please try again"});
    let body = json!({"customer": {"email": "r@example.com", "firstname": "Jane", "lastname": "Doe"}});
    client.create(body.clone()).await.expect(400, refused.clone());
    client
        .customer_token("r@example.com", "x")
        .await
        .expect(400, refused.clone());
    // Before the body is decoded.
    client
        .raw(
            "POST",
            "/rest/default/V1/customers",
            None,
            Some("application/json"),
            Some("{"),
        )
        .await
        .expect(400, refused.clone());
    let admin = client.admin_token().await;
    client
        .send("POST", "/V1/customers", Some(&admin), Some(body.clone()))
        .await
        .expect(400, refused);
    // After the ACL: a route the caller may not use is refused for that first.
    client.send("GET", "/V1/customers/me", None, None).await.expect(
        401,
        json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}),
    );
    let url = format!("{}/rest/default/V1/customers", client.server.base_url());
    let answered = client
        .http
        .post(url)
        .header("X-ReCaptcha", "any-value-the-test-keys-accept")
        .json(&body)
        .send()
        .await
        .expect("answered");
    assert_eq!(answered.status().as_u16(), 200);
}

/// An integration's token is exempt from reCAPTCHA (`ValidationOverrider`), holds the customer
/// resources, and is refused `self` like a restricted role.
#[tokio::test]
async fn an_integration_token_is_exempt_from_recaptcha() {
    let client = Client::start(StoreSettings {
        recaptcha: vec![crate::RecaptchaForm::CreateAccount],
        integration_token: Some("abcdefghijklmnopqrstuvwxyz012345".to_owned()),
        ..StoreSettings::default()
    })
    .await;
    let integration = Some("abcdefghijklmnopqrstuvwxyz012345");
    let body = json!({"customer": {"email": "i@example.com", "firstname": "Jane", "lastname": "Doe"}});
    let created = client.send("POST", "/V1/customers", integration, Some(body)).await;
    assert_eq!(created.status, 200, "{}", created.raw);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(
        client
            .send("GET", &format!("/V1/customers/{id}"), integration, None)
            .await
            .status,
        200
    );
    client.send("GET", "/V1/customers/me", integration, None).await.expect(
        401,
        json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}),
    );
    client
        .send(
            "POST",
            "/V1/customers",
            Some("not-the-integration-token"),
            Some(json!({})),
        )
        .await
        .expect(400, json!({"message": "ReCaptcha validation failed, please try again"}));
}

/// STORES.md C2: a store view in another language translates the top-level message (the
/// phrase, placeholders kept; the validator lines with their labels), never `errors[]` or
/// `parameters`; a phrase with no row stays English.
#[tokio::test]
async fn a_translated_store_view_translates_only_the_top_level_message() {
    let dutch = crate::Translations::from_csv(concat!(
        "\"The consumer isn't authorized to access %resources.\",\"Gebruiker is niet gemachtigd tot %resources.\"\n",
        "\"One or more input exceptions have occurred.\",\"Er zijn een of meer invoeruitzonderingen opgetreden.\"\n",
        "\"\"\"%fieldName\"\" is required. Enter and try again.\",\"\"\"%fieldName\"\" is verplicht. Vul het in en probeer opnieuw.\"\n",
        "\"\"\"%1\"\" is a required value.\",\"\"\"%1\"\" is een verplichte waarde.\"\n",
        "\"First Name\",Voornaam\n",
        "\"The %1 HTTP method is not supported.\",\"De HTTP-methode %1 wordt niet ondersteund.\"\n",
    ))
    .expect("valid CSV");
    let client = Client::start(StoreSettings {
        translations: dutch,
        ..StoreSettings::default()
    })
    .await;
    client.send("GET", "/V1/customers/me", None, None).await.expect(
        401,
        json!({"message": "Gebruiker is niet gemachtigd tot %resources.", "parameters": {"resources": "self"}}),
    );
    let required = "\"%fieldName\" is required. Enter and try again.";
    client
        .send("POST", "/V1/integration/customer/token", None, Some(json!({})))
        .await
        .expect(
            400,
            json!({"message": "Er zijn een of meer invoeruitzonderingen opgetreden.", "errors": [
                {"message": required, "parameters": {"fieldName": "username"}},
                {"message": required, "parameters": {"fieldName": "password"}},
            ]}),
        );
    client
        .create(json!({"customer": {"email": "invalid"}}))
        .await
        .expect(400, json!({"message": "\"Voornaam\" is een verplichte waarde.\n\"Last Name\" is een verplichte waarde.\n\"Email\" is not a valid email address."}));
    client
        .raw("PATCH", "/rest/default/V1/customers/me", None, None, None)
        .await
        .expect(405, json!({"message": "De HTTP-methode PATCH wordt niet ondersteund."}));
    client
        .send("GET", "/V1/nosuch", None, None)
        .await
        .expect(404, json!({"message": "Request does not match any route."}));
}

/// A store whose view is renamed and not id 1, with another default group, tells an admin so
/// (STORES.md C5, U3, Note 5); a least-privilege role may not read it.
#[tokio::test]
async fn store_identity_and_default_group_are_readable_by_an_admin() {
    let client = Client::start(StoreSettings {
        two_factor_auth: false,
        store_name: "Boutique FR".into(),
        store_code: "default".into(),
        store_id: 3,
        website_id: 2,
        default_group_id: 2,
        locale: "fr_FR".into(),
        ..StoreSettings::default()
    })
    .await;
    let admin = client.admin_token().await;
    let views = client
        .send("GET", "/V1/store/storeViews", Some(&admin), None)
        .await
        .json();
    assert_eq!(
        views,
        json!([
            {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1},
            {"id": 3, "code": "default", "name": "Boutique FR", "website_id": 2, "store_group_id": 1, "is_active": 1}
        ])
    );
    let configs = client
        .send("GET", "/V1/store/storeConfigs", Some(&admin), None)
        .await
        .json();
    assert_eq!(
        (configs[0]["id"].clone(), configs[0]["locale"].clone()),
        (json!(3), json!("fr_FR"))
    );
    let websites = client
        .send("GET", "/V1/store/websites", Some(&admin), None)
        .await
        .json();
    assert_eq!(websites[1]["id"], 2);
    client
        .send("GET", "/V1/customerGroups/default/3", Some(&admin), None)
        .await
        .expect(
            200,
            json!({"id": 2, "code": "Wholesale", "tax_class_id": 3, "tax_class_name": "Retail Customer"}),
        );
    client
        .send("GET", "/V1/customerGroups/default/9876", Some(&admin), None)
        .await
        .expect(
            404,
            json!({"message": "No such entity with %fieldName = %fieldValue", "parameters": {"fieldName": "storeId", "fieldValue": 9876}}),
        );
    client
        .send("GET", "/V1/store/storeViews", None, None)
        .await
        .expect(401, not_authorized("Magento_Backend::store"));
    let created = client.create(simple_body("group@example.com")).await.json();
    assert_eq!(
        (created["group_id"].clone(), created["store_id"].clone()),
        (json!(2), json!(3))
    );

    let restricted = Client::start(StoreSettings {
        two_factor_auth: false,
        admin_role: super::AdminRole::Restricted,
        ..StoreSettings::default()
    })
    .await;
    let admin = restricted.admin_token().await;
    restricted
        .send("GET", "/V1/store/storeViews", Some(&admin), None)
        .await
        .expect(401, not_authorized("Magento_Backend::store"));
    restricted
        .send("GET", "/V1/customerGroups/default/1", Some(&admin), None)
        .await
        .expect(401, not_authorized("Magento_Customer::group"));
    assert_eq!(
        restricted
            .send("GET", "/V1/attributeMetadata/customer", Some(&admin), None)
            .await
            .status,
        200
    );
}

/// A store that does not allow the US lists only its countries to anyone, and drops a US
/// address from a create without a word (STORES.md C6).
#[tokio::test]
async fn allowed_countries_are_public_and_other_addresses_are_dropped() {
    let client = Client::start(StoreSettings {
        allowed_countries: Some(vec!["DE".into(), "FR".into()]),
        ..StoreSettings::default()
    })
    .await;
    let countries = client.send("GET", "/V1/directory/countries", None, None).await.json();
    let ids: Vec<&str> = countries
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["DE", "FR"]);
    let created = client.create(tutorial_body("de-store@example.com")).await;
    assert_eq!(created.status, 200, "{}", created.raw);
    assert_eq!(created.json()["addresses"], json!([]));

    let stock = Client::default().await;
    let countries = stock.send("GET", "/V1/directory/countries", None, None).await.json();
    let us = countries
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "US")
        .expect("US allowed");
    assert_eq!(
        us["available_regions"][42],
        json!({"id": "43", "code": "NY", "name": "New York"})
    );
}

/// Required gender and taxvat: the EAV validator names both labels after the stock attributes'
/// messages, and the attribute metadata says they are required (STORES.md U4).
#[tokio::test]
async fn required_gender_and_taxvat_are_validated_and_described() {
    let client = Client::start(StoreSettings {
        two_factor_auth: false,
        required_customer_attributes: vec![super::CustomerAttribute::Gender, super::CustomerAttribute::Taxvat],
        ..StoreSettings::default()
    })
    .await;
    let mut body = simple_body("gender@example.com");
    body["customer"].as_object_mut().unwrap().remove("firstname");
    client.create(body.clone()).await.expect(
        400,
        json!({"message": "\"First Name\" is a required value.\n\"Tax/VAT Number\" is a required value.\n\"Gender\" is a required value."}),
    );
    body["customer"]["firstname"] = json!("Jane");
    body["customer"]["gender"] = json!(2);
    body["customer"]["taxvat"] = json!("DE123456789");
    let created = client.create(body).await;
    assert_eq!(created.status, 200, "{}", created.raw);
    assert_eq!(
        (created.json()["gender"].clone(), created.json()["taxvat"].clone()),
        (json!(2), json!("DE123456789"))
    );
    let admin = client.admin_token().await;
    let metadata = client
        .send("GET", "/V1/attributeMetadata/customer", Some(&admin), None)
        .await
        .json();
    let required: Vec<&str> = metadata
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["required"] == true)
        .filter_map(|a| a["attribute_code"].as_str())
        .collect();
    assert_eq!(required, ["firstname", "lastname", "email", "taxvat", "gender"]);
}

/// A module's extension and custom attributes appear in every customer read, and its extension
/// attribute in the Swagger document (STORES.md C7).
#[tokio::test]
async fn a_module_adds_extension_and_custom_attributes() {
    let client = Client::start(StoreSettings {
        loyalty_module: true,
        ..StoreSettings::default()
    })
    .await;
    let created = client.create(simple_body("module@example.com")).await.json();
    assert_eq!(
        created["extension_attributes"],
        json!({"is_subscribed": false, "loyalty": {"tier": "bronze", "points": 0}})
    );
    assert_eq!(
        created["custom_attributes"],
        json!([{"attribute_code": "loyalty_tier", "value": "bronze"}])
    );
    let schema = client
        .send("GET", "/schema?services=customerAccountManagementV1", None, None)
        .await
        .json();
    assert!(
        schema["definitions"]["customer-data-customer-extension-interface"]["properties"]["loyalty"].is_object(),
        "{schema}"
    );
}

/// `GET /V1/customerGroups/search` lists every group, the store's own included, pages them and
/// sorts them by id; `searchCriteria` is required, and a group the store has is accepted on a
/// create (STORES.md R3).
#[tokio::test]
async fn customer_groups_are_searched_and_a_stores_own_group_exists() {
    let client = Client::start(StoreSettings {
        two_factor_auth: false,
        extra_customer_groups: vec![777, 12],
        ..StoreSettings::default()
    })
    .await;
    let admin = client.admin_token().await;
    let all = client
        .send(
            "GET",
            "/V1/customerGroups/search?searchCriteria[pageSize]=0",
            Some(&admin),
            None,
        )
        .await
        .json();
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 12, 777]);
    assert_eq!(all["total_count"], 6);
    assert_eq!(
        all["items"][5],
        json!({"id": 777, "code": "Group 777", "tax_class_id": 3, "tax_class_name": "Retail Customer"})
    );
    let page = client
        .send(
            "GET",
            "/V1/customerGroups/search?searchCriteria[pageSize]=2&searchCriteria[currentPage]=2&searchCriteria[sortOrders][0][field]=id&searchCriteria[sortOrders][0][direction]=DESC",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(page["items"][0]["id"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["search_criteria"]["page_size"], 2);
    assert_eq!(
        client
            .send("GET", "/V1/customerGroups/search", Some(&admin), None)
            .await
            .status,
        400
    );
    assert_eq!(
        client
            .send(
                "GET",
                "/V1/customerGroups/search?searchCriteria[pageSize]=1",
                None,
                None
            )
            .await
            .status,
        401
    );
    let mut body = simple_body("g777@example.com");
    body["customer"]["group_id"] = json!(777);
    let created = client
        .send("POST", "/V1/customers", Some(&admin), Some(body))
        .await
        .json();
    assert_eq!(created["group_id"], 777);
}

/// STORES.md R2: several forced providers are all listed; Adobe IMS refuses the admin-token
/// route with its own 401 whatever the credentials.
#[tokio::test]
async fn forced_providers_are_listed_and_adobe_ims_refuses_admin_tokens() {
    let client = Client::start(StoreSettings {
        two_factor_providers: vec!["google".into(), "authy".into()],
        ..StoreSettings::default()
    })
    .await;
    let admin = client.server.settings().admin.clone();
    let credentials = json!({"username": admin.username, "password": admin.password});
    client
        .send("POST", "/V1/integration/admin/token", None, Some(credentials.clone()))
        .await
        .expect(400, json!({"message": "Please use the 2fa provider-specific endpoints to obtain a token.", "parameters": {"active_providers": ["google", "authy"]}}));
    let ims = Client::start(StoreSettings {
        adobe_ims: true,
        two_factor_auth: false,
        ..StoreSettings::default()
    })
    .await;
    let admin = ims.server.settings().admin.clone();
    for password in [admin.password.as_str(), "wrong"] {
        ims.send(
            "POST",
            "/V1/integration/admin/token",
            None,
            Some(json!({"username": admin.username, "password": password})),
        )
        .await
        .expect(
            401,
            json!({"message": "Admin token generation is disabled. Please use Adobe IMS ACCESS_TOKEN."}),
        );
    }
}
