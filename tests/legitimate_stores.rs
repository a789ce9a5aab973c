//! Stores that differ from a stock install in ways Magento allows must pass the whole suite,
//! with nothing listed as not run that such a store could run (../shared/magento/STORES.md).
//!
//! Each test starts the reference server configured like such a store and runs the binary
//! against it as a user would.

mod common;

use std::time::Duration;

use common::{RunResult, env_for, run_binary};
use magento_reference::{AdminRole, ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);

/// Only the scenarios for stores that require email confirmation may be listed as not run:
/// no stock-like store can run them.
fn assert_passed_with_nothing_else_not_run(label: &str, result: &RunResult) {
    assert_eq!(result.code, 0, "{label}: the suite must pass:\n{}", result.output());
    let not_run: Vec<&str> = result
        .stdout
        .lines()
        .skip_while(|line| !line.starts_with("Not run"))
        .skip(1)
        .take_while(|line| line.starts_with("  - "))
        .collect();
    assert!(
        not_run
            .iter()
            .all(|line| line.contains("does not require email confirmation")),
        "{label}: listed as not run although this store could run them:\n{}",
        not_run.join("\n")
    );
}

async fn run_against(settings: StoreSettings, base_suffix: &str) -> RunResult {
    let server = ReferenceMagento::start(settings).await.expect("server starts");
    let mut env = env_for(&server);
    for (key, value) in &mut env {
        if key == "MAGENTO_BASE_URL" {
            value.push_str(base_suffix);
        }
    }
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    result
}

/// A stock install: the Administrators role passes `self` and misses `customerId` (C25, C26).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_rights_admin_passes_and_is_reported() {
    let result = run_against(StoreSettings::default(), "").await;
    assert_passed_with_nothing_else_not_run("full-rights admin", &result);
    assert!(
        result.stdout.contains("admin role: a role with all resources"),
        "{}",
        result.output()
    );
}

/// A least-privilege role with the customer resources only: refused `self` with 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_admin_role_passes_and_is_reported() {
    let settings = StoreSettings {
        admin_role: AdminRole::Restricted,
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("restricted admin", &result);
    assert!(
        result.stdout.contains("admin role: a restricted role or integration"),
        "{}",
        result.output()
    );
}

/// A store without URL rewrites, configured as `MAGENTO_BASE_URL=https://host/index.php`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_url_rewrites_passes_through_index_php() {
    let result = run_against(StoreSettings::default(), "/index.php").await;
    assert_passed_with_nothing_else_not_run("/index.php", &result);
    assert!(
        result.stdout.contains("/index.php"),
        "the run must name the /index.php base URL:\n{}",
        result.output()
    );
}

/// A store without the Magento_GraphQl module answers `/graphql` with its 404 page
/// (GRAPHQL.md §1.1): the `@graphql` scenarios are listed as not run, in one line with the
/// reason, and the run passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_graphql_passes_with_the_graphql_scenarios_not_run() {
    let settings = StoreSettings {
        graphql_module: false,
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("no GraphQL", &result);
    let lines: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.contains("@graphql scenarios"))
        .collect();
    assert_eq!(lines.len(), 1, "one line lists them:\n{}", result.output());
    assert!(
        lines[0].starts_with("Not run: ") && lines[0].contains("/graphql answered 404"),
        "{}",
        lines[0]
    );
    let count: usize = lines[0]
        .trim_start_matches("Not run: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(
        count >= 30,
        "every @graphql scenario is listed, not {count}: {}",
        lines[0]
    );
    assert!(!result.stdout.contains("GraphQL status codes"), "{}", result.output());
}

/// A 2.4.0–2.4.7 store answers every executed GraphQL request 200 and treats a bad bearer token
/// as a guest (GRAPHQL.md §1.9): it passes with `MAGENTO_VERSION` left at `2.4` and set to its
/// release, and the run says which status codes it saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_the_graphql_status_codes_of_2_4_7_passes() {
    for version in [None, Some("2.4.7")] {
        let server = ReferenceMagento::start(StoreSettings {
            graphql_legacy_status: true,
            ..StoreSettings::default()
        })
        .await
        .expect("server starts");
        let mut env = env_for(&server);
        if let Some(version) = version {
            env.push(("MAGENTO_VERSION".to_owned(), version.to_owned()));
        }
        let result = run_binary(&[], &env, LIMIT).await;
        server.shutdown().await;
        let label = format!("2.4.7 GraphQL statuses, MAGENTO_VERSION {version:?}");
        assert_passed_with_nothing_else_not_run(&label, &result);
        assert!(
            result
                .stdout
                .contains("GraphQL status codes: as Magento 2.4.0 to 2.4.7"),
            "{label}:\n{}",
            result.output()
        );
    }
}

/// The same 2.4.7 store is a failure when the configuration says it is 2.4.8: the status rule
/// follows `MAGENTO_VERSION`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_status_codes_of_2_4_7_fail_a_run_configured_for_2_4_8() {
    let server = ReferenceMagento::start(StoreSettings {
        graphql_legacy_status: true,
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let mut env = env_for(&server);
    env.push(("MAGENTO_VERSION".to_owned(), "2.4.8".to_owned()));
    let result = run_binary(&["--tags", "@graphql"], &env, LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(result.stdout.contains("HTTP 403, received 200"), "{}", result.output());
}
