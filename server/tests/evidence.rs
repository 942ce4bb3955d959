//! Evidence files over HTTP, on SQLite and PostgreSQL: upload and download round trip, file
//! names that never become paths, the size limit enforced before and while streaming, bad
//! fields that store nothing, tampering detected on download, and outsiders refused with 404.

mod support;

use app::data::{Db, NewAssessment, OrganisationKind};
use app::roles::Role;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::path::Path;
use support::{LOCAL, Reply, TestDb, audit_with_prefix, get, router, send, signed_in};

const BOUNDARY: &str = "caf-test-boundary-7d1f";

/// One part of a multipart form.
#[derive(Clone, Copy)]
enum Part<'a> {
    Text(&'a str, &'a str),
    File {
        name: &'a str,
        media: &'a str,
        bytes: &'a [u8],
    },
}

/// A multipart/form-data body with the parts in order.
fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File { name, media, bytes } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                         Content-Type: {media}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(bytes);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// The usual fields, in the order the register's form sends them, before the file.
fn fields<'a>(title: &'a str, extra: &[Part<'a>]) -> Vec<Part<'a>> {
    let mut parts = vec![
        Part::Text("title", title),
        Part::Text("owner", "ICT security team"),
        Part::Text("describes_date", "2026-03-31"),
        Part::Text("review_by", "2027-03-31"),
        Part::Text("classification", "official_sensitive"),
    ];
    parts.extend_from_slice(extra);
    parts
}

fn upload_request(
    slug: &str,
    cookie: &str,
    body: Body,
    content_length: Option<u64>,
    origin: &str,
) -> Request<Body> {
    let mut request = Request::post(format!("/org/{slug}/evidence/upload"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, origin);
    if let Some(length) = content_length {
        request = request.header(header::CONTENT_LENGTH, length);
    }
    request.body(body).expect("request")
}

/// Sends a whole form, with its length, from the app's own origin.
async fn upload(app: &axum::Router, slug: &str, cookie: &str, parts: &[Part<'_>]) -> Reply {
    let body = multipart(parts);
    let length = body.len() as u64;
    send(
        app,
        upload_request(slug, cookie, Body::from(body), Some(length), LOCAL),
    )
    .await
}

/// Every file under `dir` (relative paths), ignoring the empty `tmp` folder.
fn stored_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .expect("under dir")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The value of `key` in a redirect's query string, decoded.
fn query_value(location: &str, key: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://x{location}")).expect("location");
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Alpha with an assessor, a board viewer and an organisation scope; beta with its own
/// assessor. Cookies for each.
struct World {
    assessor: String,
    board_viewer: String,
    outsider: String,
    scope_id: i64,
}

async fn world(db: &Db) -> World {
    let alpha = db
        .create_organisation(
            "alpha",
            "Alpha Borough Council",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("alpha");
    let beta = db
        .create_organisation(
            "beta",
            "Beta District Council",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("beta");
    let member = |email: &'static str, org: i64, role: Role| async move {
        let id = db
            .create_user(email, "Someone", "test")
            .await
            .expect("user");
        db.set_membership(id, org, role, None, "test")
            .await
            .expect("member");
        id
    };
    let assessor = member("assessor@alpha.example.gov.uk", alpha.id, Role::Assessor).await;
    let lead = member("lead@alpha.example.gov.uk", alpha.id, Role::CafLead).await;
    let viewer = member("board@alpha.example.gov.uk", alpha.id, Role::BoardViewer).await;
    let outsider = member("assessor@beta.example.gov.uk", beta.id, Role::Assessor).await;

    let org = db
        .authorize(lead, "alpha", app::roles::Permission::LeadAssessment, None)
        .await
        .expect("lead scope");
    let profile = db
        .profiles_for("4.0")
        .await
        .expect("profiles")
        .into_iter()
        .next()
        .expect("a bundled profile")
        .profile
        .id;
    let actor = app::data::Actor {
        user_id: lead,
        email: "lead@alpha.example.gov.uk".into(),
        address: None,
    };
    let assessment = db
        .create_assessment(
            &org,
            &NewAssessment {
                title: "CAF 2026/27".into(),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile,
                own_profile: false,
                organisation_description: "The whole council".into(),
                systems: vec![(
                    "Revenues and benefits".into(),
                    "Council tax and benefits".into(),
                )],
            },
            &actor,
        )
        .await
        .expect("assessment");
    let scope_id = db
        .assessment_summary(&org, assessment)
        .await
        .expect("summary")
        .scopes[0]
        .id;
    World {
        assessor: signed_in(db, assessor).await,
        board_viewer: signed_in(db, viewer).await,
        outsider: signed_in(db, outsider).await,
        scope_id,
    }
}

/// The id in a successful upload's redirect.
fn added_id(reply: &Reply) -> i64 {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    query_value(reply.location(), "added")
        .unwrap_or_else(|| panic!("no added= in {}", reply.location()))
        .parse()
        .expect("id")
}

/// Real Office files (made by python-docx and openpyxl) and a plain ZIP, shared with the app's
/// file-type tests.
const MINUTES_DOCX: &[u8] = include_bytes!("../../app/tests/fixtures/files/minutes.docx");
const ASSETS_XLSX: &[u8] = include_bytes!("../../app/tests/fixtures/files/assets.xlsx");
const PHOTOS_ZIP: &[u8] = include_bytes!("../../app/tests/fixtures/files/photos.zip");

on_both!(round_trip, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..200_000u32).map(|i| (i % 251) as u8));
    let reply = upload(
        &app,
        "alpha",
        &w.assessor,
        &fields(
            "Backup restore test report",
            &[Part::File {
                name: "restore report.pdf",
                media: "application/pdf",
                bytes: &bytes,
            }],
        ),
    )
    .await;
    let id = added_id(&reply);
    assert!(reply.location().starts_with("/org/alpha/evidence?added="));

    let sha = sha_hex(&bytes);
    assert_eq!(
        stored_files(&t.evidence_dir),
        vec![format!("{}/{sha}", &sha[..2])],
        "stored under its hash alone"
    );
    let seq_before = audit_with_prefix(&t.db, "evidence.download").await.len();
    let down = send(
        &app,
        get(
            &format!("/org/alpha/evidence/{id}/download"),
            Some(&w.assessor),
        ),
    )
    .await;
    assert_eq!(down.status, StatusCode::OK, "{}", down.text());
    assert_eq!(down.body, bytes, "the same bytes come back");
    assert_eq!(
        down.header(header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(
        down.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"restore report.pdf\"; filename*=UTF-8''restore%20report.pdf"
    );
    assert_eq!(down.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(down.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(down.header("x-evidence-sha256"), sha);
    let downloads = audit_with_prefix(&t.db, "evidence.download").await;
    assert_eq!(downloads.len(), seq_before + 1);
    assert_eq!(downloads[0].event.object, format!("evidence:{id}"));
    assert_eq!(downloads[0].event.actor, "assessor@alpha.example.gov.uk");
    let created = audit_with_prefix(&t.db, "evidence.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].event.detail["sha256"], sha);

    // The same bytes again: a second item, one blob.
    let again = upload(
        &app,
        "alpha",
        &w.assessor,
        &fields(
            "The same report, filed twice",
            &[Part::File {
                name: "copy.pdf",
                media: "application/pdf",
                bytes: &bytes,
            }],
        ),
    )
    .await;
    assert_ne!(added_id(&again), id);
    assert_eq!(stored_files(&t.evidence_dir).len(), 1);
});

on_both!(
    upload_links_to_an_outcome_and_returns_to_next,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        let scope = w.scope_id.to_string();
        let next = format!("/org/alpha/assessments/1/scopes/{scope}/outcomes/A1.a");
        let reply = upload(
        &app,
        "alpha",
        &w.assessor,
        &fields(
            "Board minutes",
            &[
                Part::Text("scope_id", &scope),
                Part::Text("outcome", "A1.a"),
                Part::Text("next", &next),
                Part::File {
                    name: "minutes.docx",
                    media: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    bytes: MINUTES_DOCX,
                },
            ],
        ),
    )
    .await;
        let id = added_id(&reply);
        assert!(reply.location().starts_with(&format!("{next}?added=")));
        let links = audit_with_prefix(&t.db, "evidence.link").await;
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].event.detail["evidence"], id);

        // An outcome that is not in the scope: nothing stored, back to `next` with the reason.
        let before = stored_files(&t.evidence_dir);
        let reply = upload(
            &app,
            "alpha",
            &w.assessor,
            &fields(
                "Network diagram",
                &[
                    Part::Text("scope_id", &scope),
                    Part::Text("outcome", "B2.a"),
                    Part::Text("next", &next),
                    Part::File {
                        name: "diagram.png",
                        media: "image/png",
                        bytes: b"\x89PNG\r\n\x1a\n a diagram",
                    },
                ],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(
            reply
                .location()
                .starts_with(&format!("{next}?upload_error="))
        );
        assert!(
            query_value(reply.location(), "upload_error")
                .expect("message")
                .contains("not found")
        );
        assert_eq!(stored_files(&t.evidence_dir), before);
        assert_eq!(audit_with_prefix(&t.db, "evidence.create").await.len(), 1);

        // A `next` off this organisation's pages is ignored.
        let reply = upload(
            &app,
            "alpha",
            &w.assessor,
            &fields(
                "Policy",
                &[
                    Part::Text("next", "https://evil.example/org/alpha/"),
                    Part::File {
                        name: "policy.txt",
                        media: "text/plain",
                        bytes: b"policy",
                    },
                ],
            ),
        )
        .await;
        added_id(&reply);
        assert!(reply.location().starts_with("/org/alpha/evidence?added="));
    }
);

on_both!(file_names_never_become_paths, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    let bytes = b"root:x:0:0:root:/root:/bin/bash\n";
    let reply = upload(
        &app,
        "alpha",
        &w.assessor,
        &fields(
            "Hostile name",
            &[Part::File {
                name: "../../etc/passwd.txt",
                media: "text/plain",
                bytes,
            }],
        ),
    )
    .await;
    let id = added_id(&reply);
    let sha = sha_hex(bytes);
    assert_eq!(
        stored_files(&t.evidence_dir),
        vec![format!("{}/{sha}", &sha[..2])]
    );
    let parent = t.evidence_dir.parent().expect("parent");
    assert!(!parent.join("etc/passwd").exists());
    let down = send(
        &app,
        get(
            &format!("/org/alpha/evidence/{id}/download"),
            Some(&w.assessor),
        ),
    )
    .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(
        down.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"passwd.txt\"; filename*=UTF-8''passwd.txt"
    );
    assert_eq!(
        down.header(header::CONTENT_TYPE),
        "application/octet-stream",
        "the claimed type is never served"
    );
});

on_both!(
    oversized_declared_length_is_refused_unread,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        // The body never arrives: answering at all proves it was not read.
        let body =
            Body::from_stream(futures_util::stream::pending::<Result<Bytes, std::io::Error>>());
        let reply = send(
            &app,
            upload_request("alpha", &w.assessor, body, Some(3 << 20), LOCAL),
        )
        .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(reply.text().contains("1 MiB"), "{}", reply.text());
        assert!(stored_files(&t.evidence_dir).is_empty());
        assert!(audit_with_prefix(&t.db, "evidence.").await.is_empty());
    }
);

on_both!(oversized_streamed_body_is_refused, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    // A small file first, so the store folder exists and a leftover would show.
    added_id(
        &upload(
            &app,
            "alpha",
            &w.assessor,
            &fields(
                "Small",
                &[Part::File {
                    name: "small.txt",
                    media: "text/plain",
                    bytes: b"small",
                }],
            ),
        )
        .await,
    );
    let before = stored_files(&t.evidence_dir);
    let big = vec![b'x'; (1 << 20) + 1];
    for chunked in [true, false] {
        let body = multipart(&fields(
            "Too big",
            &[Part::File {
                name: "big.txt",
                media: "application/octet-stream",
                bytes: &big,
            }],
        ));
        let (body, length) = if chunked {
            // No Content-Length: the bytes arrive in 64 KiB chunks.
            let chunks: Vec<Result<Bytes, std::io::Error>> = body
                .chunks(64 * 1024)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            (Body::from_stream(futures_util::stream::iter(chunks)), None)
        } else {
            // Declared, and under the form allowance, so only the streaming check can catch it.
            let length = body.len() as u64;
            (Body::from(body), Some(length))
        };
        let reply = send(
            &app,
            upload_request("alpha", &w.assessor, body, length, LOCAL),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "chunked {chunked}: {}",
            reply.text()
        );
        assert_eq!(
            stored_files(&t.evidence_dir),
            before,
            "nothing stored, no temporary file"
        );
    }
    assert_eq!(audit_with_prefix(&t.db, "evidence.create").await.len(), 1);
});

on_both!(
    declared_type_is_checked_against_content,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        let try_upload = |name: &'static str, media: &'static str, bytes: &'static [u8]| {
            let app = app.clone();
            let cookie = w.assessor.clone();
            async move {
                let parts = fields("Typed", &[Part::File { name, media, bytes }]);
                upload(&app, "alpha", &cookie, &parts).await
            }
        };
        let refused = [
            // A Windows program renamed to look like a PDF.
            (
                "policy.pdf",
                "application/pdf",
                &b"MZ\x90\x00\x03\x00\x00\x00"[..],
                "not a PDF file",
            ),
            // A real PDF the browser says is an image.
            (
                "policy.pdf",
                "image/png",
                b"%PDF-1.7\n",
                "sent as image/png",
            ),
            // A ZIP (an Office file, say) called a CSV.
            (
                "assets.csv",
                "text/csv",
                b"PK\x03\x04\x14\x00\x08\x00",
                "not a CSV file",
            ),
            // A workbook, and a plain ZIP, called a Word document: both are ZIPs, and a
            // signature check that stopped at "PK" would take them.
            (
                "minutes.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ASSETS_XLSX,
                "not a Word file",
            ),
            (
                "minutes.docx",
                "application/zip",
                PHOTOS_ZIP,
                "not a Word file",
            ),
            // Binary bytes called text.
            (
                "notes.txt",
                "text/plain",
                b"notes\x00\x01\x02",
                "not plain text",
            ),
            // Kinds never accepted, whatever their contents.
            (
                "setup.exe",
                "application/x-msdownload",
                b"MZ\x90\x00",
                "not accepted",
            ),
            (
                "page.html",
                "text/html",
                b"<script>alert(1)</script>",
                "not accepted",
            ),
            (
                "drawing.svg",
                "image/svg+xml",
                b"<svg onload=alert(1)>",
                "not accepted",
            ),
            ("README", "text/plain", b"no extension", "no extension"),
        ];
        for (name, media, bytes, expected) in refused {
            let reply = try_upload(name, media, bytes).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}");
            let message = query_value(reply.location(), "upload_error")
                .unwrap_or_else(|| panic!("{name}: {}", reply.location()));
            assert!(message.contains(expected), "{name}: {message}");
        }
        assert!(stored_files(&t.evidence_dir).is_empty(), "no bytes kept");
        assert!(audit_with_prefix(&t.db, "evidence.").await.is_empty());

        // What matches is stored with its kind's media type, not the browser's wording.
        for (name, media, bytes, stored_as) in [
            (
                "assets.csv",
                "application/vnd.ms-excel",
                &b"asset,owner\nrevenues,finance\n"[..],
                "text/csv",
            ),
            (
                "scan.jpg",
                "application/octet-stream",
                b"\xFF\xD8\xFF\xE0\x00\x10JFIF",
                "image/jpeg",
            ),
            (
                "minutes.DOCX",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                MINUTES_DOCX,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ] {
            let reply = try_upload(name, media, bytes).await;
            added_id(&reply);
            let created = audit_with_prefix(&t.db, "evidence.create").await;
            assert_eq!(created[0].event.detail["media_type"], stored_as, "{name}");
        }
        assert_eq!(stored_files(&t.evidence_dir).len(), 3);
    }
);

on_both!(bad_fields_store_nothing, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    let file = Part::File {
        name: "x.pdf",
        media: "application/pdf",
        bytes: b"%PDF-1.4 content",
    };
    let reply = upload(
        &app,
        "alpha",
        &w.assessor,
        &[
            Part::Text("title", " "),
            Part::Text("owner", "ICT"),
            Part::Text("describes_date", "yesterday"),
            Part::Text("classification", "secret"),
            file,
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        reply
            .location()
            .starts_with("/org/alpha/evidence?upload_error=")
    );
    let message = query_value(reply.location(), "upload_error").expect("message");
    for expected in [
        "Enter a title",
        "Enter the date it describes as a date",
        "Choose OFFICIAL or OFFICIAL-SENSITIVE",
    ] {
        assert!(message.contains(expected), "{message}");
    }
    // An empty file, and a form with no file at all.
    let empty = upload(
        &app,
        "alpha",
        &w.assessor,
        &fields(
            "Empty",
            &[Part::File {
                name: "empty.txt",
                media: "text/plain",
                bytes: b"",
            }],
        ),
    )
    .await;
    assert!(
        query_value(empty.location(), "upload_error")
            .expect("message")
            .contains("empty")
    );
    let none = upload(&app, "alpha", &w.assessor, &fields("No file", &[])).await;
    assert!(
        query_value(none.location(), "upload_error")
            .expect("message")
            .contains("Choose a file")
    );
    assert!(stored_files(&t.evidence_dir).is_empty());
    assert!(audit_with_prefix(&t.db, "evidence.").await.is_empty());
});

on_both!(
    tampered_file_is_detected_on_download,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        let bytes = b"firewall rule review, signed";
        let id = added_id(
            &upload(
                &app,
                "alpha",
                &w.assessor,
                &fields(
                    "Firewall review",
                    &[Part::File {
                        name: "review.txt",
                        media: "text/plain",
                        bytes,
                    }],
                ),
            )
            .await,
        );
        let sha = sha_hex(bytes);
        std::fs::write(
            t.evidence_dir.join(&sha[..2]).join(&sha),
            b"firewall rule review, forged",
        )
        .expect("tamper");
        let down = send(
            &app,
            get(
                &format!("/org/alpha/evidence/{id}/download"),
                Some(&w.assessor),
            ),
        )
        .await;
        assert_eq!(down.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            down.text().contains("does not match its recorded SHA-256"),
            "{}",
            down.text()
        );
        assert!(!down.text().contains("forged"));
        assert_ne!(down.header(header::CONTENT_DISPOSITION), "attachment");
        let tampered = audit_with_prefix(&t.db, "evidence.tampered").await;
        assert_eq!(tampered.len(), 1);
        assert_eq!(tampered[0].event.object, format!("evidence:{id}"));
        assert_eq!(tampered[0].event.detail["sha256"], sha);
        assert!(
            audit_with_prefix(&t.db, "evidence.download")
                .await
                .is_empty()
        );

        // A file gone from disk is reported too.
        std::fs::remove_file(t.evidence_dir.join(&sha[..2]).join(&sha)).expect("remove");
        let gone = send(
            &app,
            get(
                &format!("/org/alpha/evidence/{id}/download"),
                Some(&w.assessor),
            ),
        )
        .await;
        assert_eq!(gone.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(audit_with_prefix(&t.db, "evidence.missing").await.len(), 1);
    }
);

on_both!(outsiders_get_404, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    let id = added_id(
        &upload(
            &app,
            "alpha",
            &w.assessor,
            &fields(
                "Incident plan",
                &[Part::File {
                    name: "plan.txt",
                    media: "text/plain",
                    bytes: b"incident plan",
                }],
            ),
        )
        .await,
    );
    let files = stored_files(&t.evidence_dir);
    let not_found = send(
        &app,
        get(
            &format!("/org/alpha/evidence/{}/download", id + 100),
            Some(&w.assessor),
        ),
    )
    .await;
    assert_eq!(not_found.status, StatusCode::NOT_FOUND);
    for (who, cookie) in [
        ("beta assessor", &w.outsider),
        ("board viewer", &w.board_viewer),
    ] {
        for path in [
            format!("/org/alpha/evidence/{id}/download"),
            format!("/org/alpha/evidence/{}/download", id + 100),
            "/org/alpha/evidence/not-a-number/download".to_owned(),
        ] {
            let reply = send(&app, get(&path, Some(cookie))).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} {path}");
            assert_eq!(reply.body, not_found.body, "{who} {path}: the same 404");
            assert!(!reply.text().contains("incident plan"));
        }
        let reply = upload(
            &app,
            "alpha",
            cookie,
            &fields(
                "Planted",
                &[Part::File {
                    name: "planted.txt",
                    media: "text/plain",
                    bytes: b"planted by an outsider",
                }],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} upload");
        // Not even an oversized declared upload reveals anything more.
        let reply = send(
            &app,
            upload_request("alpha", cookie, Body::empty(), Some(3 << 20), LOCAL),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{who} oversized upload"
        );
    }
    // Beta's own download URL for alpha's item id is just as unknown.
    let reply = send(
        &app,
        get(
            &format!("/org/beta/evidence/{id}/download"),
            Some(&w.outsider),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&t.evidence_dir), files);
    assert_eq!(audit_with_prefix(&t.db, "evidence.create").await.len(), 1);
    assert!(
        audit_with_prefix(&t.db, "evidence.download")
            .await
            .is_empty()
    );
    assert!(!audit_with_prefix(&t.db, "access.denied").await.is_empty());
});

on_both!(cross_site_upload_is_refused, |t: TestDb| async move {
    let w = world(&t.db).await;
    let app = router(&t, 1);
    let body = multipart(&fields(
        "Cross-site",
        &[Part::File {
            name: "x.txt",
            media: "text/plain",
            bytes: b"from another site",
        }],
    ));
    for (origin, fetch_site) in [("https://evil.example", None), (LOCAL, Some("cross-site"))] {
        let mut request = upload_request(
            "alpha",
            &w.assessor,
            Body::from(body.clone()),
            Some(body.len() as u64),
            origin,
        );
        if let Some(site) = fetch_site {
            request
                .headers_mut()
                .insert("sec-fetch-site", site.parse().expect("header"));
        }
        let reply = send(&app, request).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{origin} {fetch_site:?}"
        );
    }
    assert!(stored_files(&t.evidence_dir).is_empty());
    assert!(audit_with_prefix(&t.db, "evidence.").await.is_empty());
});

/// The removal form's POST, from `origin`.
fn remove_request(path: &str, cookie: &str, origin: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, origin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .expect("request")
}

on_both!(
    removal_deletes_the_bytes_once_unused,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        let bytes = b"a plan that belongs to another council";
        let file = |title: &'static str| {
            fields(
                title,
                &[Part::File {
                    name: "plan.txt",
                    media: "text/plain",
                    bytes,
                }],
            )
        };
        let first =
            added_id(&upload(&app, "alpha", &w.assessor, &file("Uploaded by mistake")).await);
        let second =
            added_id(&upload(&app, "alpha", &w.assessor, &file("The same bytes again")).await);
        let stored = stored_files(&t.evidence_dir);
        assert_eq!(stored.len(), 1);

        // Outsiders, readers and other sites change nothing.
        for (who, cookie, origin, status) in [
            ("beta assessor", &w.outsider, LOCAL, StatusCode::NOT_FOUND),
            (
                "board viewer",
                &w.board_viewer,
                LOCAL,
                StatusCode::NOT_FOUND,
            ),
            (
                "another site",
                &w.assessor,
                "https://evil.example",
                StatusCode::FORBIDDEN,
            ),
        ] {
            let path = format!("/org/alpha/evidence/{first}/remove");
            let reply = send(&app, remove_request(&path, cookie, origin)).await;
            assert_eq!(reply.status, status, "{who}");
        }
        let reply = send(
            &app,
            get(
                &format!("/org/alpha/evidence/{first}/remove"),
                Some(&w.assessor),
            ),
        )
        .await;
        assert_ne!(reply.status, StatusCode::SEE_OTHER, "no removal on GET");
        assert_eq!(stored_files(&t.evidence_dir), stored);
        assert!(audit_with_prefix(&t.db, "evidence.remove").await.is_empty());

        // The first removal keeps the bytes the second item still uses; the second deletes them.
        let path = |id: i64| format!("/org/alpha/evidence/{id}/remove");
        let reply = send(&app, remove_request(&path(first), &w.assessor, LOCAL)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(
            query_value(reply.location(), "removed"),
            Some(first.to_string())
        );
        assert_eq!(stored_files(&t.evidence_dir), stored);
        let gone = send(
            &app,
            get(
                &format!("/org/alpha/evidence/{first}/download"),
                Some(&w.assessor),
            ),
        )
        .await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        let reply = send(&app, remove_request(&path(second), &w.assessor, LOCAL)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert!(
            stored_files(&t.evidence_dir).is_empty(),
            "the bytes are deleted"
        );
        let removed = audit_with_prefix(&t.db, "evidence.remove").await;
        assert_eq!(removed.len(), 2);
        assert_eq!(removed[0].event.detail["sha256"], sha_hex(bytes));
        let again = send(&app, remove_request(&path(second), &w.assessor, LOCAL)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);

on_both!(
    a_removal_never_deletes_the_bytes_of_an_identical_upload,
    |t: TestDb| async move {
        let w = world(&t.db).await;
        let app = router(&t, 1);
        let bytes = b"the same backup report, uploaded twice at once";
        let parts = |title: &'static str| {
            fields(
                title,
                &[Part::File {
                    name: "report.txt",
                    media: "text/plain",
                    bytes,
                }],
            )
        };
        for round in 0..12 {
            let old = added_id(&upload(&app, "alpha", &w.assessor, &parts("Old copy")).await);
            // The old copy is removed while an identical file is being uploaded.
            let remover = {
                let (app, cookie) = (app.clone(), w.assessor.clone());
                tokio::spawn(async move {
                    send(
                        &app,
                        remove_request(
                            &format!("/org/alpha/evidence/{old}/remove"),
                            &cookie,
                            LOCAL,
                        ),
                    )
                    .await
                })
            };
            let uploader = {
                let (app, cookie) = (app.clone(), w.assessor.clone());
                tokio::spawn(
                    async move { upload(&app, "alpha", &cookie, &parts("New copy")).await },
                )
            };
            let removed = remover.await.expect("removal");
            assert_eq!(removed.status, StatusCode::SEE_OTHER, "round {round}");
            let new = added_id(&uploader.await.expect("upload"));
            // Whatever the order, the new item's bytes are there.
            let download = send(
                &app,
                get(
                    &format!("/org/alpha/evidence/{new}/download"),
                    Some(&w.assessor),
                ),
            )
            .await;
            assert_eq!(download.status, StatusCode::OK, "round {round}");
            assert_eq!(download.body, bytes.to_vec(), "round {round}");
            // Clear the way for the next round: removing the new copy deletes the bytes.
            let reply = send(
                &app,
                remove_request(
                    &format!("/org/alpha/evidence/{new}/remove"),
                    &w.assessor,
                    LOCAL,
                ),
            )
            .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER);
            assert!(stored_files(&t.evidence_dir).is_empty(), "round {round}");
        }
    }
);
