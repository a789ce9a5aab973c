//! Finds out, before any scenario, which customer forms the store guards with reCAPTCHA
//! (STORES.md C1), so that the scenarios needing them are listed as not run rather than failed,
//! and none is cut short in flight.
//!
//! Each probe is an empty JSON object sent to the form's route: reCAPTCHA is checked before the
//! body is read, so a guarded route answers its refusal, and an open one refuses the empty body
//! (no customer is created, no sign-in failure is counted: there is no username).

use serde_json::json;

use crate::checks::recaptcha::{RecaptchaFindings, RecaptchaForm, is_recaptcha_refusal, with_response};
use crate::checks::translation::Translations;
use crate::client::{ApiRequest, MagentoClient};
use crate::secrets::Secret;

/// Probes both forms' routes as a guest: without `X-ReCaptcha`, then, for a guarded one, with
/// `response` when it is set, and a guarded create with the admin token too (an integration
/// token is exempt). A probe that gets no answer counts as unguarded: the scenarios then meet
/// the same transport problem and report it.
pub async fn probe(
    client: &MagentoClient,
    response: Option<&str>,
    admin: Option<&Secret>,
    translations: &Translations,
) -> RecaptchaFindings {
    let mut findings = RecaptchaFindings {
        response_configured: response.is_some(),
        ..RecaptchaFindings::default()
    };
    for form in [RecaptchaForm::CreateAccount, RecaptchaForm::Login] {
        let refused = |request: ApiRequest| async move {
            client
                .send(request)
                .await
                .is_ok_and(|answer| is_recaptcha_refusal(answer.status, answer.json().as_ref(), translations))
        };
        if !refused(ApiRequest::post(form.route(), json!({}))).await {
            continue;
        }
        findings.protected.push(form);
        if response.is_some() && refused(with_response(ApiRequest::post(form.route(), json!({})), response)).await {
            findings.response_refused.push(form);
        }
        if form == RecaptchaForm::CreateAccount && admin.is_some() {
            findings.admin_exempt = !refused(ApiRequest::post(form.route(), json!({})).bearer(admin)).await;
        }
    }
    findings
}
