//! Statuses a contributing outcome can have, and the IGP table columns that describe them.

use serde::{Deserialize, Serialize};

/// The status of a contributing outcome, ordered from worst to best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The outcome is not achieved.
    NotAchieved,
    /// The outcome is partially achieved.
    PartiallyAchieved,
    /// The outcome is achieved.
    Achieved,
}

impl Status {
    /// Every status, from worst to best.
    pub const ALL: [Status; 3] = [
        Status::NotAchieved,
        Status::PartiallyAchieved,
        Status::Achieved,
    ];

    /// The label a person reads, e.g. "Partially achieved".
    pub fn label(&self) -> &'static str {
        self.column().label()
    }

    /// The stable snake_case key used in JSON and storage, e.g. "partially_achieved".
    pub fn key(&self) -> &'static str {
        self.column().key()
    }

    /// The status named by a snake_case key, if the key is one of ours.
    pub fn from_key(key: &str) -> Option<Status> {
        Column::from_key(key).map(Column::status)
    }

    /// The IGP table column that describes this status.
    pub fn column(&self) -> Column {
        match self {
            Status::NotAchieved => Column::NotAchieved,
            Status::PartiallyAchieved => Column::PartiallyAchieved,
            Status::Achieved => Column::Achieved,
        }
    }
}

/// A column of an outcome's table of indicators of good practice (IGPs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// Statements of which any one being true suggests the outcome is not achieved.
    NotAchieved,
    /// Statements that together describe partial achievement (absent for some outcomes).
    PartiallyAchieved,
    /// Statements that together describe full achievement.
    Achieved,
}

impl Column {
    /// Every column, in the NCSC table's order.
    pub const ALL: [Column; 3] = [
        Column::NotAchieved,
        Column::PartiallyAchieved,
        Column::Achieved,
    ];

    /// The label a person reads, e.g. "Not achieved".
    pub fn label(&self) -> &'static str {
        match self {
            Column::NotAchieved => "Not achieved",
            Column::PartiallyAchieved => "Partially achieved",
            Column::Achieved => "Achieved",
        }
    }

    /// The stable snake_case key used in JSON, e.g. "not_achieved".
    pub fn key(&self) -> &'static str {
        match self {
            Column::NotAchieved => "not_achieved",
            Column::PartiallyAchieved => "partially_achieved",
            Column::Achieved => "achieved",
        }
    }

    /// The column named by a snake_case key, if the key is one of ours.
    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.key() == key)
    }

    /// The status this column describes.
    pub fn status(self) -> Status {
        match self {
            Column::NotAchieved => Status::NotAchieved,
            Column::PartiallyAchieved => Status::PartiallyAchieved,
            Column::Achieved => Status::Achieved,
        }
    }
}

impl From<Column> for Status {
    fn from(column: Column) -> Status {
        column.status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_labels_and_keys() {
        assert!(Status::NotAchieved < Status::PartiallyAchieved);
        assert!(Status::PartiallyAchieved < Status::Achieved);
        assert_eq!(Status::NotAchieved.label(), "Not achieved");
        assert_eq!(Status::PartiallyAchieved.label(), "Partially achieved");
        assert_eq!(Status::Achieved.label(), "Achieved");
        for status in Status::ALL {
            assert_eq!(Status::from_key(status.key()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.key()));
        }
        assert_eq!(Status::from_key("green"), None);
        assert_eq!(Column::PartiallyAchieved.label(), "Partially achieved");
    }
}
