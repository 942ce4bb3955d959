//! Server functions: the browser's way to the data. Each one stays thin: fetch, shape, map errors.

use crate::error::AppError;
use crate::types::{ChangesView, FrameworkOverview, FrameworkRecord, OutcomeDetail};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::data::Db;

/// The database handle provided to every request.
#[cfg(feature = "ssr")]
fn db() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| AppError::internal("context", "no database in context"))
}

/// Every stored framework version.
#[server(prefix = "/api", endpoint = "frameworks")]
pub async fn list_frameworks() -> Result<Vec<FrameworkRecord>, AppError> {
    Ok(db()?.list_frameworks().await?)
}

/// The structure of one framework version, with its profiles.
#[server(prefix = "/api", endpoint = "framework")]
pub async fn get_framework(version: String) -> Result<FrameworkOverview, AppError> {
    let db = db()?;
    let stored = db
        .framework(&version)
        .await?
        .ok_or_else(|| AppError::not_found(format!("CAF version {version:?}")))?;
    let profiles = db.profiles_for(&version).await?;
    Ok(crate::shape::overview(stored, profiles))
}

/// One contributing outcome in full.
#[server(prefix = "/api", endpoint = "outcome")]
pub async fn get_outcome(version: String, outcome: String) -> Result<OutcomeDetail, AppError> {
    let db = db()?;
    let stored = db
        .framework(&version)
        .await?
        .ok_or_else(|| AppError::not_found(format!("CAF version {version:?}")))?;
    let profiles = db.profiles_for(&version).await?;
    crate::shape::outcome_detail(&stored.framework, &outcome, &profiles)
        .ok_or_else(|| AppError::not_found(format!("Outcome {outcome:?} of CAF {version}")))
}

/// What changed between two framework versions, where the app knows how they map.
#[server(prefix = "/api", endpoint = "changes")]
pub async fn get_changes(from: String, to: String) -> Result<ChangesView, AppError> {
    let db = db()?;
    let crosswalk = caf::bundled_crosswalk();
    if crosswalk.from_version != from || crosswalk.to_version != to {
        return Err(AppError::not_found(format!(
            "A comparison of CAF {from} with CAF {to}"
        )));
    }
    let load = |v: String| {
        let db = db.clone();
        async move {
            db.framework(&v)
                .await?
                .ok_or_else(|| AppError::not_found(format!("CAF version {v:?}")))
        }
    };
    let old = load(from).await?;
    let new = load(to).await?;
    Ok(ChangesView {
        changes: caf::changes(&old.framework, &new.framework, &crosswalk),
        titles: new
            .framework
            .outcomes()
            .map(|o| (o.id.clone(), o.title.clone()))
            .collect(),
        outcome_counts: (
            old.framework.counts().outcomes,
            new.framework.counts().outcomes,
        ),
    })
}
