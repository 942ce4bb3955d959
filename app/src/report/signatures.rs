//! The assurance and sign-off sections: who reviewed, assured and signed each scope, statuses
//! that differ from the suggestion, and evidence past its review-by date.

use super::build::{ScopeFacts, date_part};
use super::model::{Assurance, Override, ScopeSignOff, Signature, StaleEvidence};
use super::words::long_date;
use caf::Status;
use std::collections::BTreeMap;

pub(super) fn assurance(facts: &[ScopeFacts], as_of: &str) -> Assurance {
    let mut signatures = Vec::new();
    let mut overrides = Vec::new();
    let mut stale: BTreeMap<i64, StaleEvidence> = BTreeMap::new();
    for f in facts {
        for s in f
            .snapshot
            .signatures
            .iter()
            .filter(|s| s.step != "sign_off")
        {
            signatures.push(Signature {
                scope: f.name.clone(),
                step: s.step_label().to_owned(),
                name: s.name.clone(),
                role: s.role_label(),
                on: long_date(&date_part(&s.at)),
            });
        }
        for o in &f.snapshot.outcomes {
            let suggested = Status::from_key(&o.suggested);
            let confirmed = o.confirmed.as_deref().and_then(Status::from_key);
            if let (Some(suggested), Some(confirmed)) = (suggested, confirmed)
                && suggested != confirmed
                && !o.answers.is_empty()
            {
                overrides.push(Override {
                    scope: f.name.clone(),
                    outcome: o.id.clone(),
                    suggested,
                    confirmed,
                    justification: o.justification.trim().to_owned(),
                });
            }
            for e in &o.evidence {
                if let Some(review_by) = e.review_by.as_deref().filter(|d| *d < as_of) {
                    stale
                        .entry(e.id)
                        .or_insert_with(|| StaleEvidence {
                            title: e.title.clone(),
                            review_by: long_date(review_by),
                            outcomes: Vec::new(),
                        })
                        .outcomes
                        .push(format!("{}: {}", f.name, o.id));
                }
            }
        }
    }
    Assurance {
        signatures,
        overrides,
        stale_evidence: stale.into_values().collect(),
    }
}

pub(super) fn sign_off(scope: &crate::data::ReportScope, name: &str) -> ScopeSignOff {
    let signature = scope
        .snapshot
        .signatures
        .iter()
        .find(|s| s.step == "sign_off");
    match &scope.stored {
        Some(stored) => ScopeSignOff {
            scope: name.to_owned(),
            approver: Some(signature.map_or_else(|| stored.signer.clone(), |s| s.name.clone())),
            role: Some(signature.map_or_else(
                || crate::roles::Role::Approver.label().to_owned(),
                |s| s.role_label(),
            )),
            on: Some(long_date(&date_part(&stored.signed_at))),
            sha256: Some(stored.sha256.clone()),
        },
        None => ScopeSignOff {
            scope: name.to_owned(),
            approver: None,
            role: None,
            on: None,
            sha256: None,
        },
    }
}
