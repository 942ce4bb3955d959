//! What every handler can reach: the state the router is built with. Its own module, so the
//! route modules and the router that merges them do not import each other.

use crate::client_address::TrustedProxies;
use crate::storage::BlobStore;
use app::auth::AuthConfig;
use app::data::Db;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' rendering options.
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: Db,
    /// Sign-in settings.
    pub auth: AuthConfig,
    /// Where evidence files are stored, and the upload size limit.
    pub evidence: EvidenceStore,
    /// Board report settings.
    pub report: ReportSettings,
    /// Reverse proxies whose forwarded client addresses are believed.
    pub trusted_proxies: TrustedProxies,
}

/// The store evidence files go to, and the largest file accepted (bytes).
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    /// Where the bytes live.
    pub blobs: Arc<dyn BlobStore>,
    /// The size limit, in bytes.
    pub limit: u64,
    /// Held shared by an upload from storing its bytes until its register item exists, and
    /// exclusively while a removal decides whether a file's bytes are still used and deletes them:
    /// a removal can then never delete the bytes of an identical file being uploaded.
    pub lifecycle: Arc<tokio::sync::RwLock<()>>,
}

/// Settings of the board report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSettings {
    /// The protective marking on every page.
    pub classification: String,
}
