//! The organisation's evidence register, and the improvement plan of an assessment.

use super::evidence_fields::EvidenceFieldsForm;
use crate::assess::{ActionStatus, Classification, EvidenceItem, EvidenceKind};
use crate::assess_api::{AddEvidence, UpdateAction, UpdateEvidence, evidence_register, plan};
use crate::components::{ErrorPanel, FormError, Loading, when};
use crate::roles::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The evidence register page.
#[component]
pub fn EvidencePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let add = ServerAction::<AddEvidence>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let update = ServerAction::<UpdateEvidence>::new();
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(()))) {
            crate::browser::go_to(&format!("/org/{}/evidence?updated=1", slug()));
        }
    });
    let editing = move || {
        query
            .read()
            .get("edit")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(slug, evidence_register);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(register) => {
                        let slug = slug();
                        let edit = editing().filter(|_| register.can_edit).map(|id| {
                            match register.items.iter().find(|e| e.id == id) {
                                Some(item) => {
                                    let remove_error = query.read().get("remove_error");
                                    view! { <EditEvidence item=item.clone() slug=slug.clone() update remove_error /> }.into_any()
                                }
                                None => view! { <div class="error-summary" role="alert"><p class="body">"That item is not in the register."</p></div> }.into_any(),
                            }
                        });
                        view! {
                            <Title text="Evidence register" />
                            <span class="caption">"Evidence"</span>
                            <h1 class="heading-xl">"Evidence register"</h1>
                            <p class="body">"Files, links and notes that support outcomes, in any assessment and year. Items past their review-by date are flagged wherever they are used."</p>
                            {move || query.read().get("upload_error").map(|e| view! { <div class="error-summary" role="alert" id="upload-error"><p class="body">{format!("The file was not added: {e}")}</p></div> })}
                            {move || {
                            let query = query.read();
                            (query.get("added").is_some() && query.get("upload_error").is_none()).then(|| view! { <div class="inset" role="status"><p class="body">"The file was added to the register."</p></div> })
                            }}
                            {move || query.read().get("updated").map(|_| view! { <div class="inset" role="status" id="evidence-updated"><p class="body">"The item's details were saved."</p></div> })}
                            {move || query.read().get("removed").map(|_| view! { <div class="inset" role="status" id="evidence-removed"><p class="body">"The item was removed from the register."</p></div> })}
                            {edit}
                            {if register.items.is_empty() {
                                view! { <p class="body">"The register is empty."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Evidence register" tabindex="0"><table class="table table--dense" id="register">
                                        <thead><tr><th scope="col" class="register__title">"Title"</th><th scope="col">"Kind"</th><th scope="col">"Owner"</th><th scope="col">"Describes"</th><th scope="col">"Review by"</th><th scope="col">"Classification"</th><th scope="col">"Used by"</th></tr></thead>
                                        <tbody>
                                            {register.items.iter().map(|e| {
                                                let title = match (e.kind, &e.url) {
                                                    (EvidenceKind::File, _) => view! { <a href=format!("/org/{slug}/evidence/{}/download", e.id) download="" rel="external">{e.fields.title.clone()}</a> }.into_any(),
                                                    (EvidenceKind::Link, Some(u)) if u.starts_with("https://") || u.starts_with("http://") => view! { <a href=u.clone() rel="noopener noreferrer">{e.fields.title.clone()}</a> }.into_any(),
                                                    _ => view! { <span>{e.fields.title.clone()}</span> }.into_any(),
                                                };
                                                let kind = match e.kind {
                                                    EvidenceKind::File => format!("File: {} ({} bytes)", e.file_name.clone().unwrap_or_default(), e.file_size.unwrap_or_default()),
                                                    EvidenceKind::Link => format!("Link: {}", e.url.clone().unwrap_or_default()),
                                                    EvidenceKind::Note => format!("Note: {}", e.note.clone().unwrap_or_default().chars().take(120).collect::<String>()),
                                                };
                                                let change = register.can_edit.then(|| view! {
                                                    <a class="hint" rel="external" href=format!("/org/{slug}/evidence?edit={}#edit-item", e.id)>"Change details"<span class="visually-hidden">{format!(" of {}", e.fields.title)}</span></a>
                                                });
                                                view! {
                                                    <tr>
                                                        <td>{title}<span class="hint">{format!("Added {}", when(&e.created_at))}</span>{change}</td>
                                                        <td>{kind}</td>
                                                        <td>{e.fields.owner.clone()}</td>
                                                        <td>{e.fields.describes_date.clone().unwrap_or_default()}</td>
                                                        <td>{e.fields.review_by.clone().unwrap_or_else(|| "not set".into())}{e.stale.then(|| view! { " " <strong class="tag tag--red">"Review overdue"</strong> })}</td>
                                                        <td>{Classification::from_key(&e.fields.classification).map(|c| c.label()).unwrap_or_default()}</td>
                                                        <td>{used_by(&slug, e.id, &register.uses)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            {register.can_edit.then(|| view! {
                                <h2 class="heading-l">"Upload a file"</h2>
                                <form class="form" method="post" enctype="multipart/form-data" action=format!("/org/{slug}/evidence/upload")>
                                    <EvidenceFieldsForm prefix="file" />
                                    <div class="form-group">
                                        <label class="label" for="file-file">"File" <span class="hint">{crate::filetypes::upload_hint(register.max_upload)}</span></label>
                                        <input class="file-upload" id="file-file" name="file" type="file" accept=crate::filetypes::accept_attribute() required />
                                    </div>
                                    <button type="submit" class="button">"Upload"</button>
                                </form>
                                <h2 class="heading-l">"Add a link or a note"</h2>
                                <FormError value=add.value() />
                                <ActionForm action=add attr:class="form">
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <div class="form-group">
                                        <label class="label" for="reg-kind">"Kind"</label>
                                        <select class="select" id="reg-kind" name="kind">
                                            <option value="link">"Link (SharePoint, a ticket, a policy id)"</option>
                                            <option value="note">"Note"</option>
                                        </select>
                                    </div>
                                    <EvidenceFieldsForm prefix="reg" />
                                    <div class="form-group">
                                        <label class="label" for="reg-url">"Address or reference (for a link)"</label>
                                        <input class="input" id="reg-url" name="url" type="text" spellcheck="false" />
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="reg-note">"Note (for a note)"</label>
                                        <textarea class="textarea" id="reg-note" name="note" rows="3"></textarea>
                                    </div>
                                    <button type="submit" class="button">"Add to the register"</button>
                                </ActionForm>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The outcomes an item supports, each linked to its page, or "Not used yet".
fn used_by(slug: &str, id: i64, uses: &[crate::assess::EvidenceUse]) -> AnyView {
    let mine: Vec<_> = uses.iter().filter(|u| u.evidence_id == id).collect();
    if mine.is_empty() {
        return view! { <span class="hint">"Not used yet"</span> }.into_any();
    }
    view! {
        <ul class="list register__uses">
            {mine.into_iter().map(|u| {
                let href = format!(
                    "/org/{slug}/assessments/{}/scopes/{}/outcomes/{}",
                    u.assessment_id, u.scope_id, u.outcome_id
                );
                let label = format!("{} ({}, {})", u.outcome_id, u.scope_name, u.assessment_title);
                view! { <li><a href=href>{label}</a></li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The form that changes one register item's details, shown above the register.
#[component]
fn EditEvidence(
    item: EvidenceItem,
    slug: String,
    update: ServerAction<UpdateEvidence>,
    /// Why the last removal was refused, if it was.
    remove_error: Option<String>,
) -> impl IntoView {
    let register = format!("/org/{slug}/evidence");
    let heading = format!(
        "Change the details of \u{201c}{}\u{201d}",
        item.fields.title
    );
    let remove_label = format!("Remove \u{201c}{}\u{201d}", item.fields.title);
    let remove_action = format!("{register}/{}/remove", item.id);
    let removal_note = format!(
        "For an item added by mistake, or one the council must no longer hold. {}{}It cannot be \
         undone; an item that supports an outcome of a scope in review or signed off stays.",
        match item.uses {
            0 => String::new(),
            n => format!(
                "Its {} to outcomes go with it. ",
                crate::components::count(n, "link", "links")
            ),
        },
        if item.kind == EvidenceKind::File {
            "The file is deleted from the server once no other item uses it. "
        } else {
            ""
        },
    );
    let text = match item.kind {
        EvidenceKind::File => view! {
            <p class="hint">{format!("The file itself ({}) cannot change: upload a new version as a new item.", item.file_name.clone().unwrap_or_default())}</p>
        }.into_any(),
        EvidenceKind::Link => view! {
            <div class="form-group">
                <label class="label" for="edit-text">"Address or reference"</label>
                <input class="input" id="edit-text" name="text" type="text" spellcheck="false" required value=item.url.clone() />
            </div>
        }.into_any(),
        EvidenceKind::Note => view! {
            <div class="form-group">
                <label class="label" for="edit-text">"Note"</label>
                <textarea class="textarea" id="edit-text" name="text" rows="4" required>{item.note.clone()}</textarea>
            </div>
        }.into_any(),
    };
    view! {
        <section class="inset" id="edit-item" aria-labelledby="edit-heading">
            <h2 class="heading-m" id="edit-heading">{heading}</h2>
            <p class="hint">"Assessments already signed off keep the details they were signed with."</p>
            {remove_error.map(|e| view! { <div class="error-summary" role="alert" id="remove-error"><p class="body">{format!("The item was not removed. {e}")}</p></div> })}
            <FormError value=update.value() />
            <ActionForm action=update attr:class="form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="id" value=item.id />
                <EvidenceFieldsForm prefix="edit" values=item.fields.clone() />
                {text}
                <div class="actions-row">
                    <button type="submit" class="button">"Save changes"</button>
                    <a class="body" href=register.clone()>"Cancel"</a>
                </div>
            </ActionForm>
            <details class="details" id="remove-item">
                <summary class="details__summary">"Remove this item from the register"</summary>
                <p class="body">{removal_note}</p>
                <form method="post" action=remove_action>
                    <button type="submit" class="button button--warning">{remove_label}</button>
                </form>
            </details>
        </section>
    }
}

/// The improvement plan page.
#[component]
pub fn PlanPage() -> impl IntoView {
    let key = super::assessment_address();
    let update = ServerAction::<UpdateAction>::new();
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(()))) {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let data = Resource::new(key, |(slug, id)| plan(slug, id));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => {
                        let (slug, id) = key();
                        let base = format!("/org/{slug}/assessments/{id}");
                        let lead = view.role.can(Permission::LeadAssessment);
                        let names: std::collections::BTreeMap<i64, String> = view.assessment.scopes.iter().map(|s| (s.id, s.name.clone())).collect();
                        let scope_name = move |sid: i64| names.get(&sid).cloned().unwrap_or_default();
                        let actions = view.actions.clone();
                        view! {
                            <Title text=format!("Improvement plan – {}", view.assessment.title) />
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <ol>
                                    <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                                    <li><a href=base.clone()>{view.assessment.title.clone()}</a></li>
                                </ol>
                            </nav>
                            <h1 class="heading-xl">"Improvement and implementation plan"</h1>
                            <h2 class="heading-m">"Outcomes below target"</h2>
                            {if view.below_target.is_empty() {
                                view! { <p class="body">"Every outcome meets its target."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Outcomes below target" tabindex="0"><table class="table table--dense" id="below-target">
                                        <thead><tr><th scope="col">"Scope"</th><th scope="col">"Outcome"</th><th scope="col">"Status"</th><th scope="col">"Target"</th><th scope="col">"Actions"</th></tr></thead>
                                        <tbody>
                                            {view.below_target.iter().map(|(sid, sname, oid, title, status, target)| {
                                                let count = view.actions.iter().filter(|a| a.scope_id == *sid && a.outcome == *oid && a.status != ActionStatus::Declined).count();
                                                view! {
                                                    <tr>
                                                        <td>{sname.clone()}</td>
                                                        <td><a href=format!("{base}/scopes/{sid}/outcomes/{oid}")>{format!("{oid} {title}")}</a></td>
                                                        <td>{status.clone()}</td>
                                                        <td>{target.clone()}</td>
                                                        <td>{if count == 0 { "none yet".to_owned() } else { count.to_string() }}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <h2 class="heading-m">"Actions"</h2>
                            <FormError value=update.value() />
                            {if view.actions.is_empty() {
                                view! { <p class="body">"No actions yet. Add them from an outcome's page."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Actions" tabindex="0"><table class="table table--dense" id="plan">
                                        <thead><tr><th scope="col">"Outcome"</th><th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Status"</th></tr></thead>
                                        <tbody>
                                            {actions.into_iter().map(|a| {
                                                let s = slug.clone();
                                                let notes = (!a.notes.is_empty()).then(|| format!("Notes: {}", a.notes));
                                                let aid = a.id;
                                                let current = a.status;
                                                view! {
                                                    <tr>
                                                        <td>{format!("{} ({})", a.outcome, scope_name(a.scope_id))}</td>
                                                        <td>{a.description.clone()}<span class="hint">{format!("Proposed by {}", a.proposed_by)}</span>{notes.map(|n| view! { <span class="hint">{n}</span> })}</td>
                                                        <td>{a.owner.clone()}</td>
                                                        <td>{a.due.clone().unwrap_or_default()}</td>
                                                        <td>
                                                            {if lead {
                                                                view! {
                                                                    <ActionForm action=update attr:class="inline-form">
                                                                        <input type="hidden" name="slug" value=s />
                                                                        <input type="hidden" name="action" value=aid />
                                                                        <label class="visually-hidden" for=format!("status-{aid}")>"Status"</label>
                                                                        <select class="select" id=format!("status-{aid}") name="status">
                                                                            {ActionStatus::ALL.into_iter().filter(|s| *s != ActionStatus::Proposed || current == ActionStatus::Proposed).map(|s| view! { <option value=s.key() selected=s == current>{if current == ActionStatus::Proposed && s == ActionStatus::Open { "Accept (open)" } else { s.label() }}</option> }).collect_view()}
                                                                        </select>
                                                                        <label class="visually-hidden" for=format!("notes-{aid}")>"Notes"</label>
                                                                        <input class="input input--short" id=format!("notes-{aid}") name="notes" type="text" value=a.notes.clone() placeholder="Notes" />
                                                                        <button type="submit" class="button button--secondary">"Update"</button>
                                                                    </ActionForm>
                                                                }.into_any()
                                                            } else {
                                                                view! { <span>{a.status.label()}</span> }.into_any()
                                                            }}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
