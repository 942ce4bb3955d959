//! The board report as an A4 PDF: cover, executive summary, heat map, chart, gaps and the
//! improvement plan, assurance, sign-off and the appendix, in that order.
//!
//! The sections lay the [`BoardReport`] out as marks on pages (pure code, measured with the
//! embedded font's real advances); `ops` alone turns them into a PDF with printpdf.

mod appendix;
mod assurance;
mod chart;
mod flow;
mod front;
mod heat_map;
mod marks;
mod ops;
mod plan;
mod text;

use app::report::BoardReport;

use self::flow::Flow;
use self::marks::DocumentInfo;

/// Why a report could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
pub enum ReportPdfError {
    /// The embedded font could not be read (a broken build).
    #[error("the report font could not be loaded: {0}")]
    Font(String),
    /// The model's generation date is not a date.
    #[error("the report's generation date {0:?} is not a date (YYYY-MM-DD)")]
    Date(String),
    /// The PDF writer failed.
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// Renders the board report as A4 PDF bytes. The same report gives the same bytes.
pub fn render_pdf(report: &BoardReport) -> Result<Vec<u8>, ReportPdfError> {
    let fonts = ops::fonts().map_err(ReportPdfError::Font)?;
    let info = document_info(report)?;
    let mut flow = Flow::new(fonts);
    front::cover(&mut flow, report);
    front::summary(&mut flow, report);
    heat_map::heat_map(&mut flow, report);
    chart::chart(&mut flow, report);
    plan::gaps(&mut flow, report);
    assurance::assurance(&mut flow, report);
    assurance::sign_off(&mut flow, report);
    appendix::appendix(&mut flow, report);
    let layout = flow.finish(&report.classification, report.draft, &info);
    ops::write(&layout, &info).map_err(ReportPdfError::Write)
}

/// Title, author, subject and date for the file's metadata.
fn document_info(report: &BoardReport) -> Result<DocumentInfo, ReportPdfError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(&report.generated_on, &format)
        .map_err(|_| ReportPdfError::Date(report.generated_on.clone()))?;
    let created_unix = date.midnight().assume_utc().unix_timestamp();
    let draft = if report.draft { " (DRAFT)" } else { "" };
    Ok(DocumentInfo {
        title: format!("{}{draft}", report.title),
        author: report.organisation.clone(),
        subject: format!(
            "Cyber Assessment Framework board report, {}, {}, {}",
            report.framework, report.period, report.classification
        ),
        keywords: vec![
            "CAF".into(),
            report.framework.clone(),
            report.period.clone(),
            report.classification.clone(),
        ],
        created_unix,
    })
}
