//! What a route's handler is given, so that each area module serves its own routes and the
//! dispatcher needs no list of them.

use super::app::App;
use super::auth::UserContext;
use super::binding::Bound;
use super::error::MagentoError;
use chrono::{DateTime, Utc};

/// A route's service method. Values that do not fit the route's parameters are a fault of the
/// route table, not of the request: `MagentoError::internal()`.
pub(crate) type Handler = fn(&ServiceCall<'_>) -> Result<Vec<u8>, MagentoError>;

/// One call of a route's service method, after routing, ACL and parameter binding.
pub(crate) struct ServiceCall<'a> {
    pub(crate) app: &'a App,
    pub(crate) user: UserContext,
    /// The route's service parameters, bound in signature order (§2.4).
    pub(crate) values: &'a [Bound],
    /// The route's URL-decoded path variables.
    pub(crate) path_params: &'a [(String, String)],
    pub(crate) now: DateTime<Utc>,
}

impl ServiceCall<'_> {
    /// The path variable `name`.
    pub(crate) fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}
