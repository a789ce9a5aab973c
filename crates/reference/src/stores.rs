//! What an admin token can read about the store's set-up: its store views, websites and
//! configs (Magento_Store), the default customer group and the customer attributes'
//! metadata (Magento_Customer); the routes a client uses to learn how this store differs from a
//! stock one (STORES.md Note 5).

use super::binding::Bound;
use super::error::{MagentoError, Parameters};
use super::service::ServiceCall;
use super::settings::{CustomerAttribute, StoreSettings};
use serde::Serialize;
use serde_json::Value;

/// `store-data-store-interface`.
#[derive(Debug, Serialize)]
struct StoreView<'a> {
    id: i64,
    code: &'a str,
    name: &'a str,
    website_id: i64,
    store_group_id: i64,
    is_active: i64,
}

/// `store-data-website-interface`.
#[derive(Debug, Serialize)]
struct WebsiteView {
    id: i64,
    code: &'static str,
    name: &'static str,
    default_group_id: i64,
}

/// `store-data-store-config-interface`.
#[derive(Debug, Serialize)]
struct StoreConfigView<'a> {
    id: i64,
    code: &'a str,
    website_id: i64,
    locale: &'a str,
    base_currency_code: &'static str,
    default_display_currency_code: &'static str,
    timezone: &'static str,
    weight_unit: &'static str,
}

/// `customer-data-group-interface`.
#[derive(Debug, Serialize)]
pub(crate) struct GroupView {
    pub(crate) id: i64,
    code: String,
    tax_class_id: i64,
    tax_class_name: &'static str,
}

/// `customer-data-option-interface`.
#[derive(Debug, Serialize)]
struct OptionView {
    label: &'static str,
    value: &'static str,
}

/// `customer-data-attribute-metadata-interface`, in getter order.
#[derive(Debug, Serialize)]
struct AttributeMetadataView {
    frontend_input: &'static str,
    input_filter: &'static str,
    store_label: &'static str,
    validation_rules: Vec<()>,
    multiline_count: i64,
    visible: bool,
    required: bool,
    data_model: &'static str,
    options: Vec<OptionView>,
    frontend_class: &'static str,
    user_defined: bool,
    sort_order: i64,
    frontend_label: &'static str,
    note: &'static str,
    system: bool,
    backend_type: &'static str,
    attribute_code: &'static str,
}

/// The admin store (id 0) always comes first, then the store view: `StoreRepository::getList`
/// loads every store, the admin one included.
pub(crate) fn serve_store_views(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let settings = &call.app.settings;
    let views = [
        StoreView {
            id: 0,
            code: "admin",
            name: "Admin",
            website_id: 0,
            store_group_id: 0,
            is_active: 1,
        },
        StoreView {
            id: settings.store_id,
            code: &settings.store_code,
            name: &settings.store_name,
            website_id: settings.website_id,
            store_group_id: 1,
            is_active: 1,
        },
    ];
    Ok(super::json::encode(&views))
}

/// The admin website (id 0) and the store's one. derived: the website keeps the stock code and
/// name (`base`, `Main Website`) whatever its id.
pub(crate) fn serve_websites(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let websites = [
        WebsiteView {
            id: 0,
            code: "admin",
            name: "Admin",
            default_group_id: 0,
        },
        WebsiteView {
            id: call.app.settings.website_id,
            code: "base",
            name: "Main Website",
            default_group_id: 1,
        },
    ];
    Ok(super::json::encode(&websites))
}

/// `StoreConfigManager::getStoreConfigs` without `storeCodes`: every store view but the admin
/// one. derived: the base URLs are left out.
pub(crate) fn serve_store_configs(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let settings = &call.app.settings;
    let configs = [StoreConfigView {
        id: settings.store_id,
        code: &settings.store_code,
        website_id: settings.website_id,
        locale: &settings.locale,
        base_currency_code: "USD",
        default_display_currency_code: "USD",
        timezone: "America/Los_Angeles",
        weight_unit: "lbs",
    }];
    Ok(super::json::encode(&configs))
}

/// The `customer_group` rows: the stock four, then the store's own (`Group <id>`).
fn group(settings: &StoreSettings, id: i64) -> Option<GroupView> {
    let code = match id {
        0 => "NOT LOGGED IN".to_owned(),
        1 => "General".to_owned(),
        2 => "Wholesale".to_owned(),
        3 => "Retailer".to_owned(),
        _ if settings.extra_customer_groups.contains(&id) => format!("Group {id}"),
        _ => return None,
    };
    Some(GroupView {
        id,
        code,
        tax_class_id: 3,
        tax_class_name: "Retail Customer",
    })
}

/// Every customer group, in id order.
pub(crate) fn customer_groups(settings: &StoreSettings) -> Vec<GroupView> {
    let mut ids: Vec<i64> = (0..=3).chain(settings.extra_customer_groups.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().filter_map(|id| group(settings, id)).collect()
}

/// Whether a `customer_group` row has this id (`GroupRepository::getById`).
pub(crate) fn group_exists(settings: &StoreSettings, id: i64) -> bool {
    group(settings, id).is_some()
}

/// `GroupManagement::getDefaultGroup($storeId)`: the admin store (0) and the store view read
/// the configured group; an unknown store is `NoSuchEntityException` on `storeId`
/// (GroupManagementTest::testGetDefaultGroupNonExistentStore).
pub(crate) fn serve_default_group(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let settings = &call.app.settings;
    let [Bound::Int(store_id)] = call.values else {
        return Err(MagentoError::internal());
    };
    if *store_id != 0 && *store_id != settings.store_id {
        return Err(
            MagentoError::not_found("No such entity with %fieldName = %fieldValue").with_parameters(Parameters::Named(
                vec![
                    ("fieldName", Value::from("storeId")),
                    ("fieldValue", Value::from(*store_id)),
                ],
            )),
        );
    }
    let default = group(settings, settings.default_group_id).ok_or_else(MagentoError::internal)?;
    Ok(super::json::encode(&default))
}

fn attribute(
    code: &'static str,
    label: &'static str,
    input: &'static str,
    required: bool,
    sort_order: i64,
) -> AttributeMetadataView {
    AttributeMetadataView {
        frontend_input: input,
        input_filter: "",
        store_label: label,
        validation_rules: Vec::new(),
        multiline_count: if code == "street" { 2 } else { 0 },
        visible: true,
        required,
        data_model: "",
        options: Vec::new(),
        frontend_class: "",
        user_defined: false,
        sort_order,
        frontend_label: label,
        note: "",
        system: !matches!(code, "gender" | "taxvat"),
        backend_type: "static",
        attribute_code: code,
    }
}

fn is_required(settings: &StoreSettings, attribute: CustomerAttribute) -> bool {
    settings.required_customer_attributes.contains(&attribute)
}

/// The customer form's attributes; `gender` and `taxvat` are required only where the store
/// says so (`customer/address/*_show=req`, STORES.md U4).
pub(crate) fn serve_customer_attributes(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let settings = &call.app.settings;
    let mut gender = attribute(
        "gender",
        CustomerAttribute::Gender.label(),
        "select",
        is_required(settings, CustomerAttribute::Gender),
        110,
    );
    gender.options = vec![
        OptionView { label: " ", value: "" },
        OptionView {
            label: "Male",
            value: "1",
        },
        OptionView {
            label: "Female",
            value: "2",
        },
        OptionView {
            label: "Not Specified",
            value: "3",
        },
    ];
    let attributes = vec![
        attribute("prefix", "Name Prefix", "text", false, 30),
        attribute("firstname", "First Name", "text", true, 40),
        attribute("middlename", "Middle Name/Initial", "text", false, 50),
        attribute("lastname", "Last Name", "text", true, 60),
        attribute("suffix", "Name Suffix", "text", false, 70),
        attribute("email", "Email", "text", true, 80),
        attribute("dob", "Date of Birth", "date", false, 90),
        attribute(
            "taxvat",
            CustomerAttribute::Taxvat.label(),
            "text",
            is_required(settings, CustomerAttribute::Taxvat),
            100,
        ),
        gender,
    ];
    Ok(super::json::encode(&attributes))
}

/// The address form's attributes, as a stock install requires them.
pub(crate) fn serve_address_attributes(_call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let attributes = vec![
        attribute("firstname", "First Name", "text", true, 20),
        attribute("lastname", "Last Name", "text", true, 40),
        attribute("company", "Company", "text", false, 60),
        attribute("street", "Street Address", "multiline", true, 70),
        attribute("city", "City", "text", true, 80),
        attribute("country_id", "Country", "select", true, 90),
        attribute("region", "State/Province", "text", false, 100),
        attribute("region_id", "State/Province", "hidden", false, 100),
        attribute("postcode", "Zip/Postal Code", "text", false, 110),
        attribute("telephone", "Phone Number", "text", true, 120),
    ];
    Ok(super::json::encode(&attributes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_stock_groups_exist() {
        assert_eq!(group(&StoreSettings::default(), 1).unwrap().code, "General");
        assert_eq!(group(&StoreSettings::default(), 2).unwrap().code, "Wholesale");
        assert!(group(&StoreSettings::default(), 4).is_none());
    }
}
