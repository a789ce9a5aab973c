//! The conformance suite as a `cargo test` target (`harness = false`).
//!
//! `cargo test --test conformance -- --tags @smoke` passes the options after `--`.

use clap::Parser;
use magento_contract::SuiteArgs;
use magento_harness::{Config, RunOptions, load_dotenv, tls_from_env};

#[derive(Parser)]
#[command(name = "conformance")]
struct Args {
    #[command(flatten)]
    suite: SuiteArgs,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let code = (|| {
        load_dotenv()?;
        let config = Config::from_env(magento_contract::builtin::suite_files()).map_err(|e| e.to_string())?;
        let tls = tls_from_env()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let outcome = runtime.block_on(magento_contract::run(
            config,
            RunOptions {
                selection: args.suite.into(),
                tls,
            },
            None,
        ));
        Ok::<_, String>(outcome.exit_code)
    })()
    .unwrap_or_else(|problem| {
        eprintln!("magento-contract: {problem}");
        2
    });
    std::process::ExitCode::from(code as u8)
}
