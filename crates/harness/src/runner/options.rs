//! What the caller asks of a run ([`Selection`], [`RunOptions`]) and what it gets back
//! ([`Outcome`]): the runner's interface, which its parts share.

use crate::client::TlsOptions;

/// Which scenarios run and how the console shows them: the CLI's flags, without the CLI.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// A tag expression, e.g. `@smoke and not @lockout`.
    pub tags: Option<String>,
    /// A regex on scenario names.
    pub name: Option<String>,
    /// Stop at the first failed scenario.
    pub fail_fast: bool,
    /// 0: one line per passed scenario, the steps of failed ones; 1 every step; 2 the World of
    /// failed scenarios too; 3 docstrings too.
    pub verbose: u8,
    /// `auto`, `always` or `never`.
    pub color: String,
    /// Write even against a non-loopback host (as `MAGENTO_ALLOW_WRITES=1`).
    pub allow_writes: bool,
}

/// Everything a run needs besides the configuration.
#[derive(Debug, Default)]
pub struct RunOptions {
    pub selection: Selection,
    pub tls: TlsOptions,
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
    /// A configuration or environment problem (exit 2), reported in one line.
    pub fn environment(problem: impl Into<String>) -> Self {
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
