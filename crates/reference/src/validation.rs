//! Magento's field validators for customer accounts and addresses (CONTRACT.md §4.3).

use super::error::{MagentoError, positional};
use chrono::{DateTime, NaiveDate};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// `AccountManagementInterface::MAX_PASSWORD_LENGTH`.
const MAX_PASSWORD_LENGTH: usize = 256;

/// PHP `trim()`'s default character list.
const PHP_TRIM: &[char] = &[' ', '\t', '\n', '\r', '\0', '\x0B'];

pub(crate) fn php_trim(text: &str) -> &str {
    text.trim_matches(PHP_TRIM)
}

/// `AccountManagement::checkPasswordStrength`, §4.3 step 3.1–3.4, in that order. Lengths are
/// counted in characters (`mb_strlen`); the configured values are config strings, hence `["8"]`.
pub(crate) fn check_password_strength(
    password: &str,
    min_length: usize,
    required_classes: usize,
) -> Result<(), MagentoError> {
    let length = password.chars().count();
    if length > MAX_PASSWORD_LENGTH {
        return Err(
            MagentoError::bad_request("Please enter a password with at most %1 characters.")
                .with_parameters(positional([Value::from(MAX_PASSWORD_LENGTH)])),
        );
    }
    if length < min_length {
        return Err(MagentoError::bad_request(
            "The password needs at least %1 characters. Create a new password and try again.",
        )
        .with_parameters(positional([Value::from(min_length.to_string())])));
    }
    if php_trim(password).chars().count() != length {
        return Err(MagentoError::bad_request(
            "The password can't begin or end with a space. Verify the password and try again.",
        ));
    }
    let classes = [
        password.bytes().any(|b| b.is_ascii_digit()),
        password.bytes().any(|b| b.is_ascii_uppercase()),
        password.bytes().any(|b| b.is_ascii_lowercase()),
        password.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if classes < required_classes {
        return Err(MagentoError::bad_request(
            "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
        )
        .with_parameters(positional([Value::from(required_classes.to_string())])));
    }
    Ok(())
}

/// §4.3 step 3.5: `strcasecmp($password, $email) == 0` (ASCII case folding only).
pub(crate) fn password_equals_email(password: &str, email: &str) -> bool {
    password.eq_ignore_ascii_case(email)
}

/// Laminas `NotEmpty` with Magento's default type mask: null, `""` and whitespace-only strings
/// are empty, `"0"` is not.
pub(crate) fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|text| text.chars().all(char::is_whitespace))
}

/// Magento's `Name`, `City` and `Telephone` validators run `preg_match('/(?:[class]{1,N})/u')`
/// and accept the value when the first match is the whole value, or when nothing matches at
/// all. So a value passes when it has at most `N` characters all in the class, or none in it;
/// empty values are not checked.
fn first_match_is_whole(class: &Regex, max_chars: usize, value: Option<&str>) -> bool {
    let Some(text) = value.filter(|text| !text.is_empty()) else {
        return true;
    };
    let in_class = |ch: char| class.is_match(ch.encode_utf8(&mut [0u8; 4]));
    let all = text.chars().all(in_class);
    let none = !text.chars().any(in_class);
    none || (all && text.chars().count() <= max_chars)
}

/// `Magento\Customer\Model\Validator\Name`: letters, marks, digits, whitespace and
/// `, - _ . ' ’ ` &`, 1–255 characters (§4.3 step 10).
pub(crate) fn is_valid_name(value: Option<&str>) -> bool {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[\p{L}\p{M},\-_.'’`&\s\d]$").expect("static pattern"));
    first_match_is_whole(&NAME, 255, value)
}

/// `Magento\Customer\Model\Validator\Telephone`: `[\d\s+\-()]`, at most 20 characters.
pub(crate) fn is_valid_telephone(value: Option<&str>) -> bool {
    static TELEPHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\d\s+\-()]$").expect("static pattern"));
    first_match_is_whole(&TELEPHONE, 20, value)
}

/// `Magento\Customer\Model\Validator\City`: letters, marks, whitespace, `-` and `'` (no digits,
/// whatever the message says), 1–100 characters.
pub(crate) fn is_valid_city(value: Option<&str>) -> bool {
    static CITY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\p{L}\p{M}\s\-']$").expect("static pattern"));
    first_match_is_whole(&CITY, 100, value)
}

/// `Magento\Customer\Model\Validator\Street`, per street line.
///
/// derived: 2.4.8's pattern is `/(?:[\p{L}\p{M}\"[],-.'’`&\s\d]){1,255}+/u`. PCRE closes the
/// character class at the first `]`, so each repetition is the class `[\p{L}\p{M}"[]` followed
/// by the literal `,-`, any character, `'’`&`, a space, a digit and `]` (11 characters).
/// Ordinary streets contain no such sequence, `preg_match` finds nothing and the line passes;
/// only a line that contains the sequence without being made of it fails. CONTRACT.md §4.3
/// step 11 reads the class as intended (so that `#` and `/` would fail); this reproduces what
/// PHP actually runs.
pub(crate) fn is_valid_street_line(value: &str) -> bool {
    const ATOM_CHARS: usize = 11;
    static STREET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?:[\p{L}\p{M}"\[],-.'’`&\s\d\])+"#).expect("static pattern"));
    match STREET.find(value) {
        None => true,
        Some(found) => found.as_str() == value && value.chars().count() <= 255 * ATOM_CHARS,
    }
}

/// The EAV email rule's message for a malformed address.
pub(crate) const INVALID_EMAIL: &str = "\"%1\" is not a valid email address.";

/// The EAV `input_validation=email` rule (Laminas `EmailAddress`, DNS hostnames, no MX check),
/// with Magento's label-based messages, de-duplicated in the order Laminas raises them.
///
/// derived: the hostname rules are a simplification of Laminas `Hostname` (labels of letters,
/// digits and inner hyphens, at least two labels, an alphabetic or punycode TLD); its own
/// detailed hostname messages are not reproduced.
pub(crate) fn email_messages(email: &str) -> Vec<&'static str> {
    const HOSTNAME: &str = "\"%1\" is not a valid hostname.";
    const TOO_LONG: &str = "\"%1\" uses too many characters.";
    let Some((local, host)) = email.rsplit_once('@') else {
        return vec![INVALID_EMAIL];
    };
    if local.is_empty() || host.is_empty() {
        return vec![INVALID_EMAIL];
    }
    let mut messages = Vec::new();
    if local.len() > 64 || host.len() > 255 {
        messages.push(TOO_LONG);
    }
    if !is_valid_hostname(host) {
        messages.push(HOSTNAME);
    }
    if !is_valid_local_part(local) {
        messages.push(INVALID_EMAIL);
    }
    messages
}

fn is_valid_local_part(local: &str) -> bool {
    static DOT_ATOM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-zA-Z0-9!#$%&'*+\-/=?^_`{|}~]+(\.+[a-zA-Z0-9!#$%&'*+\-/=?^_`{|}~]+)*$").expect("static pattern")
    });
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^"(?:[\x20\x23-\x5B\x5D-\x7E]|\\[\x20-\x7E])*"$"#).expect("static pattern"));
    // Laminas checks the dot-atom on `idn_to_ascii($localPart)`: non-ASCII letters become
    // punycode, which is atext (GRAPHQL.md §2.3 accepts `jØrgenV2@` and `“emailV2”@`).
    // derived: each non-ASCII character stands for the punycode it turns into.
    let ascii: String = local.chars().map(|ch| if ch.is_ascii() { ch } else { 'a' }).collect();
    DOT_ATOM.is_match(&ascii) || QUOTED.is_match(local)
}

fn is_valid_hostname(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|ch| ch.is_alphanumeric() || ch == '-')
    };
    let tld_ok = labels.last().is_some_and(|tld| {
        (tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
            || tld.to_ascii_lowercase().starts_with("xn--")
    });
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

/// What the date-of-birth value turns into when the EAV `Datetime` backend formats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DobInput {
    Date(NaiveDate),
    /// `new \DateTime($value)` threw: the backend answers 400 `Invalid date`.
    Invalid,
}

/// `Eav\Model\Entity\Attribute\Backend\Datetime::formatDate`: digits only are a Unix timestamp,
/// anything else goes through `new \DateTime()`.
///
/// derived: PHP's `DateTime` parser accepts far more forms than are modelled here; this accepts
/// `Y-m-d`, optionally followed by a space- or `T`-separated time and zone.
pub(crate) fn parse_dob(value: &str) -> DobInput {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value
            .parse::<i64>()
            .ok()
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .map_or(DobInput::Invalid, |moment| DobInput::Date(moment.date_naive()));
    }
    // PHP reads `m/d/Y` as an American date (GRAPHQL.md §2.7: `3/11/1972` is 11 March 1972).
    if let Ok(american) = NaiveDate::parse_from_str(value, "%m/%d/%Y") {
        return DobInput::Date(american);
    }
    let Some((date, rest)) = value.split_at_checked(value.len().min(10)) else {
        return DobInput::Invalid;
    };
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$").expect("static pattern")
    });
    let rest_ok = TIME.is_match(rest);
    match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(parsed) if rest_ok => DobInput::Date(parsed),
        _ => DobInput::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_2_4_8_pattern() {
        for valid in [
            "Anne-Marie",
            "D'Artagnan",
            "Guðmundsdóttir",
            "María José Carreño Quiñones",
            "Q. Public",
            "Elizabeth II",
            "X Æ A-12 Musk",
        ] {
            assert!(is_valid_name(Some(valid)), "{valid}");
        }
        for invalid in ["Jane ☺ ", "☏ - Doe", "⚐ $(date)"] {
            assert!(!is_valid_name(Some(invalid)), "{invalid}");
        }
        // Nothing matches at all, so `preg_match` returns 0 and the validator passes.
        assert!(is_valid_name(Some("☺☺")));
        assert!(is_valid_name(Some(&"न".repeat(255))));
        assert!(!is_valid_name(Some(&"a".repeat(256))));
    }

    #[test]
    fn telephone_and_city_patterns() {
        assert!(is_valid_telephone(Some("512-555-1111")));
        assert!(is_valid_telephone(Some("+1 (512) 555 11")));
        assert!(!is_valid_telephone(Some("call me")));
        assert!(!is_valid_telephone(Some(&"1".repeat(21))));
        assert!(is_valid_city(Some("Purchase")));
        assert!(is_valid_city(Some("L'Île-d'Yeu")));
        assert!(!is_valid_city(Some("6th of October City")));
        assert!(!is_valid_city(Some("St. Albans")));
    }

    #[test]
    fn street_pattern_behaves_as_pcre_runs_it() {
        assert!(is_valid_street_line("123 Oak Ave"));
        assert!(is_valid_street_line("Main St #5 / Unit 2"));
        assert!(is_valid_street_line("a,-x'’`& 1]"));
        assert!(!is_valid_street_line("x a,-x'’`& 1]"));
    }

    #[test]
    fn email_rules() {
        assert_eq!(email_messages("jdoe@example.com"), Vec::<&str>::new());
        assert_eq!(email_messages("invalid"), vec!["\"%1\" is not a valid email address."]);
        assert_eq!(email_messages("jØrgenV2@somedomain.com"), Vec::<&str>::new());
        assert_eq!(email_messages("“emailV2”@example.com"), Vec::<&str>::new());
        assert_eq!(
            email_messages("a b@example.com"),
            vec!["\"%1\" is not a valid email address."]
        );
        assert_eq!(
            email_messages("jane@localhost"),
            vec!["\"%1\" is not a valid hostname."]
        );
        assert_eq!(
            email_messages(&format!("{}@example.com", "a".repeat(65))),
            vec!["\"%1\" uses too many characters."]
        );
    }

    #[test]
    fn password_policy_order_and_parameters() {
        let err = |p: &str| check_password_strength(p, 8, 3).unwrap_err();
        let long = "Aa1".repeat(90);
        assert_eq!(
            crate::json::encode(&err(&long)),
            br#"{"message":"Please enter a password with at most %1 characters.","parameters":[256]}"#
        );
        assert_eq!(
            crate::json::encode(&err("Aa1")),
            br#"{"message":"The password needs at least %1 characters. Create a new password and try again.","parameters":["8"]}"#
        );
        assert_eq!(
            crate::json::encode(&err(" Password1")),
            br#"{"message":"The password can't begin or end with a space. Verify the password and try again."}"#
        );
        assert_eq!(
            crate::json::encode(&err("password1")),
            br#"{"message":"Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.","parameters":["3"]}"#
        );
        assert!(check_password_strength("Password1", 8, 3).is_ok());
        assert!(check_password_strength("test@123", 8, 3).is_ok());
    }

    #[test]
    fn dob_forms() {
        assert_eq!(
            parse_dob("1970-01-01"),
            DobInput::Date(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        );
        assert_eq!(
            parse_dob("1973-12-15T00:00:00Z"),
            DobInput::Date(NaiveDate::from_ymd_opt(1973, 12, 15).unwrap())
        );
        assert_eq!(
            parse_dob("3/11/1972"),
            DobInput::Date(NaiveDate::from_ymd_opt(1972, 3, 11).unwrap())
        );
        assert_eq!(parse_dob("13/11/1972"), DobInput::Invalid);
        assert_eq!(parse_dob("yesterday-ish"), DobInput::Invalid);
        assert_eq!(parse_dob("1970-01-01 garbage"), DobInput::Invalid);
        assert_eq!(parse_dob("1970-01-0é"), DobInput::Invalid);
        assert_eq!(
            parse_dob("86400"),
            DobInput::Date(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap())
        );
    }
}
