//! Safe to point at staging: no secret in any output, and no customer left behind, even when
//! scenarios fail halfway.

mod common;

use std::time::Duration;

use common::{RunResult, artifacts, env_for, run_binary};
use magento_reference::{AdminAccount, ReferenceMagento, RunningReference, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);
const CANARY_PASSWORD: &str = "Canary-Admin-Pw-7f3e1c";
const CANARY_TOTP: &str = "CANARYSECRETQZXWVUTSRP2345";

/// A server whose password policy is laxer than the harness is told, so the password scenarios
/// fail after creating a customer: failures print requests, and leave customers to clean up.
async fn lax_server() -> magento_reference::RunningReference {
    ReferenceMagento::start(StoreSettings {
        admin: AdminAccount {
            username: "admin".to_owned(),
            password: CANARY_PASSWORD.to_owned(),
            totp_secret: Some(CANARY_TOTP.to_owned()),
        },
        password_min_length: 6,
        ..StoreSettings::default()
    })
    .await
    .expect("server starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_any_output_even_when_scenarios_fail() {
    let server = lax_server().await;
    let mut env = env_for(&server);
    env.push(("MAGENTO_PASSWORD_MIN_LENGTH".to_owned(), "10".to_owned()));
    let result = run_binary(&["run", "--color", "never", "-vvv"], &env, LIMIT).await;
    assert_eq!(
        result.code,
        1,
        "the lax server must fail the password scenarios:\n{}",
        result.output()
    );
    assert!(
        result.stdout.contains("reproduce: curl"),
        "a failure prints a repro command"
    );

    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}").unwrap();
    let mut checked = 0;
    let all = artifacts(&result);
    // The HTML report is read like every other output, and holds what a secret could hide in:
    // the failures, their bodies and their `curl` lines.
    let (_, html) = all
        .iter()
        .find(|(name, _)| name.ends_with("report.html"))
        .expect("report.html is written");
    assert!(
        html.contains("class=\"failure\"") && html.contains("<pre class=\"curl\">curl"),
        "report.html shows the failures with their reproduction"
    );
    assert!(
        html.contains("&quot;password&quot;:&quot;[redacted]&quot;"),
        "the sent password is shown redacted"
    );
    for (name, text) in all {
        checked += 1;
        for canary in [CANARY_PASSWORD, CANARY_TOTP] {
            assert!(!text.contains(canary), "{name} contains a configured secret");
        }
        // Every password the harness generates starts like this (RunContext::fresh_password).
        assert!(!text.contains("Mc7!"), "{name} contains a generated customer password");
        assert!(!jwt.is_match(&text), "{name} contains a token: {:?}", jwt.find(&text));
        assert_still_parses(&name, &text);
    }
    assert!(
        checked >= 6,
        "console plus junit, cucumber JSON, the exchange log and report.html"
    );
}

/// Redaction works on values, so every structured report must still parse after it.
fn assert_still_parses(name: &str, text: &str) {
    if name.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
    } else if name.ends_with(".ndjson") {
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
        }
    } else if name.ends_with(".xml") {
        assert!(!text.is_empty(), "{name} is empty");
        let mut reader = quick_xml::Reader::from_str(text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{name} is not XML: {e}"),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_scenarios_leave_no_customer_behind() {
    let server = lax_server().await;
    let mut env = env_for(&server);
    env.push(("MAGENTO_PASSWORD_MIN_LENGTH".to_owned(), "10".to_owned()));
    let result = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(
        result.stdout.contains("too short"),
        "the password scenario ran and failed"
    );
    assert_eq!(
        server.customer_emails(),
        Vec::<String>::new(),
        "customers left on the server"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_admin_credentials_the_run_lists_what_it_left() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let env = vec![("MAGENTO_BASE_URL".to_owned(), server.base_url())];
    let result = run_binary(&["run", "--color", "never", "--tags", "@smoke"], &env, LIMIT).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let left = server.customer_emails();
    assert!(!left.is_empty(), "the smoke scenarios create customers");
    assert!(result.stdout.contains("could NOT delete"), "{}", result.stdout);
    for email in &left {
        assert!(
            result.stdout.contains(email.as_str()),
            "{email} is not listed:\n{}",
            result.stdout
        );
    }
    assert!(
        result.stdout.contains("Not run with this configuration"),
        "admin-only scenarios are listed as not run"
    );

    let run_id = left[0].split('-').nth(1).expect("mc-<run id>-<n>@…").to_owned();
    let admin = env_for(&server);
    let cleanup = run_binary(&["cleanup", "--run-id", &run_id], &admin, LIMIT).await;
    assert_eq!(cleanup.code, 0, "{}", cleanup.output());
    assert_eq!(
        server.customer_emails(),
        Vec::<String>::new(),
        "cleanup --run-id removes them"
    );
}

/// Real accounts a `LIKE 'mc-%'` search finds on a staging copy of production, or nearly: no
/// clean-up may delete them. (MySQL's `LIKE` ignores case; `other.example` is another domain.)
const LOOK_ALIKES: [&str; 5] = [
    "mc-donald@example.com",
    "MC-ABCD1234-1@example.com",
    "mc-abcd1234-1@other.example",
    "mc-abcd1234-x@example.com",
    "mc-abcd12345-3@example.com",
];

/// Creates customers as a guest would, through the API.
async fn seed(server: &RunningReference, emails: &[&str]) {
    magento_harness::client::install_crypto_provider();
    let http = reqwest::Client::new();
    for email in emails {
        let response = http
            .post(format!("{}/rest/default/V1/customers", server.base_url()))
            .json(&serde_json::json!({
                "customer": {"email": email, "firstname": "Jane", "lastname": "Doe"},
                "password": "Seeded-Pw-2024"
            }))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(
            response.status(),
            200,
            "{email}: {}",
            response.text().await.unwrap_or_default()
        );
    }
}

/// The emails `cleanup` listed under the heading that starts with `heading`, sorted.
fn listed(result: &RunResult, heading: &str) -> Vec<String> {
    let mut emails: Vec<String> = result
        .stdout
        .lines()
        .skip_while(|line| !line.starts_with(heading))
        .skip(1)
        .map_while(|line| line.strip_prefix("  - "))
        .map(|line| line.split(' ').next().unwrap_or_default().to_owned())
        .collect();
    emails.sort();
    emails
}

fn sorted(emails: &[&str]) -> Vec<String> {
    let mut emails: Vec<String> = emails.iter().map(|e| (*e).to_owned()).collect();
    emails.sort();
    emails
}

fn sorted_emails(server: &RunningReference) -> Vec<String> {
    let mut emails = server.customer_emails();
    emails.sort();
    emails
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_older_than_deletes_only_old_harness_customers_in_the_domain() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let admin = env_for(&server);
    let old_harness = ["mc-abcd1234-2@example.com", "mc-zz9y8x7w-12@Example.com"];
    seed(&server, &LOOK_ALIKES).await;
    seed(&server, &old_harness).await;
    let seeded = sorted_emails(&server);

    let day = run_binary(&["cleanup", "--older-than", "24h"], &admin, LIMIT).await;
    assert_eq!(day.code, 0, "{}", day.output());
    assert!(day.stdout.contains("Deleted 0 customer(s)"), "{}", day.stdout);
    assert_eq!(sorted_emails(&server), seeded, "nothing is a day old");

    // Timestamps have whole seconds: past 2 s for every seeded customer, whatever its fraction.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let too_new = "mc-abcd1234-7@example.com";
    seed(&server, &[too_new]).await;
    let found_but_kept = sorted(&[
        "mc-donald@example.com",
        "MC-ABCD1234-1@example.com",
        "mc-abcd1234-x@example.com",
        "mc-abcd12345-3@example.com",
    ]);

    let dry = run_binary(&["cleanup", "--older-than", "2s", "--dry-run"], &admin, LIMIT).await;
    assert_eq!(dry.code, 0, "{}", dry.output());
    assert_eq!(listed(&dry, "Would delete"), sorted(&old_harness), "{}", dry.stdout);
    assert_eq!(listed(&dry, "Would keep"), found_but_kept, "{}", dry.stdout);
    assert_eq!(
        dry.stdout.matches(": not a harness email").count(),
        4,
        "each kept one says why:\n{}",
        dry.stdout
    );
    assert_eq!(
        server.customer_emails().len(),
        seeded.len() + 1,
        "a dry run deletes nothing"
    );

    let real = run_binary(&["cleanup", "--older-than", "2s"], &admin, LIMIT).await;
    assert_eq!(real.code, 0, "{}", real.output());
    assert_eq!(listed(&real, "Deleted"), sorted(&old_harness), "{}", real.stdout);
    assert_eq!(listed(&real, "Kept"), found_but_kept, "{}", real.stdout);
    let mut survivors = LOOK_ALIKES.to_vec();
    survivors.push(too_new);
    assert_eq!(sorted_emails(&server), sorted(&survivors));
}

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_run_id_and_the_end_of_run_sweep_delete_only_that_runs_customers() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let admin = env_for(&server);
    let other_run = "mc-zz9y8x7w-12@example.com";
    let this_run = ["mc-abcd1234-2@example.com", "mc-abcd1234-31@EXAMPLE.COM"];
    seed(&server, &LOOK_ALIKES).await;
    seed(&server, &[other_run]).await;
    seed(&server, &this_run).await;
    let seeded = sorted_emails(&server);

    // A suite run's sweep looks for its own run id only, and deletes what it created.
    let suite = run_binary(&["run", "--color", "never", "--tags", "@smoke"], &admin, LIMIT).await;
    assert_eq!(suite.code, 0, "{}", suite.output());
    assert_eq!(
        sorted_emails(&server),
        seeded,
        "the suite run deletes its own customers only"
    );

    let not_a_run_id = run_binary(&["cleanup", "--run-id", "ABCD1234"], &admin, LIMIT).await;
    assert_eq!(not_a_run_id.code, 2, "{}", not_a_run_id.output());
    assert!(
        not_a_run_id.stderr.contains("is not a run id"),
        "{}",
        not_a_run_id.stderr
    );

    let found_but_kept = sorted(&["MC-ABCD1234-1@example.com", "mc-abcd1234-x@example.com"]);
    let dry = run_binary(&["cleanup", "--run-id", "abcd1234", "--dry-run"], &admin, LIMIT).await;
    assert_eq!(dry.code, 0, "{}", dry.output());
    assert_eq!(listed(&dry, "Would delete"), sorted(&this_run), "{}", dry.stdout);
    assert_eq!(listed(&dry, "Would keep"), found_but_kept, "{}", dry.stdout);
    assert_eq!(sorted_emails(&server), seeded, "a dry run deletes nothing");

    let real = run_binary(&["cleanup", "--run-id", "abcd1234"], &admin, LIMIT).await;
    assert_eq!(real.code, 0, "{}", real.output());
    assert_eq!(listed(&real, "Deleted"), sorted(&this_run), "{}", real.stdout);
    assert_eq!(listed(&real, "Kept"), found_but_kept, "{}", real.stdout);
    let mut survivors = LOOK_ALIKES.to_vec();
    survivors.push(other_run);
    assert_eq!(sorted_emails(&server), sorted(&survivors));
}

/// A create that outlives the client timeout still created the customer: the step fails with
/// the timeout, and the scenario's own clean-up finds the customer by the email it sent and
/// deletes it.
#[tokio::test(flavor = "multi_thread")]
async fn a_customer_whose_create_timed_out_is_found_and_deleted() {
    use magento_harness::Config;
    use magento_harness::checks::SchemaSet;
    use magento_harness::checks::drift::Baseline;
    use magento_harness::client::{ApiRequest, MagentoClient, TlsOptions, TransportError};
    use magento_harness::secrets::{Redactor, Secret};
    use magento_harness::world::{MagentoWorld, RunContext, StepError};

    let server = ReferenceMagento::start(StoreSettings {
        two_factor_auth: false,
        create_delay: Some(Duration::from_secs(3)),
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let client = MagentoClient::new(
        &server.base_url(),
        "default",
        Duration::from_secs(1),
        &TlsOptions::default(),
    )
    .unwrap();
    let admin = &server.settings().admin;
    let token = client
        .send(ApiRequest::admin_token(&admin.username, &admin.password))
        .await
        .unwrap()
        .json()
        .and_then(|token| token.as_str().map(str::to_owned))
        .expect("an admin token");
    let ctx = RunContext::new(
        Config::from_lookup(magento_contract::builtin::suite_files(), |_| None).unwrap(),
        client,
        Some(Secret::new(token)),
        Redactor::new(),
        SchemaSet::compile(Default::default()).unwrap(),
        Baseline::default(),
    );
    let email = ctx.fresh_email();
    let mut world = MagentoWorld::default();
    world.attach(std::sync::Arc::new(ctx), "a slow create");

    let body = serde_json::json!({
        "customer": {"email": email, "firstname": "Slow", "lastname": "Create"},
        "password": "Slow-Create-Pw-1",
    });
    let error = world.send(ApiRequest::create_customer(body)).await.unwrap_err();
    assert!(
        matches!(error, StepError::Transport(TransportError::Timeout { .. })),
        "{error}"
    );
    assert_eq!(
        server.customer_emails(),
        vec![email],
        "the store created it all the same"
    );
    world.clean_up().await;
    assert!(server.customer_emails().is_empty(), "{:?}", server.customer_emails());
    assert!(world.ctx().leftovers().is_empty(), "{:?}", world.ctx().leftovers());
}
