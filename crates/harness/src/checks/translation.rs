//! The store view's language (STORES.md C2): Magento's i18n CSV dictionary, and what Magento
//! translates in an error body.
//!
//! Magento translates the top-level `message`: a masked exception's raw text goes through
//! `__()` without arguments (`Webapi\ErrorProcessor::maskException`), so `%placeholders` stay;
//! validator messages are joined lines, each rendered `__('"%1" is a required value.',
//! __($label))` (EAV `AbstractData`). It sends `errors[].message` raw and English
//! (`Rest\Response::_renderMessages` uses `getRawMessage()`), and never touches `parameters`.

use std::collections::HashMap;

use serde_json::Value;

/// The EAV validators' lines that carry an attribute's label (`AbstractData::validateValue`,
/// `validateInputRule`): the template is translated, and so is the label.
const LABEL_TEMPLATES: &[&str] = &[
    "\"%1\" is a required value.",
    "\"%1\" is not a valid email address.",
    "\"%1\" is not a valid hostname.",
    "\"%1\" uses too many characters.",
];

/// English phrase → translation, from one or more CSV files; a phrase with no row stays English.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translations {
    phrases: HashMap<String, String>,
}

impl Translations {
    /// Parses one file: first column the English phrase, second the translation, further
    /// columns ignored, `fgetcsv` quoting. A later row wins, as a later file does.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut translations = Translations::default();
        translations.add_csv(text)?;
        Ok(translations)
    }

    /// Adds one more file's rows over the ones already read (a language pack overrides a
    /// module's own `i18n/` file). The error names the line.
    pub fn add_csv(&mut self, text: &str) -> Result<(), String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, csv::Position::line);
                format!("line {line}: not a Magento i18n CSV row ({e})")
            })?;
            match (record.get(0), record.get(1)) {
                (None | Some(""), _) => {}
                (Some(phrase), Some(translation)) => {
                    self.phrases.insert(phrase.to_owned(), translation.to_owned());
                }
                (Some(phrase), None) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    return Err(format!(
                        "line {line}: {phrase:?} has no translation (a row is \"English phrase\",\"translation\")"
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Every row, for a server that should answer in the same language.
    pub fn phrases(&self) -> impl Iterator<Item = (&str, &str)> {
        self.phrases.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `__($text)`: the row's translation, or the text itself.
    pub fn phrase<'a>(&'a self, text: &'a str) -> &'a str {
        self.phrases.get(text).map_or(text, String::as_str)
    }

    /// A documented top-level message as this store view sends it: the whole phrase when it has
    /// a row, else line by line, a validator line with its label translated too.
    pub fn message(&self, english: &str) -> String {
        if let Some(translated) = self.phrases.get(english) {
            return translated.clone();
        }
        english
            .split('\n')
            .map(|line| self.line(line))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One line: its own row; else a validator line, label translated too; else a rendered
    /// `Webapi\Exception` phrase (`The PATCH HTTP method is not supported.`), whose template is
    /// translated and whose argument is not; else English.
    fn line(&self, line: &str) -> String {
        if let Some(translated) = self.phrases.get(line) {
            return translated.clone();
        }
        for template in LABEL_TEMPLATES {
            if let Some(label) = argument_of(template, line) {
                return self.phrase(template).replace("%1", self.phrase(label));
            }
        }
        let rendered = self
            .phrases
            .iter()
            .filter(|(template, _)| template.matches('%').count() == 1)
            .filter_map(|(template, translation)| Some((template.len(), argument_of(template, line)?, translation)))
            .max_by_key(|(literal, ..)| *literal);
        match rendered {
            Some((_, argument, translation)) => translation.replace("%1", argument),
            None => line.to_owned(),
        }
    }

    /// A documented error body as this store view sends it: only the top-level `message`
    /// changes.
    pub fn error_body(&self, english: &Value) -> Value {
        let mut body = english.clone();
        if let Some(message) = body.get_mut("message")
            && let Some(text) = message.as_str()
        {
            *message = Value::from(self.message(text));
        }
        body
    }
}

/// What `%1` stands for in `line`, if `line` is `template` rendered with a non-empty argument.
fn argument_of<'a>(template: &str, line: &'a str) -> Option<&'a str> {
    let (prefix, suffix) = template.split_once("%1")?;
    line.strip_prefix(prefix)?
        .strip_suffix(suffix)
        .filter(|argument| !argument.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DUTCH: &str = concat!(
        "\"The consumer isn't authorized to access %resources.\",\"Gebruiker is niet gemachtigd tot %resources.\",module,Magento_Webapi\n",
        "\"One or more input exceptions have occurred.\",\"Een of meer invoerfouten.\"\n",
        "\"\"\"%fieldName\"\" is required. Enter and try again.\",\"\"\"%fieldName\"\" is verplicht.\"\n",
        "\"\"\"%1\"\" is a required value.\",\"\"\"%1\"\" is een verplichte waarde.\"\n",
        "\"First Name\",Voornaam\n",
    );

    fn dutch() -> Translations {
        Translations::from_csv(DUTCH).unwrap()
    }

    #[test]
    fn the_top_level_message_is_translated_with_its_placeholders() {
        let expected = json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}});
        assert_eq!(
            dutch().error_body(&expected),
            json!({"message": "Gebruiker is niet gemachtigd tot %resources.", "parameters": {"resources": "self"}})
        );
    }

    #[test]
    fn errors_messages_and_parameters_stay_english() {
        let required = "\"%fieldName\" is required. Enter and try again.";
        let expected = json!({"message": "One or more input exceptions have occurred.", "errors": [
            {"message": required, "parameters": {"fieldName": "username"}},
        ]});
        let localized = dutch().error_body(&expected);
        assert_eq!(localized["message"], "Een of meer invoerfouten.");
        assert_eq!(localized["errors"], expected["errors"]);
    }

    #[test]
    fn validator_lines_translate_template_and_label_and_a_phrase_without_row_stays() {
        let english = "\"First Name\" is a required value.\n\"Last Name\" is a required value.\nThe Date of Birth should not be greater than today.";
        assert_eq!(
            dutch().message(english),
            "\"Voornaam\" is een verplichte waarde.\n\"Last Name\" is een verplichte waarde.\nThe Date of Birth should not be greater than today."
        );
        assert_eq!(Translations::default().message(english), english);
    }

    #[test]
    fn rendered_webapi_phrases_translate_their_template_only() {
        let nl = Translations::from_csv(concat!(
            "\"The %1 HTTP method is not supported.\",\"De HTTP-methode %1 wordt niet ondersteund.\"\n",
            "PATCH,Lappen\n",
        ))
        .unwrap();
        assert_eq!(
            nl.message("The PATCH HTTP method is not supported."),
            "De HTTP-methode PATCH wordt niet ondersteund."
        );
        assert_eq!(nl.message("The  HTTP method"), "The  HTTP method");
    }

    #[test]
    fn later_rows_win_and_bad_rows_name_their_line() {
        let mut translations = dutch();
        translations.add_csv("\"First Name\",\"Roepnaam\"\n").unwrap();
        assert_eq!(translations.phrase("First Name"), "Roepnaam");
        let err = Translations::from_csv("\"a\",\"b\"\n\"c\"\n").unwrap_err();
        assert!(err.starts_with("line 2: \"c\" has no translation"), "{err}");
    }
}
