//! Reports besides JUnit and Cucumber JSON: the NDJSON exchange log and the notes printed
//! after the scenarios. Everything goes through the run's redactor, JSON inside its strings.

use std::io::{self, Write};
use std::path::Path;

use crate::sweep::CleanupReport;
use crate::world::RunContext;

/// Writes `exchanges.ndjson`: one redacted line per HTTP exchange of the run.
pub fn write_exchange_log(dir: &Path, ctx: &RunContext) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(dir.join("exchanges.ndjson"))?);
    for exchange in ctx.client.exchanges() {
        let record = exchange.record(&ctx.redactor);
        let line = serde_json::to_string(&record).map_err(io::Error::other)?;
        writeln!(out, "{}", ctx.redactor.redact_json_text(&line)?)?;
    }
    // An interrupted run ends its log with one record that says so, so a reader knows it is short.
    if let Some(interruption) = ctx.stop_json() {
        writeln!(out, "{interruption}")?;
    }
    out.flush()
}

/// Writes `drift.md` (for people) and `drift.json` (for tools): every documented-vs-observed
/// difference of the run, accepted or new.
pub fn write_drift_report(dir: &Path, ctx: &RunContext) -> io::Result<()> {
    let records = ctx.drift();
    let json = serde_json::to_string_pretty(&records).map_err(io::Error::other)?;
    std::fs::write(dir.join("drift.json"), ctx.redactor.redact_json_text(&json)?)?;

    let mut md = String::from(
        "# Documented vs observed

",
    );
    md.push_str(&format!(
        "Target: {} (MAGENTO_VERSION {}). Baseline: `{}`.

",
        ctx.config.target_label(),
        ctx.config
            .magento_version
            .map_or_else(|| "unset".to_owned(), |v| v.to_string()),
        ctx.config.files.drift_baseline.label()
    ));
    if let Some(summary) = ctx.stop_summary() {
        md.push_str(&format!(
            "**{summary}**: what follows covers only the scenarios that ran.\n\n"
        ));
    }
    if records.is_empty() {
        md.push_str(
            "No differences: every documented response checked matched what the store answered.
",
        );
    } else {
        md.push_str("| document | path | difference | documented | observed | verdict |\n|---|---|---|---|---|---|\n");
        for r in &records {
            let verdict = match &r.accepted_because {
                Some(reason) => format!("accepted: {reason}"),
                None if !r.fails(ctx.config.strict_drift) => {
                    "reported: a module's addition (MAGENTO_STRICT_DRIFT=1 fails it)".to_owned()
                }
                None if r.module_addition => {
                    "**NEW**: a module's addition, fails the run (MAGENTO_STRICT_DRIFT=1)".to_owned()
                }
                None => "**NEW**: fails the run".to_owned(),
            };
            md.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {} |\n",
                r.document,
                r.difference.path,
                r.difference.kind,
                r.difference.documented,
                r.difference.observed,
                verdict
            ));
        }
        for (document, diff) in ctx.drift_diffs() {
            md.push_str(&format!("\n## {document}\n\n```diff\n{diff}```\n"));
        }
    }
    std::fs::write(dir.join("drift.md"), ctx.redactor.redact(&md))
}

/// The steps that passed without checking anything (a snapshot with nothing stored yet), under
/// a "Not run" heading like the scenarios the configuration rules out.
pub fn print_not_run_steps(console: &mut impl Write, ctx: &RunContext) {
    let steps = ctx.not_run_steps();
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(console, "\nNot run: nothing stored to compare with ({}):", steps.len());
    for s in &steps {
        let _ = writeln!(console, "  - {}: {} ({})", s.scenario, s.step, s.reason);
    }
}

/// Observations, the sweep, and what could not be cleaned up.
pub fn print_run_notes(console: &mut impl Write, ctx: &RunContext, swept: &CleanupReport) {
    for hint in ctx.hints() {
        let _ = writeln!(console, "\nmagento-contract: {hint}");
    }
    let observations = ctx.observations();
    if !observations.is_empty() {
        let _ = writeln!(console, "\nObserved:");
        for o in observations {
            let _ = writeln!(console, "  - {}: {}", o.topic, o.detail);
        }
    }
    if !swept.deleted.is_empty() {
        let _ = writeln!(
            console,
            "\nEnd-of-run sweep deleted {} customer(s) a scenario left behind: {}",
            swept.deleted.len(),
            swept
                .deleted
                .iter()
                .map(|c| format!("{} (id {})", c.email, c.id))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !swept.kept.is_empty() {
        let _ = writeln!(
            console,
            "\nEnd-of-run sweep kept {} customer(s) its search found that are not this run's:",
            swept.kept.len()
        );
        for (customer, why) in &swept.kept {
            let _ = writeln!(console, "  - {customer}: {why}");
        }
    }
    if let Some(problem) = &swept.problem {
        let _ = writeln!(console, "\nEnd-of-run sweep could not search for leftovers: {problem}");
    }
    let drift = ctx.drift();
    if !drift.is_empty() {
        let strict = ctx.config.strict_drift;
        let new = drift.iter().filter(|r| r.fails(strict)).count();
        let additions = drift
            .iter()
            .filter(|r| r.accepted_because.is_none() && !r.fails(strict))
            .count();
        let reported = if additions > 0 {
            format!(", {additions} module addition(s) reported")
        } else {
            String::new()
        };
        let _ = writeln!(
            console,
            "\nDocumented vs observed: {} accepted, {new} new{reported} (drift.md in the reports):",
            drift.len() - new - additions
        );
        for r in &drift {
            let verdict = if r.accepted_because.is_some() {
                "accepted"
            } else if !r.fails(strict) {
                "module addition"
            } else {
                "NEW"
            };
            let _ = writeln!(console, "  - [{verdict}] {}: {}", r.document, r.difference);
        }
    }
    let leftovers = ctx.leftovers();
    if !leftovers.is_empty() {
        let _ = writeln!(
            console,
            "\nCustomers this run created and could NOT delete ({}):",
            leftovers.len()
        );
        for l in &leftovers {
            let id = l.id.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
            let _ = writeln!(console, "  - id {id} {}: {}", l.email, l.reason);
        }
        let _ = writeln!(
            console,
            "  Remove them with: magento-contract cleanup --run-id {}",
            ctx.run_id
        );
    }
    if ctx.interruption.stopped().is_some() {
        let _ = writeln!(
            console,
            "\nClean-up after the interruption: {} customer(s) deleted after their scenarios, {} by the end-of-run sweep, {} could not be deleted{}",
            ctx.deleted_after_scenarios(),
            swept.deleted.len(),
            leftovers.len(),
            if swept.problem.is_some() {
                " (the sweep could not search: see above)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(console, "\nReports: {}", ctx.config.report_dir.display());
}
