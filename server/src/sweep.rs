//! Housekeeping while the server runs: sessions past their expiry are deleted every hour, so the
//! sessions table holds only sessions that could still be used.

use app::data::Db;
use std::time::Duration;
use tokio::time::MissedTickBehavior;

/// How often the running server deletes expired sessions.
pub const SESSION_SWEEP_EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes every expired session once and returns how many went. A failure is logged and
/// counted as none: the next sweep tries again.
pub async fn sweep_sessions(db: &Db) -> u64 {
    match db.delete_expired_sessions().await {
        Ok(deleted) => {
            if deleted > 0 {
                tracing::info!(deleted, "expired sessions deleted");
            }
            deleted
        }
        Err(error) => {
            tracing::error!(%error, "deleting expired sessions failed");
            0
        }
    }
}

/// Starts a task that sweeps expired sessions at once and then every `period`, until the task
/// is aborted or the runtime stops.
pub fn spawn_session_sweeper(db: Db, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            sweep_sessions(&db).await;
        }
    })
}
