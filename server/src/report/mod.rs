//! The board report: built once as `app::report::BoardReport`, rendered here as HTML (askama)
//! and as PDF (printpdf, behind one module).

pub mod cli;
pub mod html;
pub mod pdf;
pub mod routes;

use app::data::{DataError, Db, OrgScope};
use app::report::{BoardReport, ReportOptions, build_report};

/// Today's date in UTC (YYYY-MM-DD).
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

/// Builds the board report of an assessment for a member who may read reports.
pub async fn board_report(
    db: &Db,
    scope: &OrgScope,
    assessment_id: i64,
    classification: &str,
) -> Result<BoardReport, DataError> {
    let sources = db.report_sources(scope, assessment_id).await?;
    Ok(build_report(
        &sources,
        &ReportOptions {
            classification: classification.to_owned(),
            today: today(),
        },
    ))
}

/// A file name for the report, e.g. `caf-board-report-2026-27.pdf`.
pub fn file_name(report: &BoardReport, extension: &str) -> String {
    let period: String = report
        .period
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "caf-board-report-{}{}.{extension}",
        period.trim_matches('-'),
        if report.draft { "-draft" } else { "" }
    )
}
