//! Reading the feature files: every `*.feature` under a directory, or of the built-in set, in
//! path order, as cucumber's basic parser reads them, with Scenario Outlines expanded in linear
//! time. Built-in features are parsed from their text; nothing is written to disk for them.
//!
//! cucumber expands an outline by copying the whole scenario, its Examples table included, for
//! every row, so a 1000-row outline cost a fifth of the run's CPU (`cargo bench`). Here the
//! table is first cut into one Examples block per row, each placed so that cucumber's own
//! expansion gives every row the line, name and tags it gives it from the whole table.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cucumber::feature::Ext as _;
use cucumber::{cli, gherkin, parser};
use futures::stream;

use crate::checks::graphql::parse_document;
use crate::suite_files::{BuiltIn, FileSet};

/// The parser the suite runs with (`Cucumber::with_parser`).
#[derive(Clone, Copy, Debug, Default)]
pub struct FeatureFiles;

impl cucumber::Parser<FileSet> for FeatureFiles {
    type Cli = cli::Empty;
    type Output = stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, input: FileSet, _: Self::Cli) -> Self::Output {
        stream::iter(match input {
            FileSet::Dir(dir) => read_features(&dir),
            FileSet::BuiltIn(set) => built_in_features(set),
        })
    }
}

/// Every `*.feature` of the built-in set, each given the path it has in the repository
/// (`features/customer/create_customer.feature`) for reports and messages.
fn built_in_features(set: BuiltIn) -> Vec<parser::Result<gherkin::Feature>> {
    set.all()
        .into_iter()
        .filter(|file| is_feature(&file.relative))
        .map(|file| {
            let path = Path::new(set.name).join(&file.relative);
            let mut feature =
                gherkin::Feature::parse(&file.text, gherkin::GherkinEnv::default()).map_err(|source| {
                    parser::Error::Parsing(Arc::new(gherkin::ParseFileError::Parsing {
                        path: path.clone(),
                        error: None,
                        source,
                    }))
                })?;
            feature.path = Some(path);
            expand(feature)
        })
        .collect()
}

fn is_feature(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("feature"))
}

fn expand(feature: gherkin::Feature) -> parser::Result<gherkin::Feature> {
    one_row_per_examples(feature)
        .expand_examples()
        .map_err(|e| parser::Error::ExampleExpansion(Arc::new(e)))
}

fn read_features(dir: &Path) -> Vec<parser::Result<gherkin::Feature>> {
    let reading = |source: std::io::Error| {
        parser::Error::Parsing(Arc::new(gherkin::ParseFileError::Reading {
            path: dir.to_path_buf(),
            source,
        }))
    };
    let files = match dir.canonicalize().and_then(|dir| feature_paths(&dir)) {
        Ok(files) => files,
        Err(e) => return vec![Err(reading(e))],
    };
    files
        .into_iter()
        .map(|path| {
            let feature = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
                .map_err(|e| parser::Error::Parsing(Arc::new(e)))?;
            expand(feature)
        })
        .collect()
}

/// Whether a step hands the scenario a GraphQL document in its docstring (`Given the GraphQL
/// document:`, `Given the GraphQL document from <page>:`); such documents are parsed at load.
fn carries_a_document(step: &gherkin::Step) -> bool {
    step.value.starts_with("the GraphQL document") && step.value.ends_with(':')
}

/// Parses every GraphQL document in the feature files of `set` before anything is sent, so a
/// typo is one line naming the file and the line, not a confusing answer from the store.
/// Returns how many documents it checked.
pub fn check_graphql_documents(set: &FileSet) -> Result<usize, String> {
    let mut checked = 0;
    for (path, feature) in parsed_features(set)? {
        let scenarios = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
        let backgrounds = feature
            .background
            .iter()
            .chain(feature.rules.iter().filter_map(|r| r.background.as_ref()));
        let steps = scenarios
            .flat_map(|s| &s.steps)
            .chain(backgrounds.flat_map(|b| &b.steps))
            .filter(|step| carries_a_document(step));
        for step in steps {
            let Some(raw) = step.docstring.as_deref() else {
                return Err(format!(
                    "{}:{}: {:?} needs a docstring holding the GraphQL document",
                    path.display(),
                    step.position.line,
                    step.value
                ));
            };
            checked += 1;
            // The docstring's text begins on the line after its opening `"""`.
            parse_document(&crate::steps::docstring_content(raw)).map_err(|e| {
                format!(
                    "{}:{}: the GraphQL document does not parse ({}): {}",
                    path.display(),
                    step.position.line + 1 + e.line,
                    e.message,
                    "fix the document, or use `the raw GraphQL query text:` for a deliberately broken one"
                )
            })?;
        }
    }
    Ok(checked)
}

/// Every feature file of `set` that parses, with its path (a built-in one's path in the
/// repository); a file that does not parse as Gherkin is left to cucumber, which reports it.
fn parsed_features(set: &FileSet) -> Result<Vec<(PathBuf, gherkin::Feature)>, String> {
    match set {
        FileSet::Dir(dir) => {
            let files = dir.canonicalize().and_then(|d| feature_paths(&d)).map_err(|e| {
                format!(
                    "cannot read the feature files at {} ({e}): set MAGENTO_FEATURES_DIR",
                    dir.display()
                )
            })?;
            Ok(files
                .into_iter()
                .filter_map(|path| {
                    let feature = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default()).ok()?;
                    Some((path, feature))
                })
                .collect())
        }
        FileSet::BuiltIn(built_in) => Ok(built_in
            .all()
            .into_iter()
            .filter(|file| is_feature(&file.relative))
            .filter_map(|file| {
                let feature = gherkin::Feature::parse(&file.text, gherkin::GherkinEnv::default()).ok()?;
                Some((Path::new(built_in.name).join(&file.relative), feature))
            })
            .collect()),
    }
}

/// Every file under `dir` whose extension is `feature` (any case), sorted by path.
fn feature_paths(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)? {
            let entry = entry?;
            let path = entry.path();
            // Directory links are not followed, as cucumber's walker does not follow them:
            // a link loop cannot hang the run.
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if is_feature(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn one_row_per_examples(mut feature: gherkin::Feature) -> gherkin::Feature {
    feature.scenarios = split_outlines(std::mem::take(&mut feature.scenarios));
    for rule in &mut feature.rules {
        rule.scenarios = split_outlines(std::mem::take(&mut rule.scenarios));
    }
    feature
}

/// Replaces each outline by one copy per Examples row, holding an Examples block of the header
/// and that row alone. cucumber numbers an expanded row `line + index + 2` within its block,
/// so each one-row block moves down by the row's index.
fn split_outlines(scenarios: Vec<gherkin::Scenario>) -> Vec<gherkin::Scenario> {
    let mut out = Vec::with_capacity(scenarios.len());
    for mut scenario in scenarios {
        if scenario.examples.is_empty() {
            out.push(scenario);
            continue;
        }
        let examples = std::mem::take(&mut scenario.examples);
        for mut block in examples {
            let Some(table) = block.table.take() else { continue };
            let Some((header, rows)) = table.rows.split_first() else {
                continue;
            };
            for (index, row) in rows.iter().enumerate() {
                let mut one_row = block.clone();
                one_row.position.line += index;
                one_row.table = Some(gherkin::Table {
                    rows: vec![header.clone(), row.clone()],
                    span: table.span,
                    position: table.position,
                });
                let mut copy = scenario.clone();
                copy.examples = vec![one_row];
                out.push(copy);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite_files::BuiltInFile;

    const FEATURE: &str = "Feature: Outlines

  Scenario: Plain
    When a step

  Scenario Outline: Row <n> of <m>
    When step <n> of <m>

    @first
    Examples: first
      | n | m |
      | 1 | a |
      | 2 | b |

    Examples: second
      | n | m |
      | 3 | c |

  Rule: R
    Scenario Outline: Ruled <n>
      When step <n>

      Examples:
        | n |
        | 4 |
        | 5 |
";

    fn summary(feature: &gherkin::Feature) -> Vec<(String, usize, Vec<String>, Vec<String>)> {
        feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
            .map(|s| {
                (
                    s.name.clone(),
                    s.position.line,
                    s.tags.clone(),
                    s.steps.iter().map(|st| st.value.clone()).collect(),
                )
            })
            .collect()
    }

    /// cucumber's expansion of the whole tables and ours of the one-row blocks give the same
    /// scenarios: names, lines, tags and steps.
    #[test]
    fn one_row_blocks_expand_as_the_whole_table_does() {
        let dir = std::env::temp_dir().join(format!("mc-outlines-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        std::fs::write(dir.join("nested/outlines.FEATURE"), FEATURE).unwrap();
        std::fs::write(dir.join("notes.txt"), "not a feature").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&dir, dir.join("nested/loop")).unwrap();

        let ours = read_features(&dir);
        assert_eq!(ours.len(), 1, "one feature file found, in a subdirectory");
        let ours = ours.into_iter().next().unwrap().unwrap();
        let path = dir.join("nested/outlines.FEATURE");
        let theirs = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
            .unwrap()
            .expand_examples()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let (ours, theirs) = (summary(&ours), summary(&theirs));
        assert_eq!(ours.len(), 6, "{ours:?}");
        assert_eq!(ours, theirs);
        assert_eq!(ours[2].0, "Row 2 of b");
        assert_eq!(ours[2].2, vec!["first".to_owned()]);
    }

    /// A typo in a document is one line naming the feature file and the line it is on.
    #[test]
    fn graphql_documents_are_parsed_at_load_and_a_typo_names_its_line() {
        let dir = std::env::temp_dir().join(format!("mc-graphql-docs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = "Feature: F\n\n  Scenario: S\n    Given the GraphQL document:\n      \"\"\"graphql\n      query {\n        customer { email }\n      }\n      \"\"\"\n    And the raw GraphQL query text:\n      \"\"\"\n      {{{\n      \"\"\"\n";
        std::fs::write(dir.join("a.feature"), good).unwrap();
        assert_eq!(check_graphql_documents(&FileSet::Dir(dir.clone())), Ok(1));
        let typo = "Feature: F\n\n  Background:\n    Given the GraphQL document from a page:\n      \"\"\"\n      query {\n        customer { email\n      }\n      \"\"\"\n";
        std::fs::write(dir.join("b.feature"), typo).unwrap();
        let error = check_graphql_documents(&FileSet::Dir(dir.clone())).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            error.contains("b.feature:8: the GraphQL document does not parse"),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
    }

    #[test]
    fn a_missing_directory_is_one_reading_error() {
        let features = read_features(Path::new("/nonexistent/features"));
        assert!(matches!(features.as_slice(), [Err(parser::Error::Parsing(_))]));
    }

    /// The same feature read from the built-in set and from disk gives the same scenarios; the
    /// built-in one carries its repository path, a broken one is a parsing error naming it.
    #[test]
    fn built_in_features_read_as_the_same_files_on_disk() {
        const FILES: &[BuiltInFile] = &[
            BuiltInFile {
                path: "nested/outlines.feature",
                text: FEATURE,
            },
            BuiltInFile {
                path: "notes.txt",
                text: "not a feature",
            },
        ];
        let built_in = built_in_features(BuiltIn {
            name: "features",
            files: FILES,
        });
        assert_eq!(built_in.len(), 1, "only the .feature file");
        let built_in = built_in.into_iter().next().unwrap().unwrap();
        assert_eq!(
            built_in.path.as_deref(),
            Some(Path::new("features/nested/outlines.feature"))
        );

        let dir = std::env::temp_dir().join(format!("mc-built-in-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("outlines.feature"), FEATURE).unwrap();
        let on_disk = read_features(&dir).into_iter().next().unwrap().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(summary(&built_in), summary(&on_disk));

        const BROKEN: &[BuiltInFile] = &[BuiltInFile {
            path: "broken.feature",
            text: "Scenario without a feature\n",
        }];
        let broken = built_in_features(BuiltIn {
            name: "features",
            files: BROKEN,
        });
        let Err(parser::Error::Parsing(error)) = &broken[0] else {
            panic!("a parsing error: {broken:?}");
        };
        assert!(error.to_string().contains("features/broken.feature"), "{error}");
    }
}
