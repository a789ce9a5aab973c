//! One run of the conformance suite against a store: pre-flight → admin sign-in → scenarios
//! (`scenarios`) → clean-up → reports → exit code. The caller picks the store: the CLI starts the
//! embedded reference Magento first when no URL is configured.

mod console;
mod options;
mod scenarios;
mod transcript;

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::admin::{AdminAuthError, obtain_admin_token};
use crate::checks::SchemaSet;
use crate::checks::drift::Baseline;
use crate::client::{AdminLogin, MagentoClient, TlsOptions};
use crate::config::{AdminAuth, Config, Target};
use crate::interruption::Signal;
use crate::preflight::{self, PreflightError};
use crate::report_html::{NotRun, RunReport};
use crate::secrets::Redactor;
use crate::sweep::CleanupReport;
use crate::world::RunContext;

pub use options::{Outcome, RunOptions, Selection};
use scenarios::ScenarioFilter;

/// How long a run against a store is likely to take, for the warning about a configured admin
/// token that expires sooner (STORES.md R7).
const LIKELY_RUN_SECONDS: i64 = 15 * 60;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Runs the suite and reports to stdout. Never panics on bad input; the caller exits with
/// `outcome.exit_code`.
pub async fn run_suite(config: Config, options: RunOptions) -> Outcome {
    let redactor = Redactor::new();
    config.admin.secrets().into_iter().for_each(|s| redactor.register(s));
    let mut console = redactor.writer(io::stdout());

    let outcome = run(&config, options, &redactor, &mut console).await;
    if let Some(problem) = &outcome.problem {
        let _ = writeln!(console, "magento-contract: {problem}");
    }
    let _ = console.flush();
    outcome
}

async fn run(config: &Config, options: RunOptions, redactor: &Redactor, console: &mut impl Write) -> Outcome {
    let RunOptions { selection, tls } = options;
    let filter = match ScenarioFilter::new(&selection) {
        Ok(filter) => filter,
        Err(problem) => return Outcome::environment(problem),
    };
    if let Err(problem) = write_guard(config, selection.allow_writes) {
        return Outcome::environment(problem);
    }
    run_against(config, selection, tls, filter, redactor, console).await
}

/// On the first SIGINT or SIGTERM, stops the run (see [`crate::interruption`]) so that it
/// still cleans up and reports; on a second, exits at once, since the user insists, and says
/// how to remove what the run left. The handlers are installed before it returns, so a signal
/// after the "checking" line is never the default, immediate death.
fn spawn_signal_listener(ctx: Arc<RunContext>) -> Option<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) else {
        return None;
    };
    Some(tokio::spawn(async move {
        let first = tokio::select! {
            _ = int.recv() => Signal::Interrupt,
            _ = term.recv() => Signal::Terminate,
        };
        ctx.interruption.stop(first);
        eprintln!(
            "magento-contract: {} received: sending nothing new, finishing requests in flight, then cleaning up and writing the reports (signal again to quit at once)",
            first.name()
        );
        let second = tokio::select! {
            _ = int.recv() => Signal::Interrupt,
            _ = term.recv() => Signal::Terminate,
        };
        eprintln!(
            "magento-contract: {} again: quitting without cleaning up; remove this run's customers with: magento-contract cleanup --run-id {}",
            second.name(),
            ctx.run_id
        );
        std::process::exit(second.exit_code());
    }))
}

/// Refuses, before sending anything, to create customers on a non-loopback host unless told to.
fn write_guard(config: &Config, allow_flag: bool) -> Result<(), String> {
    let Target::Remote(url) = &config.target else {
        return Ok(());
    };
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback || config.allow_writes || allow_flag {
        Ok(())
    } else {
        Err(format!(
            "refusing to create customers on {host}: set MAGENTO_ALLOW_WRITES=1 (or pass --allow-writes) to confirm this store may be written to"
        ))
    }
}

async fn run_against(
    config: &Config,
    selection: Selection,
    tls: TlsOptions,
    filter: ScenarioFilter,
    redactor: &Redactor,
    console: &mut impl Write,
) -> Outcome {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let Target::Remote(url) = &config.target else {
        return Outcome::environment(
            "no store URL: the embedded reference Magento is started by the magento-contract binary, not the harness library",
        );
    };
    let client = match MagentoClient::new(url.as_str(), &config.store_code, config.timeout, &tls) {
        Ok(client) => client.with_redactor(redactor.clone()),
        Err(problem) => return Outcome::environment(problem),
    };
    let schemas = match SchemaSet::load(&config.files.schemas) {
        Ok(schemas) => schemas,
        Err(e) => return Outcome::environment(e.to_string()),
    };
    let baseline = match Baseline::load(&config.files.drift_baseline) {
        Ok(baseline) => baseline,
        Err(e) => return Outcome::environment(e.to_string()),
    };
    if let Err(e) = preflight::check_store(&client, &config.store_code).await {
        return Outcome::environment(match e {
            PreflightError::Transport(t) => format!("the store is unreachable: {t}"),
            other => other.to_string(),
        });
    }
    let admin_token = match obtain_admin_token(&client, &config.admin, redactor).await {
        Ok(token) => token,
        Err(AdminAuthError::Transport(t)) => return Outcome::environment(format!("the store is unreachable: {t}")),
        Err(e) => return Outcome::environment(format!("admin sign-in failed: {e}")),
    };
    match (&config.admin, &admin_token) {
        (AdminAuth::Password { .. }, Some(token)) => {
            client.keep_admin_signed_in(AdminLogin::new(config.admin.clone(), token.clone()));
        }
        (AdminAuth::Token(token), _) => {
            if let Some(line) = crate::admin::expiry_warning(token, unix_now(), LIKELY_RUN_SECONDS) {
                let _ = writeln!(console, "magento-contract: {line}");
            }
        }
        _ => {}
    }
    if let Err(e) = std::fs::create_dir_all(&config.report_dir) {
        return Outcome::environment(format!(
            "cannot create the report directory {} ({e}): set MAGENTO_REPORT_DIR",
            config.report_dir.display()
        ));
    }

    let recaptcha = crate::recaptcha::probe(
        &client,
        config.recaptcha_response.as_deref(),
        admin_token.as_ref(),
        &config.translations,
    )
    .await;
    for line in recaptcha.summary() {
        let _ = writeln!(console, "magento-contract: {line}");
    }
    let profile = crate::store_profile::detect(&client, admin_token.as_ref(), config).await;
    let ctx = Arc::new(
        RunContext::new(config.clone(), client, admin_token, redactor.clone(), schemas, baseline)
            .with_recaptcha(recaptcha)
            .with_profile(profile),
    );
    // The pre-flight is the run's first exchange: its 401 body carries `trace` in developer mode.
    let developer_mode = ctx
        .client
        .exchanges()
        .first()
        .and_then(crate::client::Exchange::json)
        .is_some_and(|body| body.get("trace").is_some());
    ctx.set_developer_mode(developer_mode);
    if let Some(reason) = preflight::graphql_missing(&ctx.client).await {
        ctx.set_graphql_missing(reason);
    }
    let listener = spawn_signal_listener(Arc::clone(&ctx));
    let _ = writeln!(
        console,
        "magento-contract: checking {} (store code {:?}, run id {}, {} at a time)",
        config.target_label(),
        config.store_code,
        ctx.run_id,
        config.concurrency
    );

    let (mut outcome, features, mut not_run) = match scenarios::run_scenarios(&ctx, &selection, filter, console).await {
        Ok(run) => (run.outcome, run.features, run.not_run),
        Err(problem) => (Outcome::environment(problem), Vec::new(), Vec::new()),
    };

    let swept = if ctx.store_loss.lost().is_some() {
        clean_up_after_store_loss(&ctx, console).await
    } else {
        ctx.sweep().await
    };
    if let Err(e) = crate::report::write_exchange_log(&config.report_dir, &ctx) {
        let _ = writeln!(console, "magento-contract: could not write the exchange log: {e}");
    }
    if let Err(e) = crate::report::write_drift_report(&config.report_dir, &ctx) {
        let _ = writeln!(console, "magento-contract: could not write the drift report: {e}");
    }
    not_run.extend(ctx.store_loss.not_run().into_iter().map(|what| NotRun {
        what,
        reason: "the store stopped answering".into(),
    }));
    not_run.extend(ctx.not_run_steps().into_iter().map(|s| NotRun {
        what: format!("{}: {}", s.scenario, s.step),
        reason: s.reason,
    }));
    let report = RunReport {
        target: config.target_label(),
        store_code: config.store_code.clone(),
        magento_version: config
            .magento_version
            .map_or_else(|| "unset".to_owned(), |v| v.to_string()),
        profile: config.profile.clone(),
        run_id: ctx.run_id.clone(),
        started,
        elapsed: clock.elapsed(),
        features,
        not_run,
        stopped: ctx.stop_summary(),
        drift: ctx.drift(),
        strict_drift: config.strict_drift,
        drift_diffs: ctx.drift_diffs(),
        observations: ctx.observations(),
        hints: ctx.hints(),
        exchanges: ctx.client.exchanges(),
    };
    if let Err(e) = crate::report_html::write(&config.report_dir, &report, redactor) {
        let _ = writeln!(
            console,
            "magento-contract: could not write {}: {e}",
            crate::report_html::FILE_NAME
        );
    }
    crate::report::print_run_notes(console, &ctx, &swept);
    if let Some(listener) = listener {
        listener.abort();
    }
    if let (Some(stop), Some(summary)) = (ctx.interruption.stopped(), ctx.interruption.summary()) {
        outcome.exit_code = stop.signal.exit_code();
        outcome.problem = Some(summary);
        return outcome;
    }
    if let Some(summary) = ctx.store_loss.summary() {
        outcome.exit_code = 2;
        outcome.problem = Some(summary);
        return outcome;
    }
    if outcome.exit_code == 0 && !ctx.leftovers().is_empty() && ctx.admin_token.is_some() {
        outcome.exit_code = 1;
        outcome.problem = Some("some customers this run created could not be deleted (listed above)".into());
    }
    outcome
}

/// The least time a run that lost the store waits for it to answer again before it gives up
/// the clean-up: long enough for a restart or a short maintenance window, short enough for CI.
const STORE_RETURN_WAIT: Duration = Duration::from_secs(10);

/// Lists the scenarios the lost store kept from running, then polls the pre-flight request
/// every second (for [`STORE_RETURN_WAIT`] or one request timeout, the longer) and cleans up
/// once the store answers; if it never does, says how to clean up later.
async fn clean_up_after_store_loss(ctx: &RunContext, console: &mut impl Write) -> CleanupReport {
    let not_run = ctx.store_loss.not_run();
    let _ = writeln!(
        console,
        "\nNot run because the store stopped answering ({}):",
        not_run.len()
    );
    for name in &not_run {
        let _ = writeln!(console, "  - {name}");
    }
    let wait = STORE_RETURN_WAIT.max(ctx.config.timeout);
    let deadline = Instant::now() + wait;
    loop {
        if preflight::check_store(&ctx.client, &ctx.config.store_code)
            .await
            .is_ok()
        {
            let _ = writeln!(
                console,
                "\nThe store answers again: cleaning up (retrying failed deletes, then the end-of-run sweep)."
            );
            // Signed in again: the token from before the loss may be gone with it.
            let admin = match obtain_admin_token(&ctx.client, &ctx.config.admin, &ctx.redactor).await {
                Ok(token) => token.or_else(|| ctx.admin_token.clone()),
                Err(_) => ctx.admin_token.clone(),
            };
            if let Some(admin) = &admin {
                ctx.retry_leftovers(admin).await;
            }
            let swept = ctx.sweep_as(admin.as_ref()).await;
            let _ = writeln!(
                console,
                "Clean-up after the store came back: {} customer(s) deleted by the end-of-run sweep, {} could not be deleted",
                swept.deleted.len(),
                ctx.leftovers().len()
            );
            return swept;
        }
        if Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let _ = writeln!(
        console,
        "\nThe store did not answer again within {} s: the end-of-run sweep did not run, so this run's customers may remain (those known are listed below); remove them with: magento-contract cleanup --run-id {}",
        wait.as_secs(),
        ctx.run_id
    );
    CleanupReport::default()
}
