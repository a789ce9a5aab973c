//! Admin authentication steps (CONTRACT.md §3).

use cucumber::{given, when};

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
