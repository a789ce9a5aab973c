//! The Magento release the server answers as: 2.4.8 by default, or one of the 2.4.4 to 2.4.8
//! patch levels, whose answers differ where STORES.md Note 6 says (the since-versions were
//! read from every release's code). Each difference is one method here, used at the one site
//! where Magento's code differs.

use std::fmt;
use std::str::FromStr;

/// A 2.4 release: `2.4.<patch>`, with `-p<security_patch>` for a security patch (0: none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    patch: u32,
    security_patch: u32,
}

impl Release {
    /// 2.4.8, the release the reference follows unless told otherwise.
    pub const LATEST: Release = Release::new(8, 0);

    const OLDEST: Release = Release::new(4, 0);

    /// `2.4.<patch>-p<security_patch>`; 0 is the release itself.
    pub const fn new(patch: u32, security_patch: u32) -> Self {
        Self { patch, security_patch }
    }

    /// Whether this release is `since` or a later patch of the same line, or any release of a
    /// later line when `opens_later_lines` (the last of a since-list does).
    fn reached(self, since: Release, opens_later_lines: bool) -> bool {
        if self.patch == since.patch {
            self.security_patch >= since.security_patch
        } else {
            opens_later_lines && self.patch > since.patch
        }
    }

    /// `RequestMethodValidator` answers 405 for PATCH, OPTIONS and the like (from 2.4.5);
    /// before, `Request::getHttpMethod` threw 400 `Request method is invalid.` (C3e).
    pub(crate) fn refuses_methods_with_405(self) -> bool {
        self.reached(Release::new(5, 0), true)
    }

    /// `AccountManagementApi::validateCustomerRequest` refuses a guest's `group_id` with 401
    /// from 2.4.4-p12, 2.4.5-p11, 2.4.6-p9 and 2.4.7; before, `createAccount` reset it to the
    /// default group (C3d).
    pub(crate) fn guards_the_customer_group(self) -> bool {
        [Release::new(4, 12), Release::new(5, 11), Release::new(6, 9)]
            .into_iter()
            .any(|since| self.reached(since, false))
            || self.reached(Release::new(7, 0), true)
    }

    /// 2.4.8 checks the email first ("The email address is required…"); before, a missing
    /// email with a password reached `strcasecmp($password, null)`, a deprecation PHP 8.1+
    /// turns into a masked 500 (C3a, derived).
    pub(crate) fn requires_the_email_first(self) -> bool {
        self.reached(Release::LATEST, true)
    }

    /// `Model/Validator/Dob.php`, new in 2.4.8, refuses a future date of birth; before, it was
    /// stored (C3b).
    pub(crate) fn refuses_a_future_dob(self) -> bool {
        self.reached(Release::LATEST, true)
    }

    /// 2.4.8's `CustomerTokenService` lets `EmailNotConfirmedException` through; before, it was
    /// masked as the generic sign-in failure (C3c).
    pub(crate) fn tells_an_unconfirmed_customer(self) -> bool {
        self.reached(Release::LATEST, true)
    }

    /// The 2.4.8 GraphQL controller maps categories to 401/403 and request-level errors to 400,
    /// and its `AuthorizationRequestValidator` refuses a bad bearer token with 401; 2.4.0 to
    /// 2.4.7-p6 answer every executed request 200, request-level errors 500, and treat a bad
    /// token as a guest (GRAPHQL.md §1.9: none of it was backported).
    pub fn maps_graphql_statuses(self) -> bool {
        self.reached(Release::LATEST, true)
    }

    /// 2.4.8 removed `ValidateRequiredArguments` from `createCustomerV2`'s validators; before,
    /// a required attribute sent empty was `Required parameters are missing: %1` (GRAPHQL.md
    /// §2.2 step 5).
    pub(crate) fn validates_graphql_required_arguments(self) -> bool {
        !self.reached(Release::LATEST, true)
    }
}

impl Default for Release {
    fn default() -> Self {
        Release::LATEST
    }
}

/// A release the reference cannot answer as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRelease(pub String);

impl fmt::Display for UnknownRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a release the reference answers as: use 2.4.4 to 2.4.8 with an optional -pN, e.g. 2.4.6-p8",
            self.0
        )
    }
}

impl std::error::Error for UnknownRelease {}

impl FromStr for Release {
    type Err = UnknownRelease;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownRelease(text.to_owned());
        let number = |digits: &str| -> Result<u32, UnknownRelease> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            digits.parse().map_err(|_| bad())
        };
        let rest = text.trim().strip_prefix("2.4.").ok_or_else(bad)?;
        let release = match rest.split_once("-p") {
            Some((patch, level)) => Release::new(number(patch)?, number(level)?),
            None => Release::new(number(rest)?, 0),
        };
        let has_level = rest.contains("-p");
        if (has_level && release.security_patch == 0)
            || release < Release::OLDEST
            || release.patch > Release::LATEST.patch
        {
            return Err(bad());
        }
        Ok(release)
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.4.{}", self.patch)?;
        if self.security_patch > 0 {
            write!(f, "-p{}", self.security_patch)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Release;

    fn release(text: &str) -> Release {
        text.parse().unwrap()
    }

    #[test]
    fn releases_parse_and_print_with_their_patch_level() {
        assert_eq!(release("2.4.6-p8"), Release::new(6, 8));
        assert_eq!(release("2.4.7").to_string(), "2.4.7");
        assert_eq!(release("2.4.6-p8").to_string(), "2.4.6-p8");
        assert!(release("2.4.6") < release("2.4.6-p1") && release("2.4.6-p9") < release("2.4.7"));
        for bad in [
            "2.4",
            "2.4.3-p3",
            "2.4.9",
            "2.4.6-p0",
            "2.4.6-p",
            "2.3.7",
            "latest",
            "2.4.6 -p1",
        ] {
            let error = bad.parse::<Release>().expect_err(bad).to_string();
            assert!(error.contains(&format!("{bad:?}")) && !error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn the_group_guard_arrived_per_patch_line() {
        for (text, guarded) in [
            ("2.4.4-p11", false),
            ("2.4.4-p12", true),
            ("2.4.5-p10", false),
            ("2.4.5-p11", true),
            ("2.4.6-p8", false),
            ("2.4.6-p9", true),
            ("2.4.7", true),
            ("2.4.8", true),
        ] {
            assert_eq!(release(text).guards_the_customer_group(), guarded, "{text}");
        }
    }

    #[test]
    fn the_405_arrived_in_2_4_5() {
        assert!(!release("2.4.4-p13").refuses_methods_with_405());
        assert!(release("2.4.5").refuses_methods_with_405());
    }

    #[test]
    fn the_2_4_8_changes_are_absent_from_every_earlier_patch() {
        for text in ["2.4.4-p13", "2.4.6-p8", "2.4.7-p6"] {
            let old = release(text);
            assert!(
                !old.requires_the_email_first() && !old.refuses_a_future_dob() && !old.tells_an_unconfirmed_customer()
            );
            assert!(!old.maps_graphql_statuses() && old.validates_graphql_required_arguments());
        }
        let latest = release("2.4.8-p1");
        assert!(
            latest.requires_the_email_first()
                && latest.refuses_a_future_dob()
                && latest.tells_an_unconfirmed_customer()
                && latest.maps_graphql_statuses()
                && !latest.validates_graphql_required_arguments()
        );
    }
}
