//! The board report's renderings on the server: the PDF (and, beside it, the HTML).

pub mod pdf;
