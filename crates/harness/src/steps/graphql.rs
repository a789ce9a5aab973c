//! GraphQL steps (GRAPHQL.md): a document and its variables in docstrings, sent through the
//! one send path, and the answer checked by `checks::graphql`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::{Value, json};

use super::body::password_breaking;
use super::request::bearer_for;
use super::{docstring, docstring_json, expand};
use crate::checks::graphql::{
    Renderer, StatusRule, expect_graphql_answer, expect_graphql_data, expect_same_customer_across_apis, parse_document,
    root_field_location,
};
use crate::checks::json_path::lookup;
use crate::checks::lockout::SIGN_IN_FAILED;
use crate::checks::{self, CheckFailure};
use crate::client::ApiRequest;
use crate::secrets::Secret;
use crate::world::{CustomerUnderTest, MagentoWorld, StepError};

/// The sign-in the token steps send (GRAPHQL.md §3): credentials in variables, so they are
/// redacted by key as in a REST body.
const SIGN_IN: &str = "mutation ($email: String!, $password: String!) {
  generateCustomerToken(email: $email, password: $password) {
    token
  }
}";

/// The revocation the revoke step sends (GRAPHQL.md §5).
const REVOKE: &str = "mutation {
  revokeCustomerToken {
    result
  }
}";

/// The account the create steps open (GRAPHQL.md §2), through variables.
const CREATE: &str = "mutation ($input: CustomerCreateInput!) {
  createCustomerV2(input: $input) {
    customer {
      email
      firstname
      lastname
    }
  }
}";

/// Who sends a document: the REST steps' actors, and a client with a JWT-shaped token whose
/// `exp` has passed and that no store signed (GRAPHQL.md §4.2).
fn bearer(world: &MagentoWorld, actor: &str) -> Result<Option<Secret>, StepError> {
    if actor == "a client with an expired-looking token" {
        return Ok(Some(Secret::new(expired_looking_token(&world.ctx().run_id))));
    }
    bearer_for(world, actor)
}

/// A JWT with Magento's header and a customer's claims, expired an hour after the epoch and
/// signed with nothing the store knows (GRAPHQL.md §1.3: unreadable or expired, 401).
fn expired_looking_token(run_id: &str) -> String {
    use base64::Engine as _;
    let part = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(json!({"kid": "1", "alg": "HS256"})),
        part(json!({"uid": 1, "utypid": 3, "iat": 0, "exp": 3600})),
        part(json!(run_id))
    )
}

#[given(regex = r"^the GraphQL document( from .+)?:$")]
async fn document(world: &mut MagentoWorld, page: String, step: &Step) -> Result<(), StepError> {
    let text = docstring(world, step)?;
    world.documented_request = (!page.is_empty()).then(|| text.clone());
    world.graphql_document = Some(text);
    world.graphql_variables = None;
    Ok(())
}

/// A query text sent as it is, not parsed when the suite loads: for the syntax-error scenarios.
#[given(regex = r"^the raw GraphQL query text:$")]
async fn raw_text(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    world.graphql_document = Some(docstring(world, step).unwrap_or_default());
    world.graphql_variables = None;
    Ok(())
}

#[given(regex = r"^the GraphQL variables:$")]
async fn variables(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    world.graphql_variables = Some(docstring_json(world, step)?);
    Ok(())
}

/// A documented create request, sent verbatim but for its email and password: the document's
/// literal values (or `input.email`/`input.password` in its variables) become the run's fresh
/// ones, so the run never opens the tutorial's account and its password meets the policy.
#[given(regex = r"^the document uses a fresh email address and a password that meets the store's policy$")]
async fn fresh_credentials(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let (email, password) = (ctx.fresh_email(), ctx.fresh_password());
    let text = world
        .graphql_document
        .clone()
        .ok_or_else(|| StepError::Scenario("no GraphQL document to change: give one first".into()))?;
    let parsed = parse_document(&text).map_err(|e| StepError::Feature(e.to_string()))?;
    let mut text = text;
    if let Some(old) = &parsed.literal_email {
        text = text.replace(&format!("\"{old}\""), &format!("\"{email}\""));
    }
    for old in &parsed.secret_literals {
        text = text.replace(&format!("\"{old}\""), &format!("\"{}\"", password.expose()));
    }
    if let Some(input) = world
        .graphql_variables
        .as_mut()
        .and_then(|v| v.get_mut("input"))
        .and_then(Value::as_object_mut)
    {
        input.insert("email".into(), Value::from(email.as_str()));
        input.insert("password".into(), Value::from(password.expose()));
    } else if parsed.literal_email.is_none() {
        return Err(StepError::Feature(
            "the document has no literal input email and no input variables to replace".into(),
        ));
    }
    world.graphql_document = Some(text);
    world.customer = Some(CustomerUnderTest::new(email, Some(password)));
    Ok(())
}

/// The scenario's customer-to-be: a fresh email (`{{email}}`) and, unless the scenario opens an
/// account without one, a password that meets the policy (`{{password}}`).
#[given(regex = r"^the scenario's customer has a fresh email address( and a password that meets the store's policy)?$")]
async fn fresh_customer(world: &mut MagentoWorld, with_password: String) -> Result<(), StepError> {
    let ctx = world.ctx();
    let password = (!with_password.is_empty()).then(|| ctx.fresh_password());
    world.customer = Some(CustomerUnderTest::new(ctx.fresh_email(), password));
    Ok(())
}

/// `input.password` of the variables breaks one rule of the store's policy, as the REST rows'
/// passwords do (GRAPHQL.md §2.2 step 7: the rules are the REST ones); the e-mail rule copies
/// the scenario customer's e-mail.
#[given(regex = r"^the GraphQL input's password is (too short|of too few character classes|the same as the email)$")]
async fn input_password(world: &mut MagentoWorld, kind: String) -> Result<(), StepError> {
    let email = world.customer.as_ref().map(|c| c.email.clone());
    let password = password_breaking(world, &kind, email.as_deref())?;
    let input = world
        .graphql_variables
        .as_mut()
        .and_then(|v| v.get_mut("input"))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| StepError::Feature("give the GraphQL variables with an input object first".into()))?;
    input.insert("password".into(), Value::from(password.expose()));
    Ok(())
}

async fn send_document(world: &mut MagentoWorld, actor: &str, method: Method) -> Result<(), StepError> {
    let query = world
        .graphql_document
        .clone()
        .map(|text| expand(world, &text))
        .ok_or_else(|| StepError::Scenario("no GraphQL document: give one first".into()))?;
    let variables = match &world.graphql_variables {
        Some(v) => Some(serde_json::from_str(&expand(world, &v.to_string())).map_err(|e| {
            StepError::Feature(format!(
                "the variables are not JSON after their placeholders were filled in: {e}"
            ))
        })?),
        None => None,
    };
    let request = ApiRequest::graphql(method, &query, variables).bearer(bearer(world, actor)?.as_ref());
    world.send(request).await?;
    Ok(())
}

#[when(
    regex = r"^(a guest|the admin|the customer|a client with an invalid token|a client with an expired-looking token) sends the GraphQL document$"
)]
async fn send_post(world: &mut MagentoWorld, actor: String) -> Result<(), StepError> {
    send_document(world, &actor, Method::POST).await
}

/// GET, as Magento's own tests send queries (§7 `Q`), with `variables` as a JSON string.
#[when(
    regex = r"^(a guest|the admin|the customer|a client with an invalid token|a client with an expired-looking token) sends the GraphQL document by GET$"
)]
async fn send_get(world: &mut MagentoWorld, actor: String) -> Result<(), StepError> {
    send_document(world, &actor, Method::GET).await
}

#[then(regex = r"^the GraphQL answer has data and no errors$")]
async fn has_data(world: &mut MagentoWorld) -> Result<(), StepError> {
    let exchange = world.last()?;
    let json = world.checked(checks::expect_json_content_type(exchange))?;
    world.checked(expect_graphql_data(exchange.status, &json).map(|_| ()))
}

/// The answer is exactly the documented error body, with the status the configured release
/// gives it (GRAPHQL.md §1.9).
#[then(regex = r"^the GraphQL answer is the error:$")]
async fn is_error(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let documented = docstring_json(world, step)?;
    check_answer(world, vec![("2.4.0-".to_owned(), documented)])
}

/// Where releases differ in body (a bad token is a guest before 2.4.8, §1.9): a
/// `| versions | body |` table; the rows that overlap `MAGENTO_VERSION` are accepted.
#[then(regex = r"^the GraphQL answer is the one documented for the configured Magento version:$")]
async fn versioned_error(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| StepError::Feature("this step needs a | versions | body | table".into()))?;
    let mut documented = Vec::new();
    for row in table.rows.iter().skip(1) {
        let [versions, body] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs two cells (versions, body): {row:?}"
            )));
        };
        let body: Value = serde_json::from_str(&expand(world, body))
            .map_err(|e| StepError::Feature(format!("body for {versions}: {e}")))?;
        documented.push((versions.clone(), body));
    }
    check_answer(world, documented)
}

/// The documented bodies in the store view's language (STORES.md C2), then the answer checked
/// against them.
fn check_answer(world: &mut MagentoWorld, documented: Vec<(String, Value)>) -> Result<(), StepError> {
    let ctx = world.ctx();
    let documented: Vec<(String, Value)> = documented
        .into_iter()
        .map(|(versions, body)| (versions, ctx.config.translations.graphql_body(&body)))
        .collect();
    let rules = StatusRule::for_version(ctx.config.magento_version.as_ref()).map_err(StepError::Feature)?;
    let renderer = Renderer::for_store(ctx.config.magento_version.as_ref(), ctx.developer_mode());
    let exchange = world.last()?;
    let json = world.checked(checks::expect_json_content_type(exchange))?;
    let shown = world.checked(expect_graphql_answer(
        exchange.status,
        &json,
        &documented,
        &rules,
        renderer,
    ))?;
    if json.get("errors").is_some() {
        world.checked(ctx.schemas.validate("graphql_error", &json).map_err(CheckFailure::from))?;
    }
    match shown {
        Some(rule) => world.checked(ctx.record_graphql_rule(rule)),
        None => Ok(()),
    }
}

/// The object at a path of the answer (e.g. `data.customer`) matches a schema.
#[then(regex = r#"^the GraphQL "([^"]+)" matches the "([a-z_-]+)" schema$"#)]
async fn part_matches_schema(world: &mut MagentoWorld, path: String, schema: String) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let part = world.checked(
        lookup(&json, &path)
            .cloned()
            .ok_or_else(|| CheckFailure::Body(format!("the answer has no {path:?}"))),
    )?;
    world.checked(world.ctx().schemas.validate(&schema, &part).map_err(CheckFailure::from))
}

/// `generateCustomerToken` with the scenario customer's email and password (§3).
async fn sign_in(world: &mut MagentoWorld) -> Result<(), StepError> {
    let customer = world.customer()?;
    let password = customer
        .password
        .as_ref()
        .ok_or_else(|| StepError::Scenario("the customer was created without a password".into()))?;
    let variables = json!({"email": customer.email, "password": password.expose()});
    world
        .send(ApiRequest::graphql(Method::POST, SIGN_IN, Some(variables)))
        .await?;
    Ok(())
}

#[when(regex = r"^the customer signs in over GraphQL with their email and password$")]
async fn customer_signs_in(world: &mut MagentoWorld) -> Result<(), StepError> {
    sign_in(world).await
}

/// The token is a customer token as REST issues it (§3.2): same header, claims and lifetime.
#[then(regex = r"^the GraphQL answer carries a customer access token for that customer$")]
async fn carries_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    let exchange = world.last()?;
    let json = world.checked(checks::expect_json_content_type(exchange))?;
    let data = world.checked(expect_graphql_data(exchange.status, &json))?;
    let token = world
        .checked(
            data.pointer("/generateCustomerToken/token")
                .and_then(Value::as_str)
                .ok_or_else(|| CheckFailure::Body(format!("expected generateCustomerToken.token, received {data}"))),
        )?
        .to_owned();
    super::token::keep_customer_token(world, token, "customer token format over GraphQL")
}

#[given(regex = r"^the customer has a GraphQL access token$")]
async fn has_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    sign_in(world).await?;
    carries_token(world).await
}

/// `revokeCustomerToken` with the customer's token (§5): it must answer `result: true`. The
/// scenario keeps the token, now revoked, as the customer's.
#[given(regex = r"^the customer has revoked their token over GraphQL$")]
async fn revoked(world: &mut MagentoWorld) -> Result<(), StepError> {
    let token = world
        .customer()?
        .token
        .clone()
        .ok_or_else(|| StepError::Scenario("the customer has no access token yet".into()))?;
    let request = ApiRequest::graphql(Method::POST, REVOKE, None).bearer(Some(&token));
    let exchange = world.send(request).await?;
    let (status, json) = (exchange.status, exchange.json().unwrap_or_default());
    let data = world.checked(expect_graphql_data(status, &json))?.clone();
    let revoked = json!({"revokeCustomerToken": {"result": true}});
    world.checked(checks::response::expect_equal(
        &revoked,
        &data,
        "revokeCustomerToken did not answer result true",
    ))
}

/// A customer opened with `createCustomerV2` (§2), through variables, from this input.
#[given(regex = r"^a customer created over GraphQL from this input, with a fresh email and password:$")]
async fn created_over_graphql(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let ctx = world.ctx();
    let mut input = docstring_json(world, step)?;
    let (email, password) = (ctx.fresh_email(), ctx.fresh_password());
    let fields = input
        .as_object_mut()
        .ok_or_else(|| StepError::Feature("the input must be a JSON object".into()))?;
    fields.insert("email".into(), Value::from(email.as_str()));
    fields.insert("password".into(), Value::from(password.expose()));
    world.customer = Some(CustomerUnderTest::new(email.clone(), Some(password)));
    let exchange = world
        .send(ApiRequest::graphql(Method::POST, CREATE, Some(json!({"input": input}))))
        .await?;
    let (status, json) = (exchange.status, exchange.json().unwrap_or_default());
    let data = world.checked(expect_graphql_data(status, &json))?;
    let created = data.pointer("/createCustomerV2/customer/email").and_then(Value::as_str);
    if created != Some(email.as_str()) {
        return world.checked(Err(CheckFailure::Body(format!(
            "createCustomerV2 did not answer the new account {email}: {data}"
        ))));
    }
    Ok(())
}

/// Fails `generateCustomerToken` `limit - fewer` times (the lockout shared with REST, §3.3): each
/// attempt must get the generic `graphql-authentication` error, with the release's status.
#[when(regex = r"^the customer signs in over GraphQL with a wrong password (\d+) times? fewer than the lockout limit$")]
async fn failed_sign_ins(world: &mut MagentoWorld, fewer: u32) -> Result<(), StepError> {
    let ctx = world.ctx();
    let limit = ctx.config.policy.max_login_failures;
    let attempts = limit
        .checked_sub(fewer)
        .ok_or_else(|| StepError::Scenario(format!("the lockout limit is {limit}, fewer than {fewer}")))?;
    let rules = StatusRule::for_version(ctx.config.magento_version.as_ref()).map_err(StepError::Feature)?;
    let renderer = Renderer::for_store(ctx.config.magento_version.as_ref(), ctx.developer_mode());
    let email = world.customer()?.email.clone();
    let requests = (0..attempts)
        .map(|_| {
            let variables = json!({"email": email, "password": ctx.fresh_password().expose()});
            ApiRequest::graphql(Method::POST, SIGN_IN, Some(variables))
        })
        .collect();
    let refused = vec![(
        "2.4.0-".to_owned(),
        ctx.config.translations.graphql_body(&sign_in_refused()),
    )];
    let mut attempt = 0;
    world
        .send_all(requests, |exchange| {
            attempt += 1;
            let json = exchange.json().unwrap_or_default();
            expect_graphql_answer(exchange.status, &json, &refused, &rules, renderer)
                .map(|_| ())
                .map_err(|failure| {
                    CheckFailure::Body(format!("wrong password attempt {attempt} of {attempts}: {failure}"))
                })
        })
        .await
}

/// What `generateCustomerToken` answers every failed sign-in (GRAPHQL.md §3.3, §1.7 A), at the
/// position of its root field in [`SIGN_IN`].
fn sign_in_refused() -> Value {
    let (line, column) = root_field_location(SIGN_IN, "generateCustomerToken").unwrap_or((2, 3));
    json!({
        "errors": [{
            "message": SIGN_IN_FAILED,
            "locations": [{"line": line, "column": column}],
            "path": ["generateCustomerToken"],
            "extensions": {"category": "graphql-authentication"}
        }],
        "data": {"generateCustomerToken": null}
    })
}

/// The customer in the last GraphQL answer (`data.customer`, or the `customer` a create
/// answered) is the account REST returns to the customer's token (`GET /V1/customers/me`).
#[then(regex = r"^the GraphQL customer is the one REST returns for the customer's token$")]
async fn same_as_rest(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = world.last_graphql()?.clone();
    let graphql = world.checked(
        lookup(&json, "data.customer")
            .or_else(|| lookup(&json, "data.createCustomerV2.customer"))
            .filter(|c| c.is_object())
            .cloned()
            .ok_or_else(|| CheckFailure::Body(format!("the answer holds no customer: {json}"))),
    )?;
    let token = world
        .customer()?
        .token
        .clone()
        .ok_or_else(|| StepError::Scenario("the customer has no access token yet".into()))?;
    let exchange = world
        .send(ApiRequest::get("/V1/customers/me").bearer(Some(&token)))
        .await?;
    let status = exchange.status;
    world.checked(checks::expect_status(world.last()?, 200).map_err(|f| {
        CheckFailure::Body(format!(
            "GET /V1/customers/me with the customer's token answered {status}: {f}"
        ))
    }))?;
    let rest = world.checked(checks::expect_json_content_type(world.last()?))?;
    world.checked(expect_same_customer_across_apis(&graphql, &rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_documents_parse_and_the_refusal_points_at_the_root_field() {
        assert!(parse_document(SIGN_IN).is_ok());
        assert!(parse_document(REVOKE).is_ok());
        assert!(parse_document(CREATE).unwrap().creates_customer());
        assert_eq!(
            sign_in_refused()["errors"][0]["locations"],
            json!([{"line": 2, "column": 3}])
        );
    }

    #[test]
    fn the_expired_looking_token_has_magentos_header_and_a_past_expiry() {
        let token = expired_looking_token("abcd1234");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        use base64::Engine as _;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&claims).unwrap(),
            json!({"uid": 1, "utypid": 3, "iat": 0, "exp": 3600})
        );
    }
}
