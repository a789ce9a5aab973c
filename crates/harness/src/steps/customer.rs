//! Steps about the customer a scenario creates.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use serde_json::Value;

use super::{docstring_json, set_credentials};
use crate::checks;
use crate::checks::addresses::{self, DefaultRole, ExpectedAddress};
use crate::checks::customer::{
    CreatedCustomer, expect_created_customer, expect_rolled_back, expect_same_customer,
    expect_same_customer_from_both_forms,
};
use crate::checks::refusals::SetUp;
use crate::client::ApiRequest;
use crate::sweep::{Filter, find_customers};
use crate::world::{CustomerUnderTest, MagentoWorld, StepError};

#[given(regex = r"^a customer created by a guest from this request body, with a fresh email and password:$")]
async fn customer_created(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let ctx = world.ctx();
    let mut body = docstring_json(world, step)?;
    let (email, password) = (ctx.fresh_email(), ctx.fresh_password());
    set_credentials(&mut body, &email, &password)?;
    world.customer = Some(CustomerUnderTest::new(email.clone(), Some(password)));
    let mut request = ApiRequest::create_customer(body);
    // The store guards its create form with reCAPTCHA and the integration token is exempt
    // (STORES.md C1): the customer the scenario needs comes from it.
    if ctx.recaptcha.creates_through_admin() {
        request = request.bearer(ctx.admin_token.as_ref());
    }
    let exchange = world.send(request).await?;
    let created = exchange.json();
    ctx.record_set_up(SetUp::Create, world.last()?);
    world.checked(checks::expect_status(world.last()?, 200))?;
    world.checked(expect_created_customer(created.as_ref(), &email))
}

#[then(regex = r"^the customer's default_billing and default_shipping are the first address's id, as strings$")]
async fn defaults_are_address_id(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    for role in DefaultRole::ALL {
        world.checked(addresses::default_names_address(&json, role, 0))?;
    }
    Ok(())
}

#[then(
    regex = r#"^the customer's (default_billing|default_shipping) is the id of the address at "([^"]+)", as a string$"#
)]
async fn default_is_address(world: &mut MagentoWorld, key: String, street: String) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let role = if key == DefaultRole::Billing.key() {
        DefaultRole::Billing
    } else {
        DefaultRole::Shipping
    };
    let index = world.checked(addresses::address_index(&json, &street))?;
    world.checked(addresses::default_names_address(&json, role, index))
}

/// A `| street | default_billing | default_shipping |` table, a flag being `true` or `absent`.
#[then(regex = r"^the addresses come back in this order, with these default flags:$")]
async fn addresses_with_flags(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
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
    world.checked(addresses::addresses_match(&json, &expected))
}

#[then(regex = r"^the response is the customer that was created$")]
async fn same_customer(world: &mut MagentoWorld) -> Result<(), StepError> {
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let created = world
        .customer
        .as_ref()
        .and_then(|c| c.created.as_ref())
        .ok_or_else(|| StepError::Scenario("no customer was created in this scenario".into()))?;
    world.checked(expect_same_customer(created, &json))
}

/// A rolled-back create leaves nothing behind (§4.3 step 11): an admin search by the
/// scenario's email finds no customer. One it finds is deleted after the scenario only if it is
/// this run's: the search ignores case, so it could find someone else's `MC-…`.
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
    for customer in found.iter().filter(|c| ctx.cleanup_rule().verdict(c).is_ok()) {
        world.clean_up_later(CreatedCustomer {
            id: customer.id,
            email: customer.email.clone(),
        });
    }
    world.checked(expect_rolled_back(&email, found.first().map(|c| c.id)))
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
    let exchange = world.send(ApiRequest::create_customer(body)).await?;
    let snake = exchange.json().unwrap_or_default();
    world.checked(checks::expect_status(world.last()?, 200))?;
    world.checked(expect_same_customer_from_both_forms(&camel, &snake))
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
