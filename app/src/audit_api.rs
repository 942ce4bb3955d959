//! Server functions for the audit log: the platform's (platform administrator) and an
//! organisation's (its administrator), one filtered page at a time, content shown only to those
//! who may read it.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Records on one page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// One page of the audit log under the filters a person chose, with names for the ids in it.
#[cfg(feature = "ssr")]
async fn audit_page(
    viewer: i64,
    organisation_id: Option<i64>,
    filter: AuditQuery,
) -> Result<crate::types::AuditPage, AppError> {
    let db = ctx::db()?;
    let day = |text: &str, what: &str| -> Result<Option<String>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let bytes = text.as_bytes();
        let shaped = text.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && text
                .chars()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if shaped {
            Ok(Some(text.to_owned()))
        } else {
            Err(AppError::BadRequest(format!(
                "The {what} date must look like 2026-11-25."
            )))
        }
    };
    let page = filter.page.max(0);
    let records = db
        .audit_records_for(
            viewer,
            &crate::data::AuditFilter {
                organisation_id,
                action_prefix: Some(filter.action.trim().to_owned()).filter(|a| !a.is_empty()),
                actor_id: filter.who,
                object_prefix: Some(filter.object.trim().to_owned()).filter(|o| !o.is_empty()),
                from_date: day(&filter.from, "from")?,
                to_date: day(&filter.to, "to")?,
                offset: page.saturating_mul(AUDIT_PAGE_SIZE),
                limit: AUDIT_PAGE_SIZE + 1,
                ..Default::default()
            },
        )
        .await?;
    let more = records.len() as i64 > AUDIT_PAGE_SIZE;
    let records: Vec<_> = records.into_iter().take(AUDIT_PAGE_SIZE as usize).collect();
    let object_user = |object: &str| {
        object
            .strip_prefix("user:")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let mut ids: Vec<i64> = records
        .iter()
        .flat_map(|r| [r.event.actor_id, object_user(&r.event.object)])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = db.user_names(&ids).await?;
    let rows = records
        .into_iter()
        .map(|r| crate::types::AuditRow {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: r
                .event
                .actor_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or(r.event.actor),
            actor_id: r.event.actor_id,
            object_name: object_user(&r.event.object).and_then(|id| names.get(&id).cloned()),
            action: r.event.action,
            object: r.event.object,
            address: r.event.address,
            detail: if r.event.detail.is_null() {
                String::new()
            } else {
                r.event.detail.to_string()
            },
        })
        .collect();
    Ok(crate::types::AuditPage {
        rows,
        people: db.audit_people(organisation_id).await?,
        more,
    })
}

/// The filters and page of an audit log view, as they appear in the page's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only this person's actions (user id).
    pub who: Option<i64>,
    /// Only actions starting with this text.
    pub action: String,
    /// Only objects starting with this text, e.g. `user:15` or `scope:3`.
    pub object: String,
    /// From this day (`YYYY-MM-DD`), or empty.
    pub from: String,
    /// To this day (`YYYY-MM-DD`), or empty.
    pub to: String,
    /// Which page, from 0 (newest).
    pub page: i64,
}

impl AuditQuery {
    /// The query from the parts a request may leave out.
    pub fn from_parts(
        who: Option<i64>,
        action: Option<String>,
        object: Option<String>,
        from: Option<String>,
        to: Option<String>,
        page: Option<i64>,
    ) -> Self {
        Self {
            who,
            action: action.unwrap_or_default(),
            object: object.unwrap_or_default(),
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            page: page.unwrap_or_default().max(0),
        }
    }
}

/// The whole audit log, newest first, one page under filters (platform administrator).
#[server(prefix = "/api/admin", endpoint = "audit")]
pub async fn platform_audit(
    who: Option<i64>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<crate::types::AuditPage, AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            let filter = AuditQuery::from_parts(who, action, object, from, to, page);
            audit_page(user.account.id, None, filter).await
        }
        .await,
    )
}

/// The organisation's audit log, newest first, one page under filters (organisation admin).
#[server(prefix = "/api/org", endpoint = "audit")]
pub async fn org_audit(
    slug: String,
    who: Option<i64>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<crate::types::AuditPage, AppError> {
    respond(
        async {
            let (user, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            let filter = AuditQuery::from_parts(who, action, object, from, to, page);
            audit_page(user.account.id, Some(scope.organisation_id()), filter).await
        }
        .await,
    )
}
