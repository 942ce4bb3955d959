//! The HTTP server: Leptos routes, server functions, static assets and middleware.

use crate::config::ServeArgs;
use app::data::Db;
use app::{App, shell};
use axum::{
    Router,
    body::Body,
    extract::{FromRef, State},
    http::Request,
    response::IntoResponse,
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' rendering options.
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: Db,
}

/// Builds the whole router for a database and a site root.
pub fn router(db: Db, args: &ServeArgs) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("caf")
        .site_root(args.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(args.addr)
        .build();
    let state = AppState { leptos_options, db };
    let routes = generate_route_list(App);
    Router::new()
        .route("/api/{*fn_name}", get(server_fns).post(server_fns))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let db = state.db.clone();
                move || provide_context(db.clone())
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(crate::headers::security_headers))
        .with_state(state)
}

async fn server_fns(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    let db = state.db.clone();
    handle_server_fns_with_context(move || provide_context(db.clone()), request).await
}

/// Serves the app until interrupted.
pub async fn serve(db: Db, args: ServeArgs) -> anyhow::Result<()> {
    let app = router(db, &args);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
    if !args.site_root.join("pkg").exists() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "no built browser assets found; pages will work without interactivity (build with scripts/build.sh)"
        );
    }
    println!("Listening on http://{}", args.addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
