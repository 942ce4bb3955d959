//! The browser's side of security keys and page changes, through web-sys.
//!
//! On the server these functions are never reached (they run from click handlers); they exist
//! there only so the pages compile for both targets.

use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

#[cfg(feature = "hydrate")]
fn js_message(error: wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) if e.name() == "NotAllowedError" => {
            "The security key request was cancelled or timed out. Try again.".to_owned()
        }
        Some(e) if e.name() == "InvalidStateError" => {
            "That security key is already registered to your account.".to_owned()
        }
        Some(e) => format!(
            "The browser could not use a security key: {}",
            String::from(e.message())
        ),
        None => "The browser could not use a security key.".to_owned(),
    }
}

/// How long a refusal may take and still be the browser's own answer rather than a person's:
/// nobody can see the prompt, then cancel it, this fast.
#[cfg(feature = "hydrate")]
const INSTANT_REFUSAL_MS: f64 = 1500.0;

/// Why signing in with a key failed. The browser refuses at once, without a prompt a person
/// could cancel, when none of the keys it can reach is registered for this account.
#[cfg(feature = "hydrate")]
fn assertion_message(error: wasm_bindgen::JsValue, elapsed_ms: f64) -> String {
    use wasm_bindgen::JsCast;
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) if e.name() == "NotAllowedError" => refusal_words(elapsed_ms < INSTANT_REFUSAL_MS),
        _ => js_message(error),
    }
}

/// The message for a refused sign-in with a key: at once (the key is not registered for this
/// account) or after a while (cancelled or timed out).
pub fn refusal_words(instant: bool) -> String {
    if instant {
        "This security key is not registered for this account. Use another key you registered \
         for it, or a recovery code (under \u{201c}I do not have my security key\u{201d})."
            .to_owned()
    } else {
        "The security key request was cancelled or timed out. Try again, use another key you \
         registered, or use a recovery code (under \u{201c}I do not have my security key\u{201d})."
            .to_owned()
    }
}

/// Asks the browser to create a credential on a security key or passkey provider.
pub async fn create_credential(
    options: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let options: web_sys::CredentialCreationOptions = options.into();
        let promise = leptos::prelude::window()
            .navigator()
            .credentials()
            .create_with_options(&options)
            .map_err(js_message)?;
        let credential = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(js_message)?;
        let credential: web_sys::PublicKeyCredential = credential.unchecked_into();
        Ok(RegisterPublicKeyCredential::from(credential))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Security keys need JavaScript to be switched on.".into())
    }
}

/// Asks the browser to sign a challenge with one of the user's credentials.
pub async fn get_assertion(
    options: RequestChallengeResponse,
) -> Result<PublicKeyCredential, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let options: web_sys::CredentialRequestOptions = options.into();
        let started = js_sys::Date::now();
        let promise = leptos::prelude::window()
            .navigator()
            .credentials()
            .get_with_options(&options)
            .map_err(js_message)?;
        let credential = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|error| assertion_message(error, js_sys::Date::now() - started))?;
        let credential: web_sys::PublicKeyCredential = credential.unchecked_into();
        Ok(PublicKeyCredential::from(credential))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err("Security keys need JavaScript to be switched on.".into())
    }
}

/// Loads another page in full (so every part of the page reflects the new sign-in state).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// The path of the page the browser shows now, without its query (for reloading after a change).
pub fn current_path() -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .location()
            .pathname()
            .unwrap_or_else(|_| "/".to_owned())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "/".to_owned()
    }
}

/// What stays as it is in a query value holding a path: letters, digits, `-._~` and `/`.
const QUERY_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for use as a query value (`/signin?next=...`), keeping `/` readable.
pub fn escape_query_value(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, QUERY_PATH).to_string()
}

/// A `next` address from the query string, if it is a path on this site (never another site).
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") =>
        {
            path
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_query_value, safe_next};

    #[test]
    fn next_is_escaped() {
        assert_eq!(escape_query_value("/org/a?x=1&y"), "/org/a%3Fx%3D1%26y");
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account".into())), "/account");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
