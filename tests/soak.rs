//! The soak: the whole suite, 50 times, against the faithful reference server with random
//! 0–50 ms response delays, two-factor auth on and a canary admin password. Over every run:
//! no false alarm (exit 0), no customer left on the server (counted through the store's own
//! API, signed in as admin with a TOTP code), every report parses, and the canary password
//! appears in no output.

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{artifacts, env_for, run_binary};
use futures::StreamExt;
use magento_harness::admin::totp_code;
use magento_harness::secrets::Secret;
use magento_reference::{AdminAccount, ReferenceMagento, RunningReference, StoreSettings};

const RUNS: usize = 50;
/// Runs at a time: enough to keep the wall time down on two cores, few enough that the
/// jitter, not CPU starvation, decides the scheduling.
const CONCURRENCY: usize = 3;
const JITTER: Duration = Duration::from_millis(50);
const RUN_LIMIT: Duration = Duration::from_secs(180);
/// The reports every run writes, each parsed by its format.
const REPORTS: [&str; 5] = [
    "cucumber.json",
    "exchanges.ndjson",
    "drift.json",
    "junit.xml",
    "report.html",
];

/// What one run did, judged after it ended.
struct RunOutcome {
    run: usize,
    code: i32,
    customers_before: u64,
    customers_after: u64,
    customers_created: usize,
    files_parsed: usize,
    /// Reports missing or not parsing, as `file: error`.
    parse_errors: Vec<String>,
    /// Outputs (stdout, stderr, report files) containing the canary password or TOTP secret.
    canary_hits: Vec<String>,
    output: String,
}

/// A distinctive password, different in every run, that passes Magento's policy.
fn canary_password() -> String {
    format!("Canary-{:016x}-Pw9!", rand::random::<u64>())
}

async fn start_server() -> RunningReference {
    let settings = StoreSettings {
        response_jitter: Some(JITTER),
        two_factor_auth: true,
        admin: AdminAccount {
            password: canary_password(),
            ..AdminAccount::generated()
        },
        ..StoreSettings::default()
    };
    ReferenceMagento::start(settings).await.expect("server starts")
}

/// The store's own count of customers: admin sign-in through Google Authenticator 2FA, then
/// `GET /V1/customers/search` with a page size of 1 for `total_count`.
async fn customer_count(server: &RunningReference) -> u64 {
    let settings = server.settings();
    let admin = &settings.admin;
    let base = format!("{}/rest/{}", server.base_url(), settings.store_code);
    magento_harness::client::install_crypto_provider();
    let http = reqwest::Client::new();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let secret = Secret::new(admin.totp_secret.clone().expect("the admin has a TOTP secret"));
    let otp = totp_code(&secret, now).expect("TOTP code");
    let response = http
        .post(format!("{base}/V1/tfa/provider/google/authenticate"))
        .json(&serde_json::json!({"username": admin.username, "password": admin.password, "otp": otp}))
        .send()
        .await
        .expect("admin sign-in request");
    assert_eq!(response.status(), 200, "admin 2FA sign-in refused");
    let token: String = response.json().await.expect("the sign-in answers a token string");
    let response = http
        .get(format!("{base}/V1/customers/search?searchCriteria[pageSize]=1"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("customer search request");
    assert_eq!(response.status(), 200, "customer search refused");
    let body: serde_json::Value = response.json().await.expect("search result is JSON");
    body["total_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("no total_count in {body}"))
}

async fn soak_run(run: usize) -> RunOutcome {
    let server = start_server().await;
    let customers_before = customer_count(&server).await;
    let result = run_binary(&["run", "--color", "never"], &env_for(&server), RUN_LIMIT).await;
    let customers_after = customer_count(&server).await;
    let admin = server.settings().admin.clone();
    server.shutdown().await;

    let mut outcome = RunOutcome {
        run,
        code: result.code,
        customers_before,
        customers_after,
        customers_created: 0,
        files_parsed: 0,
        parse_errors: Vec::new(),
        canary_hits: Vec::new(),
        output: failure_lines(&result.output()),
    };
    let secrets = [
        admin.password.as_str(),
        admin.totp_secret.as_deref().unwrap_or_default(),
    ];
    for (name, text) in artifacts(&result) {
        if secrets.iter().any(|secret| text.contains(secret)) {
            outcome.canary_hits.push(name);
        }
    }
    for report in REPORTS {
        let path = result.report_dir.join(report);
        let Ok(text) = std::fs::read_to_string(&path) else {
            outcome.parse_errors.push(format!("{report}: missing"));
            continue;
        };
        match parse_report(report, &text) {
            Ok(()) => outcome.files_parsed += 1,
            Err(e) => outcome.parse_errors.push(format!("{report}: {e}")),
        }
        if report == "exchanges.ndjson" {
            outcome.customers_created = created_customers(&text);
        }
    }
    let _ = std::fs::remove_dir_all(&result.report_dir);
    outcome
}

/// A failed run's console without the passing steps, so the assertion message stays readable.
fn failure_lines(output: &str) -> String {
    let kept: Vec<&str> = output
        .lines()
        .filter(|line| !line.trim_start().starts_with('✔'))
        .collect();
    let skip = kept.len().saturating_sub(150);
    kept[skip..].join("\n")
}

fn parse_report(name: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("empty".to_owned());
    }
    if name.ends_with(".ndjson") {
        for (number, line) in text.lines().enumerate() {
            serde_json::from_str::<serde_json::Value>(line).map_err(|e| format!("line {}: {e}", number + 1))?;
        }
    } else if name.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())?;
    } else if name.ends_with(".html") {
        // Whole (written in one piece, not cut short) and with its timeline drawn.
        if !text.starts_with("<!DOCTYPE html>") || !text.trim_end().ends_with("</html>") {
            return Err("not a whole HTML page".to_owned());
        }
        if !text.contains("<svg id=\"timeline\"") {
            return Err("no timeline".to_owned());
        }
    } else if name.ends_with(".xml") {
        let mut reader = quick_xml::Reader::from_str(text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    Ok(())
}

/// Customers the run created (`POST …/V1/customers` answered 200), so that "none left" is
/// not true merely because nothing was created.
fn created_customers(ndjson: &str) -> usize {
    ndjson
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|x| x["method"] == "POST" && x["status"] == 200)
        .filter(|x| x["url"].as_str().is_some_and(|url| url.ends_with("/V1/customers")))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_runs_with_jitter_2fa_and_a_canary_password() {
    let started = Instant::now();
    let outcomes: Vec<RunOutcome> = futures::stream::iter(1..=RUNS)
        .map(soak_run)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();

    let failed: Vec<&RunOutcome> = outcomes.iter().filter(|o| o.code != 0).collect();
    let customers_left: u64 = outcomes.iter().map(|o| o.customers_after).sum();
    let customers_before: u64 = outcomes.iter().map(|o| o.customers_before).sum();
    let customers_created: usize = outcomes.iter().map(|o| o.customers_created).sum();
    let files_parsed: usize = outcomes.iter().map(|o| o.files_parsed).sum();
    let parse_errors: Vec<String> = outcomes
        .iter()
        .flat_map(|o| o.parse_errors.iter().map(move |e| format!("run {}: {e}", o.run)))
        .collect();
    let canary_hits: Vec<String> = outcomes
        .iter()
        .flat_map(|o| o.canary_hits.iter().map(move |f| format!("run {}: {f}", o.run)))
        .collect();
    eprintln!(
        "soak: {} runs ({CONCURRENCY} at a time, 0-{} ms jitter, 2FA on): {} failures, {customers_left} customers left ({customers_created} created), {files_parsed}/{} reports parsed, {} canary hits, {seconds:.1} s",
        outcomes.len(),
        JITTER.as_millis(),
        failed.len(),
        RUNS * REPORTS.len(),
        canary_hits.len(),
    );

    let mut problems = Vec::new();
    if outcomes.len() != RUNS {
        problems.push(format!("{} of {RUNS} runs finished", outcomes.len()));
    }
    if let Some(first) = failed.first() {
        problems.push(format!(
            "false alarms: runs {:?} exited non-zero; run {} (exit {}):\n{}",
            failed.iter().map(|o| o.run).collect::<Vec<_>>(),
            first.run,
            first.code,
            first.output
        ));
    }
    if customers_before != 0 {
        problems.push(format!(
            "{customers_before} customers before the runs: the count is wrong"
        ));
    }
    if customers_left != 0 {
        problems.push(format!(
            "{customers_left} customers left on the server after the runs: {:?}",
            outcomes
                .iter()
                .filter(|o| o.customers_after != 0)
                .map(|o| (o.run, o.customers_after))
                .collect::<Vec<_>>()
        ));
    }
    if let Some(quiet) = outcomes.iter().find(|o| o.customers_created == 0) {
        problems.push(format!(
            "run {} created no customer, so 'none left' proves nothing",
            quiet.run
        ));
    }
    if !parse_errors.is_empty() {
        problems.push(format!("reports that do not parse: {parse_errors:#?}"));
    }
    if !canary_hits.is_empty() {
        problems.push(format!("the canary password or TOTP secret is in: {canary_hits:?}"));
    }
    assert!(problems.is_empty(), "soak failed:\n{}", problems.join("\n"));
}
