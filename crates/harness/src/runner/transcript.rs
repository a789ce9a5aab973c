//! The console writer and the record of every scenario for `report.html`, from the same events.
//!
//! By default the console shows one line per passed scenario (consecutive examples of an
//! outline as one line), the full steps of a failed one with its failure, and cucumber's
//! summary. With `-v` it is cucumber's own writer, every step (`-vv` adds the World of a failed
//! scenario, `-vvv` docstrings). Either way every scenario is recorded, typed, for the report.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cucumber::event::{self, Cucumber, HookType};
use cucumber::writer::{self, Coloring};
use cucumber::{Event, Writer, gherkin, parser};

use super::console::ConsoleWriter;
use crate::report_html::{FeatureResult, ScenarioResult, StepResult, StepStatus, Verdict, seconds};
use crate::world::{FailureNote, MagentoWorld};

/// The scenarios recorded so far, by feature, shared with the runner that writes the report.
pub(super) type Record = Arc<Mutex<Vec<FeatureResult>>>;

/// A scenario whose events are still coming.
struct Running {
    started: Option<SystemTime>,
    step_started: Option<SystemTime>,
    tags: Vec<String>,
    steps: Vec<StepResult>,
}

/// A line for passed scenarios not printed yet: an outline's examples share their name and
/// are printed as one line.
struct PendingPass {
    name: String,
    count: usize,
    duration: Duration,
}

pub(super) struct Transcript {
    console: ConsoleWriter,
    /// Cucumber's writer, for `-v`; the concise lines otherwise.
    verbose: Option<writer::Basic<ConsoleWriter>>,
    record: Record,
    /// Feature paths are shown relative to this: the directory that holds `features/`.
    base: std::path::PathBuf,
    feature_at: HashMap<(Option<std::path::PathBuf>, String), usize>,
    running: HashMap<(usize, Option<String>, String, usize), Running>,
    pending: Option<PendingPass>,
}

impl Transcript {
    /// `verbose` is the CLI's count of `-v`: 0 is the concise console.
    pub(super) fn new(
        console: ConsoleWriter,
        coloring: Coloring,
        verbose: u8,
        record: Record,
        features_dir: &std::path::Path,
    ) -> Self {
        let verbose = (verbose > 0).then(|| writer::Basic::raw(console.clone(), coloring, verbose - 1));
        Self {
            console,
            verbose,
            record,
            base: features_dir
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
            feature_at: HashMap::new(),
            running: HashMap::new(),
            pending: None,
        }
    }

    fn print(&mut self, text: &str) {
        if self.verbose.is_none() {
            let _ = self.console.write_all(text.as_bytes());
        }
    }

    fn flush_pending(&mut self) {
        if let Some(pass) = self.pending.take() {
            let times = if pass.count > 1 {
                format!(" ×{}", pass.count)
            } else {
                String::new()
            };
            self.print(&format!("  ✔ {}{times} ({})\n", pass.name, seconds(pass.duration)));
        }
    }

    fn feature_index(&mut self, feature: &gherkin::Feature) -> usize {
        let key = (feature.path.clone(), feature.name.clone());
        if let Some(&f) = self.feature_at.get(&key) {
            return f;
        }
        let mut record = self.record.lock().unwrap_or_else(|e| e.into_inner());
        record.push(FeatureResult {
            name: feature.name.clone(),
            path: feature.path.as_deref().map(|p| relative(&self.base, p)),
            scenarios: Vec::new(),
        });
        let f = record.len() - 1;
        drop(record);
        self.feature_at.insert(key, f);
        f
    }

    fn on_feature_started(&mut self, feature: &gherkin::Feature) {
        self.flush_pending();
        self.feature_index(feature);
        self.print(&format!("{}: {}\n", feature.keyword, feature.name));
    }

    fn on_scenario(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: &event::Scenario<MagentoWorld>,
        at: SystemTime,
    ) {
        let f = self.feature_index(feature);
        let key = (
            f,
            rule.map(|r| r.name.clone()),
            scenario.name.clone(),
            scenario.position.line,
        );
        let running = self.running.entry(key.clone()).or_insert_with(|| Running {
            started: None,
            step_started: None,
            tags: feature
                .tags
                .iter()
                .chain(rule.map(|r| r.tags.iter()).into_iter().flatten())
                .chain(scenario.tags.iter())
                .cloned()
                .collect(),
            steps: Vec::new(),
        });
        match event {
            event::Scenario::Started => running.started = Some(at),
            event::Scenario::Hook(_, event::Hook::Started) => running.step_started = Some(at),
            event::Scenario::Hook(_, event::Hook::Passed) => running.step_started = None,
            event::Scenario::Hook(ty, event::Hook::Failed(_, info)) => {
                let keyword = match *ty {
                    HookType::Before => "Before hook",
                    HookType::After => "After hook",
                };
                let duration = since(running.step_started.take(), at);
                running.steps.push(StepResult {
                    keyword: keyword.into(),
                    text: String::new(),
                    status: StepStatus::Failed,
                    duration,
                    error: Some(panic_message(info)),
                    note: None,
                });
            }
            event::Scenario::Background(step, event) | event::Scenario::Step(step, event) => {
                let (status, error, note) = match event {
                    event::Step::Started => {
                        running.step_started = Some(at);
                        return;
                    }
                    event::Step::Passed(..) => (StepStatus::Passed, None, None),
                    event::Step::Skipped => (
                        StepStatus::Skipped,
                        Some("no step definition matches this line".to_owned()),
                        None,
                    ),
                    event::Step::Failed(_, _, world, error) => {
                        let message = match &error {
                            event::StepError::Panic(info) => panic_message(info),
                            other => other.to_string(),
                        };
                        (
                            StepStatus::Failed,
                            Some(message),
                            world.as_ref().and_then(|w| w.failure_note()),
                        )
                    }
                };
                let duration = since(running.step_started.take(), at);
                running.steps.push(StepResult {
                    keyword: step.keyword.trim().to_owned(),
                    text: step.value.clone(),
                    status,
                    duration,
                    error,
                    note,
                });
            }
            event::Scenario::Log(_) => {}
            event::Scenario::Finished => {
                if let Some(mut running) = self.running.remove(&key) {
                    let name = match rule {
                        Some(rule) => format!("{} {}", rule.name, scenario.name),
                        None => scenario.name.clone(),
                    };
                    // The steps after a failure never ran: listed, so a failed scenario reads whole.
                    let reached = running.steps.iter().filter(|s| !s.keyword.ends_with(" hook")).count();
                    let all = feature
                        .background
                        .iter()
                        .chain(rule.and_then(|r| r.background.as_ref()))
                        .flat_map(|b| &b.steps)
                        .chain(&scenario.steps);
                    running.steps.extend(all.skip(reached).map(|step| StepResult {
                        keyword: step.keyword.trim().to_owned(),
                        text: step.value.clone(),
                        status: StepStatus::NotReached,
                        duration: Duration::ZERO,
                        error: None,
                        note: None,
                    }));
                    self.finish(f, name, scenario.position.line, running, at);
                }
            }
        }
    }

    fn finish(&mut self, f: usize, name: String, line: usize, running: Running, at: SystemTime) {
        let failed: Vec<&StepResult> = running
            .steps
            .iter()
            .filter(|s| matches!(s.status, StepStatus::Failed | StepStatus::Skipped))
            .collect();
        let verdict = match failed.first() {
            None => Verdict::Passed,
            Some(step) => match &step.note {
                Some(FailureNote::NotSent(why)) => Verdict::Interrupted(why.clone()),
                _ => Verdict::Failed,
            },
        };
        let result = ScenarioResult {
            name,
            tags: running.tags,
            line,
            verdict,
            duration: since(running.started, at),
            steps: running.steps,
        };
        self.show(&result);
        self.record.lock().unwrap_or_else(|e| e.into_inner())[f]
            .scenarios
            .push(result);
    }

    /// The concise console's lines for a finished scenario.
    fn show(&mut self, scenario: &ScenarioResult) {
        match &scenario.verdict {
            Verdict::Passed => {
                match &mut self.pending {
                    Some(pass) if pass.name == scenario.name => {
                        pass.count += 1;
                        pass.duration += scenario.duration;
                    }
                    _ => {
                        self.flush_pending();
                        self.pending = Some(PendingPass {
                            name: scenario.name.clone(),
                            count: 1,
                            duration: scenario.duration,
                        });
                    }
                }
                return;
            }
            Verdict::Interrupted(why) => {
                self.flush_pending();
                self.print(&format!("  ⊘ {}: {why}\n", scenario.name));
                return;
            }
            Verdict::Failed => self.flush_pending(),
        }
        let mut text = format!("  ✘ {} ({})\n", scenario.name, seconds(scenario.duration));
        for step in &scenario.steps {
            let mark = match step.status {
                StepStatus::Passed => "✔",
                StepStatus::Failed => "✘",
                StepStatus::Skipped => "?",
                StepStatus::NotReached => "-",
            };
            text.push_str(&format!("      {mark} {} {}\n", step.keyword, step.text));
            for line in step.error.iter().flat_map(|e| e.lines()) {
                text.push_str(&format!("          {line}\n"));
            }
        }
        self.print(&text);
    }

    fn on_parsing_error(&mut self, error: &parser::Error) {
        self.flush_pending();
        let (path, message) = match error {
            parser::Error::Parsing(e) => match &**e {
                gherkin::ParseFileError::Reading { path, .. } | gherkin::ParseFileError::Parsing { path, .. } => {
                    (relative(&self.base, path), e.to_string())
                }
            },
            parser::Error::ExampleExpansion(e) => (
                e.path.as_deref().map(|p| relative(&self.base, p)).unwrap_or_default(),
                e.to_string(),
            ),
        };
        self.print(&format!("✘ {path} could not be read: {message}\n"));
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(FeatureResult {
                name: format!("{path} (not read)"),
                path: Some(path),
                scenarios: vec![ScenarioResult {
                    name: "the feature file".into(),
                    tags: Vec::new(),
                    line: 0,
                    verdict: Verdict::Failed,
                    duration: Duration::ZERO,
                    steps: vec![StepResult {
                        keyword: "Parse".into(),
                        text: String::new(),
                        status: StepStatus::Failed,
                        duration: Duration::ZERO,
                        error: Some(message),
                        note: None,
                    }],
                }],
            });
    }
}

fn since(start: Option<SystemTime>, end: SystemTime) -> Duration {
    start.and_then(|s| end.duration_since(s).ok()).unwrap_or_default()
}

/// A feature file's path relative to `base`, when under it.
fn relative(base: &std::path::Path, path: &std::path::Path) -> String {
    path.strip_prefix(base).unwrap_or(path).display().to_string()
}

fn panic_message(info: &event::Info) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(no message)".to_owned())
}

impl Writer<MagentoWorld> for Transcript {
    type Cli = writer::basic::Cli;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<MagentoWorld>>>, cli: &Self::Cli) {
        match &event {
            Err(error) => self.on_parsing_error(error),
            Ok(Event { at, value, .. }) => match value {
                Cucumber::Feature(f, event::Feature::Started) => self.on_feature_started(f),
                Cucumber::Feature(f, event::Feature::Scenario(sc, ev)) => self.on_scenario(f, None, sc, &ev.event, *at),
                Cucumber::Feature(f, event::Feature::Rule(r, event::Rule::Scenario(sc, ev))) => {
                    self.on_scenario(f, Some(r), sc, &ev.event, *at);
                }
                Cucumber::Feature(_, event::Feature::Finished) | Cucumber::Finished => self.flush_pending(),
                _ => {}
            },
        }
        if let Some(basic) = &mut self.verbose {
            basic.handle_event(event, cli).await;
        }
    }
}

impl writer::Arbitrary<MagentoWorld, String> for Transcript {
    async fn write(&mut self, text: String) {
        self.flush_pending();
        match &mut self.verbose {
            Some(basic) => writer::Arbitrary::<MagentoWorld, String>::write(basic, text).await,
            None => {
                let _ = writeln!(self.console, "{text}");
            }
        }
    }
}

impl writer::NonTransforming for Transcript {}
