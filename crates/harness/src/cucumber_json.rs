//! `cucumber.json`: the Cucumber JSON report, in the format of cucumber's own `writer::Json`
//! and built from its types, at a constant cost per event.
//!
//! cucumber's writer finds an event's scenario with a linear scan over the feature's scenarios
//! that formats a string for each one, so a 1000-row outline spent a third of its CPU there
//! (`cargo bench`). Here features and scenarios are found through maps.

use std::collections::HashMap;
use std::io;
use std::sync::LazyLock;
use std::time::SystemTime;

use cucumber::event::{self, Cucumber, HookType, Metadata};
use cucumber::feature::ExpandExamplesError;
use cucumber::writer::json::{Base64, Element, Embedding, Feature, HookResult, RunResult, Status, Step, Tag};
use cucumber::{Event, World, Writer, cli, gherkin, parser};
use inflector::Inflector as _;

/// A scenario's entry: its feature's index, the rule's name, the scenario's name and line, and
/// whether it is the scenario or its background (two entries, as cucumber writes them).
type ElementKey = (usize, Option<String>, String, usize, &'static str);

pub struct CucumberJson<Out: io::Write> {
    output: Out,
    features: Vec<Feature>,
    feature_at: HashMap<(Option<String>, String), usize>,
    element_at: HashMap<ElementKey, usize>,
    started: Option<SystemTime>,
    logs: Vec<String>,
}

impl<Out: io::Write> CucumberJson<Out> {
    /// A writer that expects normalized events (`WriterExt::normalized` on the chain), as
    /// cucumber's does.
    pub fn new(output: Out) -> Self {
        Self {
            output,
            features: Vec::new(),
            feature_at: HashMap::new(),
            element_at: HashMap::new(),
            started: None,
            logs: Vec::new(),
        }
    }

    fn element(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ty: &'static str,
    ) -> &mut Element {
        let feature_key = (uri(feature.path.as_deref()), feature.name.clone());
        let f = *self.feature_at.entry(feature_key).or_insert_with(|| {
            self.features.push(new_feature(feature));
            self.features.len() - 1
        });
        let key = (
            f,
            rule.map(|r| r.name.clone()),
            scenario.name.clone(),
            scenario.position.line,
            ty,
        );
        let elements = &mut self.features[f].elements;
        let e = *self.element_at.entry(key).or_insert_with(|| {
            elements.push(new_element(feature, rule, scenario, ty));
            elements.len() - 1
        });
        &mut elements[e]
    }

    fn elapsed(&mut self, meta: &Metadata) -> u128 {
        self.started
            .take()
            .and_then(|started| meta.at.duration_since(started).ok())
            .map_or(0, |d| d.as_nanos())
    }

    fn embeddings(&mut self) -> Vec<Embedding> {
        std::mem::take(&mut self.logs)
            .into_iter()
            .map(|log| Embedding {
                data: Base64::encode(log),
                mime_type: LOG_MIME.clone(),
                name: None,
            })
            .collect()
    }

    fn on_scenario<W>(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: event::Scenario<W>,
        meta: Metadata,
    ) {
        match event {
            event::Scenario::Started => {}
            event::Scenario::Hook(ty, event) => self.on_hook(feature, rule, scenario, ty, event, meta),
            event::Scenario::Background(step, event) => {
                self.on_step(feature, rule, scenario, "background", &step, event, meta);
            }
            event::Scenario::Step(step, event) => {
                self.on_step(feature, rule, scenario, "scenario", &step, event, meta);
            }
            event::Scenario::Log(message) => self.logs.push(message),
            event::Scenario::Finished => self.logs.clear(),
        }
    }

    fn on_hook<W>(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ty: HookType,
        event: event::Hook<W>,
        meta: Metadata,
    ) {
        let (status, error_message) = match event {
            event::Hook::Started => {
                self.started = Some(meta.at);
                return;
            }
            event::Hook::Passed => (Status::Passed, None),
            event::Hook::Failed(_, info) => (Status::Failed, Some(panic_message(&info))),
        };
        let result = HookResult {
            result: RunResult {
                status,
                duration: self.elapsed(&meta),
                error_message,
            },
            embeddings: self.embeddings(),
        };
        let element = self.element(feature, rule, scenario, "scenario");
        match ty {
            HookType::Before => element.before.push(result),
            HookType::After => element.after.push(result),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_step<W>(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ty: &'static str,
        step: &gherkin::Step,
        event: event::Step<W>,
        meta: Metadata,
    ) {
        let (status, error_message) = match event {
            event::Step::Started => {
                self.started = Some(meta.at);
                self.element(feature, rule, scenario, ty);
                return;
            }
            event::Step::Passed(..) => (Status::Passed, None),
            event::Step::Skipped => (Status::Skipped, None),
            event::Step::Failed(_, location, _, error) => {
                let status = match &error {
                    event::StepError::NotFound => Status::Undefined,
                    event::StepError::AmbiguousMatch(..) => Status::Ambiguous,
                    event::StepError::Panic(..) => Status::Failed,
                };
                let matched = location
                    .map(|l| format!("Matched: {}:{}:{}\n", l.path, l.line, l.column))
                    .unwrap_or_default();
                (status, Some(format!("{matched}{error}")))
            }
        };
        let step = Step {
            keyword: step.keyword.clone(),
            line: step.position.line,
            name: step.value.clone(),
            hidden: false,
            result: RunResult {
                status,
                duration: self.elapsed(&meta),
                error_message,
            },
            embeddings: self.embeddings(),
        };
        self.element(feature, rule, scenario, ty).steps.push(step);
    }
}

impl<W: World, Out: io::Write> Writer<W> for CucumberJson<Out> {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        match event.map(Event::split) {
            Err(parser::Error::Parsing(e)) => self.features.push(parsing_error(&e)),
            Err(parser::Error::ExampleExpansion(e)) => self.features.push(expansion_error(&e)),
            Ok((Cucumber::Feature(f, event::Feature::Scenario(sc, ev)), meta)) => {
                self.on_scenario(&f, None, &sc, ev.event, meta);
            }
            Ok((Cucumber::Feature(f, event::Feature::Rule(r, event::Rule::Scenario(sc, ev))), meta)) => {
                self.on_scenario(&f, Some(&r), &sc, ev.event, meta);
            }
            Ok((Cucumber::Finished, _)) => {
                // A report that cannot be written must not pass unnoticed; cucumber's writer
                // panics here too, and the run's panic hook keeps the message to one line.
                let json = serde_json::to_string(&self.features)
                    .unwrap_or_else(|e| panic!("cannot serialise cucumber.json: {e}"));
                self.output
                    .write_all(json.as_bytes())
                    .and_then(|()| self.output.flush())
                    .unwrap_or_else(|e| panic!("cannot write cucumber.json: {e}"));
            }
            _ => {}
        }
    }
}

impl<Out: io::Write> cucumber::writer::NonTransforming for CucumberJson<Out> {}

static LOG_MIME: LazyLock<mime::Mime> =
    LazyLock::new(|| "text/x.cucumber.log+plain".parse().expect("a valid media type"));

/// A feature file's path as cucumber reports it: relative to the project, if under it.
fn uri(path: Option<&std::path::Path>) -> Option<String> {
    static PROJECT_DIR: LazyLock<String> = LazyLock::new(|| {
        std::env::var("CARGO_WORKSPACE_DIR")
            .or_else(|_| std::env::var("CARGO_MANIFEST_DIR"))
            .unwrap_or_else(|_| {
                std::env::current_dir()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
    });
    let path = path?.to_str()?;
    Some(
        path.trim_start_matches(PROJECT_DIR.as_str())
            .trim_start_matches(['/', '\\'])
            .to_owned(),
    )
}

fn tags(tags: &[String], line: usize) -> Vec<Tag> {
    tags.iter()
        .map(|name| Tag {
            name: name.clone(),
            line,
        })
        .collect()
}

fn new_feature(feature: &gherkin::Feature) -> Feature {
    Feature {
        uri: uri(feature.path.as_deref()),
        keyword: feature.keyword.clone(),
        name: feature.name.clone(),
        tags: tags(&feature.tags, feature.position.line),
        elements: Vec::new(),
    }
}

fn new_element(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    ty: &'static str,
) -> Element {
    let background_keyword = (ty == "background")
        .then(|| feature.background.as_ref().map(|b| &b.keyword))
        .flatten();
    Element {
        after: Vec::new(),
        before: Vec::new(),
        keyword: background_keyword.unwrap_or(&scenario.keyword).clone(),
        r#type: ty,
        id: format!(
            "{}{}/{}",
            feature.name.to_kebab_case(),
            rule.map(|r| format!("/{}", r.name.to_kebab_case())).unwrap_or_default(),
            scenario.name.to_kebab_case(),
        ),
        line: scenario.position.line,
        name: format!(
            "{}{}",
            rule.map(|r| format!("{} ", r.name)).unwrap_or_default(),
            scenario.name
        ),
        tags: tags(&scenario.tags, scenario.position.line),
        steps: Vec::new(),
    }
}

fn panic_message(info: &event::Info) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(Could not resolve panic payload)".to_owned())
}

/// A feature that could not be read: one failed step, as cucumber reports it.
fn failure_feature(uri: Option<String>, id: String, line: usize, message: String) -> Feature {
    Feature {
        uri,
        keyword: String::new(),
        name: String::new(),
        tags: Vec::new(),
        elements: vec![Element {
            after: Vec::new(),
            before: Vec::new(),
            keyword: String::new(),
            r#type: "scenario",
            id,
            line: 0,
            name: String::new(),
            tags: Vec::new(),
            steps: vec![Step {
                keyword: String::new(),
                line,
                name: "scenario".into(),
                hidden: false,
                result: RunResult {
                    status: Status::Failed,
                    duration: 0,
                    error_message: Some(message),
                },
                embeddings: Vec::new(),
            }],
        }],
    }
}

fn parsing_error(error: &gherkin::ParseFileError) -> Feature {
    let path = match error {
        gherkin::ParseFileError::Reading { path, .. } | gherkin::ParseFileError::Parsing { path, .. } => path,
    };
    let uri = uri(Some(path));
    let id = format!("failed-to-parse{}", uri.as_deref().unwrap_or_default());
    failure_feature(uri, id, 0, error.to_string())
}

fn expansion_error(error: &ExpandExamplesError) -> Feature {
    let uri = uri(error.path.as_deref());
    let id = format!("failed-to-expand-examples{}", uri.as_deref().unwrap_or_default());
    failure_feature(uri, id, error.pos.line, error.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use cucumber::writer::{self, Coloring};
    use cucumber::{WriterExt as _, given, then, when};
    use serde_json::Value;

    use super::*;

    #[derive(Debug, Default, cucumber::World)]
    struct Tiny;

    #[given(regex = r"^a background step$")]
    fn background(_: &mut Tiny) {}

    #[when(regex = r"^step (\d+) runs$")]
    fn numbered(_: &mut Tiny, _n: u32) {}

    #[then(regex = r"^it fails$")]
    fn fails(_: &mut Tiny) {
        panic!("failed on purpose");
    }

    const FEATURE: &str = "@feature-tag
Feature: Tiny report

  Background:
    Given a background step

  @scenario-tag
  Scenario: Plain
    When step 1 runs

  Scenario Outline: Row <n>
    When step <n> runs

    @examples-tag
    Examples:
      | n |
      | 2 |
      | 3 |
      | 4 |

  Scenario: Broken
    When step 5 runs
    Then it fails
    And step 6 runs

  Rule: A rule
    Scenario: Ruled
      When step 7 runs
      And nothing matches this
";

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn without_durations(mut value: Value) -> Value {
        fn strip(value: &mut Value) {
            match value {
                Value::Object(map) => {
                    map.remove("duration");
                    map.values_mut().for_each(strip);
                }
                Value::Array(items) => items.iter_mut().for_each(strip),
                _ => {}
            }
        }
        strip(&mut value);
        value
    }

    /// The same run, written by cucumber's `writer::Json` and by ours: the same report, apart
    /// from timings.
    #[tokio::test]
    async fn writes_what_cucumbers_own_writer_writes() {
        let dir = std::env::temp_dir().join(format!("mc-cucumber-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tiny.feature"), FEATURE).unwrap();
        let (ours, theirs) = (Shared::default(), Shared::default());
        let previous_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        Tiny::cucumber()
            .before(|_, _, _, _| Box::pin(async {}))
            .after(|_, _, _, _, _| Box::pin(async {}))
            .with_writer(
                writer::Basic::raw(io::sink(), Coloring::Never, 0)
                    .summarized()
                    .tee::<Tiny, _>(
                        CucumberJson::new(ours.clone())
                            .discard_stats_writes()
                            .discard_arbitrary_writes(),
                    )
                    .tee::<Tiny, _>(writer::Json::for_tee(theirs.clone()))
                    .normalized(),
            )
            .with_default_cli()
            .run(&dir)
            .await;
        std::panic::set_hook(previous_hook);
        std::fs::remove_dir_all(&dir).unwrap();

        let parse = |out: &Shared| -> Value { serde_json::from_slice(&out.0.lock().unwrap()).unwrap() };
        let (ours, theirs) = (parse(&ours), parse(&theirs));
        let elements = theirs[0]["elements"].as_array().unwrap();
        let statuses: Vec<&str> = elements
            .iter()
            .flat_map(|e| e["steps"].as_array().unwrap())
            .filter_map(|s| s["result"]["status"].as_str())
            .collect();
        for status in ["passed", "failed", "skipped"] {
            assert!(statuses.contains(&status), "the run has a {status} step: {statuses:?}");
        }
        assert!(elements.len() >= 12, "backgrounds and scenarios: {}", elements.len());
        assert!(
            elements.iter().any(|e| e["before"].is_array() && e["after"].is_array()),
            "hooks"
        );
        assert!(
            elements.iter().any(|e| e["name"] == "A rule Ruled"),
            "the rule's scenario"
        );
        assert_eq!(without_durations(ours), without_durations(theirs));
    }
}
