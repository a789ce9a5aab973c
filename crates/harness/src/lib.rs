//! The magento-contract harness: everything that checks a Magento 2 store's REST API against
//! its documented and real (2.4.x) behaviour, and nothing that serves it.
//!
//! Imports go one way (ARCHITECTURE.md): [`runner`] uses the cucumber glue (`steps`, [`world`]),
//! which uses [`checks`]; everything may use [`client`], [`config`] and [`secrets`]; checks never
//! import steps or the runner. [`run_suite`] is the one function the CLI and the conformance
//! test target call, once they know which store to check.

pub mod admin;
pub mod checks;
pub mod client;
pub mod config;
pub mod cucumber_json;
pub mod feature_files;
pub mod preflight;
pub mod report;
pub mod runner;
pub mod secrets;
#[doc(hidden)]
pub mod shared_material;
mod steps;
pub mod sweep;
pub mod world;

pub use config::{Config, load_dotenv, tls_from_env};
pub use runner::{Outcome, RunOptions, Selection, run_suite};
