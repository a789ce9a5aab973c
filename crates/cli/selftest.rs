//! The self-test: proof that the suite catches deviations from Magento.
//!
//! For the faithful reference server and for each [`Fault`], a reference server is started in
//! this process and the harness binary runs against it as a child process, configured only
//! through its environment, exactly as a user runs it against a store. A fault counts as caught
//! when that run exits with a non-zero code; the faithful run must pass, or the suite raises
//! false alarms. What failed is read from the `cucumber.json` the child writes, not from its
//! console output, which is meant for people.
//!
//! The report renders as the README's table (`selftest --write-readme`): it names no run id,
//! port, customer or duration, so two runs render the same table and a test can compare it.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use regex::Regex;
use serde::Deserialize;

use magento_reference::{Fault, ReferenceMagento, RunningReference, StoreSettings};

/// How long one harness run may take before it is killed. A full run takes a few seconds; a
/// run that hangs has not reported anything, so it does not count as a catch.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(90);

/// The client timeout given to runs against faults that slow answers down
/// ([`Fault::slows_responses`]), so that they fail in one second instead of thirty.
pub const SHORT_CLIENT_TIMEOUT_SECS: u64 = 1;

/// How often a running child is checked for having exited.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The report the child writes in its `MAGENTO_REPORT_DIR`, read for its failed steps.
const CUCUMBER_JSON: &str = "cucumber.json";

/// Cucumber's marker before a failed step's message in `cucumber.json`.
const PANIC_MARKER: &str = "Step panicked. Captured output:";

/// The README's markers around the table `selftest --write-readme` writes.
pub const README_START: &str = "<!-- selftest:start -->";
pub const README_END: &str = "<!-- selftest:end -->";

/// The harness prefixes its own one-line reports with this.
const HARNESS_PREFIX: &str = "magento-contract: ";

/// One failed step (or hook), as the child's `cucumber.json` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioFailure {
    /// The scenario's name (an outline's name has its example filled in).
    pub scenario: String,
    /// The failed step's keyword and text, or which hook failed.
    pub step: String,
    /// What the step reported: the check's message, the request and how to repeat it.
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
    /// Everything the child wrote to stdout and stderr, interleaved as written, for diagnostics.
    pub output: String,
    /// The failed steps from the child's `cucumber.json`, in feature-file order (not in the
    /// order they finished, which varies with concurrency).
    pub failures: Vec<ScenarioFailure>,
    /// Why the child's `cucumber.json` could not be read, when it could not.
    pub report_problem: Option<String>,
}

impl ChildRun {
    fn not_run(problem: String, started: Instant) -> Self {
        ChildRun {
            exit_code: None,
            problem: Some(problem),
            elapsed: started.elapsed(),
            output: String::new(),
            failures: Vec::new(),
            report_problem: None,
        }
    }

    /// The harness ran, exited 0 and its report agrees: it was written and names no failure.
    pub fn passed(&self) -> bool {
        self.exit_code == Some(0) && self.report_problem.is_none() && self.failures.is_empty()
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
    /// problem report, else why the run did not finish, else why its report is unreadable.
    pub fn first_failure(&self) -> Option<String> {
        self.failures
            .first()
            .map(ScenarioFailure::first_line)
            .or_else(|| self.harness_problem().map(str::to_owned))
            .or_else(|| self.problem.clone())
            .or_else(|| self.report_problem.clone())
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

/// The faithful run and one row per fault, in the order asked for.
///
/// `Display` renders the faithful run's result, a Markdown table and the score, with nothing
/// that differs between runs (see [`stable_text`]): it is the README's table.
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
            writeln!(formatter, "Faithful server: passed (exit 0)")?;
        } else {
            writeln!(
                formatter,
                "Faithful server: FAILED ({}): {}: {}",
                exit_label(faithful),
                cell(faithful.first_failing_scenario().unwrap_or("no scenario named")),
                cell(faithful.first_failure().as_deref().unwrap_or("no failure reported"))
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

/// A table cell: one line, no column separators, nothing that differs between runs, at most
/// 180 characters.
fn cell(text: &str) -> String {
    const MAX: usize = 180;
    let one_line = stable_text(text)
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

/// `text` without what differs from one run to the next: the run's customer emails
/// (`mc-<run id>-<n>@…`), customer ids, the server's port and request timings. Applying it
/// twice changes nothing, so a rendered table is its own normal form.
pub fn stable_text(text: &str) -> String {
    static RULES: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
        [
            (
                r"\bmc-[0-9a-z]+-[0-9]+@[0-9A-Za-z.-]*[0-9A-Za-z]",
                "mc-<run>-<n>@example.com",
            ),
            (r"\bid [0-9]+\b", "id <id>"),
            (r"/V1/customers/[0-9]+\b", "/V1/customers/<id>"),
            (r"(https?://[^/\s:]+):[0-9]+\b", "$1:<port>"),
            (r"\bin [0-9]+ ms\b", "in <n> ms"),
        ]
        .into_iter()
        .map(|(pattern, replacement)| (Regex::new(pattern).expect("a valid pattern"), replacement))
        .collect()
    });
    RULES.iter().fold(text.to_owned(), |text, (pattern, replacement)| {
        pattern.replace_all(&text, *replacement).into_owned()
    })
}

/// The README around its table: what precedes the start marker, the table, what follows the
/// end marker.
fn split_readme(readme: &str) -> Result<(&str, &str, &str), String> {
    let (before, rest) = readme
        .split_once(README_START)
        .ok_or_else(|| format!("no {README_START} marker"))?;
    let (table, after) = rest
        .split_once(README_END)
        .ok_or_else(|| format!("no {README_END} marker after {README_START}"))?;
    Ok((before, table.strip_prefix('\n').unwrap_or(table), after))
}

/// The table between the README's markers, as `--write-readme` last wrote it.
pub fn readme_table(readme: &str) -> Result<&str, String> {
    split_readme(readme).map(|(_, table, _)| table)
}

/// `readme` with `table` between its markers instead of the one there.
pub fn with_readme_table(readme: &str, table: &str) -> Result<String, String> {
    let (before, _, after) = split_readme(readme)?;
    Ok(format!("{before}{README_START}\n{table}{README_END}{after}"))
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
    let report_dir = dir.path().join("reports");
    let spawned = File::create(&log_path).and_then(|log| {
        let mut command = harness_command(binary, server, dir.path(), &report_dir, client_timeout_secs);
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
    let (failures, report_problem) = match read_report(&report_dir.join(CUCUMBER_JSON)) {
        Ok(failures) => (failures, None),
        Err(problem) => (Vec::new(), Some(problem)),
    };
    ChildRun {
        exit_code,
        problem,
        elapsed: started.elapsed(),
        output,
        failures,
        report_problem,
    }
}

/// The failed steps of the child's `cucumber.json`; a missing or unreadable report is a problem
/// of the run, said in one line.
fn read_report(path: &Path) -> Result<Vec<ScenarioFailure>, String> {
    let json = fs::read_to_string(path).map_err(|e| format!("the child wrote no {CUCUMBER_JSON}: {e}"))?;
    read_failures(&json).map_err(|e| format!("the child's {CUCUMBER_JSON} cannot be read: {e}"))
}

/// The harness's command line and environment: nothing inherited that could change its
/// configuration, snapshots never written, and run from the temporary directory so that no
/// `.env` file is picked up.
fn harness_command(
    binary: &Path,
    server: &RunningReference,
    dir: &Path,
    report_dir: &Path,
    client_timeout_secs: Option<u64>,
) -> Command {
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
        .env("MAGENTO_REPORT_DIR", report_dir)
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

/// The parts of a Cucumber JSON report (features → elements → steps) that say what failed.
#[derive(Deserialize)]
struct JsonFeature {
    uri: Option<String>,
    elements: Vec<JsonElement>,
}

/// A scenario, or its background, which cucumber reports as a separate element of the same name.
#[derive(Deserialize)]
struct JsonElement {
    r#type: String,
    line: usize,
    name: String,
    #[serde(default)]
    before: Vec<JsonHook>,
    steps: Vec<JsonStep>,
    #[serde(default)]
    after: Vec<JsonHook>,
}

#[derive(Deserialize)]
struct JsonStep {
    keyword: String,
    name: String,
    result: JsonResult,
}

#[derive(Deserialize)]
struct JsonHook {
    result: JsonResult,
}

#[derive(Deserialize)]
struct JsonResult {
    status: String,
    error_message: Option<String>,
}

impl JsonResult {
    /// Failed, undefined or ambiguous; a skipped step only fails the run through
    /// `fail_on_skipped`, which reports it as undefined.
    fn failed(&self) -> bool {
        !matches!(self.status.as_str(), "passed" | "skipped")
    }

    /// The message without cucumber's `Matched:` line and panic marker.
    fn message(&self) -> String {
        let text = self.error_message.as_deref().unwrap_or("no message");
        let text = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("Matched: ") => rest,
            _ => text,
        };
        text.strip_prefix(PANIC_MARKER).unwrap_or(text).trim().to_owned()
    }
}

/// The failed steps and hooks of a Cucumber JSON report, in feature-file order: by feature path,
/// then line, a background before its scenario. Cucumber lists elements as they started, which
/// varies with concurrency; this order does not, so the first failure is the same every run.
pub fn read_failures(json: &str) -> Result<Vec<ScenarioFailure>, serde_json::Error> {
    let features: Vec<JsonFeature> = serde_json::from_str(json)?;
    let mut elements: Vec<(&Option<String>, &JsonElement)> = features
        .iter()
        .flat_map(|feature| feature.elements.iter().map(move |element| (&feature.uri, element)))
        .collect();
    elements.sort_by_key(|&(uri, element)| (uri, element.line, element.r#type != "background", element.name.as_str()));
    let mut failures = Vec::new();
    for (_, element) in elements {
        let failure = |step: String, result: &JsonResult| ScenarioFailure {
            scenario: element.name.clone(),
            step,
            message: result.message(),
        };
        let hooks = |hooks: &[JsonHook], label: &str| {
            hooks
                .iter()
                .filter(|hook| hook.result.failed())
                .map(|hook| failure(label.to_owned(), &hook.result))
                .collect::<Vec<_>>()
        };
        failures.extend(hooks(&element.before, "before hook"));
        failures.extend(
            element
                .steps
                .iter()
                .filter(|step| step.result.failed())
                .map(|step| failure(format!("{} {}", step.keyword.trim(), step.name), &step.result)),
        );
        failures.extend(hooks(&element.after, "after hook"));
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `cucumber.json` as the harness writes it, its features in the order they started.
    const REPORT: &str = r#"[
  {"uri": "features/b.feature", "keyword": "Feature", "name": "B", "tags": [], "elements": [
    {"keyword": "Scenario", "type": "scenario", "id": "b/late", "line": 9, "name": "late", "tags": [],
     "steps": [{"keyword": "Then ", "line": 10, "name": "it fails", "result": {"status": "failed",
       "duration": 1, "error_message": "Matched: crates/harness/src/steps/x.rs:1:1\nStep panicked. Captured output: late broke"}}]},
    {"keyword": "Scenario", "type": "scenario", "id": "b/early", "line": 3, "name": "early", "tags": [],
     "steps": [{"keyword": "When ", "line": 4, "name": "a step passes", "result": {"status": "passed", "duration": 1}},
       {"keyword": "Then ", "line": 5, "name": "nothing matches", "result": {"status": "undefined", "duration": 0,
       "error_message": "Step doesn't match any function"}}],
     "after": [{"result": {"status": "failed", "duration": 1, "error_message": "clean-up broke"}}]}
  ]},
  {"uri": "features/a.feature", "keyword": "Feature", "name": "A", "tags": [], "elements": [
    {"keyword": "Scenario Outline", "type": "scenario", "id": "a/outline-404", "line": 12, "name": "outline 404", "tags": [],
     "steps": [{"keyword": "Then ", "line": 6, "name": "the response status is 200", "result": {"status": "failed", "duration": 1,
       "error_message": "Matched: crates/harness/src/steps/request.rs:152:1\nStep panicked. Captured output: expected HTTP status 200, received 404\n  response body: {\"message\":\"Request does not match any route.\"}\n  request: GET http://127.0.0.1:1/rest/default/V1/no-such-route -> 404 in 1 ms"}}]},
    {"keyword": "Background", "type": "background", "id": "a/outline-404", "line": 12, "name": "outline 404", "tags": [],
     "steps": [{"keyword": "Given ", "line": 3, "name": "a skipped step", "result": {"status": "skipped", "duration": 0}}]}
  ]}
]"#;

    #[test]
    fn failures_are_read_in_feature_file_order_with_their_scenario_and_message() {
        let failures = read_failures(REPORT).expect("a valid report");
        let read: Vec<(&str, &str, &str)> = failures
            .iter()
            .map(|f| {
                (
                    f.scenario.as_str(),
                    f.step.as_str(),
                    f.message.lines().next().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    "outline 404",
                    "Then the response status is 200",
                    "expected HTTP status 200, received 404"
                ),
                ("early", "Then nothing matches", "Step doesn't match any function"),
                ("early", "after hook", "clean-up broke"),
                ("late", "Then it fails", "late broke"),
            ]
        );
        assert!(failures[0].message.contains("request: GET"), "{}", failures[0].message);
    }

    #[test]
    fn a_report_that_is_not_cucumber_json_is_an_error() {
        assert!(read_failures("").is_err());
        assert!(read_failures(r#"[{"uri": null, "elements": [{"name": "x"}]}]"#).is_err());
        assert_eq!(read_failures("[]").expect("no features"), []);
    }

    #[test]
    fn a_run_without_a_report_has_not_passed_and_says_why() {
        let dir = TempDir::create().expect("a temporary directory");
        let problem = read_report(&dir.path().join(CUCUMBER_JSON)).expect_err("no report");
        assert!(problem.starts_with("the child wrote no cucumber.json: "), "{problem}");
        let run = ChildRun {
            exit_code: Some(0),
            problem: None,
            elapsed: Duration::ZERO,
            output: String::new(),
            failures: Vec::new(),
            report_problem: Some(problem.clone()),
        };
        assert!(!run.passed());
        assert_eq!(run.first_failure(), Some(problem));
    }

    #[test]
    fn the_first_line_names_the_deviation() {
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
            report_problem: Some("the child wrote no cucumber.json: not found".into()),
        };
        assert!(run.reported_failure() && !run.passed());
        assert_eq!(
            run.first_failure().as_deref(),
            Some("magento-contract: admin sign-in failed: no")
        );
        assert_eq!(run.first_failing_scenario(), None);
    }

    #[test]
    fn the_report_is_a_markdown_table_with_a_score_and_no_timing() {
        let run = |exit_code: Option<i32>, failures: Vec<ScenarioFailure>| ChildRun {
            exit_code,
            problem: exit_code
                .is_none()
                .then(|| "killed: the harness did not finish within 90 s".to_owned()),
            elapsed: Duration::from_millis(1500),
            output: String::new(),
            failures,
            report_problem: None,
        };
        let report = SelftestReport {
            faithful: run(Some(0), Vec::new()),
            rows: vec![
                FaultRow {
                    fault: Fault::CreateReturns201,
                    run: run(Some(1), read_failures(REPORT).expect("a valid report")),
                },
                FaultRow {
                    fault: Fault::SlowMe,
                    run: run(None, Vec::new()),
                },
            ],
        };
        let text = report.to_string();
        assert!(text.starts_with("Faithful server: passed (exit 0)\n"), "{text}");
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
            report_problem: None,
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

    #[test]
    fn what_differs_between_runs_is_left_out() {
        let text = "customer mc-rc16dk7a-57@example.com (id 36) exists: GET http://127.0.0.1:34331/rest/default/V1/customers/36 -> 200 in 12 ms";
        let stable = "customer mc-<run>-<n>@example.com (id <id>) exists: GET http://127.0.0.1:<port>/rest/default/V1/customers/<id> -> 200 in <n> ms";
        assert_eq!(stable_text(text), stable);
        assert_eq!(stable_text(stable), stable);
        let kept = "No such entity with customerId = -1; exp - iat is 86400 s; timed out after 1s";
        assert_eq!(stable_text(kept), kept);
    }

    #[test]
    fn the_readme_table_is_replaced_between_its_markers() {
        let readme = format!("intro\n{README_START}\nold\ntable\n{README_END}\n\nafter\n");
        assert_eq!(readme_table(&readme), Ok("old\ntable\n"));
        let written = with_readme_table(&readme, "new\n").expect("markers");
        assert_eq!(written, format!("intro\n{README_START}\nnew\n{README_END}\n\nafter\n"));
        assert_eq!(readme_table(&written), Ok("new\n"));
        assert!(readme_table("no markers").is_err());
    }
}
