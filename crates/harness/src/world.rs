//! The per-scenario World, the run-wide context it shares, and why a step fails.
//!
//! Every request a scenario sends goes through [`MagentoWorld::send`] (or
//! [`MagentoWorld::send_all`]): the one place that keeps the answer as the scenario's last
//! exchange and registers a customer the store created for clean-up.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt as _;
use rand::Rng;
use serde_json::{Map, Value};

use crate::checks::admin_role::{AdminRole, expect_same_role};
use crate::checks::customer::{CreatedCustomer, created_customer};
use crate::checks::drift::{Baseline, Difference, DriftRecord, is_module_addition};
use crate::checks::graphql::{StatusRule, add_create_fields, parse_document};
use crate::checks::recaptcha::{RecaptchaFindings, with_response};
use crate::checks::refusals::{Refusal, SetUp, UniformRefusal, uniform_refusal};
use crate::checks::schema::SchemaFailure;
use crate::checks::snapshot::SnapshotStore;
use crate::checks::store_identity::StoreIdentity;
use crate::checks::token::{
    Lifetime, TokenExpectation, TokenFailure, TokenKind, USER_TYPE_CUSTOMER, check_issued_token,
};
use crate::checks::{CheckFailure, SchemaSet};
use crate::client::{ApiRequest, Exchange, GRAPHQL_PATH, MagentoClient, RequestBody, TransportError};
use crate::config::Config;
use crate::interruption::Interruption;
use crate::secrets::{Redactor, Secret};
use crate::store_loss::{Answer, StoreLoss};
use crate::store_profile::{StoreProfile, adapt_create_body};
use crate::sweep::{CleanupReport, CleanupRule, Filter, clean_up, delete_customer, find_customers};

/// Why a step failed. `Display` is what the user reads under the step.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A contract check failed on a response; shows the request and how to repeat it.
    #[error("{failure}\n  request: {request}\n  reproduce: {curl}")]
    Check {
        failure: CheckFailure,
        request: String,
        curl: String,
    },
    #[error("{0}")]
    Transport(#[from] TransportError),
    /// The feature file itself is wrong (bad JSON in a docstring, a missing table).
    #[error("feature file problem: {0}")]
    Feature(String),
    /// The scenario's steps are out of order or a precondition is missing.
    #[error("{0}")]
    Scenario(String),
    /// Not sent: the run was stopped by a signal before this request.
    #[error("not sent: the run was interrupted by {0}")]
    Interrupted(&'static str),
    /// Not sent: earlier requests showed the store stopped answering.
    #[error("not sent: the store stopped answering")]
    StoreLost,
}

/// A failed check as the HTML report shows it: the failure's own parts (expected and received,
/// the schema's pointer and rule) next to the request and its `curl` reproduction, kept typed
/// rather than read back from the failure's text. Values are as the check saw them; every
/// report redacts them on the way out.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedCheck {
    /// The failure as the console shows it (diffs included).
    pub message: String,
    /// Where in the response the values differ (a dotted path), for a value failure.
    pub path: Option<String>,
    /// What the contract expects and what the store answered, for a status or value failure.
    pub expected: Option<String>,
    pub received: Option<String>,
    /// The schema and its violated rules, for a schema failure.
    pub schema: Option<SchemaFailure>,
    /// `METHOD url -> status in ms`, or empty when no request was involved.
    pub request: String,
    pub curl: String,
}

impl FailedCheck {
    pub fn new(failure: &CheckFailure, request: &str, curl: &str) -> Self {
        let (path, expected, received) = match failure {
            CheckFailure::Status { expected, received, .. } => {
                (None, Some(format!("HTTP {expected}")), Some(format!("HTTP {received}")))
            }
            CheckFailure::Value {
                path,
                expected,
                received,
            } => (Some(path.clone()), Some(expected.clone()), Some(received.clone())),
            _ => (None, None, None),
        };
        Self {
            message: failure.to_string(),
            path,
            expected,
            received,
            schema: match failure {
                CheckFailure::Schema(schema) => Some(schema.clone()),
                _ => None,
            },
            request: request.to_owned(),
            curl: curl.to_owned(),
        }
    }
}

/// Why a scenario's last step failed, beyond its message: the typed check, or a request the run
/// refused to send because it was stopping. The console writer and the HTML report read it from
/// the World cucumber hands them with the failed step.
#[derive(Debug, Clone, PartialEq)]
pub enum FailureNote {
    Check(FailedCheck),
    NotSent(String),
}

/// Something the run noticed that the user should read even when everything passed, e.g.
/// which token format the store issues.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observation {
    pub topic: String,
    pub detail: String,
}

/// A step that passed without checking anything, and why (e.g. no stored snapshot yet).
#[derive(Debug, Clone, PartialEq)]
pub struct NotRunStep {
    pub scenario: String,
    pub step: String,
    pub reason: String,
}

/// A customer the run created and could not delete.
#[derive(Debug, Clone, PartialEq)]
pub struct Leftover {
    /// `None` when the store did not say (a GraphQL create answers `id: null`) and there were
    /// no admin credentials to look it up.
    pub id: Option<i64>,
    pub email: String,
    pub reason: String,
}

/// The variable that fixes the customer token lifetime; unset, the first token's is taken.
const LIFETIME_VARIABLE: &str = "MAGENTO_CUSTOMER_TOKEN_LIFETIME_MINUTES";

/// Shared by every scenario of one run.
pub struct RunContext {
    pub config: Config,
    pub client: MagentoClient,
    pub admin_token: Option<Secret>,
    pub redactor: Redactor,
    pub schemas: SchemaSet,
    pub baseline: Baseline,
    pub snapshots: SnapshotStore,
    /// Which customer forms the store guards with reCAPTCHA, found before the scenarios.
    pub recaptcha: RecaptchaFindings,
    /// Short random id in every email this run creates, so a sweep can find them.
    pub run_id: String,
    /// Set by SIGINT/SIGTERM; once set, scenarios send nothing new.
    pub interruption: Interruption,
    /// Set when the store stops answering; once set, scenarios send nothing new either.
    pub store_loss: StoreLoss,
    /// What the run detected of the store (its policy is already in `config.policy`).
    pub profile: StoreProfile,
    /// Customers deleted after their scenario, for the clean-up summary of an interrupted run.
    deleted: AtomicU64,
    email_seq: AtomicU64,
    observations: Mutex<Vec<Observation>>,
    leftovers: Mutex<Vec<Leftover>>,
    drift: Mutex<Vec<DriftRecord>>,
    drift_diffs: Mutex<Vec<(String, String)>>,
    not_run_steps: Mutex<Vec<NotRunStep>>,
    /// How the store's ACL treated the admin token on the first `self` route, if one was tried.
    admin_role: Mutex<Option<AdminRole>>,
    /// Which release's GraphQL status mapping the first telling answer showed (GRAPHQL.md §1.9).
    graphql_rule: Mutex<Option<StatusRule>>,
    /// Why the `@graphql` scenarios cannot run, when the store has no GraphQL endpoint.
    graphql_missing: std::sync::OnceLock<String>,
    /// The pre-flight's error carried `trace`: the store is in developer mode (STORES.md U9).
    developer_mode: std::sync::OnceLock<bool>,
    /// One-line diagnoses of how the store is configured, each said once after the scenarios.
    hints: Mutex<Vec<String>>,
    /// How each setting-up create and sign-in ended, for the uniform-refusal diagnosis.
    set_ups: Mutex<Vec<(SetUp, Refusal)>>,
    language_hinted: std::sync::atomic::AtomicBool,
    /// What every customer token is held to; the first token fills in what no variable set
    /// (STORES.md U2, R1).
    customer_tokens: Mutex<TokenExpectation>,
}

impl RunContext {
    pub fn new(
        config: Config,
        client: MagentoClient,
        admin_token: Option<Secret>,
        redactor: Redactor,
        schemas: SchemaSet,
        baseline: Baseline,
    ) -> Self {
        let profile = StoreProfile::configured(&config);
        let customer_tokens = TokenExpectation::new(
            config
                .is_set(LIFETIME_VARIABLE)
                .then_some(config.policy.customer_token_lifetime_minutes),
            config.jwt_alg,
        );
        Self {
            snapshots: SnapshotStore::new(
                &config.files.snapshots,
                &config.profile,
                StoreIdentity::from(&profile),
                &config.report_dir,
            )
            .with_insta_pending_dir(
                std::env::var_os("INSTA_PENDING_DIR")
                    .filter(|d| !d.is_empty())
                    .map(Into::into),
            ),
            config,
            client,
            admin_token,
            redactor,
            schemas,
            baseline,
            recaptcha: RecaptchaFindings::default(),
            run_id: new_run_id(),
            interruption: Interruption::default(),
            store_loss: StoreLoss::default(),
            profile,
            deleted: AtomicU64::new(0),
            email_seq: AtomicU64::new(0),
            observations: Mutex::default(),
            leftovers: Mutex::default(),
            drift: Mutex::default(),
            drift_diffs: Mutex::default(),
            not_run_steps: Mutex::default(),
            admin_role: Mutex::default(),
            graphql_rule: Mutex::default(),
            graphql_missing: std::sync::OnceLock::new(),
            developer_mode: std::sync::OnceLock::new(),
            hints: Mutex::default(),
            set_ups: Mutex::default(),
            language_hinted: std::sync::atomic::AtomicBool::new(false),
            customer_tokens: Mutex::new(customer_tokens),
        }
    }

    /// The run's context once the reCAPTCHA probes told which forms are guarded.
    pub fn with_recaptcha(self, recaptcha: RecaptchaFindings) -> Self {
        Self { recaptcha, ..self }
    }

    /// Remembers a one-line diagnosis, once however many scenarios run into it.
    pub fn hint(&self, line: impl Into<String>) {
        let line = line.into();
        let mut hints = self.hints.lock().unwrap_or_else(|e| e.into_inner());
        if !hints.contains(&line) {
            hints.push(line);
        }
    }

    /// The hints, and a line for a setting-up request the store refused every time the same
    /// way (STORES.md R8).
    pub fn hints(&self) -> Vec<String> {
        let mut hints = self.hints.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let set_ups = self.set_ups.lock().unwrap_or_else(|e| e.into_inner());
        for set_up in [SetUp::Create, SetUp::SignIn] {
            let outcomes: Vec<Refusal> = set_ups
                .iter()
                .filter(|(kind, _)| *kind == set_up)
                .map(|(_, outcome)| outcome.clone())
                .collect();
            if let Some(refusal) = uniform_refusal(&outcomes) {
                let attempts = outcomes.len();
                hints.push(
                    UniformRefusal {
                        set_up,
                        attempts,
                        refusal,
                    }
                    .to_string(),
                );
            }
        }
        hints
    }

    /// Records how a setting-up create or sign-in, which its scenario expects to succeed, ended.
    pub fn record_set_up(&self, set_up: SetUp, exchange: &Exchange) {
        let outcome = (exchange.status != 200).then(|| {
            let message = exchange
                .json()
                .and_then(|b| b.get("message").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| crate::checks::body_snippet(&exchange.body));
            (exchange.status, message)
        });
        self.set_ups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((set_up, outcome));
    }

    /// An error body matched in status and parameters but not in wording, and no translations
    /// are configured: says once that the store answers in another language (STORES.md C2),
    /// with the store view's locale when the admin token can read it.
    pub fn hint_other_language(&self) {
        if self.language_hinted.swap(true, Ordering::SeqCst) {
            return;
        }
        let language = self
            .profile
            .locale
            .as_deref()
            .map_or_else(|| "another language".to_owned(), |l| format!("another language ({l})"));
        self.hint(format!(
            "the store answers in {language}: its error messages match Magento's in status and parameters but not in wording; set MAGENTO_TRANSLATIONS to the store view's i18n CSV (a language pack's xx_XX.csv, several comma-separated)"
        ));
    }

    /// The run with what it detected of the store: the profile's values are expected, and its
    /// observations reported.
    pub fn with_profile(mut self, profile: StoreProfile) -> Self {
        self.config.policy = profile.policy.clone();
        self.snapshots = self
            .snapshots
            .with_identity(StoreIdentity::from(&profile))
            .without_newsletter(profile.newsletter == Some(false));
        for (topic, detail) in &profile.observations {
            self.observe(topic.clone(), detail.clone());
        }
        self.profile = profile;
        self
    }

    /// Checks a customer token against what the run expects of every one. The first JWS fixes
    /// the lifetime and algorithm no variable set, and each is reported under "Observed" with
    /// its source.
    pub fn check_customer_token(&self, token: &str, customer_id: Option<i64>) -> Result<TokenKind, TokenFailure> {
        let mut expected = self.customer_tokens.lock().unwrap_or_else(|e| e.into_inner());
        let kind = check_issued_token(token, customer_id, USER_TYPE_CUSTOMER, &expected)?;
        let source = |variable: &str, set: bool| {
            if set {
                format!("from {variable}")
            } else {
                "detected from the first token".to_owned()
            }
        };
        if let Some(lifetime) = kind.lifetime_seconds() {
            let set = self.config.is_set(LIFETIME_VARIABLE);
            if expected.lifetime == Lifetime::Unknown {
                expected.lifetime = Lifetime::FirstToken(lifetime);
            }
            self.observe(
                "customer token lifetime",
                format!("{} minutes, {}", lifetime / 60, source(LIFETIME_VARIABLE, set)),
            );
        }
        if let Some(alg) = kind.alg() {
            let set = self.config.jwt_alg.is_some();
            expected.alg.get_or_insert(alg);
            self.observe(
                "JWT algorithm",
                format!("{}, {}", alg.name(), source("MAGENTO_JWT_ALG", set)),
            );
        }
        Ok(kind)
    }

    /// The email prefix of every customer this run creates: `mc-<run id>-`.
    pub fn email_prefix(&self) -> String {
        format!("mc-{}-", self.run_id)
    }

    /// A new, unique `mc-<run id>-<n>@<domain>` address.
    pub fn fresh_email(&self) -> String {
        let n = self.email_seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{}{n}@{}", self.email_prefix(), self.config.email_domain)
    }

    /// A random password that satisfies the configured policy (all four character classes,
    /// at least the minimum length); its shape keeps it out of every output.
    pub fn fresh_password(&self) -> Secret {
        crate::secrets::generated_password(self.config.policy.password_min_length)
    }

    pub fn observe(&self, topic: impl Into<String>, detail: impl Into<String>) {
        let observation = Observation {
            topic: topic.into(),
            detail: detail.into(),
        };
        let mut all = self.observations.lock().unwrap_or_else(|e| e.into_inner());
        if !all.contains(&observation) {
            all.push(observation);
        }
    }

    pub fn observations(&self) -> Vec<Observation> {
        let mut all = self.observations.lock().unwrap_or_else(|e| e.into_inner()).clone();
        all.sort();
        all
    }

    /// Records the admin's role as one `self` route revealed it, reports it under "Observed",
    /// and fails when another route of the same run revealed the other role.
    pub fn record_admin_role(&self, role: AdminRole) -> Result<(), CheckFailure> {
        let mut seen = self.admin_role.lock().unwrap_or_else(|e| e.into_inner());
        match *seen {
            Some(first) => expect_same_role(first, role),
            None => {
                *seen = Some(role);
                self.observe("admin role", role.to_string());
                Ok(())
            }
        }
    }

    /// Records the GraphQL status mapping an answer showed, reports it under "Observed", and
    /// fails when another answer of the same run showed the other release's: a store is one
    /// release, whatever `MAGENTO_VERSION` left open.
    pub fn record_graphql_rule(&self, rule: StatusRule) -> Result<(), CheckFailure> {
        let mut seen = self.graphql_rule.lock().unwrap_or_else(|e| e.into_inner());
        match *seen {
            Some(first) if first != rule => Err(CheckFailure::Body(format!(
                "this answer follows the GraphQL status codes of {rule}, an earlier one those of {first}: a store follows one"
            ))),
            Some(_) => Ok(()),
            None => {
                *seen = Some(rule);
                self.observe("GraphQL status codes", format!("as Magento {rule}"));
                Ok(())
            }
        }
    }

    /// The store has no GraphQL endpoint: the `@graphql` scenarios are not run, for this reason.
    pub fn set_graphql_missing(&self, reason: String) {
        let _ = self.graphql_missing.set(reason);
    }

    pub fn graphql_missing(&self) -> Option<&str> {
        self.graphql_missing.get().map(String::as_str)
    }

    /// Records what the pre-flight showed: a store in developer mode adds `trace` to every
    /// REST error, and returns every GraphQL error, not only the first (GRAPHQL.md §1.5).
    pub fn set_developer_mode(&self, on: bool) {
        let _ = self.developer_mode.set(on);
    }

    pub fn developer_mode(&self) -> bool {
        self.developer_mode.get().copied().unwrap_or(false)
    }

    /// Records every difference of a documented response with its verdict; returns those that
    /// fail the scenario: not accepted, and not a module's addition unless
    /// `MAGENTO_STRICT_DRIFT=1` (STORES.md C7).
    pub fn record_drift(&self, document: &str, scenario: &str, differences: Vec<Difference>) -> Vec<Difference> {
        let mut new = Vec::new();
        let mut records = self.drift.lock().unwrap_or_else(|e| e.into_inner());
        for difference in differences {
            let accepted = self
                .baseline
                .accepting(document, &difference, self.config.magento_version.as_ref())
                .map(|a| a.reason.clone());
            let record = DriftRecord {
                document: document.to_owned(),
                scenario: scenario.to_owned(),
                module_addition: is_module_addition(&difference),
                difference,
                accepted_because: accepted,
            };
            if record.fails(self.config.strict_drift) {
                new.push(record.difference.clone());
            }
            records.push(record);
        }
        new
    }

    /// Keeps one rendered documented-vs-observed diff per document for the drift report.
    pub fn record_drift_diff(&self, document: &str, diff: String) {
        let mut diffs = self.drift_diffs.lock().unwrap_or_else(|e| e.into_inner());
        if !diffs.iter().any(|(d, _)| d == document) {
            diffs.push((document.to_owned(), diff));
        }
    }

    pub fn drift_diffs(&self) -> Vec<(String, String)> {
        self.drift_diffs.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn drift(&self) -> Vec<DriftRecord> {
        self.drift.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Remembers a step that passed without checking, for the "Not run" notes.
    pub fn record_not_run_step(&self, step: NotRunStep) {
        self.not_run_steps.lock().unwrap_or_else(|e| e.into_inner()).push(step);
    }

    pub fn not_run_steps(&self) -> Vec<NotRunStep> {
        self.not_run_steps.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// What this run's search-based clean-ups (the sweep, the rollback step) may delete: its
    /// own `mc-<run id>-<n>@<MAGENTO_EMAIL_DOMAIN>` customers, never a look-alike the search
    /// also finds.
    pub fn cleanup_rule(&self) -> CleanupRule {
        CleanupRule::run(&self.run_id, &self.config.email_domain)
    }

    /// Deletes this run's customers that a crashed scenario left; one it could not delete is
    /// listed with the leftovers.
    pub async fn sweep(&self) -> CleanupReport {
        self.sweep_as(self.admin_token.as_ref()).await
    }

    /// [`RunContext::sweep`] with the given admin token: once a lost store is back, the run's
    /// first token may be gone (a restart can drop it, an outage can outlast it).
    pub async fn sweep_as(&self, admin: Option<&Secret>) -> CleanupReport {
        let Some(admin) = admin else {
            return CleanupReport::default();
        };
        let report = clean_up(&self.client, admin, &self.cleanup_rule(), false).await;
        let mut leftovers = self.leftovers.lock().unwrap_or_else(|e| e.into_inner());
        // A customer an after hook could not delete (the store was away) is no longer left once
        // the sweep deleted it.
        leftovers.retain(|l| {
            !report
                .deleted
                .iter()
                .any(|c| l.id.map_or(c.email.eq_ignore_ascii_case(&l.email), |id| id == c.id))
        });
        for (customer, reason) in &report.failed {
            if !leftovers.iter().any(|l| l.id == Some(customer.id)) {
                leftovers.push(Leftover {
                    id: Some(customer.id),
                    email: customer.email.clone(),
                    reason: reason.clone(),
                });
            }
        }
        report
    }

    /// Why the run stopped early, for the reports: a signal, or the store that stopped answering.
    pub fn stop_summary(&self) -> Option<String> {
        self.interruption.summary().or_else(|| self.store_loss.summary())
    }

    /// [`RunContext::stop_summary`] for the JSON reports.
    pub fn stop_json(&self) -> Option<serde_json::Value> {
        self.interruption.json().or_else(|| self.store_loss.json())
    }

    /// Tries again to delete the customers whose deletion failed (the store was away); those
    /// that fail again are left again. A customer already gone counts as deleted.
    pub async fn retry_leftovers(&self, admin: &Secret) {
        let failed = std::mem::take(&mut *self.leftovers.lock().unwrap_or_else(|e| e.into_inner()));
        for leftover in failed {
            let Some(id) = leftover.id else {
                // Only the sweep, by email, can find it.
                self.leftovers.lock().unwrap_or_else(|e| e.into_inner()).push(leftover);
                continue;
            };
            match delete_customer(&self.client, admin, id).await {
                Ok(()) => {
                    self.deleted.fetch_add(1, Ordering::Relaxed);
                }
                Err(reason) => self
                    .leftovers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Leftover { reason, ..leftover }),
            }
        }
    }

    /// How many customers scenarios deleted after themselves (not counting the sweep).
    pub fn deleted_after_scenarios(&self) -> u64 {
        self.deleted.load(Ordering::Relaxed)
    }

    pub fn leftovers(&self) -> Vec<Leftover> {
        self.leftovers.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A customer a GraphQL create answered, whose id the run cannot look up without admin
    /// credentials: listed with the leftovers, by email.
    pub fn left_unidentified(&self, email: &str) {
        let mut leftovers = self.leftovers.lock().unwrap_or_else(|e| e.into_inner());
        if !leftovers
            .iter()
            .any(|l| l.id.is_none() && l.email.eq_ignore_ascii_case(email))
        {
            leftovers.push(Leftover {
                id: None,
                email: email.to_owned(),
                reason: "no admin credentials configured to find it (set MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD)".to_owned(),
            });
        }
    }

    /// Deletes a customer with the admin token; what cannot be deleted is remembered and listed
    /// at the end of the run. By id, without the email check of [`RunContext::cleanup_rule`]:
    /// the World calls it only for a customer this run's own create answered with, which is the
    /// run's whatever email the scenario gave it.
    pub async fn delete_customer(&self, id: i64, email: &str) {
        let reason = match &self.admin_token {
            None => Some(
                "no admin credentials configured (set MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD)"
                    .to_owned(),
            ),
            Some(token) => delete_customer(&self.client, token, id).await.err(),
        };
        if reason.is_none() {
            self.deleted.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(reason) = reason {
            self.leftovers.lock().unwrap_or_else(|e| e.into_inner()).push(Leftover {
                id: Some(id),
                email: email.to_owned(),
                reason,
            });
        }
    }
}

/// Shorter secret literals in a GraphQL document (`""`, a documented `password`) are test
/// values, and redacting them by value would garble the messages that name them.
const MIN_SECRET_LITERAL: usize = 8;

/// 8 characters of lower-case base 36: the shape [`crate::sweep::is_run_id`] accepts.
fn new_run_id() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| {
            let n = rng.random_range(0..36u32);
            char::from_digit(n, 36).unwrap_or('0')
        })
        .collect()
}

/// The `customer.email` of a JSON request body: the address a create asks for.
fn sent_email(request: &ApiRequest) -> Option<String> {
    match &request.body {
        Some(RequestBody::Json(body)) => body.pointer("/customer/email")?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// A customer a scenario created: what it needs to sign in as them and to clean up after.
#[derive(Debug, Clone)]
pub struct CustomerUnderTest {
    pub email: String,
    pub password: Option<Secret>,
    pub id: Option<i64>,
    /// The create response, once the store created the customer.
    pub created: Option<Value>,
    pub token: Option<Secret>,
}

impl CustomerUnderTest {
    /// A customer about to be created with these credentials.
    pub fn new(email: String, password: Option<Secret>) -> Self {
        Self {
            email,
            password,
            id: None,
            created: None,
            token: None,
        }
    }
}

/// One scenario's state. Created empty; the `before` hook hands it the run context.
#[derive(cucumber::World, Default)]
pub struct MagentoWorld {
    ctx: Option<Arc<RunContext>>,
    /// The scenario's name, for reports.
    pub scenario: String,
    /// The request body the scenario is preparing.
    pub body: Option<Value>,
    /// The customer the scenario is working with.
    pub customer: Option<CustomerUnderTest>,
    /// The GraphQL document the scenario is preparing, with its variables.
    pub graphql_document: Option<String>,
    pub graphql_variables: Option<Value>,
    /// The document as its documentation page shows it, before the run's own email and
    /// password replaced the page's: the drift report checks the page against itself.
    pub documented_request: Option<String>,
    /// Every customer this scenario created, deleted by the `after` hook.
    created: Vec<CreatedCustomer>,
    /// The last exchange, which `Then` steps check; only [`MagentoWorld::send`] sets it.
    last: Option<Exchange>,
    /// The body of the last GraphQL answer, for steps that compare it with a REST read sent
    /// after it.
    last_graphql: Option<Value>,
    /// Why the last failing step failed; set where the step's error is made, which may be
    /// behind `&self`.
    failure: Mutex<Option<FailureNote>>,
}

impl fmt::Debug for MagentoWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Reports print the World of a failed scenario: show what helps, never a secret.
        let created: Vec<(i64, &str)> = self.created.iter().map(|c| (c.id, c.email.as_str())).collect();
        f.debug_struct("MagentoWorld")
            .field("customer_email", &self.customer.as_ref().map(|c| &c.email))
            .field("customer_id", &self.customer.as_ref().and_then(|c| c.id))
            .field("created", &created)
            .field("last_exchange", &self.last)
            .finish()
    }
}

impl MagentoWorld {
    pub fn attach(&mut self, ctx: Arc<RunContext>, scenario: &str) {
        self.ctx = Some(ctx);
        self.scenario = scenario.to_owned();
    }

    /// The run context. Steps only run after the `before` hook attached it.
    pub fn ctx(&self) -> Arc<RunContext> {
        self.ctx.clone().expect("the before hook attaches the run context")
    }

    /// Sends a request and records the answer: it becomes the last exchange, and a customer it
    /// created is registered for clean-up, even when the create timed out.
    pub async fn send(&mut self, mut request: ApiRequest) -> Result<&Exchange, StepError> {
        self.forget_failure();
        self.refuse_if_interrupted()?;
        let creates_customer = request.creates_customer();
        let email = sent_email(&request);
        let graphql_create = self.graphql_create(&request);
        let ctx = self.ctx();
        if creates_customer && let Some(RequestBody::Json(body)) = &mut request.body {
            let profile = &ctx.profile;
            adapt_create_body(
                body,
                &ctx.config.policy.address,
                &profile.extra_customer_fields,
                &profile.extra_address_fields,
            );
        }
        if graphql_create.is_some()
            && let Some(RequestBody::Json(body)) = &mut request.body
        {
            with_extra_customer_fields(body, &ctx.profile.extra_customer_fields);
        }
        let request = with_response(request, ctx.config.recaptcha_response.as_deref());
        let path = request.path.clone();
        let sent = ctx.client.send(request).await;
        ctx.store_loss.observe(Answer::of(&sent), &path);
        if let Some(email) = graphql_create {
            let answered_a_customer = sent.as_ref().ok().and_then(Exchange::json).is_some_and(|body| {
                body.get("data").and_then(Value::as_object).is_some_and(|roots| {
                    roots
                        .values()
                        .any(|root| root.get("customer").is_some_and(Value::is_object))
                })
            });
            self.register_by_email(email, answered_a_customer).await;
        }
        match sent {
            Ok(exchange) => Ok(self.record(creates_customer, exchange)),
            Err(error) => {
                self.find_timed_out_create(creates_customer, email, &error).await;
                Err(error.into())
            }
        }
    }

    /// For a GraphQL request: registers the secret literals of its document for redaction, as a
    /// `password` key is redacted in a JSON body; and, for a create mutation, returns the email
    /// it asks for. The create's answer has `id: null` (GRAPHQL.md §2.8), so the account is
    /// found by that email afterwards, whatever the answer said: a store may create it and
    /// still answer an error.
    fn graphql_create(&self, request: &ApiRequest) -> Option<String> {
        let (query, variables) = request.graphql_payload()?;
        let document = parse_document(&query).ok()?;
        let ctx = self.ctx();
        document
            .secret_literals
            .iter()
            .filter(|value| value.chars().count() >= MIN_SECRET_LITERAL && !crate::secrets::is_secret_key(value))
            .for_each(|value| ctx.redactor.register_value(value));
        if !document.creates_customer() {
            return None;
        }
        variables
            .as_ref()
            .and_then(|v| v.pointer("/input/email"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or(document.literal_email)
    }

    /// Finds this run's customers with the email a create asked for and registers them for
    /// clean-up (not twice); the scenario's customer learns its id. Only the run's own emails
    /// ([`RunContext::cleanup_rule`]). Without admin credentials nothing can be looked up: a
    /// customer the answer shows is listed as left behind, by email.
    async fn register_by_email(&mut self, email: String, answered_a_customer: bool) {
        let ctx = self.ctx();
        let Some(admin) = &ctx.admin_token else {
            if answered_a_customer {
                ctx.left_unidentified(&email);
            }
            return;
        };
        let filter = Filter {
            field: "email",
            condition: "eq",
            value: email,
        };
        let Ok(found) = find_customers(&ctx.client, admin, &[filter]).await else {
            return;
        };
        let rule = ctx.cleanup_rule();
        for customer in found {
            if rule.verdict(&customer).is_err() || self.created.iter().any(|c| c.id == customer.id) {
                continue;
            }
            if let Some(own) = self
                .customer
                .as_mut()
                .filter(|c| c.email.eq_ignore_ascii_case(&customer.email))
            {
                own.id = Some(customer.id);
            }
            self.clean_up_later(CreatedCustomer {
                id: customer.id,
                email: customer.email,
            });
        }
    }

    /// After SIGINT/SIGTERM nothing new goes out: the step ends at once, and the scenario is
    /// counted as not run (or cut short, if it had sent something). The same once the store
    /// stopped answering, where the scenario is listed by name.
    fn refuse_if_interrupted(&self) -> Result<(), StepError> {
        let ctx = self.ctx();
        let error = if ctx.store_loss.lost().is_some() {
            ctx.store_loss.refuse(&self.scenario);
            StepError::StoreLost
        } else {
            match ctx.interruption.stopped() {
                None => return Ok(()),
                Some(stop) => {
                    ctx.interruption.refuse(self.last.is_some());
                    StepError::Interrupted(stop.signal.name())
                }
            }
        };
        self.note(FailureNote::NotSent(error.to_string()));
        Err(error)
    }

    /// A new request starts afresh: a check failure a step handled itself says nothing about
    /// what fails next.
    fn forget_failure(&mut self) {
        *self.failure.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn note(&self, note: FailureNote) {
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(note);
    }

    /// Why the scenario's failed step failed, when more is known than its message.
    pub fn failure_note(&self) -> Option<FailureNote> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A check failure that no exchange is about (e.g. a schema file problem found mid-step),
    /// noted like any other.
    pub fn failed_without_request(&self, failure: CheckFailure) -> StepError {
        self.note(FailureNote::Check(FailedCheck::new(&failure, "", "")));
        StepError::Check {
            failure,
            request: String::new(),
            curl: String::new(),
        }
    }

    /// A create that timed out may still have created the customer after the client gave up:
    /// searches for the email it sent and registers what it finds for clean-up. Only the run's
    /// own emails ([`RunContext::cleanup_rule`]), so a scenario that sent someone else's address
    /// never deletes a real account; nothing is registered twice. The step fails with the
    /// timeout either way, and a failed search leaves it to the end-of-run sweep.
    async fn find_timed_out_create(&mut self, creates_customer: bool, email: Option<String>, error: &TransportError) {
        let (true, TransportError::Timeout { .. }, Some(email)) = (creates_customer, error, email) else {
            return;
        };
        let ctx = self.ctx();
        let Some(admin) = &ctx.admin_token else { return };
        let filter = Filter {
            field: "email",
            condition: "eq",
            value: email,
        };
        let Ok(found) = find_customers(&ctx.client, admin, &[filter]).await else {
            return;
        };
        let rule = ctx.cleanup_rule();
        for customer in found {
            if rule.verdict(&customer).is_ok() && !self.created.iter().any(|c| c.id == customer.id) {
                self.clean_up_later(CreatedCustomer {
                    id: customer.id,
                    email: customer.email,
                });
            }
        }
    }

    /// Sends requests together, at most `MAGENTO_CONCURRENCY` at a time, for attempts whose
    /// order the store does not care about; then records each answer in order, as
    /// [`MagentoWorld::send`] does, and hands it to `check`. The first failure ends the step and
    /// names that exchange.
    pub async fn send_all(
        &mut self,
        requests: Vec<ApiRequest>,
        mut check: impl FnMut(&Exchange) -> Result<(), CheckFailure>,
    ) -> Result<(), StepError> {
        self.forget_failure();
        self.refuse_if_interrupted()?;
        let ctx = self.ctx();
        let creates_customer: Vec<bool> = requests.iter().map(ApiRequest::creates_customer).collect();
        let emails: Vec<Option<String>> = requests.iter().map(sent_email).collect();
        let paths: Vec<String> = requests.iter().map(|request| request.path.clone()).collect();
        let sent: Vec<Result<Exchange, TransportError>> = futures::stream::iter(requests)
            .map(|request| {
                ctx.client
                    .send(with_response(request, ctx.config.recaptcha_response.as_deref()))
            })
            .buffered(ctx.config.concurrency.max(1))
            .collect()
            .await;
        sent.iter()
            .zip(&paths)
            .for_each(|(result, path)| ctx.store_loss.observe(Answer::of(result), path));
        // Every timed-out create is looked for, not just the first failure the loop stops at.
        for ((creates, email), exchange) in creates_customer.iter().zip(emails).zip(&sent) {
            if let Err(error) = exchange {
                self.find_timed_out_create(*creates, email, error).await;
            }
        }
        for (creates_customer, exchange) in creates_customer.into_iter().zip(sent) {
            let outcome = check(self.record(creates_customer, exchange?));
            self.checked(outcome)?;
        }
        Ok(())
    }

    /// Keeps an answer as the last exchange and, when the request created a customer (a POST
    /// to the create route answered 200 with an id, whatever the scenario checks next),
    /// registers it for clean-up; it is the scenario's customer when the emails match.
    fn record(&mut self, creates_customer: bool, exchange: Exchange) -> &Exchange {
        if creates_customer
            && exchange.status == 200
            && let Some(body) = exchange.json()
            && let Some(created) = created_customer(&body)
        {
            if let Some(customer) = self
                .customer
                .as_mut()
                .filter(|c| c.email.eq_ignore_ascii_case(&created.email))
            {
                customer.id = Some(created.id);
                customer.created = Some(body);
            }
            self.clean_up_later(created);
        }
        if exchange
            .url
            .split('?')
            .next()
            .is_some_and(|u| u.ends_with(GRAPHQL_PATH))
        {
            self.last_graphql = exchange.json();
        }
        self.last.insert(exchange)
    }

    /// The body of the last GraphQL answer of this scenario.
    pub fn last_graphql(&self) -> Result<&Value, StepError> {
        self.last_graphql
            .as_ref()
            .ok_or_else(|| StepError::Scenario("no GraphQL answer in this scenario yet".into()))
    }

    /// Deletes this customer after the scenario, whatever happens in it.
    pub fn clean_up_later(&mut self, customer: CreatedCustomer) {
        self.created.push(customer);
    }

    /// Wraps a check's failure with the exchange it was about: the request line and a `curl`
    /// command that repeats it.
    pub fn checked<T>(&self, result: Result<T, CheckFailure>) -> Result<T, StepError> {
        if let Err(CheckFailure::Infrastructure(cause)) = &result {
            self.ctx().hint(cause.to_string());
        }
        result.map_err(|failure| {
            let (request, curl) = match &self.last {
                Some(exchange) => (
                    format!(
                        "{} {} -> {} in {} ms",
                        exchange.method,
                        exchange.url,
                        exchange.status,
                        exchange.elapsed.as_millis()
                    ),
                    exchange.curl(&self.ctx().redactor),
                ),
                None => ("(none)".to_owned(), "(none)".to_owned()),
            };
            self.note(FailureNote::Check(FailedCheck::new(&failure, &request, &curl)));
            StepError::Check { failure, request, curl }
        })
    }

    pub fn last(&self) -> Result<&Exchange, StepError> {
        self.last
            .as_ref()
            .ok_or_else(|| StepError::Scenario("no request has been sent yet in this scenario".into()))
    }

    /// The request body the scenario is preparing.
    pub fn body_mut(&mut self) -> Result<&mut Value, StepError> {
        self.body
            .as_mut()
            .ok_or_else(|| StepError::Scenario("no request body to change: give one first".into()))
    }

    /// The customer the scenario created.
    pub fn customer(&self) -> Result<&CustomerUnderTest, StepError> {
        self.customer
            .as_ref()
            .ok_or_else(|| StepError::Scenario("no customer in this scenario: create one first".into()))
    }

    /// The run's admin token, for steps that act as admin.
    pub fn admin_token(&self) -> Result<Secret, StepError> {
        self.ctx().admin_token.clone().ok_or_else(|| {
            StepError::Scenario(
                "this step needs admin credentials (MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD)".into(),
            )
        })
    }

    /// Deletes everything this scenario created.
    pub async fn clean_up(&mut self) {
        let Some(ctx) = self.ctx.clone() else { return };
        for customer in std::mem::take(&mut self.created) {
            ctx.delete_customer(customer.id, &customer.email).await;
        }
    }
}

/// A GraphQL create's `{"query", "variables"}` body with the store's required fields in its
/// input (STORES.md U4), as [`adapt_create_body`] does for REST.
fn with_extra_customer_fields(body: &mut Value, extras: &Map<String, Value>) {
    let Some(query) = body.get("query").and_then(Value::as_str) else {
        return;
    };
    let mut variables = body.get("variables").cloned();
    let query = add_create_fields(query, &mut variables, extras);
    body["query"] = Value::from(query);
    if let Some(variables) = variables {
        body["variables"] = variables;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TlsOptions;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn ctx() -> RunContext {
        ctx_for("http://127.0.0.1:9")
    }

    fn ctx_for(base_url: &str) -> RunContext {
        let files = crate::SuiteFiles::in_dir(crate::config::project_dir());
        let config =
            Config::from_lookup(files, |k| (k == "MAGENTO_PASSWORD_MIN_LENGTH").then(|| "20".to_owned())).unwrap();
        let client = MagentoClient::new(base_url, "default", Duration::from_secs(1), &TlsOptions::default()).unwrap();
        RunContext::new(
            config,
            client,
            None,
            Redactor::new(),
            SchemaSet::compile(BTreeMap::new()).unwrap(),
            Baseline::default(),
        )
    }

    /// Every email the run makes is one its own clean-up may delete.
    #[test]
    fn emails_are_unique_and_carry_the_run_id() {
        let ctx = ctx();
        let a = ctx.fresh_email();
        let b = ctx.fresh_email();
        assert_ne!(a, b);
        assert!(
            a.starts_with(&format!("mc-{}-", ctx.run_id)) && a.ends_with("@example.com"),
            "{a}"
        );
        assert!(crate::sweep::is_run_id(&ctx.run_id), "{}", ctx.run_id);
        for email in [a, b] {
            let found = crate::sweep::FoundCustomer {
                id: 1,
                email,
                created_at: String::new(),
            };
            assert_eq!(ctx.cleanup_rule().verdict(&found), Ok(()));
        }
    }

    #[test]
    fn passwords_meet_the_policy_and_are_redacted() {
        let ctx = ctx();
        let password = ctx.fresh_password();
        let p = password.expose();
        assert!(p.chars().count() >= 20);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_lowercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()));
        assert!(p.chars().any(|c| !c.is_ascii_alphanumeric()));
        assert_eq!(ctx.redactor.redact(&format!("pw={p}")), "pw=[redacted]");
    }

    #[test]
    fn the_admin_role_is_observed_once_and_must_not_change() {
        let ctx = ctx();
        ctx.record_admin_role(AdminRole::AllResources).unwrap();
        ctx.record_admin_role(AdminRole::AllResources).unwrap();
        assert_eq!(ctx.observations().len(), 1);
        assert!(ctx.observations()[0].detail.contains("all resources"));
        assert!(ctx.record_admin_role(AdminRole::Restricted).is_err());
    }

    #[test]
    fn the_graphql_status_rule_is_observed_once_and_must_not_change() {
        let ctx = ctx();
        ctx.record_graphql_rule(StatusRule::From248).unwrap();
        ctx.record_graphql_rule(StatusRule::From248).unwrap();
        assert_eq!(ctx.observations().len(), 1);
        assert!(ctx.observations()[0].detail.contains("2.4.8 and later"));
        assert!(ctx.record_graphql_rule(StatusRule::Before248).is_err());
    }

    #[tokio::test]
    async fn customers_that_cannot_be_deleted_are_listed() {
        let ctx = ctx();
        ctx.delete_customer(5, "mc-x-1@example.com").await;
        let left = ctx.leftovers();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, Some(5));
        assert!(left[0].reason.contains("no admin credentials"));
    }

    fn world_of(ctx: RunContext) -> MagentoWorld {
        let mut world = MagentoWorld::default();
        world.attach(Arc::new(ctx), "a scenario");
        world
    }

    const JSON: &str = "application/json; charset=utf-8";

    fn customer(id: i64, email: &str) -> CreatedCustomer {
        CreatedCustomer {
            id,
            email: email.into(),
        }
    }

    /// Only an accepted create registers a customer; it is the scenario's when the emails match.
    #[test]
    fn an_answer_becomes_last_and_a_created_customer_is_registered() {
        let mut world = world_of(ctx());
        world.customer = Some(CustomerUnderTest::new("Mc-x-1@example.com".into(), None));
        let created = Exchange::answer(200, JSON, r#"{"id": 5, "email": "mc-x-1@example.com"}"#);
        world.record(true, created.clone());
        assert_eq!(world.created, vec![customer(5, "mc-x-1@example.com")]);
        let scenario_customer = world.customer.as_ref().unwrap();
        assert_eq!(scenario_customer.id, Some(5));
        assert_eq!(scenario_customer.created.as_ref().unwrap()["id"], 5);
        // The same body read back, and a refused create, register nothing.
        world.record(false, created);
        world.record(true, Exchange::answer(400, JSON, r#"{"id": 6, "message": "m"}"#));
        world.record(true, Exchange::answer(200, JSON, "true"));
        assert_eq!(world.created.len(), 1);
        assert_eq!(world.last().unwrap().body, "true");
        // Another customer than the scenario's is deleted too, but does not replace it.
        world.record(
            true,
            Exchange::answer(200, JSON, r#"{"id": 7, "email": "other@example.com"}"#),
        );
        assert_eq!(world.created.len(), 2);
        assert_eq!(world.customer.as_ref().unwrap().id, Some(5));
        assert!(format!("{world:?}").contains(r#"created: [(5, "mc-x-1@example.com"), (7, "other@example.com")]"#));
    }

    /// Answers every request with a customer, as a create would, and counts them.
    async fn customer_server() -> String {
        let app = axum::Router::new()
            .fallback(|| async { ([("content-type", JSON)], r#"{"id": 9, "email": "mc-x-1@example.com"}"#) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    /// The create route is recognised in any URL form, and only for a POST.
    #[tokio::test]
    async fn send_registers_what_a_create_request_created() {
        let mut world = world_of(ctx_for(&customer_server().await));
        let mut full_path = ApiRequest::new(reqwest::Method::POST, "/index.php/rest/all/V1/customers?x=1");
        full_path.raw_path = true;
        assert_eq!(world.send(full_path).await.unwrap().status, 200);
        world.send(ApiRequest::get("/V1/customers/9")).await.unwrap();
        world
            .send(ApiRequest::post(
                "/V1/customers/isEmailAvailable",
                serde_json::json!({}),
            ))
            .await
            .unwrap();
        assert_eq!(world.created, vec![customer(9, "mc-x-1@example.com")]);
        assert!(world.last().unwrap().url.ends_with("/V1/customers/isEmailAvailable"));
    }

    /// The sweep deletes only the run's own customers; one whose DELETE fails is a leftover.
    #[tokio::test]
    async fn the_sweep_keeps_look_alikes_and_lists_what_it_could_not_delete() {
        let app = axum::Router::new()
            .route(
                "/rest/default/V1/customers/search",
                axum::routing::get(|| async {
                    let items = r#"[{"id": 1, "email": "mc-abcd1234-1@example.com", "created_at": ""},
                        {"id": 2, "email": "MC-ABCD1234-2@example.com", "created_at": ""}]"#;
                    (
                        [("content-type", JSON)],
                        format!(r#"{{"items": {items}, "total_count": 2}}"#),
                    )
                }),
            )
            .route(
                "/rest/default/V1/customers/{id}",
                axum::routing::delete(|| async { axum::http::StatusCode::INTERNAL_SERVER_ERROR }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut ctx = ctx_for(&url);
        ctx.run_id = "abcd1234".into();
        ctx.admin_token = Some(Secret::new("admin-token"));

        let report = ctx.sweep().await;
        assert!(report.deleted.is_empty());
        assert_eq!(report.kept.len(), 1);
        assert_eq!(report.kept[0].0.email, "MC-ABCD1234-2@example.com");
        assert_eq!(
            ctx.leftovers(),
            vec![Leftover {
                id: Some(1),
                email: "mc-abcd1234-1@example.com".into(),
                reason: "DELETE answered 500".into(),
            }]
        );
        ctx.sweep().await;
        assert_eq!(ctx.leftovers().len(), 1, "listed once");
    }

    /// A GraphQL create answers `id: null`: the World finds the account by the email the create
    /// asked for, registers the run's own for deletion (never a look-alike), and redacts the
    /// password literal the document carried.
    #[tokio::test]
    async fn a_graphql_create_is_found_by_email_and_registered() {
        let searches = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = Arc::clone(&searches);
        let app = axum::Router::new()
            .route(
                "/graphql",
                axum::routing::post(|| async {
                    (
                        [("content-type", JSON)],
                        r#"{"data": {"createCustomerV2": {"customer": {"id": null, "email": "mc-abcd1234-1@example.com"}}}}"#,
                    )
                }),
            )
            .route(
                "/rest/default/V1/customers/search",
                axum::routing::get(move |uri: axum::http::Uri| async move {
                    seen.lock().unwrap().push(uri.query().unwrap_or_default().to_owned());
                    let items = r#"[{"id": 4, "email": "mc-abcd1234-1@example.com", "created_at": ""},
                        {"id": 5, "email": "MC-ABCD1234-1@example.com", "created_at": ""}]"#;
                    (
                        [("content-type", JSON)],
                        format!(r#"{{"items": {items}, "total_count": 2}}"#),
                    )
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut ctx = ctx_for(&url);
        ctx.run_id = "abcd1234".into();
        ctx.admin_token = Some(Secret::new("admin-token"));
        let mut world = world_of(ctx);
        world.customer = Some(CustomerUnderTest::new("mc-abcd1234-1@example.com".into(), None));

        let literal = ApiRequest::graphql(
            reqwest::Method::POST,
            "mutation { createCustomerV2(input: {firstname: \"A\", lastname: \"B\", email: \"mc-abcd1234-1@example.com\", password: \"Literal-pass-9\"}) { customer { email } } }",
            None,
        );
        world.send(literal).await.unwrap();
        assert_eq!(world.created, vec![customer(4, "mc-abcd1234-1@example.com")]);
        assert_eq!(world.customer.as_ref().unwrap().id, Some(4));
        assert!(searches.lock().unwrap()[0].contains("conditionType%5D=eq"));
        assert_eq!(world.ctx().redactor.redact("pw Literal-pass-9"), "pw [redacted]");
        assert!(world.last_graphql().is_ok());

        // Through variables, the same account is not registered twice; a query creates nothing.
        let variables = serde_json::json!({"input": {"email": "mc-abcd1234-1@example.com"}});
        let through_variables = ApiRequest::graphql(
            reqwest::Method::POST,
            "mutation ($input: CustomerCreateInput!) { createCustomerV2(input: $input) { customer { email } } }",
            Some(variables),
        );
        world.send(through_variables).await.unwrap();
        world
            .send(ApiRequest::graphql(
                reqwest::Method::POST,
                "{ customer { email } }",
                None,
            ))
            .await
            .unwrap();
        assert_eq!(world.created.len(), 1);
        assert_eq!(searches.lock().unwrap().len(), 2);
    }

    /// Without admin credentials a GraphQL create's account cannot be looked up: the customer
    /// the answer shows is listed as left behind, by email, and a refused create is not.
    #[tokio::test]
    async fn without_admin_a_graphql_create_is_listed_by_email() {
        let app = axum::Router::new().route(
            "/graphql",
            axum::routing::post(|body: String| async move {
                let answer = if body.contains("refused") {
                    r#"{"errors": [{"message": "m"}], "data": {"createCustomerV2": null}}"#
                } else {
                    r#"{"data": {"createCustomerV2": {"customer": {"email": "mc-x-1@example.com"}}}}"#
                };
                ([("content-type", JSON)], answer)
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut world = world_of(ctx_for(&url));
        let create = |email: &str| {
            let variables = serde_json::json!({"input": {"email": email}});
            let document =
                "mutation ($input: CustomerCreateInput!) { createCustomerV2(input: $input) { customer { email } } }";
            ApiRequest::graphql(reqwest::Method::POST, document, Some(variables))
        };
        world.send(create("mc-x-1@example.com")).await.unwrap();
        world.send(create("mc-x-1@example.com")).await.unwrap();
        world.send(create("refused@example.com")).await.unwrap();
        let left = world.ctx().leftovers();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!((left[0].id, left[0].email.as_str()), (None, "mc-x-1@example.com"));
        assert!(left[0].reason.contains("no admin credentials"));
    }

    #[test]
    fn the_sent_email_is_the_json_body_customer_email() {
        let create = ApiRequest::create_customer(serde_json::json!({"customer": {"email": "a@example.com"}}));
        assert_eq!(sent_email(&create).as_deref(), Some("a@example.com"));
        assert_eq!(
            sent_email(&ApiRequest::create_customer(
                serde_json::json!({"email": "a@example.com"})
            )),
            None
        );
        assert_eq!(sent_email(&ApiRequest::get("/V1/customers/1")), None);
    }

    /// A create that times out may have created the customer: the World finds the run's own
    /// by the email it sent (never a look-alike), and the scenario's clean-up deletes it.
    #[tokio::test]
    async fn a_timed_out_create_is_found_and_deleted() {
        let searches = Arc::new(Mutex::new(Vec::<String>::new()));
        let deleted = Arc::new(Mutex::new(Vec::<String>::new()));
        let (seen, gone) = (Arc::clone(&searches), Arc::clone(&deleted));
        let app = axum::Router::new()
            .route(
                "/rest/default/V1/customers",
                axum::routing::post(|| async {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    "{}"
                }),
            )
            .route(
                "/rest/default/V1/customers/search",
                axum::routing::get(move |uri: axum::http::Uri| async move {
                    seen.lock().unwrap().push(uri.query().unwrap_or_default().to_owned());
                    let items = r#"[{"id": 1, "email": "mc-abcd1234-1@example.com", "created_at": ""},
                        {"id": 2, "email": "MC-ABCD1234-1@example.com", "created_at": ""}]"#;
                    (
                        [("content-type", JSON)],
                        format!(r#"{{"items": {items}, "total_count": 2}}"#),
                    )
                }),
            )
            .route(
                "/rest/default/V1/customers/{id}",
                axum::routing::delete(move |axum::extract::Path(id): axum::extract::Path<String>| async move {
                    gone.lock().unwrap().push(id);
                    "true"
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut ctx = ctx_for(&url);
        ctx.run_id = "abcd1234".into();
        ctx.admin_token = Some(Secret::new("admin-token"));
        let mut world = world_of(ctx);

        let create =
            ApiRequest::create_customer(serde_json::json!({"customer": {"email": "mc-abcd1234-1@example.com"}}));
        let error = world.send(create).await.unwrap_err();
        assert!(
            matches!(error, StepError::Transport(TransportError::Timeout { .. })),
            "{error}"
        );
        assert_eq!(world.created, vec![customer(1, "mc-abcd1234-1@example.com")]);
        let search = searches.lock().unwrap().join("\n");
        assert!(
            search.contains("%5Bfield%5D=email") && search.contains("conditionType%5D=eq"),
            "{search}"
        );
        world.clean_up().await;
        assert_eq!(*deleted.lock().unwrap(), vec!["1".to_owned()]);
        assert!(world.ctx().leftovers().is_empty());
    }

    /// Each answer is checked in order; a failure names the exchange it is about.
    #[tokio::test]
    async fn send_all_checks_each_answer_and_names_the_failing_one() {
        let mut world = world_of(ctx_for(&customer_server().await));
        let requests = (1..=3).map(|n| ApiRequest::get(format!("/V1/customers/{n}"))).collect();
        let mut seen = 0;
        let failure = world
            .send_all(requests, |exchange| {
                seen += 1;
                match seen {
                    2 => Err(CheckFailure::Body(format!("attempt {seen} of {}", exchange.url))),
                    _ => Ok(()),
                }
            })
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(seen, 2);
        assert!(failure.starts_with("attempt 2 of http://"), "{failure}");
        assert!(
            failure.contains("request: GET http://") && failure.contains("/V1/customers/2 -> 200"),
            "{failure}"
        );
        assert!(world.created.is_empty());
    }
}
