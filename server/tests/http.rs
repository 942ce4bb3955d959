//! The HTTP surface in-process: pages render on the server with the right status and headers.

use app::data::Db;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::config::ServeArgs;
use tower::ServiceExt;

async fn app(name: &str) -> (axum::Router, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("caf-http-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("db");
    db.migrate().await.expect("migrate");
    db.register_bundled().await.expect("register");
    let args = ServeArgs {
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: std::env::temp_dir(),
        evidence_dir: std::env::temp_dir().join("caf-evidence-unused"),
        max_upload_mib: 25,
    };
    let auth = app::auth::AuthConfig::new(
        "http://localhost:3000",
        time::Duration::minutes(30),
        time::Duration::hours(12),
    )
    .expect("auth config");
    (server::web::router(db, &args, auth), path)
}

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn framework_pages_render_on_the_server() {
    let (router, path) = app("pages").await;
    let (status, _, body) = get(&router, "/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("CAF 3.2") && body.contains("CAF 4.0"));

    let (status, _, body) = get(&router, "/frameworks/4.0").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Objective A: Managing security risk"),
        "version page"
    );

    let (status, _, body) = get(&router, "/frameworks/4.0/outcomes/A1.a").await;
    assert_eq!(status, StatusCode::OK);
    let first_igp = &caf::bundled_frameworks()[1].objectives[0].principles[0].outcomes[0]
        .indicators
        .not_achieved[0];
    let shown = first_igp.display_text().replace('\'', "&#x27;");
    assert!(
        body.contains(&shown) || body.contains(first_igp.display_text()),
        "IGP text on the page"
    );
    assert!(
        body.contains("Cyber Assessment Framework") && body.contains("Crown copyright"),
        "attribution"
    );

    let (status, _, body) = get(&router, "/changes/3.2/4.0").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("C1.f"));
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn unknown_things_answer_404() {
    let (router, path) = app("404").await;
    for uri in [
        "/frameworks/9.9",
        "/frameworks/4.0/outcomes/Z9.z",
        "/changes/4.0/3.2",
    ] {
        let (status, _, body) = get(&router, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Page not found"), "{uri}");
    }
    // Beyond the public framework pages, visitors who are not signed in are sent to sign in,
    // whether or not the page exists.
    let (status, headers, _) = get(&router, "/no-such-page").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/signin?next=/no-such-page");
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_with_a_fresh_nonce() {
    let (router, path) = app("headers").await;
    let (_, first, body) = get(&router, "/frameworks").await;
    let (_, second, _) = get(&router, "/frameworks").await;
    let csp = first["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(csp.contains("object-src 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert_ne!(
        first["content-security-policy"],
        second["content-security-policy"]
    );
    assert_eq!(first["x-content-type-options"], "nosniff");
    assert_eq!(first["referrer-policy"], "no-referrer");
    assert!(
        first.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    let (status, headers, _) = get(&router, "/no-such-page").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("content-security-policy"));
    let _ = std::fs::remove_file(path);
}
