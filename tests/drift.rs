//! Documented vs observed: exactly the accepted drift against a 2.4.8-like store, none against
//! a store that answers like the tutorial, a failure naming the path for anything new, and the
//! live schema cross-check against published and modified definitions.

mod common;

use std::time::Duration;

use common::{RunResult, env_for, run_binary};
use magento_reference::{ReferenceMagento, RunningReference, StoreSettings, TokenFormat};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(90);

async fn run_drift(server: &RunningReference, extra: &[(&str, &str)]) -> (RunResult, Vec<Value>) {
    let mut env = env_for(server);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let result = run_binary(&["run", "--color", "never", "--tags", "@drift"], &env, LIMIT).await;
    let report = std::fs::read_to_string(result.report_dir.join("drift.json"))
        .unwrap_or_else(|e| panic!("drift.json: {e}\n{}", result.output()));
    let records: Vec<Value> = serde_json::from_str(&report).unwrap();
    (result, records)
}

fn summary(records: &[Value]) -> Vec<(String, String, String, bool)> {
    let mut out: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r["document"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
                r["accepted_because"].is_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// What the GraphQL checkout tutorial's page shows against any store: a response naming Bob
/// Loblaw for a request creating John Doe (GRAPHQL.md §8), reported against the store and
/// against the page itself.
fn page_contradictions() -> Vec<(String, String, String, bool)> {
    let customer = "data.createCustomerV2.customer";
    let mut out = vec![
        (
            "graphql-checkout-create-customer".to_owned(),
            format!("{customer}.firstname"),
            "value-change".to_owned(),
            true,
        ),
        (
            "graphql-checkout-create-customer".to_owned(),
            format!("{customer}.lastname"),
            "value-change".to_owned(),
            true,
        ),
    ];
    for field in ["firstname", "lastname", "email"] {
        out.push((
            "graphql-checkout-create-customer".to_owned(),
            format!("{customer}.{field}"),
            "self-contradiction".to_owned(),
            true,
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_2_4_8_store_shows_exactly_the_accepted_drifts() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let (result, records) = run_drift(&server, &[]).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let mut expected = vec![
        (
            "tutorial-create-customer".to_owned(),
            "extension_attributes.is_subscribed".to_owned(),
            "extra-key".to_owned(),
            true,
        ),
        (
            "tutorial-customer-token".to_owned(),
            "$".to_owned(),
            "format-change".to_owned(),
            true,
        ),
        (
            "inventory-tutorial-customer-token".to_owned(),
            "$".to_owned(),
            "format-change".to_owned(),
            true,
        ),
        (
            "graphql-checkout-customer-token".to_owned(),
            "data.generateCustomerToken.token".to_owned(),
            "format-change".to_owned(),
            true,
        ),
    ];
    expected.extend(page_contradictions());
    expected.sort();
    assert_eq!(summary(&records), expected);
    let md = std::fs::read_to_string(result.report_dir.join("drift.md")).unwrap();
    assert!(md.contains("accepted: Magento 2.4.4+ issues an HS256 JWT"), "{md}");
    assert!(
        md.contains("| graphql-checkout-create-customer | `data.createCustomerV2.customer.firstname` | contradicts its own request |"),
        "{md}"
    );
    assert!(
        result.stdout.contains("Documented vs observed: 9 accepted, 0 new"),
        "{}",
        result.stdout
    );
}

/// A store that answers like the REST pages (an opaque token, no newsletter) shows no drift
/// from them; the GraphQL page still contradicts itself, and its newsletter and the in-store
/// pickup page's `is_subscribed` differ as a store without the newsletter does, all accepted.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_answers_like_the_tutorial_shows_only_what_the_pages_themselves_get_wrong() {
    let server = ReferenceMagento::start(StoreSettings {
        token_format: TokenFormat::Opaque,
        newsletter_module: false,
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let (result, records) = run_drift(&server, &[]).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let mut expected = page_contradictions();
    expected.push((
        "graphql-checkout-create-customer".to_owned(),
        "data.createCustomerV2.customer.is_subscribed".to_owned(),
        "value-change".to_owned(),
        true,
    ));
    expected.push((
        "inventory-tutorial-create-customer".to_owned(),
        "extension_attributes.is_subscribed".to_owned(),
        "missing-key".to_owned(),
        true,
    ));
    expected.sort();
    assert_eq!(summary(&records), expected);
    assert!(
        records
            .iter()
            .all(|r| !r["document"].as_str().unwrap().starts_with("tutorial-")),
        "{records:?}"
    );
}

/// A renamed store view with other ids (STORES.md C5), configured as such: the tutorial's
/// `Default Store View`, 1 and 1 stand for the configured name and ids, so no new drift.
#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_store_with_other_ids_shows_only_the_accepted_drift() {
    let server = ReferenceMagento::start(StoreSettings {
        store_name: "Boutique Paris".to_owned(),
        store_id: 3,
        website_id: 2,
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let configured = [
        ("MAGENTO_STORE_NAME", "Boutique Paris"),
        ("MAGENTO_STORE_ID", "3"),
        ("MAGENTO_WEBSITE_ID", "2"),
    ];
    let (result, records) = run_drift(&server, &configured).await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(records.iter().all(|r| r["accepted_because"].is_string()), "{records:?}");
}

/// A store that answers another name than the configured one (here the stock default, set
/// explicitly: a set variable wins over the name the run detects).
#[tokio::test(flavor = "multi_thread")]
async fn a_new_difference_fails_with_its_path_and_a_diff() {
    let server = ReferenceMagento::start(StoreSettings {
        store_name: "Main Store".to_owned(),
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let (result, records) = run_drift(&server, &[("MAGENTO_STORE_NAME", "Default Store View")]).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        summary(&records).contains(&(
            "tutorial-create-customer".into(),
            "created_in".into(),
            "value-change".into(),
            false
        )),
        "{records:?}"
    );
    let out = &result.stdout;
    assert!(
        out.contains("1 new difference(s) from the documented \"tutorial-create-customer\""),
        "{out}"
    );
    assert!(out.contains("created_in: value change"), "{out}");
    assert!(
        out.contains("[-\"Default-]") && out.contains("{+\"Main+}"),
        "the diff marks the change: {out}"
    );
    let md = std::fs::read_to_string(result.report_dir.join("drift.md")).unwrap();
    assert!(md.contains("**NEW**"), "{md}");
}

/// The schema a default reference server publishes, for modified copies.
async fn generated_schema() -> Value {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let env = env_for(&server);
    let result = run_binary(&["run", "--tags", "@drift and @needs-admin"], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let exchanges = std::fs::read_to_string(result.report_dir.join("exchanges.ndjson")).unwrap();
    exchanges
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["url"].as_str().is_some_and(|u| u.contains("/schema?")))
        .map(|e| serde_json::from_str(e["response_body"].as_str().unwrap()).unwrap())
        .expect("the live-schema scenario fetched the schema")
}

async fn serving(document: Value) -> RunningReference {
    ReferenceMagento::start(StoreSettings {
        published_schema: Some(document),
        ..StoreSettings::default()
    })
    .await
    .unwrap()
}

/// A module's added property is reported without failing, and fails with
/// `MAGENTO_STRICT_DRIFT=1` (STORES.md C7); a removed core property fails either way.
#[tokio::test(flavor = "multi_thread")]
async fn the_schema_cross_check_detects_an_added_attribute() {
    let mut document = generated_schema().await;
    document["definitions"]["customer-data-customer-extension-interface"]["properties"]["loyalty_tier"] =
        serde_json::json!({"type": "string"});
    let server = serving(document.clone()).await;
    let added = (
        "live-schema".into(),
        "customer-data-customer-extension-interface.loyalty_tier".into(),
        "added-property".into(),
        false,
    );
    let (result, records) = run_drift(&server, &[]).await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(summary(&records).contains(&added), "{records:?}");
    assert!(records.iter().any(|r| r["module_addition"] == true), "{records:?}");
    let (strict, records) = run_drift(&server, &[("MAGENTO_STRICT_DRIFT", "1")]).await;
    assert_eq!(strict.code, 1, "{}", strict.output());
    assert!(summary(&records).contains(&added), "{records:?}");

    document["definitions"]["customer-data-customer-interface"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let server = serving(document).await;
    let (result, _) = run_drift(&server, &[]).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(result.stdout.contains("email: removed property"), "{}", result.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_published_2_4_7_and_2_4_8_schemas_pass_the_cross_check() {
    let Some(dir) = magento_harness::shared_material::shared_material("reference") else {
        return;
    };
    for file in [
        "magento-2.4.7-admin-openapi.json",
        "magento-2.4.8-customer-auth-subset.swagger.json",
    ] {
        let document: Value = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let server = serving(document.clone()).await;
        let (result, records) = run_drift(&server, &[]).await;
        assert_eq!(result.code, 0, "{file}: {}", result.output());
        assert!(
            !records.iter().any(|r| r["document"] == "live-schema"),
            "{file}: {records:?}"
        );

        let mut modified = document;
        modified["definitions"]["customer-data-customer-extension-interface"]["properties"]["loyalty_tier"] =
            serde_json::json!({"type": "string"});
        let server = serving(modified).await;
        let (result, _) = run_drift(&server, &[("MAGENTO_STRICT_DRIFT", "1")]).await;
        assert_eq!(result.code, 1, "{file} with an extra attribute: {}", result.output());
        assert!(
            result.stdout.contains("loyalty_tier: added property"),
            "{}",
            result.stdout
        );
    }
}
