//! Step definitions: thin glue from Gherkin to the client and the checks. A step parses its
//! arguments, sends a request or calls a check, and stores what later steps need.

mod admin;
mod body;
mod customer;
mod drift;
mod request;
mod token;

use cucumber::gherkin::Step;
use serde_json::Value;

use crate::checks::CheckFailure;
use crate::client::{Exchange, TransportError};
use crate::world::MagentoWorld;

/// Why a step failed. `Display` is what the user reads under the step.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A contract check failed on a response; shows the request and how to repeat it.
    #[error("{failure}\n  request: {request}\n  reproduce: {curl}")]
    Check {
        failure: CheckFailure,
        request: String,
        curl: String,
    },
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// The feature file itself is wrong (bad JSON in a docstring, a missing table).
    #[error("feature file problem: {0}")]
    Feature(String),
    /// The scenario's steps are out of order or a precondition is missing.
    #[error("{0}")]
    Scenario(String),
}

/// Wraps a check's failure with the exchange it was about.
pub(crate) fn checked<T>(world: &MagentoWorld, result: Result<T, CheckFailure>) -> Result<T, StepError> {
    result.map_err(|failure| {
        let ctx = world.ctx();
        match &world.last {
            Some(exchange) => StepError::Check {
                failure,
                request: request_line(exchange),
                curl: exchange.curl(&ctx.redactor),
            },
            None => StepError::Check {
                failure,
                request: "(none)".into(),
                curl: "(none)".into(),
            },
        }
    })
}

fn request_line(exchange: &Exchange) -> String {
    format!(
        "{} {} -> {} in {} ms",
        exchange.method,
        exchange.url,
        exchange.status,
        exchange.elapsed.as_millis()
    )
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
fn docstring_content(raw: &str) -> String {
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

/// Fills `{{email}}`, `{{password}}` (the scenario customer's), `{{customer_id}}`, `{{run_id}}`, `{{email_prefix}}`, `{{store_name}}`, `{{store_id}}`, `{{website_id}}` and the
/// password policy (`{{password_min_length}}`, `{{password_classes}}`) from the run.
pub(crate) fn expand(world: &MagentoWorld, text: &str) -> String {
    let ctx = world.ctx();
    let mut out = text
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
    use super::docstring_content;

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
