//! The stock Magento directory: allowed countries and the US region list (CONTRACT.md §4.3
//! step 11, §7.3).

use super::error::MagentoError;
use super::service::ServiceCall;
use super::settings::StoreSettings;
use serde::Serialize;

/// One `directory_country_region` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) id: i64,
    pub(crate) country_id: &'static str,
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
}

/// derived: every ISO 3166-1 alpha-2 code (plus Kosovo's `XK`, which Magento lists) is allowed,
/// standing in for the default `general/country/allow`.
const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "XK", "YE", "YT",
    "ZA", "ZM", "ZW",
];

/// `general/country/optional_zip_countries` default (§4.3 step 11).
const OPTIONAL_ZIP_COUNTRIES: &[&str] = &["HK", "IE", "MO", "PA", "GB"];

const fn us(id: i64, code: &'static str, name: &'static str) -> Region {
    Region {
        id,
        country_id: "US",
        code,
        name,
    }
}

const fn de(id: i64, code: &'static str, name: &'static str) -> Region {
    Region {
        id,
        country_id: "DE",
        code,
        name,
    }
}

/// The US rows of `InitializeDirectoryData`, inserted first, so ids 1–65 (§7.3: AL=1, MA=32,
/// NY=43, TX=57), and Germany's.
const REGIONS: &[Region] = &[
    us(1, "AL", "Alabama"),
    us(2, "AK", "Alaska"),
    us(3, "AS", "American Samoa"),
    us(4, "AZ", "Arizona"),
    us(5, "AR", "Arkansas"),
    us(6, "AE", "Armed Forces Africa"),
    us(7, "AA", "Armed Forces Americas"),
    us(8, "AE", "Armed Forces Canada"),
    us(9, "AE", "Armed Forces Europe"),
    us(10, "AE", "Armed Forces Middle East"),
    us(11, "AP", "Armed Forces Pacific"),
    us(12, "CA", "California"),
    us(13, "CO", "Colorado"),
    us(14, "CT", "Connecticut"),
    us(15, "DE", "Delaware"),
    us(16, "DC", "District of Columbia"),
    us(17, "FM", "Federated States Of Micronesia"),
    us(18, "FL", "Florida"),
    us(19, "GA", "Georgia"),
    us(20, "GU", "Guam"),
    us(21, "HI", "Hawaii"),
    us(22, "ID", "Idaho"),
    us(23, "IL", "Illinois"),
    us(24, "IN", "Indiana"),
    us(25, "IA", "Iowa"),
    us(26, "KS", "Kansas"),
    us(27, "KY", "Kentucky"),
    us(28, "LA", "Louisiana"),
    us(29, "ME", "Maine"),
    us(30, "MH", "Marshall Islands"),
    us(31, "MD", "Maryland"),
    us(32, "MA", "Massachusetts"),
    us(33, "MI", "Michigan"),
    us(34, "MN", "Minnesota"),
    us(35, "MS", "Mississippi"),
    us(36, "MO", "Missouri"),
    us(37, "MT", "Montana"),
    us(38, "NE", "Nebraska"),
    us(39, "NV", "Nevada"),
    us(40, "NH", "New Hampshire"),
    us(41, "NJ", "New Jersey"),
    us(42, "NM", "New Mexico"),
    us(43, "NY", "New York"),
    us(44, "NC", "North Carolina"),
    us(45, "ND", "North Dakota"),
    us(46, "MP", "Northern Mariana Islands"),
    us(47, "OH", "Ohio"),
    us(48, "OK", "Oklahoma"),
    us(49, "OR", "Oregon"),
    us(50, "PW", "Palau"),
    us(51, "PA", "Pennsylvania"),
    us(52, "PR", "Puerto Rico"),
    us(53, "RI", "Rhode Island"),
    us(54, "SC", "South Carolina"),
    us(55, "SD", "South Dakota"),
    us(56, "TN", "Tennessee"),
    us(57, "TX", "Texas"),
    us(58, "UT", "Utah"),
    us(59, "VT", "Vermont"),
    us(60, "VI", "Virgin Islands"),
    us(61, "VA", "Virginia"),
    us(62, "WA", "Washington"),
    us(63, "WV", "West Virginia"),
    us(64, "WI", "Wisconsin"),
    us(65, "WY", "Wyoming"),
    // Canada's rows (66-78) are not modelled; Germany's come next, 79-94, in the same data
    // patch (Bayern 81, Berlin 82, Brandenburg 83 as Magento_Directory's region-updater test shows).
    de(79, "NDS", "Niedersachsen"),
    de(80, "BAW", "Baden-Württemberg"),
    de(81, "BAY", "Bayern"),
    de(82, "BER", "Berlin"),
    de(83, "BRG", "Brandenburg"),
    de(84, "BRE", "Bremen"),
    de(85, "HAM", "Hamburg"),
    de(86, "HES", "Hessen"),
    de(87, "MEC", "Mecklenburg-Vorpommern"),
    de(88, "NRW", "Nordrhein-Westfalen"),
    de(89, "RHE", "Rheinland-Pfalz"),
    de(90, "SAR", "Saarland"),
    de(91, "SAS", "Sachsen"),
    de(92, "SAC", "Sachsen-Anhalt"),
    de(93, "SCN", "Schleswig-Holstein"),
    de(94, "THE", "Thüringen"),
];

/// `general/country/allow` as `AccountManagement::isAddressAllowedForWebsite` and the address
/// validator read it (case-sensitive `in_array`): every known country unless the store lists
/// fewer.
pub(crate) fn is_allowed_country(settings: &StoreSettings, country_id: &str) -> bool {
    COUNTRIES.contains(&country_id)
        && settings
            .allowed_countries
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|code| code == country_id))
}

/// `directory-data-region-information-interface`.
#[derive(Debug, Serialize)]
struct RegionView {
    id: String,
    code: &'static str,
    name: &'static str,
}

/// `directory-data-country-information-interface`.
///
/// derived: the reference keeps no country names or three-letter codes, so
/// `three_letter_abbreviation`, `full_name_locale` and `full_name_english` are left out; a
/// client learns the allowed countries from `id`.
#[derive(Debug, Serialize)]
struct CountryView {
    id: &'static str,
    two_letter_abbreviation: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    available_regions: Vec<RegionView>,
}

/// `GET /V1/directory/countries` (anonymous): the allowed countries of the store view, each
/// with its regions (`CountryInformationAcquirer::getCountriesInfo`).
pub(crate) fn serve_countries(call: &ServiceCall<'_>) -> Result<Vec<u8>, MagentoError> {
    let countries: Vec<CountryView> = COUNTRIES
        .iter()
        .filter(|code| is_allowed_country(&call.app.settings, code))
        .map(|&code| CountryView {
            id: code,
            two_letter_abbreviation: code,
            available_regions: REGIONS
                .iter()
                .filter(|region| region.country_id == code)
                .map(|region| RegionView {
                    id: region.id.to_string(),
                    code: region.code,
                    name: region.name,
                })
                .collect(),
        })
        .collect();
    Ok(super::json::encode(&countries))
}

pub(crate) fn is_zip_optional(country_id: &str) -> bool {
    OPTIONAL_ZIP_COUNTRIES.contains(&country_id)
}

/// derived: of the countries whose regions are modelled, only the US is in
/// `general/region/state_required` (Germany's regions are optional).
pub(crate) fn is_region_required(country_id: &str) -> bool {
    country_id == "US"
}

pub(crate) fn has_regions(country_id: &str) -> bool {
    REGIONS.iter().any(|region| region.country_id == country_id)
}

/// `Region::load($id)`.
pub(crate) fn region(id: i64) -> Option<&'static Region> {
    REGIONS.iter().find(|region| region.id == id)
}

/// `Region::loadByCode($code, $countryId)`; the collation makes the code case-insensitive.
pub(crate) fn region_by_code(code: &str, country_id: &str) -> Option<&'static Region> {
    REGIONS
        .iter()
        .find(|region| region.country_id == country_id && region.code.eq_ignore_ascii_case(code))
}
