//! Storefront reCAPTCHA on the customer web API (STORES.md C1).
//!
//! With "Enable for Create New Customer Account" or "Enable for Customer Login" on, Magento's
//! `ReCaptchaWebapiRest` plugin checks the `X-ReCaptcha` header of `POST /V1/customers` and
//! `POST /V1/integration/customer/token` right after the ACL, before the body is read, and
//! answers 400 `ReCaptcha validation failed, please try again` (translated). Its
//! `ReCaptchaWebapiGraphQl` twin checks the same header before the resolvers of the GraphQL
//! mutations `createCustomerV2`, `createCustomer` and `generateCustomerToken`, and answers the same
//! text as a `graphql-input` error. Only integration tokens are exempt (`ValidationOverrider`); an
//! admin user's token is not.

use std::fmt;

use reqwest::Method;
use serde_json::Value;

use super::graphql::{OperationKind, parse_document};
use super::translation::Translations;
use crate::client::ApiRequest;

/// What `RestValidationPlugin` answers a missing or refused reCAPTCHA response.
pub const RECAPTCHA_FAILED: &str = "ReCaptcha validation failed, please try again";

/// A storefront form whose reCAPTCHA also guards a web API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecaptchaForm {
    /// `customer_create`: `POST /V1/customers`.
    CreateAccount,
    /// `customer_login`: `POST /V1/integration/customer/token`.
    Login,
}

impl RecaptchaForm {
    /// The service route the form guards.
    pub fn route(self) -> &'static str {
        match self {
            RecaptchaForm::CreateAccount => "/V1/customers",
            RecaptchaForm::Login => "/V1/integration/customer/token",
        }
    }

    /// The GraphQL mutations whose resolver the form guards (`WebapiConfigProvider` names the
    /// `CreateCustomer` resolver, which serves both create mutations, and `GenerateCustomerToken`).
    pub fn mutations(self) -> &'static [&'static str] {
        match self {
            RecaptchaForm::CreateAccount => &["createCustomerV2", "createCustomer"],
            RecaptchaForm::Login => &["generateCustomerToken"],
        }
    }

    /// The forms guarding a GraphQL document: those of the guarded mutations it runs. A query
    /// is never guarded (`GraphQlValidator` returns early for anything but a mutation), nor is
    /// a document that does not parse.
    pub fn guarding_document(document: &str) -> Vec<RecaptchaForm> {
        let Ok(document) = parse_document(document) else {
            return Vec::new();
        };
        if document.kind != OperationKind::Mutation {
            return Vec::new();
        }
        [RecaptchaForm::CreateAccount, RecaptchaForm::Login]
            .into_iter()
            .filter(|form| {
                document
                    .root_fields
                    .iter()
                    .any(|field| form.mutations().contains(&field.as_str()))
            })
            .collect()
    }

    /// The forms guarding a request: its REST route's, or its GraphQL document's.
    pub fn guarding(request: &ApiRequest) -> Vec<RecaptchaForm> {
        if let Some((document, _)) = request.graphql_payload() {
            return Self::guarding_document(&document);
        }
        [RecaptchaForm::CreateAccount, RecaptchaForm::Login]
            .into_iter()
            .filter(|form| request.method == Method::POST && request.route() == Some(form.route()))
            .collect()
    }

    /// The form's switch in the admin.
    fn setting(self) -> &'static str {
        match self {
            RecaptchaForm::CreateAccount => "Enable for Create New Customer Account",
            RecaptchaForm::Login => "Enable for Customer Login",
        }
    }
}

impl fmt::Display for RecaptchaForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecaptchaForm::CreateAccount => {
                "customer create (POST /V1/customers; GraphQL createCustomerV2, createCustomer)"
            }
            RecaptchaForm::Login => {
                "customer sign-in (POST /V1/integration/customer/token; GraphQL generateCustomerToken)"
            }
        })
    }
}

/// What a scenario needs of a guarded form, by its feature tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `@guest-create`: it sends `POST /V1/customers` as a guest itself.
    GuestCreate,
    /// `@creates-customer`: it needs a customer created for it (a Background), or creates one
    /// as the admin; an integration token, which Magento exempts, can do that.
    CustomerCreate,
    /// `@guest-sign-in`: it signs a customer in.
    GuestSignIn,
}

impl Need {
    pub const ALL: [Need; 3] = [Need::GuestCreate, Need::CustomerCreate, Need::GuestSignIn];

    pub fn tag(self) -> &'static str {
        match self {
            Need::GuestCreate => "guest-create",
            Need::CustomerCreate => "creates-customer",
            Need::GuestSignIn => "guest-sign-in",
        }
    }

    pub fn form(self) -> RecaptchaForm {
        match self {
            Need::GuestCreate | Need::CustomerCreate => RecaptchaForm::CreateAccount,
            Need::GuestSignIn => RecaptchaForm::Login,
        }
    }
}

/// Whether an answer is `RestValidationPlugin`'s refusal, in English or the store view's
/// language.
pub fn is_recaptcha_refusal(status: u16, body: Option<&Value>, translations: &Translations) -> bool {
    let message = body.and_then(|b| b.get("message")).and_then(Value::as_str);
    status == 400 && message.is_some_and(|m| m == RECAPTCHA_FAILED || m == translations.phrase(RECAPTCHA_FAILED))
}

/// The `X-ReCaptcha` header on a request to a form's route or a GraphQL mutation a form guards,
/// when a response is configured.
pub fn with_response(mut request: ApiRequest, response: Option<&str>) -> ApiRequest {
    let guarded = !RecaptchaForm::guarding(&request).is_empty();
    if let (true, Some(response)) = (guarded, response) {
        request.headers.push(("X-ReCaptcha".to_owned(), response.to_owned()));
    }
    request
}

/// How the store's reCAPTCHA treats the suite, from the probes of each form's route.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecaptchaFindings {
    /// Forms whose route refused a request without `X-ReCaptcha`.
    pub protected: Vec<RecaptchaForm>,
    /// Of those, the ones that also refused `MAGENTO_RECAPTCHA_RESPONSE`.
    pub response_refused: Vec<RecaptchaForm>,
    /// Whether `MAGENTO_RECAPTCHA_RESPONSE` is set.
    pub response_configured: bool,
    /// Whether the guarded create route accepted the admin token without a response: it is an
    /// integration token, which Magento exempts (`ValidationOverrider`).
    pub admin_exempt: bool,
}

impl RecaptchaFindings {
    /// Whether the form's route answers the suite: unguarded, or guarded and the configured
    /// response accepted.
    fn open(&self, form: RecaptchaForm) -> bool {
        !self.protected.contains(&form) || (self.response_configured && !self.response_refused.contains(&form))
    }

    /// Whether customers the scenarios need are created with the admin (integration) token:
    /// the create form refuses the suite, and the token is exempt.
    pub fn creates_through_admin(&self) -> bool {
        !self.open(RecaptchaForm::CreateAccount) && self.admin_exempt
    }

    /// Why scenarios with this need cannot run, if they cannot.
    pub fn not_run_reason(&self, need: Need) -> Option<String> {
        let form = need.form();
        if self.open(form) || (need == Need::CustomerCreate && self.creates_through_admin()) {
            return None;
        }
        Some(if self.response_refused.contains(&form) {
            format!("the store refused MAGENTO_RECAPTCHA_RESPONSE on {form}")
        } else {
            format!("reCAPTCHA protects {form}; set MAGENTO_RECAPTCHA_RESPONSE to run it")
        })
    }

    /// One line per protected form: which it is, where it is switched, and what the run does.
    pub fn summary(&self) -> Vec<String> {
        self.protected
            .iter()
            .map(|form| {
                let then = if self.response_refused.contains(form) {
                    "the store refused MAGENTO_RECAPTCHA_RESPONSE, so the scenarios that need it are not run"
                } else if self.response_configured {
                    "MAGENTO_RECAPTCHA_RESPONSE is sent as X-ReCaptcha and accepted"
                } else if *form == RecaptchaForm::CreateAccount && self.admin_exempt {
                    "the customers scenarios need are created with the integration token (MAGENTO_ADMIN_TOKEN), which Magento exempts; the guest creates are not run (set MAGENTO_RECAPTCHA_RESPONSE; with Google's test keys any value passes)"
                } else {
                    "the scenarios that need it are not run (set MAGENTO_RECAPTCHA_RESPONSE; with Google's test keys any value passes)"
                };
                format!(
                    "storefront reCAPTCHA protects {form} (Stores > Configuration > Security > Google reCAPTCHA Storefront > {}): {then}",
                    form.setting()
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_refusal_is_recognised_in_english_and_translated() {
        let english = json!({"message": RECAPTCHA_FAILED});
        assert!(is_recaptcha_refusal(400, Some(&english), &Translations::default()));
        assert!(!is_recaptcha_refusal(401, Some(&english), &Translations::default()));
        let dutch = Translations::from_csv(&format!(
            "\"{RECAPTCHA_FAILED}\",\"ReCaptcha-validatie mislukt, probeer het opnieuw\"\n"
        ))
        .unwrap();
        let translated = json!({"message": "ReCaptcha-validatie mislukt, probeer het opnieuw"});
        assert!(is_recaptcha_refusal(400, Some(&translated), &dutch));
        assert!(!is_recaptcha_refusal(400, Some(&translated), &Translations::default()));
        let other = json!({"message": "Decoding error."});
        assert!(!is_recaptcha_refusal(400, Some(&other), &dutch));
        assert!(!is_recaptcha_refusal(400, None, &dutch));
    }

    #[test]
    fn protected_forms_are_not_run_unless_a_response_is_accepted() {
        let none = RecaptchaFindings::default();
        assert_eq!(none.not_run_reason(Need::GuestSignIn), None);
        assert!(none.summary().is_empty());
        let login = RecaptchaFindings {
            protected: vec![RecaptchaForm::Login],
            ..RecaptchaFindings::default()
        };
        assert_eq!(login.not_run_reason(Need::GuestCreate), None);
        let reason = login.not_run_reason(Need::GuestSignIn).unwrap();
        assert!(reason.contains("MAGENTO_RECAPTCHA_RESPONSE"), "{reason}");
        let [line] = login.summary().try_into().unwrap();
        assert!(line.contains("Enable for Customer Login"), "{line}");
        let answered = RecaptchaFindings {
            response_configured: true,
            ..login.clone()
        };
        assert_eq!(answered.not_run_reason(Need::GuestSignIn), None);
        let refused = RecaptchaFindings {
            response_refused: vec![RecaptchaForm::Login],
            ..answered
        };
        assert!(refused.not_run_reason(Need::GuestSignIn).unwrap().contains("refused"));
    }

    /// With an exempt integration token, customers are created through it: only the
    /// scenarios whose own guest create is the point stay not run.
    #[test]
    fn an_exempt_integration_token_creates_the_customers_scenarios_need() {
        let create = RecaptchaFindings {
            protected: vec![RecaptchaForm::CreateAccount],
            ..RecaptchaFindings::default()
        };
        assert!(!create.creates_through_admin());
        assert!(create.not_run_reason(Need::CustomerCreate).is_some());
        let exempt = RecaptchaFindings {
            admin_exempt: true,
            ..create.clone()
        };
        assert!(exempt.creates_through_admin());
        assert_eq!(exempt.not_run_reason(Need::CustomerCreate), None);
        assert!(exempt.not_run_reason(Need::GuestCreate).is_some());
        let [line] = exempt.summary().try_into().unwrap();
        assert!(line.contains("created with the integration token"), "{line}");
        let answered = RecaptchaFindings {
            response_configured: true,
            ..exempt
        };
        assert!(!answered.creates_through_admin(), "a guest create works again");
    }

    #[test]
    fn the_response_goes_only_on_the_guarded_routes() {
        let header = |request: &ApiRequest| request.headers.iter().any(|(name, _)| name == "X-ReCaptcha");
        let create = with_response(ApiRequest::post("/V1/customers", json!({})), Some("test"));
        assert!(header(&create));
        let mut raw = ApiRequest::post("/rest/all/V1/integration/customer/token", json!({}));
        raw.raw_path = true;
        assert!(header(&with_response(raw, Some("test"))));
        assert!(!header(&with_response(
            ApiRequest::post("/V1/customers", json!({})),
            None
        )));
        assert!(!header(&with_response(
            ApiRequest::get("/V1/customers/me"),
            Some("test")
        )));
        let revoke = ApiRequest::post("/V1/integration/customer/revoke-customer-token", json!({}));
        assert!(!header(&with_response(revoke, Some("test"))));
    }

    /// `GraphQlValidator`: the guarded mutations get the response, by POST or GET; queries,
    /// other mutations and documents that do not parse do not.
    #[test]
    fn the_response_goes_on_the_guarded_graphql_mutations() {
        let header = |request: &ApiRequest| {
            request
                .headers
                .iter()
                .filter(|(name, _)| name == "X-ReCaptcha")
                .map(|(_, value)| value.clone())
                .collect::<Vec<String>>()
        };
        let send =
            |method: Method, document: &str| with_response(ApiRequest::graphql(method, document, None), Some("test"));
        let create_v2 =
            "mutation ($input: CustomerCreateInput!) { createCustomerV2(input: $input) { customer { email } } }";
        assert_eq!(header(&send(Method::POST, create_v2)), ["test"]);
        assert_eq!(header(&send(Method::GET, create_v2)), ["test"]);
        assert_eq!(
            header(&send(
                Method::POST,
                "mutation { createCustomer(input: {}) { customer { email } } }"
            )),
            ["test"]
        );
        let sign_in = "mutation { generateCustomerToken(email: \"a@b.c\", password: \"p\") { token } }";
        assert_eq!(header(&send(Method::POST, sign_in)), ["test"]);
        assert_eq!(RecaptchaForm::guarding_document(sign_in), [RecaptchaForm::Login]);
        assert!(header(&with_response(ApiRequest::graphql(Method::POST, sign_in, None), None)).is_empty());
        assert!(header(&send(Method::POST, "mutation { revokeCustomerToken { result } }")).is_empty());
        assert!(header(&send(Method::POST, "{ customer { email } }")).is_empty());
        assert!(header(&send(Method::POST, "query { createCustomerV2 { x } }")).is_empty());
        assert!(header(&send(Method::POST, "mutation { createCustomerV2(")).is_empty());
    }
}
