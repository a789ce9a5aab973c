//! Magento's REST error envelope and status mapping (CONTRACT.md §2).

use axum::http::StatusCode;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

use super::translation::Translations;

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Placeholder values of a message: named (`%fieldName`, rendered as a JSON object in key
/// order) or positional (`%1`, rendered as a JSON array) — §2.1.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parameters {
    None,
    Named(Vec<(&'static str, Value)>),
    Positional(Vec<Value>),
}

impl Parameters {
    fn is_none(&self) -> bool {
        matches!(self, Parameters::None)
    }
}

impl Serialize for Parameters {
    /// Inside `errors[]` an item without placeholders still carries `"parameters":[]`, as PHP
    /// encodes an empty array.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Parameters::None => serializer.serialize_seq(Some(0))?.end(),
            Parameters::Named(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (name, value) in pairs {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            Parameters::Positional(values) => {
                let mut seq = serializer.serialize_seq(Some(values.len()))?;
                for value in values {
                    seq.serialize_element(value)?;
                }
                seq.end()
            }
        }
    }
}

/// One collected error of an aggregate exception.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ErrorItem {
    message: String,
    parameters: Parameters,
}

/// A Magento exception as the REST renderer sends it: raw message (placeholders left in) for
/// localized exceptions, rendered text for `Webapi\Exception`s, plus the HTTP status that
/// `ErrorProcessor::maskException` assigns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MagentoError {
    #[serde(skip)]
    status: StatusCode,
    /// A `Webapi\Exception` thrown directly rather than masked from another exception: its
    /// developer-mode `trace` is null (`getStackTrace()` was never set).
    #[serde(skip)]
    webapi: bool,
    message: String,
    /// A `Webapi\Exception`'s phrase with arguments (`The %1 HTTP method is not supported.`):
    /// translated, then rendered; `message` holds the English rendering.
    #[serde(skip)]
    phrase: Option<Box<(&'static str, Vec<String>)>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorItem>,
    #[serde(skip_serializing_if = "Parameters::is_none")]
    parameters: Parameters,
    /// Developer mode only (§2.1): `Some(Null)` or `Some(String)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<Box<Value>>,
}

/// `"%fieldName" is required. Enter and try again.` (§2.4).
pub(crate) const REQUIRED_FIELD: &str = "\"%fieldName\" is required. Enter and try again.";
/// What `getTraceAsString()` gives in developer mode, shortened to the service call.
const DEVELOPER_TRACE: &str = "#0 vendor/magento/module-webapi/Controller/Rest/SynchronousRequestProcessor.php(95): Magento\\Webapi\\Controller\\Rest\\SynchronousRequestProcessor->process()\n#1 {main}";
/// Generic sign-in failure shared by the customer and admin token services (§3.2, §5.2).
pub(crate) const SIGN_IN_FAILED: &str =
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

impl MagentoError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        MagentoError {
            status,
            webapi: false,
            message: message.into(),
            phrase: None,
            errors: Vec::new(),
            parameters: Parameters::None,
            trace: None,
        }
    }

    /// A `Webapi\Exception` the framework throws itself (routing, body decoding, input
    /// conversion): rendered text, and a null `trace` in developer mode.
    pub(crate) fn webapi(status: StatusCode, message: impl Into<String>) -> Self {
        MagentoError {
            webapi: true,
            ..Self::new(status, message)
        }
    }

    /// A 400 `Webapi\Exception` (its constructor's default code).
    pub(crate) fn webapi_bad_request(message: impl Into<String>) -> Self {
        Self::webapi(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn with_parameters(mut self, parameters: Parameters) -> Self {
        self.parameters = parameters;
        self
    }

    /// Any localized exception that is not an authentication, authorization or not-found one (§2.2).
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// Authentication and authorization exceptions are 401, never 403 (§2.2).
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// `NoSuchEntityException` is 404 (§2.2).
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// §1.1: no route for the path and method.
    pub(crate) fn route_not_found() -> Self {
        Self::webapi(StatusCode::NOT_FOUND, "Request does not match any route.")
    }

    /// A `Webapi\Exception` whose phrase has arguments: rendered text, translated first.
    pub(crate) fn webapi_phrase(status: StatusCode, template: &'static str, args: Vec<String>) -> Self {
        MagentoError {
            phrase: Some(Box::new((template, args.clone()))),
            ..Self::webapi(status, Translations::default().render(template, &as_strs(&args)))
        }
    }

    /// §1.1: the rendered `RequestMethodValidator` message.
    pub(crate) fn method_not_supported(method: &str) -> Self {
        Self::webapi_phrase(
            StatusCode::METHOD_NOT_ALLOWED,
            "The %1 HTTP method is not supported.",
            vec![method.to_owned()],
        )
    }

    /// C3e: before 2.4.5, `Request::getHttpMethod`'s `InputException` for any method but GET,
    /// POST, PUT and DELETE.
    pub(crate) fn request_method_invalid() -> Self {
        Self::bad_request("Request method is invalid.")
    }

    /// STORES.md C1: `RestValidationPlugin` refused a route whose form has reCAPTCHA on.
    pub(crate) fn recaptcha_failed() -> Self {
        Self::webapi_bad_request("ReCaptcha validation failed, please try again")
    }

    /// The top-level message in the store view's language (STORES.md C2): the phrase of a
    /// `Webapi\Exception`, or the raw text of a masked exception (`__($e->getRawMessage())`),
    /// placeholders kept. `errors[]` and `parameters` are left alone (`_renderMessages` writes
    /// `getRawMessage()`).
    pub(crate) fn localized(mut self, translations: &Translations) -> Self {
        self.message = match self.phrase.take().map(|phrase| *phrase) {
            Some((template, args)) => translations.render(template, &as_strs(&args)),
            None => translations.phrase(&self.message),
        };
        self
    }

    /// §1.1: no request processor claims the path (unknown store code, lowercase `v1`...).
    pub(crate) fn request_not_processable() -> Self {
        Self::webapi_bad_request("Specified request cannot be processed.")
    }

    /// §2.3: the ACL refused the route's resources.
    pub(crate) fn not_authorized(resources: &str) -> Self {
        Self::unauthorized("The consumer isn't authorized to access %resources.")
            .with_parameters(Parameters::Named(vec![("resources", Value::from(resources))]))
    }

    /// §1.3: malformed body.
    pub(crate) fn decoding_error() -> Self {
        Self::webapi_bad_request("Decoding error.")
    }

    /// §5.2, §3.2: every masked authentication failure.
    pub(crate) fn sign_in_failed() -> Self {
        Self::unauthorized(SIGN_IN_FAILED)
    }

    /// §6.2: `NoSuchEntityException::singleField('customerId', $id)`.
    pub(crate) fn no_such_customer(customer_id: i64) -> Self {
        Self::not_found("No such entity with %fieldName = %fieldValue").with_parameters(Parameters::Named(vec![
            ("fieldName", Value::from("customerId")),
            ("fieldValue", Value::from(customer_id)),
        ]))
    }

    /// §2.2: anything unexpected is masked outside developer mode, with a `uniqid("webapi-")`
    /// report id.
    pub(crate) fn internal() -> Self {
        let micros = chrono::Utc::now().timestamp_micros();
        let report = format!("{:08x}{:05x}", micros / 1_000_000, micros % 1_000_000);
        MagentoError {
            webapi: false,
            ..Self::webapi_phrase(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Error. Details are available in Magento log file. Report ID: %1",
                vec![format!("webapi-{report}")],
            )
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// `getMessage()`: the message with its placeholders filled in, as GraphQL resolvers pass
    /// it on (`__($e->getMessage())`, GRAPHQL.md §2.2).
    pub(crate) fn rendered_message(&self) -> String {
        let text = |value: &Value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let mut pairs: Vec<(String, String)> = match &self.parameters {
            Parameters::None => Vec::new(),
            Parameters::Named(named) => named
                .iter()
                .map(|(name, value)| (format!("%{name}"), text(value)))
                .collect(),
            Parameters::Positional(values) => values
                .iter()
                .enumerate()
                .map(|(index, value)| (format!("%{}", index + 1), text(value)))
                .collect(),
        };
        // Longer placeholders first, so `%10` is not read as `%1` followed by `0`.
        pairs.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
        pairs
            .iter()
            .fold(self.message.clone(), |rendered, (placeholder, value)| {
                rendered.replace(placeholder, value)
            })
    }

    /// Developer mode's `trace` (`Response::_renderMessages`): null for a `Webapi\Exception`
    /// thrown directly, else the exception's `getTraceAsString()`.
    ///
    /// derived: the trace is a fixed two-frame one, and a masked internal error keeps its
    /// production message (developer mode would show the PHP error's own).
    pub(crate) fn with_developer_trace(mut self) -> Self {
        self.trace = Some(Box::new(if self.webapi {
            Value::Null
        } else {
            Value::from(DEVELOPER_TRACE)
        }));
        self
    }
}

/// Magento's `InputException` aggregate: the first error becomes the message, a second one
/// moves both into `errors[]` under "One or more input exceptions have occurred."
/// (`AbstractAggregateException::addError`, §2.4).
#[derive(Debug, Default)]
pub(crate) struct InputErrors {
    items: Vec<ErrorItem>,
}

impl InputErrors {
    pub(crate) fn add(&mut self, message: &str, parameters: Parameters) {
        self.items.push(ErrorItem {
            message: message.to_owned(),
            parameters,
        });
    }

    pub(crate) fn add_required(&mut self, field_name: &str) {
        self.add(
            REQUIRED_FIELD,
            Parameters::Named(vec![("fieldName", Value::from(field_name))]),
        );
    }

    pub(crate) fn into_result(self) -> Result<(), MagentoError> {
        let mut items = self.items;
        match items.len() {
            0 => Ok(()),
            1 => {
                let item = items.remove(0);
                Err(MagentoError::bad_request(item.message).with_parameters(item.parameters))
            }
            _ => Err(MagentoError {
                errors: items,
                ..MagentoError::bad_request("One or more input exceptions have occurred.")
            }),
        }
    }
}

/// Shorthand for a single named placeholder.
pub(crate) fn named(name: &'static str, value: impl Into<Value>) -> Parameters {
    Parameters::Named(vec![(name, value.into())])
}

/// Shorthand for positional placeholders (`%1`, `%2`...).
pub(crate) fn positional(values: impl IntoIterator<Item = Value>) -> Parameters {
    Parameters::Positional(values.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::encode;

    fn body(error: &MagentoError) -> String {
        String::from_utf8(encode(error)).unwrap()
    }

    #[test]
    fn single_error_keeps_named_parameters() {
        let mut errors = InputErrors::default();
        errors.add_required("item");
        let error = errors.into_result().unwrap_err();
        assert_eq!(
            body(&error),
            r#"{"message":"\"%fieldName\" is required. Enter and try again.","parameters":{"fieldName":"item"}}"#
        );
    }

    #[test]
    fn two_errors_aggregate() {
        let mut errors = InputErrors::default();
        errors.add_required("username");
        errors.add_required("password");
        let error = errors.into_result().unwrap_err();
        assert_eq!(
            body(&error),
            concat!(
                r#"{"message":"One or more input exceptions have occurred.","errors":["#,
                r#"{"message":"\"%fieldName\" is required. Enter and try again.","parameters":{"fieldName":"username"}},"#,
                r#"{"message":"\"%fieldName\" is required. Enter and try again.","parameters":{"fieldName":"password"}}]}"#
            )
        );
    }

    /// Developer mode (STORES.md U9): `trace` comes last, null for a Webapi exception thrown
    /// directly, a string for a masked one.
    #[test]
    fn developer_mode_adds_the_trace_last() {
        assert_eq!(
            body(&MagentoError::route_not_found().with_developer_trace()),
            r#"{"message":"Request does not match any route.","trace":null}"#
        );
        assert_eq!(
            body(&MagentoError::request_not_processable().with_developer_trace()),
            r#"{"message":"Specified request cannot be processed.","trace":null}"#
        );
        let masked = body(&MagentoError::no_such_customer(-1).with_developer_trace());
        assert!(
            masked.starts_with(
                r##"{"message":"No such entity with %fieldName = %fieldValue","parameters":{"fieldName":"customerId","fieldValue":-1},"trace":"#0 "##
            ),
            "{masked}"
        );
        assert!(!body(&MagentoError::route_not_found()).contains("trace"));
    }

    #[test]
    fn positional_parameters_are_an_array() {
        let error = MagentoError::bad_request("x %1").with_parameters(positional([Value::from("8")]));
        assert_eq!(body(&error), r#"{"message":"x %1","parameters":["8"]}"#);
    }
}
