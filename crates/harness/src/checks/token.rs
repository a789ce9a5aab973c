//! Token format checks (CONTRACT.md §5.4): a 2.4.4+ JWT (HS256 JWS whose header is exactly
//! `{"kid":"1","alg":"HS256"}`, key order and all; claims `uid`, `utypid`, `iat`, `exp`) or a
//! legacy opaque token of 32 characters from `[0-9a-z]`, as the tutorial shows.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::json_path::type_name;
use crate::token_shape::{jwt_segments, looks_like_opaque_token};

/// The user type id in a JWT's `utypid` claim (§1.5).
pub const USER_TYPE_CUSTOMER: i64 = 3;
pub const USER_TYPE_ADMIN: i64 = 2;

/// What kind of token the store issued. The run reports it: the tutorial shows an opaque
/// token, 2.4.4+ issues JWTs (§10).
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// `header` is the header segment's JSON text exactly as the store wrote it: parsed into a
    /// map, its key order would be lost.
    Jwt {
        header: String,
        claims: JwtClaims,
    },
    Opaque,
}

impl TokenKind {
    /// What the run reports under "Observed": the format, and for a JWT its kid, which tells a
    /// store whose encryption key was rotated (STORES.md U14).
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Jwt { header, claims } => {
                let kid = magento_kid(header).unwrap_or("?");
                let rotated = if kid == "1" {
                    String::new()
                } else {
                    format!(
                        "; kid {kid} means the store signs with key {kid} of its crypt/key list: its encryption key was rotated, on a patch level before the single-key fix (2.4.4-p10, 2.4.5-p9, 2.4.6-p7, 2.4.7-p2, 2.4.8)"
                    )
                };
                format!(
                    "JWT (HS256, kid {kid}; utypid {}, lifetime {} s) as issued by Magento 2.4.4+{rotated}",
                    claims.utypid,
                    claims.exp - claims.iat
                )
            }
            TokenKind::Opaque => "legacy 32-character opaque token, as in the tutorial (Magento before 2.4.4, or Magento_JwtUserToken disabled)".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JwtClaims {
    pub uid: i64,
    pub utypid: i64,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenFailure {
    #[error("expected the token as a bare JSON string, received {0}")]
    NotAString(String),
    #[error("the token is neither a JWT (3 dot-separated base64url parts) nor a 32-character [0-9a-z] token: {0}")]
    UnknownFormat(String),
    #[error("the JWT's {part} is not base64url-encoded JSON")]
    Undecodable { part: &'static str },
    #[error(
        "the JWT header is {received}, expected exactly {{\"kid\":\"<n>\",\"alg\":\"HS256\"}} as Magento's JwsManager writes it: kid first, then alg, no other key or space, <n> a key number such as 1"
    )]
    Header { received: String },
    #[error("the JWT claim {claim:?} is missing or not an integer")]
    MissingClaim { claim: &'static str },
    #[error("the JWT claim {claim} is {received}, expected {expected}")]
    Claim {
        claim: &'static str,
        expected: String,
        received: String,
    },
}

/// Parses a token response body (a JSON string literal, §1.4) into the token.
pub fn token_from_body(body: &Value) -> Result<&str, TokenFailure> {
    match body {
        Value::String(token) => Ok(token),
        other => Err(TokenFailure::NotAString(describe_value(other))),
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Object(map) => format!("an object with keys {:?}", map.keys().collect::<Vec<_>>()),
        Value::Array(_) => "an array".into(),
        Value::Null => "null".into(),
        other => format!("the {} {}", type_name(other), other),
    }
}

/// Tells a JWT from an opaque token and decodes the JWT's header and claims. The failure
/// message describes the token's shape, never its value.
pub fn classify(token: &str) -> Result<TokenKind, TokenFailure> {
    if looks_like_opaque_token(token) {
        return Ok(TokenKind::Opaque);
    }
    let Some([header, payload, _signature]) = jwt_segments(token) else {
        return Err(TokenFailure::UnknownFormat(format!(
            "{} characters in {} dot-separated part(s)",
            token.chars().count(),
            token.split('.').count()
        )));
    };
    let header = decode_part(header, "header")?;
    serde_json::from_str::<Value>(&header).map_err(|_| TokenFailure::Undecodable { part: "header" })?;
    let claims_json: Value = serde_json::from_str(&decode_part(payload, "payload")?)
        .map_err(|_| TokenFailure::Undecodable { part: "payload" })?;
    let claim = |name: &'static str| {
        claims_json
            .get(name)
            .and_then(Value::as_i64)
            .ok_or(TokenFailure::MissingClaim { claim: name })
    };
    let claims = JwtClaims {
        uid: claim("uid")?,
        utypid: claim("utypid")?,
        iat: claim("iat")?,
        exp: claim("exp")?,
    };
    Ok(TokenKind::Jwt { header, claims })
}

/// The kid of a header exactly as Magento's JwsManager writes it, `{"kid":"<n>","alg":"HS256"}`
/// (§5.4): the text, not a parsed map, so that the key order is checked too. The kid is the
/// 1-based position of the signing key in `crypt/key`: `"1"` on most stores, higher after a key
/// rotation on the patch levels that sign with the last key (STORES.md U14).
fn magento_kid(header: &str) -> Option<&str> {
    header
        .strip_prefix(r#"{"kid":""#)?
        .strip_suffix(r#"","alg":"HS256"}"#)
        .filter(|kid| is_key_position(kid))
}

/// A positive decimal integer as PHP writes one: `"1"`, `"12"`; not `"0"`, `"01"` or `"+1"`.
fn is_key_position(kid: &str) -> bool {
    kid.starts_with(|c: char| ('1'..='9').contains(&c)) && kid.chars().all(|c| c.is_ascii_digit())
}

/// A segment's text: base64url-decoded UTF-8.
fn decode_part(part: &str, name: &'static str) -> Result<String, TokenFailure> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenFailure::Undecodable { part: name })?;
    String::from_utf8(bytes).map_err(|_| TokenFailure::Undecodable { part: name })
}

/// Checks a token issued for `user_id` of type `user_type`, with the configured lifetime.
pub fn check_issued_token(
    token: &str,
    user_id: Option<i64>,
    user_type: i64,
    lifetime_minutes: i64,
) -> Result<TokenKind, TokenFailure> {
    let kind = classify(token)?;
    if let TokenKind::Jwt { header, claims } = &kind {
        if magento_kid(header).is_none() {
            return Err(TokenFailure::Header {
                received: header.clone(),
            });
        }
        if let Some(uid) = user_id
            && claims.uid != uid
        {
            return Err(TokenFailure::Claim {
                claim: "uid",
                expected: format!("{uid} (the customer's id)"),
                received: claims.uid.to_string(),
            });
        }
        if claims.utypid != user_type {
            return Err(TokenFailure::Claim {
                claim: "utypid",
                expected: user_type.to_string(),
                received: claims.utypid.to_string(),
            });
        }
        let lifetime = claims.exp - claims.iat;
        if lifetime != lifetime_minutes * 60 {
            return Err(TokenFailure::Claim {
                claim: "exp - iat",
                expected: format!(
                    "{} s (the configured {lifetime_minutes}-minute lifetime)",
                    lifetime_minutes * 60
                ),
                received: format!("{lifetime} s"),
            });
        }
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A token whose header segment is exactly `header`: `json!` would sort its keys.
    fn jwt(header: &str, claims: Value) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    const MAGENTO_HEADER: &str = r#"{"kid":"1","alg":"HS256"}"#;

    #[test]
    fn magento_header_encodes_as_documented() {
        assert_eq!(
            URL_SAFE_NO_PAD.encode(MAGENTO_HEADER),
            "eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ"
        );
    }

    #[test]
    fn accepts_a_magento_customer_jwt() {
        let token = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 1000, "exp": 4600}));
        let kind = check_issued_token(&token, Some(7), USER_TYPE_CUSTOMER, 60).unwrap();
        assert!(kind.describe().starts_with("JWT"));
        assert!(matches!(kind, TokenKind::Jwt { header, .. } if header == MAGENTO_HEADER));
    }

    #[test]
    fn accepts_the_tutorial_opaque_token() {
        let kind = check_issued_token("q0u66k8h42yaevtchv09uyy3y9gaj2ap", Some(7), USER_TYPE_CUSTOMER, 60).unwrap();
        assert_eq!(kind, TokenKind::Opaque);
    }

    #[test]
    fn rejects_wrong_claims_by_name() {
        let wrong_uid = jwt(MAGENTO_HEADER, json!({"uid": 8, "utypid": 3, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&wrong_uid, Some(7), 3, 60),
            Err(TokenFailure::Claim { claim: "uid", .. })
        ));
        let admin = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 2, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&admin, Some(7), 3, 60),
            Err(TokenFailure::Claim { claim: "utypid", .. })
        ));
        let long = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 7200}));
        let err = check_issued_token(&long, Some(7), 3, 60).unwrap_err().to_string();
        assert!(err.contains("7200 s") && err.contains("3600 s"), "{err}");
        let no_exp = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 0}));
        assert_eq!(
            check_issued_token(&no_exp, Some(7), 3, 60),
            Err(TokenFailure::MissingClaim { claim: "exp" })
        );
    }

    fn customer_jwt(header: &str) -> String {
        jwt(header, json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 3600}))
    }

    /// The jwt-generic-header fault: the failure shows the header as the store wrote it.
    #[test]
    fn rejects_a_generic_jwt_header_showing_it() {
        let header = r#"{"alg":"HS256","typ":"JWT"}"#;
        assert_eq!(
            check_issued_token(&customer_jwt(header), Some(7), 3, 60),
            Err(TokenFailure::Header {
                received: header.to_owned()
            })
        );
    }

    /// The same two keys in the other order are not Magento's header: JwsManager writes kid
    /// first, and a parsed map could not tell.
    #[test]
    fn rejects_alg_before_kid() {
        let swapped = r#"{"alg":"HS256","kid":"1"}"#;
        let failure = check_issued_token(&customer_jwt(swapped), Some(7), 3, 60).unwrap_err();
        assert_eq!(
            failure.to_string(),
            r#"the JWT header is {"alg":"HS256","kid":"1"}, expected exactly {"kid":"<n>","alg":"HS256"} as Magento's JwsManager writes it: kid first, then alg, no other key or space, <n> a key number such as 1"#
        );
        assert!(magento_kid(MAGENTO_HEADER).is_some() && magento_kid(swapped).is_none());
    }

    /// A store whose key was rotated once signs with its second key (STORES.md U14).
    #[test]
    fn accepts_any_key_position_as_kid_and_reports_it() {
        for kid in ["1", "2", "12"] {
            let token = customer_jwt(&format!(r#"{{"kid":"{kid}","alg":"HS256"}}"#));
            let kind = check_issued_token(&token, Some(7), 3, 60).unwrap_or_else(|e| panic!("kid {kid}: {e}"));
            assert!(kind.describe().contains(&format!("kid {kid};")), "{}", kind.describe());
        }
        let stock = check_issued_token(&customer_jwt(MAGENTO_HEADER), Some(7), 3, 60).unwrap();
        assert!(!stock.describe().contains("rotated"), "{}", stock.describe());
        let rotated = check_issued_token(&customer_jwt(r#"{"kid":"2","alg":"HS256"}"#), Some(7), 3, 60).unwrap();
        let text = rotated.describe();
        assert!(text.contains("rotated") && text.contains("2.4.7-p2"), "{text}");
    }

    #[test]
    fn rejects_a_kid_that_is_no_key_position_and_any_other_header_text() {
        for header in [
            r#"{"kid":"0","alg":"HS256"}"#,
            r#"{"kid":"01","alg":"HS256"}"#,
            r#"{"kid":"+1","alg":"HS256"}"#,
            r#"{"kid":"","alg":"HS256"}"#,
            r#"{"kid":"a","alg":"HS256"}"#,
            r#"{"kid":"1\",\"x\":\"1","alg":"HS256"}"#,
            r#"{"kid":1,"alg":"HS256"}"#,
            r#"{"kid":"1","alg":"HS384"}"#,
            r#"{"kid":"1","alg":"HS256","typ":"JWT"}"#,
            r#"{"kid": "1", "alg": "HS256"}"#,
            r#"{"kid":"1","alg":"HS256"} "#,
            r#"{"alg":"HS256"}"#,
        ] {
            assert!(
                matches!(
                    check_issued_token(&customer_jwt(header), Some(7), 3, 60),
                    Err(TokenFailure::Header { .. })
                ),
                "{header} must be refused"
            );
        }
    }

    #[test]
    fn a_header_that_is_not_json_text_is_undecodable() {
        for header in ["not json", "{\"kid\":", "\u{fffd}"] {
            assert_eq!(
                classify(&customer_jwt(header)),
                Err(TokenFailure::Undecodable { part: "header" }),
                "{header}"
            );
        }
        let latin1 = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(b"{\"kid\":\"\xe9\"}"),
            URL_SAFE_NO_PAD.encode("{}")
        );
        assert_eq!(classify(&latin1), Err(TokenFailure::Undecodable { part: "header" }));
    }

    #[test]
    fn rejects_other_shapes_without_echoing_the_token() {
        let err = classify("Q0U66K8H42YAEVTCHV09UYY3Y9GAJ2AP").unwrap_err().to_string();
        assert!(err.contains("32 characters in 1"), "{err}");
        assert!(!err.contains("Q0U66"), "{err}");
        assert!(matches!(classify(""), Err(TokenFailure::UnknownFormat(_))));
        assert!(matches!(
            classify("a.b.c"),
            Err(TokenFailure::Undecodable { part: "header" })
        ));
    }

    #[test]
    fn token_body_must_be_a_bare_string() {
        assert_eq!(token_from_body(&json!("abc")), Ok("abc"));
        let err = token_from_body(&json!({"token": "abc"})).unwrap_err().to_string();
        assert!(err.contains("object with keys [\"token\"]"), "{err}");
    }
}
