//! Server functions for the board reports page.

use crate::error::AppError;
use crate::types::ReportListing;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
#[cfg(feature = "ssr")]
use crate::roles::Permission;

/// The board reports page: the organisation and the reports the viewer may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsView {
    /// The organisation's name.
    pub organisation: String,
    /// Assessments whose report the viewer may read, newest first.
    pub reports: Vec<ReportListing>,
    /// Whether the viewer sees drafts too (they read assessments).
    pub sees_drafts: bool,
}

/// The assessments whose board report the signed-in member may read.
#[server(prefix = "/api/reports", endpoint = "list")]
pub async fn board_reports(slug: String) -> Result<ReportsView, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadReports).await?;
            let db = ctx::db()?;
            let organisation = db
                .organisation_by_slug(&slug)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            Ok(ReportsView {
                organisation,
                reports: db.report_listings(&org).await?,
                sees_drafts: org.role().can(Permission::ReadAssessments),
            })
        }
        .await,
    )
}
