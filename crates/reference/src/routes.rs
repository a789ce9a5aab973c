//! The covered `webapi.xml` routes, the one table that routing, parameter binding and the
//! Swagger document read, and Magento's route matching (CONTRACT.md §1.1, §8).

use super::auth::AclResource;
use super::binding::{CUSTOMER, ParamKind, SEARCH_CRITERIA, ServiceParam};
use super::query::url_decode;
use super::service::Handler;
use super::{customers, directory, search, stores, tokens};

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

/// The module whose `webapi.xml` declares a route, and so whether an install has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Module {
    /// Modules every install has (Magento_Customer, Magento_Integration).
    Core,
    /// Magento_Integration's admin-token route, which Magento_TwoFactorAuth redeclares for its
    /// own service (§3.1).
    CoreReplacedByTwoFactorAuth,
    /// Magento_TwoFactorAuth (§3.3).
    ///
    /// derived: with 2FA off its routes therefore answer 404 "no route".
    TwoFactorAuth,
}

impl Module {
    pub(crate) fn installed(self, two_factor_auth: bool) -> bool {
        match self {
            Module::Core => true,
            Module::CoreReplacedByTwoFactorAuth => !two_factor_auth,
            Module::TwoFactorAuth => two_factor_auth,
        }
    }
}

/// What a service method returns: the `200` response of the Swagger document, and what the
/// body of a successful answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReturnType {
    /// `customer-data-customer-interface`.
    Customer,
    /// `customer-data-customer-search-results-interface`.
    CustomerSearchResults,
    String,
    Boolean,
    /// The named definition.
    Object(&'static str),
    /// A list of the named definition.
    List(&'static str),
}

/// How the Swagger document lists an operation's parameters (§8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SwaggerParams {
    /// None: `self` routes take `customerId` from the token.
    None,
    /// The path variables, as required integers.
    PathVariables,
    /// One body object with this name, whose properties are the service parameters.
    Body(&'static str),
    /// `searchCriteria` as query fields, for the first filter and sort order.
    SearchCriteriaQuery,
}

/// One `webapi.xml` route: what routing, parameter binding and the Swagger document know of it.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) method: HttpMethod,
    /// The route's path; `:name` segments are variables.
    pub(crate) path: &'static str,
    pub(crate) resource: AclResource,
    pub(crate) module: Module,
    /// The service as the Swagger document names and tags it.
    pub(crate) service: &'static str,
    /// Calls the service method with the bound parameters.
    pub(crate) handler: Handler,
    /// The method's parameters, in signature order (§2.4).
    pub(crate) params: &'static [ServiceParam],
    pub(crate) returns: ReturnType,
    pub(crate) swagger_params: SwaggerParams,
}

impl Route {
    /// Whether this is the route `method path`, the pair by which `webapi.xml` names a route.
    pub(crate) fn is(&self, method: HttpMethod, path: &str) -> bool {
        // A misspelt route would silently never match.
        debug_assert!(
            ROUTES.iter().any(|route| route.method == method && route.path == path),
            "no route {} {path}",
            method.name()
        );
        self.method == method && self.path == path
    }
}

const fn param(name: &'static str, kind: ParamKind, required: bool) -> ServiceParam {
    ServiceParam { name, kind, required }
}

const CREDENTIALS: &[ServiceParam] = &[
    param("username", ParamKind::Str, true),
    param("password", ParamKind::Str, true),
];
const GOOGLE_CREDENTIALS: &[ServiceParam] = &[
    param("username", ParamKind::Str, true),
    param("password", ParamKind::Str, true),
    param("otp", ParamKind::Str, true),
];
const CREATE_ACCOUNT: &[ServiceParam] = &[
    param("customer", ParamKind::Object(&CUSTOMER), true),
    param("password", ParamKind::Str, false),
    param("redirectUrl", ParamKind::Str, false),
];
const SAVE_CUSTOMER: &[ServiceParam] = &[
    param("customer", ParamKind::Object(&CUSTOMER), true),
    param("passwordHash", ParamKind::Str, false),
];
const CUSTOMER_ID: &[ServiceParam] = &[param("customerId", ParamKind::Int, true)];
const STORE_ID: &[ServiceParam] = &[param("storeId", ParamKind::Int, true)];
const SEARCH: &[ServiceParam] = &[param("searchCriteria", ParamKind::Object(&SEARCH_CRITERIA), true)];

const ACCOUNT_MANAGEMENT: &str = "customerAccountManagementV1";
const CUSTOMER_REPOSITORY: &str = "customerCustomerRepositoryV1";
const CUSTOMER_TOKEN_SERVICE: &str = "integrationCustomerTokenServiceV1";
/// The body name both token services' operations share.
const TOKEN_BODY: SwaggerParams = SwaggerParams::Body("PostV1IntegrationTokenBody");

/// The covered routes. The order is the Swagger document's (its tags appear in first-use
/// order); routing does not depend on it, as literal paths are tried first (`find`).
pub(crate) const ROUTES: &[Route] = &[
    Route {
        method: HttpMethod::Post,
        path: "/V1/customers",
        resource: AclResource::Anonymous,
        module: Module::Core,
        service: ACCOUNT_MANAGEMENT,
        handler: customers::serve_create_account,
        params: CREATE_ACCOUNT,
        returns: ReturnType::Customer,
        swagger_params: SwaggerParams::Body("PostV1CustomersBody"),
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/customers/me",
        resource: AclResource::OwnAccount,
        module: Module::Core,
        service: CUSTOMER_REPOSITORY,
        handler: customers::serve_get_customer,
        params: CUSTOMER_ID,
        returns: ReturnType::Customer,
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/customers/search",
        resource: AclResource::CustomerRead,
        module: Module::Core,
        service: CUSTOMER_REPOSITORY,
        handler: search::serve_search_customers,
        params: SEARCH,
        returns: ReturnType::CustomerSearchResults,
        swagger_params: SwaggerParams::SearchCriteriaQuery,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/customers/:customerId",
        resource: AclResource::CustomerRead,
        module: Module::Core,
        service: CUSTOMER_REPOSITORY,
        handler: customers::serve_get_customer,
        params: CUSTOMER_ID,
        returns: ReturnType::Customer,
        swagger_params: SwaggerParams::PathVariables,
    },
    // The generated document lists only the path variable (the published one also describes
    // the body, `PutV1CustomersCustomerIdBody`).
    Route {
        method: HttpMethod::Put,
        path: "/V1/customers/:customerId",
        resource: AclResource::CustomerManage,
        module: Module::Core,
        service: CUSTOMER_REPOSITORY,
        handler: customers::serve_save_customer,
        params: SAVE_CUSTOMER,
        returns: ReturnType::Customer,
        swagger_params: SwaggerParams::PathVariables,
    },
    Route {
        method: HttpMethod::Delete,
        path: "/V1/customers/:customerId",
        resource: AclResource::CustomerDelete,
        module: Module::Core,
        service: CUSTOMER_REPOSITORY,
        handler: customers::serve_delete_customer,
        params: CUSTOMER_ID,
        returns: ReturnType::Boolean,
        swagger_params: SwaggerParams::PathVariables,
    },
    Route {
        method: HttpMethod::Post,
        path: "/V1/integration/customer/token",
        resource: AclResource::Anonymous,
        module: Module::Core,
        service: CUSTOMER_TOKEN_SERVICE,
        handler: tokens::serve_customer_token,
        params: CREDENTIALS,
        returns: ReturnType::String,
        swagger_params: TOKEN_BODY,
    },
    Route {
        method: HttpMethod::Post,
        path: "/V1/integration/customer/revoke-customer-token",
        resource: AclResource::OwnAccount,
        module: Module::Core,
        service: CUSTOMER_TOKEN_SERVICE,
        handler: tokens::serve_revoke_customer_token,
        params: CUSTOMER_ID,
        returns: ReturnType::Boolean,
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Post,
        path: "/V1/integration/admin/token",
        resource: AclResource::Anonymous,
        module: Module::CoreReplacedByTwoFactorAuth,
        service: "integrationAdminTokenServiceV1",
        handler: tokens::serve_admin_token,
        params: CREDENTIALS,
        returns: ReturnType::String,
        swagger_params: TOKEN_BODY,
    },
    Route {
        method: HttpMethod::Post,
        path: "/V1/integration/admin/token",
        resource: AclResource::Anonymous,
        module: Module::TwoFactorAuth,
        service: "twoFactorAuthAdminTokenServiceV1",
        handler: tokens::serve_two_factor_admin_token,
        params: CREDENTIALS,
        returns: ReturnType::String,
        swagger_params: TOKEN_BODY,
    },
    Route {
        method: HttpMethod::Post,
        path: "/V1/tfa/provider/google/authenticate",
        resource: AclResource::Anonymous,
        module: Module::TwoFactorAuth,
        service: "twoFactorAuthGoogleAuthenticateV1",
        handler: tokens::serve_google_authenticate,
        params: GOOGLE_CREDENTIALS,
        returns: ReturnType::String,
        swagger_params: SwaggerParams::Body("PostV1TfaProviderGoogleAuthenticateBody"),
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/store/storeViews",
        resource: AclResource::StoreRead,
        module: Module::Core,
        service: "storeStoreRepositoryV1",
        handler: stores::serve_store_views,
        params: &[],
        returns: ReturnType::List("store-data-store-interface"),
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/store/websites",
        resource: AclResource::StoreRead,
        module: Module::Core,
        service: "storeWebsiteRepositoryV1",
        handler: stores::serve_websites,
        params: &[],
        returns: ReturnType::List("store-data-website-interface"),
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/store/storeConfigs",
        resource: AclResource::StoreRead,
        module: Module::Core,
        service: "storeStoreConfigManagerV1",
        handler: stores::serve_store_configs,
        params: &[],
        returns: ReturnType::List("store-data-store-config-interface"),
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/customerGroups/default/:storeId",
        resource: AclResource::CustomerGroup,
        module: Module::Core,
        service: "customerGroupManagementV1",
        handler: stores::serve_default_group,
        params: STORE_ID,
        returns: ReturnType::Object("customer-data-group-interface"),
        swagger_params: SwaggerParams::PathVariables,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/customerGroups/search",
        resource: AclResource::CustomerGroup,
        module: Module::Core,
        service: "customerGroupRepositoryV1",
        handler: search::serve_search_groups,
        params: SEARCH,
        returns: ReturnType::Object("customer-data-group-search-results-interface"),
        swagger_params: SwaggerParams::SearchCriteriaQuery,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/attributeMetadata/customer",
        resource: AclResource::CustomerRead,
        module: Module::Core,
        service: "customerCustomerMetadataV1",
        handler: stores::serve_customer_attributes,
        params: &[],
        returns: ReturnType::List("customer-data-attribute-metadata-interface"),
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/attributeMetadata/customerAddress",
        resource: AclResource::CustomerRead,
        module: Module::Core,
        service: "customerAddressMetadataV1",
        handler: stores::serve_address_attributes,
        params: &[],
        returns: ReturnType::List("customer-data-attribute-metadata-interface"),
        swagger_params: SwaggerParams::None,
    },
    Route {
        method: HttpMethod::Get,
        path: "/V1/directory/countries",
        resource: AclResource::Anonymous,
        module: Module::Core,
        service: "directoryCountryInformationAcquirerV1",
        handler: directory::serve_countries,
        params: &[],
        returns: ReturnType::List("directory-data-country-information-interface"),
        swagger_params: SwaggerParams::None,
    },
];

/// A matched route with its URL-decoded path variables.
#[derive(Debug)]
pub(crate) struct RouteMatch {
    pub(crate) route: &'static Route,
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
pub(crate) fn find(method: HttpMethod, path: &str, two_factor_auth: bool) -> Option<RouteMatch> {
    let candidates = || {
        ROUTES
            .iter()
            .filter(move |route| route.method == method)
            .filter(move |route| route.module.installed(two_factor_auth))
    };
    let exact = candidates().find(|route| route.path == path);
    exact
        .into_iter()
        .chain(candidates())
        .find_map(|route| match_segments(route, path).map(|path_params| RouteMatch { route, path_params }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_routes_win_over_variables() {
        let me = find(HttpMethod::Get, "/V1/customers/me", true).unwrap();
        assert!(me.route.is(HttpMethod::Get, "/V1/customers/me"));
        let by_id = find(HttpMethod::Get, "/V1/customers/42", true).unwrap();
        assert!(by_id.route.is(HttpMethod::Get, "/V1/customers/:customerId"));
        assert_eq!(by_id.path_params, vec![("customerId".to_owned(), "42".to_owned())]);
    }

    #[test]
    fn other_methods_and_disabled_modules_do_not_match() {
        assert!(find(HttpMethod::Delete, "/V1/customers", true).is_none());
        assert!(find(HttpMethod::Post, "/V1/tfa/provider/google/authenticate", false).is_none());
        assert!(find(HttpMethod::Get, "/V1/Customers/me", true).is_none());
    }

    /// Magento_TwoFactorAuth replaces the admin-token route's service rather than adding a route.
    #[test]
    fn one_admin_token_route_in_either_install() {
        for two_factor_auth in [false, true] {
            let admin_token = |route: &&Route| route.path == "/V1/integration/admin/token";
            let installed: Vec<_> = ROUTES
                .iter()
                .filter(admin_token)
                .filter(|route| route.module.installed(two_factor_auth))
                .collect();
            assert_eq!(installed.len(), 1);
            let service = find(HttpMethod::Post, "/V1/integration/admin/token", two_factor_auth)
                .unwrap()
                .route
                .service;
            let expected = if two_factor_auth {
                "twoFactorAuthAdminTokenServiceV1"
            } else {
                "integrationAdminTokenServiceV1"
            };
            assert_eq!(service, expected);
        }
    }
}
