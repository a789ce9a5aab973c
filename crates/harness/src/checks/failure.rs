//! What a failed check says.

use super::infrastructure::Infrastructure;
use super::schema::SchemaFailure;
use super::token::TokenFailure;

/// A contract check that did not hold. `Display` is what the user reads under the failed step.
#[derive(Debug, thiserror::Error)]
pub enum CheckFailure {
    #[error("expected HTTP status {expected}, received {received}\n  response body: {body}")]
    Status { expected: u16, received: u16, body: String },
    #[error("expected a JSON response (application/json), received Content-Type {content_type:?}: {snippet}")]
    NotJson { content_type: String, snippet: String },
    #[error("{0}")]
    Schema(#[from] SchemaFailure),
    #[error("{0}")]
    Token(#[from] TokenFailure),
    #[error("{path}: expected {expected}, received {received}")]
    Value {
        path: String,
        expected: String,
        received: String,
    },
    #[error("{0}")]
    Body(String),
    /// Not Magento's answer: a redirect, a WAF, the web server's error page (STORES.md U10).
    #[error("{0}")]
    Infrastructure(Infrastructure),
    #[error("snapshot {name:?} does not match (review with `cargo insta review`):\n{detail}")]
    Snapshot { name: String, detail: String },
}
