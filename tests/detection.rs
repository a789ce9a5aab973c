//! The suite catches deviations and raises no false alarms.
//!
//! Each test starts reference servers in this process and runs the `magento-contract` binary
//! against them, as `magento-contract selftest` does: once per fault (which must fail, naming
//! the scenario and the deviation) and repeatedly against the faithful server with random
//! latency (which must pass every time). The run over every fault also renders the README's
//! table, so that the README shows what the suite catches today without a second self-test.

use std::path::Path;
use std::time::{Duration, Instant};

use magento_contract::selftest::{ChildRun, readme_table, run_child, run_selftest};
use magento_reference::{Fault, RateLimit, Release, StoreSettings};

const BINARY: &str = env!("CARGO_BIN_EXE_magento-contract");

/// Harness runs at once while checking the faults.
const PARALLELISM: usize = 3;

/// What a caught fault must show: `keyword` in the message of a failed step and, where the
/// keyword is a plain status that other faults share, `scenario` in that step's scenario name.
struct Expected {
    fault: &'static str,
    keyword: &'static str,
    scenario: Option<&'static str>,
}

const fn expect(fault: &'static str, keyword: &'static str) -> Expected {
    Expected {
        fault,
        keyword,
        scenario: None,
    }
}

const fn expect_in(fault: &'static str, scenario: &'static str, keyword: &'static str) -> Expected {
    Expected {
        fault,
        keyword,
        scenario: Some(scenario),
    }
}

const EXPECTED: &[Expected] = &[
    expect("create-returns-201", "received 201"),
    expect("default-billing-number", "at /default_billing"),
    expect("customer-id-string", "at /id"),
    expect("created-in-missing", "created_in"),
    expect("extension-attributes-missing", "extension_attributes.is_subscribed"),
    expect("created-at-iso8601", "at /created_at"),
    expect("addresses-dropped", "addresses[0]"),
    expect("address-region-missing", "region"),
    expect(
        "address-default-flags-false",
        "at /addresses/0/default_billing: rule \"const\"",
    ),
    expect("firstname-html-escaped", "D&#039;Artagnan"),
    expect("token-wrapped-in-object", "schema \"token\""),
    expect("empty-token", "schema \"token\""),
    expect("token-not-usable-on-me", "V1/customers/me -> 401"),
    expect("me-returns-another-customer", "roni_cost@example.com"),
    expect("token-lifetime-ignored", "exp - iat is 86400 s"),
    expect("jwt-generic-header", "\"typ\":\"JWT\""),
    expect("duplicate-email-409", "received 409"),
    expect("invalid-email-message-reworded", "Please enter a valid email address"),
    expect("rendered-placeholders", "No such entity with customerId = -1"),
    expect("parameters-as-list", "received [{\"fieldName\":\"customerId\""),
    expect("error-key-instead-of-message", "missing key \"message\""),
    expect("acl-403", "received 403"),
    expect_in(
        "weak-password-accepted",
        "password",
        "expected HTTP status 400, received 200",
    ),
    expect_in(
        "invalid-email-accepted",
        "invalid email",
        "expected HTTP status 400, received 200",
    ),
    expect("aggregate-errors-flattened", "missing key \"errors\""),
    expect("decoding-error-developer-mode", "Unable to unserialize value"),
    expect_in(
        "wrong-password-gets-token",
        "wrong password",
        "expected HTTP status 401, received 200",
    ),
    expect_in(
        "garbage-token-reads-me",
        "refuses callers that are not a signed-in customer",
        "expected HTTP status 401, received 200",
    ),
    expect_in(
        "delete-without-admin",
        "cannot delete",
        "expected HTTP status 401, received 200",
    ),
    expect_in(
        "group-id-guard-missing",
        "customer group",
        "expected HTTP status 401, received 200",
    ),
    expect_in("no-lockout", "At the limit", "expected HTTP status 401, received 200"),
    expect_in(
        "lockout-after-3",
        "One failure short",
        "expected HTTP status 200, received 401",
    ),
    expect_in(
        "revoke-ignored",
        "revoked token",
        "expected HTTP status 401, received 200",
    ),
    expect(
        "address-rollback-missing",
        "Magento deletes a customer whose address is rejected",
    ),
    expect_in(
        "body-read-before-acl",
        "Malformed JSON",
        "expected HTTP status 401, received 400",
    ),
    expect("html-content-type", "text/html"),
    expect("html-500-page", "received 500"),
    expect_in(
        "unknown-route-200",
        "unknown route",
        "expected HTTP status 404, received 200",
    ),
    expect("slow-me", "timed out"),
    expect("known-path-405", "received 405"),
    expect_in(
        "unknown-store-code-accepted",
        "unknown store code",
        "expected HTTP status 400, received 401",
    ),
    expect_in("graphql-authorization-401", "not authorized", "HTTP 403, received 401"),
    expect_in("graphql-token-after-revoke", "revoked token", "HTTP 401, received 200"),
    expect_in(
        "graphql-invalid-token-as-guest",
        "token no store issued",
        "HTTP 401, received 403",
    ),
    expect("graphql-no-data-on-resolver-error", "missing key \"data\""),
    expect("graphql-error-without-category", "missing \"extensions\""),
    expect("graphql-every-error", "1 error(s) expected, 3 received"),
    expect("graphql-create-echoes-input", "at /addresses: rule \"type\""),
    expect("graphql-customer-id-exposed", "at /id"),
];

/// What a run reported about its failures, for assertion messages: each failed step, or, when
/// no step failed, why its report was unreadable and the end of its output.
fn failures_of(run: &ChildRun) -> String {
    let mut text = String::new();
    for failure in &run.failures {
        text.push_str(&format!(
            "  [{}] {}: {}\n",
            failure.scenario,
            failure.step,
            failure.first_line()
        ));
    }
    if text.is_empty() {
        let lines: Vec<&str> = run.output.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        let report = run.report_problem.as_deref().unwrap_or("cucumber.json names none");
        format!("  no failed step ({report}); the output ends:\n{tail}")
    } else {
        text
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_with_the_scenario_and_the_deviation_named() {
    let started = Instant::now();
    let report = run_selftest(Path::new(BINARY), Fault::all(), PARALLELISM).await;
    let elapsed = started.elapsed();
    eprintln!("{report}");
    eprintln!(
        "detection: the faithful run and {} faults in {:.1} s, {PARALLELISM} at a time",
        report.rows.len(),
        elapsed.as_secs_f64()
    );

    let mut problems = Vec::new();
    if !report.faithful.passed() {
        problems.push(format!(
            "the faithful server must pass (exit {:?}, {:?}):\n{}",
            report.faithful.exit_code,
            report.faithful.problem,
            failures_of(&report.faithful)
        ));
    }
    for row in &report.rows {
        let name = row.fault.name();
        let Some(expected) = EXPECTED.iter().find(|e| e.fault == name) else {
            problems.push(format!("{name}: no expected keyword in EXPECTED: add one"));
            continue;
        };
        if !row.caught() {
            problems.push(format!(
                "{name} was NOT caught ({:?}, {:?}):\n{}",
                row.run.exit_code,
                row.run.problem,
                failures_of(&row.run)
            ));
            continue;
        }
        if row.run.first_failing_scenario().is_none_or(str::is_empty) {
            problems.push(format!(
                "{name}: caught, but no failing scenario is named:\n{}",
                failures_of(&row.run)
            ));
            continue;
        }
        let named = row.run.failures.iter().any(|failure| {
            failure.message.contains(expected.keyword)
                && expected
                    .scenario
                    .is_none_or(|scenario| failure.scenario.contains(scenario))
        });
        if !named {
            problems.push(format!(
                "{name}: no failed step{} says {:?}:\n{}",
                expected
                    .scenario
                    .map(|s| format!(" of a scenario named like {s:?}"))
                    .unwrap_or_default(),
                expected.keyword,
                failures_of(&row.run)
            ));
        }
    }
    for expected in EXPECTED {
        if expected.fault.parse::<Fault>().is_err() {
            problems.push(format!("EXPECTED names {:?}, which is not a fault", expected.fault));
        }
    }
    if let Some(stale) = readme_differs(&report.to_string()) {
        problems.push(stale);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        elapsed < Duration::from_secs(100),
        "the detection run took {elapsed:?}: it must stay well under 2 minutes"
    );
}

/// What is wrong with README.md's self-test table, if it is not `table` (what
/// `selftest --write-readme` writes for this run): the lines only it has and those only the run has.
fn readme_differs(table: &str) -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("README.md: {e}"));
    let written = match readme_table(&readme) {
        Ok(written) if written == table => return None,
        Ok(written) => written,
        Err(e) => return Some(format!("README.md has no self-test table: {e}")),
    };
    let only = |these: &str, those: &str, sign: char| {
        these
            .lines()
            .filter(|line| !those.lines().any(|other| other == *line))
            .map(|line| format!("{sign} {line}\n"))
            .collect::<String>()
    };
    Some(format!(
        "README.md's self-test table differs from this run's: run `cargo run --release -- selftest --write-readme`\n{}{}",
        only(written, table, '-'),
        only(table, written, '+')
    ))
}

/// A legitimate store that differs from a stock 2.4.8 must pass the whole suite.
async fn assert_no_false_alarm(variation: &str, settings: StoreSettings) -> ChildRun {
    let run = run_child(Path::new(BINARY), settings, None).await;
    assert!(
        run.passed(),
        "false alarm on {variation} (exit {:?}, {:?}):\n{}",
        run.exit_code,
        run.problem,
        failures_of(&run)
    );
    run
}

/// Developer mode adds `trace` to every error, null for Webapi exceptions thrown directly, and
/// the PHP error to "Decoding error:" (STORES.md U9).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_in_developer_mode_passes() {
    let settings = StoreSettings {
        developer_mode: true,
        ..StoreSettings::default()
    };
    assert_no_false_alarm("a store in developer mode", settings).await;
}

/// A store whose encryption key was rotated signs JWTs with kid "2" (STORES.md U14); the run
/// says so under "Observed".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_a_rotated_key_passes_and_its_kid_is_reported() {
    let settings = StoreSettings {
        jwt_kid: "2".to_owned(),
        ..StoreSettings::default()
    };
    let run = assert_no_false_alarm("a store with a rotated encryption key", settings).await;
    let observed = run
        .output
        .lines()
        .find(|line| line.contains("customer token format"))
        .unwrap_or_else(|| panic!("no token observation:\n{}", run.output));
    assert!(
        observed.contains("kid 2;") && observed.contains("rotated"),
        "{observed}"
    );
}

/// On a release before the group guard the suite expects the group reset to the default, so a
/// store that lets a guest choose the group is caught there too (STORES.md C3d).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_chosen_group_is_caught_on_a_release_before_the_guard() {
    let settings = StoreSettings {
        release: "2.4.6-p8".parse::<Release>().expect("a release"),
        faults: vec![Fault::GroupIdGuardMissing],
        ..StoreSettings::default()
    };
    let run = run_child(Path::new(BINARY), settings, None).await;
    assert_eq!(run.exit_code, Some(1), "{}", failures_of(&run));
    assert!(
        run.failures.iter().any(|failure| failure.scenario
            == "Before the guard, a guest's customer group is reset to the default group"
            && failure.first_line().contains("group_id")),
        "{}",
        failures_of(&run)
    );
}

/// A rate limiter that refuses the first reads with `Retry-After: 1` (the pre-flight's GET
/// twice) slows the run down but fails nothing: the client waits as told and retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_behind_a_rate_limiter_passes() {
    let settings = StoreSettings {
        rate_limit_first: Some(RateLimit {
            status: 429,
            requests: 2,
        }),
        ..StoreSettings::default()
    };
    assert_no_false_alarm("a store behind a rate limiter", settings).await;
}

/// Runs the full suite against the faithful server this many times in a row.
const CLEAN_RUNS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_faithful_server_passes_repeated_runs_with_random_latency() {
    let started = Instant::now();
    for attempt in 1..=CLEAN_RUNS {
        let settings = StoreSettings {
            response_jitter: Some(Duration::from_millis(50)),
            ..StoreSettings::default()
        };
        let run = run_child(Path::new(BINARY), settings, None).await;
        assert!(
            run.passed(),
            "false alarm on run {attempt} of {CLEAN_RUNS} (exit {:?}, {:?}):\n{}",
            run.exit_code,
            run.problem,
            failures_of(&run)
        );
    }
    eprintln!(
        "no false alarms: {CLEAN_RUNS} runs with up to 50 ms of jitter in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
