//! A store that stops answering mid-run stops the run at once: one line says so, the scenarios
//! not run are listed, the clean-up waits briefly for the store, and the run exits 2.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{binary_command, env_for, follow_until_checking, temp_dir};
use magento_reference::{ReferenceMagento, StoreSettings};

/// MAGENTO_TIMEOUT_SECS for these runs; the run waits 10 s (the longer) for the store's return.
const TIMEOUT_SECS: u64 = 3;
/// From the store's loss to the exit: the 10 s wait, requests in flight, and slack.
const BOUND: Duration = Duration::from_secs(25);

fn settings() -> StoreSettings {
    StoreSettings {
        response_delay: Some(Duration::from_millis(80)),
        ..StoreSettings::default()
    }
}

struct Lost {
    code: Option<i32>,
    stdout: String,
    /// From the shutdown to the exit.
    stopping: Duration,
    report_dir: std::path::PathBuf,
}

/// Runs the binary against a slow reference store, shuts the store down 1.5 s after the run
/// printed its "checking" line, and, when `restart_after` is given, starts a fresh store on the
/// same port that long after the shutdown.
async fn lose_the_store(restart_after: Option<Duration>) -> Lost {
    let server = ReferenceMagento::start(settings())
        .await
        .expect("the reference server starts");
    let addr = server.local_addr();
    // The same admin account (its password is random per default settings) on the new store.
    let same_settings = server.settings().clone();
    let report_dir = temp_dir("store-loss");
    let mut command = binary_command(&report_dir);
    command
        .arg("run")
        .stderr(Stdio::null())
        .env("MAGENTO_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
        .envs(env_for(&server));
    let mut child = command.spawn().expect("the binary starts");

    let (stdout, reader) = follow_until_checking(&mut child).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.shutdown().await;
    let lost = Instant::now();
    let restarted = match restart_after {
        Some(after) => {
            tokio::time::sleep(after).await;
            Some(
                ReferenceMagento::start_on(same_settings, addr)
                    .await
                    .expect("a new store binds the same port"),
            )
        }
        None => None,
    };
    let exit = tokio::time::timeout(BOUND, child.wait())
        .await
        .unwrap_or_else(|_| panic!("the run did not end within {BOUND:?} of losing the store"))
        .expect("the binary runs");
    let stopping = lost.elapsed();
    reader.await.expect("the reader ends with the child");
    if let Some(server) = restarted {
        server.shutdown().await;
    }
    let stdout = stdout.lock().unwrap().clone();
    Lost {
        code: exit.code(),
        stdout,
        stopping,
        report_dir,
    }
}

/// Exit 2, one summary line, the not-run list, the bound, and reports that parse.
fn assert_reported_once(run: &Lost) {
    let out = &run.stdout;
    assert_eq!(run.code, Some(2), "{out}");
    assert!(run.stopping < BOUND, "{:?}", run.stopping);
    let summaries: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("magento-contract: the store stopped answering at "))
        .collect();
    assert_eq!(summaries.len(), 1, "{out}");
    assert!(
        summaries[0].contains("consecutive requests): ") && summaries[0].ends_with(" scenarios not run"),
        "{}",
        summaries[0]
    );
    // Only the requests in flight when the store went fail on their own, not every scenario.
    assert!(out.matches("could not connect").count() < 10, "{out}");
    let listed = out
        .split("Not run because the store stopped answering (")
        .nth(1)
        .expect("the not-run list")
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  - "))
        .count();
    assert!(listed > 0, "{out}");
    assert!(
        summaries[0].ends_with(&format!(": {listed} scenarios not run")),
        "{out}"
    );

    let read =
        |name: &str| std::fs::read_to_string(run.report_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let records: Vec<serde_json::Value> = read("exchanges.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each exchange-log line is JSON"))
        .collect();
    assert_eq!(records.last().expect("a record")["store_lost"], true);
    let cucumber: serde_json::Value = serde_json::from_str(&read("cucumber.json")).expect("cucumber.json parses");
    assert!(
        cucumber
            .as_array()
            .expect("an array of features")
            .iter()
            .all(|f| f["interrupted"]["store_lost"] == true),
        "{cucumber}"
    );
    assert!(read("junit.xml").contains("<!-- the store stopped answering at "));
    let html = read("report.html");
    assert!(
        html.contains("id=\"stopped\"><strong>the store stopped answering at "),
        "report.html says the store stopped answering"
    );
    assert!(
        html.contains("(the store stopped answering)"),
        "report.html lists the scenarios not run because of it"
    );
}

/// The store never comes back: no sweep, and the command that cleans up later.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_goes_away_stops_the_run_and_exits_2() {
    let run = lose_the_store(None).await;
    assert_reported_once(&run);
    let out = &run.stdout;
    assert!(out.contains("did not answer again within 10 s"), "{out}");
    assert!(out.contains("magento-contract cleanup --run-id "), "{out}");
}

/// The store comes back within the wait: the clean-up runs against it. The restarted reference
/// store is empty (it keeps nothing in memory across a restart), so this shows that the
/// clean-up ran and found nothing left, not that it deleted the lost store's customers.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_comes_back_is_cleaned_up_and_the_run_exits_2() {
    let run = lose_the_store(Some(Duration::from_secs(3))).await;
    assert_reported_once(&run);
    let out = &run.stdout;
    assert!(out.contains("The store answers again: cleaning up"), "{out}");
    assert!(
        out.contains(
            "Clean-up after the store came back: 0 customer(s) deleted by the end-of-run sweep, 0 could not be deleted"
        ),
        "{out}"
    );
    assert!(!out.contains("could NOT delete"), "{out}");
    assert!(!out.contains("could not search"), "{out}");
}
