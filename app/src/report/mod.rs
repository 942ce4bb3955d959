//! The board report: one model built from the signed-off snapshots (or, for a draft, from the
//! live rows), rendered as HTML and as PDF by the server.
//!
//! The chart model builds for the browser too: the comparison page draws its trend chart with it.

#[cfg(feature = "ssr")]
mod build;
pub mod chart;
#[cfg(feature = "ssr")]
mod compare;
#[cfg(feature = "ssr")]
pub mod model;
#[cfg(feature = "ssr")]
mod movement;
#[cfg(feature = "ssr")]
mod signatures;
pub mod words;

#[cfg(feature = "ssr")]
pub use build::{ReportOptions, build_report};
pub use chart::{Anchor, Bar, BarGroup, Figure, Fill, GapTrend, GapYear, Shape, StackedBars};
#[cfg(feature = "ssr")]
pub use compare::standing;
#[cfg(feature = "ssr")]
pub use model::*;
pub use words::long_date;
