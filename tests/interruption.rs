//! A run stopped by SIGINT or SIGTERM (Ctrl-C, a cancelled CI job) still deletes what it
//! created, writes its reports marked interrupted, and exits 130 or 143, within the bound.

mod common;

use std::time::{Duration, Instant};

use common::{binary_command, env_for, follow_until_checking, temp_dir};
use magento_reference::{ReferenceMagento, StoreSettings};

/// MAGENTO_TIMEOUT_SECS for these runs: the bound on requests in flight after the signal.
const TIMEOUT_SECS: u64 = 3;

struct Interrupted {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// From the signal to the exit.
    stopping: Duration,
    report_dir: std::path::PathBuf,
    customers_left: Vec<String>,
}

/// Runs the binary against a slow reference store, sends `signal` `delay` after the run
/// printed its "checking" line (the listener is in place by then), and again a moment later
/// when `twice`, and waits for the exit.
async fn interrupt(signal: &str, delay: Duration, twice: bool) -> Interrupted {
    let server = ReferenceMagento::start(StoreSettings {
        response_delay: Some(Duration::from_millis(80)),
        ..StoreSettings::default()
    })
    .await
    .expect("the reference server starts");
    let report_dir = temp_dir("interruption");
    let mut command = binary_command(&report_dir);
    command
        .arg("run")
        .env("MAGENTO_TIMEOUT_SECS", TIMEOUT_SECS.to_string())
        .envs(env_for(&server));
    let mut child = command.spawn().expect("the binary starts");
    let pid = child.id().expect("a running child has a pid").to_string();

    let (stdout, reader) = follow_until_checking(&mut child).await;
    let mut stderr = child.stderr.take().expect("piped");
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text).await;
        text
    });
    let kill = || {
        let status = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    };
    tokio::time::sleep(delay).await;
    kill();
    let signalled = Instant::now();
    if twice {
        // Apart, so that the two are not delivered as one.
        tokio::time::sleep(Duration::from_millis(200)).await;
        kill();
    }
    let exit = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS + 5), child.wait())
        .await
        .unwrap_or_else(|_| panic!("the run did not stop within {} s of {signal}", TIMEOUT_SECS + 5))
        .expect("the binary runs");
    let stopping = signalled.elapsed();
    reader.await.expect("the reader ends with the child");
    let customers_left = server
        .customer_emails()
        .into_iter()
        .filter(|e| e.starts_with("mc-"))
        .collect();
    server.shutdown().await;
    let stdout = stdout.lock().unwrap().clone();
    Interrupted {
        code: exit.code(),
        stdout,
        stderr: stderr.await.expect("the stderr reader ends with the child"),
        stopping,
        report_dir,
        customers_left,
    }
}

/// Exit code, time, clean-up and reports, the same for every moment of the signal.
fn assert_stopped_cleanly(run: &Interrupted, code: i32, signal_name: &str) {
    let out = &run.stdout;
    assert_eq!(run.code, Some(code), "{out}");
    assert!(
        run.stopping < Duration::from_secs(TIMEOUT_SECS + 5),
        "{:?}",
        run.stopping
    );
    assert!(
        run.customers_left.is_empty(),
        "left on the store: {:?}\n{out}",
        run.customers_left
    );
    let summary = format!("magento-contract: interrupted by {signal_name} after ");
    assert!(out.contains(&summary) && out.contains("scenarios not run"), "{out}");
    assert!(out.contains("Clean-up after the interruption:"), "{out}");

    let read =
        |name: &str| std::fs::read_to_string(run.report_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let log = read("exchanges.ndjson");
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("each exchange-log line is JSON"))
        .collect();
    let last = records.last().expect("the log has a record");
    assert_eq!(last["interrupted"], true, "{last}");
    assert_eq!(last["signal"], signal_name, "{last}");

    let cucumber: serde_json::Value = serde_json::from_str(&read("cucumber.json")).expect("cucumber.json parses");
    let features = cucumber.as_array().expect("an array of features");
    assert!(!features.is_empty());
    assert!(
        features.iter().all(|f| f["interrupted"]["interrupted"] == true),
        "{cucumber}"
    );
    assert!(read("junit.xml").contains(&format!("<!-- interrupted by {signal_name}")));
    assert!(read("drift.md").contains(&format!("interrupted by {signal_name}")));
    let html = read("report.html");
    assert!(
        html.contains(&format!(
            "<p class=\"banner\" id=\"stopped\"><strong>interrupted by {signal_name}"
        )),
        "report.html says the run was interrupted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_during_the_first_scenarios_cleans_up_and_exits_130() {
    let run = interrupt("-INT", Duration::from_millis(300), false).await;
    assert_stopped_cleanly(&run, 130, "SIGINT");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_run_cleans_up_and_exits_130() {
    let run = interrupt("-INT", Duration::from_millis(2500), false).await;
    assert_stopped_cleanly(&run, 130, "SIGINT");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_cleans_up_and_exits_143() {
    let run = interrupt("-TERM", Duration::from_millis(1200), false).await;
    assert_stopped_cleanly(&run, 143, "SIGTERM");
}

/// The user insists: the second Ctrl-C quits at once, without cleaning up, and says how to.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_sigint_quits_at_once_with_the_cleanup_command() {
    let run = interrupt("-INT", Duration::from_millis(300), true).await;
    assert_eq!(run.code, Some(130), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stopping < Duration::from_secs(2), "{:?}", run.stopping);
    assert!(
        run.stderr.contains("magento-contract cleanup --run-id "),
        "{}",
        run.stderr
    );
}
