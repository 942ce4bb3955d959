//! Review on the outcome page: comments (adding, resolving) and the scope's workflow buttons.

use crate::assess::{OutcomeWorkspace, WorkflowAction};
use crate::assess_api::{AddComment, ResolveComment, WorkflowStep};
use crate::components::{FormError, when};
use crate::roles::Permission;
use leptos::prelude::*;

#[component]
pub(super) fn Comments(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let add = ServerAction::<AddComment>::new();
    let resolve = ServerAction::<ResolveComment>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) || matches!(resolve.value().get(), Some(Ok(())))
        {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let can_comment = data.role.can(Permission::Comment)
        && data.scope.state != crate::assess::ScopeState::SignedOff;
    view! {
        <section aria-labelledby="comments-heading">
            <h2 class="heading-m" id="comments-heading">{format!("Comments ({} open)", data.comments.iter().filter(|c| c.resolved.is_none()).count())}</h2>
            <ol class="comments" id="comments">
                {data.comments.iter().map(|c| {
                    let id = c.id;
                    let s = slug.clone();
                    view! {
                        <li class=if c.resolved.is_some() { "comment comment--resolved" } else { "comment" }>
                            <p class="comment__meta">{format!("{} · {}", c.author, when(&c.created_at))}</p>
                            <p class="comment__body">{c.body.clone()}</p>
                            {match c.resolved.clone() {
                                Some((who, at)) => view! { <p class="hint">{format!("Resolved by {who}, {}", when(&at))}</p> }.into_any(),
                                None => can_comment.then(|| view! {
                                    <ActionForm action=resolve attr:class="inline-form">
                                        <input type="hidden" name="slug" value=s />
                                        <input type="hidden" name="comment" value=id />
                                        <button type="submit" class="link-button">"Mark resolved"</button>
                                    </ActionForm>
                                }).into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {can_comment.then(|| view! {
                <FormError value=add.value() />
                <ActionForm action=add attr:class="form">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="scope_id" value=data.scope.id />
                    <input type="hidden" name="outcome" value=data.outcome.id.clone() />
                    <div class="form-group">
                        <label class="label" for="comment-body">"Add a comment"</label>
                        <textarea class="textarea" id="comment-body" name="body" rows="3" required></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Add comment"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
pub(super) fn Workflow(data: OutcomeWorkspace, slug: String, here: String) -> impl IntoView {
    let step = ServerAction::<WorkflowStep>::new();
    let here = StoredValue::new(here);
    Effect::new(move |_| {
        if matches!(step.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&here.get_value());
        }
    });
    let actions = data.actions_available.clone();
    let (scope_id, outcome_id) = (data.scope.id, data.outcome.id.clone());
    (!actions.is_empty()).then(|| {
        view! {
            <section aria-labelledby="workflow-heading" class="workflow">
                <h2 class="heading-m" id="workflow-heading">{format!("Review and sign-off: {}", data.scope.name)}</h2>
                <p class="body">{format!("This scope is {}.", data.scope.state.label().to_lowercase())}
                    {actions.contains(&WorkflowAction::SignOff).then_some(" Signing off freezes every answer, status, narrative and the evidence list in a snapshot with its SHA-256. Nothing can change afterwards.")}
                </p>
                <FormError value=step.value() />
                {actions.iter().map(|a| {
                    let a = *a;
                    let (s, o) = (slug.clone(), outcome_id.clone());
                    view! {
                        <ActionForm action=step attr:class="form workflow__step">
                            <input type="hidden" name="slug" value=s />
                            <input type="hidden" name="scope_id" value=scope_id />
                            <input type="hidden" name="outcome" value=o />
                            <input type="hidden" name="action" value=a.key() />
                            {(a == WorkflowAction::Return).then(|| view! {
                                <div class="form-group">
                                    <label class="label" for="workflow-comment">"What needs to change" <span class="hint">"Required to return the scope; it is added to this outcome's comments."</span></label>
                                    <textarea class="textarea" id="workflow-comment" name="comment" rows="3"></textarea>
                                </div>
                            })}
                            <button type="submit"
                                class=if a == WorkflowAction::Return { "button button--secondary" } else { "button" }
                                id=format!("workflow-{}", a.key())>{a.label()}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </section>
        }
    })
}
