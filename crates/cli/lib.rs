//! The `magento-contract` CLI's library: what joins the harness to the reference server.
//!
//! The harness checks a store; the reference crate is a store. This crate starts the embedded
//! reference Magento when no store is configured ([`embedded`]), carries the suite's default
//! files ([`builtin`]), proves the suite catches every deviation of it ([`selftest`]), and holds
//! the command-line arguments ([`SuiteArgs`]). The binary (`main.rs`) and the conformance test
//! target call [`run`].

pub mod builtin;
pub mod embedded;
pub mod selftest;

use magento_harness::config::Target;
use magento_harness::{Config, Outcome, RunOptions, Selection, run_suite};
use magento_reference::StoreSettings;

/// Scenario selection and console options, shared by the binary and the conformance runner.
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
    /// Print more: -v every step (not only those of failed scenarios), -vv the World of failed
    /// scenarios too, -vvv docstrings too.
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour the output: auto, always or never.
    #[arg(long = "color", value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Write everything it creates even against a non-loopback host (same as MAGENTO_ALLOW_WRITES=1).
    #[arg(long = "allow-writes")]
    pub allow_writes: bool,
}

impl From<SuiteArgs> for Selection {
    fn from(args: SuiteArgs) -> Self {
        Selection {
            tags: args.tags,
            name: args.name,
            fail_fast: args.fail_fast,
            verbose: args.verbose,
            color: args.color,
            allow_writes: args.allow_writes,
        }
    }
}

/// Runs the suite against the configured store or, without `MAGENTO_BASE_URL`, against the
/// embedded reference Magento (`settings`, or the one [`embedded::settings_for`] the config).
pub async fn run(config: Config, options: RunOptions, settings: Option<StoreSettings>) -> Outcome {
    if let Target::Remote(_) = config.target {
        return run_suite(config, options).await;
    }
    let settings = settings.unwrap_or_else(|| embedded::settings_for(&config));
    let (config, server) = match embedded::start(&config, settings).await {
        Ok(started) => started,
        Err(problem) => {
            eprintln!("magento-contract: {problem}");
            return Outcome::environment(problem);
        }
    };
    let outcome = run_suite(config, options).await;
    server.shutdown().await;
    outcome
}
