//! magento-contract: contract tests for a Magento 2 store's REST API, checked against
//! Magento's documented and real (2.4.x) behaviour, with an embedded reference Magento as the
//! default target.
//!
//! The suite is `features/` (Gherkin) run by cucumber; [`run_suite`] is the one function both
//! entry points call: the `conformance` test target and the `magento-contract` binary.

pub mod admin;
pub mod checks;
pub mod client;
pub mod config;
pub mod cucumber_json;
pub mod feature_files;
pub mod preflight;
pub mod reference;
pub mod report;
pub mod secrets;
pub mod selftest;
#[doc(hidden)]
pub mod shared_material;
mod steps;
pub mod suite;
pub mod sweep;
pub mod world;

pub use config::Config;
pub use suite::{Outcome, RunOptions, SuiteArgs, load_dotenv, run_suite, tls_from_env};
