//! Generic steps: send a request as someone, check status, schema, values, error body, snapshot.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::Value;

use super::{docstring_json, expand, set_credentials};
use crate::checks::admin_role::{AdminRole, RoleAnswer, expect_answer_for_a_role};
use crate::checks::envelope::{differs_only_in_wording, expect_localized_error_body, expect_one_of_error_bodies};
use crate::checks::response::{expect_content_type, expect_equal, expect_no_key, expect_values};
use crate::checks::{self, CheckFailure};
use crate::client::{ApiRequest, RequestBody};
use crate::secrets::Secret;
use crate::version::VersionRange;
use crate::world::{CustomerUnderTest, MagentoWorld, NotRunStep, RunContext, StepError};

#[given(regex = r"^(?:the tutorial's create-customer request body|the request body):$")]
async fn request_body(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    world.body = Some(docstring_json(world, step)?);
    Ok(())
}

#[given(regex = r"^the body uses a fresh email address and a password that meets the store's policy$")]
async fn fresh_credentials(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let (email, password) = (ctx.fresh_email(), ctx.fresh_password());
    set_credentials(world.body_mut()?, &email, &password)?;
    world.customer = Some(CustomerUnderTest::new(email, Some(password)));
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
    let method = Method::from_bytes(method.as_bytes()).map_err(|e| StepError::Feature(e.to_string()))?;
    let mut request = ApiRequest::new(method.clone(), expand(world, path));
    request.raw_path = raw_path;
    if actor == "the admin" && request.writes_own_account() {
        return Err(StepError::Feature(format!(
            "{method} {path} is never sent with the admin token: a full-rights admin passes `self` there and creates a customer (CONTRACT.md §1.5, §6.1)"
        )));
    }
    request = request.bearer(bearer_for(world, actor)?.as_ref());
    if method == Method::POST || method == Method::PUT || matches!(body, Some(RequestBody::Raw { .. })) {
        request.body = body;
    }
    world.send(request).await?;
    Ok(())
}

#[then(regex = r"^the response status is (\d{3})$")]
async fn status_is(world: &mut MagentoWorld, status: u16) -> Result<(), StepError> {
    world.checked(checks::expect_status(world.last()?, status))
}

#[then(regex = r#"^the response matches the "([a-z_-]+)" schema$"#)]
async fn matches_schema(world: &mut MagentoWorld, schema: String) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    world.checked(world.ctx().schemas.validate(&schema, &json).map_err(CheckFailure::from))
}

/// A `| path | value |` table, each value a JSON literal.
#[then(regex = r"^the response has these values:$")]
async fn has_values(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| StepError::Feature("this step needs a | path | value | table".into()))?;
    let mut expected = Vec::new();
    for row in table.rows.iter().skip(1) {
        let [path, literal] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs two cells (path, JSON value): {row:?}"
            )));
        };
        let value: Value = serde_json::from_str(&expand(world, literal)).map_err(|e| {
            StepError::Feature(format!(
                "{path}: {literal:?} is not a JSON literal ({e}); quote strings"
            ))
        })?;
        expected.push((path.clone(), value));
    }
    world.checked(expect_values(&json, &expected))
}

#[then(regex = r#"^the response has no "([^"]+)" key$"#)]
async fn has_no_key(world: &mut MagentoWorld, path: String) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    world.checked(expect_no_key(&json, &path))
}

#[then(regex = r"^the error body is:$")]
async fn error_body_is(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let expected = docstring_json(world, step)?;
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let ctx = world.ctx();
    let matched = expect_localized_error_body(&json, &expected, &ctx.config.translations);
    if matched.is_err() {
        hint_if_other_language(&ctx, &json, [&expected]).await;
    }
    world.checked(matched)?;
    world.checked(ctx.schemas.validate("error", &json).map_err(CheckFailure::from))
}

/// Without `MAGENTO_TRANSLATIONS`, a body that is a documented one in other words is a store
/// view in another language: said once for the run (STORES.md C2).
async fn hint_if_other_language<'a>(
    ctx: &RunContext,
    observed: &Value,
    documented: impl IntoIterator<Item = &'a Value>,
) {
    if ctx.config.translations.is_empty()
        && documented
            .into_iter()
            .any(|expected| differs_only_in_wording(observed, expected))
    {
        ctx.hint_other_language();
    }
}

#[then(regex = r"^the response body is:$")]
async fn body_is(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let expected = docstring_json(world, step)?;
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    world.checked(expect_equal(&expected, &json, "response body differs"))
}

#[then(regex = r#"^the response Content-Type is "([^"]+)"$"#)]
async fn content_type_is(world: &mut MagentoWorld, expected: String) -> Result<(), StepError> {
    world.checked(expect_content_type(world.last()?, &expected))
}

/// Version-dependent wording (§9.9, §10): the rows whose range holds a release the configured
/// MAGENTO_VERSION may be are accepted; `2.4` accepts every 2.4 row, and an unset one every row
/// from the oldest release the suite assumes on.
#[then(regex = r"^the error body is the one documented for the configured Magento version:$")]
async fn versioned_error_body(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let configured = world.ctx().config.magento_version;
    let possible = VersionRange::possible(configured.as_ref());
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| StepError::Feature("this step needs a | versions | body | table".into()))?;
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let mut documented = Vec::new();
    for row in table.rows.iter().skip(1) {
        let [range, body] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs two cells (versions, body): {row:?}"
            )));
        };
        let rows_range: VersionRange = range
            .parse()
            .map_err(|e| StepError::Feature(format!("versions {range:?}: {e}")))?;
        if !rows_range.overlaps(&possible) {
            continue;
        }
        let expected: Value = serde_json::from_str(&expand(world, body))
            .map_err(|e| StepError::Feature(format!("body for {range}: {e}")))?;
        documented.push((range.clone(), expected));
    }
    if documented.is_empty() {
        return Err(StepError::Feature(format!(
            "no row applies to MAGENTO_VERSION={}",
            configured.map_or_else(|| "(unset)".to_owned(), |v| v.to_string())
        )));
    }
    let ctx = world.ctx();
    let matched = expect_one_of_error_bodies(&json, &documented, &ctx.config.translations);
    if matched.is_err() {
        hint_if_other_language(&ctx, &json, documented.iter().map(|(_, body)| body)).await;
    }
    world.checked(matched)?;
    world.checked(world.ctx().schemas.validate("error", &json).map_err(CheckFailure::from))
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
    let translations = &world.ctx().config.translations;
    let answers: Vec<_> = answers
        .into_iter()
        .map(|(role, answer)| {
            let body = translations.error_body(&answer.body);
            (role, RoleAnswer { body, ..answer })
        })
        .collect();
    let exchange = world.last()?;
    let json = world.checked(checks::expect_json_content_type(exchange))?;
    let role = world.checked(expect_answer_for_a_role(exchange.status, &json, &answers))?;
    world.checked(world.ctx().schemas.validate("error", &json).map_err(CheckFailure::from))?;
    world.checked(world.ctx().record_admin_role(role))
}

#[then(regex = r#"^the response matches the snapshot "([a-z0-9_]+)"$"#)]
async fn matches_snapshot(world: &mut MagentoWorld, name: String) -> Result<(), StepError> {
    let ctx = world.ctx();
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let outcome = world.checked(ctx.snapshots.check(&name, &json))?;
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
