//! Stores that differ from a stock install in ways Magento allows must pass the whole suite,
//! with nothing listed as not run that such a store could run (../shared/magento/STORES.md).
//!
//! Each test starts the reference server configured like such a store and runs the binary
//! against it as a user would.

mod common;

use std::time::Duration;

use common::{RunResult, env_for, run_binary};
use magento_reference::{
    AdminRole, CustomerAttribute, JwtAlg, RecaptchaForm, ReferenceMagento, Release, StoreSettings, Translations,
};

const LIMIT: Duration = Duration::from_secs(120);

/// The lines of the run's "Not run with this configuration" list.
fn not_run_lines(result: &RunResult) -> Vec<&str> {
    result
        .stdout
        .lines()
        .skip_while(|line| !line.starts_with("Not run with this configuration"))
        .skip(1)
        .take_while(|line| line.starts_with("  - "))
        .collect()
}

/// A not-run line for a scenario no store like the one under test can run: one for stores that
/// require email confirmation, or for another release's answer.
fn no_such_store_runs(line: &str) -> bool {
    line.contains("does not require email confirmation")
        || line.contains(" predates it: the behaviour it checks starts in ")
        || line.contains(" changed it: the answer it checks ends in ")
}

/// Only the scenarios for stores that require email confirmation, and those for the answers of
/// other releases than the store's, may be listed as not run: no such store can run them.
fn assert_passed_with_nothing_else_not_run(label: &str, result: &RunResult) {
    assert_eq!(result.code, 0, "{label}: the suite must pass:\n{}", result.output());
    let not_run = not_run_lines(result);
    assert!(
        not_run.iter().all(|line| no_such_store_runs(line)),
        "{label}: listed as not run although this store could run them:\n{}",
        not_run.join("\n")
    );
}

/// How many not-run lines are GraphQL scenarios (their features cite GRAPHQL.md) left out
/// because reCAPTCHA protects this form.
fn graphql_not_run_for(not_run: &[&str], form: &str) -> usize {
    not_run
        .iter()
        .filter(|l| l.contains("(GRAPHQL.md §") && l.contains(&format!("reCAPTCHA protects {form}")))
        .count()
}

/// The scenario ran (the console names it) and is not in the not-run list.
fn assert_ran(label: &str, result: &RunResult, scenario: &str) {
    assert!(
        result.stdout.lines().any(|line| ["✔", "✘"].iter().any(|mark| {
            let line = line.trim_start();
            line.starts_with(&format!("{mark} {scenario} (")) || line.starts_with(&format!("{mark} {scenario} ×"))
        })) && !not_run_lines(result).iter().any(|line| line.contains(scenario)),
        "{label}: {scenario:?} did not run:\n{}",
        result.output()
    );
}

/// The variables with `MAGENTO_VERSION` set to `version` instead of the server's release.
fn with_version(env: Vec<(String, String)>, version: &str) -> Vec<(String, String)> {
    env.into_iter()
        .filter(|(key, _)| key != "MAGENTO_VERSION")
        .chain([("MAGENTO_VERSION".to_owned(), version.to_owned())])
        .collect()
}

async fn run_against(settings: StoreSettings, base_suffix: &str) -> RunResult {
    run_with(settings, base_suffix, &[]).await
}

/// [`run_against`] with more `MAGENTO_*` variables.
async fn run_with(settings: StoreSettings, base_suffix: &str, extra: &[(&str, &str)]) -> RunResult {
    let server = ReferenceMagento::start(settings).await.expect("server starts");
    let mut env = env_for(&server);
    for (key, value) in &mut env {
        if key == "MAGENTO_BASE_URL" {
            value.push_str(base_suffix);
        }
    }
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    result
}

/// A stock install: the Administrators role passes `self` and misses `customerId` (C25, C26).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_rights_admin_passes_and_is_reported() {
    let result = run_against(StoreSettings::default(), "").await;
    assert_passed_with_nothing_else_not_run("full-rights admin", &result);
    assert!(
        result.stdout.contains("admin role: a role with all resources"),
        "{}",
        result.output()
    );
}

/// A least-privilege role with the customer resources only: refused `self` with 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_admin_role_passes_and_is_reported() {
    let settings = StoreSettings {
        admin_role: AdminRole::Restricted,
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("restricted admin", &result);
    assert!(
        result.stdout.contains("admin role: a restricted role or integration"),
        "{}",
        result.output()
    );
    // The store endpoints a least-privilege role may not read fall back to the defaults, and say so.
    assert!(
        result.stdout.contains(
            r#"store view: "Default Store View" (store id 1, website id 1), Magento's default (GET /V1/store/storeViews answered 401)"#
        ),
        "{}",
        result.output()
    );
}

/// A store without URL rewrites, configured as `MAGENTO_BASE_URL=https://host/index.php`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_url_rewrites_passes_through_index_php() {
    let result = run_against(StoreSettings::default(), "/index.php").await;
    assert_passed_with_nothing_else_not_run("/index.php", &result);
    assert!(
        result.stdout.contains("/index.php"),
        "the run must name the /index.php base URL:\n{}",
        result.output()
    );
}

/// A 2.4.6-p8 store (STORES.md C3): before the group guard, the 2.4.8 messages and DOB
/// validator, with the 405. The suite expects its own answers where they differ, and lists the
/// 2.4.8-only scenarios as not run for that release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_4_6_p8_store_passes_with_its_release_s_answers() {
    let settings = StoreSettings {
        release: "2.4.6-p8".parse::<Release>().unwrap(),
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("2.4.6-p8", &result);
    for scenario in [
        "Before the guard, a guest's customer group is reset to the default group",
        "Before 2.4.8, a date of birth in the future is accepted",
        "Methods other than GET, POST, PUT and DELETE are refused before routing",
    ] {
        assert_ran("2.4.6-p8", &result, scenario);
    }
    let not_run = not_run_lines(&result).join("\n");
    assert!(
        not_run.contains("A missing email is refused before anything else is validated (Magento 2.4.6-p8 predates it: the behaviour it checks starts in 2.4.8)"),
        "{not_run}"
    );
}

/// A 2.4.7 store: the group guard, but neither the 2.4.8 messages nor the DOB validator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2_4_7_store_passes_with_its_release_s_answers() {
    let settings = StoreSettings {
        release: "2.4.7".parse::<Release>().unwrap(),
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("2.4.7", &result);
    for scenario in [
        "A guest may not choose the customer group",
        "Before 2.4.8, a date of birth in the future is accepted",
    ] {
        assert_ran("2.4.7", &result, scenario);
    }
}

/// Without MAGENTO_VERSION a real store's release is unknown (Magento does not report it over
/// REST): the release-dependent scenarios are listed as not run, with one summary line, and the
/// rest pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_magento_version_only_release_independent_scenarios_run() {
    let server = ReferenceMagento::start(StoreSettings::default())
        .await
        .expect("server starts");
    let env: Vec<(String, String)> = env_for(&server)
        .into_iter()
        .filter(|(key, _)| key != "MAGENTO_VERSION")
        .collect();
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 0, "{}", result.output());
    assert!(
        result
            .stdout
            .contains("scenario(s) need MAGENTO_VERSION, the store's release with its patch level"),
        "{}",
        result.output()
    );
    let not_run = not_run_lines(&result).join("\n");
    for scenario in [
        "A missing email is refused before anything else is validated (needs MAGENTO_VERSION: the answer changed in 2.4.8)",
        "A guest may not choose the customer group (needs MAGENTO_VERSION: the answer changed in 2.4.4-p12, 2.4.5-p11, 2.4.6-p9 and 2.4.7)",
        "Methods other than GET, POST, PUT and DELETE are refused before routing (needs MAGENTO_VERSION: the answer changed in 2.4.5)",
    ] {
        assert!(not_run.contains(scenario), "{scenario:?} is not listed:\n{not_run}");
    }
    assert_ran("unset", &result, "Names with characters Magento forbids are refused");
}

/// A Dutch store view's phrases, in a language pack's form (`module` columns ignored), for
/// every message the suite meets that a nl_NL pack translates: placeholders kept, labels too.
const DUTCH: &str = r#""The consumer isn't authorized to access %resources.","Gebruiker is niet gemachtigd tot %resources.",module,Magento_Webapi
"""%fieldName"" is required. Enter and try again.","""%fieldName"" is verplicht. Vul het in en probeer het opnieuw.",module,Magento_Framework
"The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.","De aanmelding was onjuist of uw account is tijdelijk uitgeschakeld. Wacht en probeer het later opnieuw.",module,Magento_Integration
"No such entity with %fieldName = %fieldValue","Geen entiteit met %fieldName = %fieldValue",module,Magento_Framework
"One or more input exceptions have occurred.","Er zijn een of meer invoerfouten opgetreden.",module,Magento_Framework
"Request does not match any route.","Het verzoek past bij geen enkele route.",module,Magento_Webapi
"The %1 HTTP method is not supported.","De HTTP-methode %1 wordt niet ondersteund.",module,Magento_Webapi
"""%1"" is a required value.","""%1"" is een verplichte waarde.",module,Magento_Eav
"""%1"" is not a valid email address.","""%1"" is geen geldig e-mailadres.",module,Magento_Eav
"First Name","Voornaam",module,Magento_Customer
"Last Name","Achternaam",module,Magento_Customer
"Email","E-mail",module,Magento_Customer
"Decoding error.","Decoderingsfout.",module,Magento_Webapi
"This customer already exists in this store.","Deze klant bestaat al in deze winkel.",module,Magento_Customer
"The password needs at least %1 characters. Create a new password and try again.","Het wachtwoord moet minstens %1 tekens hebben. Kies een nieuw wachtwoord en probeer het opnieuw.",module,Magento_Customer
"First Name is not valid!","Voornaam is ongeldig!",module,Magento_Customer
"Specified request cannot be processed.","Het opgegeven verzoek kan niet worden verwerkt.",module,Magento_Webapi
"The current customer isn't authorized.","De huidige klant is niet geautoriseerd.",module,Magento_CustomerGraphQl
"Email is invalid","E-mailadres is ongeldig",module,Magento_CustomerGraphQl
"Mutation requests allowed only for POST requests","Mutaties alleen met POST",module,Magento_GraphQl
"#;

/// STORES.md C2: a Dutch store view passes given its CSV; without it the run fails, and says
/// once, in one line, that the store answers in another language and what to set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dutch_store_view_passes_given_its_translations() {
    let dir = common::temp_dir("nl_NL");
    let csv = dir.join("nl_NL.csv");
    std::fs::write(&csv, DUTCH).expect("writes the CSV");
    let dutch_store = || StoreSettings {
        translations: Translations::load(&[&csv]).expect("the test's CSV loads"),
        locale: "nl_NL".to_owned(),
        ..StoreSettings::default()
    };
    let csv_var = csv.display().to_string();
    let result = run_with(dutch_store(), "", &[("MAGENTO_TRANSLATIONS", &csv_var)]).await;
    assert_passed_with_nothing_else_not_run("Dutch store view with its CSV", &result);
    assert!(!result.output().contains("another language"), "{}", result.output());

    let result = run_against(dutch_store(), "").await;
    assert_eq!(result.code, 1, "English expectations must fail:\n{}", result.output());
    let hints: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.contains("the store answers in another language"))
        .collect();
    assert_eq!(hints.len(), 1, "one hint, once:\n{}", result.output());
    assert!(hints[0].starts_with("magento-contract: "), "{}", hints[0]);
    assert!(hints[0].contains("set MAGENTO_TRANSLATIONS"), "{}", hints[0]);
    assert!(
        hints[0].contains("another language (nl_NL)"),
        "the locale the admin token read: {}",
        hints[0]
    );

    // The embedded run honours the variable: its server answers in Dutch, and the run passes.
    let result = run_binary(&[], &[("MAGENTO_TRANSLATIONS".to_owned(), csv_var.clone())], LIMIT).await;
    assert_passed_with_nothing_else_not_run("embedded Dutch store view", &result);
    let log = std::fs::read_to_string(result.report_dir.join("exchanges.ndjson")).expect("exchange log");
    for dutch in [
        "Gebruiker is niet gemachtigd tot %resources.",
        "De huidige klant is niet geautoriseerd.",
    ] {
        assert!(log.contains(dutch), "the embedded server answered {dutch:?} in English");
    }
}

/// STORES.md C1: reCAPTCHA on customer create and sign-in, which guards the REST routes and the
/// GraphQL mutations alike. Without a response the scenarios that need either form are listed
/// as not run, by form, GraphQL ones included, and the rest pass; with
/// `MAGENTO_RECAPTCHA_RESPONSE` (any value passes the test keys) everything runs and passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_recaptcha_on_create_and_sign_in_passes() {
    let guarded = || StoreSettings {
        recaptcha: vec![RecaptchaForm::CreateAccount, RecaptchaForm::Login],
        ..StoreSettings::default()
    };
    let result = run_against(guarded(), "").await;
    assert_eq!(result.code, 0, "the suite must pass:\n{}", result.output());
    for form in [
        "customer create (POST /V1/customers; GraphQL createCustomerV2, createCustomer)",
        "customer sign-in (POST /V1/integration/customer/token; GraphQL generateCustomerToken)",
    ] {
        let said: Vec<&str> = result
            .stdout
            .lines()
            .filter(|l| l.starts_with(&format!("magento-contract: storefront reCAPTCHA protects {form}")))
            .collect();
        assert_eq!(said.len(), 1, "{form} named once:\n{}", result.output());
    }
    let not_run = not_run_lines(&result);
    let by_recaptcha = |form: &str| {
        not_run
            .iter()
            .filter(|l| l.contains(&format!("reCAPTCHA protects {form}")))
            .count()
    };
    assert!(by_recaptcha("customer create") >= 30, "{}", result.output());
    assert!(by_recaptcha("customer sign-in") >= 5, "{}", result.output());
    // Every GraphQL sign-in first needs a customer, so those are listed under the create form.
    assert!(
        graphql_not_run_for(&not_run, "customer create") >= 10,
        "GraphQL creates are listed as not run:\n{}",
        result.output()
    );
    assert!(
        not_run
            .iter()
            .all(|l| l.contains("reCAPTCHA protects") || no_such_store_runs(l)),
        "{}",
        not_run.join("\n")
    );
    assert!(
        !result.stdout.contains("failed"),
        "nothing fails or is cut short:\n{}",
        result.output()
    );

    let result = run_with(guarded(), "", &[("MAGENTO_RECAPTCHA_RESPONSE", "test-key-response")]).await;
    assert_passed_with_nothing_else_not_run("reCAPTCHA answered", &result);
    assert!(
        result
            .stdout
            .contains("MAGENTO_RECAPTCHA_RESPONSE is sent as X-ReCaptcha and accepted"),
        "{}",
        result.output()
    );
}

/// STORES.md C1 with an integration token as MAGENTO_ADMIN_TOKEN: Magento exempts it from
/// reCAPTCHA, so the customers the scenarios need are created through it and the admin-side
/// scenarios run; only the scenarios whose own guest create or sign-in is the point are not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_integration_token_creates_the_customers_a_recaptcha_store_refuses_guests() {
    const INTEGRATION_TOKEN: &str = "k3x9q7m2v8c4n6b1z5h0w2r7t9y4u6p1";
    let server = ReferenceMagento::start(StoreSettings {
        recaptcha: vec![RecaptchaForm::CreateAccount, RecaptchaForm::Login],
        integration_token: Some(INTEGRATION_TOKEN.to_owned()),
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let mut env: Vec<(String, String)> = env_for(&server)
        .into_iter()
        .filter(|(key, _)| !key.starts_with("MAGENTO_ADMIN_"))
        .collect();
    env.push(("MAGENTO_ADMIN_TOKEN".to_owned(), INTEGRATION_TOKEN.to_owned()));
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 0, "the suite must pass:\n{}", result.output());
    assert!(
        result
            .stdout
            .contains("created with the integration token (MAGENTO_ADMIN_TOKEN)"),
        "{}",
        result.output()
    );
    let not_run = not_run_lines(&result);
    // A token configuration cannot sign in with two-factor auth: those scenarios are not run
    // whatever the store.
    assert!(
        not_run.iter().all(|l| l.contains("reCAPTCHA protects")
            || no_such_store_runs(l)
            || l.contains("needs a store with two-factor auth on")),
        "{}",
        not_run.join("\n")
    );
    for ran in [
        "A guest may not search customers",
        "Deleting an unknown id is",
        "The admin may not choose a group",
    ] {
        assert!(
            !not_run.iter().any(|l| l.contains(ran)),
            "{ran:?} needs only a customer the integration can create:\n{}",
            not_run.join("\n")
        );
    }
    assert!(
        not_run.iter().any(|l| l.contains("An invalid email is refused")),
        "a guest's own create stays not run:\n{}",
        not_run.join("\n")
    );
    // Over GraphQL too: the guest's createCustomerV2 stays not run, and a customer the
    // integration created still cannot sign in over GraphQL.
    for form in ["customer create", "customer sign-in"] {
        assert!(
            graphql_not_run_for(&not_run, form) >= 1,
            "a GraphQL scenario is listed as not run for {form}:\n{}",
            not_run.join("\n")
        );
    }
}

async fn run_store(settings: StoreSettings, extra_env: &[(&str, &str)], with_admin: bool) -> RunResult {
    let server = ReferenceMagento::start(settings).await.expect("server starts");
    let mut env: Vec<(String, String)> = env_for(&server)
        .into_iter()
        .filter(|(key, _)| with_admin || !key.starts_with("MAGENTO_ADMIN_"))
        .collect();
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    result
}

/// A default view renamed, with other ids and another default group, is detected with the admin
/// token and expected everywhere, snapshots and the tutorial's drift included (STORES.md C5, U3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_default_view_with_other_ids_is_detected_and_passes() {
    let settings = StoreSettings {
        store_name: "Boutique Lyon".into(),
        store_id: 4,
        website_id: 3,
        default_group_id: 2,
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_passed_with_nothing_else_not_run("renamed view", &result);
    for observed in [
        r#"store view: "Boutique Lyon" (store id 4, website id 3), detected with GET /V1/store/storeViews"#,
        "default customer group: 2, detected with GET /V1/customerGroups/default/{storeId}",
    ] {
        assert!(result.stdout.contains(observed), "{observed}:\n{}", result.output());
    }
}

/// A store that does not allow the US silently drops the tutorial's address: the scenarios that
/// check it are listed as not run, with the reason and the variable that runs them (C6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_us_addresses_lists_the_address_scenarios_as_not_run() {
    let settings = StoreSettings {
        allowed_countries: Some(vec!["DE".into(), "FR".into(), "GB".into()]),
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let not_run = not_run_lines(&result);
    let address: Vec<&&str> = not_run
        .iter()
        .filter(|line| line.contains("does not allow US addresses (general/country/allow): set MAGENTO_ADDRESS"))
        .collect();
    // REST's ten, the in-store pickup tutorial's drift and GraphQL's address read.
    assert_eq!(address.len(), 12, "{}", not_run.join("\n"));
    assert!(
        not_run.iter().all(|line| line.contains("does not allow US addresses")
            || line.contains("does not require email confirmation")
            || no_such_store_runs(line)),
        "{}",
        not_run.join("\n")
    );
    assert!(
        result.stdout.contains("allowed countries: 3 (US NOT among them)"),
        "{}",
        result.output()
    );
}

const BERLIN: &str = r#"{"country_id":"DE","region_id":82,"region_code":"BER","region":"Berlin","postcode":"10115","city":"Berlin","telephone":"030 1234567"}"#;

/// With `MAGENTO_ADDRESS`, the same store runs every address scenario with that address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_us_addresses_passes_with_its_own_address() {
    let settings = StoreSettings {
        allowed_countries: Some(vec!["DE".into(), "FR".into(), "GB".into()]),
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[("MAGENTO_ADDRESS", BERLIN)], true).await;
    assert_passed_with_nothing_else_not_run("MAGENTO_ADDRESS", &result);
}

fn gender_and_taxvat() -> StoreSettings {
    StoreSettings {
        required_customer_attributes: vec![CustomerAttribute::Gender, CustomerAttribute::Taxvat],
        ..StoreSettings::default()
    }
}

/// Required gender and taxvat are read from the attribute metadata with the admin token and sent
/// in every create (U4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_gender_and_taxvat_are_detected_and_sent() {
    let result = run_store(gender_and_taxvat(), &[], true).await;
    assert_passed_with_nothing_else_not_run("required gender and taxvat", &result);
    assert!(
        result.stdout.contains(
            "required customer attributes: gender, taxvat sent, detected with GET /V1/attributeMetadata/customer"
        ),
        "{}",
        result.output()
    );
}

/// Without an admin token, `MAGENTO_EXTRA_CUSTOMER_FIELDS` does the same; only the scenarios
/// that need admin credentials are not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_gender_and_taxvat_pass_with_extra_fields_and_no_admin() {
    let extra = [(
        "MAGENTO_EXTRA_CUSTOMER_FIELDS",
        r#"{"gender": 3, "taxvat": "DE123456789"}"#,
    )];
    let result = run_store(gender_and_taxvat(), &extra, false).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let not_run = not_run_lines(&result);
    assert!(
        not_run.iter().all(|line| line.contains("needs admin credentials")
            || line.contains("MAGENTO_ADMIN_TOTP_SECRET")
            || line.contains("does not require email confirmation")
            || no_such_store_runs(line)),
        "{}",
        not_run.join("\n")
    );
    assert!(
        result
            .stdout
            .contains("required customer attributes: gender, taxvat sent, from MAGENTO_EXTRA_CUSTOMER_FIELDS"),
        "{}",
        result.output()
    );
}

/// A module's extension and custom attributes, and the property it adds to the store's
/// Swagger, are reported as drift without failing; `MAGENTO_STRICT_DRIFT=1` fails them (C7).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modules_additions_are_reported_and_fail_only_when_strict() {
    let module_store = || StoreSettings {
        loyalty_module: true,
        ..StoreSettings::default()
    };
    let result = run_store(module_store(), &[], true).await;
    assert_passed_with_nothing_else_not_run("module store", &result);
    for addition in [
        "[module addition] tutorial-create-customer: extension_attributes.loyalty.tier: extra key",
        "[module addition] tutorial-create-customer: custom_attributes[0].attribute_code: extra key",
        "[module addition] live-schema: customer-data-customer-extension-interface.loyalty: added property",
    ] {
        assert!(result.stdout.contains(addition), "{addition}:\n{}", result.output());
    }
    let strict = run_store(module_store(), &[("MAGENTO_STRICT_DRIFT", "1")], true).await;
    assert_eq!(strict.code, 1, "{}", strict.output());
    assert!(strict.stdout.contains("[NEW] live-schema:"), "{}", strict.output());
}

/// A policy of one character and one class is detected from a weak password's refusal, and the
/// two rows no password can break, over REST and over GraphQL, are listed as not run, with the
/// reason (STORES.md U1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lax_password_policy_is_detected_and_its_unbreakable_rules_not_run() {
    let settings = StoreSettings {
        password_min_length: 1,
        password_required_classes: 1,
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let not_run = not_run_lines(&result);
    for reason in [
        "minimum password length is 1: no password is too short",
        "requires one character class: every password has enough",
    ] {
        assert_eq!(
            not_run.iter().filter(|line| line.contains(reason)).count(),
            2,
            "{reason}:\n{}",
            not_run.join("\n")
        );
    }
    let others = not_run.iter().filter(|line| !no_such_store_runs(line)).count();
    assert_eq!(others, 4, "{}", not_run.join("\n"));
    assert!(
        result
            .stdout
            .contains("password policy: at least 1 characters of 1 classes, detected"),
        "{}",
        result.output()
    );
}

/// Four classes and a long minimum: the e-mail row sends the e-mail in mixed case, which has all
/// four classes and equals it for Magento's `strcasecmp`, so every row runs (STORES.md U1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_password_policy_is_detected_and_every_rule_runs() {
    let settings = StoreSettings {
        password_min_length: 20,
        password_required_classes: 4,
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_passed_with_nothing_else_not_run("strict password policy", &result);
    assert!(
        result
            .stdout
            .contains("password policy: at least 20 characters of 4 classes, detected"),
        "{}",
        result.output()
    );
}

/// A store without Magento_Newsletter has no `is_subscribed`: detected from its public
/// Swagger, the three scenarios that check it are listed as not run, and the snapshots expect
/// no `extension_attributes` (STORES.md U7).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_the_newsletter_module_passes() {
    let settings = StoreSettings {
        newsletter_module: false,
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_eq!(result.code, 0, "{}", result.output());
    let not_run = not_run_lines(&result);
    let newsletter = not_run
        .iter()
        .filter(|line| line.contains("the store has no Magento_Newsletter"))
        .count();
    // REST's three and GraphQL's two that expect a subscription.
    assert_eq!(newsletter, 5, "{}", not_run.join("\n"));
    assert!(
        not_run
            .iter()
            .all(|line| line.contains("Magento_Newsletter") || no_such_store_runs(line)),
        "{}",
        not_run.join("\n")
    );
    assert!(
        result.stdout.contains("Magento_Newsletter: NOT installed"),
        "{}",
        result.output()
    );
}

/// A store without the Magento_GraphQl module answers `/graphql` with its 404 page
/// (GRAPHQL.md §1.1): the `@graphql` scenarios are listed as not run, in one line with the
/// reason, and the run passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_graphql_passes_with_the_graphql_scenarios_not_run() {
    let settings = StoreSettings {
        graphql_module: false,
        ..StoreSettings::default()
    };
    let result = run_against(settings, "").await;
    assert_passed_with_nothing_else_not_run("no GraphQL", &result);
    let lines: Vec<&str> = result
        .stdout
        .lines()
        .filter(|line| line.contains("@graphql scenarios"))
        .collect();
    assert_eq!(lines.len(), 1, "one line lists them:\n{}", result.output());
    assert!(
        lines[0].starts_with("Not run: ") && lines[0].contains("/graphql answered 404"),
        "{}",
        lines[0]
    );
    let count: usize = lines[0]
        .trim_start_matches("Not run: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(
        count >= 30,
        "every @graphql scenario is listed, not {count}: {}",
        lines[0]
    );
    assert!(!result.stdout.contains("GraphQL status codes"), "{}", result.output());
}

/// A 2.4.7 store answers every executed GraphQL request 200 and treats a bad bearer token as a
/// guest (GRAPHQL.md §1.9): it passes with `MAGENTO_VERSION` left at `2.4` (the REST scenarios
/// gated by release not run) and set to its release, and the run says which status codes it saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_the_graphql_status_codes_of_2_4_7_passes() {
    for version in ["2.4", "2.4.7"] {
        let server = ReferenceMagento::start(StoreSettings {
            release: "2.4.7".parse::<Release>().unwrap(),
            ..StoreSettings::default()
        })
        .await
        .expect("server starts");
        let env = with_version(env_for(&server), version);
        let result = run_binary(&[], &env, LIMIT).await;
        server.shutdown().await;
        let label = format!("2.4.7 GraphQL statuses, MAGENTO_VERSION={version}");
        assert_eq!(result.code, 0, "{label}: the suite must pass:\n{}", result.output());
        // A bare 2.4 leaves out what changed within 2.4, REST's release gates included.
        let not_run = not_run_lines(&result);
        assert!(
            not_run.iter().all(|line| no_such_store_runs(line)
                || (version == "2.4" && line.contains("MAGENTO_VERSION=2.4 names a whole line"))),
            "{label}:\n{}",
            not_run.join("\n")
        );
        assert!(
            result
                .stdout
                .contains("GraphQL status codes: as Magento 2.4.0 to 2.4.7"),
            "{label}:\n{}",
            result.output()
        );
    }
}

/// The same 2.4.7 store is a failure when the configuration says it is 2.4.8: the status rule
/// follows `MAGENTO_VERSION`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_status_codes_of_2_4_7_fail_a_run_configured_for_2_4_8() {
    let server = ReferenceMagento::start(StoreSettings {
        release: "2.4.7".parse::<Release>().unwrap(),
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let env = with_version(env_for(&server), "2.4.8");
    let result = run_binary(&["--tags", "@graphql"], &env, LIMIT).await;
    server.shutdown().await;
    assert_eq!(result.code, 1, "{}", result.output());
    assert!(result.stdout.contains("HTTP 403, received 200"), "{}", result.output());
}

/// `webapi/jwtauth/jwt_alg` HS512 (STORES.md R1): every token is accepted and the algorithm is
/// reported; pinned to HS256 with `MAGENTO_JWT_ALG`, the same store fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hs512_store_passes_and_its_algorithm_is_reported() {
    let settings = || StoreSettings {
        jwt_alg: JwtAlg::Hs512,
        ..StoreSettings::default()
    };
    let result = run_store(settings(), &[], true).await;
    assert_passed_with_nothing_else_not_run("HS512", &result);
    for observed in [
        "JWT algorithm: HS512, detected from the first token",
        "customer token lifetime: 60 minutes, from MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES",
    ] {
        assert!(result.stdout.contains(observed), "{observed}:\n{}", result.output());
    }
    let pinned = run_store(settings(), &[("MAGENTO_JWT_ALG", "HS256")], true).await;
    assert_eq!(pinned.code, 1, "{}", pinned.output());
    assert!(
        pinned
            .stdout
            .contains("the JWT's alg is HS512, expected HS256 (MAGENTO_JWT_ALG)"),
        "{}",
        pinned.output()
    );
}

/// A store whose customer tokens last two hours, run without the lifetime variable (STORES.md
/// U2): the first token's lifetime is taken, reported, and every later token holds to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_longer_token_lifetime_is_taken_from_the_first_token() {
    let server = ReferenceMagento::start(StoreSettings {
        customer_token_lifetime_minutes: 120,
        ..StoreSettings::default()
    })
    .await
    .expect("server starts");
    let env: Vec<(String, String)> = env_for(&server)
        .into_iter()
        .filter(|(key, _)| key != "MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES")
        .collect();
    let result = run_binary(&[], &env, LIMIT).await;
    server.shutdown().await;
    assert_passed_with_nothing_else_not_run("120-minute tokens", &result);
    let observed = "customer token lifetime: 120 minutes, detected from the first token";
    assert!(result.stdout.contains(observed), "{observed}:\n{}", result.output());
}

/// A store that has a customer group 777 (STORES.md R3): the invalid-group scenario sends an id
/// above every group the admin token lists, and the run says which.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_with_a_group_777_gets_an_id_above_its_groups() {
    let settings = StoreSettings {
        extra_customer_groups: vec![777],
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_passed_with_nothing_else_not_run("group 777", &result);
    assert_ran(
        "group 777",
        &result,
        "The admin may not choose a group that does not exist",
    );
    let observed = "customer group id that does not exist: 778 (above the 5 groups' highest id), detected with GET /V1/customerGroups/search";
    assert!(result.stdout.contains(observed), "{observed}:\n{}", result.output());
}

/// A store that forces several 2FA providers on its admins, Google among them (STORES.md R2):
/// the integration route lists them all, which passes, and the run reports them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_forced_two_factor_providers_pass_and_are_reported() {
    let settings = StoreSettings {
        two_factor_providers: vec!["google".into(), "authy".into(), "duo_security".into()],
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert_passed_with_nothing_else_not_run("several providers", &result);
    assert_ran(
        "several providers",
        &result,
        "With two-factor auth on, the integration route refuses valid credentials with 400",
    );
    let observed = "admin 2FA providers: google, authy, duo_security";
    assert!(result.stdout.contains(observed), "{observed}:\n{}", result.output());
}

/// A store whose admin tokens lapse during the run (a short `webapi/jwtauth/admin_expiration`,
/// STORES.md R7): the admin signed in with a password and TOTP, so a 401 signs it in again and
/// the refused call is repeated; the run passes although it outlives several admin tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_outliving_its_admin_token_signs_in_again_and_passes() {
    const LIFETIME: std::time::Duration = Duration::from_secs(2);
    let settings = StoreSettings {
        admin_token_lifetime_seconds: Some(LIFETIME.as_secs() as i64),
        response_delay: Some(Duration::from_millis(70)),
        ..StoreSettings::default()
    };
    let result = run_store(settings, &[], true).await;
    assert!(
        result.elapsed > LIFETIME * 2,
        "the run must outlive the admin token, took {:?}",
        result.elapsed
    );
    assert_passed_with_nothing_else_not_run("short admin tokens", &result);
}
