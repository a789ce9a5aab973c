//! The console people read: by default one line per passed scenario and the full steps of a
//! failed one, every step with `-v`; on a terminal a progress line that keeps moving while the
//! run waits on a slow store, and in CI plain lines only.

mod common;

use std::time::Duration;

use common::{env_for, run_binary, temp_dir};
use magento_reference::{Fault, ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);

/// Lines that show a step (cucumber's `✔  When …` with `-v`, ours indented under a failure).
fn step_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            ["Given ", "When ", "Then ", "And ", "But "]
                .iter()
                .any(|k| l.trim_start_matches(['✔', '✘', '-', '>', ' ']).starts_with(k))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_passing_run_prints_one_line_per_scenario_and_v_prints_every_step() {
    let server = ReferenceMagento::start(StoreSettings::default()).await.unwrap();
    let env = env_for(&server);
    let concise = run_binary(&["run", "--color", "never"], &env, LIMIT).await;
    assert_eq!(concise.code, 0, "{}", concise.output());
    let out = &concise.stdout;
    assert!(
        step_lines(out).is_empty(),
        "no step of a passed scenario: {:?}",
        step_lines(out)
    );
    assert!(out.contains("\n[Summary]\n") && out.contains(" scenarios ("), "{out}");
    assert!(
        !out.contains('\r') && !out.contains('\x1b'),
        "plain lines only in CI: {out:?}"
    );

    // Every scenario the run reports is on a line of its own (outline examples once, ×N).
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(concise.report_dir.join("cucumber.json")).unwrap()).unwrap();
    let mut features = 0;
    for feature in json.as_array().unwrap() {
        features += 1;
        let name = feature["name"].as_str().unwrap();
        assert!(out.contains(&format!("\nFeature: {name}\n")), "feature {name}");
        let block: Vec<&str> = out
            .split(&format!("Feature: {name}\n"))
            .nth(1)
            .unwrap()
            .lines()
            .take_while(|l| l.starts_with("  ✔ "))
            .collect();
        for scenario in feature["elements"].as_array().unwrap() {
            let scenario = scenario["name"].as_str().unwrap();
            assert!(
                block.iter().any(|l| l.starts_with(&format!("  ✔ {scenario} ("))
                    || l.starts_with(&format!("  ✔ {scenario} ×"))),
                "{scenario} has its line under {name}: {block:#?}"
            );
        }
        assert!(block.len() <= 40, "{name} fits on one screen: {} lines", block.len());
    }
    assert!(features >= 10, "{features} features");

    let verbose = run_binary(&["run", "--color", "never", "-v"], &env, LIMIT).await;
    assert_eq!(verbose.code, 0, "{}", verbose.output());
    let steps = step_lines(&verbose.stdout).len();
    assert!(steps > 300, "-v prints every step: {steps} step lines");
    assert!(verbose.stdout.lines().count() > 3 * out.lines().count());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_scenario_shows_its_steps_and_its_failure() {
    let server = ReferenceMagento::start(StoreSettings {
        faults: vec![Fault::CreatedInMissing],
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let result = run_binary(&["run", "--color", "never"], &env_for(&server), LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 1, "{}", result.output());
    let out = &result.stdout;
    let failed = out
        .split("\n  ✘ A guest creates the tutorial's customer (")
        .nth(1)
        .unwrap_or_else(|| panic!("the failed scenario has its line: {out}"));
    let steps: Vec<&str> = failed.lines().skip(1).take_while(|l| l.starts_with("      ")).collect();
    assert!(steps[0].starts_with("      ✔ Given "), "{steps:#?}");
    let failing = steps
        .iter()
        .position(|l| l.starts_with("      ✘ "))
        .expect("the failed step");
    assert!(
        steps[failing + 1].starts_with("          created_in: expected \"Default Store View\""),
        "the failure under its step: {steps:#?}"
    );
    assert!(
        steps
            .iter()
            .any(|l| l.starts_with("          ") && l.trim_start().starts_with("reproduce: curl ")),
        "{steps:#?}"
    );
    assert!(
        steps.last().unwrap().starts_with("      - "),
        "the steps never reached are listed: {steps:#?}"
    );
    assert!(out.contains("\n  ✔ A guest may not search customers ("), "{out}");
}

/// Under a pseudo-terminal and without `CI`, the progress line is redrawn at least every
/// second while the only scenario waits on a store that takes 2.5 s to answer.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_the_progress_line_moves_while_the_store_is_slow() {
    if !std::path::Path::new("/usr/bin/script").is_file() {
        eprintln!("skipped: no `script` to run the binary under a pseudo-terminal");
        return;
    }
    let server = ReferenceMagento::start(StoreSettings {
        response_delay: Some(Duration::from_millis(2500)),
        ..StoreSettings::default()
    })
    .await
    .unwrap();
    let dir = temp_dir("console-pty");
    let command = format!(
        "{} run --name 'An unknown route'",
        env!("CARGO_BIN_EXE_magento-contract")
    );
    let mut script = tokio::process::Command::new("/usr/bin/script");
    script
        .args(["-qfec", &command, "/dev/null"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .env_remove("CI")
        .env("TERM", "xterm")
        .env("MAGENTO_REPORT_DIR", &dir)
        .env("MAGENTO_TIMEOUT_SECS", "10");
    for (key, _) in std::env::vars() {
        if key.starts_with("MAGENTO_") && key != "MAGENTO_REPORT_DIR" && key != "MAGENTO_TIMEOUT_SECS" {
            script.env_remove(key);
        }
    }
    script.envs(env_for(&server));
    let output = tokio::time::timeout(LIMIT, script.output()).await.unwrap().unwrap();
    server.shutdown().await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");

    let redraws: Vec<&str> = text
        .split("\r\x1b[2K")
        .skip(1)
        .filter_map(|piece| piece.lines().next())
        .filter(|line| line.starts_with("0/1 scenarios, 0 failed, "))
        .collect();
    assert!(redraws.len() >= 4, "redrawn every half second: {redraws:#?}");
    let seconds: Vec<u64> = redraws
        .iter()
        .filter_map(|line| line.split(", ").nth(2)?.split(' ').next()?.parse().ok())
        .collect();
    assert!(
        seconds.windows(2).all(|w| w[1] <= w[0] + 1),
        "no second goes by without a redraw: {seconds:?}"
    );
    assert!(
        redraws
            .iter()
            .any(|line| line.contains("; waiting on \"An unknown route")),
        "the slow scenario is named: {redraws:#?}"
    );
    assert!(text.contains("[Summary]"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
