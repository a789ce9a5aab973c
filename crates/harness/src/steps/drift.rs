//! Documented vs observed (the tutorial's responses, the store's own Swagger), with the
//! accepted-drift baseline deciding what fails.

use cucumber::gherkin::Step;
use cucumber::then;

use super::docstring_json;
use crate::checks::drift::{compare, documented_diff, expect_no_new_drift, self_contradictions};
use crate::checks::graphql::parse_document;
use crate::checks::published_schema::cross_check;
use crate::checks::store_identity::StoreIdentity;
use crate::checks::{self, CheckFailure};
use crate::world::{MagentoWorld, StepError};

#[then(regex = r#"^the response differs from the documented "([a-z0-9-]+)" response only by accepted drift:$"#)]
async fn documented_response(world: &mut MagentoWorld, document: String, step: &Step) -> Result<(), StepError> {
    let ctx = world.ctx();
    // The tutorial shows a stock store: its name, ids, group and address become this store's
    // (C5, C6, U3); the fields the run added for required attributes are its own (U4).
    let identity = StoreIdentity::from(&ctx.profile);
    let documented = identity.substitute_into(&docstring_json(world, step)?);
    let observed = identity.without_sent_extras(&world.checked(checks::expect_json_content_type(world.last()?))?);
    let mut differences = compare(&documented, &observed);
    // A documented GraphQL request and its response on the same page must agree (GRAPHQL.md §8).
    if let Some(input) = world
        .documented_request
        .as_deref()
        .and_then(|text| parse_document(text).ok())
        .map(|d| d.create_input)
    {
        differences.extend(self_contradictions(&input, &documented));
    }
    let diff = documented_diff(&documented, &observed);
    if !differences.is_empty() {
        ctx.record_drift_diff(&document, diff.clone());
    }
    let new = ctx.record_drift(&document, &world.scenario, differences);
    world.checked(expect_no_new_drift(&document, &new, &diff))
}

#[then(regex = r"^the store's own definitions differ from schemas/ only by accepted drift$")]
async fn live_schema(world: &mut MagentoWorld) -> Result<(), StepError> {
    let ctx = world.ctx();
    let swagger = world.checked(checks::expect_json_content_type(world.last()?))?;
    let differences = cross_check(&swagger, |name| ctx.schemas.source(name))
        .map_err(|problem| world.failed_without_request(CheckFailure::Body(problem)))?;
    let new = ctx.record_drift("live-schema", &world.scenario, differences);
    world.checked(expect_no_new_drift("live-schema", &new, ""))
}
