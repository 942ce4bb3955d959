//! What the comparison page shows: the assessment, the one it is compared with and why, the
//! comparison, and the organisation's history against its targets.

use super::{HistoryYear, YearComparison, trend_chart};
use crate::report::chart::GapTrend;
use serde::{Deserialize, Serialize};

/// Why an assessment is the one compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviousBasis {
    /// This year's assessment was started from it.
    StartedFrom,
    /// It is the organisation's latest earlier assessment signed off in full.
    LatestSignedOff,
}

/// An assessment as the page names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearHead {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its period, e.g. "2026/27".
    pub period: String,
    /// Its CAF version, e.g. "4.0".
    pub framework_version: String,
}

/// The previous assessment compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousHead {
    /// The assessment.
    pub year: YearHead,
    /// When its last scope was signed off (UTC).
    pub signed_at: String,
    /// Why it is the one compared with.
    pub basis: PreviousBasis,
}

/// Everything the comparison page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearOnYear {
    /// The organisation's name.
    pub organisation: String,
    /// The assessment compared.
    pub assessment: YearHead,
    /// The assessment it is compared with, if there is one.
    pub previous: Option<PreviousHead>,
    /// The comparison, when there is a previous assessment.
    pub comparison: Option<YearComparison>,
    /// The organisation's assessments, oldest first, with their gaps to the target profile.
    pub history: Vec<HistoryYear>,
}

impl YearOnYear {
    /// The trend chart of the history.
    pub fn trend(&self) -> GapTrend {
        trend_chart(&self.history)
    }
}
