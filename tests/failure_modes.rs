//! How a run ends when the store or the configuration is wrong: exit 2 (or 1 for a contract
//! failure), one line naming the problem, no panic, and no hang.

mod common;

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use common::{RunResult, env_for, run_binary};
use magento_reference::{ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(60);

/// Exit 2 with exactly one problem line that contains `needle`, and nothing that looks like a
/// crash.
fn assert_environment_problem(result: &RunResult, needle: &str) {
    let output = result.output();
    assert_eq!(result.code, 2, "expected exit 2, got {}:\n{output}", result.code);
    let problems = result.problem_lines();
    assert_eq!(
        problems.len(),
        1,
        "expected one problem line, got {problems:?}:\n{output}"
    );
    assert!(
        problems[0].contains(needle),
        "{:?} does not mention {needle:?}",
        problems[0]
    );
    assert!(
        !output.contains("panicked") && !output.contains("RUST_BACKTRACE"),
        "{output}"
    );
}

/// Serves one canned response for every request, like a misconfigured proxy would.
async fn canned_server(status: StatusCode, content_type: &'static str, body: &'static str) -> String {
    let app = axum::Router::new()
        .fallback(move || async move { (status, [(header::CONTENT_TYPE, content_type)], body).into_response() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Response headers of a canned answer.
type Headers = &'static [(&'static str, &'static str)];

/// Serves one canned response with these headers for every request, like a CDN, WAF or web
/// server in front of the store would.
async fn canned_server_with(
    status: StatusCode,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
) -> String {
    let app = axum::Router::new().fallback(move || async move {
        let mut response = (status, body).into_response();
        for (name, value) in headers {
            response
                .headers_mut()
                .insert(*name, header::HeaderValue::from_static(value));
        }
        response
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn base_url(url: &str) -> Vec<(String, String)> {
    vec![("MAGENTO_BASE_URL".to_owned(), url.to_owned())]
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_store_is_one_line_and_exit_2() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let result = run_binary(&["run"], &base_url(&format!("http://127.0.0.1:{port}")), LIMIT).await;
    assert_environment_problem(&result, "unreachable");
    assert!(
        result.problem_lines()[0].contains("MAGENTO_BASE_URL"),
        "{:?}",
        result.problem_lines()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_store_times_out_within_the_configured_timeout() {
    let server = ReferenceMagento::start(StoreSettings {
        response_delay: Some(Duration::from_secs(2)),
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let mut env = env_for(&server);
    env.push(("MAGENTO_TIMEOUT_SECS".to_owned(), "1".to_owned()));
    let result = run_binary(&["run"], &env, LIMIT).await;
    assert_environment_problem(&result, "timed out after 1s");
    assert!(result.elapsed < Duration::from_secs(8), "took {:?}", result.elapsed);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_html_error_page_is_not_mistaken_for_magento() {
    let url = canned_server(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/html",
        "<html><body>Fatal error</body></html>",
    )
    .await;
    let result = run_binary(&["run"], &base_url(&url), LIMIT).await;
    assert_environment_problem(&result, "not Magento's JSON");
}

/// STORES.md Note 4, U10, R6: what stands in front of Magento is named in one line, with the
/// fix, instead of a generic "not Magento".
#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_a_waf_and_the_web_servers_404_page_are_named() {
    let cases: [(StatusCode, Headers, &str); 3] = [
        (
            StatusCode::MOVED_PERMANENTLY,
            &[("location", "https://www.shop.example/rest/default/V1/customers/me")],
            "the store redirects (301) to https://www.shop.example: redirects are not followed; set MAGENTO_BASE_URL",
        ),
        (
            StatusCode::FORBIDDEN,
            &[
                ("content-type", "text/html"),
                ("server", "cloudflare"),
                ("cf-ray", "8a1b2c3d4e5f-FRA"),
            ],
            "Cloudflare answered 403 with its own page",
        ),
        (
            StatusCode::NOT_FOUND,
            &[("content-type", "text/html"), ("server", "nginx")],
            "the web server answered an HTML 404 page where Magento answers JSON",
        ),
    ];
    for (status, headers, needle) in cases {
        let url = canned_server_with(status, headers, "<html><body>Not for you</body></html>").await;
        let result = run_binary(&["run"], &base_url(&url), LIMIT).await;
        assert_environment_problem(&result, needle);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_maintenance_page_says_so() {
    let url = canned_server(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html",
        "<h1>Service Temporarily Unavailable</h1>",
    )
    .await;
    let result = run_binary(&["run"], &base_url(&url), LIMIT).await;
    assert_environment_problem(&result, "maintenance");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_json_body_is_not_mistaken_for_magento() {
    let url = canned_server(StatusCode::UNAUTHORIZED, "application/json", "{\"message\": ").await;
    let result = run_binary(&["run"], &base_url(&url), LIMIT).await;
    assert_environment_problem(&result, "not Magento's JSON");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_admin_password_is_a_configuration_problem() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let mut env = env_for(&server);
    for (key, value) in env.iter_mut() {
        if key == "MAGENTO_ADMIN_PASSWORD" {
            *value = "Not-The-Admin-Password-1".to_owned();
        }
    }
    let result = run_binary(&["run"], &env, LIMIT).await;
    assert_environment_problem(&result, "MAGENTO_ADMIN_PASSWORD");
    assert!(
        !result.output().contains("Not-The-Admin-Password-1"),
        "the password leaked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_factor_auth_without_a_totp_secret_names_the_variable() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let env: Vec<_> = env_for(&server)
        .into_iter()
        .filter(|(k, _)| k != "MAGENTO_ADMIN_TOTP_SECRET")
        .collect();
    let result = run_binary(&["run"], &env, LIMIT).await;
    assert_environment_problem(&result, "MAGENTO_ADMIN_TOTP_SECRET");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_store_code_is_named() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let mut env = env_for(&server);
    env.push(("MAGENTO_STORE_CODE".to_owned(), "nosuchstore".to_owned()));
    let result = run_binary(&["run"], &env, LIMIT).await;
    assert_environment_problem(&result, "MAGENTO_STORE_CODE");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_variable_is_one_line_before_anything_is_sent() {
    let result = run_binary(
        &["run"],
        &[("MAGENTO_TIMEOUT_SECS".to_owned(), "soon".to_owned())],
        LIMIT,
    )
    .await;
    assert_environment_problem(&result, "MAGENTO_TIMEOUT_SECS");
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_to_a_remote_host_need_consent() {
    let result = run_binary(&["run"], &base_url("https://staging.example.com"), LIMIT).await;
    assert_environment_problem(&result, "MAGENTO_ALLOW_WRITES=1");
    assert!(
        result.elapsed < Duration::from_secs(5),
        "it must refuse before sending: {:?}",
        result.elapsed
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_that_selects_nothing_fails() {
    let result = run_binary(&["run", "--tags", "@no-such-tag"], &[], LIMIT).await;
    assert_environment_problem(&result, "no scenario was selected");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_tag_expression_is_one_line() {
    let result = run_binary(&["run", "--tags", "@a and and"], &[], LIMIT).await;
    assert_environment_problem(&result, "--tags");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_embedded_run_passes_and_writes_its_reports() {
    let result = run_binary(&["run", "--tags", "@smoke"], &[], LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    for report in ["junit.xml", "cucumber.json", "exchanges.ndjson"] {
        let path = result.report_dir.join(report);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!text.trim().is_empty(), "{report} is empty");
    }
    let junit = std::fs::read_to_string(result.report_dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testcase"), "{junit}");
    let exchanges = std::fs::read_to_string(result.report_dir.join("exchanges.ndjson")).unwrap();
    for line in exchanges.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        assert!(
            record["status"].is_u64() && record["url"].is_string() && record["sent_at"].is_string(),
            "{record}"
        );
    }
    // Each feature once, with its own fields and its scenarios' passed steps.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(result.report_dir.join("cucumber.json")).unwrap())
            .expect("cucumber.json is JSON");
    let features = json.as_array().expect("cucumber.json is an array of features");
    let names: Vec<&str> = features.iter().filter_map(|f| f["name"].as_str()).collect();
    let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
    assert!(!names.is_empty() && unique.len() == names.len(), "{names:?}");
    for feature in features {
        assert!(
            feature["uri"].as_str().is_some_and(|u| u.ends_with(".feature")),
            "{feature}"
        );
        let scenarios: Vec<&serde_json::Value> = feature["elements"]
            .as_array()
            .expect("elements")
            .iter()
            .filter(|e| e["type"] == "scenario")
            .collect();
        assert!(!scenarios.is_empty(), "{feature}");
        for scenario in scenarios {
            let steps = scenario["steps"].as_array().expect("steps");
            assert!(
                !steps.is_empty() && steps.iter().all(|s| s["result"]["status"] == "passed"),
                "{scenario}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undefined_step_fails_the_run() {
    let dir = common::temp_dir("features");
    std::fs::write(
        dir.join("undefined.feature"),
        "Feature: x\n  Scenario: a step nobody defined\n    When a guest sends GET /V1/customers/me\n    Then the moon is made of cheese\n",
    )
    .unwrap();
    let env = vec![("MAGENTO_FEATURES_DIR".to_owned(), dir.display().to_string())];
    let result = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        result.output().contains("doesn't match any function"),
        "{}",
        result.output()
    );
}

/// A release tag that does not parse is a defect of the feature files: the run names it and
/// fails, rather than silently not running the scenario.
#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_release_tag_fails_the_run() {
    let dir = common::temp_dir("features");
    std::fs::write(
        dir.join("gated.feature"),
        "Feature: x\n  @since-2.4.x\n  Scenario: a gate nobody can read\n    When a guest sends GET /V1/no-such-route\n    Then the response status is 404\n",
    )
    .unwrap();
    let env = vec![("MAGENTO_FEATURES_DIR".to_owned(), dir.display().to_string())];
    let result = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        result
            .output()
            .contains("malformed release tags: x: a gate nobody can read: tag @since-2.4.x:"),
        "{}",
        result.output()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_requiring_confirmation_runs_all_but_the_sign_in_scenarios() {
    let env = vec![("MAGENTO_REQUIRE_CONFIRMATION".to_owned(), "1".to_owned())];
    let result = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result.stdout.contains("An unconfirmed account cannot get a token"),
        "{}",
        result.stdout
    );
    assert!(
        result
            .stdout
            .contains("The customer gets an access token with their email and password (signs a new customer in"),
        "sign-in scenarios are listed as not run: {}",
        result.stdout
    );
    assert!(
        !result.stdout.contains("does not require email confirmation"),
        "{}",
        result.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dotenv_file_is_read_and_checked_like_the_environment() {
    let dir = common::temp_dir("dotenv");
    std::fs::write(dir.join(".env"), "MAGENTO_TIMEOUT_SECS=soon\n").unwrap();
    let result = common::run_binary_in(&dir, &["run"], &[], &[], LIMIT).await;
    assert_environment_problem(&result, "MAGENTO_TIMEOUT_SECS");

    let dir = common::temp_dir("dotenv-bad");
    std::fs::write(dir.join(".env"), "THIS IS NOT A DOTENV LINE\n").unwrap();
    let result = common::run_binary_in(&dir, &["run"], &[], &[], LIMIT).await;
    assert_environment_problem(&result, ".env");

    let dir = common::temp_dir("dotenv-wins");
    std::fs::write(dir.join(".env"), "MAGENTO_TIMEOUT_SECS=soon\n").unwrap();
    let env = vec![("MAGENTO_TIMEOUT_SECS".to_owned(), "5".to_owned())];
    let result = common::run_binary_in(
        &dir,
        &["run", "--tags", "@admin and not @needs-two-factor"],
        &env,
        &[],
        LIMIT,
    )
    .await;
    assert_eq!(result.code, 0, "the environment wins over .env: {}", result.output());
}

/// STORES.md R8: when every new customer's sign-in is refused the same way, the run fails and
/// says once, in one line, that the store's configuration is the cause (here: confirmation
/// required, which the configuration did not say).
#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_of_every_sign_in_is_diagnosed_once() {
    let server = ReferenceMagento::start(StoreSettings {
        require_confirmation: true,
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let result = run_binary(&["run", "--color", "never"], &env_for(&server), LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 1, "{}", result.output());
    let lines: Vec<&str> = result
        .stdout
        .lines()
        .filter(|l| l.contains("sign-ins of new customers were refused"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", result.output());
    assert!(
        lines[0].contains("401 \"This account isn't confirmed. Verify and try again.\"")
            && lines[0].contains("MAGENTO_REQUIRE_CONFIRMATION=1"),
        "{}",
        lines[0]
    );
}

/// A typo in a feature file's GraphQL document stops the run before anything is sent: exit 2,
/// one line naming the file and the line the typo is on.
#[tokio::test(flavor = "multi_thread")]
async fn a_graphql_document_that_does_not_parse_is_one_line_naming_file_and_line() {
    let dir = common::temp_dir("features");
    std::fs::write(
        dir.join("typo.feature"),
        "Feature: x\n  Scenario: a typo\n    Given the GraphQL document:\n      \"\"\"graphql\n      query {\n        customer { email\n      }\n      \"\"\"\n    When a guest sends the GraphQL document\n",
    )
    .unwrap();
    let env = vec![("MAGENTO_FEATURES_DIR".to_owned(), dir.display().to_string())];
    let result = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_environment_problem(&result, "typo.feature:7: the GraphQL document does not parse");
    assert!(!result.stdout.contains("Scenario"), "nothing ran:\n{}", result.output());
}

/// STORES.md R2: a store with Adobe IMS refuses every admin sign-in with its own 401; the run
/// says so in one line, with the fix, instead of blaming the credentials.
#[tokio::test(flavor = "multi_thread")]
async fn adobe_ims_admin_sign_in_is_named_with_the_fix() {
    for two_factor_auth in [false, true] {
        let server = ReferenceMagento::start(StoreSettings {
            adobe_ims: true,
            two_factor_auth,
            ..StoreSettings::default()
        })
        .await
        .unwrap();
        let env: Vec<(String, String)> = env_for(&server)
            .into_iter()
            .filter(|(key, _)| key != "MAGENTO_ADMIN_TOTP_SECRET")
            .collect();
        let result = run_binary(&["run"], &env, LIMIT).await;
        assert_environment_problem(
            &result,
            "the store signs admins in with Adobe IMS (POST /V1/integration/admin/token answered 401",
        );
        assert!(
            result
                .output()
                .contains("set MAGENTO_ADMIN_TOKEN to an integration token"),
            "{}",
            result.output()
        );
        server.shutdown().await;
    }
}
