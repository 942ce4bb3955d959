//! The audit log pages: the whole installation's (platform administrators) and one
//! organisation's (organisation admins), with filters in the address and pages of 50.

use super::audit_words::{detail_tables, object_words, sentence};
use crate::audit_api::{AUDIT_PAGE_SIZE, AuditQuery, org_audit, platform_audit};
use crate::components::{ErrorPanel, Loading, when};
use crate::types::AuditPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

/// The filters and page named in the address.
fn query_of(map: &ParamsMap) -> AuditQuery {
    let text = |key: &str| map.get(key).map(|v| v.trim().to_owned());
    AuditQuery::from_parts(
        text("who").and_then(|w| w.parse().ok()),
        text("action"),
        text("object"),
        text("from"),
        text("to"),
        text("page").and_then(|p| p.parse().ok()),
    )
}

/// The address of this log with these filters, at this page.
fn address(base: &str, query: &AuditQuery, page: i64) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |key: &str, value: &str| {
        if !value.is_empty() {
            parts.push(format!("{key}={}", encode(value)));
        }
    };
    add("who", &query.who.map(|w| w.to_string()).unwrap_or_default());
    add("action", &query.action);
    add("object", &query.object);
    add("from", &query.from);
    add("to", &query.to);
    if page > 0 {
        add("page", &page.to_string());
    }
    if parts.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

/// What stays as it is in a query value: letters, digits and `-._~:` (times keep their colons).
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// The filter form, the records of one page in words, and links to the pages either side.
#[component]
fn AuditLog(page: AuditPage, query: AuditQuery, base: String) -> impl IntoView {
    let first = query.page * AUDIT_PAGE_SIZE + 1;
    let shown = page.rows.len() as i64;
    let newer = (query.page > 0).then(|| address(&base, &query, query.page - 1));
    let older = page.more.then(|| address(&base, &query, query.page + 1));
    let who = query.who;
    let filtered = query != AuditQuery::default();
    view! {
        <form class="form audit-filter" method="get" action=base.clone() id="audit-filter">
            <div class="audit-filter__fields">
                <div class="form-group">
                    <label class="label" for="audit-who">"Person"</label>
                    <select class="select" id="audit-who" name="who">
                        <option value="">"Everyone"</option>
                        {page.people.iter().map(|(id, name)| view! {
                            <option value=id.to_string() selected=who == Some(*id)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="form-group">
                    <label class="label" for="audit-action">"Action"</label>
                    <p class="hint" id="audit-action-hint">"Its start, e.g. sign_in, key, membership, scope"</p>
                    <input class="input" id="audit-action" name="action" type="text" spellcheck="false"
                        aria-describedby="audit-action-hint" value=query.action.clone() />
                </div>
                <div class="form-group">
                    <label class="label" for="audit-object">"Object"</label>
                    <p class="hint" id="audit-object-hint">"Its start, e.g. user:15, scope:3, evidence"</p>
                    <input class="input" id="audit-object" name="object" type="text" spellcheck="false"
                        aria-describedby="audit-object-hint" value=query.object.clone() />
                </div>
                <div class="form-group">
                    <label class="label" for="audit-from">"From"</label>
                    <input class="input" id="audit-from" name="from" type="date" value=query.from.clone() />
                </div>
                <div class="form-group">
                    <label class="label" for="audit-to">"To"</label>
                    <input class="input" id="audit-to" name="to" type="date" value=query.to.clone() />
                </div>
            </div>
            <div class="actions-row">
                <button class="button button--secondary" type="submit">"Filter"</button>
                {filtered.then(|| view! { <a class="body" href=base.clone()>"Clear the filters"</a> })}
            </div>
        </form>
        {if page.rows.is_empty() {
            view! { <p class="body" id="audit-none">"No records match."</p> }.into_any()
        } else {
            view! {
                <p class="body" role="status">{format!("Records {first} to {}, newest first.", first + shown - 1)}</p>
                <ol class="audit-list" id="audit">
                    {page.rows.into_iter().map(|r| {
                        let line = sentence(&r);
                        let (changes, facts) = detail_tables(&r.detail);
                        let object_label = format!("Only records about {}", object_words(&r));
                        let object_link = address(&base, &AuditQuery { object: r.object.clone(), ..AuditQuery::default() }, 0);
                        let meta = format!(
                            "#{} · {}{}",
                            r.seq,
                            r.action,
                            r.address.as_deref().map(|a| format!(" · from {a}")).unwrap_or_default()
                        );
                        let details = (!changes.is_empty() || !facts.is_empty()).then(|| view! {
                            <details class="details audit-entry__details">
                                <summary class="details__summary">
                                    {if changes.is_empty() { "Details" } else { "What changed" }}
                                </summary>
                                {(!changes.is_empty()).then(|| view! {
                                    <table class="table table--dense">
                                        <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                                        <tbody>
                                            {changes.into_iter().map(|(f, b, a)| view! { <tr><th scope="row">{f}</th><td>{b}</td><td>{a}</td></tr> }).collect_view()}
                                        </tbody>
                                    </table>
                                })}
                                {(!facts.is_empty()).then(|| view! {
                                    <table class="table table--dense">
                                        <thead><tr><th scope="col">"Fact"</th><th scope="col">"Value"</th></tr></thead>
                                        <tbody>
                                            {facts.into_iter().map(|(f, v)| view! { <tr><th scope="row">{f}</th><td>{v}</td></tr> }).collect_view()}
                                        </tbody>
                                    </table>
                                })}
                            </details>
                        });
                        view! {
                            <li class="audit-entry">
                                <p class="audit-entry__line">
                                    <span class="audit-entry__when">{when(&r.occurred_at)}</span>
                                    " "{line}
                                </p>
                                <p class="hint">
                                    {meta}" · "
                                    <a href=object_link aria-label=object_label>{r.object.clone()}</a>
                                </p>
                                {details}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        {(newer.is_some() || older.is_some()).then(|| view! {
            <nav class="pagination" aria-label="Pages of the audit log">
                {newer.map(|href| view! { <a class="pagination__link" href=href rel="prev">"Newer records"</a> })}
                {older.map(|href| view! { <a class="pagination__link" href=href rel="next" id="audit-older">"Older records"</a> })}
            </nav>
        })}
    }
}

/// The whole audit log (platform administrators).
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query_of(&query.read()),
        |q| {
            platform_audit(
                q.who,
                Some(q.action),
                Some(q.object),
                Some(q.from),
                Some(q.to),
                Some(q.page),
            )
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(page) => view! {
                        <Title text="Audit log" />
                        <h1 class="heading-xl">"Audit log"</h1>
                        <p class="body">
                            "Every sign-in, change and refusal on this installation, newest first. The "
                            "records are chained by hash, so the command "<code>"server audit verify"</code>
                            " can prove that none was edited or removed."
                        </p>
                        <AuditLog page query=query_of(&query.read_untracked()) base="/admin/audit".to_owned() />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An organisation's audit log (organisation admins).
#[component]
pub fn OrgAuditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let data = Resource::new(
        move || (slug(), query_of(&query.read())),
        |(slug, q)| {
            org_audit(
                slug,
                q.who,
                Some(q.action),
                Some(q.object),
                Some(q.from),
                Some(q.to),
                Some(q.page),
            )
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(page) => {
                        let slug = slug();
                        view! {
                            <Title text="Organisation audit log" />
                            <h1 class="heading-xl">"Audit log"</h1>
                            <p class="body"><a href=format!("/org/{slug}")>"Back to the organisation"</a></p>
                            <AuditLog page query=query_of(&query.read_untracked()) base=format!("/org/{slug}/audit") />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_the_filters_and_name_the_page() {
        let q = AuditQuery {
            who: Some(4),
            action: "sign in".into(),
            ..AuditQuery::default()
        };
        assert_eq!(
            address("/admin/audit", &q, 2),
            "/admin/audit?who=4&action=sign%20in&page=2"
        );
        assert_eq!(
            address("/admin/audit", &AuditQuery::default(), 0),
            "/admin/audit"
        );
    }
}
