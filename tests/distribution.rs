//! One binary that runs anywhere: copied alone into an empty directory, with no `MAGENTO_*`
//! variable, it runs the built-in suite against its embedded server and against a store it did
//! not start; `init DIR` writes the built-in set, which then runs when the variables point at it.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{RunResult, program_command, temp_dir};
use magento_contract::builtin;
use tokio::io::{AsyncBufReadExt, BufReader};

const LIMIT: Duration = Duration::from_secs(180);

/// Held while a copy of the binary is written and while a child is started: a child forked by
/// another test while the copy is open for writing would keep it open, and running the copy
/// would then fail with "text file busy".
static SPAWNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A fresh directory holding a copy of the binary and nothing else; returns it and the copy.
fn binary_alone(label: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(label);
    let copy = dir.join("magento-contract");
    let _spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::copy(env!("CARGO_BIN_EXE_magento-contract"), &copy).expect("the binary is copied");
    (dir, copy)
}

fn spawn(command: &mut tokio::process::Command) -> tokio::process::Child {
    let _spawning = SPAWNING.lock().unwrap_or_else(|e| e.into_inner());
    command.spawn().expect("the binary starts")
}

async fn run(program: &Path, dir: &Path, args: &[&str], env: &[(&str, String)]) -> RunResult {
    let mut command = program_command(program, dir);
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let started = std::time::Instant::now();
    let output = tokio::time::timeout(LIMIT, spawn(&mut command).wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("`magento-contract {}` did not finish within {LIMIT:?}", args.join(" ")))
        .expect("the binary runs");
    RunResult {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
        report_dir: dir.join("target/magento-contract"),
    }
}

/// The feature files a run's Cucumber JSON names, in order.
fn features_run(result: &RunResult) -> Vec<String> {
    let path = result.report_dir.join("cucumber.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), result.output()));
    let report: serde_json::Value = serde_json::from_str(&text).expect("cucumber.json is JSON");
    report
        .as_array()
        .expect("an array of features")
        .iter()
        .map(|feature| feature["uri"].as_str().expect("a uri").to_owned())
        .collect()
}

/// Checks that the run read its features from the built-in set: every feature it reports has
/// the path of a built-in one, and every built-in feature either ran or is listed as not run
/// with this configuration.
fn ran_the_built_in_features(result: &RunResult) {
    let ran = features_run(result);
    let built_in: Vec<(String, &str)> = builtin::files()
        .map(|(path, text)| (path.display().to_string(), text))
        .filter(|(path, _)| path.ends_with(".feature"))
        .collect();
    for uri in &ran {
        assert!(
            built_in.iter().any(|(path, _)| path == uri),
            "{uri} is not a built-in feature"
        );
    }
    for (path, text) in &built_in {
        let name = text
            .lines()
            .find_map(|line| line.trim().strip_prefix("Feature:"))
            .unwrap_or_else(|| panic!("{path} has a Feature line"))
            .trim();
        assert!(
            ran.contains(path) || result.stdout.contains(&format!("  - {name}: ")),
            "{path} neither ran nor is listed as not run:\n{}",
            result.stdout
        );
    }
}

/// Every file under `dir`, relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_alone_runs_the_built_in_suite_against_its_embedded_server() {
    let (dir, binary) = binary_alone("alone-embedded");
    let result = run(&binary, &dir, &["run", "--color", "never"], &[]).await;
    assert_eq!(result.code, 0, "{}", result.output());
    ran_the_built_in_features(&result);
    // Nothing was unpacked next to it: the binary and the reports (in the default place,
    // relative to where it runs) are all there is.
    for file in tree(&dir) {
        assert!(
            file == Path::new("magento-contract") || file.starts_with("target/magento-contract"),
            "the run left {} behind",
            file.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A `serve` instance started on its own, as another process: the copied binary checks it
/// through `MAGENTO_BASE_URL` as it would a real store.
#[tokio::test(flavor = "multi_thread")]
async fn the_binary_alone_checks_a_store_it_did_not_start() {
    let (dir, binary) = binary_alone("alone-remote");
    let admin = [
        ("MAGENTO_ADMIN_USERNAME", "store-admin".to_owned()),
        ("MAGENTO_ADMIN_PASSWORD", format!("Adm1n-{}", rand::random::<u32>())),
    ];
    let mut serve = program_command(&binary, &dir);
    serve.args(["serve", "--port", "0"]);
    for (key, value) in &admin {
        serve.env(key, value);
    }
    let mut store = spawn(&mut serve);
    let mut lines = BufReader::new(store.stdout.take().unwrap()).lines();
    let listening = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("serve says where it listens")
        .unwrap()
        .unwrap_or_default();
    let base_url = listening
        .split_whitespace()
        .last()
        .filter(|url| url.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {listening:?}"))
        .to_owned();

    let mut env = admin.to_vec();
    env.push(("MAGENTO_BASE_URL", base_url.clone()));
    let result = run(&binary, &dir, &["run", "--color", "never"], &env).await;
    store.kill().await.unwrap();
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result.stdout.contains(&format!("checking {base_url}")),
        "{}",
        result.stdout
    );
    ran_the_built_in_features(&result);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `init DIR` writes every built-in file; a second `init` refuses in one line and changes
/// nothing, `--force` overwrites; the variables then run the written set, not the built-in one.
#[tokio::test(flavor = "multi_thread")]
async fn init_writes_the_built_in_set_which_then_runs_from_the_variables() {
    let (dir, binary) = binary_alone("init");
    let team = dir.join("team");
    let written = run(&binary, &dir, &["init", "team"], &[]).await;
    assert_eq!(written.code, 0, "{}", written.output());
    let mut files: Vec<(PathBuf, &str)> = builtin::files().collect();
    files.sort();
    assert_eq!(
        tree(&team),
        files.iter().map(|(path, _)| path.clone()).collect::<Vec<_>>()
    );
    for (path, text) in &files {
        assert_eq!(
            std::fs::read_to_string(team.join(path)).unwrap(),
            *text,
            "{}",
            path.display()
        );
    }
    for (name, path) in builtin::variables_for(Path::new("team")) {
        assert!(
            written.stdout.contains(&format!("{name}={}", path.display())),
            "init says how to use {name}: {}",
            written.stdout
        );
    }

    // Customised: one feature kept, one edited file that a second init must not overwrite.
    let kept = "features/customer/create_customer.feature";
    for (path, _) in &files {
        if path.starts_with("features") && path != Path::new(kept) {
            std::fs::remove_file(team.join(path)).unwrap();
        }
    }
    let baseline = team.join("drift/accepted.toml");
    let customised = format!("# ours\n{}", std::fs::read_to_string(&baseline).unwrap());
    std::fs::write(&baseline, &customised).unwrap();

    let refused = run(&binary, &dir, &["init", "team"], &[]).await;
    assert_eq!(refused.code, 2, "{}", refused.output());
    let problem: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(problem.len(), 1, "one line: {}", refused.stderr);
    assert!(
        problem[0].starts_with("magento-contract: ")
            && problem[0].contains("already exists")
            && problem[0].contains("--force"),
        "{}",
        problem[0]
    );
    assert_eq!(
        std::fs::read_to_string(&baseline).unwrap(),
        customised,
        "nothing overwritten"
    );
    assert!(
        !team.join("features/admin/admin_token.feature").exists(),
        "nothing written"
    );

    let env: Vec<(&str, String)> = builtin::variables_for(&team)
        .into_iter()
        .map(|(name, path)| (name, path.display().to_string()))
        .collect();
    let result = run(&binary, &dir, &["run", "--color", "never"], &env).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let ran = features_run(&result);
    assert!(
        ran.len() == 1 && ran[0].ends_with(&format!("/team/{kept}")),
        "only the team's one feature ran: {ran:?}"
    );
    assert!(
        std::fs::read_to_string(result.report_dir.join("drift.md"))
            .unwrap()
            .contains(&baseline.display().to_string()),
        "the drift report names the team's baseline"
    );

    let forced = run(&binary, &dir, &["init", "team", "--force"], &[]).await;
    assert_eq!(forced.code, 0, "{}", forced.output());
    assert_eq!(tree(&team).len(), files.len());
    assert_ne!(
        std::fs::read_to_string(&baseline).unwrap(),
        customised,
        "overwritten with --force"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
