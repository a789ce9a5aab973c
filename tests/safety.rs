//! Safe to point at staging: no secret in any output, and no customer left behind, even when
//! scenarios fail halfway.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{RunResult, env_for, run_binary};
use magento_reference::{AdminAccount, ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);
const CANARY_PASSWORD: &str = "Canary-Admin-Pw-7f3e1c";
const CANARY_TOTP: &str = "CANARYSECRETQZXWVUTSRP2345";

/// Everything a run wrote: console, report files.
fn artifacts(result: &RunResult) -> Vec<(String, String)> {
    let mut all = vec![
        ("stdout".to_owned(), result.stdout.clone()),
        ("stderr".to_owned(), result.stderr.clone()),
    ];
    collect_files(&result.report_dir, &mut all);
    all
}

fn collect_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((path.display().to_string(), text));
        }
    }
}

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
    let result = run_binary(&["run", "--color", "never", "-vv"], &env, LIMIT).await;
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
    for (name, text) in artifacts(&result) {
        checked += 1;
        for canary in [CANARY_PASSWORD, CANARY_TOTP] {
            assert!(!text.contains(canary), "{name} contains a configured secret");
        }
        // Every password the harness generates starts like this (RunContext::fresh_password).
        assert!(!text.contains("Mc7!"), "{name} contains a generated customer password");
        assert!(!jwt.is_match(&text), "{name} contains a token: {:?}", jwt.find(&text));
    }
    assert!(checked >= 5, "console plus junit, cucumber JSON and the exchange log");
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

#[tokio::test(flavor = "multi_thread")]
async fn cleanup_older_than_spares_recent_customers_and_others() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let run = run_binary(
        &["run", "--tags", "@smoke"],
        &[("MAGENTO_BASE_URL".to_owned(), server.base_url())],
        LIMIT,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.output());
    let before = server.customer_emails();
    assert!(!before.is_empty());

    let admin = env_for(&server);
    let recent = run_binary(&["cleanup", "--older-than", "1h"], &admin, LIMIT).await;
    assert_eq!(recent.code, 0, "{}", recent.output());
    assert_eq!(
        server.customer_emails(),
        before,
        "customers created a moment ago are not older than 1h"
    );

    // Timestamps have whole seconds: wait past the next one.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let dry = run_binary(&["cleanup", "--older-than", "1s", "--dry-run"], &admin, LIMIT).await;
    assert!(dry.stdout.contains("would delete"), "{}", dry.output());
    assert_eq!(server.customer_emails(), before, "a dry run deletes nothing");

    let all = run_binary(&["cleanup", "--older-than", "1s"], &admin, LIMIT).await;
    assert_eq!(all.code, 0, "{}", all.output());
    assert_eq!(server.customer_emails(), Vec::<String>::new());
}
