//! Command line and environment configuration.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The CAF self-assessment app for UK councils.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://data/caf.db` (default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/caf.db",
        global = true
    )]
    pub database_url: String,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The server's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, register the bundled frameworks and serve the app.
    Serve(ServeArgs),
    /// Bring the database schema up to date and register the bundled frameworks, then exit.
    Migrate,
    /// Work with framework versions.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Read and check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// Audit log subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no record was edited or removed (exit 1 and name the record if one was).
    Verify,
    /// Print the newest records.
    List {
        /// How many records, newest first.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Only actions starting with this, e.g. `framework.`.
        #[arg(long)]
        action: Option<String>,
    },
}

/// Options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder with the built browser assets (`pkg/`).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

impl ServeArgs {
    /// The serve options when no `serve` subcommand was given: environment, then defaults.
    pub fn from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::parse_from(["server"]).args
    }
}

/// Framework subcommands.
#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// List the stored framework versions.
    List,
    /// Check a framework file without storing anything.
    Validate {
        /// The framework file (JSON, see docs/framework-format.md).
        file: PathBuf,
    },
    /// Validate a framework file and store it as a version.
    Import {
        /// The framework file (JSON, see docs/framework-format.md).
        file: PathBuf,
    },
    /// Print a stored version as JSON on standard output.
    Export {
        /// The version label, e.g. 4.0.
        version: String,
    },
}
