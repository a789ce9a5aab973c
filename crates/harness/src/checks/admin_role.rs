//! Answers that depend on the admin's ACL role (CONTRACT.md §1.5, §6.1; captures C25, C26).
//!
//! `self` is no ACL resource, so for anyone but a customer Magento asks
//! `Acl::isAllowed($role, null)`: true for a role with all resources (the stock Administrators
//! role), which then reaches the route and misses its `customerId` (400), false for a restricted
//! role or integration (401 `self`). Both are correct; a store gives exactly one of them.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use super::envelope::expect_error_body;
use super::failure::CheckFailure;

/// The two kinds of admin role a store can give the harness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum AdminRole {
    /// All resources: passes `self` checks.
    #[serde(rename = "all resources")]
    AllResources,
    /// A restricted role or an integration: refused on `self` routes.
    #[serde(rename = "restricted")]
    Restricted,
}

impl fmt::Display for AdminRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AdminRole::AllResources => "a role with all resources (passes `self`, then misses customerId: 400)",
            AdminRole::Restricted => "a restricted role or integration (refused `self`: 401)",
        })
    }
}

/// What Magento answers one role: a status and an exact error body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RoleAnswer {
    pub status: u16,
    pub body: Value,
}

/// Which role's documented answer the store gave. Exactly one must match in full: a 400 with
/// the `self` body, or a 401 with the `customerId` body, is neither.
pub fn expect_answer_for_a_role(
    status: u16,
    body: &Value,
    answers: &[(AdminRole, RoleAnswer)],
) -> Result<AdminRole, CheckFailure> {
    let mut misses = Vec::new();
    for (role, answer) in answers {
        if answer.status != status {
            misses.push(format!("for {role}: HTTP {}, received {status}", answer.status));
            continue;
        }
        match expect_error_body(body, &answer.body) {
            Ok(()) => return Ok(*role),
            Err(failure) => misses.push(format!("for {role}: {failure}")),
        }
    }
    Err(CheckFailure::Body(format!(
        "the answer is none of those Magento gives an admin token here (it depends on the admin's role):\n{}",
        misses.join("\n")
    )))
}

/// The role seen first holds for the whole run: the same token cannot pass `self` on one route
/// and be refused on another.
pub fn expect_same_role(first: AdminRole, now: AdminRole) -> Result<(), CheckFailure> {
    if first == now {
        Ok(())
    } else {
        Err(CheckFailure::Body(format!(
            "the admin token answered as {now} here, but as {first} earlier in this run"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers() -> Vec<(AdminRole, RoleAnswer)> {
        vec![
            (
                AdminRole::AllResources,
                RoleAnswer {
                    status: 400,
                    body: json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "customerId"}}),
                },
            ),
            (
                AdminRole::Restricted,
                RoleAnswer {
                    status: 401,
                    body: json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}}),
                },
            ),
        ]
    }

    #[test]
    fn each_real_answer_names_its_role() {
        let full = json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "customerId"}, "trace": null});
        assert_eq!(
            expect_answer_for_a_role(400, &full, &answers()).unwrap(),
            AdminRole::AllResources
        );
        let restricted = json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}});
        assert_eq!(
            expect_answer_for_a_role(401, &restricted, &answers()).unwrap(),
            AdminRole::Restricted
        );
    }

    #[test]
    fn a_mixed_or_other_answer_matches_no_role() {
        let restricted = json!({"message": "The consumer isn't authorized to access %resources.", "parameters": {"resources": "self"}});
        let failure = expect_answer_for_a_role(400, &restricted, &answers())
            .unwrap_err()
            .to_string();
        assert!(failure.contains("for a role with all resources"), "{failure}");
        assert!(failure.contains("HTTP 401, received 400"), "{failure}");
        assert!(expect_answer_for_a_role(200, &json!({"id": 1}), &answers()).is_err());
        assert!(expect_answer_for_a_role(403, &restricted, &answers()).is_err());
        let other_field =
            json!({"message": "\"%fieldName\" is required. Enter and try again.", "parameters": {"fieldName": "id"}});
        assert!(expect_answer_for_a_role(400, &other_field, &answers()).is_err());
    }

    #[test]
    fn a_role_cannot_change_within_a_run() {
        assert!(expect_same_role(AdminRole::Restricted, AdminRole::Restricted).is_ok());
        let failure = expect_same_role(AdminRole::AllResources, AdminRole::Restricted)
            .unwrap_err()
            .to_string();
        assert!(failure.contains("earlier in this run"), "{failure}");
    }

    #[test]
    fn roles_read_from_the_feature_file_names() {
        let parsed: Vec<(AdminRole, RoleAnswer)> =
            serde_json::from_value::<std::collections::BTreeMap<AdminRole, RoleAnswer>>(
                json!({"all resources": {"status": 400, "body": {}}, "restricted": {"status": 401, "body": {}}}),
            )
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(parsed.len(), 2);
        assert!(serde_json::from_value::<AdminRole>(json!("superuser")).is_err());
    }
}
