//! Finding and deleting the customers runs created, through Magento's own search API
//! (`GET /V1/customers/search`, CONTRACT.md §4.8): for the end-of-run sweep
//! (`RunContext::sweep`), the rollback step and `magento-contract cleanup`.
//!
//! The search only narrows down: MySQL's `LIKE` ignores case and `_` matches any character, so
//! on a staging copy of production it also finds real accounts such as `MC-…@…`.
//! [`CleanupRule::verdict`] re-checks every hit before anything is deleted: the one place that
//! decides what a clean-up may delete.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Timelike as _, Utc};
use serde_json::Value;

use crate::client::{ApiRequest, CUSTOMERS_ROUTE, MagentoClient};
use crate::secrets::Secret;

/// A customer a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCustomer {
    pub id: i64,
    pub email: String,
    pub created_at: String,
}

impl fmt::Display for FoundCustomer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (id {}, created {})", self.email, self.id, self.created_at)
    }
}

/// A Magento search filter: `field conditionType value`.
#[derive(Debug, Clone)]
pub struct Filter {
    pub field: &'static str,
    pub condition: &'static str,
    pub value: String,
}

/// The query string of `GET /V1/customers/search`; each filter in its own group, so they AND.
pub fn search_path(filters: &[Filter], page_size: usize, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (group, filter) in filters.iter().enumerate() {
        let key = |part: &str| format!("searchCriteria[filterGroups][{group}][filters][0][{part}]");
        query.append_pair(&key("field"), filter.field);
        query.append_pair(&key("value"), &filter.value);
        query.append_pair(&key("conditionType"), filter.condition);
    }
    query.append_pair("searchCriteria[pageSize]", &page_size.to_string());
    query.append_pair("searchCriteria[currentPage]", &page.to_string());
    format!("{CUSTOMERS_ROUTE}/search?{}", query.finish())
}

/// Whether `id` has the shape of a run id: 8 characters of lower-case base 36, as
/// `RunContext` draws them.
pub fn is_run_id(id: &str) -> bool {
    id.len() == 8 && id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// The run id and the domain of a harness email, `mc-<run id>-<n>@<domain>`; `None` for any
/// other shape. The `mc-` prefix and the run id are compared as the harness writes them, in
/// lower case: `MC-…` is someone else's.
fn harness_email(email: &str) -> Option<(&str, &str)> {
    let (local, domain) = email.split_once('@')?;
    let (run_id, n) = local.strip_prefix("mc-")?.split_once('-')?;
    let numbered = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    (is_run_id(run_id) && numbered).then_some((run_id, domain))
}

/// Magento's `created_at`, `Y-m-d H:i:s` in UTC.
fn parse_created_at(created_at: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(created_at, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|moment| moment.and_utc())
}

/// Why a customer the search found is kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SkipReason {
    #[error("not a harness email (mc-<run id>-<n>@<domain>, run id 8 of [0-9a-z], n a number)")]
    NotHarnessEmail,
    #[error("domain {found} is not MAGENTO_EMAIL_DOMAIN {expected}")]
    OtherDomain { found: String, expected: String },
    #[error("created by run {found}, not {expected}")]
    OtherRun { found: String, expected: String },
    #[error("not created before the cutoff {cutoff}")]
    TooNew { cutoff: String },
    #[error("created_at is not a Y-m-d H:i:s date, so its age is unknown")]
    UnreadableDate,
}

/// What a clean-up may delete: customers whose email is `mc-<run id>-<n>@<domain>`, of one run
/// or (for `cleanup --older-than`) of any run created before a cutoff.
#[derive(Debug, Clone)]
pub struct CleanupRule {
    /// One run's customers; `None` for any run's.
    run_id: Option<String>,
    /// `MAGENTO_EMAIL_DOMAIN`, compared case-insensitively as domain names are.
    domain: String,
    created_before: Option<DateTime<Utc>>,
}

impl CleanupRule {
    /// The customers of one run (the end-of-run sweep, `cleanup --run-id`).
    pub fn run(run_id: &str, domain: &str) -> Self {
        CleanupRule {
            run_id: Some(run_id.to_owned()),
            domain: domain.to_owned(),
            created_before: None,
        }
    }

    /// Any run's customers created before `cutoff` (`cleanup --older-than`), in whole seconds
    /// as Magento stores `created_at`, so the search and the verdict agree.
    pub fn older_than(cutoff: DateTime<Utc>, domain: &str) -> Self {
        CleanupRule {
            run_id: None,
            domain: domain.to_owned(),
            created_before: Some(cutoff.with_nanosecond(0).unwrap_or(cutoff)),
        }
    }

    /// The search that finds at least every customer the rule allows (filter groups AND).
    pub fn filters(&self) -> Vec<Filter> {
        let run = self.run_id.as_deref().map(|id| format!("{id}-")).unwrap_or_default();
        let mut filters = vec![Filter {
            field: "email",
            condition: "like",
            value: format!("mc-{run}%@{}", self.domain),
        }];
        if let Some(cutoff) = self.created_before {
            filters.push(Filter {
                field: "created_at",
                condition: "lt",
                value: format_created_at(cutoff),
            });
        }
        filters
    }

    /// Whether a customer the search found may be deleted; if not, why it is kept. A date that
    /// cannot be read keeps the customer: its age is unknown.
    pub fn verdict(&self, found: &FoundCustomer) -> Result<(), SkipReason> {
        let (run_id, domain) = harness_email(&found.email).ok_or(SkipReason::NotHarnessEmail)?;
        if !domain.eq_ignore_ascii_case(&self.domain) {
            return Err(SkipReason::OtherDomain {
                found: domain.to_owned(),
                expected: self.domain.clone(),
            });
        }
        if let Some(expected) = self.run_id.as_ref().filter(|expected| *expected != run_id) {
            return Err(SkipReason::OtherRun {
                found: run_id.to_owned(),
                expected: expected.clone(),
            });
        }
        if let Some(cutoff) = self.created_before {
            let created = parse_created_at(&found.created_at).ok_or(SkipReason::UnreadableDate)?;
            if created >= cutoff {
                return Err(SkipReason::TooNew {
                    cutoff: format_created_at(cutoff),
                });
            }
        }
        Ok(())
    }
}

fn format_created_at(moment: DateTime<Utc>) -> String {
    moment.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Deletes a customer with the admin token. A 404 counts as deleted: the scenario (or an
/// earlier clean-up) already removed it. The error says why it is still there.
pub async fn delete_customer(client: &MagentoClient, admin: &Secret, id: i64) -> Result<(), String> {
    match client
        .send(ApiRequest::delete(format!("{CUSTOMERS_ROUTE}/{id}")).bearer(Some(admin)))
        .await
    {
        Ok(exchange) if exchange.status == 200 || exchange.status == 404 => Ok(()),
        Ok(exchange) => Err(format!("DELETE answered {}", exchange.status)),
        Err(e) => Err(e.to_string()),
    }
}

const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 50;

/// Every customer matching `filters`, page by page.
pub async fn find_customers(
    client: &MagentoClient,
    admin: &Secret,
    filters: &[Filter],
) -> Result<Vec<FoundCustomer>, String> {
    let mut found = Vec::new();
    let mut page_size = PAGE_SIZE;
    let mut page = 1;
    while page <= MAX_PAGES {
        let exchange = client
            .send(ApiRequest::get(search_path(filters, page_size, page)).bearer(Some(admin)))
            .await
            .map_err(|e| e.to_string())?;
        if exchange.status == 400
            && let Some(limit) = exchange.json().as_ref().and_then(page_size_limit)
            && limit < page_size
        {
            // The store caps the page size (STORES.md R4): ask again with its maximum.
            page_size = limit;
            continue;
        }
        if exchange.status != 200 {
            return Err(format!("customer search answered {}", exchange.status));
        }
        let body = exchange.json().ok_or("customer search did not answer JSON")?;
        let items = body.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        let total = body.get("total_count").and_then(Value::as_u64).unwrap_or(0) as usize;
        for item in &items {
            if let Some(id) = item.get("id").and_then(Value::as_i64) {
                found.push(FoundCustomer {
                    id,
                    email: item.get("email").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    created_at: item
                        .get("created_at")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                });
            }
        }
        if items.len() < page_size || page * page_size >= total {
            break;
        }
        page += 1;
    }
    Ok(found)
}

/// The maximum page size a store with `webapi/validation/input_limit_enabled` names when a
/// search asks for more (`SearchCriteriaValidator`: 400 `Maximum SearchCriteria pageSize is
/// %max`, 2.4.7+).
pub fn page_size_limit(body: &Value) -> Option<usize> {
    if body.get("message")?.as_str()? != "Maximum SearchCriteria pageSize is %max" {
        return None;
    }
    let max = match body.pointer("/parameters/max")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    usize::try_from(max).ok().filter(|&max| max > 0)
}

/// What a clean-up found and did.
#[derive(Debug, Default)]
pub struct CleanupReport {
    /// Deleted, or in a dry run, what would be.
    pub deleted: Vec<FoundCustomer>,
    /// Found by the search but not allowed by the rule, with why.
    pub kept: Vec<(FoundCustomer, SkipReason)>,
    /// Allowed, but the DELETE failed, with why.
    pub failed: Vec<(FoundCustomer, String)>,
    /// Why the search itself failed.
    pub problem: Option<String>,
}

impl CleanupReport {
    /// The lists `cleanup` prints: what was (or in a dry run would be) deleted, what the search
    /// found but the rule keeps and why, and what could not be deleted.
    pub fn render(&self, dry_run: bool) -> String {
        let (delete, keep) = if dry_run {
            ("Would delete", "Would keep")
        } else {
            ("Deleted", "Kept")
        };
        let mut out = String::new();
        section(
            &mut out,
            delete,
            "",
            self.deleted.iter().map(ToString::to_string).collect(),
        );
        section(
            &mut out,
            keep,
            " the search found",
            self.kept
                .iter()
                .map(|(customer, why)| format!("{customer}: {why}"))
                .collect(),
        );
        if !self.failed.is_empty() {
            section(
                &mut out,
                "Could not delete",
                "",
                self.failed
                    .iter()
                    .map(|(customer, why)| format!("{customer}: {why}"))
                    .collect(),
            );
        }
        out
    }
}

/// `<verb> <n> customer(s)<what>:`, then one `  - ` line each.
fn section(out: &mut String, verb: &str, what: &str, lines: Vec<String>) {
    use std::fmt::Write as _;
    let colon = if lines.is_empty() { "" } else { ":" };
    let _ = writeln!(out, "{verb} {} customer(s){what}{colon}", lines.len());
    for line in lines {
        let _ = writeln!(out, "  - {line}");
    }
}

/// Searches for the rule's customers and deletes each one its verdict allows (none in a dry
/// run). Every page is read before the first delete, so deleting cannot shift a page.
pub async fn clean_up(client: &MagentoClient, admin: &Secret, rule: &CleanupRule, dry_run: bool) -> CleanupReport {
    let mut report = CleanupReport::default();
    let found = match find_customers(client, admin, &rule.filters()).await {
        Ok(found) => found,
        Err(problem) => {
            report.problem = Some(problem);
            return report;
        }
    };
    for customer in found {
        if let Err(reason) = rule.verdict(&customer) {
            report.kept.push((customer, reason));
        } else if dry_run {
            report.deleted.push(customer);
        } else {
            match delete_customer(client, admin, customer.id).await {
                Ok(()) => report.deleted.push(customer),
                Err(reason) => report.failed.push((customer, reason)),
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store that caps the page size at 2 is searched again with pages of 2, all of them.
    #[tokio::test]
    async fn a_search_adapts_to_a_capped_page_size() {
        use axum::extract::Query;
        use std::collections::HashMap;
        let app = axum::Router::new().route(
            "/rest/default/V1/customers/search",
            axum::routing::get(|Query(query): Query<HashMap<String, String>>| async move {
                let size: usize = query["searchCriteria[pageSize]"].parse().unwrap();
                let page: usize = query["searchCriteria[currentPage]"].parse().unwrap();
                if size > 2 {
                    let refusal = r#"{"message":"Maximum SearchCriteria pageSize is %max","parameters":{"max":2}}"#;
                    return (axum::http::StatusCode::BAD_REQUEST, refusal.to_owned());
                }
                let items: Vec<String> = ((page - 1) * size + 1..=(page * size).min(5))
                    .map(|id| format!(r#"{{"id": {id}, "email": "mc-abcd1234-{id}@example.com", "created_at": ""}}"#))
                    .collect();
                let body = format!(r#"{{"items": [{}], "total_count": 5}}"#, items.join(","));
                (axum::http::StatusCode::OK, body)
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = MagentoClient::new(
            &url,
            "default",
            std::time::Duration::from_secs(5),
            &crate::client::TlsOptions::default(),
        )
        .unwrap();
        let found = find_customers(&client, &Secret::new("admin-token"), &[]).await.unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_capped_page_size_is_read_from_the_refusal() {
        let capped =
            serde_json::json!({"message": "Maximum SearchCriteria pageSize is %max", "parameters": {"max": 20}});
        assert_eq!(page_size_limit(&capped), Some(20));
        let as_text =
            serde_json::json!({"message": "Maximum SearchCriteria pageSize is %max", "parameters": {"max": "50"}});
        assert_eq!(page_size_limit(&as_text), Some(50));
        let zero = serde_json::json!({"message": "Maximum SearchCriteria pageSize is %max", "parameters": {"max": 0}});
        assert_eq!(page_size_limit(&zero), None);
        let other = serde_json::json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "searchCriteria"}});
        assert_eq!(page_size_limit(&other), None);
    }

    const CUTOFF: &str = "2026-09-21 14:13:20";

    fn cutoff() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap()
    }

    fn found(id: i64, email: &str, created_at: &str) -> FoundCustomer {
        FoundCustomer {
            id,
            email: email.into(),
            created_at: created_at.into(),
        }
    }

    fn verdict(rule: &CleanupRule, email: &str, created_at: &str) -> Result<(), SkipReason> {
        rule.verdict(&found(1, email, created_at))
    }

    #[test]
    fn the_clean_up_filters_name_the_run_the_domain_and_the_cutoff() {
        let run = CleanupRule::run("abcd1234", "shop.example").filters();
        assert_eq!(run.len(), 1);
        assert_eq!(
            (run[0].field, run[0].condition, run[0].value.as_str()),
            ("email", "like", "mc-abcd1234-%@shop.example")
        );
        let old = CleanupRule::older_than(cutoff(), "shop.example").filters();
        assert_eq!(old[0].value, "mc-%@shop.example");
        assert_eq!(
            (old[1].field, old[1].condition, old[1].value.as_str()),
            ("created_at", "lt", CUTOFF)
        );
    }

    #[test]
    fn a_run_id_is_eight_lower_case_base_36_characters() {
        assert!(is_run_id("abcd1234") && is_run_id("00000000") && is_run_id("zzzzzzzz"));
        for wrong in [
            "",
            "abcd123",
            "abcd12345",
            "ABCD1234",
            "abcd-234",
            "abcd_234",
            "abcd123é",
        ] {
            assert!(!is_run_id(wrong), "{wrong}");
        }
    }

    /// The look-alikes a LIKE search finds on a staging copy of production are all kept.
    #[test]
    fn a_run_deletes_only_its_own_emails_in_the_configured_domain() {
        let rule = CleanupRule::run("abcd1234", "example.com");
        for mine in [
            "mc-abcd1234-1@example.com",
            "mc-abcd1234-120@example.com",
            "mc-abcd1234-7@Example.COM",
        ] {
            assert_eq!(verdict(&rule, mine, ""), Ok(()), "{mine}");
        }
        for not_harness in [
            "mc-donald@example.com",
            "MC-ABCD1234-1@example.com",
            "Mc-abcd1234-1@example.com",
            "mc-ABCD1234-1@example.com",
            "mc-abcd1234-x@example.com",
            "mc-abcd1234-@example.com",
            "mc-abcd1234-1a@example.com",
            "mc-abcd1234-１@example.com",
            "mc-abcd12345-1@example.com",
            "mc-abcd1234@example.com",
            "xmc-abcd1234-1@example.com",
            "mc-abcd1234-1",
        ] {
            assert_eq!(
                verdict(&rule, not_harness, ""),
                Err(SkipReason::NotHarnessEmail),
                "{not_harness}"
            );
        }
        for (email, domain) in [
            ("mc-abcd1234-1@other.example", "other.example"),
            ("mc-abcd1234-1@example.com.evil", "example.com.evil"),
            ("mc-abcd1234-1@example.com ", "example.com "),
            ("mc-abcd1234-1@a@example.com", "a@example.com"),
        ] {
            assert_eq!(
                verdict(&rule, email, ""),
                Err(SkipReason::OtherDomain {
                    found: domain.into(),
                    expected: "example.com".into()
                }),
                "{email}"
            );
        }
        assert_eq!(
            verdict(&rule, "mc-zz9y8x7w-1@example.com", ""),
            Err(SkipReason::OtherRun {
                found: "zz9y8x7w".into(),
                expected: "abcd1234".into()
            })
        );
    }

    /// `--older-than` takes any run's customers, but only those its own clock finds old enough.
    #[test]
    fn older_than_deletes_harness_emails_of_any_run_created_before_the_cutoff() {
        let rule = CleanupRule::older_than(cutoff() + chrono::TimeDelta::milliseconds(900), "example.com");
        assert_eq!(
            verdict(&rule, "mc-abcd1234-1@example.com", "2026-09-21 14:13:19"),
            Ok(())
        );
        assert_eq!(
            verdict(&rule, "mc-zz9y8x7w-3@example.com", "2020-01-01 00:00:00"),
            Ok(())
        );
        let too_new = Err(SkipReason::TooNew { cutoff: CUTOFF.into() });
        assert_eq!(verdict(&rule, "mc-abcd1234-1@example.com", CUTOFF), too_new);
        assert_eq!(
            verdict(&rule, "mc-abcd1234-1@example.com", "2026-09-22 00:00:00"),
            too_new
        );
        for unreadable in ["", "2026-09-21T14:13:19+00:00", "2026-09-21", "yesterday"] {
            assert_eq!(
                verdict(&rule, "mc-abcd1234-1@example.com", unreadable),
                Err(SkipReason::UnreadableDate),
                "{unreadable:?}"
            );
        }
        assert_eq!(
            verdict(&rule, "MC-ABCD1234-1@example.com", "2020-01-01 00:00:00"),
            Err(SkipReason::NotHarnessEmail)
        );
        assert!(matches!(
            verdict(&rule, "mc-abcd1234-1@other.example", "2020-01-01 00:00:00"),
            Err(SkipReason::OtherDomain { .. })
        ));
    }

    #[test]
    fn the_report_lists_what_was_deleted_and_what_was_kept_and_why() {
        let report = CleanupReport {
            deleted: vec![found(3, "mc-abcd1234-1@example.com", "2026-01-01 00:00:00")],
            kept: vec![(
                found(1, "mc-donald@example.com", "2025-01-01 00:00:00"),
                SkipReason::NotHarnessEmail,
            )],
            failed: Vec::new(),
            problem: None,
        };
        assert_eq!(
            report.render(true),
            "Would delete 1 customer(s):\n\
             \x20 - mc-abcd1234-1@example.com (id 3, created 2026-01-01 00:00:00)\n\
             Would keep 1 customer(s) the search found:\n\
             \x20 - mc-donald@example.com (id 1, created 2025-01-01 00:00:00): not a harness email \
             (mc-<run id>-<n>@<domain>, run id 8 of [0-9a-z], n a number)\n"
        );
        let real = CleanupReport {
            failed: vec![(found(4, "mc-abcd1234-2@example.com", ""), "DELETE answered 500".into())],
            ..CleanupReport::default()
        };
        assert_eq!(
            real.render(false),
            "Deleted 0 customer(s)\nKept 0 customer(s) the search found\n\
             Could not delete 1 customer(s):\n\
             \x20 - mc-abcd1234-2@example.com (id 4, created ): DELETE answered 500\n"
        );
    }

    #[test]
    fn search_path_uses_magentos_bracket_query_form() {
        let path = search_path(
            &[Filter {
                field: "email",
                condition: "like",
                value: "mc-abc-%".into(),
            }],
            100,
            1,
        );
        assert_eq!(
            path,
            "/V1/customers/search?searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=email\
             &searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=mc-abc-%25\
             &searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5BconditionType%5D=like\
             &searchCriteria%5BpageSize%5D=100&searchCriteria%5BcurrentPage%5D=1"
        );
    }

    /// A store whose search finds `items` whatever the filters (as a LIKE that ignores case
    /// would), and whose DELETE fails for id 99; it records the ids it was asked to delete.
    async fn store(items: serde_json::Value) -> (MagentoClient, std::sync::Arc<std::sync::Mutex<Vec<i64>>>) {
        use axum::extract::{Path, State};
        use axum::routing::{delete, get};
        type Deleted = std::sync::Arc<std::sync::Mutex<Vec<i64>>>;
        let deleted = Deleted::default();
        let total = items.as_array().map_or(0, Vec::len);
        let body = serde_json::json!({"items": items, "total_count": total}).to_string();
        let app = axum::Router::new()
            .route(
                "/rest/default/V1/customers/search",
                get(move || async move { ([("content-type", "application/json")], body) }),
            )
            .route(
                "/rest/default/V1/customers/{id}",
                delete(|State(deleted): State<Deleted>, Path(id): Path<i64>| async move {
                    deleted.lock().unwrap().push(id);
                    let status = if id == 99 { 500 } else { 200 };
                    (
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        [("content-type", "application/json")],
                        "true",
                    )
                }),
            )
            .with_state(deleted.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = MagentoClient::new(
            &url,
            "default",
            std::time::Duration::from_secs(5),
            &crate::client::TlsOptions::default(),
        )
        .unwrap();
        (client, deleted)
    }

    #[tokio::test]
    async fn clean_up_deletes_only_what_the_verdict_allows_and_a_dry_run_nothing() {
        let items = serde_json::json!([
            {"id": 1, "email": "mc-abcd1234-1@example.com", "created_at": "2026-01-01 00:00:00"},
            {"id": 2, "email": "MC-ABCD1234-2@example.com", "created_at": "2026-01-01 00:00:00"},
            {"id": 99, "email": "mc-abcd1234-3@example.com", "created_at": "2026-01-01 00:00:00"},
        ]);
        let (client, deleted) = store(items).await;
        let admin = Secret::new("admin-token");
        let rule = CleanupRule::run("abcd1234", "example.com");

        let dry = clean_up(&client, &admin, &rule, true).await;
        assert!(deleted.lock().unwrap().is_empty(), "a dry run deletes nothing");
        assert_eq!(dry.deleted.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 99]);
        assert_eq!(dry.kept.len(), 1);
        assert_eq!((dry.kept[0].0.id, &dry.kept[0].1), (2, &SkipReason::NotHarnessEmail));

        let real = clean_up(&client, &admin, &rule, false).await;
        assert_eq!(
            *deleted.lock().unwrap(),
            [1, 99],
            "the look-alike is never sent a DELETE"
        );
        assert_eq!(real.deleted.iter().map(|c| c.id).collect::<Vec<_>>(), [1]);
        assert_eq!(real.kept, dry.kept);
        assert_eq!(
            real.failed,
            vec![(dry.deleted[1].clone(), "DELETE answered 500".to_owned())]
        );
        assert_eq!(real.problem, None);
    }
}
