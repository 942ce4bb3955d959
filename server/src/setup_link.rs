//! The one-time link that lets the first platform administrator create their account, printed
//! by `serve` at start-up and by `admin setup-link`.

use app::auth::AuthConfig;
use app::data::{Db, LinkPurpose, NewLink};

/// While no platform administrator exists, prints a one-time set-up link (valid 24 hours) that
/// lets the first one create their account. Returns whether it printed one.
pub async fn announce_setup_link(db: &Db, auth: &AuthConfig) -> anyhow::Result<bool> {
    if db.count_platform_admins().await? > 0 {
        return Ok(false);
    }
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Setup,
                email: None,
                display_name: None,
                membership: None,
                membership_until: None,
                platform_admin: true,
                created_by: None,
                lifetime: time::Duration::hours(24),
            },
            "system",
        )
        .await?;
    let url = auth.public_url.join(&format!("setup/{token}"))?;
    println!();
    println!(
        "No administrator exists yet. To create the first one, open this link within 24 hours:"
    );
    println!();
    println!("    {url}");
    println!();
    println!(
        "(It works once. Restarting the server prints a new one and the old one stops working.)"
    );
    println!();
    Ok(true)
}
