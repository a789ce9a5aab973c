//! `GET /rest/<store>/schema` (CONTRACT.md §8): the Swagger 2.0 document Magento generates
//! from its service interfaces, filtered by the caller's ACL. The operations come from the
//! route table (`routes::ROUTES`).
//!
//! The definitions are written from the interfaces as CONTRACT.md §7 lists them (getter names,
//! return types, non-nullable getters required), not copied from a published file; a test can
//! serve a published file instead through `StoreSettings::published_schema`.

use serde_json::{Map, Value, json};

use super::auth::{AclResource, UserContext};
use super::binding::{ParamKind, ServiceParam};
use super::error::MagentoError;
use super::routes::{HttpMethod, ROUTES, ReturnType, Route, SwaggerParams};

/// A body object holding the service parameters as properties.
fn body_parameter(name: &str, params: &[ServiceParam]) -> Value {
    let mut properties = Map::new();
    for param in params {
        let schema = match param.kind {
            ParamKind::Int => integer(),
            ParamKind::Str => string(),
            ParamKind::Object(interface) => reference(interface.definition),
        };
        properties.insert(param.name.to_owned(), schema);
    }
    let required: Vec<&str> = params.iter().filter(|p| p.required).map(|p| p.name).collect();
    json!([{"name": name, "in": "body", "schema": {"required": required, "properties": properties, "type": "object"}}])
}

/// The route's `:name` variables as path parameters.
fn path_parameters(path: &str) -> Value {
    let names = path.split('/').filter_map(|segment| segment.strip_prefix(':'));
    Value::from_iter(names.map(|name| json!({"name": name, "in": "path", "type": "integer", "required": true})))
}

fn search_parameters() -> Value {
    let field =
        |name: &str, kind: &str| json!({"name": format!("searchCriteria[{name}]"), "in": "query", "type": kind});
    json!([
        field("filterGroups][0][filters][0][field", "string"),
        field("filterGroups][0][filters][0][value", "string"),
        field("filterGroups][0][filters][0][conditionType", "string"),
        field("sortOrders][0][field", "string"),
        field("sortOrders][0][direction", "string"),
        field("pageSize", "integer"),
        field("currentPage", "integer")
    ])
}

fn parameters(route: &Route) -> Value {
    match route.swagger_params {
        SwaggerParams::None => json!([]),
        SwaggerParams::PathVariables => path_parameters(route.path),
        SwaggerParams::Body(name) => body_parameter(name, route.params),
        SwaggerParams::SearchCriteriaQuery => search_parameters(),
    }
}

fn success_response(returns: ReturnType) -> Value {
    let schema = match returns {
        ReturnType::Customer => reference("customer-data-customer-interface"),
        ReturnType::CustomerSearchResults => reference("customer-data-customer-search-results-interface"),
        ReturnType::String => string(),
        ReturnType::Boolean => json!({"type": "boolean"}),
        ReturnType::Object(definition) => reference(definition),
        ReturnType::List(definition) => array_of(reference(definition)),
    };
    json!({"description": "200 Success.", "schema": schema})
}

/// The Swagger form of a route path: `{name}` for `:name`.
fn swagger_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The routes of this install (§3.1: two-factor auth replaces the admin token service).
fn installed_routes(two_factor_auth: bool) -> impl Iterator<Item = &'static Route> {
    ROUTES
        .iter()
        .filter(move |route| route.module.installed(two_factor_auth))
}

/// `Request::getRequestedServices`: `all`, or a comma list of `<name>V<n>`; absent means all.
fn requested_services(services: Option<&str>) -> Result<Option<Vec<String>>, MagentoError> {
    let Some(services) = services.filter(|s| *s != "all") else {
        return Ok(None);
    };
    let valid = !services.is_empty()
        && services.split(',').all(|name| {
            let Some(pos) = name.rfind('V') else { return false };
            let (prefix, version) = name.split_at(pos);
            prefix.chars().all(|c| c.is_ascii_alphanumeric())
                && version.len() > 1
                && version[1..].chars().all(|c| c.is_ascii_digit())
        });
    if !valid {
        return Err(MagentoError::webapi_bad_request(
            "Incorrect format of request URI or Requested services are missing.",
        ));
    }
    Ok(Some(services.split(',').map(str::to_owned).collect()))
}

/// What the request asks for and who asks.
pub(crate) struct SchemaRequest<'a> {
    pub(crate) services: Option<&'a str>,
    pub(crate) user: UserContext,
    pub(crate) host: &'a str,
    pub(crate) base_path: &'a str,
    pub(crate) two_factor_auth: bool,
    pub(crate) newsletter_module: bool,
    /// Whether a module adds `loyalty` to the customer (STORES.md C7).
    pub(crate) loyalty_module: bool,
    /// Whether `self` routes would be allowed for this caller in this store (§1.5).
    pub(crate) own_account_allowed: bool,
}

fn allowed(resource: AclResource, request: &SchemaRequest<'_>) -> bool {
    match (resource, request.user) {
        (AclResource::Anonymous, _) => true,
        (AclResource::OwnAccount, _) => request.own_account_allowed,
        (_, UserContext::Admin(_) | UserContext::Integration(_)) => true,
        _ => false,
    }
}

fn operation_id(method: HttpMethod, path: &str) -> String {
    let mut id = String::new();
    let name = method.name();
    id.push_str(&name[..1]);
    id.push_str(&name[1..].to_ascii_lowercase());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        for part in segment.trim_matches(|c| c == '{' || c == '}').split('-') {
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                id.push(first.to_ascii_uppercase());
                id.push_str(chars.as_str());
            }
        }
    }
    id
}

/// The document for this request (§8): paths of the requested services the caller may call,
/// and the definitions they use.
pub(crate) fn document(request: &SchemaRequest<'_>) -> Result<Value, MagentoError> {
    let requested = requested_services(request.services)?;
    let unknown_service = requested
        .iter()
        .flatten()
        .any(|name| !installed_routes(request.two_factor_auth).any(|route| route.service == name.as_str()));
    if unknown_service {
        // `ServiceMetadata::getRouteMetadata` throws a plain exception: a masked 500 (§8).
        return Err(MagentoError::internal());
    }
    let mut paths = Map::new();
    let mut tags = Vec::new();
    for route in installed_routes(request.two_factor_auth).filter(|route| {
        requested
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == route.service))
            && allowed(route.resource, request)
    }) {
        if !tags.contains(&route.service) {
            tags.push(route.service);
        }
        let mut responses = json!({
            "200": success_response(route.returns),
            "default": {"description": "Unexpected error", "schema": {"$ref": "#/definitions/error-response"}}
        });
        if route.resource != AclResource::Anonymous {
            responses["401"] =
                json!({"description": "401 Unauthorized", "schema": {"$ref": "#/definitions/error-response"}});
        }
        let path = swagger_path(route.path);
        let operation_id = operation_id(route.method, &path);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[route.method.name().to_ascii_lowercase()] = json!({
            "tags": [route.service],
            "description": "",
            "operationId": operation_id,
            "parameters": parameters(route),
            "responses": responses
        });
    }
    Ok(json!({
        "swagger": "2.0",
        "info": {"version": "2.4", "title": "Magento Community"},
        "host": request.host,
        "basePath": request.base_path,
        "schemes": ["http"],
        "tags": tags.iter().map(|t| json!({"name": t, "description": ""})).collect::<Vec<_>>(),
        "paths": paths,
        "definitions": definitions(request.newsletter_module, request.loyalty_module),
        "securityDefinitions": {"api_key": {"type": "apiKey", "name": "api_key", "in": "header"}},
        "consumes": ["application/json", "application/xml"],
        "produces": ["application/json", "application/xml"]
    }))
}

fn string() -> Value {
    json!({"type": "string"})
}

fn integer() -> Value {
    json!({"type": "integer"})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/definitions/{name}")})
}

fn array_of(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// The definitions, from the getters of the data interfaces (§7.2, §7.3); `required` lists the
/// non-nullable getters, as `Swagger\Generator::getDefinitions` does.
fn definitions(newsletter_module: bool, loyalty_module: bool) -> Value {
    let mut customer_extension = Map::new();
    if newsletter_module {
        customer_extension.insert("is_subscribed".into(), json!({"type": "boolean"}));
    }
    customer_extension.insert("assistance_allowed".into(), integer());
    if loyalty_module {
        customer_extension.insert("loyalty".into(), reference("loyalty-data-customer-loyalty-interface"));
    }
    let mut all = json!({
        "customer-data-customer-interface": {
            "type": "object",
            "description": "Customer interface.",
            "properties": {
                "id": integer(), "group_id": integer(), "default_billing": string(), "default_shipping": string(),
                "confirmation": string(), "created_at": string(), "updated_at": string(), "created_in": string(),
                "dob": string(), "email": string(), "firstname": string(), "lastname": string(), "middlename": string(),
                "prefix": string(), "suffix": string(), "gender": integer(), "store_id": integer(), "taxvat": string(),
                "website_id": integer(),
                "addresses": array_of(reference("customer-data-address-interface")),
                "disable_auto_group_change": integer(),
                "extension_attributes": reference("customer-data-customer-extension-interface"),
                "custom_attributes": array_of(reference("framework-attribute-interface"))
            },
            "required": ["email", "firstname", "lastname"]
        },
        "customer-data-customer-extension-interface": {
            "type": "object",
            "description": "ExtensionInterface class for @see \\Magento\\Customer\\Api\\Data\\CustomerInterface",
            "properties": customer_extension
        },
        "customer-data-address-interface": {
            "type": "object",
            "description": "Customer address interface.",
            "properties": {
                "id": integer(), "customer_id": integer(),
                "region": reference("customer-data-region-interface"),
                "region_id": integer(), "country_id": string(), "street": array_of(string()),
                "company": string(), "telephone": string(), "fax": string(), "postcode": string(), "city": string(),
                "firstname": string(), "lastname": string(), "middlename": string(), "prefix": string(),
                "suffix": string(), "vat_id": string(),
                "default_shipping": {"type": "boolean"}, "default_billing": {"type": "boolean"},
                "extension_attributes": reference("customer-data-address-extension-interface"),
                "custom_attributes": array_of(reference("framework-attribute-interface"))
            }
        },
        "customer-data-address-extension-interface": {"type": "object", "description": "ExtensionInterface class for @see \\Magento\\Customer\\Api\\Data\\AddressInterface"},
        "customer-data-region-interface": {
            "type": "object",
            "description": "Customer address region interface.",
            "properties": {
                "region_code": string(), "region": string(), "region_id": integer(),
                "extension_attributes": reference("customer-data-region-extension-interface")
            },
            "required": ["region_code", "region", "region_id"]
        },
        "customer-data-region-extension-interface": {"type": "object", "description": "ExtensionInterface class for @see \\Magento\\Customer\\Api\\Data\\RegionInterface"},
        "framework-attribute-interface": {
            "type": "object",
            "description": "Interface for custom attribute value.",
            "properties": {"attribute_code": string(), "value": string()},
            "required": ["attribute_code", "value"]
        },
        "customer-data-customer-search-results-interface": {
            "type": "object",
            "description": "Interface for customer search results.",
            "properties": {
                "items": array_of(reference("customer-data-customer-interface")),
                "search_criteria": reference("framework-search-criteria-interface"),
                "total_count": integer()
            },
            "required": ["items", "search_criteria", "total_count"]
        },
        "framework-search-criteria-interface": {
            "type": "object",
            "description": "Search criteria interface.",
            "properties": {
                "filter_groups": array_of(reference("framework-search-filter-group")),
                "sort_orders": array_of(reference("framework-sort-order")),
                "page_size": integer(), "current_page": integer()
            },
            "required": ["filter_groups"]
        },
        "framework-search-filter-group": {
            "type": "object",
            "description": "Groups two or more filters together using a logical OR",
            "properties": {"filters": array_of(reference("framework-filter"))}
        },
        "framework-filter": {
            "type": "object",
            "description": "Filter which can be used by any methods from service layer.",
            "properties": {"field": string(), "value": string(), "condition_type": string()},
            "required": ["field", "value"]
        },
        "framework-sort-order": {
            "type": "object",
            "description": "Data object for sort order.",
            "properties": {"field": string(), "direction": string()},
            "required": ["field", "direction"]
        },
        "error-response": {
            "type": "object",
            "properties": {
                "message": {"type": "string", "description": "Error message"},
                "errors": reference("error-errors"),
                "code": {"type": "integer", "description": "Error code"},
                "parameters": reference("error-parameters"),
                "trace": {"type": "string", "description": "Stack trace"}
            },
            "required": ["message"]
        },
        "error-errors": {"type": "array", "description": "Errors list", "items": reference("error-errors-item")},
        "error-errors-item": {
            "type": "object",
            "description": "Error details",
            "properties": {"message": {"type": "string", "description": "Error message"}, "parameters": reference("error-parameters")}
        },
        "error-parameters": {"type": "array", "description": "Error parameters list", "items": reference("error-parameters-item")},
        "error-parameters-item": {
            "type": "object",
            "description": "Error parameters item",
            "properties": {
                "resources": {"type": "string", "description": "ACL resource"},
                "fieldName": {"type": "string", "description": "Missing or invalid field name"},
                "fieldValue": {"type": "string", "description": "Incorrect field value"}
            }
        },
        "store-data-store-interface": {
            "type": "object",
            "description": "Store interface",
            "properties": {
                "id": integer(), "code": string(), "name": string(), "website_id": integer(),
                "store_group_id": integer(), "is_active": integer()
            },
            "required": ["id", "code", "name", "website_id", "store_group_id", "is_active"]
        },
        "store-data-website-interface": {
            "type": "object",
            "description": "Website interface",
            "properties": {"id": integer(), "code": string(), "name": string(), "default_group_id": integer()},
            "required": ["id", "code", "name", "default_group_id"]
        },
        "store-data-store-config-interface": {
            "type": "object",
            "description": "Interface for store config",
            "properties": {
                "id": integer(), "code": string(), "website_id": integer(), "locale": string(),
                "base_currency_code": string(), "default_display_currency_code": string(),
                "timezone": string(), "weight_unit": string()
            },
            "required": ["id", "code", "website_id", "locale", "base_currency_code", "default_display_currency_code", "timezone", "weight_unit"]
        },
        "customer-data-group-interface": {
            "type": "object",
            "description": "Customer group interface.",
            "properties": {"id": integer(), "code": string(), "tax_class_id": integer(), "tax_class_name": string()},
            "required": ["code", "tax_class_id"]
        },
        "customer-data-attribute-metadata-interface": {
            "type": "object",
            "description": "Customer attribute metadata interface.",
            "properties": {
                "frontend_input": string(), "input_filter": string(), "store_label": string(),
                "multiline_count": integer(), "visible": {"type": "boolean"}, "required": {"type": "boolean"},
                "data_model": string(), "options": array_of(reference("customer-data-option-interface")),
                "frontend_class": string(), "user_defined": {"type": "boolean"}, "sort_order": integer(),
                "frontend_label": string(), "note": string(), "system": {"type": "boolean"},
                "backend_type": string(), "attribute_code": string()
            },
            "required": ["frontend_input", "input_filter", "store_label", "validation_rules", "multiline_count", "visible", "required", "data_model", "options", "frontend_class", "user_defined", "sort_order", "frontend_label", "note", "system", "backend_type"]
        },
        "customer-data-option-interface": {
            "type": "object",
            "description": "Option interface.",
            "properties": {"label": string(), "value": string()},
            "required": ["label"]
        },
        "directory-data-country-information-interface": {
            "type": "object",
            "description": "Country Information interface.",
            "properties": {
                "id": string(), "two_letter_abbreviation": string(), "three_letter_abbreviation": string(),
                "full_name_locale": string(), "full_name_english": string(),
                "available_regions": array_of(reference("directory-data-region-information-interface"))
            },
            "required": ["id", "two_letter_abbreviation", "three_letter_abbreviation", "full_name_locale", "full_name_english"]
        },
        "directory-data-region-information-interface": {
            "type": "object",
            "description": "Region Information interface.",
            "properties": {"id": string(), "code": string(), "name": string()},
            "required": ["id", "code", "name"]
        }
    });
    all["customer-data-group-search-results-interface"] = json!({
        "type": "object",
        "description": "Interface for customer groups search results.",
        "properties": {
            "items": array_of(reference("customer-data-group-interface")),
            "search_criteria": reference("framework-search-criteria-interface"),
            "total_count": integer()
        },
        "required": ["items", "search_criteria", "total_count"]
    });
    if loyalty_module {
        all["loyalty-data-customer-loyalty-interface"] = json!({
            "type": "object",
            "description": "A customer's loyalty tier and points.",
            "properties": {"tier": string(), "points": integer()}
        });
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(user: UserContext, services: Option<&'static str>) -> SchemaRequest<'static> {
        SchemaRequest {
            services,
            user,
            host: "127.0.0.1:8080",
            base_path: "/rest/default",
            two_factor_auth: true,
            newsletter_module: true,
            loyalty_module: false,
            own_account_allowed: false,
        }
    }

    #[test]
    fn operation_ids_follow_magentos_generator() {
        assert_eq!(operation_id(HttpMethod::Post, "/V1/customers"), "PostV1Customers");
        assert_eq!(
            operation_id(HttpMethod::Get, "/V1/customers/{customerId}"),
            "GetV1CustomersCustomerId"
        );
        assert_eq!(
            operation_id(HttpMethod::Post, "/V1/integration/customer/revoke-customer-token"),
            "PostV1IntegrationCustomerRevokeCustomerToken"
        );
    }

    #[test]
    fn route_paths_become_swagger_paths() {
        assert_eq!(swagger_path("/V1/customers/:customerId"), "/V1/customers/{customerId}");
        assert_eq!(
            path_parameters("/V1/customers/:customerId"),
            json!([{"name": "customerId", "in": "path", "type": "integer", "required": true}])
        );
    }

    #[test]
    fn a_guest_sees_only_anonymous_operations() {
        let doc = document(&request(UserContext::Guest, None)).unwrap();
        assert!(doc["paths"]["/V1/customers"]["post"].is_object());
        assert!(doc["paths"].get("/V1/customers/{customerId}").is_none());
        let admin = document(&request(UserContext::Admin(1), None)).unwrap();
        assert!(admin["paths"]["/V1/customers/{customerId}"]["delete"]["responses"]["401"].is_object());
    }

    #[test]
    fn services_are_filtered_and_validated() {
        let doc = document(&request(
            UserContext::Admin(1),
            Some("integrationCustomerTokenServiceV1"),
        ))
        .unwrap();
        assert_eq!(
            doc["tags"],
            json!([{"name": "integrationCustomerTokenServiceV1", "description": ""}])
        );
        let bad = document(&request(UserContext::Admin(1), Some("customers"))).unwrap_err();
        assert_eq!(bad.status(), axum::http::StatusCode::BAD_REQUEST);
        let unknown = document(&request(UserContext::Admin(1), Some("nosuchServiceV1"))).unwrap_err();
        assert_eq!(unknown.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let removed = document(&request(UserContext::Admin(1), Some("integrationAdminTokenServiceV1"))).unwrap_err();
        assert_eq!(
            removed.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "2FA replaces the service"
        );
    }

    #[test]
    fn without_the_newsletter_module_there_is_no_is_subscribed() {
        let mut r = request(UserContext::Admin(1), None);
        r.newsletter_module = false;
        let doc = document(&r).unwrap();
        assert!(
            doc["definitions"]["customer-data-customer-extension-interface"]["properties"]
                .get("is_subscribed")
                .is_none()
        );
    }
}
