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
        self.translated(english, Rendering::FirstArgument)
    }

    fn translated(&self, english: &str, rendering: Rendering) -> String {
        if let Some(translated) = self.phrases.get(english) {
            return translated.clone();
        }
        english
            .split('\n')
            .map(|line| self.line(line, rendering))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One line: its own row; else a validator line, label translated too; else a rendered
    /// phrase (`The PATCH HTTP method is not supported.`), whose template is translated and whose
    /// arguments are not; else English.
    fn line(&self, line: &str, rendering: Rendering) -> String {
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
            .filter(|(template, _)| rendering == Rendering::Any || template.matches('%').count() == 1)
            .filter_map(|(template, translation)| {
                let arguments = arguments_of(template, line)?;
                let literal = template.len() - arguments.iter().map(|(p, _)| p.len()).sum::<usize>();
                Some((literal, arguments, translation))
            })
            .max_by_key(|(literal, ..)| *literal);
        match rendered {
            Some((_, mut arguments, translation)) => {
                // Longer placeholders first, so `%1` does not eat the start of `%10`.
                arguments.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
                arguments
                    .iter()
                    .fold(translation.clone(), |text, (placeholder, argument)| {
                        text.replace(placeholder.as_str(), argument)
                    })
            }
            None => line.to_owned(),
        }
    }

    /// A documented GraphQL answer as this store view sends it (GRAPHQL.md §1.8, §3.3): the
    /// `message` of every error Magento raised, which carries `extensions.category`, goes
    /// through `__()` rendered, placeholders filled in; graphql-php's own validation, coercion
    /// and syntax errors and its `Internal server error` have no category and stay English.
    pub fn graphql_body(&self, english: &Value) -> Value {
        let mut body = english.clone();
        if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
            for error in errors {
                if error.pointer("/extensions/category").is_none() {
                    continue;
                }
                if let Some(message) = error.get_mut("message")
                    && let Some(text) = message.as_str()
                {
                    *message = Value::from(self.translated(text, Rendering::Any));
                }
            }
        }
        body
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

/// Which rendered phrases a message may be: REST's top-level messages keep their placeholders
/// but for a `Webapi\Exception`'s one argument (`%1`); GraphQL's are `getMessage()`, every
/// placeholder filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rendering {
    FirstArgument,
    Any,
}

/// What `%1` stands for in `line`, if `line` is `template` rendered with a non-empty argument.
fn argument_of<'a>(template: &str, line: &'a str) -> Option<&'a str> {
    let (prefix, suffix) = template.split_once("%1")?;
    line.strip_prefix(prefix)?
        .strip_suffix(suffix)
        .filter(|argument| !argument.is_empty())
}

/// What each placeholder (`%1`, `%2`, `%name`) stands for in `line`, if `line` is `template`
/// rendered with non-empty arguments; `None` for a template without placeholders, or with two
/// placeholders side by side (nothing tells their arguments apart).
fn arguments_of<'a>(template: &str, line: &'a str) -> Option<Vec<(String, &'a str)>> {
    let (first, rest) = split_placeholders(template);
    if rest.is_empty() || rest.iter().take(rest.len() - 1).any(|(_, literal)| literal.is_empty()) {
        return None;
    }
    let mut arguments = Vec::new();
    match_rest(line.strip_prefix(first.as_str())?, &rest, &mut arguments).then_some(arguments)
}

/// The literal before the first placeholder, then each placeholder with the literal after it.
fn split_placeholders(template: &str) -> (String, Vec<(String, String)>) {
    let mut first = String::new();
    let mut rest: Vec<(String, String)> = Vec::new();
    let mut chars = template.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let name_len = template[at + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if c == '%' && name_len > 0 {
            rest.push((template[at..at + 1 + name_len].to_owned(), String::new()));
            for _ in 0..name_len {
                chars.next();
            }
        } else {
            match rest.last_mut() {
                Some((_, literal)) => literal.push(c),
                None => first.push(c),
            }
        }
    }
    (first, rest)
}

/// Matches `text` against placeholders each followed by a literal, trying every place the
/// literal occurs, and collects the arguments.
fn match_rest<'a>(text: &'a str, rest: &[(String, String)], out: &mut Vec<(String, &'a str)>) -> bool {
    let Some(((placeholder, literal), tail)) = rest.split_first() else {
        return text.is_empty();
    };
    if tail.is_empty() {
        return match text.strip_suffix(literal.as_str()) {
            Some(argument) if !argument.is_empty() => {
                out.push((placeholder.clone(), argument));
                true
            }
            _ => false,
        };
    }
    for (at, _) in text.match_indices(literal.as_str()).filter(|(at, _)| *at > 0) {
        let mark = out.len();
        out.push((placeholder.clone(), &text[..at]));
        if match_rest(&text[at + literal.len()..], tail, out) {
            return true;
        }
        out.truncate(mark);
    }
    false
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

    #[test]
    fn rendered_phrases_with_several_placeholders_translate_their_template() {
        let nl = Translations::from_csv(concat!(
            "\"Minimum of different classes of characters in password is %1. Classes of characters: %2.\",",
            "\"Minimaal %1 soorten tekens. Soorten: %2.\"\n",
            "\"Requested store is not found (%1)\",\"Winkel niet gevonden (%1)\"\n",
        ))
        .unwrap();
        assert_eq!(
            nl.translated(
                "Minimum of different classes of characters in password is 4. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
                Rendering::Any
            ),
            "Minimaal 4 soorten tekens. Soorten: Lower Case, Upper Case, Digits, Special Characters."
        );
        assert_eq!(
            nl.message("Requested store is not found (xx)"),
            "Winkel niet gevonden (xx)"
        );
        // REST keeps a masked exception's placeholders: no row, no translation.
        let rest = Translations::from_csv(
            "\"No such entity with %fieldName = %fieldValue\",\"Geen entiteit met %fieldName = %fieldValue\"\n",
        )
        .unwrap();
        let raw = "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value";
        assert_eq!(rest.message(raw), raw);
        assert_eq!(
            nl.message("Requested store is not found ()"),
            "Requested store is not found ()"
        );
        assert_eq!(arguments_of("%1%2 side by side", "ab side by side"), None);
        assert_eq!(arguments_of("no placeholder", "no placeholder"), None);
        assert_eq!(
            arguments_of("%fieldName = %fieldValue", "email = a = b"),
            Some(vec![
                ("%fieldName".to_owned(), "email"),
                ("%fieldValue".to_owned(), "a = b")
            ])
        );
    }

    /// GRAPHQL.md §1.8, §3.3: Magento's exceptions (with a category) go through `__()`, rendered;
    /// graphql-php's own messages (no category) never do.
    #[test]
    fn a_graphql_answer_translates_magentos_errors_only() {
        let nl = Translations::from_csv(concat!(
            "\"The current customer isn't authorized.\",\"De huidige klant is niet geautoriseerd.\"\n",
            "\"The password needs at least %1 characters. Create a new password and try again.\",\"Minstens %1 tekens.\"\n",
            "\"Cannot query field \"\"x\"\" on type \"\"Query\"\".\",\"Vertaald\"\n",
        ))
        .unwrap();
        let magento = |message: &str| {
            json!({"errors": [{"message": message, "locations": [{"line": 2, "column": 3}], "path": ["customer"],
                "extensions": {"category": "graphql-authorization"}}], "data": {"customer": null}})
        };
        assert_eq!(
            nl.graphql_body(&magento("The current customer isn't authorized.")),
            magento("De huidige klant is niet geautoriseerd.")
        );
        assert_eq!(
            nl.graphql_body(&magento(
                "The password needs at least 8 characters. Create a new password and try again."
            )),
            magento("Minstens 8 tekens.")
        );
        let validation = json!({"errors": [{"message": "Cannot query field \"x\" on type \"Query\".", "locations": [{"line": 1, "column": 3}]}]});
        assert_eq!(nl.graphql_body(&validation), validation);
        let data = json!({"data": {"isEmailAvailable": {"is_email_available": true}}});
        assert_eq!(nl.graphql_body(&data), data);
        assert_eq!(
            Translations::default().graphql_body(&magento("The current customer isn't authorized.")),
            magento("The current customer isn't authorized.")
        );
    }
}
