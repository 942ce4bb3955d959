//! The board report as an HTML document (askama): the accessible version, with semantic
//! headings and tables, the chart as SVG with its data as a table, and a print stylesheet.

use app::report::{Anchor, BoardReport, Figure, HeatCell, Movement, Shape, status_words};
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
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"chart-title chart-desc\" class=\"chart\">\
         <title id=\"chart-title\">Outcomes by objective</title>\
         <desc id=\"chart-desc\">{desc}</desc>",
        w = figure.width,
        h = figure.height,
        desc = escape(description)
    );
    for shape in &figure.shapes {
        match shape {
            Shape::Rect {
                x,
                y,
                w,
                h,
                fill,
                outline,
            } => out.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"{}/>",
                fill.hex(),
                if *outline {
                    " stroke=\"#0b0c0c\" stroke-width=\"0.5\""
                } else {
                    ""
                }
            )),
            Shape::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => out.push_str(&format!(
                "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"{}\" stroke-width=\"0.5\"/>",
                stroke.hex()
            )),
            Shape::Text {
                x,
                y,
                size,
                fill,
                anchor,
                bold,
                text,
            } => out.push_str(&format!(
                "<text x=\"{x}\" y=\"{y}\" font-size=\"{size}\" fill=\"{}\" text-anchor=\"{}\"{}>{}</text>",
                fill.hex(),
                match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                },
                if *bold { " font-weight=\"bold\"" } else { "" },
                escape(text)
            )),
        }
    }
    out.push_str("</svg>");
    out
}

/// Escapes text for HTML and XML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
