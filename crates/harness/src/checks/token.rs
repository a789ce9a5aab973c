//! Token format checks (CONTRACT.md §5.4): a 2.4.4+ JWT (HS256 JWS, header exactly the keys
//! `kid` and `alg`, as in `{"kid":"1","alg":"HS256"}`; claims `uid`, `utypid`, `iat`, `exp`) or a
//! legacy opaque token of 32 characters from `[0-9a-z]`, as the tutorial shows.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The user type id in a JWT's `utypid` claim (§1.5).
pub const USER_TYPE_CUSTOMER: i64 = 3;
pub const USER_TYPE_ADMIN: i64 = 2;

/// What kind of token the store issued. The run reports it: the tutorial shows an opaque
/// token, 2.4.4+ issues JWTs (§10).
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Jwt { header: Value, claims: JwtClaims },
    Opaque,
}

impl TokenKind {
    /// What the run reports under "Observed": the format, and for a JWT its kid, which tells a
    /// store whose encryption key was rotated (STORES.md U14).
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Jwt { header, claims } => {
                let kid = header.get("kid").and_then(Value::as_str).unwrap_or("?");
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
        "the JWT header is {received}, expected exactly the keys kid (a key number such as \"1\") and alg \"HS256\", as in {{\"kid\":\"1\",\"alg\":\"HS256\"}}"
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
        other => format!("the {} {}", super::json_path::type_name(other), other),
    }
}

/// Tells a JWT from an opaque token and decodes the JWT's header and claims. The failure
/// message describes the token's shape, never its value.
pub fn classify(token: &str) -> Result<TokenKind, TokenFailure> {
    if token.len() == 32 && token.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()) {
        return Ok(TokenKind::Opaque);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let is_b64url = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if parts.len() != 3 || !parts.iter().all(|p| is_b64url(p)) {
        return Err(TokenFailure::UnknownFormat(format!(
            "{} characters in {} dot-separated part(s)",
            token.chars().count(),
            parts.len()
        )));
    }
    let header = decode_part(parts[0], "header")?;
    let claims_json = decode_part(parts[1], "payload")?;
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

/// Magento's JwsManager writes exactly `kid` and `alg` (§5.4). The kid is the 1-based position
/// of the signing key in `crypt/key`: `"1"` on most stores, higher after a key rotation on the
/// patch levels that sign with the last key (STORES.md U14).
fn is_magento_header(header: &Value) -> bool {
    header.as_object().is_some_and(|h| {
        h.len() == 2
            && h.get("alg") == Some(&Value::from("HS256"))
            && h.get("kid").and_then(Value::as_str).is_some_and(is_key_position)
    })
}

/// A positive decimal integer as PHP writes one: `"1"`, `"12"`; not `"0"`, `"01"` or `"+1"`.
fn is_key_position(kid: &str) -> bool {
    kid.starts_with(|c: char| ('1'..='9').contains(&c)) && kid.chars().all(|c| c.is_ascii_digit())
}

fn decode_part(part: &str, name: &'static str) -> Result<Value, TokenFailure> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenFailure::Undecodable { part: name })?;
    serde_json::from_slice(&bytes).map_err(|_| TokenFailure::Undecodable { part: name })
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
        if !is_magento_header(header) {
            return Err(TokenFailure::Header {
                received: serde_json::to_string(header).unwrap_or_default(),
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

    fn jwt(header: Value, claims: Value) -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    fn magento_header() -> Value {
        serde_json::from_str(r#"{"kid":"1","alg":"HS256"}"#).unwrap()
    }

    #[test]
    fn magento_header_encodes_as_documented() {
        assert_eq!(
            URL_SAFE_NO_PAD.encode(r#"{"kid":"1","alg":"HS256"}"#),
            "eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ"
        );
    }

    #[test]
    fn accepts_a_magento_customer_jwt() {
        let token = jwt(
            magento_header(),
            json!({"uid": 7, "utypid": 3, "iat": 1000, "exp": 4600}),
        );
        let kind = check_issued_token(&token, Some(7), USER_TYPE_CUSTOMER, 60).unwrap();
        assert!(kind.describe().starts_with("JWT"));
    }

    #[test]
    fn accepts_the_tutorial_opaque_token() {
        let kind = check_issued_token("q0u66k8h42yaevtchv09uyy3y9gaj2ap", Some(7), USER_TYPE_CUSTOMER, 60).unwrap();
        assert_eq!(kind, TokenKind::Opaque);
    }

    #[test]
    fn rejects_wrong_claims_by_name() {
        let wrong_uid = jwt(magento_header(), json!({"uid": 8, "utypid": 3, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&wrong_uid, Some(7), 3, 60),
            Err(TokenFailure::Claim { claim: "uid", .. })
        ));
        let admin = jwt(magento_header(), json!({"uid": 7, "utypid": 2, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&admin, Some(7), 3, 60),
            Err(TokenFailure::Claim { claim: "utypid", .. })
        ));
        let long = jwt(magento_header(), json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 7200}));
        let err = check_issued_token(&long, Some(7), 3, 60).unwrap_err().to_string();
        assert!(err.contains("7200 s") && err.contains("3600 s"), "{err}");
        let no_exp = jwt(magento_header(), json!({"uid": 7, "utypid": 3, "iat": 0}));
        assert_eq!(
            check_issued_token(&no_exp, Some(7), 3, 60),
            Err(TokenFailure::MissingClaim { claim: "exp" })
        );
    }

    #[test]
    fn rejects_a_generic_jwt_header() {
        let token = jwt(
            json!({"alg": "HS256", "typ": "JWT"}),
            json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 3600}),
        );
        assert!(matches!(
            check_issued_token(&token, Some(7), 3, 60),
            Err(TokenFailure::Header { .. })
        ));
    }

    fn customer_jwt(header: Value) -> String {
        jwt(header, json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 3600}))
    }

    /// A store whose key was rotated once signs with its second key (STORES.md U14).
    #[test]
    fn accepts_any_key_position_as_kid_and_reports_it() {
        for kid in ["1", "2", "12"] {
            let token = customer_jwt(json!({"kid": kid, "alg": "HS256"}));
            let kind = check_issued_token(&token, Some(7), 3, 60).unwrap_or_else(|e| panic!("kid {kid}: {e}"));
            assert!(kind.describe().contains(&format!("kid {kid};")), "{}", kind.describe());
        }
        let stock = check_issued_token(&customer_jwt(magento_header()), Some(7), 3, 60).unwrap();
        assert!(!stock.describe().contains("rotated"), "{}", stock.describe());
        let rotated = check_issued_token(&customer_jwt(json!({"kid": "2", "alg": "HS256"})), Some(7), 3, 60).unwrap();
        let text = rotated.describe();
        assert!(text.contains("rotated") && text.contains("2.4.7-p2"), "{text}");
    }

    #[test]
    fn rejects_a_kid_that_is_no_key_position() {
        for header in [
            json!({"kid": "0", "alg": "HS256"}),
            json!({"kid": "01", "alg": "HS256"}),
            json!({"kid": "+1", "alg": "HS256"}),
            json!({"kid": "", "alg": "HS256"}),
            json!({"kid": "a", "alg": "HS256"}),
            json!({"kid": 1, "alg": "HS256"}),
            json!({"kid": "1", "alg": "HS384"}),
            json!({"kid": "1", "alg": "HS256", "typ": "JWT"}),
            json!({"alg": "HS256"}),
        ] {
            let token = customer_jwt(header.clone());
            assert!(
                matches!(
                    check_issued_token(&token, Some(7), 3, 60),
                    Err(TokenFailure::Header { .. })
                ),
                "{header} must be refused"
            );
        }
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
