//! The CAF self-assessment server: configuration, command line, HTTP router and middleware.

pub mod cli;
pub mod config;
pub mod exchange_cli;
pub mod exchange_routes;
pub mod gate;
pub mod headers;
pub mod web;
