//! `report.html`: one self-contained page a reviewer opens from a CI artifact. The run's target
//! and settings, the summary, every scenario by feature with its steps, each failure with its
//! diff, schema pointer and rule and `curl` line, the drift per documented page, what was
//! observed, and a timeline of the run's requests.
//!
//! Rendered from typed data with `maud`, which escapes every splice; every text taken from the
//! run goes through [`Page::text`], which redacts it first, value by value, so a secret never
//! reaches the file and redaction never touches the markup. Nothing is loaded from anywhere:
//! the CSS is inline, the timeline is inline SVG, there is no script, and the page's
//! Content-Security-Policy forbids every fetch.

use std::io;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::checks::drift::DriftRecord;
use crate::client::Exchange;
use crate::secrets::Redactor;
use crate::world::{FailedCheck, FailureNote, Observation};

/// The file name in `MAGENTO_REPORT_DIR`.
pub const FILE_NAME: &str = "report.html";

/// Everything the page shows about one run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub target: String,
    pub store_code: String,
    /// `MAGENTO_VERSION` as configured, or `unset`.
    pub magento_version: String,
    pub profile: String,
    pub run_id: String,
    pub started: DateTime<Utc>,
    pub elapsed: Duration,
    pub features: Vec<FeatureResult>,
    pub not_run: Vec<NotRun>,
    /// Why the run stopped early (a signal, the store that stopped answering), if it did.
    pub stopped: Option<String>,
    pub drift: Vec<DriftRecord>,
    /// `MAGENTO_STRICT_DRIFT`: whether a module's addition fails the run like other new drift.
    pub strict_drift: bool,
    /// One rendered documented-vs-observed diff per document.
    pub drift_diffs: Vec<(String, String)>,
    pub observations: Vec<Observation>,
    /// What the run noticed about the store that explains failures (another language, a WAF
    /// page, a refused setting-up request), one line each.
    pub hints: Vec<String>,
    pub exchanges: Vec<Exchange>,
}

/// A feature file's scenarios, in the order they ran.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureResult {
    pub name: String,
    pub path: Option<String>,
    pub scenarios: Vec<ScenarioResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    pub name: String,
    pub tags: Vec<String>,
    pub line: usize,
    pub verdict: Verdict,
    pub duration: Duration,
    pub steps: Vec<StepResult>,
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    /// Stopped before its end because the run was stopping: why.
    Interrupted(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// `Given`, `When`, … or `Before hook`/`After hook`.
    pub keyword: String,
    pub text: String,
    pub status: StepStatus,
    pub duration: Duration,
    /// The failure's message, for a failed step.
    pub error: Option<String>,
    /// What more the World knew about the failure.
    pub note: Option<FailureNote>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Passed,
    Failed,
    /// No step definition matched (cucumber's "skipped"), which fails the run.
    Skipped,
    /// After a failed step: never run.
    NotReached,
}

/// A scenario or a step the run did not run, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotRun {
    pub what: String,
    pub reason: String,
}

impl RunReport {
    fn scenarios(&self) -> impl Iterator<Item = (&FeatureResult, &ScenarioResult)> {
        self.features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
    }

    fn count(&self, verdict: impl Fn(&Verdict) -> bool) -> usize {
        self.scenarios().filter(|(_, s)| verdict(&s.verdict)).count()
    }
}

/// Writes `report.html` into `dir`.
pub fn write(dir: &Path, report: &RunReport, redactor: &Redactor) -> io::Result<()> {
    std::fs::write(dir.join(FILE_NAME), render(report, redactor))
}

/// The page, as a string.
pub fn render(report: &RunReport, redactor: &Redactor) -> String {
    Page { redactor }.render(report).into_string()
}

/// Forbids every load: styles only inline, images only inline data, no script, no frame.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1d1d1f}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.15em .6em;text-align:left;vertical-align:top}
th{font-weight:600;color:#555}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-word;margin:.3em 0}
code,pre{font:12px/1.4 ui-monospace,monospace}
.counts span{display:inline-block;margin-right:1.2em;font-size:1.1em}
.passed{color:#1b7a2e}.failed{color:#c62828}.skipped,.notrun{color:#8a6d00}.interrupted{color:#6a1b9a}
.banner{background:#fdecea;border:1px solid #c62828;padding:.5em .8em}
.failure{border-left:4px solid #c62828;padding:.2em .8em;margin:1em 0;background:#fffafa}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .35em;margin-right:.25em;font-size:.85em;color:#334}
.dur{color:#777;font-size:.9em}
ol.steps{list-style:none;padding-left:1.2em;margin:.2em 0}
details>summary{cursor:pointer}
.del{background:#ffebe9;color:#8b0000}.ins{background:#e6ffec;color:#0b5d1e}.hunk{color:#6f42c1}
svg text{font:10px sans-serif;fill:#555}
rect.s2{fill:#2e7d32}rect.s3{fill:#1565c0}rect.s4{fill:#ef6c00}rect.s5{fill:#c62828}rect.s0{fill:#757575}
.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em;vertical-align:middle}
"#;

/// The renderer: every text from the run is redacted, then escaped by maud.
struct Page<'a> {
    redactor: &'a Redactor,
}

impl Page<'_> {
    fn text(&self, value: &str) -> String {
        self.redactor.redact(value)
    }

    fn render(&self, report: &RunReport) -> Markup {
        let passed = report.count(|v| *v == Verdict::Passed);
        let failed = report.count(|v| *v == Verdict::Failed);
        let interrupted = report.count(|v| matches!(v, Verdict::Interrupted(_)));
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta http-equiv="Content-Security-Policy" content=(CSP);
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { "magento-contract: " (self.text(&report.target)) }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    h1 { "magento-contract report" }
                    table id="settings" {
                        tr { th { "Target" } td { (self.text(&report.target)) } }
                        tr { th { "Store code" } td { (self.text(&report.store_code)) } }
                        tr { th { "MAGENTO_VERSION" } td { (self.text(&report.magento_version)) } }
                        tr { th { "Snapshot profile" } td { (self.text(&report.profile)) } }
                        tr { th { "Run id" } td { code { (self.text(&report.run_id)) } } }
                        tr { th { "Started" } td { (report.started.format("%Y-%m-%d %H:%M:%S UTC")) } }
                        tr { th { "Duration" } td { (seconds(report.elapsed)) } }
                    }
                    h2 { "Summary" }
                    @if let Some(stopped) = &report.stopped {
                        p.banner id="stopped" { strong { (self.text(stopped)) } ": the report covers the scenarios that ran." }
                    }
                    p.counts id="summary" {
                        span.passed { (passed) " passed" }
                        span.failed { (failed) " failed" }
                        span.notrun { (report.not_run.len()) " not run" }
                        span.interrupted { (interrupted) " interrupted" }
                    }
                    @if failed > 0 {
                        h2 { "Failures" }
                        (self.failures(report))
                    }
                    h2 { "Timeline" }
                    (self.timeline(&report.exchanges))
                    h2 { "Scenarios" }
                    @for (f, feature) in report.features.iter().enumerate() {
                        (self.feature(f, feature))
                    }
                    @if !report.not_run.is_empty() {
                        h2 { "Not run" }
                        ul id="not-run" {
                            @for n in &report.not_run {
                                li { (self.text(&n.what)) " " span.notrun { "(" (self.text(&n.reason)) ")" } }
                            }
                        }
                    }
                    h2 { "Documented vs observed" }
                    (self.drift(report))
                    h2 { "Observed" }
                    @if !report.hints.is_empty() {
                        ul id="hints" {
                            @for hint in &report.hints { li { (self.text(hint)) } }
                        }
                    }
                    @if report.observations.is_empty() {
                        p { "Nothing noted." }
                    } @else {
                        table id="observed" {
                            @for o in &report.observations {
                                tr { th { (self.text(&o.topic)) } td { (self.text(&o.detail)) } }
                            }
                        }
                    }
                }
            }
        }
    }

    fn failures(&self, report: &RunReport) -> Markup {
        html! {
            @for (f, feature) in report.features.iter().enumerate() {
                @for (s, scenario) in feature.scenarios.iter().enumerate() {
                    @if scenario.verdict == Verdict::Failed {
                        div.failure {
                            h3 {
                                a href={ "#s-" (f) "-" (s) } { (self.text(&feature.name)) " › " (self.text(&scenario.name)) }
                            }
                            @for step in scenario.steps.iter().filter(|s| matches!(s.status, StepStatus::Failed | StepStatus::Skipped)) {
                                (self.failed_step(step))
                            }
                        }
                    }
                }
            }
        }
    }

    fn failed_step(&self, step: &StepResult) -> Markup {
        let check = match &step.note {
            Some(FailureNote::Check(check)) => Some(check),
            _ => None,
        };
        html! {
            p { "Step: " strong { (self.text(&step.keyword)) " " (self.text(&step.text)) } }
            @if let Some(check) = check {
                (self.check(check))
            } @else if let Some(error) = &step.error {
                (self.diff_text(error, "message"))
            }
        }
    }

    fn check(&self, check: &FailedCheck) -> Markup {
        html! {
            (self.diff_text(&check.message, "message"))
            @if let (Some(expected), Some(received)) = (&check.expected, &check.received) {
                table.diff {
                    @if let Some(path) = &check.path {
                        tr { th { "at" } td { code { (self.text(path)) } } }
                    }
                    tr.del { th { "expected" } td { code { (self.text(expected)) } } }
                    tr.ins { th { "received" } td { code { (self.text(received)) } } }
                }
            }
            @if let Some(schema) = &check.schema {
                table.schema {
                    tr { th { "schema" } th { "JSON pointer" } th { "rule" } th { "what" } }
                    @for v in &schema.violations {
                        tr {
                            td { (self.text(&schema.schema)) }
                            td { code { (self.text(if v.pointer.is_empty() { "/" } else { &v.pointer })) } }
                            td { code { (self.text(&v.rule)) } }
                            td { (self.text(&v.message)) }
                        }
                    }
                }
            }
            @if !check.request.is_empty() {
                p { "Request: " code { (self.text(&check.request)) } }
            }
            @if !check.curl.is_empty() && check.curl != "(none)" {
                p { "Reproduce:" }
                pre.curl { (self.text(&check.curl)) }
            }
        }
    }

    /// A text shown line by line; in a unified diff (after its `---`/`+++` or `@@` header) the
    /// removed and added lines are marked, and nowhere else, so a `- ` list stays a list.
    fn diff_text(&self, text: &str, class: &str) -> Markup {
        let mut in_diff = false;
        let lines: Vec<(Option<&str>, String)> = self
            .text(text)
            .lines()
            .map(|line| {
                let trimmed = line.trim_start();
                let mark = if ["@@", "--- ", "+++ "].iter().any(|h| trimmed.starts_with(h)) {
                    in_diff = true;
                    Some("hunk")
                } else if in_diff && trimmed.starts_with('-') {
                    Some("del")
                } else if in_diff && trimmed.starts_with('+') {
                    Some("ins")
                } else {
                    None
                };
                (mark, line.to_owned())
            })
            .collect();
        html! {
            pre class=(class) {
                @for (mark, line) in &lines {
                    @match mark {
                        Some(mark) => { span class=(mark) { (line) } "\n" }
                        None => { (line) "\n" }
                    }
                }
            }
        }
    }

    fn feature(&self, f: usize, feature: &FeatureResult) -> Markup {
        let failed = feature.scenarios.iter().any(|s| s.verdict != Verdict::Passed);
        let passed = feature
            .scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Passed)
            .count();
        html! {
            details.feature open[failed] {
                summary {
                    strong { (self.text(&feature.name)) }
                    " " span.dur { (passed) "/" (feature.scenarios.len()) " passed" }
                    @if let Some(path) = &feature.path { " " code { (self.text(path)) } }
                }
                ol.steps {
                    @for (s, scenario) in feature.scenarios.iter().enumerate() {
                        li id={ "s-" (f) "-" (s) } class="scenario" { (self.scenario(scenario)) }
                    }
                }
            }
        }
    }

    fn scenario(&self, scenario: &ScenarioResult) -> Markup {
        let (mark, class) = match &scenario.verdict {
            Verdict::Passed => ("✔", "passed"),
            Verdict::Failed => ("✘", "failed"),
            Verdict::Interrupted(_) => ("⊘", "interrupted"),
        };
        html! {
            details open[scenario.verdict == Verdict::Failed] {
                summary {
                    span class=(class) { (mark) } " "
                    span.name { (self.text(&scenario.name)) } " "
                    span.dur { (seconds(scenario.duration)) } " "
                    @for tag in &scenario.tags { span.tag { "@" (self.text(tag)) } }
                    @if let Verdict::Interrupted(why) = &scenario.verdict {
                        " " span.interrupted { (self.text(why)) }
                    }
                }
                ol.steps {
                    @for step in &scenario.steps {
                        @let (mark, class) = match step.status {
                            StepStatus::Passed => ("✔", "passed"),
                            StepStatus::Failed => ("✘", "failed"),
                            StepStatus::Skipped => ("?", "skipped"),
                            StepStatus::NotReached => ("–", "notrun"),
                        };
                        li {
                            span class=(class) { (mark) } " "
                            (self.text(&step.keyword)) " " (self.text(&step.text)) " "
                            span.dur { (seconds(step.duration)) }
                            @if let Some(error) = &step.error {
                                (self.diff_text(error, "message"))
                            }
                        }
                    }
                }
            }
        }
    }

    fn drift(&self, report: &RunReport) -> Markup {
        if report.drift.is_empty() {
            return html! { p id="drift" { "No differences: every documented response checked matched what the store answered." } };
        }
        let mut documents: Vec<&str> = report.drift.iter().map(|r| r.document.as_str()).collect();
        documents.dedup();
        html! {
            div id="drift" {
                @for document in documents {
                    h3 { (self.text(document)) }
                    table {
                        tr { th { "path" } th { "difference" } th { "documented" } th { "observed" } th { "verdict" } }
                        @for r in report.drift.iter().filter(|r| r.document == document) {
                            tr {
                                td { code { (self.text(&r.difference.path)) } }
                                td { (r.difference.kind) }
                                td { (self.text(&r.difference.documented)) }
                                td { (self.text(&r.difference.observed)) }
                                td {
                                    @match &r.accepted_because {
                                        Some(reason) => { "accepted: " (self.text(reason)) }
                                        None if !r.fails(report.strict_drift) => {
                                            "reported: a module's addition (MAGENTO_STRICT_DRIFT=1 fails it)"
                                        }
                                        None if r.module_addition => {
                                            strong.failed { "NEW" } ": a module's addition, fails the run (MAGENTO_STRICT_DRIFT=1)"
                                        }
                                        None => { strong.failed { "NEW" } ": fails the run" }
                                    }
                                }
                            }
                        }
                    }
                    @for (_, diff) in report.drift_diffs.iter().filter(|(d, _)| d == document) {
                        (self.diff_text(diff, "drift-diff"))
                    }
                }
            }
        }
    }

    /// One bar per request, from when it went out for as long as it took, coloured by status
    /// class; requests that overlapped sit in separate lanes, so concurrency shows as height.
    fn timeline(&self, exchanges: &[Exchange]) -> Markup {
        let Some(layout) = Timeline::lay_out(exchanges) else {
            return html! { p id="timeline" { "No request was sent." } };
        };
        const WIDTH: f64 = 1000.0;
        const LANE: f64 = 7.0;
        const AXIS: f64 = 18.0;
        let height = layout.lanes as f64 * LANE + AXIS;
        let span = layout.span.as_secs_f64();
        let x = |d: Duration| d.as_secs_f64() / span * WIDTH;
        let step = tick_step(span);
        let ticks = (0..).map(|i| i as f64 * step).take_while(|t| *t <= span + 1e-9);
        html! {
            p {
                (exchanges.len()) " requests over " (seconds(layout.span)) ", at most "
                (layout.lanes) " at once. Hover a bar for the request."
            }
            svg id="timeline" width="100%"
                viewBox={ "0 0 " (WIDTH + 40.0) " " (height) } role="img" aria-label="request timeline" {
                @for tick in ticks {
                    @let tx = tick / span * WIDTH;
                    line x1=(fmt_num(tx)) x2=(fmt_num(tx)) y1="0" y2=(fmt_num(height - AXIS + 3.0)) stroke="#e0e0e0" {}
                    text x=(fmt_num(tx + 2.0)) y=(fmt_num(height - 4.0)) { (fmt_num(tick)) " s" }
                }
                @for bar in &layout.bars {
                    @let e = &exchanges[bar.index];
                    rect class={ "req s" (e.status / 100) } x=(fmt_num(x(bar.start))) y=(fmt_num(bar.lane as f64 * LANE))
                        width=(fmt_num(x(e.elapsed).max(0.8))) height=(fmt_num(LANE - 1.5)) {
                        title { (e.method) " " (self.text(&e.url)) " → " (e.status) ", " (e.elapsed.as_millis()) " ms at +" (seconds(bar.start)) }
                    }
                }
            }
            p.legend {
                "Status:" span style="background:#2e7d32" {} "2xx" span style="background:#1565c0" {} "3xx"
                span style="background:#ef6c00" {} "4xx" span style="background:#c62828" {} "5xx"
            }
        }
    }
}

/// Where each request's bar goes.
struct Timeline {
    bars: Vec<Bar>,
    lanes: usize,
    span: Duration,
}

struct Bar {
    index: usize,
    start: Duration,
    lane: usize,
}

impl Timeline {
    /// Bars in the order requests went out, each in the first lane free at its start.
    fn lay_out(exchanges: &[Exchange]) -> Option<Timeline> {
        let first = exchanges.iter().map(|e| e.sent_at).min()?;
        let offset = |e: &Exchange| (e.sent_at - first).to_std().unwrap_or_default();
        let mut order: Vec<usize> = (0..exchanges.len()).collect();
        order.sort_by_key(|&i| exchanges[i].sent_at);
        let mut lane_ends: Vec<Duration> = Vec::new();
        let mut bars = Vec::with_capacity(exchanges.len());
        for index in order {
            let start = offset(&exchanges[index]);
            let end = start + exchanges[index].elapsed;
            let lane = match lane_ends.iter().position(|free| *free <= start) {
                Some(lane) => lane,
                None => {
                    lane_ends.push(Duration::ZERO);
                    lane_ends.len() - 1
                }
            };
            lane_ends[lane] = end;
            bars.push(Bar { index, start, lane });
        }
        let span = lane_ends
            .iter()
            .copied()
            .max()
            .unwrap_or_default()
            .max(Duration::from_millis(1));
        Some(Timeline {
            bars,
            lanes: lane_ends.len(),
            span,
        })
    }
}

/// Ticks at 1, 2 or 5 × 10ⁿ seconds, about eight across.
fn tick_step(span: f64) -> f64 {
    let rough = span / 8.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(rough)
}

/// A coordinate with at most three decimals, without trailing zeros.
fn fmt_num(n: f64) -> String {
    let mut s = format!("{n:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// `1.23 s`, or `12 ms` below a second.
pub fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckFailure;
    use crate::checks::drift::{Difference, DriftKind};
    use crate::checks::schema::{SchemaFailure, SchemaViolation};

    const SECRET: &str = "Sup3r-Secret-Value-42";

    fn exchange(at_ms: i64, elapsed_ms: u64, status: u16, url: &str) -> Exchange {
        Exchange {
            method: "POST".into(),
            url: url.into(),
            request_headers: vec![("Authorization".into(), format!("Bearer {SECRET}"))],
            request_body: None,
            status,
            response_headers: Vec::new(),
            body: String::new(),
            sent_at: DateTime::UNIX_EPOCH + chrono::Duration::milliseconds(at_ms),
            elapsed: Duration::from_millis(elapsed_ms),
            attempts: 1,
            waited: Duration::ZERO,
        }
    }

    /// A run with one failure whose body, header, curl line and scenario name hold `secret`.
    fn report_with(secret: &str) -> RunReport {
        let failure = CheckFailure::Status {
            expected: 200,
            received: 401,
            body: format!(r#"{{"message":"token {secret} is not valid"}}"#),
        };
        let check = FailedCheck::new(
            &failure,
            &format!("GET http://127.0.0.1:1/rest/default/V1/customers/me?key={secret} -> 401 in 3 ms"),
            &format!("curl -sS -X GET -H 'X-Api-Key: {secret}' 'http://127.0.0.1:1/rest/default/V1/customers/me'"),
        );
        let schema = SchemaFailure {
            schema: "customer".into(),
            violations: vec![SchemaViolation {
                pointer: "/created_at".into(),
                rule: "pattern".into(),
                message: "value does not match (found string)".into(),
            }],
        };
        let schema_check = FailedCheck::new(&CheckFailure::Schema(schema), "GET x -> 200 in 1 ms", "curl x");
        let failed_step = |note: FailedCheck| StepResult {
            keyword: "Then".into(),
            text: "the response status is 200".into(),
            status: StepStatus::Failed,
            duration: Duration::from_millis(3),
            error: Some(note.message.clone()),
            note: Some(FailureNote::Check(note)),
        };
        RunReport {
            target: "http://127.0.0.1:1".into(),
            store_code: "default".into(),
            magento_version: "2.4.8".into(),
            profile: "reference".into(),
            run_id: "abcd1234".into(),
            started: DateTime::UNIX_EPOCH,
            elapsed: Duration::from_millis(1500),
            features: vec![FeatureResult {
                name: "Tokens".into(),
                path: Some("features/customer/access.feature".into()),
                scenarios: vec![
                    ScenarioResult {
                        name: format!("A customer signs in with {secret}"),
                        tags: vec!["contract-5".into()],
                        line: 3,
                        verdict: Verdict::Failed,
                        duration: Duration::from_millis(5),
                        steps: vec![
                            failed_step(check),
                            StepResult {
                                keyword: "And".into(),
                                text: "the error body is:".into(),
                                status: StepStatus::NotReached,
                                duration: Duration::ZERO,
                                error: None,
                                note: None,
                            },
                        ],
                    },
                    ScenarioResult {
                        name: "A schema failure".into(),
                        tags: Vec::new(),
                        line: 9,
                        verdict: Verdict::Failed,
                        duration: Duration::from_millis(5),
                        steps: vec![failed_step(schema_check)],
                    },
                    ScenarioResult {
                        name: "A passing one".into(),
                        tags: Vec::new(),
                        line: 12,
                        verdict: Verdict::Passed,
                        duration: Duration::from_millis(5),
                        steps: Vec::new(),
                    },
                ],
            }],
            not_run: vec![NotRun {
                what: "Confirmation: an unconfirmed account".into(),
                reason: "the store does not require email confirmation".into(),
            }],
            stopped: None,
            drift: vec![DriftRecord {
                document: "tutorial-customer-token".into(),
                scenario: "x".into(),
                difference: Difference {
                    path: "$".into(),
                    kind: DriftKind::FormatChange,
                    documented: "opaque token".into(),
                    observed: "JWT".into(),
                },
                accepted_because: None,
                module_addition: false,
            }],
            strict_drift: false,
            drift_diffs: vec![(
                "tutorial-customer-token".into(),
                "- a list item\n--- documented\n+++ observed\n-\"abc\"\n+\"[token]\"\n".into(),
            )],
            observations: vec![Observation {
                topic: "customer token format".into(),
                detail: "JWT".into(),
            }],
            hints: vec![format!("the store answers in another language (nl_NL) for {secret}")],
            exchanges: vec![
                exchange(0, 100, 200, "http://127.0.0.1:1/a"),
                exchange(50, 100, 401, &format!("http://127.0.0.1:1/b?key={secret}")),
                exchange(200, 50, 500, "http://127.0.0.1:1/c"),
            ],
        }
    }

    /// A secret in a body, a header, a curl line and a scenario name never reaches the page,
    /// and the page is exactly the one rendered from the same run with `[redacted]` in its
    /// place: redaction changes values, never the markup around them.
    #[test]
    fn secrets_are_redacted_value_by_value_and_the_structure_is_kept() {
        let redactor = Redactor::new();
        redactor.register_value(SECRET);
        let page = render(&report_with(SECRET), &redactor);
        assert!(!page.contains(SECRET), "the secret leaked");
        assert!(!page.contains("Secret-Value"), "part of the secret leaked");
        let expected = render(&report_with(crate::secrets::REDACTED), &Redactor::new());
        assert_eq!(page, expected);
        for place in [
            "A customer signs in with [redacted]",
            "token [redacted] is not valid",
            "X-Api-Key: [redacted]",
            "/V1/customers/me?key=[redacted]",
            "another language (nl_NL) for [redacted]",
        ] {
            assert!(page.contains(place), "{place} is shown redacted");
        }
    }

    #[test]
    fn a_failure_shows_its_diff_pointer_rule_and_reproduction() {
        let page = render(&report_with("x"), &Redactor::new());
        assert!(
            page.contains(r#"<tr class="del"><th>expected</th><td><code>HTTP 200</code>"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<tr class="ins"><th>received</th><td><code>HTTP 401</code>"#),
            "{page}"
        );
        assert!(
            page.contains("<code>/created_at</code>") && page.contains("<code>pattern</code>"),
            "{page}"
        );
        assert!(page.contains(r#"<pre class="curl">curl -sS -X GET"#), "{page}");
        assert!(page.contains(r#"<span class="del">-&quot;abc&quot;</span>"#), "{page}");
        assert!(
            page.contains(r#"<span class="ins">+&quot;[token]&quot;</span>"#),
            "{page}"
        );
        assert!(page.contains("<pre class=\"drift-diff\">- a list item\n"), "{page}");
        assert!(
            page.contains("1 passed") && page.contains("2 failed") && page.contains("1 not run"),
            "{page}"
        );
        assert!(page.contains("<strong class=\"failed\">NEW</strong>"), "{page}");
    }

    /// Nothing on the page loads anything: no source, no external link, a policy that forbids
    /// fetching, and the text of the run escaped.
    #[test]
    fn the_page_loads_nothing_and_escapes_the_run() {
        let mut report = report_with("x");
        report.features[0].scenarios[2].name = "<script>alert(1)</script><img src=http://x/>".into();
        let page = render(&report, &Redactor::new());
        assert!(page.contains("Content-Security-Policy") && page.contains("default-src 'none'"));
        assert!(!page.contains("<script") && !page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}");
        let loads = regex::Regex::new(r#"<[^>]*\s(src|href|srcset|action|data)=["']?[a-z]+:"#).unwrap();
        assert!(loads.find(&page).is_none(), "{page}");
        assert!(!page.contains("url(") && !page.contains("@import"), "{page}");
    }

    /// Overlapping requests take separate lanes; a request that starts after one ended reuses
    /// its lane; every request is one bar.
    #[test]
    fn the_timeline_lays_requests_out_in_lanes() {
        let exchanges = report_with("x").exchanges;
        let layout = Timeline::lay_out(&exchanges).unwrap();
        let lanes: Vec<usize> = layout.bars.iter().map(|b| b.lane).collect();
        assert_eq!(lanes, vec![0, 1, 0]);
        assert_eq!(layout.lanes, 2);
        assert_eq!(layout.span, Duration::from_millis(250));
        let page = render(&report_with("x"), &Redactor::new());
        assert_eq!(page.matches("<rect class=\"req s").count(), 3);
        assert!(page.contains("req s5") && page.contains("req s4") && page.contains("req s2"));
        assert!(Timeline::lay_out(&[]).is_none());
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(0.73), 0.1);
        assert_eq!(tick_step(8.0), 1.0);
        assert_eq!(tick_step(100.0), 20.0);
        assert_eq!(fmt_num(12.5000), "12.5");
        assert_eq!(fmt_num(3.0), "3");
    }
}
