//! Where the suite's own files come from: the feature files, the JSON Schemas, the stored
//! snapshots and the accepted-drift baseline. Each is a directory (or file) on disk, named by a
//! `MAGENTO_*` variable, or the set built into the program that runs the harness. The harness
//! reads both the same way; it never embeds anything itself.

use std::io;
use std::path::{Path, PathBuf};

/// One file of a built-in set: its path inside the set (`customer/create_customer.feature`)
/// and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltInFile {
    pub path: &'static str,
    pub text: &'static str,
}

/// A set of files built into the program: `name` is the directory it was built from
/// (`features`), for messages; the files are sorted by path.
#[derive(Debug, Clone, Copy)]
pub struct BuiltIn {
    pub name: &'static str,
    pub files: &'static [BuiltInFile],
}

/// A directory of files, on disk or built in.
#[derive(Debug, Clone)]
pub enum FileSet {
    Dir(PathBuf),
    BuiltIn(BuiltIn),
}

/// One file, on disk or built in (the accepted-drift baseline).
#[derive(Debug, Clone)]
pub enum Document {
    File(PathBuf),
    BuiltIn(BuiltInFile),
}

/// A file read from a [`FileSet`]: its path inside the set, where it comes from (for
/// messages) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct SetFile {
    pub relative: PathBuf,
    pub origin: String,
    pub text: String,
}

impl FileSet {
    /// Where the set comes from, for messages: the directory, or `built-in features/`.
    pub fn label(&self) -> String {
        match self {
            FileSet::Dir(dir) => dir.display().to_string(),
            FileSet::BuiltIn(set) => format!("built-in {}/", set.name),
        }
    }

    /// Every file directly in the set (not in a subdirectory) whose name ends with `suffix`,
    /// sorted by name.
    pub fn top_level(&self, suffix: &str) -> io::Result<Vec<SetFile>> {
        match self {
            FileSet::Dir(dir) => {
                let mut files = Vec::new();
                for entry in std::fs::read_dir(dir)? {
                    let path = entry?.path();
                    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                        continue;
                    };
                    if name.ends_with(suffix) && path.is_file() {
                        files.push(SetFile {
                            relative: PathBuf::from(name),
                            origin: path.display().to_string(),
                            text: std::fs::read_to_string(&path)?,
                        });
                    }
                }
                files.sort_by(|a, b| a.relative.cmp(&b.relative));
                Ok(files)
            }
            FileSet::BuiltIn(set) => Ok(set
                .files
                .iter()
                .filter(|file| !file.path.contains('/') && file.path.ends_with(suffix))
                .map(|file| set.file(file))
                .collect()),
        }
    }

    /// The file at `relative` inside the set; `Ok(None)` when the set has no such file.
    pub fn read(&self, relative: &str) -> io::Result<Option<String>> {
        match self {
            FileSet::Dir(dir) => match std::fs::read_to_string(dir.join(relative)) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
            FileSet::BuiltIn(set) => Ok(set.get(relative).map(|file| file.text.to_owned())),
        }
    }

    /// Whether the set has a file at `relative`.
    pub fn contains(&self, relative: &str) -> bool {
        match self {
            FileSet::Dir(dir) => dir.join(relative).exists(),
            FileSet::BuiltIn(set) => set.get(relative).is_some(),
        }
    }

    /// Where the file at `relative` is or would be, for messages.
    pub fn origin(&self, relative: &str) -> String {
        match self {
            FileSet::Dir(dir) => dir.join(relative).display().to_string(),
            FileSet::BuiltIn(set) => format!("built-in {}/{relative}", set.name),
        }
    }
}

impl BuiltIn {
    fn get(&self, relative: &str) -> Option<&'static BuiltInFile> {
        self.files.iter().find(|file| file.path == relative)
    }

    /// Every file of the set, sorted by path.
    pub fn all(&self) -> Vec<SetFile> {
        self.files.iter().map(|file| self.file(file)).collect()
    }

    fn file(&self, file: &BuiltInFile) -> SetFile {
        SetFile {
            relative: PathBuf::from(file.path),
            origin: format!("built-in {}/{}", self.name, file.path),
            text: file.text.to_owned(),
        }
    }
}

impl Document {
    /// Where it comes from, for messages: the file, or `built-in drift/accepted.toml`.
    pub fn label(&self) -> String {
        match self {
            Document::File(path) => path.display().to_string(),
            Document::BuiltIn(file) => format!("built-in {}", file.path),
        }
    }

    pub fn read(&self) -> io::Result<String> {
        match self {
            Document::File(path) => std::fs::read_to_string(path),
            Document::BuiltIn(file) => Ok(file.text.to_owned()),
        }
    }
}

/// The four parts of the suite a run reads, each from disk or built in.
#[derive(Debug, Clone)]
pub struct SuiteFiles {
    pub features: FileSet,
    pub schemas: FileSet,
    pub snapshots: FileSet,
    pub drift_baseline: Document,
}

impl SuiteFiles {
    /// The layout `magento-contract init` writes and the repository has: `features/`,
    /// `schemas/`, `snapshots/` and `drift/accepted.toml` under `root`.
    pub fn in_dir(root: &Path) -> Self {
        Self {
            features: FileSet::Dir(root.join("features")),
            schemas: FileSet::Dir(root.join("schemas")),
            snapshots: FileSet::Dir(root.join("snapshots")),
            drift_baseline: Document::File(root.join("drift/accepted.toml")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[BuiltInFile] = &[
        BuiltInFile {
            path: "a.schema.json",
            text: "{}",
        },
        BuiltInFile {
            path: "nested/b.schema.json",
            text: "{}",
        },
        BuiltInFile {
            path: "notes.md",
            text: "notes",
        },
    ];

    fn built_in() -> FileSet {
        FileSet::BuiltIn(BuiltIn {
            name: "schemas",
            files: FILES,
        })
    }

    /// A directory holding the same files as [`FILES`].
    fn on_disk(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mc-suite-files-{label}-{}", std::process::id()));
        for file in FILES {
            let path = dir.join(file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file.text).unwrap();
        }
        dir
    }

    #[test]
    fn both_kinds_list_the_same_top_level_files() {
        let dir = on_disk("list");
        let names = |set: &FileSet| -> Vec<PathBuf> {
            set.top_level(".schema.json")
                .unwrap()
                .into_iter()
                .map(|f| f.relative)
                .collect()
        };
        let from_disk = names(&FileSet::Dir(dir.clone()));
        let from_binary = names(&built_in());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(from_disk, vec![PathBuf::from("a.schema.json")]);
        assert_eq!(from_binary, from_disk);
    }

    #[test]
    fn both_kinds_read_a_file_or_say_it_is_missing() {
        let dir = on_disk("read");
        let disk = FileSet::Dir(dir.clone());
        for set in [&disk, &built_in()] {
            assert_eq!(set.read("notes.md").unwrap().as_deref(), Some("notes"));
            assert_eq!(set.read("nested/b.schema.json").unwrap().as_deref(), Some("{}"));
            assert_eq!(set.read("missing.md").unwrap(), None);
            assert!(set.contains("notes.md") && !set.contains("missing.md"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(built_in().origin("notes.md"), "built-in schemas/notes.md");
        assert_eq!(built_in().label(), "built-in schemas/");
    }

    #[test]
    fn an_unreadable_directory_is_an_error_not_an_empty_set() {
        let missing = FileSet::Dir(PathBuf::from("/nonexistent/schemas"));
        assert!(missing.top_level(".schema.json").is_err());
    }
}
