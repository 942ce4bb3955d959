//! `server report`: a board report written to a file, for scheduled board packs.

use crate::config::ReportArgs;
use anyhow::{Context, bail};
use app::data::{AuditEvent, DataError, Db};
use app::roles::Permission;

/// Writes the report the arguments name.
pub async fn run(db: &Db, args: ReportArgs) -> anyhow::Result<()> {
    let (scope, actor) =
        crate::exchange_cli::member(db, &args.org, &args.as_email, Permission::ReadReports).await?;
    let report = match super::board_report(db, &scope, args.id, args.classification.trim()).await {
        Ok(report) => report,
        Err(DataError::NotFound(_)) => bail!(
            "{} has no assessment {} whose report {} may read (a board viewer reads only signed-off reports)",
            args.org,
            args.id,
            args.as_email
        ),
        Err(e) => return Err(e.into()),
    };
    let bytes = match args.format.as_str() {
        "html" => super::html::render_html(
            &report,
            &super::html::ReportLinks {
                pdf: super::file_name(&report, "pdf"),
                back: format!("/org/{}/reports", args.org),
            },
        )?
        .into_bytes(),
        _ => super::pdf::render_pdf(&report)?,
    };
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let mut event = AuditEvent::by(
        &actor.email,
        "report.generate",
        format!("assessment:{}", args.id),
    );
    event.actor_id = Some(actor.user_id);
    event.organisation_id = Some(scope.organisation_id());
    db.append_audit(event.with_detail(serde_json::json!({
        "format": args.format, "draft": report.draft, "via": "command line",
    })))
    .await?;
    println!(
        "Wrote the {}board report of {:?} ({} bytes) to {}.",
        if report.draft { "DRAFT " } else { "" },
        report.title,
        bytes.len(),
        args.output.display()
    );
    Ok(())
}
