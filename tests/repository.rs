//! The repository's own documents stay true to the code: the workflows, the action and the
//! Dockerfile run commands that exist (subcommands and options of the CLI, Cargo targets, files
//! of the repository), with variables the harness reads; the README documents every variable and
//! shows a self-test table for every fault.

use std::path::Path;

use magento_contract::selftest::{readme_table, stable_text};
use magento_harness::config::VARIABLES;
use magento_reference::Fault;
use yaml_rust2::{Yaml, YamlLoader};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `.rs` file below `dir`.
fn rust_sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn known_variable(name: &str) -> bool {
    VARIABLES.iter().any(|(known, _, _)| *known == name)
}

fn yaml(path: &str) -> Yaml {
    YamlLoader::load_from_str(&read(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{path} is empty"))
}

/// Checks that `magento-contract <args>` names a subcommand of the CLI and only options it has.
fn assert_cli_accepts(args: &str) {
    let mut words = args.split_whitespace();
    let subcommand = words.next().unwrap_or_else(|| panic!("no subcommand in {args:?}"));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_magento-contract"))
        .args([subcommand, "--help"])
        .output()
        .expect("the binary runs");
    assert!(
        help.status.success(),
        "`{subcommand}` is not a command of the CLI ({args:?})"
    );
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in words.filter(|a| a.starts_with("--")) {
        let flag = flag.split('=').next().unwrap_or(flag);
        let whole = regex::Regex::new(&format!(r"{}([^a-z0-9-]|$)", regex::escape(flag))).unwrap();
        assert!(whole.is_match(&help), "`{subcommand}` has no option {flag} ({args:?})");
    }
}

/// The repository's Cargo targets and packages, read from the manifests.
struct CargoTargets {
    bins: Vec<String>,
    packages: Vec<String>,
    /// Every file or directory a build of the root package reads: sources, build script,
    /// targets' paths, workspace members, and the directories built into the binary.
    inputs: Vec<String>,
}

fn cargo_targets() -> CargoTargets {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml parses");
    let array = |key: &str| {
        manifest
            .get(key)
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let name_of = |t: &toml::Value| t["name"].as_str().unwrap().to_owned();
    let path_of = |t: &toml::Value| t["path"].as_str().unwrap().to_owned();
    let members: Vec<String> = manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    let mut packages = vec![manifest["package"]["name"].as_str().unwrap().to_owned()];
    for member in &members {
        let member_manifest: toml::Table =
            toml::from_str(&read(&format!("{member}/Cargo.toml"))).expect("a member's Cargo.toml parses");
        packages.push(member_manifest["package"]["name"].as_str().unwrap().to_owned());
    }
    let mut inputs = vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned()];
    inputs.push(manifest["lib"]["path"].as_str().unwrap().to_owned());
    inputs.push(manifest["package"]["build"].as_str().unwrap().to_owned());
    for key in ["bin", "test", "bench"] {
        inputs.extend(array(key).iter().map(path_of));
    }
    inputs.extend(members);
    inputs.extend(["features", "schemas", "snapshots", "drift"].map(String::from));
    CargoTargets {
        bins: array("bin").iter().map(name_of).collect(),
        packages,
        inputs,
    }
}

/// Checks a `cargo …` command line: `--locked`, and every `--bin` and `-p` it names exists.
fn assert_cargo_accepts(command: &str, targets: &CargoTargets) {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"cargo"), "{command:?}");
    assert!(words.contains(&"--locked"), "{command:?} builds without --locked");
    for pair in words.windows(2) {
        match pair[0] {
            "--bin" => assert!(
                targets.bins.iter().any(|b| b == pair[1]),
                "no binary {} ({command:?})",
                pair[1]
            ),
            "-p" | "--package" => assert!(
                targets.packages.iter().any(|p| p == pair[1]),
                "no package {} ({command:?})",
                pair[1]
            ),
            "--features" | "-F" => panic!("{command:?}: the packages have no features to select"),
            _ => {}
        }
    }
}

/// Every `${{ <prefix>.NAME }}` in `text`.
fn expressions<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    let pattern = regex::Regex::new(&format!(
        r"\$\{{\{{\s*{}\.([A-Za-z0-9_-]+)\s*\}}\}}",
        regex::escape(prefix)
    ))
    .unwrap();
    pattern
        .captures_iter(text)
        .map(|c| c.get(1).unwrap().as_str())
        .collect()
}

fn steps(job: &Yaml) -> &Vec<Yaml> {
    job["steps"].as_vec().expect("steps")
}

/// The targets the release workflow builds, each a line of its matrix.
fn release_targets() -> Vec<String> {
    let workflow = yaml(".github/workflows/release.yml");
    workflow["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix of targets")
        .iter()
        .map(|row| row["target"].as_str().expect("a target").to_owned())
        .collect()
}

#[test]
fn the_nightly_workflow_uses_the_action_and_runs_commands_that_exist() {
    let workflow = yaml(".github/workflows/conformance-nightly.yml");
    let job = &workflow["jobs"]["conformance"];
    assert!(!job.is_badvalue(), "a `conformance` job");

    let env = job["env"].as_hash().expect("job env");
    for key in env.keys().filter_map(Yaml::as_str) {
        if key.starts_with("MAGENTO_") {
            assert!(
                known_variable(key),
                "the workflow sets {key}, which the harness does not read"
            );
        }
    }
    for required in [
        "MAGENTO_BASE_URL",
        "MAGENTO_ALLOW_WRITES",
        "INSTA_UPDATE",
        "INSTA_PENDING_DIR",
    ] {
        assert!(
            env.keys().any(|k| k.as_str() == Some(required)),
            "the workflow must set {required}"
        );
    }

    let action = yaml("action.yml");
    let inputs = action["inputs"].as_hash().expect("the action's inputs");
    let suite = steps(job)
        .iter()
        .find(|s| s["uses"].as_str() == Some("./"))
        .expect("a step runs the suite with the action at the top of the repository");
    assert!(!cargo_step(job), "the nightly run compiles nothing");
    let with = suite["with"].as_hash().expect("the action's inputs are set");
    for key in with.keys().filter_map(Yaml::as_str) {
        assert!(
            inputs.contains_key(&Yaml::from_str(key)),
            "the action has no input {key}"
        );
    }
    assert_cli_accepts(&format!("run {}", suite["with"]["args"].as_str().expect("args")));
    assert!(
        suite["with"]["report-dir"].as_str().is_some(),
        "the reports go somewhere known"
    );

    let mut commands = 0;
    for step in steps(job) {
        let Some(run) = step["run"].as_str() else { continue };
        let args = run
            .strip_prefix("magento-contract ")
            .unwrap_or_else(|| panic!("unexpected command {run:?}: only the harness CLI is run"));
        assert_cli_accepts(args);
        commands += 1;
    }
    assert!(commands >= 1, "the clean-up");

    let pending = env
        .get(&Yaml::from_str("INSTA_PENDING_DIR"))
        .and_then(Yaml::as_str)
        .unwrap();
    let uploads: Vec<&str> = steps(job)
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        })
        .filter_map(|s| s["with"]["path"].as_str())
        .collect();
    assert!(
        uploads.contains(&pending),
        "pending snapshots are uploaded: {uploads:?}"
    );
}

fn cargo_step(job: &Yaml) -> bool {
    steps(job)
        .iter()
        .any(|s| s["run"].as_str().is_some_and(|r| r.contains("cargo ")))
}

/// The action downloads the binary the release workflow attaches for the runner, checks it
/// against the released checksums, runs the suite with options the CLI has and uploads the
/// report directory it gave the run.
#[test]
fn the_action_runs_the_released_binary_and_uploads_its_reports() {
    let text = read("action.yml");
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_hash().expect("inputs");
    for name in expressions(&text, "inputs") {
        assert!(
            inputs.contains_key(&Yaml::from_str(name)),
            "action.yml uses undeclared input {name}"
        );
    }
    let steps = action["runs"]["steps"].as_vec().expect("steps");

    let download = steps
        .iter()
        .find_map(|s| s["run"].as_str().filter(|r| r.contains("releases")))
        .expect("a download step");
    let target = regex::Regex::new(r"\b(?:x86_64|aarch64)-(?:unknown-linux-musl|apple-darwin)\b").unwrap();
    let mut downloaded: Vec<&str> = target.find_iter(download).map(|m| m.as_str()).collect();
    downloaded.sort();
    let mut released = release_targets();
    released.sort();
    assert_eq!(
        downloaded, released,
        "the action knows every released target and no other"
    );
    assert!(
        download.contains("/magento-contract-$target"),
        "the release's asset name"
    );
    assert!(
        download.contains("SHA256SUMS") && download.contains("shasum -a 256 -c"),
        "checksums are checked"
    );
    assert!(
        download.contains("GITHUB_PATH"),
        "the binary is left on PATH for later steps"
    );

    let run = steps
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.starts_with("magento-contract ")))
        .expect("a step runs the suite");
    let args = run["run"].as_str().unwrap().replace(
        "${{ inputs.args }}",
        inputs[&Yaml::from_str("args")]["default"]
            .as_str()
            .expect("default args"),
    );
    assert_cli_accepts(args.strip_prefix("magento-contract ").unwrap());
    let report_dir = "${{ inputs.report-dir }}";
    assert_eq!(run["env"]["MAGENTO_REPORT_DIR"].as_str(), Some(report_dir));
    assert!(known_variable("MAGENTO_REPORT_DIR"));
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["path"].as_str(), Some(report_dir));
    assert_eq!(
        upload["if"].as_str(),
        Some("always()"),
        "reports of a failed run are uploaded too"
    );
}

/// On a tag, static Linux (musl) and macOS binaries of the CLI are built with commands Cargo
/// accepts, smoke-run alone, and attached with their checksums; the image is built from the
/// top-level Dockerfile.
#[test]
fn the_release_workflow_builds_and_attaches_every_binary() {
    let text = read(".github/workflows/release.yml");
    let workflow = yaml(".github/workflows/release.yml");
    assert!(
        workflow["on"]["push"]["tags"]
            .as_vec()
            .is_some_and(|tags| !tags.is_empty()),
        "runs on a tag"
    );
    let targets = release_targets();
    for expected in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(targets.iter().any(|t| t == expected), "{expected} is not built");
    }

    let cargo = cargo_targets();
    let binaries = &workflow["jobs"]["binaries"];
    let mut builds = 0;
    for step in steps(binaries) {
        let Some(run) = step["run"].as_str() else { continue };
        for line in run.lines().map(str::trim) {
            if line.starts_with("cargo ") {
                assert_cargo_accepts(line, &cargo);
                assert!(line.contains("--target ${{ matrix.target }}"), "{line}");
                builds += 1;
            }
            if let Some(args) = line.strip_prefix("./magento-contract ") {
                assert_cli_accepts(args);
            }
        }
    }
    assert!(builds >= 2, "a Linux and a macOS build");
    for bin in &cargo.bins {
        assert!(
            text.contains(&format!("target/${{{{ matrix.target }}}}/release/{bin}")),
            "{bin} is packaged"
        );
    }
    let release = steps(&workflow["jobs"]["release"])
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for target in &targets {
        assert!(
            release.contains(&format!("magento-contract-{target}")),
            "{target} is not attached"
        );
    }
    assert!(release.contains("SHA256SUMS"), "checksums are attached");

    let image = steps(&workflow["jobs"]["image"])
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action"))
        })
        .expect("the image is built and pushed");
    let dockerfile = image["with"]["file"].as_str().expect("a Dockerfile");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(dockerfile).is_file(),
        "{dockerfile}"
    );
}

/// The static release builds need no system TLS library and no large C build: TLS is rustls
/// on ring, and nothing in the lock file links OpenSSL or builds aws-lc, on any target.
#[test]
fn the_tls_stack_is_rustls_on_ring_without_openssl() {
    let lock: toml::Table = toml::from_str(&read("Cargo.lock")).expect("Cargo.lock parses");
    let names: Vec<&str> = lock["package"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for absent in ["openssl-sys", "openssl", "native-tls", "aws-lc-sys", "aws-lc-rs"] {
        assert!(!names.contains(&absent), "{absent} is in Cargo.lock");
    }
    for present in ["rustls", "ring"] {
        assert!(names.contains(&present), "{present} is not in Cargo.lock");
    }
}

/// One instruction of a Dockerfile: its keyword and the rest, continuation lines joined.
fn dockerfile_instructions(text: &str) -> Vec<(String, String)> {
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (keyword, rest) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (keyword.to_ascii_uppercase(), rest.trim().to_owned())
        })
        .collect()
}

/// The Dockerfile builds the binary with a command Cargo accepts from sources that exist and
/// cover every input of the build, then copies that one file into a static base and runs it.
#[test]
fn the_dockerfile_copies_what_the_build_needs_and_runs_the_binary_alone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ignored: Vec<String> = read(".dockerignore").lines().map(|l| l.trim().to_owned()).collect();
    let cargo = cargo_targets();
    let mut stages: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (keyword, rest) in dockerfile_instructions(&read("Dockerfile")) {
        if keyword == "FROM" {
            let name = rest.split_whitespace().nth(2).unwrap_or_default().to_owned();
            stages.push((name, vec![(keyword, rest)]));
        } else {
            stages.last_mut().expect("FROM first").1.push((keyword, rest));
        }
    }
    assert!(stages.len() >= 2, "a build stage and the image");

    let mut copied = Vec::new();
    for (keyword, rest) in &stages[0].1 {
        match keyword.as_str() {
            "COPY" => {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                let (sources, _destination) = parts.split_at(parts.len() - 1);
                for source in sources {
                    assert!(
                        root.join(source).exists(),
                        "COPY {source}: no such file in the repository"
                    );
                    assert!(
                        !ignored.iter().any(|i| i == source),
                        "COPY {source} is in .dockerignore"
                    );
                    copied.push(source.trim_end_matches('/').to_owned());
                }
            }
            "RUN" if rest.contains("cargo ") => {
                let command = rest
                    .split("&&")
                    .map(str::trim)
                    .find(|c| c.starts_with("cargo "))
                    .unwrap();
                assert_cargo_accepts(command, &cargo);
            }
            _ => {}
        }
    }
    for input in &cargo.inputs {
        assert!(
            copied.iter().any(|c| input == c || input.starts_with(&format!("{c}/"))),
            "the build reads {input}, which the Dockerfile does not copy"
        );
    }

    let (build_name, build) = &stages[0];
    let (_, image) = stages.last().unwrap();
    let base = &image[0].1;
    assert!(
        base == "scratch" || base.starts_with("gcr.io/distroless/static"),
        "the image is a static base, not {base}"
    );
    let built = build
        .iter()
        .filter(|(k, _)| k == "RUN")
        .map(|(_, r)| r.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut binary = None;
    for (keyword, rest) in image {
        if keyword == "COPY" {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(
                parts[0],
                format!("--from={build_name}"),
                "the image copies only from the build"
            );
            assert!(built.contains(parts[1]), "{} is not made by the build stage", parts[1]);
            binary = Some(parts[2].to_owned());
        }
    }
    let entrypoint: Vec<String> = image
        .iter()
        .find(|(k, _)| k == "ENTRYPOINT")
        .map(|(_, r)| serde_json::from_str(r).expect("ENTRYPOINT in exec form"))
        .expect("an ENTRYPOINT");
    assert_eq!(
        Some(&entrypoint[0]),
        binary.as_ref(),
        "the entrypoint is the copied binary"
    );
    let cmd: Vec<String> = image
        .iter()
        .find(|(k, _)| k == "CMD")
        .map(|(_, r)| serde_json::from_str(r).expect("CMD in exec form"))
        .expect("a CMD");
    assert_cli_accepts(&cmd.join(" "));
}

#[test]
fn every_variable_the_code_reads_is_documented() {
    let pattern = regex::Regex::new(r#""(MAGENTO_[A-Z_]+)""#).unwrap();
    let readme = read("README.md");
    let mut sources = Vec::new();
    rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("crates"), &mut sources);
    assert!(sources.len() > 20, "found only {} sources under crates/", sources.len());
    for source in &sources {
        let text = std::fs::read_to_string(source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        for capture in pattern.captures_iter(&text) {
            let name = &capture[1];
            assert!(
                known_variable(name),
                "{} reads {name}, missing from config::VARIABLES",
                source.display()
            );
        }
    }
    for (name, _, _) in VARIABLES {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README.md's variable table lacks {name}"
        );
    }
}

/// The README's self-test table has a caught row for every fault, in catalogue order, the full
/// score and nothing that differs between runs. That it is what a self-test writes today is
/// checked by `tests/detection.rs`, which runs one.
#[test]
fn the_readme_shows_the_selftest_table_for_every_fault() {
    let readme = read("README.md");
    let table = readme_table(&readme).unwrap_or_else(|e| panic!("README.md: {e}"));
    let rows: Vec<&str> = table
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|line| line.split_once('`'))
        .map(|(name, _)| name)
        .collect();
    let faults: Vec<&str> = Fault::all().iter().map(|fault| fault.name()).collect();
    let stale = "run `cargo run --release -- selftest --write-readme`";
    assert_eq!(rows, faults, "README's self-test table names other faults: {stale}");
    for fault in &faults {
        assert!(
            table.contains(&format!("| `{fault}` | yes")),
            "README's self-test table says {fault} is not caught: {stale}"
        );
    }
    assert!(
        table.contains(&format!("\nScore: {0}/{0}\n", faults.len())),
        "the score line is stale: {stale}"
    );
    assert_eq!(
        stable_text(table),
        table,
        "README's self-test table names a run's customers, ids or ports: {stale}"
    );
}
