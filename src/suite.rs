//! One run of the conformance suite: configuration → target → pre-flight → cucumber → clean-up
//! → reports → exit code. Both entry points (`cargo test --test conformance` and the CLI) call
//! [`run_suite`].

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use cucumber::tag::Ext as _;
use cucumber::writer::{self, Coloring};
use cucumber::{World as _, WriterExt as _, gherkin};
use futures::FutureExt as _;
use regex::Regex;

use crate::admin::{AdminAuthError, obtain_admin_token};
use crate::checks::SchemaSet;
use crate::checks::drift::Baseline;
use crate::client::{MagentoClient, TlsOptions};
use crate::config::{AdminAuth, Config, Target};
use crate::cucumber_json::CucumberJson;
use crate::feature_files::FeatureFiles;
use crate::preflight::{self, PreflightError};
use crate::reference::{ReferenceMagento, RunningReference, StoreSettings};
use crate::secrets::Redactor;
use crate::sweep;
use crate::world::{MagentoWorld, RunContext};

/// Scenario selection and console options, shared by the test runner and the CLI.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SuiteArgs {
    /// Run only scenarios matching this tag expression, e.g. `@smoke and not @lockout`.
    #[arg(short = 't', long = "tags", value_name = "TAGEXPR")]
    pub tags: Option<String>,
    /// Run only scenarios whose name matches this regex.
    #[arg(short = 'n', long = "name", value_name = "REGEX")]
    pub name: Option<String>,
    /// Stop at the first failed scenario.
    #[arg(long = "fail-fast")]
    pub fail_fast: bool,
    /// Print more: -v shows the World of failed scenarios, -vv docstrings too.
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour the output: auto, always or never.
    #[arg(long = "color", value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Write everything it creates even against a non-loopback host (same as MAGENTO_ALLOW_WRITES=1).
    #[arg(long = "allow-writes")]
    pub allow_writes: bool,
}

/// Everything a run needs besides the configuration.
#[derive(Debug, Default)]
pub struct RunOptions {
    pub args: SuiteArgs,
    pub tls: TlsOptions,
    /// Settings of the embedded reference server (defaults follow the config's store policy).
    pub embedded: Option<StoreSettings>,
}

/// How a run ended; `exit_code` is 0 (all passed), 1 (a contract check failed) or 2 (the
/// configuration or the environment is wrong).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub exit_code: i32,
    pub passed_steps: usize,
    pub failed_steps: usize,
    pub skipped_steps: usize,
    pub scenarios_run: usize,
    /// One line saying why the run stopped before or after the scenarios, if it did.
    pub problem: Option<String>,
}

impl Outcome {
    fn environment(problem: impl Into<String>) -> Self {
        Self {
            exit_code: 2,
            passed_steps: 0,
            failed_steps: 0,
            skipped_steps: 0,
            scenarios_run: 0,
            problem: Some(problem.into()),
        }
    }
}

/// Tags that make a scenario depend on what the configuration provides.
const NEEDS_ADMIN: &str = "needs-admin";
const NEEDS_TWO_FACTOR: &str = "needs-two-factor";
const NEEDS_CONFIRMATION: &str = "needs-confirmation";
/// Scenarios that sign a freshly created customer in: impossible while the account is unconfirmed.
const SIGNS_IN: &str = "signs-in";

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
    let RunOptions { args, tls, embedded } = options;
    let filter = match ScenarioFilter::new(&args) {
        Ok(filter) => filter,
        Err(problem) => return Outcome::environment(problem),
    };
    if let Err(problem) = write_guard(config, args.allow_writes) {
        return Outcome::environment(problem);
    }

    let (config, server) = match start_target(config, embedded).await {
        Ok(started) => started,
        Err(problem) => return Outcome::environment(problem),
    };
    config.admin.secrets().into_iter().for_each(|s| redactor.register(s));

    let outcome = run_against(&config, args, tls, filter, redactor, console).await;
    if let Some(server) = server {
        server.shutdown().await;
    }
    outcome
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

/// Starts the embedded server when no URL is configured; its admin account becomes the run's.
async fn start_target(
    config: &Config,
    embedded: Option<StoreSettings>,
) -> Result<(Config, Option<RunningReference>), String> {
    if let Target::Remote(_) = config.target {
        return Ok((config.clone(), None));
    }
    let settings = embedded.unwrap_or_else(|| reference_settings(config));
    let admin = settings.admin.clone();
    let two_factor = settings.two_factor_auth;
    let server = ReferenceMagento::start(settings)
        .await
        .map_err(|e| format!("cannot start the embedded reference Magento on 127.0.0.1: {e}"))?;
    let mut config = config.clone();
    config.target =
        Target::Remote(url::Url::parse(&server.base_url()).map_err(|e| format!("embedded server URL: {e}"))?);
    config.store_code = server.settings().store_code.clone();
    config.admin = AdminAuth::Password {
        username: admin.username,
        password: crate::secrets::Secret::new(admin.password),
        totp_secret: admin
            .totp_secret
            .filter(|_| two_factor)
            .map(crate::secrets::Secret::new),
    };
    Ok((config, Some(server)))
}

/// The embedded server's settings for this configuration: Magento's defaults, with the store
/// policy the user configured, so the same scenarios hold on both sides.
pub fn reference_settings(config: &Config) -> StoreSettings {
    StoreSettings {
        store_code: config.store_code.clone(),
        store_name: config.policy.store_name.clone(),
        password_min_length: config.policy.password_min_length,
        password_required_classes: config.policy.password_required_classes,
        max_login_failures: config.policy.max_login_failures,
        customer_token_lifetime_minutes: config.policy.customer_token_lifetime_minutes,
        require_confirmation: config.policy.require_confirmation,
        store_id: config.policy.store_id,
        website_id: config.policy.website_id,
        ..StoreSettings::default()
    }
}

async fn run_against(
    config: &Config,
    args: SuiteArgs,
    tls: TlsOptions,
    filter: ScenarioFilter,
    redactor: &Redactor,
    console: &mut impl Write,
) -> Outcome {
    let Target::Remote(url) = &config.target else {
        return Outcome::environment("no target URL");
    };
    let client = match MagentoClient::new(url.as_str(), &config.store_code, config.timeout, &tls) {
        Ok(client) => client.with_redactor(redactor.clone()),
        Err(problem) => return Outcome::environment(problem),
    };
    let schemas = match SchemaSet::load(&config.schemas_dir) {
        Ok(schemas) => schemas,
        Err(e) => return Outcome::environment(e.to_string()),
    };
    let baseline = match Baseline::load(&config.drift_baseline) {
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
    if let Err(e) = std::fs::create_dir_all(&config.report_dir) {
        return Outcome::environment(format!(
            "cannot create the report directory {} ({e}): set MAGENTO_REPORT_DIR",
            config.report_dir.display()
        ));
    }

    let ctx = Arc::new(RunContext::new(
        config.clone(),
        client,
        admin_token,
        redactor.clone(),
        schemas,
        baseline,
    ));
    let _ = writeln!(
        console,
        "magento-contract: checking {} (store code {:?}, run id {}, {} at a time)",
        config.target_label(),
        config.store_code,
        ctx.run_id,
        config.concurrency
    );

    let mut outcome = match run_scenarios(&ctx, &args, filter, console).await {
        Ok(outcome) => outcome,
        Err(problem) => Outcome::environment(problem),
    };

    let swept = sweep::sweep_run(&ctx).await;
    if let Err(e) = crate::report::write_exchange_log(&config.report_dir, &ctx) {
        let _ = writeln!(console, "magento-contract: could not write the exchange log: {e}");
    }
    if let Err(e) = crate::report::write_drift_report(&config.report_dir, &ctx) {
        let _ = writeln!(console, "magento-contract: could not write the drift report: {e}");
    }
    crate::report::print_run_notes(console, &ctx, &swept);
    if outcome.exit_code == 0 && !ctx.leftovers().is_empty() && ctx.admin_token.is_some() {
        outcome.exit_code = 1;
        outcome.problem = Some("some customers this run created could not be deleted (listed above)".into());
    }
    outcome
}

/// Which scenarios run: the user's tag expression and name regex, and what the configuration
/// allows (`@needs-admin` needs admin credentials, `@needs-two-factor` a TOTP secret,
/// `@needs-confirmation` a store that requires email confirmation).
struct ScenarioFilter {
    tags: Option<gherkin::tagexpr::TagOperation>,
    name: Option<Regex>,
}

impl ScenarioFilter {
    fn new(args: &SuiteArgs) -> Result<Self, String> {
        let tags = args
            .tags
            .as_deref()
            .map(|t| {
                t.parse::<gherkin::tagexpr::TagOperation>().map_err(|e| {
                    format!("--tags {t:?} is not a tag expression ({e}); e.g. --tags '@smoke and not @lockout'")
                })
            })
            .transpose()?;
        let name = args
            .name
            .as_deref()
            .map(|n| Regex::new(n).map_err(|e| format!("--name {n:?} is not a regex ({e})")))
            .transpose()?;
        Ok(Self { tags, name })
    }
}

fn scenario_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    feature
        .tags
        .iter()
        .chain(rule.map(|r| r.tags.iter()).into_iter().flatten())
        .chain(scenario.tags.iter())
        .cloned()
        .collect()
}

/// Why a scenario cannot run with this configuration, if it cannot.
fn not_applicable(tags: &[String], ctx: &RunContext) -> Option<&'static str> {
    let has = |t: &str| tags.iter().any(|tag| tag == t);
    if has(NEEDS_ADMIN) && ctx.admin_token.is_none() {
        return Some("needs admin credentials");
    }
    if has(NEEDS_TWO_FACTOR)
        && !matches!(
            ctx.config.admin,
            AdminAuth::Password {
                totp_secret: Some(_),
                ..
            }
        )
    {
        return Some("needs a store with two-factor auth on (MAGENTO_ADMIN_TOTP_SECRET)");
    }
    if has(NEEDS_CONFIRMATION) && !ctx.config.policy.require_confirmation {
        return Some("the store does not require email confirmation (set MAGENTO_REQUIRE_CONFIRMATION=1 if it does)");
    }
    if has(SIGNS_IN) && ctx.config.policy.require_confirmation {
        return Some("signs a new customer in, which a store that requires email confirmation refuses");
    }
    None
}

async fn run_scenarios(
    ctx: &Arc<RunContext>,
    args: &SuiteArgs,
    filter: ScenarioFilter,
    console: &mut impl Write,
) -> Result<Outcome, String> {
    let features = &ctx.config.features_dir;
    if !features.is_dir() {
        return Err(format!(
            "no feature files at {}: set MAGENTO_FEATURES_DIR",
            features.display()
        ));
    }
    let coloring = match args.color.as_str() {
        "always" => Coloring::Always,
        "never" => Coloring::Never,
        "auto" => Coloring::Auto,
        other => return Err(format!("--color {other:?}: use auto, always or never")),
    };
    let report = |name: &str| -> Result<_, String> {
        let path = ctx.config.report_dir.join(name);
        File::create(&path)
            .map(|f| ctx.redactor.writer(io::BufWriter::new(f)))
            .map_err(|e| format!("cannot write {} ({e}): set MAGENTO_REPORT_DIR", path.display()))
    };
    let junit = report("junit.xml")?;
    let json = report("cucumber.json")?;

    let skipped_as_inapplicable = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let selected = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    let before_ctx = Arc::clone(ctx);
    let filter_ctx = Arc::clone(ctx);
    let inapplicable = Arc::clone(&skipped_as_inapplicable);
    let selected_count = Arc::clone(&selected);

    let mut cucumber = MagentoWorld::cucumber::<&std::path::PathBuf>()
        .with_parser(FeatureFiles)
        .max_concurrent_scenarios(ctx.config.concurrency)
        .which_scenario(|feature, rule, scenario| {
            if scenario_tags(feature, rule, scenario).iter().any(|t| t == "serial") {
                cucumber::ScenarioType::Serial
            } else {
                cucumber::ScenarioType::Concurrent
            }
        })
        .before(move |_, _, scenario, world| {
            world.attach(Arc::clone(&before_ctx), &scenario.name);
            async {}.boxed_local()
        })
        .after(|_, _, _, _, world| {
            async move {
                if let Some(world) = world {
                    world.clean_up().await;
                }
            }
            .boxed_local()
        })
        .with_writer(
            writer::Basic::raw(ctx.redactor.writer(io::stdout()), coloring, args.verbose)
                .summarized()
                .tee::<MagentoWorld, _>(writer::JUnit::for_tee(junit, 0))
                .tee::<MagentoWorld, _>(
                    CucumberJson::new(json)
                        .discard_stats_writes()
                        .discard_arbitrary_writes(),
                )
                .normalized(),
        )
        .fail_on_skipped()
        .with_default_cli();
    if args.fail_fast {
        cucumber = cucumber.fail_fast();
    }

    // Step failures are reported by the writer (redacted); the default hook would print them
    // again to stderr, unredacted, with a backtrace hint.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let writer = cucumber
        .filter_run(features, move |feature, rule, scenario| {
            let tags = scenario_tags(feature, rule, scenario);
            let wanted = filter.tags.as_ref().is_none_or(|t| t.eval(tags.iter()))
                && filter.name.as_ref().is_none_or(|re| re.is_match(&scenario.name));
            if !wanted {
                return false;
            }
            if let Some(reason) = not_applicable(&tags, &filter_ctx) {
                inapplicable
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!("{}: {} ({reason})", feature.name, scenario.name));
                return false;
            }
            selected_count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            true
        })
        .await;
    std::panic::set_hook(previous_hook);

    use cucumber::writer::Stats as _;
    let inapplicable = skipped_as_inapplicable
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if !inapplicable.is_empty() {
        let _ = writeln!(console, "\nNot run with this configuration ({}):", inapplicable.len());
        for line in &inapplicable {
            let _ = writeln!(console, "  - {line}");
        }
    }
    crate::report::print_not_run_steps(console, ctx);
    let scenarios_run = selected.load(std::sync::atomic::Ordering::Relaxed);
    let mut outcome = Outcome {
        exit_code: 0,
        passed_steps: writer.passed_steps(),
        failed_steps: writer.failed_steps(),
        skipped_steps: writer.skipped_steps(),
        scenarios_run,
        problem: None,
    };
    if writer.execution_has_failed() {
        outcome.exit_code = 1;
        if writer.parsing_errors() > 0 {
            outcome.problem = Some(format!(
                "{} feature file(s) could not be parsed",
                writer.parsing_errors()
            ));
        } else if outcome.failed_steps == 0 && outcome.skipped_steps > 0 {
            outcome.problem = Some("some steps were skipped or have no definition; every step must run".into());
        }
    } else if scenarios_run == 0 {
        outcome.exit_code = 2;
        outcome.problem = Some("no scenario was selected: check --tags/--name and the feature directory".into());
    }
    Ok(outcome)
}

/// Loads `.env` from the working directory, if there is one, without overriding the
/// environment. A malformed file is a configuration error.
pub fn load_dotenv() -> Result<(), String> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(e) if e.not_found() => Ok(()),
        Err(e) => Err(format!(".env could not be read: {e}")),
    }
}

/// Reads a `MAGENTO_CA_CERT` / `MAGENTO_INSECURE_TLS` pair into TLS options.
pub fn tls_from_env() -> Result<TlsOptions, String> {
    let ca_cert_pem = match std::env::var("MAGENTO_CA_CERT").ok().filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(path) => Some(std::fs::read(Path::new(path.trim())).map_err(|e| {
            format!("MAGENTO_CA_CERT={path:?} cannot be read ({e}): point it at the PEM file of the store's CA")
        })?),
    };
    let insecure = matches!(
        std::env::var("MAGENTO_INSECURE_TLS").ok().as_deref().map(str::trim),
        Some("1" | "true" | "yes")
    );
    if insecure {
        eprintln!("magento-contract: WARNING: MAGENTO_INSECURE_TLS=1: the store's TLS certificate is NOT verified");
    }
    Ok(TlsOptions { ca_cert_pem, insecure })
}
