//! The board report as an HTML document (askama): the accessible version, with semantic
//! headings and tables, the chart as SVG with its data as a table, and a print stylesheet.

use app::report::{BoardReport, Figure, HeatCell, Movement, status_words};
use askama::Template;
use caf::Status;

/// The width of the chart's SVG box, in points (scaled to the page by CSS).
const CHART_WIDTH: f32 = 640.0;

/// Where the report's links lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLinks {
    /// The PDF of the same report.
    pub pdf: String,
    /// Back to the app (the board reports page).
    pub back: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    r: &'a BoardReport,
    links: &'a ReportLinks,
    chart_svg: String,
}

/// Renders the report as a whole HTML document.
pub fn render_html(report: &BoardReport, links: &ReportLinks) -> Result<String, askama::Error> {
    ReportPage {
        r: report,
        links,
        chart_svg: svg(&report.bars.layout(CHART_WIDTH), &report.bars.description()),
    }
    .render()
}

impl ReportPage<'_> {
    /// The CSS class of a heat-map cell: its status, or that it does not apply.
    fn cell_class(&self, cell: &HeatCell) -> &'static str {
        if !cell.applies {
            return "cell-na";
        }
        match cell.status {
            Some(Status::NotAchieved) => "cell-n",
            Some(Status::PartiallyAchieved) => "cell-p",
            Some(Status::Achieved) => "cell-a",
            None => "cell-none",
        }
    }

    /// What a heat-map cell says to a screen reader.
    fn cell_words(&self, cell: &HeatCell) -> String {
        if !cell.applies {
            return "Not in this scope".into();
        }
        let mut words = status_words(cell.status).to_owned();
        if cell.below {
            words.push_str(", below target");
        }
        if let Some(m) = cell.movement.filter(|m| *m != Movement::New) {
            words.push_str(", ");
            words.push_str(m.words());
        }
        words
    }

    fn arrow(&self, cell: &HeatCell) -> &'static str {
        cell.movement.map_or("", Movement::arrow)
    }

    fn pill(&self, status: &Option<Status>) -> &'static str {
        match status {
            Some(Status::NotAchieved) => "pill-n",
            Some(Status::PartiallyAchieved) => "pill-p",
            Some(Status::Achieved) => "pill-a",
            None => "pill-none",
        }
    }

    fn generated(&self) -> String {
        app::report::long_date(&self.r.generated_on)
    }

    fn words(&self, status: &Option<Status>) -> &'static str {
        status_words(*status)
    }

    fn label(&self, status: &Status) -> &'static str {
        status.label()
    }
}

/// The chart as SVG: the same shapes the PDF draws.
fn svg(figure: &Figure, description: &str) -> String {
    app::report::chart::svg(figure, "chart", "Outcomes by objective", description)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::report::{Anchor, Shape};

    #[test]
    fn chart_text_is_escaped() {
        let figure = Figure {
            width: 10.0,
            height: 10.0,
            shapes: vec![Shape::Text {
                x: 0.0,
                y: 5.0,
                size: 8.0,
                fill: app::report::Fill::Ink,
                anchor: Anchor::Start,
                bold: false,
                text: "<script>&".into(),
            }],
        };
        let svg = svg(&figure, "a \"quoted\" <desc>");
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(svg.contains("a &quot;quoted&quot; &lt;desc&gt;"));
        assert!(!svg.contains("<script>"));
    }
}
