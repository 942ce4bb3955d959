//! The CAF self-assessment server: configuration, command line, HTTP router and middleware.

#![recursion_limit = "256"]

pub mod backup;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod demo;
pub mod evidence_routes;
pub mod exchange_cli;
pub mod exchange_routes;
pub mod gate;
pub mod headers;
pub mod report;
pub mod setup_link;
pub mod state;
pub mod storage;
pub mod sweep;
pub mod web;
