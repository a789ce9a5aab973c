//! Secrets and the one redaction sink every output passes through.
//!
//! A [`Secret`] cannot be printed by accident: its `Debug` and `Display` say `[redacted]`.
//! Every secret value the run knows (configured credentials, passwords it generated, tokens it
//! received) is registered with the [`Redactor`], which scrubs console lines, reports and
//! error messages by value; [`redact_json`] also scrubs by key name, for values the run never
//! saw before (a token in a response it did not ask for). The secrets a run makes by the
//! hundred, generated passwords and JWTs ([`crate::token_shape`]), are recognised by their shape
//! instead.
//!
//! A registered value is hidden only where it stands as a whole token, and structured outputs
//! (JSON, XML) are redacted inside their values, never on their serialized text: a secret that
//! happens to occur inside a number, a timestamp or an id must not rewrite it, and a
//! replacement must never break the document's syntax.

use std::borrow::Cow;
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

    /// Replaces every known secret value that stands as a whole token ([`stands_alone`]), and
    /// everything with a secret's shape, in `text`.
    pub fn redact(&self, text: &str) -> String {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let mut spans: Vec<(usize, usize)> = known
            .matchers()
            .flat_map(|matcher| matcher.find_overlapping_iter(text))
            .map(|m| (m.start(), m.end()))
            .filter(|&(start, end)| stands_alone(text, start, end))
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

    /// Redacts a serialized JSON document inside its strings (keys and values) only.
    ///
    /// Each string literal is decoded, redacted, and re-encoded only if it changed; everything
    /// between literals (numbers, punctuation, key order, spacing) is copied as it was, so the
    /// output is valid JSON of the same shape whatever a secret looks like.
    pub fn redact_json_text(&self, json: &str) -> io::Result<String> {
        // A valid document is what makes the scan below sound: outside a literal, every `"`
        // opens one, and inside, `\` escapes the next byte.
        serde_json::from_str::<serde::de::IgnoredAny>(json).map_err(io::Error::other)?;
        let bytes = json.as_bytes();
        let mut out = String::with_capacity(json.len());
        let (mut cursor, mut i) = (0, 0);
        while i < bytes.len() {
            if bytes[i] != b'"' {
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            while bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            let literal = &json[start..i];
            let value: Cow<str> = if literal.contains('\\') {
                Cow::Owned(serde_json::from_str(literal).map_err(io::Error::other)?)
            } else {
                Cow::Borrowed(&literal[1..literal.len() - 1])
            };
            let redacted = self.redact(&value);
            if redacted != value {
                out.push_str(&json[cursor..start]);
                out.push_str(&serde_json::to_string(&redacted).map_err(io::Error::other)?);
                cursor = i;
            }
        }
        out.push_str(&json[cursor..]);
        Ok(out)
    }

    /// Redacts an XML document inside its text, CDATA, comments and attribute values only.
    ///
    /// Values are decoded, redacted, and re-escaped only if they changed; markup is copied as
    /// it was, so the output is well-formed XML of the same shape whatever a secret looks like.
    pub fn redact_xml(&self, xml: &str) -> io::Result<String> {
        use quick_xml::events::{BytesCData, BytesText, Event};

        let mut reader = quick_xml::Reader::from_str(xml);
        let mut writer = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
        // The reader splits text at every entity reference, and a secret may span the pieces:
        // a whole run of text is gathered, decoded to be redacted and as written to be kept.
        let (mut text, mut escaped) = (String::new(), String::new());
        loop {
            match reader.read_event().map_err(io::Error::other)? {
                Event::Text(piece) => {
                    let piece = piece.decode().map_err(io::Error::other)?;
                    text.push_str(&piece);
                    escaped.push_str(&piece);
                    continue;
                }
                Event::GeneralRef(reference) => {
                    let name = reference.decode().map_err(io::Error::other)?;
                    match reference.resolve_char_ref().map_err(io::Error::other)? {
                        Some(c) => text.push(c),
                        None => text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&name)
                                .ok_or_else(|| io::Error::other(format!("unknown entity &{name};")))?,
                        ),
                    }
                    escaped.push_str(&format!("&{name};"));
                    continue;
                }
                event => {
                    if !text.is_empty() {
                        let redacted = self.redact(&text);
                        let piece = if redacted == text {
                            BytesText::from_escaped(escaped.as_str())
                        } else {
                            BytesText::new(&redacted)
                        };
                        writer.write_event(Event::Text(piece))?;
                        text.clear();
                        escaped.clear();
                    }
                    let event = match event {
                        Event::Start(element) => Event::Start(self.redact_attributes(element)?),
                        Event::Empty(element) => Event::Empty(self.redact_attributes(element)?),
                        Event::CData(data) => {
                            let data = data.decode().map_err(io::Error::other)?;
                            let redacted = self.redact(&data);
                            // A replacement next to `]>` could close the section early; as
                            // escaped text it reads the same.
                            if redacted.contains("]]>") {
                                Event::Text(BytesText::new(&redacted).into_owned())
                            } else {
                                Event::CData(BytesCData::new(redacted))
                            }
                        }
                        // `[redacted]` holds no `-`, so it cannot make a `--` that ends a comment.
                        Event::Comment(comment) => {
                            let comment = comment.decode().map_err(io::Error::other)?;
                            Event::Comment(BytesText::from_escaped(self.redact(&comment)))
                        }
                        Event::Eof => break,
                        other => other,
                    };
                    writer.write_event(event)?;
                }
            }
        }
        String::from_utf8(writer.into_inner()).map_err(io::Error::other)
    }

    /// The element with its attribute values redacted; unchanged if no value holds a secret.
    fn redact_attributes<'a>(
        &self,
        element: quick_xml::events::BytesStart<'a>,
    ) -> io::Result<quick_xml::events::BytesStart<'a>> {
        let mut attributes = Vec::new();
        let mut changed = false;
        for attribute in element.attributes() {
            let attribute = attribute.map_err(io::Error::other)?;
            let key = String::from_utf8(attribute.key.as_ref().to_vec()).map_err(io::Error::other)?;
            // Normalized as every XML reader sees it (entities resolved, line breaks as spaces).
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(io::Error::other)?;
            let redacted = self.redact(&value);
            changed |= redacted != value;
            attributes.push((key, redacted));
        }
        if !changed {
            return Ok(element);
        }
        let name = String::from_utf8(element.name().as_ref().to_vec()).map_err(io::Error::other)?;
        let mut redacted = quick_xml::events::BytesStart::new(name);
        for (key, value) in &attributes {
            redacted.push_attribute((key.as_str(), value.as_str()));
        }
        Ok(redacted)
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

/// Whether the match `start..end` in `text` stands as a whole token: not inside a longer run
/// of letters or digits. Registered `1234` is hidden in `pw=1234;`, but `912345` is another
/// number (an id, a timestamp, a duration) that happens to contain it, and stays as it is.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let joins = |a: Option<char>, b: Option<char>| {
        a.zip(b)
            .is_some_and(|(a, b)| a.is_alphanumeric() && b.is_alphanumeric())
    };
    let secret = &text[start..end];
    !joins(text[..start].chars().next_back(), secret.chars().next())
        && !joins(secret.chars().next_back(), text[end..].chars().next())
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
    fn a_secret_is_hidden_only_where_it_stands_as_a_whole_token() {
        let r = Redactor::new();
        r.register_value("1234");
        assert_eq!(
            r.redact("pw=1234; \"1234\" (1234)"),
            "pw=[redacted]; \"[redacted]\" ([redacted])"
        );
        assert_eq!(
            r.redact("id 912345, abc1234def, 1234x, é1234"),
            "id 912345, abc1234def, 1234x, é1234"
        );
        // The edge that is not a letter or digit needs no boundary.
        r.register_value("-key!");
        assert_eq!(r.redact("a-key!b"), "a[redacted]b");
    }

    /// The measured bug: a secret inside a number rewrote it, and the exchange log was no
    /// longer JSON.
    #[test]
    fn json_is_redacted_inside_its_strings_only() {
        let r = Redactor::new();
        r.register_value("1234");
        r.register_value("a/b\"c");
        let line = r#"{"elapsed_ms":12347,"n":1234,"url":"/x?otp=1234","note":"a\/b\"c","1234":"912345"}"#;
        let redacted = r.redact_json_text(line).unwrap();
        assert_eq!(
            redacted,
            r#"{"elapsed_ms":12347,"n":1234,"url":"/x?otp=[redacted]","note":"[redacted]","[redacted]":"912345"}"#
        );
        assert!(r.redact_json_text("{\"a\":").is_err(), "not JSON: refused, not guessed");
    }

    #[test]
    fn xml_is_redacted_inside_text_and_attributes_only() {
        let r = Redactor::new();
        r.register_value("a&b<c");
        r.register_value("1234");
        let xml = concat!(
            r#"<?xml version="1.0"?><t n="1234" m="x a&amp;b&lt;c" id="912345">"#,
            r#"x a&amp;b&lt;c y<![CDATA[1234]>]]><!-- 1234 --></t>"#
        );
        assert_eq!(
            r.redact_xml(xml).unwrap(),
            concat!(
                r#"<?xml version="1.0"?><t n="[redacted]" m="x [redacted]" id="912345">"#,
                r#"x [redacted] y[redacted]]&gt;<!-- [redacted] --></t>"#
            )
        );
        let untouched = r#"<t a="9123456" b='&quot;'>x &amp; &#65;</t>"#;
        assert_eq!(r.redact_xml(untouched).unwrap(), untouched);
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
