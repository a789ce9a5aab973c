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

    /// POST /graphql as JSON, with these extra headers.
    async fn post_with(&self, query: &str, variables: Value, headers: &[(&str, &str)]) -> Reply {
        let body = json!({"query": query, "variables": variables}).to_string();
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.post_raw(&body, &all).await
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

/// The body of a resolver error on `field` at line 2, column 3.
fn resolver_error(field: &str, message: &str, category: &str) -> Value {
    json!({
        "errors": [{
            "message": message,
            "locations": [{"line": 2, "column": 3}],
            "path": [field],
            "extensions": {"category": category}
        }],
        "data": {field: null}
    })
}

/// A request-level error (§1.7 C).
fn request_error(message: &str, category: &str) -> Value {
    json!({"errors": [{"message": message, "extensions": {"category": category}}]})
}

/// §2.2–§2.4, §7 `CreateCustomerV2Test`: each refusal of the account service is a
/// `graphql-input` error with status 200 and `data.createCustomerV2` null.
#[tokio::test]
async fn create_refusals() {
    let client = Client::default().await;
    assert_eq!(client.create("customer@example.com", "test123#").await.status, 200);
    let input = |changes: Value| {
        let mut input =
            json!({"firstname": "Richard", "lastname": "Rowe", "email": "other@example.com", "password": "test123#"});
        for (key, value) in changes.as_object().unwrap() {
            input[key] = value.clone();
        }
        json!({"input": input})
    };
    let cases = [
        (
            json!({"email": "customer@example.com"}),
            "A customer with the same email address already exists in an associated website.",
        ),
        (
            json!({"email": "plainaddress"}),
            "\"plainaddress\" is not a valid email address.",
        ),
        (
            json!({"email": "email@example"}),
            "\"email@example\" is not a valid email address.",
        ),
        (json!({"email": ""}), "\"\" is not a valid email address."),
        (json!({"firstname": ""}), "\"First Name\" is a required value."),
        (json!({"gender": 5}), "\"5\" is not a valid gender value."),
        (
            json!({"password": "short1A"}),
            "The password needs at least 8 characters. Create a new password and try again.",
        ),
        (
            json!({"password": "password"}),
            "Minimum of different classes of characters in password is 3. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
        ),
        (
            json!({"password": " Password1"}),
            "The password can't begin or end with a space. Verify the password and try again.",
        ),
        (json!({"date_of_birth": "not a date"}), "Invalid date"),
    ];
    for (changes, message) in cases {
        client
            .post(CREATE, input(changes), None)
            .await
            .expect(200, resolver_error("createCustomerV2", message, "graphql-input"));
    }
    assert_eq!(
        client
            .rest(
                reqwest::Method::GET,
                "/V1/customers/search?searchCriteria[pageSize]=10",
                None,
                None
            )
            .await
            .status,
        401,
        "the refusals created nothing an anonymous search could see, and the route stays protected"
    );
}

/// §2.7, §2.8, §7 `CreateCustomerV2Test::testCreateCustomerAccountWithPassword`: accepted
/// emails keep their case and characters; optional fields, subscription and assistance.
#[tokio::test]
async fn create_accepts_documented_emails_and_fields() {
    let client = Client::default().await;
    for email in [
        "jØrgenV2@somedomain.com",
        "“emailV2”@example.com",
        "New_Customer@Example.com",
    ] {
        let reply = client
            .post(
                "mutation ($input: CustomerCreateInput!) {\n  createCustomerV2(input: $input) { customer { email is_subscribed allow_remote_shopping_assistance } }\n}",
                json!({"input": {"firstname": "Richard", "lastname": "Rowe", "email": email, "password": "test123#", "is_subscribed": true, "allow_remote_shopping_assistance": true}}),
                None,
            )
            .await;
        reply.expect(
            200,
            json!({"data": {"createCustomerV2": {"customer": {"email": email, "is_subscribed": true, "allow_remote_shopping_assistance": true}}}}),
        );
        assert!(
            !reply.raw.contains('Ø'),
            "non-ASCII is escaped as PHP does: {}",
            reply.raw
        );
    }
    let reply = client
        .post(
            "mutation {\n  createCustomerV2(input: {firstname: \"A\", lastname: \"B\", email: \"dob@example.com\", date_of_birth: \"3/11/1972\", middlename: \"M\", gender: 2}) {\n    customer { date_of_birth dob middlename gender group_id default_billing allow_remote_shopping_assistance }\n  }\n}",
            json!({}),
            None,
        )
        .await;
    reply.expect(
        200,
        json!({"data": {"createCustomerV2": {"customer": {
            "date_of_birth": "1972-03-11", "dob": "1972-03-11", "middlename": "M", "gender": 2,
            "group_id": null, "default_billing": null, "allow_remote_shopping_assistance": false
        }}}}),
    );
}

/// §2.10, §7 `CreateCustomerTest`: the deprecated mutation's own refusals.
#[tokio::test]
async fn deprecated_create_customer() {
    let client = Client::default().await;
    let create = |input: &str| format!("mutation {{\n  createCustomer(input: {input}) {{ customer {{ email }} }}\n}}");
    client.post(&create("{}"), json!({}), None).await.expect(
        200,
        resolver_error("createCustomer", "\"input\" value should be specified", "graphql-input"),
    );
    client
        .post(&create("{firstname: \"A\", lastname: \"B\"}"), json!({}), None)
        .await
        .expect(
            200,
            resolver_error(
                "createCustomer",
                "The email address is required to create a customer account.",
                "graphql-input",
            ),
        );
    client
        .post(
            &create("{email: \"old@example.com\", lastname: \"B\"}"),
            json!({}),
            None,
        )
        .await
        .expect(
            200,
            resolver_error("createCustomer", "\"First Name\" is a required value.", "graphql-input"),
        );
    client
        .post(&create("{email: \"old@example.com\", firstname: \"A\", lastname: \"B\", test123: \"x\"}"), json!({}), None)
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Field \"test123\" is not defined by type \"CustomerInput\".", "locations": [{"line": 2, "column": 83}]}]}),
        );
    client
        .post(
            &create("{email: \"old@example.com\", firstname: \"A\", lastname: \"B\"}"),
            json!({}),
            None,
        )
        .await
        .expect(
            200,
            json!({"data": {"createCustomer": {"customer": {"email": "old@example.com"}}}}),
        );
}

/// §2.5, §2.6: validation and coercion errors reach the client as graphql-php words them,
/// status 200, no `data`, no `extensions`.
#[tokio::test]
async fn validation_errors_have_no_data() {
    let client = Client::default().await;
    client
        .post(
            "mutation { createCustomerV2(input: {}) { customer { email } } }",
            json!({}),
            None,
        )
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Field CustomerCreateInput.email of required type String! was not provided.", "locations": [{"line": 1, "column": 36}]}]}),
        );
    client
        .post(CREATE, json!({"input": {"firstname": "a", "lastname": "b"}}), None)
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Variable \"$input\" got invalid value {\"firstname\":\"a\",\"lastname\":\"b\"}; Field \"email\" of required type \"String!\" was not provided.", "locations": [{"line": 1, "column": 11}]}]}),
        );
    client
        .post("{ customer { emial } }", json!({}), None)
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Cannot query field \"emial\" on type \"Customer\".", "locations": [{"line": 1, "column": 14}]}]}),
        );
}

/// §1.2, §1.3, §1.9: request-level refusals, in the validators' order, with 2.4.8's statuses.
#[tokio::test]
async fn request_level_refusals() {
    let client = Client::default().await;
    let json_type = [("Content-Type", "application/json")];
    client
        .post_raw("{not json", &[("Content-Type", "text/plain")])
        .await
        .expect(400, request_error("Unable to parse the request.", "graphql-input"));
    client
        .post_raw(
            r#"{"query":"{ customer { email } }"}"#,
            &[("Content-Type", "text/plain")],
        )
        .await
        .expect(
            400,
            request_error("Request content type must be application/json", "graphql-input"),
        );
    client.post_raw("", &json_type).await.expect(
        400,
        json!({"errors": [{"message": "Syntax Error: Unexpected <EOF>", "locations": [{"line": 1, "column": 1}]}]}),
    );
    client
        .get("mutation { revokeCustomerToken { result } }", None, None)
        .await
        .expect(
            400,
            request_error("Mutation requests allowed only for POST requests", "graphql-input"),
        );
    client
        .get(AVAILABLE, Some("{not json"), None)
        .await
        .expect(400, request_error("Unable to parse the request.", "graphql-input"));
    client
        .post_raw(
            r#"{"query":"{ customer { email } }"}"#,
            &[("Content-Type", "application/json"), ("Store", "nosuchstore")],
        )
        .await
        .expect(
            400,
            request_error("Requested store is not found (nosuchstore)", "graphql-input"),
        );
    client
        .post_raw(
            r#"{"query":"{ customer { email } }"}"#,
            &[
                ("Content-Type", "application/json"),
                ("Authorization", "Bearer garbage"),
            ],
        )
        .await
        .expect(
            401,
            request_error("Composite reader could not read a token", "graphql-authentication"),
        );
    let options = client
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/graphql", client.server.base_url()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(options.status().as_u16(), 204);
    assert_eq!(options.text().await.unwrap(), "");
    let wide = format!("{{ {} }}", "__typename ".repeat(1001));
    client.post(&wide, json!({}), None).await.expect(
        400,
        request_error("Max query complexity should be 1000 but got 1001.", "graphql-input"),
    );
    client
        .get("{ customer { email }", None, None)
        .await
        .expect(
            400,
            json!({"errors": [{"message": "Syntax Error: Expected Name, found <EOF>", "locations": [{"line": 1, "column": 21}]}]}),
        );
    client
        .post_raw(
            r#"{"query":"query ($i: CustomerCreateInputX!) { customer { email } }"}"#,
            &json_type,
        )
        .await
        .expect(500, json!({"errors": [{"message": "Internal server error"}]}));
}

/// §1.3: a header that is not `Bearer <token>` makes a guest; the Store header accepts the
/// store's code and `default` in any case.
#[tokio::test]
async fn other_authorization_shapes_are_a_guest() {
    let client = Client::default().await;
    for authorization in ["Basic abc", "Bearer  two-spaces", "Bearer"] {
        let reply = client
            .post_raw(
                r#"{"query":"{ customer { email } }"}"#,
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", authorization),
                    ("Store", " DEFAULT "),
                ],
            )
            .await;
        assert_eq!(reply.status, 403, "{authorization}: {}", reply.raw);
    }
}

/// §6, §7 `IsEmailAvailableTest`, `AuthenticationTest::testNoToken`.
#[tokio::test]
async fn is_email_available() {
    let client = Client::default().await;
    client.create("taken@example.com", "Password1").await;
    for email in ["taken@example.com", "free@example.com"] {
        client
            .get(AVAILABLE, Some(&json!({"email": email}).to_string()), None)
            .await
            .expect(200, json!({"data": {"isEmailAvailable": {"is_email_available": true}}}));
    }
    client.post(AVAILABLE, json!({"email": ""}), None).await.expect(
        200,
        resolver_error("isEmailAvailable", "Email must be specified", "graphql-input"),
    );
    client
        .post(AVAILABLE, json!({"email": "invalid-email"}), None)
        .await
        .expect(
            200,
            resolver_error("isEmailAvailable", "Email is invalid", "graphql-input"),
        );
    client
        .get("{ isEmailAvailable { is_email_available } }", None, None)
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Field \"isEmailAvailable\" argument \"email\" of type \"String!\" is required but not provided.", "locations": [{"line": 1, "column": 3}]}]}),
        );
}

/// §3.1, §3.3, §5: REST and GraphQL share the customers, the tokens, revocation and the
/// sign-in throttle.
#[tokio::test]
async fn rest_and_graphql_share_the_store() {
    let client = Client::default().await;
    // Created over REST, signed in and read over GraphQL.
    let created = client
        .rest(
            reqwest::Method::POST,
            "/V1/customers",
            None,
            Some(json!({"customer": {"email": "rest@example.com", "firstname": "Rest", "lastname": "Made"}, "password": "Password1"})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.raw);
    let token = client.token("rest@example.com", "Password1").await.json()["data"]["generateCustomerToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    client.post(CUSTOMER, json!({}), Some(&token)).await.expect(
        200,
        json!({"data": {"customer": {"id": null, "firstname": "Rest", "lastname": "Made", "email": "rest@example.com"}}}),
    );
    // The GraphQL token reads the REST account; a REST token reads GraphQL.
    let me = client
        .rest(reqwest::Method::GET, "/V1/customers/me", Some(&token), None)
        .await;
    assert_eq!(
        (me.status, me.json()["email"].clone()),
        (200, json!("rest@example.com"))
    );
    // Created over GraphQL, found over REST with a REST token.
    let graphql_token = client.signed_in("graphql@example.com").await;
    let rest_token = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/customer/token",
            None,
            Some(json!({"username": "graphql@example.com", "password": "Password1"})),
        )
        .await
        .json();
    let rest_token = rest_token.as_str().unwrap();
    let me = client
        .rest(reqwest::Method::GET, "/V1/customers/me", Some(&graphql_token), None)
        .await;
    assert_eq!((me.status, me.json()["firstname"].clone()), (200, json!("Richard")));
    let customer = client.post(CUSTOMER, json!({}), Some(rest_token)).await;
    assert_eq!(customer.json()["data"]["customer"]["email"], "graphql@example.com");
    // Revoking over REST ends the GraphQL token too.
    let revoke = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/customer/revoke-customer-token",
            Some(rest_token),
            None,
        )
        .await;
    assert_eq!(revoke.status, 200, "{}", revoke.raw);
    client.post(CUSTOMER, json!({}), Some(&graphql_token)).await.expect(
        401,
        request_error("User token has been revoked", "graphql-authentication"),
    );
    // Revoking over GraphQL ends REST tokens.
    let rest_token = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/customer/token",
            None,
            Some(json!({"username": "rest@example.com", "password": "Password1"})),
        )
        .await
        .json();
    let rest_token = rest_token.as_str().unwrap();
    assert_eq!(client.post(REVOKE, json!({}), Some(&token)).await.status, 200);
    assert_eq!(
        client
            .rest(reqwest::Method::GET, "/V1/customers/me", Some(rest_token), None)
            .await
            .status,
        401
    );
}

/// §3.3 row 3: failures over GraphQL and REST count towards one throttle of 6; then even the
/// right password is refused on both.
#[tokio::test]
async fn failed_sign_ins_count_across_rest_and_graphql() {
    let client = Client::default().await;
    client.create("lock@example.com", "Password1").await;
    for attempt in 0..6 {
        let status = if attempt % 2 == 0 {
            client.token("lock@example.com", "Wrong-pass1").await.status
        } else {
            client
                .rest(
                    reqwest::Method::POST,
                    "/V1/integration/customer/token",
                    None,
                    Some(json!({"username": "lock@example.com", "password": "Wrong-pass1"})),
                )
                .await
                .status
        };
        assert_eq!(status, 401);
    }
    client.token("lock@example.com", "Password1").await.expect(
        401,
        json!({
            "errors": [{
                "message": SIGN_IN_FAILED,
                "locations": [{"line": 2, "column": 3}],
                "path": ["generateCustomerToken"],
                "extensions": {"category": "graphql-authentication"}
            }],
            "data": {"generateCustomerToken": null}
        }),
    );
    let rest = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/customer/token",
            None,
            Some(json!({"username": "lock@example.com", "password": "Password1"})),
        )
        .await;
    assert_eq!(rest.status, 401);
}

/// §4.2, §5, §7 `GetCustomerTest::testGetCustomerIfUserHasWrongType`: an admin token is valid
/// but not a customer's.
#[tokio::test]
async fn an_admin_token_is_not_a_customer() {
    let client = Client::start(StoreSettings {
        two_factor_auth: false,
        ..StoreSettings::default()
    })
    .await;
    let admin = &client.server.settings().admin;
    let token = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/admin/token",
            None,
            Some(json!({"username": admin.username, "password": admin.password})),
        )
        .await
        .json();
    let token = token.as_str().unwrap();
    client
        .post(CUSTOMER, json!({}), Some(token))
        .await
        .expect(403, resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization"));
    client.post(REVOKE, json!({}), Some(token)).await.expect(
        403,
        resolver_error("revokeCustomerToken", NOT_AUTHORIZED, "graphql-authorization"),
    );
    client.post(REVOKE, json!({}), None).await.expect(
        403,
        resolver_error("revokeCustomerToken", NOT_AUTHORIZED, "graphql-authorization"),
    );
}

/// §3.3 row 6, §4.2: an unconfirmed account gets its own message on both operations (401).
#[tokio::test]
async fn unconfirmed_accounts() {
    let client = Client::start(StoreSettings {
        require_confirmation: true,
        ..StoreSettings::default()
    })
    .await;
    assert_eq!(client.create("unconfirmed@example.com", "Password1").await.status, 200);
    client.token("unconfirmed@example.com", "Password1").await.expect(
        401,
        resolver_error(
            "generateCustomerToken",
            "This account isn't confirmed. Verify and try again.",
            "graphql-authentication",
        ),
    );
}

/// §1.9 "2.4.0 – 2.4.7-p6": a release before 2.4.8 answers every executed request 200,
/// request-level errors 500, and takes a bad token for a guest.
#[tokio::test]
async fn a_release_before_2_4_8_answers_the_legacy_statuses() {
    let client = Client::start(StoreSettings {
        release: "2.4.7-p6".parse().expect("a release"),
        ..StoreSettings::default()
    })
    .await;
    client
        .post(CUSTOMER, json!({}), None)
        .await
        .expect(200, resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization"));
    client
        .post(CUSTOMER, json!({}), Some("garbage"))
        .await
        .expect(200, resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization"));
    assert_eq!(client.token("nobody@example.com", "Password1").await.status, 200);
    client
        .post_raw("", &[("Content-Type", "application/json")])
        .await
        .expect(
            500,
            json!({"errors": [{"message": "Syntax Error: Unexpected <EOF>", "locations": [{"line": 1, "column": 1}]}]}),
        );
    client
        .get("mutation { revokeCustomerToken { result } }", None, None)
        .await
        .expect(
            500,
            request_error("Mutation requests allowed only for POST requests", "graphql-input"),
        );
}

/// §2.2 step 5: before 2.4.8 `ValidateRequiredArguments` refuses a required attribute sent
/// empty, before the e-mail check; 2.4.8 leaves it to the EAV rule.
#[tokio::test]
async fn a_release_before_2_4_8_validates_required_arguments() {
    let input =
        json!({"input": {"firstname": "", "lastname": "Rowe", "email": "plainaddress", "password": "Password1"}});
    let client = Client::start(StoreSettings {
        release: "2.4.7".parse().expect("a release"),
        ..StoreSettings::default()
    })
    .await;
    client.post(CREATE, input.clone(), None).await.expect(
        200,
        resolver_error(
            "createCustomerV2",
            "Required parameters are missing: First Name",
            "graphql-input",
        ),
    );
    let no_email =
        "mutation {\n  createCustomer(input: {firstname: \"Richard\", lastname: \"Rowe\"}) { customer { email } }\n}";
    client.post(no_email, json!({}), None).await.expect(
        200,
        resolver_error(
            "createCustomer",
            "Required parameters are missing: Email",
            "graphql-input",
        ),
    );
    Client::default().await.post(CREATE, input, None).await.expect(
        200,
        resolver_error(
            "createCustomerV2",
            "\"plainaddress\" is not a valid email address.",
            "graphql-input",
        ),
    );
}

/// STORES.md C2, GRAPHQL.md §3.3: Magento's own messages, resolver or request-level, are
/// phrases in the store view's language with their arguments filled in; graphql-php's
/// validation and syntax messages stay English.
#[tokio::test]
async fn a_store_view_in_another_language_translates_magentos_messages_only() {
    let dutch = super::Translations::from_pairs([
        (NOT_AUTHORIZED, "De huidige klant is niet geautoriseerd."),
        (
            "\"%1\" is not a valid email address.",
            "\"%1\" is geen geldig e-mailadres.",
        ),
        ("Requested store is not found (%1)", "Winkel niet gevonden (%1)"),
        (SIGN_IN_FAILED, "De aanmelding was onjuist."),
        (
            "The password needs at least %1 characters. Create a new password and try again.",
            "Minstens %1 tekens.",
        ),
        ("Syntax Error: Unexpected <EOF>", "Syntaxfout"),
    ]);
    let client = Client::start(StoreSettings {
        translations: dutch,
        ..StoreSettings::default()
    })
    .await;
    client.post(CUSTOMER, json!({}), None).await.expect(
        403,
        resolver_error(
            "customer",
            "De huidige klant is niet geautoriseerd.",
            "graphql-authorization",
        ),
    );
    client.create("plainaddress", "Password1").await.expect(
        200,
        resolver_error(
            "createCustomerV2",
            "\"plainaddress\" is geen geldig e-mailadres.",
            "graphql-input",
        ),
    );
    client.create("nl@example.com", "aB1!").await.expect(
        200,
        resolver_error("createCustomerV2", "Minstens 8 tekens.", "graphql-input"),
    );
    client.token("nobody@example.com", "Password1").await.expect(
        401,
        resolver_error(
            "generateCustomerToken",
            "De aanmelding was onjuist.",
            "graphql-authentication",
        ),
    );
    client
        .post_raw(
            &json!({"query": CUSTOMER}).to_string(),
            &[("Content-Type", "application/json"), ("Store", "xx")],
        )
        .await
        .expect(400, request_error("Winkel niet gevonden (xx)", "graphql-input"));
    client
        .post_raw("", &[("Content-Type", "application/json")])
        .await
        .expect(
            400,
            json!({"errors": [{"message": "Syntax Error: Unexpected <EOF>", "locations": [{"line": 1, "column": 1}]}]}),
        );
    let unknown = client.post("{ customer { emial } }", json!({}), None).await;
    assert_eq!(
        unknown.json()["errors"][0]["message"],
        "Cannot query field \"emial\" on type \"Customer\".",
        "{}",
        unknown.raw
    );
}

/// §1.1: without Magento_GraphQl, `/graphql` is the storefront's 404 page.
#[tokio::test]
async fn a_store_without_graphql() {
    let client = Client::start(StoreSettings {
        graphql_module: false,
        ..StoreSettings::default()
    })
    .await;
    for reply in [
        client.post(CUSTOMER, json!({}), None).await,
        client.get(CUSTOMER, None, None).await,
    ] {
        assert_eq!(reply.status, 404);
        assert_eq!(reply.content_type, "text/html; charset=UTF-8");
        assert!(reply.raw.contains("<title>404 Not Found</title>"), "{}", reply.raw);
    }
}

/// Developer mode keeps every error (§1.5); outside it only the first is returned.
#[tokio::test]
async fn developer_mode_returns_every_error() {
    let query = "mutation { createCustomerV2(input: {}) { customer { email } } }";
    let client = Client::start(StoreSettings {
        developer_mode: true,
        ..StoreSettings::default()
    })
    .await;
    let reply = client.post(query, json!({}), None).await;
    let messages: Vec<Value> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["message"].clone())
        .collect();
    assert_eq!(
        messages,
        vec![
            json!("Field CustomerCreateInput.email of required type String! was not provided."),
            json!("Field CustomerCreateInput.firstname of required type String! was not provided."),
            json!("Field CustomerCreateInput.lastname of required type String! was not provided."),
        ]
    );
    let faulty = Client::with_faults(&[Fault::GraphqlEveryError]).await;
    assert_eq!(
        faulty.post(query, json!({}), None).await.json()["errors"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let stock = Client::default().await;
    assert_eq!(
        stock.post(query, json!({}), None).await.json()["errors"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Each response fault changes exactly what it says.
#[tokio::test]
async fn graphql_response_faults() {
    let client = Client::with_faults(&[Fault::GraphqlAuthorization401]).await;
    client
        .post(CUSTOMER, json!({}), None)
        .await
        .expect(401, resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization"));
    let client = Client::with_faults(&[Fault::GraphqlNoDataOnResolverError]).await;
    let mut without_data = resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization");
    without_data.as_object_mut().unwrap().remove("data");
    client.post(CUSTOMER, json!({}), None).await.expect(403, without_data);
    let client = Client::with_faults(&[Fault::GraphqlErrorWithoutCategory]).await;
    client.post(CUSTOMER, json!({}), None).await.expect(
        403,
        json!({
            "errors": [{"message": NOT_AUTHORIZED, "locations": [{"line": 2, "column": 3}], "path": ["customer"]}],
            "data": {"customer": null}
        }),
    );
}

/// Each behaviour fault changes exactly what it says.
#[tokio::test]
async fn graphql_behaviour_faults() {
    let client = Client::with_faults(&[Fault::GraphqlInvalidTokenAsGuest]).await;
    client
        .post(CUSTOMER, json!({}), Some("garbage"))
        .await
        .expect(403, resolver_error("customer", NOT_AUTHORIZED, "graphql-authorization"));
    let client = Client::with_faults(&[Fault::GraphqlCreateEchoesInput]).await;
    let customer =
        client.create("echo@example.com", "Password1").await.json()["data"]["createCustomerV2"]["customer"].clone();
    assert_eq!(customer["email"], "echo@example.com");
    assert_eq!(customer["created_at"], Value::Null);
    assert_eq!(customer["addresses"], Value::Null);
    let client = Client::with_faults(&[Fault::GraphqlCustomerIdExposed]).await;
    let token = client.signed_in("id@example.com").await;
    let customer = client.post(CUSTOMER, json!({}), Some(&token)).await.json();
    assert_eq!(customer["data"]["customer"]["id"], 1);
}

/// Real captures G02 and G16 (`../shared/real/graphql_captures.json`): an Apollo-style
/// document with `__typename` at every level and the full address selection, through
/// variables with `operationName`, and the same over GET with `variables={}`.
#[tokio::test]
async fn apollo_style_documents_from_real_clients() {
    let client = Client::default().await;
    let selection = "date_of_birth default_billing default_shipping email firstname is_subscribed lastname middlename prefix suffix taxvat addresses { city country_code default_billing default_shipping extension_attributes { attribute_code value __typename } firstname id lastname postcode prefix region { region_code region_id region __typename } street suffix telephone vat_id __typename } __typename";
    let body = json!({
        "operationName": "createCustomer",
        "variables": {"input": {"email": "john.doe@example.com", "password": "j5E&z42DR@Hx!", "firstname": "John", "lastname": "Doe"}},
        "query": format!("mutation createCustomer($input: CustomerCreateInput!) {{\n  createCustomerV2(input: $input) {{\n    customer {{ {selection} }}\n    __typename\n  }}\n}}")
    });
    let created = client
        .post_raw(&body.to_string(), &[("Content-Type", "application/json")])
        .await;
    created.expect(
        200,
        json!({"data": {"createCustomerV2": {"customer": {
            "date_of_birth": null, "default_billing": null, "default_shipping": null,
            "email": "john.doe@example.com", "firstname": "John", "is_subscribed": false, "lastname": "Doe",
            "middlename": null, "prefix": null, "suffix": null, "taxvat": null, "addresses": [],
            "__typename": "Customer"
        }, "__typename": "CustomerOutput"}}}),
    );
    let token =
        client.token("john.doe@example.com", "j5E&z42DR@Hx!").await.json()["data"]["generateCustomerToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let query = format!("query customer{{customer{{{selection} is_subscribed}}}}");
    let read = client
        .http
        .get(format!("{}/graphql", client.server.base_url()))
        .query(&[
            ("query", query.as_str()),
            ("operationName", "customer"),
            ("variables", "{}"),
        ])
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let read = Client::reply(read).await;
    assert_eq!(read.status, 200, "{}", read.raw);
    assert_eq!(read.json()["data"]["customer"]["addresses"], json!([]));
    assert_eq!(read.json()["data"]["customer"]["__typename"], "Customer");
    client
        .post("{ __typename }", json!({}), None)
        .await
        .expect(200, json!({"data": {"__typename": "Query"}}));
}

/// §2.8 (derived): `confirmation_status` resolves for the caller, so a guest's create response
/// loses the customer after it was saved; developer mode shows the masked error's message
/// (§1.7 D).
#[tokio::test]
async fn a_guest_create_cannot_resolve_confirmation_status() {
    let query = "mutation {\n  createCustomerV2(input: {firstname: \"A\", lastname: \"B\", email: \"status@example.com\"}) { customer { confirmation_status } }\n}";
    let masked = |extensions: Option<Value>| {
        let mut error = json!({
            "message": "Internal server error",
            "locations": [{"line": 2, "column": 102}],
            "path": ["createCustomerV2", "customer", "confirmation_status"]
        });
        if let Some(extensions) = extensions {
            error["extensions"] = extensions;
        }
        json!({"errors": [error], "data": {"createCustomerV2": null}})
    };
    let client = Client::default().await;
    client.post(query, json!({}), None).await.expect(200, masked(None));
    assert_eq!(
        client.server.customer_emails(),
        vec!["status@example.com".to_owned()],
        "the account was created before the answer failed"
    );
    let developer = Client::start(StoreSettings {
        developer_mode: true,
        ..StoreSettings::default()
    })
    .await;
    developer.post(query, json!({}), None).await.expect(
        200,
        masked(Some(json!({"debugMessage": "No such entity with customerId = 0"}))),
    );
}

/// STORES.md C1, GRAPHQL.md §2.7, §3.3: storefront reCAPTCHA guards the resolvers of both create
/// mutations and of `generateCustomerToken` (`GraphQlValidator::beforeResolve`): without an
/// `X-ReCaptcha` response the field is a `graphql-input` error, status 200, and nothing is
/// created; any non-empty response passes (Google's test keys), an integration token is exempt,
/// an admin token is not; validation still comes first, and queries and the revocation are
/// never guarded.
#[tokio::test]
async fn recaptcha_guards_the_create_and_sign_in_mutations() {
    const INTEGRATION: &str = "abcdefghijklmnopqrstuvwxyz012345";
    let client = Client::start(StoreSettings {
        recaptcha: vec![crate::RecaptchaForm::CreateAccount, crate::RecaptchaForm::Login],
        integration_token: Some(INTEGRATION.to_owned()),
        two_factor_auth: false,
        ..StoreSettings::default()
    })
    .await;
    let failed = "ReCaptcha validation failed, please try again";
    let input = |email: &str| json!({"input": {"firstname": "Richard", "lastname": "Rowe", "email": email, "password": "Password1"}});
    let deprecated = "mutation ($input: CustomerInput!) {\n  createCustomer(input: $input) { customer { email } }\n}";

    client
        .create("guest@example.com", "Password1")
        .await
        .expect(200, resolver_error("createCustomerV2", failed, "graphql-input"));
    client
        .post_with(deprecated, input("guest@example.com"), &[])
        .await
        .expect(200, resolver_error("createCustomer", failed, "graphql-input"));
    client
        .post_with(deprecated, json!({"input": {}}), &[("X-ReCaptcha", "")])
        .await
        .expect(200, resolver_error("createCustomer", failed, "graphql-input"));
    let admin = client.server.settings().admin.clone();
    let admin_token = client
        .rest(
            reqwest::Method::POST,
            "/V1/integration/admin/token",
            None,
            Some(json!({"username": admin.username, "password": admin.password})),
        )
        .await
        .json();
    let admin_bearer = format!("Bearer {}", admin_token.as_str().expect("an admin token"));
    client
        .post_with(CREATE, input("admin@example.com"), &[("Authorization", &admin_bearer)])
        .await
        .expect(200, resolver_error("createCustomerV2", failed, "graphql-input"));
    client
        .post(AVAILABLE, json!({"email": "guest@example.com"}), None)
        .await
        .expect(200, json!({"data": {"isEmailAvailable": {"is_email_available": true}}}));
    client
        .post("mutation {\n  createCustomerV2 { customer { email } }\n}", json!({}), None)
        .await
        .expect(
            200,
            json!({"errors": [{"message": "Field \"createCustomerV2\" argument \"input\" of type \"CustomerCreateInput!\" is required but not provided.", "locations": [{"line": 2, "column": 3}]}]}),
        );

    let answered = client
        .post_with(CREATE, input("guest@example.com"), &[("X-ReCaptcha", "any-response")])
        .await;
    assert_eq!(answered.status, 200, "{}", answered.raw);
    assert_eq!(
        answered.json()["data"]["createCustomerV2"]["customer"]["email"],
        "guest@example.com"
    );
    let integration_bearer = format!("Bearer {INTEGRATION}");
    let exempt = client
        .post_with(
            deprecated,
            input("integration@example.com"),
            &[("Authorization", &integration_bearer)],
        )
        .await;
    assert_eq!(exempt.status, 200, "{}", exempt.raw);
    assert_eq!(
        exempt.json()["data"]["createCustomer"]["customer"]["email"],
        "integration@example.com"
    );

    let credentials = json!({"email": "guest@example.com", "password": "Password1"});
    client
        .post_with(TOKEN, credentials.clone(), &[])
        .await
        .expect(200, resolver_error("generateCustomerToken", failed, "graphql-input"));
    client
        .post_with(TOKEN, json!({"email": "", "password": ""}), &[])
        .await
        .expect(200, resolver_error("generateCustomerToken", failed, "graphql-input"));
    let exempt = client
        .post_with(TOKEN, credentials.clone(), &[("Authorization", &integration_bearer)])
        .await;
    assert!(
        exempt.json()["data"]["generateCustomerToken"]["token"].is_string(),
        "{}",
        exempt.raw
    );
    let signed_in = client
        .post_with(TOKEN, credentials, &[("X-ReCaptcha", "any-response")])
        .await;
    let token = signed_in.json()["data"]["generateCustomerToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a token: {}", signed_in.raw))
        .to_owned();
    let read = client.post(CUSTOMER, json!({}), Some(&token)).await;
    assert_eq!(
        read.json()["data"]["customer"]["email"],
        "guest@example.com",
        "{}",
        read.raw
    );
    client
        .post(REVOKE, json!({}), Some(&token))
        .await
        .expect(200, json!({"data": {"revokeCustomerToken": {"result": true}}}));
}
