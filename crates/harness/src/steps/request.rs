//! Generic steps: send a request as someone, check status, schema, values, error body, snapshot.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::Value;

use super::{StepError, checked, docstring_json, expand};
use crate::checks::admin_role::{AdminRole, RoleAnswer, expect_answer_for_a_role};
use crate::checks::{self, CheckFailure, json_path};
use crate::client::{ApiRequest, RequestBody};
use crate::secrets::Secret;
use crate::world::{CustomerUnderTest, MagentoWorld, NotRunStep};

#[given(regex = r"^(?:the tutorial's create-customer request body|the request body):$")]
async fn request_body(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    world.body = Some(docstring_json(world, step)?);
    Ok(())
}

#[given(regex = r"^the body uses a fresh email address and a password that meets the store's policy$")]
async fn fresh_credentials(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let body = world.body_mut()?;
    let email = ctx.fresh_email();
    let password = ctx.fresh_password();
    let customer = body
        .get_mut("customer")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| StepError::Feature("the body has no \"customer\" object".into()))?;
    customer.insert("email".into(), Value::from(email.clone()));
    body["password"] = Value::from(password.expose());
    world.customer = Some(CustomerUnderTest {
        email,
        password: Some(password),
        id: None,
        created: None,
        token: None,
    });
    Ok(())
}

/// Who sends a request: decides the `Authorization` header.
pub(crate) fn bearer_for(world: &MagentoWorld, actor: &str) -> Result<Option<Secret>, StepError> {
    match actor {
        "a guest" => Ok(None),
        "the admin" => world.admin_token().map(Some),
        "a client with an invalid token" => Ok(Some(Secret::new(format!("{}.invalid.token", world.ctx().run_id)))),
        "the customer" => world
            .customer()?
            .token
            .clone()
            .map(Some)
            .ok_or_else(|| StepError::Scenario("the customer has no access token yet".into())),
        other => Err(StepError::Feature(format!("unknown actor {other:?}"))),
    }
}

#[when(regex = r"^(a guest|the admin|the customer|a client with an invalid token) sends ([A-Z]+) (\S+)$")]
async fn send(world: &mut MagentoWorld, actor: String, method: String, path: String) -> Result<(), StepError> {
    let body = world.body.clone().map(RequestBody::Json);
    send_request(world, &actor, &method, &path, false, body).await
}

/// Sends to a path from `/rest` on (`{{store}}` is the configured store code), for the URL-form
/// scenarios (§1.1).
#[when(
    regex = r"^(a guest|the admin|the customer|a client with an invalid token) sends ([A-Z]+) to the full path (\S+)$"
)]
async fn send_full_path(
    world: &mut MagentoWorld,
    actor: String,
    method: String,
    path: String,
) -> Result<(), StepError> {
    let store = world.ctx().config.store_code.clone();
    let body = world.body.clone().map(RequestBody::Json);
    send_request(world, &actor, &method, &path.replace("{{store}}", &store), true, body).await
}

/// Sends the docstring byte for byte with the given Content-Type (empty: no header), for the
/// decoding scenarios (§1.3).
#[when(
    regex = r#"^(a guest|the admin|the customer|a client with an invalid token) sends ([A-Z]+) (\S+) with Content-Type "([^"]*)" and this body:$"#
)]
async fn send_raw(
    world: &mut MagentoWorld,
    actor: String,
    method: String,
    path: String,
    content_type: String,
    step: &Step,
) -> Result<(), StepError> {
    let bytes = super::docstring(world, step)?.into_bytes();
    let content_type = (!content_type.is_empty()).then_some(content_type);
    send_request(
        world,
        &actor,
        &method,
        &path,
        false,
        Some(RequestBody::Raw { content_type, bytes }),
    )
    .await
}

async fn send_request(
    world: &mut MagentoWorld,
    actor: &str,
    method: &str,
    path: &str,
    raw_path: bool,
    body: Option<RequestBody>,
) -> Result<(), StepError> {
    let ctx = world.ctx();
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| StepError::Feature(e.to_string()))?;
    if actor == "the admin" && writes_as_own_account(&method, path) {
        return Err(StepError::Feature(format!(
            "{method} {path} is never sent with the admin token: a full-rights admin passes `self` there and creates a customer (CONTRACT.md §1.5, §6.1)"
        )));
    }
    let mut request = ApiRequest::new(method.clone(), expand(world, path)).bearer(bearer_for(world, actor)?.as_ref());
    request.raw_path = raw_path;
    if method == Method::POST || method == Method::PUT || matches!(body, Some(RequestBody::Raw { .. })) {
        request.body = body;
    }
    let exchange = ctx.client.send(request).await?;
    if method == Method::POST && path.ends_with("/V1/customers") {
        remember_created_customer(world, exchange.status, exchange.json().as_ref());
    }
    world.last = Some(exchange);
    Ok(())
}

/// `PUT /V1/customers/me` (any store code, with or without `/index.php`): with an admin token
/// of a full-rights role it reaches `save` without an id, which creates a customer.
fn writes_as_own_account(method: &Method, path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    method == Method::PUT && path.ends_with("/V1/customers/me")
}

/// Registers a customer the store created for clean-up, whatever the scenario checks next.
pub(crate) fn remember_created_customer(world: &mut MagentoWorld, status: u16, body: Option<&Value>) {
    let Some(body) = body.filter(|_| status == 200) else {
        return;
    };
    let Some(id) = body.get("id").and_then(Value::as_i64) else {
        return;
    };
    let email = body.get("email").and_then(Value::as_str).unwrap_or_default().to_owned();
    world.created.push((id, email.clone()));
    if let Some(customer) = world.customer.as_mut().filter(|c| c.email.eq_ignore_ascii_case(&email)) {
        customer.id = Some(id);
        customer.created = Some(body.clone());
    }
}

#[then(regex = r"^the response status is (\d{3})$")]
async fn status_is(world: &mut MagentoWorld, status: u16) -> Result<(), StepError> {
    let exchange = world.last()?;
    checked(world, checks::expect_status(exchange, status))
}

#[then(regex = r#"^the response matches the "([a-z_-]+)" schema$"#)]
async fn matches_schema(world: &mut MagentoWorld, schema: String) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    checked(
        world,
        world.ctx().schemas.validate(&schema, &json).map_err(CheckFailure::from),
    )
}

#[then(regex = r"^the response has these values:$")]
async fn has_values(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| StepError::Feature("this step needs a | path | value | table".into()))?;
    for row in table.rows.iter().skip(1) {
        let [path, literal] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs two cells (path, JSON value): {row:?}"
            )));
        };
        let expected: Value = serde_json::from_str(&expand(world, literal)).map_err(|e| {
            StepError::Feature(format!(
                "{path}: {literal:?} is not a JSON literal ({e}); quote strings"
            ))
        })?;
        let received = json_path::lookup(&json, path);
        if received != Some(&expected) {
            return checked(
                world,
                Err(CheckFailure::Value {
                    path: path.clone(),
                    expected: describe(&expected),
                    received: received
                        .map(describe)
                        .unwrap_or_else(|| "nothing (the key is absent)".into()),
                }),
            );
        }
    }
    Ok(())
}

fn describe(value: &Value) -> String {
    format!("{} ({})", value, json_path::type_name(value))
}

#[then(regex = r#"^the response has no "([^"]+)" key$"#)]
async fn has_no_key(world: &mut MagentoWorld, path: String) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    match json_path::lookup(&json, &path) {
        None => Ok(()),
        Some(value) => checked(
            world,
            Err(CheckFailure::Value {
                path,
                expected: "no such key".into(),
                received: describe(value),
            }),
        ),
    }
}

#[then(regex = r"^the error body is:$")]
async fn error_body_is(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let expected = docstring_json(world, step)?;
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    checked(world, checks::expect_error_body(&json, &expected))?;
    checked(
        world,
        world.ctx().schemas.validate("error", &json).map_err(CheckFailure::from),
    )
}

#[then(regex = r"^the response body is:$")]
async fn body_is(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let expected = docstring_json(world, step)?;
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    if json != expected {
        return checked(
            world,
            Err(CheckFailure::Body(format!(
                "response body differs:\n{}",
                checks::unified_diff(&checks::canonical_json(&expected), &checks::canonical_json(&json))
            ))),
        );
    }
    Ok(())
}

#[then(regex = r#"^the response Content-Type is "([^"]+)"$"#)]
async fn content_type_is(world: &mut MagentoWorld, expected: String) -> Result<(), StepError> {
    let received = world.last()?.header("content-type").unwrap_or("(none)").to_owned();
    if received.eq_ignore_ascii_case(&expected) {
        Ok(())
    } else {
        checked(
            world,
            Err(CheckFailure::Value {
                path: "Content-Type header".into(),
                expected,
                received,
            }),
        )
    }
}

/// Version-dependent wording (§9.9, §10): the rows whose version range contains the configured
/// MAGENTO_VERSION are accepted; a bare `2.4` accepts every 2.4.x row.
#[then(regex = r"^the error body is the one documented for the configured Magento version:$")]
async fn versioned_error_body(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let version = world.ctx().config.magento_version.clone();
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| StepError::Feature("this step needs a | versions | body | table".into()))?;
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let mut failures = Vec::new();
    for row in table.rows.iter().skip(1) {
        let [range, body] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs two cells (versions, body): {row:?}"
            )));
        };
        if !crate::checks::version::range_matches(range, &version)
            .map_err(|e| StepError::Feature(format!("versions {range:?}: {e}")))?
        {
            continue;
        }
        let expected: Value = serde_json::from_str(&expand(world, body))
            .map_err(|e| StepError::Feature(format!("body for {range}: {e}")))?;
        match checks::expect_error_body(&json, &expected) {
            Ok(()) => {
                return checked(
                    world,
                    world.ctx().schemas.validate("error", &json).map_err(CheckFailure::from),
                );
            }
            Err(failure) => failures.push(format!("as documented for {range}: {failure}")),
        }
    }
    if failures.is_empty() {
        return Err(StepError::Feature(format!(
            "no row applies to MAGENTO_VERSION={version}"
        )));
    }
    checked(world, Err(CheckFailure::Body(failures.join("\n"))))
}

/// A `self` route called with the admin token: the answer depends on the admin's role
/// (`checks::admin_role`); the docstring maps each role to its status and error body.
#[then(regex = r"^the answer is the one Magento gives the admin's role:$")]
async fn answer_for_the_admin_role(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let answers: std::collections::BTreeMap<AdminRole, RoleAnswer> =
        serde_json::from_value(docstring_json(world, step)?).map_err(|e| {
            StepError::Feature(format!(
                "the docstring must map \"all resources\" and \"restricted\" to {{\"status\", \"body\"}}: {e}"
            ))
        })?;
    let answers: Vec<_> = answers.into_iter().collect();
    let exchange = world.last()?;
    let json = checked(world, checks::expect_json_content_type(exchange))?;
    let role = checked(world, expect_answer_for_a_role(exchange.status, &json, &answers))?;
    checked(
        world,
        world.ctx().schemas.validate("error", &json).map_err(CheckFailure::from),
    )?;
    checked(world, world.ctx().record_admin_role(role))
}

#[then(regex = r#"^the response matches the snapshot "([a-z0-9_]+)"$"#)]
async fn matches_snapshot(world: &mut MagentoWorld, name: String) -> Result<(), StepError> {
    let ctx = world.ctx();
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let outcome = checked(world, ctx.snapshots.check(&name, &json))?;
    // A new profile's first run: nothing to compare with, which is no failure (STORES.md C8).
    if let Some(reason) = outcome.not_run_reason() {
        ctx.record_not_run_step(NotRunStep {
            scenario: world.scenario.clone(),
            step: format!("the response matches the snapshot {name:?}"),
            reason,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_put_to_the_own_account_route_is_guarded() {
        for path in [
            "/V1/customers/me",
            "/V1/customers/me/",
            "/rest/all/V1/customers/me",
            "/index.php/rest/default/V1/customers/me?x=1",
        ] {
            assert!(writes_as_own_account(&Method::PUT, path), "{path}");
        }
        assert!(!writes_as_own_account(&Method::GET, "/V1/customers/me"));
        assert!(!writes_as_own_account(&Method::PUT, "/V1/customers/{{customer_id}}"));
        assert!(!writes_as_own_account(&Method::PUT, "/V1/customers/me/billingAddress"));
    }
}
