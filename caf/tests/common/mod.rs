//! Small hand-built frameworks shared by the integration tests.

use caf::{
    ContributingOutcome, Framework, Guidance, Indicator, Indicators, Licence, Objective, Principle,
    SuggestionRule,
};

/// An indicator with only an id and text.
pub fn indicator(id: &str) -> Indicator {
    Indicator {
        id: id.to_owned(),
        text: format!("Statement {id}."),
        text_dehyphenated: None,
        webcaf_id: None,
    }
}

/// An outcome with `na`, `pa` and `a` statements in its three columns.
pub fn outcome(id: &str, na: usize, pa: usize, a: usize) -> ContributingOutcome {
    let column = |code: &str, n: usize| {
        (1..=n)
            .map(|i| indicator(&format!("{id}.{code}{i}")))
            .collect()
    };
    ContributingOutcome {
        id: id.to_owned(),
        title: format!("Outcome {id}"),
        description: Some(format!("Description of {id}.")),
        description_paragraphs: None,
        igp_table_rules: None,
        indicators: Indicators {
            not_achieved: column("NA", na),
            partially_achieved: column("PA", pa),
            achieved: column("A", a),
        },
    }
}

/// A valid framework: objective A, principle A1 with outcomes A1.a (with a partially achieved
/// column) and A1.b (without), and principle A2 with outcome A2.a.
pub fn tiny_framework() -> Framework {
    Framework {
        format: 1,
        version: "9.9".to_owned(),
        title: "Test framework".to_owned(),
        published: "2025-01-01".to_owned(),
        published_source: None,
        ncsc_document: None,
        attribution: caf::ATTRIBUTION.to_owned(),
        licence: Licence {
            copyright_holder: "Crown copyright".to_owned(),
            expected_licence: "Open Government Licence v3.0".to_owned(),
            verified: false,
            note: "Test.".to_owned(),
            source_attribution: "Test.".to_owned(),
        },
        sources: Vec::new(),
        id_scheme: None,
        guidance: Guidance {
            text_source: "test".to_owned(),
            achieved: "a".to_owned(),
            partially_achieved: "pa".to_owned(),
            not_achieved: "na".to_owned(),
            expert_judgement: "judge".to_owned(),
            note: None,
            suggestion_rule: SuggestionRule {
                source: "test".to_owned(),
                steps: Vec::new(),
                note: "test".to_owned(),
            },
        },
        notes: Vec::new(),
        objectives: vec![Objective {
            id: "A".to_owned(),
            title: "Objective A".to_owned(),
            description: "Objective A description.".to_owned(),
            principles: vec![
                Principle {
                    id: "A1".to_owned(),
                    title: "Principle A1".to_owned(),
                    description: "Principle A1 description.".to_owned(),
                    outcomes: vec![outcome("A1.a", 2, 2, 3), outcome("A1.b", 1, 0, 2)],
                },
                Principle {
                    id: "A2".to_owned(),
                    title: "Principle A2".to_owned(),
                    description: "Principle A2 description.".to_owned(),
                    outcomes: vec![outcome("A2.a", 1, 1, 1)],
                },
            ],
        }],
    }
}
