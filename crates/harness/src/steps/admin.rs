//! Admin authentication steps (CONTRACT.md §3).

use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::docstring_json;
use crate::checks::envelope::expect_localized_error_body;
use crate::checks::two_factor::{documented_refusal, providers_with_google};
use crate::checks::{self, CheckFailure};
use crate::client::ApiRequest;
use crate::config::AdminAuth;
use crate::world::{MagentoWorld, StepError};

#[given(regex = r"^the admin token from the configured admin authentication$")]
async fn admin_token_configured(world: &mut MagentoWorld) -> Result<(), StepError> {
    world.admin_token().map(|_| ())
}

/// Uses the configured admin's username when there is one (a later successful sign-in resets
/// its failure count, §3.2), else a name no store has, so a real admin is never locked out.
#[when(regex = r"^a client requests an admin token with a wrong password$")]
async fn wrong_admin_password(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let username = match &ctx.config.admin {
        AdminAuth::Password { username, .. } => username.clone(),
        _ => format!("{}nobody", ctx.email_prefix()),
    };
    let wrong = ctx.fresh_password();
    world.send(ApiRequest::admin_token(&username, wrong.expose())).await?;
    Ok(())
}

#[when(regex = r"^a client requests an admin token from the integration route with the configured credentials$")]
async fn integration_route_with_valid_credentials(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let AdminAuth::Password { username, password, .. } = &ctx.config.admin else {
        return Err(StepError::Scenario(
            "this step needs MAGENTO_ADMIN_USERNAME/PASSWORD".into(),
        ));
    };
    let request = ApiRequest::admin_token(username, password.expose());
    world.send(request).await?;
    Ok(())
}

/// The 2FA refusal with the providers the store forces on the admin: the documented
/// `["google"]`, or several with google among them (STORES.md R2), reported under "Observed".
#[then(regex = r"^the error body is the two-factor refusal, its providers including google:$")]
async fn two_factor_refusal(world: &mut MagentoWorld, step: &Step) -> Result<(), StepError> {
    let documented = docstring_json(world, step)?;
    let json = world.checked(checks::expect_json_content_type(world.last()?))?;
    let ctx = world.ctx();
    let expected = documented_refusal(&documented, &json);
    world.checked(expect_localized_error_body(&json, &expected, &ctx.config.translations))?;
    world.checked(ctx.schemas.validate("error", &json).map_err(CheckFailure::from))?;
    if let Some(providers) = providers_with_google(&json) {
        ctx.observe("admin 2FA providers", providers.join(", "));
    }
    Ok(())
}
