//! The signed-in user's own account: invitations waiting for an answer, security keys,
//! recovery codes and sessions.

use super::invitations::Invitations;
use super::signin::{RecoveryCodes, RegisterKeyForm};
use crate::account_api::{
    RemoveKey, RenameKey, SignOutElsewhere, my_account, my_sessions, new_recovery_codes,
};
use crate::auth_api::{key_answer, key_challenge};
use crate::browser::get_assertion;
use crate::components::{ErrorPanel, FormError, Loading, when};
use crate::types::{AccountView, RegisteredKey};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// Keys, recovery codes and a link to the sessions list.
#[component]
pub fn AccountPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let rename = ServerAction::<RenameKey>::new();
    let remove = ServerAction::<RemoveKey>::new();
    let account = Resource::new(
        move || {
            (
                changed.get(),
                rename.version().get(),
                remove.version().get(),
            )
        },
        |_| my_account(),
    );
    let codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => view! {
                        <Title text="Your account" />
                        <h1 class="heading-xl">"Your account"</h1>
                        <Invitations />
                        <AccountDetails view rename remove changed codes />
                        <h2 class="heading-m">"Sessions"</h2>
                        <p class="body"><a href="/account/sessions">"See where you are signed in"</a>", and sign out everywhere else."</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountDetails(
    view: AccountView,
    rename: ServerAction<RenameKey>,
    remove: ServerAction<RemoveKey>,
    changed: RwSignal<u32>,
    codes: RwSignal<Option<Vec<String>>>,
) -> impl IntoView {
    let fresh = view.fresh;
    let only_one = view.keys.len() == 1;
    let confirm_error = RwSignal::new(None::<String>);
    let confirm = move |_| {
        confirm_error.set(None);
        spawn_local(async move {
            let outcome = async {
                let options = key_challenge().await.map_err(|e| e.to_string())?;
                let credential = get_assertion(options).await?;
                key_answer(credential).await.map_err(|e| e.to_string())
            }
            .await;
            match outcome {
                Ok(()) => changed.update(|n| *n += 1),
                Err(message) => confirm_error.set(Some(message)),
            }
        });
    };
    let issue_codes = move |_| {
        spawn_local(async move {
            match new_recovery_codes().await {
                Ok(list) => {
                    codes.set(Some(list));
                    changed.update(|n| *n += 1);
                }
                Err(error) => confirm_error.set(Some(error.to_string())),
            }
        });
    };
    view! {
        <p class="body">{format!("{} ({})", view.name, view.email)}</p>
        {view.recovered.then(|| view! {
            <div class="inset inset--warning" role="status">
                <p class="body"><strong>"You signed in with a recovery code."</strong>
                " Register a new security key now, so you do not run out of ways to sign in."</p>
            </div>
        })}
        {move || codes.get().map(|list| view! { <RecoveryCodes codes=list /> })}
        <h2 class="heading-l">"Security keys"</h2>
        {move || confirm_error.get().map(|message| view! {
            <div class="error-summary" role="alert"><p class="body">{message}</p></div>
        })}
        <FormError value=rename.value() />
        <FormError value=remove.value() />
        {(!fresh).then(|| view! {
            <div class="inset">
                <p class="body">
                    "To add, rename or remove keys or get new recovery codes, first confirm it is you with one "
                    "of your keys. This lasts ten minutes."
                </p>
                <button class="button button--secondary" type="button" id="confirm-key" on:click=confirm>
                    "Confirm with your security key"
                </button>
            </div>
        })}
        <div class="table-scroll" role="region" aria-label="Your security keys" tabindex="0"><table class="table" id="keys">
            <caption class="visually-hidden">"Your security keys"</caption>
            <thead><tr>
                <th scope="col">"Name"</th>
                <th scope="col">"Registered"</th>
                <th scope="col">"Last used"</th>
                <th scope="col">"Kind"</th>
                {fresh.then(|| view! { <th scope="col">"Change"</th> })}
            </tr></thead>
            <tbody>
                {view.keys.into_iter().map(|key| {
                    let id = key.id;
                    let rename_label = format!("New name for {}", key.name);
                    let remove_label = format!("Remove {}", key.name);
                    let current_name = key.name.clone();
                    view! {
                        <tr>
                            <th scope="row">{key.name.clone()}</th>
                            <td>{when(&key.created_at)}</td>
                            <td>{key.last_used_at.as_deref().map(when).unwrap_or_else(|| "Not yet".into())}</td>
                            <td>{if key.backup_eligible { "Synced passkey" } else { "Device-bound key" }}</td>
                            {fresh.then(|| view! {
                                <td>
                                    <ActionForm action=rename attr:class="inline-form">
                                        <input type="hidden" name="key_id" value=id />
                                        <label class="visually-hidden" for=format!("rename-{id}")>{rename_label}</label>
                                        <input class="input input--short" id=format!("rename-{id}") name="name" type="text" maxlength="60" value=current_name />
                                        <button class="button button--secondary" type="submit">"Rename"</button>
                                    </ActionForm>
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="key_id" value=id />
                                        <button class="button button--warning" type="submit"
                                            aria-describedby=only_one.then_some("last-key-hint")>
                                            {remove_label}
                                        </button>
                                    </ActionForm>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
        {only_one.then(|| view! {
            <p class="hint" id="last-key-hint">"This is your only key, so it cannot be removed. Register another key first."</p>
        })}
        {fresh.then(|| view! {
            <h3 class="heading-m">"Add a security key"</h3>
            <p class="body">"A second key kept somewhere safe means you can still sign in if you lose one."</p>
            <RegisterKeyForm button="Add security key" done=move |registered: RegisteredKey| {
                if let Some(list) = registered.recovery_codes {
                    codes.set(Some(list));
                }
                changed.update(|n| *n += 1);
            } />
        })}
        <h2 class="heading-l">"Recovery codes"</h2>
        <p class="body" id="codes-left">{format!("You have {}.", crate::components::count(view.recovery_codes_left, "unused recovery code", "unused recovery codes"))}</p>
        {fresh.then(|| view! {
            <button class="button button--secondary" type="button" id="new-codes" on:click=issue_codes>
                "Get ten new recovery codes"
            </button>
            <p class="hint">"Your old codes stop working when you get new ones."</p>
        })}
    }
}

/// Where the user is signed in, with "sign out everywhere else".
#[component]
pub fn SessionsPage() -> impl IntoView {
    let elsewhere = ServerAction::<SignOutElsewhere>::new();
    let sessions = Resource::new(move || elsewhere.version().get(), |_| my_sessions());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match sessions.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(list) => view! {
                        <Title text="Your sessions" />
                        <h1 class="heading-xl">"Where you are signed in"</h1>
                        <div class="table-scroll" role="region" aria-label="Your sessions" tabindex="0"><table class="table" id="sessions">
                            <caption class="visually-hidden">"Your sessions"</caption>
                            <thead><tr>
                                <th scope="col">"Browser"</th>
                                <th scope="col">"Address"</th>
                                <th scope="col">"Signed in"</th>
                                <th scope="col">"Last active"</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <th scope="row">
                                            {s.user_agent.clone().unwrap_or_else(|| "Unknown browser".into())}
                                            {s.current.then(|| view! { <strong class="tag tag--green">"This browser"</strong> })}
                                        </th>
                                        <td>{s.address.clone().unwrap_or_else(|| "Unknown".into())}</td>
                                        <td>{when(&s.created_at)}</td>
                                        <td>{when(&s.last_seen_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <ActionForm action=elsewhere>
                            <FormError value=elsewhere.value() />
                            <button class="button button--warning" type="submit" id="sign-out-elsewhere">"Sign out everywhere else"</button>
                        </ActionForm>
                        {move || match elsewhere.value().get() {
                            Some(Ok(n)) => Some(view! { <p class="body" role="status">{format!("Signed out of {}.", crate::components::count(i64::try_from(n).unwrap_or(i64::MAX), "other session", "other sessions"))}</p> }),
                            _ => None,
                        }}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
