//! Steps that change the prepared request body, one documented rule at a time.

use cucumber::given;
use rand::Rng;
use serde_json::Value;

use super::expand;
use crate::checks::json_path;
use crate::secrets::Secret;
use crate::world::{CustomerUnderTest, MagentoWorld, StepError};

#[given(regex = r#"^in the body, "([^"]+)" is set to (.+)$"#)]
async fn set_value(world: &mut MagentoWorld, path: String, literal: String) -> Result<(), StepError> {
    let value: Value = serde_json::from_str(&expand(world, &literal))
        .map_err(|e| StepError::Feature(format!("{literal:?} is not a JSON literal ({e}); quote strings")))?;
    json_path::set(world.body_mut()?, &path, value).map_err(StepError::Feature)
}

#[given(regex = r#"^in the body, "([^"]+)" is (\d+) times the character "(.)"$"#)]
async fn set_long_string(world: &mut MagentoWorld, path: String, count: usize, ch: String) -> Result<(), StepError> {
    json_path::set(world.body_mut()?, &path, Value::from(ch.repeat(count))).map_err(StepError::Feature)
}

/// Removes one key, or several separated by commas.
#[given(regex = r#"^in the body, "([^"]+)" (?:is|are) removed$"#)]
async fn remove_value(world: &mut MagentoWorld, paths: String) -> Result<(), StepError> {
    let body = world.body_mut()?;
    for path in paths.split(',').map(str::trim) {
        json_path::remove(body, path).map_err(StepError::Feature)?;
    }
    Ok(())
}

#[given(regex = r"^the body uses a fresh email address$")]
async fn fresh_email(world: &mut MagentoWorld) -> Result<(), StepError> {
    let email = world.ctx().fresh_email();
    json_path::set(world.body_mut()?, "customer.email", Value::from(email.clone())).map_err(StepError::Feature)?;
    let password = world
        .body
        .as_ref()
        .and_then(|b| b.get("password"))
        .and_then(Value::as_str)
        .map(Secret::new);
    if let Some(password) = &password {
        world.ctx().redactor.register(password);
    }
    world.customer = Some(CustomerUnderTest::new(email, password));
    Ok(())
}

#[given(regex = r"^in the body, the customer's date of birth is one month from today$")]
async fn dob_in_future(world: &mut MagentoWorld) -> Result<(), StepError> {
    let dob = (chrono::Utc::now() + chrono::Duration::days(31))
        .format("%Y-%m-%d")
        .to_string();
    json_path::set(world.body_mut()?, "customer.dob", Value::from(dob)).map_err(StepError::Feature)
}

/// The e-mail as a password of four character classes: Magento compares the two with
/// `strcasecmp`, so the lower-case local part (letters, digits, `-`) and the upper-case domain
/// still equal the e-mail, and no earlier classes rule fires (STORES.md U1).
fn mixed_case_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}@{}", local.to_ascii_lowercase(), domain.to_ascii_uppercase()),
        None => email.to_ascii_uppercase(),
    }
}

/// Passwords that break exactly one rule of the configured policy (CONTRACT.md §4.3 step 3).
#[given(
    regex = r"^the body's password is (too short|of too few character classes|led by a space|followed by a space|longer than 256 characters|the same as the email)$"
)]
async fn weak_password(world: &mut MagentoWorld, kind: String) -> Result<(), StepError> {
    let email = world
        .body
        .as_ref()
        .and_then(|b| json_path::lookup(b, "customer.email"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let secret = password_breaking(world, &kind, email.as_deref())?;
    json_path::set(world.body_mut()?, "password", Value::from(secret.expose())).map_err(StepError::Feature)
}

/// A password that breaks exactly the rule `kind` of the configured policy, registered for
/// redaction; the e-mail rule needs the e-mail the request sends.
pub(super) fn password_breaking(world: &MagentoWorld, kind: &str, email: Option<&str>) -> Result<Secret, StepError> {
    let ctx = world.ctx();
    let policy = &ctx.config.policy;
    let strong = ctx.fresh_password();
    let password = match kind {
        "too short" => {
            if policy.password_min_length < 2 {
                return Err(StepError::Scenario(
                    "MAGENTO_PASSWORD_MIN_LENGTH is 1: no password is too short".into(),
                ));
            }
            strong
                .expose()
                .chars()
                .take(policy.password_min_length - 1)
                .collect::<String>()
        }
        "of too few character classes" => {
            if policy.password_required_classes < 2 {
                return Err(StepError::Scenario(
                    "MAGENTO_PASSWORD_CLASSES is 1: every password has enough classes".into(),
                ));
            }
            // Lower case, then digits, then upper case: one class short of the requirement.
            let pools = ["abcdefghijkmnpqrstuvwxyz", "23456789", "ABCDEFGHJKLMNPQRSTUVWXYZ"];
            let mut rng = rand::rng();
            let used = &pools[..policy.password_required_classes - 1];
            (0..policy.password_min_length.max(12))
                .map(|i| {
                    let pool = used[i % used.len()].as_bytes();
                    pool[rng.random_range(0..pool.len())] as char
                })
                .collect()
        }
        "led by a space" => format!(" {}", strong.expose()),
        "followed by a space" => format!("{} ", strong.expose()),
        "longer than 256 characters" => strong.expose().chars().cycle().take(257).collect(),
        _ => mixed_case_email(
            email.ok_or_else(|| StepError::Scenario("the request has no customer e-mail to copy".into()))?,
        ),
    };
    let secret = Secret::new(password);
    ctx.redactor.register(&secret);
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::mixed_case_email;

    #[test]
    fn the_email_as_a_password_has_all_four_classes_and_equals_it_ignoring_case() {
        let email = "mc-abcd1234-7@example.com";
        let password = mixed_case_email(email);
        assert_eq!(password, "mc-abcd1234-7@EXAMPLE.COM");
        assert!(password.eq_ignore_ascii_case(email));
        assert!(password.chars().any(|c| c.is_ascii_lowercase()));
        assert!(password.chars().any(|c| c.is_ascii_uppercase()));
        assert!(password.chars().any(|c| c.is_ascii_digit()));
        assert!(password.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
