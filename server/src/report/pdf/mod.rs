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
mod table;
mod text;

use app::report::BoardReport;

use self::flow::Flow;
use self::marks::{DocumentInfo, Layout};

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
    let (layout, info) = lay_out(report)?;
    ops::write(&layout, &info).map_err(ReportPdfError::Write)
}

/// The report as marks on pages, with the document's metadata.
fn lay_out(report: &BoardReport) -> Result<(Layout, DocumentInfo), ReportPdfError> {
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
    Ok((layout, info))
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

#[cfg(test)]
#[path = "../../../tests/report_fixture/mod.rs"]
mod report_fixture;

#[cfg(test)]
mod tests {
    use super::flow::{BOTTOM, MARGIN, PAGE_H, PAGE_W};
    use super::marks::Mark;
    use super::*;

    #[test]
    fn no_text_leaves_its_page_or_margins() {
        for draft in [false, true] {
            let report = report_fixture::report(draft);
            let (layout, _) = lay_out(&report).expect("lays out");
            let fonts = ops::fonts().expect("fonts");
            for (p, page) in layout.pages.iter().enumerate() {
                for mark in &page.marks {
                    let Mark::Text {
                        x,
                        y,
                        size,
                        bold,
                        text,
                        ..
                    } = mark
                    else {
                        continue;
                    };
                    let right = x + fonts.width(text, *size, *bold);
                    assert!(
                        *x >= MARGIN - 0.5 && right <= PAGE_W - MARGIN + 0.5,
                        "page {}: {text:?} runs from {x} to {right}",
                        p + 1
                    );
                    assert!(
                        *y - size >= 0.0 && *y <= PAGE_H - 5.0,
                        "page {}: {text:?} at baseline {y}",
                        p + 1
                    );
                    // Body text stays above the footer's rule; only the footer is below it.
                    assert!(
                        *y <= BOTTOM || *y >= BOTTOM + 20.0,
                        "page {}: {text:?} at baseline {y} runs into the footer",
                        p + 1
                    );
                }
            }
        }
    }

    #[test]
    fn the_heat_map_is_one_page() {
        let report = report_fixture::report(false);
        let (layout, _) = lay_out(&report).expect("lays out");
        let heat = layout
            .outline
            .iter()
            .find(|(t, _)| t == "Heat map")
            .map(|(_, p)| *p)
            .expect("a heat map");
        let next = layout
            .outline
            .iter()
            .find(|(t, _)| t == "Outcomes by objective")
            .map(|(_, p)| *p)
            .expect("a chart");
        assert_eq!(next, heat + 1, "the heat map takes exactly one page");
    }

    #[test]
    fn the_font_has_every_character_the_model_uses() {
        let fonts = ops::fonts().expect("fonts");
        for c in ['↑', '↓', '–', '—', '£', '’', '“', '”', '…', '•', '·'] {
            assert!(
                fonts.regular.has(c) && fonts.bold.has(c),
                "{c} is in both faces"
            );
        }
    }
}
