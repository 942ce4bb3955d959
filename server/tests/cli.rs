//! The command line, run as a person would: the real binary on a fresh SQLite database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("caf-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/caf.db", self.0.display()),
            )
            .env("RUST_LOG", "warn")
            .output()
            .expect("run server")
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path.display().to_string()
    }
}

impl Scratch {
    /// A stored version as exported, relabelled as `label`: what an administrator edits.
    fn exported_as(&self, version: &str, label: &str) -> serde_json::Value {
        let export = self.run(&["framework", "export", version]);
        assert!(export.status.success(), "{}", stderr(&export));
        let mut framework: serde_json::Value =
            serde_json::from_slice(&export.stdout).expect("export is JSON");
        framework["version"] = label.into();
        framework
    }

    /// Writes a framework to a file and returns its path.
    fn framework_file(&self, name: &str, framework: &serde_json::Value) -> String {
        self.file(
            name,
            &serde_json::to_string_pretty(framework).expect("JSON"),
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn shared_frameworks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/frameworks")
}

/// Every IGP text (and cleaned text) of a framework, in document order, from any JSON-like value.
fn igp_texts_from_yaml(value: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for objective in value["objectives"].as_sequence().expect("objectives") {
        for principle in objective["principles"].as_sequence().expect("principles") {
            for outcome in principle["contributing_outcomes"]
                .as_sequence()
                .expect("outcomes")
            {
                for column in ["not_achieved", "partially_achieved", "achieved"] {
                    for igp in outcome["igps"][column].as_sequence().into_iter().flatten() {
                        out.push((
                            igp["id"].as_str().expect("id").to_owned(),
                            igp["text"].as_str().expect("text").to_owned(),
                        ));
                    }
                }
            }
        }
    }
    out
}

fn igp_texts_from_export(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for objective in json["objectives"].as_array().expect("objectives") {
        for principle in objective["principles"].as_array().expect("principles") {
            for outcome in principle["outcomes"].as_array().expect("outcomes") {
                for column in ["not_achieved", "partially_achieved", "achieved"] {
                    for igp in outcome["indicators"][column]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        out.push((
                            igp["id"].as_str().expect("id").to_owned(),
                            igp["text"].as_str().expect("text").to_owned(),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn export_prints_every_igp_of_the_shared_yaml_word_for_word() {
    let scratch = Scratch::new("export");
    for (version, file, count) in [
        ("3.2", "ncsc-caf-v3.2.yaml", 449),
        ("4.0", "ncsc-caf-v4.0.yaml", 557),
    ] {
        let output = scratch.run(&["framework", "export", version]);
        assert!(output.status.success(), "{}", stderr(&output));
        let exported: serde_json::Value =
            serde_json::from_str(&stdout(&output)).expect("export is JSON");
        let yaml_text = std::fs::read_to_string(shared_frameworks().join(file))
            .expect("shared framework YAML (../shared beside the repository)");
        let yaml: serde_yaml::Value = serde_yaml::from_str(&yaml_text).expect("YAML");
        let expected = igp_texts_from_yaml(&yaml);
        assert_eq!(expected.len(), count);
        assert_eq!(igp_texts_from_export(&exported), expected, "CAF {version}");
    }
}

#[test]
fn list_migrate_and_unknown_export() {
    let scratch = Scratch::new("list");
    let output = scratch.run(&["migrate"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = scratch.run(&["migrate"]);
    assert!(
        output.status.success(),
        "second migrate: {}",
        stderr(&output)
    );

    let output = scratch.run(&["framework", "list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.lines()
            .any(|l| l.starts_with("3.2") && l.contains(" 39 ") && l.contains(" 449 ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("4.0") && l.contains(" 41 ") && l.contains(" 557 ")),
        "{text}"
    );

    let output = scratch.run(&["framework", "export", "9.9"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no framework version \"9.9\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_file_is_refused_by_validate_and_import_and_nothing_is_stored() {
    let scratch = Scratch::new("broken");
    let mut framework = scratch.exported_as("4.0", "4.1");
    let first = framework["objectives"][0]["principles"][0]["outcomes"][0]["id"].clone();
    framework["objectives"][0]["principles"][0]["outcomes"][1]["id"] = first;
    let broken = scratch.framework_file("broken.json", &framework);

    let output = scratch.run(&["framework", "validate", &broken]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("A1.a"), "{}", stderr(&output));

    let output = scratch.run(&["framework", "import", &broken]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("nothing was stored"),
        "{}",
        stderr(&output)
    );
    let list = stdout(&scratch.run(&["framework", "list"]));
    assert!(!list.contains("4.1"), "{list}");

    let not_json = scratch.file("not.json", "{\n  \"version\": \"4.1\",\n  oops\n}\n");
    let output = scratch.run(&["framework", "validate", &not_json]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("line 3"), "{}", stderr(&output));
}

#[test]
fn a_valid_file_is_imported_once() {
    let scratch = Scratch::new("import");
    let file = scratch.framework_file("ok.json", &scratch.exported_as("4.0", "4.0-council"));

    let output = scratch.run(&["framework", "validate", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("41 contributing outcomes"));

    let output = scratch.run(&["framework", "import", &file]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Imported CAF 4.0-council"));
    let output = scratch.run(&["framework", "import", &file]);
    assert!(
        stdout(&output).contains("nothing changed"),
        "{}",
        stdout(&output)
    );
    let list = stdout(&scratch.run(&["framework", "list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("4.0-council") && l.contains("imported")),
        "{list}"
    );
}

#[test]
fn imports_are_audited_and_the_chain_verifies() {
    let scratch = Scratch::new("audit");
    let file = scratch.framework_file("ok.json", &scratch.exported_as("3.2", "3.2-local"));
    assert!(
        scratch
            .run(&["framework", "import", &file])
            .status
            .success()
    );

    let output = scratch.run(&["audit", "list", "--action", "framework."]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.lines().any(|l| l.contains("framework.import")
            && l.contains("framework:3.2-local")
            && l.contains("cli:")),
        "{text}"
    );
    assert!(text.contains("framework.register"), "{text}");

    let output = scratch.run(&["audit", "verify"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("intact"));
}

#[test]
fn with_no_command_it_serves_on_the_address_from_the_environment() {
    use std::io::{Read, Write};
    let scratch = Scratch::new("serve");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/caf.db", scratch.0.display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start server");
    let mut answer = String::new();
    for _ in 0..100 {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream
                .write_all(
                    b"GET /frameworks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                )
                .expect("send");
            stream.read_to_string(&mut answer).expect("read");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().expect("stop server");
    let _ = child.wait();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        answer.lines().next().unwrap_or("no answer")
    );
    assert!(answer.contains("CAF 4.0"));
}

impl Scratch {
    /// Runs a command with text on its standard input.
    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/caf.db", self.0.display()),
            )
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run server");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }
}

#[test]
fn admin_commands_create_the_first_administrator_and_reset_keys() {
    let scratch = Scratch::new("admin");
    let link = scratch.run(&["admin", "setup-link"]);
    assert!(link.status.success(), "{}", stderr(&link));
    let printed = String::from_utf8_lossy(&link.stdout);
    assert!(
        printed.contains("http://localhost:3000/setup/"),
        "{printed}"
    );

    let create = [
        "admin",
        "create",
        "--email",
        "ada@council.gov.uk",
        "--name",
        "Ada Admin",
    ];
    let weak = scratch.run_with_input(&create, "password1234\n");
    assert!(!weak.status.success(), "a weak password is refused");
    let listed = scratch.run(&["audit", "list", "--action", "link.invite.accept"]);
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("ada@council.gov.uk"),
        "nothing was created"
    );
    let made = scratch.run_with_input(&create, "correct horse battery staple 42\n");
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(String::from_utf8_lossy(&made.stdout).contains("Created platform administrator"));

    let again = scratch.run(&["admin", "setup-link"]);
    assert!(
        !again.status.success(),
        "no set-up link once an administrator exists"
    );
    assert!(
        stderr(&again).contains("already a platform administrator"),
        "{}",
        stderr(&again)
    );

    let unknown = scratch.run(&["admin", "reset-factors", "nobody@council.gov.uk"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no account"),
        "{}",
        stderr(&unknown)
    );
    let reset = scratch.run(&["admin", "reset-factors", "ada@council.gov.uk"]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    let audited = scratch.run(&["audit", "list", "--action", "user.reset_factors"]);
    let audited = String::from_utf8_lossy(&audited.stdout);
    assert!(audited.contains("user.reset_factors"), "{audited}");
    assert!(
        audited.contains("cli:"),
        "the operator is recorded: {audited}"
    );
}

/// Alpha with a CAF lead, an assessor and an assessment, made through the data layer on the
/// scratch database the binary uses; returns the assessment's id.
fn alpha_with_an_assessment(scratch: &Scratch) -> i64 {
    let migrate = scratch.run(&["migrate"]);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let url = format!("sqlite://{}/caf.db", scratch.0.display());
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            use app::data::{Actor, Db, NewAssessment, OrganisationKind};
            use app::roles::{Permission, Role};
            let db = Db::connect(&url).await.expect("open");
            let alpha = db
                .create_organisation("alpha", "Alpha Council", OrganisationKind::Council, "test")
                .await
                .expect("org");
            let lead = db
                .create_user("lead@alpha.example.gov.uk", "Lee Lead", "test")
                .await
                .expect("user");
            let assessor = db
                .create_user("ann@alpha.example.gov.uk", "Ann Assessor", "test")
                .await
                .expect("user");
            db.set_membership(lead, alpha.id, Role::CafLead, None, "test")
                .await
                .expect("member");
            db.set_membership(assessor, alpha.id, Role::Assessor, None, "test")
                .await
                .expect("member");
            let scope = db
                .authorize(lead, "alpha", Permission::LeadAssessment, None)
                .await
                .expect("lead");
            let profile = db.profiles_for("4.0").await.expect("profiles")[0]
                .profile
                .id
                .clone();
            let id = db
                .create_assessment(
                    &scope,
                    &NewAssessment {
                        title: "Alpha CAF".into(),
                        period: "2026/27".into(),
                        framework_version: "4.0".into(),
                        profile,
                        own_profile: false,
                        organisation_description: String::new(),
                        systems: vec![("Payroll".into(), String::new())],
                    },
                    &Actor {
                        user_id: lead,
                        email: "lead@alpha.example.gov.uk".into(),
                        address: None,
                    },
                )
                .await
                .expect("assessment");
            db.close().await;
            id
        })
}

fn assessment_audit(scratch: &Scratch) -> String {
    let output = scratch.run(&["audit", "list", "--action", "assessment."]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn assessments_export_and_import_as_a_named_member() {
    let scratch = Scratch::new("assessment-exchange");
    let id = alpha_with_an_assessment(&scratch).to_string();
    let out = scratch.0.join("alpha.json").display().to_string();
    let export = scratch.run(&[
        "assessment",
        "export",
        "--org",
        "alpha",
        "--as",
        "ann@alpha.example.gov.uk",
        "--id",
        &id,
        "--out",
        &out,
    ]);
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&out).expect("export file");
    let mut document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(document["assessment"]["title"], "Alpha CAF");

    // An assessor may export but not import; a stranger may do neither.
    let refused = scratch.run(&[
        "assessment",
        "import",
        "--org",
        "alpha",
        "--as",
        "ann@alpha.example.gov.uk",
        &out,
        "--title",
        "Mine",
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("may import assessments"),
        "{}",
        stderr(&refused)
    );
    let stranger = scratch.run(&[
        "assessment",
        "export",
        "--org",
        "alpha",
        "--as",
        "nobody@example.gov.uk",
        "--id",
        &id,
    ]);
    assert!(!stranger.status.success());
    assert!(stderr(&stranger).contains("no account for nobody@example.gov.uk"));

    // A file with problems: every one printed, exit 1, nothing stored.
    document["assessment"]["framework_version"] = "9.9".into();
    document["scopes"][0]["outcomes"][0]["due"] = "someday".into();
    let broken = scratch.file("broken.json", &document.to_string());
    let before = assessment_audit(&scratch);
    let failed = scratch.run(&[
        "assessment",
        "import",
        "--org",
        "alpha",
        "--as",
        "lead@alpha.example.gov.uk",
        &broken,
        "--title",
        "Broken",
    ]);
    assert_eq!(failed.status.code(), Some(1));
    let errors = stderr(&failed);
    assert!(
        errors.contains("assessment.framework_version: CAF \"9.9\" is not stored"),
        "{errors}"
    );
    assert!(errors.contains("scopes[0].outcomes[0].due:"), "{errors}");
    assert!(
        errors.contains("nothing was stored (2 problem(s) above)"),
        "{errors}"
    );
    assert!(!assessment_audit(&scratch).contains("assessment.import"));
    assert_eq!(
        assessment_audit(&scratch).lines().count(),
        before.lines().count(),
        "no audit record: nothing happened"
    );

    // The good file goes in under a new title.
    let imported = scratch.run(&[
        "assessment",
        "import",
        "--org",
        "alpha",
        "--as",
        "lead@alpha.example.gov.uk",
        &out,
        "--title",
        "Alpha CAF (restored)",
    ]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("as assessment"),
        "{}",
        stdout(&imported)
    );
    let again = scratch.run(&[
        "assessment",
        "import",
        "--org",
        "alpha",
        "--as",
        "lead@alpha.example.gov.uk",
        &out,
        "--title",
        "Alpha CAF (restored)",
    ]);
    assert!(!again.status.success(), "a title is used once");
    assert!(stderr(&again).contains("title: there is already an assessment"));
}
