//! The per-scenario World and the run-wide context it shares.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::Rng;
use serde_json::Value;

use crate::checks::admin_role::{AdminRole, expect_same_role};
use crate::checks::drift::{Baseline, Difference, DriftRecord};
use crate::checks::snapshot::SnapshotStore;
use crate::checks::store_identity::StoreIdentity;
use crate::checks::{CheckFailure, SchemaSet};
use crate::client::{ApiRequest, Exchange, MagentoClient};
use crate::config::Config;
use crate::secrets::{Redactor, Secret};

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
    pub id: i64,
    pub email: String,
    pub reason: String,
}

/// Shared by every scenario of one run.
pub struct RunContext {
    pub config: Config,
    pub client: MagentoClient,
    pub admin_token: Option<Secret>,
    pub redactor: Redactor,
    pub schemas: SchemaSet,
    pub baseline: Baseline,
    pub snapshots: SnapshotStore,
    /// Short random id in every email this run creates, so a sweep can find them.
    pub run_id: String,
    email_seq: AtomicU64,
    observations: Mutex<Vec<Observation>>,
    leftovers: Mutex<Vec<Leftover>>,
    drift: Mutex<Vec<DriftRecord>>,
    drift_diffs: Mutex<Vec<(String, String)>>,
    not_run_steps: Mutex<Vec<NotRunStep>>,
    /// How the store's ACL treated the admin token on the first `self` route, if one was tried.
    admin_role: Mutex<Option<AdminRole>>,
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
        Self {
            snapshots: SnapshotStore::new(
                &config.snapshots_dir,
                &config.profile,
                StoreIdentity::from(&config.policy),
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
            run_id: new_run_id(),
            email_seq: AtomicU64::new(0),
            observations: Mutex::default(),
            leftovers: Mutex::default(),
            drift: Mutex::default(),
            drift_diffs: Mutex::default(),
            not_run_steps: Mutex::default(),
            admin_role: Mutex::default(),
        }
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

    /// Records every difference of a documented response with its verdict; returns the new
    /// (not accepted) ones, which fail the scenario.
    pub fn record_drift(&self, document: &str, scenario: &str, differences: Vec<Difference>) -> Vec<Difference> {
        let mut new = Vec::new();
        let mut records = self.drift.lock().unwrap_or_else(|e| e.into_inner());
        for difference in differences {
            let accepted = self
                .baseline
                .accepting(document, &difference, &self.config.magento_version)
                .map(|a| a.reason.clone());
            if accepted.is_none() {
                new.push(difference.clone());
            }
            records.push(DriftRecord {
                document: document.to_owned(),
                scenario: scenario.to_owned(),
                difference,
                accepted_because: accepted,
            });
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

    pub fn leftovers(&self) -> Vec<Leftover> {
        self.leftovers.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Deletes a customer with the admin token; what cannot be deleted is remembered and listed
    /// at the end of the run.
    pub async fn delete_customer(&self, id: i64, email: &str) {
        let reason = match &self.admin_token {
            None => Some(
                "no admin credentials configured (set MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD)"
                    .to_owned(),
            ),
            Some(token) => match self
                .client
                .send(ApiRequest::delete(format!("/V1/customers/{id}")).bearer(Some(token)))
                .await
            {
                // 404: already gone (the scenario deleted it itself).
                Ok(exchange) if exchange.status == 200 || exchange.status == 404 => None,
                Ok(exchange) => Some(format!("DELETE answered {}", exchange.status)),
                Err(e) => Some(e.to_string()),
            },
        };
        if let Some(reason) = reason {
            self.leftovers.lock().unwrap_or_else(|e| e.into_inner()).push(Leftover {
                id,
                email: email.to_owned(),
                reason,
            });
        }
    }
}

fn new_run_id() -> String {
    let mut rng = rand::rng();
    (0..8)
        .map(|_| {
            let n = rng.random_range(0..36u32);
            char::from_digit(n, 36).unwrap_or('0')
        })
        .collect()
}

/// A customer a scenario created: what it needs to sign in as them and to clean up after.
#[derive(Debug, Clone)]
pub struct CustomerUnderTest {
    pub email: String,
    pub password: Option<Secret>,
    pub id: Option<i64>,
    pub created: Option<Value>,
    pub token: Option<Secret>,
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
    /// Every customer this scenario created, deleted by the `after` hook.
    pub created: Vec<(i64, String)>,
    pub last: Option<Exchange>,
}

impl fmt::Debug for MagentoWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Reports print the World of a failed scenario: show what helps, never a secret.
        f.debug_struct("MagentoWorld")
            .field("customer_email", &self.customer.as_ref().map(|c| &c.email))
            .field("customer_id", &self.customer.as_ref().and_then(|c| c.id))
            .field("created", &self.created)
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

    pub fn last(&self) -> Result<&Exchange, crate::steps::StepError> {
        self.last
            .as_ref()
            .ok_or_else(|| crate::steps::StepError::Scenario("no request has been sent yet in this scenario".into()))
    }

    /// The request body the scenario is preparing.
    pub fn body_mut(&mut self) -> Result<&mut Value, crate::steps::StepError> {
        self.body
            .as_mut()
            .ok_or_else(|| crate::steps::StepError::Scenario("no request body to change: give one first".into()))
    }

    /// The customer the scenario created.
    pub fn customer(&self) -> Result<&CustomerUnderTest, crate::steps::StepError> {
        self.customer
            .as_ref()
            .ok_or_else(|| crate::steps::StepError::Scenario("no customer in this scenario: create one first".into()))
    }

    /// The run's admin token, for steps that act as admin.
    pub fn admin_token(&self) -> Result<Secret, crate::steps::StepError> {
        self.ctx().admin_token.clone().ok_or_else(|| {
            crate::steps::StepError::Scenario(
                "this step needs admin credentials (MAGENTO_ADMIN_TOKEN or MAGENTO_ADMIN_USERNAME/PASSWORD)".into(),
            )
        })
    }

    /// Deletes everything this scenario created.
    pub async fn clean_up(&mut self) {
        let Some(ctx) = self.ctx.clone() else { return };
        for (id, email) in std::mem::take(&mut self.created) {
            ctx.delete_customer(id, &email).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TlsOptions;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn ctx() -> RunContext {
        let config = Config::from_lookup(|k| (k == "MAGENTO_PASSWORD_MIN_LENGTH").then(|| "20".to_owned())).unwrap();
        let client = MagentoClient::new(
            "http://127.0.0.1:9",
            "default",
            Duration::from_secs(1),
            &TlsOptions::default(),
        )
        .unwrap();
        RunContext::new(
            config,
            client,
            None,
            Redactor::new(),
            SchemaSet::compile(BTreeMap::new()).unwrap(),
            Baseline::default(),
        )
    }

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

    #[tokio::test]
    async fn customers_that_cannot_be_deleted_are_listed() {
        let ctx = ctx();
        ctx.delete_customer(5, "mc-x-1@example.com").await;
        let left = ctx.leftovers();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, 5);
        assert!(left[0].reason.contains("no admin credentials"));
    }
}
