//! Carries out the command line's commands.

use crate::config::{AdminCommand, AuditCommand, Cli, Command, FrameworkCommand, ServeArgs};
use anyhow::{Context, bail};
use app::auth::AuthConfig;
use app::data::{AuditEvent, AuditFilter, ChainReport, Db, ImportOutcome, LinkPurpose, NewLink};

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let auth = cli.auth_config()?;
    match cli.command {
        Some(Command::Framework(FrameworkCommand::Validate { file })) => validate(&file),
        // Before the database is opened: restoring never writes over one.
        Some(Command::Restore {
            from,
            evidence_dir,
            check_only,
        }) => {
            let manifest = if check_only {
                crate::backup::check(&from)?
            } else {
                crate::backup::restore(&from, &cli.database_url, &evidence_dir).await?
            };
            println!(
                "{} the backup taken {}: {}, {} evidence file(s), {} audit record(s), each checked against its SHA-256.",
                if check_only { "Checked" } else { "Restored" },
                manifest.taken_at,
                if manifest.database.is_some() {
                    "the database"
                } else {
                    "no database (PostgreSQL)"
                },
                manifest.evidence.len(),
                manifest
                    .audit_records
                    .map_or("unknown".to_owned(), |n| n.to_string()),
            );
            Ok(())
        }
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
                None => crate::web::serve(db.clone(), ServeArgs::from_env(), auth).await,
                Some(Command::Serve(args)) => crate::web::serve(db.clone(), args, auth).await,
                Some(Command::Admin(AdminCommand::Create { email, name })) => {
                    admin_create(&db, &email, &name).await
                }
                Some(Command::Admin(AdminCommand::ResetFactors { email })) => {
                    reset_factors(&db, &email).await
                }
                Some(Command::Admin(AdminCommand::SetupLink)) => {
                    if !crate::setup_link::announce_setup_link(&db, &auth).await? {
                        bail!(
                            "there is already a platform administrator; they can invite people from the Administration page"
                        )
                    }
                    Ok(())
                }
                Some(Command::Admin(AdminCommand::Organisation {
                    slug,
                    name,
                    partner,
                })) => create_organisation(&db, &slug, &name, partner).await,
                Some(Command::Admin(AdminCommand::Invite {
                    org,
                    role,
                    email,
                    name,
                })) => invite(&db, &auth, &org, &role, &email, &name).await,
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
                Some(Command::Assessment(command)) => crate::exchange_cli::run(&db, command).await,
                Some(Command::Report(args)) => crate::report::cli::run(&db, args).await,
                Some(Command::Demo(args)) => {
                    crate::demo::run(&db, &auth, &args.evidence_dir, &cli_actor()).await
                }
                Some(Command::Backup {
                    output,
                    evidence_dir,
                }) => {
                    let manifest = crate::backup::backup(&db, &evidence_dir, &output).await?;
                    println!(
                        "Backed up into {}: {}, {} evidence file(s){}.",
                        output.display(),
                        if manifest.database.is_some() {
                            "the database"
                        } else {
                            "no database (PostgreSQL: back it up with pg_dump)"
                        },
                        manifest.evidence.len(),
                        if manifest.missing.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "; {} file(s) the database refers to were not in {}",
                                manifest.missing.len(),
                                evidence_dir.display()
                            )
                        }
                    );
                    Ok(())
                }
                Some(
                    Command::Framework(FrameworkCommand::Validate { .. }) | Command::Restore { .. },
                ) => unreachable!(),
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

async fn create_organisation(db: &Db, slug: &str, name: &str, partner: bool) -> anyhow::Result<()> {
    let kind = if partner {
        app::data::OrganisationKind::Partner
    } else {
        app::data::OrganisationKind::Council
    };
    let org = db
        .create_organisation(slug, name, kind, &cli_actor())
        .await?;
    println!("Created organisation {} ({}).", org.name, org.slug);
    Ok(())
}

async fn invite(
    db: &Db,
    auth: &AuthConfig,
    org: &str,
    role: &str,
    email: &str,
    name: &str,
) -> anyhow::Result<()> {
    let role = app::roles::Role::from_key(role).with_context(|| {
        format!("unknown role {role:?}: use org_admin, caf_lead, assessor, reviewer, approver, board_viewer or external_assurer")
    })?;
    let organisation = db
        .organisation_by_slug(org)
        .await?
        .with_context(|| format!("there is no organisation {org:?}"))?;
    if let Some(existing) = db.account_by_email(email).await? {
        db.set_membership(existing.id, organisation.id, role, None, &cli_actor())
            .await?;
        println!(
            "{} already has an account and now has the role {} in {}.",
            existing.email,
            role.label(),
            organisation.name
        );
        return Ok(());
    }
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Invite,
                email: Some(email.to_owned()),
                display_name: Some(name.to_owned()),
                membership: Some((organisation.id, role)),
                membership_until: None,
                platform_admin: false,
                created_by: None,
                lifetime: time::Duration::days(7),
            },
            &cli_actor(),
        )
        .await?;
    let url = auth.public_url.join(&format!("invite/{token}"))?;
    println!(
        "Invitation for {email} ({} in {}): {url}",
        role.label(),
        organisation.name
    );
    Ok(())
}

async fn admin_create(db: &Db, email: &str, name: &str) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    app::auth::password::check_new_password(password, &[email, name])
        .map_err(|problem| anyhow::anyhow!("{problem}"))?;
    let hash = app::auth::password::hash_password(password)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Invite,
                email: Some(email.to_owned()),
                display_name: Some(name.to_owned()),
                membership: None,
                membership_until: None,
                platform_admin: true,
                created_by: None,
                lifetime: time::Duration::minutes(1),
            },
            &cli_actor(),
        )
        .await?;
    let id = db
        .accept_link(
            &token,
            &app::data::LinkAcceptance {
                email,
                display_name: name,
                password_hash: &hash,
            },
            None,
        )
        .await?;
    println!(
        "Created platform administrator {email} (user {id}). At their first sign-in they register a security key."
    );
    Ok(())
}

async fn reset_factors(db: &Db, email: &str) -> anyhow::Result<()> {
    let Some(account) = db.account_by_email(email).await? else {
        bail!("there is no account for {email}");
    };
    let mut event = AuditEvent::by(
        cli_actor(),
        "user.reset_factors",
        format!("user:{}", account.id),
    );
    event.detail = serde_json::json!({ "email": account.email });
    let keys = db.reset_factors(account.id, event).await?;
    println!(
        "Removed {keys} security key(s) and all recovery codes of {email}, and ended their sessions. At their next sign-in with their password they register a new key."
    );
    Ok(())
}
