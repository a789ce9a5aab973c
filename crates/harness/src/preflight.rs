//! One request before the scenarios, so an unreachable or misconfigured store is reported
//! once, in one line, instead of as a failure of every scenario.

use crate::checks::body_snippet;
use crate::checks::infrastructure::{Infrastructure, classify};
use crate::client::{ApiRequest, MagentoClient, TransportError};

#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the store answered 503 (maintenance mode?) at {url}: run again when it is back")]
    Maintenance { url: String },
    #[error(
        "{url} answered {status} with {content_type:?}, not Magento's JSON: is MAGENTO_BASE_URL the store's base URL? ({snippet})"
    )]
    NotMagento {
        url: String,
        status: u16,
        content_type: String,
        snippet: String,
    },
    #[error(
        "the store does not know the store code {store_code:?} (400 \"Specified request cannot be processed.\"): set MAGENTO_STORE_CODE to a store view code"
    )]
    UnknownStore { store_code: String },
    /// A redirect, a WAF page or the web server's error page (STORES.md U10, R6, Note 4).
    #[error("{url}: {cause}")]
    Infrastructure { url: String, cause: Infrastructure },
    #[error("{url} answered {status} {snippet}, expected 401 for a guest: is this a Magento 2 REST API?")]
    Unexpected { url: String, status: u16, snippet: String },
}

/// Why the store cannot run the `@graphql` scenarios, if it cannot: without the Magento_GraphQl
/// module `/graphql` is an unknown front name, which Magento answers with its 404 page
/// (GRAPHQL.md §1.1). The question is `{ __typename }`, which every GraphQL schema answers and
/// which writes nothing; any other answer, or none, leaves the scenarios to judge the endpoint.
pub async fn graphql_missing(client: &MagentoClient) -> Option<String> {
    let request = ApiRequest::graphql(reqwest::Method::POST, "{ __typename }", None);
    let exchange = client.send(request).await.ok()?;
    (exchange.status == 404).then(|| {
        "the store has no GraphQL endpoint: /graphql answered 404, as a store without the Magento_GraphQl module does".to_owned()
    })
}

/// `GET /V1/customers/me` as a guest: every Magento 2 store answers 401 with its JSON envelope
/// (CONTRACT.md §6.1), and it writes nothing.
pub async fn check_store(client: &MagentoClient, store_code: &str) -> Result<(), PreflightError> {
    let request = ApiRequest::get("/V1/customers/me");
    let url = client.url_for(&request);
    let exchange = client.send(request).await?;
    let content_type = exchange.header("content-type").unwrap_or("").to_owned();
    let json = exchange
        .json()
        .filter(|_| content_type.to_ascii_lowercase().starts_with("application/json"));
    if exchange.status == 503 {
        return Err(PreflightError::Maintenance { url });
    }
    if let Some(cause) = classify(&exchange) {
        return Err(PreflightError::Infrastructure { url, cause });
    }
    let Some(json) = json else {
        return Err(PreflightError::NotMagento {
            url,
            status: exchange.status,
            content_type,
            snippet: body_snippet(&exchange.body).chars().take(120).collect(),
        });
    };
    let message = json.get("message").and_then(|m| m.as_str()).unwrap_or_default();
    match exchange.status {
        401 => Ok(()),
        400 if message == "Specified request cannot be processed." => Err(PreflightError::UnknownStore {
            store_code: store_code.to_owned(),
        }),
        status => Err(PreflightError::Unexpected {
            url,
            status,
            snippet: body_snippet(&exchange.body).chars().take(120).collect(),
        }),
    }
}
