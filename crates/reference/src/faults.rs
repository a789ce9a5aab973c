//! Deliberate deviations from Magento, for proving that the suite notices them.
//!
//! Each [`Fault`] is a regression that a Magento upgrade, a third-party module or a proxy in
//! front of the store could plausibly introduce. A fault changes exactly one behaviour and is
//! applied at one point in the server code (search for its variant name); with no faults
//! configured the server behaves exactly as documented in CONTRACT.md.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How long [`Fault::SlowMe`] holds a `/V1/customers/me` answer: longer than the one-second
/// client timeout the self-test gives that run, short enough to keep the run quick.
pub const SLOW_RESPONSE_DELAY: Duration = Duration::from_millis(2500);

/// Declares the fault enum together with its names and descriptions, so the three can never
/// drift apart.
macro_rules! faults {
    ($($variant:ident => $name:literal, $description:literal;)+) => {
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
        }
    };
}

faults! {
    // Success shape.
    CreateReturns201 => "create-returns-201",
        "POST /V1/customers answers 201 Created instead of 200";
    DefaultBillingNumber => "default-billing-number",
        "the customer's default_billing is a JSON number instead of a string";
    CustomerIdString => "customer-id-string",
        "the customer id is a JSON string (\"17\") instead of an integer";
    CreatedInMissing => "created-in-missing",
        "created_in is left out of customer responses";
    ExtensionAttributesMissing => "extension-attributes-missing",
        "extension_attributes (is_subscribed) is left out of customer responses";
    CreatedAtIso8601 => "created-at-iso8601",
        "created_at is ISO 8601 (2026-11-29T10:00:00+00:00) instead of Y-m-d H:i:s";
    AddressesDropped => "addresses-dropped",
        "customer responses carry an empty addresses list";
    AddressRegionMissing => "address-region-missing",
        "addresses in customer responses lack the region object";
    AddressDefaultFlagsFalse => "address-default-flags-false",
        "addresses that are not a default carry \"default_billing\": false and \"default_shipping\": false instead of leaving the keys out";
    FirstnameHtmlEscaped => "firstname-html-escaped",
        "the first name is echoed HTML-escaped (D'Artagnan comes back as D&#039;Artagnan)";
    // Tokens.
    TokenWrappedInObject => "token-wrapped-in-object",
        "the customer token comes back as {\"token\": \"...\"} instead of a bare JSON string";
    EmptyToken => "empty-token",
        "the customer token route answers an empty string";
    TokenNotUsableOnMe => "token-not-usable-on-me",
        "the `self` ACL check finds no shared stores for customers, so their tokens get 401 on /V1/customers/me";
    MeReturnsAnotherCustomer => "me-returns-another-customer",
        "GET /V1/customers/me serves a cached answer for another customer (roni_cost@example.com)";
    TokenLifetimeIgnored => "token-lifetime-ignored",
        "customer JWTs live 24 h whatever webapi/jwtauth/customer_expiration says";
    JwtGenericHeader => "jwt-generic-header",
        "JWTs carry a generic {\"alg\":\"HS256\",\"typ\":\"JWT\"} header instead of Magento's {\"kid\":\"1\",\"alg\":\"HS256\"}";
    // Errors.
    DuplicateEmail409 => "duplicate-email-409",
        "a second account with the same email is refused with 409 instead of 400";
    InvalidEmailMessageReworded => "invalid-email-message-reworded",
        "the invalid-email message is reworded (\"Please enter a valid email address (Ex: johndoe@domain.com).\")";
    RenderedPlaceholders => "rendered-placeholders",
        "error messages have their placeholders filled in (No such entity with customerId = -1)";
    ParametersAsList => "parameters-as-list",
        "named error parameters are a list of objects (the published swagger shape) instead of an object";
    ErrorKeyInsteadOfMessage => "error-key-instead-of-message",
        "error bodies use the key \"error\" instead of \"message\"";
    Acl403 => "acl-403",
        "ACL refusals of admin resources (Magento_Customer::*) answer 403 instead of 401";
    WeakPasswordAccepted => "weak-password-accepted",
        "the password policy (length, character classes, spaces) is not enforced";
    InvalidEmailAccepted => "invalid-email-accepted",
        "malformed email addresses are accepted";
    AggregateErrorsFlattened => "aggregate-errors-flattened",
        "of several input errors only the first is reported (no errors[] aggregate)";
    DecodingErrorDeveloperMode => "decoding-error-developer-mode",
        "malformed JSON gets the developer-mode message with the PHP error instead of \"Decoding error.\"";
    // Security.
    WrongPasswordGetsToken => "wrong-password-gets-token",
        "a customer token is issued for a wrong password";
    GarbageTokenReadsMe => "garbage-token-reads-me",
        "an unreadable bearer token is taken for the most recently created customer";
    DeleteWithoutAdmin => "delete-without-admin",
        "DELETE /V1/customers/:customerId needs no admin rights";
    GroupIdGuardMissing => "group-id-guard-missing",
        "a guest may choose group_id when creating an account";
    NoLockout => "no-lockout",
        "failed sign-ins never lock the account";
    LockoutAfter3 => "lockout-after-3",
        "accounts lock after 3 failed sign-ins instead of the configured limit";
    RevokeIgnored => "revoke-ignored",
        "revoke-customer-token answers true but the customer's tokens keep working";
    AddressRollbackMissing => "address-rollback-missing",
        "a customer whose address is rejected is kept instead of rolled back";
    BodyReadBeforeAcl => "body-read-before-acl",
        "request bodies are decoded before the ACL check (bad JSON to a protected route is 400, not 401)";
    // Transport.
    HtmlContentType => "html-content-type",
        "successful JSON responses are labelled text/html; charset=UTF-8";
    Html500Page => "html-500-page",
        "POST /V1/integration/customer/token answers an HTML 500 error page";
    UnknownRoute200 => "unknown-route-200",
        "an unknown route answers 200 (with the not-found body)";
    SlowMe => "slow-me",
        "GET /V1/customers/me takes 2.5 s for a signed-in customer, longer than the client's timeout";
    KnownPath405 => "known-path-405",
        "a known path called with a method it does not declare answers 405 instead of 404";
    UnknownStoreCodeAccepted => "unknown-store-code-accepted",
        "an unknown store code in the URL is served as the default store view";
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

/// What a cache in front of the store serves for `GET /V1/customers/me` under
/// [`Fault::MeReturnsAnotherCustomer`]: the account of Magento's sample-data customer, in the
/// exact shape the reference server renders, so only the identity gives it away.
pub(crate) const CACHED_OTHER_CUSTOMER: &str = concat!(
    r#"{"id":1,"group_id":1,"default_billing":"1","default_shipping":"1","#,
    r#""created_at":"2024-03-01 09:00:00","updated_at":"2024-03-01 09:00:00","#,
    r#""created_in":"Default Store View","email":"roni_cost@example.com","#,
    r#""firstname":"Veronica","lastname":"Costello","store_id":1,"website_id":1,"#,
    r#""addresses":[{"id":1,"customer_id":1,"#,
    r#""region":{"region_code":"MI","region":"Michigan","region_id":33},"region_id":33,"#,
    r#""country_id":"US","street":["6146 Honey Bluff Parkway"],"telephone":"(555) 229-3326","#,
    r#""postcode":"49628-7978","city":"Calder","firstname":"Veronica","lastname":"Costello","#,
    r#""default_shipping":true,"default_billing":true}],"#,
    r#""disable_auto_group_change":0,"extension_attributes":{"is_subscribed":false}}"#
);

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

    #[test]
    fn the_cached_customer_is_a_json_object() {
        let value: serde_json::Value = serde_json::from_str(CACHED_OTHER_CUSTOMER).unwrap();
        assert_eq!(value["email"], "roni_cost@example.com");
    }
}
