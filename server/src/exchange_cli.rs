//! `server assessment export|import`: the JSON exchange from the command line, acting as a
//! named member of the organisation.

use crate::config::AssessmentCommand;
use anyhow::{Context, bail};
use app::data::{Actor, DataError, Db, ImportError, OrgScope};
use app::roles::Permission;

/// Runs one assessment command.
pub async fn run(db: &Db, command: AssessmentCommand) -> anyhow::Result<()> {
    match command {
        AssessmentCommand::Export {
            org,
            as_email,
            id,
            out,
        } => {
            let (scope, actor) = member(db, &org, &as_email, Permission::ReadAssessments).await?;
            let document = match db.export_assessment(&scope, id, &actor).await {
                Ok(document) => document,
                Err(DataError::NotFound(_)) => bail!("{org} has no assessment {id}"),
                Err(e) => return Err(e.into()),
            };
            let text = serde_json::to_string_pretty(&document)? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!(
                        "Exported {:?} to {}.",
                        document.assessment.title,
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
            Ok(())
        }
        AssessmentCommand::Import {
            org,
            as_email,
            file,
            title,
        } => {
            let (scope, actor) = member(db, &org, &as_email, Permission::LeadAssessment).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            match db
                .import_assessment(&scope, &text, title.as_deref(), &actor)
                .await
            {
                Ok(report) => {
                    println!(
                        "Imported {} into {org} as assessment {}.",
                        file.display(),
                        report.assessment_id
                    );
                    for note in report.notes {
                        println!("- {note}");
                    }
                    Ok(())
                }
                Err(ImportError::Rejected(problems)) => {
                    for problem in &problems {
                        eprintln!("{problem}");
                    }
                    bail!(
                        "{} was not imported; nothing was stored ({} problem(s) above)",
                        file.display(),
                        problems.len()
                    )
                }
                Err(ImportError::Data(e)) => Err(e.into()),
            }
        }
    }
}

/// The scope of a member who may do `permission` in `org`, checked (and any refusal audited)
/// as for a signed-in person.
pub(crate) async fn member(
    db: &Db,
    org: &str,
    email: &str,
    permission: Permission,
) -> anyhow::Result<(OrgScope, Actor)> {
    let Some(account) = db.account_by_email(email).await? else {
        bail!("there is no account for {email}");
    };
    match db.authorize(account.id, org, permission, None).await {
        Ok(scope) => Ok((
            scope,
            Actor {
                user_id: account.id,
                email: account.email,
                address: None,
            },
        )),
        Err(DataError::NotFound(_)) => bail!(
            "{email} is not a current member of {org} whose role may {}",
            match permission {
                Permission::LeadAssessment => "import assessments (a CAF lead)",
                Permission::ReadReports =>
                    "read its board reports (board viewer, approver, CAF lead or assurer)",
                _ => "read its assessments",
            }
        ),
        Err(e) => Err(e.into()),
    }
}
