//! What an operator's tooling asks of the server: liveness (`/healthz`), readiness (`/readyz`:
//! the database answers), both open without signing in; readiness fails when the database is
//! gone while the process still lives.

#[allow(dead_code, reason = "this test uses only some of the shared helpers")]
mod support;

use axum::http::StatusCode;
use support::{TestDb, get, router, send};

on_both!(readiness_follows_the_database, |t: TestDb| async move {
    let app = router(&t, 5);
    let live = send(&app, get("/healthz", None)).await;
    assert_eq!(live.status, StatusCode::OK);
    let ready = send(&app, get("/readyz", None)).await;
    assert_eq!(
        (ready.status, ready.text().as_str()),
        (StatusCode::OK, "ready")
    );

    // The database goes away: still alive, no longer ready, and the reply names no detail.
    t.db.close().await;
    let live = send(&app, get("/healthz", None)).await;
    assert_eq!(live.status, StatusCode::OK);
    let ready = send(&app, get("/readyz", None)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text(), "the database does not answer");
});

/// A wrong password for an unknown email from `peer`, with an `X-Forwarded-For` header; returns
/// the address its audit record names.
async fn failure_address(t: &TestDb, trusted: &str, peer: &str) -> Option<String> {
    let auth = app::auth::AuthConfig::new(
        support::LOCAL,
        time::Duration::minutes(30),
        time::Duration::hours(12),
    )
    .expect("auth config");
    let args = server::config::ServeArgs {
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: std::env::temp_dir(),
        evidence_dir: t.evidence_dir.clone(),
        max_upload_mib: 5,
        report_classification: app::report::DEFAULT_CLASSIFICATION.to_owned(),
        trusted_proxies: trusted.parse().expect("trusted proxies"),
    };
    let app = server::web::router(t.db.clone(), &args, auth);
    let mut request = axum::http::Request::post("/api/auth/password")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", support::LOCAL)
        .header("x-forwarded-for", "1.2.3.4, 198.51.100.7")
        .body(axum::body::Body::from(
            "email=nobody%40example.gov.uk&password=not+this+one",
        ))
        .expect("request");
    let peer: std::net::SocketAddr = peer.parse().expect("peer");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text());
    support::audit_with_prefix(&t.db, "sign_in.failure")
        .await
        .first()
        .and_then(|r| r.event.address.clone())
}

on_both!(
    a_trusted_proxy_s_client_address_is_recorded_and_no_one_else_s,
    |t: TestDb| async move {
        // Nobody trusted: the header is ignored and the peer is recorded.
        assert_eq!(
            failure_address(&t, "", "10.0.0.1:50000").await.as_deref(),
            Some("10.0.0.1")
        );
        // The proxy trusted: the nearest forwarded address, not the spoofable left-most one.
        assert_eq!(
            failure_address(&t, "10.0.0.0/8", "10.0.0.1:50000")
                .await
                .as_deref(),
            Some("198.51.100.7")
        );
        // A peer outside the trusted network cannot choose its address.
        assert_eq!(
            failure_address(&t, "10.0.0.0/8", "192.0.2.5:50000")
                .await
                .as_deref(),
            Some("192.0.2.5")
        );
    }
);
