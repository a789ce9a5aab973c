//! Steps about the customer a scenario creates.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use serde_json::Value;

use super::request::remember_created_customer;
use super::{StepError, checked, docstring_json};
use crate::checks::addresses::{self, DefaultRole, ExpectedAddress};
use crate::checks::snapshot::redact_volatile;
use crate::checks::{self, CheckFailure, canonical_json, unified_diff};
use crate::client::ApiRequest;
use crate::sweep::{Filter, find_customers};
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
            Err(CheckFailure::Body(
                "the create response has no integer \"id\" for the new customer".into(),
            )),
        );
    }
    Ok(())
}

#[then(regex = r"^the customer's default_billing and default_shipping are the first address's id, as strings$")]
async fn defaults_are_address_id(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    for role in DefaultRole::ALL {
        checked(world, addresses::default_names_address(&json, role, 0))?;
    }
    Ok(())
}

#[then(
    regex = r#"^the customer's (default_billing|default_shipping) is the id of the address at "([^"]+)", as a string$"#
)]
async fn default_is_address(world: &mut MagentoWorld, key: String, street: String) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let role = if key == DefaultRole::Billing.key() {
        DefaultRole::Billing
    } else {
        DefaultRole::Shipping
    };
    let index = checked(world, addresses::address_index(&json, &street))?;
    checked(world, addresses::default_names_address(&json, role, index))
}

/// A `| street | default_billing | default_shipping |` table, a flag being `true` or `absent`.
#[then(regex = r"^the addresses come back in this order, with these default flags:$")]
async fn addresses_with_flags(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let json = checked(world, checks::expect_json_content_type(world.last()?))?;
    let table = step.table.as_ref().ok_or_else(|| {
        StepError::Feature("this step needs a | street | default_billing | default_shipping | table".into())
    })?;
    let flag = |cell: &str| match cell {
        "true" => Ok(true),
        "absent" => Ok(false),
        other => Err(StepError::Feature(format!(
            "a default flag is `true` or `absent`, not {other:?}"
        ))),
    };
    let mut expected = Vec::new();
    for row in table.rows.iter().skip(1) {
        let [street, billing, shipping] = row.as_slice() else {
            return Err(StepError::Feature(format!(
                "a row needs three cells (street, default_billing, default_shipping): {row:?}"
            )));
        };
        expected.push(ExpectedAddress {
            street: street.clone(),
            default_billing: flag(billing)?,
            default_shipping: flag(shipping)?,
        });
    }
    checked(world, addresses::addresses_match(&json, &expected))
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

/// A rolled-back create leaves nothing behind (§4.3 step 11): an admin search by the
/// scenario's email finds no customer.
#[then(regex = r"^no customer with the scenario's email exists$")]
async fn no_customer_with_email(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let admin = world.admin_token()?;
    let email = world.customer()?.email.clone();
    let filters = [Filter {
        field: "email",
        condition: "eq",
        value: email.clone(),
    }];
    let found = find_customers(&ctx.client, &admin, &filters)
        .await
        .map_err(StepError::Scenario)?;
    if let Some(customer) = found.first() {
        world.created.push((customer.id, customer.email.clone()));
        return checked(
            world,
            Err(CheckFailure::Body(format!(
                "customer {email} (id {}) exists, but Magento deletes a customer whose address is rejected",
                customer.id
            ))),
        );
    }
    Ok(())
}

/// Nested keys bind by setter name, so camelCase and snake_case create the same customer
/// (§2.4, §10).
#[then(regex = r"^the snake_case form of the same body creates the same customer$")]
async fn snake_case_same_customer(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let camel = world
        .last()?
        .json()
        .ok_or_else(|| StepError::Scenario("the first create did not answer JSON".into()))?;
    let mut body = snake_case_keys(
        world
            .body
            .as_ref()
            .ok_or_else(|| StepError::Scenario("no request body in this scenario".into()))?,
    );
    body["customer"]["email"] = Value::from(ctx.fresh_email());
    let exchange = ctx.client.send(ApiRequest::post("/V1/customers", body)).await?;
    remember_created_customer(world, exchange.status, exchange.json().as_ref());
    world.last = Some(exchange);
    checked(world, checks::expect_status(world.last()?, 200))?;
    let snake = world.last()?.json().unwrap_or_default();
    let (expected, received) = (redact_volatile(&camel), redact_volatile(&snake));
    if expected != received {
        return checked(
            world,
            Err(CheckFailure::Body(format!(
                "the snake_case body created a different customer than the camelCase one:\n{}",
                unified_diff(&canonical_json(&expected), &canonical_json(&received))
            ))),
        );
    }
    Ok(())
}

fn snake_case_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (snake_case(k), snake_case_keys(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(snake_case_keys).collect()),
        other => other.clone(),
    }
}

fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn camel_case_keys_become_snake_case() {
        assert_eq!(
            snake_case_keys(
                &json!({"customer": {"addresses": [{"defaultShipping": true, "region": {"regionId": 43}}]}})
            ),
            json!({"customer": {"addresses": [{"default_shipping": true, "region": {"region_id": 43}}]}})
        );
    }
}
