//! Request-scoped security values the server middleware hands to the rendering code.

use leptos::prelude::*;

/// The Content-Security-Policy nonce of one response, set by the server's header middleware.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Makes the response's CSP nonce available to Leptos, so its inline scripts carry it.
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}
