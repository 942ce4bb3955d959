//! The screen an assessor lives in: one outcome of one scope. Answers, the live suggested status,
//! the confirmed status, the narrative (all autosaved), evidence, comments, plan actions, the
//! workflow and the outcome's history.

mod editor;
mod evidence_panel;
mod history;
mod plan_actions;
mod review;

use crate::assess::OutcomeWorkspace;
use crate::assess_api::outcome_page_data;
use crate::components::{ErrorPanel, Loading, StatusTag};
use crate::pages::carried::CarryPanel;
use crate::pages::signed_view::{SignOffPanel, SignedAnswers};
use crate::roles::Permission;
use editor::Editor;
use evidence_panel::EvidencePanel;
use history::History;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use plan_actions::Actions;
use review::{Comments, Workflow};

/// The outcome page of an assessment.
#[component]
pub fn AnswerPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("scope")
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or_default(),
            p.get("outcome").unwrap_or_default(),
        )
    };
    let page = Resource::new(key, |(slug, scope, outcome)| {
        outcome_page_data(slug, scope, outcome)
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(data) => {
                        let slug = key().0;
                        view! { <Workspace data slug /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Workspace(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let assessment_id = data.assessment.id;
    let scope = data.scope.clone();
    let editable = scope.state.editable() && data.role.can(Permission::EditAnswers);
    let base = format!("/org/{slug}/assessments/{assessment_id}");
    let here = format!("{base}/scopes/{}/outcomes/{}", scope.id, data.outcome.id);
    let outcome_link = |id: &str| format!("{base}/scopes/{}/outcomes/{id}", scope.id);
    let (prev, next) = data.neighbours.clone();
    view! {
        <Title text=format!("{} {} – {}", data.outcome.id, data.outcome.title, scope.name) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                <li><a href=base.clone()>{data.assessment.title.clone()}</a></li>
                <li>{format!("{} ({})", scope.name, scope.state.label())}</li>
            </ol>
        </nav>
        <span class="caption">{format!("{} · Principle {} {}", scope.name, data.principle.0, data.principle.1)}</span>
        <h1 class="heading-xl">{format!("{} {}", data.outcome.id, data.outcome.title)}</h1>
        {data.outcome.description.clone().map(|d| view! { <p class="lead">{d}</p> })}
        <dl class="facts">
            <div><dt>"Target"</dt><dd>{match data.target { Some(t) => view! { <StatusTag status=t /> }.into_any(), None => view! { "none set" }.into_any() }}</dd></div>
            <div><dt>"Scope"</dt><dd id="scope-state">{scope.state.label()}</dd></div>
            <div><dt>"Assigned to"</dt><dd>{data.assignee.clone().unwrap_or_else(|| "nobody".into())}</dd></div>
            <div><dt>"Due"</dt><dd>{data.due.clone().unwrap_or_else(|| "not set".into())}</dd></div>
        </dl>
        {data.sign_off.clone().map(|sign_off| view! { <SignOffPanel sign_off scope=scope.name.clone() /> })}
        {data.carry.clone().filter(|_| data.sign_off.is_none()).map(|note| view! { <CarryPanel note slug=slug.clone() scope_id=scope.id outcome=data.outcome.id.clone() editable /> })}
        {(!editable && data.sign_off.is_none()).then(|| view! {
            <div class="inset" id="read-only-note">
                <p class="body">{if scope.state == crate::assess::ScopeState::SignedOff {
                    "This scope is signed off. Its answers are frozen in the signed snapshot and cannot change."
                } else if scope.state.editable() {
                    "Your role can read this outcome but not change its answers."
                } else {
                    "This scope is with the reviewer, assurer or approver: answers cannot change until it is returned."
                }}</p>
            </div>
        })}
        {if data.sign_off.is_some() {
            view! { <SignedAnswers data=data.clone() /> }.into_any()
        } else {
            view! { <Editor data=data.clone() slug=slug.clone() editable /> }.into_any()
        }}
        {view! { <EvidencePanel data=data.clone() slug=slug.clone() editable here=here.clone() /> }.into_any()}
        {view! { <Comments data=data.clone() slug=slug.clone() /> }.into_any()}
        {view! { <Workflow data=data.clone() slug=slug.clone() here=here.clone() /> }.into_any()}
        {view! { <Actions data=data.clone() slug=slug.clone() /> }.into_any()}
        {view! { <History data=data.clone() /> }.into_any()}
        <p class="hint attribution">{data.attribution.clone()}</p>
        <nav class="pager" aria-label="Other outcomes in this scope">
            {prev.map(|p| view! { <a class="pager__prev" href=outcome_link(&p)>{format!("Previous: {p}")}</a> })}
            {next.map(|n| view! { <a class="pager__next" href=outcome_link(&n)>{format!("Next: {n}")}</a> })}
        </nav>
    }
}
