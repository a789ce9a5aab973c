//! Secrets and the one redaction sink every output passes through.
//!
//! A [`Secret`] cannot be printed by accident: its `Debug` and `Display` say `[redacted]`.
//! Every secret value the run knows (configured credentials, passwords it generated, tokens it
//! received) is registered with the [`Redactor`], which scrubs console lines, reports and
//! error messages by value; [`redact_json`] also scrubs by key name, for values the run never
//! saw before (a token in a response it did not ask for). The secrets a run makes by the
//! hundred, generated passwords and JWTs ([`crate::token_shape`]), are recognised by their shape
//! instead.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde_json::Value;

use crate::token_shape;

/// What a secret value is replaced with in every output.
pub const REDACTED: &str = "[redacted]";

/// A credential or token. Only [`Secret::expose`] reveals it, for the request that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// JSON keys and HTTP headers whose values are always secret, whatever they hold.
const SECRET_KEYS: &[&str] = &[
    "password",
    "newpassword",
    "currentpassword",
    "password_hash",
    "passwordhash",
    "token",
    "otp",
    "tfa_code",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "totp_secret",
];

/// Whether a JSON key or header name holds a secret (case-insensitive).
pub fn is_secret_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_KEYS.contains(&lower.as_str())
}

/// Values shorter than this are not redacted by value: redacting "1" or "true" would garble
/// every report, and no credential the run handles is that short.
const MIN_REDACTABLE_LEN: usize = 4;

/// Every password the run generates starts with this; see [`generated_password`].
pub const GENERATED_PASSWORD_PREFIX: &str = "Mc7!";

/// The fewest characters after [`GENERATED_PASSWORD_PREFIX`] in a generated password.
pub const GENERATED_PASSWORD_MIN_TAIL: usize = 12;

/// A fresh random password of the run's own shape: [`GENERATED_PASSWORD_PREFIX`] (one
/// uppercase, one lowercase, one digit, one symbol: every Magento character class) and at least
/// [`GENERATED_PASSWORD_MIN_TAIL`] letters and digits. [`Redactor`] hides it without
/// registration.
pub fn generated_password(min_length: usize) -> Secret {
    use rand::Rng as _;
    let tail = min_length
        .saturating_sub(GENERATED_PASSWORD_PREFIX.len())
        .max(GENERATED_PASSWORD_MIN_TAIL);
    let mut rng = rand::rng();
    let tail: String = (0..tail)
        .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
        .collect();
    Secret::new(format!("{GENERATED_PASSWORD_PREFIX}{tail}"))
}

/// A kind of secret recognised by its shape: where one starts, and how long the one that
/// starts a text is.
///
/// Registering every generated password and every JWT made each new customer rebuild the
/// matchers (`cargo bench`); a shape costs nothing to add. Every occurrence of the prefix starts
/// a span, so two such secrets written back to back are both hidden.
struct Shape {
    prefix: &'static str,
    len_at: fn(&str) -> Option<usize>,
}

const SHAPES: &[Shape] = &[
    Shape {
        prefix: GENERATED_PASSWORD_PREFIX,
        len_at: generated_password_len_at,
    },
    Shape {
        prefix: token_shape::JWT_PREFIX,
        len_at: token_shape::jwt_len_at,
    },
];

/// The length of the generated password `text` starts with (it starts with the prefix).
fn generated_password_len_at(text: &str) -> Option<usize> {
    let tail = text.as_bytes()[GENERATED_PASSWORD_PREFIX.len()..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    (tail >= GENERATED_PASSWORD_MIN_TAIL).then_some(GENERATED_PASSWORD_PREFIX.len() + tail)
}

/// The byte spans of `text` that have the shape of a generated password or a JWT.
fn shaped_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    SHAPES.iter().flat_map(move |shape| {
        text.match_indices(shape.prefix)
            .filter_map(move |(start, _)| (shape.len_at)(&text[start..]).map(|len| (start, start + len)))
    })
}

/// Whether a value is hidden by its shape alone, wherever it appears.
fn has_secret_shape(value: &str) -> bool {
    shaped_spans(value).any(|(start, end)| start == 0 && end == value.len())
}

/// The set of secret values known to this run, shared by every writer.
///
/// Every output passes through [`Redactor::redact`], so it matches all known values (and their
/// PHP-escaped spellings) in one pass; the matcher is rebuilt only when a secret is added.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    known: Arc<RwLock<KnownSecrets>>,
}

/// The known secrets as levels of matchers whose sizes double, like a binary counter: adding a
/// secret rebuilds only the small levels, so a run that registers n secrets builds O(n log n)
/// matcher entries in all, and a redaction searches O(log n) matchers.
#[derive(Debug, Default)]
struct KnownSecrets {
    levels: Vec<Option<Level>>,
}

#[derive(Debug)]
struct Level {
    values: Vec<String>,
    matcher: AhoCorasick,
}

impl KnownSecrets {
    fn contains(&self, value: &str) -> bool {
        self.levels
            .iter()
            .flatten()
            .any(|level| level.values.iter().any(|v| v == value))
    }

    fn add(&mut self, mut carry: Vec<String>) {
        for slot in self.levels.iter_mut() {
            match slot.take() {
                Some(level) => carry.extend(level.values),
                None => {
                    *slot = Level::build(carry);
                    return;
                }
            }
        }
        self.levels.push(Level::build(carry));
    }

    fn matchers(&self) -> impl Iterator<Item = &AhoCorasick> {
        self.levels.iter().flatten().map(|level| &level.matcher)
    }
}

impl Level {
    fn build(values: Vec<String>) -> Option<Level> {
        // Standard semantics, so every overlapping occurrence is reported and redacted; an NFA,
        // because a DFA costs more to build than a run saves by searching with it.
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&values)
            .ok()?;
        Some(Level { values, matcher })
    }
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a secret value so that every later output hides it.
    pub fn register(&self, secret: &Secret) {
        self.register_value(secret.expose());
    }

    pub fn register_value(&self, value: &str) {
        if value.len() < MIN_REDACTABLE_LEN || has_secret_shape(value) {
            return;
        }
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        if known.contains(value) {
            return;
        }
        let mut spellings = vec![value.to_owned()];
        // JSON encoders may escape `/` (PHP does); catch that spelling too.
        let escaped = value.replace('/', "\\/");
        if escaped != value {
            spellings.push(escaped);
        }
        known.add(spellings);
    }

    /// Replaces every known secret value, and everything with a secret's shape, in `text`.
    pub fn redact(&self, text: &str) -> String {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let mut spans: Vec<(usize, usize)> = known
            .matchers()
            .flat_map(|matcher| matcher.find_overlapping_iter(text))
            .map(|m| (m.start(), m.end()))
            .chain(shaped_spans(text))
            .collect();
        if spans.is_empty() {
            return text.to_owned();
        }
        // Every byte covered by any secret goes, even where two secrets overlap.
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut cursor = 0;
        let mut current: Option<(usize, usize)> = None;
        for (start, end) in spans {
            match current {
                Some((s, e)) if start <= e => current = Some((s, e.max(end))),
                Some((s, e)) => {
                    out.push_str(&text[cursor..s]);
                    out.push_str(REDACTED);
                    cursor = e;
                    current = Some((start, end));
                }
                None => current = Some((start, end)),
            }
        }
        if let Some((s, e)) = current {
            out.push_str(&text[cursor..s]);
            out.push_str(REDACTED);
            cursor = e;
        }
        out.push_str(&text[cursor..]);
        out
    }

    /// Redacts a JSON document by key name and by known value.
    pub fn redact_json(&self, value: &Value) -> Value {
        let mut copy = value.clone();
        redact_json(&mut copy);
        self.redact_values_in(&mut copy);
        copy
    }

    fn redact_values_in(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                let redacted = self.redact(s);
                if redacted != *s {
                    *s = redacted;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_values_in(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.redact_values_in(v)),
            _ => {}
        }
    }

    /// Wraps a writer so that everything written through it is redacted line by line.
    pub fn writer<W: Write>(&self, inner: W) -> RedactingWriter<W> {
        RedactingWriter {
            inner,
            redactor: self.clone(),
            pending: Vec::new(),
        }
    }
}

/// Replaces the values of secret-named keys, at any depth.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) && !v.is_null() {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A line-buffered writer that redacts complete lines before passing them on, so a secret split
/// across two `write` calls is still caught (no secret contains a newline).
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    /// Redacts and passes on every complete line, all in one piece: a secret never spans lines.
    fn write_complete_lines(&mut self) -> io::Result<()> {
        let Some(last_newline) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Ok(());
        };
        let lines: Vec<u8> = self.pending.drain(..=last_newline).collect();
        let text = String::from_utf8_lossy(&lines);
        self.inner.write_all(self.redactor.redact(&text).as_bytes())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.write_complete_lines()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_complete_lines()?;
        // Terminal writers flush mid-line to redraw; a partial line is redacted on its own.
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&rest);
            self.inner.write_all(self.redactor.redact(&text).as_bytes())?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_never_prints_its_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret}"), REDACTED);
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }

    #[test]
    fn redacts_known_values_including_php_escaped_slashes() {
        let r = Redactor::new();
        r.register(&Secret::new("abc/def.ghi"));
        assert_eq!(r.redact("token=abc/def.ghi;"), "token=[redacted];");
        assert_eq!(r.redact(r#""abc\/def.ghi""#), r#""[redacted]""#);
    }

    #[test]
    fn longer_secrets_are_replaced_before_their_prefixes() {
        let r = Redactor::new();
        r.register_value("secret");
        r.register_value("secret-and-more");
        assert_eq!(r.redact("x secret-and-more y"), "x [redacted] y");
    }

    #[test]
    fn many_secrets_across_every_level_are_all_redacted() {
        let r = Redactor::new();
        let secrets: Vec<String> = (0..133).map(|i| format!("secret-number-{i:04}")).collect();
        for secret in &secrets {
            r.register_value(secret);
        }
        let text = secrets.join(" ");
        let redacted = r.redact(&text);
        assert!(!redacted.contains("secret-number"), "{redacted}");
        assert_eq!(redacted.matches(REDACTED).count(), secrets.len());
    }

    #[test]
    fn overlapping_secrets_in_different_levels_leave_nothing() {
        let r = Redactor::new();
        r.register_value("shared-prefix");
        for i in 0..64 {
            r.register_value(&format!("filler-secret-{i:03}"));
        }
        r.register_value("shared-prefix-and-a-longer-tail");
        r.register_value("tail-and-beyond");
        assert_eq!(r.redact("<shared-prefix-and-a-longer-tail-and-beyond>"), "<[redacted]>");
        assert_eq!(r.redact("a shared-prefix b"), "a [redacted] b");
    }

    #[test]
    fn generated_passwords_are_hidden_by_their_shape_without_registration() {
        let r = Redactor::new();
        let (a, b) = (generated_password(8), generated_password(20));
        assert!(a.expose().len() >= 16 && b.expose().len() >= 20, "lengths");
        let text = format!(
            r#"{{"password":"{}"}} then {}{} back to back"#,
            a.expose(),
            a.expose(),
            b.expose()
        );
        let redacted = r.redact(&text);
        assert_eq!(redacted, r#"{"password":"[redacted]"} then [redacted] back to back"#);
        let tail = &b.expose()[GENERATED_PASSWORD_PREFIX.len()..];
        assert!(!redacted.contains(tail), "{redacted}");
    }

    #[test]
    fn generated_passwords_have_every_magento_character_class() {
        let p = generated_password(8);
        let p = p.expose();
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| !c.is_ascii_alphanumeric()));
    }

    #[test]
    fn jwts_are_hidden_by_their_shape_and_lookalikes_are_kept() {
        let r = Redactor::new();
        let jwt = "eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjEsInV0eXBpZCI6M30.c2lnbmF0dXJlLXNpZw";
        assert_eq!(r.redact(&format!("Bearer {jwt}\n")), "Bearer [redacted]\n");
        assert_eq!(r.redact(&format!("\"{jwt}{jwt}\"")), "\"[redacted]\"");
        // Too short, or not three segments: not a token.
        assert_eq!(r.redact("eyJ is base64 for {\""), "eyJ is base64 for {\"");
        assert_eq!(r.redact("eyJhbGciOiJIUzI1NiJ9 alone"), "eyJhbGciOiJIUzI1NiJ9 alone");
        assert_eq!(r.redact("Mc7!short"), "Mc7!short");
    }

    /// A store whose key was rotated sends `{"kid":"2",…}` (STORES.md U14): the same shape.
    #[test]
    fn a_jwt_with_another_kid_is_hidden_too() {
        let jwt = "eyJraWQiOiIyIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjEsInV0eXBpZCI6M30.c2lnbmF0dXJlLXNpZw";
        assert_eq!(
            Redactor::new().redact(&format!("Bearer {jwt}\n")),
            "Bearer [redacted]\n"
        );
        assert!(has_secret_shape(jwt));
    }

    #[test]
    fn short_values_are_not_redacted() {
        let r = Redactor::new();
        r.register_value("1");
        assert_eq!(r.redact("id 1"), "id 1");
    }

    #[test]
    fn json_is_redacted_by_key_and_value() {
        let r = Redactor::new();
        r.register_value("eyJhbGciOi.payload.sig");
        let body = json!({
            "username": "jane@example.com",
            "password": "Password1",
            "nested": [{"Token": "opaque"}],
            "echo": "got eyJhbGciOi.payload.sig back"
        });
        let red = r.redact_json(&body);
        assert_eq!(red["password"], REDACTED);
        assert_eq!(red["nested"][0]["Token"], REDACTED);
        assert_eq!(red["echo"], "got [redacted] back");
        assert_eq!(red["username"], "jane@example.com");
    }

    #[test]
    fn writer_redacts_secrets_split_across_writes() {
        let r = Redactor::new();
        r.register_value("split-secret-value");
        let mut out = Vec::new();
        {
            let mut w = r.writer(&mut out);
            w.write_all(b"before split-sec").unwrap();
            w.write_all(b"ret-value after\n").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "before [redacted] after\n");
    }
}
