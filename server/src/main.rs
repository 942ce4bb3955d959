//! The CAF self-assessment server binary: command line, configuration and the web server.

use clap::Parser;
use server::{cli, config};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args = config::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if args.log_format == "json" {
        log.json().init();
    } else {
        log.init();
    }
    match cli::run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
