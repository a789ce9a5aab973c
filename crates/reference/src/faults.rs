//! Deliberate deviations from Magento, for proving that the suite notices them.
//!
//! Each [`Fault`] is a regression that a Magento upgrade, a third-party module or a proxy in
//! front of the store could plausibly introduce. With no faults configured the server behaves
//! exactly as documented in CONTRACT.md.
//!
//! A fault is applied in one of two ways, recorded per fault by [`Site`]:
//! - a response fault changes only the answer (status, headers, body, error envelope); the
//!   `response_faults` layer rewrites the faithful answer, so the core never checks it;
//! - a behaviour fault changes what the store does (locks, tokens, validation, routing), so it
//!   sits in the core, at exactly one check in the named function.
//!
//! The `every_fault_is_checked_at_exactly_one_site` test holds the code to this table.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How long [`Fault::SlowMe`] holds a `/V1/customers/me` answer: longer than the one-second
/// client timeout the self-test gives that run, short enough to keep the run quick.
pub const SLOW_RESPONSE_DELAY: Duration = Duration::from_millis(2500);

/// Where a fault is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// Rewrites the faithful answer in `response_faults.rs`.
    Response,
    /// Changes the store's behaviour at one check in this function (`module::function`).
    Behaviour(&'static str),
}

/// Declares the fault enum together with its names, sites and descriptions, so they can never
/// drift apart.
macro_rules! faults {
    ($($variant:ident => $name:literal, $site:expr, $description:literal;)+) => {
        /// A deliberate deviation the reference server can be started with
        /// (`StoreSettings::faults`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $(#[doc = $description] $variant,)+
        }

        impl Fault {
            const ALL: &'static [Fault] = &[$(Fault::$variant,)+];

            /// Every fault, in declaration order (grouped by family).
            pub fn all() -> &'static [Fault] {
                Self::ALL
            }

            /// The kebab-case name used on the command line (`--fault NAME`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)+
                }
            }

            /// One line saying what deviates.
            pub fn description(self) -> &'static str {
                match self {
                    $(Fault::$variant => $description,)+
                }
            }

            /// Where the server applies the fault.
            pub(crate) fn site(self) -> Site {
                use Site::{Behaviour, Response};
                match self {
                    $(Fault::$variant => $site,)+
                }
            }
        }
    };
}

faults! {
    // Success shape.
    CreateReturns201 => "create-returns-201", Response,
        "POST /V1/customers answers 201 Created instead of 200";
    DefaultBillingNumber => "default-billing-number", Response,
        "the customer's default_billing is a JSON number instead of a string";
    CustomerIdString => "customer-id-string", Response,
        "the customer id is a JSON string (\"17\") instead of an integer";
    CreatedInMissing => "created-in-missing", Response,
        "created_in is left out of customer responses";
    ExtensionAttributesMissing => "extension-attributes-missing", Response,
        "extension_attributes (is_subscribed) is left out of customer responses";
    CreatedAtIso8601 => "created-at-iso8601", Response,
        "created_at is ISO 8601 (2026-11-29T10:00:00+00:00) instead of Y-m-d H:i:s";
    AddressesDropped => "addresses-dropped", Response,
        "customer responses carry an empty addresses list";
    AddressRegionMissing => "address-region-missing", Response,
        "addresses in customer responses lack the region object";
    AddressDefaultFlagsFalse => "address-default-flags-false", Response,
        "addresses that are not a default carry \"default_billing\": false and \"default_shipping\": false instead of leaving the keys out";
    FirstnameHtmlEscaped => "firstname-html-escaped", Response,
        "the first name is echoed HTML-escaped (D'Artagnan comes back as D&#039;Artagnan)";
    // Tokens.
    TokenWrappedInObject => "token-wrapped-in-object", Response,
        "the customer token comes back as {\"token\": \"...\"} instead of a bare JSON string";
    EmptyToken => "empty-token", Response,
        "the customer token route answers an empty string";
    TokenNotUsableOnMe => "token-not-usable-on-me", Behaviour("http::dispatch"),
        "the `self` ACL check finds no shared stores for customers, so their tokens get 401 on /V1/customers/me";
    MeReturnsAnotherCustomer => "me-returns-another-customer", Response,
        "GET /V1/customers/me serves a cached answer for another customer (roni_cost@example.com)";
    TokenLifetimeIgnored => "token-lifetime-ignored", Behaviour("auth::TokenService::new"),
        "customer JWTs live 24 h whatever webapi/jwtauth/customer_expiration says";
    JwtGenericHeader => "jwt-generic-header", Behaviour("auth::TokenService::new"),
        "JWTs carry a generic {\"alg\":\"HS256\",\"typ\":\"JWT\"} header instead of Magento's {\"kid\":\"1\",\"alg\":\"HS256\"}";
    // Errors.
    DuplicateEmail409 => "duplicate-email-409", Response,
        "a second account with the same email is refused with 409 instead of 400";
    InvalidEmailMessageReworded => "invalid-email-message-reworded", Response,
        "the invalid-email message is reworded (\"Please enter a valid email address (Ex: johndoe@domain.com).\")";
    RenderedPlaceholders => "rendered-placeholders", Response,
        "error messages have their placeholders filled in (No such entity with customerId = -1)";
    ParametersAsList => "parameters-as-list", Response,
        "named error parameters are a list of objects (the published swagger shape) instead of an object";
    ErrorKeyInsteadOfMessage => "error-key-instead-of-message", Response,
        "error bodies use the key \"error\" instead of \"message\"";
    Acl403 => "acl-403", Response,
        "ACL refusals of admin resources (Magento_Customer::*) answer 403 instead of 401";
    WeakPasswordAccepted => "weak-password-accepted", Behaviour("customers::create_account"),
        "the password policy (length, character classes, spaces) is not enforced";
    InvalidEmailAccepted => "invalid-email-accepted", Behaviour("customers::validate_customer_entity"),
        "malformed email addresses are accepted";
    AggregateErrorsFlattened => "aggregate-errors-flattened", Response,
        "of several input errors only the first is reported (no errors[] aggregate)";
    DecodingErrorDeveloperMode => "decoding-error-developer-mode", Behaviour("http::read_body"),
        "malformed JSON gets the developer-mode message with the PHP error instead of \"Decoding error.\"";
    // Security.
    WrongPasswordGetsToken => "wrong-password-gets-token", Behaviour("tokens::customer_token"),
        "a customer token is issued for a wrong password";
    GarbageTokenReadsMe => "garbage-token-reads-me", Behaviour("auth::TokenService::user_context"),
        "an unreadable bearer token is taken for the most recently created customer";
    DeleteWithoutAdmin => "delete-without-admin", Behaviour("http::dispatch"),
        "DELETE /V1/customers/:customerId needs no admin rights";
    GroupIdGuardMissing => "group-id-guard-missing", Behaviour("customers::create_account"),
        "a guest may choose group_id when creating an account";
    NoLockout => "no-lockout", Behaviour("tokens::throttled_login"),
        "failed sign-ins never lock the account";
    LockoutAfter3 => "lockout-after-3", Behaviour("tokens::throttled_login"),
        "accounts lock after 3 failed sign-ins instead of the configured limit";
    RevokeIgnored => "revoke-ignored", Behaviour("tokens::revoke_customer_token"),
        "revoke-customer-token answers true but the customer's tokens keep working";
    AddressRollbackMissing => "address-rollback-missing", Behaviour("customers::create_account"),
        "a customer whose address is rejected is kept instead of rolled back";
    BodyReadBeforeAcl => "body-read-before-acl", Behaviour("http::dispatch"),
        "request bodies are decoded before the ACL check (bad JSON to a protected route is 400, not 401)";
    // Transport.
    HtmlContentType => "html-content-type", Response,
        "successful JSON responses are labelled text/html; charset=UTF-8";
    Html500Page => "html-500-page", Response,
        "POST /V1/integration/customer/token answers an HTML 500 error page";
    UnknownRoute200 => "unknown-route-200", Response,
        "an unknown route answers 200 (with the not-found body)";
    SlowMe => "slow-me", Behaviour("http::dispatch"),
        "GET /V1/customers/me takes 2.5 s for a signed-in customer, longer than the client's timeout";
    KnownPath405 => "known-path-405", Behaviour("http::no_route"),
        "a known path called with a method it does not declare answers 405 instead of 404";
    UnknownStoreCodeAccepted => "unknown-store-code-accepted", Behaviour("http::process_path"),
        "an unknown store code in the URL is served as the default store view";
    // GraphQL.
    GraphqlAuthorization401 => "graphql-authorization-401", Response,
        "a GraphQL authorization error (graphql-authorization, e.g. a guest asking for customer) answers 401 instead of 2.4.8's 403";
    GraphqlTokenAfterRevoke => "graphql-token-after-revoke", Behaviour("graphql::bearer_user"),
        "GraphQL still accepts a revoked customer token (the bearer validator skips the revocation check)";
    GraphqlInvalidTokenAsGuest => "graphql-invalid-token-as-guest", Behaviour("graphql::bearer_user"),
        "an unreadable GraphQL bearer token makes the caller a guest instead of answering 401 (2.4.7 behaviour on 2.4.8)";
    GraphqlNoDataOnResolverError => "graphql-no-data-on-resolver-error", Response,
        "a GraphQL resolver error comes without the \"data\" key instead of {\"data\":{\"customer\":null}}";
    GraphqlErrorWithoutCategory => "graphql-error-without-category", Response,
        "GraphQL errors lack extensions.category";
    GraphqlEveryError => "graphql-every-error", Behaviour("graphql::envelope"),
        "GraphQL answers every error outside developer mode instead of only the first";
    GraphqlCreateEchoesInput => "graphql-create-echoes-input", Behaviour("graphql_schema::create_customer"),
        "createCustomerV2 answers with its input instead of the saved customer (created_at null, addresses null, date_of_birth as sent)";
    GraphqlCustomerIdExposed => "graphql-customer-id-exposed", Behaviour("graphql_schema::saved"),
        "the deprecated Customer.id is the customer's entity id instead of null";
}

impl Fault {
    /// Whether the fault makes answers slower than a client timeout; the self-test shortens the
    /// harness's timeout for such faults so that the run stays short.
    pub fn slows_responses(self) -> bool {
        matches!(self, Fault::SlowMe)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A fault name that is not one of [`Fault::all`]; the message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Fault::all().iter().map(|fault| fault.name()).collect();
        write!(
            formatter,
            "unknown fault {:?}; valid faults: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let wanted = name.trim();
        Fault::all()
            .iter()
            .copied()
            .find(|fault| fault.name() == wanted)
            .ok_or_else(|| UnknownFault(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_at_least_thirty_faults_with_unique_kebab_case_names() {
        let all = Fault::all();
        assert!(all.len() >= 30, "{} faults", all.len());
        let mut names: Vec<&str> = all.iter().map(|fault| fault.name()).collect();
        for name in &names {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !name.starts_with('-')
                    && !name.ends_with('-'),
                "{name} is not kebab-case"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "fault names must be unique");
    }

    #[test]
    fn names_parse_back_and_descriptions_are_one_line() {
        for fault in Fault::all() {
            assert_eq!(fault.name().parse::<Fault>(), Ok(*fault));
            assert_eq!(fault.to_string(), fault.name());
            assert!(!fault.description().is_empty() && !fault.description().contains('\n'));
        }
    }

    #[test]
    fn an_unknown_name_is_one_line_listing_the_valid_ones() {
        let error = "no-such-fault".parse::<Fault>().unwrap_err().to_string();
        assert!(error.starts_with("unknown fault \"no-such-fault\""), "{error}");
        assert!(
            error.contains("create-returns-201") && error.contains("slow-me"),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
    }

    /// The non-test part of every source file that could check a fault.
    const SOURCES: &[(&str, &str)] = &[
        ("addresses.rs", include_str!("addresses.rs")),
        ("app.rs", include_str!("app.rs")),
        ("auth.rs", include_str!("auth.rs")),
        ("binding.rs", include_str!("binding.rs")),
        ("customers.rs", include_str!("customers.rs")),
        ("directory.rs", include_str!("directory.rs")),
        ("error.rs", include_str!("error.rs")),
        ("graphql.rs", include_str!("graphql.rs")),
        ("graphql_php.rs", include_str!("graphql_php.rs")),
        ("graphql_schema.rs", include_str!("graphql_schema.rs")),
        ("http.rs", include_str!("http.rs")),
        ("json.rs", include_str!("json.rs")),
        ("lib.rs", include_str!("lib.rs")),
        ("query.rs", include_str!("query.rs")),
        ("release.rs", include_str!("release.rs")),
        ("response_faults.rs", include_str!("response_faults.rs")),
        ("routes.rs", include_str!("routes.rs")),
        ("schema.rs", include_str!("schema.rs")),
        ("search.rs", include_str!("search.rs")),
        ("service.rs", include_str!("service.rs")),
        ("settings.rs", include_str!("settings.rs")),
        ("state.rs", include_str!("state.rs")),
        ("stores.rs", include_str!("stores.rs")),
        ("tokens.rs", include_str!("tokens.rs")),
        ("translation.rs", include_str!("translation.rs")),
        ("validation.rs", include_str!("validation.rs")),
    ];

    #[test]
    fn the_sources_are_every_module_but_this_one() {
        let modules = include_str!("lib.rs")
            .split("\n#[cfg(test)]\nmod tests")
            .next()
            .unwrap();
        let mut declared: Vec<String> = modules
            .lines()
            .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
            .filter(|module| *module != "faults")
            .map(|module| format!("{module}.rs"))
            .collect();
        declared.push("lib.rs".to_owned());
        declared.sort();
        let listed: Vec<&str> = SOURCES.iter().map(|(file, _)| *file).collect();
        assert_eq!(declared, listed);
    }

    /// A response fault appears once in the layer and nowhere else; a behaviour fault once, in
    /// its function, and nowhere else.
    #[test]
    fn every_fault_is_checked_at_exactly_one_site() {
        let functions = regex::Regex::new(r"\bfn (\w+)").unwrap();
        for fault in Fault::all() {
            let pattern = regex::Regex::new(&format!(r"\bFault::{fault:?}\b")).unwrap();
            let (home, function) = match fault.site() {
                Site::Response => ("response_faults.rs".to_owned(), None),
                Site::Behaviour(path) => {
                    let (module, rest) = path.split_once("::").unwrap();
                    (format!("{module}.rs"), rest.rsplit("::").next())
                }
            };
            for (file, source) in SOURCES {
                let production = source.split("\n#[cfg(test)]\nmod tests").next().unwrap_or(source);
                let sites: Vec<_> = pattern.find_iter(production).collect();
                assert_eq!(sites.len(), usize::from(*file == home), "{fault:?} in {file}");
                if let (Some(site), Some(function)) = (sites.first(), function) {
                    let enclosing = functions
                        .captures_iter(&production[..site.start()])
                        .last()
                        .map(|captures| captures[1].to_owned());
                    assert_eq!(enclosing.as_deref(), Some(function), "{fault:?}");
                }
            }
        }
    }
}
