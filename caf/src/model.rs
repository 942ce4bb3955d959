//! The typed CAF framework: objectives, principles, contributing outcomes and their IGPs.

use serde::{Deserialize, Serialize};

use crate::status::Column;

/// One version of the NCSC Cyber Assessment Framework, with its provenance and guidance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// Version of our JSON format (see `docs/framework-format.md`).
    pub format: u32,
    /// CAF version, e.g. "3.2".
    pub version: String,
    /// Name of the framework.
    pub title: String,
    /// Publication date (ISO 8601, e.g. "2024-04-18").
    pub published: String,
    /// Where the publication date comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_source: Option<String>,
    /// Address of the NCSC's own document for this version, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ncsc_document: Option<String>,
    /// Attribution statement to show wherever the NCSC text is shown.
    pub attribution: String,
    /// Copyright and licence details of the NCSC text.
    pub licence: Licence,
    /// Machine-readable copies the text was taken from.
    pub sources: Vec<Source>,
    /// How IGP ids were assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_scheme: Option<String>,
    /// The NCSC's wording on how IGPs are used to reach a status.
    pub guidance: Guidance,
    /// Known discrepancies between sources and other verification notes.
    pub notes: Vec<String>,
    /// The four objectives (A to D), in order.
    pub objectives: Vec<Objective>,
}

/// Copyright and licence of the NCSC text, as far as the sources establish it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Who holds the copyright.
    pub copyright_holder: String,
    /// The licence the text is expected to be under.
    pub expected_licence: String,
    /// Whether that licence was confirmed from a source.
    pub verified: bool,
    /// What was and was not confirmed about the licence.
    pub note: String,
    /// The attribution text given with the source data.
    pub source_attribution: String,
}

/// A public repository file the framework text was taken from or checked against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// "primary" for the text used, "cross_check" for a copy compared against.
    pub role: String,
    /// GitHub repository, "owner/name".
    pub repository: String,
    /// Path of the file in the repository.
    pub path: String,
    /// Commit the file was read at.
    pub commit: String,
    /// Git blob id of the file, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    /// Commit that first added the file, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_in_commit: Option<String>,
    /// What the file is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which parts of the framework the file covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
}

/// The NCSC's 'Using IGPs' wording, and the rule the government's tool uses to suggest a status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// Where the wording was taken from.
    pub text_source: String,
    /// What the achieved column means.
    pub achieved: String,
    /// What the partially achieved column means.
    pub partially_achieved: String,
    /// What the not achieved column means.
    pub not_achieved: String,
    /// That the final status is a matter of expert judgement.
    pub expert_judgement: String,
    /// A note on the wording's provenance for this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The government tool's order for deriving a suggested status.
    pub suggestion_rule: SuggestionRule,
}

/// The steps the GovAssure WebCAF tool follows to suggest a status from answered IGPs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionRule {
    /// Where the rule was read from.
    pub source: String,
    /// The steps, in order.
    pub steps: Vec<String>,
    /// What happens after the suggestion.
    pub note: String,
}

/// A CAF objective (A to D).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    /// Objective id, e.g. "A".
    pub id: String,
    /// NCSC title.
    pub title: String,
    /// NCSC description.
    pub description: String,
    /// Principles under the objective, in order.
    pub principles: Vec<Principle>,
}

/// A CAF principle, e.g. A1 Governance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    /// Principle id, e.g. "A1".
    pub id: String,
    /// NCSC title.
    pub title: String,
    /// NCSC description.
    pub description: String,
    /// Contributing outcomes under the principle, in order.
    pub outcomes: Vec<ContributingOutcome>,
}

/// A contributing outcome, the unit that receives a status, with its IGP table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributingOutcome {
    /// Outcome id, e.g. "A1.a".
    pub id: String,
    /// NCSC title.
    pub title: String,
    /// NCSC description; absent where no source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The description split into the NCSC's paragraphs, where it has more than one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_paragraphs: Option<Vec<String>>,
    /// The heading wording above each column of this outcome's IGP table, where the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub igp_table_rules: Option<IgpTableRules>,
    /// The indicators of good practice, by column.
    pub indicators: Indicators,
}

/// The NCSC's heading above each column of an IGP table, e.g. "All the following statements are true".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgpTableRules {
    /// Heading of the not achieved column.
    pub not_achieved: String,
    /// Heading of the partially achieved column, when the outcome has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partially_achieved: Option<String>,
    /// Heading of the achieved column.
    pub achieved: String,
}

/// An outcome's indicators of good practice (IGP statements), by column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicators {
    /// Statements of which any one being true suggests Not achieved.
    pub not_achieved: Vec<Indicator>,
    /// Statements that together describe Partially achieved; empty when the outcome has no such column.
    #[serde(default)]
    pub partially_achieved: Vec<Indicator>,
    /// Statements that together describe Achieved.
    pub achieved: Vec<Indicator>,
}

/// One IGP statement, word for word as the NCSC published it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Positional id, e.g. "A1.a.NA1" (the NCSC does not number IGPs).
    pub id: String,
    /// The statement exactly as in the source.
    pub text: String,
    /// The statement with PDF hyphenation slips ("board- level") repaired, where the source has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_dehyphenated: Option<String>,
    /// The id GovAssure WebCAF uses for the same statement, for importing its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webcaf_id: Option<String>,
}

impl Indicator {
    /// The text to show a person: the repaired text if there is one, otherwise the source text.
    pub fn display_text(&self) -> &str {
        self.text_dehyphenated.as_deref().unwrap_or(&self.text)
    }
}

impl Indicators {
    /// The statements of one column.
    pub fn column(&self, column: Column) -> &[Indicator] {
        match column {
            Column::NotAchieved => &self.not_achieved,
            Column::PartiallyAchieved => &self.partially_achieved,
            Column::Achieved => &self.achieved,
        }
    }

    /// Every statement with its column, in table order (not achieved, partially achieved, achieved).
    pub fn iter(&self) -> impl Iterator<Item = (Column, &Indicator)> {
        Column::ALL
            .into_iter()
            .flat_map(move |column| self.column(column).iter().map(move |i| (column, i)))
    }

    /// Number of statements in all columns.
    pub fn len(&self) -> usize {
        self.not_achieved.len() + self.partially_achieved.len() + self.achieved.len()
    }

    /// Whether there are no statements at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ContributingOutcome {
    /// Whether the outcome's IGP table has a partially achieved column.
    pub fn has_partially_achieved(&self) -> bool {
        !self.indicators.partially_achieved.is_empty()
    }

    /// The heading above a column, or `None` when the outcome has no such column.
    ///
    /// Uses the outcome's own wording where the source gives it, else the NCSC's usual headings.
    pub fn column_rule(&self, column: Column) -> Option<&str> {
        if self.indicators.column(column).is_empty() {
            return None;
        }
        let own = self
            .igp_table_rules
            .as_ref()
            .and_then(|rules| match column {
                Column::NotAchieved => Some(rules.not_achieved.as_str()),
                Column::PartiallyAchieved => rules.partially_achieved.as_deref(),
                Column::Achieved => Some(rules.achieved.as_str()),
            });
        Some(own.unwrap_or(match column {
            Column::NotAchieved => "At least one of the following statements is true",
            Column::PartiallyAchieved | Column::Achieved => "All the following statements are true",
        }))
    }

    /// Find one of the outcome's statements by id.
    pub fn indicator(&self, id: &str) -> Option<(Column, &Indicator)> {
        self.indicators
            .iter()
            .find(|(_, indicator)| indicator.id == id)
    }
}
