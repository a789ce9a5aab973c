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
