//! The status of an improvement plan action and the moves between them.

use serde::{Deserialize, Serialize};

/// A plan action's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Proposed by the assurer; the CAF lead has not accepted it yet.
    Proposed,
    /// Agreed, not started.
    Open,
    /// Under way.
    InProgress,
    /// Done.
    Done,
    /// Proposed and not taken up.
    Declined,
}

impl ActionStatus {
    /// Every status.
    pub const ALL: [ActionStatus; 5] = [
        Self::Proposed,
        Self::Open,
        Self::InProgress,
        Self::Done,
        Self::Declined,
    ];

    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Declined => "declined",
        }
    }

    /// The status in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "Proposed",
            Self::Open => "Open",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Declined => "Declined",
        }
    }

    /// The status stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the action is closed: done, or declined.
    pub fn closed(self) -> bool {
        matches!(self, Self::Done | Self::Declined)
    }
}
