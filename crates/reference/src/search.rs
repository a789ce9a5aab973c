//! `CustomerRepository::getList` (CONTRACT.md §4.8, §9.2): filter groups are ANDed, the filters
//! inside one group ORed, evaluated the way MySQL evaluates Magento's SQL conditions.

use super::app::App;
use super::binding::{Bound, DataObject};
use super::customers::{ColumnValue, CustomerColumn, CustomerView};
use super::error::{MagentoError, positional};
use super::service::ServiceCall;
use super::state::CustomerRecord;
use super::stores::{GroupView, customer_groups};
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;

/// derived: `ServiceInputProcessor`'s default page size (read from its source, not CONTRACT.md),
/// set when the criteria carry none.
const DEFAULT_PAGE_SIZE: i64 = 20;

#[derive(Debug, Serialize)]
struct FilterView<'a> {
    field: Option<&'a str>,
    value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition_type: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct FilterGroupView<'a> {
    filters: Vec<FilterView<'a>>,
}

#[derive(Debug, Serialize)]
struct SortOrderView<'a> {
    field: Option<&'a str>,
    direction: Option<&'a str>,
}

/// The echoed `search_criteria` in `SearchCriteriaInterface` getter order.
#[derive(Debug, Serialize)]
struct SearchCriteriaView<'a> {
    filter_groups: Vec<FilterGroupView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort_orders: Option<Vec<SortOrderView<'a>>>,
    page_size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_page: Option<i64>,
}

#[derive(Debug, Serialize)]
struct SearchResultsView<'a> {
    items: Vec<CustomerView<'a>>,
    search_criteria: SearchCriteriaView<'a>,
    total_count: usize,
}

/// The criteria as `search_criteria` echoes them.
fn echo(criteria: &DataObject) -> SearchCriteriaView<'_> {
    let filter_groups = criteria
        .objects("filter_groups")
        .unwrap_or_default()
        .iter()
        .map(|group| FilterGroupView {
            filters: group
                .objects("filters")
                .unwrap_or_default()
                .iter()
                .map(|filter| FilterView {
                    field: filter.str("field"),
                    value: filter.str("value"),
                    condition_type: filter.str("condition_type"),
                })
                .collect(),
        })
        .collect();
    SearchCriteriaView {
        filter_groups,
        sort_orders: criteria.objects("sort_orders").map(|orders| {
            orders
                .iter()
                .map(|order| SortOrderView {
                    field: order.str("field"),
                    direction: order.str("direction"),
                })
                .collect()
        }),
        page_size: criteria.int("page_size").unwrap_or(DEFAULT_PAGE_SIZE),
        current_page: criteria.int("current_page"),
    }
}

/// The rows of the requested page: like `Collection::getCurPage()`, the page is clamped to
/// 1..=last page; a page size of zero or less is every row.
fn page<T>(rows: Vec<T>, page_size: i64, current_page: Option<i64>) -> Vec<T> {
    match usize::try_from(page_size) {
        Ok(size) if size > 0 => {
            let last_page = rows.len().div_ceil(size).max(1);
            let page = usize::try_from(current_page.unwrap_or(1))
                .unwrap_or(1)
                .clamp(1, last_page);
            rows.into_iter().skip((page - 1) * size).take(size).collect()
        }
        _ => rows,
    }
}

#[derive(Debug, Serialize)]
struct GroupResultsView<'a> {
    items: Vec<GroupView>,
    search_criteria: SearchCriteriaView<'a>,
    total_count: usize,
}

/// `GroupRepository::getList` (`GET /V1/customerGroups/search`): every group, the
/// `NOT LOGGED IN` one included, in id order unless a sort order on `id` says otherwise, paged
/// like the customers.
///
/// derived: filters are echoed but not applied; the suite reads the whole list.
pub(crate) fn serve_search_groups(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Object(criteria)] = call.values else {
        return Err(MagentoError::internal());
    };
    let search_criteria = echo(criteria);
    let mut groups = customer_groups(&call.app.settings);
    for order in search_criteria.sort_orders.iter().flatten().rev() {
        if order.field == Some("id") {
            groups.sort_by_key(|group| group.id);
            if order.direction == Some("DESC") {
                groups.reverse();
            }
        }
    }
    let total_count = groups.len();
    let items = page(groups, search_criteria.page_size, search_criteria.current_page);
    Ok(super::json::encode(&GroupResultsView {
        items,
        search_criteria,
        total_count,
    }))
}

/// The handler of the search route.
pub(crate) fn serve_search_customers(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let [Bound::Object(criteria)] = call.values else {
        return Err(MagentoError::internal());
    };
    search_customers(call.app, criteria)
}

/// Runs a bound `searchCriteria` against the customers.
pub(crate) fn search_customers(app: &App, criteria: &DataObject) -> Result<Vec<u8>, MagentoError> {
    let groups: Vec<Vec<FilterView<'_>>> = criteria
        .objects("filter_groups")
        .unwrap_or_default()
        .iter()
        .map(|group| {
            group
                .objects("filters")
                .unwrap_or_default()
                .iter()
                .map(|filter| FilterView {
                    field: filter.str("field"),
                    value: filter.str("value"),
                    condition_type: filter.str("condition_type"),
                })
                .collect()
        })
        .collect();
    // derived: the EAV collection's `_addAttributeJoin` rejects unknown attribute codes.
    let conditions: Vec<Vec<Condition<'_>>> = groups
        .iter()
        .map(|filters| filters.iter().map(Condition::new).collect::<Result<_, _>>())
        .collect::<Result<_, _>>()?;
    let sort_orders: Option<Vec<SortOrderView<'_>>> = criteria.objects("sort_orders").map(|orders| {
        orders
            .iter()
            .map(|order| SortOrderView {
                field: order.str("field"),
                direction: order.str("direction"),
            })
            .collect()
    });
    let page_size = criteria.int("page_size").unwrap_or(DEFAULT_PAGE_SIZE);
    let current_page = criteria.int("current_page");

    let store = app.store();
    let mut matching: Vec<&CustomerRecord> = store
        .customers()
        .filter(|customer| {
            conditions
                .iter()
                .all(|group| group.is_empty() || group.iter().any(|condition| condition.holds(customer)))
        })
        .collect();
    // derived: sort fields that are not customer attributes are ignored.
    for order in sort_orders.iter().flatten().rev() {
        let Some(column) = order.field.and_then(CustomerColumn::parse) else {
            continue;
        };
        let descending = order.direction == Some("DESC");
        matching.sort_by(|a, b| {
            let ordering = compare_values(a.value(column).as_ref(), b.value(column).as_ref());
            if descending { ordering.reverse() } else { ordering }
        });
    }
    let total_count = matching.len();
    let items: Vec<CustomerView<'_>> = page(matching, page_size, current_page)
        .into_iter()
        .map(|customer| customer.view(true, &app.settings))
        .collect();
    Ok(super::json::encode(&SearchResultsView {
        items,
        search_criteria: SearchCriteriaView {
            filter_groups: groups.into_iter().map(|filters| FilterGroupView { filters }).collect(),
            sort_orders,
            page_size,
            current_page,
        },
        total_count,
    }))
}

/// MySQL's string-to-number conversion: the longest numeric prefix, else 0.
fn mysql_number(text: &str) -> f64 {
    let trimmed = text.trim_start();
    let candidate_len = trimmed
        .find(|ch: char| !(ch.is_ascii_digit() || "+-.eE".contains(ch)))
        .unwrap_or(trimmed.len());
    (1..=candidate_len)
        .rev()
        .find_map(|end| trimmed[..end].parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// Compares a column with a filter value.
///
/// derived: text compares case-insensitively and ignores trailing spaces, as MySQL's
/// `utf8mb3_general_ci` (PAD SPACE) does.
fn compare(column: &ColumnValue, value: &str) -> Ordering {
    match column {
        ColumnValue::Number(number) => (*number as f64)
            .partial_cmp(&mysql_number(value))
            .unwrap_or(Ordering::Equal),
        ColumnValue::Text(text) => fold(text).cmp(&fold(value)),
    }
}

fn fold(text: &str) -> String {
    text.trim_end_matches(' ').to_lowercase()
}

/// derived: NULLs sort first in ascending order, as in MySQL.
fn compare_values(a: Option<&ColumnValue>, b: Option<&ColumnValue>) -> Ordering {
    match (a, b) {
        (Some(ColumnValue::Number(x)), Some(ColumnValue::Number(y))) => x.cmp(y),
        (Some(ColumnValue::Text(x)), Some(ColumnValue::Text(y))) => fold(x).cmp(&fold(y)),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// One element of a `LIKE` pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LikeToken {
    AnyRun,
    AnyOne,
    Literal(char),
}

/// SQL `LIKE` with `%`, `_` and `\` escapes, case-insensitive; a linear-space dynamic program,
/// so hostile patterns cannot make it blow up.
fn like(text: &str, pattern: &str) -> bool {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().flat_map(char::to_lowercase).peekable();
    while let Some(ch) = chars.next() {
        tokens.push(match ch {
            '%' => LikeToken::AnyRun,
            '_' => LikeToken::AnyOne,
            '\\' => LikeToken::Literal(chars.next().unwrap_or('\\')),
            other => LikeToken::Literal(other),
        });
    }
    // matched[j]: the text read so far matches the first j tokens.
    let mut matched = vec![false; tokens.len() + 1];
    matched[0] = true;
    for j in 0..tokens.len() {
        matched[j + 1] = matched[j] && tokens[j] == LikeToken::AnyRun;
    }
    for ch in text.chars().flat_map(char::to_lowercase) {
        let mut next = vec![false; tokens.len() + 1];
        for (j, token) in tokens.iter().enumerate() {
            next[j + 1] = match token {
                LikeToken::AnyRun => matched[j + 1] || next[j],
                LikeToken::AnyOne => matched[j],
                LikeToken::Literal(expected) => matched[j] && *expected == ch,
            };
        }
        matched = next;
    }
    matched[tokens.len()]
}

/// One filter with its column resolved.
struct Condition<'a> {
    column: CustomerColumn,
    value: Option<&'a str>,
    condition_type: &'a str,
}

impl<'a> Condition<'a> {
    /// `$filter->getConditionType() ?: 'eq'`; an unknown field is refused.
    fn new(filter: &FilterView<'a>) -> Result<Self, MagentoError> {
        let field = filter.field.unwrap_or_default();
        let column = CustomerColumn::parse(field).ok_or_else(|| {
            MagentoError::bad_request("Invalid attribute name: %1").with_parameters(positional([Value::from(field)]))
        })?;
        Ok(Condition {
            column,
            value: filter.value,
            condition_type: filter.condition_type.filter(|c| !c.is_empty()).unwrap_or("eq"),
        })
    }

    /// `Mysql::prepareSqlCondition`, evaluated: NULL compares false except for `null`/`notnull`,
    /// and an unknown condition type falls back to `=`.
    fn holds(&self, customer: &CustomerRecord) -> bool {
        let column = customer.value(self.column);
        match self.condition_type {
            "null" => return column.is_none(),
            "notnull" => return column.is_some(),
            _ => {}
        }
        let (Some(column), Some(value)) = (column, self.value) else {
            return false;
        };
        let text = match &column {
            ColumnValue::Number(number) => number.to_string(),
            ColumnValue::Text(text) => text.clone(),
        };
        let equal = |candidate: &str| compare(&column, candidate) == Ordering::Equal;
        match self.condition_type {
            "neq" => !equal(value),
            "like" => like(&text, value),
            "nlike" => !like(&text, value),
            // derived: `in`/`nin` values are comma-separated lists.
            "in" => value.split(',').any(equal),
            "nin" => !value.split(',').any(equal),
            "gt" => compare(&column, value) == Ordering::Greater,
            "lt" => compare(&column, value) == Ordering::Less,
            "gteq" | "moreq" => compare(&column, value) != Ordering::Less,
            "lteq" => compare(&column, value) != Ordering::Greater,
            "finset" => text.split(',').any(|item| fold(item) == fold(value)),
            _ => equal(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_follows_sql() {
        assert!(like("mc-abc@example.com", "mc-abc%"));
        assert!(like("MC-ABC@example.com", "mc-abc%"));
        assert!(like("a_c", "a\\_c"));
        assert!(!like("abc", "a\\_c"));
        assert!(like("abc", "a_c"));
        assert!(!like("abcd", "a_c"));
    }

    #[test]
    fn mysql_numbers() {
        assert_eq!(mysql_number("12abc"), 12.0);
        assert_eq!(mysql_number("abc"), 0.0);
        assert_eq!(mysql_number(" 3.5"), 3.5);
    }
}
