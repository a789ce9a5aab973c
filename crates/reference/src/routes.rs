//! The covered `webapi.xml` routes and Magento's route matching (CONTRACT.md §1.1).

use super::auth::AclResource;
use super::query::url_decode;

/// The four methods the REST area accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpMethod {
    Get,
    Post,
    Put,
    Delete,
}

impl HttpMethod {
    /// Method names are case-sensitive, as `Laminas\Http\Request::isGet()` compares them.
    pub(crate) fn parse(method: &str) -> Option<Self> {
        match method {
            "GET" => Some(HttpMethod::Get),
            "POST" => Some(HttpMethod::Post),
            "PUT" => Some(HttpMethod::Put),
            "DELETE" => Some(HttpMethod::Delete),
            _ => None,
        }
    }

    /// The method as it appears on the request line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }

    /// Only POST and PUT bodies are read (§1.3).
    pub(crate) fn reads_body(self) -> bool {
        matches!(self, HttpMethod::Post | HttpMethod::Put)
    }
}

/// The service method behind a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    AdminToken,
    GoogleAuthenticate,
    CustomerToken,
    RevokeCustomerToken,
    CreateCustomer,
    CurrentCustomer,
    SearchCustomers,
    CustomerById,
    SaveCustomer,
    DeleteCustomer,
}

struct Route {
    method: HttpMethod,
    path: &'static str,
    resource: AclResource,
    operation: Operation,
    /// Declared by Magento_TwoFactorAuth (§3.3), so absent when the module is disabled.
    /// derived: with 2FA off the provider route therefore answers 404 "no route".
    two_factor_module: bool,
}

const fn route(method: HttpMethod, path: &'static str, resource: AclResource, operation: Operation) -> Route {
    Route {
        method,
        path,
        resource,
        operation,
        two_factor_module: false,
    }
}

const ROUTES: &[Route] = &[
    route(
        HttpMethod::Post,
        "/V1/integration/admin/token",
        AclResource::Anonymous,
        Operation::AdminToken,
    ),
    Route {
        two_factor_module: true,
        ..route(
            HttpMethod::Post,
            "/V1/tfa/provider/google/authenticate",
            AclResource::Anonymous,
            Operation::GoogleAuthenticate,
        )
    },
    route(
        HttpMethod::Post,
        "/V1/integration/customer/token",
        AclResource::Anonymous,
        Operation::CustomerToken,
    ),
    route(
        HttpMethod::Post,
        "/V1/integration/customer/revoke-customer-token",
        AclResource::OwnAccount,
        Operation::RevokeCustomerToken,
    ),
    route(
        HttpMethod::Post,
        "/V1/customers",
        AclResource::Anonymous,
        Operation::CreateCustomer,
    ),
    route(
        HttpMethod::Get,
        "/V1/customers/me",
        AclResource::OwnAccount,
        Operation::CurrentCustomer,
    ),
    route(
        HttpMethod::Get,
        "/V1/customers/search",
        AclResource::CustomerRead,
        Operation::SearchCustomers,
    ),
    route(
        HttpMethod::Get,
        "/V1/customers/:customerId",
        AclResource::CustomerRead,
        Operation::CustomerById,
    ),
    route(
        HttpMethod::Put,
        "/V1/customers/:customerId",
        AclResource::CustomerManage,
        Operation::SaveCustomer,
    ),
    route(
        HttpMethod::Delete,
        "/V1/customers/:customerId",
        AclResource::CustomerDelete,
        Operation::DeleteCustomer,
    ),
];

/// A matched route with its URL-decoded path variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteMatch {
    pub(crate) operation: Operation,
    pub(crate) resource: AclResource,
    pub(crate) path_params: Vec<(String, String)>,
}

/// `Route::match`: same number of segments, literals equal (case-sensitive), `:name` segments
/// captured and URL-decoded.
fn match_segments(route: &Route, path: &str) -> Option<Vec<(String, String)>> {
    let wanted: Vec<&str> = route.path.trim_matches('/').split('/').collect();
    let actual: Vec<&str> = path.trim_matches('/').split('/').collect();
    if wanted.len() != actual.len() {
        return None;
    }
    let mut params = Vec::new();
    for (pattern, segment) in wanted.iter().zip(&actual) {
        match pattern.strip_prefix(':') {
            Some(name) => params.push((name.to_owned(), url_decode(segment))),
            None if pattern == segment => {}
            None => return None,
        }
    }
    Some(params)
}

/// Exact path-and-method matches win (so `/V1/customers/me` beats `:customerId`), then routes
/// with variables; a known path with another method does not match at all.
pub(crate) fn find(method: HttpMethod, path: &str, two_factor_module: bool) -> Option<RouteMatch> {
    let candidates = || {
        ROUTES
            .iter()
            .filter(move |route| route.method == method)
            .filter(move |route| !route.two_factor_module || two_factor_module)
    };
    let exact = candidates().find(|route| route.path == path);
    exact.into_iter().chain(candidates()).find_map(|route| {
        match_segments(route, path).map(|path_params| RouteMatch {
            operation: route.operation,
            resource: route.resource,
            path_params,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_routes_win_over_variables() {
        let me = find(HttpMethod::Get, "/V1/customers/me", true).unwrap();
        assert_eq!(me.operation, Operation::CurrentCustomer);
        let by_id = find(HttpMethod::Get, "/V1/customers/42", true).unwrap();
        assert_eq!(by_id.operation, Operation::CustomerById);
        assert_eq!(by_id.path_params, vec![("customerId".to_owned(), "42".to_owned())]);
    }

    #[test]
    fn other_methods_and_disabled_modules_do_not_match() {
        assert!(find(HttpMethod::Delete, "/V1/customers", true).is_none());
        assert!(find(HttpMethod::Post, "/V1/tfa/provider/google/authenticate", false).is_none());
        assert!(find(HttpMethod::Get, "/V1/Customers/me", true).is_none());
    }
}
