//! The suite's default files, built into the binary so that it runs from any directory:
//! every file under `features/`, `schemas/` and `snapshots/`, and `drift/accepted.toml`.
//! `MAGENTO_*_DIR` and `MAGENTO_DRIFT_BASELINE` point at a team's own copies instead, which
//! [`init`] writes to start from.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use include_dir::{Dir, include_dir};
use magento_harness::SuiteFiles;
use magento_harness::suite_files::{BuiltIn, BuiltInFile, Document, FileSet};

static FEATURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/features");
static SCHEMAS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schemas");
static SNAPSHOTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/snapshots");
static DRIFT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/drift");

/// The drift baseline's path inside `drift/`.
const BASELINE: &str = "accepted.toml";

/// Each built-in directory by its name in the repository, its files flattened and sorted.
static SETS: LazyLock<[BuiltIn; 4]> = LazyLock::new(|| {
    [
        flatten("features", &FEATURES),
        flatten("schemas", &SCHEMAS),
        flatten("snapshots", &SNAPSHOTS),
        flatten("drift", &DRIFT),
    ]
});

/// The built-in set as the harness reads it.
pub fn suite_files() -> SuiteFiles {
    let [features, schemas, snapshots, drift] = *SETS;
    let baseline = drift
        .files
        .iter()
        .find(|file| file.path == BASELINE)
        .expect("drift/accepted.toml is built in");
    SuiteFiles {
        features: FileSet::BuiltIn(features),
        schemas: FileSet::BuiltIn(schemas),
        snapshots: FileSet::BuiltIn(snapshots),
        drift_baseline: Document::BuiltIn(BuiltInFile {
            path: "drift/accepted.toml",
            text: baseline.text,
        }),
    }
}

/// Every built-in file by its path in the repository (`features/customer/….feature`).
pub fn files() -> impl Iterator<Item = (PathBuf, &'static str)> {
    SETS.iter().flat_map(|set| {
        set.files
            .iter()
            .map(|file| (Path::new(set.name).join(file.path), file.text))
    })
}

/// Every file of `dir`, recursively, by its path inside it; pending snapshots a developer has
/// not reviewed yet (ignored by git) are left out.
fn flatten(name: &'static str, dir: &'static Dir<'static>) -> BuiltIn {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<BuiltInFile>) {
        for file in dir.files() {
            let Some(path) = file.path().to_str() else { continue };
            if path.ends_with(".snap.new") || path.ends_with(".pending-snap") {
                continue;
            }
            let text = file
                .contents_utf8()
                .unwrap_or_else(|| panic!("{path} is built in but is not UTF-8 text"));
            out.push(BuiltInFile { path, text });
        }
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort_by_key(|file| file.path);
    BuiltIn {
        name,
        files: Vec::leak(files),
    }
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} already exists ({count} of the {total} built-in files are there): pass --force to overwrite them", first.display())]
    Exists { first: PathBuf, count: usize, total: usize },
    #[error("cannot write {} ({source}): choose a directory you can write to", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Writes the built-in set under `dir` as `features/`, `schemas/`, `snapshots/` and
/// `drift/accepted.toml`, and returns how many files it wrote. Without `force`, it first checks
/// every target and writes nothing if any file is already there.
pub fn init(dir: &Path, force: bool) -> Result<usize, InitError> {
    let files: Vec<(PathBuf, &str)> = files().map(|(path, text)| (dir.join(path), text)).collect();
    if !force {
        let existing: Vec<&PathBuf> = files
            .iter()
            .map(|(path, _)| path)
            .filter(|path| path.symlink_metadata().is_ok())
            .collect();
        if let Some(first) = existing.first() {
            return Err(InitError::Exists {
                first: (*first).clone(),
                count: existing.len(),
                total: files.len(),
            });
        }
    }
    for (path, text) in &files {
        let write = |path: &Path| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)
        };
        write(path).map_err(|source| InitError::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(files.len())
}

/// The variables that point a run at the set [`init`] wrote under `dir`.
pub fn variables_for(dir: &Path) -> [(&'static str, PathBuf); 4] {
    [
        ("MAGENTO_FEATURES_DIR", dir.join("features")),
        ("MAGENTO_SCHEMAS_DIR", dir.join("schemas")),
        ("MAGENTO_SNAPSHOTS_DIR", dir.join("snapshots")),
        ("MAGENTO_DRIFT_BASELINE", dir.join("drift").join(BASELINE)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the repository's four directories is built in, with its text, and nothing
    /// else: a file added under them (such as a new feature area) is picked up without a list.
    #[test]
    fn the_built_in_set_is_every_file_of_the_repository_directories() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk = Vec::new();
        for dir in ["features", "schemas", "snapshots", "drift"] {
            collect(root, &root.join(dir), &mut on_disk);
        }
        on_disk.sort();
        let mut built_in: Vec<(PathBuf, String)> = files().map(|(path, text)| (path, text.to_owned())).collect();
        built_in.sort();
        assert_eq!(built_in, on_disk);
        assert!(built_in.len() > 15, "{} files", built_in.len());
        assert!(
            built_in
                .iter()
                .any(|(path, _)| path.starts_with("features/customer")
                    && path.extension().is_some_and(|e| e == "feature"))
        );
    }

    fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy();
            if path.is_dir() {
                collect(root, &path, out);
            } else if !name.ends_with(".snap.new") && !name.ends_with(".pending-snap") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
            }
        }
    }

    #[test]
    fn the_suite_files_are_all_built_in() {
        let files = suite_files();
        assert!(matches!(files.features, FileSet::BuiltIn(set) if set.name == "features"));
        assert!(matches!(files.schemas, FileSet::BuiltIn(set) if set.name == "schemas"));
        assert!(matches!(files.snapshots, FileSet::BuiltIn(set) if set.name == "snapshots"));
        assert_eq!(files.drift_baseline.label(), "built-in drift/accepted.toml");
        let baseline =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("drift/accepted.toml")).unwrap();
        assert_eq!(files.drift_baseline.read().unwrap(), baseline);
    }
}
