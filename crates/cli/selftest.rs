//! The self-test: proof that the suite catches deviations from Magento.
//!
//! For the faithful reference server and for each [`Fault`], a reference server is started in
//! this process and the harness binary runs against it as a child process, configured only
//! through its environment, exactly as a user runs it against a store. A fault counts as caught
//! when that run exits with a non-zero code; the faithful run must pass, or the suite raises
//! false alarms.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt as _;

use magento_reference::{Fault, ReferenceMagento, RunningReference, StoreSettings};

/// How long one harness run may take before it is killed. A full run takes a few seconds; a
/// run that hangs has not reported anything, so it does not count as a catch.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(90);

/// The client timeout given to runs against faults that slow answers down
/// ([`Fault::slows_responses`]), so that they fail in one second instead of thirty.
pub const SHORT_CLIENT_TIMEOUT_SECS: u64 = 1;

/// How often a running child is checked for having exited.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Cucumber's marker before a failed step's message.
const PANIC_MARKER: &str = "Step panicked. Captured output:";

/// The harness prefixes its own one-line reports with this.
const HARNESS_PREFIX: &str = "magento-contract: ";

/// One failed step, as the harness printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioFailure {
    /// The scenario's name (an outline's name has its example filled in).
    pub scenario: String,
    /// The failed step's text.
    pub step: String,
    /// What the step printed: the check's message, the request and how to repeat it.
    pub message: String,
}

impl ScenarioFailure {
    /// The first line of the message, which names the deviation. When it only introduces what
    /// follows (it ends with a colon), the next line is joined to it, or, for a unified diff,
    /// the first removed and the first added line.
    pub fn first_line(&self) -> String {
        let mut lines = self.message.lines();
        let first = lines.next().unwrap_or_default();
        let rest: Vec<&str> = lines.map(str::trim).collect();
        match rest.first() {
            Some(next) if first.ends_with(':') && next.starts_with("--- ") => {
                let change = |sign: char, header: &str| {
                    rest.iter()
                        .find(|line| line.starts_with(sign) && !line.starts_with(header))
                        .copied()
                        .unwrap_or_default()
                };
                format!("{first} {} {}", change('-', "---"), change('+', "+++"))
            }
            Some(next) if first.ends_with(':') => format!("{first} {next}"),
            _ => first.to_owned(),
        }
    }
}

/// How one harness run went.
#[derive(Debug, Clone)]
pub struct ChildRun {
    /// The child's exit code; `None` when it could not be started, was killed or died of a
    /// signal.
    pub exit_code: Option<i32>,
    /// Why the run has no exit code, when it has none.
    pub problem: Option<String>,
    pub elapsed: Duration,
    /// Everything the child wrote to stdout and stderr, interleaved as written.
    pub output: String,
    /// The failed steps, in the order the harness printed them.
    pub failures: Vec<ScenarioFailure>,
}

impl ChildRun {
    fn not_run(problem: String, started: Instant) -> Self {
        ChildRun {
            exit_code: None,
            problem: Some(problem),
            elapsed: started.elapsed(),
            output: String::new(),
            failures: Vec::new(),
        }
    }

    /// The harness ran and every scenario passed.
    pub fn passed(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// The harness ran to its end and reported a failure (exit code 1 or 2).
    pub fn reported_failure(&self) -> bool {
        self.exit_code.is_some_and(|code| code != 0)
    }

    /// The name of the first scenario that failed, if one did.
    pub fn first_failing_scenario(&self) -> Option<&str> {
        self.failures.first().map(|failure| failure.scenario.as_str())
    }

    /// The harness's own one-line problem report (`magento-contract: …`), if it printed one.
    pub fn harness_problem(&self) -> Option<&str> {
        self.output
            .lines()
            .rfind(|line| line.starts_with(HARNESS_PREFIX) && !line.starts_with("magento-contract: checking "))
    }

    /// The line that says what went wrong first: a failed step's message, else the harness's
    /// problem report, else why the run did not finish.
    pub fn first_failure(&self) -> Option<String> {
        self.failures
            .first()
            .map(ScenarioFailure::first_line)
            .or_else(|| self.harness_problem().map(str::to_owned))
            .or_else(|| self.problem.clone())
    }
}

/// The run against one fault.
#[derive(Debug, Clone)]
pub struct FaultRow {
    pub fault: Fault,
    pub run: ChildRun,
}

impl FaultRow {
    /// The suite noticed the fault: the harness exited non-zero.
    pub fn caught(&self) -> bool {
        self.run.reported_failure()
    }

    /// The first failed step of a scenario that passed against the faithful server (so that a
    /// failure the faithful run shares does not hide what the fault broke), else the first one.
    pub fn telling_failure(&self, faithful: &ChildRun) -> Option<&ScenarioFailure> {
        let shared = |failure: &&ScenarioFailure| faithful.failures.iter().any(|f| f.scenario == failure.scenario);
        self.run
            .failures
            .iter()
            .find(|failure| !shared(failure))
            .or(self.run.failures.first())
    }
}

/// The faithful run and one row per fault; `Display` renders a Markdown table and the score.
#[derive(Debug, Clone)]
pub struct SelftestReport {
    pub faithful: ChildRun,
    pub rows: Vec<FaultRow>,
}

impl SelftestReport {
    pub fn caught(&self) -> usize {
        self.rows.iter().filter(|row| row.caught()).count()
    }

    /// Every fault was caught and the faithful server passed.
    pub fn passed(&self) -> bool {
        self.faithful.passed() && self.rows.iter().all(FaultRow::caught)
    }
}

impl fmt::Display for SelftestReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let faithful = &self.faithful;
        if faithful.passed() {
            writeln!(
                formatter,
                "Faithful server: passed (exit 0, {:.1} s)",
                faithful.elapsed.as_secs_f64()
            )?;
        } else {
            writeln!(
                formatter,
                "Faithful server: FAILED ({}): {}: {}",
                exit_label(faithful),
                faithful.first_failing_scenario().unwrap_or("no scenario named"),
                faithful.first_failure().as_deref().unwrap_or("no failure reported")
            )?;
        }
        writeln!(formatter)?;
        writeln!(formatter, "| Fault | Caught | First failing scenario | First failure |")?;
        writeln!(formatter, "|---|---|---|---|")?;
        for row in &self.rows {
            let caught = if row.caught() {
                format!("yes (exit {})", exit_label(&row.run))
            } else {
                format!("**NO** ({})", exit_label(&row.run))
            };
            let failure = row.telling_failure(faithful);
            let first_line = match failure {
                Some(failure) => Some(failure.first_line()),
                None => row.run.first_failure(),
            };
            writeln!(
                formatter,
                "| `{}` | {} | {} | {} |",
                row.fault.name(),
                caught,
                cell(failure.map_or("—", |failure| failure.scenario.as_str())),
                cell(first_line.as_deref().unwrap_or("—"))
            )?;
        }
        writeln!(formatter)?;
        writeln!(formatter, "Score: {}/{}", self.caught(), self.rows.len())?;
        if !faithful.passed() {
            writeln!(
                formatter,
                "The faithful server failed too, so a non-zero exit proves nothing until it passes."
            )?;
        }
        Ok(())
    }
}

fn exit_label(run: &ChildRun) -> String {
    match (run.exit_code, &run.problem) {
        (Some(code), _) => code.to_string(),
        (None, Some(problem)) => problem.clone(),
        (None, None) => "no exit code".to_owned(),
    }
}

/// A table cell: one line, no column separators, at most 180 characters.
fn cell(text: &str) -> String {
    const MAX: usize = 180;
    let one_line = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if one_line.chars().count() > MAX {
        format!("{}…", one_line.chars().take(MAX).collect::<String>())
    } else {
        one_line
    }
}

/// Runs the harness against the faithful server and against each fault, at most `parallelism`
/// runs at once, and reports which faults it caught.
pub async fn run_selftest(binary: &Path, faults: &[Fault], parallelism: usize) -> SelftestReport {
    let cases: Vec<Option<Fault>> = std::iter::once(None).chain(faults.iter().copied().map(Some)).collect();
    let mut runs = futures::stream::iter(cases.iter().map(|case| {
        let settings = StoreSettings {
            faults: case.iter().copied().collect(),
            ..StoreSettings::default()
        };
        let client_timeout = case
            .filter(|fault| fault.slows_responses())
            .map(|_| SHORT_CLIENT_TIMEOUT_SECS);
        run_child(binary, settings, client_timeout)
    }))
    .buffered(parallelism.max(1))
    .collect::<Vec<ChildRun>>()
    .await
    .into_iter();
    let faithful = runs
        .next()
        .unwrap_or_else(|| ChildRun::not_run("the faithful run was not started".into(), Instant::now()));
    SelftestReport {
        faithful,
        rows: faults
            .iter()
            .zip(runs)
            .map(|(fault, run)| FaultRow { fault: *fault, run })
            .collect(),
    }
}

/// Starts a reference server with `settings` in this process and runs `<binary> run --color
/// never` against it, signed in as the server's admin, with a fresh report directory and, if
/// given, `MAGENTO_TIMEOUT_SECS=client_timeout_secs`.
///
/// The harness is told nothing about the store's policy, so `settings` should keep Magento's
/// defaults (as `StoreSettings::default()` does) apart from faults, delays and jitter.
pub async fn run_child(binary: &Path, settings: StoreSettings, client_timeout_secs: Option<u64>) -> ChildRun {
    let started = Instant::now();
    let server = match ReferenceMagento::start(settings).await {
        Ok(server) => server,
        Err(e) => return ChildRun::not_run(format!("cannot start the reference server: {e}"), started),
    };
    let run = match TempDir::create() {
        Ok(dir) => run_in(binary, &server, &dir, client_timeout_secs, started).await,
        Err(e) => ChildRun::not_run(format!("cannot create a temporary directory: {e}"), started),
    };
    server.shutdown().await;
    run
}

async fn run_in(
    binary: &Path,
    server: &RunningReference,
    dir: &TempDir,
    client_timeout_secs: Option<u64>,
    started: Instant,
) -> ChildRun {
    let log_path = dir.path().join("output.log");
    let spawned = File::create(&log_path).and_then(|log| {
        let mut command = harness_command(binary, server, dir.path(), client_timeout_secs);
        command.stdout(log.try_clone()?).stderr(log);
        command.spawn()
    });
    let child = match spawned {
        Ok(child) => KillOnDrop(child),
        Err(e) => return ChildRun::not_run(format!("cannot start {}: {e}", binary.display()), started),
    };
    let finished = wait_with_deadline(child, started + CHILD_TIMEOUT).await;
    let output = fs::read(&log_path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let (exit_code, problem) = match finished {
        Ok(status) => match status.code() {
            Some(code) => (Some(code), None),
            None => (None, Some(format!("the harness ended without an exit code ({status})"))),
        },
        Err(problem) => (None, Some(problem)),
    };
    ChildRun {
        exit_code,
        problem,
        elapsed: started.elapsed(),
        failures: parse_failures(&output),
        output,
    }
}

/// The harness's command line and environment: nothing inherited that could change its
/// configuration, snapshots never written, and run from the temporary directory so that no
/// `.env` file is picked up.
fn harness_command(binary: &Path, server: &RunningReference, dir: &Path, client_timeout_secs: Option<u64>) -> Command {
    let mut command = Command::new(binary);
    command
        .args(["run", "--color", "never"])
        .current_dir(dir)
        .stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy();
        if name.starts_with("MAGENTO_") || name.starts_with("INSTA_") || name.starts_with("CUCUMBER_") {
            command.env_remove(&key);
        }
    }
    command
        .envs(crate::embedded::env_for(server))
        .env("MAGENTO_REPORT_DIR", dir.join("reports"))
        .env("INSTA_UPDATE", "no")
        .env("CI", "true");
    if let Some(seconds) = client_timeout_secs {
        command.env("MAGENTO_TIMEOUT_SECS", seconds.to_string());
    }
    command
}

/// Waits for the child without blocking the runtime (the reference server runs on it), and
/// kills it at the deadline.
async fn wait_with_deadline(mut child: KillOnDrop, deadline: Instant) -> Result<ExitStatus, String> {
    loop {
        match child.0.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                return Err(format!(
                    "killed: the harness did not finish within {} s",
                    CHILD_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => tokio::time::sleep(POLL_INTERVAL).await,
            Err(e) => return Err(format!("cannot wait for the harness: {e}")),
        }
    }
}

/// A child process that is killed if it is still running when dropped: at the deadline, or
/// when the self-test itself is cancelled.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// A fresh directory under the system temp dir, removed with everything in it when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn create() -> io::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "magento-contract-selftest-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        // `create_dir`, not `create_dir_all`: an existing directory is an error, so the
        // directory is always fresh.
        fs::create_dir(&path)?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Reads cucumber's console output: each `✘` step line under its `Scenario:` header, followed
/// by more deeply indented lines that end with the step's message.
pub fn parse_failures(output: &str) -> Vec<ScenarioFailure> {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut failures = Vec::new();
    let mut scenario = String::new();
    let mut lines = output.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix("Scenario Outline:")
            .or_else(|| trimmed.strip_prefix("Scenario:"))
        {
            name.trim().clone_into(&mut scenario);
            continue;
        }
        let Some(step) = trimmed.strip_prefix('✘') else {
            continue;
        };
        let mut block = Vec::new();
        while let Some(next) = lines.next_if(|next| next.trim().is_empty() || indent(next) > indent(line)) {
            block.push(next);
        }
        failures.push(ScenarioFailure {
            scenario: scenario.clone(),
            step: step.trim_start_matches('>').trim().to_owned(),
            message: step_message(&block),
        });
    }
    failures
}

/// The message of a failed step: what follows cucumber's panic marker, or, without one, the
/// block without cucumber's `Step failed:`/`Defined:`/`Matched:` lines.
fn step_message(block: &[&str]) -> String {
    let marker = block.iter().position(|line| line.contains(PANIC_MARKER));
    let lines: Vec<&str> = match marker {
        Some(index) => {
            let first = block[index]
                .split_once(PANIC_MARKER)
                .map_or("", |(_, rest)| rest.trim());
            std::iter::once(first)
                .chain(block[index + 1..].iter().map(|line| line.trim()))
                .collect()
        }
        None => block
            .iter()
            .map(|line| line.trim())
            .filter(|line| {
                !["Step failed:", "Defined:", "Matched:"]
                    .iter()
                    .any(|p| line.starts_with(p))
            })
            .collect(),
    };
    lines
        .into_iter()
        .skip_while(|line| line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
magento-contract: checking http://127.0.0.1:1 (store code \"default\", run id x, 4 at a time)
Feature: X
  Scenario: passes
   ✔  When a guest sends GET /V1/no-such-route
  Scenario Outline: outline 404
   ✔> When a guest sends GET /V1/no-such-route
   ✘> Then the response status is 200
      Step failed:
      Defined: features/x.feature:4:5
      Matched: src/steps/request.rs:152:1
      Step panicked. Captured output: expected HTTP status 200, received 404
        response body: {\"message\":\"Request does not match any route.\"}
        request: GET http://127.0.0.1:1/rest/default/V1/no-such-route -> 404 in 1 ms
  Scenario: fails without a marker
   ✘  Then something
      Step failed:
      Defined: features/x.feature:9:5
      Step skipped: no definition
[Summary]
1 feature
magento-contract: some customers this run created could not be deleted (listed above)
";

    #[test]
    fn failures_are_read_with_their_scenario_and_message() {
        let failures = parse_failures(OUTPUT);
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(failures[0].scenario, "outline 404");
        assert_eq!(failures[0].step, "Then the response status is 200");
        assert_eq!(failures[0].first_line(), "expected HTTP status 200, received 404");
        assert!(failures[0].message.contains("request: GET"), "{}", failures[0].message);
        assert_eq!(failures[1].scenario, "fails without a marker");
        assert_eq!(failures[1].message, "Step skipped: no definition");
        let schema = ScenarioFailure {
            scenario: "s".into(),
            step: "t".into(),
            message: "response does not match schema \"customer\":\n  at /id: rule \"type\"\n  request: x".into(),
        };
        let diff = ScenarioFailure {
            message: "differs:\n--- expected\n+++ received\n@@ -1 +1 @@\n   \"a\": 1,\n-  \"b\": 2\n+  \"b\": 3".into(),
            ..schema.clone()
        };
        assert_eq!(diff.first_line(), "differs: -  \"b\": 2 +  \"b\": 3");
        assert_eq!(
            schema.first_line(),
            "response does not match schema \"customer\": at /id: rule \"type\""
        );
    }

    #[test]
    fn the_first_failure_falls_back_to_the_harness_problem() {
        let run = ChildRun {
            exit_code: Some(2),
            problem: None,
            elapsed: Duration::ZERO,
            output: "magento-contract: checking x\nmagento-contract: admin sign-in failed: no\n".into(),
            failures: Vec::new(),
        };
        assert!(run.reported_failure() && !run.passed());
        assert_eq!(
            run.first_failure().as_deref(),
            Some("magento-contract: admin sign-in failed: no")
        );
        assert_eq!(run.first_failing_scenario(), None);
    }

    #[test]
    fn the_report_is_a_markdown_table_with_a_score() {
        let run = |exit_code: Option<i32>, output: &str| ChildRun {
            exit_code,
            problem: exit_code
                .is_none()
                .then(|| "killed: the harness did not finish within 90 s".to_owned()),
            elapsed: Duration::from_millis(1500),
            output: output.to_owned(),
            failures: parse_failures(output),
        };
        let report = SelftestReport {
            faithful: run(Some(0), ""),
            rows: vec![
                FaultRow {
                    fault: Fault::CreateReturns201,
                    run: run(Some(1), OUTPUT),
                },
                FaultRow {
                    fault: Fault::SlowMe,
                    run: run(None, ""),
                },
            ],
        };
        let text = report.to_string();
        assert!(text.starts_with("Faithful server: passed (exit 0, 1.5 s)\n"), "{text}");
        assert!(
            text.contains(
                "| `create-returns-201` | yes (exit 1) | outline 404 | expected HTTP status 200, received 404 |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| `slow-me` | **NO** (killed: the harness did not finish within 90 s) | — |"),
            "{text}"
        );
        assert!(text.ends_with("Score: 1/2\n"), "{text}");
        assert!(!report.passed());
    }

    #[test]
    fn a_failure_the_faithful_run_shares_does_not_hide_the_telling_one() {
        let failure = |scenario: &str| ScenarioFailure {
            scenario: scenario.into(),
            step: "Then x".into(),
            message: format!("{scenario} broke"),
        };
        let run = |failures: Vec<ScenarioFailure>| ChildRun {
            exit_code: Some(if failures.is_empty() { 0 } else { 1 }),
            problem: None,
            elapsed: Duration::ZERO,
            output: String::new(),
            failures,
        };
        let report = SelftestReport {
            faithful: run(vec![failure("flaky")]),
            rows: vec![FaultRow {
                fault: Fault::Acl403,
                run: run(vec![failure("flaky"), failure("acl")]),
            }],
        };
        let text = report.to_string();
        assert!(
            text.contains("| `acl-403` | yes (exit 1) | acl | acl broke |"),
            "{text}"
        );
        assert!(text.contains("Score: 1/1\nThe faithful server failed too"), "{text}");
    }

    #[test]
    fn cells_stay_on_one_line_and_escape_pipes() {
        assert_eq!(cell("a | b\n  c"), "a \\| b c");
        assert!(cell(&"x".repeat(500)).ends_with('…'));
    }
}
