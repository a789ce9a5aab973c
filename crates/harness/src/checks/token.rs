//! Token format checks (CONTRACT.md §5.4): a 2.4.4+ JWT (an HMAC JWS whose header is exactly
//! `{"kid":"1","alg":"HS256"}`, key order and all; claims `uid`, `utypid`, `iat`, `exp`), a
//! 5-segment JWE (`webapi/jwtauth/jwt_alg` set to an encryption algorithm, STORES.md R1), or a
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
    /// An encrypted token: only its shape and its protected header can be checked.
    Jwe {
        header: String,
    },
    Opaque,
}

/// The HMAC algorithms `webapi/jwtauth/jwt_alg` offers for a JWS (STORES.md R1); HS256 is
/// Magento's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlg {
    Hs256,
    Hs384,
    Hs512,
}

impl JwtAlg {
    pub const ALL: [JwtAlg; 3] = [JwtAlg::Hs256, JwtAlg::Hs384, JwtAlg::Hs512];

    pub fn name(self) -> &'static str {
        match self {
            JwtAlg::Hs256 => "HS256",
            JwtAlg::Hs384 => "HS384",
            JwtAlg::Hs512 => "HS512",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }
}

/// The lifetime (`exp - iat`, seconds) every customer token must have (STORES.md U2).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Lifetime {
    /// Nothing configured and no token seen yet: any whole number of minutes.
    #[default]
    Unknown,
    /// `MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES`.
    Configured(i64),
    /// The run's first token's.
    FirstToken(i64),
}

/// What the run holds every customer token to, besides its user.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TokenExpectation {
    pub lifetime: Lifetime,
    /// `MAGENTO_JWT_ALG`, or the first token's; `None`: any HMAC algorithm Magento offers.
    pub alg: Option<JwtAlg>,
}

impl TokenExpectation {
    /// The configured lifetime in minutes, or `None` to take the first token's.
    pub fn new(lifetime_minutes: Option<i64>, alg: Option<JwtAlg>) -> Self {
        Self {
            lifetime: lifetime_minutes.map_or(Lifetime::Unknown, |minutes| Lifetime::Configured(minutes * 60)),
            alg,
        }
    }
}

impl TokenKind {
    /// A JWS's lifetime, `exp - iat` in seconds.
    pub fn lifetime_seconds(&self) -> Option<i64> {
        match self {
            TokenKind::Jwt { claims, .. } => Some(claims.exp - claims.iat),
            _ => None,
        }
    }

    /// A JWS's `alg` as its header names it.
    pub fn alg(&self) -> Option<JwtAlg> {
        match self {
            TokenKind::Jwt { header, .. } => magento_header(header).map(|(_, alg)| alg),
            _ => None,
        }
    }

    /// What the run reports under "Observed": the format, and for a JWT its kid, which tells a
    /// store whose encryption key was rotated (STORES.md U14).
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Jwt { header, claims } => {
                let (kid, alg) = magento_header(header).map_or(("?", "?"), |(kid, alg)| (kid, alg.name()));
                let rotated = if kid == "1" {
                    String::new()
                } else {
                    format!(
                        "; kid {kid} means the store signs with key {kid} of its crypt/key list: its encryption key was rotated, on a patch level before the single-key fix (2.4.4-p10, 2.4.5-p9, 2.4.6-p7, 2.4.7-p2, 2.4.8)"
                    )
                };
                format!(
                    "JWT ({alg}, kid {kid}; utypid {}, lifetime {} s) as issued by Magento 2.4.4+{rotated}",
                    claims.utypid,
                    claims.exp - claims.iat
                )
            }
            TokenKind::Jwe { header } => format!(
                "JWE (5 segments, protected header {header}): webapi/jwtauth/jwt_alg is an encryption algorithm, so only the token's shape is checked"
            ),
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
    #[error(
        "the token is neither a JWT (3 dot-separated base64url parts, or 5 for a JWE) nor a 32-character [0-9a-z] token: {0}"
    )]
    UnknownFormat(String),
    #[error("the JWT's {part} is not base64url-encoded JSON")]
    Undecodable { part: &'static str },
    #[error(
        "the JWT header is {received}, expected exactly {{\"kid\":\"<n>\",\"alg\":\"{alg}\"}} as Magento's JwsManager writes it: kid first, then alg, no other key or space, <n> a key number such as 1"
    )]
    Header { received: String, alg: &'static str },
    #[error("the JWT's alg is {received}, expected {expected} (MAGENTO_JWT_ALG)")]
    Alg {
        expected: &'static str,
        received: &'static str,
    },
    #[error("the JWE's protected header is {received}, expected a JSON object with \"alg\" and \"enc\"")]
    JweHeader { received: String },
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
    if let Some(header) = jwe_header(token) {
        return Ok(TokenKind::Jwe {
            header: decode_part(header, "header")?,
        });
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

/// The protected header of a JWE in compact form (RFC 7516 §7.1): five dot-separated base64url
/// parts, the encrypted key empty for direct encryption, the header `eyJ…`.
fn jwe_header(token: &str) -> Option<&str> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, _key, iv, ciphertext, tag] = parts.as_slice() else {
        return None;
    };
    let base64url = |part: &str| part.bytes().all(crate::token_shape::is_base64url);
    let filled = [header, iv, ciphertext, tag].iter().all(|part| !part.is_empty());
    (filled && parts.iter().all(|part| base64url(part)) && header.starts_with(crate::token_shape::JWT_PREFIX))
        .then_some(header)
}

/// The kid and alg of a header exactly as Magento's JwsManager writes it,
/// `{"kid":"<n>","alg":"HS256"}` (§5.4), with any HMAC algorithm `jwt_alg` offers: the text, not a
/// parsed map, so that the key order is checked too. The kid is the 1-based position of the
/// signing key in `crypt/key`: `"1"` on most stores, higher after a key rotation on the patch
/// levels that sign with the last key (STORES.md U14).
fn magento_header(header: &str) -> Option<(&str, JwtAlg)> {
    let (kid, alg) = header
        .strip_prefix(r#"{"kid":""#)?
        .strip_suffix(r#""}"#)?
        .split_once(r#"","alg":""#)?;
    Some((kid, JwtAlg::from_name(alg)?)).filter(|_| is_key_position(kid))
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

/// Checks a token issued for `user_id` of type `user_type` against what the run expects of it.
pub fn check_issued_token(
    token: &str,
    user_id: Option<i64>,
    user_type: i64,
    expected: &TokenExpectation,
) -> Result<TokenKind, TokenFailure> {
    let kind = classify(token)?;
    match &kind {
        TokenKind::Jwt { header, claims } => {
            let Some((_, alg)) = magento_header(header) else {
                return Err(TokenFailure::Header {
                    received: header.clone(),
                    alg: expected.alg.unwrap_or(JwtAlg::Hs256).name(),
                });
            };
            if let Some(pinned) = expected.alg.filter(|pinned| *pinned != alg) {
                return Err(TokenFailure::Alg {
                    expected: pinned.name(),
                    received: alg.name(),
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
            check_lifetime(claims.exp - claims.iat, expected.lifetime)?;
        }
        TokenKind::Jwe { header } => {
            let fields: Option<serde_json::Map<String, Value>> = serde_json::from_str(header).ok();
            if !fields.is_some_and(|fields| fields.contains_key("alg") && fields.contains_key("enc")) {
                return Err(TokenFailure::JweHeader {
                    received: header.clone(),
                });
            }
        }
        TokenKind::Opaque => {}
    }
    Ok(kind)
}

/// A JWS's `exp - iat` against the expected lifetime: the configured one, or the run's first
/// token's, since a store gives every customer token the same lifetime
/// (`webapi/jwtauth/customer_expiration`, in minutes). The first token's must be a positive whole
/// number of minutes, as that setting makes it (STORES.md U2).
pub fn check_lifetime(lifetime: i64, expected: Lifetime) -> Result<(), TokenFailure> {
    let wrong = |expected: String| TokenFailure::Claim {
        claim: "exp - iat",
        expected,
        received: format!("{lifetime} s"),
    };
    match expected {
        Lifetime::Configured(seconds) if lifetime != seconds => Err(wrong(format!(
            "{seconds} s (the configured {}-minute lifetime)",
            seconds / 60
        ))),
        Lifetime::FirstToken(seconds) if lifetime != seconds => Err(wrong(format!(
            "{seconds} s (the run's first customer token lasted {} minutes: a store gives every customer token the same lifetime)",
            seconds / 60
        ))),
        Lifetime::Unknown if lifetime <= 0 || lifetime % 60 != 0 => Err(wrong(
            "a positive whole number of minutes (webapi/jwtauth/customer_expiration)".to_owned(),
        )),
        _ => Ok(()),
    }
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

    /// A stock store's customer token: 60 minutes, any HMAC algorithm.
    fn stock() -> TokenExpectation {
        TokenExpectation::new(Some(60), None)
    }

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
        let kind = check_issued_token(&token, Some(7), USER_TYPE_CUSTOMER, &stock()).unwrap();
        assert!(kind.describe().starts_with("JWT"));
        assert!(matches!(kind, TokenKind::Jwt { header, .. } if header == MAGENTO_HEADER));
    }

    #[test]
    fn accepts_the_tutorial_opaque_token() {
        let kind = check_issued_token(
            "q0u66k8h42yaevtchv09uyy3y9gaj2ap",
            Some(7),
            USER_TYPE_CUSTOMER,
            &stock(),
        )
        .unwrap();
        assert_eq!(kind, TokenKind::Opaque);
    }

    #[test]
    fn rejects_wrong_claims_by_name() {
        let wrong_uid = jwt(MAGENTO_HEADER, json!({"uid": 8, "utypid": 3, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&wrong_uid, Some(7), 3, &stock()),
            Err(TokenFailure::Claim { claim: "uid", .. })
        ));
        let admin = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 2, "iat": 0, "exp": 3600}));
        assert!(matches!(
            check_issued_token(&admin, Some(7), 3, &stock()),
            Err(TokenFailure::Claim { claim: "utypid", .. })
        ));
        let long = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 7200}));
        let err = check_issued_token(&long, Some(7), 3, &stock()).unwrap_err().to_string();
        assert!(err.contains("7200 s") && err.contains("3600 s"), "{err}");
        let no_exp = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 0}));
        assert_eq!(
            check_issued_token(&no_exp, Some(7), 3, &stock()),
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
            check_issued_token(&customer_jwt(header), Some(7), 3, &stock()),
            Err(TokenFailure::Header {
                received: header.to_owned(),
                alg: "HS256"
            })
        );
    }

    /// The same two keys in the other order are not Magento's header: JwsManager writes kid
    /// first, and a parsed map could not tell.
    #[test]
    fn rejects_alg_before_kid() {
        let swapped = r#"{"alg":"HS256","kid":"1"}"#;
        let failure = check_issued_token(&customer_jwt(swapped), Some(7), 3, &stock()).unwrap_err();
        assert_eq!(
            failure.to_string(),
            r#"the JWT header is {"alg":"HS256","kid":"1"}, expected exactly {"kid":"<n>","alg":"HS256"} as Magento's JwsManager writes it: kid first, then alg, no other key or space, <n> a key number such as 1"#
        );
        assert!(magento_header(MAGENTO_HEADER).is_some() && magento_header(swapped).is_none());
    }

    /// A store whose key was rotated once signs with its second key (STORES.md U14).
    #[test]
    fn accepts_any_key_position_as_kid_and_reports_it() {
        for kid in ["1", "2", "12"] {
            let token = customer_jwt(&format!(r#"{{"kid":"{kid}","alg":"HS256"}}"#));
            let kind = check_issued_token(&token, Some(7), 3, &stock()).unwrap_or_else(|e| panic!("kid {kid}: {e}"));
            assert!(kind.describe().contains(&format!("kid {kid};")), "{}", kind.describe());
        }
        let first_key = check_issued_token(&customer_jwt(MAGENTO_HEADER), Some(7), 3, &stock()).unwrap();
        assert!(!first_key.describe().contains("rotated"), "{}", first_key.describe());
        let rotated = check_issued_token(&customer_jwt(r#"{"kid":"2","alg":"HS256"}"#), Some(7), 3, &stock()).unwrap();
        let text = rotated.describe();
        assert!(text.contains("rotated") && text.contains("2.4.7-p2"), "{text}");
    }

    /// `webapi/jwtauth/jwt_alg` set to HS384 or HS512 (STORES.md R1): accepted and reported;
    /// MAGENTO_JWT_ALG pins one.
    #[test]
    fn accepts_every_hmac_alg_magento_offers_unless_one_is_pinned() {
        for alg in JwtAlg::ALL {
            let token = customer_jwt(&format!(r#"{{"kid":"1","alg":"{}"}}"#, alg.name()));
            let kind = check_issued_token(&token, Some(7), 3, &stock()).unwrap();
            assert_eq!(kind.alg(), Some(alg));
            assert!(
                kind.describe().starts_with(&format!("JWT ({}, kid 1;", alg.name())),
                "{}",
                kind.describe()
            );
        }
        let hs512 = customer_jwt(r#"{"kid":"1","alg":"HS512"}"#);
        let pinned = TokenExpectation::new(Some(60), Some(JwtAlg::Hs256));
        assert_eq!(
            check_issued_token(&hs512, Some(7), 3, &pinned),
            Err(TokenFailure::Alg {
                expected: "HS256",
                received: "HS512"
            })
        );
        let pinned_512 = TokenExpectation::new(Some(60), Some(JwtAlg::Hs512));
        assert!(check_issued_token(&hs512, Some(7), 3, &pinned_512).is_ok());
        let generic = check_issued_token(&customer_jwt(r#"{"alg":"HS512"}"#), Some(7), 3, &pinned_512).unwrap_err();
        assert!(
            generic.to_string().contains(r#"{"kid":"<n>","alg":"HS512"}"#),
            "{generic}"
        );
    }

    fn jwe(header: &str) -> String {
        format!("{}..aXY.Y2lwaGVy.dGFn", URL_SAFE_NO_PAD.encode(header))
    }

    /// A JWE (jwt_alg an encryption algorithm): five segments, checked for shape only.
    #[test]
    fn accepts_a_five_segment_jwe_by_its_shape() {
        let token = jwe(r#"{"enc":"A256GCM","alg":"dir","kid":"1"}"#);
        let kind = check_issued_token(&token, Some(7), 3, &stock()).unwrap();
        assert!(matches!(kind, TokenKind::Jwe { .. }) && kind.lifetime_seconds().is_none());
        assert!(kind.describe().starts_with("JWE (5 segments"), "{}", kind.describe());
        let keyed = format!(
            "{}.a2V5.aXY.Y2lwaGVy.dGFn",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"A256KW","enc":"A256GCM"}"#)
        );
        assert!(check_issued_token(&keyed, Some(7), 3, &stock()).is_ok());
        assert!(matches!(
            check_issued_token(&jwe(r#"{"alg":"dir"}"#), Some(7), 3, &stock()),
            Err(TokenFailure::JweHeader { .. })
        ));
        for shape in [
            format!(
                "{}..aXY..dGFn",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"dir","enc":"A256GCM"}"#)
            ),
            format!("{}.a.b.c", URL_SAFE_NO_PAD.encode(r#"{"alg":"dir","enc":"A256GCM"}"#)),
            format!(
                "{}.a.b.c.d.e",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"dir","enc":"A256GCM"}"#)
            ),
        ] {
            assert!(check_issued_token(&shape, Some(7), 3, &stock()).is_err(), "{shape}");
        }
    }

    /// U2: with the lifetime unset, the first token's whole minutes are taken; later tokens
    /// must match it, and a set lifetime is asserted.
    #[test]
    fn the_lifetime_is_the_configured_one_or_the_first_tokens() {
        assert_eq!(check_lifetime(7200, Lifetime::Unknown), Ok(()));
        assert_eq!(check_lifetime(7200, Lifetime::FirstToken(7200)), Ok(()));
        assert_eq!(check_lifetime(7200, Lifetime::Configured(7200)), Ok(()));
        let disagreeing = check_lifetime(3600, Lifetime::FirstToken(7200))
            .unwrap_err()
            .to_string();
        assert_eq!(
            disagreeing,
            "the JWT claim exp - iat is 3600 s, expected 7200 s (the run's first customer token lasted 120 minutes: a store gives every customer token the same lifetime)"
        );
        let configured = check_lifetime(86400, Lifetime::Configured(3600))
            .unwrap_err()
            .to_string();
        assert_eq!(
            configured,
            "the JWT claim exp - iat is 86400 s, expected 3600 s (the configured 60-minute lifetime)"
        );
        for odd in [0, -60, 3599, 90] {
            assert!(
                check_lifetime(odd, Lifetime::Unknown).is_err(),
                "{odd} s is no whole-minute lifetime"
            );
        }
        let unset = TokenExpectation::new(None, None);
        let day = jwt(MAGENTO_HEADER, json!({"uid": 7, "utypid": 3, "iat": 0, "exp": 86400}));
        let kind = check_issued_token(&day, Some(7), 3, &unset).unwrap();
        assert_eq!(kind.lifetime_seconds(), Some(86400));
        assert!(check_issued_token(&day, Some(7), 3, &stock()).is_err());
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
            r#"{"kid":"1","alg":"HS1024"}"#,
            r#"{"kid":"1","alg":"none"}"#,
            r#"{"kid":"1","alg":"RS256"}"#,
            r#"{"kid":"1","alg":"HS256","typ":"JWT"}"#,
            r#"{"kid": "1", "alg": "HS256"}"#,
            r#"{"kid":"1","alg":"HS256"} "#,
            r#"{"alg":"HS256"}"#,
        ] {
            assert!(
                matches!(
                    check_issued_token(&customer_jwt(header), Some(7), 3, &stock()),
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
