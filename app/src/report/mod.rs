//! The board report: one model built from the signed-off snapshots (or, for a draft, from the
//! live rows), rendered as HTML and as PDF by the server.

mod build;
pub mod chart;
mod compare;
pub mod model;
mod movement;
mod signatures;
mod words;

pub use build::{ReportOptions, build_report};
pub use chart::{Anchor, Bar, BarGroup, Figure, Fill, Shape, StackedBars};
pub use compare::standing;
pub use model::*;
pub use words::long_date;
