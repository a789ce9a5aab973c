//! The repository's own documents stay true to the code: the nightly workflow runs commands
//! that exist, with variables the harness reads, the README documents every variable and shows
//! a self-test table for every fault.

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

#[test]
fn the_nightly_workflow_runs_commands_that_exist() {
    let docs = YamlLoader::load_from_str(&read(".github/workflows/conformance-nightly.yml")).expect("valid YAML");
    let workflow = &docs[0];
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

    let mut commands = 0;
    for step in job["steps"].as_vec().expect("steps") {
        let Some(run) = step["run"].as_str() else { continue };
        let args = run
            .strip_prefix("cargo run --release -- ")
            .unwrap_or_else(|| panic!("unexpected command {run:?}: only the harness CLI is run"));
        let subcommand = args.split_whitespace().next().expect("a subcommand");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_magento-contract"))
            .args([subcommand, "--help"])
            .output()
            .expect("the binary runs");
        assert!(status.status.success(), "`{subcommand}` is not a command of the CLI");
        let help = String::from_utf8_lossy(&status.stdout);
        for flag in args.split_whitespace().filter(|a| a.starts_with("--")) {
            assert!(help.contains(flag), "`{subcommand}` has no option {flag}");
        }
        commands += 1;
    }
    assert!(commands >= 2, "the run and the clean-up");

    let uploads: Vec<&str> = job["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact"))
        })
        .filter_map(|s| s["with"]["path"].as_str())
        .collect();
    assert!(
        uploads.contains(&"target/magento-contract"),
        "reports are uploaded: {uploads:?}"
    );
    assert!(
        uploads.contains(&"target/pending-snapshots"),
        "pending snapshots are uploaded: {uploads:?}"
    );
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
