//! A store view's language (STORES.md C2): Magento's i18n dictionary, loaded from the CSV files
//! of a language pack or a module's `i18n/xx_XX.csv`, and `__()` as the REST area uses it.
//!
//! Magento translates the top-level `message` of every error: a masked `LocalizedException`
//! becomes `new WebapiException(__($e->getRawMessage()))` (`Webapi\ErrorProcessor::maskException`),
//! a phrase without arguments, so `%placeholders` stay; a `Webapi\Exception` thrown directly
//! carries its own `__()` phrase; validator messages are rendered `__('"%1" is a required value.',
//! __($label))` line by line (EAV `AbstractData`). `errors[].message` stays raw and English:
//! `Rest\Response::_renderMessages` writes `getRawMessage()`.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// The phrases of one locale: English text → translation. A phrase with no row stays English.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translations {
    phrases: HashMap<String, String>,
}

/// A dictionary file that cannot be read, with the file and the line.
#[derive(Debug)]
pub struct TranslationFileError(String);

impl fmt::Display for TranslationFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TranslationFileError {}

impl Translations {
    /// Loads the files in order; a later file's row wins, as a language pack overrides a
    /// module's own CSV.
    pub fn load(paths: &[impl AsRef<Path>]) -> Result<Self, TranslationFileError> {
        let mut all = Translations::default();
        for path in paths {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path)
                .map_err(|e| TranslationFileError(format!("{}: cannot read it ({e})", path.display())))?;
            let file = Self::from_csv(&text).map_err(|e| TranslationFileError(format!("{}: {e}", path.display())))?;
            all.phrases.extend(file.phrases);
        }
        Ok(all)
    }

    /// A dictionary from rows already read (English phrase, translation).
    pub fn from_pairs<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Translations {
            phrases: rows.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        }
    }

    /// Parses one file: the first column the English phrase, the second its translation,
    /// further columns (a pack's `module`, `Magento_Customer`) ignored; `fgetcsv` quoting.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut phrases = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                format!("line {line}: not a Magento i18n CSV row ({e})")
            })?;
            match (record.get(0), record.get(1)) {
                (None | Some(""), _) => {}
                (Some(phrase), Some(translation)) => {
                    phrases.insert(phrase.to_owned(), translation.to_owned());
                }
                (Some(_), None) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    return Err(format!("line {line}: a row needs the phrase and its translation"));
                }
            }
        }
        Ok(Translations { phrases })
    }

    /// `__($text)` with no arguments: the translation, placeholders left as they are.
    pub(crate) fn phrase(&self, text: &str) -> String {
        self.phrases.get(text).cloned().unwrap_or_else(|| text.to_owned())
    }

    /// `__($template, ...$args)`: the translated template with `%1`, `%2`... replaced by the
    /// arguments, which the caller translated when Magento does (attribute labels).
    pub(crate) fn render(&self, template: &str, args: &[&str]) -> String {
        let mut text = self.phrase(template);
        // From the highest number down, so `%1` does not eat the start of `%10`.
        for (index, arg) in args.iter().enumerate().rev() {
            text = text.replace(&format!("%{}", index + 1), arg);
        }
        text
    }

    /// A validator line naming an attribute: `__($template, __($label))`.
    pub(crate) fn with_label(&self, template: &str, label: &str) -> String {
        self.render(template, &[&self.phrase(label)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUTCH: &str = concat!(
        "\"The consumer isn't authorized to access %resources.\",\"Gebruiker is niet gemachtigd tot %resources.\",module,Magento_Webapi\n",
        "\"\"\"%1\"\" is a required value.\",\"\"\"%1\"\" is een verplichte waarde.\"\n",
        "\"First Name\",Voornaam\n",
        "\"%1 is not valid!\",\"%1 is ongeldig!\"\n",
    );

    #[test]
    fn rows_translate_and_placeholders_stay() {
        let nl = Translations::from_csv(DUTCH).unwrap();
        assert_eq!(
            nl.phrase("The consumer isn't authorized to access %resources."),
            "Gebruiker is niet gemachtigd tot %resources."
        );
        assert_eq!(nl.phrase("Decoding error."), "Decoding error.", "no row stays English");
    }

    #[test]
    fn validator_lines_translate_the_template_and_the_label() {
        let nl = Translations::from_csv(DUTCH).unwrap();
        assert_eq!(
            nl.with_label("\"%1\" is a required value.", "First Name"),
            "\"Voornaam\" is een verplichte waarde."
        );
        assert_eq!(nl.with_label("%1 is not valid!", "Last Name"), "Last Name is ongeldig!");
        assert_eq!(
            Translations::default().with_label("\"%1\" is a required value.", "First Name"),
            "\"First Name\" is a required value."
        );
    }

    #[test]
    fn a_row_without_translation_names_its_line() {
        let err = Translations::from_csv("\"a\",\"b\"\n\"c\"\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
