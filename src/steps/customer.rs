//! Steps about the customer a scenario creates.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use serde_json::Value;

use super::request::remember_created_customer;
use super::{StepError, checked, docstring_json};
use crate::checks::{self, CheckFailure, canonical_json, unified_diff};
use crate::client::ApiRequest;
use crate::world::{CustomerUnderTest, MagentoWorld};

#[given(regex = r"^a customer created by a guest from this request body, with a fresh email and password:$")]
async fn customer_created(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let ctx = world.ctx();
    let mut body = docstring_json(world, step)?;
    let email = ctx.fresh_email();
    let password = ctx.fresh_password();
    body["customer"]["email"] = Value::from(email.clone());
    body["password"] = Value::from(password.expose());
    world.customer = Some(CustomerUnderTest {
        email,
        password: Some(password),
        id: None,
        created: None,
        token: None,
    });
    let exchange = ctx.client.send(ApiRequest::post("/V1/customers", body)).await?;
    remember_created_customer(world, exchange.status, exchange.json().as_ref());
    world.last = Some(exchange);
    let exchange = world.last()?;
    checked(world, checks::expect_status(exchange, 200))?;
    if world.customer.as_ref().and_then(|c| c.id).is_none() {
        return checked(
            world,
            Err(CheckFailure::Body("the create response has no integer \"id\" for the new customer".into())),
        );
    }
    Ok(())
}

#[then(regex = r"^the customer's default_billing and default_shipping are the first address's id, as strings$")]
async fn defaults_are_address_id(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let address_id = match json.pointer("/addresses/0/id") {
        Some(Value::Number(n)) => n.to_string(),
        other => {
            return checked(
                world,
                Err(CheckFailure::Value {
                    path: "addresses[0].id".into(),
                    expected: "an integer address id".into(),
                    received: other.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into()),
                }),
            );
        }
    };
    for key in ["default_billing", "default_shipping"] {
        let expected = Value::from(address_id.clone());
        if json.get(key) != Some(&expected) {
            return checked(
                world,
                Err(CheckFailure::Value {
                    path: key.into(),
                    expected: format!("{expected} (the first address's id as a string, CONTRACT.md §7.2)"),
                    received: json.get(key).map(|v| v.to_string()).unwrap_or_else(|| "nothing".into()),
                }),
            );
        }
    }
    Ok(())
}

/// Keys that may differ between the create response and a later read (§9.2
/// testRevokeAllAccessTokensForCustomer ignores them too).
const READ_MAY_DIFFER: &[&str] = &["updated_at", "confirmation", "custom_attributes"];

#[then(regex = r"^the response is the customer that was created$")]
async fn same_customer(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let created = world
        .customer
        .as_ref()
        .and_then(|c| c.created.clone())
        .ok_or_else(|| StepError::Scenario("no customer was created in this scenario".into()))?;
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            READ_MAY_DIFFER.iter().for_each(|k| {
                map.remove(*k);
            });
        }
        v
    };
    let (expected, received) = (strip(&created), strip(&json));
    if expected != received {
        return checked(
            world,
            Err(CheckFailure::Body(format!(
                "the customer read back differs from the one created (ignoring {READ_MAY_DIFFER:?}):\n{}",
                unified_diff(&canonical_json(&expected), &canonical_json(&received))
            ))),
        );
    }
    Ok(())
}
