//! Snapshots of responses, with the values that change from run to run redacted first, so a
//! snapshot diff shows only what a Magento upgrade or a module changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::drift::compare;
use super::failure::CheckFailure;
use super::render::canonical_json;
use super::store_identity::StoreIdentity;
use super::volatile::redact_volatile;
use crate::suite_files::FileSet;

/// The stored snapshots of a run, `snapshots/<name>@<profile>.snap`, each read and parsed once.
///
/// insta reads and parses the file on every assertion, which cost more than the request being
/// checked (`cargo bench`). A response equal to the stored body passes here; anything else goes
/// to insta, which decides the mismatch exactly as before: in CI it fails without writing
/// anything; locally it also writes a `.snap.new` file for `cargo insta review`. A snapshot
/// that does not exist yet (a new `MAGENTO_PROFILE`) is written as a pending one and nothing is
/// compared (STORES.md C8). Built-in snapshots cannot be updated, so a mismatch with one fails
/// with the changed paths and no insta review, and their pending ones go under the report dir.
pub struct SnapshotStore {
    source: FileSet,
    profile: String,
    identity: StoreIdentity,
    /// Where a pending snapshot goes when no other place can be written (`MAGENTO_REPORT_DIR`).
    fallback_dir: PathBuf,
    /// insta's `INSTA_PENDING_DIR`, which moves pending snapshots out of the checkout (the
    /// nightly workflow uploads it).
    insta_pending_dir: Option<PathBuf>,
    stored: Mutex<HashMap<String, Option<Arc<Value>>>>,
    /// The store has no Magento_Newsletter, detected from its Swagger.
    without_newsletter: bool,
}

/// How a snapshot step that did not fail ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotOutcome {
    Matched,
    /// There was no stored snapshot to compare with: the response was written to `file`.
    /// `built_in` when the run uses the built-in snapshots, which cannot take it.
    Pending {
        profile: String,
        file: PathBuf,
        built_in: bool,
    },
}

impl SnapshotOutcome {
    /// Why the comparison did not run, for the end-of-run notes; `None` when it did.
    pub fn not_run_reason(&self) -> Option<String> {
        match self {
            SnapshotOutcome::Matched => None,
            SnapshotOutcome::Pending {
                profile,
                file,
                built_in: false,
            } => Some(format!(
                "no stored snapshot for profile {profile} yet; pending snapshot written to {}: review with `cargo insta review` or rename it to .snap",
                file.display()
            )),
            SnapshotOutcome::Pending {
                profile,
                file,
                built_in: true,
            } => Some(format!(
                "the built-in snapshots have no profile {profile}; pending snapshot written to {}: review it, save it as .snap in a snapshots directory of your own (`magento-contract init DIR` writes one) and set MAGENTO_SNAPSHOTS_DIR",
                file.display()
            )),
        }
    }
}

/// Where pending snapshots of the built-in set go, under the report dir.
pub const BUILT_IN_PENDING_DIR: &str = "pending-snapshots";

impl SnapshotStore {
    /// The snapshots of `source` for `profile`, with `identity` standing for the store's name
    /// and ids.
    pub fn new(source: &FileSet, profile: &str, identity: StoreIdentity, fallback_dir: &Path) -> Self {
        Self {
            source: source.clone(),
            profile: profile.to_owned(),
            identity,
            fallback_dir: fallback_dir.to_path_buf(),
            insta_pending_dir: None,
            stored: Mutex::default(),
            without_newsletter: false,
        }
    }

    /// Compares the response, with volatile values and the configured store identity
    /// redacted, with the stored snapshot `name`.
    pub fn check(&self, name: &str, value: &Value) -> Result<SnapshotOutcome, CheckFailure> {
        self.check_redacted(name, &redact_volatile(&self.identity.redact(value)))
    }

    fn check_redacted(&self, name: &str, redacted: &Value) -> Result<SnapshotOutcome, CheckFailure> {
        let stored = self.stored(name);
        let stored = stored.map(|stored| {
            if self.without_newsletter {
                Arc::new(without_is_subscribed(&stored))
            } else {
                stored
            }
        });
        let redacted = &match &stored {
            Some(stored) => without_unknown_extension_keys(redacted, stored),
            None => redacted.clone(),
        };
        match stored {
            Some(stored) if *stored == *redacted => return Ok(SnapshotOutcome::Matched),
            None if !self.source.contains(&self.file_name(name)) => {
                return self.write_pending(name, redacted).map(|file| SnapshotOutcome::Pending {
                    profile: self.profile.clone(),
                    file,
                    built_in: matches!(self.source, FileSet::BuiltIn(_)),
                });
            }
            _ => {}
        }
        match &self.source {
            FileSet::Dir(dir) => self
                .assert_with_insta(dir, name, redacted)
                .map(|()| SnapshotOutcome::Matched),
            FileSet::BuiltIn(_) => Err(CheckFailure::Snapshot {
                name: format!("{name}@{}", self.profile),
                detail: match self.stored(name) {
                    Some(stored) => changed_paths(&stored, redacted),
                    None => format!("{} is not a snapshot file", self.source.origin(&self.file_name(name))),
                },
            }),
        }
    }

    /// The store's identity, once the run detected it.
    pub fn with_identity(mut self, identity: StoreIdentity) -> Self {
        self.identity = identity;
        self
    }

    /// For a store without Magento_Newsletter: the stored snapshots' `is_subscribed` is not
    /// expected (STORES.md U7).
    pub fn without_newsletter(mut self, missing: bool) -> Self {
        self.without_newsletter = missing;
        self
    }

    /// Pending snapshots go where insta puts them when `INSTA_PENDING_DIR` is set.
    pub fn with_insta_pending_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.insta_pending_dir = dir;
        self
    }

    /// Where a pending snapshot may go, in order, and whether that directory may be created:
    /// beside the stored snapshots, or, as insta does, under `INSTA_PENDING_DIR` at their path
    /// relative to the crate (`snapshots/` for the built-in set), or for the built-in set
    /// `pending-snapshots/` in the report dir; then the report dir itself.
    fn pending_dirs(&self) -> [(PathBuf, bool); 2] {
        let first = match (&self.source, &self.insta_pending_dir) {
            (FileSet::Dir(dir), Some(pending)) => (
                pending.join(dir.strip_prefix(crate::config::project_dir()).unwrap_or(Path::new(""))),
                true,
            ),
            (FileSet::Dir(dir), None) => (dir.clone(), false),
            (FileSet::BuiltIn(set), Some(pending)) => (pending.join(set.name), true),
            (FileSet::BuiltIn(_), None) => (self.fallback_dir.join(BUILT_IN_PENDING_DIR), true),
        };
        [first, (self.fallback_dir.clone(), false)]
    }

    /// Writes `<name>@<profile>.snap.new` in insta's format beside the stored snapshots, or in
    /// the fallback directory when that one cannot be written; in CI too, since the first run
    /// of a profile has nothing else to show.
    fn write_pending(&self, name: &str, redacted: &Value) -> Result<PathBuf, CheckFailure> {
        let text = format!(
            "---\nsource: src/checks/snapshot.rs\ndescription: {}\n---\n{}",
            Value::from(description(name)),
            canonical_json(redacted)
        );
        let file_name = format!("{name}@{}.snap.new", self.profile);
        let mut problems = Vec::new();
        for (dir, create) in self.pending_dirs() {
            let file = dir.join(&file_name);
            let created = if create { std::fs::create_dir_all(&dir) } else { Ok(()) };
            match created.and_then(|()| std::fs::write(&file, &text)) {
                Ok(()) => return Ok(file),
                Err(e) => problems.push(format!("{} ({e})", file.display())),
            }
        }
        Err(CheckFailure::Snapshot {
            name: format!("{name}@{}", self.profile),
            detail: format!(
                "there is no stored snapshot {} yet, and the pending one could not be written: {}",
                self.source.origin(&self.file_name(name)),
                problems.join("; ")
            ),
        })
    }

    fn file_name(&self, name: &str) -> String {
        format!("{name}@{}.snap", self.profile)
    }

    fn stored(&self, name: &str) -> Option<Arc<Value>> {
        let mut stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        stored
            .entry(name.to_owned())
            .or_insert_with(|| {
                let text = self.source.read(&self.file_name(name)).ok().flatten()?;
                snapshot_body(&text).map(Arc::new)
            })
            .clone()
    }

    fn assert_with_insta(&self, dir: &Path, name: &str, redacted: &Value) -> Result<(), CheckFailure> {
        let mut settings = insta::Settings::clone_current();
        // insta takes a relative path from the source file that was compiled, not from where the
        // program runs (`MAGENTO_SNAPSHOTS_DIR=team/snapshots`, as `init` suggests).
        settings.set_snapshot_path(std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_snapshot_suffix(&self.profile);
        settings.set_omit_expression(true);
        settings.set_sort_maps(true);
        settings.set_description(description(name));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_json_snapshot!(name, redacted));
        }));
        outcome.map_err(|panic| {
            let insta_says = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "snapshot assertion failed".to_owned());
            let file = dir.join(self.file_name(name));
            CheckFailure::Snapshot {
                name: format!("{name}@{}", self.profile),
                detail: match stored_snapshot(&file) {
                    Some(stored) => changed_paths(&stored, redacted),
                    None => format!("{insta_says}; there is no stored snapshot {} yet", file.display()),
                },
            }
        })
    }
}

/// The description insta writes into the snapshot's header.
fn description(name: &str) -> String {
    format!("{name}: a redacted response body (volatile values replaced)")
}

/// The JSON body of a stored snapshot file (after insta's `---` metadata header).
fn stored_snapshot(file: &Path) -> Option<Value> {
    snapshot_body(&std::fs::read_to_string(file).ok()?)
}

/// The JSON body of a snapshot's text (after insta's `---` metadata header).
fn snapshot_body(text: &str) -> Option<Value> {
    let body = text.strip_prefix("---")?.split_once("\n---\n")?.1;
    serde_json::from_str(body).ok()
}

/// The differences by JSON path, so the failure names the field before insta's diff shows it.
fn changed_paths(stored: &Value, observed: &Value) -> String {
    const SHOWN: usize = 10;
    let differences = compare(stored, observed);
    let mut lines: Vec<String> = differences.iter().take(SHOWN).map(|d| format!("  - {d}")).collect();
    if differences.len() > SHOWN {
        lines.push(format!("  … and {} more", differences.len() - SHOWN));
    }
    lines.join("\n")
}

/// A stored customer without Magento_Newsletter's `extension_attributes.is_subscribed` (and
/// without `extension_attributes` once nothing else is in it).
fn without_is_subscribed(stored: &Value) -> Value {
    let mut stored = stored.clone();
    if let Some(fields) = stored.as_object_mut()
        && let Some(Value::Object(extension)) = fields.get_mut("extension_attributes")
    {
        extension.remove("is_subscribed");
        if extension.is_empty() {
            fields.remove("extension_attributes");
        }
    }
    stored
}

/// `observed` without the `extension_attributes` keys `stored` does not have at the same place:
/// modules add their own (STORES.md C7), which the drift report shows; a key the snapshot has
/// is still compared, so a module that removes or changes one fails.
fn without_unknown_extension_keys(observed: &Value, stored: &Value) -> Value {
    match (observed, stored) {
        (Value::Object(observed), Value::Object(stored)) => Value::Object(
            observed
                .iter()
                .filter_map(|(key, value)| {
                    let known = stored.get(key);
                    if key != "extension_attributes" {
                        return Some((
                            key.clone(),
                            known.map_or(value.clone(), |k| without_unknown_extension_keys(value, k)),
                        ));
                    }
                    let Some(fields) = value.as_object() else {
                        return Some((key.clone(), value.clone()));
                    };
                    let known_keys = known.and_then(Value::as_object);
                    let kept: serde_json::Map<String, Value> = fields
                        .iter()
                        .filter(|(k, _)| known_keys.is_some_and(|known| known.contains_key(*k)))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    (known.is_some() || !kept.is_empty()).then(|| (key.clone(), Value::Object(kept)))
                })
                .collect(),
        ),
        (Value::Array(observed), Value::Array(stored)) => Value::Array(
            observed
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    stored
                        .get(i)
                        .map_or(value.clone(), |k| without_unknown_extension_keys(value, k))
                })
                .collect(),
        ),
        _ => observed.clone(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_store_without_the_newsletter_module_expects_no_is_subscribed() {
        use serde_json::json;
        let stored = json!({"extension_attributes": {"is_subscribed": false}, "id": "[id]"});
        assert_eq!(super::without_is_subscribed(&stored), json!({"id": "[id]"}));
        let other = json!({"extension_attributes": {"is_subscribed": false, "x": 1}});
        assert_eq!(
            super::without_is_subscribed(&other),
            json!({"extension_attributes": {"x": 1}})
        );
    }

    #[test]
    fn a_modules_extension_keys_are_left_out_and_known_ones_compared() {
        use serde_json::json;
        let stored = json!({"extension_attributes": {"is_subscribed": false}, "addresses": [{"city": "x"}]});
        let observed = json!({"extension_attributes": {"is_subscribed": true, "company_attributes": {"company_id": 0}},
                              "addresses": [{"city": "x", "extension_attributes": {"y": 1}}]});
        assert_eq!(
            super::without_unknown_extension_keys(&observed, &stored),
            json!({"extension_attributes": {"is_subscribed": true}, "addresses": [{"city": "x"}]})
        );
        let removed = json!({"addresses": []});
        assert_eq!(super::without_unknown_extension_keys(&removed, &stored), removed);
    }

    use super::*;
    use crate::suite_files::{BuiltIn, BuiltInFile};
    use serde_json::json;

    /// The snapshots of `dir` for a stock store, pending ones falling back to the temp dir.
    fn store(dir: &Path, profile: &str) -> SnapshotStore {
        SnapshotStore::new(
            &FileSet::Dir(dir.to_path_buf()),
            profile,
            StoreIdentity::stock(),
            &std::env::temp_dir(),
        )
    }

    fn fresh_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mc-snap-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A new profile has no snapshot yet: the step passes, leaving a pending snapshot in insta's
    /// format that, once renamed to `.snap`, insta itself accepts (STORES.md C8).
    #[test]
    fn a_missing_snapshot_is_written_as_pending_and_passes() {
        let dir = fresh_dir("pending");
        let observed = json!({"id": 5, "created_in": "Default Store View", "addresses": [], "firstname": "Jane"});
        let outcome = store(&dir, "staging").check("thing", &observed).unwrap();
        let pending = dir.join("thing@staging.snap.new");
        assert_eq!(
            outcome,
            SnapshotOutcome::Pending {
                profile: "staging".into(),
                file: pending.clone(),
                built_in: false,
            }
        );
        let reason = outcome.not_run_reason().unwrap();
        assert!(
            reason.contains("no stored snapshot for profile staging yet")
                && reason.contains(&pending.display().to_string())
                && reason.contains("cargo insta review"),
            "{reason}"
        );
        let text = std::fs::read_to_string(&pending).unwrap();
        assert!(
            text.starts_with("---\nsource: src/checks/snapshot.rs\ndescription: \"thing: "),
            "{text}"
        );
        assert!(text.contains("\"id\": \"[id]\""), "{text}");
        std::fs::rename(&pending, dir.join("thing@staging.snap")).unwrap();
        let accepted = store(&dir, "staging");
        assert_eq!(accepted.check("thing", &observed).unwrap(), SnapshotOutcome::Matched);
        let redacted = redact_volatile(&StoreIdentity::stock().redact(&observed));
        accepted.assert_with_insta(&dir, "thing", &redacted).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_pending_snapshot_goes_to_the_fallback_dir_when_the_snapshots_dir_cannot_be_written() {
        let fallback = fresh_dir("fallback");
        let missing = fallback.join("no-such-dir");
        let store = SnapshotStore::new(
            &FileSet::Dir(missing.clone()),
            "staging",
            StoreIdentity::stock(),
            &fallback,
        );
        let outcome = store.check("thing", &json!({"a": 1})).unwrap();
        assert_eq!(
            outcome,
            SnapshotOutcome::Pending {
                profile: "staging".into(),
                file: fallback.join("thing@staging.snap.new"),
                built_in: false,
            }
        );
        let nowhere = SnapshotStore::new(
            &FileSet::Dir(missing.clone()),
            "staging",
            StoreIdentity::stock(),
            &missing,
        );
        let err = nowhere.check("thing", &json!({"a": 1})).unwrap_err().to_string();
        assert!(err.contains("could not be written"), "{err}");
        std::fs::remove_dir_all(&fallback).unwrap();
    }

    /// With `INSTA_PENDING_DIR` (the nightly workflow), the pending snapshot goes there.
    #[test]
    fn a_pending_snapshot_follows_insta_pending_dir() {
        let dir = fresh_dir("insta-pending");
        let pending = dir.join("pending");
        let store = store(&dir, "staging").with_insta_pending_dir(Some(pending.clone()));
        let outcome = store.check("thing", &json!({"a": 1})).unwrap();
        let file = pending.join("thing@staging.snap.new");
        assert_eq!(
            outcome,
            SnapshotOutcome::Pending {
                profile: "staging".into(),
                file: file.clone(),
                built_in: false,
            }
        );
        assert!(file.is_file() && !dir.join("thing@staging.snap.new").exists());
        let in_crate = SnapshotStore::new(
            &FileSet::Dir(crate::config::project_dir().join("snapshots")),
            "staging",
            StoreIdentity::stock(),
            &dir,
        )
        .with_insta_pending_dir(Some(pending.clone()));
        assert_eq!(in_crate.pending_dirs()[0].0, pending.join("snapshots"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The configured name and ids match the placeholders; a store that answers another name
    /// still fails (STORES.md C5).
    #[test]
    fn the_configured_store_identity_matches_and_a_wrong_name_fails() {
        let (dir, _) = stored_thing(
            "identity",
            r#"{"created_in": "[store name]", "store_id": "[store id]", "website_id": "[website id]"}"#,
        );
        let renamed = StoreIdentity {
            name: "Boutique FR".into(),
            store_id: 3,
            website_id: 2,
            ..StoreIdentity::stock()
        };
        let store = SnapshotStore::new(&FileSet::Dir(dir.clone()), "test", renamed, &dir);
        let right = json!({"created_in": "Boutique FR", "store_id": 3, "website_id": 2});
        assert_eq!(store.check("thing", &right).unwrap(), SnapshotOutcome::Matched);
        let wrong = json!({"created_in": "Default Store View", "store_id": 3, "website_id": 2});
        let failure = store.check("thing", &wrong).unwrap_err().to_string();
        assert!(failure.contains("created_in: value change"), "{failure}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh directory holding the snapshot `thing@test.snap` with this JSON body; returns the
    /// directory and the file.
    fn stored_thing(label: &str, body: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("mc-snap-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("thing@test.snap");
        std::fs::write(&file, format!("---\nsource: x\n---\n{body}\n")).unwrap();
        (dir, file)
    }

    /// A snapshots directory given relative to the working directory is read there by insta
    /// too: insta judges a body that differs from the cached copy against that file.
    #[test]
    fn a_relative_snapshots_dir_is_compared_where_the_program_runs() {
        let (dir, file) = stored_thing("relative", r#"{"a": 1}"#);
        let cwd = std::env::current_dir().unwrap();
        let up: PathBuf = cwd.components().skip(1).map(|_| "..").collect();
        let relative = up.join(dir.strip_prefix("/").unwrap());
        assert!(relative.is_relative() && relative.join("thing@test.snap").is_file());
        let store = store(&relative, "test");
        assert!(store.check("thing", &json!({"a": 1})).is_ok());
        std::fs::write(&file, "---\nsource: x\n---\n{\n  \"a\": 2\n}\n").unwrap();
        let judged = store.check("thing", &json!({"a": 2}));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(judged.is_ok(), "{judged:?}");
    }

    #[test]
    fn a_mismatch_names_the_changed_paths() {
        let (dir, _) = stored_thing(
            "mismatch",
            r#"{"created_in": "Default Store View", "extension_attributes": {"is_subscribed": false}}"#,
        );
        let observed = json!({"created_in": "Default Store View"});
        let failure = store(&dir, "test").check("thing", &observed).unwrap_err().to_string();
        assert!(
            failure.contains("extension_attributes.is_subscribed: missing key"),
            "{failure}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The fast path must never pass what insta would fail: every committed snapshot body,
    /// read back, is accepted by insta itself.
    #[test]
    fn a_body_equal_to_the_stored_snapshot_passes_insta_too() {
        let dir = crate::config::project_dir().join("snapshots");
        let store = store(&dir, "reference");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(name) = file.strip_suffix("@reference.snap") else {
                continue;
            };
            let stored = stored_snapshot(&path).unwrap_or_else(|| panic!("{file} has a JSON body"));
            store.assert_with_insta(&dir, name, &stored).unwrap();
            assert!(store.check_redacted(name, &stored).is_ok());
            checked += 1;
        }
        assert!(checked >= 2, "found {checked} reference snapshots");
    }

    #[test]
    fn a_stored_snapshot_is_read_once_per_run() {
        let (dir, file) = stored_thing("once", r#"{"a": [1, "[id]"]}"#);
        let store = store(&dir, "test");
        assert!(store.check("thing", &json!({"a": [1, "[id]"]})).is_ok());
        std::fs::remove_file(&file).unwrap();
        assert!(store.check("thing", &json!({"a": [1, "[id]"]})).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A snapshot accepted while the run goes on (INSTA_UPDATE=always) is not hidden by the copy
    /// read earlier: a body that differs from that copy is judged by insta against the file.
    #[test]
    fn a_difference_from_the_cached_copy_is_judged_against_the_file() {
        let (dir, file) = stored_thing("cache", r#"{"a": 1}"#);
        let store = store(&dir, "test");
        assert!(store.check("thing", &json!({"a": 1})).is_ok());
        assert!(store.check("thing", &json!({"a": 2})).is_err());
        std::fs::write(&file, "---\nsource: x\n---\n{\n  \"a\": 2\n}\n").unwrap();
        assert!(store.check("thing", &json!({"a": 2})).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    const BUILT_IN: &[BuiltInFile] = &[BuiltInFile {
        path: "thing@reference.snap",
        text: "---\nsource: x\n---\n{\n  \"a\": 1,\n  \"id\": \"[id]\"\n}\n",
    }];

    fn built_in(report_dir: &Path, profile: &str) -> SnapshotStore {
        let set = FileSet::BuiltIn(BuiltIn {
            name: "snapshots",
            files: BUILT_IN,
        });
        SnapshotStore::new(&set, profile, StoreIdentity::stock(), report_dir)
    }

    /// Built-in snapshots are compared like stored files: an equal body passes, a changed one
    /// fails naming the change, and nothing is written either way.
    #[test]
    fn a_built_in_snapshot_matches_or_names_the_change() {
        let reports = fresh_dir("built-in-compare");
        let store = built_in(&reports, "reference");
        assert_eq!(
            store.check("thing", &json!({"a": 1, "id": 7})).unwrap(),
            SnapshotOutcome::Matched
        );
        let failure = store.check("thing", &json!({"a": 2, "id": 7})).unwrap_err().to_string();
        assert!(
            failure.contains("thing@reference") && failure.contains("a: value change"),
            "{failure}"
        );
        assert_eq!(std::fs::read_dir(&reports).unwrap().count(), 0, "nothing written");
        std::fs::remove_dir_all(&reports).unwrap();
    }

    /// A new profile with the built-in set cannot write beside the snapshots: the pending one
    /// goes to `pending-snapshots/` in the report dir, or under `INSTA_PENDING_DIR/snapshots/`.
    #[test]
    fn a_pending_built_in_snapshot_goes_under_the_report_dir_or_insta_pending_dir() {
        let reports = fresh_dir("built-in-pending");
        let outcome = built_in(&reports, "staging").check("thing", &json!({"a": 1})).unwrap();
        let file = reports.join(BUILT_IN_PENDING_DIR).join("thing@staging.snap.new");
        assert_eq!(
            outcome,
            SnapshotOutcome::Pending {
                profile: "staging".into(),
                file: file.clone(),
                built_in: true,
            }
        );
        assert!(file.is_file());
        let reason = outcome.not_run_reason().unwrap();
        assert!(reason.contains(&file.display().to_string()), "{reason}");
        assert!(reason.contains("MAGENTO_SNAPSHOTS_DIR"), "{reason}");

        let pending = reports.join("insta-pending");
        let store = built_in(&reports, "staging").with_insta_pending_dir(Some(pending.clone()));
        let SnapshotOutcome::Pending { file, .. } = store.check("thing", &json!({"a": 1})).unwrap() else {
            panic!("a pending snapshot");
        };
        assert_eq!(file, pending.join("snapshots/thing@staging.snap.new"));
        assert!(file.is_file());
        std::fs::remove_dir_all(&reports).unwrap();
    }
}
