//! What a Magento access token looks like, defined once: a JWT (`eyJ`, then three base64url
//! segments joined by dots) or a legacy opaque token (32 characters from `[0-9a-z]`).
//!
//! The redactor hides every value of these shapes without registering it ([`crate::secrets`]);
//! the checks classify, compare and redact tokens by them ([`crate::checks`]). It imports
//! nothing, so both may use it.

/// How every JWT starts: `{"`, the first two bytes of its JSON header, in base64url.
pub const JWT_PREFIX: &str = "eyJ";

/// A byte of a base64url segment (RFC 4648 §5, unpadded, as JWS compact serialisation uses).
pub fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The header, payload and signature of a compact JWS: exactly three non-empty base64url
/// segments, whatever they decode to.
pub fn jwt_segments(s: &str) -> Option<[&str; 3]> {
    let mut parts = s.split('.');
    let segments = [parts.next()?, parts.next()?, parts.next()?];
    let well_formed = segments.iter().all(|p| !p.is_empty() && p.bytes().all(is_base64url));
    (parts.next().is_none() && well_formed).then_some(segments)
}

/// A JWT: three segments, the header a JSON object.
pub fn looks_like_jwt(s: &str) -> bool {
    s.starts_with(JWT_PREFIX) && jwt_segments(s).is_some()
}

/// The length of the JWT that `text` starts with, if it starts with one, for finding tokens
/// inside longer text. A fourth segment is not part of it: two tokens written back to back
/// are two matches.
pub fn jwt_len_at(text: &str) -> Option<usize> {
    let run = text.bytes().take_while(|b| is_base64url(*b) || *b == b'.').count();
    let end = text[..run].match_indices('.').nth(2).map_or(run, |(dot, _)| dot);
    looks_like_jwt(&text[..end]).then_some(end)
}

/// An access token of either kind, which outputs show by its format, never its value.
pub fn looks_like_token(s: &str) -> bool {
    looks_like_jwt(s) || looks_like_opaque_token(s)
}

/// A token of Magento before 2.4.4 (or with Magento_JwtUserToken off), as the tutorial shows.
pub fn looks_like_opaque_token(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KID_1: &str = "eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ.eyJ1aWQiOjZ9.c2ln";

    #[test]
    fn a_jwt_is_three_base64url_segments_behind_a_json_header() {
        assert!(looks_like_jwt(KID_1));
        assert!(looks_like_jwt("eyJhbGciOi.eyJ1aWQi.c2ln"));
        assert!(!looks_like_jwt("eyJhbGciOiJIUzI1NiJ9"), "one segment");
        assert!(!looks_like_jwt(&format!("{KID_1}.more")), "four segments");
        assert!(!looks_like_jwt("eyJa..c2ln"), "an empty segment");
        assert!(!looks_like_jwt("eyJa.b=.c"), "padding");
        assert!(!looks_like_jwt("abc.def.ghi"), "no JSON header");
        assert_eq!(jwt_segments("abc.def.ghi"), Some(["abc", "def", "ghi"]));
    }

    #[test]
    fn a_jwt_is_found_at_the_start_of_text() {
        assert_eq!(jwt_len_at(&format!("{KID_1}\" and more")), Some(KID_1.len()));
        assert_eq!(jwt_len_at(&format!("{KID_1}.{KID_1}")), Some(KID_1.len()));
        assert_eq!(jwt_len_at("eyJ is base64 for {\""), None);
        assert_eq!(jwt_len_at("eyJa.b."), None);
    }

    #[test]
    fn an_opaque_token_is_32_lowercase_letters_and_digits() {
        assert!(looks_like_opaque_token("q0u66k8h42yaevtchv09uyy3y9gaj2ap"));
        assert!(!looks_like_opaque_token("Q0U66K8H42YAEVTCHV09UYY3Y9GAJ2AP"));
        assert!(!looks_like_opaque_token("q0u66k8h42yaevtchv09uyy3y9gaj2a"));
        assert!(looks_like_token("q0u66k8h42yaevtchv09uyy3y9gaj2ap") && looks_like_token(KID_1));
        assert!(!looks_like_token("Default Store View"));
    }
}
