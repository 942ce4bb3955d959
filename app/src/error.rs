//! The one error type that crosses the boundary between server and browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a person can act on, or a generic failure whose details stay in the server log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request was malformed or asked for something impossible.
    #[error("{0}")]
    BadRequest(String),
    /// The request needs a signed-in user (both factors), or sign-in failed.
    #[error("{0}")]
    Unauthorized(String),
    /// Too many failed attempts: try again after this many seconds.
    #[error("Too many failed attempts. Wait {} and try again.", wait_words(*.0))]
    TooManyRequests(u64),
    /// The signed-in user may not do this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Nothing exists at this address (or the user may not know that it does).
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with the current state, e.g. an immutable record.
    #[error("{0}")]
    Conflict(String),
    /// Something unexpected failed; the details were logged on the server.
    #[error(
        "Something went wrong on the server. Please try again; if it keeps happening, tell your administrator."
    )]
    Internal,
    /// The browser could not reach the server or read its answer.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// A 404 for a thing described in words, e.g. `not_found("Framework version 9.9")`.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} was not found."))
    }

    /// The HTTP status this error is reported with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthorized(_) => 401,
            Self::TooManyRequests(_) => 429,
            Self::Forbidden => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Internal | Self::Transport(_) => 500,
        }
    }

    /// The answer to a request that needs sign-in.
    pub fn sign_in_needed() -> Self {
        Self::Unauthorized("You need to sign in to do that.".into())
    }

    /// Logs an unexpected failure in full and returns the generic error the client sees.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::Internal
    }
}

fn wait_words(seconds: u64) -> String {
    match seconds {
        0..=60 => "a minute".to_owned(),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::BadRequest(format!("The request was not understood: {m}"))
            }
            // On the server these come from reading the caller's request (bytes that are not
            // UTF-8, a body that is not the encoding declared): the caller's fault, a 400. In
            // the browser they mean the server could not be reached or its answer not read.
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Deserialization(m) => {
                if cfg!(feature = "ssr") {
                    Self::BadRequest(format!("The request was not understood: {m}"))
                } else {
                    Self::Transport(m)
                }
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failure");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound("That record was not found.".into()),
            other => Self::internal("database error", other),
        }
    }
}
