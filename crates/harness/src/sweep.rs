//! Finding the customers a run created, by the run id in their email, through Magento's own
//! search API (`GET /V1/customers/search`, CONTRACT.md §4.8): for the end-of-run sweep
//! (`RunContext::sweep`), the rollback step and `magento-contract cleanup`.

use serde_json::Value;

use crate::client::{ApiRequest, CUSTOMERS_ROUTE, MagentoClient};
use crate::secrets::Secret;

/// A customer found by a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCustomer {
    pub id: i64,
    pub email: String,
    pub created_at: String,
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

/// The customers of one run: their emails start `mc-<run id>-`.
pub fn run_filters(run_id: &str) -> Vec<Filter> {
    vec![Filter {
        field: "email",
        condition: "like",
        value: format!("mc-{run_id}-%"),
    }]
}

/// Harness customers created before `cutoff` (UTC), by any run.
pub fn older_than_filters(cutoff: chrono::DateTime<chrono::Utc>) -> Vec<Filter> {
    vec![
        Filter {
            field: "email",
            condition: "like",
            value: "mc-%".into(),
        },
        Filter {
            field: "created_at",
            condition: "lt",
            value: cutoff.format("%Y-%m-%d %H:%M:%S").to_string(),
        },
    ]
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
    for page in 1..=MAX_PAGES {
        let exchange = client
            .send(ApiRequest::get(search_path(filters, PAGE_SIZE, page)).bearer(Some(admin)))
            .await
            .map_err(|e| e.to_string())?;
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
        if items.len() < PAGE_SIZE || page * PAGE_SIZE >= total {
            break;
        }
    }
    Ok(found)
}

/// What the end-of-run sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    pub deleted: Vec<FoundCustomer>,
    pub problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clean_up_filters_name_the_run_or_the_cutoff() {
        let run = run_filters("abc123");
        assert_eq!(
            (run[0].field, run[0].condition, run[0].value.as_str()),
            ("email", "like", "mc-abc123-%")
        );
        let cutoff = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let old = older_than_filters(cutoff);
        assert_eq!(old[0].value, "mc-%");
        assert_eq!(
            (old[1].field, old[1].condition, old[1].value.as_str()),
            ("created_at", "lt", "2026-09-21 14:13:20")
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
}
