//! Stores that differ from a stock install in ways Magento allows must pass the whole suite,
//! with nothing listed as not run that such a store could run (../shared/magento/STORES.md).
//!
//! Each test starts the reference server configured like such a store and runs the binary
//! against it as a user would.

mod common;

use std::time::Duration;

use common::{RunResult, env_for, run_binary};
use magento_reference::{AdminRole, ReferenceMagento, Release, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);

/// The lines of the run's "Not run with this configuration" list.
fn not_run_lines(result: &RunResult) -> Vec<&str> {
    result
        .stdout
        .lines()
        .skip_while(|line| !line.starts_with("Not run with this configuration"))
        .skip(1)
        .take_while(|line| line.starts_with("  - "))
        .collect()
}

/// Only the scenarios for stores that require email confirmation, and those for the answers of
/// other releases than the store's, may be listed as not run: no such store can run them.
fn assert_passed_with_nothing_else_not_run(label: &str, result: &RunResult) {
    assert_eq!(result.code, 0, "{label}: the suite must pass:\n{}", result.output());
    let not_run = not_run_lines(result);
    assert!(
        not_run
            .iter()
            .all(|line| line.contains("does not require email confirmation")
                || line.contains(" predates it: the behaviour it checks starts in ")
                || line.contains(" changed it: the answer it checks ends in ")),
        "{label}: listed as not run although this store could run them:\n{}",
        not_run.join("\n")
    );
}

/// The scenario ran (the console names it) and is not in the not-run list.
fn assert_ran(label: &str, result: &RunResult, scenario: &str) {
    assert!(
        result
            .stdout
            .lines()
            .any(|line| line.trim_start().starts_with("Scenario") && line.ends_with(&format!(": {scenario}")))
            && !not_run_lines(result).iter().any(|line| line.contains(scenario)),
        "{label}: {scenario:?} did not run:\n{}",
        result.output()
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

/// A 2.4.6-p8 store (STORES.md C3): before the group guard, the 2.4.8 messages and DOB
/// validator, with the 405. The suite expects its own answers where they differ, and lists the
/// 2.4.8-only scenarios as not run for that release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_4_6_p8_store_passes_with_its_release_s_answers() {
    let settings = StoreSettings {
        release: "2.4.6-p8".parse::<Release>().unwrap(),
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("2.4.6-p8", &result);
    for scenario in [
        "Before the guard, a guest's customer group is reset to the default group",
        "Before 2.4.8, a date of birth in the future is accepted",
        "Methods other than GET, POST, PUT and DELETE are refused before routing",
    ] {
        assert_ran("2.4.6-p8", &result, scenario);
    }
    let not_run = not_run_lines(&result).join("\n");
    assert!(
        not_run.contains("A missing email is refused before anything else is validated (Magento 2.4.6-p8 predates it: the behaviour it checks starts in 2.4.8)"),
        "{not_run}"
    );
}

/// A 2.4.7 store: the group guard, but neither the 2.4.8 messages nor the DOB validator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_4_7_store_passes_with_its_release_s_answers() {
    let settings = StoreSettings {
        release: "2.4.7".parse::<Release>().unwrap(),
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("2.4.7", &result);
    for scenario in [
        "A guest may not choose the customer group",
        "Before 2.4.8, a date of birth in the future is accepted",
    ] {
        assert_ran("2.4.7", &result, scenario);
    }
}

/// Without MAGENTO_VERSION a real store's release is unknown (Magento does not report it over
/// REST): the release-dependent scenarios are listed as not run, with one summary line, and the
/// rest pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_magento_version_only_release_independent_scenarios_run() {
    let server = ReferenceMagento::start(StoreSettings::default())
        .await
        .expect("server starts");
    let env: Vec<(String, String)> = env_for(&server)
        .into_iter()
        .filter(|(key, _)| key != "MAGENTO_VERSION")
        .collect();
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result
            .stdout
            .contains("scenario(s) need MAGENTO_VERSION, the store's release with its patch level"),
        "{}",
        result.output()
    );
    let not_run = not_run_lines(&result).join("\n");
    for scenario in [
        "A missing email is refused before anything else is validated (needs MAGENTO_VERSION: the answer changed in 2.4.8)",
        "A guest may not choose the customer group (needs MAGENTO_VERSION: the answer changed in 2.4.4-p12, 2.4.5-p11, 2.4.6-p9 and 2.4.7)",
        "Methods other than GET, POST, PUT and DELETE are refused before routing (needs MAGENTO_VERSION: the answer changed in 2.4.5)",
    ] {
        assert!(not_run.contains(scenario), "{scenario:?} is not listed:\n{not_run}");
    }
    assert_ran("unset", &result, "Names with characters Magento forbids are refused");
}
