//! Checks: pure functions from an observed response to a typed failure that renders well.
//! Steps call them; none of them sends a request, so each is unit-tested without HTTP.
//!
//! Inside, imports go one way: [`json_path`] and [`render`] are the shared helpers every check
//! may use and that use nothing; [`failure`] names what a check says; the checks build on those
//! and on one another without cycles. This file only declares them and re-exports what steps
//! use most.

pub mod addresses;
pub mod admin_role;
pub mod customer;
pub mod drift;
pub mod envelope;
pub mod failure;
pub mod graphql;
pub mod infrastructure;
pub mod json_path;
pub mod lockout;
pub mod published_schema;
pub mod recaptcha;
pub mod refusals;
pub mod render;
pub mod response;
pub mod schema;
pub mod snapshot;
pub mod store_identity;
pub mod token;
pub mod translation;
pub mod two_factor;
pub mod volatile;

pub use envelope::expect_error_body;
pub use failure::CheckFailure;
pub use render::body_snippet;
pub use response::{expect_json_content_type, expect_status};
pub use schema::{SchemaFailure, SchemaSet};
pub use token::{TokenFailure, TokenKind};
