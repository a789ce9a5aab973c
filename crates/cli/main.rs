//! The `magento-contract` command: a thin CLI over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use magento_contract::{SuiteArgs, builtin, embedded, selftest};
use magento_harness::client::{MagentoClient, TlsOptions};
use magento_harness::config::{AdminAuth, Target};
use magento_harness::secrets::Redactor;
use magento_harness::sweep;
use magento_harness::{Config, RunOptions, admin, load_dotenv, tls_from_env};
use magento_reference::{
    AdminAccount, AdminRole, Fault, JwtAlg, RecaptchaForm, ReferenceMagento, Release, StoreSettings, Translations,
};

/// Contract tests for a Magento 2 store's REST API.
///
/// Without MAGENTO_BASE_URL the suite runs against an embedded reference Magento. The feature
/// files, schemas, snapshots and accepted drift are built in; MAGENTO_FEATURES_DIR,
/// MAGENTO_SCHEMAS_DIR, MAGENTO_SNAPSHOTS_DIR and MAGENTO_DRIFT_BASELINE point at your own
/// (`init` writes the built-in ones to start from). Exit codes: 0 all passed, 1 a contract check
/// failed, 2 configuration or environment problem.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    suite: SuiteArgs,
}

/// How the served store view faces its customers: its language and its reCAPTCHA forms
/// (STORES.md C1, C2).
#[derive(Debug, clap::Args)]
struct StorefrontArgs {
    /// Answer in the language of these Magento i18n CSV files (repeatable; a later file's rows
    /// win), as a store view with a language pack does.
    #[arg(long = "translations", value_name = "FILE")]
    translations: Vec<PathBuf>,
    /// Turn storefront reCAPTCHA on for these forms, e.g. `create,login`: their routes then
    /// need an `X-ReCaptcha` header (the store uses Google's test keys: any value passes).
    #[arg(long, value_name = "FORMS", value_delimiter = ',')]
    recaptcha: Vec<RecaptchaForm>,
}

impl StorefrontArgs {
    /// Applies the options; an unreadable translation file is a one-line problem.
    fn apply(&self, settings: &mut StoreSettings) -> Result<(), String> {
        if !self.translations.is_empty() {
            settings.translations =
                Translations::load(&self.translations).map_err(|e| format!("--translations {e}"))?;
        }
        settings.recaptcha = self.recaptcha.clone();
        Ok(())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the conformance suite (the default).
    Run(SuiteArgs),
    /// Start the embedded reference Magento on its own, for manual exploration or another tool.
    Serve(ServeArgs),
    /// Prove the suite catches deviations: run it against the reference server with each fault.
    Selftest {
        /// Run only this fault (repeatable); every fault by default.
        #[arg(long = "fault", value_name = "NAME")]
        faults: Vec<String>,
        /// How many suite runs at once.
        #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=32))]
        parallel: u16,
        /// Also write the table into this README (README.md by default), between its
        /// `selftest:start` and `selftest:end` markers; the project's tests check it is current.
        #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "README.md", conflicts_with = "faults")]
        write_readme: Option<PathBuf>,
    },
    /// Write the built-in features, schemas, snapshots and accepted drift into DIR, to customise
    /// (snapshot profiles, accepted drift) and point the MAGENTO_*_DIR variables at.
    Init {
        /// Where to write `features/`, `schemas/`, `snapshots/` and `drift/accepted.toml`.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Overwrite files that are already there.
        #[arg(long)]
        force: bool,
    },
    /// Delete customers that earlier runs left behind: only emails
    /// `mc-<run id>-<n>@<MAGENTO_EMAIL_DOMAIN>`, re-checked one by one after the search.
    Cleanup {
        /// Delete the customers of this run id (8 characters of [0-9a-z], as a run prints it).
        #[arg(long, conflicts_with = "older_than", required_unless_present = "older_than")]
        run_id: Option<String>,
        /// Delete the customers of any run created longer ago than this, e.g. 24h or 7days.
        #[arg(long, value_parser = humantime_duration)]
        older_than: Option<Duration>,
        /// List what would be deleted, and what the search found but would be kept and why,
        /// without deleting.
        #[arg(long)]
        dry_run: bool,
    },
}

/// How `serve` sets up the reference store.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Turn Magento_TwoFactorAuth off (on by default when MAGENTO_ADMIN_TOTP_SECRET is set).
    #[arg(long)]
    no_two_factor: bool,
    /// Give the admin a role limited to the customer resources: `self` routes then refuse
    /// its token with 401 instead of answering 400 `customerId` (CONTRACT.md §1.5).
    #[arg(long)]
    restricted_admin: bool,
    /// Serve with this deliberate deviation from Magento (repeatable; see `selftest`).
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,
    /// Answer as a store in developer mode: errors carry `trace`, decoding errors the PHP error.
    #[arg(long)]
    developer_mode: bool,
    /// Sign JWTs with the key at this position of `crypt/key`, as a store whose key was rotated
    /// does before 2.4.7-p2 (header `{"kid":"2",…}` after one rotation).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    jwt_kid: u32,
    /// Sign JWTs with this HMAC algorithm, as a store whose `webapi/jwtauth/jwt_alg` is set
    /// (HS256, HS384 or HS512).
    #[arg(long, value_name = "ALG", default_value = "HS256")]
    jwt_alg: JwtAlg,
    /// A store without Magento_GraphQl: `/graphql` is the storefront's 404 page.
    #[arg(long)]
    no_graphql: bool,
    /// Answer as this release, 2.4.4 to 2.4.8 with its patch level (e.g. 2.4.6-p8), where
    /// releases differ (STORES.md Note 6); MAGENTO_VERSION or 2.4.8 by default.
    #[arg(long, value_name = "RELEASE")]
    release: Option<Release>,
    #[command(flatten)]
    storefront: StorefrontArgs,
}

fn humantime_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s
        .trim()
        .split_at(s.trim().find(|c: char| !c.is_ascii_digit()).unwrap_or(s.trim().len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?}: use a number and a unit, e.g. 24h, 90m, 7d"))?;
    let seconds = match unit.trim() {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        other => return Err(format!("unknown unit {other:?}: use s, m, h or d")),
    };
    n.checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread: the suite mostly waits on the store, and a multi-threaded runtime only added
    // cross-thread wake-ups to every request (`cargo bench`).
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("magento-contract: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(async {
        if let Err(problem) = load_dotenv() {
            eprintln!("magento-contract: {problem}");
            return 2;
        }
        match cli.command {
            None => run(cli.suite).await,
            Some(Command::Run(args)) => run(args).await,
            Some(Command::Serve(args)) => match parse_faults(&args.faults) {
                Ok(faults) => serve(&args, faults).await,
                Err(code) => code,
            },
            Some(Command::Selftest {
                faults,
                parallel,
                write_readme,
            }) => match parse_faults(&faults) {
                Ok(faults) => selftest(faults, parallel, write_readme).await,
                Err(code) => code,
            },
            Some(Command::Init { dir, force }) => init(&dir, force),
            Some(Command::Cleanup {
                run_id,
                older_than,
                dry_run,
            }) => cleanup(run_id, older_than, dry_run).await,
        }
    });
    ExitCode::from(code)
}

async fn run(args: SuiteArgs) -> u8 {
    let Ok(config) = configuration() else {
        return 2;
    };
    let Ok(tls) = tls() else {
        return 2;
    };
    let outcome = magento_contract::run(
        config,
        RunOptions {
            selection: args.into(),
            tls,
        },
        None,
    )
    .await;
    outcome.exit_code as u8
}

/// The configuration from the environment; a mistake is reported in one line.
fn configuration() -> Result<Config, ()> {
    Config::from_env(builtin::suite_files()).map_err(|e| eprintln!("magento-contract: {e}"))
}

/// `MAGENTO_CA_CERT` / `MAGENTO_INSECURE_TLS`; a mistake is reported in one line.
fn tls() -> Result<TlsOptions, ()> {
    tls_from_env().map_err(|e| eprintln!("magento-contract: {e}"))
}

/// Fault names from the command line, in order, without repeats; an unknown one is reported in
/// one line and yields exit code 2.
fn parse_faults(names: &[String]) -> Result<Vec<Fault>, u8> {
    let mut faults: Vec<Fault> = Vec::new();
    for name in names {
        match name.parse::<Fault>() {
            Ok(fault) if !faults.contains(&fault) => faults.push(fault),
            Ok(_) => {}
            Err(e) => {
                eprintln!("magento-contract: {e}");
                return Err(2);
            }
        }
    }
    Ok(faults)
}

/// `init DIR`: the built-in set written out, and the variables that use it.
fn init(dir: &std::path::Path, force: bool) -> u8 {
    match builtin::init(dir, force) {
        Ok(count) => {
            println!("Wrote {count} files under {}. Run the suite with them:", dir.display());
            for (name, path) in builtin::variables_for(dir) {
                println!("  export {name}={}", path.display());
            }
            0
        }
        Err(e) => {
            eprintln!("magento-contract: {e}");
            2
        }
    }
}

async fn selftest(faults: Vec<Fault>, parallel: u16, write_readme: Option<PathBuf>) -> u8 {
    let faults = if faults.is_empty() {
        Fault::all().to_vec()
    } else {
        faults
    };
    let binary = match std::env::current_exe() {
        Ok(binary) => binary,
        Err(e) => {
            eprintln!("magento-contract: cannot find this program's own path to run it: {e}");
            return 2;
        }
    };
    eprintln!(
        "magento-contract: self-test: the faithful server and {} fault(s), {parallel} run(s) at a time",
        faults.len()
    );
    let started = Instant::now();
    let report = selftest::run_selftest(&binary, &faults, usize::from(parallel)).await;
    print!("{report}");
    eprintln!(
        "magento-contract: self-test took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = write_readme {
        let written = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|readme| selftest::with_readme_table(&readme, &report.to_string()))
            .and_then(|readme| std::fs::write(&path, readme).map_err(|e| e.to_string()));
        match written {
            Ok(()) => eprintln!("magento-contract: wrote the table into {}", path.display()),
            Err(e) => {
                eprintln!("magento-contract: cannot write the table into {}: {e}", path.display());
                return 2;
            }
        }
    }
    if report.passed() { 0 } else { 1 }
}

async fn serve(args: &ServeArgs, faults: Vec<Fault>) -> u8 {
    let Ok(config) = configuration() else {
        return 2;
    };
    let mut settings = embedded::settings_for(&config);
    if let Err(problem) = args.storefront.apply(&mut settings) {
        eprintln!("magento-contract: {problem}");
        return 2;
    }
    let mut chosen = false;
    if let AdminAuth::Password {
        username,
        password,
        totp_secret,
    } = &config.admin
    {
        settings.admin = AdminAccount {
            username: username.clone(),
            password: password.expose().to_owned(),
            totp_secret: totp_secret.as_ref().map(|s| s.expose().to_owned()),
        };
        chosen = true;
    }
    settings.two_factor_auth = !args.no_two_factor && settings.admin.totp_secret.is_some() && chosen;
    settings.faults = faults;
    settings.developer_mode = args.developer_mode;
    settings.jwt_kid = args.jwt_kid.to_string();
    settings.jwt_alg = args.jwt_alg;
    settings.graphql_module = !args.no_graphql;
    if let Some(release) = args.release {
        settings.release = release;
    }
    if args.restricted_admin {
        settings.admin_role = AdminRole::Restricted;
    }
    let two_factor = settings.two_factor_auth;
    let username = settings.admin.username.clone();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let server = match ReferenceMagento::start_on(settings, addr).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("magento-contract: cannot listen on {addr} ({e}): choose another --port");
            return 2;
        }
    };
    println!(
        "Reference Magento {} listening on {}",
        server.settings().release,
        server.base_url()
    );
    println!("  REST: {}/rest/default/V1/...", server.base_url());
    if server.settings().graphql_module {
        println!(
            "  GraphQL: {}/graphql{}",
            server.base_url(),
            if !server.settings().release.maps_graphql_statuses() {
                " (2.4.0–2.4.7 status codes)"
            } else {
                ""
            }
        );
    } else {
        println!("  GraphQL: off (Magento_GraphQl disabled, /graphql is a 404 page)");
    }
    if chosen {
        println!(
            "  admin {username:?} with the password from MAGENTO_ADMIN_PASSWORD; two-factor auth {}",
            if two_factor {
                "on (Google Authenticator, MAGENTO_ADMIN_TOTP_SECRET)"
            } else {
                "off"
            }
        );
    } else {
        println!(
            "  admin {username:?} has a random password: set MAGENTO_ADMIN_USERNAME and MAGENTO_ADMIN_PASSWORD before `serve` to sign in as admin"
        );
    }
    if server.settings().developer_mode {
        println!("  developer mode: every error carries \"trace\"");
    }
    if server.settings().jwt_kid != "1" {
        println!(
            "  JWTs signed with key {} (a rotated encryption key)",
            server.settings().jwt_kid
        );
    }
    if server.settings().jwt_alg != JwtAlg::Hs256 {
        println!("  JWTs signed with {}", server.settings().jwt_alg.name());
    }
    for fault in &server.settings().faults {
        println!("  FAULT {}: {}", fault.name(), fault.description());
    }
    println!("Press Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    0
}

async fn cleanup(run_id: Option<String>, older_than: Option<Duration>, dry_run: bool) -> u8 {
    let Ok(config) = configuration() else {
        return 2;
    };
    let rule = match (&run_id, older_than) {
        (Some(run_id), _) if !sweep::is_run_id(run_id) => {
            eprintln!(
                "magento-contract: --run-id {run_id:?} is not a run id (8 characters of [0-9a-z], as printed by a run)"
            );
            return 2;
        }
        (Some(run_id), _) => sweep::CleanupRule::run(run_id, &config.email_domain),
        (None, Some(age)) => {
            // A cutoff that cannot be computed must not become "now", which would take everything.
            let Some(cutoff) = chrono::TimeDelta::from_std(age)
                .ok()
                .and_then(|age| chrono::Utc::now().checked_sub_signed(age))
            else {
                eprintln!("magento-contract: --older-than is too long");
                return 2;
            };
            sweep::CleanupRule::older_than(cutoff, &config.email_domain)
        }
        (None, None) => unreachable!("clap requires --run-id or --older-than"),
    };
    let Target::Remote(url) = &config.target else {
        eprintln!("magento-contract: cleanup needs MAGENTO_BASE_URL: the embedded server keeps nothing between runs");
        return 2;
    };
    let Ok(tls) = tls() else {
        return 2;
    };
    let redactor = Redactor::new();
    let client = match MagentoClient::new(url.as_str(), &config.store_code, config.timeout, &tls) {
        Ok(client) => client.with_redactor(redactor.clone()),
        Err(e) => {
            eprintln!("magento-contract: {e}");
            return 2;
        }
    };
    let admin_token = match admin::obtain_admin_token(&client, &config.admin, &redactor).await {
        Ok(Some(token)) => token,
        Ok(None) => {
            eprintln!(
                "magento-contract: cleanup needs admin credentials: set MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD"
            );
            return 2;
        }
        Err(e) => {
            eprintln!(
                "magento-contract: admin sign-in failed: {}",
                redactor.redact(&e.to_string())
            );
            return 2;
        }
    };
    let report = sweep::clean_up(&client, &admin_token, &rule, dry_run).await;
    if let Some(problem) = &report.problem {
        eprintln!("magento-contract: {problem}");
        return 2;
    }
    print!("{}", report.render(dry_run));
    if report.failed.is_empty() { 0 } else { 1 }
}
