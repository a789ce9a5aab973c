//! Who is calling: bearer tokens (JWT or opaque), user contexts and the ACL (CONTRACT.md §1.5,
//! §5.4).

use super::faults::Fault;
use super::settings::{AdminRole, JwtAlg, StoreSettings, TokenFormat};
use super::state::{OpaqueToken, Store, TokenSubject};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Sha256, Sha384, Sha512};

/// The admin user's `admin_user.user_id`.
pub(crate) const ADMIN_USER_ID: i64 = 1;
/// The integration's `integration.integration_id`.
pub(crate) const INTEGRATION_ID: i64 = 1;

/// The protected JWS header, byte for byte (§5.4), for the signing key at position `kid`.
fn jwt_header(kid: &str, alg: JwtAlg) -> String {
    format!(r#"{{"kid":{},"alg":"{}"}}"#, serde_json::Value::from(kid), alg.name())
}

/// The HMAC of `input` under `key` with the configured algorithm, or whether `signature` is it
/// (compared in constant time).
fn hmac(alg: JwtAlg, key: &[u8], input: &[u8], signature: Option<&[u8]>) -> Option<Vec<u8>> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], input: &[u8], signature: Option<&[u8]>) -> Option<Vec<u8>> {
        let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
        mac.update(input);
        match signature {
            Some(signature) => mac.verify_slice(signature).ok().map(|()| Vec::new()),
            None => Some(mac.finalize().into_bytes().to_vec()),
        }
    }
    match alg {
        JwtAlg::Hs256 => run::<Hmac<Sha256>>(key, input, signature),
        JwtAlg::Hs384 => run::<Hmac<Sha384>>(key, input, signature),
        JwtAlg::Hs512 => run::<Hmac<Sha512>>(key, input, signature),
    }
}

/// The header most JWT libraries write.
const GENERIC_JWT_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The JWT claims of a token's user.
impl TokenSubject {
    /// `UserContextInterface` user type ids: admin 2, customer 3.
    fn user_type_id(self) -> i64 {
        match self {
            TokenSubject::Admin(_) => 2,
            TokenSubject::Customer(_) => 3,
        }
    }

    fn user_id(self) -> i64 {
        match self {
            TokenSubject::Admin(id) | TokenSubject::Customer(id) => id,
        }
    }
}

/// The caller of one request. A missing, unreadable, expired or revoked token silently makes
/// the caller a guest (§1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserContext {
    Guest,
    Customer(i64),
    Admin(i64),
    /// An integration's OAuth access token used as a bearer (`USER_TYPE_INTEGRATION`), with the
    /// customer resources: refused `self`, exempt from reCAPTCHA (`ValidationOverrider`).
    Integration(i64),
}

/// ACL resources named by the covered routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AclResource {
    Anonymous,
    OwnAccount,
    CustomerRead,
    CustomerDelete,
    CustomerManage,
    /// `Magento_Backend::store`, of the store, store group and website routes.
    StoreRead,
    /// `Magento_Customer::group`, of the customer group routes.
    CustomerGroup,
}

impl AclResource {
    pub(crate) fn id(self) -> &'static str {
        match self {
            AclResource::Anonymous => "anonymous",
            AclResource::OwnAccount => "self",
            AclResource::CustomerRead => "Magento_Customer::customer",
            AclResource::CustomerDelete => "Magento_Customer::delete",
            AclResource::CustomerManage => "Magento_Customer::manage",
            AclResource::StoreRead => "Magento_Backend::store",
            AclResource::CustomerGroup => "Magento_Customer::group",
        }
    }
}

/// The store a request runs in after path processing (§1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreScope {
    /// A store view: `/rest/<code>/...` or `/rest/...`.
    View,
    /// `/rest/all/...`: the admin store, id 0.
    Admin,
}

impl StoreScope {
    pub(crate) fn store_id(self, settings: &StoreSettings) -> i64 {
        match self {
            StoreScope::View => settings.store_id,
            StoreScope::Admin => 0,
        }
    }
}

/// Store ids sharing a customer's account (website-scope sharing): the stores of its website.
pub(crate) fn shared_store_ids(settings: &StoreSettings, store: &Store, customer_id: i64) -> Vec<i64> {
    store
        .customer(customer_id)
        .filter(|customer| customer.website_id == settings.website_id)
        .map(|_| vec![settings.store_id])
        .unwrap_or_default()
}

/// The ACL check of §1.5/§2.3 in the store `current_store_id` (0 for `/rest/all/`).
pub(crate) fn is_allowed(
    user: UserContext,
    resource: AclResource,
    admin_role: AdminRole,
    current_store_id: i64,
    customer_store_ids: impl FnOnce(i64) -> Vec<i64>,
) -> bool {
    match (resource, user) {
        (AclResource::Anonymous, _) => true,
        // `self`: a customer whose shared store ids include the current store (never store 0).
        (AclResource::OwnAccount, UserContext::Customer(id)) => {
            current_store_id != 0 && customer_store_ids(id).contains(&current_store_id)
        }
        // Anyone else falls through to the ACL, where `self` is no resource:
        // `isAllowed($role, null)` holds only for a role with all resources (§1.5 correction).
        (AclResource::OwnAccount, UserContext::Admin(_)) => admin_role == AdminRole::FullRights,
        (AclResource::OwnAccount, _) => false,
        // Only the role with all resources reads stores and groups: a least-privilege role and
        // the integration hold the customer resources alone.
        (AclResource::StoreRead | AclResource::CustomerGroup, UserContext::Admin(_)) => {
            admin_role == AdminRole::FullRights
        }
        (AclResource::StoreRead | AclResource::CustomerGroup, UserContext::Integration(_)) => false,
        // Both roles, and the integration, hold the customer resources the covered routes name.
        (_, UserContext::Admin(_) | UserContext::Integration(_)) => true,
        _ => false,
    }
}

/// Why a bearer token was refused, in the validators' order: the reader, then expiry, then
/// revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    Unreadable,
    Expired,
    Revoked,
}

impl TokenRejection {
    /// The exception message each validator throws (GRAPHQL.md §1.3).
    pub(crate) fn message(self) -> &'static str {
        match self {
            TokenRejection::Unreadable => "Composite reader could not read a token",
            TokenRejection::Expired => "Consumer key has expired",
            TokenRejection::Revoked => "User token has been revoked",
        }
    }
}

/// Whether reading a token consults the revocation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revocation {
    Checked,
    Ignored,
}

/// Issues and reads tokens for one server.
pub(crate) struct TokenService {
    format: TokenFormat,
    /// The JWS header every JWT carries.
    jwt_header: String,
    /// `webapi/jwtauth/jwt_alg`: what JWTs are signed with, and what a token must name.
    jwt_alg: JwtAlg,
    /// The server's faults, for reading tokens.
    faults: Vec<Fault>,
    key: [u8; 32],
    customer_ttl_seconds: i64,
    admin_ttl_seconds: i64,
    /// The integration's access token, when the store has one (`StoreSettings::integration_token`).
    integration_token: Option<String>,
}

/// `ConfigReader`: a lifetime of zero or less falls back to 30 minutes (§3.4, §5.4).
///
/// derived: opaque tokens use the same lifetimes (Magento reads `oauth/access_token_lifetime/*`
/// for them, which `StoreSettings` does not model).
fn ttl_seconds(minutes: i64) -> i64 {
    if minutes <= 0 {
        30 * 60
    } else {
        minutes.saturating_mul(60)
    }
}

impl TokenService {
    pub(crate) fn new(settings: &StoreSettings) -> Self {
        TokenService {
            format: settings.token_format,
            jwt_header: if settings.has_fault(Fault::JwtGenericHeader) {
                GENERIC_JWT_HEADER.to_owned()
            } else {
                jwt_header(&settings.jwt_kid, settings.jwt_alg)
            },
            jwt_alg: settings.jwt_alg,
            faults: settings.faults.clone(),
            key: rand::random(),
            customer_ttl_seconds: if settings.has_fault(Fault::TokenLifetimeIgnored) {
                24 * 60 * 60
            } else {
                ttl_seconds(settings.customer_token_lifetime_minutes)
            },
            admin_ttl_seconds: settings
                .admin_token_lifetime_seconds
                .unwrap_or_else(|| ttl_seconds(settings.admin_token_lifetime_minutes)),
            integration_token: settings.integration_token.clone(),
        }
    }

    fn ttl(&self, subject: TokenSubject) -> i64 {
        match subject {
            TokenSubject::Admin(_) => self.admin_ttl_seconds,
            TokenSubject::Customer(_) => self.customer_ttl_seconds,
        }
    }

    /// A JWS compact token (claims uid, utypid, iat, exp in that order) or, in the legacy
    /// format, 32 characters of `[0-9a-z]` stored server-side.
    pub(crate) fn issue(&self, store: &mut Store, subject: TokenSubject, now: i64) -> String {
        match self.format {
            TokenFormat::Jwt => {
                let payload = format!(
                    r#"{{"uid":{},"utypid":{},"iat":{now},"exp":{}}}"#,
                    subject.user_id(),
                    subject.user_type_id(),
                    now.saturating_add(self.ttl(subject))
                );
                let signing_input = format!(
                    "{}.{}",
                    URL_SAFE_NO_PAD.encode(&self.jwt_header),
                    URL_SAFE_NO_PAD.encode(payload)
                );
                let signature = URL_SAFE_NO_PAD
                    .encode(hmac(self.jwt_alg, &self.key, signing_input.as_bytes(), None).unwrap_or_default());
                format!("{signing_input}.{signature}")
            }
            TokenFormat::Opaque => {
                const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
                let mut rng = rand::rng();
                let token: String = (0..32)
                    .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                    .collect();
                store.store_opaque_token(
                    token.clone(),
                    OpaqueToken {
                        subject,
                        issued_at: now,
                    },
                );
                token
            }
        }
    }

    /// `CompositeTokenReader` (opaque, then JWT) followed by the expiry and revocation validators.
    fn read(&self, store: &Store, token: &str, now: i64) -> Option<TokenSubject> {
        self.check(store, token, now, Revocation::Checked).ok()
    }

    /// The same reading, saying why a token is refused (GraphQL reports it, GRAPHQL.md §1.3).
    /// `revocation` is `Ignored` only for a fault of the GraphQL bearer validator.
    pub(crate) fn check(
        &self,
        store: &Store,
        token: &str,
        now: i64,
        revocation: Revocation,
    ) -> Result<TokenSubject, TokenRejection> {
        if let Some(stored) = store.opaque_token(token) {
            return if stored.issued_at.saturating_add(self.ttl(stored.subject)) > now {
                Ok(stored.subject)
            } else {
                Err(TokenRejection::Expired)
            };
        }
        let (subject, issued_at, expires_at) = self.read_jwt(token).ok_or(TokenRejection::Unreadable)?;
        if expires_at <= now {
            return Err(TokenRejection::Expired);
        }
        let revoked = store
            .revoked_before(subject)
            .is_some_and(|revoked_before| issued_at <= revoked_before);
        if revoked && revocation == Revocation::Checked {
            return Err(TokenRejection::Revoked);
        }
        Ok(subject)
    }

    fn read_jwt(&self, token: &str) -> Option<(TokenSubject, i64, i64)> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        hmac(
            self.jwt_alg,
            &self.key,
            format!("{header}.{payload}").as_bytes(),
            Some(&signature),
        )?;
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header.get("alg")?.as_str()? != self.jwt_alg.name() {
            return None;
        }
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        // `Reader` requires every claim to be non-empty.
        let claim = |name: &str| claims.get(name)?.as_i64().filter(|value| *value != 0);
        let user_id = claim("uid")?;
        let subject = match claim("utypid")? {
            2 => TokenSubject::Admin(user_id),
            3 => TokenSubject::Customer(user_id),
            _ => return None,
        };
        Some((subject, claim("iat")?, claim("exp")?))
    }

    /// `TokenUserContext`: `Authorization: Bearer <token>`, exactly two space-separated parts,
    /// scheme case-insensitive. Anything else is a guest.
    pub(crate) fn user_context(&self, store: &Store, headers: &HeaderMap, now: i64) -> UserContext {
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return UserContext::Guest;
        };
        let parts: Vec<&str> = value.split(' ').collect();
        let [scheme, token] = parts.as_slice() else {
            return UserContext::Guest;
        };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return UserContext::Guest;
        }
        if self.integration_token.as_deref() == Some(*token) {
            return UserContext::Integration(INTEGRATION_ID);
        }
        match self.read(store, token, now) {
            Some(TokenSubject::Admin(id)) => UserContext::Admin(id),
            Some(TokenSubject::Customer(id)) => UserContext::Customer(id),
            None if self.faults.contains(&Fault::GarbageTokenReadsMe) => store
                .customers()
                .last()
                .map_or(UserContext::Guest, |customer| UserContext::Customer(customer.id)),
            None => UserContext::Guest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_header_encodes_as_magento_does() {
        assert_eq!(
            URL_SAFE_NO_PAD.encode(jwt_header("1", JwtAlg::Hs256)),
            "eyJraWQiOiIxIiwiYWxnIjoiSFMyNTYifQ"
        );
    }

    /// A store whose key was rotated signs with key 2 and reads its own tokens (STORES.md U14).
    #[test]
    fn a_rotated_key_store_issues_and_reads_kid_2_tokens() {
        let service = TokenService::new(&StoreSettings {
            jwt_kid: "2".to_owned(),
            ..StoreSettings::default()
        });
        let mut store = Store::default();
        let token = service.issue(&mut store, TokenSubject::Customer(7), 1_000);
        let header = URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap();
        assert_eq!(String::from_utf8(header).unwrap(), r#"{"kid":"2","alg":"HS256"}"#);
        assert_eq!(service.read(&store, &token, 1_001), Some(TokenSubject::Customer(7)));
    }

    /// GRAPHQL.md §1.3: the reader first, then expiry, then revocation, each with its reason.
    #[test]
    fn token_checks_say_why() {
        let service = TokenService::new(&StoreSettings::default());
        let mut store = Store::default();
        let token = service.issue(&mut store, TokenSubject::Customer(7), 1_000);
        let check = |store: &Store, token: &str, now, revocation| service.check(store, token, now, revocation);
        assert_eq!(
            check(&store, "garbage", 1_001, Revocation::Checked),
            Err(TokenRejection::Unreadable)
        );
        assert_eq!(
            check(&store, &token, 4_600, Revocation::Checked),
            Err(TokenRejection::Expired)
        );
        store.revoke_tokens(TokenSubject::Customer(7), 1_000);
        assert_eq!(
            check(&store, &token, 1_001, Revocation::Checked),
            Err(TokenRejection::Revoked)
        );
        assert_eq!(
            check(&store, &token, 4_600, Revocation::Checked),
            Err(TokenRejection::Expired)
        );
        assert_eq!(
            check(&store, &token, 1_001, Revocation::Ignored),
            Ok(TokenSubject::Customer(7))
        );
        assert_eq!(TokenRejection::Expired.message(), "Consumer key has expired");
    }

    /// `jwt_alg` HS512 (STORES.md R1): the header names it, the signature is 64 bytes, and an
    /// HS256 store's token is not read.
    #[test]
    fn an_hs512_store_issues_and_reads_only_hs512_tokens() {
        let hs512 = TokenService::new(&StoreSettings {
            jwt_alg: JwtAlg::Hs512,
            ..StoreSettings::default()
        });
        let mut store = Store::default();
        let token = hs512.issue(&mut store, TokenSubject::Customer(7), 1_000);
        let parts: Vec<&str> = token.split('.').collect();
        let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
        assert_eq!(String::from_utf8(header).unwrap(), r#"{"kid":"1","alg":"HS512"}"#);
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 64);
        assert_eq!(hs512.read(&store, &token, 1_001), Some(TokenSubject::Customer(7)));
        let hs256 = TokenService {
            key: hs512.key,
            ..TokenService::new(&StoreSettings::default())
        };
        let other = hs256.issue(&mut store, TokenSubject::Customer(7), 1_000);
        assert_eq!(hs512.read(&store, &other, 1_001), None);
        assert_eq!("hs384".parse::<JwtAlg>(), Ok(JwtAlg::Hs384));
        assert!("RS256".parse::<JwtAlg>().is_err());
    }

    #[test]
    fn tampered_and_revoked_tokens_are_rejected() {
        let service = TokenService::new(&StoreSettings::default());
        let mut store = Store::default();
        let token = service.issue(&mut store, TokenSubject::Customer(7), 1_000);
        assert_eq!(service.read(&store, &token, 1_001), Some(TokenSubject::Customer(7)));
        assert_eq!(service.read(&store, &format!("{token}x"), 1_001), None);
        assert_eq!(service.read(&store, &token, 1_000 + 3_600), None);
        store.revoke_tokens(TokenSubject::Customer(7), 1_000);
        assert_eq!(service.read(&store, &token, 1_001), None);
        let later = service.issue(&mut store, TokenSubject::Customer(7), 1_001);
        assert_eq!(service.read(&store, &later, 1_002), Some(TokenSubject::Customer(7)));
    }
}
