//! Setting-up requests the store refuses every time, the same way (STORES.md R8): a module that
//! approves customers before they may sign in, an e-mail validator that checks MX records, a
//! phone or address validator. Each refusal fails its scenario; when all of them are one and
//! the same answer, the cause is the store's configuration, and the run says so once.

use std::fmt;

/// The setting-up requests a scenario expects to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetUp {
    /// A Background's customer create.
    Create,
    /// Signing that customer in.
    SignIn,
}

/// How one setting-up request ended: `None` when it succeeded, else the status and message.
pub type Refusal = Option<(u16, String)>;

/// The one refusal every attempt got, if there were at least two and none succeeded.
pub fn uniform_refusal(outcomes: &[Refusal]) -> Option<&(u16, String)> {
    let first = outcomes.first()?.as_ref()?;
    (outcomes.len() >= 2 && outcomes.iter().all(|o| o.as_ref() == Some(first))).then_some(first)
}

/// The one line that names it.
pub struct UniformRefusal<'a> {
    pub set_up: SetUp,
    pub attempts: usize,
    pub refusal: &'a (u16, String),
}

impl fmt::Display for UniformRefusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (status, message) = self.refusal;
        let attempts = self.attempts;
        match self.set_up {
            SetUp::Create => write!(
                f,
                "all {attempts} customer creates were refused with {status} {message:?}: the store's configuration refuses the suite's customers (an e-mail validator that checks MX records: set MAGENTO_EMAIL_DOMAIN to a domain it accepts; an address or phone validator; a module on POST /V1/customers)"
            ),
            SetUp::SignIn => write!(
                f,
                "all {attempts} sign-ins of new customers were refused with {status} {message:?}: the store's configuration keeps new customers from signing in (a customer-approval module, or confirmation required: set MAGENTO_REQUIRE_CONFIRMATION=1)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> Refusal {
        Some((401, message.to_owned()))
    }

    #[test]
    fn only_the_same_refusal_every_time_is_uniform() {
        let pending = refused("Your account is pending approval.");
        assert_eq!(
            uniform_refusal(&[pending.clone(), pending.clone(), pending.clone()]),
            Some(&(401, "Your account is pending approval.".to_owned()))
        );
        assert_eq!(
            uniform_refusal(std::slice::from_ref(&pending)),
            None,
            "one is no pattern"
        );
        assert_eq!(uniform_refusal(&[pending.clone(), None]), None, "one succeeded");
        assert_eq!(uniform_refusal(&[pending.clone(), refused("other")]), None);
        assert_eq!(uniform_refusal(&[None, None]), None);
        assert_eq!(uniform_refusal(&[]), None);
    }

    #[test]
    fn the_line_names_the_answer_and_what_to_check() {
        let refusal = (400, "The email domain has no mail server.".to_owned());
        let line = UniformRefusal {
            set_up: SetUp::Create,
            attempts: 12,
            refusal: &refusal,
        }
        .to_string();
        assert!(
            line.starts_with("all 12 customer creates were refused with 400 \"The email domain has no mail server.\""),
            "{line}"
        );
        assert!(line.contains("MAGENTO_EMAIL_DOMAIN"), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
}
