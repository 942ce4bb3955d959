//! The HTTP surface in-process: pages render on the server with the right status and headers.

use app::data::Db;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::config::ServeArgs;
use tower::ServiceExt;

async fn app(name: &str) -> (axum::Router, std::path::PathBuf) {
    app_serving(name, std::env::temp_dir()).await
}

/// The router with its browser bundle in `site_root`.
async fn app_serving(
    name: &str,
    site_root: std::path::PathBuf,
) -> (axum::Router, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("caf-http-{name}-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("db");
    db.migrate().await.expect("migrate");
    db.register_bundled().await.expect("register");
    let args = ServeArgs {
        trusted_proxies: Default::default(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root,
        evidence_dir: std::env::temp_dir().join("caf-evidence-unused"),
        max_upload_mib: 25,
        report_classification: app::report::DEFAULT_CLASSIFICATION.to_owned(),
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

#[tokio::test]
async fn the_browser_bundle_is_gzipped_and_pages_are_not() {
    use std::io::Read;
    let site = std::env::temp_dir().join(format!("caf-http-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).expect("site folder");
    let css = ".tile { border: 1px solid #b1b4b6; padding: 10px; }\n".repeat(200);
    std::fs::write(site.join("pkg/caf.css"), &css).expect("css");
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .cycle()
        .take(8192)
        .collect();
    std::fs::write(site.join("pkg/caf_bg.wasm"), &wasm).expect("wasm");
    let (router, path) = app_serving("gzip", site.clone()).await;
    let fetch = |uri: &str| {
        router.clone().oneshot(
            Request::get(uri)
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .expect("request"),
        )
    };
    for (uri, original) in [
        ("/pkg/caf.css", css.as_bytes()),
        ("/pkg/caf_bg.wasm", &wasm[..]),
    ] {
        let response = fetch(uri).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(response.headers()["content-encoding"], "gzip", "{uri}");
        assert!(
            response.headers().contains_key("x-content-type-options"),
            "{uri}"
        );
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        assert!(
            body.len() < original.len() / 4,
            "{uri}: {} bytes",
            body.len()
        );
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut unpacked)
            .expect("gunzip");
        assert_eq!(unpacked, original, "{uri}");
    }
    // Pages carry what the person may see and type: their length never depends on compression.
    let response = fetch("/frameworks/4.0").await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.headers().contains_key("content-encoding"));
    let _ = std::fs::remove_dir_all(&site);
    let _ = std::fs::remove_file(path);
}
