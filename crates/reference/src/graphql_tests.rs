//! End-to-end checks of `/graphql` over HTTP, each pinned to a GRAPHQL.md fact (cited as §n):
//! statuses, envelopes, messages, the state shared with REST, and the GraphQL faults.

use super::{Fault, ReferenceMagento, RunningReference, StoreSettings};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

/// One answer: status, headers of interest and body.
struct Reply {
    status: u16,
    content_type: String,
    cache_control: String,
    raw: String,
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

const SIGN_IN_FAILED: &str =
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";
const NOT_AUTHORIZED: &str = "The current customer isn't authorized.";

impl Client {
    async fn start(settings: StoreSettings) -> Self {
        Client {
            server: ReferenceMagento::start(settings).await.expect("server starts"),
            http: reqwest::Client::new(),
        }
    }

    async fn default() -> Self {
        Self::start(StoreSettings::default()).await
    }

    async fn with_faults(faults: &[Fault]) -> Self {
        Self::start(StoreSettings {
            faults: faults.to_vec(),
            ..StoreSettings::default()
        })
        .await
    }

    async fn reply(response: reqwest::Response) -> Reply {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, cache_control) = (header(CONTENT_TYPE), header(reqwest::header::CACHE_CONTROL));
        Reply {
            status: response.status().as_u16(),
            content_type,
            cache_control,
            raw: response.text().await.expect("body"),
        }
    }

    /// POST /graphql with a raw body and headers.
    async fn post_raw(&self, body: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.server.base_url()))
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::reply(request.send().await.expect("answered")).await
    }

    /// POST /graphql as JSON, with a bearer token if given.
    async fn post(&self, query: &str, variables: Value, token: Option<&str>) -> Reply {
        let body = json!({"query": query, "variables": variables}).to_string();
        let bearer = token.map(|token| format!("Bearer {token}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("Authorization", bearer));
        }
        self.post_raw(&body, &headers).await
    }

    /// GET /graphql?query=…[&variables=…].
    async fn get(&self, query: &str, variables: Option<&str>, token: Option<&str>) -> Reply {
        let mut params = vec![("query", query)];
        if let Some(variables) = variables {
            params.push(("variables", variables));
        }
        let mut request = self
            .http
            .get(format!("{}/graphql", self.server.base_url()))
            .query(&params);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        Self::reply(request.send().await.expect("answered")).await
    }

    /// A REST call to the default store view.
    async fn rest(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}/rest/default{path}", self.server.base_url()));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body.to_string());
        }
        Self::reply(request.send().await.expect("answered")).await
    }

    async fn create(&self, email: &str, password: &str) -> Reply {
        self.post(
            CREATE,
            json!({"input": {"firstname": "Richard", "lastname": "Rowe", "email": email, "password": password}}),
            None,
        )
        .await
    }

    async fn token(&self, email: &str, password: &str) -> Reply {
        self.post(TOKEN, json!({"email": email, "password": password}), None)
            .await
    }

    /// A customer created over GraphQL and its token.
    async fn signed_in(&self, email: &str) -> String {
        assert_eq!(self.create(email, "Password1").await.status, 200);
        let reply = self.token(email, "Password1").await;
        reply.json()["data"]["generateCustomerToken"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("a token: {}", reply.raw))
            .to_owned()
    }
}

const CREATE: &str = "mutation ($input: CustomerCreateInput!) {\n  createCustomerV2(input: $input) {\n    customer { id firstname lastname email is_subscribed created_at date_of_birth addresses { id } }\n  }\n}";
const TOKEN: &str = "mutation ($email: String!, $password: String!) {\n  generateCustomerToken(email: $email, password: $password) { token }\n}";
const CUSTOMER: &str = "{\n  customer { id firstname lastname email }\n}";
const REVOKE: &str = "mutation {\n  revokeCustomerToken { result }\n}";
const AVAILABLE: &str = "query ($email: String!) {\n  isEmailAvailable(email: $email) { is_email_available }\n}";

/// §2.8, §3.1, §4.2, §7 `GetCustomerTest::testGetCustomer`: create, sign in, read.
#[tokio::test]
async fn create_sign_in_and_read_the_customer() {
    let client = Client::default().await;
    let created = client.create("new_customer@example.com", "test123#").await;
    let customer = &created.json()["data"]["createCustomerV2"]["customer"];
    assert_eq!(created.status, 200, "{}", created.raw);
    assert_eq!(customer["id"], Value::Null);
    assert_eq!(customer["firstname"], "Richard");
    assert_eq!(customer["email"], "new_customer@example.com");
    assert_eq!(customer["is_subscribed"], false);
    assert_eq!(customer["addresses"], json!([]));
    assert!(
        customer["created_at"].as_str().is_some_and(|at| at.len() == 19),
        "{customer}"
    );
    assert_eq!(created.content_type, "application/json");
    assert_eq!(created.cache_control, "no-store, no-cache, must-revalidate, max-age=0");
    let token = client.token("new_customer@example.com", "test123#").await;
    let token = token.json()["data"]["generateCustomerToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.split('.').count(), 3);
    client.post(CUSTOMER, json!({}), Some(&token)).await.expect(
        200,
        json!({"data": {"customer": {"id": null, "firstname": "Richard", "lastname": "Rowe", "email": "new_customer@example.com"}}}),
    );
}

/// §3.3 rows 1, 2, 4 and 7: empty arguments are input errors (200), wrong credentials the
/// generic authentication error (401), with `data` holding the null field.
#[tokio::test]
async fn token_refusals() {
    let client = Client::default().await;
    client.create("tok@example.com", "Password1").await;
    let refused = |message: &str, category: &str| {
        json!({
            "errors": [{
                "message": message,
                "locations": [{"line": 2, "column": 3}],
                "path": ["generateCustomerToken"],
                "extensions": {"category": category}
            }],
            "data": {"generateCustomerToken": null}
        })
    };
    client
        .token("", "password")
        .await
        .expect(200, refused("Specify the \"email\" value.", "graphql-input"));
    client
        .token("tok@example.com", "")
        .await
        .expect(200, refused("Specify the \"password\" value.", "graphql-input"));
    client
        .token("tok@example.com", "Wrong-1")
        .await
        .expect(401, refused(SIGN_IN_FAILED, "graphql-authentication"));
    client
        .token("nobody@example.com", "Password1")
        .await
        .expect(401, refused(SIGN_IN_FAILED, "graphql-authentication"));
}

/// §4.2, §7 `GetCustomerTest::testGetCustomerIfUserIsNotAuthorized`, `AuthenticationTest`:
/// a guest is refused with 403 and `data.customer` null.
#[tokio::test]
async fn a_guest_is_not_authorized_for_customer() {
    let client = Client::default().await;
    client.post(CUSTOMER, json!({}), None).await.expect(
        403,
        json!({
            "errors": [{
                "message": NOT_AUTHORIZED,
                "locations": [{"line": 2, "column": 3}],
                "path": ["customer"],
                "extensions": {"category": "graphql-authorization"}
            }],
            "data": {"customer": null}
        }),
    );
}

/// §5, §7 `AuthenticationTest::testRevokedTokenPublicQuery`: after `revokeCustomerToken`
/// the token is refused before execution, even on a public query, and on REST too.
#[tokio::test]
async fn a_revoked_token_is_refused_everywhere() {
    let client = Client::default().await;
    let token = client.signed_in("revoke@example.com").await;
    client
        .post(REVOKE, json!({}), Some(&token))
        .await
        .expect(200, json!({"data": {"revokeCustomerToken": {"result": true}}}));
    let revoked = json!({
        "errors": [{"message": "User token has been revoked", "extensions": {"category": "graphql-authentication"}}]
    });
    client
        .get(AVAILABLE, Some(r#"{"email":"x@example.com"}"#), Some(&token))
        .await
        .expect(401, revoked.clone());
    client
        .post(CUSTOMER, json!({}), Some(&token))
        .await
        .expect(401, revoked);
    assert_eq!(
        client
            .rest(reqwest::Method::GET, "/V1/customers/me", Some(&token), None)
            .await
            .status,
        401
    );
}

/// The fault keeps a revoked token working on GraphQL.
#[tokio::test]
async fn fault_graphql_token_after_revoke() {
    let client = Client::with_faults(&[Fault::GraphqlTokenAfterRevoke]).await;
    let token = client.signed_in("still@example.com").await;
    assert_eq!(client.post(REVOKE, json!({}), Some(&token)).await.status, 200);
    let reply = client.post(CUSTOMER, json!({}), Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert_eq!(reply.json()["data"]["customer"]["email"], "still@example.com");
}
