//! Carries out the command line's commands.

use crate::config::{AuditCommand, Cli, Command, FrameworkCommand, ServeArgs};
use anyhow::{Context, bail};
use app::data::{AuditFilter, ChainReport, Db, ImportOutcome};

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Framework(FrameworkCommand::Validate { file })) => validate(&file),
        command => {
            let db = Db::connect(&cli.database_url).await.with_context(|| {
                format!("cannot open the database at {}", redact(&cli.database_url))
            })?;
            db.migrate().await.context("cannot migrate the database")?;
            let registered = db
                .register_bundled()
                .await
                .context("cannot register the bundled frameworks")?;
            for (what, outcome) in registered {
                if outcome != ImportOutcome::Unchanged {
                    tracing::info!("{what}: {outcome:?}");
                }
            }
            let result = match command {
                None => crate::web::serve(db.clone(), ServeArgs::from_env()).await,
                Some(Command::Serve(args)) => crate::web::serve(db.clone(), args).await,
                Some(Command::Migrate) => {
                    println!("The database is up to date.");
                    Ok(())
                }
                Some(Command::Framework(FrameworkCommand::List)) => list(&db).await,
                Some(Command::Framework(FrameworkCommand::Import { file })) => {
                    import(&db, &file).await
                }
                Some(Command::Framework(FrameworkCommand::Export { version })) => {
                    export(&db, &version).await
                }
                Some(Command::Audit(AuditCommand::Verify)) => audit_verify(&db).await,
                Some(Command::Audit(AuditCommand::List { limit, action })) => {
                    audit_list(&db, limit, action).await
                }
                Some(Command::Framework(FrameworkCommand::Validate { .. })) => unreachable!(),
            };
            db.close().await;
            result
        }
    }
}

/// Hides the password of a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

fn read(file: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

fn validate(file: &std::path::Path) -> anyhow::Result<()> {
    let framework = caf::parse_framework(&read(file)?)
        .map_err(|e| anyhow::anyhow!("{} is not a valid framework file:\n{e}", file.display()))?;
    let counts = framework.counts();
    println!(
        "{} is valid: CAF {}, {} objectives, {} principles, {} contributing outcomes, {} indicators.",
        file.display(),
        framework.version,
        counts.objectives,
        counts.principles,
        counts.outcomes,
        counts.indicators
    );
    Ok(())
}

async fn import(db: &Db, file: &std::path::Path) -> anyhow::Result<()> {
    let (framework, outcome) = match db.import_framework_json(&read(file)?, &cli_actor()).await {
        Ok(done) => done,
        Err(error) => bail!(
            "{} was not imported; nothing was stored.\n{error}",
            file.display()
        ),
    };
    let what = format!(
        "CAF {} ({} outcomes)",
        framework.version,
        framework.counts().outcomes
    );
    match outcome {
        ImportOutcome::Inserted => println!("Imported {what}."),
        ImportOutcome::Replaced => println!("Replaced the unused text of {what}."),
        ImportOutcome::Unchanged => {
            println!("{what} is already stored with the same content; nothing changed.")
        }
    }
    println!("sha256 {}", framework.content_hash());
    Ok(())
}

async fn list(db: &Db) -> anyhow::Result<()> {
    let frameworks = db.list_frameworks().await?;
    println!(
        "{:<8} {:<11} {:>8} {:>10}  {:<8} {:<6} sha256",
        "version", "published", "outcomes", "indicators", "origin", "locked"
    );
    for f in frameworks {
        println!(
            "{:<8} {:<11} {:>8} {:>10}  {:<8} {:<6} {}",
            f.version,
            f.published,
            f.outcomes,
            f.indicators,
            f.origin,
            if f.locked_at.is_some() { "yes" } else { "no" },
            &f.content_hash[..16]
        );
    }
    Ok(())
}

async fn export(db: &Db, version: &str) -> anyhow::Result<()> {
    let Some(stored) = db.framework(version).await? else {
        let known: Vec<String> = db
            .list_frameworks()
            .await?
            .into_iter()
            .map(|f| f.version)
            .collect();
        bail!(
            "no framework version {version:?} is stored (stored: {})",
            known.join(", ")
        );
    };
    println!("{}", serde_json::to_string_pretty(&stored.framework)?);
    Ok(())
}

/// Who is acting when the command line changes something: the operating-system user.
fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

async fn audit_verify(db: &Db) -> anyhow::Result<()> {
    match db.verify_audit_chain().await? {
        ChainReport::Intact { records } => {
            println!("The audit log is intact: {records} records, each linked to the one before.");
            Ok(())
        }
        ChainReport::Broken { seq, reason } => {
            bail!("the audit log is broken at record {seq}: {reason}")
        }
    }
}

async fn audit_list(db: &Db, limit: i64, action: Option<String>) -> anyhow::Result<()> {
    let filter = AuditFilter {
        action_prefix: action,
        limit,
        ..AuditFilter::default()
    };
    for record in db.audit_records(&filter).await? {
        let event = &record.event;
        println!(
            "{:>6}  {}  {:<24} {:<28} {}  {}",
            record.seq,
            record.occurred_at,
            event.action,
            event.object,
            event.actor,
            if event.detail.is_null() {
                String::new()
            } else {
                event.detail.to_string()
            }
        );
    }
    Ok(())
}
