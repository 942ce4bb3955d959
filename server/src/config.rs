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
    /// The address people reach the app at. Security keys are bound to its host name, and an
    /// https address turns on `__Host-` Secure cookies and HSTS.
    #[arg(
        long,
        env = "CAF_PUBLIC_URL",
        default_value = "http://localhost:3000",
        global = true
    )]
    pub public_url: String,
    /// A session unused for this many minutes ends.
    #[arg(
        long,
        env = "CAF_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, however busy.
    #[arg(
        long,
        env = "CAF_SESSION_MAX_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_max_hours: i64,
    /// How the log is written: `text` for people, or `json` (one object per line) for a log
    /// collector.
    #[arg(
        long,
        env = "CAF_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"],
        global = true
    )]
    pub log_format: String,
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
    /// Manage accounts from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Read and check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Export an assessment as JSON, or import one (see docs/assessment-export.md).
    #[command(subcommand)]
    Assessment(AssessmentCommand),
    /// Write an assessment's board report as PDF or HTML, acting as a member who may read
    /// reports (for scheduled board packs). Audited.
    Report(ReportArgs),
    /// Create a demo council with a signed-off CAF 3.2 assessment for last year and a signed-off
    /// CAF 4.0 assessment for this year, and print how to sign in and see the board report.
    Demo(DemoArgs),
    /// Copy the database (SQLite) and the evidence files it uses into a new folder, with a
    /// manifest of SHA-256 hashes, while the server runs.
    Backup {
        /// The folder to write (new or empty).
        #[arg(long)]
        output: PathBuf,
        /// The evidence folder, as for `serve`.
        #[arg(long, env = "CAF_EVIDENCE_DIR", default_value = "data/evidence")]
        evidence_dir: PathBuf,
    },
    /// Check a backup against its manifest and restore it into a new SQLite database (the
    /// `--database-url`, which must not exist yet) and the evidence folder.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
        /// The evidence folder to restore the files into.
        #[arg(long, env = "CAF_EVIDENCE_DIR", default_value = "data/evidence")]
        evidence_dir: PathBuf,
        /// Only check the backup against its manifest; write nothing.
        #[arg(long)]
        check_only: bool,
    },
}

/// Options of `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The organisation's slug.
    #[arg(long)]
    pub org: String,
    /// The email address of the member acting (board viewer, approver, CAF lead or assurer).
    #[arg(long = "as", value_name = "EMAIL")]
    pub as_email: String,
    /// The assessment's id.
    #[arg(long)]
    pub id: i64,
    /// `pdf` or `html`.
    #[arg(long, value_parser = ["pdf", "html"], default_value = "pdf")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub output: PathBuf,
    /// The protective marking printed on every page.
    #[arg(long, env = "CAF_REPORT_CLASSIFICATION", default_value = app::report::DEFAULT_CLASSIFICATION)]
    pub classification: String,
}

/// Options of `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Folder for evidence files, as for `serve` (the demo stores one small file).
    #[arg(long, env = "CAF_EVIDENCE_DIR", default_value = "data/evidence")]
    pub evidence_dir: PathBuf,
}

/// Assessment subcommands. Both act as a member of the organisation, checked as the web app
/// checks a signed-in person, and are audited under that person's name.
#[derive(Debug, Subcommand)]
pub enum AssessmentCommand {
    /// Write an assessment as the documented JSON export (needs a role that reads assessments).
    Export {
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        /// The email address of the member acting.
        #[arg(long = "as", value_name = "EMAIL")]
        as_email: String,
        /// The assessment's id.
        #[arg(long)]
        id: i64,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import an export file as a new assessment (CAF lead). A file with problems stores
    /// nothing: every problem is printed and the command exits 1.
    Import {
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        /// The email address of the member acting.
        #[arg(long = "as", value_name = "EMAIL")]
        as_email: String,
        /// The export file (JSON).
        file: PathBuf,
        /// Import under this title instead of the file's.
        #[arg(long)]
        title: Option<String>,
    },
}

/// Account subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a platform administrator (for scripted installs). The password is read from
    /// standard input; the first sign-in registers a security key.
    Create {
        /// Their email address.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
    },
    /// The audited way back for a user who lost every key: removes their keys and recovery
    /// codes and ends their sessions; their next sign-in registers a new key.
    ResetFactors {
        /// The user's email address.
        email: String,
    },
    /// Print a new one-time set-up link for the first administrator (only while there is none).
    SetupLink,
    /// Create an organisation: a council, or a partner hosted on the same instance.
    Organisation {
        /// Short name used in addresses, e.g. `hackney`.
        #[arg(long)]
        slug: String,
        /// Full name, e.g. "London Borough of Hackney".
        #[arg(long)]
        name: String,
        /// A partner organisation rather than a council.
        #[arg(long)]
        partner: bool,
    },
    /// Invite someone into an organisation with a role: prints the one-time link to pass on
    /// (valid 7 days). A person who already has an account gets the role straight away.
    Invite {
        /// The organisation's short name.
        #[arg(long)]
        org: String,
        /// One of org_admin, caf_lead, assessor, reviewer, approver, board_viewer, external_assurer.
        #[arg(long)]
        role: String,
        /// Their email address.
        #[arg(long)]
        email: String,
        /// Their name.
        #[arg(long)]
        name: String,
    },
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
    /// Folder for uploaded evidence files, stored by SHA-256 (created when first needed).
    #[arg(long, env = "CAF_EVIDENCE_DIR", default_value = "data/evidence")]
    pub evidence_dir: PathBuf,
    /// The largest evidence upload, in MiB (1 to 1024).
    #[arg(long, env = "CAF_MAX_UPLOAD_MIB", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub max_upload_mib: u64,
    /// The protective marking printed on every page of a board report.
    #[arg(long, env = "CAF_REPORT_CLASSIFICATION", default_value = app::report::DEFAULT_CLASSIFICATION)]
    pub report_classification: String,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed: addresses and
    /// networks, comma-separated (e.g. `127.0.0.1,10.0.0.0/8`). None by default.
    #[arg(long, env = "CAF_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: crate::client_address::TrustedProxies,
}

impl Cli {
    /// The sign-in settings these options describe.
    pub fn auth_config(&self) -> anyhow::Result<app::auth::AuthConfig> {
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            anyhow::bail!("CAF_SESSION_IDLE_MINUTES must be between 1 and 1440");
        }
        if !(1..=24 * 7).contains(&self.session_max_hours) {
            anyhow::bail!("CAF_SESSION_MAX_HOURS must be between 1 and 168");
        }
        app::auth::AuthConfig::new(
            &self.public_url,
            time::Duration::minutes(self.session_idle_minutes),
            time::Duration::hours(self.session_max_hours),
        )
        .map_err(|e| anyhow::anyhow!(e))
    }
}

impl ServeArgs {
    /// The largest evidence upload, in bytes.
    pub fn upload_limit(&self) -> u64 {
        self.max_upload_mib.clamp(1, 1024) << 20
    }

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
