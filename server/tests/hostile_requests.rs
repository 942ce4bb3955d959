//! Every request parser under hostile input, on SQLite and PostgreSQL: each server function
//! (every path the app registers, found at run time, so a new one is covered without editing
//! this file) with random form, JSON and raw bodies, and the two multipart endpoints (evidence
//! upload, assessment import) with random parts, names, types, bytes and cut-off bodies.
//!
//! No request may panic or answer 5xx; a refusal is a 4xx with a message (or the page's
//! redirect carrying one); and a refused request changes nothing: the tables that hold an
//! organisation's data and the stored evidence files are the same afterwards.
//!
//! Cases are drawn from a fixed seed. `HOSTILE_REQUEST_CASES` sets the cases per server function
//! (default 6) and ten times that for each multipart endpoint; the test prints how many it sent.

mod support;

use app::data::{Db, NewAssessment, OrganisationKind};
use app::roles::Role;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sqlx::Row;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use support::{LOCAL, Reply, TestDb, send, signed_in};

const BOUNDARY: &str = "hostile-boundary-91c2";

/// The tables that hold what people entered; a refused request must leave each as it was.
const TABLES: [&str; 17] = [
    "organisations",
    "users",
    "memberships",
    "security_keys",
    "recovery_codes",
    "one_time_links",
    "assessments",
    "assessment_targets",
    "scopes",
    "scope_outcomes",
    "answers",
    "evidence",
    "evidence_links",
    "comments",
    "plan_actions",
    "snapshots",
    "critical_systems",
];

fn cases_per_function() -> u32 {
    std::env::var("HOSTILE_REQUEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6)
}

/// What the database and the evidence folder hold: row counts, plus the text of every answer,
/// evidence item, comment and action (so an update that should not have happened shows).
async fn state(t: &TestDb) -> Vec<String> {
    install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&t.url)
        .await
        .expect("pool");
    let mut out = Vec::new();
    for table in TABLES {
        let row = sqlx::query(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        out.push(format!("{table}: {}", row.get::<String, _>(0)));
    }
    for sql in [
        "SELECT CAST(scope_id AS TEXT) || indicator_id || '|' || answer || '|' || justification \
         FROM answers ORDER BY scope_id, indicator_id",
        "SELECT CAST(scope_id AS TEXT) || outcome_id || '|' || COALESCE(confirmed_status, '') || '|' \
         || narrative || '|' || CAST(version AS TEXT) || '|' || COALESCE(due_date, '') \
         FROM scope_outcomes ORDER BY scope_id, outcome_id",
        "SELECT title || '|' || owner || '|' || COALESCE(file_sha256, '') || COALESCE(url, '') \
         FROM evidence ORDER BY id",
        "SELECT body || '|' || COALESCE(resolved_at, '') FROM comments ORDER BY id",
        "SELECT description || '|' || owner || '|' || status FROM plan_actions ORDER BY id",
        "SELECT title || '|' || period FROM assessments ORDER BY id",
    ] {
        for row in sqlx::query(sql).fetch_all(&pool).await.expect(sql) {
            out.push(row.get::<String, _>(0));
        }
    }
    pool.close().await;
    let mut files: Vec<String> = walk(&t.evidence_dir);
    files.sort();
    out.extend(files);
    out
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out
}

/// A council with a CAF lead (whose session sends every request) and a running assessment of
/// the organisation and one system.
async fn council(db: &Db) -> (String, i64, i64) {
    let org = db
        .create_organisation(
            "alpha",
            "Alpha Borough Council",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("organisation");
    let lead = db
        .create_user("lead@alpha.example.gov.uk", "Lee Lead", "test")
        .await
        .expect("user");
    db.set_membership(lead, org.id, Role::CafLead, None, "test")
        .await
        .expect("member");
    let scope = db
        .authorize(lead, "alpha", app::roles::Permission::LeadAssessment, None)
        .await
        .expect("lead scope");
    let profile = db
        .profiles_for("4.0")
        .await
        .expect("profiles")
        .into_iter()
        .next()
        .expect("a profile")
        .profile
        .id;
    let actor = app::data::Actor {
        user_id: lead,
        email: "lead@alpha.example.gov.uk".into(),
        address: None,
    };
    let assessment = db
        .create_assessment(
            &scope,
            &NewAssessment {
                title: "CAF 2026/27".into(),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile,
                own_profile: false,
                organisation_description: "The whole council".into(),
                systems: vec![("Revenues".into(), "Council tax".into())],
            },
            &actor,
        )
        .await
        .expect("assessment");
    let scope_id = db
        .assessment_summary(&scope, assessment)
        .await
        .expect("summary")
        .scopes[0]
        .id;
    (signed_in(db, lead).await, assessment, scope_id)
}

// ---- What is sent ------------------------------------------------------------------------

/// Texts that have broken parsers before: ids with spaces, huge and negative numbers, control
/// characters, right-to-left overrides, markup, and values that look like other fields'.
fn hostile_text(assessment: i64, scope: i64) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just(assessment.to_string()),
        Just(format!("{assessment} ")),
        Just(scope.to_string()),
        Just("-1".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("1e309".to_owned()),
        Just("NaN".to_owned()),
        Just("alpha".to_owned()),
        Just("A1.a".to_owned()),
        Just("achieved".to_owned()),
        Just("2027-02-30".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{\"a\":".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("\u{202e}gnp.exe".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("x".repeat(70_000)),
        any::<String>(),
        "[ -~]{0,24}",
    ]
}

/// Field names the app's forms and functions use, and some they do not.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "slug",
            "org",
            "assessment_id",
            "assessment",
            "id",
            "scope_id",
            "scope",
            "outcome",
            "outcome_id",
            "version",
            "status",
            "narrative",
            "answers",
            "answers[0]",
            "answers[0][id]",
            "answers[0][value]",
            "title",
            "period",
            "profile",
            "framework_version",
            "email",
            "name",
            "role",
            "body",
            "description",
            "owner",
            "due",
            "token",
            "code",
            "key_id",
            "user_id",
            "state",
            "decision",
            "confirm",
            "typed_name",
            "systems",
            "next",
            "file",
        ])
        .prop_map(str::to_owned),
        "[a-z_\\[\\]0-9]{1,12}",
    ]
}

#[derive(Debug, Clone)]
enum FnBody {
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    Raw(Vec<u8>, &'static str),
}

fn json_value(assessment: i64, scope: i64) -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        hostile_text(assessment, scope).prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn fn_body(assessment: i64, scope: i64) -> impl Strategy<Value = FnBody> {
    prop_oneof![
        5 => prop::collection::vec((field_name(), hostile_text(assessment, scope)), 0..8)
            .prop_map(FnBody::Form),
        3 => json_value(assessment, scope).prop_map(FnBody::Json),
        1 => (
            prop::collection::vec(any::<u8>(), 0..300),
            prop::sample::select(vec![
                "application/x-www-form-urlencoded",
                "application/json",
                "multipart/form-data",
                "text/plain",
                "",
            ]),
        )
            .prop_map(|(bytes, media)| FnBody::Raw(bytes, media)),
    ]
}

fn encode_form(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn fn_request(path: &str, method: &Method, body: &FnBody, cookie: &str) -> Request<Body> {
    let (media, bytes): (&str, Vec<u8>) = match body {
        FnBody::Form(pairs) => (
            "application/x-www-form-urlencoded",
            encode_form(pairs).into_bytes(),
        ),
        FnBody::Json(value) => ("application/json", value.to_string().into_bytes()),
        FnBody::Raw(bytes, media) => (media, bytes.clone()),
    };
    let builder = Request::builder()
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, LOCAL)
        .header(header::ACCEPT, "application/json");
    if *method == Method::GET {
        let query = match body {
            FnBody::Form(_) => String::from_utf8(bytes).expect("form text"),
            _ => url::form_urlencoded::byte_serialize(&bytes).collect(),
        };
        builder
            .method(Method::GET)
            .uri(format!("{path}?{query}"))
            .body(Body::empty())
            .expect("request")
    } else {
        let mut builder = builder.method(method.clone()).uri(path);
        if !media.is_empty() {
            builder = builder.header(header::CONTENT_TYPE, media);
        }
        builder.body(Body::from(bytes)).expect("request")
    }
}

/// One multipart part: a field with text, or a file.
#[derive(Debug, Clone)]
enum Part {
    Text(String, String),
    File {
        field: String,
        name: String,
        media: String,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
struct Multipart {
    parts: Vec<Part>,
    /// Cut the body short at this point (a dropped connection), if set.
    cut: Option<prop::sample::Index>,
    /// Declare another boundary than the one used.
    wrong_boundary: bool,
}

const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n";
const DOCX: &[u8] = include_bytes!("../../app/tests/fixtures/files/minutes.docx");

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(PDF.to_vec()),
        Just(DOCX.to_vec()),
        Just(b"asset,owner\nrevenues,finance\n".to_vec()),
        Just(b"{\"format\":1}".to_vec()),
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..600),
    ]
}

fn part(assessment: i64, scope: i64) -> impl Strategy<Value = Part> {
    prop_oneof![
        4 => (field_name(), hostile_text(assessment, scope)).prop_map(|(k, v)| Part::Text(k, v)),
        2 => (
            prop_oneof![Just("file".to_owned()), field_name()],
            prop_oneof![
                Just("policy.pdf".to_owned()),
                Just("minutes.docx".to_owned()),
                Just("export.json".to_owned()),
                Just("assets.csv".to_owned()),
                Just("noextension".to_owned()),
                Just("..\\..\\x.pdf".to_owned()),
                Just(String::new()),
                "[ -~]{0,20}",
            ],
            prop_oneof![
                Just("application/pdf".to_owned()),
                Just("application/json".to_owned()),
                Just("application/octet-stream".to_owned()),
                Just("text/csv".to_owned()),
                Just("image/svg+xml".to_owned()),
                Just(String::new()),
                "[ -~]{0,20}",
            ],
            file_bytes(),
        )
            .prop_map(|(field, name, media, bytes)| Part::File {
                field,
                name,
                media,
                bytes,
            }),
    ]
}

/// The register's usual fields with random changes, or random parts altogether.
fn upload_form(assessment: i64, scope: i64) -> impl Strategy<Value = Multipart> {
    let usual = move |file: Part, extra: Vec<Part>| {
        let mut parts = vec![
            Part::Text("title".into(), "Board minutes".into()),
            Part::Text("owner".into(), "ICT".into()),
            Part::Text("describes_date".into(), "2026-03-31".into()),
            Part::Text("review_by".into(), "2027-03-31".into()),
            Part::Text("classification".into(), "official_sensitive".into()),
            Part::Text("scope_id".into(), scope.to_string()),
            Part::Text("outcome".into(), "A1.a".into()),
        ];
        parts.extend(extra);
        parts.push(file);
        parts
    };
    let parts = prop_oneof![
        (
            part(assessment, scope),
            prop::collection::vec(part(assessment, scope), 0..3)
        )
            .prop_map(move |(file, extra)| usual(file, extra)),
        prop::collection::vec(part(assessment, scope), 0..8),
    ];
    (
        parts,
        prop::option::weighted(0.2, any::<prop::sample::Index>()),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(parts, cut, wrong_boundary)| Multipart {
            parts,
            cut,
            wrong_boundary,
        })
}

fn multipart_body(form: &Multipart) -> Vec<u8> {
    let mut out = Vec::new();
    for part in &form.parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            ),
            Part::File {
                field,
                name,
                media,
                bytes,
            } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
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
    if let Some(cut) = &form.cut {
        out.truncate(cut.index(out.len() + 1));
    }
    out
}

fn multipart_request(path: &str, form: &Multipart, cookie: &str) -> Request<Body> {
    let boundary = if form.wrong_boundary {
        "another-boundary"
    } else {
        BOUNDARY
    };
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, LOCAL)
        .body(Body::from(multipart_body(form)))
        .expect("request")
}

// ---- The checks --------------------------------------------------------------------------

/// Whether the reply is a success (the change may have happened), after failing on a server
/// fault or a refusal without words.
fn judge(what: &str, reply: &Reply) -> bool {
    assert!(
        !reply.status.is_server_error(),
        "{what}: answered {} {}",
        reply.status,
        reply.text()
    );
    if reply.status.is_client_error() {
        assert!(
            !reply.text().trim().is_empty(),
            "{what}: a {} without a message",
            reply.status
        );
        return false;
    }
    if reply.status == StatusCode::SEE_OTHER {
        // The forms answer with a redirect to the page; a refusal carries its message there.
        let location = reply.location();
        return !location.contains("error=");
    }
    true
}

fn draw<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("a case").current()
}

on_both!(
    no_request_panics_answers_5xx_or_half_writes,
    |t: TestDb| async move {
        let (cookie, assessment, scope) = council(&t.db).await;
        let app = support::router(&t, 1);
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        let per_function = cases_per_function();

        let mut paths: Vec<(&'static str, Method)> =
            leptos::server_fn::axum::server_fn_paths().collect();
        paths.sort_by_key(|(p, _)| *p);
        assert!(paths.len() > 20, "the app's server functions: {paths:?}");
        let mut sent = 0u32;
        let body = fn_body(assessment, scope);
        for (path, method) in &paths {
            // Signing out would end the session the rest of the cases use.
            if path.contains("sign_out") {
                continue;
            }
            for _ in 0..per_function {
                let case = draw(&mut runner, &body);
                let before = state(&t).await;
                let reply = send(&app, fn_request(path, method, &case, &cookie)).await;
                sent += 1;
                let what = format!("{method} {path} with {case:?}");
                if !judge(&what, &reply) {
                    assert_eq!(state(&t).await, before, "{what}: refused, yet changed data");
                }
            }
        }

        let upload = upload_form(assessment, scope);
        let import = prop::collection::vec(part(assessment, scope), 0..5).prop_flat_map(|parts| {
            (
                Just(parts),
                prop::option::weighted(0.2, any::<prop::sample::Index>()),
                prop::bool::weighted(0.05),
            )
                .prop_map(|(parts, cut, wrong_boundary)| Multipart {
                    parts,
                    cut,
                    wrong_boundary,
                })
        });
        let mut multipart_sent = 0u32;
        for (path, strategy) in [
            ("/org/alpha/evidence/upload", upload.boxed()),
            ("/org/alpha/assessments/import", import.boxed()),
        ] {
            for _ in 0..per_function * 10 {
                let form = draw(&mut runner, &strategy);
                let before = state(&t).await;
                let reply = send(&app, multipart_request(path, &form, &cookie)).await;
                multipart_sent += 1;
                let what = format!("POST {path} with {form:?}");
                if !judge(&what, &reply) {
                    assert_eq!(state(&t).await, before, "{what}: refused, yet changed data");
                }
            }
        }
        println!(
            "hostile requests: {sent} to {} server functions, {multipart_sent} multipart; \
             no panic, no 5xx, no refused request changed data",
            paths.len()
        );
    }
);
