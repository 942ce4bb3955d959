//! The board report: one model built from the signed-off snapshots (or, for a draft, from the
//! live rows), rendered as HTML and as PDF by the server.

pub mod chart;
pub mod model;

pub use chart::{Anchor, Bar, BarGroup, Figure, Fill, Shape, StackedBars};
pub use model::*;
