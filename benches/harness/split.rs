//! Splits feature files into one file per scenario (one per Examples row for an outline), so
//! that each can be run alone and its requests counted in the exchange log.
//!
//! Line based, for the Gherkin this project writes: a feature header (tags, `Feature:`,
//! description, `Background:`), then scenarios, each preceded by its tag lines; outlines end in
//! one or more `Examples:` tables. `Rule:` is not supported (the suite has none) and is refused.

/// One scenario, or one row of an outline, as a feature file of its own.
#[derive(Debug, Clone)]
pub struct Piece {
    /// `file.feature: scenario name` (with `[examples 1, row 2]` for an outline row).
    pub label: String,
    pub text: String,
    /// Whether the feature or the scenario is tagged `@serial`.
    pub serial: bool,
}

fn is_scenario(line: &str) -> bool {
    let t = line.trim_start();
    ["Scenario:", "Scenario Outline:", "Scenario Template:", "Example:"]
        .iter()
        .any(|k| t.starts_with(k))
}

fn is_examples(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("Examples:") || t.starts_with("Scenarios:")
}

fn is_tags(line: &str) -> bool {
    line.trim_start().starts_with('@')
}

fn has_serial_tag(lines: &[&str]) -> bool {
    lines
        .iter()
        .filter(|l| is_tags(l))
        .flat_map(|l| l.split_whitespace())
        .any(|tag| tag == "@serial")
}

/// The first line of a block that starts at `keyword_line`, tag lines above it included.
fn with_tags(lines: &[&str], keyword_line: usize) -> usize {
    let mut start = keyword_line;
    while start > 0 && is_tags(lines[start - 1]) {
        start -= 1;
    }
    start
}

/// Every scenario of `text` (a feature file named `file`) as a feature file of its own.
pub fn split(file: &str, text: &str) -> Result<Vec<Piece>, String> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.iter().any(|l| l.trim_start().starts_with("Rule:")) {
        return Err(format!(
            "{file}: Rule: blocks are not supported by the bench's splitter"
        ));
    }
    let keyword_lines: Vec<usize> = (0..lines.len()).filter(|&i| is_scenario(lines[i])).collect();
    let Some(&first) = keyword_lines.first() else {
        return Ok(Vec::new());
    };
    let header = &lines[..with_tags(&lines, first)];
    let header_serial = has_serial_tag(header);

    let mut pieces = Vec::new();
    for (k, &keyword) in keyword_lines.iter().enumerate() {
        let start = with_tags(&lines, keyword);
        let end = keyword_lines
            .get(k + 1)
            .map_or(lines.len(), |&next| with_tags(&lines, next));
        let block = &lines[start..end];
        let name = lines[keyword].split_once(':').map_or("", |(_, n)| n).trim();
        let serial = header_serial || has_serial_tag(&lines[start..keyword]);
        let join = |parts: &[&[&str]]| {
            let mut text = parts
                .iter()
                .flat_map(|p| p.iter())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            text.push('\n');
            text
        };

        let sections: Vec<usize> = (0..block.len()).filter(|&i| is_examples(block[i])).collect();
        if sections.is_empty() {
            pieces.push(Piece {
                label: format!("{file}: {name}"),
                text: join(&[header, block]),
                serial,
            });
            continue;
        }
        let prefix = &block[..with_tags(block, sections[0])];
        for (s, &examples) in sections.iter().enumerate() {
            let section_start = with_tags(block, examples);
            let section_end = sections.get(s + 1).map_or(block.len(), |&next| with_tags(block, next));
            let table: Vec<&str> = block[examples + 1..section_end]
                .iter()
                .copied()
                .filter(|l| l.trim_start().starts_with('|'))
                .collect();
            let Some((head, rows)) = table.split_first() else {
                return Err(format!("{file}: {name}: an Examples section without a table"));
            };
            for (r, row) in rows.iter().enumerate() {
                pieces.push(Piece {
                    label: format!("{file}: {name} [examples {}, row {}]", s + 1, r + 1),
                    text: join(&[header, prefix, &block[section_start..=examples], &[head, row]]),
                    serial,
                });
            }
        }
    }
    Ok(pieces)
}

/// The splitter's own check, run by `--smoke` (a `harness = false` bench has no `#[test]`s).
pub fn self_check() -> Result<(), String> {
    const FEATURE: &str = "@f
Feature: F

  Background:
    Given a step

  @a
  Scenario: One
    When one

  @b @serial
  Scenario Outline: Two <x>
    When <x>

    Examples:
      | x |
      | 1 |
      | 2 |

    @more
    Examples:
      | x |
      | 3 |
";
    let pieces = split("f.feature", FEATURE)?;
    let labels: Vec<&str> = pieces.iter().map(|p| p.label.as_str()).collect();
    let expected = [
        "f.feature: One",
        "f.feature: Two <x> [examples 1, row 1]",
        "f.feature: Two <x> [examples 1, row 2]",
        "f.feature: Two <x> [examples 2, row 1]",
    ];
    let checks = [
        (labels == expected, "one piece per scenario and outline row"),
        (!pieces[0].serial && pieces[1].serial, "@serial detected per scenario"),
        (
            pieces[0].text.contains("Background:") && pieces[0].text.contains("@a\n  Scenario: One"),
            "header and tags kept",
        ),
        (!pieces[0].text.contains("Two"), "other scenarios left out"),
        (
            pieces[2].text.contains("| 2 |") && !pieces[2].text.contains("| 1 |"),
            "one Examples row per piece",
        ),
        (
            pieces[3].text.contains("@more") && pieces[3].text.contains("| 3 |") && !pieces[3].text.contains("| 2 |"),
            "second Examples section with its tags",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!("the feature splitter is broken: {what} ({labels:?})")),
        None => Ok(()),
    }
}
