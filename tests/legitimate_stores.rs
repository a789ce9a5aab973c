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
