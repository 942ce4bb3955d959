//! Measuring and wrapping text with the embedded font's real glyph advances.

use std::collections::HashMap;

/// The advances of one face, in font units.
#[derive(Debug, Clone)]
pub(crate) struct FaceMetrics {
    /// Advance per character the face has a glyph for.
    pub advances: HashMap<char, u16>,
    /// Font units per em.
    pub units_per_em: f32,
}

impl FaceMetrics {
    /// Whether the face can draw `c`.
    pub fn has(&self, c: char) -> bool {
        self.advances.contains_key(&c)
    }

    /// The width of `text` at `size` points. Characters without a glyph are counted as the
    /// replacement `?` they are drawn as.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let fallback = self.advances.get(&'?').copied().unwrap_or(0);
        let units: u32 = text
            .chars()
            .map(|c| u32::from(self.advances.get(&c).copied().unwrap_or(fallback)))
            .sum();
        units as f32 * size / self.units_per_em
    }
}

/// The regular and bold faces.
#[derive(Debug, Clone)]
pub(crate) struct Fonts {
    /// Regular weight.
    pub regular: FaceMetrics,
    /// Bold weight.
    pub bold: FaceMetrics,
}

impl Fonts {
    /// The face for a weight.
    pub fn face(&self, bold: bool) -> &FaceMetrics {
        if bold { &self.bold } else { &self.regular }
    }

    /// The width of `text` in points.
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        self.face(bold).width(text, size)
    }

    /// `text` made printable: control characters become spaces and characters the font
    /// lacks become `?`, so what is measured is what is drawn.
    pub fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.regular.has(c) && self.bold.has(c) || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// `text` cut to fit `width`, ending in an ellipsis when cut.
    pub fn fit(&self, text: &str, size: f32, bold: bool, width: f32) -> String {
        let text = self.printable(text);
        if self.width(&text, size, bold) <= width {
            return text;
        }
        let mut kept = String::new();
        for c in text.chars() {
            kept.push(c);
            let candidate = format!("{}…", kept.trim_end());
            if self.width(&candidate, size, bold) > width {
                kept.pop();
                break;
            }
        }
        let kept = kept.trim_end();
        if kept.is_empty() {
            String::new()
        } else {
            format!("{kept}…")
        }
    }

    /// Wraps `text` into lines no wider than `width`: paragraphs at line breaks, words at
    /// spaces, and a word wider than a line broken between characters.
    pub fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let paragraph = self.printable(paragraph);
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                if self.width(word, size, bold) <= width {
                    line = word.to_owned();
                } else {
                    let mut pieces = self.break_word(word, size, bold, width);
                    line = pieces.pop().unwrap_or_default();
                    lines.extend(pieces);
                }
            }
            lines.push(line);
        }
        // Blank lines between paragraphs stay (one), trailing ones go.
        while lines.last().is_some_and(|l| l.is_empty()) && lines.len() > 1 {
            lines.pop();
        }
        lines
    }

    /// A word too wide for a line, in pieces that each fit.
    fn break_word(&self, word: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if self.width(&piece, size, bold) > width && piece.chars().count() > 1 {
                piece.pop();
                pieces.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        pieces.push(piece);
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide at 1 point per unit: widths are character counts.
    fn fonts() -> Fonts {
        let advances: HashMap<char, u16> = (' '..='~').chain(['…', '–']).map(|c| (c, 1)).collect();
        let face = FaceMetrics {
            advances,
            units_per_em: 1.0,
        };
        Fonts {
            regular: face.clone(),
            bold: face,
        }
    }

    #[test]
    fn wraps_at_spaces_and_keeps_paragraphs() {
        let lines = fonts().wrap("one two three four\nfive", 1.0, false, 9.0);
        assert_eq!(lines, ["one two", "three", "four", "five"]);
    }

    #[test]
    fn breaks_a_word_longer_than_a_line() {
        let lines = fonts().wrap("ab 0123456789abcdef", 1.0, false, 6.0);
        assert_eq!(lines, ["ab", "012345", "6789ab", "cdef"]);
        assert!(lines.iter().all(|l| l.chars().count() <= 6));
    }

    #[test]
    fn fits_with_an_ellipsis() {
        let f = fonts();
        assert_eq!(f.fit("short", 1.0, false, 10.0), "short");
        assert_eq!(f.fit("a longer title", 1.0, false, 8.0), "a longe…");
        assert!(f.width(&f.fit("a longer title", 1.0, false, 8.0), 1.0, false) <= 8.0);
    }

    #[test]
    fn unknown_characters_print_as_question_marks() {
        assert_eq!(fonts().printable("a\u{1F600}b\tc"), "a?b c");
    }
}
