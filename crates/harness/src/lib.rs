//! The magento-contract harness: everything that checks a Magento 2 store's REST API against
//! its documented and real (2.4.x) behaviour, and nothing that serves it.
//!
//! Imports go one way (ARCHITECTURE.md); no two modules import each other:
//!
//! - [`runner`] (with [`report`], [`report_html`], [`preflight`], [`recaptcha`],
//!   [`feature_files`], [`cucumber_json`]) runs
//!   the cucumber glue: the steps (private) and [`world`], the per-scenario state, the run-wide
//!   [`world::RunContext`], and the one place a scenario sends a request
//!   ([`world::MagentoWorld::send`]).
//! - The glue uses [`checks`]: pure functions from a response to a typed failure. Inside,
//!   they build on the shared helpers `checks::json_path` and `checks::render`; checks never
//!   import the steps, the world or the runner.
//! - Everything may use the services below: [`client`], [`config`], [`secrets`], [`admin`]
//!   (signing in as admin), [`store_profile`] (what the run detects of the store before the
//!   scenarios), [`interruption`] (the stop flag a signal sets), [`store_loss`] (the same
//!   for a store that stopped answering), [`sweep`] (finding a run's customers, and the one rule of what a clean-up may
//!   delete), [`token_shape`] (what a
//!   token looks like, for both the redactor and the checks) and [`suite_files`] (features,
//!   schemas, snapshots and accepted drift, from disk or built into the program).
//!
//! [`run_suite`] is the one function the CLI and the conformance test target call, once they
//! know which store to check.

pub mod admin;
pub mod checks;
pub mod client;
pub mod config;
pub mod cucumber_json;
pub mod feature_files;
pub mod interruption;
pub mod preflight;
pub mod recaptcha;
pub mod report;
pub mod report_html;
pub mod runner;
pub mod secrets;
#[doc(hidden)]
pub mod shared_material;
mod steps;
pub mod store_loss;
pub mod store_profile;
pub mod suite_files;
pub mod sweep;
pub mod token_shape;
pub mod version;
pub mod world;

pub use config::{Config, load_dotenv, tls_from_env};
pub use runner::{Outcome, RunOptions, Selection, run_suite};
pub use suite_files::SuiteFiles;
