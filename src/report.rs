//! Reports besides cucumber's own JUnit and JSON: the NDJSON exchange log and the notes printed
//! after the scenarios. Everything goes through the run's redactor.

use std::io::{self, Write};
use std::path::Path;

use crate::sweep::SweepReport;
use crate::world::RunContext;

/// Writes `exchanges.ndjson`: one redacted line per HTTP exchange of the run.
pub fn write_exchange_log(dir: &Path, ctx: &RunContext) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(dir.join("exchanges.ndjson"))?);
    for exchange in ctx.client.exchanges() {
        let record = exchange.record(&ctx.redactor);
        let line = serde_json::to_string(&record).map_err(io::Error::other)?;
        writeln!(out, "{}", ctx.redactor.redact(&line))?;
    }
    out.flush()
}

/// Observations, the sweep, and what could not be cleaned up.
pub fn print_run_notes(console: &mut impl Write, ctx: &RunContext, swept: &SweepReport) {
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
    if let Some(problem) = &swept.problem {
        let _ = writeln!(console, "\nEnd-of-run sweep could not search for leftovers: {problem}");
    }
    let leftovers = ctx.leftovers();
    if !leftovers.is_empty() {
        let _ = writeln!(
            console,
            "\nCustomers this run created and could NOT delete ({}):",
            leftovers.len()
        );
        for l in &leftovers {
            let _ = writeln!(console, "  - id {} {}: {}", l.id, l.email, l.reason);
        }
        let _ = writeln!(
            console,
            "  Remove them with: magento-contract cleanup --run-id {}",
            ctx.run_id
        );
    }
    let _ = writeln!(console, "\nReports: {}", ctx.config.report_dir.display());
}
