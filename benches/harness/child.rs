//! Running the `magento-contract` binary as a user would, as a child process: a clean
//! environment pointed at a reference server, output discarded, wall time and peak memory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary Cargo built for this bench target, with the bench target's profile: `cargo bench`
/// builds `target/release/magento-contract`, `cargo test --bench harness` the debug one.
pub const BIN: &str = env!("CARGO_BIN_EXE_magento-contract");

/// The binary's path from `target/` on, for printing (no machine path in the output).
pub fn bin_label() -> String {
    let path = Path::new(BIN);
    let profile = path
        .parent()
        .and_then(Path::file_name)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("target/{profile}/magento-contract")
}

/// Whether the binary is an optimised build (`cargo bench`) rather than a debug one.
pub fn bin_is_release() -> bool {
    bin_label().starts_with("target/release/")
}

/// A fresh directory under `root`.
pub fn fresh_dir(root: &Path, label: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = root.join(format!("{label}-{n}"));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}

/// A prepared run of the binary.
pub struct Spec<'a> {
    /// The program: [`BIN`], or a peer tool.
    pub program: String,
    pub root: &'a Path,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
    pub limit: Duration,
    /// Keep stdout and stderr (for a failure message) instead of sending them to /dev/null.
    pub capture: bool,
}

impl<'a> Spec<'a> {
    /// The suite against `env`'s server with `features` at `concurrency`.
    pub fn suite(root: &'a Path, env: &[(String, String)], features: &Path, concurrency: usize) -> Self {
        let mut env = env.to_vec();
        env.push(("MAGENTO_FEATURES_DIR".into(), features.display().to_string()));
        env.push(("MAGENTO_CONCURRENCY".into(), concurrency.to_string()));
        Spec {
            program: BIN.to_owned(),
            root,
            env,
            args: vec!["--color".into(), "never".into()],
            limit: Duration::from_secs(600),
            capture: false,
        }
    }
}

/// How a run of the binary went.
pub struct Run {
    /// From just before `spawn` to the moment the exit was reaped.
    pub wall: Duration,
    pub code: i32,
    /// The largest `VmHWM` read from `/proc/<pid>/status` while the child ran (sampled every
    /// 2 ms, so a lower bound on the true peak), in KiB.
    pub peak_rss_kib: Option<u64>,
    pub report_dir: PathBuf,
    /// stdout and stderr, when captured.
    pub output: String,
}

/// Runs the binary once. Only the variables of `spec.env` (plus `CI=true`, `INSTA_UPDATE=no`
/// and a fresh `MAGENTO_REPORT_DIR`) reach it; it runs in a fresh directory, so no `.env`
/// file is read; it is killed after `spec.limit`.
pub async fn run_binary(spec: &Spec<'_>) -> Result<Run, String> {
    let report_dir = fresh_dir(spec.root, "reports");
    let work_dir = fresh_dir(spec.root, "cwd");
    let mut command = tokio::process::Command::new(&spec.program);
    command
        .args(&spec.args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .current_dir(&work_dir);
    if spec.capture {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    isolate(command.as_std_mut());
    command.env("MAGENTO_REPORT_DIR", &report_dir);
    for (key, value) in &spec.env {
        command.env(key, value);
    }

    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", spec.program))?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let drain = async move {
        use tokio::io::AsyncReadExt as _;
        let mut text = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_end(&mut text).await;
        }
        if let Some(err) = stderr.as_mut() {
            let _ = err.read_to_end(&mut text).await;
        }
        String::from_utf8_lossy(&text).into_owned()
    };
    let drained = tokio::spawn(drain);

    let mut peak: Option<u64> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(2));
    let deadline = tokio::time::sleep(spec.limit);
    tokio::pin!(deadline);
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| format!("waiting for the child: {e}"))?,
            _ = tick.tick() => {
                if let Some(kib) = pid.and_then(vm_hwm_kib) {
                    peak = Some(peak.map_or(kib, |p| p.max(kib)));
                }
            }
            _ = &mut deadline => {
                let _ = child.kill().await;
                return Err(format!("the run did not finish within {:?} and was killed", spec.limit));
            }
        }
    };
    let wall = started.elapsed();
    let output = drained.await.unwrap_or_default();
    Ok(Run {
        wall,
        code: status.code().unwrap_or(-1),
        peak_rss_kib: peak,
        report_dir,
        output,
    })
}

/// Runs the program and insists on exit code 0; on any other code, runs it again with its output
/// captured and puts the end of that output in the error.
pub async fn run_passing(spec: Spec<'_>) -> Result<Run, String> {
    let run = run_binary(&spec).await?;
    if run.code == 0 {
        return Ok(run);
    }
    let name = Path::new(&spec.program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let again = run_binary(&Spec { capture: true, ..spec }).await?;
    let tail: Vec<&str> = again.output.lines().rev().take(40).collect();
    Err(format!(
        "{} exited with {} (again: {}); the end of its output:\n{}",
        name,
        run.code,
        again.code,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ))
}

/// `VmHWM` (peak resident set size) of a running process, in KiB.
pub fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One line of `exchanges.ndjson`, the fields the bench needs.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// When the request went out and when its response ended, in µs since the Unix epoch.
    pub sent_us: i64,
    pub done_us: i64,
    /// As logged: secrets redacted, everything else (emails, ids) as sent and received.
    pub request_body: Option<String>,
    pub response_body: String,
}

impl Logged {
    /// Method and path from `/rest` on, without the query, with every digit run as `N`: the
    /// same request of two runs has the same shape.
    pub fn shape(&self) -> String {
        request_shape(&self.method, &self.url)
    }

    pub fn is_search(&self) -> bool {
        self.method == "GET" && self.url.contains("/V1/customers/search")
    }
}

pub fn request_shape(method: &str, url: &str) -> String {
    let path = url.find("/rest").map_or(url, |i| &url[i..]);
    let path = path.split('?').next().unwrap_or(path);
    let mut shape = String::with_capacity(path.len());
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                shape.push('N');
            }
            in_digits = true;
        } else {
            shape.push(c);
            in_digits = false;
        }
    }
    format!("{method} {shape}")
}

/// Every exchange of a run, in the order the client recorded them.
pub fn read_exchanges(report_dir: &Path) -> Result<Vec<Logged>, String> {
    let path = report_dir.join("exchanges.ndjson");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read exchanges.ndjson: {e}"))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let v: Value = serde_json::from_str(line).map_err(|e| format!("exchanges.ndjson line {}: {e}", i + 1))?;
            let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            let sent_us = field("sent_at")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.timestamp_micros())
                .ok_or(format!("line {}: no sent_at", i + 1))?;
            let elapsed_ms = v
                .get("elapsed_ms")
                .and_then(Value::as_f64)
                .ok_or(format!("line {}: no elapsed_ms", i + 1))?;
            Ok(Logged {
                method: field("method").ok_or(format!("line {}: no method", i + 1))?,
                url: field("url").ok_or(format!("line {}: no url", i + 1))?,
                status: v
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or(format!("line {}: no status", i + 1))?,
                sent_us,
                done_us: sent_us + (elapsed_ms * 1000.0).round() as i64,
                request_body: field("request_body"),
                response_body: field("response_body").unwrap_or_default(),
            })
        })
        .collect()
}

/// The requests every run sends outside the scenarios, one after the other: before them the
/// guest pre-flight, the admin sign-in and its check (`GET /V1/customers/-1` must be 404 with the
/// new token); after them the end-of-run sweep (a search, then a DELETE for each leftover).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOverhead {
    pub before: usize,
    pub after: usize,
}

impl RunOverhead {
    pub fn total(&self) -> usize {
        self.before + self.after
    }
}

/// Splits a run's exchange log into its fixed sequential part and the scenarios' requests,
/// checking that it has the expected shape.
pub fn run_overhead(log: &[Logged]) -> Result<RunOverhead, String> {
    let expect = |i: usize, what: &str, ok: &dyn Fn(&Logged) -> bool| match log.get(i) {
        Some(e) if ok(e) => Ok(()),
        Some(e) => Err(format!("exchange {} is {} {}, not {what}", i + 1, e.shape(), e.status)),
        None => Err(format!("the exchange log ends before {what}")),
    };
    expect(0, "the guest pre-flight", &|e| {
        e.shape() == "GET /rest/default/VN/customers/me" && e.status == 401
    })?;
    expect(1, "the admin sign-in", &|e| {
        e.method == "POST"
            && (e.url.contains("/V1/tfa/provider/google/authenticate") || e.url.contains("/V1/integration/admin/token"))
    })?;
    expect(2, "the admin token check", &|e| {
        e.shape() == "GET /rest/default/VN/customers/-N" && e.status == 404
    })?;
    // The reCAPTCHA probes and the store profile's detection come next; the GraphQL probe is the
    // last request before the scenarios.
    let probe = log
        .iter()
        .position(|e| e.method == "POST" && e.url.ends_with("/graphql"))
        .ok_or("the exchange log has no GraphQL probe")?;
    if probe < 3 {
        return Err(format!(
            "the GraphQL probe is exchange {}, before the admin sign-in's check",
            probe + 1
        ));
    }
    let sweep = log
        .iter()
        .rposition(Logged::is_search)
        .ok_or("the exchange log has no end-of-run sweep search")?;
    if sweep <= probe || log[sweep + 1..].iter().any(|e| e.method != "DELETE") {
        return Err("the end-of-run sweep is not at the end of the exchange log".into());
    }
    Ok(RunOverhead {
        before: probe + 1,
        after: log.len() - sweep,
    })
}

/// The longest run of requests of which each went out after the one before had its answer: the
/// round trips a scenario must wait for one after the other, whatever its concurrency.
///
/// In an interval order the longest chain is the largest set of pairwise disjoint intervals,
/// which taking the earliest-ending request first finds.
pub fn longest_chain(exchanges: &[Logged]) -> usize {
    let mut by_end: Vec<(i64, i64)> = exchanges.iter().map(|e| (e.done_us, e.sent_us)).collect();
    by_end.sort_unstable();
    let mut chain = 0;
    let mut free_from = i64::MIN;
    for (done, sent) in by_end {
        if sent >= free_from {
            chain += 1;
            free_from = done;
        }
    }
    chain
}

/// [`longest_chain`]'s own check, run by `--smoke`: create, a burst of three overlapping
/// attempts, one more, delete.
pub fn longest_chain_self_check() -> Result<(), String> {
    let at = |sent_us: i64, done_us: i64| Logged {
        method: "POST".into(),
        url: String::new(),
        status: 200,
        sent_us,
        done_us,
        request_body: None,
        response_body: String::new(),
    };
    let log = [at(0, 10), at(10, 25), at(11, 22), at(12, 30), at(30, 40), at(41, 50)];
    match longest_chain(&log) {
        4 => Ok(()),
        n => Err(format!("longest_chain: {n} round trips, expected 4")),
    }
}

/// A child sees only what the bench gives it: no inherited `MAGENTO_*`, `INSTA_*` or
/// `CUCUMBER_*` variable, and CI mode, so it never writes snapshots.
pub fn isolate(command: &mut std::process::Command) {
    for (key, _) in std::env::vars() {
        if key.starts_with("MAGENTO_") || key.starts_with("INSTA_") || key.starts_with("CUCUMBER_") {
            command.env_remove(key);
        }
    }
    command.env("CI", "true").env("INSTA_UPDATE", "no");
}
