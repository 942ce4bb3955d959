//! Signing in: password, then a security key (or a recovery code); first-run set-up and
//! invitations; registering a key.

use crate::auth_api::{
    AcceptLink, RecoveryCodeSignIn, SignInPassword, key_answer, key_challenge, link_details,
    register_key, registration_options,
};
use crate::browser::{create_credential, escape_query_value, get_assertion, go_to, safe_next};
use crate::components::{ErrorPanel, FormError, Loading};
use crate::types::{RegisteredKey, Stage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn next_from_query() -> String {
    safe_next(use_query_map().get_untracked().get("next"))
}

/// Step one: email address and password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignInPassword>::new();
    let next = next_from_query();
    Effect::new(move |_| {
        if let Some(Ok(stage)) = action.value().get() {
            let step = match stage {
                Stage::KeyAssertion => "/signin/key",
                Stage::KeyRegistration => "/signin/register-key",
                Stage::Full => "/",
            };
            go_to(&format!("{step}?next={}", escape_query_value(&next)));
        }
    });
    view! {
        <Title text="Sign in" />
        <h1 class="heading-xl">"Sign in"</h1>
        <p class="body">
            "Sign in with your email address and password. Next you will use your security key or passkey."
        </p>
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <FormError value=action.value() />
            <div class="form-group">
                <label class="label" for="email">"Email address"</label>
                <input class="input" id="email" name="email" type="email" autocomplete="username" spellcheck="false" required />
            </div>
            <div class="form-group">
                <label class="label" for="password">"Password"</label>
                <input class="input" id="password" name="password" type="password" autocomplete="current-password" required />
            </div>
            <button class="button" type="submit" disabled=move || action.pending().get()>"Continue"</button>
        </ActionForm>
        <p class="body secondary">
            "No account? Ask your organisation's administrator to invite you. Lost your password or every "
            "key? Your administrator can reset your keys."
        </p>
    }
}

/// Step two: prove a key, or use a recovery code.
#[component]
pub fn KeyStepPage() -> impl IntoView {
    let next = next_from_query();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let use_key = {
        let next = next.clone();
        move |_| {
            let next = next.clone();
            busy.set(true);
            error.set(None);
            spawn_local(async move {
                let outcome = async {
                    let options = key_challenge().await.map_err(|e| e.to_string())?;
                    let credential = get_assertion(options).await?;
                    key_answer(credential).await.map_err(|e| e.to_string())
                }
                .await;
                match outcome {
                    Ok(()) => go_to(&next),
                    Err(message) => {
                        error.set(Some(message));
                        busy.set(false);
                    }
                }
            });
        }
    };
    let recovery = ServerAction::<RecoveryCodeSignIn>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = recovery.value().get() {
            go_to("/account?recovered=1");
        }
    });
    view! {
        <Title text="Use your security key" />
        <h1 class="heading-xl">"Use your security key"</h1>
        <p class="body">
            "Your password was right. Now use the security key or passkey you registered: "
            "select the button, then touch your key or confirm on your device."
        </p>
        {move || error.get().map(|message| view! {
            <div class="error-summary" role="alert"><p class="body">{message}</p></div>
        })}
        <button class="button" type="button" id="use-key" on:click=use_key disabled=move || busy.get()>
            "Use security key"
        </button>
        <details class="details">
            <summary class="details__summary">"I do not have my security key"</summary>
            <div class="details__text">
                <p class="body">
                    "Enter one of the recovery codes you saved when you registered your first key. "
                    "Each code works once. You will then be asked to register a new key."
                </p>
                <ActionForm action=recovery attr:class="form" attr:novalidate=true>
                    <FormError value=recovery.value() />
                    <div class="form-group">
                        <label class="label" for="code">"Recovery code"</label>
                        <input class="input input--code" id="code" name="code" type="text" autocomplete="one-time-code" spellcheck="false" required />
                    </div>
                    <button class="button button--secondary" type="submit">"Use recovery code"</button>
                </ActionForm>
                <p class="body secondary">"No codes left? Ask your administrator to reset your keys."</p>
            </div>
        </details>
    }
}

/// The list of recovery codes, shown once.
#[component]
pub fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="inset inset--warning" id="recovery-codes">
            <h2 class="heading-m">"Save your recovery codes now"</h2>
            <p class="body">
                "If you lose your security key, each of these codes lets you sign in once. Keep them "
                "somewhere safe away from your key, such as a password manager. They will not be shown again."
            </p>
            <ol class="codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
        </div>
    }
}

/// Names and registers a new key; calls `done` with what the server gave back.
#[component]
pub fn RegisterKeyForm(
    #[prop(into)] done: Callback<RegisteredKey>,
    #[prop(optional)] button: Option<&'static str>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let register = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let chosen = name.get_untracked();
        if chosen.trim().is_empty() {
            error.set(Some(
                "Give the key a name, like \"Blue YubiKey\" or \"Work laptop\".".into(),
            ));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = async {
                let options = registration_options().await.map_err(|e| e.to_string())?;
                let credential = create_credential(options).await?;
                register_key(chosen, credential)
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            busy.set(false);
            match outcome {
                Ok(registered) => {
                    name.set(String::new());
                    done.run(registered);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form class="form" on:submit=register novalidate>
            {move || error.get().map(|message| view! {
                <div class="error-summary" role="alert"><p class="body">{message}</p></div>
            })}
            <div class="form-group">
                <label class="label" for="key-name">"Name for this key"</label>
                <p class="hint" id="key-name-hint">"So you can tell your keys apart, like \"Blue YubiKey\" or \"Work laptop\"."</p>
                <input class="input" id="key-name" name="name" type="text" maxlength="60" aria-describedby="key-name-hint"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <button class="button" type="submit" id="register-key" disabled=move || busy.get()>
                {button.unwrap_or("Register security key")}
            </button>
        </form>
    }
}

/// The first key, straight after the password (new accounts, or after an administrator reset).
#[component]
pub fn RegisterKeyStepPage() -> impl IntoView {
    let next = next_from_query();
    let codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <Title text="Register a security key" />
        {move || match codes.get() {
            Some(list) => view! {
                <h1 class="heading-xl">"Your security key is registered"</h1>
                <RecoveryCodes codes=list />
                <p class="body"><a class="button" href=next.clone() id="continue">"I have saved my codes – continue"</a></p>
            }.into_any(),
            None => view! {
                <h1 class="heading-xl">"Register a security key"</h1>
                <p class="body">
                    "Every account needs a security key or passkey as well as a password. Until you register "
                    "one you cannot see anything else. Insert your key or have your device ready, name it, "
                    "then select the button."
                </p>
                <RegisterKeyForm done=move |registered: RegisteredKey| {
                    codes.set(Some(registered.recovery_codes.unwrap_or_default()))
                } />
            }.into_any(),
        }}
    }
}

/// A set-up or invitation link: choose a password (and, for set-up, give name and email).
#[component]
pub fn LinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, link_details);
    let action = ServerAction::<AcceptLink>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            go_to("/signin/register-key");
        }
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match link.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(link) => {
                        let heading = if link.setup { "Set up the first administrator" } else { "Accept your invitation" };
                        let intro = match (&link.organisation, link.role) {
                            (Some(org), Some(role)) => format!("You are invited to {org} as {}.", role.label()),
                            _ if link.setup => "This installation has no administrator yet. The account you create here manages organisations and users.".to_owned(),
                            _ if link.platform_admin => "You are invited as a platform administrator.".to_owned(),
                            _ => "You are invited to the CAF self-assessment.".to_owned(),
                        };
                        view! {
                            <Title text=heading />
                            <h1 class="heading-xl">{heading}</h1>
                            <p class="lead">{intro}</p>
                            {(!link.setup).then(|| view! {
                                <p class="body" id="existing-account">
                                    "Already have an account here? "<a href="/signin">"Sign in"</a>
                                    " and accept this invitation on your account page instead."
                                </p>
                            })}
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <FormError value=action.value() />
                                <input type="hidden" name="token" value=token() />
                                {match link.email.clone() {
                                    Some(email) => view! {
                                        <p class="body">"Your email address: "<strong>{email.clone()}</strong></p>
                                        <input type="hidden" name="email" value=email />
                                    }.into_any(),
                                    None => view! {
                                        <div class="form-group">
                                            <label class="label" for="email">"Email address"</label>
                                            <input class="input" id="email" name="email" type="email" autocomplete="username" spellcheck="false" required />
                                        </div>
                                    }.into_any(),
                                }}
                                <div class="form-group">
                                    <label class="label" for="name">"Your name"</label>
                                    <input class="input" id="name" name="name" type="text" autocomplete="name" value=link.display_name.clone().unwrap_or_default() required />
                                </div>
                                <div class="form-group">
                                    <label class="label" for="password">"Choose a password"</label>
                                    <p class="hint" id="password-hint">
                                        "At least 12 characters. A few unrelated words make a strong password that is easy "
                                        "to remember. Common or easily guessed passwords are refused. You can paste from a password manager."
                                    </p>
                                    <input class="input" id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint" required />
                                </div>
                                <button class="button" type="submit" disabled=move || action.pending().get()>"Create account"</button>
                            </ActionForm>
                            <p class="hint">{format!("This link works once and expires at {} (UTC).", link.expires_at.replace('T', " ").trim_end_matches('Z'))}</p>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
