//! The cucumber wiring: which scenarios run (the user's filter and what the configuration
//! allows), the World's hooks, the writers (console and the record for `report.html`, JUnit,
//! Cucumber JSON), and the outcome.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cucumber::tag::Ext as _;
use cucumber::writer::{self, Coloring};
use cucumber::{World as _, WriterExt as _, gherkin};
use futures::FutureExt as _;
use regex::Regex;

use super::console::{Console, Mode, Progress};
use super::options::{Outcome, Selection};
use super::transcript::{Record, Transcript};
use crate::checks::recaptcha::Need;
use crate::config::AdminAuth;
use crate::cucumber_json::CucumberJson;
use crate::feature_files::FeatureFiles;
use crate::report_html::{FeatureResult, NotRun};
use crate::suite_files::FileSet;
use crate::version::{GateVerdict, MagentoVersion, ReleaseGate};
use crate::world::{MagentoWorld, RunContext};

/// Tags that make a scenario depend on what the configuration provides.
const NEEDS_ADMIN: &str = "needs-admin";
const NEEDS_TWO_FACTOR: &str = "needs-two-factor";
const NEEDS_CONFIRMATION: &str = "needs-confirmation";
/// Scenarios that speak GraphQL: not run, and listed in one line, on a store without it.
const GRAPHQL: &str = "graphql";
/// Scenarios that sign a freshly created customer in: impossible while the account is unconfirmed.
const SIGNS_IN: &str = "signs-in";
/// Scenarios that check the address they sent: impossible where the store drops it (STORES.md C6).
const CHECKS_ADDRESS: &str = "checks-address";
/// Password rows that break one rule, which a store's policy may make unbreakable (STORES.md U1).
const PASSWORD_LENGTH_RULE: &str = "password-length-rule";
const PASSWORD_CLASSES_RULE: &str = "password-classes-rule";
const PASSWORD_EMAIL_RULE: &str = "password-email-rule";
/// Scenarios that check `is_subscribed`, which only Magento_Newsletter adds (STORES.md U7).
const NEWSLETTER: &str = "newsletter";

/// Which scenarios run: the user's tag expression and name regex, and what the configuration
/// allows (`@needs-admin` needs admin credentials, `@needs-two-factor` a TOTP secret,
/// `@needs-confirmation` a store that requires email confirmation).
pub(super) struct ScenarioFilter {
    tags: Option<gherkin::tagexpr::TagOperation>,
    name: Option<Regex>,
}

impl ScenarioFilter {
    pub(super) fn new(args: &Selection) -> Result<Self, String> {
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
fn not_applicable(tags: &[String], ctx: &RunContext) -> Option<Cow<'static, str>> {
    let has = |t: &str| tags.iter().any(|tag| tag == t);
    // `@guest-create`, `@creates-customer`, `@guest-sign-in`: a form the store guards with
    // reCAPTCHA (STORES.md C1).
    for need in Need::ALL {
        if has(need.tag())
            && let Some(reason) = ctx.recaptcha.not_run_reason(need)
        {
            return Some(reason.into());
        }
    }
    if has(CHECKS_ADDRESS)
        && let Some(reason) = ctx.profile.address_not_allowed(ctx.config.is_set("MAGENTO_ADDRESS"))
    {
        return Some(reason.into());
    }
    if has(NEWSLETTER)
        && let Some(reason) = ctx.profile.newsletter_missing()
    {
        return Some(reason.into());
    }
    let policy = &ctx.config.policy;
    if has(PASSWORD_LENGTH_RULE) && policy.password_min_length < 2 {
        return Some("the store's minimum password length is 1: no password is too short".into());
    }
    if has(PASSWORD_CLASSES_RULE) && policy.password_required_classes < 2 {
        return Some("the store requires one character class: every password has enough".into());
    }
    // The shortest e-mail of the run, `mc-<8>-<n>@<domain>`: a password equal to it that is
    // shorter than the minimum length is refused for its length first.
    let shortest_email = "mc-12345678-1@".len() + ctx.config.email_domain.len();
    if has(PASSWORD_EMAIL_RULE) && policy.password_min_length > shortest_email {
        return Some(
            format!(
                "the store's minimum password length {} is longer than the run's e-mail addresses ({shortest_email} characters)",
                policy.password_min_length
            )
            .into(),
        );
    }
    not_applicable_by_configuration(tags, ctx).map(Cow::Borrowed)
}

fn not_applicable_by_configuration(tags: &[String], ctx: &RunContext) -> Option<&'static str> {
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

/// What the configured release decides for a scenario with these tags: the first `@since-…` or
/// `@before-…` gate that does not let it run, or an error naming a malformed one.
fn release_verdict(tags: &[String], version: Option<&MagentoVersion>) -> Result<Option<GateVerdict>, String> {
    for tag in tags {
        if let Some(gate) = ReleaseGate::from_tag(tag) {
            match gate?.verdict(version) {
                GateVerdict::Runs => {}
                other => return Ok(Some(other)),
            }
        }
    }
    Ok(None)
}

/// The scenarios the run leaves out, with why, and what that says about the configuration.
#[derive(Default)]
struct LeftOut {
    scenarios: Vec<NotRun>,
    /// How many of them only wait for MAGENTO_VERSION (or a patch level in it).
    need_version: usize,
    /// Release tags that do not parse: a defect of the feature files, which fails the run.
    malformed: Vec<String>,
}

/// A report cucumber writes in one piece when the run finishes (`junit.xml`, `cucumber.json`),
/// kept in memory until then: it is redacted on its values, which needs the whole document, and
/// only the redacted copy ever reaches the disk.
#[derive(Clone, Default)]
struct Buffered(Arc<Mutex<Vec<u8>>>);

impl Buffered {
    /// Writes the redacted report; an empty one (the run never finished) stays empty.
    fn write_redacted(&self, path: &Path, redact: impl Fn(&str) -> io::Result<String>) -> io::Result<()> {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        if bytes.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8(bytes).map_err(io::Error::other)?;
        std::fs::write(path, redact(&text)?)
    }
}

impl Write for Buffered {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the scenarios came to: the outcome, and every scenario and what did not run, for the
/// report.
pub(super) struct ScenarioRun {
    pub(super) outcome: Outcome,
    pub(super) features: Vec<FeatureResult>,
    pub(super) not_run: Vec<NotRun>,
}

pub(super) async fn run_scenarios(
    ctx: &Arc<RunContext>,
    args: &Selection,
    filter: ScenarioFilter,
    console: &mut impl Write,
) -> Result<ScenarioRun, String> {
    let features = ctx.config.files.features.clone();
    if let FileSet::Dir(dir) = &features
        && !dir.is_dir()
    {
        return Err(format!(
            "no feature files at {}: set MAGENTO_FEATURES_DIR",
            dir.display()
        ));
    }
    crate::feature_files::check_graphql_documents(&features)?;
    // Built-in features carry their path in the repository (`features/...`).
    let feature_root = match &features {
        FileSet::Dir(dir) => dir.clone(),
        FileSet::BuiltIn(set) => PathBuf::from(set.name),
    };
    let coloring = match args.color.as_str() {
        "always" => Coloring::Always,
        "never" => Coloring::Never,
        "auto" => Coloring::Auto,
        other => return Err(format!("--color {other:?}: use auto, always or never")),
    };
    // Created now, empty, so that an unwritable directory stops the run before any scenario.
    let report = |name: &str| -> Result<PathBuf, String> {
        let path = ctx.config.report_dir.join(name);
        File::create(&path)
            .map(|_| path.clone())
            .map_err(|e| format!("cannot write {} ({e}): set MAGENTO_REPORT_DIR", path.display()))
    };
    let (junit_path, json_path) = (report("junit.xml")?, report("cucumber.json")?);
    let (junit, json) = (Buffered::default(), Buffered::default());

    let skipped_as_inapplicable = Arc::new(std::sync::Mutex::new(LeftOut::default()));
    let skipped_without_graphql = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let without_graphql = Arc::clone(&skipped_without_graphql);
    let selected = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // The progress line belongs to the concise console; `-v` prints every step as it goes.
    let mode = if args.verbose > 0 { Mode::Plain } else { Mode::detect() };
    let live = Console::new(mode, &ctx.redactor, Arc::new(Progress::new(Arc::clone(&selected))));
    let record = Record::default();
    let (before_live, after_live) = (Arc::clone(&live), Arc::clone(&live));

    let before_ctx = Arc::clone(ctx);
    let filter_ctx = Arc::clone(ctx);
    let inapplicable = Arc::clone(&skipped_as_inapplicable);
    let selected_count = Arc::clone(&selected);

    let mut cucumber = MagentoWorld::cucumber::<&Path>()
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
            before_live.progress().started(&scenario.name);
            async {}.boxed_local()
        })
        .after(move |_, _, scenario, finished, world| {
            let failed = matches!(
                finished,
                cucumber::event::ScenarioFinished::StepFailed(..)
                    | cucumber::event::ScenarioFinished::BeforeHookFailed(..)
            );
            after_live.progress().finished(&scenario.name, failed);
            async move {
                if let Some(world) = world {
                    world.clean_up().await;
                }
            }
            .boxed_local()
        })
        .with_writer(
            Transcript::new(live.writer(), coloring, args.verbose, record.clone(), &feature_root)
                .summarized()
                .tee::<MagentoWorld, _>(writer::JUnit::for_tee(junit.clone(), 0))
                .tee::<MagentoWorld, _>(
                    CucumberJson::new(json.clone())
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
    let run = cucumber.filter_run(features, move |feature, rule, scenario| {
        let tags = scenario_tags(feature, rule, scenario);
        let wanted = filter.tags.as_ref().is_none_or(|t| t.eval(tags.iter()))
            && filter.name.as_ref().is_none_or(|re| re.is_match(&scenario.name));
        if !wanted {
            return false;
        }
        if tags.iter().any(|t| t == GRAPHQL) && filter_ctx.graphql_missing().is_some() {
            without_graphql.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return false;
        }
        let mut left_out = inapplicable.lock().unwrap_or_else(|e| e.into_inner());
        let verdict = release_verdict(&tags, filter_ctx.config.magento_version.as_ref());
        let reason = match (not_applicable(&tags, &filter_ctx), verdict) {
            (_, Err(problem)) => {
                left_out
                    .malformed
                    .push(format!("{}: {}: {problem}", feature.name, scenario.name));
                Some(problem)
            }
            (Some(reason), Ok(_)) => Some(reason.into_owned()),
            (None, Ok(Some(GateVerdict::NeedsVersion(reason)))) => {
                left_out.need_version += 1;
                Some(reason)
            }
            (None, Ok(Some(GateVerdict::NotThisRelease(reason)))) => Some(reason),
            (None, Ok(Some(GateVerdict::Runs) | None)) => None,
        };
        if let Some(reason) = reason {
            left_out.scenarios.push(NotRun {
                what: format!("{}: {}", feature.name, scenario.name),
                reason,
            });
            return false;
        }
        selected_count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    });
    // After a signal, or once the store stopped answering, the scenarios still to come end at
    // their first request; those in flight
    // get at most one request timeout to finish before cucumber is dropped (the sweep then
    // deletes what their after hooks did not).
    let mut run = std::pin::pin!(run);
    let ticker = live.spawn_ticker();
    let writer = tokio::select! {
        writer = &mut run => Some(writer),
        () = ctx.interruption.wait() => tokio::time::timeout(ctx.config.timeout, &mut run).await.ok(),
        () = ctx.store_loss.wait() => tokio::time::timeout(ctx.config.timeout, &mut run).await.ok(),
    };
    live.finish(ticker);
    std::panic::set_hook(previous_hook);

    let saved = [
        (
            &junit_path,
            junit.write_redacted(&junit_path, |xml| {
                ctx.redactor.redact_xml(&mark_junit(xml, ctx.stop_summary()))
            }),
        ),
        (
            &json_path,
            json.write_redacted(&json_path, |json| {
                ctx.redactor
                    .redact_json_text(&mark_cucumber_json(json, ctx.stop_json())?)
            }),
        ),
    ];
    for (path, result) in saved {
        if let Err(e) = result {
            let _ = writeln!(console, "magento-contract: could not write {}: {e}", path.display());
        }
    }

    use cucumber::writer::Stats as _;
    let left_out = std::mem::take(&mut *skipped_as_inapplicable.lock().unwrap_or_else(|e| e.into_inner()));
    if left_out.need_version > 0 {
        let _ = writeln!(
            console,
            "\n{} scenario(s) need MAGENTO_VERSION, the store's release with its patch level (e.g. 2.4.6-p8): Magento does not report it over REST, and the schema's info.version is only 2.4. They are listed below.",
            left_out.need_version
        );
    }
    if !left_out.scenarios.is_empty() {
        let _ = writeln!(
            console,
            "\nNot run with this configuration ({}):",
            left_out.scenarios.len()
        );
        for n in &left_out.scenarios {
            let _ = writeln!(console, "  - {} ({})", n.what, n.reason);
        }
    }
    let mut not_run = left_out.scenarios;
    let without_graphql = skipped_without_graphql.load(std::sync::atomic::Ordering::Relaxed);
    if let (Some(reason), 1..) = (ctx.graphql_missing(), without_graphql) {
        let _ = writeln!(console, "\nNot run: {without_graphql} @graphql scenarios ({reason})");
        not_run.push(NotRun {
            what: format!("{without_graphql} @graphql scenarios"),
            reason: reason.to_owned(),
        });
    }
    crate::report::print_not_run_steps(console, ctx);
    let scenarios_run = selected.load(std::sync::atomic::Ordering::Relaxed);
    let recorded = std::mem::take(&mut *record.lock().unwrap_or_else(|e| e.into_inner()));
    let finished = |outcome| ScenarioRun {
        outcome,
        features: recorded,
        not_run,
    };
    let Some(writer) = writer else {
        let _ = writeln!(
            console,
            "magento-contract: scenarios still running {} s after the signal were abandoned; junit.xml and cucumber.json are not written",
            ctx.config.timeout.as_secs()
        );
        // Only an interrupted run gets here; the runner replaces the exit code and the problem
        // with the interruption's.
        return Ok(finished(Outcome {
            scenarios_run,
            ..Outcome::environment("abandoned after the signal")
        }));
    };
    let mut outcome = Outcome {
        exit_code: 0,
        passed_steps: writer.passed_steps(),
        failed_steps: writer.failed_steps(),
        skipped_steps: writer.skipped_steps(),
        scenarios_run,
        problem: None,
    };
    if !left_out.malformed.is_empty() {
        outcome.exit_code = 1;
        outcome.problem = Some(format!("malformed release tags: {}", left_out.malformed.join("; ")));
    } else if writer.execution_has_failed() {
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
    Ok(finished(outcome))
}

/// An interrupted run's JUnit report says so in a comment after the XML declaration: JUnit has
/// no standard place for it, and a comment keeps the document valid for every reader.
fn mark_junit(xml: &str, summary: Option<String>) -> String {
    let Some(summary) = summary else {
        return xml.to_owned();
    };
    let comment = format!("<!-- {} -->", summary.replace("--", "- -"));
    match xml.find("?>") {
        Some(end) if xml.starts_with("<?xml") => format!("{}\n{comment}{}", &xml[..end + 2], &xml[end + 2..]),
        _ => format!("{comment}\n{xml}"),
    }
}

/// An interrupted run's Cucumber JSON gets the interruption on every feature: the document is
/// an array of features, which has no place of its own for it, and readers ignore unknown keys.
fn mark_cucumber_json(json: &str, interruption: Option<serde_json::Value>) -> io::Result<String> {
    let Some(interruption) = interruption else {
        return Ok(json.to_owned());
    };
    let mut document: serde_json::Value = serde_json::from_str(json).map_err(io::Error::other)?;
    for feature in document.as_array_mut().into_iter().flatten() {
        if let Some(feature) = feature.as_object_mut() {
            feature.insert("interrupted".into(), interruption.clone());
        }
    }
    serde_json::to_string_pretty(&document).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(tags: &[&str], version: Option<&str>) -> Result<Option<GateVerdict>, String> {
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        let version = version.map(|v| v.parse::<MagentoVersion>().unwrap());
        release_verdict(&tags, version.as_ref())
    }

    #[test]
    fn release_tags_decide_which_scenarios_run() {
        assert_eq!(verdict(&["contract-4.3", "since-2.4.8"], Some("2.4.8-p1")), Ok(None));
        assert!(matches!(
            verdict(&["since-2.4.8"], Some("2.4.6-p8")),
            Ok(Some(GateVerdict::NotThisRelease(reason))) if reason.contains("2.4.6-p8") && reason.contains("2.4.8")
        ));
        assert!(matches!(
            verdict(&["before-2.4.8"], None),
            Ok(Some(GateVerdict::NeedsVersion(reason))) if reason == "needs MAGENTO_VERSION: the answer changed in 2.4.8"
        ));
        assert_eq!(verdict(&["since-2.4.5", "before-2.4.8"], Some("2.4.7")), Ok(None));
        assert!(matches!(
            verdict(&["since-2.4.5", "before-2.4.8"], Some("2.4.8")),
            Ok(Some(GateVerdict::NotThisRelease(_)))
        ));
    }

    #[test]
    fn a_malformed_release_tag_is_an_error_naming_it() {
        let error = verdict(&["since-2.4.x"], Some("2.4.8")).unwrap_err();
        assert!(error.contains("@since-2.4.x"), "{error}");
    }

    use std::path::{Path, PathBuf};

    use cucumber::gherkin;
    use regex::Regex;

    use crate::checks::recaptcha::{Need, RecaptchaForm};
    use crate::client::ApiRequest;

    /// What one step needs of the guarded forms: a REST request line by its route (any URL form)
    /// and its sender; a GraphQL send by the guarded mutations of `document`, the one it sends
    /// (`None` when the scenario gave none, or when graphql-php refuses it before any resolver,
    /// where reCAPTCHA is checked, runs); the steps that create or sign a customer in by their
    /// wording.
    fn needs_of_step(step: &str, document: Option<&str>) -> Vec<Need> {
        let request = Regex::new(
            r"^(a guest|the admin|the customer|a client with an invalid token) sends POST (?:to the full path )?(\S+)",
        )
        .unwrap();
        let graphql =
            Regex::new(r"^(a guest|the admin|the customer|a client with an \S+ token) sends the GraphQL document")
                .unwrap();
        // An admin's create can go through the integration token, which Magento exempts.
        let create_by = |sender: &str| {
            if sender == "the admin" {
                Need::CustomerCreate
            } else {
                Need::GuestCreate
            }
        };
        let mut needs = Vec::new();
        if let Some(found) = request.captures(step) {
            let mut sent = ApiRequest::new(reqwest::Method::POST, found[2].replace("{{store}}", "default"));
            sent.raw_path = sent.path.starts_with("/rest") || sent.path.starts_with("/index.php");
            for form in RecaptchaForm::guarding(&sent) {
                needs.push(match form {
                    RecaptchaForm::CreateAccount => create_by(&found[1]),
                    RecaptchaForm::Login => Need::GuestSignIn,
                });
            }
        }
        if let (Some(found), Some(document)) = (graphql.captures(step), document) {
            for form in RecaptchaForm::guarding_document(document) {
                needs.push(match form {
                    RecaptchaForm::CreateAccount => create_by(&found[1]),
                    RecaptchaForm::Login => Need::GuestSignIn,
                });
            }
        }
        if step.contains("created by a guest") {
            needs.push(Need::CustomerCreate);
        }
        if ["creates the same customer", "a customer created over GraphQL"]
            .iter()
            .any(|wording| step.contains(wording))
        {
            needs.push(Need::GuestCreate);
        }
        if [
            "access token with their email",
            "has an access token",
            "signs in with a wrong password",
            "signs in over GraphQL",
            "has a GraphQL access token",
        ]
        .iter()
        .any(|wording| step.contains(wording))
        {
            needs.push(Need::GuestSignIn);
        }
        needs
    }

    /// Whether a step expects only errors graphql-php raises before any resolver runs: the
    /// validation and coercion errors, which have no `path` (GRAPHQL.md §1.7 B).
    fn expects_a_refusal_before_the_resolvers(step: &gherkin::Step) -> bool {
        if step.value != "the GraphQL answer is the error:" {
            return false;
        }
        let answer: Option<serde_json::Value> = step
            .docstring
            .as_deref()
            .and_then(|raw| serde_json::from_str(&crate::steps::docstring_content(raw)).ok());
        let errors = answer
            .as_ref()
            .and_then(|a| a.get("errors"))
            .and_then(serde_json::Value::as_array);
        errors.is_some_and(|errors| !errors.is_empty() && errors.iter().all(|e| e.get("path").is_none()))
    }

    /// The needs of a scenario's steps (its Background's first): each GraphQL send with the
    /// document given last before it.
    fn needs_of_steps(steps: &[&gherkin::Step]) -> Vec<Need> {
        let mut document = None;
        let mut needs = Vec::new();
        for (at, step) in steps.iter().enumerate() {
            if step.value.starts_with("the GraphQL document") && step.value.ends_with(':') {
                document = step.docstring.as_deref().map(crate::steps::docstring_content);
            }
            let executed = !steps
                .get(at + 1)
                .is_some_and(|next| expects_a_refusal_before_the_resolvers(next));
            needs.extend(needs_of_step(&step.value, document.as_deref().filter(|_| executed)));
        }
        needs
    }

    fn feature_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                feature_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "feature") {
                found.push(path);
            }
        }
    }

    #[test]
    fn the_step_wording_is_read_as_the_suite_sends_it() {
        use Need::{CustomerCreate, GuestCreate, GuestSignIn};
        let rest = |step: &str| needs_of_step(step, None);
        assert_eq!(rest("a guest sends POST /V1/customers"), [GuestCreate]);
        assert_eq!(rest("the admin sends POST /V1/customers"), [CustomerCreate]);
        assert_eq!(
            rest("a guest sends POST to the full path /rest/all/V1/customers"),
            [GuestCreate]
        );
        assert_eq!(
            rest("a guest sends POST /V1/integration/customer/token with Content-Type \"x\" and this body:"),
            [GuestSignIn]
        );
        assert!(rest("the customer sends POST /V1/integration/customer/revoke-customer-token").is_empty());
        assert!(rest("the admin sends POST /V1/customers/search").is_empty());
        assert_eq!(rest("the customer has an access token"), [GuestSignIn]);
        assert_eq!(
            rest("a customer created by a guest from this request body, with a fresh email and password:"),
            [CustomerCreate]
        );
        assert_eq!(
            rest("the customer signs in over GraphQL with their email and password"),
            [GuestSignIn]
        );
        assert_eq!(
            rest("the customer signs in over GraphQL with a wrong password 1 time fewer than the lockout limit"),
            [GuestSignIn]
        );
        assert_eq!(rest("the customer has a GraphQL access token"), [GuestSignIn]);
        assert!(rest("the customer has revoked their token over GraphQL").is_empty());
        assert_eq!(
            rest("a customer created over GraphQL from this input, with a fresh email and password:"),
            [GuestCreate]
        );
    }

    #[test]
    fn a_graphql_send_needs_the_forms_of_its_guarded_mutations() {
        use Need::{CustomerCreate, GuestCreate, GuestSignIn};
        let create = "mutation { createCustomerV2(input: {email: \"a@b.c\"}) { customer { email } } }";
        let deprecated = "mutation { createCustomer(input: {}) { customer { email } } }";
        let sign_in = "mutation { generateCustomerToken(email: \"a@b.c\", password: \"p\") { token } }";
        assert_eq!(
            needs_of_step("a guest sends the GraphQL document", Some(create)),
            [GuestCreate]
        );
        assert_eq!(
            needs_of_step("a guest sends the GraphQL document by GET", Some(deprecated)),
            [GuestCreate]
        );
        assert_eq!(
            needs_of_step("the customer sends the GraphQL document", Some(create)),
            [GuestCreate]
        );
        assert_eq!(
            needs_of_step("the admin sends the GraphQL document", Some(create)),
            [CustomerCreate]
        );
        assert_eq!(
            needs_of_step("a guest sends the GraphQL document", Some(sign_in)),
            [GuestSignIn]
        );
        assert!(needs_of_step("a guest sends the GraphQL document", None).is_empty());
        for unguarded in ["{ customer { email } }", "mutation { revokeCustomerToken { result } }"] {
            assert!(needs_of_step("the customer sends the GraphQL document", Some(unguarded)).is_empty());
        }
        assert!(needs_of_step("the GraphQL document:", Some(create)).is_empty());
    }

    /// Gherkin steps from a feature's text, for the scenario-level reading below.
    fn scenario_steps(text: &str) -> Vec<gherkin::Step> {
        let feature = gherkin::Feature::parse(text, gherkin::GherkinEnv::default()).unwrap();
        feature.scenarios.into_iter().next().unwrap().steps
    }

    /// A document's send needs its form unless the scenario expects graphql-php to refuse it
    /// before the resolvers run; an error with a `path` came from a resolver.
    #[test]
    fn a_document_refused_before_its_resolver_needs_no_form() {
        let scenario = |answer: &str| {
            format!(
                "Feature: f\n  Scenario: s\n    Given the GraphQL document:\n      \"\"\"graphql\n      mutation {{\n        createCustomer(input: {{}}) {{ customer {{ email }} }}\n      }}\n      \"\"\"\n    When a guest sends the GraphQL document\n    Then the GraphQL answer is the error:\n      \"\"\"json\n      {answer}\n      \"\"\"\n"
            )
        };
        let needs = |text: &str| needs_of_steps(&scenario_steps(text).iter().collect::<Vec<_>>());
        let validation =
            r#"{"errors": [{"message": "Field \"x\" is not defined.", "locations": [{"line": 2, "column": 3}]}]}"#;
        assert!(needs(&scenario(validation)).is_empty());
        let resolver = r#"{"errors": [{"message": "m", "path": ["createCustomer"], "extensions": {"category": "graphql-input"}}], "data": {"createCustomer": null}}"#;
        assert_eq!(needs(&scenario(resolver)), [Need::GuestCreate]);
    }

    /// STORES.md C1: a scenario that sends a customer create or sign-in, in its own steps or
    /// its Background's, carries `@guest-create`, `@creates-customer` or `@guest-sign-in`, so a
    /// store that guards the form lists it as not run instead of failing it.
    #[test]
    fn scenarios_that_use_a_guarded_form_are_tagged_for_it() {
        let mut files = Vec::new();
        feature_files(&crate::config::project_dir().join("features"), &mut files);
        assert!(!files.is_empty());
        let mut untagged = Vec::new();
        for file in files {
            let feature = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default()).unwrap();
            for scenario in &feature.scenarios {
                let tags = super::scenario_tags(&feature, None, scenario);
                let steps: Vec<&gherkin::Step> = feature
                    .background
                    .iter()
                    .flat_map(|b| &b.steps)
                    .chain(&scenario.steps)
                    .collect();
                for need in needs_of_steps(&steps) {
                    if !tags.iter().any(|tag| tag == need.tag()) {
                        untagged.push(format!("{}: {} needs @{}", file.display(), scenario.name, need.tag()));
                    }
                }
            }
        }
        untagged.dedup();
        assert!(untagged.is_empty(), "{}", untagged.join("\n"));
    }
}
