//! Step definitions: thin glue from Gherkin to the World and the checks. A step parses its
//! arguments, sends a request through [`MagentoWorld::send`] or calls a check from
//! [`crate::checks`], and stores what later steps need. The logic of a check lives in `checks`,
//! with its unit tests; a step only feeds it.

mod admin;
mod body;
mod customer;
mod drift;
mod graphql;
mod request;
mod token;

use cucumber::gherkin::Step;
use serde_json::Value;

use crate::secrets::Secret;
use crate::world::{MagentoWorld, StepError};

/// Puts a customer's credentials into a create-customer body (`customer.email`, `password`).
pub(crate) fn set_credentials(body: &mut Value, email: &str, password: &Secret) -> Result<(), StepError> {
    let customer = body
        .get_mut("customer")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| StepError::Feature("the body has no \"customer\" object".into()))?;
    customer.insert("email".into(), Value::from(email));
    body["password"] = Value::from(password.expose());
    Ok(())
}

/// The step's docstring, with `{{placeholders}}` filled in.
pub(crate) fn docstring(world: &MagentoWorld, step: &Step) -> Result<String, StepError> {
    step.docstring
        .as_deref()
        .map(|text| expand(world, &docstring_content(text)))
        .ok_or_else(|| StepError::Feature(format!("step {:?} needs a docstring", step.value)))
}

/// The parser hands over a docstring with its media-type line (`"""json`) and, when that line
/// is present, with the indentation of the feature file: drop the one, strip the other.
pub(crate) fn docstring_content(raw: &str) -> String {
    let (first, rest) = raw.split_once('\n').unwrap_or((raw, ""));
    let is_media_type = !first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric() || "/+.-_".contains(c));
    let body = if first.trim().is_empty() || is_media_type {
        rest
    } else {
        raw
    };
    let indent = body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = body.lines().map(|l| l.get(indent..).unwrap_or("")).collect();
    lines.join("\n").trim_end().to_owned()
}

pub(crate) fn docstring_json(world: &MagentoWorld, step: &Step) -> Result<Value, StepError> {
    let text = docstring(world, step)?;
    serde_json::from_str(&text)
        .map_err(|e| StepError::Feature(format!("the docstring of {:?} is not JSON: {e}", step.value)))
}

/// Fills `{{email}}`, `{{password}}` (the scenario customer's), `{{customer_id}}`, `{{run_id}}`, `{{email_prefix}}`, `{{store_name}}`, `{{store_id}}`, `{{website_id}}`,
/// `{{default_group_id}}`, the store's address (`{{address.city}}` and the other fields of
/// `MAGENTO_ADDRESS`) and the password policy (`{{password_min_length}}`,
/// `{{password_classes}}`) from the run.
pub(crate) fn expand(world: &MagentoWorld, text: &str) -> String {
    let ctx = world.ctx();
    let address = &ctx.config.policy.address;
    let mut out = text
        .replace("{{default_group_id}}", &ctx.config.policy.default_group_id.to_string())
        .replace("{{missing_group_id}}", &ctx.profile.missing_group_id.to_string())
        .replace("{{address.country_id}}", &address.country_id)
        .replace("{{address.region_id}}", &address.region_id.to_string())
        .replace("{{address.region_code}}", &address.region_code)
        .replace("{{address.region}}", &address.region)
        .replace("{{address.postcode}}", &address.postcode)
        .replace("{{address.city}}", &address.city)
        .replace("{{address.telephone}}", &address.telephone)
        .replace("{{run_id}}", &ctx.run_id)
        .replace("{{email_prefix}}", &ctx.email_prefix())
        .replace("{{store_name}}", &ctx.config.policy.store_name)
        .replace("{{store_id}}", &ctx.config.policy.store_id.to_string())
        .replace("{{website_id}}", &ctx.config.policy.website_id.to_string())
        .replace(
            "{{password_min_length}}",
            &ctx.config.policy.password_min_length.to_string(),
        )
        .replace(
            "{{password_classes}}",
            &ctx.config.policy.password_required_classes.to_string(),
        );
    if let Some(customer) = &world.customer {
        out = out.replace("{{email}}", &customer.email);
        if let Some(password) = &customer.password {
            out = out.replace("{{password}}", password.expose());
        }
        if let Some(id) = customer.id {
            out = out.replace("{{customer_id}}", &id.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{docstring_content, set_credentials};
    use crate::secrets::Secret;
    use serde_json::json;

    #[test]
    fn credentials_go_into_the_customer_and_beside_it() {
        let mut body = json!({"customer": {"firstname": "Jane"}});
        set_credentials(&mut body, "a@example.com", &Secret::new("Pw1!long-enough")).unwrap();
        assert_eq!(
            body,
            json!({"customer": {"firstname": "Jane", "email": "a@example.com"}, "password": "Pw1!long-enough"})
        );
        let failure = set_credentials(&mut json!({"firstname": "Jane"}), "a@example.com", &Secret::new("p"));
        assert!(failure.unwrap_err().to_string().contains("no \"customer\" object"));
    }

    #[test]
    fn docstrings_lose_their_media_type_line_and_indentation() {
        assert_eq!(
            docstring_content("json\n      {\n        \"a\": 1\n      }\n"),
            "{\n  \"a\": 1\n}"
        );
        assert_eq!(docstring_content("\n  \"just a string\"\n"), "\"just a string\"");
        assert_eq!(docstring_content("{\"a\": 1}"), "{\"a\": 1}");
    }
}
