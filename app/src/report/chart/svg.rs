//! A figure as SVG markup: the board report's HTML and the comparison page draw the same shapes
//! the PDF does, named for screen readers by a title and a description.

use super::{Anchor, Figure, Shape};

/// The figure as an `<svg>` element with a title and a description; `id` prefixes their ids
/// (`{id}-title`, `{id}-desc`), so two charts on a page keep theirs apart.
pub fn svg(figure: &Figure, id: &str, title: &str, description: &str) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart\">\
         <title id=\"{id}-title\">{title}</title>\
         <desc id=\"{id}-desc\">{desc}</desc>",
        w = figure.width,
        h = figure.height,
        id = escape(id),
        title = escape(title),
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
    use crate::report::chart::Fill;

    #[test]
    fn text_title_and_description_are_escaped_and_named() {
        let figure = Figure {
            width: 10.0,
            height: 10.0,
            shapes: vec![Shape::Text {
                x: 0.0,
                y: 5.0,
                size: 8.0,
                fill: Fill::Ink,
                anchor: Anchor::Start,
                bold: false,
                text: "<script>&".into(),
            }],
        };
        let svg = svg(&figure, "trend", "Gap & trend", "a \"quoted\" <desc>");
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(svg.contains("<title id=\"trend-title\">Gap &amp; trend</title>"));
        assert!(svg.contains("<desc id=\"trend-desc\">a &quot;quoted&quot; &lt;desc&gt;</desc>"));
        assert!(svg.contains("aria-labelledby=\"trend-title trend-desc\""));
        assert!(!svg.contains("<script>"));
    }
}
