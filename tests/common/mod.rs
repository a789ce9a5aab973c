//! Running the `magento-contract` binary as a user would, for the self-tests.

#![allow(dead_code, unused_imports)] // each test target uses its own subset

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub use magento_contract::embedded::env_for;

/// What a run of the binary printed and how it ended.
pub struct RunResult {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub report_dir: PathBuf,
}

impl RunResult {
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The harness's own one-line problem report (`magento-contract: …`), if any.
    pub fn problem_lines(&self) -> Vec<String> {
        self.output()
            .lines()
            .filter(|l| l.starts_with("magento-contract: ") && !l.starts_with("magento-contract: checking"))
            .map(str::to_owned)
            .collect()
    }
}

/// A fresh directory under the system temp dir, unique to this call.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "magento-contract-{label}-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The binary as a user starts it in `report_dir` (which also receives the reports): no
/// `MAGENTO_*`/`INSTA_*` variable of this process, CI mode, snapshots never written, output
/// piped, killed when dropped.
pub fn binary_command(report_dir: &std::path::Path) -> tokio::process::Command {
    let mut command = program_command(std::path::Path::new(env!("CARGO_BIN_EXE_magento-contract")), report_dir);
    command.env("MAGENTO_REPORT_DIR", report_dir);
    command
}

/// `program` (the binary, or a copy of it) started in `dir` as [`binary_command`] starts it,
/// but with no `MAGENTO_*` variable at all.
pub fn program_command(program: &std::path::Path, dir: &std::path::Path) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("MAGENTO_") || key.starts_with("INSTA_") || key == "CUCUMBER_FILTER_TAGS" {
            command.env_remove(key);
        }
    }
    command.env("CI", "true").env("INSTA_UPDATE", "no");
    command
}

/// Everything a run wrote: its console and every file under its report dir, by path.
pub fn artifacts(result: &RunResult) -> Vec<(String, String)> {
    let mut all = vec![
        ("stdout".to_owned(), result.stdout.clone()),
        ("stderr".to_owned(), result.stderr.clone()),
    ];
    collect_files(&result.report_dir, &mut all);
    all
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
}

/// Runs the binary with `args` and only the given `MAGENTO_*` variables, killing it after
/// `limit`. Snapshots are never written (CI mode).
pub async fn run_binary(args: &[&str], env: &[(String, String)], limit: Duration) -> RunResult {
    run_binary_without(args, env, &[], limit).await
}

/// Like [`run_binary`], with the variables in `unset` removed after the defaults (e.g. `CI`).
pub async fn run_binary_without(args: &[&str], env: &[(String, String)], unset: &[&str], limit: Duration) -> RunResult {
    run_binary_in(&temp_dir("reports"), args, env, unset, limit).await
}

/// Like [`run_binary_without`], in `dir` (which also receives the reports): where a `.env` is read.
pub async fn run_binary_in(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(String, String)],
    unset: &[&str],
    limit: Duration,
) -> RunResult {
    let report_dir = dir.to_path_buf();
    let mut command = binary_command(&report_dir);
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    for key in unset {
        command.env_remove(key);
    }
    let started = Instant::now();
    let child = command.spawn().expect("the binary starts");
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}: it hangs"))
        .expect("the binary runs");
    RunResult {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
        report_dir,
    }
}

/// Collects a spawned run's stdout line by line and returns once it prints its `checking` line
/// (the scenarios are about to start), with the collected text and the task reading the rest.
pub async fn follow_until_checking(
    child: &mut tokio::process::Child,
) -> (std::sync::Arc<std::sync::Mutex<String>>, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncBufReadExt as _, BufReader};
    let stdout = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let reader = {
        let stdout = std::sync::Arc::clone(&stdout);
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        tokio::spawn(async move {
            let mut started = Some(started_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("magento-contract: checking") {
                    started.take().map(|tx| tx.send(()));
                }
                stdout.lock().unwrap().push_str(&format!("{line}\n"));
            }
        })
    };
    tokio::time::timeout(Duration::from_secs(10), started_rx)
        .await
        .expect("the run starts its scenarios within 10 s")
        .expect("the run prints its checking line");
    (stdout, reader)
}
