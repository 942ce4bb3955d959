//! Administration: the platform's organisations and users, each organisation's members, and the
//! audit log views.

use crate::admin_api::{
    AdminInvite, CreateOrganisation, DisableUser, ResetUserFactors, admin_dashboard,
};
use crate::components::{ErrorPanel, FormError, Loading, successes, when};
use crate::error::AppError;
use crate::org_api::{OrgInvite, OrgRemoveMember, OrgSetRole, org_members, organisation};
use crate::roles::{Permission, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Shows the link an invitation produced.
#[component]
fn InviteResult(value: MappedSignal<Option<Result<String, AppError>>>) -> impl IntoView {
    move || {
        match value.get() {
        Some(Ok(text)) if text.starts_with("http") => Some(view! {
            <div class="inset" role="status">
                <p class="body">"Invitation created. Send this one-time link to the person (it works for 7 days):"</p>
                <p class="body"><code id="invite-link">{text}</code></p>
                <p class="hint">"They join when they accept it. Someone who already has an account here can also accept it on their account page."</p>
            </div>
        }.into_any()),
        Some(Ok(text)) => Some(view! { <div class="inset" role="status"><p class="body">{text}</p></div> }.into_any()),
        _ => None,
    }
    }
}

fn role_options(selected: Option<Role>) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| {
            view! { <option value=role.key() selected=selected == Some(role)>{role.label()}</option> }
        })
        .collect_view()
}

/// The fields of an invitation shared by both invite forms.
#[component]
fn InviteFields() -> impl IntoView {
    view! {
        <div class="form-group">
            <label class="label" for="invite-email">"Email address"</label>
            <input class="input" id="invite-email" name="email" type="email" spellcheck="false" required />
        </div>
        <div class="form-group">
            <label class="label" for="invite-name">"Name"</label>
            <input class="input" id="invite-name" name="name" type="text" required />
        </div>
    }
}

#[component]
fn RoleFields() -> impl IntoView {
    view! {
        <div class="form-group">
            <label class="label" for="invite-role">"Role"</label>
            <select class="select" id="invite-role" name="role">{role_options(Some(Role::Assessor))}</select>
        </div>
        <div class="form-group">
            <label class="label" for="invite-until">"Access ends (optional; required for external assurers)"</label>
            <input class="input input--short" id="invite-until" name="until" type="date" />
        </div>
    }
}

/// Organisations and users of the whole instance (platform administrators only).
#[component]
pub fn AdminPage() -> impl IntoView {
    let create = ServerAction::<CreateOrganisation>::new();
    let invite = ServerAction::<AdminInvite>::new();
    let disable = ServerAction::<DisableUser>::new();
    let reset = ServerAction::<ResetUserFactors>::new();
    let created = successes(create.value(), create.version());
    let invited = successes(invite.value(), invite.version());
    let disabled = successes(disable.value(), disable.version());
    let reset_done = successes(reset.value(), reset.version());
    let data = Resource::new(
        move || {
            (
                created.get(),
                invited.get(),
                disabled.get(),
                reset_done.get(),
            )
        },
        |_| admin_dashboard(),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(overview) => {
                        let orgs = overview.organisations.clone();
                        let setup = overview.setup;
                        view! {
                            <Title text="Administration" />
                            <h1 class="heading-xl">"Administration"</h1>
                            <p class="body">
                                "Manage the organisations on this installation and their people. Administering the platform "
                                "does not let you read any organisation's assessments unless you are also a member. "
                                <a href="/admin/audit">"Read the audit log"</a>"."
                            </p>
                            {(!setup.done()).then(|| view! { <FirstSteps setup /> })}
                            <AddOrganisation create />
                            <h2 class="heading-l">"Organisations"</h2>
                            {if overview.organisations.is_empty() {
                                view! { <p class="body">"There are no organisations yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Organisations" tabindex="0"><table class="table" id="organisations">
                                        <caption class="visually-hidden">"Organisations"</caption>
                                        <thead><tr>
                                            <th scope="col">"Name"</th><th scope="col">"Short name"</th>
                                            <th scope="col">"Kind"</th><th scope="col" class="num">"Members"</th>
                                        </tr></thead>
                                        <tbody>
                                            {overview.organisations.into_iter().map(|o| view! {
                                                <tr>
                                                    <th scope="row">{o.name}</th><td>{o.slug}</td>
                                                    <td>{if o.kind == "partner" { "Partner" } else { "Council" }}</td>
                                                    <td class="num">{o.members}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <h2 class="heading-l">"Users"</h2>
                            <FormError value=disable.value() />
                            <FormError value=reset.value() />
                            <div class="table-scroll" role="region" aria-label="Users" tabindex="0"><table class="table" id="users">
                                <caption class="visually-hidden">"Users"</caption>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th>
                                    <th scope="col" class="num">"Keys"</th><th scope="col">"Status"</th>
                                    <th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {overview.users.into_iter().map(|u| {
                                        let id = u.id;
                                        let status = match (&u.disabled_at, u.platform_admin) {
                                            (Some(at), _) => format!("Disabled {}", when(at)),
                                            (None, true) => "Platform administrator".to_owned(),
                                            (None, false) => "Active".to_owned(),
                                        };
                                        let active = u.disabled_at.is_none();
                                        let reset_label = format!("Reset keys of {}", u.name);
                                        let disable_label = format!("Disable {}", u.name);
                                        view! {
                                            <tr>
                                                <th scope="row">{u.name.clone()}</th><td>{u.email.clone()}</td>
                                                <td class="num">{u.keys}</td><td>{status}</td>
                                                <td>
                                                    {active.then(|| view! {
                                                        <ActionForm action=reset attr:class="inline-form">
                                                            <input type="hidden" name="user_id" value=id />
                                                            <button class="button button--secondary" type="submit">{reset_label}</button>
                                                        </ActionForm>
                                                        <ActionForm action=disable attr:class="inline-form">
                                                            <input type="hidden" name="user_id" value=id />
                                                            <button class="button button--warning" type="submit">{disable_label}</button>
                                                        </ActionForm>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <h2 class="heading-l" id="invite">"Invite someone"</h2>
                            <ActionForm action=invite attr:class="form" attr:novalidate=true>
                                <FormError value=invite.value() />
                                <InviteResult value=invite.value() />
                                <InviteFields />
                                <div class="form-group">
                                    <label class="label" for="invite-org">"Organisation (optional)"</label>
                                    <select class="select" id="invite-org" name="organisation">
                                        <option value="">"None"</option>
                                        {orgs.into_iter().map(|o| view! { <option value=o.slug>{o.name}</option> }).collect_view()}
                                    </select>
                                </div>
                                <RoleFields />
                                <div class="form-group checkbox">
                                    <input id="invite-admin" name="platform_admin" type="checkbox" value="yes" />
                                    <label for="invite-admin">"Also a platform administrator"</label>
                                </div>
                                <button class="button" type="submit">"Create invitation"</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The first administrator's checklist, shown until every step is done.
#[component]
fn FirstSteps(setup: crate::types::SetupProgress) -> impl IntoView {
    let step = |done: bool, text: &'static str, hint: &'static str| {
        let (tag, word) = if done {
            ("tag tag--green", "Done")
        } else {
            ("tag tag--grey", "To do")
        };
        view! {
            <li class="checklist__item">
                <strong class=tag>{word}</strong>
                " "<span class="checklist__text">{text}</span>
                <span class="hint">{hint}</span>
            </li>
        }
    };
    view! {
        <section class="inset" id="first-steps" aria-labelledby="first-steps-heading">
            <h2 class="heading-m" id="first-steps-heading">"First steps"</h2>
            <ol class="checklist">
                {step(setup.council_added, "Add your council", "Use the form below: its name and a short name for addresses.")}
                {step(setup.lead_invited, "Invite your CAF lead", "Under “Invite someone”: choose your council and the role CAF lead, then send them the link.")}
                {step(setup.assessment_created, "Your CAF lead creates the assessment", "They sign in, open the council's assessments and create this year's.")}
            </ol>
        </section>
    }
}

/// The form that adds an organisation: the first thing a new installation needs.
#[component]
fn AddOrganisation(create: ServerAction<CreateOrganisation>) -> impl IntoView {
    view! {
        <h2 class="heading-l">"Add an organisation"</h2>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormError value=create.value() />
            <div class="form-group">
                <label class="label" for="org-name">"Name"</label>
                <input class="input" id="org-name" name="name" type="text" required />
            </div>
            <div class="form-group">
                <label class="label" for="org-slug">"Short name"</label>
                <p class="hint" id="org-slug-hint">"Lower-case letters, digits and hyphens, used in addresses, like hackney."</p>
                <input class="input input--short" id="org-slug" name="slug" type="text" aria-describedby="org-slug-hint" required />
            </div>
            <div class="form-group">
                <label class="label" for="org-kind">"Kind"</label>
                <select class="select" id="org-kind" name="kind">
                    <option value="council">"Council"</option>
                    <option value="partner">"Partner organisation"</option>
                </select>
            </div>
            <button class="button" type="submit">"Add organisation"</button>
        </ActionForm>
    }
}

/// An organisation's home page: who you are there and what your role lets you do.
#[component]
pub fn OrgPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let org = Resource::new(slug, organisation);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match org.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(org) => {
                        let abilities: Vec<&str> = [
                            (Permission::ReadAssessments, "Read the organisation's assessments, answers and evidence"),
                            (Permission::EditAnswers, "Answer outcomes and attach evidence"),
                            (Permission::LeadAssessment, "Create assessments, assign outcomes and agree the improvement plan"),
                            (Permission::Comment, "Comment on outcomes"),
                            (Permission::Review, "Review scopes: return them with comments or accept them"),
                            (Permission::Assure, "Assure scopes and propose improvement actions"),
                            (Permission::SignOff, "Sign off scopes as the senior risk owner"),
                            (Permission::ReadReports, "Read signed-off board reports"),
                            (Permission::ManageMembers, "Invite members, change their roles and read the audit log"),
                        ]
                        .into_iter()
                        .filter(|(p, _)| org.role.can(*p))
                        .map(|(_, text)| text)
                        .collect();
                        view! {
                            <Title text=org.name.clone() />
                            <span class="caption">"Organisation"</span>
                            <h1 class="heading-xl">{org.name.clone()}</h1>
                            <p class="lead">{format!("Your role: {}.", org.role.label())}</p>
                            <h2 class="heading-m">"What your role lets you do"</h2>
                            <ul class="list list--bullet">
                                {abilities.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}
                            </ul>
                            {org.role.can(Permission::ReadAssessments).then(|| view! {
                                <h2 class="heading-m">"Assessments"</h2>
                                <ul class="list list--bullet">
                                    <li><a href=format!("/org/{}/assessments", org.slug)>"Assessments"</a></li>
                                    <li><a href=format!("/org/{}/evidence", org.slug)>"Evidence register"</a></li>
                                </ul>
                            })}
                            {org.role.can(Permission::ReadReports).then(|| view! {
                                <h2 class="heading-m">"Board reports"</h2>
                                <p class="body"><a href=format!("/org/{}/reports", org.slug) id="board-reports-link">"Board reports"</a></p>
                            })}
                            {org.can_manage.then(|| view! {
                                <h2 class="heading-m">"Administration"</h2>
                                <ul class="list list--bullet">
                                    <li><a href=format!("/org/{}/members", org.slug)>"Members and invitations"</a></li>
                                    <li><a href=format!("/org/{}/audit", org.slug)>"Audit log"</a></li>
                                </ul>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// An organisation's members: invite, change roles, remove (organisation admins).
#[component]
pub fn OrgMembersPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let invite = ServerAction::<OrgInvite>::new();
    let set_role = ServerAction::<OrgSetRole>::new();
    let remove = ServerAction::<OrgRemoveMember>::new();
    let invited = successes(invite.value(), invite.version());
    let role_set = successes(set_role.value(), set_role.version());
    let removed = successes(remove.value(), remove.version());
    let members = Resource::new(
        move || (slug(), invited.get(), role_set.get(), removed.get()),
        |(slug, ..)| org_members(slug),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match members.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(list) => view! {
                        <Title text="Members" />
                        <h1 class="heading-xl">"Members"</h1>
                        <p class="body"><a href=format!("/org/{}", slug())>"Back to the organisation"</a></p>
                        <FormError value=set_role.value() />
                        <FormError value=remove.value() />
                        <div class="table-scroll" role="region" aria-label="Members" tabindex="0"><table class="table" id="members">
                            <caption class="visually-hidden">"Members"</caption>
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Email"</th>
                                <th scope="col">"Role"</th><th scope="col">"Remove"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let id = m.user_id;
                                    let role_label = format!("Role of {}", m.name);
                                    let until_label = format!("Access of {} ends", m.name);
                                    let remove_label = format!("Remove {}", m.name);
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                {m.name.clone()}
                                                {m.disabled.then(|| view! { <strong class="tag tag--red">"Disabled"</strong> })}
                                            </th>
                                            <td>{m.email.clone()}</td>
                                            <td>
                                                <ActionForm action=set_role attr:class="inline-form">
                                                    <input type="hidden" name="slug" value=slug() />
                                                    <input type="hidden" name="user_id" value=id />
                                                    <label class="visually-hidden" for=format!("role-{id}")>{role_label}</label>
                                                    <select class="select" id=format!("role-{id}") name="role">{role_options(Some(m.role))}</select>
                                                    <label class="visually-hidden" for=format!("until-{id}")>{until_label}</label>
                                                    <input class="input input--short" id=format!("until-{id}") name="until" type="date"
                                                        value=m.expires_at.as_deref().map(|e| e.get(..10).unwrap_or(e).to_owned()).unwrap_or_default() />
                                                    <button class="button button--secondary" type="submit">"Change"</button>
                                                </ActionForm>
                                            </td>
                                            <td>
                                                <ActionForm action=remove attr:class="inline-form">
                                                    <input type="hidden" name="slug" value=slug() />
                                                    <input type="hidden" name="user_id" value=id />
                                                    <button class="button button--warning" type="submit">{remove_label}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <h2 class="heading-l">"Invite someone"</h2>
                        <p class="body">"Someone who already has an account is added straight away; anyone else gets a one-time link for you to send them."</p>
                        <ActionForm action=invite attr:class="form" attr:novalidate=true>
                            <FormError value=invite.value() />
                            <InviteResult value=invite.value() />
                            <input type="hidden" name="slug" value=slug() />
                            <InviteFields />
                            <RoleFields />
                            <button class="button" type="submit">"Invite"</button>
                        </ActionForm>
                        <p class="body"><a href=format!("/org/{}/audit", slug())>"Audit log of this organisation"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
