//! Secrets and the one redaction sink every output passes through.
//!
//! A [`Secret`] cannot be printed by accident: its `Debug` and `Display` say `[redacted]`.
//! Every secret value the run knows (configured credentials, passwords it generated, tokens it
//! received) is registered with the [`Redactor`], which scrubs console lines, reports and
//! error messages by value; [`redact_json`] also scrubs by key name, for values the run never
//! saw before (a token in a response it did not ask for).

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde_json::Value;

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
        if value.len() < MIN_REDACTABLE_LEN {
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

    /// Replaces every known secret value in `text`.
    pub fn redact(&self, text: &str) -> String {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        let mut spans: Vec<(usize, usize)> = known
            .matchers()
            .flat_map(|matcher| matcher.find_overlapping_iter(text))
            .map(|m| (m.start(), m.end()))
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

/// A line-buffered writer that redacts each line before passing it on, so a secret split across
/// two `write` calls is still caught (no secret contains a newline).
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Redactor,
    pending: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    fn write_complete_lines(&mut self) -> io::Result<()> {
        while let Some(pos) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            let text = String::from_utf8_lossy(&line);
            self.inner.write_all(self.redactor.redact(&text).as_bytes())?;
        }
        Ok(())
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
