//! Customer token steps (CONTRACT.md §5).

use cucumber::{given, then, when};

use crate::checks::lockout::expect_sign_in_refused;
use crate::checks::refusals::SetUp;
use crate::checks::token::token_from_body;
use crate::checks::{self, CheckFailure};
use crate::client::ApiRequest;
use crate::secrets::Secret;
use crate::world::{MagentoWorld, StepError};

/// Requests a token with the scenario customer's credentials (the client registers the token
/// it gets for redaction).
async fn request_customer_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    let customer = world.customer()?;
    let password = customer
        .password
        .as_ref()
        .ok_or_else(|| StepError::Scenario("the customer was created without a password".into()))?;
    let request = ApiRequest::customer_token(&customer.email, password.expose());
    world.send(request).await?;
    Ok(())
}

#[when(regex = r"^the customer requests an access token with their email and password$")]
async fn customer_requests_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    request_customer_token(world).await
}

#[then(regex = r"^the response is a customer access token for that customer$")]
async fn is_customer_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    world.checked(ctx.schemas.validate("token", &json).map_err(CheckFailure::from))?;
    let token = world
        .checked(token_from_body(&json).map_err(CheckFailure::from))?
        .to_owned();
    keep_customer_token(world, token, "customer token format")
}

/// Checks a customer token the store issued (header, claims, lifetime, the same for every
/// token of the run) and keeps it for the scenario's later requests; `observed_as` names the
/// route in "Observed".
pub(super) fn keep_customer_token(world: &mut MagentoWorld, token: String, observed_as: &str) -> Result<(), StepError> {
    let ctx = world.ctx();
    let customer_id = world.customer.as_ref().and_then(|c| c.id);
    let kind = world.checked(
        ctx.check_customer_token(&token, customer_id)
            .map_err(CheckFailure::from),
    )?;
    ctx.observe(observed_as, kind.describe());
    if let Some(customer) = world.customer.as_mut() {
        customer.token = Some(Secret::new(token));
    }
    Ok(())
}

#[given(regex = r"^the customer has an access token$")]
async fn customer_has_token(world: &mut MagentoWorld) -> Result<(), StepError> {
    request_customer_token(world).await?;
    world.ctx().record_set_up(SetUp::SignIn, world.last()?);
    world.checked(checks::expect_status(world.last()?, 200))?;
    is_customer_token(world).await
}

/// Fails to sign in `limit - fewer` times, where the limit is the store's
/// `oauth/authentication_lock/max_failures_count` (§5.3); each attempt must get the generic 401.
///
/// The attempts go out together, at most `MAGENTO_CONCURRENCY` at a time: Magento counts each
/// failure with one atomic `failures_count+1` (`RequestLog::incrementFailuresCount`), so their
/// order does not matter, and a lockout scenario, which runs alone, waits for one round trip
/// instead of six.
#[when(regex = r"^the customer signs in with a wrong password (\d+) times? fewer than the lockout limit$")]
async fn failed_sign_ins(world: &mut MagentoWorld, fewer: u32) -> Result<(), StepError> {
    let ctx = world.ctx();
    let limit = ctx.config.policy.max_login_failures;
    let attempts = limit
        .checked_sub(fewer)
        .ok_or_else(|| StepError::Scenario(format!("the lockout limit is {limit}, fewer than {fewer}")))?;
    let email = world.customer()?.email.clone();
    let requests = (0..attempts)
        .map(|_| ApiRequest::customer_token(&email, ctx.fresh_password().expose()))
        .collect();
    let mut attempt = 0;
    world
        .send_all(requests, |exchange| {
            attempt += 1;
            expect_sign_in_refused(exchange, attempt, attempts, &ctx.config.translations)
        })
        .await
}
