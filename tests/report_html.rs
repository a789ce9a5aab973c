//! `report.html` as a reviewer opens it from a CI artifact: the report of a run with failures,
//! rendered by headless Chromium with every network request sent to a proxy this test owns.
//! The rendered page names every scenario, shows the failures with their expected/received
//! values, diff and `curl` line, draws one timeline bar per request, and fetches nothing.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the test fails under `CI=true`
//! and is skipped with a printed reason elsewhere.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{env_for, run_binary, temp_dir};
use magento_reference::{Fault, ReferenceMagento, StoreSettings};

const LIMIT: Duration = Duration::from_secs(120);
const CHROMIUM_LIMIT: Duration = Duration::from_secs(90);

/// The Chromium binary, or `None` (with the reason printed) where the test may be skipped.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let reason = "chromium is not installed (apt-get install chromium): report.html is not rendered";
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
            panic!("{reason}");
        }
        eprintln!("skipped: {reason}");
    }
    found
}

/// A proxy that answers nothing and keeps the host each connection asked for (from
/// `CONNECT host:port` or `GET http://host/…`).
struct Proxy {
    url: String,
    hosts: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hosts = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&hosts);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let mut line = String::new();
                    let mut reader = tokio::io::BufReader::new(socket);
                    let read = tokio::io::AsyncBufReadExt::read_line(&mut reader, &mut line);
                    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
                    seen.lock().unwrap().push(requested_host(&line));
                });
            }
        });
        Proxy { url, hosts }
    }

    /// The hosts asked for since the last call, sorted, once each.
    async fn take(&self) -> BTreeSet<String> {
        // A connection's first line may still be on its way.
        tokio::time::sleep(Duration::from_millis(500)).await;
        std::mem::take(&mut *self.hosts.lock().unwrap()).into_iter().collect()
    }
}

/// `update.example.com` from `CONNECT update.example.com:443 HTTP/1.1` or
/// `GET http://update.example.com/x HTTP/1.1`; the line itself when it is neither.
fn requested_host(line: &str) -> String {
    let target = line.split_whitespace().nth(1).unwrap_or(line);
    let authority = target.split("://").nth(1).unwrap_or(target);
    let authority = authority.split('/').next().unwrap_or(authority);
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_owned()
}

/// Renders `page` headless with every non-loopback request sent to `proxy`; returns the DOM
/// after rendering and writes a screenshot to `screenshot`.
async fn render(chromium: &Path, page: &Path, proxy: &str, screenshot: &Path) -> String {
    // A fresh profile each time, so nothing is cached from an earlier page.
    let profile = temp_dir("chromium-profile");
    let url = format!("file://{}", page.display());
    let mut runs = Vec::new();
    for output in [
        "--dump-dom".to_owned(),
        format!("--screenshot={}", screenshot.display()),
    ] {
        let run = tokio::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-extensions",
                "--window-size=1280,2000",
                &format!("--proxy-server={proxy}"),
                "--proxy-bypass-list=<-loopback>",
                &format!("--user-data-dir={}", profile.display()),
                &output,
                &url,
            ])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(CHROMIUM_LIMIT, run)
            .await
            .expect("chromium finishes")
            .expect("chromium starts");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let _ = std::fs::remove_dir_all(&profile);
    runs.swap_remove(0)
}

/// Text as the DOM serialises it, back to plain characters.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Every scenario name the run's Cucumber JSON reports.
fn scenario_names(report_dir: &Path) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_dir.join("cucumber.json")).unwrap()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .flat_map(|feature| feature["elements"].as_array().unwrap())
        .filter(|element| element["type"] == "scenario")
        .map(|element| element["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_runs_report_renders_offline_with_every_scenario_its_diff_and_the_timeline() {
    let Some(chromium) = chromium() else { return };
    let server = ReferenceMagento::start(StoreSettings {
        faults: vec![Fault::CreatedInMissing],
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let result = run_binary(&["run", "--color", "never"], &env_for(&server), LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 1, "the faults fail the run:\n{}", result.output());
    let page = result.report_dir.join("report.html");
    let html = std::fs::read_to_string(&page).expect("report.html is written");

    // The file itself refers to nothing outside it.
    let loads = regex::Regex::new(r#"<[^>]*\s(src|href|srcset|action|data)=["']?[a-z]+:"#).unwrap();
    assert_eq!(
        loads.find(&html).map(|m| m.as_str()),
        None,
        "report.html loads something"
    );
    assert!(html.contains("Content-Security-Policy"), "report.html has no CSP");

    // Chromium contacts its own services (updates, sign-in) whatever the page: an empty page
    // shows which, and what the page adds is what it loads. A page with an external image
    // proves the proxy sees a page's requests, or its silence below would prove nothing.
    let proxy = Proxy::start().await;
    let empty = result.report_dir.join("empty.html");
    std::fs::write(&empty, "<!DOCTYPE html><html><body>empty</body></html>").unwrap();
    render(&chromium, &empty, &proxy.url, &result.report_dir.join("empty.png")).await;
    let browser_own = proxy.take().await;
    let control = result.report_dir.join("control.html");
    std::fs::write(
        &control,
        r#"<!DOCTYPE html><html><body><img src="http://report-html-control.example/x.png"></body></html>"#,
    )
    .unwrap();
    render(&chromium, &control, &proxy.url, &result.report_dir.join("control.png")).await;
    let control_hosts = proxy.take().await;
    assert!(
        control_hosts.contains("report-html-control.example"),
        "the control page's image never reached the proxy ({control_hosts:?}): the check below would prove nothing"
    );

    let screenshot = result.report_dir.join("report.png");
    let dom = render(&chromium, &page, &proxy.url, &screenshot).await;
    let fetched: Vec<String> = proxy.take().await.difference(&browser_own).cloned().collect();
    assert!(fetched.is_empty(), "rendering report.html fetched from {fetched:?}");
    let png = std::fs::read(&screenshot).expect("chromium wrote a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "the screenshot is empty ({} bytes)",
        png.len()
    );

    let text = unescape(&dom);
    let names = scenario_names(&result.report_dir);
    assert!(names.len() > 50, "the run's scenarios: {}", names.len());
    let missing: Vec<&String> = names.iter().filter(|name| !text.contains(name.as_str())).collect();
    assert!(missing.is_empty(), "scenarios missing from the page: {missing:?}");

    // A failure is shown open, outside any folded section, with its parts.
    let failures = dom.find("<h2>Failures</h2>").expect("a Failures section");
    let timeline = dom.find("<h2>Timeline</h2>").expect("a Timeline section");
    let shown = unescape(&dom[failures..timeline]);
    assert!(
        shown.contains("created_in: expected \"Default Store View\" (string), received nothing"),
        "the value failure's message: {shown}"
    );
    assert!(
        shown.contains("<th>expected</th>") && shown.contains("<th>received</th>"),
        "the expected/received diff: {shown}"
    );
    assert!(
        shown.contains(r#"<span class="del">-  "created_in": "Default Store View",</span>"#),
        "the documented-vs-observed diff, its removed line marked: {shown}"
    );
    assert!(
        shown.contains("<pre class=\"curl\">curl -sS -X POST"),
        "the reproduction: {shown}"
    );
    assert!(
        !dom[..timeline].contains("<details"),
        "the failures are not folded away"
    );

    // One bar per request the run sent, as the exchange log lists them.
    let exchanges = std::fs::read_to_string(result.report_dir.join("exchanges.ndjson")).unwrap();
    let requests = exchanges.lines().filter(|l| l.contains("\"sent_at\"")).count();
    assert!(requests > 100, "the run's requests: {requests}");
    assert!(dom.contains("<svg id=\"timeline\""), "the timeline is drawn");
    assert_eq!(
        dom.matches("<rect class=\"req s").count(),
        requests,
        "one bar per request"
    );
    assert!(dom.matches("<title>").count() > requests, "every bar names its request");
    let _ = std::fs::remove_dir_all(&result.report_dir);
}
