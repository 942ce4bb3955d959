//! The sign-in gate in front of every route, and the check that state-changing requests come
//! from the app's own pages.
//!
//! Every path falls in one of three areas: open (assets and the sign-in steps themselves),
//! reference (the public NCSC framework text) and private (everything else). A session that has
//! passed the password but not the second factor reaches only the open area; anything else
//! answers 401 (server functions) or redirects to its next sign-in step (pages).

use crate::client_address::TrustedProxies;
use crate::state::AppState;
use app::auth::{RequestAuth, RequestMeta, Stage, flow, next_step_path};
use app::error::AppError;
use axum::{
    body::Body,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::net::SocketAddr;
use tower_sessions::Session;

/// Which rules a path falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Anyone, at any stage: assets, health check, the sign-in steps.
    Open,
    /// Anyone who is not half-way through signing in: the NCSC framework text.
    Reference,
    /// Fully signed-in users only; the handlers then check the role.
    Private,
}

/// The area a path belongs to.
pub fn area(path: &str) -> Area {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/pkg")
        || path == "/favicon.ico"
        || path == "/healthz"
        || path == "/readyz"
        || under("/signin")
        || under("/setup")
        || under("/invite")
        || under("/api/auth")
    {
        Area::Open
    } else if path == "/"
        || under("/frameworks")
        || under("/changes")
        || matches!(
            path,
            "/api/frameworks" | "/api/framework" | "/api/outcome" | "/api/changes"
        )
    {
        Area::Reference
    } else {
        Area::Private
    }
}

/// An error answered as JSON, the way server functions answer theirs, so the browser's
/// server-function client reads it like any other.
fn error_response(status: StatusCode, error: &AppError) -> Response {
    let body = serde_json::to_string(error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn request_meta(request: &Request<Body>, proxies: &TrustedProxies) -> RequestMeta {
    RequestMeta {
        address: request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| {
                proxies
                    .client_address(addr.ip(), request.headers())
                    .to_string()
            }),
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// Works out who is asking, hands that to the app, and keeps them to their area.
pub async fn sign_in_gate(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &AppError::internal("gate", "no session layer"),
        );
    };
    let user = match flow::current(&state.db, &state.auth, &session).await {
        Ok(user) => user,
        Err(error) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &error),
    };
    let path = request.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    let stage = user.as_ref().map(|u| u.stage);
    let allowed = matches!(
        (area(&path), stage),
        (Area::Open, _)
            | (Area::Reference, None | Some(Stage::Full))
            | (Area::Private, Some(Stage::Full))
    );
    if !allowed {
        if is_api {
            return error_response(StatusCode::UNAUTHORIZED, &AppError::sign_in_needed());
        }
        let target = match stage.and_then(next_step_path) {
            Some(step) => step.to_owned(),
            None => {
                let here = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/".into());
                format!("/signin?next={}", app::browser::escape_query_value(&here))
            }
        };
        return Redirect::to(&target).into_response();
    }
    let meta = request_meta(&request, &state.trusted_proxies);
    request.extensions_mut().insert(RequestAuth {
        session,
        user,
        meta,
    });
    next.run(request).await
}

/// Whether a state-changing request plainly comes from the app's own pages: its `Origin` is the
/// app's, or (with no `Origin`) the browser says it is same-origin. Safe methods always pass.
pub fn same_origin(method: &Method, headers: &HeaderMap, origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return false;
    }
    // Chromium sends `Origin: null` for a form posted from a page whose Referrer-Policy is
    // no-referrer (an uploaded file is a plain form post): then the fetch metadata decides.
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(sent) if sent != "null" => sent == origin,
        _ => fetch_site == Some("same-origin"),
    }
}

/// Refuses, with 403 and no side effects, state-changing requests from other sites.
pub async fn origin_check(
    State(origin): State<HeaderValue>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let origin = origin.to_str().unwrap_or_default();
    if same_origin(request.method(), request.headers(), origin) {
        next.run(request).await
    } else {
        error_response(
            StatusCode::FORBIDDEN,
            &AppError::BadRequest(
                "This request did not come from this site's own pages, so it was refused.".into(),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        assert_eq!(area("/pkg/caf.js"), Area::Open);
        assert_eq!(area("/signin/key"), Area::Open);
        assert_eq!(area("/api/auth/password"), Area::Open);
        assert_eq!(area("/frameworks/4.0"), Area::Reference);
        assert_eq!(area("/"), Area::Reference);
        assert_eq!(area("/account"), Area::Private);
        assert_eq!(area("/signinx"), Area::Private);
        assert_eq!(area("/api/account/keys"), Area::Private);
        assert_eq!(area("/api/frameworksx"), Area::Private);
        assert_eq!(area("/org/alpha/evidence/upload"), Area::Private);
        assert_eq!(area("/org/alpha/evidence/7/download"), Area::Private);
        assert_eq!(area("/org/alpha/assessments/1/export.json"), Area::Private);
        assert_eq!(area("/org/alpha/assessments/import"), Area::Private);
    }

    #[test]
    fn an_opaque_origin_needs_same_origin_fetch_metadata() {
        let mine = "http://localhost:3000";
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&Method::POST, &h, mine));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&Method::POST, &h, mine));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&Method::POST, &h, mine));
    }

    #[test]
    fn origins() {
        let mine = "http://localhost:3000";
        let mut h = HeaderMap::new();
        assert!(same_origin(&Method::GET, &h, mine));
        assert!(
            !same_origin(&Method::POST, &h, mine),
            "no origin, no fetch metadata"
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        assert!(same_origin(&Method::POST, &h, mine));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&Method::POST, &h, mine));
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&Method::DELETE, &h, mine));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        assert!(!same_origin(&Method::POST, &h, mine));
    }
}
