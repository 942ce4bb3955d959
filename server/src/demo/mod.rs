//! `server demo`: a fictional council with a signed-off CAF 3.2 assessment for last year and a
//! signed-off CAF 4.0 assessment for this year, made through the data layer as its people would
//! make them (so the audit log, snapshots and hashes are genuine), for trying the app and
//! seeing the board report. The same choices every run; a second run refuses and changes nothing.

mod answers;
mod evidence;
mod narratives;
mod people;
mod plan;
mod seed;
mod year;

use answers::Year;
use anyhow::{Context, bail};
use app::auth::AuthConfig;
use app::data::{Db, OrganisationKind};
use std::path::Path;
use year::{YearResult, YearSpec};

/// The demo organisation's short name.
pub const SLUG: &str = "demo";
/// The demo organisation's name.
pub const NAME: &str = "Borsetshire County Council (demo)";

const LAST_YEAR: YearSpec = YearSpec {
    year: Year::Last,
    title: "CAF self-assessment 2025/26",
    period: "2025/26",
    version: "3.2",
    profile: "govassure-baseline-caf3.2",
};

const THIS_YEAR: YearSpec = YearSpec {
    year: Year::This,
    title: "CAF self-assessment 2026/27",
    period: "2026/27",
    version: "4.0",
    profile: "govassure-baseline-caf4.0",
};

/// Creates the demo council and prints how to sign in and where the reports are. Refuses, and
/// changes nothing, when the demo organisation or any of its people already exists.
pub async fn run(
    db: &Db,
    auth: &AuthConfig,
    evidence_dir: &Path,
    actor: &str,
) -> anyhow::Result<()> {
    if db.organisation_by_slug(SLUG).await?.is_some() {
        bail!(
            "the demo organisation already exists (short name {SLUG:?}); nothing was changed. \
             Use a fresh database to make it again"
        );
    }
    people::check_free(db).await?;
    let organisation = db
        .create_organisation(SLUG, NAME, OrganisationKind::Council, actor)
        .await?;
    let team = people::create_team(db, &organisation, actor).await?;
    let lead = people::scope(db, SLUG, team.lead()).await?;
    let register = evidence::create_register(db, &lead, &team.lead().actor, evidence_dir)
        .await
        .context("cannot fill the evidence register")?;
    let last = year::build_year(db, SLUG, &team, &register, &LAST_YEAR, None).await?;
    year::close_actions(db, SLUG, &team, &last.later).await?;
    let this =
        year::build_year(db, SLUG, &team, &register, &THIS_YEAR, Some(&last.statuses)).await?;
    print_report(auth, &team, &last, &this)?;
    Ok(())
}

fn print_report(
    auth: &AuthConfig,
    team: &people::Team,
    last: &YearResult,
    this: &YearResult,
) -> anyhow::Result<()> {
    let url = |path: &str| auth.public_url.join(path).map(|u| u.to_string());
    println!("Created the demo council {NAME} (short name {SLUG}).");
    println!();
    for (spec, result) in [(&LAST_YEAR, last), (&THIS_YEAR, this)] {
        println!(
            "{} (CAF {}, GovAssure Baseline), assessment {}: every scope signed off.",
            spec.title, spec.version, result.id
        );
        for figures in &result.figures {
            println!(
                "  {}: {} achieved, {} partially achieved, {} not achieved; {} below target, {} in the improvement plan",
                figures.name,
                figures.counts[2],
                figures.counts[1],
                figures.counts[0],
                figures.below_target,
                figures.actions
            );
        }
        println!(
            "  Dashboard:    {}",
            url(&format!("org/{SLUG}/assessments/{}", result.id))?
        );
        println!(
            "  Board report: {}",
            url(&format!("org/{SLUG}/assessments/{}/report.html", result.id))?
        );
        println!();
    }
    println!("Sign in at {} as any of these people:", url("signin")?);
    println!();
    for member in &team.members {
        println!(
            "  {}: {} ({})",
            member.person.role.label(),
            member.person.name,
            member.person.job
        );
        println!(
            "      email {:<44} password {}",
            member.person.email, member.password
        );
    }
    println!();
    println!(
        "The passwords are shown only now. At first sign-in each person registers a security key or \
         passkey (a phone, Windows Hello, Touch ID or a hardware key), as every account must."
    );
    println!(
        "The board viewer ({}) sees only the board reports; the SIRO ({}) and the CAF lead see \
         everything.",
        team.with(app::roles::Role::BoardViewer, 0).person.email,
        team.approver().person.email
    );
    Ok(())
}
