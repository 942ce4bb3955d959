//! The HTTP server: Leptos routes, server functions, static assets and middleware.

use crate::config::ServeArgs;
use crate::state::{AppState, EvidenceStore, ReportSettings};
use crate::storage::LocalDiskStore;
use app::auth::AuthConfig;
use app::data::{Db, DbSessionStore};
use app::{App, shell};
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{
        Extensions, HeaderMap, HeaderValue, Request, StatusCode, Version, header::CONTENT_TYPE,
    },
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_http::compression::{
    CompressionLayer,
    predicate::{Predicate, SizeAbove},
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

/// Builds the whole router for a database, a site root and the sign-in settings.
pub fn router(db: Db, args: &ServeArgs, auth: AuthConfig) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("caf")
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name(auth.cookie_name())
        .with_secure(auth.https())
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(auth.idle))
        .with_always_save(true);
    let origin = HeaderValue::from_str(&auth.origin()).unwrap_or(HeaderValue::from_static("null"));
    let https = auth.https();
    let evidence = EvidenceStore {
        blobs: std::sync::Arc::new(LocalDiskStore::new(&args.evidence_dir)),
        limit: args.upload_limit(),
        lifecycle: std::sync::Arc::new(tokio::sync::RwLock::new(())),
    };
    let state = AppState {
        leptos_options,
        db,
        auth,
        evidence,
        report: ReportSettings {
            classification: args.report_classification.trim().to_owned(),
        },
        trusted_proxies: args.trusted_proxies.clone(),
    };
    let routes = route_list();
    Router::new()
        .route("/api/{*fn_name}", get(server_fns).post(server_fns))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readiness))
        .merge(crate::evidence_routes::routes(state.evidence.limit))
        .merge(crate::exchange_routes::routes())
        .merge(crate::report::routes::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_app_context(&state)
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        // The not-found page renders the app too (its header asks who is signed in), so it gets
        // the same context as every page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || provide_app_context(&state)
            },
            shell,
        ))
        .layer(axum::middleware::from_fn(server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::gate::sign_in_gate,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            origin,
            crate::gate::origin_check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            https,
            crate::headers::security_headers,
        ))
        .layer(assets_compression())
        .with_state(state)
}

/// Gzip for the browser bundle (wasm, JavaScript, CSS): about a third of its size on the wire.
/// Pages and server-function answers are never compressed, so no secret on a page can leak
/// through its compressed length (BREACH).
fn assets_compression() -> CompressionLayer<impl Predicate> {
    fn bundle(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
        headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                [
                    "application/wasm",
                    "text/javascript",
                    "application/javascript",
                    "text/css",
                ]
                .iter()
                .any(|kind| t.starts_with(kind))
            })
    }
    CompressionLayer::new()
        .gzip(true)
        .compress_when(SizeAbove::new(1024).and(bundle))
}

/// The app's routes, worked out once per process.
///
/// Leptos works them out by rendering the app with resource loading suppressed by one
/// process-wide switch; a page whose resource first runs while that switch is on waits forever
/// (leptos-rs/leptos#4773). Building the list once, before any router exists, means no page can
/// be rendering then, even when tests build many routers at once.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn provide_app_context(state: &AppState) {
    provide_context(state.db.clone());
    provide_context(state.auth.clone());
    provide_context(app::assess_api::UploadLimit(state.evidence.limit));
}

async fn server_fns(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_app_context(&state), request).await
}

/// Server functions answer through the routes Leptos registers for each of them (and the
/// `/api/` catch-all for unknown names): this layer sees them all.
async fn server_fn_status(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if server_fn {
        with_error_status(response).await
    } else {
        response
    }
}

/// The largest error body read back to find its status.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Gives a server function's error answer the status of its [`AppError`].
///
/// A function that runs sets its own status, but when the arguments cannot be decoded (a
/// missing field, a number out of range) the function never runs and Leptos answers 500 with
/// the error it converted (`AppError::BadRequest`). A malformed request is the caller's fault:
/// it gets its 4xx, and the body is unchanged.
async fn with_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Serves the app until interrupted.
pub async fn serve(db: Db, args: ServeArgs, auth: AuthConfig) -> anyhow::Result<()> {
    let public_url = auth.public_url.clone();
    crate::setup_link::announce_setup_link(&db, &auth).await?;
    let sweeper =
        crate::sweep::spawn_session_sweeper(db.clone(), crate::sweep::SESSION_SWEEP_EVERY);
    let app = router(db, &args, auth);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
    if !args.site_root.join("pkg").exists() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "no built browser assets found; pages will work without interactivity (build with scripts/build.sh)"
        );
    }
    println!(
        "Listening on http://{} (public address {public_url})",
        args.addr
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    sweeper.abort();
    Ok(())
}

/// Readiness: 200 when the database answers, 503 when it does not (the process may be alive while
/// its database is away; a load balancer then sends traffic elsewhere).
async fn readiness(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
        }
    }
}

/// Ctrl-C or SIGTERM (what service managers send): stop accepting connections and let the
/// requests in flight finish.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
