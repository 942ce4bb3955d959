//! The outcome's evidence: linked register items, linking another, and adding a new one (a
//! file, a link or a note) from the outcome page.

use crate::assess::{Classification, EvidenceItem, OutcomeWorkspace};
use crate::assess_api::{AddEvidence, LinkEvidence};
use crate::components::FormError;
use crate::pages::evidence_fields::EvidenceFieldsForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub(super) fn evidence_line(slug: &str, item: &EvidenceItem) -> AnyView {
    let classification = Classification::from_key(&item.fields.classification)
        .map(|c| c.label())
        .unwrap_or("");
    let title = item.fields.title.clone();
    let target = match (item.kind, &item.url) {
        (crate::assess::EvidenceKind::File, _) => {
            Some(format!("/org/{slug}/evidence/{}/download", item.id))
        }
        (crate::assess::EvidenceKind::Link, Some(url))
            if url.starts_with("https://") || url.starts_with("http://") =>
        {
            Some(url.clone())
        }
        _ => None,
    };
    let detail = match item.kind {
        crate::assess::EvidenceKind::File => format!(
            "File {} ({} bytes, SHA-256 {}…)",
            item.file_name.clone().unwrap_or_default(),
            item.file_size.unwrap_or_default(),
            item.sha256
                .clone()
                .unwrap_or_default()
                .chars()
                .take(12)
                .collect::<String>()
        ),
        crate::assess::EvidenceKind::Link => {
            format!("Link: {}", item.url.clone().unwrap_or_default())
        }
        crate::assess::EvidenceKind::Note => {
            format!("Note: {}", item.note.clone().unwrap_or_default())
        }
    };
    view! {
        <span>
            {match target {
                Some(href) if href.starts_with('/') => view! { <a href=href download="" rel="external">{title}</a> }.into_any(),
                Some(href) => view! { <a href=href rel="noopener noreferrer">{title}</a> }.into_any(),
                None => view! { <strong>{title}</strong> }.into_any(),
            }}
            " " <span class="tag tag--grey">{classification}</span>
            {item.stale.then(|| view! { " " <strong class="tag tag--red">"Review overdue"</strong> })}
            <span class="hint">{format!("{detail} · owner {} · review by {}", item.fields.owner, item.fields.review_by.clone().unwrap_or_else(|| "not set".into()))}</span>
        </span>
    }
    .into_any()
}

#[component]
pub(super) fn EvidencePanel(
    data: OutcomeWorkspace,
    slug: String,
    editable: bool,
    here: String,
) -> impl IntoView {
    let link = ServerAction::<LinkEvidence>::new();
    let add = ServerAction::<AddEvidence>::new();
    let reload = move |done: bool| {
        if done {
            crate::browser::go_to(&crate::browser::current_path());
        }
    };
    Effect::new(move |_| reload(matches!(link.value().get(), Some(Ok(())))));
    Effect::new(move |_| reload(matches!(add.value().get(), Some(Ok(_)))));
    let scope_id = data.scope.id;
    let outcome = data.outcome.id.clone();
    let upload_action = format!("/org/{slug}/evidence/upload");
    let max_upload = data.max_upload;
    // The upload form posts to a plain HTTP endpoint that redirects back here with its answer.
    let (upload_error, added) = {
        let query = use_query_map();
        let query = query.read_untracked();
        (query.get("upload_error"), query.get("added").is_some())
    };
    let upload_failed = upload_error.is_some();
    let (slug_b, outcome_b) = (slug.clone(), outcome.clone());
    let (slug_c, outcome_c) = (slug.clone(), outcome.clone());
    let outcome_d = outcome.clone();
    view! {
        <section aria-labelledby="evidence-heading">
            <h2 class="heading-m" id="evidence-heading">"Evidence"</h2>
            {upload_error.map(|e| view! {
                <div class="error-summary" role="alert" id="upload-error">
                    <p class="body">{format!("The file was not added: {e}")}</p>
                </div>
            })}
            {(added && !upload_failed).then(|| view! {
                <div class="inset" role="status" id="upload-added"><p class="body">"The file was added to the register and linked to this outcome."</p></div>
            })}
            {if data.evidence.is_empty() {
                view! { <p class="body secondary">"No evidence is linked to this outcome yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="list evidence-list" id="linked-evidence">
                        {data.evidence.iter().map(|item| {
                            let id = item.id;
                            let line = evidence_line(&slug, item);
                            let (s, o) = (slug.clone(), outcome.clone());
                            view! {
                                <li>
                                    {line}
                                    {editable.then(|| view! {
                                        <ActionForm action=link attr:class="inline-form">
                                            <input type="hidden" name="slug" value=s />
                                            <input type="hidden" name="evidence" value=id />
                                            <input type="hidden" name="scope_id" value=scope_id />
                                            <input type="hidden" name="outcome" value=o />
                                            <input type="hidden" name="link" value="false" />
                                            <button type="submit" class="link-button">"Unlink"</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {editable.then(|| view! {
                <FormError value=link.value() />
                <FormError value=add.value() />
                {(!data.other_evidence.is_empty()).then(|| view! {
                    <ActionForm action=link attr:class="form form--inline">
                        <input type="hidden" name="slug" value=slug_b.clone() />
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_b.clone() />
                        <input type="hidden" name="link" value="true" />
                        <div class="form-group">
                            <label class="label" for="link-existing">"Link evidence from the register"</label>
                            <select class="select" id="link-existing" name="evidence">
                                {data.other_evidence.iter().map(|(id, title)| view! { <option value=*id>{title.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class="button button--secondary">"Link"</button>
                    </ActionForm>
                })}
                <details class="details" id="add-link">
                    <summary class="details__summary">"Add a link or a note"</summary>
                    <ActionForm action=add attr:class="form">
                        <input type="hidden" name="slug" value=slug_c.clone() />
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_c.clone() />
                        <div class="form-group">
                            <label class="label" for="ev-kind">"Kind"</label>
                            <select class="select" id="ev-kind" name="kind">
                                <option value="link">"Link (SharePoint, a ticket, a policy id)"</option>
                                <option value="note">"Note"</option>
                            </select>
                        </div>
                        <EvidenceFieldsForm prefix="ev" />
                        <div class="form-group">
                            <label class="label" for="ev-url">"Address or reference (for a link)"</label>
                            <input class="input" id="ev-url" name="url" type="text" spellcheck="false" />
                        </div>
                        <div class="form-group">
                            <label class="label" for="ev-note">"Note (for a note)"</label>
                            <textarea class="textarea" id="ev-note" name="note" rows="3"></textarea>
                        </div>
                        <button type="submit" class="button">"Add and link"</button>
                    </ActionForm>
                </details>
                <details class="details" id="add-file" open=upload_failed>
                    <summary class="details__summary">"Upload a file"</summary>
                    <form class="form" method="post" enctype="multipart/form-data" action=upload_action.clone()>
                        <input type="hidden" name="scope_id" value=scope_id />
                        <input type="hidden" name="outcome" value=outcome_d.clone() />
                        <input type="hidden" name="next" value=here.clone() />
                        <EvidenceFieldsForm prefix="up" />
                        <div class="form-group">
                            <label class="label" for="up-file">"File" <span class="hint">{crate::filetypes::upload_hint(max_upload)}</span></label>
                            <input class="file-upload" id="up-file" name="file" type="file" accept=crate::filetypes::accept_attribute() required />
                        </div>
                        <button type="submit" class="button">"Upload and link"</button>
                    </form>
                </details>
            })}
        </section>
    }
}
